"""QR codes and barcodes: found, decoded, and masked whole — also when they cannot be decoded.

Design
------
1. **zxing-cpp**, one pass over the upright grey page, without its own rotation and
   downscaling (they triple the cost): QR, Data Matrix, PDF417 and the common 1-D symbologies
   (Code 128/39/93, EAN/UPC, ITF, Codabar). QR codes are read at any angle. A QR it locates
   but cannot decode (checksum or format error) is tried again on an upscaled crop and kept
   without payload if that fails too.
2. **Bars** (:mod:`~service.detect.marks.code_bars`): regions of bar texture are read on a
   crop (as they are, twice as large, and stretched across the bars for PDF417), which finds
   the small and sideways barcodes a whole-page scan misses; bars that no decoder reads are
   masked if they look like a barcode (``qrcode.undecoded``).
3. **Finder patterns** (:mod:`~service.detect.marks.code_finders`) locate QR codes whatever
   their data (ink blot, scratches, fading; also with one finder destroyed). Those zxing did
   not report are decoded on an upscaled crop (zxing with two binarisers, then OpenCV's
   ``QRCodeDetectorAruco``) or masked whole as ``qrcode.undecoded`` (fail closed).
4. **Boxes** are the symbol plus a quiet-zone margin of one module (at least 0.5 mm); 1-D
   codes and PDF417 are grown to the ends of their bars and to the outermost ink of slanted
   bars (zxing reports the scan lines it decoded, without skew). A code lying mostly inside
   another found one is dropped.

:class:`FoundCode` carries the decoded payload, which the pipeline checks for identities; a
:class:`~service.types.Region` carries only its hash (``text_sha256``), and explanations never
quote it.

Measured with ``python -m scripts.corpus.codes`` (seeds 7 and 8: 100 pages with 200 codes —
QR codes of 60–200 px at every error level, 12 % of them damaged; Code 128, Code 39 and
EAN-13 with 2–3.2 px modules, a fifth of them printed sideways; Data Matrix; PDF417 — among
CJK text on white or tinted A4 at 200 dpi, turned 0/90/180/270°, skewed ±1.5°, 40 % blurred,
noisy, 30 % grey, JPEG q 60/70/85; then 60 pages of text, forms and pictures): every code
covered to ≥ 98 % of its box, every undamaged one decoded (176/176) with the right payload
and format, every damaged one masked (24/24); no region on the 60 pages without codes, no
extra region on the others. CPU time per page (both threads of OpenCV counted): median
55 ms, best of three 45–60 ms; a page of photos 70 ms, of coarse halftone ≈ 120 ms. zxing's
pass is about a third of it, the finder search another.

Not covered: Aztec, Micro QR and rMQR codes (rare on application materials; Aztec alone cost
20 ms on picture pages), light-on-dark codes, Data Matrix turned against the page text, an
undecodable Data Matrix, a QR code with two finders destroyed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from service.detect.marks.base import MarkPage
from service.detect.marks.code_bars import (
    BarCandidate,
    find_bar_candidates,
    grow_along_bars,
    looks_like_bars,
)
from service.detect.marks.code_finders import QRCandidate, find_qr_candidates
from service.ocr.geometry import box_to_original, to_upright
from service.types import BBox, Region, sha256_text

_F = zxingcpp.BarcodeFormat
#: symbologies read; their ``kind``
FORMAT_KINDS: dict[str, str] = {
    "QRCode": "qr",
    "DataMatrix": "datamatrix",
    "PDF417": "pdf417",
    "Code128": "barcode",
    "Code39": "barcode",
    "Code93": "barcode",
    "Codabar": "barcode",
    "EAN13": "barcode",
    "EAN8": "barcode",
    "UPCA": "barcode",
    "UPCE": "barcode",
    "ITF": "barcode",
}
_QR = (_F.QRCode,)
_FORMATS = zxingcpp.BarcodeFormats([getattr(_F, name) for name in FORMAT_KINDS])
_QR_FORMATS = zxingcpp.BarcodeFormats([_F.QRCode])
_PDF417_FORMATS = zxingcpp.BarcodeFormats([_F.PDF417])
_BAR_FORMATS = zxingcpp.BarcodeFormats(
    [getattr(_F, name) for name, kind in FORMAT_KINDS.items() if kind in ("barcode", "pdf417")]
)
#: quiet-zone margin added around every symbol, in modules …
MARGIN_MODULES = 1.0
#: … and at least this many millimetres (1-D codes, whose module size zxing does not report)
MIN_MARGIN_MM = 0.5
#: a located QR is re-read on a crop scaled so that a module is this many px
RESCUE_MODULE_PX = 6.0
#: modules across a QR that zxing located but did not decode, for that scale (version 4)
RETRY_MODULES = 33
#: a region of bars or a QR located by its finders needs no second look if a code found
#: before covers this share of it …
KNOWN_OVERLAP = 0.8
#: … and of overlapping codes, one that lies this much inside a decoded or larger one is
#: dropped (a region of bars read a second time)
SAME_CODE_OVERLAP = 0.5
#: smallest side of a symbol zxing failed to decode (px; some failures come at 0 × 0)
MIN_SYMBOL_PX = 8.0
#: scores: decoded; located by zxing with a decoding error; located by finder patterns only
SCORE_DECODED = 0.99
SCORE_ERROR = 0.9
SCORE_FINDERS = 0.8
#: score of bars that look like a barcode that no decoder read
SCORE_BARS = 0.6
#: a region of bar texture is read on a crop this much larger (share of its long side) …
BAR_CROP_PAD = 0.15
#: … as it is, then twice as large (modules under 2 px need the upscale), then stretched across
#: the bars by this many bar lengths on each side for PDF417 (up to ≈ 8 : 1 wide)
PDF417_REACH = 4.0


@dataclass(frozen=True, slots=True)
class FoundCode:
    """One code on a page.

    ``bbox`` is what must be masked: the symbol plus its quiet-zone margin, in raster pixels,
    clipped to the page. ``kind`` is ``"qr"``, ``"barcode"`` (1-D), ``"datamatrix"`` or
    ``"pdf417"``; ``format`` is zxing-cpp's symbology name (``"QRCode"``, ``"Code128"``…;
    ``"Bars"`` for bars no decoder read). ``payload`` is the decoded text, ``None`` when the
    code was located but not decoded.
    """

    bbox: BBox
    kind: str
    format: str
    payload: str | None
    score: float


def find_codes(image: np.ndarray, dpi: float = 200.0, orientation: int = 0) -> list[FoundCode]:
    """All QR codes and barcodes on a BGR (or grey) page raster whose content is turned
    ``orientation`` degrees clockwise (see :class:`MarkPage`)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    min_margin = MIN_MARGIN_MM * dpi / 25.4
    found = [_retry(grey, _from_zxing(*hit, grey, min_margin)) for hit in _read(grey, orientation)]
    for bars in find_bar_candidates(grey):
        if not _known(bars.bbox, found):
            found.extend(_read_bars(grey, bars, min_margin))
    for cand in find_qr_candidates(grey, dpi):
        if not _known(cand.bbox, found):
            found.append(_rescue(grey, cand, min_margin))
    return [
        FoundCode(f.bbox.clip(float(w), float(h)), f.kind, f.format, f.payload, f.score)
        for f in _dedupe(found)
    ]


def _known(box: BBox, found: list[FoundCode]) -> bool:
    """Whether a code found before covers most of ``box`` (then it needs no second look)."""
    return any(_overlap(box, f.bbox) >= KNOWN_OVERLAP for f in found)


def _dedupe(found: list[FoundCode]) -> list[FoundCode]:
    """Drop codes that lie mostly inside another (a damaged QR's finder read as a Micro QR
    code), keeping decoded and larger ones first."""
    kept: list[FoundCode] = []
    for f in sorted(found, key=lambda f: (f.payload is None, -f.bbox.area)):
        if not any(_overlap(f.bbox, k.bbox) >= SAME_CODE_OVERLAP for k in kept):
            kept.append(f)
    return kept


def _read(grey: np.ndarray, orientation: int) -> list[tuple[zxingcpp.Barcode, BBox, bool]]:
    """zxing-cpp results with their boxes on ``grey`` and whether their bars are vertical
    there.

    One pass over the upright page without zxing's own rotation, which would triple the cost:
    QR codes are found at any angle, 1-D codes and PDF417 upright or upside down
    (sideways ones through :func:`_read_bars`), Data Matrix upright.
    """
    h, w = grey.shape
    upright = to_upright(grey, orientation)
    out = []
    for b in zxingcpp.read_barcodes(
        upright,
        formats=_FORMATS,
        try_rotate=False,
        try_downscale=False,
        try_invert=False,
        text_mode=zxingcpp.TextMode.Plain,
        return_errors=True,
    ):
        if not (b.valid or b.format in _QR):
            continue  # decoding errors of other symbologies are mostly CJK glyphs
        box = box_to_original(_position_box(b.position), orientation, w, h)
        if not b.valid and min(box.width, box.height) < MIN_SYMBOL_PX:
            continue
        bars = (b.orientation + orientation) % 180 == 0
        out.append((b, box, bars))
    return out


def _from_zxing(
    b: zxingcpp.Barcode,
    box: BBox,
    vertical_bars: bool,
    grey: np.ndarray,
    min_margin: float,
) -> FoundCode:
    fmt = b.format.name
    kind = FORMAT_KINDS.get(fmt, "barcode")
    if kind in ("barcode", "pdf417"):  # bars (PDF417: start and stop patterns) to their ends
        box = grow_along_bars(grey, box, vertical_bars)
    margin = max(min_margin, MARGIN_MODULES * _module(b, box))
    ok = b.valid and b.error is None
    return FoundCode(
        box.expand(margin),
        kind,
        fmt,
        b.text if ok else None,
        SCORE_DECODED if ok else SCORE_ERROR,
    )


def _position_box(pos: zxingcpp.Position) -> BBox:
    quad = _quad(pos)
    return BBox(
        float(quad[:, 0].min()),
        float(quad[:, 1].min()),
        float(quad[:, 0].max()) + 1.0,  # zxing gives the last pixel, not the edge
        float(quad[:, 1].max()) + 1.0,
    )


def _quad(pos: zxingcpp.Position) -> np.ndarray:
    pts = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
    return np.array([[p.x, p.y] for p in pts], dtype=float)


def _module(b: zxingcpp.Barcode, box: BBox) -> float:
    """Module size in px, from the symbol's version where zxing reports one."""
    extra = b.extra if isinstance(b.extra, dict) else {}
    version = extra.get("Version", "")
    side = max(box.width, box.height)
    fmt = b.format.name
    if fmt == "QRCode" and str(version).isdigit():
        return side / (17 + 4 * int(version))
    if fmt == "DataMatrix" and "x" in str(version):
        cols = max(int(v) for v in str(version).split("x") if v.isdigit())
        return side / cols
    return 0.0


def _read_bars(grey: np.ndarray, cand: BarCandidate, min_margin: float) -> list[FoundCode]:
    """Codes in a region of bar texture: zxing on a crop, as it is and upscaled (which reads
    what a whole-page scan missed), then on a crop stretched across the bars (a PDF417 code
    of which only one start or stop pattern showed as bars); else the bars themselves if they
    look like a barcode (masked undecoded)."""
    b = cand.bbox
    pad = BAR_CROP_PAD * max(b.width, b.height) + 8.0
    along = b.height if cand.vertical_bars else b.width
    wide = along * PDF417_REACH
    wide_box = b.expand(wide, pad) if cand.vertical_bars else b.expand(pad, wide)
    attempts = [
        (b.expand(pad), 1.0, _BAR_FORMATS),
        (b.expand(pad), 2.0, _BAR_FORMATS),
        (wide_box, 1.0, _PDF417_FORMATS),
    ]
    for box, scale, formats in attempts:
        out = _read_crop(grey, box, scale, formats, min_margin)
        if out:
            return out
    if not looks_like_bars(grey, cand):
        return []
    grown = grow_along_bars(grey, cand.bbox, cand.vertical_bars)
    return [FoundCode(grown.expand(min_margin), "barcode", "Bars", None, SCORE_BARS)]


def _read_crop(
    grey: np.ndarray,
    box: BBox,
    scale: float,
    formats: zxingcpp.BarcodeFormats,
    min_margin: float,
) -> list[FoundCode]:
    """zxing (any rotation) on ``box`` of the page, scaled by ``scale``."""
    h, w = grey.shape
    x0, y0 = max(int(box.x0), 0), max(int(box.y0), 0)
    x1, y1 = min(math.ceil(box.x1), w), min(math.ceil(box.y1), h)
    crop = grey[y0:y1, x0:x1]
    if crop.size == 0:
        return []
    if scale != 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    out = []
    for b in zxingcpp.read_barcodes(
        crop,
        formats=formats,
        try_rotate=True,
        try_downscale=False,
        try_invert=False,
        text_mode=zxingcpp.TextMode.Plain,
    ):
        pos = _position_box(b.position).scale(1.0 / scale)
        at = BBox(pos.x0 + x0, pos.y0 + y0, pos.x1 + x0, pos.y1 + y0)
        out.append(_from_zxing(b, at, b.orientation % 180 == 0, grey, min_margin))
    return out


def _rescue(grey: np.ndarray, cand: QRCandidate, min_margin: float) -> FoundCode:
    """A QR located by its finder patterns: decoded on an upscaled crop, or masked whole."""
    margin = max(min_margin, MARGIN_MODULES * cand.module)
    payload = _decode_qr_at(grey, cand.bbox, cand.module)
    score = SCORE_DECODED if payload is not None else SCORE_FINDERS
    return FoundCode(cand.bbox.expand(margin), "qr", "QRCode", payload, score)


def _retry(grey: np.ndarray, code: FoundCode) -> FoundCode:
    """A QR that zxing located on the page but could not decode, tried on an upscaled crop."""
    if code.payload is not None or code.kind != "qr":
        return code
    module = max(code.bbox.width, code.bbox.height) / RETRY_MODULES
    payload = _decode_qr_at(grey, code.bbox, module)
    if payload is None:
        return code
    return FoundCode(code.bbox, code.kind, code.format, payload, SCORE_DECODED)


def _decode_qr_at(grey: np.ndarray, box: BBox, module: float) -> str | None:
    pad = 4.0 * module
    h, w = grey.shape
    x0, y0 = max(int(box.x0 - pad), 0), max(int(box.y0 - pad), 0)
    x1, y1 = min(math.ceil(box.x1 + pad), w), min(math.ceil(box.y1 + pad), h)
    crop = grey[y0:y1, x0:x1]
    if crop.size == 0:
        return None
    scale = max(1.0, RESCUE_MODULE_PX / max(module, 1e-6))
    if scale > 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return _decode_crop(crop)


def _decode_crop(crop: np.ndarray) -> str | None:
    for binarizer in (zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.GlobalHistogram):
        for b in zxingcpp.read_barcodes(
            crop, formats=_QR_FORMATS, binarizer=binarizer, text_mode=zxingcpp.TextMode.Plain
        ):
            if b.valid:
                return str(b.text)
    text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(crop)
    return text or None


def _overlap(a: BBox, b: BBox) -> float:
    """Share of ``a`` covered by ``b``."""
    return a.intersection(b).area / a.area if a.area > 0 else 0.0


_RULES = {"qr": "qrcode.qr"}
_NAMES = {
    "qr": "QR code",
    "barcode": "barcode",
    "datamatrix": "Data Matrix code",
    "pdf417": "PDF417 code",
}


class CodeDetector:
    """QR codes and barcodes as ``qrcode`` regions (see the module docstring).

    A caller that also needs the payloads calls :meth:`find` and turns each code into its
    region with :meth:`region` (one search instead of two).
    """

    name = "qrcode"
    categories = frozenset({"qrcode"})

    def detect(self, page: MarkPage) -> list[Region]:
        return [self.region(c) for c in self.find(page)]

    @staticmethod
    def find(page: MarkPage) -> list[FoundCode]:
        return find_codes(page.image, page.dpi, page.orientation)

    @staticmethod
    def region(code: FoundCode) -> Region:
        """The region that masks ``code``: rule ``qrcode.qr`` / ``qrcode.barcode`` (decoded,
        with the payload's hash) or ``qrcode.undecoded``."""
        what = _NAMES.get(code.kind, "code")
        if code.payload is None:
            return Region(
                bbox=code.bbox,
                category="qrcode",
                source="mark",
                rule="qrcode.undecoded",
                score=code.score,
                explanation=f"{what} ({code.format}) located but not decoded; masked whole",
            )
        return Region(
            bbox=code.bbox,
            category="qrcode",
            source="mark",
            rule=_RULES.get(code.kind, "qrcode.barcode"),
            score=code.score,
            text_sha256=sha256_text(code.payload),
            explanation=f"{what} ({code.format}) decoded; payload kept only as a hash",
        )
