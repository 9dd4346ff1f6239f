"""``--server URL --token T``: each file goes to a running service instead of local workers.

Per file (DESIGN §1.6): ``POST /v1/jobs`` (multipart ``files``, ``profile``, ``policy``) → 202
``{id}``; poll ``GET /v1/jobs/{id}`` until ``done`` or ``failed``; download ``manifest`` and
``report`` (when the service has them) and, only for a file that passed, the ``blind`` copy —
to a temporary name, checked against the manifest's sha256, then renamed (fail closed, as a
local run). The outputs land in the same mirrored folders with the same names as a local run.
Jobs stay on the service (auditors may spot-check them there) until its retention deletes them.

Ctrl-C: the first one stops new uploads (an upload still waiting out a 429 counts as new) and
lets accepted jobs finish and download; the second abandons them and deletes them on the
service at once.

Uploads run on ``--jobs`` threads (default 4): the service has its own worker pool and queue
bound (429 is honoured, see :mod:`.remote_http`). A first ``GET /v1/policies`` checks the
token and the policy name before any upload.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from service.batch.backend import Interrupted
from service.batch.models import NOT_VERIFIED, FileJob, FileOutcome, Verdict, failed
from service.batch.outputs import blind_name, clear_outputs, output_names_for
from service.batch.remote_http import Fatal, Http, Refused, Stopped, exit_code_for
from service.errors import BadArgumentsError, ExitCode, InvalidRulesError

log = logging.getLogger(__name__)
_FINAL = ("done", "failed")


class RemoteBackend:
    name = "server"

    def __init__(self, url: str, token: str, jobs: int = 4, poll: float = 0.5,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.jobs = max(1, jobs)
        self.poll = poll
        self.fatal: str | None = None
        #: first Ctrl-C: no new uploads; second: running jobs are abandoned (and deleted)
        self._no_new = threading.Event()
        self._abort = threading.Event()
        client = httpx.Client(
            base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(120.0, connect=10.0), transport=transport,
        )
        self.http = Http(client, self._abort)
        self._threads = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="batch-upload")
        self._lock = threading.Lock()
        self._inflight = 0

    def check(self, policy: str) -> None:
        """Fail before any upload when the token is refused or the policy is unknown there."""
        try:
            response = self.http.request("GET", "/v1/policies")
        except Fatal as exc:
            raise BadArgumentsError(f"{exc} at {self.http.client.base_url}") from None
        if response.status_code in (404, 405):
            raise BadArgumentsError("the server does not offer GET /v1/policies; check --server")
        known = _policy_names(response)
        if known is not None and policy not in known:
            raise InvalidRulesError(f"unknown policy {policy!r} on the server; available: {', '.join(sorted(known))}")

    # -- Backend ----------------------------------------------------------------------------
    def accepts(self, job: FileJob) -> bool:
        return self._inflight < self.jobs and not self._no_new.is_set()

    def submit(self, job: FileJob) -> Future[FileOutcome]:
        with self._lock:
            self._inflight += 1
        fut = self._threads.submit(self._run, job)
        fut.add_done_callback(lambda _: self._done())
        return fut

    def _done(self) -> None:
        with self._lock:
            self._inflight -= 1

    def stop(self) -> None:
        self._no_new.set()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def abort(self) -> None:
        self.stop()
        self._abort.set()

    def close(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)
        self.http.client.close()

    # -- one file ---------------------------------------------------------------------------
    def _run(self, job: FileJob) -> FileOutcome:
        t0 = time.perf_counter()
        path, out_dir = Path(job.path), Path(job.out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        clear_outputs(out_dir, path.name)
        job_id: str | None = None
        try:
            job_id = self._create(job)
            status = self._wait(job_id)
            return self._fetch(job, job_id, status, t0)
        except Stopped:
            if job_id:
                self._forget(job_id)
            clear_outputs(out_dir, path.name)
            raise Interrupted from None
        except Refused as exc:
            clear_outputs(out_dir, path.name)
            return failed(job, exc.exit_code, exc.message, time.perf_counter() - t0)
        except Fatal as exc:
            self.fatal = f"{exc} (server {self.http.client.base_url})"
            clear_outputs(out_dir, path.name)
            return failed(job, int(ExitCode.bad_args), str(exc), time.perf_counter() - t0)

    def _create(self, job: FileJob) -> str:
        path = Path(job.path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Refused(int(ExitCode.input_file), f"{path.name}: cannot be read ({exc.strerror})") from None
        form = {"profile": job.profile_json, "policy": job.policy}
        files = {"files": (path.name, data, "application/octet-stream")}
        response = self.http.request("POST", "/v1/jobs", data=form, files=files, gate=self._no_new)
        if response.status_code in (404, 405):
            raise Fatal(f"the server does not offer POST /v1/jobs (HTTP {response.status_code}); check --server")
        if response.status_code not in (200, 201, 202):
            raise self.http.refuse(response, path.name)
        job_id = _json(response).get("id")
        if not isinstance(job_id, str) or not job_id:
            raise Refused(int(ExitCode.verification_failed), f"{path.name}: the server gave no job id")
        log.info("batch upload accepted: job=%s", job_id)
        return job_id

    def _wait(self, job_id: str) -> dict[str, Any]:
        delay = self.poll
        while True:
            response = self.http.request("GET", f"/v1/jobs/{job_id}")
            if response.status_code != 200:
                raise self.http.refuse(response, f"job {job_id}")
            status = _json(response)
            if status.get("status") in _FINAL:
                return status
            self.http.sleep(delay)
            delay = min(delay * 1.5, 4 * self.poll)

    def _fetch(self, job: FileJob, job_id: str, status: dict[str, Any], t0: float) -> FileOutcome:
        path, out_dir = Path(job.path), Path(job.out_dir)
        code, error = _file_result(status)
        names = output_names_for(path.name)
        base = f"/v1/jobs/{job_id}/files/0"
        manifest = None
        if self._download(f"{base}/manifest", out_dir / names.manifest):
            manifest = _read_json(out_dir / names.manifest)
        self._download(f"{base}/report", out_dir / names.report)
        outputs = [n for n in (names.manifest, names.report) if (out_dir / n).is_file()]
        if code == 0:
            blind = blind_name(path)
            code, error = self._fetch_blind(f"{base}/blind", out_dir / blind, manifest)
            outputs = [blind, *outputs] if code == 0 else outputs
        if code and error and not error.startswith(path.name):
            error = f"{path.name}: {error}"
        return _outcome(job, code, error, manifest, tuple(outputs), time.perf_counter() - t0)

    def _fetch_blind(self, url: str, dest: Path, manifest: dict[str, Any] | None) -> tuple[int, str | None]:
        tmp = dest.with_name(f".{dest.name}.partial")
        try:
            if not self._download(url, tmp):
                return int(ExitCode.verification_failed), "the server has no blind copy; nothing released"
            want = ((manifest or {}).get("output") or {}).get("sha256")
            if want and hashlib.sha256(tmp.read_bytes()).hexdigest() != want:
                return int(ExitCode.verification_failed), "blind copy does not match its manifest; nothing released"
            os.replace(tmp, dest)
            return 0, None
        finally:
            tmp.unlink(missing_ok=True)

    def _download(self, url: str, dest: Path) -> bool:
        """Save ``url`` to ``dest``; ``False`` when the service has no such output."""
        response = self.http.request("GET", url)
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise self.http.refuse(response, "download")
        dest.write_bytes(response.content)
        return True

    def _forget(self, job_id: str) -> None:
        with contextlib.suppress(httpx.HTTPError):
            self.http.client.delete(f"/v1/jobs/{job_id}", timeout=5.0)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _policy_names(response: httpx.Response) -> set[str] | None:
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        body = body.get("policies", body.get("items"))
    if not isinstance(body, list):
        return None
    names = {p if isinstance(p, str) else p.get("name") for p in body if isinstance(p, str | dict)}
    return {n for n in names if isinstance(n, str)} or None


def _file_result(status: dict[str, Any]) -> tuple[int, str | None]:
    """The exit code and error of the job's (only) file."""
    files = status.get("files") or [{}]
    entry = files[0] if isinstance(files[0], dict) else {}
    error = entry.get("error") if isinstance(entry.get("error"), str) else None
    code = entry.get("exit_code")
    if isinstance(code, int) and not isinstance(code, bool):
        return code, error
    if status.get("status") == "done" and entry.get("status", "done") == "done":
        return 0, None
    named = exit_code_for(0, {"error": error}) if error else int(ExitCode.verification_failed)
    return named, error or "the server reports the job failed"


def _outcome(job: FileJob, code: int, error: str | None, manifest: dict[str, Any] | None,
             outputs: tuple[str, ...], seconds: float) -> FileOutcome:
    pages = (manifest or {}).get("pages") or []
    counts = Counter(
        r.get("category") for p in pages if isinstance(p, dict) for r in p.get("regions") or []
        if isinstance(r, dict)
    )
    verdict: Verdict = NOT_VERIFIED
    if manifest:
        verdict = "passed" if code == 0 else "failed"
    return FileOutcome(
        file=job.rel, profile=job.profile_name, pages=len(pages),
        regions={str(k): v for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])) if k},
        verification=verdict, seconds=round(seconds, 2), exit_code=code,
        error=error if code else None, outputs=outputs,
    )

