"""The job store: queue order, claims, progress, recovery, attempts, bound, retention."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from service.jobs.layout import JobPaths, display_name, new_job_id
from service.jobs.models import NewFile, Status, TaskKind, job_status
from service.jobs.retention import ORPHAN_SECONDS, sweep
from service.jobs.store import BusyError, QueueFullError, Store
from tests.api.helpers import make_settings


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "jobs.sqlite3")
    s.init()
    return s


def _files(n: int, pages: int = 2) -> list[NewFile]:
    return [NewFile(index=i, name=f"f{i}.pdf", kind="pdf", size=10, sha256="0" * 64, pages=pages) for i in range(n)]


def _job(store: Store, n: int = 1, tenant: str = "t", pages: int = 2) -> str:
    job_id = new_job_id()
    store.create_job(job_id, tenant, "default", _files(n, pages), queue_size=100)
    return job_id


def test_job_status_follows_its_files() -> None:
    q, r, d, f = Status.queued, Status.running, Status.done, Status.failed
    assert job_status([q, q]) is q
    assert job_status([d, q]) is r and job_status([r, q]) is r
    assert job_status([d, d]) is d and job_status([d, f]) is f


def test_claim_progress_finish(store: Store) -> None:
    job = _job(store, n=2)
    first = store.claim("w1")
    assert first is not None and (first.job_id, first.file_index, first.kind, first.attempts) == (job, 0, TaskKind.redact, 1)
    store.page_done(first)
    rec = store.get_job(job)
    assert rec is not None and rec.status is Status.running and rec.pages_done == 1 and rec.pages_total == 4
    assert store.finish(first, 0, None, pages=2, seconds=3.0)
    second = store.claim("w2")
    assert second is not None and second.file_index == 1
    assert store.claim("w3") is None
    store.finish(second, 5, "verification_failed", pages=2, seconds=1.0)
    rec = store.get_job(job)
    assert rec is not None and rec.status is Status.failed and rec.pages_done == 4
    assert [(f.status, f.exit_code, f.error) for f in rec.files] == [
        (Status.done, 0, None), (Status.failed, 5, "verification_failed")]
    counters = store.counters()
    assert counters["pages_processed"] == 4 and counters["page_seconds_sum"] == 4.0
    assert counters["page_seconds_le_1.0"] == 2 and counters["page_seconds_le_2.0"] == 4
    assert store.counts_by_state()["failed"] == 1


def test_crash_requeues_and_counts_attempts(store: Store) -> None:
    job = _job(store)
    task = store.claim("w1")
    assert task is not None
    assert store.requeue_worker("w1", crashed=True) == 1
    rec = store.get_job(job)
    assert rec is not None and rec.status is Status.queued and rec.pages_done == 0
    again = store.claim("w2")
    assert again is not None and again.id == task.id and again.attempts == 2
    assert store.requeue_worker("w2", crashed=False) == 1  # a graceful stop is no attempt
    third = store.claim("w3")
    assert third is not None and third.attempts == 2
    assert store.requeue_running() == 1  # start-up after a crash
    assert store.get_job(job).status is Status.queued  # type: ignore[union-attr]


def test_queue_bound(store: Store) -> None:
    store.create_job(new_job_id(), "t", "default", _files(3), queue_size=2)  # 3 files, 1 job
    store.create_job(new_job_id(), "t", "default", _files(1), queue_size=2)
    with pytest.raises(QueueFullError) as err:
        store.create_job(new_job_id(), "t", "default", _files(1), queue_size=2)
    assert err.value.retry_after >= 1
    with pytest.raises(QueueFullError):
        store.check_room(2)


def test_revisions_wait_for_the_file(store: Store) -> None:
    job = _job(store)
    with pytest.raises(BusyError):
        store.request_revision(job, "t", 0, 1, queue_size=10)
    task = store.claim("w")
    assert task is not None
    store.finish(task, 0, None, 2, 1.0)
    with pytest.raises(KeyError):
        store.request_revision(job, "other tenant", 0, 1, queue_size=10)
    with pytest.raises(BusyError):
        store.request_revision(job, "t", 0, 2, queue_size=10)  # not the next revision
    store.request_revision(job, "t", 0, 1, queue_size=10)
    rec = store.get_job(job)
    assert rec is not None and rec.files[0].revision == 1 and rec.status is Status.queued
    revise = store.claim("w")
    assert revise is not None and (revise.kind, revise.revision) == (TaskKind.revise, 1)


def test_tenants_and_deletion(store: Store) -> None:
    mine, theirs = _job(store, tenant="a"), _job(store, tenant="b")
    assert store.get_job(mine, "b") is None and store.get_job(mine, "a") is not None
    assert [j.id for j in store.list_jobs("b")] == [theirs]
    assert not store.delete_job(mine, "b")
    assert store.delete_job(mine, "a")
    assert store.get_job(mine) is None and store.queue_depth() == 1  # its task went with it


def test_retention_sweep(tmp_path: Path, store: Store) -> None:
    settings = make_settings(tmp_path / "data", retention_hours=1.0)
    busy = _job(store)
    assert store.claim("w") is not None  # the oldest task: busy's
    old, young = _job(store), _job(store)
    for job in (old, busy, young):
        JobPaths(settings.jobs_dir, job).inputs.mkdir(parents=True)
    store._con().execute("UPDATE jobs SET created = ? WHERE id IN (?, ?)", (time.time() - 7200, old, busy))
    orphan = JobPaths(settings.jobs_dir, new_job_id()).root
    orphan.mkdir(parents=True)
    os.utime(orphan, (time.time() - ORPHAN_SECONDS - 10,) * 2)
    assert sweep(store, settings) == 1
    assert store.get_job(old) is None and not JobPaths(settings.jobs_dir, old).root.exists()
    assert store.get_job(busy) is not None  # a worker is on it: deleted by a later sweep
    assert store.get_job(young) is not None and JobPaths(settings.jobs_dir, young).root.exists()
    assert not orphan.exists()


@pytest.mark.parametrize(("raw", "expected"), [
    ("C:\\Users\\张三\\申报书.pdf", "申报书.pdf"), ("../../etc/passwd", "passwd"), ("", "file3"),
    (None, "file3"), ("..", "file3"), ("a\u202eb\x07.pdf", "ab.pdf"), ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
])
def test_display_names(raw: str | None, expected: str) -> None:
    assert display_name(raw, 3) == expected
