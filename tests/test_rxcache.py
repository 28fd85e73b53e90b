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
    assert list(tmp_path.glob("regex-*.marshal")), "the compiled patterns were not kept"
    warm, cached = _run(tmp_path, seed)
    assert cached > 50  # the rules came from the file
    assert warm == cold and cold


def test_a_damaged_file_is_compiled_over(tmp_path: Path) -> None:
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    cold, _ = _run(tmp_path, seed)
    for f in tmp_path.glob("regex-*.marshal"):
        f.write_bytes(f.read_bytes()[:1000])
    again, _ = _run(tmp_path, seed)
    assert again == cold
