"""``make_document`` (one file with its truth) and ``make_corpus`` (a folder of them)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.corpus import variants as var
from scripts.corpus.identity import Identity, make_identity
from scripts.corpus.kinds import KINDS, LABELS, build_canvas
from scripts.corpus.scan import ScanOptions

VARIANTS: tuple[str, ...] = (
    "born",
    "scan_pdf",
    "scan_jpg",
    "scan_png",
    "scan_tif",
    "embedded_scan",
    "rotate90",
)
ORIENTATIONS: tuple[int, ...] = (0, 90, 180, 270)
DOCS_PER_APPLICANT = 4


@dataclass(frozen=True, slots=True)
class GeneratedDoc:
    data: bytes
    ext: str  # pdf / jpg / png / tif
    truth: dict[str, Any]
    profile: dict[str, list[str]]
    identity: Identity


def make_document(
    kind: str,
    variant: str,
    rng: random.Random,
    identity: Identity | None = None,
    *,
    orientation: int = 0,
    skew: float | None = None,
    noise: bool = True,
    pages: int | None = None,
    dpi: int = 200,
) -> GeneratedDoc:
    """One synthetic document of ``kind`` in ``variant`` with its ground truth.

    ``orientation`` (clockwise text rotation), ``skew`` (degrees; random within ±2° when
    ``None``) and ``noise`` apply to scan variants; ``embedded_scan`` uses a milder random skew.
    ``pages`` defaults to 2 for ``scan_tif`` (multi-page TIFF) and 1 otherwise.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    ident = identity or make_identity(rng)
    n = pages or (2 if variant == "scan_tif" else 1)
    if variant in ("scan_jpg", "scan_png"):
        n = 1
    canvases = [build_canvas(kind, ident, rng) for _ in range(n)]
    if variant == "born":
        data, ext, truth_pages = var.born(canvases)
    elif variant == "rotate90":
        data, ext, truth_pages = var.born(canvases, rotation=90)
    elif variant == "embedded_scan":
        sk = round(rng.uniform(-1.0, 1.0), 2) if skew is None else skew
        opts = ScanOptions.random(rng, 0, sk, noise, dpi=150)
        data, ext, truth_pages = var.embedded(canvases, ident, LABELS[kind], rng, opts)
    else:
        opts = ScanOptions.random(rng, orientation, skew, noise, dpi)
        data, ext, truth_pages = var.scanned(variant, canvases, opts, rng)
    profile = ident.profile()
    truth = {
        "file": f"{kind}_{variant}.{ext}",
        "kind": kind,
        "variant": variant,
        "profile": profile,
        "pages": truth_pages,
    }
    return GeneratedDoc(data, ext, truth, profile, ident)


def schedule(
    n: int, kinds: tuple[str, ...] = KINDS, variants: tuple[str, ...] = VARIANTS
) -> list[tuple[str, str, int]]:
    """``n`` (kind, variant, orientation) triples that cover kinds, variants and orientations.

    Pair ``i`` takes variant ``i % V`` and kind ``(i // V + i % V) % K``, which walks the
    whole kind × variant product; scan variants cycle through the four orientations, shifted
    by one every round so that each scan format meets each orientation.
    """
    out: list[tuple[str, str, int]] = []
    nv, nk = len(variants), len(kinds)
    scans = 0
    for i in range(n):
        v = variants[i % nv]
        k = kinds[(i // nv + i % nv) % nk]
        o = 0
        if v in var.SCAN_VARIANTS:
            o = ORIENTATIONS[(scans + i // nv) % len(ORIENTATIONS)]
            scans += 1
        out.append((k, v, o))
    return out


def make_corpus(
    out_dir: str | Path,
    n: int,
    seed: int,
    kinds: tuple[str, ...] | None = None,
    variants: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """Write ``n`` documents, ``<stem>.truth.json`` beside each and ``profiles/<stem>.json``.

    Every ``DOCS_PER_APPLICANT`` consecutive documents share one applicant. Returns one summary
    record per file.
    """
    out = Path(out_dir)
    (out / "profiles").mkdir(parents=True, exist_ok=True)
    records: list[dict[str, Any]] = []
    ident: Identity | None = None
    for i, (kind, variant, orient) in enumerate(schedule(n, kinds or KINDS, variants or VARIANTS)):
        if i % DOCS_PER_APPLICANT == 0:
            ident = make_identity(random.Random(f"{seed}-applicant-{i // DOCS_PER_APPLICANT}"))
        rng = random.Random(f"{seed}-doc-{i}")
        doc = make_document(kind, variant, rng, ident, orientation=orient)
        stem = f"{i:03d}_{kind}_{variant}" + (f"_r{orient}" if variant in var.SCAN_VARIANTS else "")
        name = f"{stem}.{doc.ext}"
        doc.truth["file"] = name
        (out / name).write_bytes(doc.data)
        _write_json(out / f"{stem}.truth.json", doc.truth)
        _write_json(out / "profiles" / f"{stem}.json", doc.profile)
        records.append(
            {
                "file": name,
                "kind": kind,
                "variant": variant,
                "orientation": orient,
                "pages": len(doc.truth["pages"]),
                "entities": sum(len(p["entities"]) for p in doc.truth["pages"]),
                "marks": sum(len(p["marks"]) for p in doc.truth["pages"]),
                "bytes": len(doc.data),
            }
        )
    return records


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
