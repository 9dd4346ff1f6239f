"""The spot-check page's files as the service serves them (in process, no workers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.types import CATEGORIES
from service.web import CSP
from tests.api.helpers import make_settings

ASSETS = ["app.js", "api.js", "dom.js", "jobs.js", "viewer.js", "edits.js", "app.css"]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path / "data")), follow_redirects=False) as c:
        yield c


def test_page_and_assets_are_served_without_a_token(client: TestClient) -> None:
    assert client.get("/").headers["location"] == "/ui/"
    assert client.get("/ui").headers["location"] == "/ui/"
    page = client.get("/ui/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["x-frame-options"] == "DENY"
    assert "盲审抽查" in page.text and 'src="app.js"' in page.text
    for name in ASSETS:
        r = client.get(f"/ui/{name}")
        assert r.status_code == 200 and r.content, name
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        assert r.headers["content-type"].startswith(kind)


def test_nothing_else_is_served(client: TestClient) -> None:
    for name in ["__init__.py", "..%2F__init__.py", "x.js", "APP.JS", "app.js.map", "%2e%2e/settings.py"]:
        assert client.get(f"/ui/{name}").status_code == 404, name
    assert client.get("/ui/favicon.ico").status_code == 204


def test_no_cdn_or_external_address_in_the_page(client: TestClient) -> None:
    for name in ["", *ASSETS]:
        text = client.get(f"/ui/{name}").text
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name
        assert "console." not in text, name  # nothing goes to the console (it may hold text)
        assert ".innerHTML" not in text and "insertAdjacentHTML" not in text, name


def test_categories_match_the_core_and_the_report(client: TestClient) -> None:
    rows = client.get("/ui/categories.json").json()
    assert [r["name"] for r in rows] == list(CATEGORIES)
    assert next(r for r in rows if r["name"] == "person")["label"] == "人名"
    assert all(r["colour"].startswith("#") for r in rows)


def test_the_page_is_not_in_the_api_spec(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not any(p == "/" or p.startswith("/ui") for p in paths)
