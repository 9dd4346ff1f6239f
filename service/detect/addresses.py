"""The address detector: postal addresses in Chinese and English text.

* ``address.cjk``: a chain of gazetteer places (any level, provinces included) ending in a
  town (…旗巴彦托海镇), or directly followed by address grammar – road (路/街/大街/大道/巷/弄/胡同…), number (12号, 17栋,
  4单元, 1080室, 5组, 2-3-401; ASCII, full-width or Chinese numerals), village or estate
  (村/屯/社区/小区/花园/苑/嘎查/苏木/镇/乡…). The span covers the places and the grammar.
  Short place forms that need context (朝阳, 赛罕) are accepted when such grammar follows.
  Matching runs on the compact text (spaces and line breaks inside are ignored).
* ``address.labelled``: the value after a label (住址：, 地址：, 家庭住址, 通讯地址…) up to the
  end of the line or the next field, when it contains road/number/village grammar – with or
  without a known place.
* ``address.english``: "No. 1 Tongdao North Street", "58 Renmin Road", "Saihan District", with
  what follows of districts, romanised places, postcode, province and "China".

A road name alone (消化道, 通道) is never an address: the grammar must contain a number or
a village/estate word, or a road word other than 道/里 right after a place.
"""

from __future__ import annotations

import re
from functools import lru_cache

from service.detect.gazetteer import PlaceForm
from service.detect.places import gate_met, latin_spans, line_breaks, scan
from service.detect.profile_norm import Compact, compact, normalize
from service.types import Span

_CJK = "\u4e00-\u9fff"
_NUM = "[0-9〇零一二三四五六七八九十百千两]+"
_NUMBER = (
    rf"(?:第?{_NUM}(?:-{_NUM})*(?:号院|号楼|号|栋|幢|座|单元|室|层|楼|组|排|户|门|期|弄|巷)"
    r"|[0-9]+(?:-[0-9]+)+)"
)
_ROAD = rf"[{_CJK}]{{1,8}}?(?:大街|大道|胡同|路|街|道|巷|弄|里)(?:[东西南北中]段)?"
_VILLAGE = (
    rf"[{_CJK}]{{1,8}}?(?:村委会|居委会|嘎查村|嘎查|苏木|社区|小区|花园|家园|嘉园|公寓|大厦|新村"
    r"|华庭|名邸|广场|大楼|公馆|园|村|屯|苑|镇|乡)"
)
_PART = rf"(?:(?P<num>{_NUMBER})|(?P<vil>{_VILLAGE})|(?P<road>{_ROAD}))"
_PART_RX = re.compile(_PART)
#: a road word right after the place: the place names the road (朝阳路12号)
_ROAD_WORD = re.compile(r"(?:大街|大道|胡同|路|街|巷)(?:[东西南北中]段)?")
_SEP = re.compile(r"[-,、]?")
_LABEL = re.compile(
    r"(?:家庭住址|现住址|现居住地|居住地址|通讯地址|通信地址|联系地址|户籍地址|户口地址"
    r"|工作单位地址|单位地址|邮寄地址|家庭地址|住址|地址)[ \t]*[:：]?[ \t]*\n?[ \t]*"
)
_VALUE_END = re.compile(r"[\n；;。|]|电话|手机|邮编|邮政编码|联系人|[ \t]{2,}")
_MAX_VALUE = 80
_TRIM = " \t,，、:：.。"


def tail_end(ct: str, j: int) -> int | None:
    """End of the address grammar starting at compact offset ``j``, or None when what follows
    is not strong enough to be an address."""
    pos = j
    strong = False
    parts = 0
    named = _ROAD_WORD.match(ct, j)
    if named is not None:
        got = tail_end(ct, named.end())
        after = _PART_RX.match(ct, named.end())
        return got if got is not None and after is not None and after.group("num") else None
    while True:
        sep = _SEP.match(ct, pos)
        start = sep.end() if sep and parts else pos
        m = _PART_RX.match(ct, start)
        if m is None:
            break
        road = m.group("road")
        if m.group("num") or m.group("vil") or (road and parts == 0 and road[-1] not in "道里"):
            strong = True
        pos = m.end()
        parts += 1
    return pos if strong else None


def _address_gate(ct: str, i: int, j: int, form: PlaceForm, prev_end: int) -> bool:
    return gate_met(ct, i, j, form, prev_end) or tail_end(ct, j) is not None


def cjk_addresses(text: str, c: Compact | None = None) -> list[Span]:
    norm = normalize(text)
    c = c or compact(norm)
    ct = c.text
    breaks = line_breaks(norm, c)
    hits = scan(c, _address_gate, breaks)
    out: list[Span] = []
    k = 0
    while k < len(hits):
        first = k
        while k + 1 < len(hits) and hits[k + 1].cstart == hits[k].cend:
            k += 1
        end = tail_end(ct, hits[k].cend)
        if end is not None:
            # the road/number part stays in its table cell
            cell = next((b for b in range(hits[k].cend + 1, end) if breaks.get(b) == "\t"), None)
            if cell is not None:
                end = cell if tail_end(ct[:cell], hits[k].cend) is not None else None
        if end is None and k > first and hits[k].form.level == "town":
            end = hits[k].cend  # 呼伦贝尔市鄂温克族自治旗巴彦托海镇: a chain down to a town
        if end is not None:
            start, stop = c.original(hits[first].cstart, end)
            out.append(Span(start, stop, "address", 0.9, "address.cjk",
                            "gazetteer place followed by road/number/village grammar"))  # fmt: skip
        k += 1
    return out


def labelled_addresses(text: str) -> list[Span]:
    norm = normalize(text)
    out: list[Span] = []
    for m in _LABEL.finditer(norm):
        start = m.end()
        stop_m = _VALUE_END.search(norm, start, start + _MAX_VALUE)
        stop = stop_m.start() if stop_m else min(len(norm), start + _MAX_VALUE)
        value = norm[start:stop]
        lead = len(value) - len(value.lstrip(_TRIM))
        value = value.strip(_TRIM)
        if len(value) < 4:
            continue
        c = compact(value)
        if not any(tail_end(c.text, p) is not None for p in range(len(c.text))):
            continue
        s = start + lead
        out.append(Span(s, s + len(value), "address", 0.9, "address.labelled",
                        "value after an address label with road/number/village grammar"))  # fmt: skip
    return out


# --- English ----------------------------------------------------------------------------

_W = r"[A-Z][A-Za-z']*"
_STREET_WORD = r"(?:Road|Street|Avenue|Lane|Alley|Boulevard|Highway|Rd|St|Ave|Hutong|Dajie|Lu|Jie)"
_DIR = r"(?:[ \t]+(?:North|South|East|West|Middle|Central))?"
_STREET_NAME = rf"(?:{_W}[ \t]+){{0,3}}?{_W}{_DIR}[ \t]+{_STREET_WORD}\b\.?{_DIR}"
_STREET = re.compile(
    rf"(?:No\.?[ \t]*)?\d+[A-Za-z]?(?:-\d+)?,?[ \t]+{_STREET_NAME}"
    rf"|{_STREET_NAME}(?:,?[ \t]*No\.?[ \t]*\d+[A-Za-z]?)?"
)
_AREA_WORD = r"(?:District|County|Banner|Town|Township|Village|New[ \t]+Area|Subdistrict)"
_AREA = re.compile(rf"(?P<name>{_W}(?:[ \t-]{_W})?)[ \t]+{_AREA_WORD}\b")
_MORE = re.compile(
    rf"[ \t]*,?[ \t]*(?:\d{{6}}\b|(?:P\.?[ \t]?R\.?[ \t]*)?China\b|{_W}(?:[ \t]{_W})?[ \t]+"
    rf"(?:{_AREA_WORD}|City|Province|Prefecture|League|Autonomous[ \t]+Region)\b)"
)
_LEAD = re.compile(r"[ \t]*,?[ \t]*")


@lru_cache(maxsize=4096)
def _is_pinyin(name: str) -> bool:
    from service.detect.profile_latin import segment  # pypinyin: imported on first use

    return all(segment(w.lower()) for w in re.split(r"[ \t'-]+", name) if w)


def english_addresses(text: str) -> list[Span]:
    places = {s.start: s.end for s in latin_spans(text)}
    out: list[Span] = []
    starts: list[tuple[int, int, bool]] = [
        (m.start(), m.end(), True) for m in _STREET.finditer(text)
    ]
    starts += [(m.start(), m.end(), False) for m in _AREA.finditer(text) if _is_pinyin(m["name"])]
    for start, end, is_street in sorted(starts):
        if out and start < out[-1].end:
            continue
        numbered = any(ch.isdigit() for ch in text[start:end])
        pos, extended = end, False
        while True:
            lead = _LEAD.match(text, pos)
            at = lead.end() if lead else pos
            if at in places:
                pos, extended = places[at], True
                continue
            m = _MORE.match(text, pos)
            if m is None:
                break
            pos, extended = m.end(), True
        if is_street and not numbered and not extended:
            continue
        out.append(Span(start, pos, "address", 0.85, "address.english",
                        "English street/district address"))  # fmt: skip
    return out


class AddressDetector:
    """Postal addresses (Chinese with or without labels, and English)."""

    name = "address"
    categories = frozenset({"address"})

    def detect(self, text: str) -> list[Span]:
        spans = cjk_addresses(text) + labelled_addresses(text)
        if re.search(r"[A-Z]", text):
            spans += english_addresses(text)
        return sorted(spans, key=lambda s: (s.start, -s.end))
