"""``evaluate.py --realdocs``: run the tool on the realdocs set and report against the checklist.

Rules (also in the ``--help`` of evaluate.py):

* every image is redacted by the real pipeline (``redact_document``, no profile, the policy
  given, default ``default``); exit codes and the one-line errors are reported;
* items are located on the ORIGINAL image by the committed boxes file
  (scripts/realdocs_boxes.yaml, see :mod:`scripts.realdocs.locate`); an item missing from it is
  searched in the OCR text at run time and flagged "located at run time"; an item found neither
  way, or whose box was recorded for another checklist text, is reported as *unlocated* and
  counted in no figure (never silently dropped);
* masked pixels are those the blind copy turned black (:mod:`scripts.realdocs.masks`); a
  must-mask item is masked when ≥ 80 % of its boxes is masked, a must-keep label is readable
  when ≤ 30 % of its boxes is masked (:mod:`scripts.realdocs.score`);
* items of a file that was not released are not scored: they are listed with the failure;
* recall is per category, certain and ``uncertain: true`` items apart, and overall (certain).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scripts.corpus.data import shared_data_dir
from scripts.realdocs.checklist import Doc, Item, load
from scripts.realdocs.locate import (
    Located,
    load_boxes,
    locate_by_text,
    ocr_chars,
    save_boxes,
    short,
)
from scripts.realdocs.masks import load_rgb, masked_pixels
from scripts.realdocs.run import Outcome, run_all
from scripts.realdocs.score import Scored, manifest_regions, score_items

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = shared_data_dir() / "realdocs"
BOXES = ROOT / "scripts" / "realdocs_boxes.yaml"
OCR_CACHE = Path.home() / ".cache" / "mangshen-realdocs"


@dataclass
class Tallies:
    scored: list[Scored] = field(default_factory=list)
    unlocated: list[Item] = field(default_factory=list)
    absent: list[Item] = field(default_factory=list)  # annotated: not on the image
    runtime_located: list[Item] = field(default_factory=list)
    unscored: list[tuple[Item, str]] = field(default_factory=list)  # items of failed files
    #: released files with nothing to mask: (file, masked share of the page, rule counts)
    negatives: list[tuple[str, float, Counter[str]]] = field(default_factory=list)


def locate_all(docs: list[Doc], images: Path, boxes_path: Path, *, refresh: bool,
               search: bool = True) -> dict[str, dict[str, Located]]:
    """The committed boxes, completed (``refresh``: re-proposed for every ``ocr`` entry) by a
    text search of the OCR of each original (``search=False``: the committed boxes only); hand
    boxes are never replaced."""
    boxes = load_boxes(boxes_path)
    for doc in docs if search else []:
        have = boxes.setdefault(doc.file, {})
        todo = [it for it in doc.items if it.parts and (refresh or it.key not in have)
                and (it.key not in have or have[it.key].source == "ocr")]
        if not todo:
            continue
        hand = frozenset(k for k, v in have.items() if v.source != "ocr")
        found = locate_by_text(doc, ocr_chars(images / doc.file, OCR_CACHE), hand)
        for it in todo:
            if it.key in found:
                have[it.key] = found[it.key]
            elif refresh and it.key in have and have[it.key].source == "ocr":
                del have[it.key]
    return boxes


def evaluate(args_dir: Path, out: Path, jobs: int, policy: str, *, reuse: bool, show: bool,
             png: Path | None, boxes_path: Path = BOXES, ocr: bool = True,
             only: tuple[str, ...] = ()) -> Tallies:
    """Run (or with ``reuse`` read back) every file, score it and print the report; ``ocr=False``
    scores on the committed boxes only (items without one are unlocated); ``only``: the files
    whose names contain one of these strings."""
    docs = [d for d in load(args_dir / "checklist.yaml") if not only or any(o in d.file for o in only)]
    images = args_dir / "images"
    committed = load_boxes(boxes_path)
    located = locate_all(docs, images, boxes_path, refresh=False, search=ocr)
    outcomes = run_all([images / d.file for d in docs], out, jobs, policy, reuse)
    t = Tallies()
    for doc, oc in zip(docs, outcomes, strict=True):
        loc = located.get(doc.file, {})
        for it in doc.items:
            if it.key in loc and loc[it.key].text != short(it):  # the checklist changed under it
                del loc[it.key]
            if it.key not in loc:
                t.unlocated.append(it)
            elif loc[it.key].source == "absent":
                t.absent.append(it)
            elif it.key not in committed.get(doc.file, {}):
                t.runtime_located.append(it)
        if oc.exit_code != 0 or oc.blind is None:
            t.unscored += [(it, f"exit {oc.exit_code}") for it in doc.items if it.key in loc and loc[it.key].boxes]
            continue
        original, blind = load_rgb(images / doc.file), load_rgb(out / oc.blind)
        if original.shape != blind.shape:  # a released copy of another size: a defect, not a score
            t.unscored += [(it, "blind copy has another size") for it in doc.items
                           if it.key in loc and loc[it.key].boxes]
            print(f"  {doc.file}: the blind copy is {blind.shape[1]}×{blind.shape[0]}, the original "
                  f"{original.shape[1]}×{original.shape[0]}: not scored", file=sys.stderr)
            continue
        regions = manifest_regions(out / oc.manifest if oc.manifest else None)
        mask = masked_pixels(original, blind, [b for b, _ in regions])
        scored = score_items(list(doc.items), loc, mask, regions)
        t.scored += scored
        if not any(it.kind == "mask" for it in doc.items):
            t.negatives.append((doc.file, float(mask.mean()), Counter(rule for _, rule in regions)))
        if png is not None:
            from scripts.realdocs.render import side_by_side

            side_by_side(original, blind, scored, png / f"{Path(doc.file).stem}.png")
    print_report(t, outcomes, policy, show)
    return t


def _pct(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def print_report(t: Tallies, outcomes: list[Outcome], policy: str, show: bool) -> None:
    released = [o for o in outcomes if o.exit_code == 0]
    print(f"realdocs: {len(outcomes)} files, policy {policy}, no profile; "
          f"released {len(released)}, failed {len(outcomes) - len(released)}")
    for o in outcomes:
        if o.exit_code != 0:
            print(f"  FAILED {o.file}: exit {o.exit_code}: {o.error}")
    masks = [s for s in t.scored if s.item.kind == "mask"]
    keeps = [s for s in t.scored if s.item.kind == "keep" and s.share is not None]
    buried = [s for s in t.scored if s.item.kind == "keep" and s.share is None]
    print("\nmust-mask recall (masked = ≥ 80 % of the item's boxes black), released files only:")
    print(f"  {'category':<14}{'certain':>14}{'recall':>8}{'uncertain':>14}{'recall':>8}")
    cats = sorted({s.item.category for s in masks})
    for cat in [*cats, "ALL"]:
        row = [s for s in masks if cat in ("ALL", s.item.category)]
        c = [s for s in row if not s.item.uncertain]
        u = [s for s in row if s.item.uncertain]
        ck, uk = sum(s.ok for s in c), sum(s.ok for s in u)
        print(f"  {cat:<14}{f'{ck}/{len(c)}':>14}{_pct(ck, len(c)):>8}{f'{uk}/{len(u)}':>14}{_pct(uk, len(u)):>8}")
    if t.unscored:
        um = [i for i, _ in t.unscored if i.kind == "mask" and not i.uncertain]
        certain = [s for s in masks if not s.item.uncertain]
        ck, total = sum(s.ok for s in certain), len(certain) + len(um)
        print(f"  all files, the certain items of unreleased files counted as not masked: {ck}/{total} = {_pct(ck, total)}")
    ok = sum(s.ok for s in keeps)
    print(f"\nmust-keep readable (≤ 30 % of the label's boxes black, outside must-mask items): "
          f"{ok}/{len(keeps)} = {_pct(ok, len(keeps))}  ({len(keeps) - ok} over-masked; "
          f"{len(buried)} wholly under must-mask items, not scored)")
    over = Counter(s.rules[0].rsplit(" ", 1)[0] if s.rules else "no manifest region"
                   for s in keeps if not s.ok)
    if over:
        print("  over-masked labels by the rule covering most of each: "
              + ", ".join(f"{r} {n}" for r, n in over.most_common()))
    for file, share, rules in t.negatives:
        found = ", ".join(f"{r} ×{n}" for r, n in sorted(rules.items())) or "no mask"
        print(f"negative control {file}: {share:.1%} of the page masked ({found})")
    if t.unscored:
        print(f"not scored (file not released, or its blind copy has another size): {sum(i.kind == 'mask' for i, _ in t.unscored)} must-mask, "
              f"{sum(i.kind == 'keep' for i, _ in t.unscored)} must-keep items")
    print(f"unlocated items (in no figure): {len(t.unlocated)}; annotated as not on the image: "
          f"{len(t.absent)}; located at run time by OCR (not in the boxes file): {len(t.runtime_located)}")
    if not show:
        return
    by_file: dict[str, list[Scored]] = defaultdict(list)
    for s in t.scored:
        by_file[s.item.file].append(s)
    print("\nper file (exit · must-mask masked/total, certain · must-keep readable/total):")
    for o in outcomes:
        fm = [s for s in by_file[o.file] if s.item.kind == "mask" and not s.item.uncertain]
        fk = [s for s in by_file[o.file] if s.item.kind == "keep" and s.share is not None]
        scored = f"{sum(s.ok for s in fm)}/{len(fm)} · {sum(s.ok for s in fk)}/{len(fk)}" if o.exit_code == 0 else "-"
        print(f"  {o.file:<58} exit {o.exit_code} · {scored}")
    print("\nmisses (file · item · category · masked share · overlapping manifest regions):")
    for s in masks:
        if not s.ok:
            flag = " (uncertain)" if s.item.uncertain else ""
            print(f"  {s.item.file} · {s.item.key} {s.item.text!r} · {s.item.category}{flag} · "
                  f"{s.share:.0%} · {', '.join(s.rules) or '-'}")
    print("\nover-masked must-keep (file · item · masked share · rules of the masks covering it):")
    for s in keeps:
        if not s.ok:
            print(f"  {s.item.file} · {s.item.key} {s.item.parts[0]!r} · {s.share:.0%} · {', '.join(s.rules) or '-'}")
    for title, items in (("unlocated", t.unlocated), ("annotated as not on the image", t.absent),
                         ("must-keep wholly under must-mask items (not scored)", [s.item for s in buried]),
                         ("located at run time by OCR", t.runtime_located)):
        if items:
            print(f"\n{title}:")
            for it in items:
                print(f"  {it.file} · {it.key} {it.text!r} · {it.category}")
    if t.unscored:
        print("\nnot scored (file not released, or its blind copy has another size):")
        for it, why in t.unscored:
            if it.kind == "mask":
                print(f"  {it.file} · {it.key} {it.text!r} · {it.category} · {why}")


def locate_main(args_dir: Path, boxes_path: Path = BOXES) -> None:
    """``--locate``: re-propose the ``ocr`` boxes and write the boxes file (hand boxes kept)."""
    docs = load(args_dir / "checklist.yaml")
    before = load_boxes(boxes_path)
    boxes = locate_all(docs, args_dir / "images", boxes_path, refresh=True)
    save_boxes(boxes_path, boxes)
    changed = sum(1 for f, e in boxes.items() for k, v in e.items() if before.get(f, {}).get(k) != v)
    missing = [(d.file, it.key) for d in docs for it in d.items if it.key not in boxes.get(d.file, {})]
    print(f"{boxes_path.name}: {sum(len(e) for e in boxes.values())} items located "
          f"({changed} new or changed); {len(missing)} need a hand box", file=sys.stderr)
