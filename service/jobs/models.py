"""Records of the job store, passed between the store, the workers and the API layer.

A *job* is one upload (one or more files) of one tenant. Each file is worked on by a *task*
(``redact`` for the first run, ``revise`` for an auditor's revision); tasks are the queue and
vanish when they end, the file rows keep the results. A job's status follows from its files'.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Status(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class TaskKind(StrEnum):
    redact = "redact"
    revise = "revise"


class NewFile(BaseModel):
    """A file stored on disk and described at upload, before it gets a row."""

    model_config = ConfigDict(frozen=True)

    index: int
    name: str
    kind: str
    size: int
    sha256: str
    pages: int


class FileRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    name: str
    kind: str
    size: int
    pages: int
    pages_done: int
    status: Status
    exit_code: int | None
    error: str | None
    revision: int


class JobRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    tenant: str
    status: Status
    policy: str
    created: float
    updated: float
    files: tuple[FileRecord, ...]

    @property
    def pages_total(self) -> int:
        return sum(f.pages for f in self.files)

    @property
    def pages_done(self) -> int:
        return sum(min(f.pages_done, f.pages) for f in self.files)


class Task(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    job_id: str
    file_index: int
    kind: TaskKind
    revision: int
    attempts: int
    policy: str


def job_status(statuses: list[Status]) -> Status:
    """A job is queued until a file starts, running until every file ended, then failed if
    any file failed (as the CLI's worst exit code wins) and done otherwise."""
    if not statuses or all(s is Status.queued for s in statuses):
        return Status.queued
    if any(s in (Status.queued, Status.running) for s in statuses):
        return Status.running
    return Status.failed if Status.failed in statuses else Status.done
