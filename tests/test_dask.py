"""The Dask path gives the same records as a local run (a real two-process LocalCluster)."""

from __future__ import annotations

import distributed
import pytest
from support import ROOT

from govextract.documents import expand, read_text
from govextract.engine import Extractor


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
