"""The regions endpoint's checks before anything is queued (the revision itself: tests/jobs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.jobs.worker import ProgressPool, execute
from tests.api.helpers import ALICE, PROFILE, auth, born_pdf


def _done_job(client: TestClient, tmp: Path) -> str:
    r = client.post("/v1/jobs", headers=auth(ALICE), data={"profile": json.dumps(PROFILE)},
                    files=[("files", ("a.pdf", born_pdf(tmp), "application/pdf"))])
    job_id: str = r.json()["id"]
    url = f"/v1/jobs/{job_id}/files/0/regions"
    body = {"add": [{"page": 0, "bbox": [10, 10, 50, 50], "category": "other"}]}
    assert client.post(url, headers=auth(ALICE), json=body).status_code == 409  # still queued
    state: Any = client.app.state.mangshen  # type: ignore[attr-defined]
    with ProgressPool(1) as pool:
        execute(state.store.claim("test"), state.store, state.settings, pool)  # type: ignore[arg-type]
    return job_id


def test_changes_are_checked_against_the_current_manifest(client: TestClient, tmp_path: Path) -> None:
    job = _done_job(client, tmp_path)
    url = f"/v1/jobs/{job}/files/0/regions"
    regions = client.get(f"/v1/jobs/{job}/files/0/manifest", headers=auth(ALICE)).json()["pages"][0]["regions"]
    bad = [
        {},  # no changes
        {"add": [{"page": 1, "bbox": [10, 10, 50, 50], "category": "other"}]},  # no such page
        {"add": [{"page": 0, "bbox": [50, 10, 10, 50], "category": "other"}]},  # x0 > x1
        {"add": [{"page": 0, "bbox": [900, 900, 950, 950], "category": "other"}]},  # off the page
        {"add": [{"page": 0, "bbox": [10, 10, 50, 50], "category": "nonsense"}]},
        {"remove": [{"page": 0, "bbox": [1, 2, 3, 4]}]},  # no region there
        {"add": [{"page": 0, "bbox": [10, 10, 50, 50], "category": "other", "colour": "red"}]},
    ]
    for body in bad:
        r = client.post(url, headers=auth(ALICE), json=body)
        assert r.status_code == 400, (body, r.text)
    ok = {"remove": [{"page": 0, "bbox": regions[0]["bbox"], "note": "not identifying"}]}
    r = client.post(url, headers=auth(ALICE), json=ok)
    assert r.status_code == 202 and r.json() == {"id": job, "file": 0, "revision": 1, "status": "queued"}
    assert r.headers["location"] == f"/v1/jobs/{job}"
    assert client.post(url, headers=auth(ALICE), json=ok).status_code == 409  # one revision at a time
    status = client.get(f"/v1/jobs/{job}", headers=auth(ALICE)).json()
    assert status["status"] == "queued" and status["files"][0]["revision"] == 1
    # revision 0 stays readable while revision 1 waits
    assert client.get(f"/v1/jobs/{job}/files/0/blind?revision=0", headers=auth(ALICE)).status_code == 200
    assert client.get(f"/v1/jobs/{job}/files/0/blind", headers=auth(ALICE)).status_code == 409
    assert client.get(f"/v1/jobs/{job}/files/0/blind?revision=2", headers=auth(ALICE)).status_code == 404
