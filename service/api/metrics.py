"""``/metrics`` in the Prometheus text exposition format (0.0.4), written by hand.

The numbers live in the job store (workers are separate processes, and counters must survive
restarts): jobs by state, files ended by status, pages processed, seconds per page as a
histogram, queue depth and workers. No labels carry ids, names or text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.jobs.store import PAGE_SECONDS_BUCKETS, Store


def render_metrics(store: Store, workers: Sequence[dict[str, Any]]) -> str:
    counters = store.counters()
    lines: list[str] = []

    def metric(name: str, kind: str, help_: str, samples: list[tuple[str, float]]) -> None:
        lines.append(f"# HELP {name} {help_}")
        lines.append(f"# TYPE {name} {kind}")
        lines.extend(f"{name}{labels} {_num(v)}" for labels, v in samples)

    metric("mangshen_jobs", "gauge", "Jobs in the store by state.",
           [(f'{{state="{k}"}}', v) for k, v in sorted(store.counts_by_state().items())])
    metric("mangshen_queue_depth", "gauge", "Files waiting for a worker.", [("", store.queue_depth())])
    metric("mangshen_files_total", "counter", "Files that ended, by status.",
           [(f'{{status="{s}"}}', counters.get(f"files_{s}", 0.0)) for s in ("done", "failed")])
    metric("mangshen_pages_processed_total", "counter", "Pages processed (redacted and verified).",
           [("", counters.get("pages_processed", 0.0))])
    buckets = [(f'_bucket{{le="{b}"}}', counters.get(f"page_seconds_le_{b}", 0.0)) for b in PAGE_SECONDS_BUCKETS]
    buckets.append(('_bucket{le="+Inf"}', counters.get("pages_processed", 0.0)))
    lines.append("# HELP mangshen_page_seconds Seconds per page (a file's time over its pages).")
    lines.append("# TYPE mangshen_page_seconds histogram")
    lines.extend(f"mangshen_page_seconds{suffix} {_num(v)}" for suffix, v in buckets)
    lines.append(f"mangshen_page_seconds_sum {_num(counters.get('page_seconds_sum', 0.0))}")
    lines.append(f"mangshen_page_seconds_count {_num(counters.get('pages_processed', 0.0))}")
    metric("mangshen_workers", "gauge", "Worker processes by state.", [
        ('{state="alive"}', sum(1 for w in workers if w["alive"])),
        ('{state="ready"}', sum(1 for w in workers if w["ready"])),
    ])
    metric("mangshen_worker_restarts_total", "counter", "Workers restarted after dying.",
           [("", sum(int(w["restarts"]) for w in workers))])
    return "\n".join(lines) + "\n"


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))
