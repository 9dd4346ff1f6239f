"""Detection, policies, health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.helpers import ALICE, auth


def test_detect_text_matches_the_cli_contract(client: TestClient) -> None:
    text = "患者张三丰，电话13800138000。"
    r = client.post("/v1/detect-text", headers=auth(ALICE), json={"text": text, "profile": {"person": ["张三丰"]}})
    assert r.status_code == 200
    spans = r.json()
    assert {(s["text"], s["category"]) for s in spans} >= {("张三丰", "person"), ("13800138000", "phone")}
    for s in spans:
        assert set(s) == {"start", "end", "text", "category", "score", "rule"}
        assert text[s["start"] : s["end"]] == s["text"]


def test_detect_text_limits(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_text_chars=10)
    r = client.post("/v1/detect-text", headers=auth(ALICE), json={"text": "x" * 11})
    assert r.status_code == 413
    r = client.post("/v1/detect-text", headers=auth(ALICE), json={"text": "x", "policy": "/etc/passwd"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_rules"


def test_policies(client: TestClient) -> None:
    policies = {p["name"]: p for p in client.get("/v1/policies", headers=auth(ALICE)).json()}
    assert {"default", "eyes", "provinces"} <= set(policies)
    assert policies["eyes"]["photo_mode"] == "eyes" and "person" in policies["default"]["categories"]


def test_health_and_readiness_without_workers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["status"] == "not_ready"


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    for name in ["mangshen_jobs", "mangshen_pages_processed_total", "mangshen_page_seconds"]:
        assert f"# TYPE {name} " in text
    assert 'mangshen_jobs{state="queued"} 0' in text
    assert 'mangshen_page_seconds_bucket{le="+Inf"} 0' in text
    sample = re.compile(r'^[a-z_]+(\{[a-z]+="[^"]*"\})? -?[0-9.e+]+$')
    for line in text.splitlines():
        assert line.startswith("# ") or sample.match(line), line


def test_openapi_documents_the_contract(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ["/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/files/{index}/blind",
                 "/v1/jobs/{job_id}/files/{index}/manifest", "/v1/jobs/{job_id}/files/{index}/report",
                 "/v1/jobs/{job_id}/files/{index}/regions", "/v1/detect-text", "/v1/policies",
                 "/healthz", "/readyz", "/metrics"]:
        assert path in paths, path
    assert "202" in paths["/v1/jobs"]["post"]["responses"]
    assert client.get("/docs").status_code == 200
