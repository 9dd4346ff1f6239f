"""Run every verification check over a blind copy (see ``service.redact.verify``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.config import Limits, Options
from service.ingest.document import SourceDoc
from service.ingest.sniff import Kind
from service.pipeline.context import PageAnalysis
from service.pipeline.page import get_engine
from service.pipeline.pool import PagePool
from service.redact import verify as V
from service.types import BBox, Verification


@dataclass(frozen=True, slots=True)
class _PageJob:
    original: str
    blind: str
    kind: Kind
    index: int
    masks: tuple[BBox, ...]
    dpi: int
    limits: Limits


def _check(job: _PageJob) -> V.PageCheck:
    if job.kind is Kind.pdf:
        return V.check_pdf_page(Path(job.original), Path(job.blind), job.index, list(job.masks), job.dpi)
    return V.check_image_page(
        Path(job.original), Path(job.blind), job.kind, job.index, list(job.masks), job.limits
    )


def verify_blind(
    src: SourceDoc,
    work: Path,
    blind: Path,
    analyses: list[PageAnalysis],
    options: Options,
    pool: PagePool,
) -> tuple[Verification, list[tuple[bytes, bytes]]]:
    problems: list[str] = []
    engine = get_engine(options.profile.model_dump_json(), options.policy)
    masks = {a.result.index: [r.bbox for r in a.result.regions] for a in analyses}
    jobs = [
        _PageJob(str(work), str(blind), src.kind, i, tuple(masks[i]), options.render_dpi, options.limits)
        for i in sorted(masks)
    ]
    checks = pool.map(_check, jobs)
    changed = sum(c.changed_pixels for c in checks)

    snippets = {r.snippet for a in analyses for r in a.result.regions if r.snippet}
    leaks = 0
    findings = 0
    if src.kind is Kind.pdf:
        blind_pages = V.blind_text_pages(blind)
        if len(blind_pages) != len(analyses):
            problems.append("page count changed")
        leaks = V.count_text_leaks(blind_pages, snippets)
        findings += sum(V.rescan(engine, t) for t in blind_pages)
        meta = V.pdf_metadata_problems(blind)
    else:
        meta = V.image_metadata_problems(blind, src.kind)
    for a in analyses:
        findings += V.rescan(engine, V.residual_ocr_text(a.text, masks[a.result.index]))
    problems.extend(meta)
    verification = Verification(
        text_leaks=leaks,
        rescan_findings=findings,
        pixels_changed_outside_masks=changed,
        metadata_clean=not meta,
        problems=tuple(problems),
    )
    return verification, [(c.original_preview, c.blind_preview) for c in checks]
