"""Fast sanity checks of the synthetic corpus generator (scripts/corpus)."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf
import pytest
from PIL import Image

from scripts.corpus import (
    KINDS,
    ORIENTATIONS,
    VARIANTS,
    make_corpus,
    make_document,
    make_identity,
    make_person,
    schedule,
)
from scripts.corpus.canvas import Canvas, Ew, Item
from scripts.corpus.generic import HARD_DISEASES
from scripts.corpus.identity import colloquial_place, place_en, road_en
from scripts.corpus.variants import SCAN_VARIANTS
from service.detect.validators import gb11643_check_digit
from service.types import CATEGORIES, MARK_CATEGORIES, TEXT_CATEGORIES


def _chars(page: pymupdf.Page) -> list[tuple[str, float, float]]:
    """Every character of the text layer with its centre in displayed coordinates."""
    rm = page.rotation_matrix
    out = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                for ch in span["chars"]:
                    r = pymupdf.Rect(ch["bbox"]) * rm
                    out.append((ch["c"], (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2))
    return out


def _text_at(chars: list[tuple[str, float, float]], bbox: list[float]) -> str:
    x0, y0, x1, y1 = bbox
    return "".join(
        c for c, cx, cy in chars if x0 - 0.5 <= cx <= x1 + 0.5 and y0 - 0.5 <= cy <= y1 + 0.5
    ).strip()


def _inside(bbox: list[float], width: float, height: float) -> bool:
    x0, y0, x1, y1 = bbox
    return 0 <= x0 < x1 <= width + 0.01 and 0 <= y0 < y1 <= height + 0.01


def _check_boxes(page: dict[str, Any]) -> None:
    for item in page["entities"] + page["keep"] + page["marks"]:
        assert _inside(item["bbox"], page["width"], page["height"]), item
    for e in page["entities"]:
        assert e["category"] in TEXT_CATEGORIES and e["text"] and isinstance(e["in_profile"], bool)
    for m in page["marks"]:
        assert m["category"] in MARK_CATEGORIES


def _check_text_layer(data: bytes, pages: list[dict[str, Any]]) -> int:
    """Every text-layer entity and keep item is found at its box; returns how many were."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    checked = 0
    for tp in pages:
        page = doc[tp["index"]]
        assert (page.rect.width, page.rect.height) == pytest.approx((tp["width"], tp["height"]))
        chars = _chars(page)
        for item in tp["entities"] + tp["keep"]:
            if item["layer"] == "text":
                assert _text_at(chars, item["bbox"]) == item["text"], item
                checked += 1
    return checked


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_born_with_exact_boxes(kind: str) -> None:
    doc = make_document(kind, "born", random.Random(11))
    assert doc.ext == "pdf" and doc.data.startswith(b"%PDF")
    (page,) = doc.truth["pages"]
    assert (page["width"], page["height"], page["unit"], page["orientation"]) == (
        595.0,
        842.0,
        "pt",
        0,
    )
    assert page["entities"] and page["keep"]
    assert any(e["in_profile"] for e in page["entities"])
    _check_boxes(page)
    assert _check_text_layer(doc.data, doc.truth["pages"]) == len(page["entities"]) + len(
        page["keep"]
    )
    pdf = pymupdf.open(stream=doc.data, filetype="pdf")
    fonts = pdf[0].get_fonts()
    assert fonts and all(f[1] != "n/a" for f in fonts)  # embedded font file


def test_rotate90_page_reads_upright_and_boxes_match() -> None:
    doc = make_document("appraisal", "rotate90", random.Random(3))
    pdf = pymupdf.open(stream=doc.data, filetype="pdf")
    page = pdf[0]
    assert page.rotation == 90
    assert (page.mediabox.width, page.mediabox.height) == (842, 595)
    assert (page.rect.width, page.rect.height) == (595, 842)
    _check_boxes(doc.truth["pages"][0])
    assert _check_text_layer(doc.data, doc.truth["pages"]) > 10
    # reading direction in the displayed page is left to right
    rm = page.rotation_matrix
    linear = pymupdf.Matrix(rm.a, rm.b, rm.c, rm.d, 0, 0)
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            shown = pymupdf.Point(line["dir"]) * linear
            assert (round(shown.x, 6), round(shown.y, 6)) == (1, 0)


def test_embedded_scan_has_pixels_only_entities() -> None:
    doc = make_document("practice_cert", "embedded_scan", random.Random(5))
    (tp,) = doc.truth["pages"]
    _check_boxes(tp)
    layers = {e["layer"] for e in tp["entities"]}
    assert layers == {"text", "image"}
    _check_text_layer(doc.data, doc.truth["pages"])
    pdf = pymupdf.open(stream=doc.data, filetype="pdf")
    (img,) = pdf[0].get_image_info()
    frame = pymupdf.Rect(img["bbox"])
    chars = _chars(pdf[0])
    for e in tp["entities"]:
        if e["layer"] == "image":
            assert frame.contains(pymupdf.Rect(e["bbox"]))
            assert _text_at(chars, e["bbox"]) == ""  # exists only as pixels
    assert {m["category"] for m in tp["marks"]} == {"face", "seal"}


def _ink_fraction(img: np.ndarray, bbox: list[float]) -> float:
    x0, y0, x1, y1 = (round(v) for v in bbox)
    crop = img[y0:y1, x0:x1]
    grey = crop if crop.ndim == 2 else crop.mean(axis=2)
    return float((grey < 140).mean()) if grey.size else 0.0


@pytest.mark.parametrize("orientation", [90, 270])
def test_rotated_scan_swaps_size_and_moves_boxes(orientation: int) -> None:
    upright = make_document("workload", "scan_png", random.Random(8), skew=0.0, noise=False)
    rotated = make_document(
        "workload", "scan_png", random.Random(8), orientation=orientation, skew=1.5, noise=True
    )
    p0, p1 = upright.truth["pages"][0], rotated.truth["pages"][0]
    assert p1["orientation"] == orientation and p1["unit"] == "px"
    assert (p1["width"], p1["height"]) == (p0["height"], p0["width"])
    img = np.asarray(Image.open(io.BytesIO(rotated.data)))
    assert (img.shape[1], img.shape[0]) == (p1["width"], p1["height"])
    _check_boxes(p1)
    # the truth boxes land on ink: a name or number box is never blank paper
    inked = [_ink_fraction(img, e["bbox"]) > 0.02 for e in p1["entities"]]
    assert sum(inked) >= 0.95 * len(inked)
    assert _ink_fraction(img, [0, 0, 40, 40]) < 0.01  # margins are blank


def test_scan_pdf_and_multipage_tiff() -> None:
    ident = make_identity(random.Random(4))
    pdf_doc = make_document("case_first_page", "scan_pdf", random.Random(1), ident, orientation=180)
    pdf = pymupdf.open(stream=pdf_doc.data, filetype="pdf")
    (tp,) = pdf_doc.truth["pages"]
    assert tp["unit"] == "pt" and not pdf[0].get_text().strip()
    (img,) = pdf[0].get_image_info()
    assert img["width"] * 72 / 200 == pytest.approx(pdf[0].rect.width, abs=0.01)
    _check_boxes(tp)
    tif = make_document("progress_note", "scan_tif", random.Random(2), ident, orientation=270)
    assert tif.ext == "tif" and len(tif.truth["pages"]) == 2
    im = Image.open(io.BytesIO(tif.data))
    assert getattr(im, "n_frames", 1) == 2
    for tp in tif.truth["pages"]:
        im.seek(tp["index"])
        assert im.size == (tp["width"], tp["height"])
        _check_boxes(tp)
    assert tif.profile == pdf_doc.profile == ident.profile()


def test_id_numbers_and_profile() -> None:
    for seed in range(30):
        ident = make_identity(random.Random(seed))
        prof = ident.profile()
        assert set(prof) == {"person", "organization", "place", "phone", "id_number", "position"}
        person_id = ident.person.id_number
        assert len(person_id) == 18 and gb11643_check_digit(person_id[:17]) == person_id[17]
        person = ident.person
        assert person.pinyin.split()[0].istitle()
        assert " " in person.pinyin or person.style in ("mongol", "tibetan")
        assert set(ident.positions_en) <= set(prof["position"])
        assert len(ident.positions_en) == len(ident.positions)
    ids = [
        e["text"]
        for seed in (9, 10, 11)
        for e in make_document("case_first_page", "born", random.Random(seed)).truth["pages"][0]["entities"]
        if e["category"] == "id_number"
    ]
    whole = [i for i in ids if "*" not in i]  # EMR printouts may hide the middle
    assert whole and all(gb11643_check_digit(i[:17]) == i[17] for i in whole)


def test_deterministic() -> None:
    a = make_document("paper", "scan_jpg", random.Random(21), orientation=90)
    b = make_document("paper", "scan_jpg", random.Random(21), orientation=90)
    assert a.truth == b.truth


def test_schedule_covers_kinds_variants_orientations() -> None:
    plan = schedule(40)
    assert {k for k, _, _ in plan} == set(KINDS)
    assert {v for _, v, _ in plan} == set(VARIANTS)
    for v in SCAN_VARIANTS:
        assert {o for _, vv, o in plan if vv == v} == set(ORIENTATIONS)
    assert all(o == 0 for _, v, o in plan if v not in SCAN_VARIANTS)


def test_make_corpus_writes_files(tmp_path: Path) -> None:
    records = make_corpus(tmp_path, 3, seed=1, variants=("born", "scan_jpg", "rotate90"))
    assert len(records) == 3
    for r in records:
        stem = r["file"].rsplit(".", 1)[0]
        truth = json.loads((tmp_path / f"{stem}.truth.json").read_text(encoding="utf-8"))
        profile = json.loads((tmp_path / "profiles" / f"{stem}.json").read_text(encoding="utf-8"))
        assert (tmp_path / r["file"]).stat().st_size > 1000
        assert truth["file"] == r["file"] and truth["profile"] == profile
        assert {c for p in truth["pages"] for c in (e["category"] for e in p["entities"])} <= set(
            CATEGORIES
        )


def test_minority_names_and_romanisation() -> None:
    rng = random.Random(7)
    people = [make_person(rng) for _ in range(600)]
    minority = [p for p in people if p.style != "han"]
    assert 0.08 <= len(minority) / len(people) <= 0.2
    assert {p.style for p in minority} == {"uyghur", "mongol", "tibetan"}
    for p in minority:
        assert p.surname == "" and p.pinyin[:1].isupper() and p.pinyin_short
        if p.style == "uyghur":
            first, father = p.name.split("·")
            assert first and father and p.call_name == first
    han = next(p for p in people if p.style == "han")
    assert han.pinyin_caps.split()[0] == han.pinyin.split()[0].upper()
    assert place_en("呼和浩特市") == "Hohhot" and place_en("巴音郭楞蒙古自治州") == "Bayingolin"
    assert place_en("西安市") == "Xi'an" and road_en("通道北街") == "Tongdao North Street"
    assert (
        colloquial_place("锡林郭勒盟") == "锡盟"
        and colloquial_place("巴音郭楞蒙古自治州") == "巴州"
    )


def test_wrapped_name_becomes_one_entity_per_line() -> None:
    cv = Canvas()
    items: list[Item] = [
        "已向患者家属详细交代病情及预后，家属",
        Ew("阿依努尔·买买提", "person"),
        "表示理解。",
    ]
    width = cv.split_width(items, 1, 300, 10.5)
    assert 210 <= width < 300  # narrowed until the name wraps
    cv.para(60, 100, width, items, 10.5)
    parts = [e for e in cv.entities if e["category"] == "person"]
    assert len(parts) == 2 and "".join(e["text"] for e in parts) == "阿依努尔·买买提"
    assert parts[0]["bbox"][1] < parts[1]["bbox"][1]  # on two lines


def test_corpus_has_generic_identities_and_hard_negatives() -> None:
    ident = make_identity(random.Random(2))
    counts: dict[str, int] = {}
    keep: set[str] = set()
    for i, kind in enumerate(KINDS):
        for j in range(3):
            doc = make_document(kind, "born", random.Random(100 * i + j), ident)
            for e in doc.truth["pages"][0]["entities"]:
                if not e["in_profile"]:
                    counts[e["category"]] = counts.get(e["category"], 0) + 1
            keep |= {k["text"] for k in doc.truth["pages"][0]["keep"]}
    for cat in ("person", "organization", "place", "address", "position"):
        assert counts.get(cat, 0) >= 10, (cat, counts)
    assert keep & {"我院", "本院"} and keep & set(HARD_DISEASES)


def test_printed_forms_hidden_numbers_cards_and_caps_names() -> None:
    """Partly hidden IDs and mobiles (EMR printouts), salary card numbers (whole, grouped or
    hidden) and pinyin names joined in capitals appear, valid as the detectors define them."""
    from scripts.scoring import form_of
    from service.detect.validators import VALIDATORS, is_bank_card

    forms: dict[str, list[str]] = {}
    for kind in ("case_first_page", "appraisal", "award_cert"):
        for seed in range(12):
            doc = make_document(kind, "born", random.Random(seed))
            for ent in doc.truth["pages"][0]["entities"]:
                form = form_of(ent)
                if form is not None:
                    forms.setdefault(form, []).append(ent["text"])
    assert set(forms) >= {
        "id_number/hidden", "phone/hidden", "identifier/hidden", "identifier/card", "person/caps_name"
    }  # fmt: skip
    bare = {form: [t.replace(" ", "") for t in texts] for form, texts in forms.items()}
    assert all(VALIDATORS["starred_id"](t) for t in bare["id_number/hidden"])
    assert all(VALIDATORS["starred_mobile"](t) for t in bare["phone/hidden"])
    assert all(VALIDATORS["starred_card"](t) for t in bare["identifier/hidden"])
    assert all(is_bank_card(t) for t in bare["identifier/card"] if t.startswith("62"))
    assert all(t.isupper() and " " not in t for t in forms["person/caps_name"])
