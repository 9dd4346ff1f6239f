"""Local batch work: ``redact_document`` in worker processes, both cores busy.

PyMuPDF must not be used from several threads at once, so files never run side by side in
threads of one process. Instead one pool of ``jobs`` worker processes (``forkserver``: safe to
start, and to start again after a worker died, from a process that has threads) does two kinds
of work at once:

* a *small* file (fewer than ``3 × jobs`` estimated pages) runs whole inside one worker, pages
  one after another (``PagePool(1)``): N small files keep N cores busy, and the per-file steps
  (apply, sanitise, verify, report) run in parallel too;
* a *large* file runs in a single driver thread of this process, and its pages (and its
  verification pages) go to the same workers through a :class:`PagePool` that submits into the
  shared pool, so one long scan does not leave the other core idle at the end of a run.

Measured on this 2-core machine (12 one-page born-digital PDFs; numbers in the README): whole
files per worker is about twice as fast as one file after the other with pages in parallel.

``jobs == 1`` runs everything in this process, in the driver thread, without worker processes.
Workers ignore SIGINT (the runner decides what a Ctrl-C stops) and turn SIGTERM into an orderly
exit, so an aborted file still removes its temporary working copy.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from service.batch.backend import Interrupted
from service.batch.models import FileJob, FileOutcome, failed, outcome_from_result
from service.batch.outputs import clear_outputs
from service.errors import ExitCode
from service.pipeline.pool import PagePool, release_memory

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

#: modules the fork server imports once, so that each worker starts with them loaded
_PRELOAD = ["service.batch.local", "service.pipeline.run", "service.batch.warm"]


def _init_worker() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MANGSHEN_OCR_THREADS", "1")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: temporary files are removed on the way out


def _page_call(fn: Callable[[T], R], item: T) -> R:
    try:
        return fn(item)
    finally:
        release_memory()


def run_file(job: FileJob, pool: PagePool | None = None) -> FileOutcome:
    """Redact one input into its mirrored folder (in whichever process calls this)."""
    from service.config import Options
    from service.pipeline.run import redact_document
    from service.profile import parse_profile

    t0 = time.perf_counter()
    path, out_dir = Path(job.path), Path(job.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_outputs(out_dir, path.name)
    pool = pool or PagePool(1)
    options = Options(profile=parse_profile(job.profile_json), policy=job.policy, jobs=pool.jobs)
    try:
        result = redact_document(path, out_dir, options, pool)
    except Exception as exc:  # not a MangshenError (those become results): fail closed
        clear_outputs(out_dir, path.name)
        if _stopping(pool):
            raise Interrupted from None  # cancelled pages, pool shut down: not this file's fault
        log.error("batch file failed unexpectedly: %s", type(exc).__name__)
        return failed(job, int(ExitCode.verification_failed), _unexpected(path, exc),
                      time.perf_counter() - t0)
    return outcome_from_result(job, result)


def _unexpected(path: Path, exc: BaseException) -> str:
    if isinstance(exc, BrokenProcessPool):
        return f"{path.name}: a worker process ended while processing it (out of memory?); nothing released"
    return f"{path.name}: processing failed ({type(exc).__name__}); nothing released"


def _stopping(pool: PagePool) -> bool:
    return isinstance(pool, _SharedPages) and pool.owner.stopping


def _run_small(job: FileJob) -> FileOutcome:
    """A whole file inside a worker process."""
    try:
        return run_file(job)
    finally:
        release_memory()


class _SharedPages(PagePool):
    """A :class:`PagePool` whose pages go to the batch's worker processes."""

    def __init__(self, owner: LocalBackend) -> None:
        super().__init__(owner.jobs)
        self.owner = owner

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        executor = self.owner.workers()
        try:
            futures = [executor.submit(_page_call, fn, i) for i in items]
            return [f.result() for f in futures]
        except BrokenProcessPool:
            self.owner.broken(executor)
            raise

    def close(self) -> None:
        """The batch owns the workers; a file's end does not stop them."""


class LocalBackend:
    name = "local"
    fatal: str | None = None

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self.stopping = False
        self.large_pages = 3 * self.jobs
        self._lock = threading.Lock()
        self._workers: ProcessPoolExecutor | None = None
        self._driver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-driver")
        self._in_driver = 0
        self._in_workers = 0

    # -- the worker processes -------------------------------------------------------------
    def workers(self) -> ProcessPoolExecutor:
        with self._lock:
            if self.stopping:
                raise Interrupted
            if self._workers is None:
                self._workers = ProcessPoolExecutor(self.jobs, mp_context=_context(),
                                                    initializer=_init_worker)
            return self._workers

    def broken(self, executor: ProcessPoolExecutor) -> None:
        """A worker died (killed, out of memory): start a fresh pool for the files after."""
        with self._lock:
            if self._workers is executor:
                log.warning("a batch worker process ended unexpectedly; starting new workers")
                self._workers = None
        executor.shutdown(wait=False, cancel_futures=True)

    # -- Backend ----------------------------------------------------------------------------
    def _large(self, job: FileJob) -> bool:
        return self.jobs == 1 or job.est_pages >= self.large_pages

    def accepts(self, job: FileJob) -> bool:
        if self._large(job):
            return self._in_driver < 1
        return self._in_workers < self.jobs

    def submit(self, job: FileJob) -> Future[FileOutcome]:
        out: Future[FileOutcome] = Future()
        if self._large(job):
            with self._lock:
                self._in_driver += 1
            pool = _SharedPages(self) if self.jobs > 1 else PagePool(1)
            inner = self._driver.submit(run_file, job, pool)
            inner.add_done_callback(lambda f: self._settle(out, job, f, driver=True))
        else:
            with self._lock:
                self._in_workers += 1
            executor = self.workers()
            inner = executor.submit(_run_small, job)
            inner.add_done_callback(lambda f: self._settle(out, job, f, executor=executor))
        return out

    def _settle(self, out: Future[FileOutcome], job: FileJob, inner: Future[Any],
                driver: bool = False, executor: ProcessPoolExecutor | None = None) -> None:
        with self._lock:
            if driver:
                self._in_driver -= 1
            else:
                self._in_workers -= 1
        exc = None if inner.cancelled() else inner.exception()
        if inner.cancelled() or isinstance(exc, Interrupted) or (exc is not None and self.stopping):
            out.set_exception(Interrupted())
            return
        if exc is None:
            out.set_result(inner.result())
            return
        if isinstance(exc, BrokenProcessPool) and executor is not None:
            self.broken(executor)
        log.error("batch file failed unexpectedly: %s", type(exc).__name__)
        out.set_result(failed(job, int(ExitCode.verification_failed), _unexpected(Path(job.path), exc)))

    def stop(self) -> None:
        with self._lock:
            self.stopping = True
            workers = self._workers
        self._driver.shutdown(wait=False, cancel_futures=True)
        if workers is not None:
            workers.shutdown(wait=False, cancel_futures=True)

    def abort(self) -> None:
        self.stop()
        workers = self._workers
        procs = list(getattr(workers, "_processes", {}).values()) if workers else []
        for proc in procs:
            if proc.is_alive():
                proc.terminate()  # SIGTERM → SystemExit in the worker: it cleans up and ends

    def close(self) -> None:
        self._driver.shutdown(wait=True, cancel_futures=True)
        if self._workers is not None:
            self._workers.shutdown(wait=True, cancel_futures=True)
            self._workers = None


#: the forkserver listens on a Unix socket under the temporary folder; such paths may be at
#: most ~107 bytes (``$TMPDIR/pymp-XXXXXXXX/listener-XXXXXXXX`` adds 33)
SOCKET_PATH_MAX = 100


def _context() -> mp.context.BaseContext:
    """``forkserver`` (preloaded with the models' modules), or ``spawn`` where the temporary
    folder's path is too long for the forkserver's socket (a deep ``$TMPDIR``)."""
    if len(tempfile.gettempdir()) + 40 > SOCKET_PATH_MAX:
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx
