"""``python -m service.api [--host H] [--port P]``: the same as ``mangshen serve``."""

from __future__ import annotations

import sys

from service.api.cli import main

if __name__ == "__main__":
    sys.exit(main())
