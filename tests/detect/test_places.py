"""The place gazetteer and the place detector."""

from __future__ import annotations

import pytest

from service.detect.base import TextDetector
from service.detect.gazetteer import load_gazetteer, load_roman
from service.detect.places import PlaceDetector

DET = PlaceDetector()


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.rule) for s in DET.detect(text)]


def texts(text: str) -> list[str]:
    return [t for t, _ in found(text)]


def test_protocol() -> None:
    assert isinstance(DET, TextDetector)
    assert DET.name == "place" and DET.categories == {"place"}


@pytest.mark.parametrize(
    ("surface", "level", "kind"),
    [
        ("呼和浩特市", "city", "full"),
        ("呼和浩特", "city", "short"),
        ("锡林郭勒盟", "city", "full"),
        ("锡林郭勒", "city", "short"),
        ("巴音郭楞蒙古自治州", "city", "full"),
        ("巴音郭楞", "city", "short"),
        ("巴州", "city", "alias"),
        ("伊犁", "city", "short"),
        ("伊犁州", "city", "full"),
        ("延边", "city", "short"),
        ("延边州", "city", "full"),
        ("锡盟", "city", "alias"),
        ("科尔沁右翼前旗", "county", "full"),
        ("科右前旗", "county", "alias"),
        ("鄂尔多斯", "city", "short"),
        ("呼市", "city", "alias"),
        ("哲里木盟", "city", "alias"),
        ("襄樊", "city", "alias"),
        ("内蒙古", "province", "short"),
        ("内蒙古自治区", "province", "full"),
        ("新疆", "province", "short"),
        ("广东省", "province", "full"),
        ("北京", "city", "short"),
        ("上海", "city", "short"),
        ("蒋垛镇", "town", "full"),
        ("古塘乡", "town", "full"),
        ("东华门街道", "town", "full"),
    ],
)
def test_gazetteer_forms(surface: str, level: str, kind: str) -> None:
    form = load_gazetteer().lookup(surface)
    assert form is not None and (form.level, form.kind) == (level, kind)


def test_gazetteer_never_has_one_char_or_stop_forms() -> None:
    g = load_gazetteer()
    assert all(len(s) >= 2 for s in g.forms) and all(len(s) >= 3 for s in g.towns)
    for word in ("城区", "郊区", "矿区", "市辖区", "街道", "东区"):
        assert g.lookup(word) is None
    assert g.lookup("蒋垛") is None  # town short forms are not generated
    assert g.lookup("市辖区") is None and g.lookup("县") is None


def test_roman_forms() -> None:
    roman = load_roman()
    for form in ("Hohhot", "Baotou", "Hulunbuir", "Xilingol", "Urumqi", "Korla", "Ordos",
                 "Kashgar", "Lhasa", "Shigatse", "Harbin", "Xi'an", "Changzhi", "Lu'an",
                 "Bengbu", "Bozhou", "Dong'e", "Hongtong", "Shanxian"):  # fmt: skip
        assert form in roman, form
    assert roman["Inner Mongolia"].level == "province"
    assert "Zhangzhi" not in roman  # the polyphonic fix replaces the generated reading
    assert roman["Saihan"].gated and not roman["Hohhot"].gated


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("呼和浩特市第一医院心内科", [("呼和浩特市", "place.city")]),
        ("毕业于包头医学院", [("包头", "place.alias")]),
        ("工作单位：赛罕区人民医院", [("赛罕区", "place.county")]),
        ("锡盟医院、巴州人民医院", [("锡盟", "place.alias"), ("巴州", "place.alias")]),
        ("科右前旗蒙医医院", [("科右前旗", "place.alias")]),
        ("伊克昭盟卫生学校", [("伊克昭盟", "place.alias")]),
        (
            "娄底市涟源市古塘乡",
            [("娄底市", "place.city"), ("涟源市", "place.county"), ("古塘乡", "place.town")],
        ),
        # 姜堰市 is today's 姜堰区: the former suffix is kept in the span
        (
            "江苏省姜堰市蒋垛镇卫生院",
            [("江苏省", "place.province"), ("姜堰市", "place.county"), ("蒋垛镇", "place.town")],
        ),
        ("内蒙古", [("内蒙古", "place.province")]),
        ("新疆维吾尔自治区人民医院", [("新疆维吾尔自治区", "place.province")]),
        ("北京协和医院", [("北京", "place.city")]),
        ("广东省中山市人民医院", [("广东省", "place.province"), ("中山市", "place.city")]),
    ],
)
def test_cjk_places(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_case_record_address_line() -> None:
    text = "住址：内蒙古自治区锡林郭勒盟锡林浩特市额尔敦路12号"
    assert found(text) == [
        ("内蒙古自治区", "place.province"),
        ("锡林郭勒盟", "place.city"),
        ("锡林浩特市", "place.county"),
    ]


def test_names_split_by_spaces_and_line_breaks() -> None:
    assert texts("呼 和 浩 特 市") == ["呼 和 浩 特 市"]
    assert texts("单位：呼和\n浩特市第一医院") == ["呼和\n浩特市"]
    assert texts("鄂尔多斯 市中心医院") == ["鄂尔多斯 市"]


def test_full_width_and_ocr_text() -> None:
    assert texts("（内蒙古）巴彦淖尔市医院") == ["内蒙古", "巴彦淖尔市"]


@pytest.mark.parametrize(
    "text",
    [
        "城市社区卫生服务",
        "农贸市场",
        "县级医院",
        "市级重点专科",
        "区级课题",
        "地区差异",
        "川崎病",
        "帕金森病",
        "中山大学附属第一医院",
        "心内科",
        "神经内科主任医师",
        "血红蛋白 120 g/L，白细胞 5.6×10^9/L",
        "诊断：冠心病，高血压病3级",
        "大同小异",
        "三明治",
        "开封后冷藏保存",
        "给予镇静镇痛",
        "和县级医院",
        "和平共处",
        "新华社报道",
        "平安夜",
        "东方医学",
        "朝阳产业",
        "中山路",
    ],
)
def test_not_places(text: str) -> None:
    assert [r for _, r in found(text) if r != "place.province"] == []


def test_market_is_not_part_of_the_city() -> None:
    assert found("沧州市场监督管理局") == [("沧州", "place.city")]


@pytest.mark.parametrize(
    ("text", "short"),
    [("籍贯：朝阳", "朝阳"), ("朝阳医院", "朝阳"), ("来自赛罕", "赛罕"),
     ("涟源人民医院", "涟源"), ("湖南省涟源", "涟源")],
)  # fmt: skip
def test_ambiguous_short_forms_with_context(text: str, short: str) -> None:
    assert short in texts(text)


@pytest.mark.parametrize("text", ["朝阳初升", "我们在赛罕吃饭", "大庆祝活动", "她很安康"])
def test_ambiguous_short_forms_without_context(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Inner Mongolia People's Hospital, Hohhot 010017, China",
         [("Inner Mongolia", "place.province"), ("Hohhot", "place.roman")]),
        ("Baotou Medical College, Baotou", [("Baotou", "place.roman"), ("Baotou", "place.roman")]),
        ("Hulunbuir People's Hospital", [("Hulunbuir", "place.roman")]),
        ("Xilingol League Hospital", [("Xilingol League", "place.roman")]),
        ("Saihan District, Hohhot", [("Saihan District", "place.roman"), ("Hohhot", "place.roman")]),
        ("Saihan, Hohhot", [("Saihan", "place.roman"), ("Hohhot", "place.roman")]),
        ("Baotou City Central Hospital", [("Baotou City", "place.roman")]),
        ("Inner Mongolia Autonomous Region", [("Inner Mongolia Autonomous Region", "place.province")]),
        ("Xi'an Jiaotong University", [("Xi'an", "place.roman")]),
        ("HOHHOT, CHINA", [("HOHHOT", "place.roman")]),
    ],
)  # fmt: skip
def test_latin_places(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Zhang Yulin, Li Hua", "Yulin Zhang", "hohhot", "Saihan", "The patient changed", "Longan"],
)
def test_latin_non_places(text: str) -> None:
    assert found(text) == []


def test_explanations_never_contain_the_text() -> None:
    text = "住址：内蒙古自治区锡林郭勒盟锡林浩特市额尔敦路12号 Hohhot, Saihan District 蒋垛镇 锡盟"
    spans = DET.detect(text)
    assert len(spans) >= 6
    for s in spans:
        assert s.category == "place" and 0 < s.score <= 1 and s.rule.startswith("place.")
        assert text[s.start : s.end] not in s.explanation and s.explanation


def test_a_name_wraps_over_a_line_but_never_spans_cells_or_single_characters() -> None:
    det = PlaceDetector()
    assert [t for t, _ in _hits(det, "住址：呼和\n浩特市赛罕区")][:1] == ["呼和\n浩特市"]
    # 住院12天 / 门急诊诊断: no 天门 out of the end of one line and the start of the next
    assert _hits(det, "实际住院12天\n门急诊诊断") == []
    # cells of one OCR'd table row are joined by a tab
    assert _hits(det, "联系人\t呼和\t浩特") == []


def _hits(det: PlaceDetector, text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.rule) for s in det.detect(text)]
