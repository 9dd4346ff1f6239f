"""Retention: originals and outputs are deleted ``MANGSHEN_RETENTION_HOURS`` after upload.

A job a worker is busy with is deleted once that file ended (the next sweep). Folders under
``jobs/`` without a job row (a job deleted while a worker was writing, a crash between the
files and the row at upload) are removed once they are older than ``ORPHAN_SECONDS``.
"""

from __future__ import annotations

import logging
import time

from service.jobs.layout import JobPaths, valid_job_id
from service.jobs.store import Store
from service.settings import Settings

log = logging.getLogger("mangshen.retention")
#: an upload in progress has files on disk before its row exists: leave young folders alone
ORPHAN_SECONDS = 3600.0


def sweep(store: Store, settings: Settings, now: float | None = None) -> int:
    """Delete expired jobs and orphaned folders; returns how many jobs were deleted."""
    now = time.time() if now is None else now
    expired = store.expired(now - settings.retention_hours * 3600.0)
    for job_id in expired:
        store.delete_job(job_id)
        JobPaths(settings.jobs_dir, job_id).delete()
    if expired:
        log.info("retention: deleted %d job(s)", len(expired))
    known = store.job_ids()
    if settings.jobs_dir.exists():
        for folder in settings.jobs_dir.iterdir():
            if folder.name in known or not valid_job_id(folder.name):
                continue
            if now - folder.stat().st_mtime > ORPHAN_SECONDS:
                JobPaths(settings.jobs_dir, folder.name).delete()
    return len(expired)
