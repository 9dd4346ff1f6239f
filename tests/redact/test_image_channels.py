"""Raster writer and verifier, without OCR: every metadata channel is left out of the blind
copy, colours are kept (converted when an ICC profile says so), JPEG blocks no mask reaches
stay bit-exact, and verification still refuses a file that keeps any channel."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from service.config import Limits
from service.ingest.sniff import Kind
from service.redact import image_meta
from service.redact.apply import apply_image
from service.redact.jpeg_dct import mask_jpeg
from service.redact.verify import JPEG_BLACK, _mask_array, check_image_page, image_metadata_problems
from service.types import BBox
from tests.redact import channel_files as cf

MASKS = [BBox(101.3, 40.7, 233.2, 71.1), BBox(300, 200, 317, 209)]


def _page(w: int = 480, h: int = 360) -> Image.Image:
    rng = np.random.default_rng(7)
    arr = np.full((h, w, 3), 250, np.uint8)
    for y in range(20, h - 150, 18):  # lines of "text"
        arr[y : y + 8, 20 : w - 20] = rng.integers(0, 90, (8, w - 40, 1), dtype=np.uint8)
    arr[60:100, 300:420] = (200, 30, 40)  # a red stamp
    return cf.with_chart(Image.fromarray(arr))


def _rgb(path: Path | io.BytesIO) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).astype(np.int16)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _no_planted(data: bytes, channels: list[str]) -> None:
    for ch in channels:
        for enc in cf.encodings(cf.planted(ch)):
            assert enc not in data, ch


# -- JPEG in the DCT domain -------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [{}, {"progressive": True}, {"subsampling": 1}, {"subsampling": 0}, {"grey": True},
     {"keep_rgb": True, "subsampling": 0}],
    ids=["420", "progressive", "422", "444", "grey", "adobe-rgb"],
)
def test_dct_mask_keeps_every_untouched_block(tmp_path: Path, params: dict) -> None:
    page = _page()
    if params.pop("grey", False):
        page = page.convert("L")
    if not params.get("keep_rgb"):  # (with a density, Pillow adds a JFIF header: see below)
        params["dpi"] = (150, 150)
    src = _write(tmp_path, "in.jpg", cf.jpeg_bytes(page, **params))
    out = tmp_path / "out.jpg"
    assert mask_jpeg(src, MASKS, out)
    with Image.open(src) as a, Image.open(out) as b:
        assert b.info.get("dpi") == a.info.get("dpi")  # (150, 150) wherever JFIF holds it
    a, b = _rgb(src), _rgb(out)
    # outside the blocks a mask reaches (16 px: a 4:2:0 chroma block) nothing changed at all
    far = ~_mask_array(a.shape[:2], MASKS, 1.0, grow=16)
    assert np.array_equal(a[far], b[far])
    inside = _mask_array(a.shape[:2], MASKS, 1.0, grow=-1)
    assert int(b[inside].max()) <= JPEG_BLACK
    assert image_meta.jpeg_problems(out.read_bytes()) == []


def test_dct_mask_refuses_rgb_labelled_both_ways(tmp_path: Path) -> None:
    """JFIF (YCbCr) and Adobe transform 0 (RGB) in one file: decoders disagree, so the file is
    re-encoded from the pixels Pillow shows."""
    src = _write(tmp_path, "in.jpg", cf.jpeg_bytes(_page(), dpi=(150, 150), keep_rgb=True, subsampling=0))
    out = tmp_path / "out.jpg"
    assert not mask_jpeg(src, MASKS, out)
    assert apply_image(src, Kind.jpeg, {0: MASKS}, out, Limits()).record.jpeg_write == "pixels"
    check = check_image_page(src, out, Kind.jpeg, 0, MASKS, Limits())
    assert check.changed_pixels == 0 and check.unpainted_pixels == 0


def test_dct_mask_refuses_cmyk(tmp_path: Path) -> None:
    src = _write(tmp_path, "in.jpg", cf.jpeg_bytes(_page().convert("CMYK")))
    assert not mask_jpeg(src, MASKS, tmp_path / "out.jpg")
    assert not (tmp_path / "out.jpg").exists()


# -- the writer: every channel out, colours kept -------------------------------------------------
def _jpeg_all_channels(icc: bytes, orientation: int = 1) -> bytes:
    data = cf.jpeg_bytes(
        _page(), comment=cf.planted("com").encode(), icc_profile=icc,
        exif=cf.exif_with_text(cf.planted("exif"), orientation), xmp=cf.xmp_with_text(cf.planted("xmp")),
    )
    data = cf.insert_jpeg_segments(data, [
        (0xFE, cf.planted("com2").encode()),
        (0xED, cf.iptc_app13(cf.planted("iptc"))),
        (0xEC, b"Ducky\x00" + cf.planted("app12").encode()),
    ])
    return data + cf.planted("tail").encode()


JPEG_CHANNELS = ["com", "com2", "exif", "xmp", "iptc", "app12", "tail", "icc"]


def test_jpeg_with_every_channel_and_an_srgb_profile(tmp_path: Path) -> None:
    src = _write(tmp_path, "in.jpg", _jpeg_all_channels(cf.srgb_icc_with_text(cf.planted("icc"))))
    out = tmp_path / "out.jpg"
    written = apply_image(src, Kind.jpeg, {0: MASKS}, out, Limits())
    assert written.record.jpeg_write == "dct"
    assert written.record.icc_profile == ("srgb",)
    assert {"comment", "exif", "xmp", "iptc", "icc_profile", "app12_segment", "trailing_bytes"} <= set(
        written.record.removed
    )
    _no_planted(out.read_bytes(), JPEG_CHANNELS)
    assert image_metadata_problems(out, Kind.jpeg) == []
    check = check_image_page(src, out, Kind.jpeg, 0, MASKS, Limits(), jpeg_exact=True)
    assert check.changed_pixels == 0 and check.unpainted_pixels == 0
    a, b = _rgb(src), _rgb(out)
    far = ~_mask_array(a.shape[:2], MASKS, 1.0, grow=16)
    assert np.array_equal(a[far], b[far])  # an sRGB profile is dropped, pixels kept as stored


def _srgb_of(data: bytes, icc: bytes) -> np.ndarray:
    """The original's colours in sRGB, converted here independently of the service."""
    with Image.open(io.BytesIO(data)) as im:
        rgb = ImageCms.profileToProfile(
            im.convert("L" if im.mode == "L" else "RGB"), io.BytesIO(icc), ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
        assert rgb is not None
        return np.asarray(rgb).astype(np.int16)


#: a converted JPEG is re-encoded (quality 95, 4:4:4): measured mean 0.9, 99.9th percentile 9,
#: max 25 levels (4 pixels at the edges of saturated chart patches)
JPEG_CONVERTED_MEAN, JPEG_CONVERTED_P999, JPEG_CONVERTED_MAX = 1.5, 12, 32


def test_jpeg_with_a_wide_gamut_profile_is_converted(tmp_path: Path) -> None:
    icc = cf.wide_icc_with_text(cf.planted("icc"))
    data = _jpeg_all_channels(icc)
    src = _write(tmp_path, "in.jpg", data)
    out = tmp_path / "out.jpg"
    written = apply_image(src, Kind.jpeg, {0: MASKS}, out, Limits())
    assert written.record.icc_profile == ("converted",)
    assert any("converted to sRGB" in w for w in written.warnings)
    _no_planted(out.read_bytes(), JPEG_CHANNELS)
    assert image_metadata_problems(out, Kind.jpeg) == []
    expect, got = _srgb_of(data, icc), _rgb(out)
    assert np.abs(expect - _rgb(src)).max() > 20  # the profile matters: colours move
    far = ~_mask_array(got.shape[:2], MASKS, 1.0, grow=16)
    diff = np.abs(expect - got).max(axis=2)[far]
    assert diff.mean() <= JPEG_CONVERTED_MEAN and diff.max() <= JPEG_CONVERTED_MAX
    assert np.percentile(diff, 99.9) <= JPEG_CONVERTED_P999
    assert check_image_page(src, out, Kind.jpeg, 0, MASKS, Limits()).changed_pixels == 0


def test_jpeg_orientation_is_kept_alone(tmp_path: Path) -> None:
    src = _write(tmp_path, "in.jpg", _jpeg_all_channels(b"", orientation=6))
    out = tmp_path / "out.jpg"
    written = apply_image(src, Kind.jpeg, {0: MASKS}, out, Limits())
    assert written.record.kept == ("exif_orientation",)
    with Image.open(out) as b, Image.open(src) as a:
        assert dict(b.getexif()) == {image_meta.ORIENTATION: 6}
        assert b.size == a.size  # stored layout kept; the viewer turns both alike
    assert image_metadata_problems(out, Kind.jpeg) == []
    _no_planted(out.read_bytes(), JPEG_CHANNELS)


PNG_CHANNELS = ["text", "exif", "icc", "tail"]


def _png_all_channels(im: Image.Image, icc: bytes, **params: object) -> bytes:
    data = cf.png_bytes(im, icc_profile=icc, exif=cf.exif_with_text(cf.planted("exif")), **params)
    before, after = cf.png_text_chunks(cf.planted("text"))
    return cf.insert_png_chunks(data, before, after) + cf.planted("tail").encode()


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "L"])
def test_png_with_every_channel_and_a_profile_is_converted(tmp_path: Path, mode: str) -> None:
    page = _page()
    page = page.quantize(64) if mode == "P" else page.convert(mode)
    icc = cf.wide_icc_with_text(cf.planted("icc"), "GRAY" if mode == "L" else "RGB")
    data = _png_all_channels(page, icc)
    src = _write(tmp_path, "in.png", data)
    out = tmp_path / "out.png"
    written = apply_image(src, Kind.png, {0: MASKS}, out, Limits())
    assert written.record.icc_profile == ("converted",)
    assert {"text_chunks", "exif", "icc_profile", "time", "trailing_bytes"} <= set(written.record.removed)
    _no_planted(out.read_bytes(), PNG_CHANNELS)
    assert image_metadata_problems(out, Kind.png) == []
    with Image.open(out) as b:
        assert b.mode == mode and b.size == page.size
    expect, got = _srgb_of(data, icc), _rgb(out)
    outside = ~_mask_array(got.shape[:2], MASKS, 1.0, grow=0)
    assert np.abs(expect - got).max(axis=2)[outside].max() <= 1  # lossless: LittleCMS rounding
    assert check_image_page(src, out, Kind.png, 0, MASKS, Limits()).changed_pixels == 0


def test_sixteen_bit_png_keeps_its_values(tmp_path: Path) -> None:
    grey = np.asarray(_page().convert("L")).astype(np.uint16) * 257
    page = Image.fromarray(grey)
    data = _png_all_channels(page, cf.wide_icc_with_text(cf.planted("icc"), "GRAY"))
    src = _write(tmp_path, "in.png", data)
    out = tmp_path / "out.png"
    written = apply_image(src, Kind.png, {0: MASKS}, out, Limits())
    _no_planted(out.read_bytes(), PNG_CHANNELS)
    assert image_metadata_problems(out, Kind.png) == []
    assert written.record.icc_profile == ("dropped",)
    with Image.open(src) as a, Image.open(out) as b:
        assert a.mode == b.mode
        av, bv = np.asarray(a), np.asarray(b)
    outside = ~_mask_array(av.shape[:2], MASKS, 1.0, grow=0)
    assert np.array_equal(av[outside], bv[outside])


def test_multipage_tiff_with_profiles_and_text_tags(tmp_path: Path) -> None:
    frames = [_page(), _page().transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    icc = cf.srgb_icc_with_text(cf.planted("icc"))
    src = _write(tmp_path, "in.tif", cf.tiff_bytes(frames, cf.planted("tag"), icc))
    out = tmp_path / "out.tif"
    written = apply_image(src, Kind.tiff, {0: MASKS, 1: MASKS[:1]}, out, Limits())
    assert {"icc_profile", "xmp", "tiff_tags"} <= set(written.record.removed)
    assert written.record.icc_profile == ("srgb", "srgb")
    _no_planted(out.read_bytes(), ["tag", "icc"])
    assert image_metadata_problems(out, Kind.tiff) == []
    for i, masks in enumerate((MASKS, MASKS[:1])):
        assert check_image_page(src, out, Kind.tiff, i, masks, Limits()).changed_pixels == 0


# -- verification stays strict --------------------------------------------------------------------
def _blind_jpeg(**params: object) -> bytes:
    return cf.jpeg_bytes(_page(), **params)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_blind_jpeg(comment=b"x"), "comment left"),
        (cf.insert_jpeg_segments(_blind_jpeg(), [(0xFE, b"a"), (0xFE, b"b")]), "comment left"),
        (_blind_jpeg(exif=cf.exif_with_text("x")), "exif left"),
        (_blind_jpeg(exif=cf.exif_with_text("x", orientation=6)), "exif left"),
        (_blind_jpeg(xmp=cf.xmp_with_text("x")), "xmp left"),
        (cf.insert_jpeg_segments(_blind_jpeg(), [(0xED, cf.iptc_app13("x"))]), "iptc left"),
        (_blind_jpeg(icc_profile=cf.srgb_icc_with_text("x")), "icc_profile left"),
        (cf.insert_jpeg_segments(_blind_jpeg(), [(0xE5, b"private")]), "app5_segment left"),
        (_blind_jpeg() + b"tail", "bytes after the end of the JPEG image"),
    ],
    ids=["com", "com-many", "exif", "exif-orientation-plus", "xmp", "iptc", "icc", "app5", "tail"],
)
def test_verification_refuses_a_jpeg_channel_left(tmp_path: Path, data: bytes, problem: str) -> None:
    path = _write(tmp_path, "blind.jpg", data)
    assert problem in image_metadata_problems(path, Kind.jpeg)


def test_verification_accepts_only_the_bare_orientation(tmp_path: Path) -> None:
    path = _write(tmp_path, "blind.jpg", _blind_jpeg(exif=image_meta.orientation_exif(6)))
    assert image_metadata_problems(path, Kind.jpeg) == []


def _blind_png(before: list[bytes] = (), after: list[bytes] = (), **params: object) -> bytes:  # type: ignore[assignment]
    return cf.insert_png_chunks(cf.png_bytes(_page(), **params), list(before), list(after))


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_blind_png([cf.png_chunk(b"tEXt", b"k\x00v")]), "text_chunks left"),
        (_blind_png([], [cf.png_chunk(b"iTXt", b"k\x00\x00\x00\x00\x00v")]), "text_chunks left"),
        (_blind_png(icc_profile=cf.srgb_icc_with_text("x")), "icc_profile left"),
        (_blind_png(exif=cf.exif_with_text("x")), "exif left"),
        (_blind_png([cf.png_chunk(b"prVt", b"x")]), "other_chunks left"),
        (_blind_png() + b"tail", "bytes after the end of the PNG image"),
    ],
    ids=["tEXt", "iTXt-after-IDAT", "iCCP", "eXIf", "private", "tail"],
)
def test_verification_refuses_a_png_channel_left(tmp_path: Path, data: bytes, problem: str) -> None:
    path = _write(tmp_path, "blind.png", data)
    assert problem in image_metadata_problems(path, Kind.png)


def test_verification_refuses_tiff_text_tags_and_profiles(tmp_path: Path) -> None:
    data = cf.tiff_bytes([_page(), _page()], "x", cf.srgb_icc_with_text("x"))
    problems = image_metadata_problems(_write(tmp_path, "blind.tif", data), Kind.tiff)
    assert problems and "34675" in problems[0] and "270" in problems[0]


def test_verification_refuses_colours_left_unconverted(tmp_path: Path) -> None:
    """Dropping a wide-gamut profile without converting the pixels changes what is shown."""
    page = _page()
    src = _write(tmp_path, "in.png", cf.png_bytes(page, icc_profile=cf.wide_icc_with_text("x")))
    out = _write(tmp_path, "out.png", cf.png_bytes(page))
    assert check_image_page(src, out, Kind.png, 0, [], Limits()).changed_pixels > 1000


def test_cmyk_jpeg_is_re_encoded_clean(tmp_path: Path) -> None:
    data = cf.jpeg_bytes(_page().convert("CMYK"), comment=cf.planted("com").encode())
    data = cf.insert_jpeg_segments(data, [(0xED, cf.iptc_app13(cf.planted("iptc")))])
    src = _write(tmp_path, "in.jpg", data)
    out = tmp_path / "out.jpg"
    written = apply_image(src, Kind.jpeg, {0: MASKS}, out, Limits())
    assert written.record.jpeg_write == "pixels"
    _no_planted(out.read_bytes(), ["com", "iptc"])
    assert image_metadata_problems(out, Kind.jpeg) == []  # the Adobe marker stays: it is needed
    with Image.open(out) as b:
        assert b.mode == "CMYK"
    check = check_image_page(src, out, Kind.jpeg, 0, MASKS, Limits())
    assert check.changed_pixels == 0 and check.unpainted_pixels == 0


def test_exact_jpeg_check_sees_a_faint_change_the_tolerance_lets_through(tmp_path: Path) -> None:
    """A DCT-written copy whose one far-away block moved a little: the re-encoding tolerance
    (40 levels) would pass it; the exact check for DCT-written copies does not."""
    import jpeglib

    src = _write(tmp_path, "in.jpg", cf.jpeg_bytes(_page()))
    out = tmp_path / "out.jpg"
    assert mask_jpeg(src, MASKS, out)
    jpeg = jpeglib.read_dct(str(out))
    jpeg.load()
    jpeg.Y[40, 5, 0, 0] += 2  # block row 40, column 5 (y 320, x 40): far from every mask
    jpeg.write_dct(str(out))
    assert check_image_page(src, out, Kind.jpeg, 0, MASKS, Limits()).changed_pixels == 0
    assert check_image_page(src, out, Kind.jpeg, 0, MASKS, Limits(), jpeg_exact=True).changed_pixels > 0


def test_dct_mask_over_whole_blocks_and_overlapping_masks(tmp_path: Path) -> None:
    masks = [BBox(0, 0, 480, 150.5), BBox(40.2, 120, 200, 260), BBox(150, 200, 260.7, 300)]
    src = _write(tmp_path, "in.jpg", cf.jpeg_bytes(_page()))
    out = tmp_path / "out.jpg"
    assert mask_jpeg(src, masks, out)
    a, b = _rgb(src), _rgb(out)
    inside = _mask_array(a.shape[:2], masks, 1.0, grow=-1)
    assert int(b[inside].max()) <= JPEG_BLACK
    far = ~_mask_array(a.shape[:2], masks, 1.0, grow=16)
    assert far.any() and np.array_equal(a[far], b[far])
