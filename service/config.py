"""Run-time options with embedded defaults. Nothing here reads files or the network."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from service.profile import Profile


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True, slots=True)
class Limits:
    """Refuse inputs over these before they can exhaust memory (all configurable)."""

    max_file_bytes: int = field(default_factory=lambda: _env_int("MANGSHEN_MAX_FILE_MB", 200) << 20)
    max_pages: int = field(default_factory=lambda: _env_int("MANGSHEN_MAX_PAGES", 500))
    #: pixels of one page or image (a 600 dpi A3 scan is ~70 MP)
    max_page_pixels: int = field(
        default_factory=lambda: _env_int("MANGSHEN_MAX_PAGE_MEGAPIXELS", 120) * 1_000_000
    )
    #: largest page side in PDF points (A0 is 3370 pt)
    max_page_side_pt: float = 14400.0


@dataclass(frozen=True, slots=True)
class Options:
    profile: Profile = field(default_factory=Profile)
    policy: str = "default"
    jobs: int = field(default_factory=lambda: _env_int("MANGSHEN_JOBS", os.cpu_count() or 1))
    limits: Limits = field(default_factory=Limits)
    #: resolution at which PDF pages with images are rasterised for OCR
    ocr_dpi: int = 200
    #: resolution of the page pictures in the report and of the pixel comparison
    render_dpi: int = 100
    #: re-OCR every masked raster page during verification (slower; off: rescan the
    #: unmasked remainder of the first reading instead)
    verify_ocr: bool = False
    #: write the HTML report
    report: bool = True
