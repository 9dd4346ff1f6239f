"""A stand-in for ``mangshen serve`` implementing just what ``batch --server`` calls
(DESIGN §1.6), on a loopback port in a thread. It "redacts" by copying a PDF and refuses
anything else the way the service does (file exit code 3, no outputs)."""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "test-token"


@dataclass
class FakeJob:
    id: str
    name: str
    data: bytes
    profile: str
    policy: str
    polls: int = 0


@dataclass
class FakeService:
    token: str = TOKEN
    #: answer this many uploads with 429 first
    busy: int = 1
    #: hand out a blind copy that does not match the manifest (a broken transfer)
    corrupt_blind: bool = False
    #: keep every job "running" while set
    hold: threading.Event = field(default_factory=threading.Event)
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    posts: int = 0
    deleted: list[str] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        service = self

        class Handler(_Handler):
            svc = service

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _payload(part: Any) -> bytes:
    data = part.get_payload(decode=True) if part is not None else b""
    return data if isinstance(data, bytes) else b""


def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def _manifest(job: FakeJob, blind: bytes) -> dict[str, Any]:
    return {
        "version": 1, "input": {"name": job.name, "sha256": hashlib.sha256(job.data).hexdigest(), "pages": 1},
        "output": {"name": "x", "sha256": hashlib.sha256(blind).hexdigest()}, "policy": job.policy,
        "pages": [{"index": 0, "regions": [{"category": "person"}, {"category": "phone"}]}],
        "verification": {"text_leaks": 0}, "warnings": [],
    }


class _Handler(BaseHTTPRequestHandler):
    svc: FakeService

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.svc.token}":
            self._send(401, {"detail": "invalid token"})
            return False
        return True

    def _job(self, job_id: str) -> FakeJob | None:
        job = self.svc.jobs.get(job_id)
        if job is None:
            self._send(404, {"detail": "no such job"})
        return job

    def do_POST(self) -> None:
        if not self._authorised():
            return
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.svc._lock:
            self.svc.posts += 1
            if self.svc.busy > 0:
                self.svc.busy -= 1
                self._send(429, {"detail": "queue full"}, {"Retry-After": "0"})
                return
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        parts = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
        upload = parts["files"]
        job = FakeJob(
            id=f"job{next(self.svc._ids)}", name=upload.get_filename() or "",
            data=_payload(upload), profile=_payload(parts.get("profile")).decode(),
            policy=_payload(parts.get("policy")).decode(),
        )
        self.svc.jobs[job.id] = job
        self._send(202, {"id": job.id, "status": "queued"}, {"Location": f"/v1/jobs/{job.id}"})

    def do_GET(self) -> None:
        if not self._authorised():
            return
        parts = self.path.strip("/").split("/")
        if parts == ["v1", "policies"]:
            self._send(200, [{"name": "default"}, {"name": "eyes"}])
        elif len(parts) == 3 and parts[:2] == ["v1", "jobs"]:
            self._status(parts[2])
        elif len(parts) == 6 and parts[:2] == ["v1", "jobs"] and parts[3:5] == ["files", "0"]:
            self._file(parts[2], parts[5])
        else:
            self._send(404, {"detail": "not found"})

    def _status(self, job_id: str) -> None:
        job = self._job(job_id)
        if job is None:
            return
        job.polls += 1
        if job.polls < 2 or self.svc.hold.is_set():
            self._send(200, {"id": job.id, "status": "running", "pages_done": 0, "pages_total": 1,
                             "files": [{"index": 0, "name": job.name, "status": "running",
                                        "exit_code": None, "error": None}]})
            return
        ok = _is_pdf(job.data)
        file = {"index": 0, "name": job.name, "status": "done" if ok else "failed",
                "exit_code": 0 if ok else 3,
                "error": None if ok else "input_file: unsupported file type"}
        self._send(200, {"id": job.id, "status": "done" if ok else "failed", "pages_done": 1,
                         "pages_total": 1, "files": [file]})

    def _file(self, job_id: str, what: str) -> None:
        job = self._job(job_id)
        if job is None:
            return
        if not _is_pdf(job.data):
            self._send(404, {"detail": "no output"})
            return
        blind = job.data + b"%blind\n"
        if what == "blind":
            self._send(200, blind + (b"x" if self.svc.corrupt_blind else b""))
        elif what == "manifest":
            self._send(200, _manifest(job, blind))
        elif what == "report":
            self._send(200, b"<!doctype html><title>report</title>")
        else:
            self._send(404, {"detail": "not found"})

    def do_DELETE(self) -> None:
        if not self._authorised():
            return
        job_id = self.path.strip("/").split("/")[-1]
        self.svc.jobs.pop(job_id, None)
        self.svc.deleted.append(job_id)
        self._send(204)
