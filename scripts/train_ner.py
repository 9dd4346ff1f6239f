#!/usr/bin/env python3
"""Train the character CRF behind ``service.detect.ner.CrfNerDetector``.

    python scripts/train_ner.py [--c1 0.1] [--c2 0.01] [--max-iter 200] [--minfreq 2] [--seed 13]
                                [--no-final] [--out models/ner_crf/ner.crfsuite]

Data: the training parts of CLUENER2020, Chinese Resume NER and the MSRA subset
(scripts/ner_corpora.py; the last 1,000 sentences of every file are the validation split and
are never read here). The last 10 % of each training part is carved out as a dev set:

1. a CRF is trained on the remaining 90 % and the dev set picks the marginal-probability
   threshold of the detector's recall mode (printed; set ``RECALL_THRESHOLD`` in
   service/detect/ner.py to it) and gives the dev figures;
2. unless ``--no-final``, the CRF is retrained with the same settings on the whole training
   part and saved to ``--out``.

Features come from ``service.detect.ner.char_features`` (the very function the detector uses).
Some training sentences are also added with spaces inserted between characters (seeded), since
page text often has them. One process, L-BFGS with L1 + L2 (c1/c2) for a sparse model.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pycrfsuite  # noqa: E402

from scripts.evaluate_ner import Report, Row, evaluate, format_report  # noqa: E402
from scripts.ner_corpora import (  # noqa: E402
    COMPATIBLE,
    CORPORA,
    Sentence,
    bio_tags,
    read,
    split,
)
from service.detect.engine import DetectionEngine  # noqa: E402
from service.detect.ner import CrfNerDetector, char_features  # noqa: E402
from service.rules.policy import load_policy  # noqa: E402

DEV_SHARE = 0.1
#: the recall threshold is the one with the best mean dev recall whose worst precision (person,
#: organisation, place+address) stays above this (target 0.6, with a margin)
PRECISION_FLOOR = 0.62
THRESHOLDS: tuple[float | None, ...] = (None, 0.5, 0.3, 0.2, 0.15, 0.1)
#: the model learns one location label; the detector tells addresses from places afterwards
MERGE = {"address": "place"}


def with_spaces(text: str, tags: list[str], rng: random.Random) -> tuple[str, list[str]]:
    """A copy with spaces inserted between characters: everywhere (spaced-out text, as in
    form labels and names) or at a few random places. A space inside an entity is tagged I."""
    every = len(text) <= 30 or rng.random() < 0.3
    out_c: list[str] = []
    out_t: list[str] = []
    for i, (ch, tag) in enumerate(zip(text, tags, strict=True)):
        if i and (every or rng.random() < 0.08):
            nxt = tag if tag.startswith("I-") else "O"
            out_c.append(" ")
            out_t.append(nxt)
        out_c.append(ch)
        out_t.append(tag)
    return "".join(out_c), out_t


def build_items(
    sentences: list[Sentence], rng: random.Random, augment: float
) -> list[tuple[list[list[str]], list[str]]]:
    items = []
    for text, ents in sentences:
        tags = bio_tags(text, [(s, e, MERGE.get(c, c), lab) for s, e, c, lab in ents])
        items.append((char_features(text), tags))
        if augment and rng.random() < augment:
            t2, g2 = with_spaces(text, tags, rng)
            items.append((char_features(t2), g2))
    return items


def train(
    items: list[tuple[list[list[str]], list[str]]], out: Path, args: argparse.Namespace
) -> float:
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for xseq, yseq in items:
        trainer.append(xseq, yseq)
    trainer.set_params(
        {
            "c1": args.c1,
            "c2": args.c2,
            "max_iterations": args.max_iter,
            "feature.minfreq": args.minfreq,
            "feature.possible_transitions": True,
        }
    )
    t0 = time.perf_counter()
    trainer.train(str(out))
    took = time.perf_counter() - t0
    last = trainer.logparser.last_iteration or {}
    print(
        f"  trained in {took:.0f}s, {last.get('num', '?')} iterations, "
        f"{last.get('active_features', '?')} active features, "
        f"model {out.stat().st_size / 1e6:.1f} MB",
        flush=True,
    )
    return took


def dev_reports(model: Path, dev: dict[str, list[Sentence]], threshold: float | None) -> Report:
    engine = DetectionEngine(
        [CrfNerDetector(model, recall_threshold=threshold)], load_policy("default")
    )

    def predict(text: str) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.category) for s in engine.detect(text)]

    total = Report()
    for corpus, sentences in dev.items():
        rep = evaluate(sentences, COMPATIBLE[corpus], predict)
        total.add(rep)
        if threshold is None:
            print(format_report(f"dev {corpus} threshold={threshold}", rep))
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "ner_crf" / "ner.crfsuite")
    ap.add_argument("--c1", type=float, default=0.03)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--max-iter", type=int, default=200)
    ap.add_argument("--minfreq", type=float, default=2)
    ap.add_argument("--augment", type=float, default=0.15, help="share of sentences added with spaces")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--no-final", action="store_true", help="stop after the dev run")
    ap.add_argument("--keep-dev", type=Path, help="also save the dev-run model here")
    args = ap.parse_args(argv)

    random.seed(args.seed)
    fit: list[Sentence] = []
    full: list[Sentence] = []
    dev: dict[str, list[Sentence]] = {}
    for corpus in CORPORA:
        train_part, _validation = split(read(corpus))  # validation is never touched here
        n_dev = int(len(train_part) * DEV_SHARE)
        fit += train_part[:-n_dev]
        dev[corpus] = train_part[-n_dev:]
        full += train_part
        print(f"{corpus}: {len(train_part)} training sentences ({n_dev} dev)", flush=True)

    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        dev_model = Path(tmp) / "dev.crfsuite"
        t0 = time.perf_counter()
        items = build_items(fit, random.Random(args.seed), args.augment)
        print(f"[1/2] dev run: {len(items)} sequences, features in {time.perf_counter() - t0:.0f}s",
              flush=True)
        train(items, dev_model, args)
        del items
        if args.keep_dev:
            args.keep_dev.write_bytes(dev_model.read_bytes())
        best: tuple[float, float | None] = (-1.0, None)
        for thr in THRESHOLDS:
            rep = dev_reports(dev_model, dev, thr)
            loc = Row()
            for c in ("place", "address"):
                r = rep.rows[c]
                loc.gold, loc.found = loc.gold + r.gold, loc.found + r.found
                loc.predicted, loc.correct = loc.predicted + r.predicted, loc.correct + r.correct
            rows = [rep.rows["person"], rep.rows["organization"], loc]
            recall = sum(r.recall for r in rows) / len(rows)
            worst_p = min(r.precision for r in rows)
            print(format_report(f"dev all corpora, threshold={thr}", rep))
            print(f"  mean recall {recall:.3f}, worst precision {worst_p:.3f}", flush=True)
            if worst_p >= PRECISION_FLOOR and recall > best[0] + 0.002:
                best = (recall, thr)
        print(f"chosen recall threshold: {best[1]} (mean dev recall {best[0]:.3f})", flush=True)

    if not args.no_final:
        items = build_items(full, random.Random(args.seed), args.augment)
        print(f"[2/2] final run: {len(items)} sequences", flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp_out = args.out.with_suffix(".tmp")
        train(items, tmp_out, args)
        tmp_out.replace(args.out)
        print(f"saved {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    print(f"total {time.perf_counter() - t_all:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
