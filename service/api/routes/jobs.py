"""``/v1/jobs``: upload (202 + Location), status with per-page progress, the tenant's job list,
and deletion of originals and outputs at once.

Handlers are plain ``def``: FastAPI runs them in its thread pool, so copying and fsyncing an
upload never blocks the event loop that answers status calls.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from service.api.deps import AppStateDep, Auth, tenant_job
from service.api.schemas import ErrorOut, JobCreated, JobList, JobStatus, job_status
from service.api.uploads import store_files
from service.config import Limits
from service.errors import InvalidRulesError, LimitExceededError
from service.jobs.layout import new_job_id
from service.jobs.models import Status
from service.profile import Profile, parse_profile
from service.rules.policy import available_policies

log = logging.getLogger("mangshen.api")
router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in {
        400: "bad arguments (profile, policy, form fields)",
        401: "missing or invalid bearer token",
        404: "no such job for this tenant",
    }.items()
}
UPLOAD_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    413: {"model": ErrorOut, "description": "upload, file, page or pixel limit exceeded"},
    415: {"model": ErrorOut, "description": "not a PDF, JPEG, PNG or TIFF (sniffed by content)"},
    422: {"model": ErrorOut, "description": "unreadable: empty, corrupt or encrypted file"},
    429: {"model": ErrorOut, "description": "queue full; see Retry-After"},
}


@router.post("", status_code=202, response_model=JobCreated, responses=UPLOAD_ERRORS,
             summary="Upload files for redaction")
def create_job(
    principal: Auth,
    state: AppStateDep,
    response: Response,
    files: Annotated[list[UploadFile], File(description="one or more PDF, JPEG, PNG or TIFF files")],
    profile: Annotated[str | None, Form(description="the applicant's profile, JSON (DESIGN §1.2)")] = None,
    policy: Annotated[str | None, Form(description="a bundled policy name (GET /v1/policies)")] = None,
) -> JobCreated:
    settings = state.settings
    if len(files) > settings.max_files:
        raise LimitExceededError(f"{len(files)} files; at most {settings.max_files} per job (MANGSHEN_MAX_FILES)")
    prof = parse_profile(profile, source="profile") if profile and profile.strip() else Profile()
    chosen = policy_name(policy)
    state.store.check_room(settings.queue_size)
    job_id = new_job_id()
    paths = state.paths(job_id)
    stored = store_files(paths, [(f.filename, f.file) for f in files], prof, Limits())
    try:
        state.store.create_job(job_id, principal.tenant, chosen, stored, settings.queue_size)
    except BaseException:
        paths.delete()
        raise
    log.info("job %s: %d file(s), %d page(s) queued", job_id, len(stored), sum(f.pages for f in stored))
    response.headers["Location"] = f"/v1/jobs/{job_id}"
    return JobCreated(id=job_id, status=Status.queued)


def policy_name(name: str | None) -> str:
    """Only bundled policies by name: a client never names a path on the server."""
    name = (name or "").strip() or "default"
    known = available_policies()
    if name not in known:
        raise InvalidRulesError(f"unknown policy {name!r}; available: {', '.join(known)}")
    return name


@router.get("", response_model=JobList, responses=ERRORS, summary="The tenant's jobs, newest first")
def list_jobs(
    principal: Auth,
    state: AppStateDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JobList:
    jobs = state.store.list_jobs(principal.tenant, limit, offset)
    return JobList(jobs=[job_status(j) for j in jobs])


@router.get("/{job_id}", response_model=JobStatus, responses=ERRORS, summary="Status and progress of a job")
def get_job(principal: Auth, state: AppStateDep, job_id: str) -> JobStatus:
    return job_status(tenant_job(state, principal, job_id))


@router.delete("/{job_id}", status_code=204, responses=ERRORS, summary="Delete a job's originals and outputs now")
def delete_job(principal: Auth, state: AppStateDep, job_id: str) -> Response:
    job = tenant_job(state, principal, job_id)
    if state.store.delete_job(job.id, principal.tenant):
        state.paths(job.id).delete()
        log.info("job %s deleted", job.id)
    return Response(status_code=204)
