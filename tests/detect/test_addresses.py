"""The address detector (Chinese, labelled and English addresses)."""

from __future__ import annotations

import pytest

from service.detect.addresses import AddressDetector
from service.detect.base import TextDetector

DET = AddressDetector()


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.rule) for s in DET.detect(text)]


def cjk(text: str) -> list[str]:
    return [t for t, r in found(text) if r == "address.cjk"]


def test_protocol() -> None:
    assert isinstance(DET, TextDetector)
    assert DET.name == "address" and DET.categories == {"address"}


@pytest.mark.parametrize(
    "address",
    [
        "湘西土家族苗族自治州龙山县建设路230号17栋4单元1080室",
        "娄底市涟源市古塘乡前村5组",
        "赛罕区人民路58号",
        "锡林浩特市额尔敦路12号2-3-401",
        "内蒙古自治区锡林郭勒盟锡林浩特市额尔敦路12号",
        "锡林浩特市额尔敦路１２号２－３－４０１",
        "包头市昆都仑区钢铁大街",
        "安康市汉阴县胜利路267号24栋1单元582室",
        "呼伦贝尔市鄂温克族自治旗巴彦托海镇",
        "科尔沁右翼前旗乌兰毛都苏木",
        "朝阳路12号",
        "中山路5号",
    ],
)
def test_cjk_addresses(address: str) -> None:
    text = f"患者，男，45岁，现住{address}，电话略。"
    assert cjk(text) == [address]


def test_address_split_by_spaces_and_line_break() -> None:
    text = "住址：内蒙古自治区锡林郭勒盟锡林浩特市额\n尔敦路 12 号"
    assert cjk(text) == ["内蒙古自治区锡林郭勒盟锡林浩特市额\n尔敦路 12 号"]


@pytest.mark.parametrize(
    "text",
    [
        "呼和浩特市第一医院心内科",
        "呼和浩特市消化道出血3例",
        "某市课题组",
        "内蒙古医科大学附属医院",
        "城市社区卫生服务中心",
        "血压130/80mmHg，心率78次/分",
        "诊断：上消化道出血，冠心病",
        "2019年3月至2020年3月在北京协和医院进修",
        "电子邮件地址：abc@example.com",
        "地址：见附件",
        "School District",
    ],
)
def test_not_addresses(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("家庭住址：和平路３５号院２号楼", "和平路３５号院２号楼"),
        ("现住址：北京市朝阳区建国路88号SOHO现代城", "北京市朝阳区建国路88号SOHO现代城"),
        ("通讯地址：新城区通道北街1号  邮编：010050", "新城区通道北街1号"),
        ("联系地址: 幸福小区8栋302室；电话：略", "幸福小区8栋302室"),
        ("现住址\n胜利路267号24栋1单元582室\n电话", "胜利路267号24栋1单元582室"),
    ],
)
def test_labelled_addresses(text: str, value: str) -> None:
    assert (value, "address.labelled") in found(text)


def test_labelled_and_cjk_cover_the_same_value() -> None:
    text = "住址：内蒙古自治区锡林郭勒盟锡林浩特市额尔敦路12号\n职业：医生"
    value = "内蒙古自治区锡林郭勒盟锡林浩特市额尔敦路12号"
    assert set(found(text)) == {(value, "address.cjk"), (value, "address.labelled")}


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Inner Mongolia People's Hospital, No. 1 Tongdao North Street, Hohhot 010050, "
         "Inner Mongolia, China",
         "No. 1 Tongdao North Street, Hohhot 010050, Inner Mongolia, China"),
        ("Department of Cardiology, 58 Renmin Road, Saihan District, Hohhot",
         "58 Renmin Road, Saihan District, Hohhot"),
        ("Xincheng District, Hohhot 010050, China", "Xincheng District, Hohhot 010050, China"),
        ("Renmin Road, Saihan District, Hohhot", "Renmin Road, Saihan District, Hohhot"),
        ("Baotou Medical College, 31 Jianshe Road, Donghe District, Baotou 014040",
         "31 Jianshe Road, Donghe District, Baotou 014040"),
    ],
)  # fmt: skip
def test_english_addresses(text: str, address: str) -> None:
    assert found(text) == [(address, "address.english")]


@pytest.mark.parametrize(
    "text",
    ["The Road Ahead", "School District", "Renmin Road", "See Table 2 Street View", "Abbey Road"],
)
def test_english_non_addresses(text: str) -> None:
    assert found(text) == []


def test_explanations_never_contain_the_text() -> None:
    text = (
        "住址：内蒙古自治区锡林郭勒盟锡林浩特市额尔敦路12号\n"
        "58 Renmin Road, Saihan District, Hohhot\n家庭住址：和平路３５号院"
    )
    spans = DET.detect(text)
    assert {s.rule for s in spans} == {"address.cjk", "address.labelled", "address.english"}
    for s in spans:
        assert s.category == "address" and 0 < s.score <= 1 and s.explanation
        assert text[s.start : s.end] not in s.explanation


def test_an_address_runs_on_through_an_estate_and_stays_in_its_cell() -> None:
    det = AddressDetector()
    text = "现住\n黄冈市武穴市建设路389号阳光嘉园19号楼2单元1920室，因胸闷"
    assert "黄冈市武穴市建设路389号阳光嘉园19号楼2单元1920室" in [text[s.start : s.end] for s in det.detect(text)]
    # an OCR'd table row: the address ends at its cell
    row = "现住址\t呼和浩特市赛罕区人民路58号\t电话"
    assert [row[s.start : s.end] for s in det.detect(row) if s.rule == "address.cjk"] == ["呼和浩特市赛罕区人民路58号"]
