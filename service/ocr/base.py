"""The OCR engine interface.

Reading knows nothing of what is sensitive: an engine turns a page image into lines of
characters with one axis-aligned box per character, in pixel coordinates of the image it was
given (never of a rotated or rescaled copy), and says how the text on the image is rotated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from service.types import BBox


@dataclass(frozen=True, slots=True)
class OcrChar:
    text: str
    bbox: BBox | None  # None for spaces the recogniser put between words
    conf: float


@dataclass(frozen=True, slots=True)
class OcrLine:
    chars: tuple[OcrChar, ...]
    conf: float
    bbox: BBox
    #: reading-order row on the upright page: lines sharing a row (table cells, label and
    #: value) are read as one line
    row: int = 0

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)


@dataclass(frozen=True, slots=True)
class OcrPage:
    lines: tuple[OcrLine, ...]
    #: clockwise rotation of the text on the image: 0, 90, 180 or 270
    orientation: int
    #: confidence of the orientation decision (0..1)
    orientation_conf: float = 1.0


class OcrEngine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> OcrPage:
        """Read a BGR ``uint8`` image (H×W×3) in any of the four orientations."""
        ...


def interpolate_chars(text: str, box: BBox, conf: float) -> tuple[OcrChar, ...]:
    """Per-character boxes for engines that only give a line box.

    Splits the line box in proportion to character widths (CJK and full-width characters
    count as 1, other characters as 0.55): good enough for tight masks on printed text.
    """
    weights = [1.0 if _is_wide(ch) else 0.55 for ch in text]
    total = sum(weights) or 1.0
    x = box.x0
    out: list[OcrChar] = []
    for ch, w in zip(text, weights, strict=True):
        dx = box.width * w / total
        cb = BBox(x, box.y0, x + dx, box.y1)
        out.append(OcrChar(ch, None if ch.isspace() else cb, conf))
        x += dx
    return tuple(out)


def _is_wide(ch: str) -> bool:
    cp = ord(ch)
    return cp >= 0x2E80 or 0xFF00 <= cp <= 0xFFEF
