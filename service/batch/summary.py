"""``OUT_DIR/summary.csv``: one row per input that finished (in this run or, with ``--resume``,
an earlier one), in path order.

Columns: ``file`` (path relative to IN_DIR — the operator's own names), ``profile`` (the profile
file used, empty for none), ``pages``, one column per category of DESIGN §1.3 (regions masked),
``verification`` (passed / failed / — when it never ran), ``seconds``, ``exit_code`` and
``error`` (the message of a failure; messages never hold document text). Written as UTF-8 with
a byte-order mark so that spreadsheet programs show Chinese paths correctly; written to a
temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path

from service.batch.models import FileOutcome
from service.types import CATEGORIES

SUMMARY_NAME = "summary.csv"
COLUMNS: tuple[str, ...] = (
    "file", "profile", "pages", *CATEGORIES, "verification", "seconds", "exit_code", "error",
)


def row(outcome: FileOutcome) -> dict[str, str]:
    out = {
        "file": outcome.file,
        "profile": outcome.profile,
        "pages": str(outcome.pages),
        "verification": outcome.verification,
        "seconds": f"{outcome.seconds:.2f}",
        "exit_code": str(outcome.exit_code),
        "error": outcome.error or "",
    }
    for cat in CATEGORIES:
        out[cat] = str(outcome.regions.get(cat, 0))
    return out


def write_summary(out_dir: Path, outcomes: Iterable[FileOutcome]) -> Path:
    path = out_dir / SUMMARY_NAME
    tmp = out_dir / f".{SUMMARY_NAME}.partial"
    rows = sorted(outcomes, key=lambda o: o.file.split("/"))
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(row(o) for o in rows)
    os.replace(tmp, path)
    return path
