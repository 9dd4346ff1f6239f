"""Find the inputs of a folder tree and the applicant profile of each.

Rules (also in the README):

* A file is an input when its extension is one the pipeline accepts (pdf, jpg/jpeg, png,
  tif/tiff, any case) or its first bytes say it is a PDF, JPEG, PNG or TIFF. A file with an
  accepted extension but other content is still an input: it fails with exit code 3 and shows
  up in the summary, instead of being skipped without a word.
* Hidden files and folders (name starting with ``.``) are skipped, and so is the output folder
  when it lies inside the input folder. Symbolic links are followed; a folder reached twice
  (a link loop, or two links to one folder) is walked once.
* Profiles (``--profiles DIR``): for ``IN_DIR/a/b/x.pdf`` the candidates are ``DIR/b.json``,
  then ``DIR/a.json``, then ``DIR/<name of IN_DIR>.json``; the nearest ancestor folder whose
  name has a profile file wins. A file with no candidate runs without a profile (the generic
  detectors still run). A malformed profile fails that applicant's files, no one else's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from service.batch.outputs import INPUT_EXTS
from service.errors import MangshenError
from service.ingest.sniff import sniff_bytes
from service.profile import Profile, load_profile

_SUFFIXES = frozenset(f".{e}" for e in INPUT_EXTS)


@dataclass(frozen=True, slots=True)
class Found:
    rel: PurePosixPath
    path: Path
    size: int


def discover(in_dir: Path, out_dir: Path) -> list[Found]:
    """Every input under ``in_dir``, sorted by relative path."""
    skip = {_identity(out_dir)} if out_dir.exists() else set()
    out_resolved = out_dir.resolve()
    found: list[Found] = []
    seen: set[tuple[int, int]] = set()
    stack = [(in_dir, PurePosixPath())]
    while stack:
        folder, rel = stack.pop()
        try:
            ident = _identity(folder)
        except OSError:
            continue  # vanished or not ours to read
        if ident in seen or ident in skip or folder.resolve() == out_resolved:
            continue
        seen.add(ident)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue  # an unreadable folder: nothing we could process in it
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if _is_dir(entry):
                stack.append((path, rel / entry.name))
            elif _is_input(entry):
                found.append(Found(rel / entry.name, path, _size(entry)))
    return sorted(found, key=lambda f: f.rel.parts)


def _identity(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _size(entry: os.DirEntry[str]) -> int:
    try:
        return entry.stat().st_size
    except OSError:
        return 0


def _is_input(entry: os.DirEntry[str]) -> bool:
    if Path(entry.name).suffix.lower() in _SUFFIXES:
        return True  # a broken link or a mislabelled file is reported, not skipped
    try:
        if not entry.is_file():
            return False
        with open(entry.path, "rb") as fh:
            return sniff_bytes(fh.read(1024)) is not None
    except OSError:
        return False


def estimate_pages(path: Path) -> int:
    """A cheap page count (no page is decoded); 1 when it cannot be told."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".tif", ".tiff"):
            from PIL import Image

            with Image.open(path) as im:
                return max(1, int(getattr(im, "n_frames", 1)))
        with open(path, "rb") as fh:
            head = fh.read(1024)
        if b"%PDF-" not in head:
            return 1
        import pymupdf

        with pymupdf.open(path) as doc:
            return max(1, doc.page_count)
    except Exception:  # any failure is the pipeline's to report, with its own exit code
        return 1


def collisions(found: list[Found]) -> dict[PurePosixPath, PurePosixPath]:
    """Inputs whose outputs would overwrite an earlier input's (same folder, same stem):
    ``x.pdf`` and ``x.jpg`` both write ``x.manifest.json``. Maps each later one to the first."""
    first: dict[tuple[PurePosixPath, str], PurePosixPath] = {}
    clash: dict[PurePosixPath, PurePosixPath] = {}
    for f in found:
        key = (f.rel.parent, f.rel.stem)
        if key in first:
            clash[f.rel] = first[key]
        else:
            first[key] = f.rel
    return clash


@dataclass
class ProfileFinder:
    """Picks and loads the profile of each input (each profile file is read once)."""

    profiles_dir: Path | None
    in_dir_name: str
    _cache: dict[str, Profile | MangshenError] = field(default_factory=dict)

    def candidates(self, rel: PurePosixPath) -> list[str]:
        names = [*reversed(rel.parent.parts), self.in_dir_name]
        return [n for n in names if n]

    def find(self, rel: PurePosixPath) -> tuple[str, Profile | MangshenError]:
        """``(profile file name or "", profile or the error loading it)``."""
        if self.profiles_dir is None:
            return "", Profile()
        for name in self.candidates(rel):
            path = self.profiles_dir / f"{name}.json"
            if path.is_file():
                return path.name, self._load(path)
        return "", Profile()

    def _load(self, path: Path) -> Profile | MangshenError:
        key = str(path)
        if key not in self._cache:
            try:
                self._cache[key] = load_profile(path)
            except MangshenError as exc:
                self._cache[key] = exc
        return self._cache[key]
