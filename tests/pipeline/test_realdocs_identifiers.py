"""Real photographed documents (../shared/data/realdocs): a railway ticket with a partly hidden
ID number, a bank card whose number is partly covered, and a lab report photographed turned 90°
and tilted whose footer is printed small. The masks come from the rules this work added."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.config import Options
from service.pipeline.run import redact_document

pytestmark = pytest.mark.ocr

REALDOCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "realdocs" / "images"


def _rules(tmp_path: Path, prefix: str) -> dict[str, int]:
    assert REALDOCS.is_dir(), f"{REALDOCS} missing: the shared data must sit beside the clone"
    (src,) = REALDOCS.glob(f"{prefix}_*")
    result = redact_document(src, tmp_path, Options(jobs=1))
    assert result.exit_code == 0, result.error
    manifest = json.loads((tmp_path / f"{src.stem}.manifest.json").read_text(encoding="utf-8"))
    rules: dict[str, int] = {}
    for region in manifest["pages"][0]["regions"]:
        rules[region["rule"]] = rules.get(region["rule"], 0) + 1
    return rules


def test_train_ticket_starred_id_serial_and_code(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "25")
    assert rules.get("pattern.id_number.starred") == 1  # 3604211990****2417
    assert rules.get("pattern.identifier.railway_ticket") == 1  # 32270300310607C014941
    assert rules.get("idctx.ticket_serial") == 1  # Z31C014941 (red serial)


def test_bank_card_visible_digits_and_holder(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "24")
    assert rules.get("pattern.identifier.card_fragment") == 2  # 6225 7583, 6225
    assert rules.get("idctx.cardholder") == 1  # MICHAEL (embossed)


def test_turned_tilted_lab_report_footer(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "08")
    assert rules.get("pattern.identifier.serial_no") == 1  # No:20160824XXS0025
    # 门诊号 90051065 and, in the small footer read only at the larger detection size,
    # 发票号码 01425472
    assert rules.get("pattern.identifier.label") == 2
