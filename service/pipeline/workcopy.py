"""The copy of the input the pipeline works on.

PDF annotations and form fields are baked into page content first, so what they show is read,
masked and pixel-compared like everything else (and then removed with the rest of the
overlays). Other inputs are used as they are; the original file is never modified.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.ingest.document import SourceDoc, open_pdf
from service.ingest.sniff import Kind
from service.redact.sanitize import bake_overlays


@contextmanager
def working_copy(src: SourceDoc, tmp_dir: Path) -> Iterator[Path]:
    if src.kind is not Kind.pdf:
        yield src.path
        return
    doc = open_pdf(src.path)
    try:
        if not bake_overlays(doc):
            yield src.path
            return
        work = tmp_dir / "work.pdf"
        doc.save(str(work), garbage=1)
    finally:
        doc.close()
    yield work
