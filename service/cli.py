"""Command line (DESIGN §1.1): thin — flags → options → library call → exit code."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from service.config import Options
from service.errors import BadArgumentsError, ExitCode, MangshenError, worst
from service.profile import Profile, load_profile

log = logging.getLogger("mangshen")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mangshen", description="盲审件生成 / make blind-review copies of application materials"
    )
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("redact", help="write blind copies, manifests and reports")
    r.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    r.add_argument("-o", "--output", required=True, type=Path, metavar="OUTDIR")
    _common(r)
    r.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPU count)")
    r.add_argument("--verify-ocr", action="store_true", help="re-OCR masked raster pages when verifying")

    d = sub.add_parser("detect-text", help="find sensitive spans in UTF-8 text on stdin")
    _common(d)

    from service.batch.cli import add_batch_parser

    add_batch_parser(sub)

    from service.api.cli import add_serve_parser

    add_serve_parser(sub)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", type=Path, default=None, metavar="PROFILE.json")
    p.add_argument("--policy", default="default", metavar="NAME|PATH")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "redact":
            return _redact(args)
        if args.command == "batch":
            from service.batch.cli import run_batch

            return run_batch(args)
        if args.command == "serve":
            from service.api.cli import run_serve

            return run_serve(args)
        return _detect_text(args)
    except KeyboardInterrupt:
        print("mangshen: interrupted", file=sys.stderr)
        return int(ExitCode.interrupted)
    except MangshenError as exc:
        print(f"mangshen: {exc}", file=sys.stderr)
        return int(exc.exit_code)


def _options(args: argparse.Namespace, profile: Profile) -> Options:
    from service.rules.policy import load_policy

    load_policy(args.policy)  # a bad policy fails before any work (exit 6)
    kwargs: dict[str, object] = {"profile": profile, "policy": args.policy}
    if getattr(args, "jobs", None) is not None:
        if args.jobs < 1:
            raise BadArgumentsError("--jobs must be at least 1")
        kwargs["jobs"] = args.jobs
    if getattr(args, "verify_ocr", False):
        kwargs["verify_ocr"] = True
    return Options(**kwargs)  # type: ignore[arg-type]


def _redact(args: argparse.Namespace) -> int:
    from service.pipeline.pool import PagePool
    from service.pipeline.run import redact_document

    options = _options(args, load_profile(args.profile))
    codes: list[int] = []
    with PagePool(options.jobs) as pool:
        for path in args.inputs:
            result = redact_document(path, args.output, options, pool)
            codes.append(result.exit_code)
            if result.exit_code == 0:
                n = sum(len(p.regions) for p in result.pages)
                print(f"{path.name}: ok — {len(result.pages)} page(s), {n} region(s), {result.seconds:.1f} s")
            else:
                msg = result.error or "failed"
                msg = msg if msg.startswith(path.name) else f"{path.name}: {msg}"
                print(f"mangshen: {msg} (exit {result.exit_code})", file=sys.stderr)
    return worst(codes)


def _detect_text(args: argparse.Namespace) -> int:
    from service.detect.engine import build_engine

    options = _options(args, load_profile(args.profile))
    engine = build_engine(options.profile, options.policy)
    try:
        text = sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError:
        raise BadArgumentsError("stdin is not valid UTF-8 text") from None
    spans = engine.detect(text)
    out = [
        {
            "start": s.start,
            "end": s.end,
            "text": text[s.start : s.end],
            "category": s.category,
            "score": round(s.score, 3),
            "rule": s.rule,
        }
        for s in spans
    ]
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
