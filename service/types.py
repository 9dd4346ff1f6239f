"""Core data types passed between pipeline stages.

Everything here is a frozen dataclass with no behaviour beyond small geometry helpers, and
depends on nothing else in the package. Conventions:

* Character spans are half-open ``[start, end)`` Python ``str`` indices.
* A :class:`BBox` is ``(x0, y0, x1, y1)`` with the origin at the top-left. Page-level boxes use
  the page's unit (``pt`` for PDF pages in PyMuPDF's displayed-page space, ``px`` for images).
* Spans become boxes only through :class:`PageText`'s character index, never by searching
  for substrings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

#: stands for a masked character in residual text (what a reader still sees), so that the
#: neighbours of a mask never join into a new word; detectors never treat it as a delimiter
MASK_CHAR = "■"
TEXT_CATEGORIES: tuple[str, ...] = (
    "person",
    "organization",
    "place",
    "address",
    "phone",
    "id_number",
    "postal_code",
    "email",
    "url",
    "position",
    "identifier",
    "other",
)
MARK_CATEGORIES: tuple[str, ...] = ("face", "seal", "signature", "qrcode")
CATEGORIES: tuple[str, ...] = TEXT_CATEGORIES + MARK_CATEGORIES

CharSource = Literal["text", "ocr"]
RegionSource = Literal["text", "ocr", "mark", "manual"]
Unit = Literal["pt", "px"]


def sha256_text(text: str) -> str:
    """The hash we log and store instead of identifying text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class BBox:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    @property
    def is_empty(self) -> bool:
        return self.x1 <= self.x0 or self.y1 <= self.y0

    def union(self, other: BBox) -> BBox:
        return BBox(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    def intersection(self, other: BBox) -> BBox:
        return BBox(
            max(self.x0, other.x0),
            max(self.y0, other.y0),
            min(self.x1, other.x1),
            min(self.y1, other.y1),
        )

    def intersects(self, other: BBox) -> bool:
        return not self.intersection(other).is_empty

    def contains(self, other: BBox, tol: float = 0.0) -> bool:
        return (
            self.x0 - tol <= other.x0
            and self.y0 - tol <= other.y0
            and self.x1 + tol >= other.x1
            and self.y1 + tol >= other.y1
        )

    def centre_in(self, boxes: Iterable[BBox]) -> bool:
        """Whether this box's centre lies inside any of ``boxes`` (a glyph under a mask)."""
        cx, cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        return any(b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1 for b in boxes)

    def expand(self, dx: float, dy: float | None = None) -> BBox:
        dy = dx if dy is None else dy
        return BBox(self.x0 - dx, self.y0 - dy, self.x1 + dx, self.y1 + dy)

    def clip(self, width: float, height: float) -> BBox:
        return BBox(
            min(max(self.x0, 0.0), width),
            min(max(self.y0, 0.0), height),
            min(max(self.x1, 0.0), width),
            min(max(self.y1, 0.0), height),
        )

    def scale(self, factor: float) -> BBox:
        return BBox(self.x0 * factor, self.y0 * factor, self.x1 * factor, self.y1 * factor)

    def as_list(self, ndigits: int = 2) -> list[float]:
        return [round(v, ndigits) for v in (self.x0, self.y0, self.x1, self.y1)]

    @staticmethod
    def around(boxes: list[BBox]) -> BBox:
        out = boxes[0]
        for b in boxes[1:]:
            out = out.union(b)
        return out


@dataclass(frozen=True, slots=True)
class Char:
    """One character of a page's reading text.

    ``bbox`` is ``None`` for characters that were inserted to join lines or words (``"\\n"``,
    ``" "``) and have no ink of their own.
    """

    text: str
    bbox: BBox | None
    conf: float = 1.0
    source: CharSource = "text"


@dataclass(frozen=True, slots=True)
class PageText:
    """The reading text of a page with a box per character (``len(chars) == len(text)``)."""

    chars: tuple[Char, ...] = ()

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)

    @staticmethod
    def from_string(text: str) -> PageText:
        return PageText(tuple(Char(ch, None) for ch in text))

    def boxes_for(self, start: int, end: int) -> list[BBox]:
        """Boxes covering the characters ``[start, end)``: one per line the span touches.

        A run of characters merges into one box until a line boundary (``"\n"``, or ``"\t"``
        between two lines read on one row) or a jump in position; the merge works for lines
        in any direction (a page scanned sideways has vertical lines).
        """
        out: list[BBox] = []
        current: BBox | None = None
        for ch in self.chars[start:end]:
            if ch.text in LINE_BREAKS:
                if current is not None:
                    out.append(current)
                current = None
                continue
            if ch.bbox is None or ch.bbox.is_empty:
                continue
            b = ch.bbox
            if current is not None and _near(current, b) and _straight(current.union(b), b):
                current = current.union(b)
            else:
                if current is not None:
                    out.append(current)
                current = b
        if current is not None:
            out.append(current)
        return out



#: characters that end a line in the reading text (``"\t"`` separates lines on one row)
LINE_BREAKS = frozenset("\n\t")


def _near(run: BBox, b: BBox) -> bool:
    """Whether glyph ``b`` continues ``run`` on the same line (no jump in position)."""
    size = max(min(b.width, b.height), 1e-6)
    gap_x = max(b.x0 - run.x1, run.x0 - b.x1, 0.0)
    gap_y = max(b.y0 - run.y1, run.y0 - b.y1, 0.0)
    return max(gap_x, gap_y) < 3 * size


def _straight(run: BBox, b: BBox) -> bool:
    """Whether a run stays one line thick (text on an arc, as in a seal, gets a box per glyph
    instead of one box over everything the arc spans)."""
    return min(run.width, run.height) <= 1.8 * max(b.width, b.height)


@dataclass(frozen=True, slots=True)
class Span:
    """A finding in text: half-open ``[start, end)`` with its category and explanation."""

    start: int
    end: int
    category: str
    score: float
    rule: str
    explanation: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"empty or negative span [{self.start}, {self.end})")

    def covers(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True, slots=True)
class Region:
    """A rectangle to mask on one page, in page units, with why it is masked.

    ``snippet`` is the original text (for the auditors' report only); it never goes into the
    manifest or the logs, which carry ``text_sha256``.
    """

    bbox: BBox
    category: str
    source: RegionSource
    rule: str
    score: float
    text_sha256: str | None = None
    snippet: str | None = field(default=None, compare=False)
    explanation: str = field(default="", compare=False)
    #: decoded QR/barcode payloads only: whether the payload names an identity
    payload_identity: bool | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Verification:
    text_leaks: int = 0
    rescan_findings: int = 0
    pixels_changed_outside_masks: int = 0
    metadata_clean: bool = True
    problems: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return (
            self.text_leaks == 0
            and self.rescan_findings == 0
            and self.pixels_changed_outside_masks == 0
            and self.metadata_clean
            and not self.problems
        )


@dataclass(frozen=True, slots=True)
class PageResult:
    index: int
    width: float
    height: float
    unit: Unit
    orientation: int
    regions: tuple[Region, ...]
    warnings: tuple[str, ...] = ()
    ocr_used: bool = False

    @property
    def needs_masking(self) -> bool:
        return bool(self.regions)


@dataclass(frozen=True, slots=True)
class ImageSanitizing:
    """What writing a raster blind copy removed and kept besides the masks (metadata channel
    names only, never their content): the manifest's ``image_metadata``."""

    #: channels the input carried, none of which is in the blind copy ("comment", "exif"...)
    removed: tuple[str, ...] = ()
    #: metadata written on purpose ("exif_orientation")
    kept: tuple[str, ...] = ()
    #: per page, what happened to its ICC profile: none | srgb | converted | dropped
    icc_profile: tuple[str, ...] = ()
    #: JPEG only: "dct" (untouched blocks bit-exact) or "pixels" (re-encoded)
    jpeg_write: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """What ``redact_document`` returns for one input."""

    input_name: str
    input_sha256: str
    output_name: str | None
    output_sha256: str | None
    policy: str
    pages: tuple[PageResult, ...]
    verification: Verification
    warnings: tuple[str, ...]
    exit_code: int
    error: str | None = None
    seconds: float = 0.0
    image_metadata: ImageSanitizing | None = None
