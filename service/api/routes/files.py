"""``/v1/jobs/{id}/files/{index}/…``: the outputs (blind copy, manifest, report), page pictures
for the spot-check page, and an auditor's region changes.

Outputs are those of the file's current revision unless ``?revision=`` asks for an older one
(kept until the job is deleted). A file still queued or running answers 409; a file that
ended without a blind copy (fail closed) answers 404 with its exit-code name.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Response
from fastapi.responses import FileResponse

from service.api.deps import AppState, AppStateDep, Auth, job_file, tenant_job
from service.api.render import page_png
from service.api.routes.jobs import ERRORS
from service.api.schemas import ErrorOut, RevisionQueued
from service.jobs.layout import write_durably
from service.jobs.models import FileRecord, JobRecord, Status
from service.pipeline.revise import Changes, Revision, check_changes
from service.pipeline.run import output_names

log = logging.getLogger("mangshen.api")
router = APIRouter(prefix="/v1/jobs/{job_id}/files/{index}", tags=["files"])

_OUT_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, 409: {"model": ErrorOut, "description": "the file is still queued or running"},
}
_MEDIA = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "tif": "image/tiff"}
#: the report is self-contained: it may load nothing from anywhere
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
RevisionQuery = Annotated[int | None, Query(ge=0, le=100_000, description="default: the current revision")]


def _outputs(state: AppState, job: JobRecord, f: FileRecord, revision: int | None) -> tuple[Path, str, str, str]:
    """The revision's folder and its blind, manifest and report file names."""
    rev = f.revision if revision is None else revision
    if rev > f.revision:
        raise HTTPException(404, "no such revision")
    if rev == f.revision and f.status in (Status.queued, Status.running):
        raise HTTPException(409, f"file {f.index} is {f.status}")
    paths = state.paths(job.id)
    blind, manifest, report = output_names(paths.original(f.index, f.kind), f.kind)
    return paths.revision_dir(f.index, rev), blind, manifest, report


def _lookup(state: AppState, principal: Auth, job_id: str, index: int) -> tuple[JobRecord, FileRecord]:
    job = tenant_job(state, principal, job_id)
    return job, job_file(job, index)


def _missing(f: FileRecord, what: str) -> HTTPException:
    return HTTPException(404, f"no {what} for this file ({f.error or 'not produced'})")


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name else name


@router.get("/blind", responses={**_OUT_ERRORS, 200: {"content": {m: {} for m in _MEDIA.values()}}},
            response_class=FileResponse, summary="The blind copy (same format as the input)")
def get_blind(principal: Auth, state: AppStateDep, job_id: str, index: int, revision: RevisionQuery = None) -> FileResponse:
    job, f = _lookup(state, principal, job_id, index)
    folder, blind, _, _ = _outputs(state, job, f, revision)
    if not (folder / blind).is_file():
        raise _missing(f, "blind copy")
    return FileResponse(folder / blind, media_type=_MEDIA.get(f.kind, "application/octet-stream"),
                        filename=f"{_stem(f.name)}.blind.{blind.rsplit('.', 1)[-1]}")


@router.get("/manifest", responses=_OUT_ERRORS, summary="The manifest (DESIGN §1.4, plus revisions)")
def get_manifest(principal: Auth, state: AppStateDep, job_id: str, index: int, revision: RevisionQuery = None) -> Response:
    job, f = _lookup(state, principal, job_id, index)
    folder, _, manifest, _ = _outputs(state, job, f, revision)
    if not (folder / manifest).is_file():
        raise _missing(f, "manifest")
    return Response((folder / manifest).read_bytes(), media_type="application/json")


@router.get("/report", responses={**_OUT_ERRORS, 200: {"content": {"text/html": {}}}},
            response_class=Response, summary="The auditors' report (self-contained HTML)")
def get_report(principal: Auth, state: AppStateDep, job_id: str, index: int, revision: RevisionQuery = None) -> Response:
    job, f = _lookup(state, principal, job_id, index)
    folder, _, _, report = _outputs(state, job, f, revision)
    if not (folder / report).is_file():
        raise _missing(f, "report")
    return Response((folder / report).read_bytes(), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/pages/{page}/{which}.png", responses={**_OUT_ERRORS, 200: {"content": {"image/png": {}}}},
            response_class=Response, summary="One page of the original or the blind copy as PNG")
def get_page(
    principal: Auth, state: AppStateDep, job_id: str, index: int, page: int,
    which: Literal["original", "blind"], revision: RevisionQuery = None,
) -> Response:
    job, f = _lookup(state, principal, job_id, index)
    if not 0 <= page < f.pages:
        raise HTTPException(404, "no such page")
    paths = state.paths(job.id)
    cache = paths.file_dir(f.index) / "pictures"
    dpi = state.settings.preview_dpi
    if which == "original":
        data = page_png(paths.original(f.index, f.kind), page, dpi, cache / f"original-{page}-{dpi}.png")
    else:
        folder, blind, _, _ = _outputs(state, job, f, revision)
        if not (folder / blind).is_file():
            raise _missing(f, "blind copy")
        data = page_png(folder / blind, page, dpi, cache / f"{folder.name}-blind-{page}-{dpi}.png")
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


@router.post("/regions", status_code=202, response_model=RevisionQueued,
             responses={**_OUT_ERRORS, 429: {"model": ErrorOut, "description": "queue full"}},
             summary="Add or remove regions; re-render and re-verify from the original")
def post_regions(
    principal: Auth, state: AppStateDep, response: Response, job_id: str, index: int,
    changes: Annotated[Changes, Body()],
) -> RevisionQueued:
    job, f = _lookup(state, principal, job_id, index)
    folder, _, manifest_name, _ = _outputs(state, job, f, None)
    if not (folder / manifest_name).is_file():
        raise HTTPException(409, f"file {f.index} has no manifest to revise ({f.error or 'not produced'})")
    check_changes(json.loads((folder / manifest_name).read_text(encoding="utf-8")), changes)
    number = f.revision + 1
    revision = Revision(number=number, author=principal.author,
                        at=datetime.now(UTC).isoformat(timespec="seconds"), changes=changes)
    paths = state.paths(job.id)
    write_durably(paths.changes(f.index, number), revision.model_dump_json().encode("utf-8"))
    try:
        state.store.request_revision(job.id, principal.tenant, f.index, number, state.settings.queue_size)
    except KeyError:
        raise HTTPException(404, "no such job") from None
    log.info("job %s file %d: revision %d queued (+%d -%d)", job.id, f.index, number,
             len(changes.add), len(changes.remove))
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return RevisionQueued(id=job.id, file=f.index, revision=number, status=Status.queued)
