"""Open an input at the door: sniff, refuse what we cannot or must not process, describe pages.

Limits are checked from headers *before* anything is decoded, so a decompression bomb (a tiny
file that claims a huge image) is refused without allocating its pixels.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image

from service.config import Limits
from service.errors import (
    CorruptFileError,
    EncryptedInputError,
    LimitExceededError,
    UnsupportedTypeError,
)
from service.ingest.sniff import Kind, sniff
from service.types import Unit

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


@dataclass(frozen=True, slots=True)
class PageInfo:
    index: int
    width: float
    height: float
    unit: Unit


@dataclass(frozen=True, slots=True)
class SourceDoc:
    path: Path
    kind: Kind
    sha256: str
    pages: tuple[PageInfo, ...]
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.name


def open_source(path: Path, limits: Limits) -> SourceDoc:
    kind = sniff(path)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LimitExceededError(
            f"{path.name}: file is {size >> 20} MB, over the {limits.max_file_bytes >> 20} MB limit"
        )
    digest = _sha256(path)
    if kind is Kind.pdf:
        pages, warns = _describe_pdf(path, limits)
    else:
        pages, warns = _describe_image(path, kind, limits)
    return SourceDoc(path, kind, digest, pages, warns)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- PDF ------------------------------------------------------------------------------------
def open_pdf(path: Path) -> pymupdf.Document:
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception:
        raise CorruptFileError(f"{path.name}: the PDF is damaged and cannot be read") from None
    # an owner-password-only file opens without a password (is_encrypted is then False), but
    # it is still encrypted: its metadata names the security handler
    if doc.needs_pass or doc.is_encrypted or (doc.metadata or {}).get("encryption"):
        doc.close()
        raise EncryptedInputError(
            f"{path.name}: the PDF is encrypted or password-protected; upload it without a password"
        )
    if doc.page_count == 0:
        doc.close()
        raise CorruptFileError(f"{path.name}: the PDF has no readable pages")
    return doc


def _describe_pdf(path: Path, limits: Limits) -> tuple[tuple[PageInfo, ...], tuple[str, ...]]:
    with _pdf(path) as doc:
        if doc.page_count > limits.max_pages:
            raise LimitExceededError(
                f"{path.name}: {doc.page_count} pages, over the limit of {limits.max_pages}"
            )
        if _has_hidden_layers(doc):
            raise UnsupportedTypeError(
                f"{path.name}: the PDF has hidden layers (optional content switched off), which "
                "would pass unread; show all layers or print to a new PDF and upload again"
            )
        warns = ["the PDF was damaged and had to be repaired"] if doc.is_repaired else []
        pages = []
        seen: set[int] = set()
        for i in range(doc.page_count):
            try:
                page = doc.load_page(i)
                rect = page.rect
                images = page.get_images(full=True)
            except Exception:
                raise CorruptFileError(f"{path.name}: page {i + 1} is damaged") from None
            if max(rect.width, rect.height) > limits.max_page_side_pt or rect.is_empty:
                raise LimitExceededError(f"{path.name}: page {i + 1} has an unusable size")
            for img in images:
                xref, w, h = img[0], img[2], img[3]
                if xref not in seen and w * h > limits.max_page_pixels:
                    raise LimitExceededError(
                        f"{path.name}: page {i + 1} holds an image of {w}x{h} pixels, over the limit"
                    )
                seen.add(xref)
            pages.append(PageInfo(i, rect.width, rect.height, "pt"))
        if doc.embfile_count() or _has_javascript(doc):
            warns.append("the PDF carried attachments or scripts; they were removed")
    return tuple(pages), tuple(warns)


def _has_javascript(doc: pymupdf.Document) -> bool:
    cat = doc.pdf_catalog()
    names = doc.xref_get_key(cat, "Names/JavaScript")
    action = doc.xref_get_key(cat, "OpenAction")
    return names[0] != "null" or "JavaScript" in action[1]


def _has_hidden_layers(doc: pymupdf.Document) -> bool:
    """Content in a layer that is off is neither rendered nor extracted, so it would be
    neither read nor masked — and a reviewer can switch the layer on. Membership
    dictionaries (OCMDs) can hide content even when every layer is on."""
    if any(not ocg.get("on", True) for ocg in doc.get_ocgs().values()):
        return True
    if doc.xref_get_key(doc.pdf_catalog(), "OCProperties")[0] == "null":
        return False
    for xref in range(1, doc.xref_length()):
        try:
            if doc.xref_get_key(xref, "Type") == ("name", "/OCMD"):
                return True
        except Exception:  # a broken object hides nothing
            continue
    return False


@contextmanager
def _pdf(path: Path) -> Iterator[pymupdf.Document]:
    doc = open_pdf(path)
    try:
        yield doc
    finally:
        doc.close()


# -- images ---------------------------------------------------------------------------------
@contextmanager
def open_image(path: Path, limits: Limits) -> Iterator[Image.Image]:
    """Open an image lazily with Pillow's bomb guard set to our limit."""
    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limits.max_page_pixels
    try:
        with warnings.catch_warnings():
            # Pillow warns about damaged metadata on stderr; decoding decides, and the
            # blind copy carries no metadata anyway
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                im = Image.open(path)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise LimitExceededError(f"{path.name}: image is too large (pixel limit)") from None
            except Exception:
                raise CorruptFileError(f"{path.name}: the image is damaged and cannot be read") from None
            try:
                yield im
            finally:
                im.close()
    finally:
        Image.MAX_IMAGE_PIXELS = old


def _describe_image(
    path: Path, kind: Kind, limits: Limits
) -> tuple[tuple[PageInfo, ...], tuple[str, ...]]:
    warns: list[str] = []
    with open_image(path, limits) as im:
        n = getattr(im, "n_frames", 1) if kind is Kind.tiff else 1
        if n > limits.max_pages:
            raise LimitExceededError(f"{path.name}: {n} pages, over the limit of {limits.max_pages}")
        pages = []
        for i in range(n):
            _seek(im, i, path)
            w, h = im.size
            if w * h > limits.max_page_pixels or w == 0 or h == 0:
                raise LimitExceededError(
                    f"{path.name}: page {i + 1} is {w}x{h} pixels, over the limit"
                )
            pages.append(PageInfo(i, float(w), float(h), "px"))
        # decode once to catch truncated or corrupt data at the door
        for i in range(n):
            _seek(im, i, path)
            try:
                im.load()
            except Exception:
                raise CorruptFileError(f"{path.name}: page {i + 1} is damaged and cannot be decoded") from None
    return tuple(pages), tuple(warns)


def _seek(im: Image.Image, i: int, path: Path) -> None:
    try:
        im.seek(i)
    except Exception:
        raise CorruptFileError(f"{path.name}: page {i + 1} is damaged") from None


def frame_to_bgr(im: Image.Image) -> np.ndarray:
    """A page image as 8-bit BGR for OCR (any mode: 1, L, P, RGBA, I;16, CMYK...)."""
    if im.mode == "I;16" or im.mode == "I":
        arr = np.asarray(im, dtype=np.float64)
        arr = (255.0 * (arr - arr.min()) / max(1.0, float(arr.max() - arr.min()))).astype(np.uint8)
        rgb = np.stack([arr] * 3, axis=-1)
    else:
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            bg = Image.new("RGB", im.size, (255, 255, 255))
            bg.paste(im.convert("RGBA"), mask=im.convert("RGBA").getchannel("A"))
            rgb = np.asarray(bg)
        else:
            rgb = np.asarray(im.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def read_frame(path: Path, index: int, limits: Limits) -> np.ndarray:
    with open_image(path, limits) as im:
        _seek(im, index, path)
        return frame_to_bgr(im)


__all__ = [
    "PageInfo",
    "SourceDoc",
    "frame_to_bgr",
    "open_image",
    "open_pdf",
    "open_source",
    "read_frame",
]
