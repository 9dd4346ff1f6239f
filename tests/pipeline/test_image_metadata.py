"""Real-world raster files through the CLI: JPEG/PNG/TIFF with comments, EXIF, XMP, IPTC, ICC
profiles, text chunks, text tags and trailing bytes are released (exit 0), verified, carry
none of the planted strings, and show the original's colours outside the masks (converted to
sRGB when their profile was not sRGB, and the manifest says so)."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from scripts.corpus import make_document
from service.redact.verify import _mask_array
from service.types import BBox
from tests.redact import channel_files as cf

pytestmark = pytest.mark.ocr


@lru_cache(maxsize=1)
def _page() -> tuple[bytes, str]:
    """A 100-dpi certificate scan (names, ID number, units) with a colour chart pasted in."""
    gen = make_document("practice_cert", "scan_png", random.Random(3), noise=False, skew=0.0, dpi=100)
    with Image.open(io.BytesIO(gen.data)) as im:
        return cf.png_bytes(cf.with_chart(im)), json.dumps(gen.profile, ensure_ascii=False)


def _base() -> Image.Image:
    return Image.open(io.BytesIO(_page()[0])).convert("RGB")


def _redact(tmp_path: Path, run_cli: Callable, name: str, data: bytes) -> tuple[Path, dict, Path]:
    src = tmp_path / name
    src.write_bytes(data)
    profile = tmp_path / "profile.json"
    profile.write_text(_page()[1], encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli("redact", src, "-o", out, "--profile", profile)
    manifest = json.loads((out / f"{src.stem}.manifest.json").read_text(encoding="utf-8"))
    assert run.code == 0, manifest["warnings"]
    blind = out / f"{src.stem}.blind{src.suffix}"
    assert blind.exists()
    v = manifest["verification"]
    assert v["metadata_clean"] and v["pixels_changed_outside_masks"] == 0
    return src, manifest, blind


def _masks(manifest: dict, page: int = 0) -> list[BBox]:
    return [BBox(*r["bbox"]) for r in manifest["pages"][page]["regions"]]


def _no_planted(blind: Path, channels: list[str]) -> None:
    data = blind.read_bytes()
    for ch in channels:
        for enc in cf.encodings(cf.planted(ch)):
            assert enc not in data, ch


def _shown(data: bytes, icc: bytes | None) -> np.ndarray:
    """The original as a viewer shows it, in sRGB (converted here, not by the service)."""
    with Image.open(io.BytesIO(data)) as im:
        rgb = im.convert("RGB")
        if icc:
            srgb = ImageCms.createProfile("sRGB")
            rgb = ImageCms.profileToProfile(rgb, io.BytesIO(icc), srgb, outputMode="RGB") or rgb
        return np.asarray(rgb).astype(np.int16)


def _colour_diff(original: np.ndarray, blind: Path, masks: list[BBox], grow: int, page: int = 0) -> np.ndarray:
    with Image.open(blind) as im:
        im.seek(page)
        got = np.asarray(im.convert("RGB")).astype(np.int16)
    outside = ~_mask_array(got.shape[:2], masks, 1.0, grow=grow)
    return np.abs(original - got).max(axis=2)[outside]


JPEG_CHANNELS = ["com1", "com2", "exif", "xmp", "iptc", "icc", "tail"]


@pytest.mark.parametrize("profile", ["srgb", "wide"])
def test_jpeg_with_comments_exif_xmp_iptc_and_icc(tmp_path: Path, run_cli: Callable, profile: str) -> None:
    icc = (cf.srgb_icc_with_text if profile == "srgb" else cf.wide_icc_with_text)(cf.planted("icc"))
    data = cf.jpeg_bytes(
        _base(), comment=cf.planted("com1").encode(), icc_profile=icc,
        exif=cf.exif_with_text(cf.planted("exif")), xmp=cf.xmp_with_text(cf.planted("xmp")),
    )
    data = cf.insert_jpeg_segments(data, [
        (0xFE, cf.planted("com2").encode()), (0xED, cf.iptc_app13(cf.planted("iptc"))),
    ]) + cf.planted("tail").encode()
    _, manifest, blind = _redact(tmp_path, run_cli, "scan.jpg", data)
    _no_planted(blind, JPEG_CHANNELS)
    meta = manifest["image_metadata"]
    assert {"comment", "exif", "xmp", "iptc", "icc_profile", "trailing_bytes"} <= set(meta["removed"])
    masks = _masks(manifest)
    assert masks  # the page had names to mask
    if profile == "srgb":
        assert meta == meta | {"icc_profile": ["srgb"], "jpeg_write": "dct"}
        # blocks no mask reaches are bit-exact (16 px: a 4:2:0 chroma block)
        assert _colour_diff(_shown(data, None), blind, masks, grow=16).max() == 0
    else:
        assert meta == meta | {"icc_profile": ["converted"], "jpeg_write": "pixels"}
        assert any("converted to sRGB" in w for w in manifest["warnings"])
        diff = _colour_diff(_shown(data, icc), blind, masks, grow=16)
        assert diff.mean() <= 1.5 and np.percentile(diff, 99.9) <= 12 and diff.max() <= 32


def test_jpeg_orientation_shown_as_before(tmp_path: Path, run_cli: Callable) -> None:
    data = cf.jpeg_bytes(_base(), exif=cf.exif_with_text(cf.planted("exif"), orientation=8))
    _, manifest, blind = _redact(tmp_path, run_cli, "turned.jpg", data)
    _no_planted(blind, ["exif"])
    with Image.open(blind) as b:
        assert dict(b.getexif()) == {0x0112: 8}
    assert manifest["image_metadata"]["kept"] == ["exif_orientation"]


PNG_CHANNELS = ["text", "exif", "icc", "tail"]


@pytest.mark.parametrize("mode", ["RGB", "P", "I;16"])
def test_png_with_text_chunks_exif_iccp_and_trailing_bytes(tmp_path: Path, run_cli: Callable, mode: str) -> None:
    base = _base()
    if mode == "P":
        im, icc = base.quantize(128), cf.wide_icc_with_text(cf.planted("icc"))
    elif mode == "I;16":
        grey = np.asarray(base.convert("L")).astype(np.uint16) * 257
        im, icc = Image.fromarray(grey), cf.wide_icc_with_text(cf.planted("icc"), "GRAY")
    else:
        im, icc = base, cf.wide_icc_with_text(cf.planted("icc"))
    data = cf.png_bytes(im, icc_profile=icc, exif=cf.exif_with_text(cf.planted("exif")))
    before, after = cf.png_text_chunks(cf.planted("text"))
    data = cf.insert_png_chunks(data, before, after) + cf.planted("tail").encode()
    _, manifest, blind = _redact(tmp_path, run_cli, "scan.png", data)
    _no_planted(blind, PNG_CHANNELS)
    meta = manifest["image_metadata"]
    assert {"text_chunks", "exif", "icc_profile", "trailing_bytes"} <= set(meta["removed"])
    with Image.open(io.BytesIO(data)) as a, Image.open(blind) as b:
        assert (a.mode, a.size) == (b.mode, b.size)
    masks = _masks(manifest)
    if mode == "I;16":  # a 16-bit grey frame keeps its stored values (profile dropped, stated)
        assert meta["icc_profile"] == ["dropped"]
        a16 = np.asarray(Image.open(io.BytesIO(data)))[..., None]
        b16 = np.asarray(Image.open(blind))[..., None]
        outside = ~_mask_array(a16.shape[:2], masks, 1.0, grow=0)
        assert np.array_equal(a16[outside], b16[outside])
    else:
        assert meta["icc_profile"] == ["converted"]
        assert _colour_diff(_shown(data, icc), blind, masks, grow=0).max() <= 1


def test_multipage_tiff_with_icc_and_text_tags(tmp_path: Path, run_cli: Callable) -> None:
    frames = [_base(), _base().rotate(180)]
    icc = cf.wide_icc_with_text(cf.planted("icc"))
    data = cf.tiff_bytes(frames, cf.planted("tag"), icc)
    _, manifest, blind = _redact(tmp_path, run_cli, "scan.tif", data)
    _no_planted(blind, ["tag", "icc"])
    meta = manifest["image_metadata"]
    assert {"icc_profile", "xmp", "tiff_tags"} <= set(meta["removed"])
    assert meta["icc_profile"] == ["converted", "converted"]
    for page, frame in enumerate(frames):
        shown = _shown(cf.png_bytes(frame), icc)
        assert _colour_diff(shown, blind, _masks(manifest, page), grow=0, page=page).max() <= 1
