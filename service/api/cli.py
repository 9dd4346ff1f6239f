"""``mangshen serve [--host 127.0.0.1] [--port 8000]`` (DESIGN §1.1, §1.6).

``service/cli.py`` wires it in with ``add_serve_parser(sub)`` and dispatches ``serve`` to
``run_serve(args)``; ``python -m service.api`` runs it alone. Settings, tokens and the data
directory's lock are checked before uvicorn starts, so a bad configuration exits with code 2
and a message instead of a failed start-up inside the server.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import sys

from pydantic import ValidationError

from service.errors import ExitCode, MangshenError


def add_serve_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    s: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="run the HTTP service (settings: MANGSHEN_* environment variables)"
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    return s


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.api.app import create_app
    from service.api.auth import load_tokens
    from service.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        names = sorted({"MANGSHEN_" + str(e["loc"][0]).upper() for e in exc.errors() if e["loc"]})
        print(f"mangshen: invalid settings: {', '.join(names)}", file=sys.stderr)
        return int(ExitCode.bad_args)
    if not 0 < args.port < 65536:
        print("mangshen: --port must be 1-65535", file=sys.stderr)
        return int(ExitCode.bad_args)
    try:
        _check_lock(settings.data_dir)
        load_tokens(settings)  # creates and prints the first token
    except MangshenError as exc:
        print(f"mangshen: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("mangshen", "service"):  # ids, categories and timings (never text or names)
        logger = logging.getLogger(name)
        logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
    print(f"mangshen: serving on http://{args.host}:{args.port} (API docs: /docs); data in {settings.data_dir}",
          file=sys.stderr, flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info", access_log=True)
    return 0


def _check_lock(data_dir: os.PathLike[str]) -> None:
    from pathlib import Path

    from service.errors import BadArgumentsError

    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BadArgumentsError(f"another mangshen service uses the data directory {path}") from None
    finally:
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mangshen")
    sub = parser.add_subparsers(dest="command", required=True)
    add_serve_parser(sub)
    return run_serve(parser.parse_args(argv if argv is not None else ["serve", *sys.argv[1:]]))
