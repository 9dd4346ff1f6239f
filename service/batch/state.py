"""The resume state: which inputs are done, keyed by content, in ``OUT_DIR/.mangshen-batch.jsonl``.

One JSON line is appended (and flushed to disk) per finished file, so a run stopped at any
moment — Ctrl-C, a crash, a power cut — keeps everything that finished before it; a torn last
line is ignored. A line holds the file's relative path, its key and its outcome (counts and
hashes, no document text).

The key is the sha256 over the input's content, the profile (canonical JSON), the policy
(resolved content for a local run, its name for a server run) and the mangshen version: a file
is skipped by ``--resume`` only when all of these are unchanged, it succeeded and its outputs
are still there. Failures are always run again (a fixed installation may now succeed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from pydantic import BaseModel, ValidationError

from service.batch.models import FileJob, FileOutcome

STATE_NAME = ".mangshen-batch.jsonl"
_KEY_VERSION = "mangshen-batch-1"


class StateEntry(BaseModel):
    file: str
    key: str
    outcome: FileOutcome


def file_sha256(path: Path) -> str:
    """The input's content hash ("" when it cannot be read: the run then reports why)."""
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


def job_key(input_sha256: str, profile_json: str, policy_id: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("mangshen")
    except PackageNotFoundError:
        ours = "dev"
    parts = (_KEY_VERSION, ours, input_sha256, profile_json, policy_id)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class State:
    """Read the earlier entries (``resume``) and append new ones as files finish."""

    def __init__(self, out_dir: Path, resume: bool) -> None:
        self.path = out_dir / STATE_NAME
        self._entries: dict[str, StateEntry] = self._read() if resume else {}
        out_dir.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a" if resume else "w", encoding="utf-8")

    def _read(self) -> dict[str, StateEntry]:
        entries: dict[str, StateEntry] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return entries
        for line in lines:
            try:
                entry = StateEntry.model_validate(json.loads(line))
            except (ValueError, ValidationError):
                continue  # a torn or foreign line
            entries[entry.file] = entry  # the latest line for a file wins
        return entries

    def done(self, job: FileJob) -> FileOutcome | None:
        """The earlier outcome when ``job`` can be skipped, else ``None``."""
        entry = self._entries.get(job.rel)
        if entry is None or not job.key or entry.key != job.key or not entry.outcome.ok:
            return None
        out_dir = Path(job.out_dir)
        outputs = entry.outcome.outputs
        if not outputs or not all((out_dir / n).is_file() for n in outputs):
            return None
        return entry.outcome.model_copy(update={"resumed": True})

    def record(self, job: FileJob, outcome: FileOutcome) -> None:
        entry = StateEntry(file=job.rel, key=job.key, outcome=outcome)
        self._fh.write(entry.model_dump_json() + "\n")
        self._fh.flush()
        with contextlib.suppress(OSError):
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()
