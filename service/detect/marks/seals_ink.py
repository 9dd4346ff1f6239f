"""Stamp-pad ink for the seal detector: where on a page raster is red or blue/violet ink.

1. Work copy: the page is reduced by a whole factor (OpenCV's fast area path) to about
   ``WORK_DPI``; averaging also calms JPEG's chroma noise.
2. Paper: a max filter over ``PAPER_WINDOW_MM`` (wider than any stroke) on a further reduced
   copy estimates the local paper colour; dividing by it white-balances yellowish, greyish or
   pinkish scans and uneven lighting.
3. Ink: in Lab of the balanced copy, a pixel's chroma (distance from grey, smoothed over 3×3 px)
   is its ink strength and the hue angle of the smoothed a*b* its colour: red wraps through 0°
   (pink to orange-red), blue/violet lies around 270° and reaches down to teal at 185° (a
   blue-green stamp pad; green print, 100–160°, stays out; purple falls in both ranges). Black
   print and paper have no chroma; yellow highlighter, green and skin tones lie outside both.
4. Fringes: on tinted paper JPEG smears the tint's complement around black print (chroma is
   stored at half resolution); within ``FRINGE_MM`` of dark print the threshold rises by
   ``FRINGE_GAIN`` × the page's median chroma there. Measured on generated pages (work copy):
   yellow paper at JPEG q60 median 2.8, 99.5th percentile 7; the same without JPEG 0.8 and
   1.7; white paper 0. Print on coloured print (step 6: a bus ticket's green band, chroma
   ~40) has no fringe to measure and stays out of that median.
5. Noise floor: a phone photo of a tinted receipt carries chroma noise of the ink's own hue
   all over (colour casts, paper texture, demosaicing: the median of red-hue chroma over
   ``NOISE_WINDOW_MM`` reaches 1–3 on receipt photos, 0 on scans and generated pages); a
   colour's threshold rises to ``NOISE_GAIN`` × that local median, at most ``NOISE_CAP``, so
   that faint ink is read on clean paper and a noisy photo's speckle does not fill a seal's
   ring and interior. The window is wider than a seal and the cap below stamp ink: a filled
   (阴文) name stamp that fills a narrower window would raise its own threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from service.detect.marks.base import MarkPage

#: resolution of the work copy: a 1 mm ring is ~3 px, a 200-dpi A4 page (factor 3) ~450k px
WORK_DPI = 72.0
#: ... but a small raster keeps at least this many work pixels across its short side: a phone
#: photo or a downscaled ticket whose true resolution is below the assumed one would lose its
#: thin seal rings (0.5 mm at ~100 dpi true) to a reduction meant for a 200-dpi scan
MIN_WORK_SIDE = 400
#: window of the paper-colour max filter: wider than any stroke, narrower than paper shading
PAPER_WINDOW_MM = 7.0
#: see the module docstring, step 4
FRINGE_GAIN = 2.5
FRINGE_MM = 2.0
#: grey level (full resolution) of "dark print" that JPEG fringes gather around
DARK_GRAY = 110
#: grey level (full resolution) darker than stamp ink (translucent: measured 125 and up on
#: generated scans, 67 for the blue pad colour at full strength) but not than a pen's core
#: (blue-black and black pens 35–50); a work pixel is pen ink when PEN_SHARE of it is
PEN_GRAY = 60
PEN_SHARE = 0.25
#: ... and coloured (channels PEN_SPREAD apart: blue-black 52; black print, which a seal is
#: stamped over, and a black pen, which joins no group of coloured ink, are not)
PEN_SPREAD = 25
#: see the module docstring, step 5
NOISE_WINDOW_MM = 10.0
NOISE_GAIN = 2.0
NOISE_CAP = 5.0
#: see the module docstring, step 6
BACKGROUND_MM = 5.0
HIDDEN_CHROMA = 12.0
#: hue ranges (degrees in the a*b* plane, 0° = +a* = red-magenta, 90° = +b* = yellow)
INK_HUES: dict[str, tuple[tuple[float, float], ...]] = {
    "red": ((300.0, 360.0), (0.0, 72.0)),
    "blue": ((185.0, 325.0),),
}


@dataclass(frozen=True)
class InkMap:
    """Ink strength and hue of every pixel of the work copy (``scale`` × the page)."""

    strength: np.ndarray
    hue: np.ndarray
    scale: float
    px_per_mm: float
    page: np.ndarray  # the page raster the work copy was made from (BGR)
    hidden: np.ndarray  # uint8 0/255: work pixels on coloured print (module docstring, step 6)

    @cached_property
    def pen(self) -> np.ndarray:
        """Work pixels of coloured pen ink (uint8 0/255): ``PEN_SHARE`` of their page pixels
        darker than ``PEN_GRAY`` and coloured. Only a group that fits no outline asks."""
        image = self.page
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        pen = np.zeros_like(gray)
        ys, xs = np.nonzero(gray < PEN_GRAY)  # print and pens: a small share of the page
        if len(ys):
            px = image[ys, xs].astype(np.int16)
            coloured = px.max(axis=1) - px.min(axis=1) >= PEN_SPREAD
            pen[ys[coloured], xs[coloured]] = 255
        if self.scale == 1.0:
            return pen
        h, w = self.strength.shape[:2]  # the work copy's size: the same reduction
        pen = cv2.resize(pen, (w, h), interpolation=cv2.INTER_AREA)
        return cv2.threshold(pen, PEN_SHARE * 255 - 1, 255, cv2.THRESH_BINARY)[1]

    def mask(self, ink: str, threshold: float) -> np.ndarray:
        """``uint8`` 0/255 mask of ink of colour ``ink`` at least ``threshold`` strong and above
        the local noise floor of that colour (module docstring, step 5)."""
        in_hue = self._in_hue(ink)
        floor = self._floor(ink)
        return (in_hue & (self.strength >= np.maximum(threshold, floor))).astype(np.uint8) * 255

    def _in_hue(self, ink: str) -> np.ndarray:
        return _in_hues(self.hue, {ink: INK_HUES[ink]})

    def _floor(self, ink: str) -> np.ndarray:
        """``NOISE_GAIN`` × the local median chroma of colour ``ink`` (float32, work copy),
        taken on a copy reduced 4× (0.1 steps of chroma)."""
        floors = self._floors
        if ink not in floors:
            chroma = np.where(self._in_hue(ink), np.clip(self.strength, 0.0, 25.5), 0.0)
            h, w = chroma.shape
            tiny = cv2.resize(chroma.astype(np.float32), (max(1, w // 4), max(1, h // 4)),
                              interpolation=cv2.INTER_AREA)
            k = min(255, max(3, int(NOISE_WINDOW_MM * self.px_per_mm / 4) | 1))
            median = cv2.medianBlur(np.rint(tiny * 10).astype(np.uint8), k)
            floor = cv2.resize(np.minimum(median.astype(np.float32) * (NOISE_GAIN / 10),
                                          NOISE_CAP), (w, h), interpolation=cv2.INTER_LINEAR)
            floors[ink] = floor
        return floors[ink]

    @cached_property
    def _floors(self) -> dict[str, np.ndarray]:
        return {}


def ink_map(page: MarkPage) -> InkMap:
    small, dark, scale = _work_copy(page)
    px_per_mm = page.px(1.0) * scale
    paper = _paper(small, px_per_mm)
    balanced = cv2.divide(small, np.maximum(paper, 1), scale=255.0)
    lab = cv2.cvtColor(balanced, cv2.COLOR_BGR2Lab)
    a0 = lab[:, :, 1].astype(np.float32) - 128.0
    b0 = lab[:, :, 2].astype(np.float32) - 128.0
    chroma = cv2.GaussianBlur(cv2.magnitude(a0, b0), (3, 3), 0)
    # the hue of the same neighbourhood: a grey pixel at a stroke's edge takes its chroma from
    # the stroke and must take its hue too (its own a* = b* = 0 would read as 0°, red)
    a, b = cv2.GaussianBlur(a0, (3, 3), 0), cv2.GaussianBlur(b0, (3, 3), 0)
    near_dark = cv2.dilate(dark, kernel(FRINGE_MM, px_per_mm)) > 0
    hidden = _coloured_print(lab[:, :, 1:], px_per_mm)
    # print on coloured print (a ticket's green band) has no JPEG fringe to measure
    fringe = chroma[near_dark & (hidden == 0)]
    noise = float(np.median(fringe)) if fringe.size else 0.0
    strength = chroma - (FRINGE_GAIN * noise) * near_dark
    return InkMap(strength, cv2.phase(a, b, angleInDegrees=True), scale, px_per_mm, page.image,
                  hidden)


def _coloured_print(opponents: np.ndarray, px_per_mm: float) -> np.ndarray:
    """Work pixels on coloured print of a hue no stamp pad has (``uint8`` 0/255; module
    docstring, step 6): the median Lab a*, b* (``opponents``, uint8, 128 = grey) on a copy
    reduced 4×."""
    h, w = opponents.shape[:2]
    tiny = cv2.resize(opponents, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    k = max(3, int(BACKGROUND_MM * px_per_mm / 4) | 1)
    a, b = (cv2.medianBlur(np.ascontiguousarray(tiny[:, :, i]), k).astype(np.float32) - 128
            for i in range(2))
    coloured = (np.hypot(a, b) >= HIDDEN_CHROMA) & ~_in_hues(
        cv2.phase(a, b, angleInDegrees=True), INK_HUES)
    return cv2.resize(coloured.astype(np.uint8) * 255, (w, h), interpolation=cv2.INTER_NEAREST)


def _in_hues(hue: np.ndarray, hues: dict[str, tuple[tuple[float, float], ...]]) -> np.ndarray:
    """Whether each pixel's hue lies in any of the ranges of ``hues``."""
    inside = np.zeros(hue.shape, dtype=bool)
    for ranges in hues.values():
        for lo, hi in ranges:
            inside |= (hue >= lo) & (hue <= hi)
    return inside


def kernel(mm: float, px_per_mm: float) -> np.ndarray:
    """A round structuring element ``mm`` across (odd size, at least 1 px)."""
    k = max(1, round(mm * px_per_mm)) | 1
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))


def work_factor(page: MarkPage) -> int:
    """The whole factor by which the page is reduced to its work copy (``WORK_DPI``, no
    fewer than ``MIN_WORK_SIDE`` pixels across the short side where the raster has them)."""
    by_dpi = round(page.dpi / WORK_DPI)
    return max(1, min(by_dpi, min(page.width, page.height) // MIN_WORK_SIDE))


def _work_copy(page: MarkPage) -> tuple[np.ndarray, np.ndarray, float]:
    """The reduced page, the same reduction of its dark print (pixels darker than
    ``DARK_GRAY``, 0–255 share), and the scale."""
    factor = work_factor(page)
    gray = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY)
    dark = cv2.threshold(gray, DARK_GRAY, 255, cv2.THRESH_BINARY_INV)[1]
    if factor == 1:
        return page.image, dark, 1.0
    f = 1.0 / factor
    small = cv2.resize(page.image, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    dark = cv2.resize(dark, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    return small, dark, f


def _paper(small: np.ndarray, px_per_mm: float) -> np.ndarray:
    """Local paper colour: a max filter on a copy reduced 4×, smoothed and enlarged back."""
    h, w = small.shape[:2]
    factor = 4 if min(h, w) >= 16 else 1
    tiny = cv2.resize(small, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)
    k = max(3, int(PAPER_WINDOW_MM * px_per_mm / factor) | 1)
    paper = cv2.dilate(tiny, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.blur(paper, (k, k))
    return cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
