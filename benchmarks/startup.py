"""Start-up: the median wall time of short commands as subprocesses (``govextract`` beside
``sys.executable``): ``--version``, ``--help``, ``parse`` of a one-line file and of
``seeds/``. Output goes to stdout redirected to /dev/null rather than ``-o /dev/null``:
``-o`` writes a temporary file beside the target and renames it into place, which as root
would replace the /dev/null device with a regular file.

The package is byte-compiled first (``compileall``, into its git-ignored ``__pycache__``),
as an installed wheel is: an editable checkout under ``PYTHONDONTWRITEBYTECODE`` would
otherwise compile every module of the package again on each start (~0.17 s)."""

from __future__ import annotations

import compileall
import statistics
import tempfile
from pathlib import Path

from .common import REPO, govextract_command, run_measured

ONE_LINE = "共办理法律援助 6238 件，刑事警情同比下降11.08%，降幅排全市第一。\n"
ONE_LINE_LABEL = "govextract parse one-line.txt --format jsonl"


def startup_times(runs: int) -> tuple[dict[str, float], str]:
    cmd, shown = govextract_command()
    import govextract

    compileall.compile_dir(Path(govextract.__file__).parent, quiet=1)
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="govextract-bench-") as tmp:
        one = Path(tmp) / "one-line.txt"
        one.write_text(ONE_LINE, encoding="utf-8")
        cases = {
            "govextract --version": ["--version"],
            "govextract --help": ["--help"],
            ONE_LINE_LABEL: ["parse", str(one), "--format", "jsonl", "-q"],
            "govextract parse seeds/ --format jsonl": ["parse", "seeds/", "--format", "jsonl", "-q"],
        }
        for label, args in cases.items():
            times = [run_measured([*cmd, *args], cwd=REPO).seconds for _ in range(max(1, runs))]
            out[label] = statistics.median(times)
    return out, shown
