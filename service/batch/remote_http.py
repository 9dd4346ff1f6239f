"""HTTP plumbing of ``--server`` mode: requests with retries, and HTTP answers → exit codes.

* 429 is retried after ``Retry-After`` (seconds or an HTTP date; 1 s when absent, at most 60 s
  at a time) for as long as the run is not stopped: the service's queue is full, not broken.
* Connection failures and 502/503/504 are retried a few times with growing pauses.
* 401/403 (and a service that does not offer the API at all) make the whole run stop: no file
  could succeed. Exit code 2: the ``--server``/``--token`` arguments are wrong.
* Any other refusal becomes the file's exit code: named in the answer's JSON when the service
  says so (``exit_code``, or an error named as in DESIGN §1.1), else found by the HTTP status
  in :mod:`service.errors` — the one table of statuses, read backwards.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections import Counter
from typing import Any

import httpx

from service.errors import ExitCode, MangshenError

_RETRIES = 5
_MAX_WAIT = 60.0


class Fatal(Exception):
    """No file can succeed against this server (bad token, wrong address, unreachable)."""


class Refused(Exception):
    """The service refused or failed this file."""

    def __init__(self, exit_code: int, message: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.message = message


class Stopped(Exception):
    """The run was stopped while waiting."""


def retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 1.0
    try:
        seconds = float(value)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        seconds = when.timestamp() - time.time() if when else 1.0
    return min(max(seconds, 0.0), _MAX_WAIT)


def _subclasses(cls: type[MangshenError]) -> list[type[MangshenError]]:
    out: list[type[MangshenError]] = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def exit_code_for(status: int, body: Any = None) -> int:
    """The exit code of a refused file, from the service's answer."""
    named = _named_code(body)
    if named is not None:
        return named
    codes = [int(c.exit_code) for c in _subclasses(MangshenError) if c.http_status == status]
    if codes:
        return Counter(codes).most_common(1)[0][0]  # ties: the first in the tree
    return int(ExitCode.verification_failed)  # unknown trouble: nothing was released


def _named_code(body: Any) -> int | None:
    if isinstance(body, dict):
        for key in ("exit_code", "error", "code", "detail"):
            code = _as_code(body.get(key))
            if code is not None:
                return code
    return None


def _as_code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value in ExitCode._value2member_map_:
        return value
    if isinstance(value, str):
        head = value.split(":", 1)[0].strip()
        if head in ExitCode.__members__:
            return int(ExitCode[head])
    if isinstance(value, dict):
        return _named_code(value)
    return None


def message_of(response: httpx.Response) -> str:
    """A short reason from the answer (the service's messages hold no document text)."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    detail = body.get("detail") or body.get("error") if isinstance(body, dict) else None
    if isinstance(detail, str) and detail:
        return f"HTTP {response.status_code}: {detail[:300]}"
    return f"HTTP {response.status_code}"


class Http:
    """An ``httpx.Client`` with the retry rules above; ``stop`` ends every wait."""

    def __init__(self, client: httpx.Client, stop: threading.Event) -> None:
        self.client = client
        self.stop = stop

    def request(self, method: str, url: str, *, gate: threading.Event | None = None,
                **kwargs: Any) -> httpx.Response:
        """Send with the retry rules; ``gate`` (when set) also ends the waits — an upload that
        has not been accepted yet stops at the first Ctrl-C, a running job only at the second."""
        failures = 0
        while True:
            self._check(gate)
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                failures += 1
                if failures > _RETRIES:
                    raise Fatal(f"cannot reach the server ({type(exc).__name__})") from None
                self.sleep(min(2.0 ** failures, 8.0), gate)
                continue
            if response.status_code == 429:
                self.sleep(retry_after(response), gate)
                continue
            if response.status_code in (502, 503, 504) and failures < _RETRIES:
                failures += 1
                self.sleep(min(2.0 ** failures, 8.0), gate)
                continue
            if response.status_code in (401, 403):
                raise Fatal(f"the server refused the token (HTTP {response.status_code}); check --token")
            return response

    def sleep(self, seconds: float, gate: threading.Event | None = None) -> None:
        deadline = time.monotonic() + seconds
        while True:
            self._check(gate)
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.stop.wait(min(left, 0.1))

    def _check(self, gate: threading.Event | None) -> None:
        if self.stop.is_set() or (gate is not None and gate.is_set()):
            raise Stopped

    def refuse(self, response: httpx.Response, what: str) -> Refused:
        try:
            body = response.json()
        except ValueError:
            body = None
        return Refused(exit_code_for(response.status_code, body), f"{what}: {message_of(response)}")
