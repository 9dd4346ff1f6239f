"""An in-process app (FastAPI's TestClient) with no workers: jobs stay queued, which is all the
auth, limit and validation tests need."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Settings
from tests.api.helpers import make_settings


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)`` → a started TestClient (closed at teardown)."""
    opened: list[TestClient] = []

    def _make(**kw: Any) -> TestClient:
        settings: Settings = make_settings(tmp_path / f"data{len(opened)}", **kw)
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield _make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
