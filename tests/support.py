"""Paths and helpers shared by the test modules. Everything the suite needs lives
in the repository (seeds/, tests/gold/, tests/tools/): it runs in a clone with no
../shared beside it."""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

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
    missing(f"needs {name}, which is not installed ({install})")


def missing(reason: str) -> None:
    """A system tool (a program, a font) that a test needs is missing: the test skips with
    ``reason``, or fails where GOVEXTRACT_REQUIRE_TOOLS=1."""
    if os.environ.get(REQUIRE_TOOLS) == "1":
        pytest.fail(f"{reason}; {REQUIRE_TOOLS}=1 requires every tool", pytrace=False)
    pytest.skip(reason)


# Three annual reports of two cities, and a newspaper article that gives one of the
# figures of 临海市 2022 otherwise (98.5 where the report says 98.3); the 2023 report of
# 临海市 states its safety figure twice (a summary and the body); one report is in
# traditional script. Written for these tests and the README (examples/reports/).
YEARLY_REPORTS = {
    p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "reports").glob("*.txt"))
}


# Headless Chromium for the pages the tool writes (the review page, the table page) and
# for printing reports to PDF: `require_chromium` finds it, `chromium` launches it.
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
    prelude: str | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """``python -m govextract ARGS`` in a process of its own; stdout and stderr as bytes.
    ``prelude`` is Python run in that process first (patches, import blockers).

    The process is forked from a warm server (tests/cli_server.py) that has the package
    imported and its rules loaded, which saves the second and a half of a cold start;
    GOVEXTRACT_TEST_SUBPROCESS=1 runs a cold interpreter instead (.ci/run does)."""
    data = input.encode("utf-8") if isinstance(input, str) else input
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    argv = [sys.executable, "-m", "govextract", *map(str, args)]
    if os.environ.get(COLD) == "1":
        if prelude is not None:
            argv = [sys.executable, "-c", _WRAPPER.format(prelude=prelude), *map(str, args)]
        return subprocess.run(
            argv, input=data, capture_output=True, cwd=cwd or ROOT, env=full_env, timeout=120, check=False
        )
    return _WARM.run(argv, data, Path(cwd or ROOT), full_env, prelude, timeout=120)


# `govextract ARGS` after a prelude, in a cold interpreter.
_WRAPPER = """
import sys
{prelude}
sys.argv[0] = "govextract"
from govextract.cli import main
main()
"""


COLD = "GOVEXTRACT_TEST_SUBPROCESS"


class _WarmServer:
    """The client side of tests/cli_server.py (one command at a time)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.pending = b""

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("cli_server.py"))],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=ROOT,
                env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            )
            self.pending = b""
            atexit.register(self._stop, self.proc)
        return self.proc

    @staticmethod
    def _stop(proc: subprocess.Popen[bytes]) -> None:
        """End of the session: the server ends when its input does (and is waited for)."""
        try:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=10)
        except Exception:
            proc.kill()

    def _answer(self, deadline: float | None) -> dict:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.pending:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError("the warm govextract server ended (see its stderr above)")
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return json.loads(line)

    def start(self, request: dict) -> int:
        """Send a command to the server; the pid of the process that runs it."""
        proc = self._start()
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
        proc.stdin.flush()
        return self._answer(time.monotonic() + 60)["pid"]

    def wait(self, pid: int, argv: list[str], timeout: float, poll: Callable[[], None] | None = None) -> int:
        """The exit code of the command (-N: killed by signal N); ``poll`` is called while
        it runs (to read a terminal it writes to)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                step = None if poll is None else min(0.05, max(0.0, deadline - time.monotonic()))
                return self._answer(deadline if poll is None else time.monotonic() + step)["code"]
            except TimeoutError:
                if poll is not None and time.monotonic() < deadline:
                    poll()
                    continue
                os.kill(pid, signal.SIGKILL)
                self._answer(None)
                raise subprocess.TimeoutExpired(argv, timeout) from None

    def run(
        self,
        argv: list[str],
        data: bytes | None,
        cwd: Path,
        env: dict[str, str],
        prelude: str | None,
        timeout: float,
    ) -> subprocess.CompletedProcess[bytes]:
        with tempfile.TemporaryDirectory(prefix="govextract-run-") as tmp:
            files = {name: str(Path(tmp, name)) for name in ("stdin", "stdout", "stderr")}
            if data is not None:
                Path(files["stdin"]).write_bytes(data)
            else:
                files["stdin"] = os.devnull
            request = {"args": argv[3:], "cwd": str(cwd), "env": env, "prelude": prelude, **files}
            code = self.wait(self.start(request), argv, timeout)
            return subprocess.CompletedProcess(
                argv, code, Path(files["stdout"]).read_bytes(), Path(files["stderr"]).read_bytes()
            )


_WARM = _WarmServer()


def run_cli_on(
    *args: str | os.PathLike[str],
    stdout: str,
    stderr: str,
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    poll: Callable[[], None] | None = None,
    timeout: float = 120,
) -> int:
    """``govextract ARGS`` with its output and errors written to the files at these paths
    (a terminal's ``/dev/pts/N`` too), standard input empty; ``poll`` is called while it
    runs. The exit code."""
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    argv = [sys.executable, "-m", "govextract", *map(str, args)]
    if os.environ.get(COLD) != "1":
        request = {
            "args": argv[3:],
            "cwd": str(cwd or ROOT),
            "env": full_env,
            "prelude": None,
            "stdin": os.devnull,
            "stdout": stdout,
            "stderr": stderr,
        }
        return _WARM.wait(_WARM.start(request), argv, timeout, poll)
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOCTTY
    out_fd, err_fd = os.open(stdout, flags), os.open(stderr, flags)
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out_fd, stderr=err_fd, cwd=cwd or ROOT, env=full_env
        )
    finally:
        os.close(out_fd)
        os.close(err_fd)
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            raise subprocess.TimeoutExpired(argv, timeout)
        if poll is not None:
            poll()
        time.sleep(0.02)
    return proc.returncode


def out(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stdout.decode("utf-8")


def err(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stderr.decode("utf-8")


def parse_json(proc: subprocess.CompletedProcess[bytes]) -> list[dict]:
    return json.loads(proc.stdout)


# --- a real browser ---------------------------------------------------------------------


def require_chromium() -> str:
    """The path of a Chromium binary (GOVEXTRACT_CHROMIUM, else ``chromium`` on the PATH);
    without one the test skips (fails under GOVEXTRACT_REQUIRE_TOOLS=1), and it fails
    without the playwright package, which the test extra installs."""
    path = require_tool(
        "chromium", install="apt-get install chromium, or set GOVEXTRACT_CHROMIUM", env="GOVEXTRACT_CHROMIUM"
    )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("the browser tests need the playwright package (pip install '.[test]')", pytrace=False)
    return path


@contextmanager
def chromium(executable: str, profile: Path) -> Iterator[Any]:
    """A headless Chromium (a Playwright browser context with its profile in ``profile``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
