"""What a worker process needs to analyse one page: small, picklable, no open handles."""

from __future__ import annotations

from dataclasses import dataclass

from service.config import Limits
from service.ingest.sniff import Kind
from service.types import PageResult, PageText


@dataclass(frozen=True, slots=True)
class PageContext:
    path: str
    kind: Kind
    index: int
    ocr_dpi: int
    #: the profile as canonical JSON (hashable: workers cache one engine per profile+policy)
    profile_json: str
    policy: str
    limits: Limits


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """A page's findings plus the reading text they were found in (kept for verification)."""

    result: PageResult
    text: PageText
