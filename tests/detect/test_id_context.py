"""The holder's name beside an ID number, ticket serials, and pinyin names in capitals, through
the whole ``detect-text`` engine; English text (an abstract, an invoice) stays readable."""

from __future__ import annotations

import pytest

from service.detect.engine import build_engine
from service.detect.id_context import IdContextDetector

DETECTOR = IdContextDetector()
ENGINE = build_engine()


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.rule) for s in DETECTOR.detect(text)]


def masked(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.category) for s in ENGINE.detect(text)]


P = pytest.param


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        P("3604211990****2417 汤钦枞", [("汤钦枞", "idctx.beside_id")], id="ticket-starred"),
        P("11010519491231002X 冉剑", [("冉剑", "idctx.beside_id")], id="rare-given-line-end"),
        P("11010519491231002X 孟丁 男", [("孟丁", "idctx.beside_id")], id="then-sex"),
        P("限乘当日当次车\n3622011988****0417\t张三\n", [("张三", "idctx.beside_id")], id="tab"),
        P("欧阳晓东 110105194912310021", [("欧阳晓东", "idctx.beside_id")], id="before-misread"),
        P("3604211990****2417 ZHANG SAN", [("ZHANG SAN", "idctx.beside_id")], id="caps-pinyin"),
        P("LISI 11010519491231002X", [("LISI", "idctx.beside_id")], id="caps-joined-before"),
        P(
            "32270300310607C014941 上海南售\nZ31C014941 检票:B1",
            [("Z31C014941", "idctx.ticket_serial")],
            id="ticket-serial",
        ),
        P(
            "人民币信用卡\n6225 7583\n6225\tMONTH/YEAR\nUnionPay\nMICHAEL\t银联\nVALID THRU 07/41",
            [("MICHAEL", "idctx.cardholder")],
            id="cardholder-on-a-card",
        ),
        P(
            "始发改签\n3625\n买票请到12306\n33406311030420K051971 南丰售",
            [("3625", "idctx.ticket_id")],
            id="ticket-passenger-id-rest-pixelated",
        ),
    ],
)
def test_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        P("公民身份号码 11010519491231002X", id="label-before"),
        P("身份证号码 3604211990****2417 乘车有效", id="words-after"),
        P("11010519491231002X 检查结果正常", id="sentence-after"),
        P("张三\n11010519491231002X", id="other-line"),
        P("3604211990****2417 CHINA", id="english-word-after"),
        P("Z31C014941 检票:B1", id="serial-without-code-line"),
        P("张三 13800138000", id="phone-is-no-id"),
        P("11010519491231002X 本人", id="word-ben-ren"),
        P("11010519491231002X 有效", id="word-you-xiao"),
        P("11010519491231002X 军人 残疾", id="word-jun-ren"),
        P("11010519491231002X 南昌", id="place"),
        P("11010519491231002X 有效期至2030年", id="validity"),
        P("始发改签\n3625\n买票请到12306", id="digits-alone-without-ticket-code"),
        P("2019\n0471\n33406311030420K051971", id="no-province-prefix"),
        P("MICHAEL\nVALID THRU 07/41", id="capitals-without-a-card-number"),
        P("银联 6225 7583\nVALID THRU\nGOLD CARD\nMONTH/YEAR", id="card-words-only"),
    ],
)
def test_not_found(text: str) -> None:
    assert found(text) == []


def test_ticket_through_the_engine() -> None:
    text = (
        "Z31C014941\t检票:B1\n南昌站\tD6262\t九江站\n2019年06月07日06:56开\t03车02A号\n"
        "¥39.5元\t网折\t二等座\n限乘当日当次车\n3604211990****2417 汤钦枞\n"
        "买票请到12306 发货请到95306\n32270300310607C014941\t上海南售\n"
    )
    got = masked(text)
    for value in ("Z31C014941", "3604211990****2417", "汤钦枞", "32270300310607C014941"):
        assert any(value in t for t, _ in got), value
    for keep in ("D6262", "03车02A号", "二等座", "12306", "95306", "2019年06月07日"):
        assert not any(keep in t or t in keep for t, _ in got), keep


@pytest.mark.parametrize(
    ("text", "name"),
    [
        P("Passenger: ZHANGQIWEI", "ZHANGQIWEI", id="joined-caps"),
        P("ZHANGQIWEI 2019-06-07", "ZHANGQIWEI", id="joined-caps-alone"),
        P("Author: ZHANG Qiwei", "ZHANG Qiwei", id="family-caps"),
        P("Qiwei ZHANG, MD", "Qiwei ZHANG", id="given-first"),
        P("Thanks to Mr. Guan for the samples.", "Guan", id="mr"),
        P("Dr. Li examined the patient.", "Li", id="dr"),
        P("Prof. OUYANGXIAODONG", "OUYANGXIAODONG", id="compound-surname-joined"),
    ],
)
def test_latin_names(text: str, name: str) -> None:
    assert (name, "person") in masked(text)


ABSTRACT = """ABSTRACT
OBJECTIVE: To evaluate the efficacy and safety of metformin combined with sitagliptin in
CHINESE patients with type 2 diabetes. METHODS: A total of 120 patients were randomly assigned
to receive metformin 500 mg twice daily (group A) or metformin plus sitagliptin 100 mg once
daily (group B) for 24 weeks. HbA1c, fasting plasma glucose (FPG) and body mass index were
measured at baseline and at the end of the study. RESULTS: HbA1c decreased by 1.2% in group B
versus 0.6% in group A (P < 0.05). No severe hypoglycaemia occurred. Gene expression of PPARG
and TNF-alpha was assessed by RT-PCR. CONCLUSION: The combination is safe and effective; a
long follow-up is warranted. He said the data were reliable. Long-term outcomes, dose
titration and HUMAN studies in CHINA remain to be done. The MACHINE learning model was used to
MANAGE the data and DATE the samples; BANANA extract and GENE panels were also tested.
Keywords: diabetes; metformin; sitagliptin; HbA1c; LIMING; DIAGNOSE; HEPARIN
"""

INVOICE = """COMMERCIAL INVOICE
DESCRIPTION OF GOODS\tQTY\tUNIT PRICE\tAMOUNT
AMOXICILLIN CAPSULES 250 MG\t1000 BOXES\tUSD 2.50\tUSD 2500.00
HEPARIN SODIUM INJECTION 5000 IU\t200 VIALS\tUSD 4.00\tUSD 800.00
DIAZEPAM TABLETS 5 MG\t500 BOTTLES\tUSD 1.20\tUSD 600.00
TOTAL AMOUNT: USD 3900.00\tTEL\tFAX\tNO.
PAID IN FULL. MADE IN CHINA. ORIGIN: CHINA. HOSPITAL USE ONLY. STORE BELOW 25 DEGREES.
BANK: CHINA MERCHANTS BANK. PAYMENT TERMS: T/T. THANK YOU FOR YOUR BUSINESS.
HENAN HEBEI SHANXI ZHONGGUO RENMIN HUAWEI
"""


def test_english_abstract_stays_readable() -> None:
    # LIMING (a joined name and an English word) is left to a label, title or ID number
    assert masked(ABSTRACT) == []


def test_english_invoice_stays_readable() -> None:
    # measured: the organisation detector still joins "CHINA. HOSPITAL" across the full stop
    # (not a name or number rule; left to it)
    assert [m for m in masked(INVOICE) if m[1] != "organization"] == []


def test_business_card_numbers() -> None:
    card = (
        "张伟 ZHANG Wei\n市场部经理\n手机：139****5678\n开户行：中国工商银行呼和浩特新华支行\n"
        "账号：0602 0012 0900 1234 567\nBank Account: 6222 0206 0200 1234 567\n"
    )
    got = {t for t, _ in masked(card)}
    assert {"139****5678", "0602 0012 0900 1234 567", "6222 0206 0200 1234 567"} <= got
    assert "ZHANG Wei" in got
    assert not any(label in t for t in got for label in ("手机", "账号", "Bank Account", "开户行"))
