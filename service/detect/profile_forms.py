"""Short forms of Chinese organisation and place names from the profile.

Only regular abbreviations are generated (each rule below is one line of everyday usage);
irregular ones (内蒙古医科大学 → 内医大, 北京大学 → 北大, 郑州大学第一附属医院 → 郑大一附院)
must be given in the profile explicitly. Rules, applied repeatedly to every form produced:

* a leading place loses its administrative suffix (某某市人民医院 → 某某人民医院; not for
  省立/市立/区属/市直/市级), and a leading province is dropped before a city
  (某省某某市… → 某某市…)
* 人民医院 → 人医; 第N人民医院 → N院 / N医院; 中医医院 → 中医院
* 附属第N医院 / 第N附属医院 → 附N院 / N附院 / 第N医院 (附属第N医院); 附属医院 → 附院;
  第N医院 → N院
* 医科大学 → 医大; 疾病预防控制中心 → 疾控中心; 卫生健康委员会 → 卫健委

A short form is kept only when it is at least 4 characters long and still starts with a
distinctive head of 2+ characters before the generic part (so 医院, 人医, 附一院, 市人医 are
never produced). Places: 某某市 / 某某区 / 某某自治州 … also match without the suffix when
what remains has 2+ characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable

PLACE_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        (
            "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "新区", "林区",
            "街道", "省", "市", "区", "县", "旗", "盟", "州", "镇", "乡", "村",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
#: the 55 minority nationalities (GB 3304), stripped from autonomous-area names
_ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
)
ETHNIC_GROUPS: tuple[str, ...] = tuple(sorted(_ETHNIC.split(" "), key=len, reverse=True))
_NUM = "一二三四五六七八九十"
_LEADING_PLACE = re.compile(
    r"^([\u4e00-\u9fff]{2,6}?)(特别行政区|自治区|自治州|自治县|地区|省|市|县|区|旗|盟)"
    r"(?![立属直级辖])"
)
#: where the generic part of an organisation name starts (the head is what comes before)
_GENERIC = re.compile(
    rf"人民医院|人医|中医医院|中医院|医科大学|医大|医学院|大学|学院|附属|附院|附[{_NUM}]院"
    rf"|第[{_NUM}]|[{_NUM}]{{1,2}}(?:附院|医院|院)|医院|卫生院|中心|研究所|研究院"
    r"|卫生健康委|卫健委|疾病预防|疾控|委员会|学会|协会"
)
MIN_SHORT_FORM = 4
MAX_FORMS = 64

Rule = Callable[[str], list[str]]


def place_bare(name: str) -> str | None:
    """The place name without its administrative suffix, if 2+ characters remain."""
    for suf in PLACE_SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            bare = name[: -len(suf)]
            return strip_ethnic(bare) if suf.startswith("自治") else bare
    return None


def strip_ethnic(name: str) -> str:
    """宁夏回族 → 宁夏, 恩施土家族苗族 → 恩施, 新疆维吾尔 → 新疆 (keeps 2+ characters)."""
    changed = True
    while changed:
        changed = False
        for group in ETHNIC_GROUPS:
            for tail in (group + "族", group) if len(group) >= 2 else (group + "族",):
                if name.endswith(tail) and len(name) - len(tail) >= 2:
                    name = name[: -len(tail)]
                    changed = True
                    break
            if changed:
                break
    return name


def place_forms(name: str) -> list[str]:
    """Short forms of a place entry (not including the entry itself)."""
    bare = place_bare(name)
    return [bare] if bare else []


def _sub_all(pattern: str, repl: str) -> Rule:
    rx = re.compile(pattern)

    def rule(s: str) -> list[str]:
        out = rx.sub(repl, s)
        return [out] if out != s else []

    return rule


def _leading_place(s: str) -> list[str]:
    m = _LEADING_PLACE.match(s)
    if m is None:
        return []
    head, suffix, rest = m.group(1), m.group(2), s[m.end() :]
    if len(rest) < 2:
        return []
    if suffix.startswith("自治"):
        head = strip_ethnic(head)
    out = [head + rest]
    if suffix in ("省", "自治区") and _LEADING_PLACE.match(rest):
        out.append(rest)
    return out


_RULES: tuple[Rule, ...] = (
    _leading_place,
    _sub_all(rf"第([{_NUM}]{{1,2}})人民医院", r"\1院"),
    _sub_all(rf"第([{_NUM}]{{1,2}})人民医院", r"\1医院"),
    _sub_all("人民医院", "人医"),
    _sub_all("中医医院", "中医院"),
    _sub_all(rf"附属第([{_NUM}]{{1,2}})医院", r"附\1院"),
    _sub_all(rf"附属第([{_NUM}]{{1,2}})医院", r"\1附院"),
    _sub_all(rf"附属(第[{_NUM}]{{1,2}}医院)", r"\1"),
    _sub_all(rf"第([{_NUM}]{{1,2}})附属医院", r"附\1院"),
    _sub_all(rf"第([{_NUM}]{{1,2}})附属医院", r"\1附院"),
    _sub_all("附属医院", "附院"),
    _sub_all(rf"(?<!附属)第([{_NUM}]{{1,2}})医院", r"\1院"),
    _sub_all("医科大学", "医大"),
    _sub_all("疾病预防控制中心", "疾控中心"),
    _sub_all("卫生健康委员会", "卫健委"),
)


def head(name: str) -> str:
    """The distinctive start of an organisation name (without a place suffix)."""
    m = _GENERIC.search(name)
    h = name[: m.start()] if m else name
    for suf in PLACE_SUFFIXES:
        if h.endswith(suf):
            return h[: -len(suf)]
    return h


def is_distinctive(name: str) -> bool:
    """False for purely generic names (医院, 人民医院, 附一院, 市人医…)."""
    return len(head(name)) >= 2


def org_forms(name: str) -> list[str]:
    """Regular short forms of an organisation entry (not including the entry itself)."""
    seen = {name}
    frontier = [name]
    while frontier and len(seen) < MAX_FORMS:
        nxt: list[str] = []
        for form in frontier:
            for rule in _RULES:
                for new in rule(form):
                    if new not in seen:
                        seen.add(new)
                        nxt.append(new)
        frontier = nxt
    seen.discard(name)
    return sorted(f for f in seen if len(f) >= MIN_SHORT_FORM and is_distinctive(f))
