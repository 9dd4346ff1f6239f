"""Born-digital PDFs end to end: every profile identity and every phone/ID/email/postcode is
removed from the text layer, nothing else changes, and the outputs follow DESIGN §1.1/§1.4."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from scripts.corpus import KINDS
from tests.pipeline.helpers import manifest, misses, must_mask, run_generated


@pytest.mark.parametrize("kind", KINDS)
def test_born_digital_kind_is_fully_masked(tmp_path: Path, kind: str) -> None:
    run = run_generated(tmp_path, kind, "born")
    assert run.result.exit_code == 0, run.result.error
    assert misses(run) == []
    blind = run.out / f"{run.src.stem}.blind.pdf"
    with pymupdf.open(run.src) as a, pymupdf.open(blind) as b:
        assert a.page_count == b.page_count
        text = "".join(p.get_text() for p in b)
        for pa, pb in zip(a, b, strict=True):
            assert pa.rect == pb.rect
        assert b.metadata.get("author", "") == "" and not b.get_xml_metadata()
    squashed = "".join(text.split())
    for page in run.truth["pages"]:
        for ent in page["entities"]:
            if must_mask(ent) and len(ent["text"]) >= 2:
                assert "".join(ent["text"].split()) not in squashed, ent["category"]
    v = manifest(run)["verification"]
    assert v == {"text_leaks": 0, "rescan_findings": 0, "pixels_changed_outside_masks": 0,
                 "metadata_clean": True}


def test_manifest_has_no_identifying_text(tmp_path: Path) -> None:
    run = run_generated(tmp_path, "case_first_page", "born")
    raw = (run.out / f"{run.src.stem}.manifest.json").read_text(encoding="utf-8")
    for page in run.truth["pages"]:
        for ent in page["entities"]:
            if len(ent["text"]) >= 2:
                assert ent["text"] not in raw
    m = manifest(run)
    assert set(m) == {"version", "input", "output", "policy", "pages", "verification", "warnings"}
    assert set(m["pages"][0]) == {"index", "width", "height", "unit", "orientation",
                                  "needs_masking", "regions"}
    assert m["version"] == 1 and m["input"]["pages"] == 1
    assert m["pages"][0]["unit"] == "pt" and m["pages"][0]["regions"]
    region = m["pages"][0]["regions"][0]
    assert set(region) == {"bbox", "category", "source", "rule", "score", "text_sha256"}


def test_rotate90_page_masks_in_displayed_space(tmp_path: Path) -> None:
    run = run_generated(tmp_path, "award_cert", "rotate90")
    assert run.result.exit_code == 0, run.result.error
    assert misses(run) == []
    with pymupdf.open(run.out / f"{run.src.stem}.blind.pdf") as b:
        assert b[0].rotation == 90
