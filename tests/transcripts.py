"""Shell transcripts in Markdown, run and compared: the outputs shown in README.md and
examples/README.md are what the tool prints.

A transcript is a fenced block whose info string is ``console``: lines starting with
``$ `` are commands, the lines after one (up to the next command) what it printed,
standard output and standard error together. The commands of a file run in order, in
bash, from the repository root, with the ``govextract`` of this interpreter first on
PATH, TZ=UTC and an 80-column terminal. ``/tmp/`` in a command is a directory private to
the run (and is written back as ``/tmp/`` in the output), so runs never meet. The seconds
of a summary line (``govextract: 5 file(s), ... 0.53 s``) may differ from the text.

``pytest tests/test_docs.py --update-docs`` (or ``python tests/transcripts.py``) writes
what the commands print now into the files.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = (ROOT / "README.md", ROOT / "examples" / "README.md")
BIN = Path(sys.executable).parent  # a venv's bin/, where its console scripts are

_FENCE = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_TMP = re.compile(r"(?<![\w/.])/tmp/")
_SECONDS = re.compile(r"(?m)(^govextract: \d+ file\(s\), \d+ \w+\(s\), \d+ failure\(s\)), \d+\.\d+ s$")


@dataclass
class Step:
    command: str
    shown: str  # the output as the document shows it


def blocks(text: str) -> list[tuple[int, int, list[Step]]]:
    """The transcripts of a document: (start, end) of each block's body, and its steps."""
    found = []
    for m in _FENCE.finditer(text):
        steps: list[Step] = []
        for line in m.group(1).splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:], ""))
            elif steps:
                steps[-1].shown += line + "\n"
            else:
                raise ValueError(f"a console block must start with a command: {line!r}")
        found.append((m.start(1), m.end(1), steps))
    return found


def _loose(output: str) -> str:
    return _SECONDS.sub(r"\1, … s", output)


def run(document: Path) -> tuple[str, str]:
    """The document as it is, and as it would be with every command's output as printed now."""
    text = document.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="transcript-") as scratch:
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "TZ": "UTC",
            "COLUMNS": "80",
            "PYTHONIOENCODING": "utf-8",
            "GOVEXTRACT": str(BIN / "govextract"),
        }
        env.pop("GOVEXTRACT_DEBUG", None)
        pieces, last = [], 0
        for start, end, steps in blocks(text):
            body = ""
            for step in steps:
                proc = subprocess.run(
                    ["bash", "-c", _TMP.sub(scratch + "/", step.command)],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    timeout=300,
                    check=False,
                )
                printed = proc.stdout.decode("utf-8").replace(scratch + "/", "/tmp/")
                if "Traceback (most recent call last)" in printed:  # a broken setup, not output to show
                    raise RuntimeError(f"{document.name}: `{step.command}` crashed:\n{printed}")
                printed = "".join(line.rstrip() + "\n" for line in printed.splitlines())
                if _loose(printed) == _loose(step.shown):
                    printed = step.shown  # the same but for the seconds: keep the text
                body += f"$ {step.command}\n{printed}"
            pieces += [text[last:start], body]
            last = end
        pieces.append(text[last:])
    return text, "".join(pieces)


def update() -> list[Path]:
    """Write every document's transcripts as the commands print them now; the changed files."""
    changed = []
    for document in DOCUMENTS:
        text, fresh = run(document)
        if fresh != text:
            document.write_text(fresh, encoding="utf-8")
            changed.append(document)
    return changed


if __name__ == "__main__":
    for path in update():
        print(f"updated {path.relative_to(ROOT)}")
