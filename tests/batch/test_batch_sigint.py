"""A real Ctrl-C: SIGINT to the whole process group of ``scripts/batch_redact.py --jobs 2``
(as a terminal sends it), then ``--resume`` finishes the rest. Slow: two fresh processes
load the models (``-m slow``)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import new_pdf, save_pdf

ROOT = Path(__file__).resolve().parents[2]
N = 8


def _start(inp: Path, out: Path, tmp: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "batch_redact.py"), str(inp), "-o", str(out),
         "--jobs", "2", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path: Path) -> None:
    inp, out, tmp = tmp_path / "in", tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    for i in range(N):
        (inp / f"applicant{i % 3}").mkdir(parents=True, exist_ok=True)
        save_pdf(new_pdf([f"第{i}号文件", "项目名称：慢性病管理的临床研究"], pages=2),
                 inp / f"applicant{i % 3}" / f"doc{i}.pdf")
    proc = _start(inp, out, tmp)
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first finished file
    assert first.startswith("[1/"), first + proc.stderr.read()
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    finished = {r["file"] for r in _rows(out)}
    assert 1 <= len(finished) < N
    assert not list(out.rglob("*.partial")) and not list(tmp.glob("mangshen-*"))
    blinds = {p.relative_to(out).as_posix().replace(".blind", "") for p in out.rglob("*.blind.pdf")}
    assert blinds == finished  # nothing published for a file that did not finish

    again = _start(inp, out, tmp, "--resume")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"{len(finished)} file(s) already done" in err
    assert len(_rows(out)) == N and len(list(out.rglob("*.blind.pdf"))) == N
    time.sleep(0.1)
    assert not list(tmp.glob("mangshen-*"))


def test_a_deep_temporary_folder_uses_spawned_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    # the forkserver's socket lives under $TMPDIR and Unix socket paths are short: a deep
    # $TMPDIR (as under pytest-xdist) once failed every batch with "AF_UNIX path too long"
    import tempfile

    from service.batch import local

    monkeypatch.setattr(tempfile, "tempdir", "/tmp/" + "d" * 90)
    assert local._context().get_start_method() == "spawn"
    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    assert local._context().get_start_method() == "forkserver"
