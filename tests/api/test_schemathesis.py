"""A bounded schemathesis run against the OpenAPI spec: no generated request gets a 500.

Runs in-process (ASGI) with no worker processes, authenticated as one tenant, ``MAX_EXAMPLES``
cases per operation (schemathesis's Hypothesis strategies, driven here directly). One job
was redacted beforehand (its task run in this process); the generated ``job_id`` of every
operation but DELETE is replaced by its id and ``index``/``page`` are mapped to 0 or 1, so
the outputs, page pictures and region changes are fuzzed on a real file, not just a 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from service.api.app import create_app
from service.jobs.worker import ProgressPool, execute
from tests.api.helpers import ALICE, auth, born_pdf, make_settings

MAX_EXAMPLES = 15


def test_no_server_errors(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path / "data", max_upload_mb=2, max_text_chars=2000))
    with TestClient(app) as client:
        r = client.post("/v1/jobs", headers=auth(ALICE),
                        files=[("files", ("a.pdf", born_pdf(tmp_path), "application/pdf"))])
        assert r.status_code == 202
        job_id = r.json()["id"]
        _redact(app.state.mangshen)
        assert client.get(f"/v1/jobs/{job_id}", headers=auth(ALICE)).json()["status"] == "done"
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        labels = []
        for result in schema.get_all_operations():
            operation = result.ok()
            labels.append(operation.label)
            _run(operation, job_id)
    assert "POST /v1/jobs" in labels and "POST /v1/jobs/{job_id}/files/{index}/regions" in labels


def _redact(state: Any) -> None:
    task = state.store.claim("test")
    with ProgressPool(1) as pool:
        execute(task, state.store, state.settings, pool)  # type: ignore[arg-type]


def _run(operation: Any, job_id: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(case: Any) -> None:
        if operation.label == "GET /readyz":  # 503 until a worker is ready: documented, not a fault
            assert case.call(headers=auth(ALICE)).status_code == 503
            return
        params = case.path_parameters or {}
        if "job_id" in params and operation.method.upper() != "DELETE":
            params["job_id"] = job_id
            for name in ("index", "page"):  # 0 exists, 1 does not
                if isinstance(params.get(name), int):
                    params[name] = abs(params[name]) % 2
        case.call_and_validate(headers=auth(ALICE), checks=[not_a_server_error])

    check()
