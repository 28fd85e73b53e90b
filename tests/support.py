"""Paths and helpers shared by the test modules. Everything the suite needs lives
in the repository (seeds/, tests/gold/, tests/tools/): it runs in a clone with no
../shared beside it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold"
TOOLS = ROOT / "tests" / "tools"
SEED_FILES = sorted(SEEDS.glob("*.txt"))

# The record fields of SPEC.md, in SPEC order, then `indicator` (SPEC "Facts and indicators").
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
    "indicator",
)
SPEC_KINDS = frozenset({"count", "percent", "change", "money", "ranking", "honour"})


# Three annual reports of two cities, and a newspaper article that gives one of the
# figures of 临海市 2022 otherwise (98.5 where the report says 98.3); the 2023 report of
# 临海市 states its safety figure twice (a summary and the body); one report is in
# traditional script. Written for these tests and the README (examples/reports/).
YEARLY_REPORTS = {
    p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "reports").glob("*.txt"))
}


# Headless Chromium for the pages the tool writes (the review page, the table page).
CHROMIUM = os.environ.get("GOVEXTRACT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def open_page(browser, path: Path):
    """The page at ``path``, with the console errors, page errors and requests it made."""
    page = browser.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems, requests


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


# --- a real browser ---------------------------------------------------------------------

CHROMIUM = os.environ.get("GOVEXTRACT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    """Why a headless Chromium cannot be launched here (None when it can)."""
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set GOVEXTRACT_CHROMIUM to its path)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "no playwright package (pip install '.[test]')"
    return None


@contextmanager
def chromium(profile: Path) -> Iterator[Any]:
    """A headless Chromium (a Playwright browser context with its profile in ``profile``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
