from __future__ import annotations

import pytest
from support import chromium, err, parse_json, require_chromium, run_cli


@pytest.fixture(scope="session")
def _seed_run():
    proc = run_cli("parse", "seeds", "-q")
    assert proc.returncode == 0, err(proc)
    return proc


@pytest.fixture
def seed_records(_seed_run) -> list[dict]:
    """`govextract parse seeds` (default JSON, cwd the repository), run once per session
    (the rules do not change during it); each test gets records of its own to change."""
    records = parse_json(_seed_run)
    assert records, "the seeds give no records at all"
    return records


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium context (playwright) for the pages the tool writes. Without
    Chromium the test skips, naming it (fails where GOVEXTRACT_REQUIRE_TOOLS=1)."""
    executable = require_chromium()
    with chromium(executable, tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-docs",
        action="store_true",
        help="Write the output the commands print now into the transcripts of README.md and "
        "examples/README.md (tests/test_docs.py), instead of failing on a difference.",
    )
