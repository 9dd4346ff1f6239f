#!/usr/bin/env python3
"""Train the character CNN-CRF behind ``service.detect.ner.NerDetector`` and export it to ONNX.

    python scripts/train_ner_cnn.py [--epochs 4] [--channels 96] [--seed 13] [--generated 20000]
                                    [--out models/ner_cnn] [--limit N]

PyTorch (CPU, one thread) is needed here only (``pip install -e .[train]``); the service runs the
exported network on onnxruntime and decodes the CRF in numpy (``service/detect/ner_crf.py``).

Data: the training parts of every corpus in ``scripts/ner_corpora.TRAIN_CORPORA`` (the last
1,000 sentences of each file are the validation split and are never read here) plus
``--generated`` sentences in the style of application materials (``scripts/ner_generated.py``).
The last 5 % of each training part (at most 500 sentences; ``scripts/ner_generated.py``) is
carved out as the dev set: it is not trained on; ``scripts/tune_ner.py`` picks the detector's
thresholds on it. Long sentences are cut at punctuation into pieces of at most :data:`MAX_LEN`
characters; a share ``--augment`` of the sentences is added again with spaces between
characters (page text often has them; a space inside an entity belongs to it).

Network: character embedding (64) + hashed character-bigram embedding (32) + a linear map of
the lexicon features (``service/detect/ner_features.py``, 32 → 32) → dropout → a width-3
convolution to ``--channels`` → four residual width-3 convolutions with dilations
:data:`DILATIONS` (each character sees 9 neighbours on either side) → linear emissions over
the BIO tags of person / organization / place; a CRF on top (transitions, start and end scores)
trained by negative log-likelihood with Adam and a linearly decaying learning rate. A BiLSTM
of the same width was tried first: ~3 times slower to train on one core and, on onnxruntime,
~0.5 s per 10,000 characters (its steps are sequential), against the 1 s budget of
``detect-text`` for the whole engine. Written to ``--out``: ``ner.onnx`` (emissions of a padded
batch and its mask) and ``ner.json`` (vocabulary, tags, CRF scores, settings, dev figures).
Seeded: the same command gives the same model on the same machine.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from scripts.ner_corpora import Sentence, bio_tags  # noqa: E402
from scripts.ner_generated import load_parts  # noqa: E402
from service.detect.ner_crf import Crf  # noqa: E402
from service.detect.ner_features import (  # noqa: E402
    BIGRAM_BUCKETS,
    N_LEX,
    bigram_ids,
    lexicon_features,
    normalize_chars,
)

TAGS = ("O", "B-person", "I-person", "B-organization", "I-organization", "B-place", "I-place")
MERGE = {"address": "place"}
MAX_LEN = 150
#: dilations of the residual convolutions after the input convolution (receptive field 19)
DILATIONS = (1, 2, 4, 1)
#: how often each corpus is seen per epoch: the three corpora with acceptance figures (their
#: annotation styles differ: CLUENER tags clubs and short company names, MSRA does not) and the
#: generated application-material lines weigh more; People's Daily (news, like MSRA) is halved
WEIGHTS = {"cluener": 3.0, "resume": 2.0, "msra": 2.0, "people_daily_1998": 0.5}
_CUTS = frozenset("。！？；，,;!?、 ")

Example = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # chars, bigrams, lex, tags


def weighted(parts: dict[str, list[Sentence]]) -> list[Sentence]:
    """The training sentences, each corpus repeated (or thinned) by :data:`WEIGHTS`."""
    out: list[Sentence] = []
    for corpus, sentences in parts.items():
        w = WEIGHTS.get(corpus, 1.0)
        whole, frac = int(w), w - int(w)
        out += sentences * whole
        if frac:
            step = round(1 / frac)
            out += sentences[::step]
        print(f"{corpus}: weight {w}", flush=True)
    return out


def cut_long(text: str, tags: list[str]) -> list[tuple[str, list[str]]]:
    """Pieces of at most MAX_LEN characters, cut after punctuation outside entities."""
    out = []
    while len(text) > MAX_LEN:
        cut = MAX_LEN
        for k in range(MAX_LEN, MAX_LEN // 3, -1):
            if text[k - 1] in _CUTS and not tags[k].startswith("I-"):
                cut = k
                break
        piece_tags = tags[:cut]
        rest = tags[cut:]
        if rest and rest[0].startswith("I-"):
            rest = ["B-" + rest[0][2:], *rest[1:]]
        out.append((text[:cut], piece_tags))
        text, tags = text[cut:], rest
    if text:
        out.append((text, tags))
    return out


def with_spaces(text: str, tags: list[str], rng: random.Random) -> tuple[str, list[str]]:
    """A copy with spaces between characters: everywhere (short lines) or at a few places."""
    every = len(text) <= 30 or rng.random() < 0.3
    out_c: list[str] = []
    out_t: list[str] = []
    for i, (ch, tag) in enumerate(zip(text, tags, strict=True)):
        if i and (every or rng.random() < 0.08):
            out_c.append(" ")
            out_t.append("I-" + tag[2:] if tag.startswith("I-") else "O")
        out_c.append(ch)
        out_t.append(tag)
    return "".join(out_c), out_t


def build_vocab(sentences: list[Sentence], min_freq: int = 2) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for text, _ in sentences:
        counts.update(normalize_chars(text)[0])
    chars = sorted(c for c, k in counts.items() if k >= min_freq)
    return {c: i + 2 for i, c in enumerate(chars)}  # 0 padding, 1 unknown


def encode_all(
    sentences: list[Sentence], vocab: dict[str, int], rng: random.Random, augment: float
) -> list[Example]:
    tag_id = {t: i for i, t in enumerate(TAGS)}
    out: list[Example] = []
    for text, ents in sentences:
        tags = bio_tags(text, [(s, e, MERGE.get(c, c), lab) for s, e, c, lab in ents])
        variants = [(text, tags)]
        if augment and rng.random() < augment:
            variants.append(with_spaces(text, tags, rng))
        for t, g in variants:
            for piece, ptags in cut_long(t, g):
                chars, types = normalize_chars(piece)
                out.append(
                    (
                        np.array([vocab.get(c, 1) for c in chars], dtype=np.int64),
                        bigram_ids(chars),
                        lexicon_features(chars, types),
                        np.array([tag_id[x] for x in ptags], dtype=np.int64),
                    )
                )
    return out


class Net(nn.Module):
    """Emissions per character; the CRF parameters live here too (not in the ONNX graph).

    Padded positions are zeroed after the input layer and after every convolution (``mask``),
    so a sequence gets the same emissions alone or padded in a batch."""

    def __init__(self, n_chars: int, channels: int) -> None:
        super().__init__()
        self.char = nn.Embedding(n_chars, 64, padding_idx=0)
        self.bigram = nn.Embedding(BIGRAM_BUCKETS + 1, 32, padding_idx=0)
        self.lex = nn.Linear(N_LEX, 32)
        self.drop = nn.Dropout(0.2)
        self.inp = nn.Conv1d(128, channels, 3, padding=1)
        self.convs = nn.ModuleList(
            nn.Conv1d(channels, channels, 3, padding=d, dilation=d) for d in DILATIONS
        )
        self.out = nn.Linear(channels, len(TAGS))
        k = len(TAGS)
        self.transitions = nn.Parameter(torch.zeros(k, k))
        self.start = nn.Parameter(torch.zeros(k))
        self.end = nn.Parameter(torch.zeros(k))

    def forward(
        self, chars: torch.Tensor, bigrams: torch.Tensor, lex: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        m = mask.unsqueeze(1)  # (B, 1, T) float
        x = torch.cat([self.char(chars), self.bigram(bigrams), torch.relu(self.lex(lex))], dim=-1)
        h = self.drop(x).transpose(1, 2) * m
        h = torch.relu(self.inp(h)) * m
        for conv in self.convs:
            h = (h + torch.relu(conv(self.drop(h)))) * m
        return self.out(self.drop(h.transpose(1, 2)))

    def nll(self, em: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood of the gold tags (batch-first, ``mask`` bool)."""
        b, t_len, _k = em.shape
        ar = torch.arange(b)
        # gold path score
        score = self.start[tags[:, 0]] + em[ar, 0, tags[:, 0]]
        for t in range(1, t_len):
            m = mask[:, t]
            step = self.transitions[tags[:, t - 1], tags[:, t]] + em[ar, t, tags[:, t]]
            score = score + step * m
        lengths = mask.sum(1)
        last = tags[ar, lengths - 1]
        score = score + self.end[last]
        # partition function
        alpha = self.start[None, :] + em[:, 0]
        for t in range(1, t_len):
            nxt = torch.logsumexp(alpha[:, :, None] + self.transitions[None], dim=1) + em[:, t]
            alpha = torch.where(mask[:, t, None], nxt, alpha)
        log_z = torch.logsumexp(alpha + self.end[None, :], dim=1)
        return (log_z - score).mean()


class Emissions(nn.Module):
    """The exported graph: a batch of padded texts and their 0/1 mask in, emissions out."""

    def __init__(self, net: Net) -> None:
        super().__init__()
        self.net = net

    def forward(
        self, chars: torch.Tensor, bigrams: torch.Tensor, lex: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        return self.net(chars, bigrams, lex, mask)


def batches(examples: list[Example], size: int, rng: random.Random) -> list[list[Example]]:
    """Batches of similar length (sorted in shuffled blocks) in random order."""
    idx = list(range(len(examples)))
    rng.shuffle(idx)
    block = size * 50
    out = []
    for b in range(0, len(idx), block):
        chunk = sorted(idx[b : b + block], key=lambda i: len(examples[i][0]))
        out += [[examples[i] for i in chunk[k : k + size]] for k in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def collate(batch: list[Example]) -> tuple[torch.Tensor, ...]:
    n = max(len(e[0]) for e in batch)
    b = len(batch)
    chars = np.zeros((b, n), dtype=np.int64)
    bigr = np.zeros((b, n), dtype=np.int64)
    lex = np.zeros((b, n, N_LEX), dtype=np.float32)
    tags = np.zeros((b, n), dtype=np.int64)
    mask = np.zeros((b, n), dtype=bool)
    for i, (c, g, x, y) in enumerate(batch):
        k = len(c)
        chars[i, :k], bigr[i, :k], lex[i, :k], tags[i, :k], mask[i, :k] = c, g, x, y, True
    return (torch.from_numpy(chars), torch.from_numpy(bigr), torch.from_numpy(lex),
            torch.from_numpy(tags), torch.from_numpy(mask))


def spans(tags: list[int]) -> set[tuple[int, int, str]]:
    out: set[tuple[int, int, str]] = set()
    start, cat = -1, ""
    for i, t in enumerate([*tags, 0]):
        name = TAGS[t]
        if name.startswith("I-") and name[2:] == cat and start >= 0:
            continue
        if start >= 0:
            out.add((start, i, cat))
            start, cat = -1, ""
        if name != "O":
            start, cat = i, name[2:]
    return out


def dev_f1(net: Net, examples: list[Example]) -> dict[str, tuple[float, float]]:
    """Per category (precision, recall) of exact Viterbi spans."""
    net.eval()
    crf = Crf(net.transitions.detach().numpy(), net.start.detach().numpy(), net.end.detach().numpy())
    tp: Counter[str] = Counter()
    pred: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    with torch.no_grad():
        for c, g, x, y in examples:
            ones = torch.ones(1, len(c))
            em = net(torch.from_numpy(c)[None], torch.from_numpy(g)[None], torch.from_numpy(x)[None], ones)[0]
            p = spans(crf.viterbi(em.numpy()))
            t = spans(list(y))
            for s in p:
                pred[s[2]] += 1
            for s in t:
                gold[s[2]] += 1
            for s in p & t:
                tp[s[2]] += 1
    net.train()
    return {k: (tp[k] / max(1, pred[k]), tp[k] / max(1, gold[k])) for k in gold}


def export(net: Net, vocab: dict[str, int], out: Path, args: argparse.Namespace, figures: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    net.eval()
    n = 12
    dummy = (torch.ones(2, n, dtype=torch.int64), torch.ones(2, n, dtype=torch.int64),
             torch.zeros(2, n, N_LEX), torch.ones(2, n))
    tmp = out / "ner.onnx.tmp"
    torch.onnx.export(
        Emissions(net), dummy, str(tmp), input_names=["chars", "bigrams", "lexicon", "mask"],
        output_names=["emissions"], opset_version=17, dynamo=False,
        dynamic_axes={k: {0: "batch", 1: "n"} for k in ("chars", "bigrams", "lexicon", "mask", "emissions")},
    )
    tmp.replace(out / "ner.onnx")
    meta = {
        "tags": list(TAGS),
        "chars": "".join(sorted(vocab, key=vocab.__getitem__)),
        "bigram_buckets": BIGRAM_BUCKETS,
        "n_lexicon": N_LEX,
        "transitions": net.transitions.detach().numpy().round(5).tolist(),
        "start": net.start.detach().numpy().round(5).tolist(),
        "end": net.end.detach().numpy().round(5).tolist(),
        "training": {"epochs": args.epochs, "channels": args.channels, "dilations": list(DILATIONS), "seed": args.seed,
                     "generated": args.generated, "augment": args.augment, "dev": figures},
    }
    (out / "ner.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    net.train()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "ner_cnn")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--channels", type=int, default=96)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--generated", type=int, default=20000)
    ap.add_argument("--augment", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--limit", type=int, default=0, help="use only the last N sentences per corpus (a smoke run)")
    ap.add_argument("--max-batches", type=int, default=0, help="stop each epoch after N batches (timing)")
    args = ap.parse_args(argv)

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    parts, dev = load_parts(args.seed, args.generated, args.limit)
    fit = weighted(parts)
    vocab = build_vocab(fit)
    train = encode_all(fit, vocab, rng, args.augment)
    dev_ex = encode_all([s for d in dev.values() for s in d], vocab, rng, 0.0)
    n_chars = sum(len(e[0]) for e in train)
    print(f"{len(train)} training pieces ({n_chars} chars), vocab {len(vocab)}, "
          f"encoded in {time.perf_counter() - t0:.0f}s", flush=True)

    net = Net(len(vocab) + 2, args.channels)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    total_steps = args.epochs * (len(train) // args.batch + 1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.1, 1 - s / max(1, total_steps)))
    figures: dict = {}
    for epoch in range(1, args.epochs + 1):
        t_ep = time.perf_counter()
        loss_sum, seen = 0.0, 0
        for k, batch in enumerate(batches(train, args.batch, rng)):
            if args.max_batches and k >= args.max_batches:
                break
            chars, bigr, lex, tags, mask = collate(batch)
            em = net(chars, bigr, lex, mask.float())
            loss = net.nll(em, tags, mask)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            sched.step()
            loss_sum += float(loss.detach()) * len(batch)
            seen += len(batch)
            if k % 500 == 0:
                print(f"  epoch {epoch} batch {k}: loss {loss_sum / max(1, seen):.3f} "
                      f"({time.perf_counter() - t_ep:.0f}s)", flush=True)
        f1 = dev_f1(net, dev_ex)
        figures = {c: {"precision": round(p, 3), "recall": round(r, 3)} for c, (p, r) in f1.items()}
        print(f"epoch {epoch}: loss {loss_sum / max(1, seen):.3f}, {time.perf_counter() - t_ep:.0f}s; "
              f"dev exact-span (P, R) {figures}", flush=True)
        export(net, vocab, args.out, args, figures)
        print(f"  exported to {args.out}", flush=True)
    print(f"total {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
