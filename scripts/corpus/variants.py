"""Output variants: born-digital, /Rotate 90, scans (PDF/JPEG/PNG/TIFF), pasted-in scans.

Each function takes the canvases of a document's pages and returns ``(data, ext, pages)`` with
``pages`` the truth page records in the output's displayed coordinates.
"""

from __future__ import annotations

import io
import random
from typing import Any

import numpy as np
import pymupdf
from PIL import Image

from scripts.corpus import medical as med
from scripts.corpus.canvas import Canvas, E, K
from scripts.corpus.identity import Identity
from scripts.corpus.render import canvas_pdf, pdf_bytes
from scripts.corpus.scan import Scan, ScanOptions, scan_canvas

Page = dict[str, Any]
SCAN_VARIANTS = ("scan_pdf", "scan_jpg", "scan_png", "scan_tif")


def _page(
    index: int,
    width: float,
    height: float,
    unit: str,
    orientation: int,
    cv_truth: dict[str, list[dict[str, Any]]],
    layer: str,
    **extra: Any,
) -> Page:
    entities = [dict(e, layer=e.get("layer", layer)) for e in cv_truth["entities"]]
    keep = [dict(k, layer=k.get("layer", layer)) for k in cv_truth["keep"]]
    return {
        "index": index,
        "width": round(width, 2),
        "height": round(height, 2),
        "unit": unit,
        "orientation": orientation,
        **extra,
        "entities": entities,
        "keep": keep,
        "marks": cv_truth["marks"],
    }


def born(canvases: list[Canvas], rotation: int = 0) -> tuple[bytes, str, list[Page]]:
    """Born-digital PDF; with ``rotation`` the pages carry /Rotate and read upright."""
    doc = canvas_pdf(canvases, rotation)
    pages = [
        _page(i, cv.width, cv.height, "pt", 0, cv.truth_page(), "text", rotate=rotation)
        for i, cv in enumerate(canvases)
    ]
    return pdf_bytes(doc), "pdf", pages


def _scan_truth(index: int, scan: Scan, cv: Canvas, factor: float = 1.0, unit: str = "px") -> Page:
    def conv(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for it in items:
            b = scan.box(it["bbox"])
            out.append(dict(it, bbox=[round(v * factor, 2) for v in b]))
        return out

    t = cv.truth_page()
    truth = {"entities": conv(t["entities"]), "keep": conv(t["keep"]), "marks": conv(t["marks"])}
    o = scan.options
    return _page(
        index,
        scan.width * factor,
        scan.height * factor,
        unit,
        o.orientation,
        truth,
        "image",
        dpi=o.dpi,
        skew=o.skew,
    )


def _pil(img: np.ndarray) -> Image.Image:
    return Image.fromarray(img, "L" if img.ndim == 2 else "RGB")


def _jpeg(img: np.ndarray, quality: int, dpi: int) -> bytes:
    buf = io.BytesIO()
    _pil(img).save(buf, format="JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def scanned(
    variant: str, canvases: list[Canvas], opts: ScanOptions, rng: random.Random
) -> tuple[bytes, str, list[Page]]:
    scans = [scan_canvas(cv, opts, rng) for cv in canvases]
    dpi = opts.dpi
    if variant == "scan_pdf":
        doc = pymupdf.open()
        pages = []
        for i, (sc, cv) in enumerate(zip(scans, canvases, strict=True)):
            f = 72.0 / dpi
            page = doc.new_page(width=sc.width * f, height=sc.height * f)
            page.insert_image(page.rect, stream=_jpeg(sc.image, rng.choice((75, 85, 92)), dpi))
            pages.append(_scan_truth(i, sc, cv, f, "pt"))
        return pdf_bytes(doc), "pdf", pages
    pages = [_scan_truth(i, sc, cv) for i, (sc, cv) in enumerate(zip(scans, canvases, strict=True))]
    buf = io.BytesIO()
    if variant == "scan_jpg":
        return _jpeg(scans[0].image, rng.choice((80, 88, 95)), dpi), "jpg", pages[:1]
    if variant == "scan_png":
        _pil(scans[0].image).save(buf, format="PNG", dpi=(dpi, dpi), compress_level=3)
        return buf.getvalue(), "png", pages[:1]
    if variant == "scan_tif":
        ims = [_pil(sc.image) for sc in scans]
        ims[0].save(
            buf,
            format="TIFF",
            save_all=True,
            append_images=ims[1:],
            compression="tiff_deflate",
            dpi=(dpi, dpi),
        )
        return buf.getvalue(), "tif", pages
    raise ValueError(f"not a scan variant: {variant}")


def embedded(
    canvases: list[Canvas], ident: Identity, label: str, rng: random.Random, opts: ScanOptions
) -> tuple[bytes, str, list[Page]]:
    """A born-digital attachment page with a scan of each canvas pasted in as an image."""
    hosts: list[Canvas] = []
    for cv in canvases:
        host = Canvas()
        host.text(56, 60, K(f"附件{rng.randint(1, 9)}：{label}复印件"), 14)
        host.text(
            56,
            86,
            [
                "申报人：",
                E(ident.person.name, "person", True),
                "    申报单位：",
                E(ident.unit.name, "organization", True),
            ],
            10.5,
        )
        host.text(
            56, 106, ["申报专业：", K(ident.department), "    现任职称：", K(ident.title)], 10.5
        )
        host.line(56, 116, 539, 116, 0.8)
        sc = scan_canvas(cv, opts, rng)
        top, bottom = 126.0, 776.0
        h = bottom - top
        w = h * sc.width / sc.height
        x0 = (host.width - w) / 2
        host.rect((x0 - 1, top - 1, x0 + w + 1, bottom + 1), 0.4)
        host.image((x0, top, x0 + w, bottom), _jpeg(sc.image, 85, opts.dpi))
        f = w / sc.width
        for key, dest in (("entities", host.entities), ("keep", host.keep), ("marks", host.marks)):
            for it in cv.truth_page()[key]:
                b = sc.box(it["bbox"])
                box = [
                    round(x0 + b[0] * f, 2),
                    round(top + b[1] * f, 2),
                    round(x0 + b[2] * f, 2),
                    round(top + b[3] * f, 2),
                ]
                extra = {"layer": "image"} if key != "marks" else {}
                dest.append(dict(it, bbox=box, **extra))
        host.text(
            56,
            800,
            [
                "本人承诺以上材料与原件一致。承诺人：",
                E(ident.person.name, "person", True),
                "    日期：",
                K(med.date(rng, 2023, 2024)),
            ],
            10,
        )
        hosts.append(host)
    data, ext, pages = born(hosts)
    for p in pages:
        p["embedded_dpi"] = opts.dpi
    return data, ext, pages
