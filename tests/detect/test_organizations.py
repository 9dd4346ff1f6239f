"""Organisation (unit) names: Chinese suffix grammar, ordinals, line breaks, English names,
negatives (departments, generic words, 医院感染), offsets, speed and the grammar loader."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.detect.base import TextDetector
from service.detect.organizations import (
    OrganizationDetector,
    OrgGrammarFile,
    compact,
    parse_grammar,
)
from service.errors import InvalidRulesError

DETECTOR = OrganizationDetector()


def found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in DETECTOR.detect(text)]


P = pytest.param
POSITIVES = [
    P("授予：巴彦淖尔市临河区人民医院 王某某同志", ["巴彦淖尔市临河区人民医院"], id="certificate"),
    P("工作单位：包头钢铁集团有限公司", ["包头钢铁集团有限公司"], id="case-record-company"),
    P("工作单位 包头钢铁集团有限公司", ["包头钢铁集团有限公司"], id="label-space"),
    P(
        "（内蒙古医科大学附属医院心内科，呼和浩特 010050）",
        ["内蒙古医科大学附属医院"],
        id="paper-affiliation",
    ),
    P("发证机关：锡林郭勒盟卫生健康委员会", ["锡林郭勒盟卫生健康委员会"], id="issuer"),
    P("巴音郭楞蒙古自治州人民医院", ["巴音郭楞蒙古自治州人民医院"], id="autonomous-prefecture"),
    P("伊犁哈萨克自治州友谊医院", ["伊犁哈萨克自治州友谊医院"], id="named-hospital"),
    P("科右前旗人民医院", ["科右前旗人民医院"], id="banner"),
    P("喀什地区第一人民医院", ["喀什地区第一人民医院"], id="ordinal-with-place"),
    P("鄂尔多斯市中心医院", ["鄂尔多斯市中心医院"], id="central-hospital"),
    P("新疆医科大学第一附属医院", ["新疆医科大学第一附属医院"], id="affiliated-ordinal"),
    P("中国医学科学院阜外医院", ["中国医学科学院阜外医院"], id="academy-nested"),
    P("首都医科大学附属北京安贞医院", ["首都医科大学附属北京安贞医院"], id="university-nested"),
    P("北京大学第三医院", ["北京大学第三医院"], id="university-ordinal"),
    P("某大学第一临床医学院", ["某大学第一临床医学院"], id="clinical-college"),
    P("北京协和医院（东单院区）", ["北京协和医院（东单院区）"], id="branch-in-brackets"),
    P("包头钢铁（集团）有限责任公司", ["包头钢铁（集团）有限责任公司"], id="brackets-inside"),
    P("中国人民解放军总医院（第一医学中心）", ["中国人民解放军总医院（第一医学中心）"], id="pla"),
    P("中华医学会", ["中华医学会"], id="national-society"),
    P("呼和浩特市第一医院", ["呼和浩特市第一医院"], id="hohhot-keeps-he"),
    P(
        "在和田地区人民医院和北京协和医院进修",
        ["和田地区人民医院", "北京协和医院"],
        id="he-conjunction-vs-names",
    ),
    P(
        "于田县人民医院；和硕县人民医院；任丘市人民医院",
        ["于田县人民医院", "和硕县人民医院", "任丘市人民医院"],
        id="keep-words",
    ),
    P(
        "毕业于内蒙古医科大学临床医学专业，2010年就职于包头医学院第一附属医院",
        ["内蒙古医科大学", "包头医学院第一附属医院"],
        id="graduated-worked",
    ),
    P("医疗机构名称：呼和浩特市蒙医中医医院", ["呼和浩特市蒙医中医医院"], id="mongolian-medicine"),
    P("赤峰市松山区人民政府", ["赤峰市松山区人民政府"], id="government"),
    P("复旦大学附属中山医院厦门医院", ["复旦大学附属中山医院厦门医院"], id="hospital-in-hospital"),
    P("北医三院；包医一附院", ["北医三院", "包医一附院"], id="abbreviated-ordinal"),
    P("第一医院", ["第一医院"], id="bare-ordinal"),
    P("内 蒙 古 医 科 大 学 附 属 医 院", ["内 蒙 古 医 科 大 学 附 属 医 院"], id="spaced-ocr"),
    P("锡林郭勒盟 中心医院", ["锡林郭勒盟 中心医院"], id="one-space-inside"),
    P("内蒙古医科大学附属\n医院心内科", ["内蒙古医科大学附属\n医院"], id="line-break-suffix"),
    P("内蒙古医科\n大学附属医院", ["内蒙古医科\n大学附属医院"], id="line-break-body"),
    P("患者于2023年3月在锡林郭勒盟中\n心医院就诊", ["锡林郭勒盟中\n心医院"], id="break-in-suffix"),
    # English
    P(
        "Department of Cardiology, The Affiliated Hospital of Inner Mongolia Medical University, "
        "Hohhot 010050, China",
        ["The Affiliated Hospital of Inner Mongolia Medical University"],
        id="en-affiliation",
    ),
    P(
        "Department of Cardiology, Hohhot First Hospital, Hohhot 010050, China",
        ["Hohhot First Hospital"],
        id="en-department-dropped",
    ),
    P(
        "The First People's Hospital of Yinchuan",
        ["The First People's Hospital of Yinchuan"],
        id="en-peoples-of",
    ),
    P("Inner Mongolia People's Hospital", ["Inner Mongolia People's Hospital"], id="en-peoples"),
    P(
        "The Second Affiliated Hospital of Xinjiang Medical University",
        ["The Second Affiliated Hospital of Xinjiang Medical University"],
        id="en-second-affiliated",
    ),
    P(
        "Inner Mongolia Hospital of Traditional Chinese Medicine",
        ["Inner Mongolia Hospital of Traditional Chinese Medicine"],
        id="en-tcm",
    ),
    P(
        "Hohhot Center for Disease Control and Prevention",
        ["Hohhot Center for Disease Control and Prevention"],
        id="en-cdc",
    ),
    P("Chinese Medical Association", ["Chinese Medical Association"], id="en-cma"),
    P("Baotou Steel Group Co., Ltd.", ["Baotou Steel Group Co., Ltd."], id="en-company"),
    P("University of Hong Kong", ["University of Hong Kong"], id="en-university-of"),
    P(
        "HOHHOT FIRST HOSPITAL; AND THE HOSPITAL; THE PEOPLE'S HOSPITAL OF ORDOS",
        ["HOHHOT FIRST HOSPITAL", "THE PEOPLE'S HOSPITAL OF ORDOS"],
        id="en-all-caps",
    ),
    P(
        "主持内蒙古自治区科技厅项目1项；由人民卫生出版社出版",
        ["内蒙古自治区科技厅", "人民卫生出版社"],
        id="verbs-before-units",
    ),
    P(
        "2013年7月至今 鄂尔多斯市中心医院 心内科 主治医师",
        ["鄂尔多斯市中心医院"],
        id="cv-line",
    ),
    P(
        "Department of Respiratory and Critical Care Medicine of Ordos Central Hospital",
        ["Ordos Central Hospital"],
        id="en-department-of-hospital",
    ),
    P(
        "Ningxia Health Commission; Xilingol League Maternal and Child Health Care Hospital",
        ["Ningxia Health Commission", "Xilingol League Maternal and Child Health Care Hospital"],
        id="en-commission-mch",
    ),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_positives(text: str, expected: list[str]) -> None:
    assert found(text) == expected


def test_left_boundary_after_date_and_verb() -> None:
    text = "患者于2023年3月在锡林郭勒盟中心医院就诊"
    (span,) = DETECTOR.detect(text)
    assert text[span.start] == "锡"
    assert text[span.start : span.end] == "锡林郭勒盟中心医院"
    assert span.rule == "org.cjk_suffix"
    assert span.category == "organization"


def test_date_prefix_cut() -> None:
    assert found("2023年锡林郭勒盟中心医院") == ["锡林郭勒盟中心医院"]


NEGATIVES = [
    P("心内科 呼吸与危重症医学科 急诊科 检验科 神经内科", id="departments"),
    P("Department of Cardiology", id="en-department"),
    P("我院 本院 该院 上级医院 县级医院 三甲医院 综合医院 基层医院", id="generic-hospitals"),
    P(
        "医学院校 卫生行政部门 本单位 大学生 学会 协会 公司 有限公司 医院 人民医院",
        id="generic-words",
    ),
    P("积极参与医院感染管理工作，降低医院感染发生率，预防医院感染。", id="hospital-infection"),
    P("加强医院管理，完善医院信息系统，医院获得性肺炎", id="hospital-management"),
    P("必要时转上级医院进一步治疗，下乡支援基层医院，帮助县级医院开展新技术", id="generic-tails"),
    P("主要诊断：冠状动脉粥样硬化性心脏病 不稳定型心绞痛 2型糖尿病", id="diagnoses"),
    P("血常规：WBC 6.5×10^9/L，Hb 132g/L，PLT 210×10^9/L；BP 150/90mmHg", id="lab-values"),
    P("局部麻醉下行经皮冠状动脉介入治疗，局限性病变，门诊大厅", id="ju-ting"),
    P("医院伦理委员会审查通过，专业委员会，学术委员会", id="generic-committees"),
    P("承担大学生、研究生及规培生的临床带教工作", id="students"),
    P("去医院看病，到医院就诊，大医院", id="go-to-hospital"),
    P("王某某\n锡林郭勒盟", id="no-suffix"),
    P("Risk Factors for Hospital Mortality in Patients", id="en-title"),
    P("People's Hospital; Medical University; the hospital", id="en-generic"),
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives(text: str) -> None:
    assert found(text) == []


def test_name_on_previous_line_is_not_joined() -> None:
    assert found("王某某\n锡林郭勒盟中心医院") == ["锡林郭勒盟中心医院"]
    assert found("内蒙古医科大学附属医院\n锡林郭勒盟中心医院") == [
        "内蒙古医科大学附属医院",
        "锡林郭勒盟中心医院",
    ]


def test_conjunction_splits_units() -> None:
    assert found("巴彦淖尔市临河区人民医院和五原县人民医院的医师") == [
        "巴彦淖尔市临河区人民医院",
        "五原县人民医院",
    ]


def test_scores_and_rules() -> None:
    spans = {
        DETECTOR.detect(t)[0].rule: DETECTOR.detect(t)[0] for t in ("第一医院", "北京协和医院")
    }
    assert spans["org.cjk_ordinal"].score < spans["org.cjk_suffix"].score
    (en,) = DETECTOR.detect("Hohhot First Hospital")
    assert en.rule == "org.english"


def test_explanations_never_contain_text() -> None:
    text = "授予：巴彦淖尔市临河区人民医院；第一医院；北医三院；Hohhot First Hospital"
    spans = DETECTOR.detect(text)
    assert len(spans) == 4
    for span in spans:
        assert span.explanation
        value = text[span.start : span.end]
        assert value not in span.explanation
        assert not any(ch in span.explanation for ch in value if "\u4e00" <= ch <= "\u9fff")


def test_protocol() -> None:
    assert isinstance(DETECTOR, TextDetector)
    assert DETECTOR.name == "org"
    assert DETECTOR.categories == frozenset({"organization"})


def test_compact_offsets() -> None:
    comp = compact("甲 乙 丙\n丁x")
    assert comp.text == "甲乙丙丁x"
    assert comp.span(0, 4) == (0, 7)
    assert comp.breaks == frozenset({3})


def test_speed_10k_chars() -> None:
    block = (
        "患者于2023年3月在锡林郭勒盟中心医院就诊，诊断：2型糖尿病，血糖 8.6mmol/L。\n"
        "工作单位：包头钢铁集团有限公司；授予：巴彦淖尔市临河区人民医院 王某某同志\n"
        "Department of Cardiology, The Affiliated Hospital of Inner Mongolia Medical University\n"
        "积极参与医院感染管理工作，必要时转上级医院进一步治疗。\n"
    )
    text = (block * (10_000 // len(block) + 1))[:10_000]
    DETECTOR.detect(text)
    start = time.perf_counter()
    spans = DETECTOR.detect(text)
    # a budget against runaway (quadratic) cost on a loaded 2-core runner; the figure that
    # counts is printed by scripts/benchmark.py --only text
    assert time.perf_counter() - start < 1.0
    assert spans


def test_grammar_errors() -> None:
    with pytest.raises(InvalidRulesError, match="not valid YAML"):
        parse_grammar("suffixes: [", "bad.yaml", OrgGrammarFile)
    with pytest.raises(InvalidRulesError, match="suffixes"):
        parse_grammar("version: 1\nsuffixes: []\n", "bad.yaml", OrgGrammarFile)
    with pytest.raises(InvalidRulesError, match=r"bad\.yaml"):
        parse_grammar("version: 1\nunknown: 1\n", "bad.yaml", OrgGrammarFile)


_ALPHABET = st.sampled_from(
    [*"医院大学第一人民中心市县在于和协（）() \n：，、ABCHospitalof", "University"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_fuzz_spans_are_valid(text: str) -> None:
    for span in DETECTOR.detect(text):
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end].strip() == text[span.start : span.end]
