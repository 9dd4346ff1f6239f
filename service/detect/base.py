"""The detector interfaces.

Text detectors look at a page's reading text (a plain ``str``; ``PageText.text``) and return
:class:`~service.types.Span` objects with half-open offsets. They never see boxes or
documents: the pipeline maps spans to boxes through the character index.

Mark detectors (faces, seals, signatures, codes; :mod:`service.detect.marks`) look at a
:class:`~service.detect.marks.base.MarkPage` (a page raster plus the text read on it) and return
:class:`~service.types.Region` objects in pixel units of that raster, with ``source="mark"``.

Every result names its ``rule`` (``"<detector>.<pattern>"``, e.g. ``"pattern.id_number"``)
and carries an ``explanation`` an auditor can read (context word found, check digit valid…)
that never contains the matched text itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from service.types import Region, Span

if TYPE_CHECKING:
    from service.detect.marks.base import MarkPage


@runtime_checkable
class TextDetector(Protocol):
    """Finds sensitive spans in text."""

    #: short id used as the prefix of every rule this detector emits
    name: str
    #: categories this detector can emit
    categories: frozenset[str]

    def detect(self, text: str) -> list[Span]: ...


@runtime_checkable
class MarkDetector(Protocol):
    """Finds identifying marks (faces, seals, signatures, codes) in a page image."""

    name: str
    categories: frozenset[str]

    def detect(self, page: MarkPage) -> list[Region]: ...
