"""Handwritten signatures on generated A4 pages: in form fields next to labels, among print,
in scans turned 0/90/180/270 with JPEG noise, in born-digital renders with vector strokes; and
nothing on print (tables, charts, formulas), printed names in fields or seals."""

from __future__ import annotations

import random
from functools import lru_cache

import cv2
import numpy as np
import pymupdf
import pytest

from scripts.corpus.handwriting import INKS, STYLES, make_signature
from scripts.corpus.marks import seal_png
from scripts.corpus.seals import draw_seal
from scripts.signature_pages import (
    GeneratedPage,
    ScanLook,
    Sheet,
    form_sheet,
    print_with_handwriting,
    read_as_text,
    render,
    text_sheet,
)
from service.detect.base import MarkDetector
from service.detect.marks.base import MarkPage
from service.detect.marks.signatures import SignatureDetector, find_fields, load_rules
from service.detect.marks.signatures_ink import Work
from service.errors import InvalidRulesError
from service.types import BBox, Char, PageText, Region

#: a signature is found when the regions cover this much of its box
FOUND = 0.7


@lru_cache(maxsize=1)
def detector() -> SignatureDetector:
    return SignatureDetector()


def detect(tp: GeneratedPage) -> list[Region]:
    return detector().detect(MarkPage(tp.image, tp.dpi, tp.orientation, tp.text))


def cover(truth: BBox, regions: list[Region]) -> float:
    got = sum(truth.intersection(r.bbox).area for r in regions if truth.intersects(r.bbox))
    return got / truth.area


def assert_found(tp: GeneratedPage, regions: list[Region], rule: str | None = None) -> None:
    assert tp.truth
    for t in tp.truth:
        assert cover(t, regions) >= FOUND, (t, regions)
    for r in regions:  # nothing else is marked, and every region is a signature
        assert any(r.bbox.intersects(t) for t in tp.truth), r
        assert r.category == "signature" and r.source == "mark"
        assert rule is None or r.rule == rule


def test_is_a_mark_detector() -> None:
    det = detector()
    assert isinstance(det, MarkDetector)
    assert det.name == "signature" and det.categories == frozenset({"signature"})


@pytest.mark.parametrize(
    ("seed", "style", "ink"),
    [(1, "cursive", "blue"), (2, "cjk", "black"), (3, "latin", "blue-black"), (4, "initials", "blue")],
)
def test_signatures_in_form_fields(seed: int, style: str, ink: str) -> None:
    tp = render(form_sheet(random.Random(seed), "sign", style, ink), 200, kind="form")
    regions = detect(tp)
    assert_found(tp, regions, "signature.field")
    assert 1 <= len(regions) <= len(tp.truth)  # signatures in adjacent rows may join
    assert all("signature field" in r.explanation for r in regions)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_printed_names_in_fields_are_text_not_signatures(seed: int) -> None:
    sheet = form_sheet(random.Random(seed), "print")
    assert detect(render(sheet, 200)) == []


def test_printed_names_read_by_ocr_are_not_signatures() -> None:
    sheet = form_sheet(random.Random(4), "print")
    look = ScanLook(orientation=90, skew=0.7, jpeg=70)
    assert detect(render(sheet, 200, look, ocr=True, rng=random.Random(4))) == []


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
def test_scans_in_every_orientation(orientation: int) -> None:
    style = STYLES[orientation // 90]
    sheet = form_sheet(random.Random(10 + orientation), "sign", style, "blue-black")
    look = ScanLook(orientation, skew=1.2, tint=(250, 245, 228), noise=6.0, jpeg=70)
    tp = render(sheet, 200, look, ocr=True, rng=random.Random(orientation))
    assert (tp.image.shape[0] < tp.image.shape[1]) == (orientation in (90, 270))
    assert_found(tp, detect(tp))


def test_signature_read_as_confident_text_is_still_found() -> None:
    """Recognisers read initials and Latin scrawl as letters with full confidence: a line much
    taller than the label beside it is not taken for print."""
    sheet = form_sheet(random.Random(21), "sign", "initials", "black")
    tp = render(sheet, 200, ScanLook(jpeg=75), ocr=True, rng=random.Random(21))
    for t in tp.truth:
        tp = read_as_text(tp, t, "Z.H.", 1.0)
    assert_found(tp, detect(tp))


def test_label_read_on_one_line_with_the_signature_stays_print() -> None:
    """OCR reads 负责人签字： and the scrawl after it as one line in doubt, every box as tall as
    the scrawl: the label and the role before it are still print, not part of the signature."""
    sh = Sheet.new()
    for i in range(6):  # body text
        sh.text(80, 80 + 18 * i, "以上数据由病案统计室核对无误，特此证明。", 11)
    sh.text(80, 200, "负责人签字：", 11)
    sh.sign(150, 180, make_signature(random.Random(31), "cursive", "black", box_mm=(35, 12)))
    tp = render(sh, 200, ScanLook(0, noise=4.0))
    sig = tp.truth[0]
    body = [c for c in tp.text.chars if c.bbox is not None and c.bbox.y1 < sig.y0 - 20]
    label = [c for c in tp.text.chars if c.bbox is not None and c.bbox.y0 > sig.y0 - 20]
    y0, y1 = min(sig.y0, *(c.bbox.y0 for c in label)), max(sig.y1, *(c.bbox.y1 for c in label))
    line = [Char(c.text, BBox(c.bbox.x0, y0, c.bbox.x1, y1), 1.0, "ocr") for c in label]
    scrawl = BBox(sig.x0, y0, sig.x1, y1)
    text = PageText((*(Char(c.text, c.bbox, 1.0, "ocr") for c in body), Char("\n", None),
                     *line))
    tp = GeneratedPage(tp.image, tp.dpi, tp.orientation, text, tp.truth, tp.kind)
    tp = read_as_text(tp, scrawl, "人人从", 0.7)
    found = detect(tp)
    assert_found(tp, found, "signature.field")
    assert all(r.bbox.x0 >= label[-1].bbox.x0 for r in found), found


def test_label_glyph_stretched_over_the_signature_is_not_print() -> None:
    """A recogniser may stretch the label's last glyph (its colon) over the scrawl after it,
    with full confidence: no glyph is wider than half again its height."""
    sh = Sheet.new()
    sh.text(80, 200, "主治医师签名：", 11)
    sh.sign(165, 182, make_signature(random.Random(33), "cursive", "blue", box_mm=(40, 10)))
    tp = render(sh, 200, ScanLook(0, noise=4.0))
    sig = tp.truth[0]
    chars = [c for c in tp.text.chars if c.bbox is not None]
    *label, colon = chars
    stretched = Char(colon.text, BBox(colon.bbox.x0, colon.bbox.y0, sig.x1, colon.bbox.y1), 1.0,
                     "ocr")
    text = PageText((*(Char(c.text, c.bbox, 1.0, "ocr") for c in label), stretched))
    tp = GeneratedPage(tp.image, tp.dpi, tp.orientation, text, tp.truth, tp.kind)
    assert_found(tp, detect(tp), "signature.field")


def test_underline_flourish_taken_for_a_rule_is_masked_with_the_signature() -> None:
    sh = Sheet.new()
    sh.text(80, 200, "负责人签字：", 11)
    x0, _, x1, y1 = sh.sign(150, 180, make_signature(random.Random(34), "cursive", "black",
                                                      box_mm=(35, 9)))
    sh.line((x0 - 2, y1 + 2), (x1 + 4, y1 + 1), width=1.2)  # a straight pen stroke under it
    tp = render(sh, 200, ScanLook(0, noise=4.0), ocr=True, rng=random.Random(34))
    found = detect(tp)
    assert_found(tp, found, "signature.field")
    s = 200 / 72
    line = BBox(x0 * s, (y1 + 0.5) * s, (x1 + 3) * s, (y1 + 2.5) * s)
    assert cover(line, found) >= 0.9, found


def test_scrawl_read_as_latin_letters_among_print_is_still_found() -> None:
    """On a Chinese page a short tall run of Latin letters read over scrawl is not print."""
    sheet = print_with_handwriting(random.Random(45), "latin", "black")
    tp = render(sheet, 200, ScanLook(0, skew=0.5, jpeg=80), ocr=True, rng=random.Random(45))
    body = float(np.median([c.bbox.height for c in tp.text.chars if c.bbox is not None]))
    for t in tp.truth:  # read as one line 1.8 times as tall as the body text, all sure
        cy = (t.y0 + t.y1) / 2
        tp = read_as_text(tp, BBox(t.x0, cy - 0.9 * body, t.x1, cy + 0.9 * body), "luuh", 1.0)
    assert_found(tp, detect(tp))


@pytest.mark.parametrize("dpi", [100, 150])
def test_born_digital_vector_strokes_at_low_dpi(dpi: int) -> None:
    sheet = form_sheet(random.Random(30 + dpi), "sign", "cursive", "black", vector=True)
    tp = render(sheet, dpi)
    assert_found(tp, detect(tp), "signature.field")


@pytest.mark.parametrize(("seed", "style"), [(41, "cursive"), (42, "latin"), (44, "cjk")])
def test_handwriting_among_print_without_a_label(seed: int, style: str) -> None:
    tp = render(print_with_handwriting(random.Random(seed), style, "blue"), 200)
    regions = detect(tp)
    assert_found(tp, regions)
    assert {r.rule for r in regions} <= {"signature.handwriting", "signature.field"}


@pytest.mark.parametrize(
    ("seed", "extras"),
    [
        (51, ("table", "chart")),
        (52, ("chart", "formula")),
        (53, ("bars", "flow")),
        (54, ("table", "chart", "bars", "formula", "flow")),
    ],
)
def test_print_tables_charts_and_formulas_are_not_signatures(
    seed: int, extras: tuple[str, ...]
) -> None:
    sheet = text_sheet(random.Random(seed), extras)
    assert detect(render(sheet, 200)) == []


def test_scanned_print_is_not_signatures() -> None:
    sheet = text_sheet(random.Random(55), ("table", "chart", "formula"))
    tp = render(sheet, 200, ScanLook(180, skew=-1.0, noise=8.0, jpeg=60), ocr=True,
                rng=random.Random(55))
    assert detect(tp) == []


def test_red_seal_in_a_signature_field_is_not_a_signature() -> None:
    sh = Sheet.new()
    sh.text(80, 200, "单位签章：", 12)
    png = seal_png("某某市人民医院", random.Random(3))
    sh.page.insert_image(pymupdf.Rect(150, 150, 260, 260), stream=png)
    assert detect(render(sh, 200)) == []


def test_signature_over_a_seal_is_found() -> None:
    sh = Sheet.new()
    sh.text(80, 200, "负责人签字：", 12)
    sh.page.insert_image(pymupdf.Rect(160, 150, 270, 260), stream=seal_png("某某医院", random.Random(4)))
    sig = make_signature(random.Random(5), "cursive", "black", box_mm=(35, 12))
    sh.sign(165, 185, sig)
    tp = render(sh, 200)
    assert_found(tp, detect(tp), "signature.field")


@pytest.mark.parametrize(("ink", "opacity"), [("black", 1.0), ("black", 0.7), ("blue-black", 0.6)])
def test_signature_across_a_blue_seal_is_found_apart_from_it(ink: str, opacity: float) -> None:
    # the strokes join the seal's ring into one cluster: only the strokes as dark as a pen are
    # judged, so the region is the signature's, not the seal's
    sh = Sheet.new()
    sh.text(80, 200, "科主任签字：", 12)
    rgba = draw_seal("round", random.Random(6), colour="blue", size_mm=(40, 40))
    rgba[:, :, 3] = (rgba[:, :, 3] * opacity).astype(np.uint8)
    _, png = cv2.imencode(".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    sh.page.insert_image(pymupdf.Rect(190, 160, 303, 273), stream=png.tobytes())
    sh.sign(175, 200, make_signature(random.Random(8), "cursive", ink, box_mm=(30, 12)))
    tp = render(sh, 200, ScanLook(90, noise=4.0))
    assert_found(tp, detect(tp), "signature.field")
    for r in detect(tp):
        assert r.bbox.area <= 1.5 * tp.truth[0].area, r


def test_picture_below_a_role_label_is_not_a_signature() -> None:
    # an imaging figure (a grey disc on black, with dark curves through it) just below
    # "记录者：": the curves look like pen strokes, but inside a picture the local "paper" is
    # the picture's own grey, far darker than the page's paper
    sh = Sheet.new()
    sh.text(80, 200, "记录者：", 11)
    img = np.zeros((300, 420, 3), np.uint8)
    cv2.circle(img, (210, 150), 215, (125, 130, 135), -1)
    t = np.linspace(0, 1, 60)
    for k in range(3):
        ys = 40 + 25 * k + 18 * np.sin(6 * t + k) + 10 * np.sin(17 * t * (k + 1))
        pts = np.stack([60 + 300 * t, ys], 1).astype(np.int32)
        cv2.polylines(img, [pts], False, (30, 30, 30), 4)
    _, jpeg = cv2.imencode(".jpg", img)
    rect = pymupdf.Rect(70, 215, 280, 365)
    sh.page.insert_image(rect, stream=jpeg.tobytes())
    sh.page.draw_rect(pymupdf.Rect(69, 214, 281, 366), color=(0, 0, 0), width=0.8)
    assert detect(render(sh, 200, ScanLook(0, noise=4.0))) == []


@pytest.mark.parametrize(("seed", "style"), [(26, "round"), (27, "double"), (28, "oval")])
def test_grey_seal_over_print_is_stamp_ink_not_pen(seed: int, style: str) -> None:
    # on a greyscale scan a seal's ring and text joined to the print under it look like pen
    # strokes; told where the seal detector found a seal, the detector drops its pale ink
    from tests.detect.marks.test_seals import sealed_page

    s = sealed_page(seed, [{"style": style, "angle": 5, "at": (700 + 10 * seed, 400 + 20 * seed)}])
    grey = cv2.cvtColor(cv2.cvtColor(s.image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    seal = BBox(*map(float, s.truths[0]))
    assert detector().detect(MarkPage(grey, 200, 0, s.text)) != []  # what the seal looks like
    assert detector().detect(MarkPage(grey, 200, 0, s.text, seals=(seal,))) == []


def test_inks_and_pens_are_all_found() -> None:
    for k, ink in enumerate(INKS):
        for pen in ("ballpoint", "gel", "fountain"):
            sh = Sheet.new()
            sh.text(80, 300, "医师签名：", 11)
            sig = make_signature(random.Random(k * 7 + len(pen)), None, ink, pen, box_mm=(30, 10))
            sh.sign(150, 285, sig)
            tp = render(sh, 200)
            assert_found(tp, detect(tp), "signature.field")


def test_blank_page_and_empty_text() -> None:
    tp = render(Sheet.new(), 200)
    assert detect(tp) == []


def test_role_labels_need_to_end_their_cell() -> None:
    labels, roles = load_rules()
    img = np.full((100, 100, 3), 255, np.uint8)
    work = Work(img, img[:, :, 0], 1.0, 200 / 25.4, 0, 1654.0, 2339.0)
    running = _line("职称主治医师负责临床工作")  # role inside running text: no field
    assert find_fields(running, work, labels, roles) == []
    cell = _line("主治医师：")
    assert len(find_fields(cell, work, labels, roles)) == 1
    signed = _line("患者签名确认")  # 签名 names a field wherever it appears
    assert len(find_fields(signed, work, labels, roles)) == 1
    assert len(find_fields(_line("Signature:"), work, labels, roles)) == 1
    assert find_fields(_line("we designed it"), work, labels, roles) == []


def test_invalid_rules_are_refused(tmp_path: pytest.TempPathFactory) -> None:
    bad = tmp_path / "signatures.yaml"  # type: ignore[operator]
    bad.write_text("version: 1\nfield_labels: [签名]\n", encoding="utf-8")
    with pytest.raises(InvalidRulesError):
        load_rules(str(bad))


def _line(s: str) -> PageText:
    return PageText(tuple(Char(ch, BBox(100 + 24 * i, 100, 124 + 24 * i, 128)) for i, ch in enumerate(s)))

