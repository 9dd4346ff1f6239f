"""Academic and social positions (学术任职): society + role in Chinese, role + of + society in
English, lists, negatives (a role alone, generic committees), speed and the grammar loader."""

from __future__ import annotations

import time

import pytest

from service.detect.base import TextDetector
from service.detect.organizations import parse_grammar
from service.detect.positions import PositionDetector, PositionGrammarFile
from service.errors import InvalidRulesError

DETECTOR = PositionDetector()


def found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in DETECTOR.detect(text)]


P = pytest.param
POSITIVES = [
    P(
        "现任宁夏医学会急诊医学分会副主任委员",
        ["宁夏医学会急诊医学分会副主任委员"],
        id="vice-chair",
    ),
    P(
        "中国研究型医院学会麻醉学分会青年委员",
        ["中国研究型医院学会麻醉学分会青年委员"],
        id="youth-member",
    ),
    P("《中华心血管病杂志》编委", ["《中华心血管病杂志》编委"], id="journal-board"),
    P("中华心血管病杂志通讯编委", ["中华心血管病杂志通讯编委"], id="journal-no-marks"),
    P(
        "中华医学会心血管病学分会委员、内蒙古医学会心血管病学分会副主任委员",
        ["中华医学会心血管病学分会委员", "内蒙古医学会心血管病学分会副主任委员"],
        id="list",
    ),
    P(
        "中华医学会心血管病学分会青年委员会委员",
        ["中华医学会心血管病学分会青年委员会委员"],
        id="chained-committee",
    ),
    P(
        "中国医师协会呼吸医师分会委员兼秘书",
        ["中国医师协会呼吸医师分会委员兼秘书"],
        id="physicians-association",
    ),
    P(
        "内蒙古医学会急诊医学分会常务委员、秘书长；",
        ["内蒙古医学会急诊医学分会常务委员、秘书长"],
        id="second-role",
    ),
    P("中华医学会第二十六届理事会理事", ["中华医学会第二十六届理事会理事"], id="term"),
    P(
        "2019年至今担任内蒙古自治区医师协会急诊医师分会常务委员",
        ["内蒙古自治区医师协会急诊医师分会常务委员"],
        id="left-boundary",
    ),
    P(
        "学术任职：中华医学会心血管病学分会\n青年委员",
        ["中华医学会心血管病学分会\n青年委员"],
        id="line-break",
    ),
    P(
        "member of the Youth Committee of the Chinese Society of Cardiology",
        ["member of the Youth Committee of the Chinese Society of Cardiology"],
        id="en-member",
    ),
    P(
        "Vice Chairman of the Emergency Medicine Branch of the Ningxia Medical Association",
        ["Vice Chairman of the Emergency Medicine Branch of the Ningxia Medical Association"],
        id="en-vice-chairman",
    ),
    P(
        "Standing Committee Member of the Inner Mongolia Medical Association; "
        "editorial board member of Chinese Journal of Cardiology",
        [
            "Standing Committee Member of the Inner Mongolia Medical Association",
            "editorial board member of Chinese Journal of Cardiology",
        ],
        id="en-standing-and-editorial",
    ),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_positives(text: str, expected: list[str]) -> None:
    assert found(text) == expected


NEGATIVES = [
    P("委员、主任委员、秘书", id="roles-alone"),
    P("担任学会委员，分会委员", id="no-society-name"),
    P("医院伦理委员会委员；专业委员会委员；我院药事管理委员会委员", id="generic-committees"),
    P("学术委员会主任；质量控制小组组长", id="internal"),
    P("主任医师，心内科主任，科室秘书", id="job-titles"),
    P("He is a member of the team. Director of the Department of Cardiology", id="en-no-society"),
    P("chairman", id="en-role-alone"),
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives(text: str) -> None:
    assert found(text) == []


def test_span_fields() -> None:
    text = "现任宁夏医学会急诊医学分会副主任委员"
    (span,) = DETECTOR.detect(text)
    assert text[span.start] == "宁"
    assert span.category == "position"
    assert span.rule == "position.cjk"
    assert 0 < span.score <= 1
    assert span.explanation and "宁夏" not in span.explanation
    (en,) = DETECTOR.detect(
        "Vice Chairman of the Emergency Medicine Branch of the Ningxia Medical Association"
    )
    assert en.rule == "position.english"
    assert "Ningxia" not in en.explanation


def test_protocol() -> None:
    assert isinstance(DETECTOR, TextDetector)
    assert DETECTOR.name == "position"
    assert DETECTOR.categories == frozenset({"position"})


def test_speed_10k_chars() -> None:
    block = (
        "学术任职：中华医学会心血管病学分会委员、内蒙古医学会心血管病学分会副主任委员；\n"
        "主要诊断：2型糖尿病，血糖 8.6mmol/L，担任科室秘书。\n"
        "Vice Chairman of the Emergency Medicine Branch of the Ningxia Medical Association\n"
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
    with pytest.raises(InvalidRulesError, match="roles"):
        parse_grammar(
            "version: 1\nscore: 0.8\nsociety_suffixes: [学会]\nroles: []\nterm: 届\n"
            "english: {score: 0.8, roles: [member], bodies: [Society]}\n",
            "positions.yaml",
            PositionGrammarFile,
        )
    with pytest.raises(InvalidRulesError, match="blank word"):
        parse_grammar(
            "version: 1\nscore: 0.8\nsociety_suffixes: [学会, ' ']\nroles: [委员]\nterm: 届\n"
            "english: {score: 0.8, roles: [member], bodies: [Society]}\n",
            "positions.yaml",
            PositionGrammarFile,
        )
