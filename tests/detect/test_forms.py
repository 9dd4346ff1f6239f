"""Forms: labels stay readable, the value a label names is masked as what it names.

Pages are laid out as real forms are read (OCR joins the cells of a row with tabs; a text
layer with spaces): key–value rows, ``标签：值`` lines, a table with a header row, a value
cell of two lines, a label over two lines, role words in a column.
"""

from __future__ import annotations

from service.detect.engine import build_engine
from service.detect.forms import FormDetector, cells
from service.detect.labels import find_labels, protect
from service.types import BBox, Char, PageText, Span

GLYPH = 10.0


def _page(rows: list[list[str]], cell_w: float = 120, row_h: float = 24, x0: float = 40) -> PageText:
    """Rows of cells; a cell may hold several lines (``"福建省三明市\\n建宁县"``), stacked and
    centred on the row like a table cell of two lines."""
    chars: list[Char] = []
    for r, row in enumerate(rows):
        y_row = 100 + r * row_h * 2
        for c, cell in enumerate(row):
            lines = cell.split("\n")
            for k, line in enumerate(lines):
                y = y_row + (k - (len(lines) - 1) / 2) * (GLYPH + 2)
                for i, ch in enumerate(line):
                    x = x0 + c * cell_w + i * GLYPH
                    chars.append(Char(ch, BBox(x, y, x + GLYPH, y + GLYPH + 2)))
                chars.append(Char("\n" if k < len(lines) - 1 else "\t", None))
        chars[-1] = Char("\n", None)
    return PageText(tuple(chars))


def _found(text: PageText) -> set[tuple[str, str]]:
    spans = FormDetector().detect(text, 0, 1000, 1400)
    return {(text.text[s.start : s.end], s.category) for s in spans}


def test_key_value_rows_mask_values_by_what_the_label_says() -> None:
    text = _page([
        ["姓名", "寿雨", "性别", "女"],
        ["民族", "汉族", "出生年月", "1993/6/6"],
        ["居民身份证号", "3504301993****8747", "现居住地", "福建省三明市\n建宁县"],
        ["参加工作时间", "2014年9月", "审批党委名称", "三明市国资委"],
    ])
    found = _found(text)
    assert ("寿雨", "person") in found  # a rare name no detector knows
    assert ("3504301993****8747", "id_number") in found  # starred
    assert ("三明市", "address") in found and ("建宁县", "address") in found
    assert ("福建省", "address") in found  # rule form.province: kept unless provinces are masked
    assert ("三明市国资委", "organization") in found
    values = {t for t, _ in found}
    assert not values & {"女", "汉族", "1993/6/6", "2014年9月", "民族", "性别", "参加工作时间"}


def test_labels_are_never_masked_by_any_detector() -> None:
    text = _page([
        ["姓名", "任星二", "国籍", "中国"],
        ["出生日期", "1982-10-03", "联系电话", "18655212648"],
        ["现居住地址", "辽宁省抚顺市新抚区", "填表日期", "2020年3月15日"],
        ["经办人签名", "李丛林", "审核人签署", "王晓东"],
    ])
    engine = build_engine(None)
    spans = engine.detect(text.text) + engine.filter(text.text, FormDetector().detect(text, 0, 1000, 1400))
    masked = bytearray(len(text.text))
    for s in spans:
        masked[s.start : s.end] = b"\x01" * (s.end - s.start)
    for label in ("姓名", "国籍", "出生日期", "联系电话", "现居住地址", "填表日期", "经办人签名", "审核人签署"):
        k = text.text.index(label)
        assert not any(masked[k : k + len(label)]), label
    for value in ("任星二", "18655212648", "李丛林", "王晓东"):
        k = text.text.index(value)
        assert all(masked[k : k + len(value)]), value


def test_label_colon_value_on_one_line() -> None:
    line = "姓名：张三性别：男 联系电话：13812345678 证件号码：362201198801010417"
    text = PageText(tuple(Char(ch, None if ch == " " else BBox(i * GLYPH, 0, (i + 1) * GLYPH, 12))
                          for i, ch in enumerate(line)))
    found = _found(text)
    assert ("张三", "person") in found
    assert ("13812345678", "phone") in found
    assert ("362201198801010417", "id_number") in found  # wrong check digit: the label decides
    assert not any(t == "男" for t, _ in found)


def test_header_row_names_the_column_below() -> None:
    text = _page([
        ["序号", "日期", "患者", "住院号", "术者", "诊断"],
        ["1", "2023-03-04", "周慧春", "9900736", "孙红娜", "肺炎"],
        ["2", "2023-11-03", "欧阳晓", "ZY2021-0012", "一助", "胆囊炎"],
    ], cell_w=110)
    found = _found(text)
    assert {("周慧春", "person"), ("欧阳晓", "person"), ("孙红娜", "person")} <= found
    assert {("9900736", "identifier"), ("ZY2021-0012", "identifier")} <= found
    texts = {t for t, _ in found}
    assert not texts & {"1", "2", "2023-03-04", "肺炎", "胆囊炎", "一助"}  # a role, not a name


def test_key_value_form_is_not_a_header_row() -> None:
    """A row of label, value, label, value: nothing below 姓名 is a name."""
    text = _page([
        ["姓名", "寿雨", "性别", "女"],
        ["民族", "汉族", "籍贯", "福建"],
        ["小组名称", "党支部第三小组", "宣誓时间", "2018年8月2日"],
    ])
    found = _found(text)
    assert ("寿雨", "person") in found
    assert not any(t in ("民族", "小组名称", "汉族", "党支部第三小组") for t, _ in found)


def test_label_split_over_two_lines() -> None:
    text = _page([["提交证件\n情况", "身份证"], ["联系\n电话", "0471-6612345"]])
    found = _found(text)
    assert ("0471-6612345", "phone") in found


def test_protect_cuts_labels_out_of_spans() -> None:
    text = "姓名：寿雨性别：女"
    spans = [Span(0, 8, "person", 0.9, "x", "")]
    kept = protect(text, spans)
    assert [text[s.start : s.end] for s in kept] == ["寿雨"]


def test_labels_in_running_text_are_ordinary_words() -> None:
    assert find_labels("请在表中填写姓名和住址，并由经办人签名确认。") == []


def test_cells_are_split_at_spaces_and_line_breaks() -> None:
    text = PageText(tuple(Char(c, None if c in " \n" else BBox(i * 10, 0, i * 10 + 10, 12))
                          for i, c in enumerate("住院号 123456\n科室")))
    assert [c.text for c in cells(text, 0, 595, 842)] == ["住院号", "123456", "科室"]


def test_header_row_with_cells_that_are_no_known_label() -> None:
    """序号 and 手术/操作 are in no lexicon: the row is still a header, and each column ends
    halfway to its neighbouring header cell (no surgery name under 术者)."""
    text = _page([
        ["序号", "日期", "患者姓名", "住院号", "诊断", "手术/操作", "术者", "助手"],
        ["1", "2021-01-02", "王晨雨", "7063042", "川崎病", "腹腔镜胆囊切除术", "何杰雨", "李伟思"],
        ["2", "2021-02-24", "再努尔·依明", "5773182", "急性胰腺炎", "冠状动脉造影术", "余梅", "李伟思"],
    ], cell_w=100)
    found = _found(text)
    assert {("王晨雨", "person"), ("再努尔·依明", "person"), ("何杰雨", "person"), ("余梅", "person"),
            ("李伟思", "person"), ("7063042", "identifier"), ("5773182", "identifier")} <= found
    assert not {t for t, _ in found} & {"腹腔镜胆囊切除术", "冠状动脉造影术", "川崎病", "手术/操作"}


def test_labels_of_two_rows_are_not_one_label() -> None:
    """学术任职 above 通讯地址, each with its value: not a label 学术任职通讯地址."""
    text = _page([["学术任职", "中华医学会心血管病学分会委员"], ["通讯地址", "保定市安国市祁州路94号"]],
                 cell_w=140, row_h=8)
    found = _found(text)
    assert ("保定市安国市祁州路94号", "address") in found
    assert not any(t.startswith("中华医学会") and c == "address" for t, c in found)


def test_geometry_decides_not_reading_order() -> None:
    """A tilted scan's OCR may read the right half of a header row first: the column under
    住院号 is still found by where its cells are."""
    page = _page([["序号", "日期", "患者姓名", "住院号", "诊断", "术者"],
                  ["1", "2021-11-20", "李芳海", "3348010", "川崎病", "陈东桂"]], cell_w=100)
    lines = page.text.split("\n")
    head = [c for c in page.chars if c.bbox is not None and c.bbox.y0 < 110]
    right_half = [c for c in head if c.bbox is not None and c.bbox.x0 >= 440]
    left_half = [c for c in head if c.bbox is not None and c.bbox.x0 < 440]
    rest = [c for c in page.chars[len(lines[0]) + 1 :]]
    tab = Char("\t", None)
    reordered = PageText(tuple([*right_half[:2], tab, *right_half[2:], Char("\n", None),
                                *left_half[:2], tab, *left_half[2:4], tab, *left_half[4:8], tab,
                                *left_half[8:], Char("\n", None), *rest]))
    found = _found(reordered)
    assert ("3348010", "identifier") in found and ("李芳海", "person") in found


def test_a_province_heading_an_address_stays_readable_by_default() -> None:
    text = _page([["现住址", "福建省三明市建宁县濉溪镇"], ["籍贯", "湖北"]], cell_w=100)
    spans = FormDetector().detect(text, 0, 1000, 1400)
    rules = {text.text[s.start : s.end]: s.rule for s in spans}
    assert rules == {"福建省": "form.province", "三明市建宁县濉溪镇": "form.address", "湖北": "form.province"}
    kept = build_engine(None).filter(text.text, spans)
    assert {text.text[s.start : s.end] for s in kept} == {"三明市建宁县濉溪镇"}
