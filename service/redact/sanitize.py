"""Remove everything from a PDF that is not page content.

Each function is narrow and idempotent, says what it removes and what it leaves. What is
*not* guaranteed: content inside optional-content layers that are switched off is not
rendered, so it is not OCR'd (its text layer is still read and masked); fonts keep their
names (a font name identifies no one).
"""

from __future__ import annotations

import pymupdf

#: dictionary keys removed from every object: private app data, thumbnails, per-object
#: metadata streams, actions and scripts
_DROP_KEYS = ("Metadata", "PieceInfo", "Thumb", "AA", "JS", "LastModified")
#: catalog keys removed: outline (bookmarks name people), tags (alt text), forms, actions
_DROP_CATALOG = ("OpenAction", "AA", "Outlines", "StructTreeRoot", "MarkInfo", "AcroForm",
                 "Names", "Dests", "Threads", "SpiderInfo", "Perms", "Legal", "URI")


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
    for key in _DROP_CATALOG:
        if doc.xref_get_key(cat, key)[0] != "null":
            doc.xref_set_key(cat, key, "null")
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


def sanitize(doc: pymupdf.Document) -> None:
    remove_annotations(doc)
    remove_metadata_and_scripts(doc)
    remove_private_keys(doc)


def save_full_rewrite(doc: pymupdf.Document, path: str) -> None:
    """Write a fresh file: no incremental history, unreferenced objects collected."""
    doc.save(
        path,
        garbage=4,
        deflate=True,
        clean=False,
        incremental=False,
        encryption=pymupdf.PDF_ENCRYPT_NONE,
    )
