"""Write a synthetic corpus of application materials with ground truth.

python scripts/make_corpus.py --out corpus --n 40 --seed 7
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

import argparse  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

from scripts.corpus import KINDS, VARIANTS, make_corpus  # noqa: E402


def _choices(value: str | None, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    if not value:
        return allowed
    got = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [v for v in got if v not in allowed]
    if bad:
        raise SystemExit(f"unknown {what}: {', '.join(bad)} (choose from {', '.join(allowed)})")
    return got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", default="corpus", help="output folder (default: corpus)")
    ap.add_argument("--n", type=int, default=40, help="number of documents (default: 40)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    ap.add_argument("--kinds", help=f"comma-separated subset of: {', '.join(KINDS)}")
    ap.add_argument("--variants", help=f"comma-separated subset of: {', '.join(VARIANTS)}")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("--n must be at least 1")
    kinds = _choices(args.kinds, KINDS, "kinds")
    variants = _choices(args.variants, VARIANTS, "variants")
    t0 = time.perf_counter()
    records = make_corpus(args.out, args.n, args.seed, kinds, variants)
    secs = time.perf_counter() - t0
    orient = Counter(r["orientation"] for r in records if r["variant"].startswith("scan_"))
    pages = sum(r["pages"] for r in records)
    entities = sum(r["entities"] for r in records)
    marks = sum(r["marks"] for r in records)
    print(
        f"wrote {len(records)} documents ({pages} pages, {entities} entities, {marks} marks) "
        f"to {args.out} in {secs:.1f} s: {len({r['kind'] for r in records})} kinds, "
        f"{len({r['variant'] for r in records})} variants, scan orientations "
        + ", ".join(f"{k}°×{v}" for k, v in sorted(orient.items()))
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
