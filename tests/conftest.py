from __future__ import annotations

import pytest
from support import err, parse_json, run_cli


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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-docs",
        action="store_true",
        help="Write the output the commands print now into the transcripts of README.md and "
        "examples/README.md (tests/test_docs.py), instead of failing on a difference.",
    )
