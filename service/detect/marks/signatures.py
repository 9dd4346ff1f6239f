"""Handwritten signatures (签名/签字/签章) on page rasters.

Design
------
Pen ink is found on a reduced upright copy of the page (:mod:`.signatures_ink`): ink darker
than the local paper, minus seal red and purple, minus table rules, minus print — components
that lie in the glyph boxes of printed text and are no taller than those boxes (a stroke
across printed lines is taller). What counts as printed text needs care: OCR reads scrawl as
junk, but also reads initials and Latin scrawl as letters with full confidence, so OCR glyphs
much taller than the body text, in lines in doubt, or tall or blue in a signature field are not
taken for print (:func:`print_glyphs`, :mod:`.signatures_text`). The rest is grouped into
clusters across pen lifts (:mod:`.signatures_features`), and each cluster is judged:

* ``signature.field`` — the cluster lies in a signature field: right of a label on the same
  line (up to :data:`FIELD_RIGHT_MM`) or just below it (:data:`FIELD_BELOW_MM`). Labels come
  from the page text and ``redaction_rules/marks/signatures.yaml``: 签名, 签字, 签章 …
  anywhere; roles (审核人, 医师, 记录者 …) only where they end their cell. In a field, pen ink
  larger than a glyph, on paper, is enough (a printed name there is text, removed as print).
* ``signature.handwriting`` — anywhere else the cluster must look like handwriting: a
  signature's size, enough pen travel, many times its own diagonal (``twist``: chart lines,
  rules, arrows and formula signs are near 1, a scrawl 2–5), mostly curved outline (charts and
  diagrams are straight pieces; straight-stroke initials pass in blue ink only), an outline
  not along the axes (bars, boxes, barcodes, print), one ink colour (chart series have
  several), on plain paper (not a photo), not a QR code's tangle of modules.

Either way pale stamp ink and a seal's ring are not signatures: inside a seal the seal
detector found (``MarkPage.seals``), ink paler than a pen is cleared before clustering, but for
the rims of pen-dark strokes off the print; elsewhere a cluster holding a ring is judged by its
pen-dark ink alone (a blue seal with a signature written across it). Accepted clusters side by side
on one line (characters written apart) become one region: their extent plus :data:`MARGIN_MM`,
in raster pixels.

Measured with ``python scripts/signature_sweep.py`` (forms and print pages made by
:mod:`scripts.signature_pages` and :mod:`scripts.corpus.handwriting`; half born-digital at
100–200 dpi with raster or vector signatures, half 200-dpi scans with tint, noise, blur, JPEG,
skew ±1.5° and quarter turns), 102 signatures a run in four styles and three inks:

* imitated OCR boxes, seeds 1–3: recall 0.98–0.99 (fields 0.99–1.00, among print 0.96); no
  region on 60 print pages (tables, line and bar charts, formulas, flow charts) nor on 60 forms
  with printed names in their fields;
* the pipeline's recogniser (``--ocr``), seeds 7–8: recall 0.95–0.97 (fields 0.99, among print
  0.83–0.92; missed: scrawl across dense print, black straight-stroke initials read as
  letters); 1 false region on 180 pages (a piece of a line chart);
* the whole pipeline on generated corpora (``scripts/evaluate.py``; 8 kinds with seals, photos,
  QR codes, red headings, printed names in 签字 fields; born-digital and scans in 4 turns):
  seeds 44, 47, 48, 49 (288 files): 166/166 signatures masked, no false signature region.
  Found on them and mended: seals stamped across signatures (and blue ones in the pen's colour), grey
  seal rings over print, labels read on one line with the scrawl, a colon's box stretched over
  it, underline flourishes taken for rules — first runs of the fresh seeds 47 and 48 found
  35/36 and 34/36.

Time per 200-dpi A4 scan on this 2-core machine: 0.03–0.05 s (median, with the page's text);
0.053 s in ``scripts/benchmark.py --only marks``, which passes no text (all print is then a
candidate). The work is on a copy reduced to 100 dpi; features are measured lazily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import cv2
import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from service.detect.marks import signatures_features as sf
from service.detect.marks import signatures_ink as ink
from service.detect.marks import signatures_text as st
from service.detect.marks.base import MarkPage, clip_box
from service.errors import InvalidRulesError
from service.rules import yamlio
from service.types import BBox, PageText, Region

#: how far right of a label its field reaches (same line)
FIELD_RIGHT_MM = 75.0
#: how far above and below the label's centre line a signature in the field may reach
FIELD_HALF_HEIGHT_MM = 9.0
#: surely read glyphs this far left of a label, on its line, are print (the rest of the label:
#: 负责人 of 负责人签字), even when OCR read them on one line with the signature
LABEL_LEFT_MM = 15.0
#: how far below a label its field reaches, and how far left/right of the label
FIELD_BELOW_MM = 22.0
FIELD_BELOW_SIDES_MM = (10.0, 45.0)
#: a role label ends its cell when the next printed glyph is at least this many glyphs away
ROLE_GAP_GLYPHS = 1.0
#: an OCR glyph taller than this many times the body text is not print (titles are up to about
#: twice the body; signatures read as text are 1.0–3.3 times, most 1.7–2.5); nor a line in
#: doubt (:func:`.signatures_text.read_glyphs`) with a glyph taller than TALL_DOUBT × the body;
#: in a field, a glyph taller than these many times the label's glyphs (beside it — a printed
#: name in a larger font is up to ~1.3 — or than TALL_BESIDE_BODY × the body; below it, where
#: the next rows may be set larger)
TALL_GLYPH = 2.2
TALL_DOUBT = 1.6
TALL_BESIDE_LABEL = 1.4
TALL_BESIDE_BODY = 1.8
TALL_BELOW_LABEL = 1.8
#: in a field: least pen travel (mm), extent (mm; more than a printed glyph) and twist of a
#: signature, largest size (w, h), and the share of the non-ink pixels in its box that must
#: look like paper (photos fail)
FIELD_MIN_LENGTH_MM = 8.0
FIELD_MIN_EXTENT_MM = 5.0
FIELD_MIN_TWIST = 1.0
MAX_SIZE_MM = (130.0, 45.0)
FIELD_MIN_PAPER = 0.7
#: pen travel per connected piece: pen strokes are long (signatures 2 mm and more), the specks
#: left of a stamp or a speckled scan are not
MIN_PIECE_MM = 1.2
#: ink over the cluster's box: pen lines leave most of it blank (signatures 0.1–0.55, a QR code
#: or a dense photo edge map more)
MAX_FILL = 0.6
#: the darkest tenth of pen ink is at least MIN_DEPTH darker than the paper (measured 148 and
#: up at 100 dpi; pale stamp ink less). Ink along RING_COVER of the ellipse around a cluster
#: (from RING_MIN_MM across; signatures measured up to 0.42 at that size) is a seal's ring:
#: blue seals are not told from blue ink by colour. Of such a cluster only the ink at least
#: RING_PEN_DEPTH darker than the paper is judged (a signature written across the ring: stamp
#: ink measured 40–120, pen 140–220), and that again as a ring only if that dark
MIN_DEPTH = 100.0
RING_COVER = 0.5
RING_PEN_DEPTH = 140.0
#: in a seal found by the seal detector, ink this close to ink as dark as a pen is the pen's
#: (the paler rim and thin ends of its strokes); the rest of the ink there is the stamp's
PEN_RIM_MM = 1.0
#: ... in pieces of at least this much ink (mm²)
PEN_CORE_MM2 = 1.5
#: among print: least pen travel, size range (w, h), twist (signatures 2–9; a QR code's
#: modules twist more) and paper share
FREE_MIN_LENGTH_MM = 25.0
FREE_MIN_SIZE_MM = (6.0, 5.0)
FREE_MAX_SIZE_MM = (90.0, 40.0)
FREE_MIN_TWIST = 2.0
FREE_MAX_TWIST = 10.0
FREE_MIN_PAPER = 0.85
#: among print: most straight share of the outline (other ink / blue ink up to the size of
#: initials: a chart with a blue series is larger), most share of the outline's gradient along
#: the axes (scrawls 0.2–0.6; bars, boxes, barcodes near 1), most spread of colour among
#: coloured ink
FREE_MAX_STRAIGHT = 0.55
FREE_MAX_STRAIGHT_BLUE = 0.75
BLUE_INITIALS_MM = (50.0, 25.0)
FREE_MAX_AXIS = 0.7
MAX_HUES = 35.0
#: among print: a cluster at most PRINT_LINE_MM[0] high, PRINT_LINE_MM[1] times as wide, in
#: PRINT_LINE_PIECES pieces or more is a line of print OCR missed (signatures measured are
#: never that flat among print)
PRINT_LINE_MM = (7.0, 4.0)
PRINT_LINE_PIECES = 6
#: share of blue among the solid ink that makes a blue pen (print is black)
BLUE_INK = 0.3
#: straight strokes taken out as rules this close to a signature, at most FLOURISH_LENGTH times
#: its extent, belong to it (an underline flourish)
FLOURISH_MM = 1.0
FLOURISH_LENGTH = 1.3
#: ... and run level (at least FLOURISH_FLAT times as wide as high) across its lower half or
#: under it (the straight pieces of a seal's ring beside it are not taken in)
FLOURISH_FLAT = 4.0
#: region margin around the strokes; accepted clusters this close on one line are one region
MARGIN_MM = 1.0
JOIN_MM = 10.0


class SignatureRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    field_labels: tuple[str, ...]
    role_labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Field:
    """A label's field in work pixels: ``right`` of the label and ``below`` it; ``glyph`` is
    the height of the label's glyph boxes, ``label`` their extent."""

    right: BBox
    below: BBox
    glyph: float
    label: BBox

    def holds(self, box: BBox) -> bool:
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        return any(z.x0 <= cx <= z.x1 and z.y0 <= cy <= z.y1 for z in (self.right, self.below))



@dataclass(frozen=True, slots=True)
class Verdict:
    rule: str
    score: float
    why: str


@lru_cache(maxsize=2)
def load_rules(path: str | None = None) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The compiled field labels and role labels."""
    p = Path(path) if path else Path(str(files("redaction_rules") / "marks" / "signatures.yaml"))
    try:
        spec = SignatureRules.model_validate(yamlio.safe_load(p.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise InvalidRulesError(
            f"signature rules {p.name} are invalid: {type(exc).__name__}"
        ) from None
    if not spec.field_labels or any(not w.strip() for w in spec.field_labels + spec.role_labels):
        raise InvalidRulesError(f"signature rules {p.name}: empty label list or blank label")
    return _alternation(spec.field_labels), _alternation(spec.role_labels)


def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for ``words``, longest first; Latin words only as whole words (``Signed``
    is not in ``designed``)."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    parts = [rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in ordered]
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)


class SignatureDetector:
    name = "signature"
    categories = frozenset({"signature"})

    def __init__(self, rules_path: str | None = None) -> None:
        self._labels, self._roles = load_rules(rules_path)

    def detect(self, page: MarkPage) -> list[Region]:
        work = ink.prepare(page)
        allink, paper = ink.ink_mask(work)
        ruled = ink.rules(allink, work)
        found = allink.copy()
        found[ruled > 0] = 0
        fields = find_fields(page.text, work, self._labels, self._roles)
        glyphs = print_glyphs(st.read_glyphs(page.text, work), fields, work, paper)
        printed = st.text_mask(glyphs, work)
        for seal in page.seals:  # stamp ink is paler than a pen: what is left crossed the seal
            _without_stamp_ink(found, paper, printed, work, seal)
        pen = ink.pen_components(found, printed, work)
        if not pen.any():
            return []
        layers = sf.Layers(allink, paper, printed, ruled)
        accepted: list[tuple[BBox, Verdict]] = []
        for c in sf.clusters(pen, layers, work):
            # a seal's ring (blue seals are not told from blue ink by colour) with strokes
            # across it: only the strokes as dark as a pen are judged
            parts = sf.clusters(c.dark_part(RING_PEN_DEPTH), layers, work) if _ringed(c) else [c]
            accepted += [(d.box, v) for d in parts if (v := judge(d, fields)) is not None]
        accepted = _with_flourishes(accepted, ruled, work)
        m = MARGIN_MM * work.px_per_mm
        return [
            Region(clip_box(work.to_page(box.expand(m)), page), "signature", "mark", v.rule,
                   v.score, explanation=v.why)
            for box, v in _merge(accepted, JOIN_MM * work.px_per_mm)
        ]


def _with_flourishes(accepted: list[tuple[BBox, Verdict]], ruled: np.ndarray, work: ink.Work
                     ) -> list[tuple[BBox, Verdict]]:
    """Accepted signatures grown by the level strokes taken out as rules that touch their lower
    half (within :data:`FLOURISH_MM`) and are no longer than :data:`FLOURISH_LENGTH` × the
    signature's width: the underline flourish of a signature, or the printed line it is written
    on; table rules run on far longer (upright work pixels)."""
    if not accepted or not ruled.any():
        return accepted
    n, _, stats, _ = cv2.connectedComponentsWithStats(ruled, connectivity=8)
    reach = FLOURISH_MM * work.px_per_mm
    out = []
    for box, v in accepted:
        near = box.expand(reach)
        longest = FLOURISH_LENGTH * box.width
        for x, y, w, h, _area in stats[1:n]:
            piece = BBox(float(x), float(y), float(x + w), float(y + h))
            under = y + h / 2 >= (box.y0 + box.y1) / 2  # across the lower half or below it
            if w >= FLOURISH_FLAT * h and w <= longest and under and piece.intersects(near):
                box = box.union(piece)
        out.append((box, v))
    return out


def _without_stamp_ink(ink_mask: np.ndarray, paper: np.ndarray, printed: np.ndarray,
                       work: ink.Work, seal: BBox) -> None:
    """Clear (in place) the ink in a seal's box (page pixels) but for pen-dark strokes off the
    printed text and their rims (:data:`PEN_RIM_MM`): the seal's ring and text, which on grey
    scans and in blue look like pen strokes and join the print they cross, go; print is print."""
    b = work.from_page(seal).clip(float(work.gray.shape[1]), float(work.gray.shape[0]))
    y0, y1, x0, x1 = int(b.y0), int(np.ceil(b.y1)), int(b.x0), int(np.ceil(b.x1))
    if x1 <= x0 or y1 <= y0:
        return
    dark = paper[y0:y1, x0:x1].astype(np.int16) - work.gray[y0:y1, x0:x1]
    pen = ((dark >= RING_PEN_DEPTH) & (printed[y0:y1, x0:x1] == 0)).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(pen, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < PEN_CORE_MM2 * work.px_per_mm**2
    small[0] = True
    pen = (~small[labels]).astype(np.uint8)  # dots of print OCR missed (a colon) are no pen
    k = work.mm(PEN_RIM_MM) | 1
    near = cv2.dilate(pen, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    ink_mask[y0:y1, x0:x1][near == 0] = 0


def print_glyphs(glyphs: st.Glyphs, fields: list[Field], work: ink.Work, paper: np.ndarray
                 ) -> st.Glyphs:
    """The glyphs that are print. OCR reads handwriting too, often with full confidence: an OCR
    glyph box taller than :data:`TALL_GLYPH` × the body text is not print, nor the glyphs of a
    line in doubt taller than :data:`TALL_DOUBT` × the body, nor in a signature field one over
    blue ink or taller than the label allows (:data:`TALL_BESIDE_LABEL`,
    :data:`TALL_BELOW_LABEL`). A label and the print before it on its line are print. (Among print blue is no sign: links, and the titles of
    certificates, are printed in blue.)"""
    if not glyphs.ocr.any():
        return glyphs
    b = glyphs.boxes
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    body = glyphs.body_height()
    limit = np.full(len(b), TALL_GLYPH * body)
    in_field = np.zeros(len(b), bool)
    for f in fields:
        # a label read on one line with the signature gets the signature's height: beside the
        # label the body text is a second yardstick
        beside = min(TALL_BESIDE_LABEL * f.glyph, TALL_BESIDE_BODY * body)
        for zone, most in ((f.right, beside), (f.below, TALL_BELOW_LABEL * f.glyph)):
            inside = _inside(zone, cx, cy)
            limit[inside] = np.minimum(limit[inside], most)
            in_field |= inside
    tall = glyphs.heights > TALL_DOUBT * body
    doubt = glyphs.doubt & tall
    keep = ~glyphs.ocr | (
        (glyphs.heights <= limit) & ~np.isin(glyphs.line, glyphs.line[doubt])
        & (glyphs.sure | ~tall)  # an unsure glyph of a sure line: print if of body height
    )
    before = LABEL_LEFT_MM * work.px_per_mm
    for f in fields:  # the label and the print just before it on its line (负责人签字：) are
        # print, however the line they were read on with a signature looks: the pen follows
        keep |= ((cx <= f.label.x1) & (cx >= f.label.x0 - before) & (cy >= f.label.y0)
                 & (cy <= f.label.y1) & glyphs.sure)
    check = glyphs.ocr & keep & in_field
    if check.any():
        blue = sf.BlueInk(work, paper)
        for i in np.flatnonzero(check):
            keep[i] = blue.share(BBox(*(float(v) for v in b[i]))) < BLUE_INK
    return glyphs.subset(keep)


def _inside(z: BBox, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x >= z.x0) & (x <= z.x1) & (y >= z.y0) & (y <= z.y1)


def judge(c: sf.Cluster, fields: list[Field]) -> Verdict | None:
    """The rule a cluster passes, if any (cheap tests first: features are measured lazily)."""
    if any(f.holds(c.box) for f in fields) and _field_ink(c):
        v = Verdict("signature.field", 0.9, "pen strokes in a signature field")
    elif _handwriting(c):
        score = round(min(0.9, 0.5 + 0.1 * c.twist), 3)
        v = Verdict("signature.handwriting", score, "curved pen strokes among print")
    else:
        return None
    if c.depth < MIN_DEPTH or (c.ring >= RING_COVER and c.depth < RING_PEN_DEPTH):
        return None  # pale stamp ink, a seal's ring
    return v


def _ringed(c: sf.Cluster) -> bool:
    """Whether the cluster is a seal's size both ways and holds its ring, on paper (a framed
    picture's hull meets its frame all round, too) — cheap tests first."""
    return (min(c.w_mm, c.h_mm) >= sf.RING_MIN_MM and c.ring >= RING_COVER
            and c.paper >= FIELD_MIN_PAPER)


def _field_ink(c: sf.Cluster) -> bool:
    """Pen ink of some extent on paper: what a signature field holds besides print."""
    return (
        c.length_mm >= FIELD_MIN_LENGTH_MM
        and max(c.w_mm, c.h_mm) >= FIELD_MIN_EXTENT_MM
        and c.w_mm <= MAX_SIZE_MM[0]
        and c.h_mm <= MAX_SIZE_MM[1]
        and c.twist >= FIELD_MIN_TWIST
        and c.fill <= MAX_FILL
        and c.length_mm >= MIN_PIECE_MM * c.components
        and c.paper >= FIELD_MIN_PAPER
    )


def _handwriting(c: sf.Cluster) -> bool:
    """Handwriting without a label (see the module notes)."""
    if not (
        FREE_MIN_SIZE_MM[0] <= c.w_mm <= FREE_MAX_SIZE_MM[0]
        and FREE_MIN_SIZE_MM[1] <= c.h_mm <= FREE_MAX_SIZE_MM[1]
        and c.length_mm >= FREE_MIN_LENGTH_MM
        and FREE_MIN_TWIST <= c.twist <= FREE_MAX_TWIST
        and c.fill <= MAX_FILL
        and c.length_mm >= MIN_PIECE_MM * c.components
        and not _print_line(c)
    ):
        return False
    initials = (c.blue >= BLUE_INK and c.w_mm <= BLUE_INITIALS_MM[0]
                and c.h_mm <= BLUE_INITIALS_MM[1])
    return (
        c.straight <= (FREE_MAX_STRAIGHT_BLUE if initials else FREE_MAX_STRAIGHT)
        and c.axis <= FREE_MAX_AXIS
        and c.hues <= MAX_HUES
        and c.paper >= FREE_MIN_PAPER
    )


def _print_line(c: sf.Cluster) -> bool:
    """A row of glyphs no text was read for: one line high, long, in many pieces."""
    return (c.h_mm <= PRINT_LINE_MM[0] and c.w_mm >= PRINT_LINE_MM[1] * c.h_mm
            and c.components >= PRINT_LINE_PIECES)


def _merge(found: list[tuple[BBox, Verdict]], gap: float) -> list[tuple[BBox, Verdict]]:
    """Accepted clusters side by side on one line (a name written as separate characters):
    at most ``gap`` apart and overlapping vertically by half the lower one; the stronger
    verdict names the whole."""
    out: list[tuple[BBox, Verdict]] = []
    for box, v in sorted(found, key=lambda f: f[0].x0):
        for k, (b, w) in enumerate(out):
            overlap = min(b.y1, box.y1) - max(b.y0, box.y0)
            if box.x0 - b.x1 <= gap and overlap >= 0.5 * min(b.height, box.height):
                out[k] = (b.union(box), v if v.score > w.score else w)
                break
        else:
            out.append((box, v))
    return out


# -- labels ----------------------------------------------------------------------------------


def find_fields(
    text: PageText, work: ink.Work, labels: re.Pattern[str], roles: re.Pattern[str]
) -> list[Field]:
    """The fields of signature labels in the page text (work pixels, upright)."""
    s = text.text
    out: list[Field] = []
    for pattern, is_role in ((labels, False), (roles, True)):
        for m in pattern.finditer(s):
            end = _label_end(text, m.end())
            if is_role and end is None:
                continue
            chars = text.chars[m.start() : end or m.end()]
            boxes = [c.bbox for c in chars if c.bbox is not None]
            if boxes:
                up = [st.trim_wide(work.from_page(b)) for b in boxes]
                glyph = float(np.median([b.height for b in up]))
                out.append(_field(BBox.around(up), glyph, work))
    return out


def _label_end(text: PageText, end: int) -> int | None:
    """Where a label ends (after its colon), or ``None`` if printed text runs on after it."""
    chars = text.chars
    i = end
    while i < len(chars) and chars[i].text == " ":
        i += 1
    if i >= len(chars) or chars[i].text in ("\n", "\t"):
        return end
    if chars[i].text in (":", "："):
        return i + 1
    last, nxt = chars[end - 1].bbox, chars[i].bbox
    if last is None or nxt is None:
        return end
    glyph = max(min(last.width, last.height), 1e-6)
    gap = max(nxt.x0 - last.x1, nxt.y0 - last.y1, last.x0 - nxt.x1, last.y0 - nxt.y1)
    return end if gap >= ROLE_GAP_GLYPHS * glyph else None


def _field(label: BBox, glyph: float, work: ink.Work) -> Field:
    mm = work.px_per_mm
    cy = (label.y0 + label.y1) / 2
    half = FIELD_HALF_HEIGHT_MM * mm
    right = BBox(label.x1 - mm, cy - half, label.x1 + FIELD_RIGHT_MM * mm, cy + half)
    left, extra = FIELD_BELOW_SIDES_MM
    below = BBox(label.x0 - left * mm, label.y1 - mm, label.x1 + extra * mm,
                 label.y1 + FIELD_BELOW_MM * mm)
    return Field(right, below, glyph, label)
