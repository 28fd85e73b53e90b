"""Progress: a bar on stderr for runs over many files when stderr is a terminal; nothing
when stderr is piped, with --quiet or --no-progress, for a few files, or when the records
go to the same terminal. Records stream to stdout all the same."""

from __future__ import annotations

import json
import os
import pty
import select
from pathlib import Path

import pytest
from support import err, out, run_cli, run_cli_on

BAR = "━"  # rich's bar


def reports(root: Path, n: int) -> None:
    root.mkdir()
    for i in range(n):
        (root / f"r{i:02}.txt").write_text(f"办理案件{i + 1}件。\n", encoding="utf-8")


def terminal_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR")}
    return {**env, "TERM": "xterm-256color", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"}


def run_on_terminal(*args: str, cwd: Path, stdout_too: bool = False) -> tuple[int, str, bytes]:
    """Run govextract with stderr (and stdout too, if asked) on a pseudo-terminal;
    returns the exit code, what the terminal showed, and stdout (when not on it)."""
    master, slave = pty.openpty()
    shown = bytearray()

    def read_terminal() -> None:
        while select.select([master], [], [], 0)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # nothing left on the terminal's other side
                return
            if not chunk:
                return
            shown.extend(chunk)

    terminal = os.ttyname(slave)
    stdout = cwd / ".stdout"
    try:
        code = run_cli_on(
            *args,
            stdout=terminal if stdout_too else str(stdout),
            stderr=terminal,
            cwd=cwd,
            env=terminal_env(),
            poll=read_terminal,
        )
        read_terminal()
    finally:
        os.close(slave)
        os.close(master)
    printed = b"" if stdout_too else stdout.read_bytes()
    stdout.unlink(missing_ok=True)
    return code, shown.decode("utf-8", "replace"), printed


@pytest.fixture
def many(tmp_path: Path) -> Path:
    reports(tmp_path / "in", 8)
    return tmp_path


def test_bar_on_a_terminal_and_records_still_on_stdout(many):
    code, shown, stdout = run_on_terminal("parse", "in", "-f", "jsonl", "--fields", "value", cwd=many)
    assert code == 0
    assert BAR in shown and "parsing" in shown and "8/8" in shown
    assert "8 file(s), 8 record(s), 0 failure(s)" in shown
    assert [json.loads(line)["value"] for line in stdout.decode().splitlines()] == list(range(1, 9))


def test_messages_print_above_the_bar(many):
    (many / "in" / "r03.txt").write_bytes(b"")
    code, shown, stdout = run_on_terminal("parse", "in", cwd=many)
    assert code == 1
    assert BAR in shown
    assert "govextract: in/r03.txt: empty file\r\n" in shown
    assert "8 file(s), 7 record(s), 1 failure(s)" in shown
    assert [r["value"] for r in json.loads(stdout)] == [1, 2, 3, 5, 6, 7, 8]


@pytest.mark.parametrize(
    "args",
    [
        ["-q"],  # quiet
        ["--no-progress"],
    ],
)
def test_no_bar_with_quiet_or_no_progress(many, args):
    code, shown, stdout = run_on_terminal("parse", "in", *args, cwd=many)
    assert code == 0
    assert BAR not in shown and "parsing" not in shown
    assert len(json.loads(stdout)) == 8


def test_no_bar_for_a_few_files(tmp_path):
    reports(tmp_path / "in", 5)
    code, shown, _ = run_on_terminal("parse", "in", cwd=tmp_path)
    assert code == 0
    assert BAR not in shown
    assert "5 file(s)" in shown


def test_no_bar_when_the_records_go_to_the_same_terminal(many):
    code, shown, _ = run_on_terminal("parse", "in", "-f", "jsonl", cwd=many, stdout_too=True)
    assert code == 0
    assert BAR not in shown
    assert shown.count('"kind":"count"') == 8
    # ... but with -o the terminal is free for it
    code, shown, _ = run_on_terminal("parse", "in", "-o", "out.json", cwd=many, stdout_too=True)
    assert code == 0
    assert BAR in shown
    assert len(json.loads((many / "out.json").read_text(encoding="utf-8"))) == 8


def test_nothing_drawn_when_stderr_is_piped(many):
    proc = run_cli("parse", "in", cwd=many)
    assert proc.returncode == 0
    lines = err(proc).splitlines()
    assert len(lines) == 1 and lines[0].startswith("govextract: 8 file(s), 8 record(s), 0 failure(s), ")
    assert "\x1b" not in err(proc)
    quiet = run_cli("parse", "in", "-q", cwd=many)
    assert quiet.returncode == 0 and quiet.stderr == b""
    assert quiet.stdout == proc.stdout


def test_progress_option_forces_the_bar(many):
    proc = run_cli("parse", "in", "-q", "--progress", cwd=many, env={"COLUMNS": "100"})
    assert proc.returncode == 0
    assert BAR in err(proc)
    assert len(json.loads(proc.stdout)) == 8  # stdout is the records alone


def test_eval_shows_the_bar_too(many):
    (many / "gold").mkdir()
    for report in (many / "in").iterdir():  # gold that holds no figure: every record is an extra
        (many / "gold" / f"{report.stem}.jsonl").write_text("", encoding="utf-8")
    code, shown, stdout = run_on_terminal("eval", "gold", "in", "--json", cwd=many)
    assert code == 0
    assert BAR in shown and "8/8" in shown
    scores = json.loads(stdout)["kinds"]["all"]
    assert (scores["tp"], scores["fp"], scores["fn"]) == (0, 8, 0)


def test_help_describes_the_options():
    for command in ("parse", "eval"):
        proc = run_cli(command, "--help", env={"COLUMNS": "200"})
        assert proc.returncode == 0
        assert "--progress / --no-progress" in out(proc)
        assert "--glob" in out(proc)
