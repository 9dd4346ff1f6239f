"""The command line contract (DESIGN §1.1): detect-text output and redact outputs."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from service.cli import main


def _detect(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str,
            *args: str) -> list[dict[str, object]]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    assert main(["detect-text", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_detect_text_prints_the_contract_json(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    text = "联系电话：13800138000，邮编：010020。"
    out = _detect(monkeypatch, capsys, text)
    assert {tuple(sorted(d)) for d in out} == {("category", "end", "rule", "score", "start", "text")}
    by_cat = {d["category"]: d for d in out}
    phone = by_cat["phone"]
    assert text[phone["start"]:phone["end"]] == phone["text"] == "13800138000"  # type: ignore[misc]
    assert by_cat["postal_code"]["text"] == "010020"


def test_detect_text_uses_the_profile(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({"person": ["张三丰"]}, ensure_ascii=False), encoding="utf-8")
    out = _detect(monkeypatch, capsys, "作者：张 三丰；Zhang Sanfeng", "--profile", str(prof))
    assert {d["text"] for d in out if d["category"] == "person"} == {"张 三丰", "Zhang Sanfeng"}


def test_redact_writes_the_three_outputs(make_pdf, profile_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = make_pdf("申报.pdf", ["申报人：张三丰", "联系电话：13800138000", "科室：心内科"])
    out = tmp_path / "out"
    assert main(["redact", str(src), "-o", str(out), "--profile", str(profile_file), "--jobs", "1"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["申报.blind.pdf", "申报.manifest.json", "申报.report.html"]
    manifest = json.loads((out / "申报.manifest.json").read_text(encoding="utf-8"))
    assert {r["category"] for r in manifest["pages"][0]["regions"]} == {"person", "phone"}
    assert "张三丰" not in (out / "申报.manifest.json").read_text(encoding="utf-8")
