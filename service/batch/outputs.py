"""The three outputs of one input in its mirrored folder, and their removal before a re-run.

Outputs of an earlier run are removed before a file runs again: a blind copy made with another
profile or policy must never sit next to a manifest that describes a different run, and a file
that now fails must leave no blind copy behind (fail closed, DESIGN §1.1).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

#: file extensions of the inputs the pipeline accepts (DESIGN §1.1); content is sniffed too
INPUT_EXTS = ("pdf", "jpg", "jpeg", "jpe", "png", "tif", "tiff")


@dataclass(frozen=True, slots=True)
class OutputNames:
    stem: str
    manifest: str
    report: str

    def blind_candidates(self) -> list[str]:
        """Every name the blind copy can have (its extension follows the input's format)."""
        return [f"{self.stem}.blind.{ext}" for ext in INPUT_EXTS]


def output_names_for(input_name: str) -> OutputNames:
    stem = Path(input_name).stem
    return OutputNames(stem, f"{stem}.manifest.json", f"{stem}.report.html")


def clear_outputs(out_dir: Path, input_name: str) -> None:
    """Remove what an earlier run wrote for ``input_name`` (and any partial blind copy)."""
    names = output_names_for(input_name)
    doomed = [names.manifest, names.report, *names.blind_candidates()]
    doomed += [f".{n}.partial" for n in names.blind_candidates()]
    for name in doomed:
        with contextlib.suppress(FileNotFoundError):
            (out_dir / name).unlink()


def blind_name(path: Path) -> str:
    """The blind copy's name for ``path``, exactly as ``redact_document`` names it."""
    from service.ingest.sniff import sniff
    from service.pipeline.run import output_names

    return output_names(path, sniff(path).ext)[0]
