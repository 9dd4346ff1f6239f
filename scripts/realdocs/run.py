"""Run the real pipeline over the realdocs images and record what happened to each file.

One ``redact_document`` call per image (no profile, the given policy), outputs kept in the
output folder for viewing; the outcome of each file (exit code, one-line error, blind name) is
written beside them as ``<stem>.outcome.json`` so that ``--reuse`` can score earlier outputs
without running the pipeline again. An exception out of the pipeline is recorded as a failed file
(exit 1, its type and message) and the run goes on.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from service.config import Options
from service.pipeline.pool import PagePool
from service.pipeline.run import redact_document

#: the exit code recorded when ``redact_document`` raises (Python's own for an uncaught exception)
CRASHED = 1


@dataclass(frozen=True, slots=True)
class Outcome:
    file: str
    exit_code: int
    error: str | None
    blind: str | None
    manifest: str | None
    seconds: float


def outcome_path(out: Path, file: str) -> Path:
    return out / f"{Path(file).stem}.outcome.json"


def run_all(images: list[Path], out: Path, jobs: int, policy: str, reuse: bool) -> list[Outcome]:
    """Redact every image (or reuse the recorded outcome when ``reuse`` and it exists)."""
    out.mkdir(parents=True, exist_ok=True)
    outcomes: list[Outcome] = []
    with PagePool(jobs) as pool:
        for src in images:
            cached = outcome_path(out, src.name)
            if reuse and cached.exists():
                outcomes.append(Outcome(**json.loads(cached.read_text("utf-8"))))
                continue
            t0 = time.perf_counter()
            manifest = f"{src.stem}.manifest.json"
            try:
                result = redact_document(src, out, Options(jobs=jobs, policy=policy), pool)
                code, error = result.exit_code, result.error
                blind = result.output_name if code == 0 else None
            except Exception as exc:  # a crash is a failed file, reported like the others
                code, error, blind = CRASHED, f"uncaught {type(exc).__name__}: {exc}", None
            outcome = Outcome(
                file=src.name,
                exit_code=code,
                error=error.splitlines()[0] if error else None,
                blind=blind,
                manifest=manifest if blind and (out / manifest).exists() else None,
                seconds=round(time.perf_counter() - t0, 2),
            )
            cached.write_text(json.dumps(asdict(outcome), ensure_ascii=False), "utf-8")
            print(f"  {src.name}: exit {outcome.exit_code} ({outcome.seconds:.1f} s)", file=sys.stderr, flush=True)
            outcomes.append(outcome)
    return outcomes
