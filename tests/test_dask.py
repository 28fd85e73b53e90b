"""The Dask path gives the same records as a local run (a real two-process LocalCluster)."""

from __future__ import annotations

import json

import distributed
import pytest
from support import ROOT, SPEC_FIELDS, err, out, run_cli

from govextract.documents import expand, read_text
from govextract.engine import Extractor

# A cluster of worker processes, and runs that wait for a scheduler: all of it is slow.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


def _local(paths: list[str]) -> list[dict]:
    ex = Extractor()
    out = []
    for item in expand(paths):
        out.extend(r.model_dump() for r in ex.run(read_text(item), item.name).records)
    return out


def test_cluster_records_equal_local_records(cluster, tmp_path):
    from govextract.dask import run_on_cluster

    seeds = [str(ROOT / "seeds")]
    missing = str(tmp_path / "missing.txt")
    results = list(run_on_cluster(cluster.scheduler_address, [*seeds, missing]))
    records = [r for res in results if res.error is None for r in res.records]
    assert records == _local(seeds)
    assert [res.name for res in results][-1] == missing
    assert results[-1].error == "no such file or directory"


def test_record_bag_computes_on_the_cluster(cluster):
    from govextract.dask import record_bag

    with distributed.Client(cluster.scheduler_address):
        records = record_bag([str(ROOT / "seeds")]).compute()
    assert records == _local([str(ROOT / "seeds")])


def test_cli_parse_on_the_cluster_equals_a_local_run(cluster, tmp_path):
    import subprocess
    import sys

    seeds = str(ROOT / "seeds")
    base = [sys.executable, "-m", "govextract", "parse", "--format", "jsonl", "-q", seeds]
    local = subprocess.run(base, capture_output=True, check=True).stdout
    remote = subprocess.run(
        [*base, "--dask", cluster.scheduler_address], capture_output=True, check=True
    ).stdout
    assert remote == local and local


# --- a scheduler that is not there -------------------------------------------------


def _dead_address() -> str:
    """A local port nothing listens on."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


EMPTY = {"json": b"[]\n", "jsonl": b"", "csv": None}


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_a_dead_scheduler_is_one_line_exit_1_and_valid_output(fmt):
    address = _dead_address()
    proc = run_cli("parse", "seeds", "--format", fmt, "--dask", address, "--dask-timeout", "1")
    assert proc.returncode == 1
    assert err(proc).splitlines() == [
        f"govextract: --dask {address}: no Dask scheduler answered within 1 s (Timed out trying to connect "
        f"to {address} after 1 s)"
    ]
    if fmt == "csv":
        assert out(proc).splitlines() == [",".join(SPEC_FIELDS)]
    else:
        assert proc.stdout == EMPTY[fmt]


@pytest.mark.parametrize("command", ["facts", "table"])
def test_facts_and_table_with_a_dead_scheduler_too(command):
    address = _dead_address()
    proc = run_cli(command, "seeds", "--dask", address, "--dask-timeout", "1")
    assert proc.returncode == 1
    assert len(err(proc).splitlines()) == 1 and "no Dask scheduler answered" in err(proc)
    assert json.loads(proc.stdout) == []


def test_a_dead_scheduler_leaves_an_output_file_untouched(tmp_path):
    target = tmp_path / "records.json"
    target.write_text("[]\n", encoding="utf-8")
    before = target.stat().st_mtime_ns
    proc = run_cli("parse", "seeds", "-o", target, "--dask", _dead_address(), "--dask-timeout", "0.5")
    assert proc.returncode == 1
    assert len(err(proc).splitlines()) == 1
    assert target.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.json"]


@pytest.mark.parametrize("address", ["tcp://host:port", "http://scheduler:8786", "tcp://scheduler", "::::"])
def test_a_malformed_scheduler_address_is_a_usage_error(address):
    proc = run_cli("parse", "seeds", "--dask", address)
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert "--dask" in err(proc) and "Traceback" not in err(proc)


def test_dask_timeout_must_be_positive():
    proc = run_cli("parse", "seeds", "--dask", "tcp://127.0.0.1:8786", "--dask-timeout", "0")
    assert proc.returncode == 2 and proc.stdout == b""
