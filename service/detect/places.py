"""The place detector: gazetteer forms of Chinese divisions in CJK and Latin text.

CJK text is normalised (full-width to ASCII) and compacted (whitespace and line breaks
removed, offsets kept), so a name split by an inserted space or a line break is still found.
Matching is leftmost-longest over the gazetteer's surface forms, also inside longer words
(呼和浩特市第一医院 → 呼和浩特市). A candidate is dropped, and a shorter form at the same
position tried, when it overlaps a listed non-place word without containing it (市场 in
沧州市场… leaves 沧州), and when its gate is not met (see :mod:`service.detect.gazetteer`):

* ``context``: followed by an administrative suffix or a unit word (医院, 大学, 人民…),
  or directly preceded by another place or by 省/自治区, or preceded by a location label
  (籍贯, 住址, 来自…) within a few characters;
* ``suffix``: never on its own (only its full name, 中山市, is reported); the address detector
  still accepts it before road grammar (中山路5号).

Latin text: capitalised words (up to three: "Inner Mongolia") looked up among the
romanised forms, case-sensitively on word boundaries; a following suffix word (City,
County, District, Banner, League, Prefecture, "Autonomous Region"…) is included. County-level
romanised forms need that suffix word or a following ", <city or province>"; a city-level form
next to a common surname ("Zhang Yulin") is taken for a person and skipped.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from service.detect.gazetteer import Gazetteer, PlaceForm, RomanForm, load_gazetteer, load_roman
from service.detect.gazetteer_forms import ROMAN_SUFFIX_WORDS
from service.detect.profile_norm import Compact, compact, normalize
from service.types import Span

ADMIN_SUFFIX_CHARS = frozenset("省市县区旗盟州镇乡村")
_FORMER_SUFFIX = frozenset("市县区旗盟州")
#: words after a gated form that show it is used as a place (unit names, 籍, 人民…)
FOLLOW_WORDS: tuple[str, ...] = (
    "医院", "医学", "医科", "医专", "卫校", "卫生", "大学", "学院", "师范", "职业", "人民",
    "中心", "中医", "妇幼", "疾控", "疾病", "第一", "第二", "第三", "第四", "第五", "籍",
    "地区", "农村", "监狱", "分院", "附属", "中学", "一中", "二中", "市级",
)  # fmt: skip
#: words before a gated form (within a few characters) that show a location is meant
PRECEDE_WORDS: tuple[str, ...] = (
    "籍贯", "原籍", "祖籍", "户籍", "住址", "地址", "出生地", "出生于", "生于", "来自",
    "位于", "家住", "现居", "居住", "迁至", "落户",
)  # fmt: skip
_PRECEDE_WINDOW = 6
#: "，河源人，" / "系白山人": where someone is from
_ORIGIN_BEFORE = frozenset("，,系是为：:、")
_ORIGIN_AFTER = frozenset("，,。；;、）)")
#: 在/赴 + place + an activity: 长期在大理经商, 赴巴州开展义诊
_LOCATIVE_BEFORE = frozenset("在赴到去往于至")
_ACTIVITY_AFTER: tuple[str, ...] = (
    "经商", "居住", "工作", "务工", "放牧", "生活", "打工", "定居", "开展", "支援", "义诊",
    "就医", "就诊", "住院", "出差", "学习", "进修", "挂职", "援助", "帮扶", "执业", "行医",
)  # fmt: skip
#: after 镇 these make a drug/treatment word (镇静, 镇痛…), not a town
_NOT_TOWN_AFTER = frozenset("静痛咳吐定惊压")
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Za-z]*(?:['\u2019][A-Za-z]+)?(?![A-Za-z])")
_HAS_UPPER = re.compile(r"[A-Z]")
_WORD_GAP = re.compile(r"[ \t]+|[ \t]*\n[ \t]*")


@dataclass(frozen=True, slots=True)
class PlaceHit:
    """A gazetteer form found in the compact text: ``[cstart, cend)`` are compact offsets."""

    cstart: int
    cend: int
    form: PlaceForm


GateFn = Callable[[str, int, int, PlaceForm, int], bool]


_MAX_NOT_PLACE = 16


@lru_cache(maxsize=1)
def _not_place_regex() -> re.Pattern[str] | None:
    words = sorted(load_gazetteer().lists.not_places, key=len, reverse=True)
    words = [w for w in words if len(w) <= _MAX_NOT_PLACE]
    if not words:
        return None
    return re.compile("(?=(" + "|".join(re.escape(w) for w in words) + "))")


def blocked_intervals(ct: str) -> list[tuple[int, int]]:
    rx = _not_place_regex()
    if rx is None:
        return []
    return [(m.start(), m.start() + len(m.group(1))) for m in rx.finditer(ct)]


def _crosses(blocked: list[tuple[int, int]], i: int, j: int) -> bool:
    """True when a non-place word overlaps [i, j) without lying inside it (``blocked`` is
    sorted by start; words are at most ``_MAX_NOT_PLACE`` long)."""
    lo = bisect_left(blocked, (i - _MAX_NOT_PLACE, 0))
    hi = bisect_left(blocked, (j, 0))
    return any(e > i and not (i <= s and e <= j) for s, e in blocked[lo:hi])


def gate_met(ct: str, i: int, j: int, form: PlaceForm, prev_end: int) -> bool:
    """Whether a form found at compact ``[i, j)`` may be reported (see module doc)."""
    if form.gate == "none":
        return True
    if form.gate == "suffix":
        return False  # the full name (中山市) is a form of its own
    if (j < len(ct) and ct[j] in ADMIN_SUFFIX_CHARS) or ct.startswith(FOLLOW_WORDS, j):
        return True
    if prev_end == i or ct.endswith(("省", "自治区"), 0, i):
        return True
    if i > 0 and j < len(ct) and ct[j] == "人" and ct[i - 1] in _ORIGIN_BEFORE and (
        j + 1 == len(ct) or ct[j + 1] in _ORIGIN_AFTER
    ):
        return True
    if i > 0 and ct[i - 1] in _LOCATIVE_BEFORE and ct.startswith(_ACTIVITY_AFTER, j):
        return True
    before = ct[max(0, i - _PRECEDE_WINDOW) : i]
    return any(w in before for w in PRECEDE_WORDS)


def _former_suffix(
    ct: str, i: int, j: int, form: PlaceForm, blocked: list[tuple[int, int]]
) -> bool:
    if form.kind != "short" or form.level == "province" or j >= len(ct):
        return False
    return ct[j] in _FORMER_SUFFIX and not (blocked and _crosses(blocked, i, j + 1))


def line_breaks(text: str, c: Compact) -> dict[int, str]:
    """Compact positions that follow a removed line break (``"\n"``) or cell break (``"\t"``)."""
    out: dict[int, str] = {}
    for k in range(1, len(c.text)):
        gap = text[c.index[k - 1] + 1 : c.index[k]]
        if "\t" in gap:
            out[k] = "\t"
        elif "\n" in gap:
            out[k] = "\n"
    return out


def _bad_break(breaks: dict[int, str], i: int, j: int) -> bool:
    """A name may wrap over a line (呼和\n浩特市) but not start or end as one character on
    its own line (住院12天\n门急诊: no 天门), and never crosses table cells (\t)."""
    for k in range(i + 1, j):
        kind = breaks.get(k)
        if kind == "\t" or (kind == "\n" and (k - i < 2 or j - k < 2)):
            return True
    return False


def scan(c: Compact, gate: GateFn = gate_met, breaks: dict[int, str] | None = None) -> list[PlaceHit]:
    """Leftmost-longest gazetteer hits in compact text whose gate is met."""
    g: Gazetteer = load_gazetteer()
    ct = c.text
    blocked = blocked_intervals(ct)
    hits: list[PlaceHit] = []
    n = len(ct)
    i = 0
    prev_end = -1
    while i < n:
        found = None
        for length in g.lengths.get(ct[i], ()):
            j = i + length
            if j > n:
                continue
            form = g.lookup(ct[i:j])
            if form is None or (blocked and _crosses(blocked, i, j)):
                continue
            if breaks and _bad_break(breaks, i, j):
                continue
            if form.level == "town" and ct[j - 1] == "镇" and j < n and ct[j] in _NOT_TOWN_AFTER:
                continue
            if gate(ct, i, j, form, prev_end):
                # a former designation (姜堰市 for today's 姜堰区): keep the suffix
                if _former_suffix(ct, i, j, form, blocked):
                    j += 1
                found = PlaceHit(i, j, form)
                break
        if found is None:
            i += 1
            continue
        hits.append(found)
        prev_end = i = found.cend
    return hits


def _score(form: PlaceForm) -> float:
    if form.kind == "short":
        return 0.85 if form.gate == "none" else 0.8
    return 0.9 if form.level == "town" else 0.95


def cjk_spans(text: str) -> list[Span]:
    norm = normalize(text)
    c = compact(norm)
    out: list[Span] = []
    for h in scan(c, breaks=line_breaks(norm, c)):
        start, end = c.original(h.cstart, h.cend)
        f = h.form
        out.append(Span(start, end, "place", _score(f), f"place.{f.rule}", f.explanation))
    return out


# --- Latin ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    word: str


def _tokens(text: str) -> list[_Tok]:
    return [
        _Tok(m.start(), m.end(), m.group().replace("\u2019", "'")) for m in _TOKEN.finditer(text)
    ]


def _adjacent(text: str, a: _Tok, b: _Tok) -> bool:
    return _WORD_GAP.fullmatch(text, a.end, b.start) is not None


def _lookup(words: list[str]) -> RomanForm | None:
    roman = load_roman()
    key = " ".join(words)
    hit = roman.get(key)
    if hit is None and key.replace(" ", "").isupper() and len(key) >= 4:
        hit = roman.get(" ".join(w.capitalize() for w in words))
    return hit


def _longest(text: str, toks: list[_Tok], k: int) -> tuple[int, RomanForm] | None:
    for n in (3, 2, 1):
        if k + n > len(toks):
            continue
        if any(not _adjacent(text, toks[x], toks[x + 1]) for x in range(k, k + n - 1)):
            continue
        hit = _lookup([t.word for t in toks[k : k + n]])
        if hit is not None:
            return n, hit
    return None


def _suffix_len(text: str, toks: list[_Tok], k: int) -> int:
    """How many tokens from ``k`` form a suffix ("District", "Autonomous Region")."""
    if k < len(toks) and _adjacent(text, toks[k - 1], toks[k]):
        if toks[k].word in ROMAN_SUFFIX_WORDS:
            return 1
        if (
            toks[k].word == "Autonomous"
            and k + 1 < len(toks)
            and toks[k + 1].word in ROMAN_SUFFIX_WORDS
            and _adjacent(text, toks[k], toks[k + 1])
        ):
            return 2
    return 0


def _place_follows(text: str, toks: list[_Tok], k: int) -> bool:
    """Whether ", <city or province>" comes right after token ``k - 1``."""
    if k >= len(toks) or not re.fullmatch(r"\s*,\s*", text[toks[k - 1].end : toks[k].start]):
        return False
    nxt = _longest(text, toks, k)
    return nxt is not None and (nxt[1].level in ("city", "province") or _suffix_len(
        text, toks, k + nxt[0]) > 0)  # fmt: skip


def _near_surname(text: str, toks: list[_Tok], k: int, n: int) -> bool:
    from service.detect.profile_latin import common_surname_pinyin  # pypinyin: lazy

    surnames = common_surname_pinyin()
    for x in (k - 1, k + n):
        if 0 <= x < len(toks):
            a, b = (toks[x], toks[k]) if x < k else (toks[k + n - 1], toks[x])
            if toks[x].word.lower() in surnames and _adjacent(text, a, b):
                return True
    return False


def latin_spans(text: str) -> list[Span]:
    toks = _tokens(text)
    out: list[Span] = []
    k = 0
    while k < len(toks):
        got = _longest(text, toks, k)
        if got is None:
            k += 1
            continue
        n, rf = got
        suf = _suffix_len(text, toks, k + n)
        ok = suf > 0 or (
            _place_follows(text, toks, k + n) if rf.gated else not _near_surname(text, toks, k, n)
        )
        if not ok:
            k += 1
            continue
        last = toks[k + n + suf - 1]
        rule = "place.province" if rf.level == "province" else "place.roman"
        expl = f"romanised {rf.level}-level name from the division gazetteer"
        if suf:
            expl += " with its administrative suffix word"
        out.append(Span(toks[k].start, last.end, "place", 0.95 if suf else 0.85, rule, expl))
        k += n + suf
    return out


class PlaceDetector:
    """Chinese administrative division names (province to town level) in CJK and Latin."""

    name = "place"
    categories = frozenset({"place"})

    def detect(self, text: str) -> list[Span]:
        spans = cjk_spans(text)
        if _HAS_UPPER.search(text):
            spans.extend(latin_spans(text))
        return sorted(spans, key=lambda s: (s.start, -s.end))
