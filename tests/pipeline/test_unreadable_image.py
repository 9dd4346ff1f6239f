"""Fail closed: an embedded image that cannot be decoded is masked whole, with a warning."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pymupdf
from PIL import Image

from service.config import Options
from service.pipeline.run import redact_document
from tests.conftest import save_pdf, write_lines


def test_undecodable_image_is_masked_whole(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    write_lines(page, ["科室：心内科"])
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(buf, "JPEG")
    xref = page.insert_image(pymupdf.Rect(100, 300, 220, 380), stream=buf.getvalue())
    doc.update_stream(xref, b"\xff\xd8\xff\xe0 this is not a JPEG any more", compress=False)
    doc.xref_set_key(xref, "Filter", "/DCTDecode")
    doc.xref_set_key(xref, "DecodeParms", "null")
    src = save_pdf(doc, tmp_path / "broken.pdf")
    result = redact_document(src, tmp_path / "out", Options(jobs=1))
    assert result.exit_code in (0, 5), result.error
    manifest = json.loads((tmp_path / "out" / "broken.manifest.json").read_text(encoding="utf-8"))
    regions = manifest["pages"][0]["regions"]
    assert any(r["rule"] == "fail_closed.unreadable_image" for r in regions)
    assert any("unreadable image" in w for w in manifest["warnings"])
    if result.exit_code == 0:
        with pymupdf.open(tmp_path / "out" / "broken.blind.pdf") as blind:
            assert "心内科" in blind[0].get_text()
