"""The driver: ``redact_document(input, output_dir, options) -> Result``.

ingest ─► pages ─► read+detect+decide (per page, in parallel) ─► apply+sanitize ─► verify
─► publish (rename) ─► manifest + report. CLI, API and batch all call this one function.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from service.config import Options
from service.errors import MangshenError, VerificationFailedError
from service.ingest.document import SourceDoc, open_source
from service.pipeline.context import PageAnalysis, PageContext
from service.pipeline.page import analyse_page, get_engine
from service.pipeline.pool import PagePool
from service.pipeline.verify_stage import verify_blind
from service.pipeline.workcopy import working_copy
from service.redact.apply import apply_image, apply_pdf
from service.redact.propagate import finalize
from service.report.html import render_report
from service.report.manifest import write_manifest
from service.rules.policy import load_policy
from service.types import BBox, Result, Verification

log = logging.getLogger(__name__)


def output_names(src_path: Path, ext: str) -> tuple[str, str, str]:
    suffix = src_path.suffix.lstrip(".")
    ext = suffix if suffix.lower() in _ALIASES.get(ext, {ext}) else ext
    stem = src_path.stem
    return f"{stem}.blind.{ext}", f"{stem}.manifest.json", f"{stem}.report.html"


_ALIASES = {"jpg": {"jpg", "jpeg", "jpe"}, "tif": {"tif", "tiff"}, "pdf": {"pdf"}, "png": {"png"}}


def redact_document(
    path: Path,
    out_dir: Path,
    options: Options,
    pool: PagePool | None = None,
    *,
    on_analysed: Callable[[list[PageAnalysis]], None] | None = None,
) -> Result:
    """Redact one input into ``out_dir``; ``on_analysed`` sees the final page analyses (the
    service keeps them so that an auditor's revision need not read the pages again)."""
    t0 = time.perf_counter()
    own_pool = pool is None
    pool = pool or PagePool(options.jobs)
    try:
        src = open_source(path, options.limits)
        load_policy(options.policy)
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="mangshen-") as tmp, working_copy(src, Path(tmp)) as work:
            analyses = analyse(src, work, options, pool)
            if on_analysed is not None:
                on_analysed(analyses)
            return release(src, work, out_dir, analyses, options, pool, t0)
    except MangshenError as exc:
        log.info("input refused: exit %d (%s)", exc.exit_code, type(exc).__name__)
        return _failed(path, exc, t0)
    finally:
        if own_pool:
            pool.close()


def analyse(src: SourceDoc, work: Path, options: Options, pool: PagePool) -> list[PageAnalysis]:
    """Read, detect and decide every page (in parallel), then the document-level decisions."""
    profile_json = options.profile.model_dump_json()
    contexts = [
        PageContext(str(work), src.kind, p.index, options.ocr_dpi, profile_json, options.policy, options.limits)
        for p in src.pages
    ]
    # build the detectors (gazetteer, NER model) here, before the pool forks: workers share them
    engine = get_engine(profile_json, options.policy)
    return finalize(pool.map(analyse_page, contexts), engine)


def release(
    src: SourceDoc,
    work: Path,
    out_dir: Path,
    analyses: list[PageAnalysis],
    options: Options,
    pool: PagePool,
    t0: float,
    *,
    accepted: dict[int, list[BBox]] | None = None,
    warnings: tuple[str, ...] = (),
) -> Result:
    """Apply the analyses' regions, verify, publish (rename) and write manifest and report.

    ``accepted`` are areas an auditor decided to leave readable (``service.pipeline.revise``):
    verification records them and does not count what it finds there.
    """
    blind_name, manifest_name, report_name = output_names(src.path, src.kind.ext)
    pages = tuple(a.result for a in analyses)
    masks = {p.index: [r.bbox for r in p.regions] for p in pages}
    tmp_blind = out_dir / f".{blind_name}.partial"
    written = None
    try:
        if src.kind.value == "pdf":
            apply_pdf(work, masks, tmp_blind)
        else:
            written = apply_image(work, src.kind, masks, tmp_blind, options.limits)
        verification, previews, check_warnings = verify_blind(
            src, work, tmp_blind, analyses, options, pool, accepted=accepted,
            jpeg_exact=written is not None and written.record.jpeg_write == "dct",
        )
        passed = verification.passed
        if passed:
            final = out_dir / blind_name
            tmp_blind.replace(final)
            out_sha = _sha256(final)
        else:
            out_sha = None
    finally:
        tmp_blind.unlink(missing_ok=True)
    error = None if passed else VerificationFailedError(
        "verification failed: " + "; ".join(verification.problems or _failed_checks(verification))
    )
    result = Result(
        input_name=src.name,
        input_sha256=src.sha256,
        output_name=blind_name if passed else None,
        output_sha256=out_sha,
        policy=options.policy,
        pages=pages,
        verification=verification,
        warnings=src.warnings + warnings + (written.warnings if written else ()) + tuple(check_warnings),
        exit_code=0 if passed else int(error.exit_code) if error else 0,
        error=str(error) if error else None,
        seconds=round(time.perf_counter() - t0, 3),
        image_metadata=written.record if written else None,
    )
    write_manifest(result, out_dir / manifest_name)
    if options.report:
        originals = [p[0] for p in previews]
        blinds = [p[1] for p in previews] if passed else None
        html = render_report(result, originals, blinds)
        (out_dir / report_name).write_text(html, encoding="utf-8")
    _log_result(result)
    return result


def _failed_checks(v: Verification) -> list[str]:
    out = []
    if v.text_leaks:
        out.append(f"{v.text_leaks} masked string(s) still in the text layer")
    if v.rescan_findings:
        out.append(f"{v.rescan_findings} finding(s) left unmasked on rescan")
    if v.pixels_changed_outside_masks:
        out.append(f"{v.pixels_changed_outside_masks} pixel(s) changed outside the masks")
    if not v.metadata_clean:
        out.append("metadata not clean")
    return out


def _failed(path: Path, exc: MangshenError, t0: float) -> Result:
    return Result(
        input_name=path.name,
        input_sha256="",
        output_name=None,
        output_sha256=None,
        policy="",
        pages=(),
        verification=Verification(),
        warnings=(),
        exit_code=int(exc.exit_code),
        error=str(exc),
        seconds=round(time.perf_counter() - t0, 3),
    )


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _log_result(result: Result) -> None:
    counts: dict[str, int] = {}
    for p in result.pages:
        for r in p.regions:
            counts[r.category] = counts.get(r.category, 0) + 1
    log.info(
        "input sha256=%s pages=%d regions=%s exit=%d seconds=%.2f",
        result.input_sha256[:12],
        len(result.pages),
        counts,
        result.exit_code,
        result.seconds,
    )

