"""Compiled patterns kept between runs: a run from the kept file reads like a cold one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import regex, sys
from govextract.engine import Extractor
from govextract import rxcache
ex = Extractor()
text = open(sys.argv[1], encoding="utf-8").read()
for r in ex.run(text, "seed").records:
    print(r.model_dump_json())
# Every rule pattern agrees with a fresh compile of its text (nothing cached).
main = regex._main
for rule in ex.rules.rules:
    fresh = regex.compile(rule.regex.pattern, rule.regex.flags, cache_pattern=False)
    assert fresh.groupindex == rule.regex.groupindex, rule.id
    assert [m.span() for m in fresh.finditer(text)] == [m.span() for m in rule.regex.finditer(text)], rule.id
print("cached", sum(1 for k in main._cache if id(main._cache[k]) in rxcache._state["args"]))
"""


def _run(tmp: Path, seed: Path) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(seed)],
        env={"GOVEXTRACT_CACHE": str(tmp), "PATH": "/usr/bin:/bin", "HOME": str(tmp)},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    body, _, last = out.rstrip("\n").rpartition("\n")
    return body, int(last.split()[1])


def test_a_warm_run_reads_as_a_cold_one(tmp_path: Path) -> None:
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    cold, _ = _run(tmp_path, seed)
    assert list(tmp_path.glob("regex-*")), "the compiled patterns were not kept"
    warm, cached = _run(tmp_path, seed)
    assert cached > 50  # the rules came from the file
    assert warm == cold and cold


def test_a_damaged_file_is_compiled_over(tmp_path: Path) -> None:
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    cold, _ = _run(tmp_path, seed)
    for f in tmp_path.glob("regex-*"):
        f.write_bytes(f.read_bytes()[:1000])
    again, _ = _run(tmp_path, seed)
    assert again == cold


# --- parsed rule files --------------------------------------------------------------------

_RULE = """
[[rule]]
id = "count.widgets"
kind = "count"
pattern = '(?P<num>\\\\d+)个{WORD}'
description = "A count of {WORD} (a user's rule)."
produces = { kind = "count", unit = "个" }

[fragments]
WORD = 'WORDS'
"""


def test_an_edited_rule_file_is_read_anew(tmp_path: Path, monkeypatch) -> None:
    """The parsed tables are kept by the file's content: an edit is never read stale, and a
    damaged kept copy is parsed over."""
    from govextract import ruleset

    monkeypatch.setenv("GOVEXTRACT_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "mine.toml"
    path.write_text(_RULE.replace("WORDS", "窗口"), encoding="utf-8")
    first = ruleset._read_toml(path)
    assert first["fragments"]["WORD"] == "窗口"
    kept = list((tmp_path / "cache").glob("toml-*"))
    assert len(kept) == 1
    assert ruleset._read_toml(path) == first  # from the kept copy
    path.write_text(_RULE.replace("WORDS", "站点"), encoding="utf-8")
    assert ruleset._read_toml(path)["fragments"]["WORD"] == "站点"
    for f in (tmp_path / "cache").glob("toml-*"):
        f.write_bytes(b"\x00garbage")
    assert ruleset._read_toml(path)["fragments"]["WORD"] == "站点"
