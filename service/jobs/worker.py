"""A worker process: load the models once, then take tasks from the store until told to stop.

Each task is one file: the first run (``redact_document``) or an auditor's revision
(``revise_document``). Progress is written to the store after every analysed page. A worker
dies with the service (``PR_SET_PDEATHSIG``) so that a crashed service never leaves a worker
writing behind the back of its successor; the supervisor (``service.jobs.supervisor``) puts
the tasks of a dead worker back in the queue.

Errors become DESIGN exit-code names (``verification_failed``…) in the store; the log carries
the job id, file index, exit code and timings only — never document text or file names.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import pickle
import shutil
import signal
import time
from collections.abc import Callable, Iterable
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import TypeVar

from service.config import Options
from service.errors import ExitCode, MangshenError
from service.jobs.layout import JobPaths, write_durably
from service.jobs.models import FileRecord, Task, TaskKind
from service.jobs.store import Store
from service.pipeline.context import PageAnalysis
from service.pipeline.pool import PagePool
from service.profile import Profile, load_profile
from service.settings import Settings

log = logging.getLogger("mangshen.worker")
T = TypeVar("T")
R = TypeVar("R")


class ProgressPool(PagePool):
    """A page pool that calls ``on_page`` after each analysed page (in this process)."""

    def __init__(self, jobs: int) -> None:
        super().__init__(jobs)
        self.on_page: Callable[[], None] | None = None

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        if self.on_page is None or not _is_page_analysis(fn):
            return super().map(fn, items)
        out: list[R] = []
        todo = list(items)
        for k in range(0, len(todo), self.jobs):
            results = super().map(fn, todo[k : k + self.jobs])
            out.extend(results)
            for _ in results:
                self.on_page()
        return out


def _is_page_analysis(fn: object) -> bool:
    from service.pipeline.page import analyse_page

    return fn is analyse_page


def run_worker(settings: Settings, worker_id: str, ready: Event, parent_pid: int) -> None:
    """Entry point of a worker process (``multiprocessing`` spawn target)."""
    _die_with_parent(parent_pid)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the service, which stops us
    if _preload():
        ready.set()
    store = Store(settings.db_path)
    pool = ProgressPool(settings.worker_jobs)
    try:
        while os.getppid() == parent_pid:
            task = store.claim(worker_id)
            if task is None:
                time.sleep(settings.poll_seconds)
                continue
            execute(task, store, settings, pool)
    finally:
        pool.close()


def _die_with_parent(parent_pid: int) -> None:
    with contextlib.suppress(OSError, AttributeError):  # Linux only; elsewhere: getppid checks
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:
        os._exit(0)


def _preload() -> bool:
    """Load the OCR models and the default detectors now, not with the first upload."""
    t0 = time.perf_counter()
    try:
        from service.pipeline.marks import mark_detectors
        from service.pipeline.page import get_engine, get_ocr

        get_ocr()
        get_engine(Profile().model_dump_json(), "default")
        mark_detectors("default")
    except Exception as exc:
        log.error("worker %d: models could not be loaded (%s)", os.getpid(), type(exc).__name__)
        return False
    log.info("worker %d: models loaded in %.1f s", os.getpid(), time.perf_counter() - t0)
    return True


def execute(task: Task, store: Store, settings: Settings, pool: ProgressPool) -> None:
    """Run one task and record its result; never raises for a document's fault."""
    paths = JobPaths(settings.jobs_dir, task.job_id)
    job = store.get_job(task.job_id)
    if job is None or task.file_index >= len(job.files):
        paths.delete()  # deleted while queued
        return
    record = job.files[task.file_index]
    t0 = time.perf_counter()
    pages = 0
    if task.attempts > settings.max_attempts:
        log.error("job %s file %d: worker died %d times; failed", task.job_id, task.file_index, task.attempts - 1)
        exit_code = int(ExitCode.input_file)
    else:
        pool.on_page = lambda: store.page_done(task)
        try:
            exit_code, pages = _run(task, record, paths, settings, pool)
        except MangshenError as exc:
            exit_code = int(exc.exit_code)
        except Exception as exc:  # fail closed: nothing is released, the worker lives on
            log.error("job %s file %d: %s", task.job_id, task.file_index, type(exc).__name__)
            exit_code = int(ExitCode.verification_failed)
        finally:
            pool.on_page = None
    seconds = time.perf_counter() - t0
    if not store.finish(task, exit_code, error_name(exit_code), pages, seconds):
        paths.delete()  # the job was deleted while it ran
        return
    log.info("job %s file %d %s r%d: exit %d, %d page(s), %.2f s", task.job_id, task.file_index,
             task.kind, task.revision, exit_code, pages, seconds)


def error_name(exit_code: int) -> str | None:
    if exit_code == 0:
        return None
    try:
        return ExitCode(exit_code).name
    except ValueError:
        return "error"


def _run(task: Task, record: FileRecord, paths: JobPaths, settings: Settings, pool: PagePool) -> tuple[int, int]:
    from service.pipeline.revise import Revision, revise_document
    from service.pipeline.run import output_names, redact_document

    original = paths.original(record.index, record.kind)
    profile = load_profile(paths.profile) if paths.profile.exists() else Profile()
    options = Options(profile=profile, policy=task.policy, jobs=settings.worker_jobs)
    out = paths.revision_dir(record.index, task.revision)
    _clear_outputs(out)
    if task.kind is TaskKind.redact:
        result = redact_document(
            original, out, options, pool,
            on_analysed=lambda analyses: _save_analyses(paths.analysis(record.index), analyses),
        )
    else:
        revision = Revision.model_validate_json(paths.changes(record.index, task.revision).read_bytes())
        _, manifest_name, _ = output_names(original, record.kind)
        base = paths.revision_dir(record.index, task.revision - 1) / manifest_name
        result = revise_document(original, base, revision, out, options, pool, _load_analyses(paths.analysis(record.index)))
    _, manifest_name, _ = output_names(original, record.kind)
    _name_manifest(out / manifest_name, record.name)
    return result.exit_code, len(result.pages)


def _clear_outputs(out: Path) -> None:
    """A task run again after a crash starts from a clean folder (keeping the request)."""
    if not out.exists():
        return
    for p in out.iterdir():
        if p.name != "changes.json":
            p.unlink(missing_ok=True) if p.is_file() else shutil.rmtree(p, ignore_errors=True)


def _save_analyses(path: Path, analyses: list[PageAnalysis]) -> None:
    write_durably(path, pickle.dumps(analyses, protocol=pickle.HIGHEST_PROTOCOL))


def _load_analyses(path: Path) -> list[PageAnalysis] | None:
    """The first run's analyses (a pickle this service wrote into its own data dir)."""
    try:
        data = pickle.loads(path.read_bytes())
    except Exception:  # missing, or written by another version: read the pages again
        return None
    return data if isinstance(data, list) else None


def _name_manifest(path: Path, display: str) -> None:
    """Put the client's (sanitised) file name into the manifest in place of the storage name."""
    if not path.exists():
        return
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["input"]["name"] = display
    if manifest.get("output", {}).get("name"):
        stem = display.rsplit(".", 1)[0] if "." in display else display
        manifest["output"]["name"] = f"{stem}.blind.{manifest['output']['name'].rsplit('.', 1)[-1]}"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
