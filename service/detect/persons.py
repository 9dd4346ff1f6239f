"""The rule-based person-name detector (Chinese names, minority names, pinyin/English names).

Chinese names are found

* after a context label or role (``person.context``): 姓名/患者/主治医师/作者/兹授予… then an
  optional colon and spaces, then a surname (single or compound) with one or two given-name
  characters, a dotted minority name (阿依努尔·买买提) or a token made of minority-name
  components (巴特尔, 扎西). With a colon the given name only has to avoid characters that are
  rarely in names; without one, its characters must be typical given-name characters. The name
  may be spaced out (王 小 明) or broken once across a line (王\\n小明);
* in lists after a list label, or a line made only of names (``person.list``):
  "作者：王小明、李红、欧阳晓东", "王小明1，李红2*";
* before a role or title (``person.title``): 王主任, 张三 主任医师, 王某某同志;
* as 老/小 + a common surname (``person.honorific``): 老李, 小王;
* as dotted minority names anywhere (``person.minority``);
* as a delimited 2–4 character token that is a surname plus typical given-name characters
  (``person.backstop``, score 0.6), never inside running text.

Words listed as not-names (高血压, 常规, 查房…) and city/county names are never names. Latin
names are found by :mod:`service.detect.persons_latin`. Explanations name the rule and the
label, never the matched text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from service.detect.gazetteer import load_gazetteer
from service.detect.persons_latin import LatinNames
from service.detect.persons_lexicon import PersonLexicon, is_cjk, load_lexicon
from service.detect.profile_latin import COMMON_SURNAMES
from service.types import MASK_CHAR, Span

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACES = " \t\u3000\u00a0"
_DOTS = "·•・‧∙\u00b7"
_SUP = "0-9¹²³⁴⁵⁶⁷⁸⁹⁰*＊#†‡§"
#: characters after which a name may start in running text (由王主任负责, 请李医生会诊)
_FUNCTION_CHARS = frozenset("由请经向与和及被给对为是的在把让跟找问邀称据约同令派示报送交")
#: common surnames that are also function words: not a bare surname before a role (向主任汇报)
_WEAK_SURNAMES = frozenset("向和及由经同于从时应其是把能可全与自家以任为")
_BARE_SURNAMES = frozenset(COMMON_SURNAMES) - _WEAK_SURNAMES

S_CONTEXT, S_CONTEXT_WEAK, S_LIST, S_LIST_BARE = 0.95, 0.85, 0.9, 0.85
S_TITLE, S_TITLE_WEAK, S_TITLE_BARE = 0.9, 0.85, 0.8
S_MINORITY, S_MINORITY_TOKEN, S_HONORIFIC, S_BACKSTOP = 0.9, 0.7, 0.8, 0.6
_CJK_ANY = re.compile(f"[{_CJK}]")


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


class _Chinese:
    """Compiled Chinese matchers over one lexicon."""

    def __init__(self, lex: PersonLexicon) -> None:
        self.lex = lex
        self.places = load_gazetteer()
        self.enders = lex.stop_words | lex.roles | lex.labels
        self.ender_max = max(len(w) for w in self.enders)
        self.label_re = re.compile(
            f"(?:(?P<lab>{_alt(lex.labels)}))+"
            # a table reads label cell, line break, value cell: 审核人\n庹子杰
            f"(?P<sep>[{_SPACES}]*[:：][{_SPACES}]*|[{_SPACES}]+|[{_SPACES}]*\n[{_SPACES}]*)?(?=[{_CJK}])"
        )
        self.role_re = re.compile(f"(?:{_alt(lex.roles)})")
        self.dotted_re = re.compile(f"[{_CJK}]{{1,10}}(?:[{_DOTS}.．][{_CJK}]{{1,10}})+")
        self.dotted_any = re.compile(
            f"(?<![{_CJK}{_DOTS}])[{_CJK}]{{1,10}}(?:[{_DOTS}][{_CJK}]{{1,10}})+"
            f"|(?<![{_CJK}.．])[{_CJK}]{{2,8}}(?:[.．][{_CJK}]{{2,8}})+(?![{_CJK}])"
        )
        comps = _alt(lex.minority_components) if lex.minority_components else "(?!)"
        self.minority_re = re.compile(f"(?:{comps})+")
        # a masked neighbour (MASK_CHAR, in residual text) is no delimiter
        # a whole line of CJK names with superscript marks, spaces or list commas only
        self.bare_line_re = re.compile(
            f"(?m)^(?=[^\n]*[{_CJK}]{{4}})[{_CJK}{_SUP} \t,，、]{{4,48}}$"
        )
        self.token_re = re.compile(
            f"(?<![{_CJK}{_DOTS}{MASK_CHAR}])[{_CJK}]{{2,4}}(?![{_CJK}{_DOTS}{MASK_CHAR}])"
        )
        self.spaced_re = re.compile(
            f"(?<![{_CJK}{_DOTS}{MASK_CHAR}] )(?<![{_CJK}{_DOTS}{MASK_CHAR}])[{_CJK}](?: [{_CJK}]){{1,3}}"
            f"(?! ?[{_CJK}{MASK_CHAR}])"
        )
        item = f"[{_CJK}]{{2,8}}(?:[{_DOTS}][{_CJK}]{{2,8}})*[{_SUP}]*(?:[,，][{_SUP}]+)*"
        sep = f"[{_SPACES}]*[、，,；;][{_SPACES}]*|[{_SPACES}]+"
        self.line_list_re = re.compile(f"(?m)^[{_SPACES}]*{item}(?:(?:{sep}){item})+[{_SPACES}]*$")
        self.item_re = re.compile(f"[{_CJK}]{{2,8}}(?:[{_DOTS}][{_CJK}]{{2,8}})*")
        self.list_sep_re = re.compile(
            f"[{_SUP}]*(?:[,，][{_SUP}]+)*(?:[{_SPACES}]*[、，,；;/][{_SPACES}]*|[{_SPACES}]+)"
        )
        self.honorific_re = re.compile(
            f"(?<![{_CJK}])[老小](?P<s>[{''.join(sorted(_BARE_SURNAMES))}])(?![{_CJK}])"
        )

    # -- helpers ---------------------------------------------------------------------------
    def _is_place(self, tok: str) -> bool:
        """Division names of any level, full or short (黑龙江, 鹤岗市, 锡盟) are never names."""
        return self.places.lookup(tok) is not None

    def _ender_at(self, text: str, i: int) -> bool:
        """Whether a stop word, role or label starts at ``text[i]`` (spaces inside ignored)."""
        chars = "".join(text[i : i + 2 * self.ender_max].split())
        return any(chars[:k] in self.enders for k in range(1, self.ender_max + 1))

    def _not_name(self, chars: str) -> bool:
        return any(chars[:k] in self.lex.not_names for k in range(2, min(len(chars), 5) + 1))

    def _given_ok(self, given: str, lenient: bool) -> bool:
        if lenient:
            return not any(c in self.lex.non_name_chars for c in given)
        return all(c in self.lex.given_chars or c == "某" for c in given)

    def _surname_len(self, chars: str) -> int:
        if len(chars) >= 3 and chars[:2] in self.lex.compound_surnames:
            return 2
        return 1 if chars and chars[0] in self.lex.surnames else 0

    def run(self, text: str, pos: int, limit: int = 6) -> list[tuple[int, bool]]:
        """Up to ``limit`` CJK characters from ``pos`` as (index, line break before): joined by
        nothing throughout or by one space throughout, with at most one line break."""
        n = len(text)
        if pos >= n or not is_cjk(text[pos]):
            return []
        out, sep, broke, i = [(pos, False)], "", False, pos + 1
        while len(out) < limit:
            j = i
            while j < n and text[j] in _SPACES:
                j += 1
            gap, nl = text[i:j], False
            if j < n and text[j] == "\n" and not broke:
                nl, broke, j = True, True, j + 1
                while j < n and text[j] in _SPACES:
                    j += 1
            if j >= n or not is_cjk(text[j]):
                break
            if not nl:
                kind = "s" if len(gap) == 1 else ("x" if gap else "n")
                if kind == "x" or (sep and kind != sep):
                    break
                sep = kind
            out.append((j, nl))
            i = j + 1
        return out

    def read_name(self, text: str, pos: int, lenient: bool) -> tuple[int, int, float, str] | None:
        """A name starting at ``pos``: (start, end, score, kind) or None."""
        m = self.dotted_re.match(text, pos)
        if m and self._translit_share(m.group()) >= 0.5:
            return pos, m.end(), S_CONTEXT, "minority name joined by a middle dot"
        if self._role_at(text, pos):
            return None  # 兹授予 同志: a role or label where the name was left out (or masked)
        run = self.run(text, pos)
        chars = "".join(text[i] for i, _ in run)
        if not chars or self._not_name(chars):
            return None
        mm = self.minority_re.match(chars)
        if mm and (mm.end() == len(chars) or self._ender_at(text, run[mm.end()][0])):
            return pos, run[mm.end() - 1][0] + 1, S_CONTEXT, "minority name components"
        slen = self._surname_len(chars)
        if not slen:
            return None
        fallback: tuple[int, int, float, str] | None = None
        for g in (2, 1):
            total = slen + g
            if total > len(chars) or any(
                self._ender_at(text, run[k][0]) for k in range(slen, total)
            ):
                continue
            if not self._given_ok(chars[slen:total], lenient):
                continue
            end = run[total - 1][0] + 1
            if fallback is not None and total < len(chars) and run[total][1]:
                # 之父燕洋\n振交代: a name wrapped at the line end goes on over the break
                return fallback[0], fallback[1], S_CONTEXT, "surname + given name wrapped over a line"
            if total == len(chars) or run[total][1] or self._ender_at(text, run[total][0]):
                return pos, end, S_CONTEXT, f"surname + {g}-character given name"
            if fallback is None and g == 2 and self._given_ok(chars[slen:total], False):
                fallback = (pos, end, S_CONTEXT_WEAK, "surname + 2 typical given-name characters")
        return fallback

    def _translit_share(self, name: str) -> float:
        chars = [c for c in name if is_cjk(c)]
        return sum(c in self.lex.translit_chars for c in chars) / max(1, len(chars))

    # -- matchers --------------------------------------------------------------------------
    def context(self, text: str, out: list[Span]) -> None:
        for m in self.label_re.finditer(text):
            sep = m.group("sep") or ""
            lenient = ":" in sep or "：" in sep
            label = m.group("lab")
            found = self.read_name(text, m.end(), lenient)
            if found is None:
                continue
            start, end, score, kind = found
            out.append(Span(start, end, "person", score, "person.context",
                            f"{kind} after the label {label}"))  # fmt: skip
            if label not in self.lex.list_labels:
                continue
            while (sm := self.list_sep_re.match(text, end)) is not None:
                if self.label_re.match(text, sm.end()):
                    break
                nxt = self.read_name(text, sm.end(), lenient)
                if nxt is None:
                    break
                start, end, score, kind = nxt
                out.append(Span(start, end, "person", min(score, S_LIST), "person.list",
                                f"{kind} in a list after the label {label}"))  # fmt: skip

    def _left_ok(self, text: str, s: int) -> bool:
        if s == 0 or not is_cjk(text[s - 1]) or text[s - 1] in _FUNCTION_CHARS:
            return True
        return any(text[s - k : s] in self.lex.labels for k in range(2, 7))

    def titles(self, text: str, out: list[Span]) -> None:
        for m in self.role_re.finditer(text):
            e = m.start()
            while e > 0 and text[e - 1] in _SPACES and m.start() - e < 2:
                e -= 1
            spaced = e != m.start()
            if any(text[max(0, e - k) : e] in self.lex.not_names for k in (2, 3, 4)):
                continue  # 提高主任医师: a word, not a surname, before the role
            best: tuple[int, float, str] | None = None
            for total in (4, 3, 2, 1):
                s = e - total
                chars = text[s:e] if s >= 0 else ""
                if not chars or not all(is_cjk(c) for c in chars) or self._not_name(chars):
                    continue
                slen = 2 if chars[:2] in self.lex.compound_surnames else 1
                if slen == 1 and chars[0] not in COMMON_SURNAMES:
                    continue  # 经国家医师资格考试: a rare surname before a role is mostly a word
                given = chars[slen:]
                if len(given) > 2 or not self._given_ok(given, False):
                    continue
                if not given and slen == 1 and chars not in _BARE_SURNAMES:
                    continue
                if self._left_ok(text, s):
                    best = (s, S_TITLE, "name before a role or title")
                    break
                if best is None and not spaced:
                    score = S_TITLE_WEAK if given else S_TITLE_BARE
                    best = (s, score, "name before a role or title (no delimiter before)")
            if best is not None:
                out.append(Span(best[0], e, "person", best[1], "person.title", best[2]))

    def _list_item(self, tok: str) -> bool:
        """A name in a list: surname + given name, minority components, or a dotted name."""
        if any(d in tok for d in _DOTS):
            return self._translit_share(tok) >= 0.5
        return self._name_token(tok) or self.minority_re.fullmatch(tok) is not None

    def _name_token(self, tok: str) -> bool:
        slen = self._surname_len(tok)
        return (
            slen > 0
            and 1 <= len(tok) - slen <= 2
            and not self._not_name(tok)
            and not self._is_place(tok)
            and self._given_ok(tok[slen:], False)
        )

    def line_lists(self, text: str, out: list[Span]) -> None:
        for m in self.line_list_re.finditer(text):
            items = list(self.item_re.finditer(text, m.start(), m.end()))
            if all(self._list_item(i.group()) for i in items):
                for i in items:
                    out.append(Span(i.start(), i.end(), "person", S_LIST_BARE, "person.list",
                                    "a line made only of names"))  # fmt: skip

    def run_on_names(self, text: str, out: list[Span]) -> None:
        """A line that is nothing but names run together (an author line whose superscripts
        were lost: 赵冬邓华丽郭伟芳* 戴兰华): emitted when the whole line splits into names."""
        for m in self.bare_line_re.finditer(text):
            tokens = self._split_names(m.group())
            if tokens is not None and len(tokens) >= 2:
                for a, b in tokens:
                    out.append(Span(m.start() + a, m.start() + b, "person", S_LIST_BARE,
                                    "person.list", "a line that splits into names"))  # fmt: skip

    def _split_names(self, line: str) -> list[tuple[int, int]] | None:
        """Split a line into surname + 1–2 given-name tokens (common surnames only)."""
        chunks = [(c.start(), c.group()) for c in re.finditer(f"[{_CJK}]+", line)]
        tokens: list[tuple[int, int]] = []
        for off, chunk in chunks:
            best = _segment_names(chunk, self._name_piece)
            if best is None:
                return None
            tokens.extend((off + a, off + b) for a, b in best)
        return tokens

    def _name_piece(self, piece: str) -> bool:
        slen = 2 if piece[:2] in self.lex.compound_surnames else 1
        if slen == 1 and piece[0] not in COMMON_SURNAMES:
            return False
        given = piece[slen:]
        return 1 <= len(given) <= 2 and self._given_ok(given, False) and not self._not_name(piece)

    def minority(self, text: str, out: list[Span]) -> None:
        for m in self.dotted_any.finditer(text):
            start, end = self._trim_dotted(text, m.start(), m.end())
            name = text[start:end]
            dotted = any(d in name for d in _DOTS)
            share = self._translit_share(name)
            if share >= (0.5 if dotted else 1.0) and len(name) >= 4:
                out.append(Span(start, end, "person", S_MINORITY, "person.minority",
                                "transliterated name parts joined by a dot"))  # fmt: skip

    def _trim_dotted(self, text: str, start: int, end: int) -> tuple[int, int]:
        """Cut running text off the outer parts of a dotted name: 今日努尔古丽·斯拉木副主任医师
        → 努尔古丽·斯拉木 (the first part keeps transliteration characters only, the last part
        ends before a role or label)."""
        translit = self.lex.translit_chars
        first_dot = min(i for i in range(start, end) if text[i] in _DOTS or text[i] in ".．")
        last_dot = max(i for i in range(start, end) if text[i] in _DOTS or text[i] in ".．")
        s = first_dot
        while s > start and text[s - 1] in translit and not self._ender_before(text, s, start):
            s -= 1
        e = last_dot + 1
        while e < end and is_cjk(text[e]) and not self._role_at(text, e):
            e += 1
        if s == first_dot or e == last_dot + 1:
            return start, end  # nothing transliterated on one side: leave it to the share test
        return s, e

    def _ender_before(self, text: str, pos: int, floor: int) -> bool:
        """Whether a label or role word ends right before ``pos``."""
        words = self.lex.roles | self.lex.labels
        return any(text[pos - k : pos] in words for k in range(2, self.ender_max + 1) if pos - k >= floor)

    def _role_at(self, text: str, pos: int) -> bool:
        """Whether a role or label word (two characters or more) starts at ``pos``."""
        words = self.lex.roles | self.lex.labels
        return any(text[pos : pos + k] in words for k in range(2, self.ender_max + 1))

    def backstop(self, text: str, out: list[Span]) -> None:
        for m in self.token_re.finditer(text):
            tok = m.group()
            if tok in self.enders or self._is_place(tok):
                continue
            if self.minority_re.fullmatch(tok):
                out.append(Span(m.start(), m.end(), "person", S_MINORITY_TOKEN,
                                "person.minority", "delimited token of minority-name components"))  # fmt: skip
            elif self._name_token(tok) and (
                tok[0] in COMMON_SURNAMES or tok[:2] in self.lex.compound_surnames
            ):
                out.append(Span(m.start(), m.end(), "person", S_BACKSTOP, "person.backstop",
                                "delimited surname + typical given-name characters"))  # fmt: skip
        for m in self.spaced_re.finditer(text):
            tok = m.group().replace(" ", "")
            if tok not in self.enders and not self._is_place(tok) and self._name_token(tok):
                out.append(Span(m.start(), m.end(), "person", S_BACKSTOP, "person.backstop",
                                "delimited spaced-out surname + given-name characters"))  # fmt: skip
        for m in self.honorific_re.finditer(text):
            if not self._not_name(m.group()):
                out.append(Span(m.start(), m.end(), "person", S_HONORIFIC,
                                "person.honorific", "老/小 + common surname"))  # fmt: skip


def _segment_names(chunk: str, ok: Callable[[str], bool]) -> list[tuple[int, int]] | None:
    """The split of ``chunk`` into pieces of 2–4 characters that all pass ``ok`` (fewest
    pieces), or None."""
    n = len(chunk)
    best: list[list[tuple[int, int]] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        cur = best[i]
        if cur is None:
            continue
        for k in (2, 3, 4):
            j = i + k
            if j <= n and ok(chunk[i:j]):
                cand = [*cur, (i, j)]
                nxt = best[j]
                if nxt is None or len(cand) < len(nxt):
                    best[j] = cand
    return best[n]


def _dedupe(spans: list[Span]) -> list[Span]:
    best: dict[tuple[int, int], Span] = {}
    for s in spans:
        cur = best.get((s.start, s.end))
        if cur is None or s.score > cur.score:
            best[(s.start, s.end)] = s
    return sorted(best.values(), key=lambda s: (s.start, s.end))


class PersonDetector:
    """Finds person names (Chinese, minority and pinyin/English) by rules; see the module doc."""

    name = "person"
    categories: frozenset[str] = frozenset({"person"})

    def __init__(self, lexicon: PersonLexicon | None = None) -> None:
        lex = lexicon if lexicon is not None else load_lexicon()
        self._cjk = _Chinese(lex)
        self._latin = LatinNames(lex)

    def detect(self, text: str) -> list[Span]:
        if not text:
            return []
        out: list[Span] = []
        cjk = self._cjk
        if _CJK_ANY.search(text) is not None:
            cjk.context(text, out)
            cjk.titles(text, out)
            cjk.line_lists(text, out)
            cjk.run_on_names(text, out)
            cjk.minority(text, out)
            cjk.backstop(text, out)
        out.extend(self._latin.find(text))
        return _dedupe(out)
