"""The machine-readable manifest (DESIGN §1.4). It carries hashes, never identifying text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.types import Region, Result


def build_manifest(result: Result) -> dict[str, Any]:
    v = result.verification
    out: dict[str, Any] = {
        "version": 1,
        "input": {"name": result.input_name, "sha256": result.input_sha256, "pages": len(result.pages)},
        "output": {"name": result.output_name, "sha256": result.output_sha256},
        "policy": result.policy,
        "pages": [
            {
                "index": p.index,
                "width": round(p.width, 2),
                "height": round(p.height, 2),
                "unit": p.unit,
                "orientation": p.orientation,
                "needs_masking": p.needs_masking,
                "regions": [_region(r) for r in p.regions],
            }
            for p in result.pages
        ],
        "verification": {
            "text_leaks": v.text_leaks,
            "rescan_findings": v.rescan_findings,
            "pixels_changed_outside_masks": v.pixels_changed_outside_masks,
            "metadata_clean": v.metadata_clean,
        },
        "warnings": list(result.warnings)
        + [f"page {p.index + 1}: {w}" for p in result.pages for w in p.warnings]
        + ([f"not released: {result.error}"] if result.error else []),
    }
    if result.image_metadata is not None:  # added key (images only): what the writer removed
        m = result.image_metadata
        out["image_metadata"] = {
            "removed": list(m.removed),
            "kept": list(m.kept),
            "icc_profile": list(m.icc_profile),
            "jpeg_write": m.jpeg_write,
        }
    return out


def _region(r: Region) -> dict[str, Any]:
    out: dict[str, Any] = {
        "bbox": r.bbox.as_list(),
        "category": r.category,
        "source": r.source,
        "rule": r.rule,
        "score": round(r.score, 3),
        "text_sha256": r.text_sha256,
    }
    if r.payload_identity is not None:  # a decoded code: did its payload name anyone?
        out["payload_identity"] = r.payload_identity
    return out


def write_manifest(result: Result, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(build_manifest(result), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
