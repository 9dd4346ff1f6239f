"""Progress on stderr: a one-line bar on a terminal, one plain line per file otherwise.

The bar shows files done/total, pages done/estimated, failures, elapsed time and an ETA. The
ETA is extrapolated from estimated pages (counted cheaply at discovery), not from files, since
a 40-page scan takes as long as a hundred one-page certificates. On a terminal, failures are
also printed as lines above the bar so they stay visible. No dependency: plain ANSI ``\\r`` and
erase-line.
"""

from __future__ import annotations

import shutil
import time
from typing import TextIO

from service.batch.models import FileOutcome

_BAR = 20
_REDRAW_SECONDS = 0.2


def clock(seconds: float) -> str:
    s = int(max(0.0, seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def describe(outcome: FileOutcome) -> str:
    """One line about one finished file (its relative path: the operator's own name)."""
    if outcome.ok:
        n = sum(outcome.regions.values())
        return f"{outcome.file}: ok — {outcome.pages} page(s), {n} region(s), {outcome.seconds:.1f} s"
    return f"{outcome.file}: exit {outcome.exit_code} — {outcome.error or 'failed'}"


class Progress:
    def __init__(self, stream: TextIO, total_files: int, total_pages: int, tty: bool | None = None):
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.total_files = total_files
        self.total_pages = max(total_pages, 1)
        self.files = 0
        self.pages = 0
        self.failed = 0
        self._est_done = 0
        self._t0 = time.monotonic()
        self._drawn = 0.0
        self._shown = ""

    def done(self, outcome: FileOutcome, est_pages: int) -> None:
        self.files += 1
        self.pages += outcome.pages
        self._est_done += max(est_pages, outcome.pages, 1)
        self.failed += not outcome.ok
        if not self.tty:
            self._line(f"[{self.files}/{self.total_files}] {describe(outcome)}")
        elif not outcome.ok:
            self._line(describe(outcome))
        self.tick(force=True)

    def note(self, message: str) -> None:
        self._line(message)
        self.tick(force=True)

    def tick(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._drawn < _REDRAW_SECONDS:
            return
        self._drawn = now
        width = shutil.get_terminal_size((100, 20)).columns - 1
        text = self.bar(now)[:width]
        if text != self._shown or force:
            self._shown = text
            self.stream.write("\r" + text + "\x1b[K")
            self.stream.flush()

    def bar(self, now: float | None = None) -> str:
        elapsed = (time.monotonic() if now is None else now) - self._t0
        frac = min(1.0, self._est_done / self.total_pages) if self.total_files else 1.0
        filled = int(frac * _BAR)
        eta = "—"
        if 0 < self._est_done < self.total_pages:
            eta = clock(elapsed * (self.total_pages - self._est_done) / self._est_done)
        failed = f" · {self.failed} failed" if self.failed else ""
        return (
            f"[{'#' * filled}{'.' * (_BAR - filled)}] {self.files}/{self.total_files} files · "
            f"{self.pages}/~{self.total_pages} pages{failed} · {clock(elapsed)} · ETA {eta}"
        )

    def close(self) -> None:
        """Leave the final state of the bar on its own line."""
        if self.tty:
            self.tick(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        self.stream.flush()
