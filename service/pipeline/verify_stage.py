"""Run every verification check over a blind copy (see ``service.redact.verify``).

``accepted`` areas are ones an auditor decided to leave readable (a machine region removed in
a revision, ``service.pipeline.revise``): their pixels must still be unchanged, but the text
in them is read as masked by the rescans and the text-leak check, so the auditor's decision
is recorded (in the manifest) instead of failing verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.config import Limits, Options
from service.ingest.document import SourceDoc
from service.ingest.sniff import Kind
from service.pipeline.context import PageAnalysis, PageContext
from service.pipeline.page import get_engine, read_raster_text
from service.pipeline.pool import PagePool
from service.redact import verify as V
from service.redact.propagate import residual_under_masks
from service.types import BBox, Char, PageText, Verification


@dataclass(frozen=True, slots=True)
class _PageJob:
    original: str
    blind: str
    kind: Kind
    index: int
    masks: tuple[BBox, ...]
    dpi: int
    limits: Limits
    #: re-OCR the blind page and rescan it (only pages that were OCR'd)
    reocr: bool = False
    ocr_dpi: int = 200
    profile_json: str = "{}"
    policy: str = "default"
    #: areas an auditor left readable: findings there are not counted
    accepted: tuple[BBox, ...] = ()
    #: JPEG written in the DCT domain: pixels outside the blocks a mask reaches are exact
    jpeg_exact: bool = False


def _check(job: _PageJob) -> tuple[V.PageCheck, int]:
    if job.kind is Kind.pdf:
        check = V.check_pdf_page(Path(job.original), Path(job.blind), job.index, list(job.masks), job.dpi)
    else:
        check = V.check_image_page(
            Path(job.original), Path(job.blind), job.kind, job.index, list(job.masks), job.limits,
            jpeg_exact=job.jpeg_exact,
        )
    return check, (_reocr_findings(job) if job.reocr else 0)


def _reocr_findings(job: _PageJob) -> int:
    """OCR the blind page afresh and count findings that do not lie under a mask."""
    ctx = PageContext(job.blind, job.kind, job.index, job.ocr_dpi, job.profile_json, job.policy, job.limits)
    text = read_raster_text(ctx)
    spans = get_engine(job.profile_json, job.policy).detect(text.text)
    masks = list(job.masks) + list(job.accepted)
    leaks = 0
    for span in spans:
        # a finding reaching under a mask is that mask's context, not something left readable
        if any(b.centre_in(masks) for b in text.boxes_for(span.start, span.end)):
            continue
        for box in text.boxes_for(span.start, span.end):
            if not box.centre_in(masks):
                leaks += 1
                break
    return leaks


def verify_blind(
    src: SourceDoc,
    work: Path,
    blind: Path,
    analyses: list[PageAnalysis],
    options: Options,
    pool: PagePool,
    accepted: dict[int, list[BBox]] | None = None,
    jpeg_exact: bool = False,
) -> tuple[Verification, list[tuple[bytes, bytes]], list[str]]:
    problems: list[str] = []
    accepted = accepted or {}
    engine = get_engine(options.profile.model_dump_json(), options.policy)
    masks = {a.result.index: [r.bbox for r in a.result.regions] for a in analyses}
    profile_json = options.profile.model_dump_json()
    ocr_pages = {a.result.index for a in analyses if a.result.ocr_used}
    jobs = [
        _PageJob(
            str(work), str(blind), src.kind, i, tuple(masks[i]), options.render_dpi, options.limits,
            reocr=options.verify_ocr and i in ocr_pages, ocr_dpi=options.ocr_dpi,
            profile_json=profile_json, policy=options.policy, accepted=tuple(accepted.get(i, ())),
            jpeg_exact=jpeg_exact,
        )
        for i in sorted(masks)
    ]
    results = pool.map(_check, jobs)
    checks = [c for c, _ in results]
    changed = sum(c.changed_pixels for c in checks)
    unpainted = sum(c.unpainted_pixels for c in checks)
    if unpainted:
        problems.append(f"{unpainted} pixel(s) inside the masks are not black")
    reocr_findings = sum(n for _, n in results)

    snippets = {r.snippet for a in analyses for r in a.result.regions if r.snippet}
    leaks = 0
    findings = reocr_findings
    if src.kind is Kind.pdf:
        blind_pages = [_hide(t, accepted.get(i, [])) for i, t in enumerate(V.blind_text_pages(blind))]
        if len(blind_pages) != len(analyses):
            problems.append("page count changed")
        leaks = V.count_text_leaks(blind_pages, snippets)
        stable = engine.restricted(V.STABLE_DETECTORS)
        findings += sum(
            V.rescan(stable, V.mark_masked_gaps(t, masks.get(i, [])).text, stable_only=True)
            for i, t in enumerate(blind_pages)
        )
        meta = V.pdf_metadata_problems(blind)
    else:
        meta = V.image_metadata_problems(blind, src.kind)
    for a in analyses:
        # what a reader of the blind copy sees of the first reading (text layer and OCR)
        i = a.result.index
        residual, _ = residual_under_masks(a.text, masks[i] + list(accepted.get(i, ())))
        findings += V.rescan(engine, residual)
    problems.extend(meta)
    verification = Verification(
        text_leaks=leaks,
        rescan_findings=findings,
        pixels_changed_outside_masks=changed,
        metadata_clean=not meta,
        problems=tuple(problems),
    )
    warnings = [
        f"page {c_index + 1}: {c.faint_pixels} edge pixel(s) outside the masks shifted by "
        "anti-aliasing when a line was rewritten (within tolerance)"
        for c_index, c in enumerate(checks)
        if c.faint_pixels
    ]
    return verification, [(c.original_preview, c.blind_preview) for c in checks], warnings


def _hide(text: PageText, boxes: list[BBox]) -> PageText:
    """``text`` with the characters in ``boxes`` read as masked (the auditor's accepted areas)."""
    if not boxes:
        return text
    return PageText(tuple(
        Char(V.MASKED, c.bbox, c.conf, c.source) if c.bbox is not None and c.bbox.centre_in(boxes) else c
        for c in text.chars
    ))
