#!/usr/bin/env python3
"""Speed and memory of ``mangshen redact`` on this machine. Prints figures; asserts nothing.

* detect-text: seconds for a 10,000-character document (text of generated materials), in a warm
  process (median of --runs) and via the CLI including start-up and model loading;
* born-digital: seconds per page over a multi-page born-digital PDF (median of --runs runs);
* marks: seconds per scanned A4 page at 200 dpi spent in each mark detector (faces, seals,
  signatures, codes) and in all of them, single core, warm (median over --mark-pages pages);
* scanned: seconds per page (wall time / pages, all cores: pages in parallel processes) for a
  --pages-page scanned PDF at 200 dpi (median of --runs runs), and the peak memory of the whole
  process tree (sum of the resident sizes of the CLI and its workers, sampled from /proc).

    python scripts/benchmark.py [--pages 50] [--runs 3] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pymupdf  # noqa: E402

from scripts.corpus import make_document  # noqa: E402

SCAN_KINDS = ("progress_note", "paper", "case_first_page", "workload", "appraisal", "award_cert")
BORN_KINDS = ("progress_note", "paper", "case_first_page")  # text-only pages (no rasters)


def build_pdf(kinds: tuple[str, ...], variant: str, pages: int, seed: int, out: Path) -> None:
    rng = random.Random(seed)
    doc = pymupdf.open()
    for i in range(pages):
        gen = make_document(kinds[i % len(kinds)], variant, rng)
        with pymupdf.open("pdf", gen.data) as one:
            doc.insert_pdf(one)
    doc.save(out, garbage=3, deflate=True)


def _tree_rss_kb(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            with open(f"/proc/{entry}/statm") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_cli(pdf: Path, out: Path, jobs: int) -> tuple[float, int, int]:
    """Wall seconds, peak tree RSS (KiB) and exit code of one redact run."""
    cmd = [sys.executable, "-m", "service", "redact", str(pdf), "-o", str(out), "--jobs", str(jobs)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    done.set()
    th.join()
    if proc.returncode:
        print(err.decode(errors="replace")[-500:], file=sys.stderr)
    return time.perf_counter() - t0, peak, proc.returncode


def born_in_process(pdf: Path, out: Path, runs: int) -> float:
    """Seconds per born-digital page inside a warm process (what the service sees)."""
    from service.config import Options
    from service.pipeline.pool import PagePool
    from service.pipeline.run import redact_document

    options = Options(jobs=1)
    pages = pymupdf.open(pdf).page_count
    times = []
    with PagePool(1) as pool:
        redact_document(pdf, out, options, pool)  # warm-up: imports, rule compilation
        for _ in range(runs):
            t0 = time.perf_counter()
            redact_document(pdf, out, options, pool)
            times.append((time.perf_counter() - t0) / pages)
    return statistics.median(times)


def sample_text(chars: int, seed: int) -> str:
    """About ``chars`` characters of generated application-material text (all kinds)."""
    from scripts.corpus import KINDS

    rng = random.Random(seed)
    parts: list[str] = []
    total, i = 0, 0
    while total < chars:
        gen = make_document(KINDS[i % len(KINDS)], "born", rng)
        with pymupdf.open("pdf", gen.data) as d:
            page_text = "".join(p.get_text() for p in d)
        parts.append(page_text)
        total += len(page_text)
        i += 1
    return "".join(parts)[:chars]


def detect_text_speed(chars: int, runs: int, seed: int) -> None:
    from service.detect.engine import build_engine

    text = sample_text(chars, seed)
    t0 = time.perf_counter()
    engine = build_engine(None, "default")
    engine.detect("预热")
    load = time.perf_counter() - t0
    times = []
    for _ in range(max(runs, 3)):
        t0 = time.perf_counter()
        spans = engine.detect(text)
        times.append(time.perf_counter() - t0)
    print(f"detect-text: {statistics.median(times):.3f} s for {len(text)} chars (warm, median of "
          f"{len(times)}; {len(spans)} spans); engine build {load:.2f} s")
    walls = []
    for _ in range(max(runs, 3)):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "service", "detect-text"], input=text.encode(),
                              cwd=ROOT, capture_output=True, check=False)
        walls.append(time.perf_counter() - t0)
        if proc.returncode:
            print(proc.stderr.decode(errors="replace")[-500:], file=sys.stderr)
    print(f"detect-text via CLI incl. start-up: {statistics.median(walls):.2f} s (median of {len(walls)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--born-pages", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--mark-pages", type=int, default=16)
    ap.add_argument("--only", choices=("text", "born", "marks", "scan"), help="run one benchmark only")
    args = ap.parse_args()
    if args.only in (None, "text"):
        detect_text_speed(10_000, args.runs, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        if args.only in (None, "born"):
            born = t / "born.pdf"
            build_pdf(BORN_KINDS, "born", args.born_pages, args.seed, born)
            spp = born_in_process(born, t / "out-born", args.runs)
            print(f"born-digital: {spp:.3f} s/page (median of {args.runs}, {args.born_pages} pages, warm process)")
            wall, _, _ = run_cli(born, t / "out-born-cli", args.jobs)
            print(f"born-digital via CLI incl. start-up: {wall:.2f} s for {args.born_pages} pages")
        if args.only in (None, "marks"):
            marks_speed(args.mark_pages, args.seed)
        if args.only in (None, "scan"):
            scan_benchmark(t, args)


def marks_speed(pages: int, seed: int) -> None:
    """Time of each mark detector on scanned pages (the page raster as the pipeline sees it)."""
    from service.detect.marks.base import MarkPage
    from service.pipeline.marks import mark_detectors

    detectors = mark_detectors("default")
    rng = random.Random(seed)
    rasters = []
    for i in range(pages):
        gen = make_document(SCAN_KINDS[i % len(SCAN_KINDS)], "scan_pdf", rng)
        with pymupdf.open("pdf", gen.data) as d:
            pix = d[0].get_pixmap(dpi=200, colorspace=pymupdf.csRGB, alpha=False)
            rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
            rasters.append(np.ascontiguousarray(rgb[:, :, ::-1]))
    for det in detectors:  # warm-up: model loading, first-call allocations
        det.detect(MarkPage(rasters[0], 200.0))
    per: dict[str, list[float]] = {d.name: [] for d in detectors}
    totals = []
    for img in rasters:
        page = MarkPage(img, 200.0)
        total = 0.0
        for det in detectors:
            t0 = time.perf_counter()
            det.detect(page)
            dt = time.perf_counter() - t0
            per[det.name].append(dt)
            total += dt
        totals.append(total)
    parts = ", ".join(f"{name} {statistics.median(v):.3f}" for name, v in per.items())
    h, w = rasters[0].shape[:2]
    print(f"marks: {statistics.median(totals):.3f} s per scanned page ({w}x{h} px, 200 dpi; "
          f"median of {pages}, one core): {parts}")


def scan_benchmark(t: Path, args: argparse.Namespace) -> None:
    scan = t / "scan.pdf"
    build_pdf(SCAN_KINDS, "scan_pdf", args.pages, args.seed, scan)
    walls, peaks = [], []
    for i in range(args.runs):
        wall, peak, code = run_cli(scan, t / f"out-scan-{i}", args.jobs)
        walls.append(wall)
        peaks.append(peak)
        print(f"  scanned run {i + 1}: {wall:.1f} s, {wall / args.pages:.2f} s/page, "
              f"peak {peak / 1024:.0f} MiB, exit {code}")
    print(
        f"scanned 200 dpi: {statistics.median(walls) / args.pages:.2f} s/page "
        f"(median of {args.runs}, {args.pages} pages, --jobs {args.jobs}); "
        f"peak memory {max(peaks) / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
