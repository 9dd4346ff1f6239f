"""Shared fixtures: tiny born-digital PDFs, profile files, and the CLI run in-process."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pymupdf
import pytest

from service.cli import main

#: the applicant of every adversarial test
NAME = "张三丰"
PROFILE = {"person": [NAME, "Zhang Sanfeng"], "organization": ["某某市人民医院"]}
#: neutral body text: nothing in it is identifying
BODY = ("项目名称：慢性病管理的临床研究", "研究内容：随访方案与质量控制", "预期成果：发表论文两篇")


@lru_cache(maxsize=1)
def cjk_font() -> pymupdf.Font:
    return pymupdf.Font("cjk")


def write_lines(
    page: pymupdf.Page,
    lines: Sequence[str],
    *,
    origin: tuple[float, float] = (72.0, 100.0),
    fontsize: float = 14.0,
    render_mode: int = 0,
) -> None:
    """Write ``lines`` with the embedded CJK font, one per 2 × fontsize."""
    tw = pymupdf.TextWriter(page.rect)
    x, y = origin
    for i, line in enumerate(lines):
        tw.append((x, y + i * fontsize * 2), line, font=cjk_font(), fontsize=fontsize)
    tw.write_text(page, render_mode=render_mode)


def new_pdf(lines: Sequence[str] = BODY, pages: int = 1) -> pymupdf.Document:
    """An A4 born-digital document with ``lines`` on every page (fonts not yet subset)."""
    doc = pymupdf.open()
    for _ in range(pages):
        page = doc.new_page(width=595, height=842)
        write_lines(page, lines)
    return doc


def save_pdf(doc: pymupdf.Document, path: Path, **kwargs: object) -> Path:
    doc.subset_fonts()
    doc.save(str(path), garbage=3, deflate=True, **kwargs)
    doc.close()
    return path


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """``make_pdf(name, lines=BODY, pages=1)`` → path of a small born-digital PDF."""

    def _make(name: str = "doc.pdf", lines: Sequence[str] = BODY, pages: int = 1) -> Path:
        return save_pdf(new_pdf(lines, pages), tmp_path / name)

    return _make


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(PROFILE, ensure_ascii=False), encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True)
class CliRun:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Run ``service.cli.main(argv)`` in this process; ``--jobs 1`` is added to ``redact``
    unless the caller passes ``--jobs`` (no worker processes in tests)."""

    def _run(*argv: str | Path) -> CliRun:
        args = [str(a) for a in argv]
        if args and args[0] == "redact" and "--jobs" not in args:
            args += ["--jobs", "1"]
        capsys.readouterr()
        try:
            code = main(args)
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return CliRun(code, out.out, out.err)

    return _run
