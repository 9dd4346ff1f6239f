"""Request and response bodies of the HTTP API (DESIGN §1.6), separate from the core types.

Field names of ``JobCreated`` and ``JobStatus``/``FileStatus`` are the contract the portal
reads; the extra fields (``pages``, ``revision``, timestamps) only add to it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from service.jobs.models import FileRecord, JobRecord, Status
from service.profile import Profile


class JobCreated(BaseModel):
    id: str
    status: Status


class FileStatus(BaseModel):
    index: int
    name: str = Field(description="the client's file name, sanitised (metadata only)")
    status: Status
    exit_code: int | None = Field(description="DESIGN §1.1 exit code once the file ended")
    error: str | None = Field(description="exit-code name (e.g. verification_failed) or null")
    pages: int
    pages_done: int
    revision: int = Field(description="0: the machine's run; n: the auditor's n-th revision")


class JobStatus(BaseModel):
    id: str
    status: Status
    pages_done: int
    pages_total: int
    policy: str
    created: datetime
    updated: datetime
    files: list[FileStatus]


class JobList(BaseModel):
    jobs: list[JobStatus]


class RevisionQueued(BaseModel):
    id: str
    file: int
    revision: int
    status: Status


class DetectTextRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    profile: Profile | None = None
    policy: str = "default"


class SpanOut(BaseModel):
    start: int
    end: int
    text: str
    category: str
    score: float
    rule: str


class PolicyOut(BaseModel):
    name: str
    description: str
    categories: list[str]
    photo_mode: str
    mask_provinces: bool


class ErrorOut(BaseModel):
    error: str = Field(description="DESIGN exit-code name, or an HTTP reason such as not_found")
    detail: str | list[str] = ""


def _when(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def file_status(f: FileRecord) -> FileStatus:
    return FileStatus(
        index=f.index, name=f.name, status=f.status, exit_code=f.exit_code, error=f.error,
        pages=f.pages, pages_done=min(f.pages_done, f.pages), revision=f.revision,
    )


def job_status(job: JobRecord) -> JobStatus:
    return JobStatus(
        id=job.id,
        status=job.status,
        pages_done=job.pages_done,
        pages_total=job.pages_total,
        policy=job.policy,
        created=_when(job.created),
        updated=_when(job.updated),
        files=[file_status(f) for f in job.files],
    )
