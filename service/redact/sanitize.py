"""Remove everything from a PDF that is not page content.

Each function is narrow and idempotent, says what it removes and what it leaves. What is
*not* guaranteed: content inside optional-content layers that are switched off is neither
rendered nor read (ingest refuses such files); fonts keep their names and their glyph sets (a
subset font still holds the glyphs of masked text, without their positions); private keys
are removed from the catalog and the page dictionaries, not from every object (fonts,
images); JPEG 2000 images keep their metadata boxes.
"""

from __future__ import annotations

import pymupdf

#: dictionary keys removed from every object: private app data, thumbnails, per-object
#: metadata streams, actions and scripts
_DROP_KEYS = ("Metadata", "PieceInfo", "Thumb", "AA", "JS", "LastModified", "AF")
#: catalog keys kept; everything else goes: outline (bookmarks name people), tags (alt text),
#: forms, actions, name trees, page labels, associated files, private application keys
_KEEP_CATALOG = frozenset({"Type", "Pages", "Version", "OCProperties", "Lang", "PageLayout"})
#: page (and page-tree node) keys kept; private keys, beads, transitions, IDs go
_KEEP_PAGE = frozenset({
    "Type", "Parent", "Kids", "Count", "Resources", "MediaBox", "CropBox", "BleedBox",
    "TrimBox", "ArtBox", "Contents", "Rotate", "Group", "UserUnit", "Annots",
})
#: JPEG markers kept in DCT image streams: JFIF (APP0), ICC profile (APP2), Adobe colour
#: transform (APP14) and everything that is not an APPn/COM segment
_JPEG_KEEP_APP = frozenset({0xE0, 0xE2, 0xEE})


def bake_overlays(doc: pymupdf.Document) -> bool:
    """Turn visible annotations and form fields into page content (before analysis), so that
    what they show is read, masked and compared like everything else. Returns whether the
    document had any."""
    had = any(page.first_annot or page.first_widget for page in doc)
    if had:
        doc.bake(annots=True, widgets=True)
    return had


def remove_annotations(doc: pymupdf.Document) -> None:
    """Delete every annotation, link and widget left (popups, hidden or invisible ones)."""
    for page in doc:
        for link in page.get_links():
            page.delete_link(link)
        annot = page.first_annot
        while annot is not None:
            annot = page.delete_annot(annot)
        widget = page.first_widget
        while widget is not None:
            nxt = widget.next
            page.delete_widget(widget)
            widget = nxt
        doc.xref_set_key(page.xref, "Annots", "null")


def remove_metadata_and_scripts(doc: pymupdf.Document) -> None:
    """Info dictionary, XMP, attachments, embedded files, JavaScript, thumbnails."""
    doc.scrub(
        attached_files=True,
        clean_pages=False,
        embedded_files=True,
        hidden_text=False,
        javascript=True,
        metadata=True,
        redactions=False,
        redact_images=0,
        remove_links=True,
        reset_fields=True,
        reset_responses=True,
        thumbnails=True,
        xml_metadata=True,
    )
    doc.set_metadata({})
    doc.del_xml_metadata()


def remove_private_keys(doc: pymupdf.Document) -> None:
    """Drop metadata streams, thumbnails, actions and app data from every object, and the
    catalog entries that can carry names (outline, structure tree, forms, name trees)."""
    cat = doc.pdf_catalog()
    _keep_only(doc, cat, _KEEP_CATALOG)
    for xref in _page_tree(doc):
        _keep_only(doc, xref, _KEEP_PAGE)
    for xref in range(1, doc.xref_length()):
        try:
            keys = doc.xref_get_keys(xref)
        except Exception:
            continue
        for key in _DROP_KEYS:
            if key in keys:
                doc.xref_set_key(xref, key, "null")
    info = doc.xref_get_key(-1, "Info")
    if info[0] != "null":
        doc.xref_set_key(-1, "Info", "null")


def _keep_only(doc: pymupdf.Document, xref: int, keep: frozenset[str]) -> None:
    for key in doc.xref_get_keys(xref):
        if key not in keep:
            doc.xref_set_key(xref, key, "null")


def _page_tree(doc: pymupdf.Document) -> set[int]:
    """Every page and every page-tree node above a page."""
    nodes: set[int] = set()
    for page in doc:
        xref = page.xref
        while xref and xref not in nodes:
            nodes.add(xref)
            kind, value = doc.xref_get_key(xref, "Parent")
            xref = int(value.split()[0]) if kind == "xref" else 0
    return nodes


def rename_layers(doc: pymupdf.Document) -> None:
    """Optional-content groups keep their on/off state but lose their names and usage
    dictionaries (a layer may be called after a person; ``Usage`` holds creator names);
    the default configuration keeps only its states, not its names or label tree."""
    for n, xref in enumerate(sorted(doc.get_ocgs()), start=1):
        doc.xref_set_key(xref, "Name", f"(Layer {n})")
        doc.xref_set_key(xref, "Usage", "null")
    cat = doc.pdf_catalog()
    if doc.xref_get_key(cat, "OCProperties")[0] == "null":
        return
    for key in ("Configs", "D/Name", "D/Creator", "D/Order", "D/Locked", "D/ListMode"):
        if doc.xref_get_key(cat, f"OCProperties/{key}")[0] != "null":
            doc.xref_set_key(cat, f"OCProperties/{key}", "null")


def strip_jpeg_metadata(doc: pymupdf.Document) -> None:
    """DCT (JPEG) image streams lose their EXIF/XMP/IPTC segments, comments and any bytes
    after the end of the image; the compressed image data is kept byte for byte."""
    for xref in range(1, doc.xref_length()):
        try:
            if not doc.xref_is_stream(xref) or doc.xref_get_key(xref, "Filter") != ("name", "/DCTDecode"):
                continue
            raw = doc.xref_stream_raw(xref)
        except Exception:  # broken object: rendering will tell
            continue
        clean = jpeg_without_metadata(raw)
        if clean != raw:
            parms = doc.xref_get_key(xref, "DecodeParms")
            doc.update_stream(xref, clean, compress=0)
            doc.xref_set_key(xref, "Filter", "/DCTDecode")
            if parms[0] != "null":
                doc.xref_set_key(xref, "DecodeParms", parms[1])


def jpeg_without_metadata(data: bytes) -> bytes:
    """``data`` without APPn segments other than JFIF/ICC/Adobe, COM segments and trailing
    bytes; returned unchanged when it does not parse as a JPEG."""
    if not data.startswith(b"\xff\xd8"):
        return data
    out, i = bytearray(b"\xff\xd8"), 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2 or i + 2 + length > len(data):
            return data
        if marker == 0xDA:  # start of scan: the rest is image data
            end = data.rfind(b"\xff\xd9")
            return bytes(out + data[i : end + 2]) if end > i else data
        is_meta = marker == 0xFE or (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEEP_APP)
        if not is_meta:
            out += data[i : i + 2 + length]
        i += 2 + length
    return data


def remove_offpage_content(doc: pymupdf.Document) -> None:
    """Content outside the visible page (the CropBox) is never shown, but it is in the file
    and a text extractor finds it (a page 'redacted' by cropping). Text wholly outside is
    removed; image pixels outside are blanked, except within two image pixels of the edge
    (their colour bleeds into the visible edge when the image is drawn); line art wholly
    outside is removed. Characters that are partly visible stay: they are read, masked and
    compared like the rest of the page."""
    for page in doc:
        visible = pymupdf.Rect(page.rect) * page.derotation_matrix
        visible.normalize()
        if all(
            kind.startswith("clip") or _within(pymupdf.Rect(r), visible, 0.5)
            for kind, r in page.get_bboxlog()
        ):
            continue
        m = 1.0 + 2.0 * _largest_image_pixel(page)
        v, far = visible, 1e5
        for band in (
            (-far, -far, far, v.y0 - m),
            (-far, v.y1 + m, far, far),
            (-far, -far, v.x0 - m, far),
            (v.x1 + m, -far, far, far),
        ):
            page.add_redact_annot(pymupdf.Rect(band), fill=False)
        page.apply_redactions(
            images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
            graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
            text=pymupdf.PDF_REDACT_TEXT_NONE,
        )
        hidden = [r for r in _char_boxes(page) if not r.intersects(visible)]
        for r in hidden:
            page.add_redact_annot(
                pymupdf.Rect(r.x0 + 0.2, r.y0 + 0.2, r.x1 - 0.2, r.y1 - 0.2), fill=False
            )
        if hidden:
            page.apply_redactions(
                images=pymupdf.PDF_REDACT_IMAGE_NONE,
                graphics=pymupdf.PDF_REDACT_LINE_ART_NONE,
                text=pymupdf.PDF_REDACT_TEXT_REMOVE,
            )


def _within(r: pymupdf.Rect, outer: pymupdf.Rect, tol: float) -> bool:
    return r.is_empty or (
        r.x0 >= outer.x0 - tol and r.y0 >= outer.y0 - tol and r.x1 <= outer.x1 + tol and r.y1 <= outer.y1 + tol
    )


def _largest_image_pixel(page: pymupdf.Page) -> float:
    """The side, in points, of the coarsest image pixel drawn on the page (0 without images)."""
    sizes = [
        max(pymupdf.Rect(info["bbox"]).width, pymupdf.Rect(info["bbox"]).height)
        / max(1, min(info["width"], info["height"]))
        for info in page.get_image_info()
    ]
    return max(sizes, default=0.0)


def _char_boxes(page: pymupdf.Page) -> list[pymupdf.Rect]:
    """Unrotated boxes of every character on the page, wherever it is (no clipping)."""
    raw = page.get_text("rawdict", flags=0, clip=pymupdf.INFINITE_RECT())
    return [
        pymupdf.Rect(ch["bbox"])
        for block in raw.get("blocks", [])
        for line in block.get("lines", [])
        for span in line.get("spans", [])
        for ch in span.get("chars", [])
        if not pymupdf.Rect(ch["bbox"]).is_empty
    ]


def sanitize(doc: pymupdf.Document) -> None:
    remove_annotations(doc)
    remove_offpage_content(doc)
    remove_metadata_and_scripts(doc)
    remove_private_keys(doc)
    rename_layers(doc)
    strip_jpeg_metadata(doc)


def save_full_rewrite(doc: pymupdf.Document, path: str) -> None:
    """Write a fresh file: no incremental history, unreferenced objects collected."""
    doc.save(
        path,
        garbage=3,
        deflate=True,
        # measured on redacted 200 dpi scans: effort 25 writes 5 % more bytes than the default
        # in a quarter of the time (0.16 s instead of 0.7 s per page)
        compression_effort=25,
        clean=False,
        incremental=False,
        encryption=pymupdf.PDF_ENCRYPT_NONE,
    )
