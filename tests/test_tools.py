"""Tests that need a system tool (jq for the examples, Chromium for the review page) skip,
naming the tool, where it is not installed, so that `pip install '.[test]' && pytest`
passes on a fresh machine; with GOVEXTRACT_REQUIRE_TOOLS=1 (set by .ci/run, which
installs the tools) the same absence is a failure, so CI runs every one of them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import REQUIRE_TOOLS, ROOT, require_tool


def test_a_missing_tool_skips_naming_it(monkeypatch):
    monkeypatch.delenv(REQUIRE_TOOLS, raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(pytest.skip.Exception, match="needs jq, which is not installed"):
        require_tool("jq", install="apt-get install jq")


def test_a_missing_tool_fails_where_tools_are_required(monkeypatch):
    monkeypatch.setenv(REQUIRE_TOOLS, "1")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(pytest.fail.Exception, match=f"needs jq.*{REQUIRE_TOOLS}=1"):
        require_tool("jq", install="apt-get install jq")


def test_a_tool_on_the_path_or_named_by_the_environment_is_used(monkeypatch, tmp_path):
    tool = tmp_path / "mytool"
    tool.write_text("#!/bin/sh\n", encoding="utf-8")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert require_tool("mytool", install="-") == str(tool)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("MYTOOL_PATH", str(tool))
    assert require_tool("mytool", install="-", env="MYTOOL_PATH") == str(tool)


def path_without(tmp_path: Path, names: set[str]) -> str:
    """A PATH with every program of this one but ``names``: one directory of links."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if not d or not Path(d).is_dir():
            continue
        for entry in Path(d).iterdir():
            if entry.name in names or (bin_dir / entry.name).exists():
                continue
            (bin_dir / entry.name).symlink_to(entry)
    return str(bin_dir)


@pytest.mark.slow
def test_the_suite_skips_tool_tests_without_the_tools_and_fails_them_in_ci(tmp_path):
    """The tool tests themselves, run with jq and Chromium taken off PATH."""
    env = {k: v for k, v in os.environ.items() if k not in (REQUIRE_TOOLS, "GOVEXTRACT_CHROMIUM")}
    env["PATH"] = path_without(tmp_path, {"jq", "chromium", "chromium-browser"})
    tests = [
        "tests/test_examples.py::test_jq_recipes_accept_no_records",
        "tests/test_review.py::test_review_page_in_chromium",
    ]
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *tests]
    fresh = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "2 skipped" in fresh.stdout, fresh.stdout
    assert "needs jq, which is not installed" in fresh.stdout
    assert "needs chromium, which is not installed" in fresh.stdout

    ci = subprocess.run(
        command, cwd=ROOT, env={**env, REQUIRE_TOOLS: "1"}, capture_output=True, text=True, timeout=600
    )
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert "skipped" not in ci.stdout
    assert "needs jq" in ci.stdout and "needs chromium" in ci.stdout
