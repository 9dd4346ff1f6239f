"""The profile detector: every variant of every known identity, exact offsets, no noise."""

from __future__ import annotations

import random
import re
import time
from typing import Any

import pytest

from service.detect.base import TextDetector
from service.detect.profile import ProfileDetector
from service.detect.profile_forms import is_distinctive, org_forms, place_forms
from service.detect.profile_latin import segment
from service.detect.profile_norm import load_confusions, normalize, parse_confusions
from service.errors import InvalidRulesError
from service.profile import PROFILE_CATEGORIES, Profile

OPEN, CLOSE = "⟦", "⟧"


def parse_marked(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Text without the ⟦ ⟧ marks, and the spans they enclosed."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    start = -1
    for ch in marked:
        if ch == OPEN:
            start = len(text)
        elif ch == CLOSE:
            spans.append((start, len(text)))
        else:
            text.append(ch)
    return "".join(text), spans


_DETECTORS: dict[str, ProfileDetector] = {}


def detector(**entries: Any) -> ProfileDetector:
    key = repr(sorted(entries.items()))
    if key not in _DETECTORS:
        _DETECTORS[key] = ProfileDetector(Profile(**entries))
    return _DETECTORS[key]


def found(det: ProfileDetector, text: str, rule: str) -> set[tuple[int, int]]:
    return {(s.start, s.end) for s in det.detect(text) if s.rule == rule}


P3 = {"person": ["张三丰"]}
P2 = {"person": ["张三"]}

POSITIVES: list[tuple[dict[str, list[str]], str]] = [
    # -- Chinese names: exact, whitespace, OCR damage
    (P3, "患者⟦张三丰⟧就诊"),
    (P3, "⟦张\n三丰⟧"),
    (P3, "⟦张 三 丰⟧，男"),
    (P3, "姓名：⟦张\t三\u3000丰⟧"),
    (P3, "⟦张三峰⟧"),
    (P3, "⟦李三丰⟧"),
    (P3, "⟦张己丰⟧"),
    (P3, "⟦张三⟧，男"),
    (P3, "⟦张丰⟧。"),
    (P3, "（⟦张 丰⟧）"),
    (P2, "⟦张三⟧医师"),
    (P2, "⟦张\n三⟧"),
    (P2, "⟦张 三⟧"),
    ({"person": ["王己"]}, "⟦王已⟧"),
    ({"person": ["王己"]}, "⟦玉己⟧"),
    ({"person": ["欧阳修远"]}, "⟦欧阳修远⟧"),
    ({"person": ["欧阳修远"]}, "⟦欧阳远⟧"),
    ({"person": ["欧阳修远"]}, "⟦欧阳修达⟧"),
    # -- pinyin of a 3-character name
    (P3, "⟦Zhang Sanfeng⟧"),
    (P3, "⟦Sanfeng Zhang⟧"),
    (P3, "⟦ZHANG Sanfeng⟧"),
    (P3, "⟦ZHANG San-Feng⟧"),
    (P3, "by ⟦Zhang S.⟧ et al."),
    (P3, "⟦Zhang S⟧, Li X"),
    (P3, "⟦ZHANG S⟧"),
    (P3, "⟦S. Zhang⟧"),
    (P3, "⟦S.Zhang⟧"),
    (P3, "⟦Zhang SF⟧"),
    (P3, "⟦S.F. Zhang⟧"),
    (P3, "⟦Zhang San Feng⟧"),
    (P3, "⟦Zhang,Sanfeng⟧"),
    (P3, "⟦Zhang, Sanfeng⟧"),
    (P3, "⟦Zhang S.F.⟧"),
    (P3, "⟦Zhang, S.F.⟧"),
    (P3, "⟦zhang sanfeng⟧"),
    (P3, "⟦ZhangSanfeng⟧@163.com"),
    (P3, "⟦Zhang\nSanfeng⟧"),
    (P3, "⟦Zhang -\tSan feng⟧"),
    (P3, "⟦San-Feng Zhang⟧"),
    (P3, "⟦ＺＨＡＮＧ Ｓａｎｆｅｎｇ⟧"),
    (P3, "⟦Zhāng Sānfēng⟧"),
    (P3, "张三丰(⟦Zhang Sanfeng⟧)"),
    # -- pinyin of a 2-character name
    (P2, "⟦Zhang San⟧"),
    (P2, "⟦San Zhang⟧"),
    (P2, "⟦ZHANG S.⟧"),
    (P2, "⟦Zhang S⟧"),
    (P2, "⟦S. Zhang⟧"),
    # -- polyphonic and compound surnames, ü
    ({"person": ["单小明"]}, "⟦Shan Xiaoming⟧"),
    ({"person": ["单小明"]}, "⟦Dan Xiaoming⟧"),
    ({"person": ["曾小明"]}, "⟦Zeng Xiaoming⟧"),
    ({"person": ["曾小明"]}, "⟦Ceng Xiaoming⟧"),
    ({"person": ["解小明"]}, "⟦Xie Xiaoming⟧"),
    ({"person": ["区小明"]}, "⟦Ou Xiaoming⟧"),
    ({"person": ["朴小明"]}, "⟦Piao Xiaoming⟧"),
    ({"person": ["查小明"]}, "⟦Zha Xiaoming⟧"),
    ({"person": ["仇小明"]}, "⟦Qiu Xiaoming⟧"),
    ({"person": ["盖小明"]}, "⟦Ge Xiaoming⟧"),
    ({"person": ["翟小明"]}, "⟦Zhai Xiaoming⟧"),
    ({"person": ["翟小明"]}, "⟦Di Xiaoming⟧"),
    ({"person": ["乐小明"]}, "⟦Yue Xiaoming⟧"),
    ({"person": ["乐小明"]}, "⟦Le Xiaoming⟧"),
    ({"person": ["尉迟小明"]}, "⟦Yuchi Xiaoming⟧"),
    ({"person": ["尉迟小明"]}, "⟦Xiaoming Yuchi⟧"),
    ({"person": ["欧阳小明"]}, "⟦Ouyang Xiaoming⟧"),
    ({"person": ["欧阳小明"]}, "⟦OU-YANG Xiao-Ming⟧"),
    ({"person": ["欧阳小明"]}, "⟦X.M. Ouyang⟧"),
    ({"person": ["司马小明"]}, "⟦Sima Xiaoming⟧"),
    ({"person": ["吕小明"]}, "⟦Lü Xiaoming⟧"),
    ({"person": ["吕小明"]}, "⟦Lyu Xiaoming⟧"),
    ({"person": ["吕小明"]}, "⟦LV Xiaoming⟧"),
    ({"person": ["吕小明"]}, "⟦Lu X.⟧"),
    # -- Latin person entries given in the profile
    ({"person": ["Zhang San"]}, "⟦Zhang San⟧"),
    ({"person": ["Zhang San"]}, "⟦San Zhang⟧"),
    ({"person": ["Zhang San"]}, "⟦ZHANG S.⟧"),
    ({"person": ["Zhang San"]}, "⟦zhang-san⟧"),
    ({"person": ["Zhang Sanfeng"]}, "⟦Zhang S.F.⟧"),
    ({"person": ["Zhang Sanfeng"]}, "⟦San-Feng Zhang⟧"),
    ({"person": ["Sanfeng Zhang"]}, "⟦Zhang Sanfeng⟧"),
    ({"person": ["Sanfeng Zhang"]}, "⟦S. Zhang⟧"),
    ({"person": ["ZHANG Sanfeng"]}, "⟦Sanfeng Zhang⟧"),
    ({"person": ["John Smith"]}, "⟦Smith, John⟧"),
    ({"person": ["John Smith"]}, "⟦J. Smith⟧"),
    # -- organisations
    ({"organization": ["赤峰市人民医院"]}, "就职于⟦赤峰市人民医院⟧心内科"),
    ({"organization": ["赤峰市人民医院"]}, "⟦赤峰人民医院⟧"),
    ({"organization": ["赤峰市人民医院"]}, "⟦赤峰市人医⟧"),
    ({"organization": ["赤峰市人民医院"]}, "⟦赤峰人医⟧"),
    ({"organization": ["赤峰市人民医院"]}, "⟦赤峰市人民医阮⟧"),
    ({"organization": ["赤峰市人民医院"]}, "⟦赤峰市人民院⟧"),
    ({"organization": ["赤峰市人民医院"]}, "⟦赤峰市 人民\n医院⟧"),
    ({"organization": ["赤峰市医院(北院)"]}, "⟦赤峰市医院（北院）⟧"),
    ({"organization": ["赤峰市第一人民医院"]}, "⟦赤峰一院⟧"),
    ({"organization": ["赤峰市中医医院"]}, "⟦赤峰市中医院⟧"),
    ({"organization": ["内蒙古医科大学附属第一医院"]}, "⟦内蒙古医科大学附一院⟧"),
    ({"organization": ["内蒙古医科大学附属第一医院"]}, "⟦内蒙古医科大学一附院⟧"),
    ({"organization": ["内蒙古医科大学附属第一医院"]}, "⟦内蒙古医大附属第一医院⟧"),
    ({"organization": ["内蒙古医科大学附属第一医院"]}, "⟦内蒙古医大一附院⟧"),
    ({"organization": ["内蒙古医科大学附属第一医院"]}, "⟦内蒙古医科大学第一医院⟧"),
    ({"organization": ["内蒙古医科大学附属医院"]}, "⟦内蒙古医大附院⟧"),
    ({"organization": ["广东省广州市第一人民医院"]}, "⟦广州市第一人民医院⟧"),
    ({"organization": ["赤峰市卫生健康委员会"]}, "⟦赤峰市卫健委⟧"),
    (
        {"organization": ["The Affiliated Hospital of Inner Mongolia Medical University"]},
        "⟦Affiliated Hospital of Inner Mongolia Medical University⟧",
    ),
    (
        {"organization": ["The Affiliated Hospital of Inner Mongolia Medical University"]},
        "⟦THE AFFILIATED HOSPITAL OF INNER MONGOLIA MEDICAL UNIVERSITY⟧",
    ),
    (
        {"organization": ["The Affiliated Hospital of Inner Mongolia Medical University"]},
        "⟦the  Affiliated-Hospital of Inner\nMongolia Medical University⟧,",
    ),
    (
        {"organization": ["Affiliated Hospital of Inner Mongolia Medical University"]},
        "⟦The Affiliated Hospital of Inner Mongolia Medical University⟧",
    ),
    # -- places, positions, other
    ({"place": ["赛罕区"]}, "⟦赛罕区⟧"),
    ({"place": ["赛罕区"]}, "⟦赛罕⟧"),
    ({"place": ["赛罕区"]}, "⟦赛 罕 区⟧"),
    ({"place": ["呼和浩特市"]}, "⟦呼和浩特⟧"),
    ({"place": ["呼和浩特市"]}, "⟦呼和浩持市⟧"),
    ({"place": ["呼和浩特市"]}, "⟦呼和浩特巿⟧"),
    ({"place": ["呼和浩特市"]}, "⟦呼和特市⟧"),
    ({"place": ["宁夏回族自治区"]}, "⟦宁夏⟧"),
    ({"place": ["Hohhot"]}, "⟦HOHHOT⟧, China"),
    ({"position": ["中华医学会某分会委员"]}, "任⟦中华医学会某分会委员⟧"),
    ({"position": ["中华医学会某分会委员"]}, "⟦中华医学会某分会委贝⟧"),
    ({"position": ["中华医学会某分会委员"]}, "⟦中华医学会\n某分会委员⟧"),
    ({"other": ["国家自然科学基金"]}, "⟦国家自然科学基全⟧"),
    ({"other": ["NSFC"]}, "⟦ＮＳＦＣ⟧ grant"),
    # -- phones
    ({"phone": ["13800000000"]}, "⟦13800000000⟧"),
    ({"phone": ["13800000000"]}, "⟦138 0000 0000⟧"),
    ({"phone": ["13800000000"]}, "⟦138-0000-0000⟧"),
    ({"phone": ["13800000000"]}, "⟦138—0000—0000⟧"),
    ({"phone": ["13800000000"]}, "⟦138－0000－0000⟧"),
    ({"phone": ["13800000000"]}, "⟦138.0000.0000⟧"),
    ({"phone": ["13800000000"]}, "⟦１３８００００００００⟧"),
    ({"phone": ["13800000000"]}, "⟦l38OOOOOOOO⟧"),
    ({"phone": ["13800000000"]}, "电话：⟦138 0000\n0000⟧。"),
    ({"phone": ["13800000000"]}, "+86 ⟦13800000000⟧"),
    ({"phone": ["13800000000"]}, "+86⟦13800000000⟧"),
    ({"phone": ["13800000000"]}, "Tel⟦13800000000⟧"),
    ({"phone": ["138-0000-0000"]}, "⟦13800000000⟧"),
    ({"phone": ["0471-1234567"]}, "(⟦0471)1234567⟧"),
    ({"phone": ["0471-1234567"]}, "⟦0471 1234567⟧"),
    # -- ID numbers
    ({"id_number": ["11010519491231002X"]}, "⟦11010519491231002X⟧"),
    ({"id_number": ["11010519491231002X"]}, "⟦11010519491231002x⟧"),
    ({"id_number": ["11010519491231002X"]}, "⟦110105 19491231 002X⟧"),
    ({"id_number": ["11010519491231002X"]}, "⟦11010519491231OO2X⟧"),
    ({"id_number": ["11010519491231002X"]}, "⟦110105194912310029⟧"),
    ({"id_number": ["11010519491231002X"]}, "⟦11010519481231002X⟧"),
    ({"id_number": ["11010519491231002X"]}, "⟦１１０１０５１９４９１２３１００２Ｘ⟧"),
]


def _case_id(case: tuple[dict[str, list[str]], str]) -> str:
    entries, marked = case
    return f"{next(iter(entries))}:{marked}"


@pytest.mark.parametrize("entries, marked", POSITIVES, ids=[_case_id(c) for c in POSITIVES])
def test_positive_found_with_exact_offsets(entries: dict[str, list[str]], marked: str) -> None:
    key = next(iter(entries))
    text, expected = parse_marked(marked)
    got = found(detector(**entries), text, f"profile.{key}")
    for span in expected:
        assert span in got, (text[span[0] : span[1]], sorted(got))


NEGATIVES: list[tuple[dict[str, list[str]], str]] = [
    (P3, "张山峰"),
    (P3, "李四五"),
    (P3, "王五"),
    (P3, "Zhang"),
    (P3, "Zhangjiakou"),
    (P3, "Zhang San"),
    (P3, "Zhang Wei, Wang S., Zhang Y"),
    (P3, "Sanfeng"),
    (P3, "Zhang Sanfengxyz"),
    (P3, "Zhang S.Y."),
    (P2, "张山"),
    (P2, "三张"),
    (P2, "张"),
    (P2, "Zhang"),
    (P2, "Zhangjiakou"),
    (P2, "Zhangsanfeng"),
    (P2, "Zhang Shan"),
    (P2, "Wang San"),
    (P2, "Zhang San-Feng"),
    (P2, "Zhang Sanming"),
    (P2, "Zhang S.-M."),
    ({"person": ["王己"]}, "王五"),
    ({"person": ["单小明"]}, "Shang Xiaoming"),
    ({"organization": ["赤峰市人民医院"]}, "医院 人民医院 市人医 第一医院 人医"),
    ({"organization": ["赤峰市人民医院"]}, "通辽市人民医院"),
    ({"organization": ["赤峰市第一人民医院"]}, "赤峰市第二人民医院"),
    ({"organization": ["医院"]}, "某某医院"),
    ({"organization": ["人民医院"]}, "赤峰市人民医院"),
    (
        {"organization": ["The Affiliated Hospital of Inner Mongolia Medical University"]},
        "Inner Mongolia Medical University",
    ),
    ({"place": ["赛罕区"]}, "赛马区"),
    ({"place": ["赛罕区"]}, "赛"),
    ({"place": ["Hohhot"]}, "Hohhotian"),
    ({"phone": ["13800000000"]}, "138000000001"),
    ({"phone": ["13800000000"]}, "2138000000000"),
    ({"phone": ["13800000000"]}, "13800000001"),
    ({"phone": ["13800000000"]}, "138 0000 0001"),
    ({"id_number": ["11010519491231002X"]}, "110105194812310021"),
    ({"id_number": ["11010519491231002X"]}, "1101051949123100"),
]


@pytest.mark.parametrize("entries, marked", NEGATIVES, ids=[_case_id(c) for c in NEGATIVES])
def test_negative_not_found(entries: dict[str, list[str]], marked: str) -> None:
    key = next(iter(entries))
    assert found(detector(**entries), marked, f"profile.{key}") == set()


def test_exact_span_set_for_a_clean_sentence() -> None:
    det = detector(person=["张三丰"], phone=["13800000000"])
    text, expected = parse_marked("申请人⟦张三丰⟧（⟦Zhang Sanfeng⟧），电话⟦138 0000 0000⟧。")
    assert sorted((s.start, s.end) for s in det.detect(text)) == expected


def test_spans_carry_category_rule_score_and_explanation() -> None:
    profile = Profile(
        person=["张三丰"], organization=["赤峰市人民医院"], place=["赛罕区"],
        phone=["13800000000"], id_number=["11010519491231002X"],
        position=["中华医学会某分会委员"], other=["国家自然科学基金"],
    )  # fmt: skip
    text = (
        "张三丰 张三峰 Zhang S.F. 赤峰人医 赛罕 138-0000-0000 11010519491231002X "
        "中华医学会某分会委员 国家自然科学基金"
    )
    spans = ProfileDetector(profile).detect(text)
    assert {s.rule for s in spans} == {f"profile.{k}" for k in PROFILE_CATEGORIES}
    for s in spans:
        key = s.rule.removeprefix("profile.")
        assert s.category == PROFILE_CATEGORIES[key]
        assert 0.5 < s.score <= 1.0
        assert s.explanation
        # no identifying text in the explanation
        assert not re.search(r"[\u4e00-\u9fff]", s.explanation)
        assert not re.search(r"zhang|san|feng|\d{3}", s.explanation, re.IGNORECASE)
    exact = [s for s in spans if text[s.start : s.end] == "张三丰"]
    fuzzy = [s for s in spans if text[s.start : s.end] == "张三峰"]
    assert exact[0].score >= 0.98 and "exact" in exact[0].explanation
    assert fuzzy[0].score < exact[0].score and "substitution" in fuzzy[0].explanation


def test_no_exact_duplicates_and_overlaps_are_kept() -> None:
    det = detector(person=["张三丰", "Zhang Sanfeng"], place=["张三丰路"])
    text = "张三丰路 Zhang Sanfeng"
    spans = det.detect(text)
    keys = [(s.start, s.end, s.rule) for s in spans]
    assert len(keys) == len(set(keys))
    assert (0, 3, "profile.person") in keys and (0, 4, "profile.place") in keys
    latin = [s for s in spans if s.start == 5]
    assert len(latin) == 1 and latin[0].score == 0.99


def test_is_a_text_detector() -> None:
    det = detector(person=["张三"])
    assert isinstance(det, TextDetector)
    assert det.name == "profile"
    assert set(PROFILE_CATEGORIES.values()) <= det.categories
    assert det.detect("") == []
    assert ProfileDetector(Profile()).detect("张三 13800000000") == []


def test_every_occurrence_is_found() -> None:
    det = detector(person=["张三丰"])
    text = "张三丰。" * 50 + "Zhang Sanfeng; " * 20
    spans = det.detect(text)
    assert len([s for s in spans if text[s.start : s.end] == "张三丰"]) == 50
    assert len([s for s in spans if text[s.start : s.end] == "Zhang Sanfeng"]) == 20


def test_org_forms_are_regular_and_distinctive() -> None:
    forms = org_forms("赤峰市人民医院")
    assert {"赤峰人民医院", "赤峰市人医", "赤峰人医"} <= set(forms)
    for name in ("内蒙古医科大学附属第一医院", "赤峰市第一人民医院", "广东省广州市第一人民医院"):
        for form in org_forms(name):
            assert len(form) >= 4 and is_distinctive(form), form
    assert org_forms("山东省立医院") == []  # 省立 is part of the name
    for generic in ("医院", "人民医院", "附一院", "市人医", "第一医院"):
        assert not is_distinctive(generic)
    assert place_forms("赤峰市") == ["赤峰"]
    assert place_forms("新疆维吾尔自治区") == ["新疆"]
    assert place_forms("沙市") == []
    assert place_forms("恩施土家族苗族自治州") == ["恩施"]
    assert place_forms("延边朝鲜族自治州") == ["延边"]


def test_pinyin_segmentation() -> None:
    assert segment("sanfeng") == ["san", "feng"]
    assert segment("xiaoming") == ["xiao", "ming"]
    assert segment("smith") is None


def test_normalize_keeps_length() -> None:
    raw = "ＡＢＣ０１２（）Zhāng Lǚ－—\u3000·"
    norm = normalize(raw)
    assert len(norm) == len(raw)
    assert norm.startswith("abc012()zhang lv--")


def test_confusion_table_loads_and_rejects_bad_lines() -> None:
    table = load_confusions()
    assert "已" in table["己"] and "巳" in table["己"]
    assert "山" not in table.get("三", frozenset())
    with pytest.raises(InvalidRulesError):
        parse_confusions("# comment\n己\n")
    assert parse_confusions("# c\n\n未末\n") == {"未": frozenset("末"), "末": frozenset("未")}


def _speed_profile() -> Profile:
    return Profile(
        person=["张三丰", "李四", "欧阳修远", "单小明", "Wang Wu", "吕建国"],
        organization=[
            "赤峰市人民医院", "内蒙古医科大学附属第一医院", "赤峰市卫生健康委员会",
            "The Affiliated Hospital of Inner Mongolia Medical University",
        ],
        place=["赤峰市", "赛罕区", "呼和浩特市", "Hohhot"],
        phone=["13800000000", "0471-1234567"],
        id_number=["11010519491231002X"],
        position=["中华医学会某分会委员", "某某杂志编委"],
        other=["国家自然科学基金"],
    )  # fmt: skip


def test_detect_speed_on_10k_characters() -> None:
    det = ProfileDetector(_speed_profile())
    rng = random.Random(7)
    pool = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
    pool += "张三李四王赤峰市医院人民内蒙古学科委员会 abcdefghijklmnopqrstuvwxyz0123456789\n"
    filler = "".join(rng.choice(pool) for _ in range(10_000))
    sample = " 张三丰 Zhang Sanfeng 138 0000 0000 赤峰人医 Hohhot 张 三 丰 S. Zhang "
    text = (filler[:4_000] + sample * 10 + filler[4_000:])[:10_000]
    assert len(text) == 10_000
    det.detect(text)
    t0 = time.perf_counter()
    spans = det.detect(text)
    elapsed = time.perf_counter() - t0
    assert len(spans) >= 50
    assert elapsed < 2.0, elapsed  # runaway budget; figures: scripts/benchmark.py
