"""Run a batch: discover → plan (profiles, keys, resume) → schedule on a backend → summarise.

Scheduling is longest-first (estimated pages, then bytes): the long scans start while there is
still other work to fill the cores around them, so the run does not end with one core busy
and the other idle. The main thread only waits on futures, records outcomes (resume state,
progress) and handles Ctrl-C:

* first Ctrl-C (or SIGTERM): nothing new starts, queued work is cancelled, running files are
  allowed to finish and are recorded (the signals only bump a counter that the main loop
  reads, so no exception can land between submitting a file and remembering it);
* second: running files are aborted (their outputs are never published);
* third: stop waiting.

In every case ``summary.csv`` lists what finished and the exit code is 130; ``--resume`` then
runs only what is missing.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from service.batch.backend import Backend, Interrupted
from service.batch.models import FileJob, FileOutcome, failed
from service.batch.progress import Progress
from service.batch.state import State, file_sha256, job_key
from service.batch.summary import write_summary
from service.batch.walk import ProfileFinder, collisions, discover, estimate_pages
from service.errors import ExitCode, MangshenError, worst
from service.profile import Profile

log = logging.getLogger(__name__)
_POLL = 0.2


@dataclass(frozen=True)
class BatchConfig:
    in_dir: Path
    out_dir: Path
    profiles_dir: Path | None = None
    policy: str = "default"
    #: what identifies the policy in resume keys (its resolved content, or its name)
    policy_id: str = "default"
    resume: bool = False


@dataclass
class BatchReport:
    outcomes: list[FileOutcome]
    interrupted: bool
    summary: Path
    to_run: int = 0

    @property
    def exit_code(self) -> int:
        codes = [o.exit_code for o in self.outcomes]
        return worst([*codes, int(ExitCode.interrupted)] if self.interrupted else codes)


@dataclass
class _Plan:
    jobs: list[FileJob] = field(default_factory=list)
    #: outcomes known before anything runs: bad profiles, output name clashes, resumed files
    settled: list[tuple[FileJob, FileOutcome]] = field(default_factory=list)


def plan(cfg: BatchConfig) -> _Plan:
    """Find the inputs and turn each into a job (or an outcome that needs no run)."""
    found = discover(cfg.in_dir, cfg.out_dir)
    finder = ProfileFinder(cfg.profiles_dir, cfg.in_dir.resolve().name)
    clash = collisions(found)
    out = _Plan()
    for f in found:
        profile_name, profile = finder.find(f.rel)
        prof_json = profile.model_dump_json() if isinstance(profile, Profile) else "{}"
        job = FileJob(
            rel=f.rel.as_posix(),
            path=str(f.path),
            out_dir=str(cfg.out_dir.joinpath(*f.rel.parent.parts)),
            profile_json=prof_json,
            profile_name=profile_name,
            policy=cfg.policy,
            key=job_key(file_sha256(f.path), prof_json, cfg.policy_id),
            est_pages=estimate_pages(f.path),
            size=f.size,
        )
        if isinstance(profile, MangshenError):
            out.settled.append((job, failed(job, int(profile.exit_code), str(profile))))
        elif f.rel in clash:
            msg = (f"{f.rel.name}: its outputs would overwrite those of {clash[f.rel].name} "
                   "(same name in one folder); rename one of them")
            out.settled.append((job, failed(job, int(ExitCode.bad_args), msg)))
        else:
            out.jobs.append(job)
    return out


def run_batch_jobs(cfg: BatchConfig, backend: Backend, stream: TextIO,
                   tty: bool | None = None) -> BatchReport:
    try:
        p = plan(cfg)
        state = State(cfg.out_dir, cfg.resume)
    except BaseException:
        backend.close()
        raise
    outcomes: list[FileOutcome] = []
    todo: list[FileJob] = []
    for job in p.jobs:
        earlier = state.done(job) if cfg.resume else None
        if earlier:
            outcomes.append(earlier)
        else:
            todo.append(job)
    resumed = len(outcomes)
    progress = Progress(stream, len(todo) + len(p.settled), sum(j.est_pages for j in todo), tty)
    log.info("batch start: backend=%s inputs=%d to_run=%d resumed=%d",
             backend.name, len(p.jobs) + len(p.settled), len(todo), resumed)
    if resumed:
        progress.note(f"{resumed} file(s) already done (--resume): skipped")

    def record(job: FileJob, outcome: FileOutcome) -> None:
        state.record(job, outcome)
        outcomes.append(outcome)
        progress.done(outcome, job.est_pages)
        log.info("batch file done: key=%s exit=%d pages=%d regions=%s seconds=%.2f",
                 job.key[:12], outcome.exit_code, outcome.pages, outcome.regions, outcome.seconds)

    for job, outcome in p.settled:
        record(job, outcome)
    try:
        interrupted = _schedule(todo, backend, record, progress)
    finally:
        state.close()
    progress.close()
    summary = write_summary(cfg.out_dir, outcomes)
    return BatchReport(outcomes, interrupted, summary, len(todo))


def _schedule(todo: list[FileJob], backend: Backend,
              record: Callable[[FileJob, FileOutcome], None], progress: Progress) -> bool:
    """Run ``todo`` on ``backend``; returns whether the run was interrupted."""
    pending = sorted(todo, key=lambda j: (-j.est_pages, -j.size, j.rel))
    inflight: dict[Future[FileOutcome], FileJob] = {}
    with _catch_interrupts() as presses:
        while (pending or inflight) and not backend.fatal and not presses.count:
            for job in list(pending):
                if backend.fatal or presses.count:
                    break
                if backend.accepts(job):
                    inflight[backend.submit(job)] = job
                    pending.remove(job)
            _collect(inflight, record, _POLL)
            progress.tick()
        if not presses.count and not backend.fatal:
            backend.close()
            return False
        if presses.count:
            progress.note(f"interrupted: {len(inflight)} running file(s) may finish; "
                          "Ctrl-C again to abort them")
        else:
            progress.note(f"stopping: {backend.fatal}")
        backend.stop()
        _drain(inflight, record, backend, progress, presses)
        return presses.count > 0


def _drain(inflight: dict[Future[FileOutcome], FileJob],
           record: Callable[[FileJob, FileOutcome], None], backend: Backend, progress: Progress,
           presses: _Presses) -> None:
    """Wait for the files still running after a stop; Ctrl-C aborts them, another gives up."""
    at_stop = presses.count
    aborted = False
    while inflight:
        if presses.count > at_stop and not aborted:
            progress.note("aborting the running file(s); nothing of them is published")
            backend.abort()
            aborted = True
        if presses.count > at_stop + 1:
            return
        _collect(inflight, record, _POLL)
    backend.close()


class _Presses:
    """Counts Ctrl-C / SIGTERM; the main loop looks at the count (no exception can land
    between submitting a file and remembering it)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, signum: int, frame: object) -> None:
        self.count += 1


@contextlib.contextmanager
def _catch_interrupts() -> Iterator[_Presses]:
    presses = _Presses()
    old: dict[signal.Signals, Any] = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            old[signum] = signal.signal(signum, presses)
    except ValueError:  # not the main thread: the caller owns the signals
        pass
    try:
        yield presses
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)


def _collect(inflight: dict[Future[FileOutcome], FileJob],
             record: Callable[[FileJob, FileOutcome], None], timeout: float) -> None:
    done, _ = wait(list(inflight), timeout=timeout, return_when=FIRST_COMPLETED)
    for fut in done:
        job = inflight.pop(fut)
        try:
            outcome = fut.result()
        except (Interrupted, CancelledError):
            continue  # not recorded: --resume runs it again
        record(job, outcome)
