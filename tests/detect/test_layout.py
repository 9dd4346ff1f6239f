"""Column headers name the cells below them: 住院号 → identifier, 术者 → person."""

from __future__ import annotations

from service.detect.layout import LayoutDetector, cells
from service.types import BBox, Char, PageText


def _table(rows: list[list[str]], x0: float = 50, cell_w: float = 80, row_h: float = 20) -> PageText:
    chars: list[Char] = []
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            for k, ch in enumerate(cell):
                x = x0 + c * cell_w + k * 10
                y = 100 + r * row_h
                chars.append(Char(ch, BBox(x, y, x + 10, y + 12)))
            chars.append(Char("\n", None))
    return PageText(tuple(chars))


def _found(text: PageText, orientation: int = 0) -> set[tuple[str, str]]:
    spans = LayoutDetector().detect(text, orientation, 595, 842)
    return {(text.text[s.start : s.end], s.category) for s in spans}


def test_cells_below_headers_are_found() -> None:
    text = _table([["序号", "日期", "患者", "住院号", "诊断"],
                   ["1", "2023-03-04", "周慧春", "9900736", "肺炎"],
                   ["2", "2023-11-03", "孙红娜", "ZY2021-0012", "胆囊炎"]])
    found = _found(text)
    assert ("9900736", "identifier") in found
    assert ("ZY2021-0012", "identifier") in found
    assert ("周慧春", "person") in found and ("孙红娜", "person") in found


def test_other_columns_and_dates_stay() -> None:
    text = _table([["序号", "日期", "住院号", "诊断"], ["1", "2023-03-04", "2023-03-05", "肺炎"]])
    found = _found(text)
    assert not any(t in ("2023-03-04", "2023-03-05", "肺炎", "1") for t, _ in found)


def test_cells_are_split_at_spaces_and_line_breaks() -> None:
    text = PageText(tuple(Char(c, None if c in " \n" else BBox(i * 10, 0, i * 10 + 10, 12))
                          for i, c in enumerate("住院号 123456\n科室")))
    assert [c.text for c in cells(text, 0, 595, 842)] == ["住院号", "123456", "科室"]
