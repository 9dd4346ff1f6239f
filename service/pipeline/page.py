"""Per-page work: read the page (text layer + OCR of every raster), detect, decide regions.

Runs in worker processes; engines load once per process and are cached here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pymupdf

from service.detect.engine import DetectionEngine, build_engine, merge_spans
from service.detect.forms import FormDetector
from service.detect.marks.base import DEFAULT_DPI
from service.errors import MangshenError, PageAnalysisError
from service.ingest.document import open_pdf, read_frame
from service.ingest.sniff import Kind
from service.ocr.base import OcrEngine, OcrPage
from service.ocr.textlayer import image_boxes, text_layer_lines, unreadable_images
from service.pipeline.context import PageAnalysis, PageContext
from service.pipeline.marks import detect_marks
from service.profile import parse_profile
from service.redact.regions import spans_to_regions
from service.types import BBox, Char, PageResult, PageText, Region, Unit

log = logging.getLogger(__name__)

#: below this line confidence a page gets a "low OCR confidence" warning
LOW_CONF = 0.75
#: OCR the whole page instead of image crops when images cover more than this share
WHOLE_PAGE_SHARE = 0.5


@lru_cache(maxsize=1)
def get_ocr() -> OcrEngine:
    """The OCR engine of this process (``MANGSHEN_OCR_ENGINE``: rapidocr | paddleocr)."""
    import os

    name = os.environ.get("MANGSHEN_OCR_ENGINE", "rapidocr")
    if name == "paddleocr":
        from service.ocr.paddle import PaddleOcrEngine

        return PaddleOcrEngine()
    if name != "rapidocr":
        from service.errors import MissingModelError

        raise MissingModelError(f"unknown OCR engine {name!r} (rapidocr or paddleocr)")
    from service.ocr.rapid import RapidOcrEngine

    return RapidOcrEngine()


@lru_cache(maxsize=8)
def get_engine(profile_json: str, policy: str) -> DetectionEngine:
    return build_engine(parse_profile(profile_json), policy)


@lru_cache(maxsize=1)
def _forms() -> FormDetector:
    return FormDetector()


def analyse_page(ctx: PageContext) -> PageAnalysis:
    unit: Unit
    try:
        if ctx.kind is Kind.pdf:
            reading = _read_pdf_page(ctx)
            unit = "pt"
        else:
            image = read_frame(Path(ctx.path), ctx.index, ctx.limits)
            ocr = get_ocr().read(image)
            reading = Reading(
                _ocr_text(ocr, scale=1.0, dx=0.0, dy=0.0), float(image.shape[1]),
                float(image.shape[0]), ocr.orientation, _ocr_warnings(ocr), True,
                raster=image, raster_scale=1.0,
            )
            unit = "px"
    except MangshenError:
        raise
    except Exception as exc:  # fail closed: an unreadable page is never released
        raise _unanalysable(ctx, exc) from exc
    text, page_w, page_h = reading.text, reading.width, reading.height
    orientation, warns, ocr_used = reading.orientation, reading.warnings, reading.ocr_used
    engine = get_engine(ctx.profile_json, ctx.policy)
    spans = engine.detect(text.text)
    spans = merge_spans(spans + engine.filter(text.text, _forms().detect(text, orientation, page_w, page_h)))
    regions = spans_to_regions(text, spans, unit=unit, page_w=page_w, page_h=page_h,
                               orientation=orientation)
    try:
        dpi = 72.0 * reading.raster_scale if unit == "pt" else DEFAULT_DPI
        regions += [
            replace(r, bbox=r.bbox.clip(page_w, page_h))
            for r in detect_marks(reading.raster, dpi, orientation, text, reading.raster_scale,
                                  ctx.policy, engine, tuple(reading.pictures))
        ]
    except MangshenError:
        raise
    except Exception as exc:  # fail closed: marks that could not be looked for are not "none"
        raise _unanalysable(ctx, exc) from exc
    regions += [
        Region(b, "other", "mark", "fail_closed.unreadable_image", 1.0,
               explanation="image could not be decoded: masked whole")
        for b in reading.unreadable
    ]
    if orientation:
        warns.insert(0, f"page not upright: text rotated {orientation}°")
    result = PageResult(
        index=ctx.index,
        width=page_w,
        height=page_h,
        unit=unit,
        orientation=orientation,
        regions=tuple(regions),
        warnings=tuple(warns),
        ocr_used=ocr_used,
    )
    return PageAnalysis(result, text)


def _unanalysable(ctx: PageContext, exc: Exception) -> PageAnalysisError:
    log.error("page %d could not be analysed: %s", ctx.index, type(exc).__name__)
    return PageAnalysisError(
        f"page {ctx.index + 1} could not be analysed ({type(exc).__name__}); nothing released"
    )


def read_raster_text(ctx: PageContext) -> PageText:
    """Only the OCR'd text of a page (used to re-read blind copies when verifying)."""
    if ctx.kind is not Kind.pdf:
        return _ocr_text(get_ocr().read(read_frame(Path(ctx.path), ctx.index, ctx.limits)), 1.0, 0.0, 0.0)
    doc = open_pdf(Path(ctx.path))
    try:
        page = doc.load_page(ctx.index)
        chars: list[Char] = []
        boxes = image_boxes(page)
        for ocr, dx, dy in _ocr_images(page, render_page(page, ctx.ocr_dpi), boxes, ctx.ocr_dpi):
            chars.extend(_inside(_ocr_text(ocr, 72.0 / ctx.ocr_dpi, dx, dy).chars, boxes))
        return PageText(tuple(chars))
    finally:
        doc.close()


@dataclass
class Reading:
    """What reading one page produced (before detection)."""

    text: PageText
    width: float
    height: float
    orientation: int
    warnings: list[str]
    ocr_used: bool
    #: raster images that could not be decoded: masked whole (fail closed)
    unreadable: list[BBox] = field(default_factory=list)
    #: the page as one BGR raster (the scan itself, or the PDF page rendered at the OCR
    #: resolution) for the mark detectors, and page units → raster pixels
    raster: np.ndarray = field(default_factory=lambda: np.zeros((1, 1, 3), np.uint8))
    raster_scale: float = 1.0
    #: boxes (page units) of the raster images placed on a PDF page (scans pasted into it)
    pictures: list[BBox] = field(default_factory=list)


def _read_pdf_page(ctx: PageContext) -> Reading:
    doc = open_pdf(Path(ctx.path))
    try:
        page = doc.load_page(ctx.index)
        page_w, page_h = page.rect.width, page.rect.height
        unreadable = unreadable_images(page)  # first: MuPDF warns only on the first decode
        lines = text_layer_lines(page)
        chars: list[Char] = []
        for line in lines:
            chars.extend(line)
            chars.append(Char("\n", None))
        warns: list[str] = []
        orientation = 0
        boxes = image_boxes(page)
        ocr_used = bool(boxes)
        raster = render_page(page, ctx.ocr_dpi)
        if boxes:
            scale = 72.0 / ctx.ocr_dpi
            for ocr, dx, dy in _ocr_images(page, raster, boxes, ctx.ocr_dpi):
                chars.append(Char("\n", None))
                chars.extend(_inside(_ocr_text(ocr, scale, dx, dy).chars, boxes))
                warns.extend(_ocr_warnings(ocr))
                if len(ocr.lines) >= 2 and ocr.orientation_conf >= 0.7:
                    orientation = orientation or ocr.orientation
        if unreadable:
            warns.append(f"unreadable image: {len(unreadable)} image(s) could not be decoded and were masked whole")
        return Reading(PageText(tuple(chars)), page_w, page_h, orientation, warns, ocr_used,
                       unreadable, raster, ctx.ocr_dpi / 72.0, boxes)
    finally:
        doc.close()


def render_page(page: pymupdf.Page, dpi: int) -> np.ndarray:
    """The page as a contiguous BGR raster at ``dpi``."""
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _ocr_images(
    page: pymupdf.Page, arr: np.ndarray, boxes: list[BBox], dpi: int
) -> list[tuple[OcrPage, float, float]]:
    """OCR the page's rasters: the whole page if images cover most of it, else each image."""
    height, width = arr.shape[:2]
    page_area = page.rect.width * page.rect.height
    share = sum(b.area for b in boxes) / page_area
    s = dpi / 72.0
    if share >= WHOLE_PAGE_SHARE:
        return [(get_ocr().read(arr), 0.0, 0.0)]
    out = []
    for b in boxes:
        x0, y0 = max(0, int(b.x0 * s) - 4), max(0, int(b.y0 * s) - 4)
        x1, y1 = min(width, int(b.x1 * s) + 5), min(height, int(b.y1 * s) + 5)
        crop = np.ascontiguousarray(arr[y0:y1, x0:x1])
        if crop.shape[0] < 8 or crop.shape[1] < 8:
            continue
        out.append((get_ocr().read(crop), x0 / s, y0 / s))
    return out


def _inside(chars: tuple[Char, ...], boxes: list[BBox]) -> list[Char]:
    """OCR'd characters that lie on a raster image. Text drawn beside the images is read
    exactly from the text layer; its OCR twin would only add looser (padded) masks."""
    out: list[Char] = []
    for c in chars:
        if c.bbox is not None and not c.bbox.centre_in(boxes):
            continue
        out.append(c)
    return out


def _ocr_text(ocr: OcrPage, scale: float, dx: float, dy: float) -> PageText:
    chars: list[Char] = []
    lines = ocr.lines
    for k, line in enumerate(lines):
        for c in line.chars:
            box = None
            if c.bbox is not None:
                b = c.bbox
                box = BBox(b.x0 * scale + dx, b.y0 * scale + dy, b.x1 * scale + dx, b.y1 * scale + dy)
            chars.append(Char(c.text, box, c.conf, "ocr"))
        same_row = k + 1 < len(lines) and lines[k + 1].row == line.row
        chars.append(Char("\t" if same_row else "\n", None, 1.0, "ocr"))
    return PageText(tuple(chars))


def _ocr_warnings(ocr: OcrPage) -> list[str]:
    low = sum(1 for line in ocr.lines if line.conf < LOW_CONF)
    if low:
        return [f"low OCR confidence on {low} line(s)"]
    return []
