"""``mangshen batch`` with the real pipeline, in this process (``--jobs 1``): mirrored outputs,
per-applicant profiles, failures that do not stop the others, summary.csv, --resume."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from service.batch.cli import main
from service.batch.state import STATE_NAME
from service.types import CATEGORIES
from tests.batch.conftest import PROFILE_A, Tree


def _summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tree, int, str, str]:
    """One real run over the tree, shared by the tests that only read its results."""
    from tests.batch.conftest import build_tree

    t = build_tree(tmp_path_factory.mktemp("batch"))
    err, out = io.StringIO(), io.StringIO()  # capsys is per test: capture by hand
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main([str(t.inp), "-o", str(t.out), "--profiles", str(t.profiles), "--jobs", "1"])
    return t, code, out.getvalue(), err.getvalue()


def test_worst_exit_code_and_every_file_in_the_summary(first_run: tuple[Tree, int, str, str]) -> None:
    t, code, out, err = first_run
    assert code == 3  # the corrupt file (3) beats the malformed profile (2)
    rows = _summary(t.out)
    assert set(rows) == {"张三/申报表.pdf", "张三/证书/证书.pdf", "李四/论文.pdf", "王五/扫描.png", "损坏.pdf"}
    assert {f: r["exit_code"] for f, r in rows.items()} == {
        "张三/申报表.pdf": "0", "张三/证书/证书.pdf": "0", "王五/扫描.png": "0",
        "李四/论文.pdf": "2", "损坏.pdf": "3",
    }
    assert "batch: 5 file(s): 3 ok, 2 failed" in out
    assert "[5/5]" in err  # not a terminal: one plain line per file


def test_summary_columns_and_content(first_run: tuple[Tree, int, str, str]) -> None:
    t, *_ = first_run
    with (t.out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["file", "profile", "pages", *CATEGORIES, "verification", "seconds", "exit_code", "error"]
    rows = _summary(t.out)
    a = rows["张三/申报表.pdf"]
    assert (a["profile"], a["pages"], a["verification"]) == ("张三.json", "1", "passed")
    assert int(a["other"]) >= 1 and int(a["phone"]) >= 1  # "other" only comes from the profile
    assert rows["张三/证书/证书.pdf"]["profile"] == "张三.json"  # nearest ancestor with a profile
    assert rows["王五/扫描.png"]["profile"] == "" and rows["王五/扫描.png"]["verification"] == "passed"
    bad = rows["损坏.pdf"]
    assert (bad["verification"], bad["pages"]) == ("—", "0") and "unsupported file type" in bad["error"]
    prof = rows["李四/论文.pdf"]
    assert prof["profile"] == "李四.json" and "李四.json is not valid JSON" in prof["error"]
    assert float(a["seconds"]) > 0
    text = (t.out / "summary.csv").read_text(encoding="utf-8-sig")
    assert "张三丰" not in text and "13800138000" not in text  # no identifying document text


def test_outputs_mirror_the_tree(first_run: tuple[Tree, int, str, str]) -> None:
    t, *_ = first_run
    for stem, folder, ext in (("申报表", "张三", "pdf"), ("证书", "张三/证书", "pdf"), ("扫描", "王五", "png")):
        d = t.out / folder
        assert sorted(p.name for p in d.iterdir() if p.is_file()) == sorted(
            [f"{stem}.blind.{ext}", f"{stem}.manifest.json", f"{stem}.report.html"]
        )
    assert not (t.out / "李四").exists() or not any((t.out / "李四").iterdir())
    assert not list(t.out.glob("损坏.*")) and not list(t.out.rglob("*.partial"))
    manifest = json.loads((t.out / "张三" / "申报表.manifest.json").read_text(encoding="utf-8"))
    assert "other" in {r["category"] for p in manifest["pages"] for r in p["regions"]}


def test_resume_skips_done_files_and_reruns_failures(first_run: tuple[Tree, int, str, str],
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(first_run[0].root, tmp_path / "copy")  # leave the shared run untouched
    root = tmp_path / "copy"
    t = Tree(root, root / "in", root / "out", root / "profiles")
    blind = t.out / "张三" / "申报表.blind.pdf"
    before = blind.stat().st_mtime_ns
    code, _, err = _run(capsys, t.inp, "-o", t.out, "--profiles", t.profiles, "--jobs", "1", "--resume")
    assert code == 3
    assert "3 file(s) already done" in err and "[2/2]" in err  # only the two failures ran
    assert blind.stat().st_mtime_ns == before
    assert len(_summary(t.out)) == 5
    assert (t.out / STATE_NAME).is_file()

    # a changed profile changes the key: that applicant's files run again, no one else's
    (t.profiles / "张三.json").write_text(
        json.dumps({**PROFILE_A, "phone": ["13800138000"]}, ensure_ascii=False), encoding="utf-8"
    )
    (t.profiles / "李四.json").write_text('{"person": ["李四"]}', encoding="utf-8")
    code, _, err = _run(capsys, t.inp, "-o", t.out, "--profiles", t.profiles, "--jobs", "1", "--resume")
    assert code == 3  # still the corrupt file
    assert "1 file(s) already done" in err  # 王五's image
    rows = _summary(t.out)
    assert rows["李四/论文.pdf"]["exit_code"] == "0"
    assert blind.stat().st_mtime_ns != before


def test_resume_reruns_a_done_file_whose_output_is_gone(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import new_pdf, save_pdf

    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    save_pdf(new_pdf(), inp / "a.pdf")
    assert _run(capsys, inp, "-o", out, "--jobs", "1")[0] == 0
    code, _, err = _run(capsys, inp, "-o", out, "--jobs", "1", "--resume")
    assert code == 0 and "1 file(s) already done" in err
    (out / "a.blind.pdf").unlink()
    code, _, err = _run(capsys, inp, "-o", out, "--jobs", "1", "--resume")
    assert code == 0 and "already done" not in err and (out / "a.blind.pdf").is_file()


def test_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, tmp_path / "missing", "-o", tmp_path / "o")[0] == 2
    (tmp_path / "in").mkdir()
    assert _run(capsys, tmp_path / "in", "-o", tmp_path / "in")[0] == 2
    assert _run(capsys, tmp_path / "in", "-o", tmp_path / "o", "--profiles", tmp_path / "nope")[0] == 2
    code, _, err = _run(capsys, tmp_path / "in", "-o", tmp_path / "o", "--policy", "no-such-policy")
    assert code == 6 and "unknown policy" in err
