"""Packaging: the wheel carries the package and its rules, and an installed copy
works away from the source tree. Plus the package's public API."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import ROOT


def _pip_wheel(dest: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *extra, "-w", str(dest), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("wheel")
    if importlib.util.find_spec("hatchling") is not None:
        proc = _pip_wheel(dest, "--no-build-isolation")
        assert proc.returncode == 0, proc.stderr
    else:
        # No build backend here: let pip fetch one; without a network that is impossible.
        proc = _pip_wheel(dest)
        if proc.returncode != 0:
            pytest.skip(f"cannot build a wheel (no hatchling, isolated build failed): {proc.stderr[-300:]}")
    (whl,) = dest.glob("govextract-*.whl")
    return whl


@pytest.fixture(scope="module")
def wheel_names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


@pytest.mark.slow
def test_wheel_holds_every_module(wheel_names):
    modules = sorted(p.name for p in (ROOT / "govextract").glob("*.py"))
    assert "cli.py" in modules
    for name in modules:
        assert f"govextract/{name}" in wheel_names


@pytest.mark.slow
def test_wheel_holds_every_rule_file(wheel_names):
    rule_files = [p for p in (ROOT / "rules").rglob("*") if p.is_file() and not p.name.startswith(".")]
    relative = sorted(p.relative_to(ROOT / "rules").as_posix() for p in rule_files)
    assert "gazetteer/divisions.tsv" in relative
    assert "numeric.toml" in relative
    for rel in relative:
        assert f"govextract/_rules/{rel}" in wheel_names


@pytest.mark.slow
def test_wheel_metadata(wheel, wheel_names):
    with zipfile.ZipFile(wheel) as z:
        (entry_points,) = [n for n in wheel_names if n.endswith(".dist-info/entry_points.txt")]
        assert "govextract = govextract.cli:main" in z.read(entry_points).decode()
        (metadata,) = [n for n in wheel_names if n.endswith(".dist-info/METADATA")]
        requires = [
            line for line in z.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")
        ]
    for dep in ("typer", "regex", "pydantic", "orjson", "opencc"):
        assert any(line.split()[1].startswith(dep) for line in requires), dep
    assert not any(n.startswith(("tests/", "seeds/")) for n in wheel_names)


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    # Under a hidden directory, as in a .venv or ~/.local: the built-in rules must still load.
    target = tmp_path_factory.mktemp("site") / ".venv" / "site-packages"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return target


def run_installed(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Python with the installed wheel first on the path; dependencies from this interpreter."""
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env, check=False, timeout=120
    )


CHECK_INSTALLED = """
import json
import govextract, govextract.ruleset
from govextract import extract
records = extract('共办理法律援助 6238 件')
print(json.dumps({
    "package": govextract.__file__,
    "rules": str(govextract.ruleset.builtin_rules_dir()),
    "records": [r.model_dump() for r in records],
    "n_rules": len(govextract.ruleset.load_rules().rules),
}))
"""


@pytest.mark.slow
def test_installed_wheel_works_away_from_the_source_tree(installed, tmp_path):
    proc = run_installed(installed, tmp_path, "-c", CHECK_INSTALLED)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert Path(data["package"]).resolve().is_relative_to(installed.resolve())
    assert Path(data["rules"]).resolve() == (installed / "govextract" / "_rules").resolve()
    assert data["n_rules"] > 0
    (record,) = data["records"]
    assert (record["value"], record["unit"], record["text"]) == (6238, "件", "6238 件")
    assert record["rule"] == "count.measure_word"


@pytest.mark.slow
def test_installed_rules_pass_their_checks(installed, tmp_path):
    proc = run_installed(installed, tmp_path, "-m", "govextract", "rules", "check")
    assert proc.returncode == 0, proc.stderr
    assert "0 problem(s)" in proc.stdout


@pytest.mark.slow
def test_installed_cli_parses_stdin(installed, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(installed)}
    proc = subprocess.run(
        [sys.executable, "-m", "govextract", "parse", "-", "-q", "-f", "jsonl"],
        input="化解率达 94.6%。".encode(),
        capture_output=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["value"] == 94.6


# --- public API -----------------------------------------------------------------


def test_extract_and_record_are_exported():
    import govextract

    assert {"extract", "extract_path", "Record", "__version__"} <= set(govextract.__all__)
    assert govextract.Record.__name__ == "Record"
    assert govextract.__version__ == "0.1.0"


def test_extract_path_reads_any_encoding(tmp_path):
    import govextract

    path = tmp_path / "report.txt"
    path.write_bytes("全市共辦理法律援助 6238 件。\n".encode("big5"))
    (record,) = govextract.extract_path(str(path))
    assert (record.doc, record.value, record.unit) == (str(path), 6238, "件")


def _in_fresh_interpreter(code: str) -> None:
    """Run ``code`` in a new interpreter; re-raise its TypeError here, fail on anything else."""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False, timeout=120
    )
    last = proc.stderr.strip().splitlines()[-1:] or [""]
    if proc.returncode != 0 and last[0].startswith("TypeError"):
        raise TypeError(last[0])
    assert proc.returncode == 0, proc.stderr


# The package function `extract` must not be shadowed by a submodule of the same
# name (the engine module once was govextract/extract.py).


@pytest.mark.slow
def test_package_extract_can_be_called_twice():
    _in_fresh_interpreter(
        "import govextract\n"
        "first = govextract.extract('共办理法律援助 6238 件')\n"
        "second = govextract.extract('共办理法律援助 6238 件')\n"
        "assert first == second and len(first) == 1\n"
    )


@pytest.mark.slow
def test_package_extract_is_a_function_after_importing_the_engine():
    _in_fresh_interpreter(
        "from govextract.engine import Extractor\n"
        "from govextract import extract\n"
        "if not callable(extract):\n"
        "    raise TypeError(f'govextract.extract is {type(extract)}')\n"
        "assert len(extract('共办理法律援助 6238 件')) == 1\n"
    )
