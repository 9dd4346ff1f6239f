"""The mark stage of a page: run the mark detectors on the page raster, check decoded codes for
identities, and convert the regions to page units.

Which detectors run follows the policy (its ``categories``; ``photo_mode`` for faces). The
raster is the scan itself for image inputs, and the page rendered at ``PageContext.ocr_dpi``
for PDF pages (every PDF page: seals and signatures are often vector graphics). Detectors are
built once per process and cached.

A decoded QR code or barcode is run through the page's text detection engine: if its payload
names a person, unit, ID number … the region's rule is ``qrcode.identity`` and
``payload_identity`` is recorded (the manifest keeps only the payload's hash). A code is masked
either way — a code that identifies nothing today may resolve to a record tomorrow.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache

import numpy as np

from service.detect.base import MarkDetector
from service.detect.engine import DetectionEngine
from service.detect.marks.base import MarkPage
from service.detect.marks.codes import CodeDetector, find_codes
from service.rules.policy import load_policy
from service.types import BBox, Char, PageText, Region

log = logging.getLogger(__name__)

#: pictures pasted into a PDF page are searched alone for seals cut by their edges unless they
#: cover WHOLE_PAGE of the page or are smaller than PICTURE_MIN_MM either way
WHOLE_PAGE = 0.9
PICTURE_MIN_MM = 15.0
#: a mark region with this share of its area inside one region of a kind that holds it is that
#: mark's ink or picture (a signature written across a seal measured 0.81 inside)
INSIDE_MARK = 0.9
#: ... of the holding region grown by this much (the held region's own margin and blur)
HOLDER_MARGIN_MM = 1.5
#: seals whose ink the signature detector is told of: rings (a dense scrawl in blue ink can
#: pass for a square name stamp; clearing its "stamp ink" would lose the signature)
RING_SEALS = frozenset({"seal.round", "seal.oval", "seal.partial"})
HELD_BY: dict[str, tuple[str, ...]] = {
    "signature": ("seal", "qrcode", "face"),
    "seal": ("face",),
}


@lru_cache(maxsize=4)
def mark_detectors(policy: str) -> tuple[MarkDetector, ...]:
    """The mark detectors the policy asks for, built once per process."""
    pol = load_policy(policy)
    wanted = set(pol.categories)
    out: list[MarkDetector] = []
    if "face" in wanted:
        from service.detect.marks.faces import FaceDetector

        out.append(FaceDetector(mode=pol.photo_mode))
    if "seal" in wanted:
        from service.detect.marks.seals import SealDetector

        out.append(SealDetector())
    if "signature" in wanted:
        from service.detect.marks.signatures import SignatureDetector

        out.append(SignatureDetector())
    if "qrcode" in wanted:
        out.append(CodeDetector())
    return tuple(out)


def detect_marks(
    image: np.ndarray,
    dpi: float,
    orientation: int,
    text: PageText,
    scale: float,
    policy: str,
    engine: DetectionEngine,
    pictures: tuple[BBox, ...] = (),
) -> list[Region]:
    """Mark regions of one page in page units.

    ``text`` is the page's reading text in page units and ``scale`` converts page units to
    raster pixels (``dpi / 72`` for PDF pages, 1 for images). ``pictures`` are the boxes (page
    units) of scans pasted into a PDF page: a seal cut by a picture's edge is looked for on the
    picture alone, where that edge is the raster's (:func:`_seals_cut_by_pictures`).
    """
    page = MarkPage(image=image, dpi=dpi, orientation=orientation, text=_scaled(text, scale))
    regions: list[Region] = []
    for detector in mark_detectors(policy):
        if isinstance(detector, CodeDetector):  # keep the payloads to check them for identities
            found = [
                _with_identity(replace(detector.region(code), snippet=code.payload), engine)
                for code in find_codes(page.image, page.dpi, page.orientation)
            ]
        else:
            found = detector.detect(page)
            if "seal" in detector.categories and pictures:
                found += _seals_cut_by_pictures(detector, page, [b.scale(scale) for b in pictures],
                                                found)
        regions.extend(found)
        if "seal" in detector.categories:  # the signature detector runs later: not stamp ink
            page = replace(page, seals=tuple(r.bbox for r in found if r.rule in RING_SEALS))
    regions = _without_marks_inside_marks(regions, page.px(HOLDER_MARGIN_MM))
    inv = 1.0 / scale
    return [replace(r, bbox=r.bbox.scale(inv)) if scale != 1.0 else r for r in regions]


def _seals_cut_by_pictures(detector: MarkDetector, page: MarkPage, pictures: list[BBox],
                           found: list[Region]) -> list[Region]:
    """Seals cut by the edge of a picture pasted into the page (the seal detector judges a
    seal cut by the raster's edge by the part on the raster; on the page, the part beyond the
    picture's edge is white paper, and the ring fails as a whole one): each picture that is not
    the whole page is searched alone; its seals not found already are added (raster pixels)."""
    page_area = float(page.width * page.height)
    least = page.px(PICTURE_MIN_MM)
    out: list[Region] = []
    for p in pictures:
        b = p.clip(float(page.width), float(page.height))
        if b.area >= WHOLE_PAGE * page_area or min(b.width, b.height) < least:
            continue
        x0, y0 = int(b.x0), int(b.y0)
        crop = page.image[y0 : int(np.ceil(b.y1)), x0 : int(np.ceil(b.x1))]
        alone = MarkPage(image=np.ascontiguousarray(crop), dpi=page.dpi,
                         orientation=page.orientation)
        for r in detector.detect(alone):
            box = BBox(r.bbox.x0 + x0, r.bbox.y0 + y0, r.bbox.x1 + x0, r.bbox.y1 + y0)
            if not any(k.bbox.intersection(box).area >= 0.5 * box.area for k in found + out):
                out.append(replace(r, bbox=box))
    return out


def _without_marks_inside_marks(regions: list[Region], margin: float = 0.0) -> list[Region]:
    """Fold a mark (nearly) wholly inside a mark of the kinds in :data:`HELD_BY` (grown by
    ``margin``, raster pixels) into it: that mark's own ink or picture read as another kind (a
    blue or grey ring or a QR code's modules read as pen strokes, an ID photo's red ground read
    as a square stamp). The holder's region grows to take in the folded one, so that nothing
    it covered is unmasked. One reaching well out of it stays (a signature across a seal)."""
    out = list(regions)
    k = 0
    while k < len(out):
        r = out[k]
        kinds = HELD_BY.get(r.category, ())
        at = next((i for i, h in enumerate(out) if i != k and h.category in kinds
                   and h.bbox.expand(margin).intersection(r.bbox).area
                   >= INSIDE_MARK * r.bbox.area), None)
        if at is None:
            k += 1
            continue
        out[at] = replace(out[at], bbox=out[at].bbox.union(r.bbox))
        del out[k]
    return out


def _with_identity(region: Region, engine: DetectionEngine) -> Region:
    payload = region.snippet
    if payload is None:
        return region
    categories = sorted({s.category for s in engine.detect(payload)})
    if not categories:
        return replace(region, payload_identity=False)
    log.info("code payload sha256=%s identifies: %s", (region.text_sha256 or "")[:12], categories)
    return replace(
        region,
        rule="qrcode.identity",
        payload_identity=True,
        explanation=f"decoded payload contains: {', '.join(categories)}",
    )


def _scaled(text: PageText, scale: float) -> PageText:
    if scale == 1.0:
        return text
    return PageText(
        tuple(
            Char(c.text, None if c.bbox is None else c.bbox.scale(scale), c.conf, c.source)
            for c in text.chars
        )
    )
