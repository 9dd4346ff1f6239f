"""Policies: the bundled ones load and differ where they should; bad files are refused (exit 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.detect.engine import DetectionEngine
from service.errors import ExitCode, InvalidRulesError
from service.rules.policy import available_policies, load_policy
from service.types import Span


def test_bundled_policies_load_and_differ_where_rules_differ() -> None:
    assert {"default", "eyes", "provinces"} <= set(available_policies())
    default, eyes, provinces = (load_policy(n) for n in ("default", "eyes", "provinces"))
    assert default.photo_mode == "photo" and not default.mask_provinces
    assert eyes.photo_mode == "eyes" and not eyes.mask_provinces
    assert provinces.mask_provinces and provinces.photo_mode == "photo"
    # extends: everything not stated is the default's
    assert eyes.categories == default.categories == provinces.categories
    assert eyes.allow_list == default.allow_list and "新疆出血热" in default.allow_list


def _engine(policy: str) -> DetectionEngine:
    return DetectionEngine([], load_policy(policy))


def test_province_findings_follow_the_policy() -> None:
    text = "籍贯：内蒙古自治区赤峰市"
    spans = [
        Span(3, 9, "place", 0.9, "place.province"),
        Span(9, 12, "place", 0.9, "place.city"),
        Span(3, 6, "place", 0.8, "ner.crf_province"),
    ]
    assert [s.rule for s in _engine("default").filter(text, spans)] == ["place.city"]
    assert len(_engine("provinces").filter(text, spans)) == 3


def test_allow_list_drops_findings_inside_an_allowed_term() -> None:
    text = "诊断：新疆\n出血热。患者来自新疆和田。"
    spans = [Span(3, 5, "place", 0.9, "place.x"), Span(14, 16, "place", 0.9, "place.x")]
    kept = _engine("provinces").filter(text, spans)
    assert [(s.start, s.end) for s in kept] == [(14, 16)]


def _write(tmp_path: Path, body: str) -> str:
    p = tmp_path / "p.yaml"
    p.write_text(body, encoding="utf-8")
    return str(p)


@pytest.mark.parametrize(
    "body",
    [
        "name: x\ncategories: [person, nonsense]\n",
        "name: x\nphoto_mode: blur\n",
        "name: x\nmin_score: 2\n",
        "name: x\nunknown_key: 1\n",
        "name: x\nextends: no_such_policy\n",
        "name: x\nextends: ../default.yaml\n",
        "- a\n- b\n",
        "name: [unclosed\n",
    ],
)
def test_bad_policy_files_are_refused(tmp_path: Path, body: str) -> None:
    with pytest.raises(InvalidRulesError) as info:
        load_policy(_write(tmp_path, body))
    assert info.value.exit_code == ExitCode.invalid_rules


def test_a_local_policy_may_extend_a_bundled_one(tmp_path: Path) -> None:
    pol = load_policy(_write(tmp_path, "name: regional\nextends: eyes\nmask_provinces: true\n"))
    assert pol.photo_mode == "eyes" and pol.mask_provinces and pol.name == "regional"


def test_a_unit_whose_name_ends_in_an_allowed_body_is_dropped() -> None:
    """查询请登录国家卫生健康委员会: the allowed national body with words before it."""
    text = "查询请登录国家卫生\n健康委员会网站。由呼和浩特市卫生健康委员会颁发"
    spans = [Span(0, 15, "organization", 0.9, "org.x"), Span(19, 31, "organization", 0.9, "org.x")]
    kept = _engine("default").filter(text, spans)
    assert [text[s.start : s.end] for s in kept] == ["呼和浩特市卫生健康委员会"]
