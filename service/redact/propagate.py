"""Document-level propagation: a string masked once is masked everywhere in the document.

A detector may find a postcode or a name in one place (where its context is clear) and miss
another occurrence (a bare "临夏 265900" in a second affiliation, a name in a table cell).
Every other occurrence of a masked string — same characters, whitespace and line breaks
allowed between them — becomes a region too (rule ``propagate.<category>``), unless it is part
of a longer word (民族 in 少数民族: ``service.detect.prose.cuts_word``) or a field label.
"""

from __future__ import annotations

import re
from dataclasses import replace

from service.detect import labels, prose
from service.detect.engine import DetectionEngine
from service.detect.residual import readable_findings, residual_of
from service.pipeline.context import PageAnalysis
from service.redact.grid import BoxGrid
from service.redact.regions import snap_to_glyphs, spans_to_regions
from service.types import BBox, PageText, Region, Span

#: shortest strings worth propagating (squashed length): CJK / other
MIN_CJK = 2
MIN_OTHER = 4


def _squash(text: str) -> str:
    return "".join(text.split())


def _cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def _worth(s: str) -> bool:
    if _cjk(s):
        return len(s) >= MIN_CJK
    return len(s) >= MIN_OTHER


def _pattern(strings: dict[str, str]) -> re.Pattern[str] | None:
    if not strings:
        return None
    alts = sorted(strings, key=len, reverse=True)
    parts = [r"\s*".join(re.escape(ch) for ch in s) for s in alts]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def finalize(analyses: list[PageAnalysis], engine: DetectionEngine | None = None) -> list[PageAnalysis]:
    """The document-level decide step: propagate masked strings, snap masks to glyphs, then
    rescan what stays readable under the final masks and mask what that finds (verification
    rescans the same residual text, so it accepts what this releases)."""
    out = []
    for a in propagate(analyses):
        a = _snapped(a)
        for _ in range(CLOSE_ROUNDS if engine is not None else 0):
            assert engine is not None
            residual, back = residual_under_masks(a.text, [r.bbox for r in a.result.regions])
            extra = _new_regions(a, readable_findings(residual, back, engine.near_masks(residual)))
            if not extra:
                break
            a = _snapped(PageAnalysis(replace(a.result, regions=a.result.regions + tuple(extra)), a.text))
        out.append(a)
    return out


#: rescans of the residual under the final masks (each may add masks that change it)
CLOSE_ROUNDS = 3


def _snapped(a: PageAnalysis) -> PageAnalysis:
    snapped = snap_to_glyphs(a.result.regions, a.text)
    return a if snapped is a.result.regions else PageAnalysis(replace(a.result, regions=snapped), a.text)


def residual_under_masks(text: PageText, masks: list[BBox]) -> tuple[str, list[int]]:
    """The page's reading text as a reader of the blind copy sees it: characters whose centre
    lies under a mask become one ``MASK_CHAR`` per run (``service.detect.residual``)."""
    flags = bytearray(len(text.chars))
    if masks:
        grid = BoxGrid(masks)
        for i, c in enumerate(text.chars):
            if c.bbox is not None and c.bbox.centre_in([masks[k] for k in grid.near(c.bbox)]):
                flags[i] = 1
    return residual_of(text.text, flags)


def propagate(analyses: list[PageAnalysis]) -> list[PageAnalysis]:
    strings: dict[str, str] = {}
    for a in analyses:
        for r in a.result.regions:
            if r.snippet and r.source in ("text", "ocr"):
                s = _squash(r.snippet)
                if _worth(s):
                    strings.setdefault(s.lower(), r.category)
    pattern = _pattern(strings)
    if pattern is None:
        return analyses
    out = []
    for a in analyses:
        text = a.text.text
        spans = []
        for m in pattern.finditer(text):
            if _cjk(m.group()) and prose.cuts_word(text, m.start(), m.end()):
                continue  # part of a longer word (民族 in 少数民族, 王强 in 王强调)
            category = strings.get(_squash(m.group()).lower(), "other")
            spans.append(Span(m.start(), m.end(), category, 0.9, f"propagate.{category}",
                              "same string masked elsewhere in the document"))
        extra = _new_regions(a, labels.protect(text, spans))
        if extra:
            result = replace(a.result, regions=a.result.regions + tuple(extra))
            a = PageAnalysis(result, a.text)
        out.append(a)
    return out


def _new_regions(a: PageAnalysis, spans: list[Span]) -> list[Region]:
    p = a.result
    found = spans_to_regions(a.text, spans, unit=p.unit, page_w=p.width, page_h=p.height,
                             orientation=p.orientation)
    have = [r.bbox for r in p.regions]
    return [r for r in found if not any(h.contains(r.bbox, tol=0.5) for h in have)]
