"""Shared by the API and job tests: settings, tokens, sample documents, a real server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from service.settings import Settings
from tests.conftest import new_pdf, save_pdf, write_lines

ROOT = Path(__file__).resolve().parents[2]
ALICE = "alice-token-0123456789"
BOB = "bob-token-0123456789abcd"
TOKENS = f"{ALICE}=alice,{BOB}=bob"
#: a one-page 200 dpi scan of a workload form and the profile of its applicant
SCAN_PDF = ROOT / "examples" / "docs" / "工作量统计表_扫描.pdf"
SCAN_PROFILE = ROOT / "examples" / "profile.json"
NAME = "张三丰"
PROFILE = {"person": [NAME]}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_settings(data_dir: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "api_tokens": TOKENS, "workers": 0, "poll_seconds": 0.05}
    values.update(kw)
    return Settings(**values)


def born_pdf(tmp: Path, name: str = "doc.pdf", pages: int = 1) -> bytes:
    """A small born-digital A4 PDF whose first line names the applicant."""
    doc = new_pdf(pages=pages)
    for page in doc:
        write_lines(page, [f"申报人：{NAME}", "科室：内分泌科"], origin=(72.0, 400.0))
    return save_pdf(doc, tmp / name).read_bytes()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``python -m service.api`` in a subprocess on a loopback port."""

    def __init__(self, data_dir: Path, workers: int = 1, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "MANGSHEN_DATA_DIR": str(data_dir),
            "MANGSHEN_API_TOKENS": TOKENS,
            "MANGSHEN_WORKERS": str(workers),
            "MANGSHEN_POLL_SECONDS": "0.1",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    def start(self, timeout: float = 60.0) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "service.api", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError("server did not start")

    def worker_pids(self) -> list[int]:
        """The worker processes (started by the supervisor thread, so look in every thread)."""
        assert self.proc is not None
        pids = []
        for thread in Path(f"/proc/{self.proc.pid}/task").iterdir():
            with contextlib.suppress(OSError):  # threads and processes come and go
                for child in (thread / "children").read_text().split():
                    if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                        pids.append(int(child))
        return sorted(pids)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


@contextmanager
def running(data_dir: Path, workers: int = 1, **env: str) -> Iterator[Server]:
    server = Server(data_dir, workers, **env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def upload(url: str, token: str, files: list[tuple[str, bytes]], **data: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/jobs", headers=auth(token), timeout=60.0,
                      files=[("files", (name, body, "application/octet-stream")) for name, body in files],
                      data=data)


def wait_done(url: str, token: str, job_id: str, timeout: float = 240.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = httpx.get(f"{url}/v1/jobs/{job_id}", headers=auth(token), timeout=10.0).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise TimeoutError(f"job {job_id} did not end")
