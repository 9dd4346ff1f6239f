"""The statistical backstop for names, organisations, places and addresses: a character CRF.

The model (``models/ner_crf/ner.crfsuite``, python-crfsuite) tags every character with BIO tags
over ``person``, ``organization``, ``place`` and ``address``. It is trained offline by
``scripts/train_ner.py`` on public news/resume corpora; the feature extraction below is the one
the training script imports, so training and inference can never differ.

Text is tagged line by line (split at ``\\n``; long lines are cut at sentence punctuation into
pieces of at most :data:`MAX_CHUNK` characters). Characters are normalised for the features only
(NFKC per character, digits folded to ``0``, every whitespace to one space feature), so offsets
are always offsets into the caller's text.

Spans are filtered for precision in application materials: person spans must look like a name
(2–5 characters starting with a known surname, or 3–5 characters, or containing a middle dot),
spans of only digits/punctuation are dropped, generic or country place names are dropped
(``models/ner_crf/stop.txt``), and province-level place spans carry the rule
``ner.crf_province`` so the policy can keep them readable.
"""

from __future__ import annotations

import csv
import functools
import re
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from service.detect.gazetteer import MUNICIPALITIES
from service.errors import MissingModelError
from service.types import Span

CATEGORIES: tuple[str, ...] = ("person", "organization", "place", "address")
#: labels the model is trained with (places and addresses are one label: the corpora draw the
#: line between them differently; the detector splits them by address markers)
MODEL_CATEGORIES: tuple[str, ...] = ("person", "organization", "place")
MAX_CHUNK = 200
#: a run of positions whose B/I marginals for one category reach this is emitted even when the
#: Viterbi path says O (tuned on a carve-out of the training data by scripts/train_ner.py)
RECALL_THRESHOLD = 0.15
#: per model category, chosen on the dev carve-out of the training part (never the validation
#: split): organisations 0.04 (dev recall 0.82 → 0.85, precision 0.82 → 0.74). Lower values
#: for persons and places (0.04) gained 2–7 dev points but broke terms into fragments (甲医院,
#: 默病病史) that tripled over-redaction on generated application materials.
RECALL_THRESHOLDS: dict[str, float] = {"person": 0.15, "organization": 0.04, "place": 0.15}

_SENT_END = frozenset("。！？；!?;")
_CLAUSE = frozenset("，,、：:")
_DOTS = frozenset("·•・‧∙⋅")

# --------------------------------------------------------------------------- lexicons

#: organisation suffixes (a feature, not a rule: the CRF weighs them)
ORG_SUFFIXES: tuple[str, ...] = (
    "医院", "大学", "学院", "公司", "集团", "银行", "局", "厅", "委员会", "协会", "学会", "中心",
    "研究所", "研究院", "政府", "法院", "检察院", "部", "办", "队", "社", "卫生院", "卫生室",
    "保健院", "妇幼保健院", "疾病预防控制中心", "疾控中心", "诊所", "门诊部", "卫生服务中心",
    "中学", "小学", "学校", "幼儿园", "研究会", "基金会", "联合会", "出版社", "报社", "杂志社",
    "电视台", "委员会", "党委", "支部", "分行", "支行", "有限公司", "有限责任公司",
    "股份有限公司", "事务所", "实验室", "所", "站", "馆", "厂", "院", "委", "会", "处", "科",
    "室", "署", "军", "团", "联", "党", "庭", "分院", "总院", "医科大学", "中医院", "人民医院",
)  # fmt: skip

_ETHNIC = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "普米", "塔吉克", "怒", "鄂温克", "保安", "裕固", "独龙", "鄂伦春", "各族",
)  # fmt: skip
_SUFFIX_STRIP = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "林区", "地区",
                 "省", "市", "县", "区", "盟", "旗", "州")  # fmt: skip
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def _data_dir() -> Path:
    return Path(str(files("redaction_rules") / "data"))


def _read_column(path: Path, column: str) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [row[column].strip() for row in csv.DictReader(fh) if row.get(column)]


def short_name(name: str) -> str:
    """A division name without its level suffix: 河北省→河北, 延边朝鲜族自治州→延边."""
    if "自治" in name:
        stem = name[: name.index("自治")]
        for i in range(2, len(stem)):
            if stem.startswith(_ETHNIC, i):
                return stem[:i]
        return stem
    for suffix in _SUFFIX_STRIP:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Lexicons:
    surnames: frozenset[str]
    #: single surname -> "A" (100 most frequent), "B" (next 300 or in 百家姓), "C" (the rest)
    surname_tier: dict[str, str]
    compound_surnames: frozenset[str]
    #: gazetteer entry -> "f" (full official name) or "s" (name without its level suffix)
    gazetteer: dict[str, str]
    gazetteer_lengths: dict[str, tuple[int, ...]]
    org_suffixes: frozenset[str]
    org_lengths: dict[str, tuple[int, ...]]
    provinces: frozenset[str]


def _by_first_char(words: set[str] | dict[str, str] | frozenset[str]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for w in words:
        lengths.setdefault(w[0], set()).add(len(w))
    return {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}


@functools.lru_cache(maxsize=1)
def lexicons() -> Lexicons:
    data = _data_dir()
    with open(data / "surnames_freq.csv", encoding="utf-8", newline="") as fh:
        rows = [(r["surname"].strip(), float(r["tf"] or 0)) for r in csv.DictReader(fh)]
    by_freq = [name for name, _tf in sorted(rows, key=lambda r: -r[1])]
    baijiaxing = set(_read_column(data / "surnames_baijiaxing.csv", "surname"))
    names = set(by_freq) | baijiaxing
    single = frozenset(n for n in names if len(n) == 1)
    tier: dict[str, str] = {}
    for rank, name in enumerate(n for n in by_freq if len(n) == 1):
        tier[name] = "A" if rank < 100 else "B" if rank < 400 else "C"
    for name in baijiaxing:
        if len(name) == 1 and tier.get(name, "C") == "C":
            tier[name] = "B"
    compound = frozenset(n for n in names if len(n) == 2)
    gazetteer: dict[str, str] = {}
    provinces: set[str] = {"香港", "澳门", "台湾", "台湾省", "香港特别行政区", "澳门特别行政区"}
    for fname in ("provinces.csv", "cities.csv", "areas.csv"):
        for name in _read_column(data / fname, "name"):
            if name in _PLACEHOLDERS or len(name) < 2:
                continue
            gazetteer[name] = "f"
            short = short_name(name)
            if len(short) >= 2 and short not in gazetteer:
                gazetteer[short] = "s"
            if fname == "provinces.csv" and short not in MUNICIPALITIES:
                provinces |= {name, short}  # municipalities are cities as well: never dropped
    for p in ("香港", "澳门", "台湾"):
        gazetteer.setdefault(p, "f")
    orgs = frozenset(ORG_SUFFIXES)
    return Lexicons(
        surnames=single,
        surname_tier=tier,
        compound_surnames=compound,
        gazetteer=gazetteer,
        gazetteer_lengths=_by_first_char(gazetteer),
        org_suffixes=orgs,
        org_lengths=_by_first_char(orgs),
        provinces=frozenset(provinces),
    )


# --------------------------------------------------------------------------- features


@functools.lru_cache(maxsize=8192)
def _norm_char(ch: str) -> tuple[str, str]:
    """``(normalised char, type)``: C (CJK), N (Chinese numeral), D (digit), L (latin), P (punct),
    S (space), O (other)."""
    if ch.isspace():
        return " ", "S"
    n = unicodedata.normalize("NFKC", ch)
    if len(n) != 1:
        n = ch
    if n.isdigit() and n.isascii():
        return "0", "D"
    if n in "〇零一二三四五六七八九十百千亿两":
        return n, "N"
    if "\u4e00" <= n <= "\u9fff" or "\u3400" <= n <= "\u4dbf" or "\uf900" <= n <= "\ufaff":
        return n, "C"
    if n.isascii() and n.isalpha():
        return n.lower(), "L"
    if n.isalpha():
        return n.lower(), "O"
    if n in _DOTS:
        return "·", "P"
    cat = unicodedata.category(n)
    if cat[0] in "PSZ":
        return n, "P"
    if cat[0] == "N":
        return n, "D"
    return n, "O"


def normalize_chars(text: str) -> tuple[list[str], list[str]]:
    """Per-character normalised chars and types; ``len`` equals ``len(text)``."""
    pairs = [_norm_char(ch) for ch in text]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _longest_matches(
    chars: list[str], entries: frozenset[str] | dict[str, str], lengths: dict[str, tuple[int, ...]]
) -> list[tuple[int, int]]:
    """Greedy left-to-right longest matches of ``entries`` in ``chars`` (whitespace kept)."""
    n = len(chars)
    out: list[tuple[int, int]] = []
    i = 0
    while i < n:
        lens = lengths.get(chars[i])
        hit = 0
        if lens:
            for ln in lens:
                if i + ln <= n and "".join(chars[i : i + ln]) in entries:
                    hit = ln
                    break
        if hit:
            out.append((i, i + hit))
            i += hit
        else:
            i += 1
    return out


def _bies(feats: list[list[str]], prefix: str, matches: list[tuple[int, int]], kind: str = "") -> None:
    for s, e in matches:
        if e - s == 1:
            feats[s].append(f"{prefix}S{kind}")
            continue
        feats[s].append(f"{prefix}B{kind}")
        for k in range(s + 1, e - 1):
            feats[k].append(f"{prefix}I{kind}")
        feats[e - 1].append(f"{prefix}E{kind}")


def _dist_bucket(d: int) -> str:
    if d <= 4:
        return str(d)
    if d <= 7:
        return "5-7"
    return "8+"


def char_features(text: str) -> list[list[str]]:
    """The CRF features of every character of ``text`` (one line: no ``\\n`` expected)."""
    lex = lexicons()
    chars, types = normalize_chars(text)
    n = len(chars)
    pc = ["^2", "^1", *chars, "$1", "$2"]
    pt = ["^", "^", *types, "$", "$"]
    feats: list[list[str]] = []
    tier = lex.surname_tier
    for i in range(n):
        j = i + 2
        c0, cl, cr, cll, crr = pc[j], pc[j - 1], pc[j + 1], pc[j - 2], pc[j + 2]
        f = [
            "c=" + c0,
            "l=" + cl,
            "r=" + cr,
            "ll=" + cll,
            "rr=" + crr,
            "lc=" + cl + c0,
            "cr=" + c0 + cr,
            "llc=" + cll + cl,
            "crr=" + cr + crr,
            "lr=" + cl + cr,
            "t=" + pt[j - 1] + pt[j] + pt[j + 1],
        ]
        sn = tier.get(c0)
        if sn:
            f.append("sn" + sn)
        sn = tier.get(cl)
        if sn:
            f.append("snl" + sn)
        if c0 + cr in lex.compound_surnames:
            f.append("sn2")
        feats.append(f)
    # gazetteer of administrative divisions: full names and names without the level suffix
    gmatch = _longest_matches(chars, lex.gazetteer, lex.gazetteer_lengths)
    for s, e in gmatch:
        kind = lex.gazetteer["".join(chars[s:e])]
        _bies(feats, "g", [(s, e)], kind)
    # organisation suffixes and, for each char, how far the next multi-char suffix ends
    omatch = _longest_matches(chars, lex.org_suffixes, lex.org_lengths)
    _bies(feats, "o", omatch)
    ends = {e for s, e in omatch if e - s >= 2}
    nxt = -1
    for i in range(n - 1, -1, -1):
        if types[i] == "P" and chars[i] != "·":
            nxt = -1
            continue
        if i + 1 in ends:
            nxt = i + 1
        if nxt > 0 and nxt - i <= 15:
            feats[i].append("od=" + _dist_bucket(nxt - i))
    return feats


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


def model_path() -> Path:
    return Path(str(files("models") / "ner_crf" / "ner.crfsuite"))


class _Model:
    def __init__(self, path: Path) -> None:
        import pycrfsuite

        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(path))
        self.labels: list[str] = list(self.tagger.labels())
        self.lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def load_model(path: str) -> _Model:
    p = Path(path)
    if not p.is_file():
        raise MissingModelError(
            f"NER model {p.name} is missing under models/ner_crf; "
            "run scripts/train_ner.py to build it"
        )
    try:
        return _Model(p)
    except (OSError, ValueError) as exc:
        raise MissingModelError(f"NER model {p.name} cannot be loaded: {type(exc).__name__}") from None


@functools.lru_cache(maxsize=1)
def stop_words() -> dict[str, frozenset[str]]:
    """Per-category terms never reported (``[category]`` sections in ``stop.txt``)."""
    path = Path(str(files("models") / "ner_crf" / "stop.txt"))
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
    "洛尔", "地平", "普利", "沙坦", "他汀", "聚体", "蛋白", "试验", "综合",
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


class CrfNerDetector:
    """Persons, organisations, places and addresses found by the character CRF."""

    name = "ner"
    categories = frozenset(CATEGORIES)

    def __init__(
        self,
        path: Path | str | None = None,
        recall_threshold: float | Mapping[str, float] | None = RECALL_THRESHOLDS,
    ) -> None:
        """``recall_threshold``: per model category (default), one value for all, or None for
        the Viterbi path only."""
        self.path = str(path or model_path())
        self.thresholds: dict[str, float] | None = (
            None
            if recall_threshold is None
            else {c: recall_threshold for c in MODEL_CATEGORIES}
            if isinstance(recall_threshold, float | int)
            else {c: recall_threshold.get(c, RECALL_THRESHOLD) for c in MODEL_CATEGORIES}
        )
        self.model = load_model(self.path)

    # raw model output --------------------------------------------------------------
    def tag_chunk(self, text: str) -> tuple[list[str], list[dict[str, float]]]:
        """Viterbi tags and, per position, the marginal of every label (only labels > 0.01)."""
        m = self.model
        feats = char_features(text)
        with m.lock:
            tagger = m.tagger
            tagger.set(feats)
            tags: list[str] = list(tagger.tag())
            margs: list[dict[str, float]] = []
            for t in range(len(tags)):
                p_o = tagger.marginal("O", t)
                if p_o > 0.99 and tags[t] == "O":
                    margs.append({"O": p_o})
                    continue
                margs.append({y: tagger.marginal(y, t) for y in m.labels})
        return tags, margs

    def raw_spans(self, text: str) -> list[tuple[int, int, str, float, bool]]:
        """``(start, end, category, score, from_viterbi)`` for one chunk, unfiltered."""
        if not text.strip():
            return []
        tags, margs = self.tag_chunk(text)
        out: list[tuple[int, int, str, float, bool]] = []
        for s, e, cat in decode(tags):
            score = sum(margs[t].get(tags[t], 0.0) for t in range(s, e)) / (e - s)
            out.append((s, e, cat, score, True))
        if self.thresholds is not None:
            taken = [False] * len(tags)
            for s, e, _c, _sc, _v in out:
                for t in range(s, e):
                    taken[t] = True
            for cat in MODEL_CATEGORIES:
                thr = self.threshold(cat)
                b, i_ = "B-" + cat, "I-" + cat
                run_start = -1
                probs: list[float] = []
                for t in range(len(tags) + 1):
                    p = 0.0
                    if t < len(tags) and not taken[t]:
                        mt = margs[t]
                        p = mt.get(b, 0.0) + mt.get(i_, 0.0)
                    if p >= thr:
                        if run_start < 0:
                            run_start, probs = t, []
                        probs.append(p)
                    elif run_start >= 0:
                        out.append((run_start, t, cat, sum(probs) / len(probs), False))
                        run_start = -1
        return out

    def threshold(self, category: str) -> float:
        """The recall-mode threshold of a model category."""
        return 0.5 if self.thresholds is None else self.thresholds.get(category, RECALL_THRESHOLD)

    # public API --------------------------------------------------------------------
    def detect(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for cs, ce in iter_chunks(text):
            chunk = text[cs:ce]
            for s, e, cat, score, viterbi in self.raw_spans(chunk):
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
                rule = self._judge(chunk[s:e], cat)
                if rule is None:
                    continue
                if not viterbi and cat in ("place", "address") and not _placeish(chunk[s:e]):
                    continue  # a low-marginal location with nothing place-like in it (进修)
                if viterbi:
                    how, final = "viterbi path", score
                else:
                    # recall mode: the threshold maps to 0.5, the policy's default min_score
                    thr = self.threshold("place" if cat == "address" else cat)
                    how = f"marginals above {thr:.2f}"
                    final = 0.5 + 0.5 * max(0.0, score - thr) / max(1e-9, 1.0 - thr)
                spans.append(
                    Span(
                        cs + s,
                        cs + e,
                        cat,
                        round(min(1.0, final), 4),
                        rule,
                        f"character CRF ({how}), mean tag marginal {score:.2f}",
                    )
                )
        return spans

    def _judge(self, surface: str, cat: str) -> str | None:
        """The rule for a kept span, or ``None`` when a precision filter drops it."""
        compact = "".join(_norm_char(c)[0] for c in surface if not c.isspace())
        if not compact or _ONLY_SYMBOLS.match(compact):
            return None
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
            if not 2 <= len(compact) <= 5:
                return None
            known = compact[0] in lex.surnames or compact[:2] in lex.compound_surnames
            if not known and len(compact) < 3:
                return None
            return "ner.crf"
        if len(compact) < 2:
            return None
        if cat in ("place", "address") and compact in lex.provinces:
            return "ner.crf_province"
        return "ner.crf"
