#!/usr/bin/env python3
"""Choose the NER detector's recall thresholds on the dev carve-out and write them to ner.json.

    python scripts/tune_ner.py [--model models/ner_cnn/ner.onnx] [--floor 0.8] [--dry-run]

The dev carve-out is the one ``scripts/train_ner_cnn.py`` leaves out of training (the last 5 %
of each corpus's training part, at most 500 sentences, plus 500 generated sentences; same seed
and count as the training run). For every candidate threshold the detector runs alone behind
the default policy (``scripts/evaluate_ner.py`` scoring); per model category (person,
organization, place = place + address) the chosen threshold is the lowest one whose dev
precision — pooled, and on each of the CLUENER, Resume, MSRA and generated dev sets — stays
≥ ``--floor`` (the validation split is never read here).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.evaluate_ner import Report, Row, evaluate, format_report  # noqa: E402
from scripts.ner_corpora import COMPATIBLE  # noqa: E402
from scripts.ner_generated import load_parts  # noqa: E402
from service.detect.engine import DetectionEngine  # noqa: E402
from service.detect.ner import MODEL_CATEGORIES, NerDetector, model_path  # noqa: E402
from service.rules.policy import load_policy  # noqa: E402

#: the dev corpora whose precision must each stay above the floor
WORST_OF = ("cluener", "resume", "msra", "generated")
MIN_PREDICTED = 20
CANDIDATES = (0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05)


def dev_report(
    det: NerDetector, dev: dict, threshold: float, verbose: bool
) -> tuple[Report, dict[str, Report]]:
    det.thresholds = {c: threshold for c in MODEL_CATEGORIES}  # the network output is cached
    engine = DetectionEngine([det], load_policy("default"))

    def predict(text: str) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.category) for s in engine.detect(text)]

    total = Report()
    per: dict[str, Report] = {}
    for corpus, sentences in dev.items():
        rep = evaluate(sentences, COMPATIBLE[corpus], predict)
        if verbose:
            print(format_report(f"dev {corpus}, threshold {threshold}", rep))
        total.add(rep)
        per[corpus] = rep
    return total, per


def rows(rep: Report) -> dict[str, Row]:
    loc = Row()
    for c in ("place", "address"):
        r = rep.rows[c]
        loc.gold, loc.found = loc.gold + r.gold, loc.found + r.found
        loc.predicted, loc.correct = loc.predicted + r.predicted, loc.correct + r.correct
    return {"person": rep.rows["person"], "organization": rep.rows["organization"], "place": loc}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--model", type=Path, default=model_path())
    ap.add_argument("--floor", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--generated", type=int, default=20000)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="print every dev corpus")
    args = ap.parse_args(argv)
    _fit, dev = load_parts(args.seed, args.generated)
    chosen = {c: CANDIDATES[0] for c in MODEL_CATEGORIES}
    table: dict[str, list[tuple[float, float, float]]] = {c: [] for c in MODEL_CATEGORIES}
    det = NerDetector(args.model)
    for thr in CANDIDATES:
        rep, per = dev_report(det, dev, thr, verbose=args.verbose)
        print(format_report(f"dev pooled, threshold {thr}", rep), flush=True)
        for cat, r in rows(rep).items():
            # the worst precision over the corpora with acceptance figures and the generated
            # lines (a corpus with fewer than MIN_PREDICTED spans of the category is skipped)
            worst = min(
                (
                    x.precision
                    for c in WORST_OF
                    if (x := rows(per[c])[cat]).predicted >= MIN_PREDICTED
                ),
                default=r.precision,
            )
            table[cat].append((thr, r.recall, min(r.precision, worst)))
            if min(r.precision, worst) >= args.floor:
                chosen[cat] = thr
    for cat, entries in table.items():
        print(cat, " ".join(f"{t}: R {r:.3f} worst P {p:.3f}" for t, r, p in entries))
    print("chosen thresholds:", chosen)
    if not args.dry_run:
        meta_path = args.model.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["thresholds"] = chosen
        meta["threshold_floor"] = args.floor
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"written to {meta_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
