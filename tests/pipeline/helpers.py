"""Run the real pipeline on generated documents and measure coverage against ground truth."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.corpus import make_document
from scripts.scoring import covered_share, in_issue2_scope
from service.config import Options
from service.pipeline.run import redact_document
from service.profile import Profile
from service.types import Result


@dataclass
class Run:
    src: Path
    result: Result
    out: Path
    truth: dict[str, Any]


def run_generated(tmp: Path, kind: str, variant: str, seed: int = 3, **kw: Any) -> Run:
    gen = make_document(kind, variant, random.Random(seed), **kw)
    src = tmp / f"{kind}-{variant}.{gen.ext}"
    src.write_bytes(gen.data)
    out = tmp / "out"
    profile = Profile.model_validate(gen.profile)
    result = redact_document(src, out, Options(profile=profile, jobs=1))
    return Run(src, result, out, gen.truth)


must_mask = in_issue2_scope


def misses(run: Run, min_share: float = 0.9) -> list[str]:
    """Entities that must be masked but are not (category and page, never the text)."""
    out = []
    for page, truth in zip(run.result.pages, run.truth["pages"], strict=True):
        masks = [r.bbox for r in page.regions]
        for ent in truth["entities"]:
            if must_mask(ent) and covered_share(ent["bbox"], masks) < min_share:
                out.append(f"p{page.index} {ent['category']} {covered_share(ent['bbox'], masks):.2f}")
    return out


def manifest(run: Run) -> dict[str, Any]:
    return json.loads((run.out / f"{run.src.stem}.manifest.json").read_text(encoding="utf-8"))
