"""An auditor's revision: add and remove regions, re-render the blind copy from the original,
verify it again, and record who changed what and when.

A revision starts from the regions of the previous revision's manifest (revision 0 is the
machine's run), applies the auditor's changes and hands the result to the same ``release``
stage as the first run (apply → sanitize → verify → publish → manifest + report), always from
the original input, never from an earlier blind copy.

* Added regions get ``source: "manual"``, ``rule: "auditor"``, score 1.0; on PDF pages they
  are grown over every text-layer glyph they touch (``snap_to_glyphs``), as machine masks are.
* A removed machine region becomes an *accepted* area: it stays readable, verification does
  not count findings inside it, and the manifest lists it under ``pages[].removed`` with its
  author and revision. A removed manual region is simply gone.
* The manifest gains ``revision`` and ``revisions`` (every revision so far: author, time,
  what was added and removed); manual regions carry ``author`` and ``revision``. Notes are
  free text typed by auditors and go only into the report (as the region's explanation and in
  the revision line), never into the manifest.

The page analyses (reading text with character boxes) of the first run are reused when the
caller has them; otherwise the pages are read again from the original.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat

from service.config import Options
from service.errors import BadArgumentsError
from service.ingest.document import open_source
from service.pipeline.context import PageAnalysis
from service.pipeline.pool import PagePool
from service.pipeline.run import analyse, output_names, release
from service.pipeline.workcopy import working_copy
from service.redact.regions import snap_to_glyphs
from service.types import CATEGORIES, BBox, Region, Result

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
#: how far (page units, per coordinate) a removal's bbox may be from the region it names
MATCH_TOLERANCE = 1.0

Box = tuple[FiniteFloat, FiniteFloat, FiniteFloat, FiniteFloat]


class RegionAdd(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    page: int = Field(ge=0, description="page index (0-based)")
    bbox: Box = Field(description="[x0, y0, x1, y1] in the manifest's page units")
    category: Category
    note: str = Field(default="", max_length=500)


class RegionRemove(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    page: int = Field(ge=0)
    bbox: Box = Field(description="the region's bbox as the current manifest gives it")
    note: str = Field(default="", max_length=500)


class Changes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    add: list[RegionAdd] = Field(default_factory=list, max_length=500)
    remove: list[RegionRemove] = Field(default_factory=list, max_length=500)
    note: str = Field(default="", max_length=2000)


class Revision(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1)
    author: str
    at: str
    changes: Changes


def check_changes(manifest: dict[str, Any], changes: Changes) -> None:
    """Refuse changes that cannot apply to ``manifest`` (BadArgumentsError), before queueing."""
    if not changes.add and not changes.remove:
        raise BadArgumentsError("no changes: give regions to add or remove")
    pages = manifest.get("pages", [])
    items: list[RegionAdd | RegionRemove] = [*changes.add, *changes.remove]
    for item in items:
        if item.page >= len(pages):
            raise BadArgumentsError(f"page {item.page} does not exist ({len(pages)} page(s))")
        box = BBox(*item.bbox)
        if box.is_empty:
            raise BadArgumentsError("a bbox must have x0 < x1 and y0 < y1")
        if box.clip(pages[item.page]["width"], pages[item.page]["height"]).is_empty:
            raise BadArgumentsError(f"bbox lies outside page {item.page}")
    for rm in changes.remove:
        if _find(pages[rm.page].get("regions", []), rm.bbox) is None:
            raise BadArgumentsError(f"no region at that bbox on page {rm.page}")


def _find(regions: list[dict[str, Any]], bbox: Box) -> int | None:
    """Index of the region whose bbox is nearest ``bbox`` within the tolerance."""
    best, best_d = None, MATCH_TOLERANCE
    for i, r in enumerate(regions):
        d = max(abs(a - b) for a, b in zip(r["bbox"], bbox, strict=True))
        if d <= best_d:
            best, best_d = i, d
    return best


def revise_document(
    original: Path,
    base_manifest: Path,
    revision: Revision,
    out_dir: Path,
    options: Options,
    pool: PagePool,
    analyses: list[PageAnalysis] | None = None,
) -> Result:
    """Write revision ``revision.number`` of ``original`` into ``out_dir``."""
    t0 = time.perf_counter()
    base = json.loads(base_manifest.read_text(encoding="utf-8"))
    check_changes(base, revision.changes)
    src = open_source(original, options.limits)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mangshen-") as tmp, working_copy(src, Path(tmp)) as work:
        if analyses is None or len(analyses) != len(src.pages):
            analyses = analyse(src, work, options, pool)
        state = _State.from_manifest(base, analyses)
        state.apply(revision)
        revised = [
            PageAnalysis(replace(a.result, regions=tuple(state.regions[a.result.index])), a.text)
            for a in analyses
        ]
        result = release(
            src, work, out_dir, revised, options, pool, t0,
            accepted={i: [BBox(*r["bbox"]) for r in rs] for i, rs in state.removed.items()},
            warnings=(summary(revision),),
        )
    _, manifest_name, _ = output_names(src.path, src.kind.ext)
    _record(out_dir / manifest_name, base, revision, state, result)
    return result


class _State:
    """The regions of every page while a revision is applied, with the manual regions' and
    accepted areas' records."""

    def __init__(self, analyses: list[PageAnalysis]) -> None:
        self.analyses = {a.result.index: a for a in analyses}
        self.regions: dict[int, list[Region]] = {i: [] for i in self.analyses}
        #: (page, rounded bbox) -> {"author", "revision"} of manual regions
        self.manual: dict[tuple[int, tuple[float, ...]], dict[str, Any]] = {}
        self.removed: dict[int, list[dict[str, Any]]] = {i: [] for i in self.analyses}

    @classmethod
    def from_manifest(cls, base: dict[str, Any], analyses: list[PageAnalysis]) -> _State:
        state = cls(analyses)
        for page in base["pages"]:
            i = page["index"]
            known = {(tuple(r.bbox.as_list()), r.category): r for r in state.analyses[i].result.regions}
            for rec in page.get("regions", []):
                key = (tuple(rec["bbox"]), rec["category"])
                region = known.get(key) or _region_of(rec)
                state.regions[i].append(region)
                if region.source == "manual":
                    state.manual[(i, key[0])] = {k: rec[k] for k in ("author", "revision") if k in rec}
            state.removed[i] = list(page.get("removed", []))
        return state

    def apply(self, revision: Revision) -> None:
        who = {"author": revision.author, "revision": revision.number}
        for rm in revision.changes.remove:
            page = self.regions[rm.page]
            k = _find([{"bbox": r.bbox.as_list()} for r in page], rm.bbox)
            if k is None:
                raise BadArgumentsError(f"no region at that bbox on page {rm.page}")
            region = page.pop(k)
            if region.source != "manual":
                self.removed[rm.page].append({**_record_of(region), **who})
        for add in revision.changes.add:
            a = self.analyses[add.page]
            box = BBox(*add.bbox).clip(a.result.width, a.result.height)
            region = Region(box, add.category, "manual", "auditor", 1.0, explanation=add.note)
            (region,) = snap_to_glyphs((region,), a.text)
            region = replace(region, bbox=region.bbox.clip(a.result.width, a.result.height))
            self.regions[add.page].append(region)
            self.manual[(add.page, tuple(region.bbox.as_list()))] = who


def _region_of(rec: dict[str, Any]) -> Region:
    return Region(
        BBox(*rec["bbox"]), rec["category"], rec.get("source", "manual"), rec.get("rule", "auditor"),
        float(rec.get("score", 1.0)), rec.get("text_sha256"),
    )


def _record_of(r: Region) -> dict[str, Any]:
    return {"bbox": r.bbox.as_list(), "category": r.category, "source": r.source, "rule": r.rule,
            "score": round(r.score, 3), "text_sha256": r.text_sha256}


def summary(revision: Revision, notes: bool = True) -> str:
    """One line on who changed what and when; with the auditors' notes for the report (it is
    for auditors and the applicant), without them for the manifest."""
    ch = revision.changes
    parts = [f"+{a.category} p{a.page + 1}" + (f" ({a.note})" if a.note and notes else "") for a in ch.add]
    parts += [f"-region p{r.page + 1}" + (f" ({r.note})" if r.note and notes else "") for r in ch.remove]
    note = f"; note: {ch.note}" if ch.note and notes else ""
    return f"revision {revision.number} by {revision.author} at {revision.at}: {', '.join(parts)}{note}"


def _record(
    path: Path, base: dict[str, Any], revision: Revision, state: _State, result: Result
) -> None:
    """Add the revision history, manual regions' authors and accepted areas to the manifest."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    with_notes = summary(revision)
    manifest["warnings"] = [
        summary(revision, notes=False) if w == with_notes else w for w in manifest.get("warnings", [])
    ]
    manifest["revision"] = revision.number
    manifest["revisions"] = [
        *base.get("revisions", []),
        {
            "revision": revision.number,
            "author": revision.author,
            "at": revision.at,
            "added": [{"page": a.page, "bbox": list(a.bbox), "category": a.category}
                      for a in revision.changes.add],
            "removed": [{"page": r.page, "bbox": list(r.bbox)} for r in revision.changes.remove],
            "released": result.exit_code == 0,
        },
    ]
    for page in manifest["pages"]:
        i = page["index"]
        for rec in page["regions"]:
            rec.update(state.manual.get((i, tuple(rec["bbox"])), {}))
        page["removed"] = state.removed.get(i, [])
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)
