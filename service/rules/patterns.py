"""Schema and loader for ``redaction_rules/patterns/*.yaml``: the pattern detector's rules.

A file holds ``version: 1`` and a list of ``patterns``. Each pattern is a regex with a category,
a base score, optional context words (counted in characters before/after the value), an optional
validator named in :data:`service.detect.validators.VALIDATORS`, and scores for the cases
"context found" and "validator failed but context found". Validation is strict
(``extra="forbid"``), regexes compile at load time, and any problem raises
:class:`~service.errors.InvalidRulesError` naming the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from service.detect.validators import VALIDATORS
from service.errors import InvalidRulesError
from service.rules import yamlio
from service.types import TEXT_CATEGORIES

_ID_RE = r"^[a-z][a-z0-9_]*$"


class ContextWindow(BaseModel):
    """Words looked for within ``before`` characters before / ``after`` characters after."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    words: tuple[str, ...] = Field(min_length=1)
    before: int = Field(default=0, ge=0, le=200)
    after: int = Field(default=0, ge=0, le=200)

    @field_validator("words")
    @classmethod
    def _no_blank_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        if any(not w.strip() for w in words):
            raise ValueError("context words must not be blank")
        return words

    @model_validator(mode="after")
    def _some_window(self) -> ContextWindow:
        if self.before == 0 and self.after == 0:
            raise ValueError("set 'before' and/or 'after' to a window of at least 1 character")
        return self


class ContextSpec(ContextWindow):
    """Context that boosts (or, with ``required``, gates) a match."""

    required: bool = False
    score: float | None = Field(default=None, ge=0.0, le=1.0)


class PatternSpec(BaseModel):
    """One pattern as written in YAML."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_RE)
    category: str
    description: str = ""
    regex: str = Field(min_length=1)
    ignore_case: bool = False
    group: str | None = None
    score: float = Field(ge=0.0, le=1.0)
    validator: str | None = None
    on_invalid: Literal["drop", "context"] = "drop"
    invalid_score: float | None = Field(default=None, ge=0.0, le=1.0)
    context: ContextSpec | None = None
    exclude: ContextWindow | None = None
    allow_hosts: tuple[str, ...] = ()
    #: a sentence added to every finding's explanation (why this shape is masked)
    note: str = ""

    @field_validator("category")
    @classmethod
    def _known_category(cls, category: str) -> str:
        if category not in TEXT_CATEGORIES:
            raise ValueError(f"unknown category; expected one of {', '.join(TEXT_CATEGORIES)}")
        return category

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str) -> str:
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return regex

    @field_validator("validator")
    @classmethod
    def _known_validator(cls, name: str | None) -> str | None:
        if name is not None and name not in VALIDATORS:
            raise ValueError(f"unknown validator; expected one of {', '.join(sorted(VALIDATORS))}")
        return name

    @field_validator("allow_hosts")
    @classmethod
    def _lower_hosts(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(h.strip().lower() for h in hosts if h.strip())

    @model_validator(mode="after")
    def _consistent(self) -> PatternSpec:
        if self.group is not None and self.group not in re.compile(self.regex).groupindex:
            raise ValueError("'group' names no (?P<...>) group of 'regex'")
        if self.on_invalid == "context" and (
            self.validator is None or self.context is None or self.invalid_score is None
        ):
            raise ValueError("on_invalid: context needs 'validator', 'context' and 'invalid_score'")
        return self


class PatternFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    patterns: tuple[PatternSpec, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Window:
    """A compiled context window: lower-cased words, longest first."""

    words: tuple[str, ...]
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class PatternRule:
    """A loaded, compiled pattern. ``rule`` is the id spans carry (``pattern.<cat>.<id>``)."""

    rule: str
    category: str
    regex: re.Pattern[str]
    group: str | int
    score: float
    validator: str | None = None
    on_invalid: str = "drop"
    invalid_score: float = 0.0
    context: Window | None = None
    context_required: bool = False
    context_score: float = 0.0
    exclude: Window | None = None
    allow_hosts: frozenset[str] = frozenset()
    source: str = ""
    note: str = ""


def _window(spec: ContextWindow | None) -> Window | None:
    if spec is None:
        return None
    words = sorted({w.lower() for w in spec.words}, key=lambda w: (-len(w), w))
    return Window(tuple(words), spec.before, spec.after)


def compile_rule(spec: PatternSpec, source: str = "") -> PatternRule:
    """Build the runtime rule of one validated pattern."""
    ctx = spec.context
    return PatternRule(
        rule=f"pattern.{spec.category}.{spec.id}",
        category=spec.category,
        regex=re.compile(spec.regex, re.IGNORECASE if spec.ignore_case else 0),
        group=spec.group if spec.group is not None else 0,
        score=spec.score,
        validator=spec.validator,
        on_invalid=spec.on_invalid,
        invalid_score=spec.invalid_score or 0.0,
        context=_window(ctx),
        context_required=bool(ctx and ctx.required),
        context_score=max(spec.score, ctx.score) if ctx and ctx.score is not None else spec.score,
        exclude=_window(spec.exclude),
        allow_hosts=frozenset(spec.allow_hosts),
        source=source,
        note=spec.note.strip(),
    )


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        problems.append(f"{loc}: {err['msg']}")
    return "; ".join(problems)


def parse_pattern_file(raw: str, source: str) -> list[PatternRule]:
    """Validate one YAML document; ``source`` names it in error messages."""
    try:
        data = yamlio.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InvalidRulesError(f"{source}: not valid YAML{where}: {problem}") from None
    try:
        parsed = PatternFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidRulesError(f"{source}: invalid pattern rules: {_describe(exc)}") from None
    return [compile_rule(spec, source) for spec in parsed.patterns]


def default_patterns_dir() -> Traversable:
    """The ``patterns`` folder of the installed ``redaction_rules`` package."""
    return files("redaction_rules") / "patterns"


def load_patterns(directory: Path | None = None) -> list[PatternRule]:
    """Load every ``*.yaml`` in ``directory`` (default: the shipped rules), sorted by name."""
    folder: Traversable = default_patterns_dir() if directory is None else directory
    if not folder.is_dir():
        raise InvalidRulesError(f"{folder}: pattern rules folder not found")
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith((".yaml", ".yml"))), key=lambda e: e.name
    )
    if not entries:
        raise InvalidRulesError(f"{folder}: no pattern rule files (*.yaml)")
    rules: list[PatternRule] = []
    seen: dict[str, str] = {}
    for entry in entries:
        source = str(entry)
        try:
            raw = entry.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidRulesError(f"{source}: cannot read ({type(exc).__name__})") from None
        for index, rule in enumerate(parse_pattern_file(raw, source)):
            if rule.rule in seen:
                raise InvalidRulesError(
                    f"{source}: patterns.{index}.id: rule '{rule.rule}' is already defined "
                    f"in {seen[rule.rule]}"
                )
            seen[rule.rule] = source
            rules.append(rule)
    return rules
