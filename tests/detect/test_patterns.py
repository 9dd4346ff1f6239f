"""Table tests for the pattern detector and its YAML rules: positives, negatives, offsets,
overlaps, speed, and the loader's error messages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.detect.base import TextDetector
from service.detect.patterns import PatternDetector, normalize, resolve_overlaps, url_host
from service.detect.validators import is_bank_card
from service.errors import InvalidRulesError
from service.rules.patterns import load_patterns
from service.types import TEXT_CATEGORIES, Span

DETECTOR = PatternDetector()


def found(text: str) -> list[tuple[str, str, str]]:
    return [(text[s.start : s.end], s.category, s.rule) for s in DETECTOR.detect(text)]


P = pytest.param
POSITIVES = [
    # id_number
    P("身份证号：11010519491231002X", "11010519491231002X", "id_number.gb11643", id="id18-X"),
    P("身份证号：11010519491231002x。", "11010519491231002x", "id_number.gb11643", id="id18-x"),
    P("440524198001010013", "440524198001010013", "id_number.gb11643", id="id18-bare"),
    P("号码 110105 19491231 002X 有效", "110105 19491231 002X", "id_number.gb11643", id="id18-ocr"),
    P(
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "id_number.gb11643",
        id="id18-fullwidth",
    ),
    P(
        "公民身份号码 110105194912310021",
        "110105194912310021",
        "id_number.gb11643",
        id="id18-bad-check-strong-context",
    ),
    P(
        "ID No.: 440524198001010012",
        "440524198001010012",
        "id_number.gb11643",
        id="id18-bad-check-english-context",
    ),
    P(
        "身份证号：11010519491231002",
        "11010519491231002",
        "id_number.labelled",
        id="id-labelled-17-digits",
    ),
    P("110105194912310021", "110105194912310021", "id_number.gb11643_misread", id="id18-misread"),
    P("3604211990****2417 汤钦枞", "3604211990****2417", "id_number.starred", id="id-starred"),
    P("身份证 360421********241X", "360421********241X", "id_number.starred", id="id-starred-8"),
    P("手机：138****1234", "138****1234", "phone.mobile_starred", id="mobile-starred"),
    P("电话 138 **** 1234", "138 **** 1234", "phone.mobile_starred", id="mobile-starred-spaced"),
    P("联系电话 1534914xxxx", "1534914xxxx", "phone.mobile_starred", id="mobile-x-hidden"),
    P("卡号 6222 **** **** 1234", "6222 **** **** 1234", "identifier.bank_card_starred",
      id="card-starred-groups"),
    P("尾号 622202******1234 的卡", "622202******1234", "identifier.bank_card_starred",
      id="card-starred-run"),
    P("6217 0000 1234 5678 901", "6217 0000 1234 5678 901", "identifier.bank_card_grouped",
      id="card-grouped-bad-luhn"),
    P("人民币信用卡\n6225 7583\nMONTH/YEAR UnionPay", "6225 7583", "identifier.card_fragment",
      id="card-fragment"),
    P("计算机学会(CCF)学生会员（59819G)，主要", "59819G", "identifier.member_no", id="member-no"),
    P("No:20160824XXS0025", "20160824XXS0025", "identifier.serial_no", id="serial-no"),
    P("32270300310607C014941 上海南售", "32270300310607C014941", "identifier.railway_ticket",
      id="railway-ticket-code"),
    P("开户账户：3100 1528 7000 5001 0815", "3100 1528 7000 5001 0815", "identifier.label",
      id="account-label"),
    P("A/C No. 3100152870000500108", "3100152870000500108", "identifier.label", id="ac-no"),
    P("原身份证 440524800101001", "440524800101001", "id_number.gb11643_15", id="id15"),
    P("440524 800101 001", "440524 800101 001", "id_number.gb11643_15", id="id15-ocr"),
    # phone
    P("手机：13800138000", "13800138000", "phone.mobile", id="mobile"),
    P("+86 138 0013 8000", "+86 138 0013 8000", "phone.mobile", id="mobile-cc-space"),
    P("+86-138-0013-8000", "+86-138-0013-8000", "phone.mobile", id="mobile-cc-hyphen"),
    P("联系人 138-0013-8000", "138-0013-8000", "phone.mobile", id="mobile-hyphen"),
    P("138 0013 8000", "138 0013 8000", "phone.mobile", id="mobile-space"),
    P(
        "电话１３８００１３８０００",
        "１３８００１３８０００",
        "phone.mobile",
        id="mobile-fullwidth",
    ),
    P("Mobile:15912345678;", "15912345678", "phone.mobile", id="mobile-english"),
    P("电话：0471-6612345", "0471-6612345", "phone.landline", id="landline"),
    P("0471—6612345", "0471—6612345", "phone.landline", id="landline-em-dash"),
    P("0471－6612345", "0471－6612345", "phone.landline", id="landline-fullwidth-hyphen"),
    P("0471一6612345", "0471一6612345", "phone.landline", id="landline-ocr-yi"),
    P("（0471）6612345", "（0471）6612345", "phone.landline", id="landline-fullwidth-parens"),
    P("(0471)6612345", "(0471)6612345", "phone.landline", id="landline-parens"),
    P("(0471) 661 2345", "(0471) 661 2345", "phone.landline", id="landline-parens-spaces"),
    P("010-12345678", "010-12345678", "phone.landline", id="landline-beijing"),
    P("0471-6612345转8001", "0471-6612345转8001", "phone.landline", id="landline-zhuan"),
    P("0471-6612345-8001", "0471-6612345-8001", "phone.landline", id="landline-ext-hyphen"),
    P("0471-6612345 ext. 8001", "0471-6612345 ext. 8001", "phone.landline", id="landline-ext"),
    P("+86-471-6612345", "+86-471-6612345", "phone.landline", id="landline-cc"),
    P("Tel: 86-471-6612345", "86-471-6612345", "phone.landline", id="landline-86"),
    P("传真：0471－６６１２３４５", "0471－６６１２３４５", "phone.landline", id="fax-fullwidth"),
    P("电话：6612345", "6612345", "phone.local", id="local-context"),
    P("Fax 6612 3456", "6612 3456", "phone.local", id="local-fax"),
    P("客服热线：400-123-4567", "400-123-4567", "phone.hotline", id="hotline-400"),
    P("服务电话 800 810 8888", "800 810 8888", "phone.hotline", id="hotline-800"),
    # postal_code
    P("邮编：010020", "010020", "postal_code.label", id="postcode-label"),
    P("邮政编码 010050", "010050", "postal_code.label", id="postcode-label-2"),
    P("Postcode: 010020", "010020", "postal_code.label", id="postcode-english-label"),
    P("P.C. 100730", "100730", "postal_code.label", id="postcode-pc"),
    P("呼和浩特市赛罕区 010020", "010020", "postal_code.address", id="postcode-after-district"),
    P("新华大街1号，010020", "010020", "postal_code.address", id="postcode-after-number"),
    P("正蓝旗010020", "010020", "postal_code.address", id="postcode-after-banner"),
    P("Hohhot 010020, China", "010020", "postal_code.english", id="postcode-en-1"),
    P("Inner Mongolia, 010020, China", "010020", "postal_code.english", id="postcode-en-2"),
    P(
        "Hohhot, Inner Mongolia 010050, P.R. China",
        "010050",
        "postal_code.english",
        id="postcode-en-3",
    ),
    P(
        "（内蒙古医科大学附属医院心内科，内蒙古 呼和浩特 010050）",
        "010050",
        "postal_code.affiliation",
        id="postcode-affiliation",
    ),
    # email
    P("E-mail: zhangsan@163.com", "zhangsan@163.com", "email.address", id="email"),
    P("zhang.san_01@nmgyy.com.cn。", "zhang.san_01@nmgyy.com.cn", "email.address", id="email-cn"),
    P("邮箱：zhangsan＠163．com", "zhangsan＠163．com", "email.address", id="email-fullwidth"),
    P("zhangsan @ 163.com", "zhangsan @ 163.com", "email.address", id="email-ocr-at"),
    P(
        "zhangsan@nmgyy . com . cn",
        "zhangsan@nmgyy . com . cn",
        "email.address",
        id="email-ocr-dots",
    ),
    P("mail a@b.com. The next", "a@b.com", "email.address", id="email-sentence-end"),
    # url
    P(
        "详见 https://www.nmgyy.com.cn/ks/xnk.html。",
        "https://www.nmgyy.com.cn/ks/xnk.html",
        "url.web",
        id="url-https",
    ),
    P("主页 www.zhangsan.net", "www.zhangsan.net", "url.web", id="url-www"),
    P(
        "(http://lab.example.edu/people/zhang)",
        "http://lab.example.edu/people/zhang",
        "url.web",
        id="url-parens",
    ),
    P("nmgyy.com.cn/about", "nmgyy.com.cn/about", "url.bare_domain", id="url-bare"),
    # identifier
    P("证书编号：110150000012345", "110150000012345", "identifier.label", id="cert-no"),
    P("医师执业证书编码: A123456", "A123456", "identifier.label", id="practice-cert"),
    P("资格证书编号 20211501234", "20211501234", "identifier.label", id="qualification"),
    P("编号：2021-0345", "2021-0345", "identifier.label", id="number-hyphen"),
    P("病案号：123456", "123456", "identifier.label", id="record-no"),
    P("住院号ZY2021000123", "ZY2021000123", "identifier.label", id="inpatient-no"),
    P("门诊号 MZ0012345", "MZ0012345", "identifier.label", id="outpatient-no"),
    P("工号：A1234", "A1234", "identifier.label", id="staff-no"),
    P("学号为 2015010203", "2015010203", "identifier.label", id="student-no"),
    P("Passport No. E12345678", "E12345678", "identifier.label", id="passport-en"),
    P("护照号码：EA1234567", "EA1234567", "identifier.label", id="passport-zh"),
    P("准考证号 1501210345", "1501210345", "identifier.label", id="exam-no"),
    P(
        "临床试验登记号：ChiCTR2000012345",
        "ChiCTR2000012345",
        "identifier.label",
        id="registration-no",
    ),
    P(
        "卡号 6222 0212 3456 7890 128",
        "6222 0212 3456 7890 128",
        "identifier.bank_card",
        id="bank-card-context",
    ),
    P("6228480012345671", "6228480012345671", "identifier.bank_card", id="bank-card-bare"),
    P("4111-1111-1111-1111", "4111-1111-1111-1111", "identifier.bank_card", id="visa"),
    P("统一社会信用代码：91350100M000100Y43", "91350100M000100Y43", "identifier.uscc", id="uscc"),
    P("12100000400000624D", "12100000400000624D", "identifier.uscc", id="uscc-bare"),
    P(
        "统一社会信用代码 91350100M000100Y44",
        "91350100M000100Y44",
        "identifier.uscc",
        id="uscc-bad-check-context",
    ),
]


@pytest.mark.parametrize(("text", "value", "rule"), POSITIVES)
def test_positive(text: str, value: str, rule: str) -> None:
    start = text.index(value)
    spans = DETECTOR.detect(text)
    matching = [s for s in spans if (s.start, s.end) == (start, start + len(value))]
    assert matching, f"expected {rule} at [{start}, {start + len(value)}), got {found(text)}"
    assert matching[0].rule == f"pattern.{rule}"
    assert matching[0].category == rule.split(".")[0]


NEGATIVES = [
    P("2023年10月12日", id="date-zh"),
    P("2023-10-12 20231012 2023/10/12", id="dates"),
    P("1990年至2023年", id="years"),
    P("¥1,234,567.00 ￥123456.00 123456元", id="amounts"),
    P("第123页 共456页 P123456", id="pages"),
    P("DOI: 10.1016/j.jacc.2020.01.001", id="doi"),
    P("https://doi.org/10.1016/j.jacc.2020.01.001", id="doi-url-allowed"),
    P("pubmed.ncbi.nlm.nih.gov/12345678/", id="pubmed-allowed"),
    P("https://www.who.int/publications/i/item/9789240000001", id="who-allowed"),
    P("http://www.nhc.gov.cn/yzygj/s7659/202101/abc.shtml", id="nhc-allowed"),
    P("ISBN 978-7-117-12345-6", id="isbn"),
    P("ISBN 9787117123456", id="isbn-13"),
    P("PMID: 12345678", id="pmid"),
    P("中华心血管病杂志, 2021,41(3):123-127.", id="volume-issue-pages"),
    P("阿司匹林 100 mg qd，氯吡格雷 75 mg", id="dosage"),
    P("WBC 12.5×10^9/L，Hb 135 g/L，PLT 234×10^9/L", id="lab-values"),
    P("诊断：急性心肌梗死（I21.0），ICD-10编码 I21.901", id="icd"),
    P("样本量 123456", id="six-digits-no-context"),
    P("010020", id="bare-postcode"),
    P("6612345 和 66123456", id="local-without-context"),
    P("400-123-4567", id="hotline-without-context"),
    P("1380013800012345", id="mobile-inside-longer-run"),
    P("213800138000", id="mobile-after-digit"),
    P("Vol.40 No.28 2017", id="issue-number"),
    P("12****34", id="short-starred"),
    P("1234****5678", id="starred-not-province"),
    P("金额 6225.00 元 银联", id="card-fragment-is-an-amount"),
    P("6225 7583", id="card-fragment-without-card-words"),
    P("3×10^9/L 1200000×1000", id="times-sign"),
    P("110105189912310013", id="id18-implausible-no-context"),
    P("440524801301001", id="id15-bad-date"),
    P("4111111111111112", id="card-bad-luhn"),
    P("床号：0345 床号 12", id="bed-number"),
    P("12810012345 ext", id="12x-not-mobile"),
    P("全市 100000 人，本区 300000 例", id="counts-after-place"),
    P("91350100M000100Y44", id="uscc-bad-check-no-context"),
    P("邮编 1234567", id="seven-digit-postcode"),
    P("a@b", id="email-no-domain"),
    P("time 13:00-14:00, 2021-2022", id="times-ranges"),
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative(text: str) -> None:
    assert found(text) == []


def test_id_number_yields_no_phone_inside() -> None:
    # with OCR spaces, "19900307521" alone is a plausible mobile number
    assert found("19900307521")[0][1] == "phone"
    text = "证件 150102 19900307521 1"
    assert found(text) == [("150102 19900307521 1", "id_number", "pattern.id_number.gb11643")]


def test_id_number_beats_bank_card_on_same_digits() -> None:
    text = "440524198001010013"
    assert is_bank_card(text)  # starts with 4 and passes Luhn too
    assert found(text) == [(text, "id_number", "pattern.id_number.gb11643")]


def test_validated_id_beats_label_and_uscc_on_same_span() -> None:
    text = "编号：440524198001010013"
    assert found(text) == [("440524198001010013", "id_number", "pattern.id_number.gb11643")]


def test_several_findings_keep_exact_offsets() -> None:
    text = "张三，手机１３８００１３８０００，E-mail：zs＠163.com，邮编：010020。"
    got = found(text)
    assert [(v, c) for v, c, _ in got] == [
        ("１３８００１３８０００", "phone"),
        ("zs＠163.com", "email"),
        ("010020", "postal_code"),
    ]


def test_span_fields_are_well_formed() -> None:
    text = " ".join(value for value, *_ in (p.values[1:] for p in POSITIVES))
    for span in DETECTOR.detect(text):
        value = text[span.start : span.end]
        assert 0.0 <= span.score <= 1.0
        assert span.category in TEXT_CATEGORIES
        assert span.rule.startswith("pattern.")
        assert span.explanation
        assert value not in span.explanation


def test_strong_context_scores_below_validated() -> None:
    (good,) = DETECTOR.detect("身份证号：11010519491231002X")
    (bad,) = DETECTOR.detect("身份证号：110105194912310021")
    assert bad.score < good.score
    assert "failed" in bad.explanation
    (misread,) = DETECTOR.detect("110105194912310021")
    assert misread.score < bad.score and "check digit wrong" in misread.explanation


def test_detector_protocol_and_categories() -> None:
    assert isinstance(DETECTOR, TextDetector)
    assert DETECTOR.name == "pattern"
    assert DETECTOR.categories == {
        "id_number",
        "phone",
        "postal_code",
        "email",
        "url",
        "identifier",
    }


def test_resolve_overlaps_keeps_partial_overlaps() -> None:
    long = Span(0, 10, "id_number", 0.9, "a")
    inner = Span(2, 8, "phone", 0.99, "b")
    partial = Span(8, 14, "phone", 0.8, "c")
    far = Span(20, 25, "email", 0.9, "d")
    assert resolve_overlaps([inner, far, partial, long]) == [long, partial, far]
    same_low = Span(0, 10, "identifier", 0.5, "e")
    assert resolve_overlaps([same_low, long]) == [long]


@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("https://www.doi.org/10.1/x", "doi.org"),
        ("HTTP://User@Example.COM:8080/a", "example.com"),
        ("www.nmgyy.com.cn", "nmgyy.com.cn"),
        ("nmgyy.com.cn/about?x=1", "nmgyy.com.cn"),
    ],
)
def test_url_host(value: str, host: str) -> None:
    assert url_host(value) == host


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_normalize_keeps_length(text: str) -> None:
    assert len(normalize(text)) == len(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789 -－—（）()+@.邮编电话身份证号abc市区", max_size=80))
def test_spans_are_in_bounds(text: str) -> None:
    for span in DETECTOR.detect(text):
        assert 0 <= span.start < span.end <= len(text)


def test_speed_10k_chars() -> None:
    unit = (
        "患者男性，58岁，因胸痛3小时入院。联系电话：0471-6612345，手机13800138000。"
        "Zhang San, Department of Cardiology, Hohhot 010020, China. 2021,41(3):123-127. "
        "WBC 12.5×10^9/L，身份证号：11010519491231002X，zhangsan@163.com "
    )
    text = (unit * (10_000 // len(unit) + 1))[:10_000]
    DETECTOR.detect(text)
    best = min(_timed(text) for _ in range(3))
    assert best < 0.5  # runaway budget; figures: scripts/benchmark.py --only text


def _timed(text: str) -> float:
    start = time.perf_counter()
    DETECTOR.detect(text)
    return time.perf_counter() - start


# --- loader ---------------------------------------------------------------------------------

GOOD_RULE = """\
version: 1
patterns:
  - id: six
    category: postal_code
    regex: '(?<![0-9])[0-9]{6}(?![0-9])'
    score: 0.9
    context: {words: [邮编], before: 4, required: true}
"""


def _write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_default_rules_load_and_compile() -> None:
    rules = load_patterns()
    ids = [r.rule for r in rules]
    assert len(ids) == len(set(ids))
    assert "pattern.id_number.gb11643" in ids
    assert all(r.regex.pattern for r in rules)


def test_custom_rules_directory(tmp_path: Path) -> None:
    detector = PatternDetector(load_patterns(_write(tmp_path, GOOD_RULE)))
    assert detector.categories == {"postal_code"}
    (span,) = detector.detect("邮编 123456")
    assert (span.start, span.end, span.rule) == (3, 9, "pattern.postal_code.six")
    assert detector.detect("123456") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("'(?<![0-9])[0-9]{6}(?![0-9])'", "'([0-9]{6}'"), "patterns.0.regex"),
        (("score: 0.9", "score: 0.9\n    validator: nope"), "patterns.0.validator"),
        (("category: postal_code", "category: postcode"), "patterns.0.category"),
        (("score: 0.9", "score: 1.5"), "patterns.0.score"),
        (("score: 0.9", "score: 0.9\n    colour: red"), "patterns.0.colour"),
        (("id: six", "id: Six-Digits"), "patterns.0.id"),
        (("version: 1", "version: 2"), "version"),
        (("before: 4", "before: 0"), "patterns.0.context"),
        (("score: 0.9", "score: 0.9\n    group: value"), "patterns.0"),
        (("score: 0.9", "score: 0.9\n    on_invalid: context"), "patterns.0"),
    ],
)
def test_invalid_rules_name_file_and_field(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    old, new = change
    assert old in GOOD_RULE
    folder = _write(tmp_path, GOOD_RULE.replace(old, new), name="broken.yaml")
    with pytest.raises(InvalidRulesError) as info:
        load_patterns(folder)
    message = str(info.value)
    assert "broken.yaml" in message
    assert field in message
    assert "Traceback" not in message


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = _write(tmp_path, "version: 1\npatterns: [\n  - id: x: y\n", name="bad.yaml")
    with pytest.raises(InvalidRulesError, match=r"bad\.yaml: not valid YAML at line \d+"):
        load_patterns(folder)


def test_duplicate_rule_ids_across_files(tmp_path: Path) -> None:
    _write(tmp_path, GOOD_RULE, name="a.yaml")
    _write(tmp_path, GOOD_RULE, name="b.yaml")
    with pytest.raises(InvalidRulesError, match=r"b\.yaml: patterns\.0\.id: .*a\.yaml"):
        load_patterns(tmp_path)


@pytest.mark.parametrize("content", [None, "", "[]", "version: 1\npatterns: []\n"])
def test_missing_or_empty_rules(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        _write(tmp_path, content, name="empty.yaml")
    with pytest.raises(InvalidRulesError):
        load_patterns(tmp_path)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidRulesError, match="not found"):
        load_patterns(tmp_path / "nowhere")
