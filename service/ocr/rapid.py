"""PP-OCR (PaddleOCR's det/cls/rec models) as ONNX through the ``rapidocr`` wheel.

The models ship inside the pinned ``rapidocr`` wheel; nothing is downloaded. We drive the
wheel's stages ourselves instead of calling ``RapidOCR.__call__`` because we need to:

* find the page orientation once, cheaply: text detection on a reduced copy tells sideways
  pages by the shape of their line boxes, the direction classifier on a few lines tells
  upside-down ones; the detected boxes are reused for recognition (no second detection);
* keep every line, whatever its score (the caller decides what low confidence means — a
  line we cannot read well is still masked if it looks sensitive, and warned about);
* get one box per character (``return_single_char_box``) mapped back to the original image.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from typing import Any

import cv2
import numpy as np

from service.errors import MissingModelError
from service.ocr.base import OcrChar, OcrLine, OcrPage
from service.ocr.geometry import box_to_original, quad_to_bbox, to_upright
from service.types import BBox

log = logging.getLogger(__name__)

#: longest side of the copy used for text detection (the full image is used for recognition).
#: Measured on the real photos: at 960 a phone photo of a lab report (1280 px, turned 90° and
#: tilted) lost its five small footer lines (doctor, staff code, invoice number) and the upright
#: one lost 13 of 79 lines; at 1600 all are found. Detection of an A4 scan at 300 dpi then takes
#: about 2.7 s instead of 1.1 s (2 shared cores); recognition of the lines dominates anyway.
DET_MAX_SIDE = 1600
#: how many of the longest lines the direction classifier looks at
CLS_SAMPLE = 16
#: a tall line read turned the other way replaces the first reading when it scores this much more
TURN_MARGIN = 0.05


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int | None = None) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - dependency is pinned
            raise MissingModelError("the rapidocr package is not installed") from exc
        threads = threads or int(os.environ.get("MANGSHEN_OCR_THREADS", "1"))
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.text_score": 0.0,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Rec.rec_batch_num": 1,  # measured: batches pad to the widest line; 1 is fastest on CPU
        }
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        try:
            self._ocr = RapidOCR(params=params)
            self._det = self._ocr._load_det_model()
            self._cls = self._ocr._load_cls_model()
            self._rec = self._ocr._load_rec_model()
        except Exception as exc:
            raise MissingModelError(f"cannot load the PP-OCR models: {type(exc).__name__}") from exc

    # -- public -------------------------------------------------------------------------
    def read(self, image: np.ndarray) -> OcrPage:
        h, w = image.shape[:2]
        quads = self._detect(image)
        if not quads:
            return OcrPage((), 0, 0.0)
        orientation, conf = self._orientation(image, quads)
        upright = to_upright(image, orientation)
        up_quads = [_rotate_quad(q, orientation, w, h) for q in quads]
        ordered = _rows(up_quads)
        lines = self._recognise(upright, [up_quads[i] for i, _ in ordered], [r for _, r in ordered])
        mapped = tuple(_map_line(line, orientation, w, h) for line in lines)
        return OcrPage(mapped, orientation, conf)

    # -- stages -------------------------------------------------------------------------
    def _detect(self, image: np.ndarray) -> list[np.ndarray]:
        h, w = image.shape[:2]
        scale = min(1.0, DET_MAX_SIDE / max(h, w))
        small = image if scale == 1.0 else cv2.resize(
            image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA
        )
        res = self._det(small)
        if res.boxes is None:
            return []
        return [np.asarray(b, dtype=np.float32) / scale for b in res.boxes]

    def _orientation(self, image: np.ndarray, quads: list[np.ndarray]) -> tuple[int, float]:
        h, w = image.shape[:2]
        wide = tall = 0.0
        for q in quads:
            b = quad_to_bbox(q)
            if b.width > 1.5 * b.height:
                wide += b.width
            elif b.height > 1.5 * b.width:
                tall += b.height
        base = 90 if tall > wide else 0
        upright = to_upright(image, base)
        up = [_rotate_quad(q, base, w, h) for q in quads]
        up.sort(key=lambda q: -quad_to_bbox(q).width)
        crops = [self._ocr.crop_text_regions(upright, np.array([q]))[0] for q in up[:CLS_SAMPLE]]
        crops = [c for c in crops if c.size and c.shape[1] >= c.shape[0]]
        if not crops:
            return base, 0.5
        labels = self._cls(crops).cls_res or []
        flipped = sum(score for label, score in labels if "180" in label)
        straight = sum(score for label, score in labels if "180" not in label)
        total = flipped + straight or 1.0
        if flipped > straight:
            return (base + 180) % 360, flipped / total
        return base, straight / total

    def _recognise(
        self, upright: np.ndarray, quads: list[np.ndarray], rows: list[int]
    ) -> list[OcrLine]:
        from rapidocr.ch_ppocr_rec import TextRecInput

        crops = self._ocr.crop_text_regions(upright, np.array(quads))
        keep = [i for i, c in enumerate(crops) if c.size]
        crops = [crops[i] for i in keep]
        quads = [quads[i] for i in keep]
        rows = [rows[i] for i in keep]
        if not crops:
            return []
        rec = self._rec(TextRecInput(img=crops, return_word_box=True))
        rec, crops, quads = self._read_tall_lines_both_ways(upright, rec, crops, quads)
        rec = self._ocr.cal_rec_boxes(crops, np.array(quads), rec, True)
        lines: list[OcrLine] = []
        for quad, row, txt, score, words in zip(
            quads, rows, rec.txts or (), rec.scores, rec.word_results, strict=False
        ):
            if not txt or not txt.strip():
                continue
            line = _build_line(txt, float(score), words, quad_to_bbox(quad))
            lines.append(replace(line, row=row))
        return lines

    def _read_tall_lines_both_ways(
        self, upright: np.ndarray, rec: Any, crops: list[np.ndarray], quads: list[np.ndarray]
    ) -> tuple[Any, list[np.ndarray], list[np.ndarray]]:
        """A line standing upright on an upright page (a number printed up the margin, a
        ticket pasted sideways into a collage) is turned a quarter turn one way for reading;
        text running the other way comes out as garbage (``360`` for a whole ID number). Such
        lines are read turned the other way too (the quad's corners rolled by two: the crop
        turned 180°) and the better-scored reading is kept, with its quad, so the glyph boxes
        map back through the same corners."""
        from rapidocr.ch_ppocr_rec import TextRecInput

        tall = [i for i, q in enumerate(quads) if _is_tall(q)]
        if not tall or rec.txts is None:
            return rec, crops, quads
        rolled = [np.roll(quads[i], 2, axis=0) for i in tall]
        other_crops = self._ocr.crop_text_regions(upright, np.array(rolled))
        other = self._rec(TextRecInput(img=list(other_crops), return_word_box=True))
        if other.txts is None:
            return rec, crops, quads
        txts, scores, words = list(rec.txts), list(rec.scores), list(rec.word_results)
        crops, quads = list(crops), list(quads)
        for k, i in enumerate(tall):
            if other.scores[k] > scores[i] + TURN_MARGIN and other_crops[k].size:
                txts[i], scores[i], words[i] = other.txts[k], other.scores[k], other.word_results[k]
                crops[i], quads[i] = other_crops[k], rolled[k]
        merged = replace(rec, txts=tuple(txts), scores=scores, word_results=tuple(words))
        return merged, crops, quads


def _is_tall(quad: np.ndarray) -> bool:
    """A quad the recogniser turns a quarter turn (height ≥ 1.5 × width, as rapidocr decides)."""
    width = max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))
    height = max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))
    return bool(width > 0 and height / width >= 1.5)


def _build_line(txt: str, score: float, words: Any, line_box: BBox) -> OcrLine:
    """Align the recognised string (which has spaces) with the per-glyph boxes (which don't)."""
    glyphs = [(str(t), float(c), b) for t, c, b in (words or []) if b is not None and str(t).strip()]
    chars: list[OcrChar] = []
    gi = 0
    for ch in txt:
        if ch.isspace():
            chars.append(OcrChar(" ", None, score))
            continue
        if gi < len(glyphs) and glyphs[gi][0] == ch:
            chars.append(OcrChar(ch, quad_to_bbox(glyphs[gi][2]), glyphs[gi][1]))
            gi += 1
        else:  # the aligner lost this glyph: fall back to the whole line box (over-masks)
            chars.append(OcrChar(ch, line_box, score))
    return OcrLine(_stretch_ends(chars, line_box), score, line_box)


def _stretch_ends(chars: list[OcrChar], line_box: BBox) -> tuple[OcrChar, ...]:
    """Glyph boxes are least precise at the ends of a line (the recogniser places them from
    its time steps); the detected line box is the reliable extent of the ink. The first and
    last glyphs reach out to it (upright image: lines run left to right)."""
    inked = [i for i, c in enumerate(chars) if c.bbox is not None]
    if not inked:
        return tuple(chars)
    out = list(chars)
    first, last = inked[0], inked[-1]
    b = out[first].bbox
    assert b is not None
    out[first] = OcrChar(out[first].text, BBox(min(b.x0, line_box.x0), b.y0, b.x1, b.y1), out[first].conf)
    b = out[last].bbox
    assert b is not None
    out[last] = OcrChar(out[last].text, BBox(b.x0, b.y0, max(b.x1, line_box.x1), b.y1), out[last].conf)
    return tuple(out)


def _map_line(line: OcrLine, orientation: int, w: int, h: int) -> OcrLine:
    if orientation == 0:
        return line
    chars = tuple(
        OcrChar(c.text, None if c.bbox is None else box_to_original(c.bbox, orientation, w, h), c.conf)
        for c in line.chars
    )
    return OcrLine(chars, line.conf, box_to_original(line.bbox, orientation, w, h), line.row)


def _rotate_quad(quad: np.ndarray, orientation: int, w: int, h: int) -> np.ndarray:
    """Quad corners of the original image expressed in the upright image (corner order kept
    so that point 0 is the upright top-left)."""
    if orientation == 0:
        return quad
    from service.ocr.geometry import point_to_upright

    pts = np.array([point_to_upright(float(x), float(y), orientation, w, h) for x, y in quad])
    # reorder: top-left first, clockwise
    s = pts.sum(axis=1)
    d = pts[:, 1] - pts[:, 0]
    tl, br = pts[np.argmin(s)], pts[np.argmax(s)]
    tr, bl = pts[np.argmin(d)], pts[np.argmax(d)]
    return np.array([tl, tr, br, bl], dtype=np.float32)


def _rows(quads: list[np.ndarray]) -> list[tuple[int, int]]:
    """``(quad index, row)`` in reading order: a line joins the current row when its vertical
    centre lies within the row's vertical extent; rows top to bottom, lines left to right."""
    boxes = [quad_to_bbox(q) for q in quads]
    order = sorted(range(len(quads)), key=lambda i: (boxes[i].y0 + boxes[i].y1) / 2)
    rows: list[list[int]] = []
    extent: list[tuple[float, float]] = []
    for i in order:
        cy = (boxes[i].y0 + boxes[i].y1) / 2
        if rows and extent[-1][0] <= cy <= extent[-1][1]:
            rows[-1].append(i)
        else:
            rows.append([i])
            extent.append((boxes[i].y0, boxes[i].y1))
    return [(i, r) for r, members in enumerate(rows) for i in sorted(members, key=lambda j: boxes[j].x0)]
