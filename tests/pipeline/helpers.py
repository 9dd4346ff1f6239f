"""Run the real pipeline on generated documents and measure coverage against ground truth."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scripts.corpus import make_document
from service.config import Options
from service.pipeline.run import redact_document
from service.profile import Profile
from service.types import BBox, Result

#: the categories issue #2 must always catch (plus every profile identity)
ISSUE2_CATEGORIES = {"phone", "id_number", "email", "postal_code"}


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


def must_mask(entity: dict[str, Any]) -> bool:
    return bool(entity.get("in_profile")) or entity["category"] in ISSUE2_CATEGORIES


def covered_share(box: list[float], masks: list[BBox]) -> float:
    """Share of ``box`` covered by the union of ``masks`` (sampled on a fine grid)."""
    x0, y0, x1, y1 = box
    xs = np.linspace(x0, x1, 24)[1:-1]
    ys = np.linspace(y0, y1, 10)[1:-1]
    gx, gy = np.meshgrid(xs, ys)
    hit = np.zeros(gx.shape, dtype=bool)
    for m in masks:
        hit |= (gx >= m.x0) & (gx <= m.x1) & (gy >= m.y0) & (gy <= m.y1)
    return float(hit.mean())


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
