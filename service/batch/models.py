"""What passes between the batch layers: a file to run (:class:`FileJob`) and what came of it
(:class:`FileOutcome`). Both are small pydantic models: picklable for worker processes and
JSON-serialisable for the resume state.

An outcome holds counts, hashes and the operator's own relative path — never document text.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from service.types import Result

Verdict = Literal["passed", "failed", "—"]
#: shown for a file whose verification never ran (refused at the door, bad profile, ...)
NOT_VERIFIED: Verdict = "—"


class FileJob(BaseModel):
    """One input to redact, with everything a worker (local or remote) needs."""

    model_config = ConfigDict(frozen=True)

    #: path relative to IN_DIR, POSIX separators (also the summary's ``file`` column)
    rel: str
    path: str
    #: the mirrored output folder (OUT_DIR/<rel's parent>)
    out_dir: str
    profile_json: str = "{}"
    #: the profile file used (its name in ``--profiles``), "" for none
    profile_name: str = ""
    policy: str = "default"
    #: resume key: sha256 over input content, profile and policy
    key: str = ""
    #: page count estimated at discovery (schedules large files first, drives the ETA)
    est_pages: int = 1
    size: int = 0


class FileOutcome(BaseModel):
    """The result of one input, as written to summary.csv and the resume state."""

    model_config = ConfigDict(frozen=True)

    file: str
    profile: str = ""
    pages: int = 0
    #: regions per category (only categories that occur)
    regions: dict[str, int] = {}
    verification: Verdict = NOT_VERIFIED
    seconds: float = 0.0
    exit_code: int = 0
    error: str | None = None
    #: names of the files written into the mirrored output folder
    outputs: tuple[str, ...] = ()
    #: true when taken over from an earlier run by ``--resume``
    resumed: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def failed(job: FileJob, exit_code: int, error: str, seconds: float = 0.0) -> FileOutcome:
    """An outcome for a file that never reached (or never finished) redaction."""
    return FileOutcome(
        file=job.rel, profile=job.profile_name, exit_code=exit_code, error=error, seconds=seconds
    )


def outcome_from_result(job: FileJob, result: Result) -> FileOutcome:
    """Translate the library's :class:`Result` into a summary row."""
    counts = Counter(r.category for p in result.pages for r in p.regions)
    if result.exit_code == 0:
        verdict: Verdict = "passed"
    else:
        # pages are only filled in when the document was analysed and checked
        verdict = "failed" if result.pages else NOT_VERIFIED
    return FileOutcome(
        file=job.rel,
        profile=job.profile_name,
        pages=len(result.pages),
        regions=dict(sorted(counts.items())),
        verification=verdict,
        seconds=round(result.seconds, 2),
        exit_code=result.exit_code,
        error=result.error,
        outputs=present_outputs(Path(job.out_dir), result),
    )


def present_outputs(out_dir: Path, result: Result) -> tuple[str, ...]:
    from service.batch.outputs import output_names_for

    names = output_names_for(result.input_name)
    blind = result.output_name
    wanted = [n for n in (blind, names.manifest, names.report) if n]
    return tuple(n for n in wanted if (out_dir / n).is_file())
