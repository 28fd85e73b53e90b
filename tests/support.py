"""Paths and helpers shared by the test modules. Everything the suite needs lives
in the repository (seeds/, tests/gold/, tests/tools/): it runs in a clone with no
../shared beside it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold"
TOOLS = ROOT / "tests" / "tools"
SEED_FILES = sorted(SEEDS.glob("*.txt"))

# The record fields of SPEC.md, in SPEC order.
SPEC_FIELDS = (
    "doc",
    "kind",
    "subject",
    "value",
    "unit",
    "approx",
    "text",
    "start",
    "end",
    "line",
    "region",
    "year",
    "rule",
    "basis",
    "scope",
    "rank",
    "top",
    "tier",
    "title",
    "grantor",
    "streak",
)
SPEC_KINDS = frozenset({"count", "percent", "change", "money", "ranking", "honour"})


# Set by .ci/run, which installs the system tools: a test whose tool is missing fails there.
REQUIRE_TOOLS = "GOVEXTRACT_REQUIRE_TOOLS"


def require_tool(name: str, *, install: str, env: str | None = None) -> str:
    """The path of the system program ``name`` (or of the file the environment variable
    ``env`` names). Without it the test skips, saying which tool it needs and how to
    install it; where GOVEXTRACT_REQUIRE_TOOLS=1 (CI) it fails instead. Every test that
    needs a program not installed by pip gets it here."""
    named = os.environ.get(env) if env else None
    if named and Path(named).is_file():
        return named
    found = shutil.which(name)
    if found:
        return found
    reason = f"needs {name}, which is not installed ({install})"
    if os.environ.get(REQUIRE_TOOLS) == "1":
        pytest.fail(f"{reason}; {REQUIRE_TOOLS}=1 requires every tool", pytrace=False)
    pytest.skip(reason)


def run_cli(
    *args: str | os.PathLike[str],
    input: str | bytes | None = None,
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """``python -m govextract ARGS`` in a subprocess; stdout and stderr as bytes."""
    data = input.encode("utf-8") if isinstance(input, str) else input
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "govextract", *map(str, args)],
        input=data,
        capture_output=True,
        cwd=cwd or ROOT,
        env=full_env,
        timeout=120,
        check=False,
    )


def out(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stdout.decode("utf-8")


def err(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stderr.decode("utf-8")


def parse_json(proc: subprocess.CompletedProcess[bytes]) -> list[dict]:
    return json.loads(proc.stdout)
