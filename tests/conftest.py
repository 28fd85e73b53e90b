from __future__ import annotations

import pytest
from support import chromium, chromium_missing, err, parse_json, run_cli


@pytest.fixture
def seed_records() -> list[dict]:
    """`govextract parse seeds` (default JSON, cwd the repository). Run afresh for each
    test, so that the test compares it with output of the same rules."""
    proc = run_cli("parse", "seeds", "-q")
    assert proc.returncode == 0, err(proc)
    records = parse_json(proc)
    assert records, "the seeds give no records at all"
    return records


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium context (playwright) for the pages the tool writes; a test that
    needs it fails, not skips, without Chromium or playwright (support.chromium)."""
    missing = chromium_missing()
    if missing:
        pytest.fail(f"the page tests need a real browser: {missing}", pytrace=False)
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context
