"""``mangshen batch IN_DIR -o OUT_DIR`` (DESIGN §1.1): thin — flags → config → runner → exit code.

``add_batch_parser`` adds the sub-command to ``mangshen``'s parser; ``run_batch`` runs it;
``main`` is a stand-alone entry point (``scripts/batch_redact.py`` and the tests use it).
The exit code is the worst of all files (DESIGN §1.1), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from service.batch.backend import Backend
from service.batch.runner import BatchConfig, BatchReport, run_batch_jobs
from service.errors import BadArgumentsError, ExitCode, MangshenError

log = logging.getLogger("mangshen")

_EPILOG = """\
outputs of IN_DIR/a/b/x.pdf go to OUT_DIR/a/b/ (x.blind.pdf, x.manifest.json, x.report.html);
OUT_DIR/summary.csv lists every file. Profiles: IN_DIR/<applicant>/... uses
PROFILES/<applicant>.json (the nearest ancestor folder with a profile file wins).
"""


def add_batch_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    b = subparsers.add_parser(
        "batch", help="redact a folder tree into a mirrored output tree", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _arguments(b)
    return b


def _arguments(b: argparse.ArgumentParser) -> None:
    b.add_argument("in_dir", type=Path, metavar="IN_DIR")
    b.add_argument("-o", "--output", required=True, type=Path, metavar="OUT_DIR")
    b.add_argument("--profiles", type=Path, default=None, metavar="DIR",
                   help="per-applicant profiles: DIR/<folder name>.json")
    b.add_argument("--policy", default="default", metavar="NAME|PATH")
    b.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes (default: CPU count); with --server: uploads at once (default 4)")
    b.add_argument("--resume", action="store_true", help="skip files already done (same content, profile, policy)")
    b.add_argument("--server", default=None, metavar="URL", help="send the files to a running mangshen service")
    b.add_argument("--token", default=os.environ.get("MANGSHEN_TOKEN"), metavar="T",
                   help="bearer token for --server (default: $MANGSHEN_TOKEN)")


def run_batch(args: argparse.Namespace) -> int:
    try:
        with _sigterm_as_interrupt():
            report = _run(args)
    except KeyboardInterrupt:
        print("mangshen: interrupted", file=sys.stderr)
        return int(ExitCode.interrupted)
    except MangshenError as exc:
        print(f"mangshen: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    _print_report(report)
    return report.exit_code


def _run(args: argparse.Namespace) -> BatchReport:
    in_dir, out_dir = Path(args.in_dir), Path(args.output)
    if not in_dir.is_dir():
        raise BadArgumentsError(f"{in_dir} is not a folder")
    if out_dir.resolve() == in_dir.resolve():
        raise BadArgumentsError("OUT_DIR must not be IN_DIR (outputs would mix with the inputs)")
    if args.profiles is not None and not Path(args.profiles).is_dir():
        raise BadArgumentsError(f"--profiles {args.profiles} is not a folder")
    if args.jobs is not None and args.jobs < 1:
        raise BadArgumentsError("--jobs must be at least 1")
    policy, policy_id = _policy(args)
    cfg = BatchConfig(in_dir, out_dir, args.profiles, policy, policy_id, args.resume)
    backend = _backend(args, policy)
    return run_batch_jobs(cfg, backend, sys.stderr)


def _policy(args: argparse.Namespace) -> tuple[str, str]:
    """The policy as workers should see it, and what identifies it in resume keys."""
    if args.server:
        if Path(args.policy).suffix in (".yaml", ".yml"):
            raise BadArgumentsError("with --server, --policy takes the name of a policy the server offers")
        return args.policy, f"server:{args.policy}"
    from service.rules.policy import load_policy

    policy = args.policy
    if Path(policy).suffix in (".yaml", ".yml") and Path(policy).exists():
        policy = str(Path(policy).resolve())  # workers may run elsewhere: no relative paths
    resolved = load_policy(policy)  # a bad policy fails before any work (exit 6)
    return policy, "local:" + hashlib.sha256(resolved.model_dump_json().encode()).hexdigest()


def _backend(args: argparse.Namespace, policy: str) -> Backend:
    if args.server:
        from service.batch.remote import RemoteBackend

        if not args.token:
            raise BadArgumentsError("--server needs --token (or MANGSHEN_TOKEN)")
        remote = RemoteBackend(args.server, args.token, jobs=args.jobs or 4)
        try:
            remote.check(policy)
        except BaseException:
            remote.close()
            raise
        return remote
    from service.batch.local import LocalBackend
    from service.config import Options

    return LocalBackend(args.jobs or Options().jobs)


def _print_report(report: BatchReport) -> None:
    done = [o for o in report.outcomes if not o.resumed]
    ok = sum(o.ok for o in done)
    resumed = len(report.outcomes) - len(done)
    parts = [f"{ok} ok", f"{len(done) - ok} failed"]
    if resumed:
        parts.append(f"{resumed} already done")
    line = f"batch: {len(report.outcomes)} file(s): {', '.join(parts)}; summary: {report.summary}"
    if report.interrupted:
        line += "; interrupted — run again with --resume to finish"
    print(line)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a batch as cleanly as Ctrl-C (only the main thread can install it)."""
    def _raise(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, _raise)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone ``batch``: the flags of ``mangshen batch`` (without the word ``batch``)."""
    parser = argparse.ArgumentParser(
        prog="mangshen batch", description="redact a folder tree into a mirrored output tree",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    _arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return run_batch(args)
