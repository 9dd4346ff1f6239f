"""The auditors' spot-check page (盲审抽查), served by ``mangshen serve`` under ``/ui/``.

The page is plain HTML, CSS and JavaScript modules shipped in this package (no CDN, no build
step, no external fonts: the portal's machines may be offline). It holds no data of its own:
everything it shows comes from the ``/v1`` API, called with ``fetch`` and the auditor's bearer
token (kept in ``sessionStorage``); page pictures are fetched as blobs with that header too,
so nothing is readable without a token. This router therefore needs no authentication: it
serves only the static files and ``categories.json`` (labels and colours of the categories,
the same as the report's, so page and report agree).

Every response forbids framing and allows scripts, styles, pictures and connections from this
origin only (plus ``blob:`` pictures), so an injected string could not load or run anything.

Files: ``index.html`` (the shell), ``app.css``, ``app.js`` (sign-in and routing), ``api.js``
(the authenticated fetch), ``dom.js`` (element helpers, text only — never ``innerHTML`` with
API data), ``jobs.js`` (the tenant's job list), ``viewer.js`` (original and blind copy side
by side, page by page) and ``edits.js`` (drawing, marking, applying a revision).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, HTTPException
from fastapi.responses import RedirectResponse, Response

from service.report.html import CATEGORY_COLOURS, CATEGORY_LABELS
from service.types import CATEGORIES, MARK_CATEGORIES

router = APIRouter(include_in_schema=False)

PREFIX = "/ui"
_ASSET = re.compile(r"^[a-z]+\.(html|css|js)$")
_TYPES = {
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "json": "application/json",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_HEADERS = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "Cache-Control": "no-cache"}


@cache
def _asset(name: str) -> bytes | None:
    """The bytes of a shipped file (read once), or None when there is no such file."""
    if not _ASSET.match(name):
        return None
    path = files(__package__).joinpath(name)
    return path.read_bytes() if path.is_file() else None


@cache
def categories_json() -> bytes:
    """Every category in DESIGN order with its Chinese label, colour and kind (text or mark)."""
    rows = [
        {"name": c, "label": CATEGORY_LABELS.get(c, c), "colour": CATEGORY_COLOURS.get(c, "#555555"),
         "kind": "mark" if c in MARK_CATEGORIES else "text"}
        for c in CATEGORIES
    ]
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")


def _send(data: bytes, kind: str) -> Response:
    return Response(data, media_type=_TYPES[kind], headers=_HEADERS)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


@router.get(PREFIX)
def ui_redirect() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


@router.get(f"{PREFIX}/")
def index() -> Response:
    data = _asset("index.html")
    if data is None:  # pragma: no cover - shipped with the package
        raise HTTPException(404, "the spot-check page is not installed")
    return _send(data, "html")


@router.get(f"{PREFIX}/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204, headers=_HEADERS)  # no icon; and no 404 in the console


@router.get(f"{PREFIX}/categories.json")
def categories() -> Response:
    return _send(categories_json(), "json")


@router.get(PREFIX + "/{name}")
def asset(name: str) -> Response:
    data = _asset(name)
    if data is None:
        raise HTTPException(404, "no such file")
    return _send(data, name.rsplit(".", 1)[1])
