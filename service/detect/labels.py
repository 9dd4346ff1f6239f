"""Field labels: found in plain text, never masked, and the category of the value they name.

A reviewer has to see what a form is: 姓名, 出生日期, 联系电话, 现居住地址, 经办人签名 stay
readable whatever the detectors say about them, and the value next to a label is masked as
what the label names (``service.detect.forms`` finds it on the page). The lexicon is data:
``redaction_rules/layout/labels.yaml`` (exact labels, head nouns such as 地址/电话/号码 that end
longer labels, labels that may run into their value without a colon, filler values).

Labels are found in the reading text alone — no geometry — so the engine can protect them in
every pass (first detection, rescans of the residual text, verification's rescan of the blind
copy) and always agree with itself. A run of text is a label when it is a whole cell (bounded
by whitespace, a line break or a tab on each side) or is followed by a colon, and it is an
exact lexicon label or a short CJK run ending with a head noun (a Latin label — Tel, Email —
needs its colon: in English prose every word is a cell of its own). Labels inside running text
(``请填写姓名和住址``) are neither cells nor followed by a colon: they are not labels and not
protected, which costs nothing (they are ordinary words that no detector masks).

:func:`protect` removes label characters from spans; a span that loses characters keeps its
pieces of at least two characters (``寿雨性别`` → ``寿雨``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from service.errors import InvalidRulesError
from service.rules import yamlio
from service.types import Span

#: the value category of a label that names nothing identifying (性别, 出生日期 …)
KEEP = "keep"
_COLONS = ":："
#: stripped from the pieces of a span cut by a label
_STRIP = " \t\n\u3000:：;；,，"
_CELL_BREAK = re.compile(r"[\s\u3000]+")
_BRACKETED = re.compile(r"[(（][^()（）]{0,12}[)）]")
_CJK_LABEL = re.compile(r"[\u4e00-\u9fff、/()（）]+")


class LabelsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    max_head_label: int
    fields: dict[str, tuple[str, ...]]
    heads: dict[str, tuple[str, ...]]
    inline: tuple[str, ...]
    non_values: tuple[str, ...]
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class Label:
    """A label at ``[start, end)`` of the text; ``value`` is the category of what it names
    (``"keep"``: nothing to mask); ``value_start`` is where its value may begin on the same
    line (after the colon, or right after the label for an inline label), ``None`` when the
    label ends its cell."""

    start: int
    end: int
    value: str
    value_start: int | None


@dataclass(frozen=True)
class Lexicon:
    exact: dict[str, str]
    heads: tuple[tuple[str, str], ...]  # longest first
    inline: frozenset[str]
    non_values: frozenset[str]
    max_head_label: int
    values: dict[str, re.Pattern[str]]
    #: exact CJK labels of three characters or more (a value starting with one is no value)
    long_exact: tuple[str, ...]

    def value_fits(self, category: str, value: str) -> bool:
        """Whether ``value`` has the shape of what a ``category`` label names (and is neither
        a filler word nor a label itself)."""
        v = "".join(value.split()).strip(":：;；,，.。")
        shape = self.values.get(category)
        if not v or shape is None or v in self.non_values or self.classify(v) is not None:
            return False
        if v.startswith(self.long_exact):
            return False  # a label read together with its value (收款员BO77)
        return shape.fullmatch(v) is not None

    def classify(self, run: str) -> str | None:
        """The value category a label names, or ``None`` when ``run`` is no label."""
        key = _norm(run)
        if not key:
            return None
        if key in self.exact:
            return self.exact[key]
        core = _BRACKETED.sub("", key)
        if core in self.exact:
            return self.exact[core]
        if len(key) > self.max_head_label or not _CJK_LABEL.fullmatch(key):
            return None
        if ("身份证" in key or "证件" in key or "护照" in key) and core.endswith(("号", "号码")):
            return "id_number"
        for head, category in self.heads:
            if core.endswith(head):
                return category
        return None


def _norm(run: str) -> str:
    s = unicodedata.normalize("NFKC", "".join(run.split()))
    return s.rstrip(":").strip()


@lru_cache(maxsize=1)
def load_lexicon(path: str | None = None) -> Lexicon:
    p = Path(path) if path else Path(str(files("redaction_rules") / "layout" / "labels.yaml"))
    try:
        spec = LabelsFile.model_validate(yamlio.safe_load(p.read_text(encoding="utf-8")))
        values = {cat: re.compile(rx) for cat, rx in spec.values.items()}
    except (OSError, yaml.YAMLError, ValidationError, re.error) as exc:
        raise InvalidRulesError(f"label rules {p.name} are invalid: {type(exc).__name__}") from None
    exact = {_norm(w): cat for cat, words in spec.fields.items() for w in words}
    heads = sorted(
        ((_norm(h), cat) for cat, words in spec.heads.items() for h in words),
        key=lambda hc: -len(hc[0]),
    )
    return Lexicon(
        exact=exact,
        heads=tuple(heads),
        inline=frozenset(_norm(w) for w in spec.inline),
        non_values=frozenset(_norm(w) for w in spec.non_values),
        max_head_label=spec.max_head_label,
        values=values,
        long_exact=tuple(w for w in exact if len(w) >= 3 and not w.isascii()),
    )


def cells(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every run of text between whitespace (spaces, tabs, line breaks)."""
    out = []
    pos = 0
    for m in _CELL_BREAK.finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def find_labels(text: str, lex: Lexicon | None = None) -> list[Label]:
    """Every label in ``text`` (see the module docstring), in text order."""
    lex = lex or load_lexicon()
    out: list[Label] = []
    for a, b in cells(text):
        out.extend(_cell_labels(text, a, b, lex))
    return out


#: marks printed before a label (required field, check box, bullet): not part of it
_BULLETS = frozenset("★☆*＊●○■□☑☐√✓✔·•>》-—#※▲△◆◇")


def _cell_labels(text: str, a: int, b: int, lex: Lexicon) -> list[Label]:
    while a < b and text[a] in _BULLETS:
        a += 1
    cell = text[a:b]
    colons = [i for i, ch in enumerate(cell) if ch in _COLONS]
    if not colons:
        if cell.isascii():
            return []  # Latin labels need their colon: English prose is all one-word cells
        whole = lex.classify(cell)
        if whole is not None:
            return [Label(a, b, whole, None)]
        return _inline_label(text, a, b, lex)
    out: list[Label] = []
    seg = 0
    for c in colons:
        if c > seg:
            found = _label_before_colon(cell[seg:c], lex, first=seg == 0)
            if found is not None:
                k, category = found
                out.append(Label(a + seg + k, a + c, category, a + c + 1))
        seg = c + 1
    return out


def _label_before_colon(seg: str, lex: Lexicon, first: bool) -> tuple[int, str] | None:
    """``(offset in seg, category)`` of the label that ends ``seg`` (the text before a colon):
    the segment if it is an exact label, else its longest suffix that is one, else — at the
    start of a cell only — the segment if it ends with a head noun (志愿登记者签名), else the
    head noun alone. After an earlier colon a segment starts with that field's value
    (``张三性别``), so only a suffix can be the label there."""
    key = _norm(seg)
    if key in lex.exact:
        return 0, lex.exact[key]
    for k in range(1, len(seg)):
        suffix = _norm(seg[k:])
        if suffix in lex.exact:
            return k, lex.exact[suffix]
    whole = lex.classify(seg) if first else None
    if whole is not None:
        return 0, whole
    for head, category in lex.heads:
        if seg.endswith(head):
            return len(seg) - len(head), category
    return None


def _inline_label(text: str, a: int, b: int, lex: Lexicon) -> list[Label]:
    """A label at the start of a cell running into its value (姓名张三, 门诊号90051065): one
    listed in ``inline``, or any exact label of three characters or more that names
    something (two-character role words such as 患者 begin ordinary sentences: 患者自述 …)."""
    cell = text[a:b]
    for n in range(min(len(cell) - 1, 8), 1, -1):
        head = cell[:n]
        if head in lex.inline or (n >= 3 and lex.exact.get(head, KEEP) != KEEP):
            return [Label(a, a + n, lex.exact.get(head, KEEP), a + n)]
    return []


def label_mask(text: str, labels: list[Label] | None = None) -> bytearray:
    """One flag per character of ``text``: 1 where a label stands."""
    flags = bytearray(len(text))
    for lab in find_labels(text) if labels is None else labels:
        flags[lab.start : lab.end] = b"\x01" * (lab.end - lab.start)
    return flags


def protect(text: str, spans: list[Span], flags: bytearray | None = None) -> list[Span]:
    """``spans`` with every label character removed: a span wholly on a label is dropped, one
    that overlaps a label keeps its pieces of two characters or more."""
    if not spans:
        return spans
    flags = label_mask(text) if flags is None else flags
    if not any(flags):
        return spans
    out: list[Span] = []
    for s in spans:
        if not any(flags[s.start : s.end]):
            out.append(s)
            continue
        start = None
        for i in range(s.start, s.end + 1):
            free = i < s.end and not flags[i]
            if free and start is None:
                start = i
            elif not free and start is not None:
                piece = text[start:i].strip(_STRIP)
                if len(piece) >= 2:
                    lead = len(text[start:i]) - len(text[start:i].lstrip(_STRIP))
                    out.append(replace(s, start=start + lead, end=start + lead + len(piece)))
                start = None
    return out
