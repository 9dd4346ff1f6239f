"""Bad input is refused at the door: the DESIGN §1.1 exit code, one line on stderr, no
traceback, and no blind copy. Every case runs through the real command line."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from tests.conftest import CliRun, new_pdf, save_pdf

Run = Callable[..., CliRun]
MakePdf = Callable[..., Path]


def _blind_copies(out: Path) -> list[Path]:
    return sorted(out.glob("*.blind.*")) + sorted(out.glob(".*.partial")) if out.exists() else []


def assert_refused(run: CliRun, code: int, out: Path, needle: str = "") -> None:
    assert run.code == code, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert needle in lines[0]
    assert _blind_copies(out) == []


def redact(run_cli: Run, *inputs: Path, out: Path, **kw: str) -> CliRun:
    extra = [x for k, v in kw.items() for x in (f"--{k}", v)]
    return run_cli("redact", *inputs, "-o", out, *extra)


# -- byte builders --------------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid-looking grey PNG whose header claims ``width × height`` pixels; the data holds
    only a few zero rows, so the file is a few hundred bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    comp = zlib.compressobj(9)
    data = b"".join(comp.compress(b"\x00" * (width + 1)) for _ in range(4)) + comp.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
    )


def bomb_pdf(path: Path) -> Path:
    """A one-page PDF drawing an image whose dictionary claims 30000 × 30000 pixels."""
    doc = new_pdf()
    buf = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buf, "PNG")
    xref = doc[0].insert_image(pymupdf.Rect(300, 500, 400, 600), stream=buf.getvalue())
    doc.update_stream(xref, b"\x00" * 64)
    for key, value in (("Width", "30000"), ("Height", "30000"), ("DecodeParms", "null")):
        doc.xref_set_key(xref, key, value)
    return save_pdf(doc, path)


def image_bytes(fmt: str, size: tuple[int, int] = (160, 120)) -> bytes:
    buf = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buf, fmt)
    return buf.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- unreadable or unsupported: exit 3 -------------------------------------------------------
def test_zero_byte_file(tmp_path: Path, run_cli: Run) -> None:
    src = write(tmp_path / "empty.pdf", b"")
    assert_refused(redact(run_cli, src, out=tmp_path / "out"), 3, tmp_path / "out", "empty")


def _zip_of_text() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document/>" * 50)
    return buf.getvalue()


def _zip_of_pdf() -> bytes:
    """A ZIP whose first member is a stored (uncompressed) PDF: '%PDF-' sits in its first KiB."""
    pdf = new_pdf()
    data = pdf.tobytes()
    pdf.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.pdf", data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("zip", _zip_of_text),
        ("zip_holding_pdf", _zip_of_pdf),
        ("text", lambda: "申请书\nhello\n".encode()),
        ("gif", lambda: image_bytes("GIF")),
        ("bmp", lambda: image_bytes("BMP")),
    ],
)
def test_unsupported_type_named_pdf(
    name: str, make: Callable[[], bytes], tmp_path: Path, run_cli: Run
) -> None:
    src = write(tmp_path / f"{name}.pdf", make())
    run = redact(run_cli, src, out=tmp_path / "out")
    assert_refused(run, 3, tmp_path / "out", "unsupported file type")


def test_png_named_pdf_is_read_as_png(tmp_path: Path, run_cli: Run) -> None:
    """The type comes from the magic bytes, not the name: the blind copy is a PNG."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (255, 255, 255)).save(buf, "PNG")
    src = write(tmp_path / "scan.pdf", buf.getvalue())
    run = redact(run_cli, src, out=tmp_path / "out")
    assert run.code == 0, run.stderr
    (blind,) = _blind_copies(tmp_path / "out")
    assert blind.name == "scan.blind.png"
    with Image.open(blind) as im:
        assert im.format == "PNG" and im.size == (64, 48)


def test_garbage_after_pdf_header(tmp_path: Path, run_cli: Run) -> None:
    src = write(tmp_path / "bad.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20)
    assert_refused(redact(run_cli, src, out=tmp_path / "out"), 3, tmp_path / "out", "damaged")


def test_truncated_pdf_is_refused_or_repaired(
    tmp_path: Path, make_pdf: MakePdf, run_cli: Run
) -> None:
    """MuPDF may repair a truncated file; then the run succeeds with a warning, else exit 3."""
    data = make_pdf("whole.pdf").read_bytes()
    src = write(tmp_path / "cut.pdf", data[: len(data) // 2])
    out = tmp_path / "out"
    run = redact(run_cli, src, out=out)
    assert "Traceback" not in run.stderr
    if run.code == 0:
        manifest = json.loads((out / "cut.manifest.json").read_text(encoding="utf-8"))
        assert any("repaired" in w for w in manifest["warnings"])
    else:
        assert_refused(run, 3, out)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("truncated.jpg", lambda: image_bytes("JPEG")[:1500]),
        ("truncated.png", lambda: image_bytes("PNG")[:3000]),
        ("header_only.jpg", lambda: b"\xff\xd8\xff\xe0garbage"),
        ("header_only.png", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        ("header_only.tif", lambda: b"II*\x00" + b"\xff" * 60),
    ],
)
def test_corrupt_image(
    name: str,
    make: Callable[[], bytes],
    tmp_path: Path,
    run_cli: Run,
    recwarn: pytest.WarningsRecorder,
) -> None:
    src = write(tmp_path / name, make())
    assert_refused(redact(run_cli, src, out=tmp_path / "out"), 3, tmp_path / "out", "damaged")
    # a Python warning would be a second, multi-line message on a real stderr
    assert [str(w.message) for w in recwarn if issubclass(w.category, UserWarning)] == []


def test_directory_and_missing_file(tmp_path: Path, run_cli: Run) -> None:
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    out = tmp_path / "out"
    assert_refused(redact(run_cli, folder, out=out), 3, out, "directory")
    assert_refused(redact(run_cli, tmp_path / "nope.pdf", out=out), 3, out, "no such file")


# -- limits ----------------------------------------------------------------------------------
def test_too_many_pages(
    tmp_path: Path, make_pdf: MakePdf, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANGSHEN_MAX_PAGES", "2")  # read when Limits is built, i.e. per run
    src = make_pdf("three.pdf", pages=3)
    assert_refused(redact(run_cli, src, out=tmp_path / "out"), 3, tmp_path / "out", "pages")


def test_too_many_tiff_frames(
    tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANGSHEN_MAX_PAGES", "2")
    frames = [Image.new("L", (32, 32), 255) for _ in range(3)]
    src = tmp_path / "three.tif"
    frames[0].save(src, "TIFF", save_all=True, append_images=frames[1:])
    assert_refused(redact(run_cli, src, out=tmp_path / "out"), 3, tmp_path / "out", "pages")


def test_oversized_page(tmp_path: Path, run_cli: Run) -> None:
    doc = pymupdf.open()
    doc.new_page(width=595, height=842)
    doc.xref_set_key(doc[0].xref, "MediaBox", "[0 0 595 20000]")
    src = save_pdf(doc, tmp_path / "tall.pdf")
    assert_refused(redact(run_cli, src, out=tmp_path / "out"), 3, tmp_path / "out", "size")


@pytest.mark.parametrize("kind", ["png", "pdf"])
def test_decompression_bomb_refused_fast(kind: str, tmp_path: Path, run_cli: Run) -> None:
    src = (
        write(tmp_path / "bomb.png", bomb_png())
        if kind == "png"
        else bomb_pdf(tmp_path / "bomb.pdf")
    )
    assert src.stat().st_size < 20_000
    t0 = time.perf_counter()
    run = redact(run_cli, src, out=tmp_path / "out")
    assert time.perf_counter() - t0 < 5.0
    assert_refused(run, 3, tmp_path / "out", "pixel")


@pytest.mark.parametrize("kind", ["png", "pdf"])
def test_decompression_bomb_uses_little_memory(kind: str, tmp_path: Path) -> None:
    """In a fresh process (so that peak memory is the bomb's, not this test session's): the
    30000×30000 image would need ≥ 900 MB decoded."""
    src = (
        write(tmp_path / "bomb.png", bomb_png())
        if kind == "png"
        else bomb_pdf(tmp_path / "bomb.pdf")
    )
    argv = [sys.executable, "-m", "service", "redact", str(src), "-o", str(tmp_path / "out")]
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *argv, "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    seconds = time.perf_counter() - t0
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert seconds < 10.0  # includes two interpreter starts and the imports
    rss_kb = int(proc.stdout.split()[-1])
    assert rss_kb < 400_000, f"peak RSS {rss_kb // 1024} MB"
    assert _blind_copies(tmp_path / "out") == []


#: Runs argv in a grandchild and prints its peak RSS. Linux carries a process's peak RSS
#: across fork + exec, so a child forked straight from this (large) test process would report
#: this process's size; a small intermediate interpreter gives the grandchild a clean start.
_MEASURE = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(p.pid, 0)
p.returncode = os.waitstatus_to_exitcode(status)
print(usage.ru_maxrss)
sys.exit(p.returncode)
"""


# -- encrypted: exit 4 -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "passwords",
    [{"user_pw": "user", "owner_pw": "owner"}, {"owner_pw": "owner"}],
    ids=["user_password", "owner_password_only"],
)
def test_encrypted_pdf(passwords: dict[str, str], tmp_path: Path, run_cli: Run) -> None:
    src = save_pdf(
        new_pdf(),
        tmp_path / "locked.pdf",
        encryption=pymupdf.PDF_ENCRYPT_AES_256,
        permissions=pymupdf.PDF_PERM_PRINT,
        **passwords,
    )
    assert_refused(redact(run_cli, src, out=tmp_path / "out"), 4, tmp_path / "out", "encrypted")


# -- several inputs: the worst code wins, the good ones are still written ---------------------
def test_worst_exit_code_wins(tmp_path: Path, make_pdf: MakePdf, run_cli: Run) -> None:
    good = make_pdf("good.pdf")
    empty = write(tmp_path / "empty.pdf", b"")
    locked = save_pdf(
        new_pdf(),
        tmp_path / "locked.pdf",
        encryption=pymupdf.PDF_ENCRYPT_AES_256,
        user_pw="u",
        owner_pw="o",
    )
    out = tmp_path / "out"
    run = redact(run_cli, empty, good, locked, out=out)
    assert run.code == 4
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 2  # one line per refused input
    assert [p.name for p in _blind_copies(out)] == ["good.blind.pdf"]
    assert (out / "good.manifest.json").is_file()


# -- bad arguments, profiles and policies -----------------------------------------------------
def test_invalid_policy(tmp_path: Path, make_pdf: MakePdf, run_cli: Run) -> None:
    src = make_pdf()
    run = redact(run_cli, src, out=tmp_path / "out", policy="no-such-policy")
    assert_refused(run, 6, tmp_path / "out", "policy")


def test_invalid_policy_file(tmp_path: Path, make_pdf: MakePdf, run_cli: Run) -> None:
    policy = tmp_path / "typo.yaml"
    policy.write_text("name: typo\ncategorys: [person]\n", encoding="utf-8")
    run = redact(run_cli, make_pdf(), out=tmp_path / "out", policy=str(policy))
    assert_refused(run, 6, tmp_path / "out", "typo.yaml")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"person": ["张三丰"', "not valid JSON"),
        ('{"persn": ["张三丰"]}', "persn"),
        ('{"person": "张三丰"}', "person"),
        ("[]", "not a valid profile"),
    ],
    ids=["bad_json", "unknown_key", "not_a_list", "not_an_object"],
)
def test_invalid_profile(
    text: str, needle: str, tmp_path: Path, make_pdf: MakePdf, run_cli: Run
) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(text, encoding="utf-8")
    run = redact(run_cli, make_pdf(), out=tmp_path / "out", profile=str(profile))
    assert_refused(run, 2, tmp_path / "out", needle)
    assert "张三丰" not in run.stderr  # messages never echo identities


def test_missing_profile(tmp_path: Path, make_pdf: MakePdf, run_cli: Run) -> None:
    run = redact(run_cli, make_pdf(), out=tmp_path / "out", profile=str(tmp_path / "nope.json"))
    assert_refused(run, 2, tmp_path / "out", "profile")


@pytest.mark.parametrize("jobs", ["0", "-3", "many"])
def test_bad_jobs(jobs: str, tmp_path: Path, make_pdf: MakePdf, run_cli: Run) -> None:
    run = redact(run_cli, make_pdf(), out=tmp_path / "out", jobs=jobs)
    assert run.code == 2
    assert "Traceback" not in run.stderr and "--jobs" in run.stderr
    assert _blind_copies(tmp_path / "out") == []


def test_detect_text_invalid_utf8(
    tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO("申请人".encode("gbk") + b"\xff"))
    )
    run = run_cli("detect-text")
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == ["mangshen: stdin is not valid UTF-8 text"]
    assert run.stdout == ""
