"""The FastAPI application of ``mangshen serve`` (DESIGN §1.6).

``create_app(settings)`` builds the app; its lifespan opens the job store, takes the data
directory's lock (one service per data directory: the store's recovery assumes it owns every
running task), loads the API tokens (creating the first one if needed), and starts and stops
the worker pool. Routers: ``routes/jobs.py`` (upload, status, list, delete),
``routes/files.py`` (outputs, page pictures, region changes), ``routes/system.py``
(detect-text, policies, health, readiness, metrics). When the package ``service.web`` exists
(the auditors' spot-check page) its ``router`` is mounted too.

Every response carries ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
no-referrer``; uploads are bounded by :class:`service.api.limits.BodyLimit`.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import importlib.util
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from service.api import errors
from service.api.auth import load_tokens
from service.api.deps import AppState
from service.api.limits import BodyLimit
from service.api.routes import files, jobs, system
from service.errors import BadArgumentsError
from service.jobs.store import Store
from service.jobs.supervisor import WorkerPool
from service.settings import Settings, get_settings

log = logging.getLogger("mangshen.api")
VERSION = "1"


def create_app(settings: Settings | None = None, *, start_workers: bool = True) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "mangshen", None) is not None:
            yield  # already started (a test client inside another one): share it
            return
        lock = _lock_data_dir(settings)
        store = Store(settings.db_path)
        store.init()
        state = AppState(settings=settings, store=store, tokens=load_tokens(settings))
        if start_workers:  # its watcher also runs the retention sweeps, with or without workers
            state.workers = WorkerPool(settings, store)
            state.workers.start()
        app.state.mangshen = state
        log.info("serving: %d token(s), %d worker(s)", len(state.tokens), settings.workers if start_workers else 0)
        try:
            yield
        finally:
            app.state.mangshen = None
            if state.workers is not None:
                state.workers.stop()
            store.close()
            os.close(lock)

    app = FastAPI(
        title="mangshen",
        version=VERSION,
        summary="Blind-review copies of application materials (盲审件)",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    app.middleware("http")(_headers)
    for module in (jobs, files, system):
        app.include_router(module.router)
    app.include_router(system.ops)
    if importlib.util.find_spec("service.web") is not None:
        app.include_router(importlib.import_module("service.web").router)
    return app


async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def _lock_data_dir(settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # a volume owned by someone else keeps its mode
        os.chmod(settings.data_dir, 0o700)
    fd = os.open(settings.data_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise BadArgumentsError(
            f"another mangshen service uses the data directory {settings.data_dir}"
        ) from None
    return fd
