"""The page's mark stage: decoded codes checked for identities, regions in page units."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
import segno
from PIL import Image

from service.detect.engine import build_engine
from service.detect.marks.base import MarkPage
from service.pipeline import marks as marks_stage
from service.pipeline.marks import _without_marks_inside_marks, detect_marks
from service.types import BBox, PageText, Region


def _page_with_qr(payload: str) -> np.ndarray:
    buf = io.BytesIO()
    segno.make(payload, encoding="utf-8", error="m").save(buf, kind="png", scale=6, border=2)
    qr = np.asarray(Image.open(buf).convert("RGB"))
    page = np.full((1169, 827, 3), 255, np.uint8)  # A4 at 100 dpi
    page[400 : 400 + qr.shape[0], 300 : 300 + qr.shape[1]] = qr
    return page


@pytest.mark.parametrize(
    ("payload", "identity"),
    [("联系人 13912345678", True), ("https://zgcx.nhc.gov.cn/verify", False)],
)
def test_code_payload_checked_for_identities(payload: str, identity: bool) -> None:
    image = _page_with_qr(payload)
    # a PDF page rendered at 100 dpi: regions come back in points (x 72/100)
    regions = detect_marks(image, 100.0, 0, PageText(), 100 / 72, "default", build_engine(None, "default"))
    codes = [r for r in regions if r.category == "qrcode"]
    assert len(codes) == 1
    code = codes[0]
    assert code.payload_identity is identity
    assert code.rule == ("qrcode.identity" if identity else "qrcode.qr")
    assert code.snippet == payload  # for the auditors' report only; the manifest keeps the hash
    assert payload not in code.explanation
    assert 300 * 0.72 - 10 < code.bbox.x0 < 300 * 0.72 + 10  # points, not pixels


def test_signature_inside_a_seal_or_code_is_that_marks_own_ink() -> None:
    seal = Region(BBox(100, 100, 200, 200), "seal", "mark", "seal.round", 0.9)
    code = Region(BBox(400, 100, 460, 160), "qrcode", "mark", "qrcode.qr", 0.9)
    inside = Region(BBox(120, 150, 180, 190), "signature", "mark", "signature.field", 0.8)
    nearly = Region(BBox(98, 150, 201, 203), "signature", "mark", "signature.field", 0.8)
    modules = Region(BBox(399, 101, 459, 161), "signature", "mark", "signature.handwriting", 0.8)
    beside = Region(BBox(210, 150, 300, 190), "signature", "mark", "signature.field", 0.8)
    across = Region(BBox(60, 150, 160, 230), "signature", "mark", "signature.field", 0.8)
    regions = [seal, code, inside, nearly, modules, beside, across]
    kept = _without_marks_inside_marks(regions)
    assert [r.rule for r in kept] == ["seal.round", "qrcode.qr", "signature.field",
                                      "signature.field"]
    assert kept[2:] == [beside, across]
    # folded in, not dropped: the holders grow to cover what the folded regions covered
    assert kept[0].bbox == BBox(98, 100, 201, 203) and kept[1].bbox == BBox(399, 100, 460, 161)


def test_square_stamp_on_an_id_photos_red_ground_is_the_photo() -> None:
    photo = Region(BBox(100, 100, 190, 220), "face", "mark", "face.photo", 0.9)
    ground = Region(BBox(101, 100, 190, 170), "seal", "mark", "seal.square", 0.8)
    corner = Region(BBox(150, 180, 250, 280), "seal", "mark", "seal.round", 0.9)  # 骑缝 seal
    assert _without_marks_inside_marks([photo, ground, corner]) == [photo, corner]


def test_a_mark_held_within_the_margin_is_folded() -> None:
    code = Region(BBox(100, 100, 160, 160), "qrcode", "mark", "qrcode.qr", 0.9)
    modules = Region(BBox(96, 96, 164, 164), "signature", "mark", "signature.handwriting", 0.8)
    assert len(_without_marks_inside_marks([code, modules])) == 2
    kept = _without_marks_inside_marks([code, modules], margin=5.0)
    assert kept == [replace(code, bbox=BBox(96, 96, 164, 164))]


class _Fake:
    """A mark detector that returns fixed regions and remembers the pages it saw."""

    def __init__(self, name: str, regions: list[Region]) -> None:
        self.name, self.categories = name, frozenset({name})
        self.regions = regions
        self.seen: list[MarkPage] = []

    def detect(self, page: MarkPage) -> list[Region]:
        self.seen.append(page)
        return self.regions


def test_ring_seals_are_handed_to_the_later_detectors(monkeypatch: pytest.MonkeyPatch) -> None:
    ring = Region(BBox(10, 10, 110, 110), "seal", "mark", "seal.round", 0.9)
    square = Region(BBox(300, 300, 340, 340), "seal", "mark", "seal.square", 0.9)
    seals, signatures = _Fake("seal", [ring, square]), _Fake("signature", [])
    monkeypatch.setattr(marks_stage, "mark_detectors", lambda policy: (seals, signatures))
    image = np.full((500, 400, 3), 255, np.uint8)
    detect_marks(image, 200.0, 0, PageText(), 1.0, "default", build_engine(None, "default"))
    assert seals.seen[0].seals == ()
    # a square "stamp" may be a dense scrawl in blue ink: its ink is not cleared as stamp ink
    assert signatures.seen[0].seals == (ring.bbox,)


def test_seal_cut_by_the_edge_of_a_pasted_scan_is_found() -> None:
    # a scan pasted into part of a PDF page, its seal cut by the scan's right edge: on the page
    # the rest of the ring is white paper, so the scan is searched alone
    import random

    from scripts.corpus.seals import draw_seal, stamp

    scan = np.full((700, 900, 3), 250, np.uint8)
    rgba = draw_seal("round", random.Random(5), colour="red", dpi=200.0, size_mm=(40, 40))
    cut = 900 - int(0.7 * rgba.shape[1])
    stamp(scan, rgba, cut, 250)  # 30 % of it off the scan
    page = np.full((2339, 1653, 3), 255, np.uint8)
    page[600:1300, 300:1200] = scan
    engine = build_engine(None, "default")
    alone = [r for r in detect_marks(page, 200.0, 0, PageText(), 1.0, "default", engine)
             if r.category == "seal"]
    assert alone == []  # judged as a whole ring, it fails
    found = [r for r in detect_marks(page, 200.0, 0, PageText(), 1.0, "default", engine,
                                     (BBox(300, 600, 1200, 1300),)) if r.category == "seal"]
    assert len(found) == 1 and found[0].rule == "seal.partial"
    seal = BBox(300 + cut, 850, 1200, 850 + rgba.shape[0])
    assert found[0].bbox.intersection(seal).area >= 0.9 * seal.area
