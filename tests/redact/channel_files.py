"""Raster files that carry every metadata channel a real scan or phone picture can carry, each
with a planted marker string: JPEG COM/APPn (EXIF, XMP, IPTC, ICC), PNG text chunks/eXIf/
iCCP, TIFF text tags and ICC, bytes after the end. Built here, byte by byte where Pillow
cannot write a channel; ICC profiles are assembled from their tags (an sRGB one from
LittleCMS with text tags replaced, and an Adobe-RGB-like matrix/TRC profile)."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageCms, PngImagePlugin, TiffImagePlugin


def planted(channel: str) -> str:
    """The marker string planted in ``channel`` (ASCII, so it can be searched for in any
    encoding the channel uses)."""
    return f"PLANTED-{channel.upper()}-7f3a"


def encodings(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-be"), text.encode("utf-16-le")]


# -- ICC --------------------------------------------------------------------------------------
def _mluc(text: str) -> bytes:
    s = text.encode("utf-16-be")
    return b"mluc" + bytes(4) + struct.pack(">II", 1, 12) + b"enUS" + struct.pack(">II", len(s), 28) + s


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + struct.pack(">iii", *(round(v * 65536) for v in (x, y, z)))


def _curv(gamma: float) -> bytes:
    return b"curv" + bytes(4) + struct.pack(">IH", 1, round(gamma * 256)) + bytes(2)


def _tags(icc: bytes) -> dict[bytes, bytes]:
    count = struct.unpack(">I", icc[128:132])[0]
    out = {}
    for k in range(count):
        sig, off, size = struct.unpack(">4sII", icc[132 + 12 * k : 144 + 12 * k])
        out[sig] = icc[off : off + size]
    return out


def _assemble(header: bytes, tags: dict[bytes, bytes]) -> bytes:
    table = bytearray(struct.pack(">I", len(tags)))
    data = bytearray()
    start = 128 + 4 + 12 * len(tags)
    for sig, body in tags.items():
        table += struct.pack(">4sII", sig, start + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    icc = bytearray(header[:128]) + table + data
    icc[0:4] = struct.pack(">I", len(icc))
    icc[84:100] = bytes(16)  # profile ID: not computed
    return bytes(icc)


def srgb_icc_with_text(text: str) -> bytes:
    """LittleCMS's sRGB profile with ``text`` as its description and copyright."""
    base = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    tags = _tags(base)
    tags[b"desc"] = _mluc(text)
    tags[b"cprt"] = _mluc(text)
    return _assemble(base, tags)


def wide_icc_with_text(text: str, space: str = "RGB") -> bytes:
    """An Adobe-RGB-like profile (matrix + gamma 2.2), or a grey gamma-1.8 one, that is not
    sRGB: pixels under it must be converted."""
    header = bytearray(128)
    header[4:8] = b"lcms"
    header[8:12] = bytes([2, 0x10, 0, 0])
    header[12:16] = b"mntr"
    header[16:20] = b"RGB " if space == "RGB" else b"GRAY"
    header[20:24] = b"XYZ "
    header[36:40] = b"acsp"
    header[68:80] = struct.pack(">iii", *(round(v * 65536) for v in (0.9642, 1.0, 0.8249)))
    tags = {b"desc": _mluc(text), b"cprt": _mluc(text), b"wtpt": _xyz(0.9642, 1.0, 0.8249)}
    if space == "RGB":
        tags |= {
            b"rXYZ": _xyz(0.6097, 0.3111, 0.0195),
            b"gXYZ": _xyz(0.2053, 0.6257, 0.0609),
            b"bXYZ": _xyz(0.1492, 0.0632, 0.7446),
            b"rTRC": _curv(2.2),
            b"gTRC": _curv(2.2),
            b"bTRC": _curv(2.2),
        }
    else:
        tags[b"kTRC"] = _curv(1.8)
    return _assemble(bytes(header), tags)


# -- EXIF / XMP / IPTC --------------------------------------------------------------------------
def exif_with_text(text: str, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010E] = text  # ImageDescription
    exif[0x013B] = text  # Artist
    exif[0x0131] = text  # Software
    if orientation != 1:
        exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9286] = b"ASCII\x00\x00\x00" + text.encode()  # UserComment
    return exif.tobytes()


def xmp_with_text(text: str) -> bytes:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="{text}"/></rdf:RDF>'
        '</x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def iptc_app13(text: str) -> bytes:
    """A Photoshop APP13 segment payload with an IPTC By-line (2:80)."""
    value = text.encode()
    iptc = b"\x1c\x02\x50" + struct.pack(">H", len(value)) + value
    block = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    block += bytes(len(iptc) % 2)
    return b"Photoshop 3.0\x00" + block


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def insert_jpeg_segments(data: bytes, segments: list[tuple[int, bytes]]) -> bytes:
    """``data`` with extra segments right after SOI's first APP0 (or SOI)."""
    i = 2
    if data[2:4] == b"\xff\xe0":
        i += 2 + struct.unpack(">H", data[4:6])[0]
    return data[:i] + b"".join(_segment(m, p) for m, p in segments) + data[i:]


# -- PNG ----------------------------------------------------------------------------------------
def png_chunk(ctype: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + ctype + payload + struct.pack(">I", zlib.crc32(ctype + payload))


def insert_png_chunks(data: bytes, before_idat: list[bytes], after_idat: list[bytes]) -> bytes:
    """``data`` with chunks before the first IDAT and right before IEND."""
    first = data.index(b"IDAT") - 4
    iend = data.rindex(b"IEND") - 4
    return data[:first] + b"".join(before_idat) + data[first:iend] + b"".join(after_idat) + data[iend:]


def png_text_chunks(text: str) -> tuple[list[bytes], list[bytes]]:
    before = [
        png_chunk(b"tEXt", b"Author\x00" + text.encode()),
        png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(text.encode())),
        png_chunk(b"tIME", bytes([7, 234, 12, 8, 1, 2, 3])),
    ]
    after = [png_chunk(b"iTXt", b"Description\x00\x00\x00\x00\x00" + text.encode())]
    return before, after


# -- the page -----------------------------------------------------------------------------------
def colour_chart(size: int = 34) -> np.ndarray:
    """Saturated and pastel patches (the colours an ICC conversion moves most), as RGB."""
    levels = [0, 64, 128, 192, 255]
    patches = [(r, g, b) for r in levels for g in levels for b in levels][::3]
    cols = 14
    rows = -(-len(patches) // cols)
    chart = np.full((rows * size, cols * size, 3), 255, np.uint8)
    for k, rgb in enumerate(patches):
        y, x = divmod(k, cols)
        chart[y * size : (y + 1) * size, x * size : (x + 1) * size] = rgb
    return chart


def with_chart(page: Image.Image) -> Image.Image:
    """``page`` (RGB) with the colour chart pasted into its bottom-left corner."""
    out = page.convert("RGB")
    chart = Image.fromarray(colour_chart())
    out.paste(chart, (10, out.height - chart.height - 10))
    return out


def jpeg_bytes(im: Image.Image, **params: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, **params)
    return buf.getvalue()


def png_bytes(im: Image.Image, **params: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", **params)
    return buf.getvalue()


def tiff_bytes(frames: list[Image.Image], text: str, icc: bytes) -> bytes:
    """A multi-page TIFF whose every page has an ICC profile, ImageDescription, Artist,
    Software, DocumentName, PageName and XMP."""
    buf = io.BytesIO()
    infos = []
    for k in range(len(frames)):
        ifd = TiffImagePlugin.ImageFileDirectory_v2()
        for tag in (270, 315, 305, 269, 285):
            ifd[tag] = f"{text} p{k}"
        ifd[700] = xmp_with_text(text)
        infos.append(ifd)
    for frame, ifd in zip(frames[1:], infos[1:], strict=True):
        frame.encoderinfo = {"tiffinfo": ifd, "icc_profile": icc}
    frames[0].save(
        buf, "TIFF", save_all=True, append_images=frames[1:], tiffinfo=infos[0],
        icc_profile=icc, compression="tiff_deflate",
    )
    return buf.getvalue()


__all__ = [
    "PngImagePlugin",
    "colour_chart",
    "encodings",
    "exif_with_text",
    "insert_jpeg_segments",
    "insert_png_chunks",
    "iptc_app13",
    "jpeg_bytes",
    "planted",
    "png_bytes",
    "png_chunk",
    "png_text_chunks",
    "srgb_icc_with_text",
    "tiff_bytes",
    "wide_icc_with_text",
    "with_chart",
    "xmp_with_text",
]
