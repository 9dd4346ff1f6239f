"""Text detection, policies, and the operational endpoints (health, readiness, metrics).

``POST /v1/detect-text`` runs the same engine as ``mangshen detect-text`` in this process (a
few at a time, in the thread pool). ``/healthz``, ``/readyz`` and ``/metrics`` need no token:
they reveal counts only.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from service.api.deps import AppStateDep, Auth
from service.api.metrics import render_metrics
from service.api.routes.jobs import ERRORS, policy_name
from service.api.schemas import DetectTextRequest, ErrorOut, PolicyOut, SpanOut
from service.errors import LimitExceededError
from service.profile import Profile
from service.rules.policy import available_policies, load_policy

router = APIRouter(tags=["detection"])
ops = APIRouter(tags=["operations"])
#: detections running at once in the API process (CPU-bound; the rest wait)
_DETECT_SLOTS = threading.BoundedSemaphore(2)


@router.post("/v1/detect-text", response_model=list[SpanOut],
             responses={**ERRORS, 413: {"model": ErrorOut, "description": "text too long"}},
             summary="Find sensitive spans in text (as `mangshen detect-text`)")
def detect_text(principal: Auth, state: AppStateDep, body: DetectTextRequest) -> list[SpanOut]:
    from service.pipeline.page import get_engine

    if len(body.text) > state.settings.max_text_chars:
        raise LimitExceededError(
            f"text of {len(body.text)} characters; at most {state.settings.max_text_chars} (MANGSHEN_MAX_TEXT_CHARS)"
        )
    policy = policy_name(body.policy)
    profile = body.profile or Profile()
    with _DETECT_SLOTS:
        spans = get_engine(profile.model_dump_json(), policy).detect(body.text)
    return [
        SpanOut(start=s.start, end=s.end, text=body.text[s.start : s.end], category=s.category,
                score=round(s.score, 3), rule=s.rule)
        for s in spans
    ]


@router.get("/v1/policies", response_model=list[PolicyOut], responses=ERRORS, summary="The bundled policies")
def policies(principal: Auth) -> list[PolicyOut]:
    out = []
    for name in available_policies():
        p = load_policy(name)
        out.append(PolicyOut(name=name, description=p.description, categories=list(p.categories),
                             photo_mode=p.photo_mode, mask_provinces=p.mask_provinces))
    return out


@ops.get("/healthz", summary="The process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@ops.get("/readyz", summary="200 once the workers have loaded their models",
         responses={503: {"description": "no worker has its models loaded yet"}})
def readyz(state: AppStateDep) -> JSONResponse:
    workers: list[dict[str, Any]] = state.workers.states() if state.workers else []
    ready = any(w["ready"] for w in workers)
    body = {"status": "ready" if ready else "not_ready", "workers": workers}
    return JSONResponse(body, status_code=200 if ready else 503)


@ops.get("/metrics", response_class=PlainTextResponse, summary="Prometheus text format",
         responses={200: {"content": {"text/plain": {}}}})
def metrics(state: AppStateDep) -> Response:
    workers = state.workers.states() if state.workers else []
    text = render_metrics(state.store, workers)
    return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")
