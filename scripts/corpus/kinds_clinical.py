"""Clinical records: 住院病案首页, 病程记录, 工作量统计表."""

from __future__ import annotations

import random

from scripts.corpus import generic as gen
from scripts.corpus import hidden
from scripts.corpus import medical as med
from scripts.corpus.canvas import BLACK, RED, Canvas, E, Item, Items, K
from scripts.corpus.fmt import age, case_number, landline_style, mobile_style, org_code
from scripts.corpus.identity import Identity, digits, make_person

_JOBS = ("退休人员", "农民", "职员", "个体经营者", "教师", "工人", "牧民", "公务员")


def _either(hidden_form: str, drawn: str) -> str:
    """The hidden form when there is one; the drawn form is drawn anyway (same rng draws)."""
    return hidden_form or drawn


def case_first_page(cv: Canvas, ident: Identity, rng: random.Random) -> None:
    unit = ident.unit
    pt = make_person(rng, 1940, 1985)
    rel = make_person(rng, 1960, 2000)
    cols = [68.0, 98.0, 62.0, 100.0, 68.0, 99.0]
    x0 = 50.0
    cv.text(cv.width / 2, 62, E(unit.name, "organization", True), 13, align="center")
    cv.text(cv.width / 2, 90, K("住院病案首页"), 18, align="center")
    cv.text(x0, 118, ["组织机构代码：", E(org_code(rng), "identifier")], 9)
    case_no = case_number(rng)
    cv.text(cv.width - 50, 118, ["病案号：", E(case_no, "identifier")], 9, align="right")
    if rng.random() < 0.6:  # the case number as a barcode in the header
        cv.barcode(cv.width - 50 - rng.uniform(90, 130), 24, rng.uniform(90, 130), rng.uniform(18, 28),
                   case_no, rng.choice(("code128", "code39")))
    cv.text(x0, 134, ["医疗付费方式：", K("城镇职工基本医疗保险"), "    第 1 次住院"], 9)
    adm = med.iso_date(rng, 2021, 2024)
    days = rng.randint(4, 21)
    diag = rng.choice(med.DIAGNOSES)
    staff = ident.colleagues
    job = rng.choice(_JOBS)
    work: Items = (
        E(gen.workplace(rng), "organization")
        if job in ("职员", "教师", "工人", "公务员") or rng.random() < 0.3
        else "无"
    )
    # EMR printouts often hide the middle of the ID and phone numbers (own generator: the
    # document's draws stay as they were)
    hid = hidden.rng_for(pt, "emr")
    pt_id = hidden.starred_id(hid, pt.id_number) if hid.random() < 0.35 else pt.id_number
    pt_phone = hidden.starred_mobile(hid, pt.mobile) if hid.random() < 0.35 else ""
    rows: list[list[Items]] = [
        ["姓名", E(pt.name, "person"), "性别", pt.gender, "年龄", f"{age(pt)}岁"],
        ["出生日期", pt.birth, "国籍", "中国", "职业", job],
        ["民族", gen.ethnicity(pt, rng), "籍贯", gen.native_place(rng)],
        ["出生地", gen.native_place(rng)],
        ["身份证号", E(pt_id, "id_number"), "婚姻", rng.choice(("已婚", "未婚", "丧偶"))],
        ["工作单位", work],
        ["现住址", E(gen.home_address(rng), "address")],
        ["户口地址", E(gen.village_address(rng), "address")],
        [
            "电话",
            E(_either(pt_phone, mobile_style(rng, pt.mobile)), "phone"),
            "邮编",
            E(f"{rng.randint(0, 8)}{rng.randint(1, 9)}{digits(rng, 4)}", "postal_code"),
        ],
        ["联系人地址", E(gen.home_address(rng), "address")],
        [
            "联系人",
            E(rel.name, "person"),
            "关系",
            rng.choice(gen.RELATIONS),
            "联系电话",
            E(rel.mobile, "phone"),
        ],
        ["入院日期", K(adm), "入院科别", K(ident.department), "实际住院", f"{days}天"],
        ["门急诊诊断", K(rng.choice(med.DIAGNOSES))],
        ["出院主要诊断", K(diag), "ICD-10", K(rng.choice(("I21.0", "I25.1", "J44.1", "E11.9")))],
        ["手术及操作", K(rng.choice(med.PROCEDURES))],
        ["过敏药物", "无", "血型", rng.choice(("A", "B", "O", "AB")), "Rh", "阳"],
        [
            "科主任",
            E(staff[0].name, "person"),
            "主任医师",
            E(ident.person.name, "person", True),
            "主治医师",
            E(staff[1].name, "person"),
        ],
        [
            "住院医师",
            E(staff[2].name, "person"),
            "责任护士",
            E(staff[3].name, "person"),
            "质控日期",
            K(med.iso_date(rng, 2021, 2024)),
        ],
        [
            "病案质量",
            K("甲"),
            "离院方式",
            K("医嘱离院"),
            "住院费用",
            f"{rng.randint(8, 90)}{rng.randint(100, 999)}.{rng.randint(10, 99)}元",
        ],
    ]
    y = cv.table(x0, 146, cols, rows, 23, 9.5)
    y = cv.para(
        x0,
        y + 22,
        495,
        [
            "入院情况：患者系",
            E(gen.place_word(rng), "place"),
            "人，因",
            K(rng.choice(med.SYMPTOMS)),
            "，于",
            K(adm),
            "由",
            E(gen.referring_hospital(rng), "organization"),
            "转入",
            K(rng.choice(("我院", "本院"))),
            "。既往",
            K(rng.choice(gen.HARD_DISEASES)),
            "病史",
            K(f"{rng.randint(2, 15)}年"),
            "。现症：",
            K(rng.choice(med.SYMPTOMS)),
            "，查体：血压",
            K(f"{rng.randint(100, 170)}/{rng.randint(60, 100)} mmHg"),
            "，心率",
            K(f"{rng.randint(55, 110)}次/分"),
            "。辅助检查：",
            K(rng.choice(med.LABS)),
            "，",
            K(rng.choice(med.LABS)),
            "。",
        ],
        9.5,
        1.7,
    )
    y = cv.para(
        x0,
        y + 4,
        495,
        [
            "出院医嘱：",
            K(rng.choice(med.ORDERS)),
            "；",
            K(rng.choice(med.ORDERS)),
            "；1个月后",
            K(ident.department),
            "门诊复诊。",
        ],
        9.5,
        1.7,
    )
    cv.text(x0, y + 34, ["质控医师：", E(staff[3 - rng.randrange(2)].name, "person")], 10.5)
    cv.text(x0, y + 64, ["编码员：", E(make_person(rng, 1975, 1998).name, "person")], 10.5)
    cv.text(300, y + 34, "主治医师签名：", 10.5)
    cv.signature(375, y + 12, 80, 30, rng)
    cv.text(300, y + 64, ["日期：", K(med.iso_date(rng, 2021, 2024))], 10.5)


def progress_note(cv: Canvas, ident: Identity, rng: random.Random) -> None:
    pt = make_person(rng, 1940, 1985)
    x0, w = 60.0, 475.0
    cv.text(cv.width / 2, 60, E(ident.unit.name, "organization", True), 13, align="center")
    cv.text(cv.width / 2, 88, K("病 程 记 录"), 17, align="center")
    cv.text(
        x0,
        116,
        [
            "姓名：",
            E(pt.name, "person"),
            "   科室：",
            K(ident.department),
            f"   床号：{rng.randint(1, 48)}   住院号：",
            E(case_number(rng), "identifier"),
        ],
        10,
    )
    cv.line(x0, 124, x0 + w, 124, 0.8)
    day = med.iso_date(rng, 2022, 2024)
    y = cv.text(x0, 150, [K(f"{day} 09:{rng.randint(10, 59)}"), "  首次病程记录"], 11)
    y = 172.0
    y = cv.para(
        x0,
        y,
        w,
        [
            "患者",
            E(pt.name, "person"),
            f"，{pt.gender}，{age(pt)}岁，",
            E(gen.place_word(rng), "place"),
            "人，长期在",
            E(gen.place_word(rng), "place"),
            rng.choice(("务工", "放牧", "经商", "居住")),
            "，现住",
            E(gen.home_address(rng), "address"),
            "，因“",
            K(rng.choice(med.SYMPTOMS)),
            "”于",
            E(gen.referring_hospital(rng), "organization"),
            "就诊，为进一步诊治转入",
            K(rng.choice(("我院", "本院"))),
            "。既往",
            K("高血压"),
            "病史10年，规律服用",
            K("苯磺酸氨氯地平片 5 mg qd"),
            "；否认",
            K(rng.choice(gen.HARD_DISEASES)),
            "、",
            K("糖尿病"),
            "病史。",
        ],
        10.5,
        1.7,
        indent=21,
    )
    y = cv.para(
        x0,
        y,
        w,
        [
            "病例特点：查体神清，双肺呼吸音粗，心率",
            K(f"{rng.randint(60, 110)}次/分"),
            "。实验室检查：",
            K(rng.choice(med.LABS)),
            "，",
            K(rng.choice(med.LABS)),
            "，",
            K(rng.choice(med.LABS)),
            "。",
        ],
        10.5,
        1.7,
        indent=21,
    )
    y = cv.para(x0, y, w, ["初步诊断：", K(rng.choice(med.DIAGNOSES))], 10.5, 1.7, indent=21)
    y = cv.para(
        x0,
        y,
        w,
        [
            "诊疗计划：1. ",
            K(rng.choice(med.ORDERS)),
            "；2. ",
            K(rng.choice(med.ORDERS)),
            "；3. 完善",
            K("心脏彩超"),
            "及",
            K("冠状动脉造影"),
            "检查。",
        ],
        10.5,
        1.7,
        indent=21,
    )
    cv.text(340, y + 6, ["医师：", E(ident.colleagues[2].name, "person")], 10.5)
    y += 34
    day2 = med.iso_date(rng, 2022, 2024)
    cv.text(x0, y, [K(day2 + " 10:30"), "  ", K(ident.title), "查房记录"], 11)
    y = cv.para(
        x0,
        y + 22,
        w,
        [
            "今日",
            E(ident.person.name, "person", True),
            K(ident.title),
            "查房，患者诉",
            K("胸闷较前缓解"),
            "。复查",
            K(rng.choice(med.LABS)),
            "。指示：继续目前治疗，加用",
            K(rng.choice(med.ORDERS)),
            "，注意监测血压、心率变化。患者家属",
            E(make_person(rng).name, "person"),
            "（联系电话",
            E(mobile_style(rng, make_person(rng).mobile), "phone"),
            "）已知情同意。",
        ],
        10.5,
        1.7,
        indent=21,
    )
    cv.text(340, y + 6, ["医师签名：", E(ident.colleagues[1].name, "person")], 10.5)
    y += 34
    chief, junior = ident.colleagues[0], ident.colleagues[3]
    kin = make_person(rng, 1960, 2000)
    day3 = med.iso_date(rng, 2022, 2024)
    cv.text(x0, y, [K(day3 + " 08:40"), "  上级医师查房记录"], 11)
    items: list[Item] = [
        "今日",
        *gen.titled(chief, "主任"),
        "查房，详细询问病史并查体后指出：患者",
        K(rng.choice(med.DIAGNOSES)),
        "诊断明确，",
        K(rng.choice(gen.GENERIC_UNITS)),
        "转诊资料已复核。嘱",
        *gen.titled(junior, rng.choice(("医生", "大夫"))),
        "复查",
        K(rng.choice(med.LABS)),
        "，必要时请",
        K(rng.choice(("上级医院", "三甲医院"))),
        "会诊。已向患者",
        rng.choice(gen.KIN_WORDS),
        gen.person_split(kin),
        "交代病情，家属表示理解并签字。",
    ]
    width = cv.split_width(items, len(items) - 2, w, 10.5, 21)
    y = cv.para(x0, y + 22, width, items, 10.5, 1.7, indent=21)
    cv.text(300, y + 30, "主治医师签名：", 10.5)
    cv.signature(380, y + 8, 80, 30, rng)
    cv.text(300, y + 60, ["上级医师：", E(ident.person.name, "person", True)], 10.5)
    cv.text(x0, y + 60, ["记录者：", E(junior.name, "person")], 10.5)
    if y + 230 < cv.height - 30 and rng.random() < 0.7:  # an imaging figure: a picture, no face
        cv.picture((x0, y + 84, x0 + 150, y + 194), rng)
        cv.text(x0, y + 210, K(rng.choice(("图1 胸部CT平扫", "图1 病理切片（HE染色）", "图1 眼底照相"))), 9)


def workload(cv: Canvas, ident: Identity, rng: random.Random) -> None:
    year = rng.randint(2020, 2023)
    x0 = 45.0
    red = rng.random() < 0.4  # a red heading and rule (红头): red print that is not a seal
    cv.text(cv.width / 2, 60, K(f"{year}年度个人医疗工作量统计表"), 16, RED if red else BLACK, align="center")
    if red:
        cv.line(x0, 72, cv.width - x0, 72, 1.6, RED)
    cv.text(
        x0,
        92,
        ["单位：", E(ident.unit.name, "organization", True), "    科室：", K(ident.department)],
        10,
    )
    cv.text(
        x0,
        110,
        [
            "姓名：",
            E(ident.person.name, "person", True),
            "    职称：",
            K(ident.title),
            "    工号：",
            E(ident.employee_no, "identifier"),
        ],
        10,
    )
    rows: list[list[Items]] = [
        ["序号", "日期", "患者姓名", "住院号", "诊断", "手术/操作", "术者", "助手"]
    ]
    me = ident.person
    staff = ident.colleagues
    for i in range(16):
        pt = make_person(rng, 1940, 2000)
        surgeon = me if rng.random() < 0.7 else rng.choice(staff[:2])
        helper = rng.choice([p for p in staff if p is not surgeon] + [make_person(rng)])
        rows.append(
            [
                str(i + 1),
                K(med.iso_date(rng, year, year)),
                E(pt.name, "person"),
                E(digits(rng, 7), "identifier"),
                K(rng.choice(med.DIAGNOSES + gen.HARD_DISEASES)),
                K(rng.choice(med.PROCEDURES)),
                E(surgeon.name, "person", surgeon is me),
                E(helper.name, "person"),
            ]
        )
    y = cv.table(x0, 124, [26, 58, 62, 52, 104, 105, 49, 49], rows, 23, 8.5)
    y = cv.para(
        x0,
        y + 24,
        505,
        [
            "合计：门诊",
            K(f"{rng.randint(1800, 6000)}人次"),
            "，出院",
            K(f"{rng.randint(200, 900)}人次"),
            "，主持手术/操作",
            K(f"{rng.randint(80, 400)}例"),
            "，平均住院日",
            K(f"{rng.uniform(6, 10):.1f}天"),
            "。以上数据由病案统计室核对无误。",
        ],
        10,
        1.7,
    )
    items: list[Item] = ["联系电话：", E(landline_style(rng, ident.unit.landline), "phone", True)]
    cv.text(x0, y + 10, items, 10)
    cv.text(x0, y + 27, ["单位地址：", E(ident.unit.address, "address")], 10)
    # a printed name in a signature field is text (a person), not a handwritten signature
    label = "填表人（签字）：" if rng.random() < 0.5 else "填表人："
    cv.text(x0, y + 46, [label, E(staff[3].name, "person")], 10.5)
    cv.text(x0, y + 76, ["审核人：", E(make_person(rng, 1965, 1990).name, "person")], 10.5)
    cv.text(x0, y + 106, ["负责人：", *gen.titled(staff[0], "主任")], 10.5)
    cv.text(300, y + 46, "统计部门（盖章）：", 10.5)
    cv.seal(440, y + 40, ident.unit.name, rng)
    cv.text(300, y + 76, "科主任签字：", 10.5)
    cv.signature(370, y + 56, 70, 28, rng)
