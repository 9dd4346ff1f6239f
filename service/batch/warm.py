"""Imported by the batch's fork server only (see ``service.batch.local``): builds the
profile-independent detectors (gazetteer, grammars, NER model) once, so that every worker
forked from the server starts with them, shared copy-on-write, instead of building its own
(about a second of CPU per worker). OCR models are not loaded here: their thread pools would
not survive the fork.
"""

from __future__ import annotations

import contextlib

with contextlib.suppress(Exception):  # a worker that needs what failed reports it (exit 7)
    from service.detect.engine import build_engine

    build_engine(None, "default")
