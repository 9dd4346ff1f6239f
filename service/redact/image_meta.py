"""Metadata channels of raster files: what an input carries, and the allow-list a blind copy
must satisfy.

Blind copies are written fresh (``service.redact.apply``): pixels plus the structure a
decoder needs, nothing copied from the input's headers. The one piece of metadata carried
over is the EXIF ``Orientation`` tag when it is not 1 — viewers turn the picture by it, so
dropping it would change what the reader sees (the pipeline reads and masks the stored
pixel layout; DESIGN: "EXIF orientation noted, never applied to the output"). It is written
as a minimal EXIF block built here (one IFD0 entry, no other IFD, no thumbnail), and the
verifier accepts an EXIF block only when it is byte-identical to one of these.

Allow-lists (anything else is a problem the verifier reports, and the copy is not released):

* JPEG: SOI, SOFn, DHT, DAC, DQT, DRI, SOS + entropy-coded data with RSTn, EOI; APP0 only as
  a plain JFIF header (no thumbnail); APP14 only as an Adobe colour-transform marker; APP1
  only as the minimal orientation EXIF. No COM, no other APPn, no bytes after EOI.
* PNG: IHDR, PLTE, tRNS, pHYs, IDAT, IEND, and eXIf only as the minimal orientation EXIF;
  no bytes after IEND. (No tEXt/zTXt/iTXt, iCCP, tIME, private chunks...)
* TIFF: structural tags only (``TIFF_STRUCTURAL``), checked in every IFD.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from PIL import Image

from service.ingest.sniff import Kind

ORIENTATION = 0x0112
_EXIF_HEADER = b"Exif\x00\x00"

#: TIFF tags that only describe the pixels (anything else — ImageDescription, Artist, Software,
#: DateTime, EXIF/GPS/XMP/IPTC/Photoshop blocks, ICC, DocumentName, PageName — is metadata)
TIFF_STRUCTURAL = frozenset({
    254, 255, 256, 257, 258, 259, 262, 266, 273, 274, 277, 278, 279, 280, 281, 282, 283, 284,
    286, 287, 296, 297, 317, 318, 319, 320, 322, 323, 324, 325, 338, 339, 340, 341, 532,
})
#: TIFF metadata tags with a channel name of their own (the rest are "tiff_tags")
_TIFF_CHANNELS = {34675: "icc_profile", 700: "xmp", 33723: "iptc", 34377: "iptc", 34665: "exif", 34853: "exif"}


def orientation_exif(value: int) -> bytes:
    """A minimal EXIF block (with its ``Exif\\0\\0`` header) holding only ``Orientation``."""
    ifd = struct.pack(">H", 1) + struct.pack(">HHIHH", ORIENTATION, 3, 1, value, 0) + struct.pack(">I", 0)
    return _EXIF_HEADER + b"MM\x00*" + struct.pack(">I", 8) + ifd


_ORIENTATION_BLOCKS = frozenset(orientation_exif(v) for v in range(2, 9))


def orientation(im: Image.Image) -> int:
    """The current frame's EXIF/TIFF orientation (1 when absent or invalid)."""
    try:
        tag = getattr(im, "tag_v2", None)
        value = tag.get(274, 1) if tag is not None else im.getexif().get(ORIENTATION, 1)
        value = int(value)
    except Exception:
        return 1
    return value if 1 <= value <= 8 else 1


# -- JPEG -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Segment:
    marker: int
    payload: bytes


def jpeg_segments(data: bytes) -> tuple[list[Segment], int]:
    """Every marker segment of a JPEG (entropy-coded data skipped) and the count of bytes
    after EOI (-1 when there is no EOI or the structure is broken)."""
    segs: list[Segment] = []
    i, n = 2, len(data)
    if not data.startswith(b"\xff\xd8"):
        return segs, -1
    while i + 1 < n:
        if data[i] != 0xFF:
            return segs, -1
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:
            return segs, n - (i + 2)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            segs.append(Segment(marker, b""))
            i += 2
            continue
        if i + 4 > n:
            return segs, -1
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2 or i + 2 + length > n:
            return segs, -1
        segs.append(Segment(marker, data[i + 4 : i + 2 + length]))
        i += 2 + length
        if marker == 0xDA:
            i = _after_entropy_data(data, i)
    return segs, -1


def _after_entropy_data(data: bytes, i: int) -> int:
    """The position of the first marker after a scan's entropy-coded data (RSTn stay in)."""
    n = len(data)
    while True:
        j = data.find(b"\xff", i)
        if j < 0 or j + 1 >= n:
            return n
        nxt = data[j + 1]
        if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
            i = j + 1 if nxt == 0xFF else j + 2
            continue
        return j


_JPEG_STRUCTURE = frozenset({0xC4, 0xCC, 0xDB, 0xDD, 0xDA, *range(0xD0, 0xD8)}) | (
    frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
)


def _jfif_plain(p: bytes) -> bool:
    return p.startswith(b"JFIF\x00") and len(p) == 14 and p[12] == 0 and p[13] == 0


def _adobe(p: bytes) -> bool:
    return p.startswith(b"Adobe") and len(p) == 12


def jpeg_problems(data: bytes) -> list[str]:
    segs, trailing = jpeg_segments(data)
    problems: set[str] = set()
    for s in segs:
        m = s.marker
        if m in _JPEG_STRUCTURE:
            continue
        if (m == 0xE0 and _jfif_plain(s.payload)) or (m == 0xEE and _adobe(s.payload)):
            continue
        if m == 0xE1 and s.payload in _ORIENTATION_BLOCKS:
            continue
        problems.add(_jpeg_channel(s) + " left")
    if trailing:
        problems.add("bytes after the end of the JPEG image" if trailing > 0 else "JPEG structure unreadable")
    return sorted(problems)


def _jpeg_channel(s: Segment) -> str:
    m, p = s.marker, s.payload
    if m == 0xFE:
        return "comment"
    if m == 0xE1:
        return "exif" if p.startswith(_EXIF_HEADER) else "xmp" if b"adobe" in p[:40].lower() else "app1_segment"
    if m == 0xE2 and p.startswith(b"ICC_PROFILE"):
        return "icc_profile"
    if m == 0xED:
        return "iptc"
    if m == 0xE0:
        return "jfif_extension"
    return f"app{m - 0xE0}_segment" if 0xE0 <= m <= 0xEF else f"marker_{m:02x}"


# -- PNG --------------------------------------------------------------------------------------
_PNG_SIG = b"\x89PNG\r\n\x1a\n"
_PNG_STRUCTURE = frozenset({b"IHDR", b"PLTE", b"tRNS", b"pHYs", b"IDAT", b"IEND"})
_PNG_CHANNELS = {b"tEXt": "text_chunks", b"zTXt": "text_chunks", b"iTXt": "text_chunks",
                 b"eXIf": "exif", b"iCCP": "icc_profile", b"tIME": "time", b"gAMA": "gamma",
                 b"cHRM": "chromaticities", b"sRGB": "srgb_intent"}


def png_chunks(data: bytes) -> tuple[list[tuple[bytes, bytes]], int]:
    """Every chunk (type, payload) and the count of bytes after IEND (-1 when broken)."""
    chunks: list[tuple[bytes, bytes]] = []
    if not data.startswith(_PNG_SIG):
        return chunks, -1
    i, n = len(_PNG_SIG), len(data)
    while i + 8 <= n:
        length = int.from_bytes(data[i : i + 4], "big")
        ctype = data[i + 4 : i + 8]
        if i + 12 + length > n:
            return chunks, -1
        chunks.append((ctype, data[i + 8 : i + 8 + length]))
        i += 12 + length
        if ctype == b"IEND":
            return chunks, n - i
    return chunks, -1


def png_problems(data: bytes) -> list[str]:
    chunks, trailing = png_chunks(data)
    problems: set[str] = set()
    for ctype, payload in chunks:
        if ctype in _PNG_STRUCTURE:
            continue
        if ctype == b"eXIf" and _EXIF_HEADER + payload in _ORIENTATION_BLOCKS:
            continue
        problems.add(_PNG_CHANNELS.get(ctype, "other_chunks") + " left")
    if trailing:
        problems.add("bytes after the end of the PNG image" if trailing > 0 else "PNG structure unreadable")
    return sorted(problems)


# -- TIFF -------------------------------------------------------------------------------------
def tiff_metadata_tags(im: Image.Image) -> set[int]:
    extra: set[int] = set()
    for i in range(getattr(im, "n_frames", 1)):
        im.seek(i)
        extra |= {int(tag) for tag in getattr(im, "tag_v2", {})} - TIFF_STRUCTURAL
    im.seek(0)
    return extra


# -- what an input carries ----------------------------------------------------------------------
def channels(data: bytes, im: Image.Image, kind: Kind) -> tuple[str, ...]:
    """The metadata channels an input carries (names only, never their content)."""
    found: set[str] = set()
    if kind is Kind.jpeg:
        segs, trailing = jpeg_segments(data)
        for s in segs:
            if s.marker in _JPEG_STRUCTURE or (s.marker == 0xE0 and _jfif_plain(s.payload)):
                continue
            if s.marker == 0xEE and _adobe(s.payload):
                continue
            found.add(_jpeg_channel(s))
        if trailing > 0:
            found.add("trailing_bytes")
    elif kind is Kind.png:
        chunks, trailing = png_chunks(data)
        found |= {_PNG_CHANNELS.get(t, "other_chunks") for t, _ in chunks if t not in _PNG_STRUCTURE}
        if trailing > 0:
            found.add("trailing_bytes")
    elif kind is Kind.tiff:
        found |= {_TIFF_CHANNELS.get(t, "tiff_tags") for t in tiff_metadata_tags(im)}
    return tuple(sorted(found))
