"""The statistical backstop for names, organisations, places and addresses: a character
CNN-CRF run on onnxruntime.

The network (``models/ner_cnn/ner.onnx``, trained by ``scripts/train_ner_cnn.py``) reads every
character with its hashed bigram and lexicon features (``service/detect/ner_features.py``) and
emits a score per BIO tag over ``person``, ``organization`` and ``place``; the CRF scores in
``models/ner_cnn/ner.json`` turn them into a Viterbi path and forward-backward marginals
(``service/detect/ner_crf.py``, numpy). Spans come from the Viterbi path **and** from runs of
positions whose B+I marginal of a category reaches that category's threshold (tuned for recall
on a dev carve-out of the training data by ``scripts/tune_ner.py``, stored in ``ner.json``).

Text is tagged line by line (split at ``\\n`` and ``\\t``; long lines are cut at sentence
punctuation into pieces of at most :data:`MAX_CHUNK` characters). Offsets are always offsets
into the caller's text.

Spans are filtered for precision in application materials: person spans must look like a name
(2–5 characters starting with a known surname, or 3–5 characters, or containing a middle dot),
spans of only digits/punctuation are dropped, generic or country place names are dropped
(``models/ner_cnn/stop.txt``), departments, diseases, drugs and procedures are dropped, a
person span must be Chinese characters only and not start a common word (``not_names`` of
``redaction_rules/lexicons/person_context.yaml``: 白细胞, 健康), a unit that is a common word
plus a suffix (健康委员会) is dropped, a person span is widened over the minority-name
components it cuts (多|吉德吉 → 多吉德吉), and province-level place spans carry the rule
``ner.crf_province`` so the policy can keep them readable.

Spans with a dose or frequency (20 mg, qd) are drug orders, not units. Measured (validation
split, whole engine; figures in ``models/ner_cnn/README.md``): CLUENER person 0.703 (CJK-only
names 0.773, precision 0.83), organisation 0.772 (0.79), address 0.514 (0.76); MSRA person
0.876; Resume person 0.947, organisation 0.898; generated materials: over-redaction 0.6 %. 10,000 characters:
~0.1–0.3 s for this detector (onnxruntime ~60 %).
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator, Mapping
from importlib.resources import files
from pathlib import Path

import numpy as np

from service.detect.ner_crf import Crf
from service.detect.ner_features import _DOTS, N_LEX, _norm_char, encode, lexicons
from service.detect.persons_lexicon import load_lexicon as load_person_lexicon
from service.errors import MissingModelError
from service.types import Span

CATEGORIES: tuple[str, ...] = ("person", "organization", "place", "address")
#: labels the model is trained with (places and addresses are one label: the corpora draw the
#: line between them differently; the detector splits them by address markers)
MODEL_CATEGORIES: tuple[str, ...] = ("person", "organization", "place")
MAX_CHUNK = 200
#: chunks whose tags and marginals a detector keeps (oldest dropped first)
CACHE_SIZE = 4096
#: padded characters per network call (a batch of similar-length chunks)
BATCH_CHARS = 4096
#: recall-mode threshold of a category that ``ner.json`` does not name
RECALL_THRESHOLD = 0.3

_SENT_END = frozenset("。！？；!?;")
_CLAUSE = frozenset("，,、：:")


# --------------------------------------------------------------------------- chunking


_LINE = re.compile(r"[^\n\t]+")


def iter_chunks(text: str, limit: int = MAX_CHUNK) -> Iterator[tuple[int, int]]:
    """``(start, end)`` pieces of ``text``: lines split at ``\\n`` and at ``\\t`` (OCR joins the
    cells of one table row with it), long lines cut after sentence punctuation (or clause
    punctuation, or hard) into pieces of at most ``limit``."""
    for line in _LINE.finditer(text):
        start, end = line.start(), line.end()
        while end - start > limit:
            cut = -1
            for stops in (_SENT_END, _CLAUSE):
                for k in range(start + limit, start + limit // 4, -1):
                    if text[k - 1] in stops:
                        cut = k
                        break
                if cut > 0:
                    break
            if cut < 0:
                cut = start + limit
            yield start, cut
            start = cut
        if end > start:
            yield start, end


# --------------------------------------------------------------------------- model


def model_dir() -> Path:
    return Path(str(files("models") / "ner_cnn"))


def model_path() -> Path:
    return model_dir() / "ner.onnx"


class _Model:
    """The ONNX session, the vocabulary, the CRF scores and the tuned thresholds."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        self.tags: list[str] = list(meta["tags"])
        self.vocab: dict[str, int] = {c: i + 2 for i, c in enumerate(meta["chars"])}
        self.crf = Crf(
            np.asarray(meta["transitions"], dtype=np.float64),
            np.asarray(meta["start"], dtype=np.float64),
            np.asarray(meta["end"], dtype=np.float64),
        )
        self.thresholds: dict[str, float] = dict(meta.get("thresholds") or {})
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.lock = threading.Lock()

    def emissions(self, texts: list[str]) -> list[np.ndarray]:
        """``(len(text), n_tags)`` emission scores of every text. Texts are run in batches of
        similar length (padded, with a mask: the network gives a text the same scores alone or
        padded), at most :data:`BATCH_CHARS` padded characters per call."""
        encs = [encode(t, self.vocab) for t in texts]
        out: list[np.ndarray] = [np.zeros((0, len(self.tags)))] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        k = 0
        while k < len(order):
            n_max = max(1, len(texts[order[k]]))
            j = k + 1
            while j < len(order) and len(texts[order[j]]) * (j - k + 1) <= BATCH_CHARS:
                j += 1
            group = order[k:j]
            n_max = max(len(texts[i]) for i in group)
            chars = np.zeros((len(group), n_max), dtype=np.int64)
            bigrams = np.zeros((len(group), n_max), dtype=np.int64)
            lexicon = np.zeros((len(group), n_max, N_LEX), dtype=np.float32)
            mask = np.zeros((len(group), n_max), dtype=np.float32)
            for row, i in enumerate(group):
                n = len(texts[i])
                chars[row, :n], bigrams[row, :n] = encs[i].chars[0], encs[i].bigrams[0]
                lexicon[row, :n], mask[row, :n] = encs[i].lexicon[0], 1.0
            feeds = {"chars": chars, "bigrams": bigrams, "lexicon": lexicon, "mask": mask}
            with self.lock:
                em = self.session.run(["emissions"], feeds)[0]
            for row, i in enumerate(group):
                out[i] = np.asarray(em[row, : len(texts[i])], dtype=np.float64)
            k = j
        return out


@functools.lru_cache(maxsize=4)
def load_model(path: str) -> _Model:
    p = Path(path)
    if not p.is_file() or not p.with_suffix(".json").is_file():
        raise MissingModelError(
            f"NER model {p.name} (or its .json) is missing under models/{p.parent.name}; "
            "run scripts/train_ner_cnn.py to build it"
        )
    try:
        return _Model(p)
    except Exception as exc:  # onnxruntime raises its own types for a corrupt graph
        raise MissingModelError(f"NER model {p.name} cannot be loaded: {type(exc).__name__}") from None


@functools.lru_cache(maxsize=1)
def stop_words() -> dict[str, frozenset[str]]:
    """Per-category terms never reported (``[category]`` sections in ``stop.txt``)."""
    path = model_dir() / "stop.txt"
    out: dict[str, set[str]] = {}
    section = "place"
    if path.is_file():
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1].strip()
                continue
            out.setdefault(section, set()).update(line.split())
    return {k: frozenset(v) for k, v in out.items()}


def decode(tags: list[str]) -> list[tuple[int, int, str]]:
    """``(start, end, category)`` from BIO tags (an I without its B starts a span)."""
    out: list[tuple[int, int, str]] = []
    start, cat = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, lab = tag.partition("-")
        if prefix == "I" and lab == cat and start >= 0:
            continue
        if start >= 0:
            out.append((start, i, cat))
            start, cat = -1, ""
        if prefix in ("B", "I"):
            start, cat = i, lab
    return out


_ONLY_SYMBOLS = re.compile(r"^[\W\d_]+$")
#: a dose or lab value (20 mg, 4000 IU, 11.6×10^9/L, 99次/分): a drug order or a result line,
#: never part of a name, unit or place
_DOSE = re.compile(
    r"\d\s*(?:次/分|×10|%)|(?<![a-z])(?:mg|ml|μg|ug|mmol|μmol|iu)(?![a-z])"
    r"|\b(?:qd|bid|tid|qn|prn|q\d+h|st)\b",
    re.IGNORECASE,
)
#: a location span with one of these is reported as an address, otherwise as a place
_ADDRESS_MARK = re.compile(
    r"[0-9０-９路街巷弄号楼室栋幢村镇乡苑]|小区|大厦|广场|大道|单元|社区|花园|公寓|园区|新村"
)
#: a span ending like this names a department, disease, drug, procedure or record, not a
#: person, unit or place (the CRF learnt from news; application materials are full of these)
_MEDICAL_ENDINGS: tuple[str, ...] = (
    "科", "室", "病", "症", "征", "炎", "癌", "瘤", "术", "综合", "首页", "记录", "胶囊", "片", "注射液",
    "颗粒", "剂", "病区", "病房", "门诊", "检查", "治疗", "护理", "诊断", "功能", "指数", "水平",
    "胸痛中心", "卒中中心", "创伤中心", "救治中心", "质控中心", "透析中心", "内镜中心", "团队",
    "小组", "学组", "杂志", "期刊", "学报", "医联体", "医共体",
)  # fmt: skip
#: ... and a span starting like this is a common noun phrase (三甲医院, 上级医院, 我院)
_GENERIC_STARTS: tuple[str, ...] = (
    "三甲", "三级", "二级", "二甲", "上级", "下级", "县级", "市级", "省级", "基层", "我院", "本院",
    "该院", "外院", "综合医院", "专科医院", "住院", "门诊", "急诊",
)  # fmt: skip
#: a word that ends like this is a disease, drug or lab term (布鲁氏菌病, 马凡综合征, 奥美拉唑,
#: D-二聚体): a CRF span at its start is a transliteration inside the term, not a name
_TERM_ENDINGS: tuple[str, ...] = (
    "病", "症", "征", "炎", "癌", "瘤", "菌", "胶囊", "片", "注射液", "颗粒", "唑", "霉素", "沙星",
    "洛尔", "地平", "普利", "沙坦", "他汀", "聚体", "蛋白", "试验", "综合", "术", "检查",
)  # fmt: skip
#: ... when the word ends there (the next characters start another word)
_TERM_NEXT: tuple[str, ...] = ("病史", "史", "患者", "病人", "的", "伴", "合并", "等", "和", "或", "、")


#: characters that end or mark a place or address
_PLACE_MARKS = frozenset("省市县区旗盟州镇乡村屯路街道巷弄号楼栋山湖江河岛港湾园城坝沟岭")


def _placeish(surface: str) -> bool:
    """Whether a span has anything of a place: a place character or a gazetteer name."""
    if any(c in _PLACE_MARKS for c in surface):
        return True
    names = lexicons().gazetteer
    n = len(surface)
    return any(surface[i:j] in names for i in range(n) for j in range(i + 2, min(n, i + 8) + 1))


def _inside_medical_word(chunk: str, s: int, e: int) -> bool:
    """Whether ``chunk[s:e]`` starts a medical term that runs on after it."""
    j = e
    while j < len(chunk) and j - e < 10 and (_CJK_CHAR.match(chunk[j]) or chunk[j] in "-·－"):
        j += 1
    for k in range(e + 1, j + 1):
        if chunk[s:k].endswith(_TERM_ENDINGS) and (k == j or chunk.startswith(_TERM_NEXT, k)):
            return True
    return False


_CJK_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_ONLY = re.compile("^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


def _starts_common_word(chunk: str, s: int) -> bool:
    """Whether a common word that starts with a surname character starts at ``s``
    (``not_names`` of ``redaction_rules/lexicons/person_context.yaml``: 白细胞, 健康, 中心 …)."""
    not_names = load_person_lexicon().not_names
    return any(chunk[s : s + k] in not_names for k in (2, 3, 4))


def _snap_to_components(chunk: str, s: int, e: int) -> tuple[int, int]:
    """A person span widened over the Mongolian/Tibetan/Uyghur name components it overlaps
    (``minority_components``): the network often cuts such names (多|吉德吉)."""
    comps = load_person_lexicon().minority_components
    for _ in range(2):
        lo, hi = s, e
        for c in comps:
            k = chunk.find(c, max(0, s - len(c) + 1), e + len(c) - 1)
            while k >= 0 and k < e:
                if k + len(c) > s:
                    lo, hi = min(lo, k), max(hi, k + len(c))
                k = chunk.find(c, k + 1, e + len(c) - 1)
        if (lo, hi) == (s, e):
            break
        s, e = lo, hi
    return s, e


def _generic_unit(compact: str) -> bool:
    """A unit name that is only a common word and a suffix (健康委员会, 卫生院)."""
    suffixes = lexicons().org_suffixes
    for n in range(min(len(compact), 9), 0, -1):  # the longest suffix first
        if compact[-n:] in suffixes:
            rest = compact[:-n]
            return not rest or rest in load_person_lexicon().not_names
    return False


class NerDetector:
    """Persons, organisations, places and addresses found by the character CNN-CRF."""

    name = "ner"
    categories = frozenset(CATEGORIES)

    def __init__(
        self,
        path: Path | str | None = None,
        recall_threshold: float | Mapping[str, float] | str | None = "model",
    ) -> None:
        """``recall_threshold``: ``"model"`` (default: the thresholds tuned into ``ner.json``),
        per model category, one value for all, or None for the Viterbi path only."""
        self.path = str(path or model_path())
        self.model = load_model(self.path)
        if recall_threshold == "model":
            recall_threshold = self.model.thresholds
        self.thresholds: dict[str, float] | None = (
            None
            if recall_threshold is None
            else {c: float(recall_threshold) for c in MODEL_CATEGORIES}
            if isinstance(recall_threshold, float | int)
            else {
                c: float(recall_threshold.get(c, RECALL_THRESHOLD))  # type: ignore[union-attr]
                for c in MODEL_CATEGORIES
            }
        )
        self._index = {t: i for i, t in enumerate(self.model.tags)}
        self._cache: dict[str, tuple[list[str], np.ndarray]] = {}

    # raw model output --------------------------------------------------------------
    def tag_chunks(self, chunks: list[str]) -> list[tuple[list[str], np.ndarray]]:
        """Viterbi tags and ``(len, n_tags)`` marginals of every chunk (one CRF pass for all).

        Results are kept per chunk text (:data:`CACHE_SIZE`): the engine rescans the lines
        around each mask, which are mostly the lines it has just tagged."""
        m = self.model
        cache = self._cache
        todo = list(dict.fromkeys(c for c in chunks if c not in cache))
        if todo:
            decoded = m.crf.decode_batch(m.emissions(todo))
            with m.lock:
                for text, (path, post) in zip(todo, decoded, strict=True):
                    cache[text] = ([m.tags[k] for k in path], post)
                while len(cache) > CACHE_SIZE:
                    cache.pop(next(iter(cache)))
        return [cache.get(c) or self._tag_now(c) for c in chunks]

    def _tag_now(self, chunk: str) -> tuple[list[str], np.ndarray]:
        """A chunk evicted between filling the cache and reading it (other threads)."""
        m = self.model
        path, post = m.crf.decode_batch(m.emissions([chunk]))[0]
        return [m.tags[k] for k in path], post

    def raw_spans(self, text: str) -> list[tuple[int, int, str, float, bool]]:
        """``(start, end, category, score, from_viterbi)`` for one chunk, unfiltered."""
        if not text.strip():
            return []
        return self._spans(*self.tag_chunks([text])[0])

    def _spans(self, tags: list[str], margs: np.ndarray) -> list[tuple[int, int, str, float, bool]]:
        idx = self._index
        low = 0.5 if self.thresholds is None else min(self.thresholds.values(), default=0.5)
        if float(margs[:, idx["O"]].min()) > 1.0 - low and all(t == "O" for t in tags):
            return []  # nothing on the path and no marginal near a threshold (most lines)
        out: list[tuple[int, int, str, float, bool]] = []
        for s, e, cat in decode(tags):
            score = float(np.mean(margs[s:e, idx["B-" + cat]] + margs[s:e, idx["I-" + cat]]))
            out.append((s, e, cat, score, True))
        if self.thresholds is None:
            return out
        taken = np.zeros(len(tags), dtype=bool)
        for s, e, _c, _sc, _v in out:
            taken[s:e] = True
        for cat in MODEL_CATEGORIES:
            b_col, i_col = margs[:, idx["B-" + cat]], margs[:, idx["I-" + cat]]
            on = ((b_col + i_col) >= self.threshold(cat)) & ~taken
            if not on.any():
                continue
            run = -1
            for t in range(len(tags) + 1):
                # a run ends where the marginal drops, and a new one starts where B outweighs I
                # (two names side by side: 张三李四)
                starts_new = t < len(tags) and on[t] and run >= 0 and b_col[t] > i_col[t]
                if run >= 0 and (t == len(tags) or not on[t] or starts_new):
                    out.append((run, t, cat, float(np.mean(b_col[run:t] + i_col[run:t])), False))
                    run = -1
                if t < len(tags) and on[t] and run < 0:
                    run = t
        return out

    def threshold(self, category: str) -> float:
        """The recall-mode threshold of a model category."""
        return 0.5 if self.thresholds is None else self.thresholds.get(category, RECALL_THRESHOLD)

    # public API --------------------------------------------------------------------
    def detect(self, text: str) -> list[Span]:
        spans: list[Span] = []
        pieces = [(cs, ce) for cs, ce in iter_chunks(text) if text[cs:ce].strip()]
        tagged = self.tag_chunks([text[cs:ce] for cs, ce in pieces])
        for (cs, ce), (tags, margs) in zip(pieces, tagged, strict=True):
            chunk = text[cs:ce]
            for s, e, cat, score, viterbi in self._spans(tags, margs):
                if cat == "place" and _ADDRESS_MARK.search(chunk, s, e):
                    cat = "address"
                # trim whitespace at the span edges
                while s < e and chunk[s].isspace():
                    s += 1
                while e > s and chunk[e - 1].isspace():
                    e -= 1
                if e <= s:
                    continue
                if not _CJK_CHAR.search(chunk, s, e):
                    continue  # trained on Chinese text: Latin text is left to the rule detectors
                if _inside_medical_word(chunk, s, e):
                    continue
                if cat == "person" and _starts_common_word(chunk, s):
                    continue  # 白细胞, 健康, 中心 …: a word that starts with a surname
                if cat == "person":
                    s, e = _snap_to_components(chunk, s, e)
                rule = self._judge(chunk[s:e], cat)
                if rule is None:
                    continue
                if not viterbi and cat in ("place", "address") and not _placeish(chunk[s:e]):
                    continue  # a low-marginal location with nothing place-like in it (进修)
                # the category's threshold maps to 0.5, the policy's default min_score: a Viterbi
                # span is kept on the same terms as a run of marginals (邬金香 on the best path
                # with a mean B+I marginal of 0.45 is a name at threshold 0.4)
                thr = self.threshold("place" if cat == "address" else cat)
                how = "viterbi path" if viterbi else f"marginals above {thr:.2f}"
                if score >= thr:
                    final = 0.5 + 0.5 * (score - thr) / max(1e-9, 1.0 - thr)
                else:
                    final = 0.5 * score / max(1e-9, thr)
                spans.append(
                    Span(
                        cs + s,
                        cs + e,
                        cat,
                        round(min(1.0, final), 4),
                        rule,
                        f"character CNN-CRF ({how}), mean B+I marginal {score:.2f}",
                    )
                )
        return spans

    def _judge(self, surface: str, cat: str) -> str | None:
        """The rule for a kept span, or ``None`` when a precision filter drops it."""
        compact = "".join(_norm_char(c)[0] for c in surface if not c.isspace())
        if not compact or _ONLY_SYMBOLS.match(compact) or _DOSE.search(surface):
            return None
        if any(w.endswith(_MEDICAL_ENDINGS) for w in surface.split()[:-1]):
            return None  # 奥美拉唑肠溶胶囊 20 …: a drug or term followed by more words
        stops = stop_words()
        if compact in stops.get(cat, frozenset()) or compact in stops.get("all", frozenset()):
            return None
        if compact.endswith(_MEDICAL_ENDINGS) or compact.startswith(_GENERIC_STARTS):
            return None  # departments, diseases, drugs, record titles; 三甲医院, 上级医院
        lex = lexicons()
        if cat == "person":
            dotted = any(c in _DOTS for c in surface)
            if dotted:
                return "ner.crf" if 3 <= len(compact) <= 20 else None
            if not 2 <= len(compact) <= 5 or not _CJK_ONLY.match(compact):
                return None  # 格林-巴利, 白细胞2: a Chinese name has Chinese characters only
            known = compact[0] in lex.surnames or compact[:2] in lex.compound_surnames
            if not known and len(compact) < 3:
                return None
            return "ner.crf"
        if len(compact) < 2:
            return None
        if cat == "organization" and _generic_unit(compact):
            return None
        if cat in ("place", "address") and compact in lex.provinces:
            return "ner.crf_province"
        return "ner.crf"
