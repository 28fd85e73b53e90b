from __future__ import annotations

import pytest
from support import err, parse_json, run_cli


@pytest.fixture
def seed_records() -> list[dict]:
    """`govextract parse seeds` (default JSON, cwd the repository). Run afresh for each
    test, so that the test compares it with output of the same rules."""
    proc = run_cli("parse", "seeds", "-q")
    assert proc.returncode == 0, err(proc)
    records = parse_json(proc)
    assert records, "the seeds give no records at all"
    return records


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-docs",
        action="store_true",
        help="Write the output the commands print now into the transcripts of README.md and "
        "examples/README.md (tests/test_docs.py), instead of failing on a difference.",
    )
