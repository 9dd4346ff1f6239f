"""Table tests for the rule-based person detector: case records, forms, papers, certificates,
minority and pinyin names, line breaks, negatives in medical text, the lexicon loader, speed."""

from __future__ import annotations

import time

import pytest

from service.detect.base import TextDetector
from service.detect.persons import PersonDetector
from service.detect.persons_lexicon import build_lexicon, load_lexicon, parse_spec
from service.errors import InvalidRulesError
from service.types import Span

DETECTOR = PersonDetector()
RULES = {
    "person.context",
    "person.title",
    "person.list",
    "person.minority",
    "person.backstop",
    "person.pinyin",
    "person.honorific",
}


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.rule) for s in DETECTOR.detect(text)]


def names(text: str) -> set[str]:
    return {t for t, _ in found(text)}


P = pytest.param
POSITIVES = [
    # case records
    P("患者姓名：张伟  性别：男", [("张伟", "person.context")], id="patient-name-field"),
    P("家属：李秀英（妻）", [("李秀英", "person.context")], id="relative-bracket"),
    P("联系人 王强 电话 13800138000", [("王强", "person.context")], id="contact-space"),
    P(
        "主治医师：孙红娜 住院医师：赵磊",
        [("孙红娜", "person.context"), ("赵磊", "person.context")],
        id="two-doctors",
    ),
    P("上级医师王主任查房，指示继续目前治疗。", [("王", "person.title")], id="bare-surname-role"),
    P("患者王小明，男，45岁，因胸闷3年入院。", [("王小明", "person.context")], id="patient-inline"),
    P("病人家属：李秀英 电话：13800138000", [("李秀英", "person.context")], id="label-chain"),
    P("医生签名：张三    日期：2023-01-01", [("张三", "person.context")], id="signature"),
    P("患者家属王某签字同意。", [("王某", "person.context")], id="placeholder-name"),
    P("患者姓名：张伟性别：男", [("张伟", "person.context")], id="no-space-before-next-field"),
    P("请李医生会诊。", [("李", "person.title")], id="request-doctor"),
    # operation notes / workload forms
    P(
        "术者 孙红娜 一助 李强",
        [("孙红娜", "person.context"), ("李强", "person.context")],
        id="surgery-cells",
    ),
    P(
        "手术者：孙红娜，第一助手：李强，麻醉医师：赵磊，器械护士：刘芳",
        [
            ("孙红娜", "person.context"),
            ("李强", "person.context"),
            ("赵磊", "person.context"),
            ("刘芳", "person.context"),
        ],
        id="surgery-team",
    ),
    P(
        "参加人员：张伟 王芳 李娜 刘洋",
        [
            ("张伟", "person.context"),
            ("王芳", "person.list"),
            ("李娜", "person.list"),
            ("刘洋", "person.list"),
        ],
        id="participants-spaces",
    ),
    P("1 张伟 心内科 12 35", [("张伟", "person.backstop")], id="table-row-backstop"),
    # roles after names
    P("张三 主任医师", [("张三", "person.title")], id="name-space-title"),
    P(
        "刘护士长 赵院长 陈老师 孙大夫 王某某同志",
        [
            ("刘", "person.title"),
            ("赵", "person.title"),
            ("陈", "person.title"),
            ("孙", "person.title"),
            ("王某某", "person.title"),
        ],
        id="surname-roles",
    ),
    P(
        "由王小明主任医师主刀，李红副主任医师协助。",
        [("王小明", "person.title"), ("李红", "person.title")],
        id="names-before-titles",
    ),
    P("心内科王主任", [("王", "person.title")], id="department-then-surname"),
    P("张教授指出", [("张", "person.title")], id="professor"),
    # papers
    P(
        "王小明1，李红2*，欧阳晓东1",
        [("王小明", "person.list"), ("李红", "person.list"), ("欧阳晓东", "person.list")],
        id="cn-author-line",
    ),
    P(
        "作者：王小明、李红、欧阳晓东",
        [("王小明", "person.context"), ("李红", "person.list"), ("欧阳晓东", "person.list")],
        id="cn-authors-label",
    ),
    P("通讯作者：李红，E-mail：lh@163.com", [("李红", "person.context")], id="cn-corresponding"),
    # certificates
    P("兹授予 欧阳晓东 同志", [("欧阳晓东", "person.context")], id="award-certificate"),
    P("兹聘任王小明同志为主任医师", [("王小明", "person.context")], id="appointment"),
    # minority names
    P("阿依努尔·买买提", [("阿依努尔·买买提", "person.minority")], id="uyghur-dot"),
    P(
        "古丽娜尔·阿不都热依木 艾尔肯•吐尔逊",
        [("古丽娜尔·阿不都热依木", "person.minority"), ("艾尔肯•吐尔逊", "person.minority")],
        id="uyghur-two",
    ),
    P("姓名：巴特尔", [("巴特尔", "person.context")], id="mongolian-label"),
    P("患者斯琴高娃，女，50岁。", [("斯琴高娃", "person.context")], id="mongolian-inline"),
    P("联系人：扎西  电话", [("扎西", "person.context")], id="tibetan-label"),
    P("记录者：卓玛", [("卓玛", "person.context")], id="tibetan-recorder"),
    P("姓名：阿依努尔.买买提", [("阿依努尔.买买提", "person.context")], id="ascii-dot-label"),
    # spacing and line breaks
    P("患者姓名：王 小 明 性别：男", [("王 小 明", "person.context")], id="spaced-out"),
    P("主治医师：王\n小明", [("王\n小明", "person.context")], id="line-break-single"),
    P("姓名：欧阳\n晓东 性别：女", [("欧阳\n晓东", "person.context")], id="line-break-compound"),
    P("姓名：张伟\n性别：男", [("张伟", "person.context")], id="line-break-next-field"),
    # pinyin / English
    P(
        "Wang Xiaoming, Li Hong, Ouyang Xiaodong",
        [
            ("Wang Xiaoming", "person.list"),
            ("Li Hong", "person.list"),
            ("Ouyang Xiaodong", "person.list"),
        ],
        id="en-author-list",
    ),
    P(
        "WANG Xiao-ming¹, LI Hong²*",
        [("WANG Xiao-ming", "person.list"), ("LI Hong", "person.list")],
        id="en-caps-superscripts",
    ),
    P(
        "Corresponding author: Wang Xiaoming, E-mail: wxm@163.com",
        [("Wang Xiaoming", "person.context")],
        id="corresponding-author",
    ),
    P(
        "Correspondence to: Zhang Wei, Department of Cardiology",
        [("Zhang Wei", "person.context")],
        id="correspondence-to",
    ),
    P("Dr. Li reviewed the films.", [("Li", "person.honorific")], id="dr-surname"),
    P("Prof. Zhang Wei", [("Zhang Wei", "person.honorific")], id="prof-full"),
    P(
        "Dr Li Hong and Mr. Wang",
        [("Li Hong", "person.honorific"), ("Wang", "person.honorific")],
        id="dr-no-dot",
    ),
    P("written by Xiaoming Wang in 2020", [("Xiaoming Wang", "person.pinyin")], id="given-first"),
    P(
        "Wang XM, Li X, Zhang Y.",
        [("Wang XM", "person.list"), ("Li X", "person.list"), ("Zhang Y.", "person.list")],
        id="initials-list",
    ),
    P(
        "Wang Xiaoming1, Li Hong2 and Zhang Wei3*",
        [
            ("Wang Xiaoming", "person.list"),
            ("Li Hong", "person.list"),
            ("Zhang Wei", "person.list"),
        ],
        id="en-list-and",
    ),
    P(
        "Li Hong and Zhang Wei",
        [("Li Hong", "person.pinyin"), ("Zhang Wei", "person.pinyin")],
        id="en-pair-alone",
    ),
    P("Chen et al. reported", [("Chen", "person.pinyin")], id="et-al"),
    P(
        "Ｗａｎｇ Ｘｉａｏｍｉｎｇ，",
        [("Ｗａｎｇ Ｘｉａｏｍｉｎｇ", "person.pinyin")],
        id="fullwidth",
    ),
    P(
        "Shan Wei, Zeng Fanli",
        [("Shan Wei", "person.list"), ("Zeng Fanli", "person.list")],
        id="polyphonic-surnames",
    ),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_positives(text: str, expected: list[tuple[str, str]]) -> None:
    got = found(text)
    for item in expected:
        assert item in got, (item, got)


NEGATIVES = [
    P("患者于2023年3月5日入院，平素体健，否认高血压、糖尿病病史。", id="history"),
    P("患者高血压病史10年，规律服药，血压控制可。", id="hypertension"),
    P("查体：T 36.5℃，P 80次/分，白细胞计数 12.3×10^9/L，中性粒细胞 85%。", id="exam"),
    P("常规检查未见明显异常，黄疸指数正常，治疗方案同前。", id="routine"),
    P("王道 方案 温度 明显 黄疸 常规 白细胞", id="words-starting-with-surnames"),
    P("高血压、糖尿病、冠心病", id="disease-list"),
    P("心内科 神经外科 普外科 肝胆外科 急诊科 呼吸与危重症医学科", id="departments"),
    P("主任医师", id="title-alone"),
    P("主任医师 副主任医师 主治医师", id="titles-alone"),
    P("主任：", id="empty-field"),
    P("审核人：\n签名：          日期：", id="empty-form"),
    P("向主任汇报病情，经上级医师查房后同意出院。", id="report-to-director"),
    P("医师查房，患者神志清，精神可。", id="ward-round"),
    P("科主任查房指示：继续目前治疗。", id="head-ward-round"),
    P("晋升副主任医师以来，年均门诊量5000人次。", id="promotion"),
    P("医院院长办公会", id="hospital-dean"),
    P("白细胞 5.2 ×10^9/L  血红蛋白 120 g/L  血小板 210 ×10^9/L", id="lab-values"),
    P("血压 130/80 mmHg，心率 78 次/分。", id="vitals"),
    P("He was admitted with chest pain.", id="he-was-admitted"),
    P("Long-term follow-up showed He Long recovered.", id="english-syllables"),
    P("Sun exposure and Tai Chi exercise in Hong Kong.", id="english-phrases"),
    P("The patient was treated at the department of medicine.", id="plain-english"),
    P("The herbs Dan Shen and Huang Qi; Ma Huang decoction; Chai Hu, Gan Cao.", id="tcm-herbs"),
    P("Patients from He Nan and Shan Dong provinces.", id="split-provinces"),
    P("提高主任医师的诊疗水平", id="verb-before-title"),
    P("正常 良好 完成 第一 满意 周一 阳性 合格", id="table-cells"),
    P("2023年10月12日 星期四", id="date"),
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives(text: str) -> None:
    assert found(text) == []


def test_title_is_not_a_name_after_a_name() -> None:
    text = "主治医师：孙红娜 住院医师：赵磊"
    assert names(text) == {"孙红娜", "赵磊"}


def test_spans_are_well_formed() -> None:
    text = "患者姓名：张伟 性别：男\n作者：王小明、李红\nCorresponding author: Wang Xiaoming"
    spans = DETECTOR.detect(text)
    assert spans
    for s in spans:
        assert isinstance(s, Span)
        assert 0 <= s.start < s.end <= len(text)
        assert s.category == "person"
        assert s.rule in RULES
        assert 0.6 <= s.score <= 0.99
        assert s.explanation
        assert text[s.start : s.end] not in s.explanation


def test_protocol() -> None:
    assert isinstance(DETECTOR, TextDetector)
    assert DETECTOR.name == "person"
    assert DETECTOR.categories == frozenset({"person"})
    assert DETECTOR.detect("") == []


def test_backstop_scores_lower_than_context() -> None:
    spans = {DETECTOR_TEXT[s.start : s.end]: s for s in DETECTOR.detect(DETECTOR_TEXT)}
    assert spans["张伟"].score < spans["李红"].score


DETECTOR_TEXT = "1 张伟 心内科\n家属：李红"


def test_lexicon_has_surnames() -> None:
    lex = load_lexicon()
    assert {"王", "李", "单", "曾"} <= lex.surnames
    assert {"欧阳", "尉迟", "万俟"} <= lex.compound_surnames
    assert "伟" in lex.given_chars and "压" not in lex.given_chars


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        P("labels: [: bad", "not valid YAML", id="syntax"),
        P("version: 1\nroles: [主任]\ngiven_chars: 伟\n", "labels", id="missing-labels"),
        P("version: 2\nlabels: [姓名]\nroles: [主任]\ngiven_chars: 伟\n", "version", id="version"),
        P("version: 1\nlabels: [name]\nroles: [主任]\ngiven_chars: 伟\n", "labels", id="non-cjk"),
        P(
            "version: 1\nlabels: [姓名]\nroles: [主任]\ngiven_chars: 伟\nextra: 1\n",
            "extra",
            id="extra-field",
        ),
        P(
            "version: 1\nlabels: [姓名]\nroles: [主任]\ngiven_chars: 伟\nminority_components: [扎]\n",
            "minority_components",
            id="short-component",
        ),
    ],
)
def test_bad_lexicon(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidRulesError) as info:
        parse_spec(raw, "test.yaml")
    assert "test.yaml" in str(info.value)
    assert fragment in str(info.value)


def test_custom_lexicon() -> None:
    raw = "version: 1\nlabels: [受试者]\nroles: [组长]\ngiven_chars: 伟强\n"
    det = PersonDetector(build_lexicon(parse_spec(raw, "custom.yaml")))
    text = "受试者：张伟 王强组长"
    got = [(text[s.start : s.end], s.rule) for s in det.detect(text)]
    assert ("张伟", "person.context") in got
    assert ("王强", "person.title") in got


def test_speed_10k_chars() -> None:
    block = (
        "患者于2023年3月5日入院，平素体健，否认高血压病史。上级医师王主任查房，指示继续目前治疗方案。"
        "主治医师：孙红娜 住院医师：赵磊\n作者：王小明、李红、欧阳晓东\n"
        "Wang Xiaoming, Li Hong. He was admitted with long-term pain. Corresponding author: Zhang Wei.\n"
    )
    text = (block * (10_000 // len(block) + 1))[:10_000]
    DETECTOR.detect(text)
    start = time.perf_counter()
    DETECTOR.detect(text)
    # a budget against runaway (quadratic) cost on a loaded 2-core runner; the figure that
    # counts is printed by scripts/benchmark.py --only text
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a relative's name wrapped at the end of a line
        ("已向患者之妻高\n洋交代病情，家属表示理解", ["高\n洋"]),
        ("已向患者之父燕洋\n振交代病情", ["燕洋\n振"]),
        # a table reads label cell, line break, value cell
        ("审核人\n庹子杰\n填表人\n申丽静\n", ["庹子杰", "申丽静"]),
        # an author line whose superscripts were lost
        ("的相关性研究\n赵冬邓华丽郭伟芳* 戴兰华\n（齐齐", ["赵冬", "邓华丽", "郭伟芳", "戴兰华"]),
        # minority names in a Chinese author list and in pinyin
        ("赵佳，额尔敦图雅，阿衣达娜·热合曼，王涵泽*\n", ["额尔敦图雅", "阿衣达娜·热合曼"]),
        ("ZHAO Jia, Eerduntuya, Ayidana Reheman, WANG Hanze*\n", ["Eerduntuya", "Ayidana Reheman"]),
        ("Cite this article: Zhang W, Gulimila S, Wurina. A title", ["Zhang W", "Gulimila S", "Wurina"]),
        # running text around a dotted name is cut off
        ("今日努尔古丽·斯拉木副主任医师查房", ["努尔古丽·斯拉木"]),
    ],
)
def test_names_in_the_shapes_application_materials_take(text: str, expected: list[str]) -> None:
    got = [text[s.start : s.end] for s in PersonDetector().detect(text)]
    for name in expected:
        assert name in got, (name, got)


@pytest.mark.parametrize("text", ["兹授予\t同志2021年度", "3. 完善心\n脏彩超", "经国家医师资格考试合格", "首次病程记录\n"])
def test_no_names_where_roles_words_or_titles_stand(text: str) -> None:
    assert PersonDetector().detect(text) == []
