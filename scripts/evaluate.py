#!/usr/bin/env python3
"""Run ``redact`` over a generated corpus and print recall, over-redaction, leaks and speed.

    python scripts/evaluate.py [--corpus corpus] [--n 40] [--seed 7] [--jobs N] [--no-profile]
    python scripts/evaluate.py --text [--ner-corpus cluener|resume|msra|all] [--policy P] [--show N]
    python scripts/evaluate.py --realdocs [DIR] [--out OUT] [--jobs N] [--show] [--png PNGDIR] [--reuse]
                               [--only 05_,12_]
    python scripts/evaluate.py --realdocs [DIR] --locate

Generates the corpus first when the folder holds none (scripts/make_corpus.py). For every file
it runs the real pipeline with the file's applicant profile (``--no-profile``: without one, the
measure of generic detection), then scores the masks against the ground truth: per-category recall (an entity is masked when masks cover ≥ 90 % of its box), in
the scope of issue #2 (every profile identity + phone, ID number, email, postal code) and over
all entities; over-redaction (share of must-stay-readable items masked); text-layer leaks
(masked strings still extractable from the blind PDF); metadata leaks; geometry changes; and
pages per second.

``--text`` runs the text mode instead: ``detect-text``'s engine over the validation split (the
last 1,000 sentences) of the NER corpora in ../shared/data/ner (scripts/evaluate_ner.py).

``--realdocs`` runs the tool on the real development set (default ../shared/data/realdocs, 31
images + checklist.yaml) and scores it against the checklist (scripts/realdocs/report.py): a
must-mask item is masked when ≥ 80 % of its boxes on the original turned black in the blind
copy, a must-keep label is readable when ≤ 30 % of its boxes (outside must-mask items) did;
boxes come from the committed scripts/realdocs_boxes.yaml (OCR-found or hand-drawn; ``--locate``
re-proposes the OCR ones). Reports released/failed files with exit codes, must-mask recall per
category (certain and uncertain apart), must-keep readable share, unlocated items; ``--show``
lists every miss and every over-masked label with the manifest rules of the masks over it;
``--png`` writes side-by-side pictures; ``--reuse`` scores the outputs already in ``--out``
(default realdocs-out/).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pymupdf  # noqa: E402
from PIL import Image  # noqa: E402

from scripts.corpus import make_corpus  # noqa: E402
from scripts.corpus.data import shared_data_dir  # noqa: E402
from scripts.scoring import Tally, in_issue2_scope  # noqa: E402
from service.config import Options  # noqa: E402
from service.pipeline.pool import PagePool  # noqa: E402
from service.pipeline.run import redact_document  # noqa: E402
from service.profile import Profile  # noqa: E402


def _geometry(src: Path, blind: Path) -> list[tuple[float, float]]:
    if src.suffix == ".pdf":
        with pymupdf.open(src) as d:
            return [(p.rect.width, p.rect.height) for p in d]
    with Image.open(src) as im:
        return [im.size for _ in range(getattr(im, "n_frames", 1))]


def _text_leaks(blind: Path, truth: dict, with_profile: bool) -> int:
    if blind.suffix != ".pdf":
        return 0
    with pymupdf.open(blind) as d:
        body = "".join("".join(p.get_text().split()) for p in d)
    return sum(
        1
        for page in truth["pages"]
        for e in page["entities"]
        if (in_issue2_scope(e) or not with_profile) and len(e["text"]) >= 2 and "".join(e["text"].split()) in body
    )


def evaluate(corpus: Path, out: Path, jobs: int, with_profile: bool = True, policy: str = "default") -> None:
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".pdf", ".jpg", ".png", ".tif"))
    scope2, everything = Tally(), Tally()
    leaks = meta_leaks = geometry_changes = failures = pages = 0
    exit_codes: Counter[int] = Counter()
    t0 = time.perf_counter()
    with PagePool(jobs) as pool:
        for src in files:
            truth = json.loads((corpus / f"{src.stem}.truth.json").read_text(encoding="utf-8"))
            profile = (
                Profile.model_validate_json((corpus / "profiles" / f"{src.stem}.json").read_text("utf-8"))
                if with_profile
                else Profile()
            )
            result = redact_document(src, out, Options(profile=profile, jobs=jobs, policy=policy), pool)
            exit_codes[result.exit_code] += 1
            pages += len(truth["pages"])
            if result.exit_code != 0 or result.output_name is None:
                failures += 1
                print(f"  {src.name}: exit {result.exit_code}: {result.error}")
                continue
            blind = out / result.output_name
            for page, ptruth in zip(result.pages, truth["pages"], strict=True):
                masks = [r.bbox for r in page.regions]
                where = f"{src.stem} p{page.index}"
                scope2.add_page(ptruth, masks, "issue2", where)
                everything.add_page(ptruth, masks, "all", where)
                everything.add_marks(ptruth, page.regions, where)
            leaks += _text_leaks(blind, truth, with_profile)
            meta_leaks += 0 if result.verification.metadata_clean else 1
            geometry_changes += _geometry(src, blind) != _geometry(blind, blind)
    secs = time.perf_counter() - t0
    print(f"profile: {'the applicant profile of each file' if with_profile else 'none (generic detection)'}")
    _print(scope2, everything, leaks, meta_leaks, geometry_changes, failures, len(files), pages, secs, exit_codes)


def _print(scope2: Tally, everything: Tally, leaks: int, meta: int, geom: int, failures: int,
           nfiles: int, pages: int, secs: float, codes: Counter[int]) -> None:
    print(f"\n{nfiles} files, {pages} pages, exit codes {dict(codes)}")
    print("\nissue #2 scope (profile identities + phone, id_number, email, postal_code):")
    print(f"  {'category':<14}{'found':>7}{'total':>7}{'recall':>9}")
    for cat in sorted(scope2.total):
        print(f"  {cat:<14}{scope2.found.get(cat, 0):>7}{scope2.total[cat]:>7}{scope2.recall(cat):>9.3f}")
    print(f"  {'ALL':<14}{sum(scope2.found.values()):>7}{sum(scope2.total.values()):>7}{scope2.overall:>9.3f}")
    print("\nall entities (incl. generic names/units/places of issue #3):")
    for cat in sorted(everything.total):
        print(f"  {cat:<14}{everything.found.get(cat, 0):>7}{everything.total[cat]:>7}{everything.recall(cat):>9.3f}")
    if everything.form_total:
        print("\nprinted forms (hidden numbers, card numbers, pinyin names in capitals):")
        for form in sorted(everything.form_total):
            found, total = everything.form_found.get(form, 0), everything.form_total[form]
            print(f"  {form:<20}{found:>7}{total:>7}{found / total:>9.3f}")
    print("\nmarks (masked when masks cover ≥ 90 % of the mark; false = a mark region on no true mark):")
    print(f"  {'category':<14}{'found':>7}{'total':>7}{'recall':>9}{'false':>7}")
    for cat in ("face", "seal", "signature", "qrcode"):
        print(f"  {cat:<14}{everything.mark_found.get(cat, 0):>7}{everything.mark_total.get(cat, 0):>7}"
              f"{everything.mark_recall(cat):>9.3f}{everything.mark_false.get(cat, 0):>7}")
    print(f"\nover-redaction: {everything.keep_masked}/{everything.keep_total} must-stay-readable items masked "
          f"({everything.over_redaction:.1%})")
    print(f"text-layer leaks: {leaks} · metadata leaks: {meta} · geometry changes: {geom} · "
          f"failed files: {failures}")
    print(f"speed: {pages / secs:.2f} pages/s ({secs / max(pages, 1):.2f} s/page, {secs:.0f} s)")
    if scope2.misses:
        print("issue #2 misses:", ", ".join(scope2.misses[:30]))
    if everything.misses:
        print("all misses:", ", ".join(everything.misses[:60]))
    if everything.mark_misses:
        print("mark misses:", ", ".join(everything.mark_misses[:30]))
    if everything.mark_false_where:
        print("false marks:", ", ".join(everything.mark_false_where[:30]))
    if everything.over:
        print("over-redacted:", " | ".join(everything.over[:30]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-profile", action="store_true", help="redact without the applicant profile")
    ap.add_argument("--text", action="store_true", help="text mode over the NER corpora' validation splits")
    ap.add_argument("--policy", default="default", help="policy name or path (both modes)")
    ap.add_argument("--ner-corpus", default="all", choices=("cluener", "resume", "msra", "all"))
    ap.add_argument("--show", type=int, nargs="?", const=10**6, default=0,
                    help="text mode: print N misses / false positives; realdocs: list misses and over-masks")
    ap.add_argument("--realdocs", type=Path, nargs="?", const=shared_data_dir() / "realdocs", default=None,
                    help="score the real development set (default ../shared/data/realdocs)")
    ap.add_argument("--locate", action="store_true", help="realdocs: re-propose the OCR boxes of the items")
    ap.add_argument("--reuse", action="store_true", help="realdocs: score the outputs already in --out")
    ap.add_argument("--png", type=Path, default=None, help="realdocs: write side-by-side PNGs here")
    ap.add_argument("--only", default="", help="realdocs: only files whose names contain one of these "
                    "comma-separated strings (e.g. 05_,12_)")
    args = ap.parse_args()
    if args.realdocs is not None:
        from scripts.realdocs import report

        if args.locate:
            report.locate_main(args.realdocs)
            return
        report.evaluate(args.realdocs, args.out or ROOT / "realdocs-out", args.jobs, args.policy,
                        reuse=args.reuse, show=bool(args.show), png=args.png,
                        only=tuple(o for o in args.only.split(",") if o))
        return
    if args.text:
        from scripts import evaluate_ner

        evaluate_ner.main(["--corpus", args.ner_corpus, "--detectors", "all", "--policy", args.policy,
                           "--show", str(args.show)])
        return
    if not any(args.corpus.glob("*.truth.json")):
        make_corpus(args.corpus, args.n, args.seed)
    evaluate(args.corpus, args.out or args.corpus.parent / (args.corpus.name + "-out"), args.jobs,
             with_profile=not args.no_profile, policy=args.policy)


if __name__ == "__main__":
    main()
