"""Put a :class:`Canvas` onto PyMuPDF pages and rasterise pages.

Canvas coordinates are *displayed* coordinates. On a page with ``/Rotate`` the content is
written in unrotated space through ``page.derotation_matrix`` so that it reads upright when
displayed, as printers and scanners produce it.
"""

from __future__ import annotations

import numpy as np
import pymupdf

from scripts.corpus.canvas import Canvas, ImageOp, LineOp, font


def new_pdf_page(doc: pymupdf.Document, canvas: Canvas, rotation: int = 0) -> pymupdf.Page:
    """A page whose displayed size equals the canvas, with ``/Rotate rotation``."""
    if rotation in (90, 270):
        page = doc.new_page(width=canvas.height, height=canvas.width)
    else:
        page = doc.new_page(width=canvas.width, height=canvas.height)
    if rotation:
        page.set_rotation(rotation)
    return page


def draw_canvas(page: pymupdf.Page, canvas: Canvas) -> None:
    m = page.derotation_matrix
    rot = page.rotation
    for op in canvas.images:
        _image(page, op, m, rot)
    for ln in canvas.lines:
        _line(page, ln, m)
    writers: dict[tuple[float, float, float], pymupdf.TextWriter] = {}
    for t in canvas.texts:
        tw = writers.get(t.color)
        if tw is None:
            tw = writers[t.color] = pymupdf.TextWriter(page.rect, color=t.color)
        tw.append((t.x, t.y), t.text, font=font(), fontsize=t.size)
    matrix = _writer_matrix(page) if rot else None
    for tw in writers.values():
        tw.write_text(page, matrix=matrix)
    for op in canvas.overlays:
        _image(page, op, m, rot)


def _writer_matrix(page: pymupdf.Page) -> pymupdf.Matrix:
    """The ``matrix`` for ``TextWriter.write_text`` that puts displayed coordinates upright.

    TextWriter content is in PDF space of the displayed page (y up, height ``Hd``) and is
    shifted by ``delta`` for rotated pages; we want it in PDF space of the unrotated page.
    """
    hd = page.rect.height
    hu = page.mediabox.height
    delta = hd - page.rect.width if page.rotation in (90, 270) else 0.0
    flip_d = pymupdf.Matrix(1, 0, 0, -1, 0, hd)
    flip_u = pymupdf.Matrix(1, 0, 0, -1, 0, hu)
    shift = pymupdf.Matrix(1, 0, 0, 1, 0, -delta)
    return flip_d * page.derotation_matrix * flip_u * ~shift


def _image(page: pymupdf.Page, op: ImageOp, m: pymupdf.Matrix, rot: int) -> None:
    r = pymupdf.Rect(op.rect) * m
    page.insert_image(r, stream=op.data, keep_proportion=False, rotate=rot, overlay=True)


def _line(page: pymupdf.Page, ln: LineOp, m: pymupdf.Matrix) -> None:
    pts = [pymupdf.Point(x, y) * m for x, y in ln.points]
    shape = page.new_shape()
    shape.draw_polyline(pts)
    if ln.closed:
        shape.draw_line(pts[-1], pts[0])
    shape.finish(
        color=ln.color, fill=ln.fill, width=ln.width, closePath=ln.closed, lineCap=1, lineJoin=1
    )
    shape.commit()


def canvas_pdf(canvases: list[Canvas], rotation: int = 0) -> pymupdf.Document:
    doc = pymupdf.open()
    for cv in canvases:
        draw_canvas(new_pdf_page(doc, cv, rotation), cv)
    return doc


def pdf_bytes(doc: pymupdf.Document) -> bytes:
    doc.subset_fonts()
    doc.set_metadata({"producer": "mangshen synthetic corpus", "creator": "scripts/corpus"})
    return bytes(doc.tobytes(garbage=3, deflate=True))


def rasterize(canvas: Canvas, dpi: int) -> np.ndarray:
    """Render a canvas upright to an RGB array (height, width, 3)."""
    doc = canvas_pdf([canvas])
    pix = doc[0].get_pixmap(dpi=dpi, alpha=False)
    arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
    out = arr[:, :, :3].copy()
    doc.close()
    return out
