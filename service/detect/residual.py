"""What stays readable once spans are masked: the text with each masked run shown as one
``MASK_CHAR`` (line breaks are never masked, so lines keep their shape).

The engine rescans this residual text until nothing new turns up (context detectors see other
neighbours once a name is gone: ``地址：■\\n乌兰``), and verification scans the blind copy the
same way, so what the pipeline releases is what the rescan accepts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from service.types import MASK_CHAR, Span


def residual_text(text: str, spans: Iterable[Span]) -> tuple[str, list[int]]:
    """The residual text and, per residual char, its index in ``text`` (``-1`` for a mask)."""
    masked = bytearray(len(text))
    for s in spans:
        masked[s.start : s.end] = b"\x01" * (s.end - s.start)
    return residual_of(text, masked)


def residual_of(text: str, masked: Sequence[int] | bytearray) -> tuple[str, list[int]]:
    """``text`` with every run of characters flagged in ``masked`` shown as one mask."""
    out: list[str] = []
    back: list[int] = []
    for i, ch in enumerate(text):
        if masked[i] and ch != "\n":
            if not out or out[-1] != MASK_CHAR or back[-1] != -1:
                out.append(MASK_CHAR)
                back.append(-1)
            continue
        out.append(ch)
        back.append(i)
    return "".join(out), back


def readable_findings(residual: str, back: list[int], spans: Iterable[Span]) -> list[Span]:
    """Spans found in the residual text that lie wholly in readable text, in ``text`` offsets."""
    out = []
    for s in spans:
        if MASK_CHAR in residual[s.start : s.end]:
            continue  # the mask's own context, not something readable
        out.append(
            Span(back[s.start], back[s.end - 1] + 1, s.category, s.score, s.rule, s.explanation)
        )
    return out
