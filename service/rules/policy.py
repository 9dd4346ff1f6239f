"""Policies (DESIGN §1.5): which categories are masked and how, validated at load.

A policy is ``redaction_rules/policies/<name>.yaml`` or a path to such a file. A policy may
``extends: <name>`` another one and then states only what differs (keys are replaced, not
merged). Unknown keys, unknown categories, bad values or a cycle of ``extends`` raise
:class:`InvalidRulesError` (exit code 6) at start-up.

Province-level place findings carry a rule ending in ``province`` (``place.province``,
``ner.crf_province``); they are kept only when ``mask_provinces`` is set. ``allow_list`` terms
are never masked: a finding that lies inside an occurrence of one of them is dropped.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.errors import InvalidRulesError
from service.rules import yamlio
from service.types import CATEGORIES


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    categories: tuple[str, ...] = CATEGORIES
    photo_mode: Literal["photo", "eyes"] = "photo"
    mask_provinces: bool = False
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    #: terms never masked (exact match after whitespace removal)
    allow_list: tuple[str, ...] = ()

    @field_validator("categories")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown categories {unknown}; known: {list(CATEGORIES)}")
        return value


def policies_dir() -> Path:
    return Path(str(files("redaction_rules") / "policies"))


def available_policies() -> list[str]:
    return sorted(p.stem for p in policies_dir().glob("*.yaml"))


@lru_cache(maxsize=32)
def load_policy(name_or_path: str = "default") -> Policy:
    data, name = _load_data(name_or_path, seen=())
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidRulesError(f"policy file {name} is invalid: {where}") from None


def _load_data(name_or_path: str, seen: tuple[str, ...]) -> tuple[dict[str, object], str]:
    """The policy's keys with those of the policies it extends filled in."""
    path = Path(name_or_path)
    if not (path.suffix in (".yaml", ".yml") and path.exists()):
        path = policies_dir() / f"{name_or_path}.yaml"
        if not path.exists():
            raise InvalidRulesError(
                f"unknown policy {name_or_path!r}; available: {', '.join(available_policies())}"
            )
    try:
        data = yamlio.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidRulesError(f"policy file {path.name} cannot be read: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise InvalidRulesError(f"policy file {path.name} must be a mapping")
    parent = data.pop("extends", None)
    if parent is None:
        return data, path.name
    if not isinstance(parent, str) or "/" in parent or parent.endswith((".yaml", ".yml")):
        raise InvalidRulesError(f"policy file {path.name}: extends must name a bundled policy")
    if parent in seen or len(seen) > 8:
        raise InvalidRulesError(f"policy file {path.name}: extends forms a cycle")
    base, _ = _load_data(parent, (*seen, parent))
    return {**base, **data}, path.name
