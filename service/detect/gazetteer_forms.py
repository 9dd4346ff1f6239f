"""Surface forms of Chinese division names: short forms (suffix and ethnic words stripped)
and romanised forms for English text. Pure functions; :mod:`service.detect.gazetteer`
assembles them into the gazetteer.

* provinces: 内蒙古自治区 → 内蒙古; 广西壮族自治区 → 广西; 广东省 → 广东; 北京市 → 北京
* cities: 呼和浩特市 → 呼和浩特; 锡林郭勒盟 → 锡林郭勒; 阿里地区 → 阿里;
  巴音郭楞蒙古自治州 → 巴音郭楞 and 巴音郭楞州 (the usual "<name>州")
* counties: 赛罕区 → 赛罕; 科尔沁右翼前旗 → 科尔沁右翼前; 长阳土家族自治县 → 长阳, 长阳县
* development zones, "新城", island groups and the like get no short form
* pinyin: toneless, syllables joined into one capitalised word with an apostrophe before a
  vowel-initial syllable (Ji'an, Xi'an); ü written u (Lvliang → Luliang) and also ü
"""

from __future__ import annotations

import re

from service.detect.profile_forms import strip_ethnic

PROVINCE_SUFFIXES: tuple[str, ...] = ("特别行政区", "自治区", "省", "市")
CITY_SUFFIXES: tuple[str, ...] = ("自治州", "地区", "盟", "市", "州")
COUNTY_SUFFIXES: tuple[str, ...] = (
    "自治县", "自治旗", "林区", "特区", "新区", "县", "区", "旗", "市",
)  # fmt: skip
#: parts of names of zones that are not ordinary divisions: no short form for these
NO_SHORT_MARKERS: tuple[str, ...] = (
    "开发区", "园区", "管委会", "委员会", "管理区", "示范区", "试验区", "合作区", "新城",
    "海域", "群岛", "工业区", "产业", "农场", "办事处",
)  # fmt: skip
#: town-level names are kept only with one of these endings (the full name)
TOWN_SUFFIXES: tuple[str, ...] = ("街道", "镇", "乡", "苏木")
#: English words for the administrative suffixes, included in a romanised span
ROMAN_SUFFIX_WORDS: frozenset[str] = frozenset(
    {"City", "County", "District", "Banner", "League", "Prefecture", "Province",
     "Municipality", "Region", "Town", "Township"}
)  # fmt: skip
_APOSTROPHE_BEFORE = frozenset("aoe")


_CJK_NAME = re.compile("[\u4e00-\u9fff]+")


def is_cjk_name(name: str) -> bool:
    return _CJK_NAME.fullmatch(name) is not None


def strip_suffix(name: str, suffixes: tuple[str, ...]) -> tuple[str, str] | None:
    """(bare name, suffix) with the first matching suffix removed, or None.

    Ethnic words are removed from autonomous names; the bare name may have 1 character
    (单县 → 单): callers decide whether that is usable.
    """
    if any(marker in name for marker in NO_SHORT_MARKERS):
        return None
    for suf in suffixes:
        if name.endswith(suf) and len(name) > len(suf):
            bare = name[: -len(suf)]
            if suf.startswith("自治"):
                bare = strip_ethnic(bare)
                if bare.endswith("族"):
                    return None
            return bare, suf
    return None


def short_forms(name: str, suffixes: tuple[str, ...]) -> tuple[str, list[str]]:
    """(bare name, extra suffixed forms) for a division; bare is "" when there is none.

    Extra forms: 自治州 → <bare>州, 自治县 → <bare>县, 自治旗 → <bare>旗.
    """
    got = strip_suffix(name, suffixes)
    if got is None:
        return "", []
    bare, suf = got
    extra: list[str] = []
    if suf.startswith("自治") and len(bare) >= 2:
        extra.append(bare + {"自治州": "州", "自治县": "县", "自治旗": "旗"}.get(suf, ""))
    return bare, [e for e in extra if e != bare]


def pinyin_word(chars: str) -> list[str]:
    """The romanised single word(s) for ``chars``: ``["Ji'an"]``, ``["Luliang", "Lüliang"]``."""
    return pinyin_words([chars]).get(chars, [])


def pinyin_words(names: list[str]) -> dict[str, list[str]]:
    """:func:`pinyin_word` for many names in one pypinyin call (names are separated by a
    non-CJK mark, so each is read on its own, phrases included: 3,000 names in ~0.05 s)."""
    todo = [n for n in dict.fromkeys(names) if is_cjk_name(n)]
    if not todo:
        return {}
    from pypinyin import lazy_pinyin  # imported on first use: ~0.2 s

    out: dict[str, list[str]] = {}
    syllables: list[str] = []
    k = 0
    for item in [*lazy_pinyin("|".join(todo)), "|"]:
        if item != "|":
            syllables.append(item)
            continue
        out[todo[k]] = _word(todo[k], syllables)
        k, syllables = k + 1, []
    return out


def _word(chars: str, syllables: list[str]) -> list[str]:
    if len(syllables) != len(chars) or not all(s.isascii() and s.isalpha() for s in syllables):
        return []
    word = syllables[0]
    for syl in syllables[1:]:
        word += ("'" if syl[0] in _APOSTROPHE_BEFORE else "") + syl
    word = word.capitalize()
    if "v" in word:
        return [word.replace("v", "u"), word.replace("v", "\u00fc")]
    return [word]


def roman_source(bare: str, full: str) -> str:
    """What a division is romanised from: its bare name, or for a 1-character bare name
    (单县) the full name (Shanxian); "" for none."""
    return bare if len(bare) >= 2 else (full if len(bare) == 1 else "")


def roman_forms(bare: str, full: str, words: dict[str, list[str]] | None = None) -> list[str]:
    """Romanised forms of a division as one word (``words``: a :func:`pinyin_words` table)."""
    src = roman_source(bare, full)
    if not src:
        return []
    return words.get(src, []) if words is not None else pinyin_word(src)
