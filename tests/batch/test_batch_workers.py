"""``--jobs 2``: small files run whole in worker processes, a large one in the driver with its
pages spread over the same workers; results equal a one-process run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from service.batch.cli import main
from tests.batch.conftest import LINES_A, NEUTRAL, PROFILE_A
from tests.conftest import new_pdf, save_pdf


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {r["file"]: r for r in csv.DictReader(fh)}


def test_two_workers_small_and_large_files(tmp_path: Path) -> None:
    inp, profiles = tmp_path / "in", tmp_path / "profiles"
    (inp / "张三" / "长文").mkdir(parents=True)
    profiles.mkdir()
    (profiles / "张三.json").write_text(json.dumps(PROFILE_A, ensure_ascii=False), encoding="utf-8")
    save_pdf(new_pdf(LINES_A, pages=6), inp / "张三" / "长文" / "汇编.pdf")  # 6 pages ≥ 3 × jobs
    save_pdf(new_pdf(LINES_A), inp / "张三" / "申报表.pdf")
    save_pdf(new_pdf(NEUTRAL), inp / "其他.pdf")
    (inp / "坏.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)  # PDF magic, broken body
    out = tmp_path / "out"
    code = main([str(inp), "-o", str(out), "--profiles", str(profiles), "--jobs", "2"])
    rows = _rows(out)
    assert code == 3 and rows["坏.pdf"]["exit_code"] == "3"
    big = rows["张三/长文/汇编.pdf"]
    assert (big["exit_code"], big["pages"], big["profile"], big["verification"]) == ("0", "6", "张三.json", "passed")
    assert int(big["other"]) == 6  # the profile-only item, once per page
    assert rows["张三/申报表.pdf"]["other"] == "1" and rows["其他.pdf"]["exit_code"] == "0"
    assert (out / "张三" / "长文" / "汇编.blind.pdf").is_file()
    assert (out / "张三" / "申报表.blind.pdf").is_file() and (out / "其他.blind.pdf").is_file()
