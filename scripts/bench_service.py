#!/usr/bin/env python3
"""Load test of ``mangshen serve``: N concurrent uploads of a 2-page scanned PDF, then status
polling while the workers are busy. Prints upload latencies, status-call latencies (p50/p95/
max, target p95 < 200 ms), throughput, and checks that every job completed and none was lost.

    python scripts/bench_service.py --start                      # own server, temp data dir
    python scripts/bench_service.py --url http://127.0.0.1:8000 --token TOKEN

Traffic goes to the given URL only (use a loopback address); every loop is bounded by
``--timeout``. ``--start`` runs ``python -m service.api`` on a free loopback port with
``--workers`` worker processes and stops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.corpus import make_document  # noqa: E402


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8000")
    p.add_argument("--token", default=os.environ.get("MANGSHEN_TOKEN"))
    p.add_argument("--start", action="store_true", help="start a server of our own (temp data dir)")
    p.add_argument("--workers", type=int, default=2, help="worker processes of the --start server")
    p.add_argument("--uploads", type=int, default=50)
    p.add_argument("--pollers", type=int, default=4, help="concurrent status callers")
    p.add_argument("--timeout", type=float, default=3600.0, help="give up after this many seconds")
    return p.parse_args()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(values: list[float]) -> str:
    return (f"n={len(values)} p50={_pct(values, 0.5) * 1000:.0f} ms p95={_pct(values, 0.95) * 1000:.0f} ms "
            f"max={max(values) * 1000:.0f} ms" if values else "n=0")


@contextmanager
def _server(workers: int) -> Iterator[tuple[str, str]]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="mangshen-bench-") as data:
        env = {**os.environ, "MANGSHEN_DATA_DIR": data, "MANGSHEN_API_TOKENS": f"{token}=bench",
               "MANGSHEN_WORKERS": str(workers),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        log = Path(data) / "server.log"
        with log.open("wb") as fh:
            proc = subprocess.Popen([sys.executable, "-m", "service.api", "--port", str(port)],
                                    cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None:
                    raise SystemExit(f"server exited: {log.read_text()[-2000:]}")
                time.sleep(0.5)
            yield url, token
        finally:
            proc.terminate()
            proc.wait(timeout=60)


async def _upload(client: httpx.AsyncClient, data: bytes, profile: str, i: int, deadline: float) -> tuple[str, float, int]:
    """One upload (retried after Retry-After on 429); returns id, latency, 429s seen."""
    refused = 0
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        r = await client.post("/v1/jobs", files=[("files", (f"scan-{i}.pdf", data, "application/pdf"))],
                              data={"profile": profile})
        took = time.perf_counter() - t0
        if r.status_code == 202:
            return str(r.json()["id"]), took, refused
        if r.status_code != 429:
            raise SystemExit(f"upload {i}: HTTP {r.status_code} {r.text[:200]}")
        refused += 1
        await asyncio.sleep(float(r.headers.get("retry-after", "1")))
    raise SystemExit("uploads timed out")


async def _poll(client: httpx.AsyncClient, ids: list[str], busy: list[float], states: dict[str, dict[str, Any]],
                deadline: float, k: int) -> None:
    """Call status round-robin until every job ended; latencies count while a job runs."""
    rng = random.Random(k)
    while time.monotonic() < deadline and any(states.get(j, {}).get("status") not in ("done", "failed") for j in ids):
        job = rng.choice(ids)
        t0 = time.perf_counter()
        r = await client.get(f"/v1/jobs/{job}")
        took = time.perf_counter() - t0
        r.raise_for_status()
        states[job] = r.json()
        if any(s.get("status") == "running" for s in states.values()):
            busy.append(took)
        await asyncio.sleep(0.05)


async def _run(url: str, token: str, args: argparse.Namespace) -> int:
    doc = make_document("workload", "scan_pdf", random.Random(5), pages=2)
    profile = json.dumps(doc.profile, ensure_ascii=False)
    deadline = time.monotonic() + args.timeout
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=args.uploads + args.pollers)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120.0, limits=limits) as client:
        t0 = time.perf_counter()
        uploads = await asyncio.gather(*[_upload(client, doc.data, profile, i, deadline) for i in range(args.uploads)])
        upload_wall = time.perf_counter() - t0
        ids = [u[0] for u in uploads]
        busy: list[float] = []
        states: dict[str, dict[str, Any]] = {}
        await asyncio.gather(*[_poll(client, ids, busy, states, deadline, k) for k in range(args.pollers)])
        total = time.perf_counter() - t0
        listed = {j["id"] for j in (await client.get("/v1/jobs", params={"limit": 500})).json()["jobs"]}
        clean = 0
        for job in ids:
            m = (await client.get(f"/v1/jobs/{job}/files/0/manifest")).json()
            v = m.get("verification", {})
            clean += int(v.get("text_leaks") == 0 and v.get("rescan_findings") == 0
                         and v.get("pixels_changed_outside_masks") == 0 and v.get("metadata_clean") is True)
    done = sum(1 for j in ids if states.get(j, {}).get("status") == "done")
    pages = sum(int(states.get(j, {}).get("pages_done", 0)) for j in ids)
    print(f"uploads: {len(ids)} accepted in {upload_wall:.1f} s ({sum(u[2] for u in uploads)} x 429 retried); "
          f"latency {_ms([u[1] for u in uploads])}")
    print(f"jobs: {done}/{len(ids)} done, {len(set(ids) & listed)}/{len(ids)} listed (none lost), "
          f"{clean}/{len(ids)} verified clean")
    print(f"pages: {pages} in {total:.1f} s = {pages / total:.2f} pages/s ({total / max(pages, 1):.2f} s/page wall)")
    print(f"status while workers busy: {_ms(busy)} (target p95 < 200 ms)")
    ok = done == len(ids) == len(set(ids) & listed) == clean and _pct(busy, 0.95) < 0.2
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    args = _args()
    if args.start:
        with _server(args.workers) as (url, token):
            return asyncio.run(_run(url, token, args))
    if not args.token:
        raise SystemExit("give --token (or MANGSHEN_TOKEN), or --start")
    return asyncio.run(_run(args.url, args.token, args))


if __name__ == "__main__":
    sys.exit(main())
