"""Latin-script forms of profile identities: pinyin person names and English phrases.

Person names become one regular expression per name that matches, case-insensitively (the
text is normalised to lower case first) and only on word boundaries:

* family-first and given-first full forms (Zhang Sanfeng, Zhang San-Feng, Zhang San Feng,
  ZhangSanfeng, Zhang,Sanfeng, Sanfeng Zhang);
* initials (Zhang S., Zhang S, Zhang SF, Zhang S.F., S. Zhang, S.F. Zhang);
* any run of whitespace or hyphens where the form has a space, and space/hyphen/nothing
  between syllables. ü may be written v, u or yu (Lü, Lv, Lu, Lyu).

Chinese names are romanised with pypinyin, with every reading of polyphonic characters
(surname readings such as 单 Shan, 曾 Zeng, 仇 Qiu are added explicitly), and compound
surnames (欧阳, 司马, 尉迟…) are kept together. Wade–Giles and Cantonese are not generated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

from service.detect.profile_cjk import Hit
from service.detect.profile_norm import has_cjk, normalize

#: readings a surname character takes that pypinyin's heteronyms may miss or rank low
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "区": ("ou",), "朴": ("piao",),
    "查": ("zha",), "仇": ("qiu",), "盖": ("ge",), "翟": ("zhai",), "乐": ("yue", "le"),
    "尉": ("wei", "yu"), "覃": ("qin", "tan"), "缪": ("miao",), "繁": ("po",), "秘": ("bi",),
    "种": ("chong",), "黑": ("he",), "召": ("shao",), "员": ("yun",), "贲": ("ben",),
    "谌": ("chen",), "隗": ("wei", "kui"), "冼": ("xian",), "石": ("shi",), "沈": ("shen",),
    "柏": ("bai",), "葛": ("ge",), "阚": ("kan",), "燕": ("yan",), "句": ("gou",),
}  # fmt: skip
#: compound surnames, with the reading when pypinyin's phrase reading is not the surname's
COMPOUND_SURNAMES: dict[str, tuple[str, ...] | None] = {
    "欧阳": None, "司马": None, "上官": None, "诸葛": None, "东方": None, "皇甫": None,
    "慕容": None, "司徒": None, "令狐": None, "夏侯": None, "公孙": None,
    "长孙": ("zhang", "sun"), "宇文": None, "独孤": None, "端木": None, "南宫": None,
    "西门": None, "轩辕": None, "申屠": None, "澹台": ("tan", "tai"), "呼延": None,
    "闻人": None, "太史": None, "百里": None, "东郭": None, "公冶": None, "赫连": None,
    "钟离": None, "宗政": None, "濮阳": None, "淳于": None, "拓跋": None,
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "单于": ("chan", "yu"),
}  # fmt: skip
#: the most common single-character surnames: used to tell family from given name in Latin
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿"
    "关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华"
    "喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗"
    "瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_VOWELS = frozenset("aeiouv")
_WORD_BEFORE = r"(?<![a-z0-9])"
#: a name may be followed by affiliation digits ("Qiu Jingwei1, Lu Haiying2")
_WORD_AFTER = r"(?![a-z])"
_NAME_AFTER = r"(?![a-z]|-[a-z])"  # San in "San-ming" is not a whole given name; digits may follow
_SYL_SEP = r"[\s\-]*"
_FAMILY_FIRST_SEP = r"(?:[ \t]*,\s*|[\s\-]*)"
_FAMILY_FIRST_SEP_INIT = r"(?:[ \t]*,\s*|[\s\-]+)"
_GIVEN_FIRST_SEP = r"(?:[\s\-]+|(?<=\.))"
_PHRASE_SEP = r"[\W_]+"

Syllable = tuple[str, ...]  # alternative spellings of one syllable


@dataclass(frozen=True, slots=True)
class LatinPattern:
    """A compiled Latin matcher for one profile entry; every named group is one form."""

    regex: re.Pattern[str]
    key: str
    forms: tuple[tuple[str, float, str], ...]  # (group name, score, explanation)
    literals: tuple[str, ...]  # at least one must occur in the text for any match

    def find(self, norm: str) -> list[Hit]:
        if not any(lit in norm for lit in self.literals):
            return []
        hits: list[Hit] = []
        for m in self.regex.finditer(norm):
            for group, score, expl in self.forms:
                if m.group(group) is not None:
                    hits.append(Hit(m.start(group), m.end(group), self.key, score, expl))
                    break
        return hits


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (ü written v)."""
    from pypinyin.pinyin_dict import pinyin_dict

    out: set[str] = set()
    for value in set(pinyin_dict.values()):
        for reading in value.split(","):
            plain = normalize(reading)
            if plain.isascii() and plain.isalpha() and _VOWELS & set(plain):
                out.add(plain)
    return frozenset(out)


def segment(token: str) -> list[str] | None:
    """Split a Latin token into the fewest pinyin syllables (``sanfeng`` → san, feng)."""
    syllables = pinyin_syllables()
    n = len(token)
    best: list[list[str] | None] = [[]] + [None] * n
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            prev = best[start]
            piece = token[start:end]
            if prev is not None and piece in syllables:
                cand = [*prev, piece]
                cur = best[end]
                if cur is None or len(cand) < len(cur):
                    best[end] = cand
    return best[n]


@lru_cache(maxsize=1)
def common_surname_pinyin() -> frozenset[str]:
    out = {r for ch in COMMON_SURNAMES for r in _char_readings(ch, surname=True)}
    out.update("".join(lazy_pinyin(s)) for s in COMPOUND_SURNAMES)
    return frozenset(out)


def _char_readings(ch: str, surname: bool = False) -> list[str]:
    readings = list(SURNAME_READINGS.get(ch, ())) if surname else []
    for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]:
        if r not in readings and r.isascii() and r.isalpha():
            readings.append(r)
    return readings


def _spellings(reading: str) -> Syllable:
    out = [reading]
    if "v" in reading:
        out += [reading.replace("v", "u"), reading.replace("v", "yu")]
    return tuple(out)


def split_cjk_name(name: str) -> tuple[list[Syllable], list[Syllable]] | None:
    """(family, given) syllables of a Chinese name, or None when it cannot be romanised."""
    if len(name) < 2 or not all("\u4e00" <= ch <= "\u9fff" for ch in name):
        return None
    if name[:2] in COMPOUND_SURNAMES and len(name) >= 3:
        fixed = COMPOUND_SURNAMES[name[:2]] or tuple(lazy_pinyin(name[:2]))
        family = [_spellings(r) for r in fixed]
        given_chars = name[2:]
    else:
        family = [tuple(s for r in _char_readings(name[0], True) for s in _spellings(r))]
        given_chars = name[1:]
    phrase = lazy_pinyin(given_chars)
    given: list[Syllable] = []
    for ch, first in zip(given_chars, phrase, strict=True):
        readings = [first] + [r for r in _char_readings(ch) if r != first]
        given.append(tuple(s for r in readings for s in _spellings(r)))
    return family, given


def _alt(options: Iterable[str]) -> str:
    uniq = sorted(set(options), key=lambda s: (-len(s), s))
    return "(?:" + "|".join(re.escape(o) for o in uniq) + ")"


def _initial(syl: Syllable) -> str:
    return "[" + "".join(sorted({s[0] for s in syl})) + "]"


def _name_regex(
    family: Sequence[Syllable], given: Sequence[Syllable], written: str | None, key: str
) -> LatinPattern:
    fam = _SYL_SEP.join(_alt(s) for s in family)
    giv = _SYL_SEP.join(_alt(s) for s in given)
    init1 = _initial(given[0]) + r"\.?+"
    forms: list[tuple[str, str, float, str]] = []
    if written is not None:
        forms.append(("w", written, 0.99, "Latin name as given in the profile"))
    forms += [
        ("ff", fam + _FAMILY_FIRST_SEP + giv, 0.9, "pinyin variant: family-first"),
        ("gf", giv + r"[\s\-]+" + fam, 0.9, "pinyin variant: given-first"),
    ]
    if len(given) >= 2:
        init_all = r"\.?[\s\-]*".join(_initial(s) for s in given) + r"\.?+"
        forms.append(("fia", fam + _FAMILY_FIRST_SEP_INIT + init_all, 0.8,
                      "pinyin variant: family-first, given-name initials"))  # fmt: skip
        forms.append(("gia", init_all + _GIVEN_FIRST_SEP + fam, 0.8,
                      "pinyin variant: given-name initials first"))  # fmt: skip
    forms.append(("fi1", fam + _FAMILY_FIRST_SEP_INIT + init1, 0.8,
                  "pinyin variant: family-first, first given initial"))  # fmt: skip
    forms.append(("gi1", init1 + _GIVEN_FIRST_SEP + fam, 0.8,
                  "pinyin variant: first given initial first"))  # fmt: skip
    body = "|".join(f"(?P<{g}>{rx}){_NAME_AFTER}" for g, rx, _, _ in forms)
    firsts = {s[0] for s in family[0]} | {s[0] for s in given[0]}
    if written is not None:
        firsts.add(written[0])
    lead = "(?=[" + "".join(sorted(firsts)) + "])"
    regex = re.compile(f"{_WORD_BEFORE}{lead}(?=(?:{body}))")
    literals = tuple(sorted(set(family[0])))
    return LatinPattern(regex, key, tuple((g, sc, ex) for g, _, sc, ex in forms), literals)


def person_from_cjk(name: str, key: str) -> LatinPattern | None:
    parts = split_cjk_name(name)
    if parts is None or not parts[1]:
        return None
    return _name_regex(parts[0], parts[1], None, key)


def _syllables(token: str) -> list[Syllable]:
    return [_spellings(s) for s in (segment(token) or [token])]


def _family_index(raw_tokens: list[str], tokens: list[str], hints: frozenset[str]) -> int:
    caps = [i for i, t in enumerate(raw_tokens) if len(t) >= 2 and t.isupper()]
    if len(caps) == 1 and len(raw_tokens) > 1 and caps[0] in (0, len(tokens) - 1):
        return caps[0]
    for pool in (hints, common_surname_pinyin()):
        if tokens[0] in pool:
            return 0
        if tokens[-1] in pool:
            return len(tokens) - 1
    if all(segment(t) for t in tokens):
        return 0  # pinyin: Chinese order
    return len(tokens) - 1  # a Western name: family last


def person_from_latin(entry: str, key: str, hints: frozenset[str]) -> LatinPattern | None:
    """Forms of a Latin person entry (``Zhang San``); ``hints`` are known family pinyins."""
    raw = entry.replace("'", "").replace("\u2019", "")
    if "," in raw or "\uff0c" in raw:
        before, _, after = raw.replace("\uff0c", ",").partition(",")
        family_raw = "".join(re.findall(r"[^\W\d_]+", before))
        raw_tokens = [family_raw] if family_raw else []
        raw_tokens += re.findall(r"[^\W\d_]+", after)
        fam_idx = 0
        tokens = [normalize(t) for t in raw_tokens]
    else:
        raw_tokens = re.findall(r"[^\W\d_]+", raw)
        tokens = [normalize(t) for t in raw_tokens]
        fam_idx = _family_index(raw_tokens, tokens, hints) if len(tokens) >= 2 else 0
    if len(tokens) < 2 or not all(t.isascii() for t in tokens):
        return None
    family = _syllables(tokens[fam_idx])
    given = [s for i, t in enumerate(tokens) if i != fam_idx for s in _syllables(t)]
    written = r"[\s\-,.]*".join(re.escape(t) for t in tokens)
    return _name_regex(family, given, written, key)


def phrase_pattern(entry: str, key: str) -> LatinPattern | None:
    """An English/Latin phrase: case-, spacing- and punctuation-insensitive, "The" optional."""
    tokens = re.findall(r"[a-z0-9]+|&", normalize(entry))
    tokens = ["and" if t == "&" else t for t in tokens]
    if tokens and tokens[0] == "the" and len(tokens) > 1:
        tokens = tokens[1:]
    if not tokens:
        return None
    body = _PHRASE_SEP.join("(?:and|&)" if t == "and" else re.escape(t) for t in tokens)
    regex = re.compile(f"{_WORD_BEFORE}(?P<p>(?:the{_PHRASE_SEP})?{body}){_WORD_AFTER}")
    forms = (("p", 0.97, "Latin form (case/spacing/punctuation-insensitive)"),)
    return LatinPattern(regex, key, forms, (tokens[0],) if tokens[0] != "and" else ("",))


def place_pinyin(bare: str) -> LatinPattern | None:
    """The romanised form of a place name without its suffix (漳州 → "Zhangzhou"), for English
    affiliations. Toneless pinyin joined in one word; polyphonic readings are not expanded
    (the gazetteer with hand-fixed exceptions comes with generic place detection)."""
    if len(bare) < 2 or not has_cjk(bare):
        return None

    syllables = [s for s in lazy_pinyin(bare) if s.isascii() and s.isalpha()]
    if len(syllables) != len(bare):
        return None
    return phrase_pattern("".join(syllables).replace("v", "u").capitalize(), "place")
