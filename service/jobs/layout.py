"""Where a job's files live in the data directory. Client file names never become paths.

::

    <data>/jobs/<job id>/profile.json           the applicant's profile (deleted with the job)
    <data>/jobs/<job id>/in/<index>.<ext>       the originals (ext from the sniffed type)
    <data>/jobs/<job id>/out/<index>/analysis.pickle   the final page analyses (for revisions)
    <data>/jobs/<job id>/out/<index>/r<rev>/    blind copy, manifest, report of one revision
    <data>/jobs/<job id>/out/<index>/r<rev>/changes.json   an auditor's requested changes

Job ids are generated here (``uuid4().hex``) and checked before any path is built from one.
Writes that must survive a crash go through :func:`write_durably` (temp file, fsync, rename,
fsync of the folder).
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
import uuid
from pathlib import Path

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
#: longest display name kept (characters)
MAX_NAME = 120


def new_job_id() -> str:
    return uuid.uuid4().hex


def valid_job_id(job_id: str) -> bool:
    return bool(_JOB_ID.match(job_id))


class JobPaths:
    def __init__(self, jobs_dir: Path, job_id: str) -> None:
        if not valid_job_id(job_id):
            raise ValueError("not a job id")
        self.root = jobs_dir / job_id

    @property
    def profile(self) -> Path:
        return self.root / "profile.json"

    @property
    def inputs(self) -> Path:
        return self.root / "in"

    def original(self, index: int, ext: str) -> Path:
        return self.inputs / f"{int(index)}.{ext}"

    def file_dir(self, index: int) -> Path:
        return self.root / "out" / str(int(index))

    def analysis(self, index: int) -> Path:
        return self.file_dir(index) / "analysis.pickle"

    def revision_dir(self, index: int, revision: int) -> Path:
        return self.file_dir(index) / f"r{int(revision)}"

    def changes(self, index: int, revision: int) -> Path:
        return self.revision_dir(index, revision) / "changes.json"

    def delete(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that after a crash it is either whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    fsync_dir(path.parent)


def display_name(raw: str | None, index: int) -> str:
    """A client's file name reduced to harmless metadata: the last path component, NFC, no
    control or format characters, at most ``MAX_NAME`` characters."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_NAME - len(ext) - 1 if dot and len(ext) <= 8 else MAX_NAME
        name = (stem[:keep] + "." + ext) if dot and len(ext) <= 8 else name[:MAX_NAME]
    return name or f"file{index}"
