"""Decide: turn text spans into page regions through the character index.

Text-layer characters are masked by their exact boxes: MuPDF removes every glyph whose box
the mask touches, so a padded mask would eat the neighbours and change pixels outside it.
OCR'd characters get a small margin, because their boxes come from pixels (skew, blur).
"""

from __future__ import annotations

from dataclasses import replace

from service.redact.grid import BoxGrid
from service.types import BBox, PageText, Region, Span, sha256_text

#: margin around OCR'd text, as a share of the line height (lines of a page scanned sideways
#: are vertical). Little across the line: PP-OCR's detection boxes already reach beyond most
#: glyphs (a 50 px line gets a 77 px box) and more reaches into the neighbouring line (0.12
#: masked 37 % of a lab value under a unit name); Latin descenders still need a little.
OCR_PAD = 0.06
OCR_PAD_ALONG = 0.25


def spans_to_regions(
    text: PageText, spans: list[Span], unit: str, page_w: float, page_h: float,
    orientation: int = 0,
) -> list[Region]:
    """Boxes for spans; ``orientation`` (0/90/180/270, the page's reading direction) tells
    which way a one-character OCR box runs."""
    regions: list[Region] = []
    full = text.text
    for span in spans:
        snippet = full[span.start : span.end]
        digest = sha256_text(snippet)
        horizontal = _runs_horizontally(text, span.start, span.end, orientation)
        for box, is_ocr in _span_boxes(text, span.start, span.end):
            if is_ocr:
                box = _pad_ocr(box, unit, horizontal)
            box = box.clip(page_w, page_h)
            if box.is_empty:
                continue
            regions.append(
                Region(
                    bbox=box,
                    category=span.category,
                    source="ocr" if is_ocr else "text",
                    rule=span.rule,
                    score=round(span.score, 3),
                    text_sha256=digest,
                    snippet=snippet,
                    explanation=span.explanation,
                )
            )
    return regions


def _pad_ocr(box: BBox, unit: str, horizontal: bool) -> BBox:
    """A margin around OCR'd text: ``OCR_PAD`` of the line height across the line and
    ``OCR_PAD_ALONG`` along it (recognisers place glyph edges least precisely at the ends)."""
    least = 1.0 if unit == "px" else 0.4
    line = box.height if horizontal else box.width
    across, along = max(least, OCR_PAD * line), max(least, OCR_PAD_ALONG * line)
    return box.expand(along, across) if horizontal else box.expand(across, along)


def _runs_horizontally(text: PageText, start: int, end: int, orientation: int) -> bool:
    """Whether the span's line runs left-right: from its first and last glyph (a short span
    of two glyphs is taller than wide), or from the page's orientation for one glyph."""
    boxes = [c.bbox for c in text.chars[start:end] if c.bbox is not None and c.text.strip()]
    if len(boxes) >= 2:
        a, b = boxes[0], boxes[-1]
        dx = abs((b.x0 + b.x1) - (a.x0 + a.x1))
        dy = abs((b.y0 + b.y1) - (a.y0 + a.y1))
        if dx != dy:
            return dx > dy
    return orientation in (0, 180)


def _span_boxes(text: PageText, start: int, end: int) -> list[tuple[BBox, bool]]:
    """Per-line boxes of a span, split where the source (text layer / OCR) changes."""
    out: list[tuple[BBox, bool]] = []
    run_start = start
    chars = text.chars
    for i in range(start, end + 1):
        boundary = i == end or (
            i > run_start and chars[i].source != chars[run_start].source and chars[i].bbox is not None
        )
        if boundary:
            is_ocr = chars[run_start].source == "ocr"
            for b in text.boxes_for(run_start, i):
                out.append((b, is_ocr))
            run_start = i
    return out


def snap_to_glyphs(regions: tuple[Region, ...], text: PageText) -> tuple[Region, ...]:
    """Grow every mask over the whole of each text-layer glyph it touches.

    MuPDF removes a glyph as soon as a redaction rectangle overlaps its box; a mask that
    touches a neighbouring glyph (an OCR'd seal over printed text, a padded box) would remove
    that glyph beyond the mask and change pixels outside it. Growing the mask to the glyph
    keeps every change inside the black rectangle.
    """
    glyphs = [c.bbox for c in text.chars if c.source == "text" and c.bbox is not None]
    if not glyphs:
        return regions
    grid = BoxGrid(glyphs)
    out: list[Region] = []
    for r in regions:
        # a mark (seal, photo) or an auditor's box must cover all of what it covers: only
        # text masks, whose boxes come from padded glyphs, let go of glyphs they graze
        near = [glyphs[i] for i in grid.near(r.bbox)]
        box = r.bbox if r.source in ("mark", "manual") else _clear_grazed(r.bbox, near)
        for _ in range(8):  # growing may touch further glyphs; a few rounds settle it
            grown = box
            for i in grid.near(box):
                g = glyphs[i]
                if _overlaps(grown, g) and not grown.contains(g):
                    grown = grown.union(g)
            if grown == box:
                break
            box = grown
        out.append(r if box == r.bbox else replace(r, bbox=box))
    return tuple(out)


#: a mask edge that reaches less than this share into a glyph only grazes it
GRAZE = 0.25


def _clear_grazed(box: BBox, glyphs: list[BBox]) -> BBox:
    """Pull a mask's edges back off glyphs it only grazes (an OCR'd seal line whose box
    reaches 0.4 pt into the printed line above): growing over them would mask that line."""
    x0, y0, x1, y1 = box.x0, box.y0, box.x1, box.y1
    for g in glyphs:
        if not _overlaps(BBox(x0, y0, x1, y1), g):
            continue
        over_y = min(y1, g.y1) - max(y0, g.y0)
        over_x = min(x1, g.x1) - max(x0, g.x0)
        if over_y < GRAZE * g.height and over_x > 0:
            if g.y0 < y0 < g.y1 and y1 > g.y1:
                y0 = g.y1
            elif g.y0 < y1 < g.y1 and y0 < g.y0:
                y1 = g.y0
        elif over_x < GRAZE * g.width and over_y > 0:
            if g.x0 < x0 < g.x1 and x1 > g.x1:
                x0 = g.x1
            elif g.x0 < x1 < g.x1 and x0 < g.x0:
                x1 = g.x0
    return BBox(x0, y0, x1, y1) if x1 > x0 and y1 > y0 else box


def _overlaps(a: BBox, b: BBox, eps: float = 0.01) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > eps and min(a.y1, b.y1) - max(a.y0, b.y0) > eps
