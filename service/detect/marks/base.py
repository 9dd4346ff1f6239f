"""What mark detectors look at: :class:`MarkPage`, and small raster helpers they share."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from service.types import BBox, PageText

#: resolution assumed for images that carry none (scans are usually 200–300 dpi)
DEFAULT_DPI = 200.0


@dataclass(frozen=True, slots=True)
class MarkPage:
    """One page as a raster, with the printed text already read on it.

    ``image`` is ``H×W×3`` ``uint8`` BGR and must not be modified. ``text`` is the page's reading
    text with character boxes in this raster's pixels (OCR or text layer; may be empty).
    ``orientation`` is how far the page content is turned clockwise (0/90/180/270, see
    :mod:`service.ocr.geometry`): a detector that needs upright content (faces) turns the
    image with :func:`service.ocr.geometry.to_upright` and maps boxes back with
    :func:`service.ocr.geometry.box_to_original`. ``seals`` are the boxes (this raster's
    pixels) of the seals found on the page, for the detectors that run after the seal detector:
    stamp ink is no pen stroke.
    """

    image: np.ndarray
    dpi: float = DEFAULT_DPI
    orientation: int = 0
    text: PageText = field(default_factory=PageText)
    seals: tuple[BBox, ...] = ()

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    def px(self, mm: float) -> float:
        """Millimetres on paper → pixels of this raster."""
        return mm * self.dpi / 25.4


def clip_box(box: BBox, page: MarkPage) -> BBox:
    return box.clip(float(page.width), float(page.height))
