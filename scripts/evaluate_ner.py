#!/usr/bin/env python3
"""Text-mode NER evaluation on the held-out validation split of the public corpora.

    python scripts/evaluate_ner.py [--corpus cluener|resume|msra|all] [--split validation|train]
                                   [--detectors crf|all] [--policy default] [--show N]

For every sentence the detectors run on its text (``crf``: only the CRF detector behind the
policy's filters; ``all``: the whole engine, ``build_engine(None, policy)``). Per category:

* a gold entity is FOUND when predicted spans of a compatible category cover ≥ 90 % of its
  characters (CLUENER name→person, organization/company/government→organization,
  address→{address, place}; Resume NAME→person, ORG→organization, LOC→{place, address};
  MSRA PER→person, ORG→organization, LOC→{place, address});
* a predicted span is CORRECT when ≥ 50 % of its characters lie inside gold entities of a
  compatible category. Predicted spans nested inside a larger predicted span of another
  category are dropped first (they do not change the mask).

The validation split is the last 1,000 sentences of each file (scripts/ner_corpora.py); it is
only ever used here, for the final figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.ner_corpora import COMPATIBLE, CORPORA, Entity, Sentence, read, split  # noqa: E402

OUR_CATEGORIES = ("person", "organization", "place", "address")
FOUND_COVER = 0.9
CORRECT_INSIDE = 0.5

Pred = tuple[int, int, str]  # start, end (exclusive), category


@dataclass
class Row:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else float("nan")


@dataclass
class Report:
    rows: dict[str, Row] = field(default_factory=lambda: {c: Row() for c in OUR_CATEGORIES})
    chars: int = 0
    seconds: float = 0.0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # text, entity, label
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)  # text, span, cat

    def add(self, other: Report) -> None:
        for c, r in other.rows.items():
            mine = self.rows.setdefault(c, Row())
            mine.gold += r.gold
            mine.found += r.found
            mine.predicted += r.predicted
            mine.correct += r.correct
        self.chars += other.chars
        self.seconds += other.seconds


def drop_nested(preds: list[Pred]) -> list[Pred]:
    """Drop spans lying entirely inside a larger predicted span of another category."""
    out = []
    for p in preds:
        s, e, c = p
        if any(
            q[2] != c and q[0] <= s and e <= q[1] and (q[1] - q[0]) > (e - s) for q in preds
        ):
            continue
        out.append(p)
    return out


def score_sentence(
    text: str,
    gold: list[Entity],
    preds: Iterable[Pred],
    compatible: dict[str, frozenset[str]],
    report: Report,
    keep_examples: bool = False,
) -> None:
    """Add one sentence's counts to ``report``."""
    preds = [p for p in preds if p[2] in OUR_CATEGORIES]
    # recall: per gold entity of one of our categories
    for start, end, cat, label in gold:
        ok_cats = compatible.get(label)
        if cat == "O" or not ok_cats:
            continue
        row = report.rows.setdefault(cat, Row())
        row.gold += 1
        covered = [False] * (end - start)
        for s, e, c in preds:
            if c in ok_cats:
                for k in range(max(s, start), min(e, end)):
                    covered[k - start] = True
        if sum(covered) >= FOUND_COVER * (end - start):
            row.found += 1
        elif keep_examples:
            report.misses.append((text, text[start:end], label))
    # precision: per predicted span (nested spans of another category dropped)
    for s, e, c in drop_nested(preds):
        row = report.rows.setdefault(c, Row())
        row.predicted += 1
        inside = [False] * (e - s)
        for gs, ge, _gc, label in gold:
            if c in compatible.get(label, frozenset()):
                for k in range(max(s, gs), min(e, ge)):
                    inside[k - s] = True
        if sum(inside) >= CORRECT_INSIDE * (e - s):
            row.correct += 1
        elif keep_examples:
            report.false_positives.append((text, text[s:e], c))


def evaluate(
    sentences: list[Sentence],
    compatible: dict[str, frozenset[str]],
    predict: Callable[[str], list[Pred]],
    keep_examples: bool = False,
) -> Report:
    report = Report()
    t0 = time.perf_counter()
    for text, gold in sentences:
        score_sentence(text, gold, predict(text), compatible, report, keep_examples)
        report.chars += len(text)
    report.seconds = time.perf_counter() - t0
    return report


def format_report(name: str, report: Report) -> str:
    lines = [
        f"== {name}: {report.chars} chars, {report.chars / max(report.seconds, 1e-9):,.0f} chars/s",
        f"{'category':<14}{'gold':>6}{'found':>7}{'recall':>8}{'pred':>7}{'correct':>8}{'prec':>7}",
    ]
    for cat, r in report.rows.items():
        if not (r.gold or r.predicted):
            continue
        lines.append(
            f"{cat:<14}{r.gold:>6}{r.found:>7}{r.recall:>8.3f}{r.predicted:>7}{r.correct:>8}"
            f"{r.precision:>7.3f}"
        )
    return "\n".join(lines)


def make_predictor(detectors: str, policy: str) -> Callable[[str], list[Pred]]:
    from service.detect.engine import DetectionEngine, build_engine
    from service.rules.policy import load_policy

    if detectors == "all":
        engine = build_engine(None, policy)
    else:
        from service.detect.ner import CrfNerDetector

        engine = DetectionEngine([CrfNerDetector()], load_policy(policy))

    def predict(text: str) -> list[Pred]:
        return [(s.start, s.end, s.category) for s in engine.detect(text)]

    return predict


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", choices=[*CORPORA, "all"], default="all")
    ap.add_argument("--split", choices=["validation", "train"], default="validation")
    ap.add_argument("--detectors", choices=["crf", "all"], default="crf")
    ap.add_argument("--policy", default="default")
    ap.add_argument("--show", type=int, default=0, help="print up to N misses and false positives")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    predict = make_predictor(args.detectors, args.policy)
    predict("预热")  # load the models before timing
    print(f"detectors={args.detectors} policy={args.policy} loaded in {time.perf_counter() - t0:.2f}s")
    total = Report()
    for corpus in CORPORA if args.corpus == "all" else (args.corpus,):
        train, validation = split(read(corpus))
        sentences = validation if args.split == "validation" else train
        report = evaluate(sentences, COMPATIBLE[corpus], predict, keep_examples=args.show > 0)
        print(format_report(f"{corpus} / {args.split} ({len(sentences)} sentences)", report))
        if args.show:
            print("-- misses (entity | label | sentence)")
            for text, ent, label in report.misses[: args.show]:
                print(f"   {ent} | {label} | {text}")
            print("-- false positives (span | category | sentence)")
            for text, span, cat in report.false_positives[: args.show]:
                print(f"   {span} | {cat} | {text}")
        total.add(report)
    if args.corpus == "all":
        print(format_report("all corpora", total))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
