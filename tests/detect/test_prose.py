"""Precision on running text: generic unit phrases and fragments stay readable, real units go."""

from __future__ import annotations

import pytest

from service.detect.engine import build_engine
from service.detect.prose import cuts_word, load_generic

NOTICE = """关于做好2026年度全区卫生系列高级专业技术资格评审工作的通知
各盟市人力资源和社会保障局、卫生健康委，自治区各委（办、厅、局），各有关单位：
全区各级各类医疗卫生机构中从事卫生专业技术工作的在职在岗人员。国有法人单位、非公有制医疗机构的专业技术人员按属地原则申报。
自治区卫生系列高级职称评审委员会负责评审工作。各盟市（州、地区）人力资源部门会同卫生健康部门负责本地区申报材料的审核。具备条件的三级医院可自行组织评审，评审结果报盟市人力资源社会保障部门备案。
各盟市卫生健康委（局）要严格审核申报材料。西部地区和基层一线人员可适当放宽论文要求。市政府有关部门要加强协调。
"""


def test_a_government_notice_keeps_its_generic_phrases() -> None:
    spans = build_engine(None).detect(NOTICE)
    assert [(NOTICE[s.start : s.end], s.rule) for s in spans] == []


@pytest.mark.parametrize(("text", "unit"), [
    ("申报人现任呼和浩特市第一医院心内科主任。", "呼和浩特市第一医院"),
    ("兼任内蒙古医科大学附属医院客座教授。", "内蒙古医科大学附属医院"),
    ("业务主管单位为鄂尔多斯市人力资源和社会保障局。", "鄂尔多斯市"),
    ("包头市中心医院副主任医师", "包头市中心医院"),
])
def test_named_units_are_still_masked(text: str, unit: str) -> None:
    spans = build_engine(None).detect(text)
    k = text.index(unit)
    assert any(s.start <= k and k + len(unit) <= s.end for s in spans), unit


def test_generic_reading() -> None:
    g = load_generic()
    for phrase in ("各盟市人力资源和社会保障局", "自治区各委（办、厅、局）", "人力资源部门", "评审委员会",
                   "市政府", "国有法人", "西部地区"):
        assert g.covers(phrase), phrase
    for name in ("上海交通大学", "汇丰晋信基金管理有限公司", "赤峰市医院"):
        assert not g.covers(name), name


def test_a_match_inside_a_longer_word_cuts_it() -> None:
    text = "王强调到医院工作，少数民族地区"
    assert cuts_word(text, 0, 2)  # 王强 in 王强调
    assert cuts_word(text, text.index("民族"), text.index("民族") + 2)
    assert not cuts_word(text, text.index("医院"), text.index("医院") + 2)


def test_a_province_heading_an_address_stays_readable() -> None:
    text = "住址：河北省保定市北市区五四东路186号"
    spans = build_engine(None).detect(text)
    masked = {text[s.start : s.end] for s in spans}
    assert all("河北" not in m for m in masked)
    assert any("保定市" in m for m in masked)
    strict = build_engine(None, "provinces").detect(text)
    assert any(text[s.start : s.end].startswith("河北") for s in strict)
