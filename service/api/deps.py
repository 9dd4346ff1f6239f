"""What a handler needs, as ``Annotated`` dependency aliases: the handler's signature reads
like its spec (``principal: Auth, state: AppStateDep``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.auth import Principal, Tokens
from service.jobs.layout import JobPaths, valid_job_id
from service.jobs.models import FileRecord, JobRecord
from service.jobs.store import Store
from service.jobs.supervisor import WorkerPool
from service.settings import Settings


@dataclass
class AppState:
    settings: Settings
    store: Store
    tokens: Tokens
    workers: WorkerPool | None = None

    def paths(self, job_id: str) -> JobPaths:
        return JobPaths(self.settings.jobs_dir, job_id)


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.mangshen
    return state


_bearer = HTTPBearer(auto_error=False, description="an API token (MANGSHEN_API_TOKENS)")


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    principal = get_state(request).tokens.lookup(credentials.credentials if credentials else None)
    if principal is None:
        raise HTTPException(401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    return principal


AppStateDep = Annotated[AppState, Depends(get_state)]
Auth = Annotated[Principal, Depends(require_token)]


def not_found() -> HTTPException:
    return HTTPException(404, "no such job")


def tenant_job(state: AppState, principal: Principal, job_id: str) -> JobRecord:
    """The job if it exists and belongs to the caller's tenant; 404 otherwise (never 403:
    another tenant's job ids are not confirmed)."""
    job = state.store.get_job(job_id, principal.tenant) if valid_job_id(job_id) else None
    if job is None:
        raise not_found()
    return job


def job_file(job: JobRecord, index: int) -> FileRecord:
    if not 0 <= index < len(job.files):
        raise HTTPException(404, "no such file")
    return job.files[index]
