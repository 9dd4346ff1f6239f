"""The API's one error translator: ``MangshenError.http_status`` (service/errors.py) → response.

Every error body is ``{"error": name, "detail": ...}`` where ``name`` is the DESIGN exit-code
name (``input_file``, ``bad_args``…) for errors of the pipeline and the HTTP reason
(``unauthorized``, ``not_found``…) for errors of the HTTP layer. Request validation errors are
bad arguments (400) and name the fields, never echo their values (a profile holds names). An
unexpected exception is a 500 with no traceback and is logged by type name only.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import BadArgumentsError, ExitCode, MangshenError
from service.jobs.store import BusyError, QueueFullError

log = logging.getLogger("mangshen.api")


def error_name(exc: MangshenError) -> str:
    try:
        return ExitCode(exc.exit_code).name
    except ValueError:
        return "error"


def error_response(status: int, name: str, detail: str | list[str] = "", headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": name, "detail": detail}, status_code=status, headers=headers)


def http_reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


async def _mangshen(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MangshenError)
    log.info("%s %s -> %d %s", request.method, request.url.path, exc.http_status, type(exc).__name__)
    return error_response(exc.http_status, error_name(exc), str(exc))


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = sorted({".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()})
    bad = BadArgumentsError("invalid request")
    return error_response(bad.http_status, error_name(bad), [f"{f}: invalid" for f in fields])


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    return error_response(exc.status_code, http_reason(exc.status_code), detail, dict(exc.headers or {}))


async def _queue_full(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueueFullError)
    log.info("%s %s -> 429 queue full", request.method, request.url.path)
    return error_response(429, http_reason(429), "the queue is full; try again later",
                          {"Retry-After": str(exc.retry_after)})


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    return error_response(409, http_reason(409), str(exc))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s -> 500 %s", request.method, request.url.path, type(exc).__name__)
    return error_response(500, "internal", "internal error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(MangshenError, _mangshen)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(QueueFullError, _queue_full)
    app.add_exception_handler(BusyError, _busy)
    app.add_exception_handler(Exception, _unexpected)
