"""Forms: the value beside a field label is masked as what the label names.

Text detectors see a string, so they cannot tell that ``寿雨`` sits in the cell to the right of
姓名, that ``3504301993****8747`` is what 居民身份证号 names, or that ``4617478`` sits under the
住院号 header of a workload table. This detector reads the page's geometry. Labels come from
:mod:`service.detect.labels` (the same text-only recogniser the engine uses to keep labels
readable); for every label that names something identifying, its value is, in this order:

1. **after its colon on the same line** (``联系电话：138…``), up to the next label in the cell;
2. **the nearest cell to its right on the same row** (label cell → value cell), unless that
   cell starts with a label; an address or a unit may wrap onto the lines just below;
3. **the cells below it, when it heads a column**: the label shares its row with other labels
   (a header row: 序号 | 患者 | 住院号 | 诊断), and the cells under its column are its values
   down to the next label or a wide gap;
4. **the cell just below it**, for a label alone on its row (a label above its box).

A label split over two lines of one table cell (提交证件 / 情况) is joined before it is looked
up. A value is masked only when it has the shape of what the label names
(``labels.yaml: values``: 2–4 CJK characters for a name, 8–20 digits, ``*`` or X for an ID
number …) and is neither a filler (无, 同上, 男) nor a label: a role word under 术者 or a date
under 住院号 stays. Values are masked even when no detector would recognise them alone (a rare
name, a starred ID number, a wrong check digit): rule ``form.<category>``.

Boxes are taken upright (``orientation`` undoes a sideways scan) before comparing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from service.detect.gazetteer import province_prefix
from service.detect.labels import KEEP, Label, Lexicon, find_labels, load_lexicon
from service.ocr.geometry import point_to_upright
from service.types import BBox, PageText, Span

#: how far below a value line an address or unit may wrap, in line heights
WRAP_GAP = 0.8
#: a column's values end at a vertical gap wider than this many line heights
COLUMN_GAP = 4.0
#: a label alone on its row names the cell at most this many line heights below it
BELOW_GAP = 1.5
#: categories whose value may wrap onto the next lines of its cell
_WRAPPING = frozenset({"address", "organization"})
SCORE = 0.85


@dataclass(frozen=True, slots=True)
class Cell:
    start: int
    end: int
    text: str
    box: BBox


def cells(text: PageText, orientation: int, width: float, height: float) -> list[Cell]:
    """Runs of characters with boxes, split at line breaks and spaces, boxes upright."""
    out: list[Cell] = []
    s = text.text
    start = None
    for i, ch in enumerate([*text.chars, None]):
        boundary = ch is None or ch.text.isspace()
        if boundary and start is not None:
            boxes = text.boxes_for(start, i)
            if boxes:
                box = _upright(BBox.around(boxes), orientation, width, height)
                out.append(Cell(start, i, s[start:i], box))
            start = None
        elif not boundary and start is None:
            start = i
    return out


def _upright(b: BBox, orientation: int, w: float, h: float) -> BBox:
    if orientation == 0:
        return b
    ax, ay = point_to_upright(b.x0, b.y0, orientation, w, h)
    bx, by = point_to_upright(b.x1, b.y1, orientation, w, h)
    return BBox(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


@dataclass
class _Page:
    text: PageText
    cells: list[Cell]
    labels: list[Label]
    label_starts: set[int]
    lex: Lexicon
    orientation: int
    width: float
    height: float
    #: label start → the other header labels of its row, or None (not a header row)
    headers: dict[int, list[BBox] | None] = field(default_factory=dict)

    def box(self, start: int, end: int) -> BBox | None:
        boxes = self.text.boxes_for(start, end)
        return _upright(BBox.around(boxes), self.orientation, self.width, self.height) if boxes else None

    def starts_with_label(self, cell: Cell) -> bool:
        return cell.start in self.label_starts

    def first_label_in(self, a: int, b: int) -> int:
        return min((k for k in self.label_starts if a < k < b), default=b)


class FormDetector:
    """Values of form fields, found by their label (see the module docstring)."""

    name = "form"
    categories = frozenset({
        "person", "id_number", "phone", "address", "place", "organization", "postal_code",
        "email", "identifier",
    })

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self._lex = lexicon or load_lexicon()

    def detect(self, text: PageText, orientation: int, width: float, height: float) -> list[Span]:
        s = text.text
        labels = _join_split_labels(text, find_labels(s, self._lex), self._lex, orientation, width, height)
        page = _Page(text, cells(text, orientation, width, height), labels,
                     {lab.start for lab in labels}, self._lex, orientation, width, height)
        found: dict[tuple[int, int], Span] = {}
        body = _table_body_labels(page)
        for lab in labels:
            if lab.value == KEEP or lab.start in body:
                continue
            for a, b in _values(page, lab):
                a, b = _trim(s, a, b)
                if b > a and self._lex.value_fits(lab.value, s[a:b]):
                    for span in _value_spans(s, a, b, lab.value):
                        found[(span.start, span.end)] = span
        return list(found.values())


def _value_spans(s: str, a: int, b: int, category: str) -> list[Span]:
    """The spans of a value: ``form.<category>``; a province alone, or the province an
    address starts with (福建省三明市建宁县), is ``form.province``, which the policy keeps
    readable unless it masks provinces."""
    explanation = "value of a form field whose label names it"
    if category in ("place", "address"):
        k = province_prefix(s[a:b])
        if k:
            head = Span(a, a + k, category, SCORE, "form.province", explanation)
            rest = [Span(a + k, b, category, SCORE, f"form.{category}", explanation)] if b - a > k else []
            return [head, *rest]
    return [Span(a, b, category, SCORE, f"form.{category}", explanation)]


_STAMP_NOTE = re.compile(r"[(（](?:盖?章|签章|签字|签名)[)）][:：]?")


def _trim(s: str, a: int, b: int) -> tuple[int, int]:
    """Whitespace, separators and a leading ``(章)`` note (收款单位(章)：…) off a value."""
    while a < b and (s[a].isspace() or s[a] in ":：;；,，"):
        a += 1
    m = _STAMP_NOTE.match(s, a, b)
    if m:
        return _trim(s, m.end(), b)
    while b > a and (s[b - 1].isspace() or s[b - 1] in ":：;；,，。"):
        b -= 1
    return a, b


def _values(page: _Page, lab: Label) -> list[tuple[int, int]]:
    s = page.text.text
    if lab.value_start is not None:
        end = page.first_label_in(lab.value_start, _line_end(s, lab.value_start))
        inline = (lab.value_start, _cell_end(s, lab.value_start, end))
        if s[inline[0] : inline[1]].strip():
            return [inline]
    box = page.box(lab.start, lab.end)
    if box is None:
        return []
    right = _right_of(page, lab, box)
    if right is not None:
        if page.starts_with_label(right):
            right = None
        else:
            first = (right.start, page.first_label_in(right.start, right.end))
            return [first, *_wrapped(page, right, lab, box)]
    header = _header_row(page, lab, box)
    if header is not None:
        return _column(page, box, header)
    below = _below(page, lab, box)
    return [] if below is None else [(below.start, page.first_label_in(below.start, below.end))]


def _line_end(s: str, i: int) -> int:
    j = s.find("\n", i)
    return len(s) if j < 0 else j


def _cell_end(s: str, a: int, b: int) -> int:
    """The end of the value that starts at ``a``: the end of its cell (a tab or a run of
    spaces ends it) within ``[a, b)``; leading spaces after the colon are skipped."""
    i = a
    while i < b and s[i] in " \u3000":
        i += 1
    for k in range(i, b):
        if s[k] == "\t" or s[k : k + 2] in ("  ", "\u3000\u3000"):
            return k
    return b


def _same_row(a: BBox, b: BBox) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.height, b.height)


def _right_of(page: _Page, lab: Label, box: BBox) -> Cell | None:
    """The nearest cell to the right on the label's row. A value cell of two lines is centred
    on its label, so when no cell shares the label's row, its first line may sit up to a line
    height above the label's centre — unless that line is on another label's row."""
    h = box.height
    right = [c for c in page.cells if not c.start <= lab.start < c.end and c.box.x0 >= box.x1 - 0.3 * h]
    cands = [c for c in right if _same_row(box, c.box)]
    if not cands:
        cy = (box.y0 + box.y1) / 2
        cands = [
            c for c in right
            if abs((c.box.y0 + c.box.y1) / 2 - cy) < h and not _other_label_on_row(page, lab, c.box)
        ]
    if not cands:
        return None
    x = min(c.box.x0 for c in cands)
    return min((c for c in cands if c.box.x0 < x + h), key=lambda c: c.box.y0)


def _other_label_on_row(page: _Page, lab: Label, box: BBox) -> bool:
    """Whether the row of ``box`` has a label of its own, to the left of ``box``: a label other
    than ``lab`` and not on ``lab``'s row (居民身份证号 left of 现居住地 is on the same row and
    does not own the second line of 现居住地's value; 科室 below 工作单位 owns its row)."""
    own = page.box(lab.start, lab.end)
    return any(
        o is not lab and ob.x1 <= box.x0 + 0.3 * box.height and (own is None or not _same_row(own, ob))
        for o, ob in _row_labels(page, box)
    )


def _wrapped(page: _Page, first: Cell, lab: Label, label: BBox) -> list[tuple[int, int]]:
    """Lines just below a wrapping value (an address over two lines of its cell). A value cell
    is centred on its label, so its lines start above the label's bottom edge."""
    if lab.value not in _WRAPPING or not page.lex.value_fits(lab.value, first.text):
        return []
    out: list[tuple[int, int]] = []
    prev = first.box
    for _ in range(2):
        nxt = [
            c for c in page.cells
            if -0.5 * prev.height <= c.box.y0 - prev.y1 < WRAP_GAP * prev.height
            and (c.box.y0 + c.box.y1) / 2 > (prev.y0 + prev.y1) / 2 + 0.5 * prev.height
            and c.start > first.end
            and min(prev.x1, c.box.x1) - max(prev.x0, c.box.x0) > 0.3 * min(prev.width, c.box.width)
            and abs(c.box.x0 - prev.x0) < 2 * prev.height
        ]
        if (len(nxt) != 1 or page.starts_with_label(nxt[0]) or nxt[0].box.y0 > label.y1 + 0.5 * label.height
                or _other_label_on_row(page, lab, nxt[0].box)):
            break
        out.append((nxt[0].start, page.first_label_in(nxt[0].start, nxt[0].end)))
        prev = nxt[0].box
    return out


def _table_body_labels(page: _Page) -> set[int]:
    """Starts of labels that are cells of a table body: under a header row's label, in its
    column (a role word 一助 in the 术者 column is a value, not the label of its right
    neighbour)."""
    heads: list[BBox] = []
    for lab in page.labels:
        box = page.box(lab.start, lab.end)
        if box is not None and _header_row(page, lab, box) is not None:
            heads.append(box)
    out: set[int] = set()
    if not heads:
        return out
    for lab in page.labels:
        box = page.box(lab.start, lab.end)
        if box is None:
            continue
        cx = (box.x0 + box.x1) / 2
        for h in heads:
            if h.y1 <= box.y0 - 0.25 * h.height and box.y0 - h.y1 < 10 * h.height and (
                h.x0 - h.height <= cx <= h.x1 + h.height
            ) and not _same_row(h, box) and _header_row(page, lab, box) is None:
                out.add(lab.start)
                break
    return out


def _row_labels(page: _Page, box: BBox) -> list[tuple[Label, BBox]]:
    """The labels on the row of ``box``, with their boxes."""
    out = []
    for o in page.labels:
        ob = page.box(o.start, o.end)
        if ob is not None and _same_row(box, ob):
            out.append((o, ob))
    return out


def _header_row(page: _Page, lab: Label, box: BBox) -> list[BBox] | None:
    """Boxes of the other cells of the label's row, when it is a header row. A key–value row
    alternates label, value (姓名 寿雨 性别 女); a header row runs label after label, with a
    cell here and there that is no known label (序号 日期 患者姓名 住院号 诊断 手术/操作 术者):
    a header row has at least two labels and at least as many label → label steps as
    label → other steps. Labels with a colon name the text after it: never a header."""
    key = lab.start
    if key not in page.headers:
        page.headers[key] = _header_of(page, lab, box)
    return page.headers[key]


def _header_of(page: _Page, lab: Label, box: BBox) -> list[BBox] | None:
    row = _row_labels(page, box)
    if len(row) < 2 or any(o.value_start is not None for o, _ in row):
        return None
    row_cells = sorted((c for c in page.cells if _same_row(box, c.box)), key=lambda c: c.box.x0)
    steps_label = steps_other = 0
    for a, b in pairwise(row_cells):
        if page.starts_with_label(a):
            if page.starts_with_label(b):
                steps_label += 1
            else:
                steps_other += 1
    if steps_label < max(1, steps_other):
        return None
    return [c.box for c in row_cells if c.start != lab.start]


def _column(page: _Page, box: BBox, header: list[BBox]) -> list[tuple[int, int]]:
    """Cells under a header label, down to the next header row, a label in the column or a
    wide vertical gap. A cell counts as in the column when most of it lies in the column's
    extent (halfway to the neighbouring header cells)."""
    h = box.height
    left = max((b.x1 for b in header if b.x1 <= box.x0), default=box.x0 - 3 * h)
    right = min((b.x0 for b in header if b.x0 >= box.x1), default=box.x1 + 3 * h)
    x0, x1 = (left + box.x0) / 2, (box.x1 + right) / 2
    below = sorted(
        (c for c in page.cells
         if c.box.y0 >= box.y1 - 0.25 * h
         and min(x1, c.box.x1) - max(x0, c.box.x0) >= 0.6 * c.box.width),
        key=lambda c: c.box.y0,
    )
    out: list[tuple[int, int]] = []
    bottom = box.y1
    heads = {o.start for o, _ in _row_labels(page, box)}
    for c in below:
        if c.box.y0 - bottom > COLUMN_GAP * h or page.starts_with_label(c):
            break
        if len([o for o, _ in _row_labels(page, c.box) if o.start not in heads]) >= 2:
            break  # the next table's header row (a tilted scan's first row may touch this one)
        out.append((c.start, page.first_label_in(c.start, c.end)))
        bottom = max(bottom, c.box.y1)
    return out


def _below(page: _Page, lab: Label, box: BBox) -> Cell | None:
    h = box.height
    cands = [
        c for c in page.cells
        if not c.start <= lab.start < c.end and 0 <= c.box.y0 - box.y1 < BELOW_GAP * h
        and min(box.x1, c.box.x1) - max(box.x0, c.box.x0) > 0.3 * min(box.width, c.box.width)
    ]
    found = min(cands, key=lambda c: c.box.y0, default=None)
    return None if found is None or page.starts_with_label(found) else found


def _has_row_value(cs: list[Cell], part: Cell) -> bool:
    """Whether a cell to the right of ``part`` shares its row exactly (a label of its own row;
    the value of a label over two lines is centred between them)."""
    return any(c.start > part.end and c.box.x0 >= part.box.x1 and _same_row(part.box, c.box)
               and abs((c.box.y0 + c.box.y1) - (part.box.y0 + part.box.y1)) < 0.3 * part.box.height
               for c in cs)


def _join_split_labels(
    text: PageText, labels: list[Label], lex: Lexicon, orientation: int, width: float, height: float,
) -> list[Label]:
    """Labels written over two lines of one cell (提交证件 / 情况, 联系 / 电话): two short cells,
    one just below the other and left-aligned, whose joined text is a label, become that label
    (its span is the upper part, which is no label alone; the lower part stops being a label of
    its own)."""
    by_start = {lab.start: lab for lab in labels}
    cs_all = cells(text, orientation, width, height)
    cs = sorted((c for c in cs_all if len(c.text) <= 6), key=lambda c: c.box.y0)
    for k, up in enumerate(cs):
        if up.start in by_start:
            continue  # a label on its own (姓名 above 民族 is two labels)
        for low in cs[k + 1 :]:
            gap = low.box.y0 - up.box.y1
            if gap >= 0.8 * up.box.height:
                break
            if gap < -0.2 * up.box.height or abs(low.box.x0 - up.box.x0) >= up.box.height:
                continue
            if len(up.text) + len(low.text) > 7 or _has_row_value(cs_all, up) or _has_row_value(cs_all, low):
                continue  # two labels of two rows (学术任职 above 通讯地址), each with its value
            category = lex.classify(up.text + low.text)
            if category is not None:
                by_start[up.start] = Label(up.start, up.end, category, None)
                by_start.pop(low.start, None)
    return sorted(by_start.values(), key=lambda lab: lab.start)
