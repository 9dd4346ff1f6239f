"""The worker pool: ``MANGSHEN_WORKERS`` separate processes, watched by one thread.

At start the store's ``running`` tasks (a crash or kill of the previous service) go back to
the queue, then the workers start (``spawn``: a clean interpreter, no copy of the server's
threads or sockets). The watcher thread restarts a worker that died and requeues its task
(the crash counts as an attempt; a file that kills its worker ``max_attempts`` times fails).
It also runs the retention sweep. ``stop`` terminates the workers and requeues what they were
doing without counting an attempt, so a restart finishes every job.

Workers are started from the watcher thread only: ``PR_SET_PDEATHSIG`` fires when the thread
that started a process ends, and this thread lives as long as the pool.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
import time
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event

from service.jobs.retention import sweep
from service.jobs.store import Store
from service.jobs.worker import run_worker
from service.settings import Settings

log = logging.getLogger("mangshen.supervisor")
#: seconds between two looks at the workers, and between two retention sweeps
WATCH_SECONDS = 0.5
SWEEP_SECONDS = 300.0


@dataclass
class _Slot:
    index: int
    process: SpawnProcess | None = None
    ready: Event | None = None
    worker_id: str = ""
    restarts: int = 0


class WorkerPool:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._ctx = mp.get_context("spawn")
        self._slots = [_Slot(i) for i in range(settings.workers)]
        self._stopping = threading.Event()
        self._started = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        requeued = self.store.requeue_running()
        if requeued:
            log.warning("requeued %d task(s) interrupted by the last stop", requeued)
        self._thread = threading.Thread(target=self._watch, name="mangshen-workers", daemon=True)
        self._thread.start()
        self._started.wait(timeout=30)

    def _watch(self) -> None:
        for slot in self._slots:
            self._spawn(slot)
        self._started.set()
        next_sweep = 0.0
        while not self._stopping.wait(WATCH_SECONDS):
            for slot in self._slots:
                if slot.process is not None and not slot.process.is_alive() and not self._stopping.is_set():
                    self._replace(slot)
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + SWEEP_SECONDS
                self._sweep()
        self._terminate()

    def _spawn(self, slot: _Slot) -> None:
        slot.ready = self._ctx.Event()
        slot.worker_id = f"w{slot.index}-{os.getpid()}-{time.time_ns()}"
        slot.process = self._ctx.Process(
            target=run_worker,
            args=(self.settings, slot.worker_id, slot.ready, os.getpid()),
            name=f"mangshen-worker-{slot.index}",
            daemon=False,  # a worker may run its own page pool
        )
        slot.process.start()
        log.info("worker %d started (pid %s)", slot.index, slot.process.pid)

    def _replace(self, slot: _Slot) -> None:
        proc, slot.process = slot.process, None
        assert proc is not None
        requeued = self.store.requeue_worker(slot.worker_id, crashed=True)
        log.error("worker %d (pid %s) died with %s; requeued %d task(s)", slot.index, proc.pid, proc.exitcode, requeued)
        proc.close()
        slot.restarts += 1
        time.sleep(min(5.0, 0.5 * slot.restarts))  # a worker that dies at start must not spin
        self._spawn(slot)

    def _sweep(self) -> None:
        try:
            sweep(self.store, self.settings)
        except Exception as exc:  # the next sweep tries again
            log.error("retention sweep failed: %s", type(exc).__name__)

    def _terminate(self) -> None:
        for slot in self._slots:
            if slot.process is not None and slot.process.is_alive():
                slot.process.terminate()
        for slot in self._slots:
            if slot.process is None:
                continue
            slot.process.join(timeout=10)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(timeout=5)
            self.store.requeue_worker(slot.worker_id, crashed=False)
            slot.process.close()
            slot.process, slot.ready = None, None  # release their semaphores now

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    # -- state ------------------------------------------------------------------------------
    def states(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for slot in self._slots:
            alive = slot.process is not None and slot.process.is_alive()
            ready = alive and slot.ready is not None and slot.ready.is_set()
            out.append({"worker": slot.index, "alive": alive, "ready": ready, "restarts": slot.restarts})
        return out

    def ready(self) -> bool:
        """Whether at least one worker has its models loaded (uploads are worked on)."""
        return any(s["ready"] for s in self.states())

    def pids(self) -> list[int]:
        return [s.process.pid for s in self._slots if s.process is not None and s.process.pid is not None]
