"""Seal (章印) detector: red, blue and purple round, double-ring, oval and square seals.

Design
------
1. Ink (:mod:`.seals_ink`): the page is reduced to ~70 dpi (200 dpi ÷ 3; a small raster —
   a phone photo, a downscaled ticket — less) and white-balanced by the local paper colour; a
   pixel's Lab chroma is its ink strength and its hue sorts it into red (wrapping through 0°)
   or blue/violet/teal. Black print and grey or tinted paper carry no chroma; a photo's chroma
   noise raises the threshold locally; stamp ink on coloured print of another hue (a ticket's
   green band) is *hidden*: the ring's samples there count as off-page.
2. Groups: per colour, ink down to ``WEAK_CHROMA`` is closed by ``CLOSE_MM`` (bridges where
   black text cuts a ring), cleared of long straight rules (a seal stamped across table lines)
   and of specks, and grouped by ``GROUP_MM``; a group of a seal's size holding
   ``MIN_STRONG_MM2`` of clear ink (``INK_CHROMA``) is a candidate. Reading faint ink too keeps
   the faint side of an unevenly stamped ring in its group. The ink of groups too large for a
   seal is grouped again at ``NEAR_GROUP_MM`` (a name stamp joined to print by speckle).
3. Outline (:mod:`.seals_fit`, :mod:`.seals_shape`): ellipse, circle and rectangle fits to the
   group's hull, refined on the ink near them, are judged: most of the perimeter on the page
   inked, the outermost ink all round on the ring (a boxed character such as 国 meets an
   ellipse only where it crosses the box), the interior neither empty (a ring drawn round a
   word) nor filled (a red block), a seal's size, free surroundings. A seal cut by the page
   edge keeps ≥ 25 % of its perimeter on the page (rule ``seal.partial``). Groups of
   overlapping seals of one colour are searched with a Hough transform.
   Seals among print of their own colour (:mod:`.seals_search`): where a group too large for
   a seal, or one that fits nothing, is left, round and oval outlines are searched for in the
   page's remaining ink (Hough circles; RANSAC ellipses on the groups' contours) and judged as
   above, with the outline agreement relaxed for a ring inked nearly all round — the oval
   发票专用章 stamped across an invoice's red heading, serial number or form, a receipt's
   printed 监制章 crossed by its red title.
4. Squares (name stamps) must have no peers — groups of their size in line with them, as the
   characters of a red heading beside a boxed 国 — and must not be one character of the page's
   text (text layer or OCR, ``GLYPH_IOU``).

Red print that is no seal stays: a red title, a 红头 line with its rule, red table lines and
underlines are far longer than a seal or fail the outline; red stars are too small; ID photos
on red or blue grounds are filled rectangles of a photo's proportions.

The region is the seal's full extent — the fitted ring's box plus ``MARGIN_MM`` of ink blur,
run on to the page edge for a cut seal and clipped to the page — so that text printed under the
seal is masked with it. Orientation plays no part: colour and rings do not care which way the
page is turned.

Measured with ``python -m tests.detect.marks.test_seals 200`` (A4 at 200 dpi with CJK text;
random style, colour, tilt ±25°, paper tint, JPEG q60/75/none and quarter turn; 25 % faint,
20 % cut at the page edge): recall 197/200 — round 70/70, double 57/58, oval 47/48, square
23/24, faint 48/50, cut 45/46, tinted paper with JPEG 96/99 (196/200 before the search among
print); the misses are faint seals on tinted JPEG scans and one cut square. No false positive
on 32 pages of red titles, 红头 rules, boxed heading characters, red table lines, underlines,
stars, red pen marks and ID photos on red and blue grounds. CPU time per page (2 shared cores):
median 0.085 s, at most 0.15 s (0.076 s before the search among print);
``scripts/benchmark.py --only marks``: the seal detector 0.061 s per A4 scan (0.051 s before).

Greyscale scans (no colour to go by; :func:`.seals_grey.is_grey`) are read by
:mod:`.seals_grey`: rings of mid-grey ink, lighter than print, with seal text inside.

A seal cut by the edge of a scan pasted into a PDF page (not the page's edge) is judged as a
whole ring and fails; the pipeline searches such pictures alone, where their edge is the
raster's (:func:`service.pipeline.marks.detect_marks`).

Invoices and receipts, measured with ``python -m tests.detect.marks.test_seals_invoice 100``
(a red receipt form — heading, serial number NO.…, labels, rules, black values — with an oval
invoice/finance/contract seal carrying a tax-number line, over the seller's lines or across
the heading, or a 1 cm square stamp; colour and grey, faint, JPEG, phone photo with uneven light
and a colour cast, dot-matrix digits printed over): recall 88/100 (65/100 before the search
among print) — invoice ovals 70/82 (across the heading 32/42, before 11/42), 1 cm stamps 18/18,
faint 25/29, grey 16/21, photos 20/25, dot-matrix over the seal 30/37; no false positive on 24
such forms without seals; CPU median 0.13 s per 210×120 mm page (0.04 s before). On the real
receipts and tickets of ``realdocs`` (01–06, 15, 27) 12 of 16 red and blue seals are
found (4 before); yellow printed emblems are not looked for.

Not handled: a seal crossed by a pen of the very ink it was stamped in (blue ballpoint on a
blue seal: only darker blue-black and black pens are taken out of a group,
:func:`_without_pen`); square name stamps on greyscale scans; a seal whose ring is crossed over
much of its length by big red print of its own colour (a seal pressed onto the characters of
a 红头 title: its outermost ink is the title's in too many directions); a stamp pressed exactly
over two rules of a table row (the rules take its top and bottom edges); a square stamp on a
photo whose chroma noise forms stamp-sized specks beside it (they read as its peers); a seal
printed or stamped in yellow (a receipt's emblem); a half-inked stamp (only an arc and its
text); an oval overlapping a seal of the same colour is masked only as the remnant box beside
that seal; a lone big boxed red character (国) on a page without text layer or OCR reads as a
square stamp.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from service.detect.marks.base import MarkPage, clip_box
from service.detect.marks.seals_fit import (
    RING,
    SQUARE,
    Canvas,
    Found,
    best_fit,
    may_hold_several,
    overlapping,
)
from service.detect.marks.seals_grey import grey_seals, is_grey
from service.detect.marks.seals_ink import INK_HUES, InkMap, ink_map, kernel
from service.detect.marks.seals_search import among_print
from service.detect.marks.seals_shape import Ring
from service.types import BBox, Region

#: Lab chroma (8-bit units) of clear ink; faint seals keep ~5–10 on their strong side ...
INK_CHROMA = 5.0
#: ... and are read down to this chroma (paper noise after balancing stays below ~2)
WEAK_CHROMA = 2.5
#: a candidate group holds at least this much clear ink (mm² on paper)
MIN_STRONG_MM2 = 4.0
#: closing that bridges the gaps black text cuts into a ring
CLOSE_MM = 1.0
#: straight horizontal/vertical ink this long is a rule, not a seal: a seal's ring, thickened
#: by the closing, its arc text and a pixel, runs straight for at most ~30 mm (a 50 mm seal)
RULE_MM = 45.0
#: smaller pieces of ink are noise (colour fringes that JPEG leaves around black text)
MIN_PIECE_MM2 = 1.0
#: ink closer than this belongs to one group (a ring broken by faint ink, its text and star);
#: groups too large for a seal are grouped again at the closer reach (a stamp joined to print)
GROUP_MM = 2.5
NEAR_GROUP_MM = 0.3
#: a square stamp has no peer: a group of its ink sized PEER_SIZE × its own, in line with it
#: (centres PEER_OFFSET × its side apart across the line) within PEER_DISTANCE × its side
PEER_SIZE = (0.6, 1.6)
PEER_OFFSET = 0.35
PEER_DISTANCE = 3.0
#: a find whose box matches one character box of the page's text this well (IoU) is that
#: character
GLYPH_IOU = 0.4
#: of two overlapping finds the smaller goes if this share of it lies inside the larger
CONTAINED = 0.9
#: a cut seal's region reaching this close to the page edge runs on to the edge
EDGE_MM = 1.5
#: an ellipse this much longer than wide is reported as an oval seal
OVAL_RATIO = 1.15

GroupBox = tuple[int, int, int, int]  # x, y, width, height (work-copy pixels)


class SealDetector:
    """Finds stamped seals on a page raster; see the module docstring."""

    name = "seal"
    categories = frozenset({"seal"})

    def detect(self, page: MarkPage) -> list[Region]:
        if min(page.width, page.height) < page.px(SQUARE.min_mm):
            return []
        if is_grey(page):  # no colour to go by: rings of mid-grey ink (see .seals_grey)
            found, scale, ppm = grey_seals(page)
        else:
            inks = ink_map(page)
            scale, ppm = inks.scale, inks.px_per_mm
            found = []
            for colour in INK_HUES:
                strong = inks.mask(colour, INK_CHROMA)
                if cv2.countNonZero(strong) >= MIN_STRONG_MM2 * ppm**2:
                    found += _seals_in(strong, inks.mask(colour, WEAK_CHROMA), colour, ppm,
                                       inks)
        regions = [_region(f, scale, ppm, page) for f in _suppress(found, ppm)]
        glyphs = [c.bbox for c in page.text.chars if c.bbox is not None and not c.bbox.is_empty]
        return [r for r in regions if not _is_glyph(r.bbox, glyphs)]


def _seals_in(strong: np.ndarray, weak: np.ndarray, colour: str, ppm: float,
              inks: InkMap | None = None) -> list[Found]:
    """Seals among the ink of one colour (``uint8`` 0/255 masks of the work copy); ``inks``
    tells pen ink, darker than stamp ink, for a group that fits no outline
    (:func:`_without_pen`)."""
    closed = cv2.morphologyEx(weak, cv2.MORPH_CLOSE, kernel(CLOSE_MM, ppm))
    ink = _drop_specks(_without_rules(closed, ppm), ppm)
    canvas = Canvas.of(ink, colour, ppm, None if inks is None else inks.hidden)
    groups, boxes = _groups(ink, strong, ppm)
    near, near_boxes = _within_large_groups(ink, strong, ppm, boxes)
    groups, boxes = groups + near, boxes + near_boxes
    found: list[tuple[Found, GroupBox]] = []
    for pts, box in groups:
        f = best_fit(pts, canvas)
        if f is None and inks is not None:
            f = _without_pen(box, ink, strong, inks.pen, canvas)
        if f is not None:
            found.append((f, box))
        elif may_hold_several(box[2], box[3], ppm):
            found += [(g, box) for g in overlapping(pts, box, canvas)]
    rings = [f.ring for f, _ in found if f.ring.shape != "rect"]
    loose = [b for b in boxes if not any(_centre_in(b, r) for r in rings)]
    kept = [f for f, box in found if f.ring.shape != "rect" or not _has_peers(box, loose)]
    if not any(max(w, h) >= RING.min_mm * ppm for _, _, w, h in loose):
        return kept
    return kept + among_print(ink, canvas, kept)


def _without_pen(box: GroupBox, ink: np.ndarray, strong: np.ndarray, pen: np.ndarray,
                 canvas: Canvas) -> Found | None:
    """A group that fits no outline, tried again without its pen ink: a signature in the
    seal's colour (blue-black on a blue seal) written across the ring joins its group and
    spoils the fit. Pen cores are darker than any stamp ink; their rims go with them, and so do
    the specks they leave."""
    ppm = canvas.px_per_mm
    x, y, w, h = box
    strokes = cv2.dilate(pen[y : y + h, x : x + w], kernel(CLOSE_MM, ppm))
    if not strokes.any():
        return None
    rest = np.zeros_like(ink)
    rest[y : y + h, x : x + w] = _drop_specks(cv2.bitwise_and(ink[y : y + h, x : x + w],
                                                              cv2.bitwise_not(strokes)), ppm)
    clean = Canvas.of(rest, canvas.colour, ppm, canvas.hidden)
    fits = [f for pts, _ in _groups(rest, strong, ppm)[0] if (f := best_fit(pts, clean))]
    return max(fits, key=lambda f: f.quality, default=None)


def _without_rules(mask: np.ndarray, ppm: float) -> np.ndarray:
    """``mask`` without horizontal and vertical runs of ``RULE_MM`` or longer: table lines,
    underlines and 红头 rules that a seal is stamped across would join it to a group far
    larger than a seal (the gaps they leave in a ring are narrower than the ring band)."""
    n = max(3, round(RULE_MM * ppm))
    grown = cv2.dilate(mask, np.ones((3, 3), np.uint8))  # bridges breaks and skew steps
    across = cv2.morphologyEx(grown, cv2.MORPH_OPEN, np.ones((1, n), np.uint8))
    down = cv2.morphologyEx(grown, cv2.MORPH_OPEN, np.ones((n, 1), np.uint8))
    rules = cv2.bitwise_or(across, down)
    return cv2.subtract(mask, rules)


def _drop_specks(mask: np.ndarray, ppm: float) -> np.ndarray:
    """``mask`` without pieces smaller than ``MIN_PIECE_MM2``."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < MIN_PIECE_MM2 * ppm**2
    small[0] = True
    return np.where(small[labels], 0, 255).astype(np.uint8)


def _groups(
    ink: np.ndarray, strong: np.ndarray, ppm: float, reach: float = GROUP_MM
) -> tuple[list[tuple[np.ndarray, GroupBox]], list[GroupBox]]:
    """Ink pixels (``N×2`` x/y) and box of each group (ink within ``reach`` mm) of a seal's
    size with enough clear ink; and the boxes of all groups."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(
        cv2.dilate(ink, kernel(reach, ppm)), connectivity=8)
    lo = 0.8 * min(RING.min_mm, SQUARE.min_mm) * ppm
    hi = _max_group(ppm)
    boxes: list[GroupBox] = [(int(s[0]), int(s[1]), int(s[2]), int(s[3])) for s in stats[1:]]
    out: list[tuple[np.ndarray, GroupBox]] = []
    for i, (x, y, gw, gh) in enumerate(boxes, start=1):
        if not lo <= max(gw, gh) <= hi:
            continue
        member = (labels[y : y + gh, x : x + gw] == i).astype(np.uint8)
        if cv2.countNonZero(strong[y : y + gh, x : x + gw] & member) < MIN_STRONG_MM2 * ppm**2:
            continue
        ys, xs = np.nonzero(member & (ink[y : y + gh, x : x + gw] > 0))
        out.append((np.stack([xs + x, ys + y], axis=1).astype(np.int32), (x, y, gw, gh)))
    return out, boxes


def _max_group(ppm: float) -> float:
    """The largest group (px) that may be one seal."""
    return (1.2 * max(RING.max_mm, SQUARE.max_mm) + 2 * GROUP_MM) * ppm


def _within_large_groups(ink: np.ndarray, strong: np.ndarray, ppm: float,
                         boxes: list[GroupBox]
                         ) -> tuple[list[tuple[np.ndarray, GroupBox]], list[GroupBox]]:
    """Groups at ``NEAR_GROUP_MM`` of the ink inside groups too large for a seal: a stamp
    that print or speckle of its colour joins to its neighbours at the usual reach."""
    hi = _max_group(ppm)
    large = [b for b in boxes if max(b[2], b[3]) > hi]
    if not large:
        return [], []
    inside = np.zeros_like(ink)
    for x, y, w, h in large:
        inside[y : y + h, x : x + w] = ink[y : y + h, x : x + w]
    return _groups(inside, strong, ppm, NEAR_GROUP_MM)


def _centre_in(box: GroupBox, ring: Ring) -> bool:
    """Whether the centre of a group's box lies in the box around ``ring`` (part of a seal)."""
    x, y, w, h = box
    hw, hh = ring.half_extent()
    return abs(x + w / 2 - ring.cx) <= hw and abs(y + h / 2 - ring.cy) <= hh


def _has_peers(box: GroupBox, boxes: list[GroupBox]) -> bool:
    """Whether a group has a peer: another group of its ink of about its size, in line with it
    (a row or column) and close by — a square character among the characters of a heading."""
    x, y, w, h = box
    side, cx, cy = max(w, h), x + w / 2, y + h / 2
    for bx, by, bw, bh in boxes:
        if (bx, by, bw, bh) == box or not PEER_SIZE[0] <= max(bw, bh) / side <= PEER_SIZE[1]:
            continue
        dx, dy = abs(bx + bw / 2 - cx), abs(by + bh / 2 - cy)
        if min(dx, dy) <= PEER_OFFSET * side and max(dx, dy) <= PEER_DISTANCE * side:
            return True
    return False


def _suppress(found: list[Found], ppm: float) -> list[Found]:
    """One seal per place: the larger of two finds with nearby centres (one purple seal is
    found among red and among blue ink) or of which one lies inside the other (a piece of a
    seal's text cut by the page edge looks like a square stamp)."""
    keep: list[Found] = []
    for f in sorted(found, key=lambda f: -f.box(ppm).area):
        c, box = f.ring, f.box(ppm)
        if all(math.hypot(c.cx - k.ring.cx, c.cy - k.ring.cy) > 0.5 * k.ring.b
               and box.intersection(k.box(ppm)).area < CONTAINED * box.area for k in keep):
            keep.append(f)
    return keep


def _is_glyph(box: BBox, glyphs: list[BBox]) -> bool:
    """Whether ``box`` is one printed character of the page's text (a big boxed character of a
    red heading, read by the text layer or OCR, looks like a square stamp)."""
    for g in glyphs:
        inter = box.intersection(g).area
        if inter > 0 and inter >= GLYPH_IOU * (box.area + g.area - inter):
            return True
    return False


def _kind(ring: Ring) -> str:
    if ring.shape == "rect":
        return "square"
    return "oval" if ring.a > OVAL_RATIO * ring.b else "round"


def _region(found: Found, scale: float, ppm: float, page: MarkPage) -> Region:
    r, ev = found.ring, found.evidence
    box = found.box(ppm).scale(1.0 / scale)
    if found.partial:  # a cut seal's ink runs to the page edge: so does its region
        edge = page.px(EDGE_MM)
        box = BBox(0.0 if box.x0 <= edge else box.x0, 0.0 if box.y0 <= edge else box.y0,
                   float(page.width) if box.x1 >= page.width - edge else box.x1,
                   float(page.height) if box.y1 >= page.height - edge else box.y1)
    size = f"{2 * r.a / ppm:.0f}×{2 * r.b / ppm:.0f} mm"
    if found.overlapped:
        explanation = f"{found.ink} ink {size} left beside an overlapping seal"
    else:
        where = "on-page " if found.partial else ""
        explanation = f"{found.ink} {_kind(r)} seal {size}, {ev.coverage:.0%} of its {where}" \
                      "outline inked"
    score = min(0.99, 0.5 + 0.5 * found.quality) * (0.9 if found.partial else 1.0)
    return Region(bbox=clip_box(box, page), category="seal", source="mark",
                  rule="seal.partial" if found.partial else f"seal.{_kind(r)}",
                  score=round(score, 3), explanation=explanation)
