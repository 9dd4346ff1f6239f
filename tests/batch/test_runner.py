"""The runner with a fake backend: scheduling, Ctrl-C (stop, abort), resume after it, the
progress output, and a backend that reports it cannot go on."""

from __future__ import annotations

import _thread
import csv
import io
import itertools
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from service.batch.backend import Interrupted
from service.batch.models import FileJob, FileOutcome
from service.batch.outputs import output_names_for
from service.batch.progress import Progress, clock
from service.batch.runner import BatchConfig, run_batch_jobs
from service.batch.summary import COLUMNS


class FakeBackend:
    """Writes fake outputs after ``delay`` seconds; can press Ctrl-C after file ``interrupt_at``."""

    name = "fake"

    def __init__(self, delay: float = 0.05, interrupt_at: int | None = None,
                 block_until_abort: bool = False) -> None:
        self.delay = delay
        self.interrupt_at = interrupt_at
        self.block = block_until_abort
        self.fatal: str | None = None
        self.ran: list[str] = []
        self.stopped = threading.Event()
        self.aborted = threading.Event()
        self._pool = ThreadPoolExecutor(2)
        self._count = itertools.count(1)
        self._inflight = 0

    def accepts(self, job: FileJob) -> bool:
        return self._inflight < 2

    def submit(self, job: FileJob) -> Future[FileOutcome]:
        self._inflight += 1
        fut = self._pool.submit(self._work, job)
        fut.add_done_callback(lambda _: setattr(self, "_inflight", self._inflight - 1))
        return fut

    def _work(self, job: FileJob) -> FileOutcome:
        if self.stopped.is_set():
            raise Interrupted
        self.ran.append(job.rel)
        n = next(self._count)
        if n == self.interrupt_at:
            _thread.interrupt_main()
        if self.block and n >= (self.interrupt_at or 0) and self.aborted.wait(10):
            raise Interrupted
        time.sleep(self.delay)
        out = Path(job.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        name = output_names_for(Path(job.path).name).manifest
        (out / name).write_text("{}", encoding="utf-8")
        return FileOutcome(file=job.rel, pages=1, regions={"person": 2}, verification="passed",
                           outputs=(name,))

    def stop(self) -> None:
        self.stopped.set()

    def abort(self) -> None:
        self.aborted.set()

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def _tree(tmp_path: Path, n: int = 6) -> BatchConfig:
    inp = tmp_path / "in"
    for i in range(n):
        d = inp / f"applicant{i % 2}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"doc{i}.pdf").write_bytes(b"%PDF-1.7\n" + bytes([i]) * 100)
    return BatchConfig(inp, tmp_path / "out")


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_all_files_run_and_are_summarised(tmp_path: Path) -> None:
    cfg = _tree(tmp_path)
    fake = FakeBackend()
    report = run_batch_jobs(cfg, fake, io.StringIO(), tty=False)
    assert report.exit_code == 0 and not report.interrupted
    assert sorted(fake.ran) == sorted(f"applicant{i % 2}/doc{i}.pdf" for i in range(6))
    rows = _rows(cfg.out_dir)
    assert [r["file"] for r in rows] == sorted((r["file"] for r in rows), key=lambda f: f.split("/"))
    assert {r["person"] for r in rows} == {"2"} and list(rows[0]) == list(COLUMNS)


def test_ctrl_c_lets_running_files_finish_then_resume_does_the_rest(tmp_path: Path) -> None:
    cfg = _tree(tmp_path)
    fake = FakeBackend(delay=0.2, interrupt_at=2)
    stream = io.StringIO()
    report = run_batch_jobs(cfg, fake, stream, tty=False)
    assert report.interrupted and report.exit_code == 130
    finished = {o.file for o in report.outcomes}
    assert 1 <= len(finished) < 6
    assert {r["file"] for r in _rows(cfg.out_dir)} == finished
    assert "interrupted" in stream.getvalue()

    again = FakeBackend()
    resumed_cfg = BatchConfig(cfg.in_dir, cfg.out_dir, resume=True)
    report = run_batch_jobs(resumed_cfg, again, io.StringIO(), tty=False)
    assert report.exit_code == 0
    assert set(again.ran) == {f"applicant{i % 2}/doc{i}.pdf" for i in range(6)} - finished
    assert len(_rows(cfg.out_dir)) == 6


def test_second_ctrl_c_aborts_running_files(tmp_path: Path) -> None:
    cfg = _tree(tmp_path)
    fake = FakeBackend(interrupt_at=1, block_until_abort=True)

    def press_again() -> None:
        fake.stopped.wait(5)
        time.sleep(0.3)
        _thread.interrupt_main()

    threading.Thread(target=press_again, daemon=True).start()
    stream = io.StringIO()
    report = run_batch_jobs(cfg, fake, stream, tty=False)
    assert report.exit_code == 130 and fake.aborted.is_set()
    assert "aborting" in stream.getvalue()
    assert report.outcomes == []  # the running file was aborted: nothing recorded


def test_fatal_backend_stops_new_work(tmp_path: Path) -> None:
    cfg = _tree(tmp_path)

    class Refusing(FakeBackend):
        def _work(self, job: FileJob) -> FileOutcome:
            self.ran.append(job.rel)
            self.fatal = "the server refused the token"
            return FileOutcome(file=job.rel, exit_code=2, error="refused")

    fake = Refusing()
    stream = io.StringIO()
    report = run_batch_jobs(cfg, fake, stream, tty=False)
    assert report.exit_code == 2 and len(fake.ran) <= 3
    assert "stopping: the server refused the token" in stream.getvalue()


def test_progress_bar_on_a_terminal() -> None:
    stream = io.StringIO()
    p = Progress(stream, total_files=4, total_pages=8, tty=True)
    p.done(FileOutcome(file="a/x.pdf", pages=2, regions={"person": 1}, verification="passed"), 2)
    p.done(FileOutcome(file="a/y.pdf", exit_code=3, error="y.pdf: unsupported file type"), 2)
    text = stream.getvalue()
    assert "\r" in text and "2/4 files" in text and "2/~8 pages" in text and "1 failed" in text
    assert "ETA" in text and "a/y.pdf: exit 3 — y.pdf: unsupported file type\n" in text
    assert "a/x.pdf: ok" not in text  # successes only move the bar
    p.close()


def test_plain_progress_lines() -> None:
    stream = io.StringIO()
    p = Progress(stream, total_files=2, total_pages=2, tty=False)
    p.done(FileOutcome(file="a/x.pdf", pages=1, regions={"person": 3}, seconds=1.25), 1)
    assert stream.getvalue() == "[1/2] a/x.pdf: ok — 1 page(s), 3 region(s), 1.2 s\n"


@pytest.mark.parametrize(("secs", "text"), [(5, "0:05"), (125, "2:05"), (3725, "1:02:05")])
def test_clock(secs: float, text: str) -> None:
    assert clock(secs) == text
