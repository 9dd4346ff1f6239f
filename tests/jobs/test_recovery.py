"""Crash recovery with the real server: kill the worker mid-job, then kill the service itself,
start it again on the same data directory — every upload is still there and every job ends
with the same result as an uninterrupted run of the same file."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.helpers import ALICE, SCAN_PDF, SCAN_PROFILE, Server, auth, upload, wait_done


def _status(server: Server, job: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(f"{server.url}/v1/jobs/{job}", headers=auth(ALICE), timeout=10).json()
    return data


def _wait_running(server: Server, job: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _status(server, job)["files"][0]["status"] == "running":
            return
        time.sleep(0.1)
    raise TimeoutError("the job never started")


def _replaced(server: Server, dead: int, timeout: float = 30.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = server.worker_pids()
        if pids and dead not in pids:
            return pids
        time.sleep(0.1)
    raise TimeoutError("the dead worker was not replaced")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.slow
def test_killed_worker_and_service_lose_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    scan, profile = SCAN_PDF.read_bytes(), SCAN_PROFILE.read_text(encoding="utf-8")
    server = Server(data, workers=1)
    server.start()
    try:
        jobs = [upload(server.url, ALICE, [(f"scan{i}.pdf", scan)], profile=profile).json()["id"] for i in range(2)]
        _wait_running(server, jobs[0])
        time.sleep(1.0)  # mid-page
        (worker,) = server.worker_pids()
        os.kill(worker, signal.SIGKILL)
        new_workers = _replaced(server, worker)
        _wait_running(server, jobs[0])  # the supervisor requeued it and the new worker took it
        time.sleep(1.0)
        server.stop(signal.SIGKILL)  # the service crashes with its workers
        time.sleep(0.5)
        assert not any(_alive(pid) for pid in new_workers)  # they died with it
    finally:
        server.stop()

    for job in jobs:  # nothing uploaded was lost
        assert (data / "jobs" / job / "in" / "0.pdf").read_bytes() == scan

    again = Server(data, workers=1)
    again.start()
    try:
        assert _status(again, jobs[0])["status"] in ("queued", "running")
        results = [wait_done(again.url, ALICE, job) for job in jobs]
        manifests = [
            httpx.get(f"{again.url}/v1/jobs/{job}/files/0/manifest", headers=auth(ALICE), timeout=10).json()
            for job in jobs
        ]
    finally:
        again.stop()
    assert [r["status"] for r in results] == ["done", "done"]
    assert [r["files"][0]["exit_code"] for r in results] == [0, 0]
    first, second = manifests
    assert first["verification"] == second["verification"] == {
        "text_leaks": 0, "rescan_findings": 0, "pixels_changed_outside_masks": 0, "metadata_clean": True}
    assert first["pages"] == second["pages"]  # the same regions as the uninterrupted run
    assert first["input"]["sha256"] == second["input"]["sha256"]
