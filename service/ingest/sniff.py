"""Tell the input type from its first bytes, never from its name."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from service.errors import EmptyFileError, InputFileError, UnsupportedTypeError


class Kind(str, Enum):
    pdf = "pdf"
    jpeg = "jpeg"
    png = "png"
    tiff = "tiff"

    @property
    def ext(self) -> str:
        return {"pdf": "pdf", "jpeg": "jpg", "png": "png", "tiff": "tif"}[self.value]


def sniff_bytes(head: bytes) -> Kind | None:
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.jpeg
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.png
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Kind.tiff
    # PDF readers accept the header anywhere in the first 1 KiB
    if b"%PDF-" in head[:1024]:
        return Kind.pdf
    return None


def sniff(path: Path) -> Kind:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except FileNotFoundError:
        raise InputFileError(f"{path.name}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path.name}: is a directory, not a file") from None
    except OSError as exc:
        raise InputFileError(f"{path.name}: cannot be read ({exc.strerror})") from None
    if size == 0:
        raise EmptyFileError(f"{path.name}: the file is empty (0 bytes)")
    kind = sniff_bytes(head)
    if kind is None:
        raise UnsupportedTypeError(
            f"{path.name}: unsupported file type; upload a PDF, JPEG, PNG or TIFF"
        )
    return kind
