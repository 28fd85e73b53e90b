"""``python benchmarks/bench.py [OPTIONS]``: the same as ``python -m benchmarks`` (see its
``--help``), runnable by path from anywhere."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.cli import main

    raise SystemExit(main())
