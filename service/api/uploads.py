"""Store an upload durably and describe it, refusing bad input at the door.

Each file is sniffed by its first bytes (415 for anything but PDF/JPEG/PNG/TIFF), checked
against ``MANGSHEN_MAX_FILE_MB`` (413), written as ``in/<index>.<ext>`` with fsync, then
opened as the pipeline will open it (``open_source``: encrypted 422, corrupt 422, too many
pages or pixels 413) so that a job only enters the queue when its files can be worked on, and
its page count is known for progress. The client's file name is kept as sanitised metadata.

Errors name the file by its index (``files[1]``), never by the client's name.
"""

from __future__ import annotations

import hashlib
import os
from typing import BinaryIO

from service.config import Limits
from service.errors import EmptyFileError, LimitExceededError, MangshenError, UnsupportedTypeError
from service.ingest.document import open_source
from service.ingest.sniff import sniff_bytes
from service.jobs.layout import JobPaths, display_name, fsync_dir, write_durably
from service.jobs.models import NewFile
from service.profile import Profile

CHUNK = 1 << 20


def store_files(
    paths: JobPaths, files: list[tuple[str | None, BinaryIO]], profile: Profile, limits: Limits
) -> list[NewFile]:
    """Write every file and the profile under ``paths``; on any error nothing stays on disk."""
    try:
        paths.inputs.mkdir(parents=True, exist_ok=False)
        out = [_store_one(paths, i, name, fh, limits) for i, (name, fh) in enumerate(files)]
        if not profile.is_empty:
            write_durably(paths.profile, profile.model_dump_json().encode("utf-8"))
        fsync_dir(paths.root)
        fsync_dir(paths.root.parent)
        return out
    except BaseException:
        paths.delete()
        raise


def _store_one(paths: JobPaths, index: int, name: str | None, fh: BinaryIO, limits: Limits) -> NewFile:
    head = fh.read(1024)
    kind = sniff_bytes(head)
    if not head:
        raise EmptyFileError(f"files[{index}]: the file is empty (0 bytes)")
    if kind is None:
        raise UnsupportedTypeError(f"files[{index}]: unsupported file type; upload a PDF, JPEG, PNG or TIFF")
    target = paths.original(index, kind.ext)
    digest = hashlib.sha256()
    size = 0
    tmp = target.with_name(f".{target.name}.partial")
    with tmp.open("wb") as out:
        block = head
        while block:
            size += len(block)
            if size > limits.max_file_bytes:
                raise LimitExceededError(
                    f"files[{index}]: over the {limits.max_file_bytes >> 20} MB file limit (MANGSHEN_MAX_FILE_MB)"
                )
            digest.update(block)
            out.write(block)
            block = fh.read(CHUNK)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(target)
    fsync_dir(target.parent)
    try:
        src = open_source(target, limits)
    except MangshenError as exc:
        raise type(exc)(f"files[{index}]: {str(exc).removeprefix(target.name + ': ')}") from None
    return NewFile(
        index=index, name=display_name(name, index), kind=kind.ext, size=size,
        sha256=digest.hexdigest(), pages=len(src.pages),
    )
