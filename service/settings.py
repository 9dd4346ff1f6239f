"""Settings of the HTTP service (``mangshen serve``), from ``MANGSHEN_*`` environment variables.

DESIGN §1.6 names ``MANGSHEN_DATA_DIR``, ``MANGSHEN_API_TOKENS``, ``MANGSHEN_WORKERS``,
``MANGSHEN_MAX_UPLOAD_MB`` and ``MANGSHEN_RETENTION_HOURS``; the others here tune the queue
and the workers. Every default is embedded: the service runs with no configuration at all
(SQLite, local disk, a local worker pool). The document limits of the pipeline
(``MANGSHEN_MAX_FILE_MB``, ``MANGSHEN_MAX_PAGES``, ``MANGSHEN_MAX_PAGE_MEGAPIXELS``) stay in
``service.config.Limits`` and apply to uploads too.

Nothing here reads the token file: ``service.api.auth`` does, once, at start-up.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_workers() -> int:
    # each worker holds the OCR models (~0.9 GB at peak) and uses one core
    return max(1, min(4, os.cpu_count() or 1))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MANGSHEN_", extra="ignore", frozen=True)

    #: uploads, outputs and the job store (``jobs.sqlite3``)
    data_dir: Path = Path("./mangshen-data")
    #: ``token=tenant,token2=tenant2``; unset: a token for tenant ``default`` is made once
    api_tokens: str | None = None
    #: worker processes (each runs one file at a time); 0 runs none (jobs wait)
    workers: int = Field(default_factory=_default_workers, ge=0, le=64)
    #: page processes inside each worker (1: the worker reads its pages itself)
    worker_jobs: int = Field(default=1, ge=1, le=64)
    #: largest request body of an upload (all files together)
    max_upload_mb: int = Field(default=200, ge=1)
    #: most files in one job
    max_files: int = Field(default=50, ge=1)
    #: originals and outputs are deleted this long after the job was created
    retention_hours: float = Field(default=72.0, gt=0)
    #: most jobs waiting or running at once; more uploads get 429 with Retry-After
    queue_size: int = Field(default=100, ge=1)
    #: a file whose worker died this many times is failed instead of being tried again
    max_attempts: int = Field(default=3, ge=1)
    #: longest text ``POST /v1/detect-text`` accepts (characters)
    max_text_chars: int = Field(default=200_000, ge=1)
    #: resolution of the page pictures of the spot-check page
    preview_dpi: int = Field(default=100, ge=36, le=300)
    #: how often idle workers look for work (seconds)
    poll_seconds: float = Field(default=0.2, gt=0)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def jobs_dir(self) -> Path:
        return self.data_dir / "jobs"

    @property
    def token_file(self) -> Path:
        return self.data_dir / "api-tokens"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb << 20


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings (tests build their own ``Settings`` and pass them in)."""
    return Settings()
