#!/usr/bin/env python3
"""Redact a whole folder tree: the same code as ``mangshen batch`` (service/batch/cli.py).

    python scripts/batch_redact.py IN_DIR -o OUT_DIR [--profiles DIR] [--policy NAME|PATH]
                                   [--jobs N] [--resume] [--server URL --token T]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.batch.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
