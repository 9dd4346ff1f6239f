"""Non-identifying medical text: diagnoses, orders, lab values, paper titles, appraisal prose.

These strings must survive redaction, so builders record many of them as ``keep`` items.
"""

from __future__ import annotations

import random

DIAGNOSES = (
    "急性ST段抬高型心肌梗死",
    "冠状动脉粥样硬化性心脏病",
    "高血压病3级（很高危）",
    "2型糖尿病",
    "慢性阻塞性肺疾病急性加重",
    "社区获得性肺炎",
    "急性胰腺炎",
    "上消化道出血",
    "脑梗死",
    "慢性肾脏病4期",
    "心房颤动",
    "慢性心力衰竭（NYHA III级）",
    "胆囊结石伴慢性胆囊炎",
    "腰椎间盘突出症",
    "支气管哮喘",
    "甲状腺功能亢进症",
)
SYMPTOMS = (
    "胸痛3小时",
    "反复咳嗽、咳痰10年，加重伴气促1周",
    "上腹痛伴恶心呕吐2天",
    "头晕伴右侧肢体无力6小时",
    "心悸、胸闷1个月",
    "多饮多尿伴体重下降半年",
    "双下肢水肿2周",
    "发热伴咳嗽5天",
)
ORDERS = (
    "阿司匹林肠溶片 100 mg 口服 qd",
    "硫酸氢氯吡格雷片 75 mg 口服 qd",
    "阿托伐他汀钙片 20 mg 口服 qn",
    "美托洛尔缓释片 47.5 mg 口服 qd",
    "低分子肝素钠 4000 IU 皮下注射 q12h",
    "0.9%氯化钠注射液 250 ml + 头孢曲松钠 2.0 g 静滴 qd",
    "呋塞米注射液 20 mg 静推 st",
    "门冬胰岛素注射液 6 U 三餐前皮下注射",
    "奥美拉唑肠溶胶囊 20 mg 口服 bid",
    "硝酸甘油 0.5 mg 舌下含服 prn",
)
LABS = (
    "肌钙蛋白I 2.35 ng/ml",
    "NT-proBNP 1260 pg/ml",
    "血红蛋白 112 g/L",
    "白细胞 11.6×10^9/L",
    "血钾 3.6 mmol/L",
    "肌酐 98 μmol/L",
    "空腹血糖 8.9 mmol/L",
    "糖化血红蛋白 7.8%",
    "LDL-C 3.42 mmol/L",
    "D-二聚体 0.45 mg/L",
    "ALT 42 U/L",
    "CRP 36.5 mg/L",
)
PROCEDURES = (
    "经皮冠状动脉介入治疗（PCI）",
    "冠状动脉造影术",
    "腹腔镜胆囊切除术",
    "电子胃镜检查",
    "纤维支气管镜检查",
    "中心静脉置管术",
    "胸腔穿刺术",
    "射频消融术",
)
PAPER_TOPICS = (
    (
        "急性心肌梗死患者",
        "血清可溶性ST2水平",
        "短期预后",
        "serum soluble ST2",
        "short-term prognosis",
        "patients with acute myocardial infarction",
    ),
    (
        "2型糖尿病患者",
        "三酰甘油-葡萄糖指数",
        "冠状动脉病变严重程度",
        "triglyceride-glucose index",
        "severity of coronary lesions",
        "type 2 diabetic patients",
    ),
    (
        "慢性阻塞性肺疾病患者",
        "嗜酸性粒细胞计数",
        "急性加重风险",
        "blood eosinophil count",
        "risk of exacerbation",
        "patients with COPD",
    ),
    (
        "老年脑梗死患者",
        "同型半胱氨酸",
        "认知功能障碍",
        "homocysteine",
        "cognitive impairment",
        "elderly patients with cerebral infarction",
    ),
)
JOURNALS = (
    "中华心血管病杂志",
    "中华内科杂志",
    "中国实用内科杂志",
    "中华老年医学杂志",
    "中国循环杂志",
    "中华结核和呼吸杂志",
)
AWARDS = ("医疗成果奖", "科学技术进步奖", "医学科技奖", "优秀论文奖", "新技术引进奖")
AWARD_LEVELS = ("一等奖", "二等奖", "三等奖")
WORK_SUMMARY = (
    "本年度严格遵守医院各项规章制度，认真履行岗位职责，完成门诊及病房诊疗工作。",
    "牵头开展{proc}{n}例，无严重并发症发生，患者满意度良好。",
    "参与科室危重患者抢救{m}人次，抢救成功率{r}%。",
    "指导住院医师及规培学员{k}名，承担本科生临床带教任务，授课{h}学时。",
    "积极参加继续医学教育，全年获得Ⅰ类学分{c}分。",
    "完成科研课题阶段性工作，发表论文{p}篇。",
)


def date(rng: random.Random, y0: int = 2019, y1: int = 2024) -> str:
    return f"{rng.randint(y0, y1)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def iso_date(rng: random.Random, y0: int = 2021, y1: int = 2024) -> str:
    return f"{rng.randint(y0, y1)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def doi(rng: random.Random) -> str:
    return (
        f"DOI: 10.3760/cma.j.cn{rng.randint(112000, 119999)}-{rng.randint(2019, 2024)}"
        f"{rng.randint(1000, 9999)}-{rng.randint(100, 999):05d}"
    )


def summary_lines(rng: random.Random) -> list[str]:
    vals = {
        "proc": rng.choice(PROCEDURES),
        "n": rng.randint(40, 260),
        "m": rng.randint(10, 90),
        "r": rng.randint(85, 98),
        "k": rng.randint(3, 12),
        "h": rng.randint(10, 60),
        "c": rng.randint(10, 30),
        "p": rng.randint(1, 4),
    }
    return [s.format(**vals) for s in WORK_SUMMARY]


def abstract(rng: random.Random, topic: tuple[str, ...]) -> str:
    n = rng.randint(120, 480)
    auc = rng.uniform(0.68, 0.89)
    return (
        f"目的  探讨{topic[1]}与{topic[0]}{topic[2]}的关系。方法  回顾性纳入{n}例{topic[0]}，"
        f"根据{topic[1]}四分位数分为4组，比较各组临床特征，采用多因素Logistic回归分析相关因素。"
        f"结果  高{topic[1]}组{topic[2]}不良比例显著高于低值组（P<0.05）；"
        f"ROC曲线下面积为{auc:.3f}。"
        f"结论  {topic[1]}升高是{topic[0]}{topic[2]}不良的独立危险因素。"
    )
