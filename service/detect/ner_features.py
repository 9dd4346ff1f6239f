"""What the NER network sees of a text: character ids, hashed bigram ids and lexicon features.

Shared by the training script (``scripts/train_ner_cnn.py``) and the detector
(``service.detect.ner``), so training and inference can never differ. Characters are normalised
for the features only (NFKC per character, ASCII digits folded to ``0``, every whitespace to one
space, Latin lower-cased); offsets are always offsets into the caller's text.

Lexicon features per character (:data:`N_LEX` columns of 0/1, from ``redaction_rules/data``):
the character type (CJK, Chinese numeral, digit, Latin, punctuation, space, other), the surname
tier of the character and of its left neighbour (A = 100 most frequent, B = next 300 or in 百家姓,
C = the rest), a compound-surname start, B/I/E/S of the longest administrative-division match
(full official names and names without the level suffix apart), B/I/E/S of organisation/unit
suffix matches (医院, 大学, 公司, 局, 委员会 …) and, in six buckets, the distance to the end of
the next multi-character suffix in the clause.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from service.detect.gazetteer import MUNICIPALITIES

_DOTS = frozenset("·•・‧∙⋅")

# --------------------------------------------------------------------------- lexicons

#: organisation suffixes (a feature, not a rule: the network weighs them)
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
    compound_firsts: frozenset[str]
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
        compound_firsts=frozenset(c[0] for c in compound),
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




# --------------------------------------------------------------------------- numeric features

_TYPES = "CNDLPSO"
_TIERS = "ABC"
_COL_TYPE = 0
_COL_SN = _COL_TYPE + len(_TYPES)  # surname tier of the character
_COL_SNL = _COL_SN + 3  # ... of its left neighbour
_COL_SN2 = _COL_SNL + 3  # compound surname starts here
_COL_GAZ = _COL_SN2 + 1  # B/I/E/S x full/short
_COL_ORG = _COL_GAZ + 8  # B/I/E/S
_COL_DIST = _COL_ORG + 4  # distance to the next suffix end: 1, 2, 3, 4, 5-7, 8-15
N_LEX = _COL_DIST + 6
#: hashed character bigrams (the character and its right neighbour); id 0 is padding
BIGRAM_BUCKETS = 40009


def _bies_cols(out: np.ndarray, col: int, matches: list[tuple[int, int]]) -> None:
    for s, e in matches:
        if e - s == 1:
            out[s, col + 3] = 1
            continue
        out[s, col] = 1
        out[s + 1 : e - 1, col + 1] = 1
        out[e - 1, col + 2] = 1


def _dist_col(d: int) -> int:
    return d - 1 if d <= 4 else 4 if d <= 7 else 5


_TYPE_COL = {t: _COL_TYPE + i for i, t in enumerate(_TYPES)}
_TIER_COL = {t: i for i, t in enumerate(_TIERS)}


def lexicon_features(chars: list[str], types: list[str]) -> np.ndarray:
    """``(len(chars), N_LEX)`` float32 0/1 lexicon features of normalised characters."""
    lex = lexicons()
    n = len(chars)
    out = np.zeros((n, N_LEX), dtype=np.float32)
    if n == 0:
        return out
    out[np.arange(n), [_TYPE_COL[t] for t in types]] = 1
    tier = lex.surname_tier
    firsts = lex.compound_firsts
    for i, c in enumerate(chars):
        sn = tier.get(c)
        if sn:
            col = _TIER_COL[sn]
            out[i, _COL_SN + col] = 1
            if i + 1 < n:
                out[i + 1, _COL_SNL + col] = 1
        if c in firsts and i + 1 < n and c + chars[i + 1] in lex.compound_surnames:
            out[i, _COL_SN2] = 1
    for s, e in _longest_matches(chars, lex.gazetteer, lex.gazetteer_lengths):
        shift = 0 if lex.gazetteer["".join(chars[s:e])] == "f" else 4
        _bies_cols(out[:, shift:], _COL_GAZ, [(s, e)])
    omatch = _longest_matches(chars, lex.org_suffixes, lex.org_lengths)
    _bies_cols(out, _COL_ORG, omatch)
    ends = {e for s, e in omatch if e - s >= 2}
    if not ends:
        return out
    nxt = -1
    for i in range(n - 1, -1, -1):
        if types[i] == "P" and chars[i] != "·":
            nxt = -1
            continue
        if i + 1 in ends:
            nxt = i + 1
        if nxt > 0 and nxt - i <= 15:
            out[i, _COL_DIST + _dist_col(nxt - i)] = 1
    return out


def bigram_ids(chars: list[str]) -> np.ndarray:
    """Hashed ids (1 … :data:`BIGRAM_BUCKETS`) of each character with its right neighbour
    (a stable hash of the code points: the same in every process)."""
    cps = [ord(c[0]) for c in chars] + [0x24]
    return np.array(
        [(cps[i] * 1_000_003 + cps[i + 1] * 7919) % BIGRAM_BUCKETS + 1 for i in range(len(chars))],
        dtype=np.int64,
    )


@dataclass(frozen=True)
class Encoded:
    """The network's three inputs for one piece of text (batch of one)."""

    chars: np.ndarray  # (1, n) int64
    bigrams: np.ndarray  # (1, n) int64
    lexicon: np.ndarray  # (1, n, N_LEX) float32


def encode(text: str, vocab: dict[str, int]) -> Encoded:
    """Inputs for ``text``: character ids from ``vocab`` (0 padding, 1 unknown)."""
    chars, types = normalize_chars(text)
    ids = np.array([vocab.get(c, 1) for c in chars], dtype=np.int64)
    return Encoded(ids[None, :], bigram_ids(chars)[None, :], lexicon_features(chars, types)[None])
