"""Where pictures are on a page, and how far a pasted photo reaches around a face.

A face can only be in a picture: a pasted photo, an ID-card scan, a group photo. Pictures are
*solid*: nearly every pixel of a 2 mm cell of a photo differs from the paper, while printed text
(CJK body text, headings) leaves paper between its strokes in every cell, and table rules are
thin. So the page is read on a grid of ``CELL_MM`` cells, each judged on ``SAMPLE_PX``²
evenly spread pixels; a cell whose share of non-paper samples reaches ``PICTURE_SHARE`` is
picture, and connected picture cells are seeds. The face detectors only look at windows around
the seeds: a text-only page costs ~2 ms and shows the cascades nothing to mistake for a face.
Measured on 200-dpi A4 pages from :mod:`scripts.corpus.photos`: 60 of 60 text-only pages give
no window; on 288 of 288 pages with a pasted ID photo the face lies in a window (a
white-background photo gives its sitter as the seed). Shaded table rows, black bars, QR codes
and seals do give windows, in which the cascades find nothing.

The photo rectangle around a face (``photo`` mode) is found on the upright window. From the
middle of the face box each side moves outwards while the line it would add is mostly
non-paper, and stops at the photo's edge where paper begins. Two readings of "non-paper" are
grown: clearly darker than the paper (``PAPER_DELTA``), and pale (``PALE_DELTA``: a light-grey
or light-blue backdrop) through nearly solid lines only. A side takes the pale reading where it
ends at a clean edge, else the clear one where that ends at a clean edge; a side that finds no
edge (a white backdrop) gets at least the head-and-shoulders frame ``MIN_*``. Everything stays
inside the frame ``MAX_*`` around the face.
"""

from __future__ import annotations

import cv2
import numpy as np

from service.types import BBox

#: side of a grid cell on paper (~16 px at 200 dpi)
CELL_MM = 2.0
#: samples per cell side (each cell is judged on SAMPLE_PX² pixels)
SAMPLE_PX = 4
#: a pixel is not paper when this much darker (8-bit grey) than the page's paper
PAPER_DELTA = 25
#: share of a cell's samples that must be non-paper for a picture cell; a cell over a dense
#: glyph can reach it (0.1 % of text cells do), a 2 x 2 block of them does not (an opening)
PICTURE_SHARE = 0.85
#: a seed has at least this many cells (~4 x 6 mm), at least 2 cells each way
MIN_SEED_CELLS = 6
#: a window reaches this share of the seed's longer side beyond the seed on every side ...
WINDOW_PAD = 0.5
#: ... and at least this far (mm), so that the face above a seen shirt is inside
WINDOW_PAD_MM = 6.0

#: the photo rectangle stays inside the face box grown by these multiples of the face's side
MAX_SIDE, MAX_TOP, MAX_BOTTOM = 1.0, 0.9, 2.0
#: ... and holds at least the face box grown by these (a head-and-shoulders frame)
MIN_SIDE, MIN_TOP, MIN_BOTTOM = 0.0, 0.1, 0.6
#: growing starts from the face box shrunk by this share of its side on every side (a
#: cascade's box is a little wider than the face and can overhang a tightly cropped photo)
CORE_INSET = 0.25
#: a pale photo background (a light-grey or light-blue backdrop) is this much darker than the
#: paper; growing through such pixels is kept on a side only where it ends at a clean edge
#: (the line beyond has at most CLEAN_SHARE of them) — a tinted card or noisy paper does not
PALE_DELTA = 12
CLEAN_SHARE = 0.15
#: ... and a side grows through pale pixels only while nearly all of its next line is pale (a
#: backdrop is even; a tinted card's surface is only partly this dark under scanner noise)
PALE_SHARE = 0.85
#: a side stops moving out where less than this share of its next line is non-paper
EDGE_SHARE = 0.5
#: blur at a photo's edge after scanning and JPEG (mm added all round)
EDGE_MARGIN_MM = 0.4


def paper_level(gray: np.ndarray) -> int:
    """The paper's grey: the most common level among the brighter three quarters."""
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    return int(np.argmax(hist[64:])) + 64


def sample_grey(image: np.ndarray, step: int) -> np.ndarray:
    """Every ``step``-th pixel of ``image`` (BGR or grey) as grey."""
    view = image[::step, ::step]
    if view.ndim == 2:
        return np.ascontiguousarray(view)
    return cv2.cvtColor(np.ascontiguousarray(view), cv2.COLOR_BGR2GRAY)


def picture_windows(image: np.ndarray, dpi: float) -> tuple[list[BBox], int]:
    """Windows (raster pixels) around the solid pictures of a page, and the paper's grey."""
    cell = max(SAMPLE_PX, round(CELL_MM * dpi / 25.4))
    step = max(1, cell // SAMPLE_PX)
    grey = sample_grey(image, step)
    paper = paper_level(grey)
    rows, cols = grey.shape[0] // SAMPLE_PX, grey.shape[1] // SAMPLE_PX
    if rows < 2 or cols < 2:
        return [], paper
    ink = (grey[: rows * SAMPLE_PX, : cols * SAMPLE_PX] < paper - PAPER_DELTA).astype(np.uint8)
    share = cv2.resize(ink * 255, (cols, rows), interpolation=cv2.INTER_AREA)
    dense = (share >= PICTURE_SHARE * 255).astype(np.uint8)
    solid = cv2.morphologyEx(dense, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    unit = step * SAMPLE_PX  # raster pixels per cell
    pad_min = WINDOW_PAD_MM * dpi / 25.4
    h, w = image.shape[:2]
    windows: list[BBox] = []
    for x, y, cw, ch, area in stats[1:]:
        if area < MIN_SEED_CELLS or cw < 2 or ch < 2:
            continue
        pad = max(WINDOW_PAD * max(cw, ch) * unit, pad_min)
        seed = BBox(x * unit, y * unit, (x + cw) * unit, (y + ch) * unit)
        windows.append(seed.expand(pad).clip(float(w), float(h)))
    return merge_boxes(windows), paper


def merge_boxes(boxes: list[BBox]) -> list[BBox]:
    """Unite overlapping boxes until none overlap."""
    out = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                if out[i].intersects(out[j]):
                    out[i] = out[i].union(out.pop(j))
                    merged = True
                    break
            if merged:
                break
    return out


def photo_extent(grey: np.ndarray, face: BBox, paper: int, dpi: float) -> BBox:
    """The pasted photo's rectangle around ``face`` on the upright window ``grey``."""
    h, w = grey.shape[:2]
    f = face.width
    outer = BBox(
        face.x0 - MAX_SIDE * f,
        face.y0 - MAX_TOP * f,
        face.x1 + MAX_SIDE * f,
        face.y1 + MAX_BOTTOM * f,
    ).clip(float(w), float(h))
    inner = BBox(
        face.x0 - MIN_SIDE * f,
        face.y0 - MIN_TOP * f,
        face.x1 + MIN_SIDE * f,
        face.y1 + MIN_BOTTOM * f,
    ).intersection(outer)
    ox, oy = int(outer.x0), int(outer.y0)
    crop = grey[oy : int(np.ceil(outer.y1)), ox : int(np.ceil(outer.x1))]
    if crop.size == 0:
        return inner
    ch, cw = crop.shape[:2]
    c = face.expand(-CORE_INSET * f)
    core = (
        int(min(max(c.x0 - ox, 0), cw - 1)),
        int(min(max(c.y0 - oy, 0), ch - 1)),
        int(min(max(c.x1 - ox, 1), cw)),
        int(min(max(c.y1 - oy, 1), ch)),
    )
    strict = cv2.integral((crop < paper - PAPER_DELTA).astype(np.uint8))
    soft = cv2.integral((crop < paper - PALE_DELTA).astype(np.uint8))
    a, b = _grow(strict, core, EDGE_SHARE), _grow(soft, core, PALE_SHARE)
    limits = (0, 0, cw, ch)
    least = (inner.x0 - ox, inner.y0 - oy, inner.x1 - ox, inner.y1 - oy)
    sides: list[float] = []
    for i in range(4):
        if b[i] != limits[i] and _clean(soft, b, i):
            sides.append(b[i])  # a pale backdrop ending at a clean edge
        elif a[i] != limits[i] and _clean(strict, a, i):
            sides.append(a[i])  # the photo's edge against paper
        else:  # no edge seen (a white backdrop): at least the head-and-shoulders frame
            sides.append(min(a[i], least[i]) if i < 2 else max(a[i], least[i]))
    grown = BBox(sides[0] + ox, sides[1] + oy, sides[2] + ox, sides[3] + oy)
    margin = EDGE_MARGIN_MM * dpi / 25.4
    return grown.expand(margin).intersection(outer.expand(margin)).clip(w, h)


Box4 = tuple[int, int, int, int]


def _share(integral: np.ndarray, ax: int, ay: int, bx: int, by: int) -> float:
    """Share of set pixels in ``[ax, bx) x [ay, by)`` from an integral image."""
    total = integral[by, bx] - integral[ay, bx] - integral[by, ax] + integral[ay, ax]
    return float(total) / max((bx - ax) * (by - ay), 1)


def _line_beyond(box: Box4, side: int) -> Box4:
    """The one-pixel line just outside ``side`` (0 left, 1 top, 2 right, 3 bottom) of ``box``."""
    x0, y0, x1, y1 = box
    return ((x0 - 1, y0, x0, y1), (x0, y0 - 1, x1, y0), (x1, y0, x1 + 1, y1), (x0, y1, x1, y1 + 1))[
        side
    ]


def _clean(integral: np.ndarray, box: Box4, side: int) -> bool:
    """Whether the line beyond a side is nearly all paper: a real edge, not a pale surface."""
    return _share(integral, *_line_beyond(box, side)) <= CLEAN_SHARE


def _grow(integral: np.ndarray, box: Box4, need: float) -> Box4:
    """Move the sides of ``box`` out while at least ``need`` of the line beyond them is set."""
    h, w = integral.shape[0] - 1, integral.shape[1] - 1
    limits = (0, 0, w, h)
    step = (-1, -1, 1, 1)
    cur = list(box)
    moving = True
    while moving:
        moving = False
        for side in range(4):
            if (
                cur[side] != limits[side]
                and _share(integral, *_line_beyond((cur[0], cur[1], cur[2], cur[3]), side)) >= need
            ):
                cur[side] += step[side]
                moving = True
    return cur[0], cur[1], cur[2], cur[3]
