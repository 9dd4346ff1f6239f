"""Adversarial PDFs: the applicant's name hidden wherever a PDF can hold text.

Each case builds a one-page PDF that carries the profile name (or its pinyin) in one hiding
place, runs ``mangshen redact`` on it, and then searches the *output file*: its raw bytes,
every object and every decompressed stream, the text layer, metadata, XMP, annotations,
links, widgets, attachments, outline and revision history. Nothing may be found, and the
manifest's verification must be clean.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from PIL import Image

from tests.conftest import BODY, NAME, CliRun, cjk_font, new_pdf, save_pdf, write_lines

PINYIN = "zhangsanfeng"
_U16 = NAME.encode("utf-16-be")
#: byte forms of the name as a PDF or an attachment may store it
BYTE_NEEDLES: tuple[bytes, ...] = (
    NAME.encode("utf-8"),
    NAME.encode("gb18030"),
    _U16,
    _U16.hex().encode(),  # <FEFF5F204E094E30> in strings, lower-cased haystack
    PINYIN.encode(),
    b"zhang sanfeng",
)
XMP = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:creator><rdf:Seq><rdf:li>{NAME}</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""

Builder = Callable[[Path], Path]


# -- finding the name -----------------------------------------------------------------------
def _hits_bytes(data: bytes, where: str) -> list[str]:
    low = data.lower()
    return [f"{where}: {n!r}" for n in BYTE_NEEDLES if n.lower() in low]


def _hits_text(text: str, where: str) -> list[str]:
    squashed = "".join(text.split()).lower()
    forms = (NAME, PINYIN, _U16.hex())
    return [f"{where}: {f}" for f in forms if f.lower() in squashed]


def find_name(path: Path) -> list[str]:
    """Every place in ``path`` where the name (in any of its forms) can be found."""
    hits = _hits_bytes(path.read_bytes(), "raw bytes")
    with pymupdf.open(path) as doc:
        for xref in range(1, doc.xref_length()):
            hits += _hits_text(doc.xref_object(xref, compressed=False), f"object {xref}")
            if doc.xref_is_stream(xref):
                stream = doc.xref_stream(xref) or b""
                hits += _hits_bytes(stream, f"stream {xref}")
                hits += _hits_text(
                    stream.decode("utf-16-be", "replace"), f"stream {xref} as UTF-16"
                )
        hits += _hits_text(doc.xref_object(-1), "trailer")
        hits += _hits_text(json.dumps(doc.metadata, ensure_ascii=False), "Info")
        hits += _hits_text(doc.get_xml_metadata(), "XMP")
        hits += _hits_text(json.dumps(doc.get_toc(), ensure_ascii=False), "outline")
        for i in range(doc.embfile_count()):
            hits += _hits_bytes(doc.embfile_get(i), f"attachment {i}")
            hits += _hits_text(
                json.dumps(doc.embfile_info(i), ensure_ascii=False), "attachment info"
            )
        for page in doc:
            # unclipped: text outside the crop box or the media box is in the file too
            text = page.get_text(flags=0, clip=pymupdf.INFINITE_RECT())
            hits += _hits_text(text, f"page {page.number} text")
            hits += _hits_text(json.dumps(page.get_links(), default=str), "links")
            for annot in page.annots():
                hits += _hits_text(json.dumps(annot.info, ensure_ascii=False), "annotation")
            for widget in page.widgets():
                hits += _hits_text(str(widget.field_value), "widget")
    return hits


# -- the hiding places ----------------------------------------------------------------------
def _body(path: Path, lines: tuple[str, ...] = BODY) -> Path:
    return save_pdf(new_pdf(lines), path)


def build_visible_body(path: Path) -> Path:
    return _body(path, (*BODY, f"申请人：{NAME}"))


def build_xmp(path: Path) -> Path:
    doc = new_pdf()
    doc.set_xml_metadata(XMP)
    return save_pdf(doc, path)


def build_info(path: Path) -> Path:
    doc = new_pdf()
    doc.set_metadata(
        {"author": NAME, "title": f"{NAME}的申请书", "subject": PINYIN, "keywords": NAME}
    )
    return save_pdf(doc, path)


def build_text_annot(path: Path) -> Path:
    doc = new_pdf()
    annot = doc[0].add_text_annot((500, 100), f"评审请联系{NAME}")
    annot.set_info(title=NAME, subject=PINYIN)
    annot.update()
    return save_pdf(doc, path)


def build_freetext(path: Path) -> Path:
    doc = new_pdf()
    doc[0].add_freetext_annot(
        pymupdf.Rect(72, 300, 320, 340), f"申请人：{NAME}", fontsize=14, fontname="china-s"
    )
    return save_pdf(doc, path)


def build_attachment(path: Path) -> Path:
    doc = new_pdf()
    cv = f"{NAME} 简历 {PINYIN}".encode()
    doc.embfile_add("cv", cv, filename=f"{NAME}.txt", desc=f"{NAME}的简历")
    doc[0].add_file_annot((500, 200), cv, f"{NAME}-cv.txt", desc=NAME)
    return save_pdf(doc, path)


def build_javascript(path: Path) -> Path:
    doc = new_pdf()
    js = doc.get_new_xref()
    script = f"app.alert('{PINYIN}'); var who = '{NAME}';".encode("utf-16-be").hex().upper()
    doc.update_object(js, f"<< /S /JavaScript /JS <FEFF{script}> >>")
    cat = doc.pdf_catalog()
    doc.xref_set_key(cat, "Names", f"<< /JavaScript << /Names [ (init) {js} 0 R ] >> >>")
    doc.xref_set_key(cat, "OpenAction", f"{js} 0 R")
    doc.xref_set_key(doc[0].xref, "AA", f"<< /O {js} 0 R >>")
    return save_pdf(doc, path)


def build_incremental(path: Path) -> Path:
    doc = new_pdf((*BODY, f"申请人：{NAME}"))
    doc.set_metadata({"author": NAME})
    save_pdf(doc, path)
    with pymupdf.open(path) as doc:
        page = doc[0]
        for rect in page.search_for(NAME):
            page.add_redact_annot(rect, fill=False)
        page.apply_redactions()
        doc.set_metadata({})
        doc.saveIncr()
    assert path.read_bytes().count(b"%%EOF") == 2  # two revisions; the first names the applicant
    return path


def build_invisible_layer(path: Path) -> Path:
    """A 'scan' (a small image showing the name) with an invisible OCR text layer over it."""
    origin, size = (72.0, 300.0), 16.0
    with pymupdf.open() as scratch:
        sp = scratch.new_page(width=120, height=32)
        write_lines(sp, [NAME], origin=(8.0, 22.0), fontsize=size)
        png = sp.get_pixmap(dpi=100).tobytes("png")
    doc = new_pdf()
    page = doc[0]
    x, y = origin
    page.insert_image(pymupdf.Rect(x - 8, y - 22, x + 112, y + 10), stream=png)
    write_lines(page, [NAME], origin=origin, fontsize=size, render_mode=3)
    return save_pdf(doc, path)


def build_outline(path: Path) -> Path:
    doc = new_pdf()
    doc.set_toc([[1, f"{NAME}的申请书", 1], [2, PINYIN, 1]])
    return save_pdf(doc, path)


def build_form_field(path: Path) -> Path:
    doc = new_pdf()
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = "applicant"
    widget.field_label = NAME
    widget.field_value = NAME
    widget.rect = pymupdf.Rect(72, 400, 320, 430)
    doc[0].add_widget(widget)
    return save_pdf(doc, path)


def build_link(path: Path) -> Path:
    doc = new_pdf()
    doc[0].insert_link(
        {
            "kind": pymupdf.LINK_URI,
            "from": pymupdf.Rect(72, 86, 300, 104),
            "uri": f"https://example.org/{PINYIN}/cv",
        }
    )
    return save_pdf(doc, path)


# -- more hiding places: private keys, labels, layers, image metadata, off-page text ----------
def _hex16(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def build_private_keys(path: Path) -> Path:
    doc = new_pdf()
    doc.xref_set_key(doc.pdf_catalog(), "Applicant", _hex16(NAME))
    doc.xref_set_key(doc[0].xref, "Owner", f"({PINYIN})")
    doc.xref_set_key(doc[0].xref, "PieceInfo", f"<< /App << /Private ({PINYIN}) >> >>")
    return save_pdf(doc, path)


def build_page_labels(path: Path) -> Path:
    doc = new_pdf()
    doc.set_page_labels([{"startpage": 0, "prefix": f"{PINYIN}-", "style": "D"}])
    return save_pdf(doc, path)


def build_structure_tree(path: Path) -> Path:
    """Tagged-PDF alt text and actual text, and a named destination."""
    doc = new_pdf()
    cat = doc.pdf_catalog()
    elem = doc.get_new_xref()
    doc.update_object(
        elem, f"<< /Type /StructElem /S /Figure /Alt {_hex16(NAME)} /ActualText {_hex16(NAME)} >>"
    )
    doc.xref_set_key(cat, "StructTreeRoot", f"<< /Type /StructTreeRoot /K {elem} 0 R >>")
    doc.xref_set_key(cat, "Dests", f"<< /{PINYIN} [ {doc[0].xref} 0 R /Fit ] >>")
    return save_pdf(doc, path)


def build_layer_name(path: Path) -> Path:
    """A visible layer named after the applicant."""
    doc = new_pdf(())
    ocg = doc.add_ocg(f"{NAME}的批注", on=True)
    tw = pymupdf.TextWriter(doc[0].rect)
    tw.append((72, 100), BODY[0], font=cjk_font(), fontsize=14)
    tw.write_text(doc[0], oc=ocg)
    return save_pdf(doc, path)


def build_jpeg_metadata(path: Path) -> Path:
    """A photo whose JPEG stream carries EXIF Artist and a comment (no mask touches it)."""
    im = Image.effect_noise((96, 64), 40).convert("RGB")
    exif = Image.Exif()
    exif[0x013B] = PINYIN  # Artist
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes(), comment=PINYIN.encode())
    doc = new_pdf()
    doc[0].insert_image(pymupdf.Rect(300, 500, 396, 564), stream=buf.getvalue())
    return save_pdf(doc, path)


def build_outside_mediabox(path: Path) -> Path:
    doc = new_pdf()
    write_lines(doc[0], [f"申请人：{NAME}"], origin=(72.0, 900.0))
    return save_pdf(doc, path)


def build_cropped_away(path: Path) -> Path:
    """The name is on the page but outside the crop box (the naive 'redaction')."""
    doc = new_pdf((*BODY[:2], "", "", f"申请人：{NAME}"))
    doc[0].set_cropbox(pymupdf.Rect(0, 0, 595, 180))
    return save_pdf(doc, path)


def build_white_text(path: Path) -> Path:
    doc = new_pdf()
    doc[0].insert_text(
        (72, 300), f"申请人：{NAME}", fontname="china-s", fontsize=12, color=(1, 1, 1)
    )
    return save_pdf(doc, path)


CASES: dict[str, Builder] = {
    "private_keys": build_private_keys,
    "page_labels": build_page_labels,
    "structure_tree": build_structure_tree,
    "layer_name": build_layer_name,
    "jpeg_metadata": build_jpeg_metadata,
    "outside_mediabox": build_outside_mediabox,
    "cropped_away": build_cropped_away,
    "white_text": build_white_text,
    "visible_body": build_visible_body,
    "xmp": build_xmp,
    "info": build_info,
    "text_annot": build_text_annot,
    "freetext": build_freetext,
    "attachment": build_attachment,
    "javascript": build_javascript,
    "incremental": build_incremental,
    "invisible_layer": build_invisible_layer,
    "outline": build_outline,
    "form_field": build_form_field,
    "link": build_link,
}


# -- the checks -----------------------------------------------------------------------------
def _redact(
    src: Path, out: Path, profile: Path, run_cli: Callable[..., CliRun], *extra: str
) -> Path:
    run = run_cli("redact", src, "-o", out, "--profile", profile, *extra)
    assert "Traceback" not in run.stderr
    assert run.code == 0, run.stderr
    blind = out / f"{src.stem}.blind.pdf"
    assert blind.is_file()
    return blind


def _assert_structure_clean(src: Path, blind: Path) -> None:
    raw = blind.read_bytes()
    assert raw.count(b"%%EOF") == 1, "incremental sections left: not a full rewrite"
    assert raw.count(b"startxref") == 1
    with pymupdf.open(src) as a, pymupdf.open(blind) as b:
        assert b.page_count == a.page_count
        assert [p.rect for p in b] == [p.rect for p in a]
        assert "/Prev" not in b.xref_object(-1)
        assert not {k: v for k, v in b.metadata.items() if v and k not in ("format", "encryption")}
        assert b.get_xml_metadata() == ""
        assert b.embfile_count() == 0
        assert b.get_toc() == []
        cat = b.pdf_catalog()
        for key in ("Metadata", "Names", "OpenAction", "AA", "Outlines", "AcroForm"):
            assert b.xref_get_key(cat, key)[0] == "null", key
        for page in b:
            assert page.first_annot is None and page.first_widget is None
            assert page.get_links() == []
            assert b.xref_get_key(page.xref, "Annots")[0] == "null"
        for xref in range(1, b.xref_length()):
            obj = b.xref_object(xref, compressed=False)
            for key in ("/JS", "/JavaScript", "/EmbeddedFile", "/Filespec", "/URI", "/Type /Annot"):
                assert key not in obj, f"object {xref} holds {key}"


def _assert_manifest_clean(out: Path, stem: str) -> dict[str, Any]:
    manifest = json.loads((out / f"{stem}.manifest.json").read_text(encoding="utf-8"))
    assert manifest["verification"] == {
        "text_leaks": 0,
        "rescan_findings": 0,
        "pixels_changed_outside_masks": 0,
        "metadata_clean": True,
    }
    assert NAME not in json.dumps(manifest, ensure_ascii=False)
    return manifest


@pytest.mark.parametrize("case", sorted(CASES))
def test_hidden_name_does_not_survive(
    case: str, tmp_path: Path, profile_file: Path, run_cli: Callable[..., CliRun]
) -> None:
    src = CASES[case](tmp_path / f"{case}.pdf")
    assert find_name(src), "the test PDF does not carry the name: the case proves nothing"
    extra = ("--verify-ocr",) if case == "invisible_layer" else ()
    blind = _redact(src, tmp_path / "out", profile_file, run_cli, *extra)
    assert find_name(blind) == []
    _assert_structure_clean(src, blind)
    _assert_manifest_clean(tmp_path / "out", src.stem)


def test_incremental_history_is_gone(
    tmp_path: Path, profile_file: Path, run_cli: Callable[..., CliRun]
) -> None:
    """The first revision's page content (which shows the name) is not in the blind copy."""
    first = save_pdf(new_pdf((*BODY, f"申请人：{NAME}")), tmp_path / "first.pdf")
    with pymupdf.open(first) as doc:
        old_streams = {doc.xref_stream(x) for x in doc[0].get_contents()}
    src = build_incremental(tmp_path / "incremental.pdf")
    blind = _redact(src, tmp_path / "out", profile_file, run_cli)
    with pymupdf.open(blind) as doc:
        streams = {doc.xref_stream(x) for x in range(1, doc.xref_length()) if doc.xref_is_stream(x)}
    assert not old_streams & streams


def test_invisible_layer_image_pixels_are_masked(
    tmp_path: Path, profile_file: Path, run_cli: Callable[..., CliRun]
) -> None:
    """The name's box is masked in the image too: the rendered blind page is black there."""
    src = build_invisible_layer(tmp_path / "scan.pdf")
    blind = _redact(src, tmp_path / "out", profile_file, run_cli)
    manifest = _assert_manifest_clean(tmp_path / "out", src.stem)
    boxes = [r["bbox"] for p in manifest["pages"] for r in p["regions"]]
    assert boxes
    with pymupdf.open(src) as doc:
        name_rects = doc[0].search_for(NAME)
    assert name_rects
    with pymupdf.open(blind) as doc:
        for rect in name_rects:
            inner = pymupdf.Rect(rect.x0 + 2, rect.y0 + 2, rect.x1 - 2, rect.y1 - 2)
            pix = doc[0].get_pixmap(clip=inner, dpi=72, colorspace=pymupdf.csGRAY)
            assert max(pix.samples) < 32, "the image still shows pixels under the mask"


def test_attachment_bytes_not_in_output(
    tmp_path: Path, profile_file: Path, run_cli: Callable[..., CliRun]
) -> None:
    src = build_attachment(tmp_path / "att.pdf")
    blind = _redact(src, tmp_path / "out", profile_file, run_cli)
    with pymupdf.open(blind) as doc:
        names = io.StringIO()
        for xref in range(1, doc.xref_length()):
            names.write(doc.xref_object(xref, compressed=False))
    assert "/EF" not in names.getvalue()


def test_hidden_layer_is_refused(
    tmp_path: Path, profile_file: Path, run_cli: Callable[..., CliRun]
) -> None:
    """Text in a layer that is switched off is neither rendered nor extracted: it could not be
    read or masked, and a reviewer can switch the layer on. Such a file is refused (exit 3)."""
    doc = new_pdf()
    ocg = doc.add_ocg("notes", on=False)
    tw = pymupdf.TextWriter(doc[0].rect)
    tw.append((72, 300), f"申请人：{NAME}", font=cjk_font(), fontsize=14)
    tw.write_text(doc[0], oc=ocg)
    src = save_pdf(doc, tmp_path / "layer_off.pdf")
    run = run_cli("redact", src, "-o", tmp_path / "out", "--profile", profile_file)
    assert run.code == 3
    assert "hidden layers" in run.stderr and "Traceback" not in run.stderr
    assert not list((tmp_path / "out").glob("*.blind.*"))


def test_jpeg_stream_keeps_its_pixels(
    tmp_path: Path, profile_file: Path, run_cli: Callable[..., CliRun]
) -> None:
    """Stripping JPEG metadata keeps the compressed image data byte for byte."""
    src = build_jpeg_metadata(tmp_path / "photo.pdf")
    blind = _redact(src, tmp_path / "out", profile_file, run_cli)

    def scan_data(path: Path) -> bytes:
        with pymupdf.open(path) as doc:
            (xref,) = [
                x
                for x in range(1, doc.xref_length())
                if doc.xref_get_key(x, "Filter")[1] == "/DCTDecode"
            ]
            raw = doc.xref_stream_raw(xref)
        return raw[raw.index(b"\xff\xda") :]

    assert scan_data(blind) == scan_data(src)


def test_cropped_away_scan_pixels_are_blanked(
    tmp_path: Path, profile_file: Path, run_cli: Callable[..., CliRun]
) -> None:
    """A scan whose lower half (showing the name) lies outside the crop box: the hidden image
    pixels are blanked in the blind copy, and what is visible renders exactly as before."""
    with pymupdf.open() as scratch:
        sp = scratch.new_page(width=200, height=100)
        write_lines(sp, ["表格", NAME], origin=(10.0, 30.0), fontsize=16)
        png = sp.get_pixmap(dpi=100).tobytes("png")
    doc = new_pdf()
    doc[0].insert_image(pymupdf.Rect(72, 150, 272, 250), stream=png)
    doc[0].set_cropbox(pymupdf.Rect(0, 0, 595, 200))  # the name's line starts at y ≈ 198
    src = save_pdf(doc, tmp_path / "cropped_scan.pdf")
    blind = _redact(src, tmp_path / "out", profile_file, run_cli)
    _assert_manifest_clean(tmp_path / "out", src.stem)

    def hidden_rows(path: Path) -> bytes:
        with pymupdf.open(path) as d:
            pix = pymupdf.Pixmap(d, d[0].get_images()[0][0])
        # image rows below page y = 205 (139 px over 100 pt: row = (205 - 150) * 1.39)
        first = int((205 - 150) * pix.height / 100)
        return pix.samples[first * pix.stride :]

    assert min(hidden_rows(src)) < 128, "the original hides dark (text) pixels off the page"
    assert min(hidden_rows(blind)) > 200, "hidden image pixels survived outside the crop box"
