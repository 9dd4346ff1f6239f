"""Tell the input type from its first bytes, never from its name."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from service.errors import EmptyFileError, InputFileError, UnsupportedTypeError


class Kind(StrEnum):
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
    # PDF readers accept the header anywhere in the first 1 KiB, but a container whose first
    # member happens to be a stored PDF (ZIP, GZIP, 7z, RAR, OLE2...) is that container, not a PDF
    if b"%PDF-" in head[:1024] and not head.startswith(_FOREIGN):
        return Kind.pdf
    return None


#: signatures of other formats: a file that starts with one of these is never a PDF
_FOREIGN = (
    b"PK\x03\x04",  # ZIP, DOCX, XLSX, ODT, EPUB
    b"PK\x05\x06",  # empty ZIP
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE2: DOC, XLS, MSG
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"RIFF",
)


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
