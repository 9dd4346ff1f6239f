#!/usr/bin/env python3
"""Recall, false positives and speed of the signature detector on generated pages.

* recall: signatures (styles ``cursive``, ``cjk``, ``latin``, ``initials``; black, blue-black and
  blue inks; raster or vector) in form fields next to labels and among print without a label;
  a signature is found when detected regions cover at least :data:`FOUND_COVER` of its box;
* false positives: regions on pages of print (paragraphs, tables, line and bar charts, formulas,
  flow charts) and on forms whose fields hold printed names;
* time: seconds per page for ``detect`` on 200-dpi A4 scans (median).

Half the pages are born-digital rasters (100–200 dpi), half scans (tint, noise, blur, JPEG,
skew, quarter turns) with OCR-like text boxes and junk read from the scrawl — or, with
``--ocr``, what the pipeline's recogniser really reads (it reads initials and Latin scrawl as
letters, often with full confidence).

    python scripts/signature_sweep.py [--signatures 100] [--text-pages 20] [--seed 1] [--ocr]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from scripts.corpus.handwriting import INKS, STYLES  # noqa: E402
from scripts.signature_pages import (  # noqa: E402
    GeneratedPage,
    ScanLook,
    form_sheet,
    print_with_handwriting,
    render,
    text_sheet,
)
from service.detect.marks.base import MarkPage  # noqa: E402
from service.detect.marks.signatures import SignatureDetector  # noqa: E402
from service.types import BBox, Char, PageText, Region  # noqa: E402

FOUND_COVER = 0.7
EXTRAS = ("table", "chart", "bars", "formula", "flow")


def coverage(truth: BBox, regions: list[Region]) -> float:
    """Share of ``truth`` under the regions (boxes assumed not to overlap much)."""
    got = sum(truth.intersection(r.bbox).area for r in regions if truth.intersects(r.bbox))
    return min(1.0, got / max(truth.area, 1e-6))


Reader = Callable[[np.ndarray], tuple[PageText, int]]


def make_page(i: int, rng: random.Random, kind: str, ocr: Reader | None = None) -> GeneratedPage:
    style, ink = STYLES[(i + i // 4) % len(STYLES)], tuple(INKS)[(i // 3) % len(INKS)]
    scanned = i % 2 == 1
    vector = not scanned and i % 4 == 0
    if kind == "form":
        sh = form_sheet(rng, "sign", style, ink, vector)
    elif kind == "free":
        sh = print_with_handwriting(rng, style, ink, vector)
    elif kind == "printed":
        sh = form_sheet(rng, "print")
    else:
        sh = text_sheet(rng, tuple(e for e in EXTRAS if rng.random() < 0.5))
    look = ScanLook.random(rng, (0, 90, 180, 270)[(i // 2) % 4]) if scanned else None
    dpi = 200 if scanned else rng.choice((100, 150, 200))
    tp = render(sh, dpi, look, ocr=scanned, rng=rng, kind=kind)
    if scanned and ocr is not None:  # what the recogniser really reads, orientation included
        tp.text, tp.orientation = ocr(tp.image)
    return tp


def rapid_ocr() -> Reader:
    """The pipeline's recogniser (PP-OCR through rapidocr), as page text in raster pixels."""
    from service.ocr.rapid import RapidOcrEngine

    engine = RapidOcrEngine()

    def read(image: np.ndarray) -> tuple[PageText, int]:
        page = engine.read(image)
        chars: list[Char] = []
        for line in page.lines:
            chars += [Char(c.text, c.bbox, c.conf, "ocr") for c in line.chars]
            chars.append(Char("\n", None, 1.0, "ocr"))
        return PageText(tuple(chars)), page.orientation

    return read


def run(args: argparse.Namespace) -> None:
    det = SignatureDetector()
    rng = random.Random(args.seed)
    ocr = rapid_ocr() if args.ocr else None
    found: dict[str, list[bool]] = defaultdict(list)
    fp: dict[str, list[int]] = defaultdict(list)
    times: list[float] = []
    n_sig = 0
    i = 0
    while n_sig < args.signatures:
        kind = "form" if i % 4 < 2 else "free"
        tp = make_page(i, rng, kind, ocr)
        regions = _detect(det, tp, times)
        for t in tp.truth:
            ok = coverage(t, regions) >= FOUND_COVER
            found[kind].append(ok)
            found[f"style {STYLES[(i + i // 4) % len(STYLES)]}"].append(ok)
            found["scan" if i % 2 else "born-digital"].append(ok)
            n_sig += 1
        fp[kind].append(sum(1 for r in regions if not any(r.bbox.intersects(t) for t in tp.truth)))
        i += 1
    for j in range(args.text_pages):
        for kind in ("text", "printed"):
            tp = make_page(j, rng, kind, ocr)
            fp[kind].append(len(_detect(det, tp, times)))
    print(f"recall (found = ≥{FOUND_COVER:.0%} of the signature box covered):")
    for k, v in sorted(found.items()):
        print(f"  {k:22s} {sum(v):3d}/{len(v):3d} = {sum(v) / len(v):.2f}")
    allv = [int(x) for k, v in found.items() if k in ("form", "free") for x in v]
    print(f"  {'all':22s} {sum(allv):3d}/{len(allv):3d} = {sum(allv) / len(allv):.2f}")
    print("false-positive regions per page:")
    for k, n in sorted(fp.items()):
        print(f"  {k:22s} {sum(n) / len(n):.3f} ({sum(n)} on {len(n)} pages)")
    print(f"time per 200-dpi scan: median {statistics.median(times):.3f} s, max {max(times):.3f} s")


def _detect(det: SignatureDetector, tp: GeneratedPage, times: list[float]) -> list[Region]:
    page = MarkPage(tp.image, tp.dpi, tp.orientation, tp.text)
    t0 = time.perf_counter()
    regions = det.detect(page)
    if tp.dpi == 200 and tp.text.chars and tp.text.chars[0].source == "ocr":
        times.append(time.perf_counter() - t0)
    return regions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--signatures", type=int, default=100)
    ap.add_argument("--text-pages", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ocr", action="store_true",
                    help="read scans with the real recogniser instead of imitated OCR boxes (slow)")
    run(ap.parse_args())


if __name__ == "__main__":
    main()
