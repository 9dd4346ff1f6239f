"""The applicant's profile (DESIGN §1.2): identities the portal already knows.

All keys optional. Validated strictly: an unknown key is an error (exit code 2), so a typo in
``"persn"`` cannot silently disable masking of the applicant's name.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from service.errors import BadArgumentsError

#: profile key -> category emitted for its matches
PROFILE_CATEGORIES: dict[str, str] = {
    "person": "person",
    "organization": "organization",
    "place": "place",
    "phone": "phone",
    "id_number": "id_number",
    "position": "position",
    "other": "other",
}


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    person: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    place: tuple[str, ...] = ()
    phone: tuple[str, ...] = ()
    id_number: tuple[str, ...] = ()
    position: tuple[str, ...] = ()
    other: tuple[str, ...] = ()

    @field_validator("*", mode="after")
    @classmethod
    def _strip(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.strip() for v in values if v and v.strip())

    def items(self) -> list[tuple[str, str]]:
        """``(key, value)`` pairs over every identity in the profile."""
        return [(key, v) for key in PROFILE_CATEGORIES for v in getattr(self, key)]

    @property
    def is_empty(self) -> bool:
        return not self.items()


def load_profile(path: str | Path | None) -> Profile:
    if path is None:
        return Profile()
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise BadArgumentsError(f"cannot read profile {path}: {exc.strerror}") from None
    return parse_profile(raw, source=str(path))


def parse_profile(raw: str, source: str = "profile") -> Profile:
    try:
        return Profile.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise BadArgumentsError(f"{source} is not valid JSON (line {exc.lineno})") from None
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise BadArgumentsError(
            f"{source} is not a valid profile (fields: {', '.join(fields)}); see DESIGN §1.2"
        ) from None
