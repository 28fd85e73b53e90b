from __future__ import annotations

from pathlib import Path

import pytest
from support import CHROMIUM, CHROMIUM_ARGS, err, parse_json, run_cli


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
    """A headless Chromium context (playwright) for the pages the tool writes; a test
    that needs it fails, not skips, without Chromium or playwright."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: the page tests need a real browser "
            "(apt-get install chromium, or set GOVEXTRACT_CHROMIUM to its path)",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the page tests need the playwright package (pip install '.[test]')", pytrace=False)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
