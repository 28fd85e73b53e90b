"""--jobs: worker processes give the same bytes as one process, in input order."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from support import ROOT

from govextract.documents import expand
from govextract.engine import Extractor
from govextract.parallel import default_jobs, outcomes


def _parse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govextract", "parse", *args], capture_output=True)


@pytest.mark.slow
def test_jobs_give_byte_identical_output_with_a_bad_file_in_the_middle(tmp_path):
    for i, seed in enumerate(sorted((ROOT / "seeds").glob("*.txt"))):
        shutil.copy(seed, tmp_path / f"{i:02d}_{seed.name}")
        shutil.copy(seed, tmp_path / f"{i:02d}_copy_{seed.name}")
    (tmp_path / "02_empty.txt").write_text("")
    for fmt in ("json", "jsonl", "csv"):
        one = _parse(str(tmp_path), "--format", fmt, "-q", "--jobs", "1")
        many = _parse(str(tmp_path), "--format", fmt, "-q", "--jobs", "3")
        assert one.returncode == many.returncode == 1  # the empty file
        assert one.stdout == many.stdout and one.stdout
        assert one.stderr == many.stderr
        assert many.stderr.decode().count("\n") == 1 and "02_empty.txt" in many.stderr.decode()


def test_outcomes_come_in_input_order():
    items = list(expand([str(ROOT / "seeds")])) * 3
    names = [o.name for o in outcomes(items, Extractor(), jobs=2)]
    assert names == [i.name for i in items]


def test_default_jobs():
    assert default_jobs(1) == 1
    assert default_jobs(50) >= 1


def test_warm_loads_what_workers_would_each_load() -> None:
    """warm() before the fork loads the lazy tables, jieba's word table among them."""
    from govextract import gazetteer, parallel
    from govextract.engine import Extractor

    extractor = Extractor()
    g = gazetteer.gazetteer_for(extractor.rules)
    assert g is not None
    g._tokenizer = None  # as in a fresh process (an earlier test may have loaded it)
    parallel.warm(extractor)
    assert g._tokenizer is not None
