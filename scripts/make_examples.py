#!/usr/bin/env python3
"""Regenerate the bundled example documents in ``examples/`` (synthetic applicant, fake
valid-checksum ID number): a born-digital case record, a paper page, a scanned certificate
photographed sideways (JPEG), a scanned workload form (PDF) and an award certificate PDF with
a pasted scan, plus ``examples/profile.json``.

    python scripts/make_examples.py
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.corpus import make_document, make_identity  # noqa: E402

EXAMPLES = (
    ("病案首页", "case_first_page", "born", {}),
    ("论文首页", "paper", "born", {}),
    ("执业证书_扫描", "practice_cert", "scan_jpg", {"orientation": 90, "skew": 1.2}),
    ("工作量统计表_扫描", "workload", "scan_pdf", {"skew": -0.8}),
    ("获奖证书", "award_cert", "embedded_scan", {}),
)


def main() -> None:
    os.environ["MANGSHEN_DRAWN_FACES"] = "1"  # never publish the shared (test-only) photos
    out = ROOT / "examples"
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for old in docs.iterdir():
        old.unlink()
    identity = make_identity(random.Random("mangshen-example-applicant"))
    profile: dict[str, list[str]] = {}
    for i, (name, kind, variant, kw) in enumerate(EXAMPLES):
        gen = make_document(kind, variant, random.Random(f"example-{i}"), identity, **kw)
        (docs / f"{name}.{gen.ext}").write_bytes(gen.data)
        for key, values in gen.profile.items():
            profile.setdefault(key, [])
            profile[key] += [v for v in values if v not in profile[key]]
    (out / "profile.json").write_text(json.dumps(profile, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(EXAMPLES)} example documents and profile.json to {out}")


if __name__ == "__main__":
    main()
