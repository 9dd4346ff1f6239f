"""Bearer tokens mapped to tenants (DESIGN §1.6).

``MANGSHEN_API_TOKENS="token=tenant,token2=tenant2"`` sets them. Without it the service uses
the token file in the data directory, and on the very first start creates it: one random
token for tenant ``default``, written with mode 0600 and printed once on stderr. No token is
built into the code.

A request is authorised by comparing its token with every known token in constant time. The
identity recorded for an auditor's changes is ``tenant/<token id>``, where the token id is the
first 8 hex digits of the token's SHA-256: it tells tokens apart and never reveals one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from service.errors import BadArgumentsError
from service.settings import Settings

_TENANT = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
#: shortest token accepted from configuration
MIN_TOKEN = 16


@dataclass(frozen=True, slots=True)
class Principal:
    tenant: str
    token_id: str

    @property
    def author(self) -> str:
        return f"{self.tenant}/{self.token_id}"


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:8]


class Tokens:
    def __init__(self, table: dict[str, str]) -> None:
        self._table = [(t.encode("utf-8"), tenant, token_id(t)) for t, tenant in table.items()]

    def lookup(self, token: str | None) -> Principal | None:
        if not token:
            return None
        given = token.encode("utf-8")
        found: Principal | None = None
        for known, tenant, tid in self._table:  # no early exit: the time says nothing
            if hmac.compare_digest(known, given):
                found = Principal(tenant, tid)
        return found

    def __len__(self) -> int:
        return len(self._table)


def parse_tokens(spec: str) -> dict[str, str]:
    """``token=tenant`` pairs separated by commas or new lines."""
    table: dict[str, str] = {}
    for item in re.split(r"[,\n]", spec):
        item = item.strip()
        if not item:
            continue
        token, sep, tenant = item.partition("=")
        token, tenant = token.strip(), tenant.strip()
        if not sep or len(token) < MIN_TOKEN or not _TENANT.match(tenant):
            raise BadArgumentsError(
                f"MANGSHEN_API_TOKENS: each entry is token=tenant (token of at least {MIN_TOKEN} "
                "characters, tenant of letters, digits, '_', '.', '-')"
            )
        table[token] = tenant
    if not table:
        raise BadArgumentsError("MANGSHEN_API_TOKENS is set but names no token")
    return table


def load_tokens(settings: Settings) -> Tokens:
    if settings.api_tokens is not None:
        return Tokens(parse_tokens(settings.api_tokens))
    path = settings.token_file
    if not path.exists():
        _create_token_file(path)
    return Tokens(parse_tokens(path.read_text(encoding="utf-8")))


def _create_token_file(path: Path) -> None:
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"{token}=default\n")
        fh.flush()
        os.fsync(fh.fileno())
    print(
        f"mangshen: created an API token for tenant 'default' (stored in {path}; shown only now):\n"
        f"  {token}\n"
        "  use it as: Authorization: Bearer <token>; set MANGSHEN_API_TOKENS to choose your own",
        file=sys.stderr,
        flush=True,
    )
