"""A worker's task in this process: first run, auditor revisions, attempts, deleted jobs.

Uses the real pipeline on a small born-digital PDF (no OCR), so it runs in a few seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from service.api.uploads import store_files
from service.config import Limits
from service.jobs.layout import JobPaths, new_job_id, write_durably
from service.jobs.models import Status
from service.jobs.store import Store
from service.jobs.worker import ProgressPool, execute
from service.pipeline.revise import Changes, RegionAdd, RegionRemove, Revision
from service.profile import Profile
from service.settings import Settings
from tests.api.helpers import NAME, PROFILE, born_pdf, make_settings


@dataclass
class Env:
    settings: Settings
    store: Store
    pool: ProgressPool
    job: str

    @property
    def paths(self) -> JobPaths:
        return JobPaths(self.settings.jobs_dir, self.job)

    def run_next(self) -> None:
        task = self.store.claim("test-worker")
        assert task is not None
        execute(task, self.store, self.settings, self.pool)

    def manifest(self, revision: int) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.paths.revision_dir(0, revision) / "0.manifest.json").read_text())
        return data

    def blind_text(self, revision: int) -> str:
        with pymupdf.open(self.paths.revision_dir(0, revision) / "0.blind.pdf") as doc:
            return "".join(page.get_text() for page in doc)

    def revise(self, revision: int, changes: Changes) -> None:
        rev = Revision(number=revision, author="alice/0123abcd", at="2026-11-24T00:00:00+00:00", changes=changes)
        write_durably(self.paths.changes(0, revision), rev.model_dump_json().encode())
        self.store.request_revision(self.job, "alice", 0, revision, queue_size=10)
        self.run_next()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    settings = make_settings(tmp_path / "data")
    store = Store(settings.db_path)
    store.init()
    job = new_job_id()
    src = tmp_path / "src.pdf"
    src.write_bytes(born_pdf(tmp_path))
    with src.open("rb") as fh:
        stored = store_files(JobPaths(settings.jobs_dir, job), [("申报书.pdf", fh)],
                             Profile.model_validate(PROFILE), Limits())
    store.create_job(job, "alice", "default", stored, queue_size=10)
    pool = ProgressPool(1)
    yield Env(settings, store, pool, job)
    pool.close()


def _box_of(pdf: Path, text: str) -> list[float]:
    with pymupdf.open(pdf) as doc:
        rect = doc[0].search_for(text)[0]
    return [rect.x0, rect.y0, rect.x1, rect.y1]


def test_first_run_then_revisions(env: Env) -> None:
    env.run_next()
    job = env.store.get_job(env.job)
    assert job is not None and job.status is Status.done and job.pages_done == 1
    assert (job.files[0].exit_code, job.files[0].error) == (0, None)
    first = env.manifest(0)
    assert first["input"]["name"] == "申报书.pdf" and first["output"]["name"] == "申报书.blind.pdf"
    assert first["verification"] == {"text_leaks": 0, "rescan_findings": 0,
                                     "pixels_changed_outside_masks": 0, "metadata_clean": True}
    name_regions = [r for r in first["pages"][0]["regions"] if r["category"] == "person"]
    assert name_regions and NAME not in env.blind_text(0)
    assert env.paths.analysis(0).exists()

    # revision 1: the auditor releases the name and masks the department
    dept = _box_of(env.paths.original(0, "pdf"), "内分泌科")
    env.revise(1, Changes(add=[RegionAdd(page=0, bbox=tuple(dept), category="organization", note="科室")],
                          remove=[RegionRemove(page=0, bbox=tuple(r["bbox"])) for r in name_regions]))
    job = env.store.get_job(env.job)
    assert job is not None and job.status is Status.done and job.files[0].revision == 1
    second = env.manifest(1)
    assert second["verification"]["text_leaks"] == 0 and second["verification"]["rescan_findings"] == 0
    assert NAME in env.blind_text(1) and "内分泌科" not in env.blind_text(1)
    manual = [r for r in second["pages"][0]["regions"] if r["source"] == "manual"]
    assert [(r["category"], r["rule"], r["author"], r["revision"]) for r in manual] == [
        ("organization", "auditor", "alice/0123abcd", 1)]
    assert [r["category"] for r in second["pages"][0]["removed"]] == ["person"] * len(name_regions)
    assert second["revision"] == 1 and second["revisions"][0]["author"] == "alice/0123abcd"
    assert "科室" not in json.dumps(second, ensure_ascii=False)  # notes stay in the report
    assert "科室" in (env.paths.revision_dir(0, 1) / "0.report.html").read_text()
    assert (env.paths.revision_dir(0, 0) / "0.blind.pdf").exists()  # old revisions are kept

    # revision 2 builds on revision 1: removing the manual region leaves the department readable
    env.revise(2, Changes(remove=[RegionRemove(page=0, bbox=tuple(manual[0]["bbox"]))]))
    third = env.manifest(2)
    assert "内分泌科" in env.blind_text(2) and NAME in env.blind_text(2)
    assert [r["revision"] for r in third["revisions"]] == [1, 2]
    assert len(third["pages"][0]["removed"]) == len(name_regions)


def test_a_file_that_keeps_killing_its_worker_fails(env: Env) -> None:
    for _ in range(env.settings.max_attempts):
        assert env.store.claim("w") is not None
        env.store.requeue_worker("w", crashed=True)
    env.run_next()
    job = env.store.get_job(env.job)
    assert job is not None and job.status is Status.failed
    assert (job.files[0].exit_code, job.files[0].error) == (3, "input_file")
    assert not env.paths.revision_dir(0, 0).exists()


def test_a_job_deleted_while_queued_is_skipped_and_cleaned(env: Env) -> None:
    task = env.store.claim("w")
    assert task is not None
    env.store.delete_job(env.job)
    execute(task, env.store, env.settings, env.pool)
    assert not env.paths.root.exists()
