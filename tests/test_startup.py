"""Start-up: what a run reads from the cache directory (kept.py: the gazetteer's tables,
the loaded rule set, compiled patterns) is what it would have built, a damaged or stale
copy is built anew, and a plain run leaves the heavy modules alone. How long start-up
takes is measured by benchmarks/startup.py, never asserted here."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from support import ROOT, SEED_FILES

from govextract import cli, kept, ruleset, snapshot
from govextract.engine import Extractor
from govextract.gazetteer import Gazetteer
from govextract.ruleset import builtin_rules_dir, load_rules, rule_files

ONE_LINE = "共办理法律援助 6238 件，刑事警情同比下降11.08%，降幅排全市第一。\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory of the test's own, and no rule set loaded in this process."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("GOVEXTRACT_CACHE", str(directory))
    monkeypatch.setattr(ruleset, "_CACHE", {})
    return directory


# --- kept files --------------------------------------------------------------------------


def test_a_kept_file_reads_back_and_a_damaged_one_reads_as_missing(cache: Path) -> None:
    kept.write("test", "key", b"payload")
    assert kept.read("test", "key") == b"payload"
    path = kept.path("test", "key")
    blob = path.read_bytes()
    flipped = blob[:-1] + bytes([blob[-1] ^ 1])
    for damaged in (blob[:-1], blob[:5], b"", flipped, b"\x00" * len(blob)):
        path.write_bytes(damaged)
        assert kept.read("test", "key") is None, damaged
    assert kept.read("test", "other key") is None
    # Parts are length-prefixed: moving a character from one part to the next is another key.
    assert kept.digest("ab", "c") != kept.digest("a", "bc")


def test_only_the_files_of_a_kind_written_last_are_kept(cache: Path) -> None:
    other = kept.path("other", "key")
    kept.write("other", "key", b"x")
    for i in range(6):
        kept.write("test", f"k{i}", b"payload", keep=3)
        # Written in order: each file older than the next (whatever the clock's resolution).
        os.utime(kept.path("test", f"k{i}"), ns=(10**18 + i, 10**18 + i))
    assert sorted(p.name.rsplit("-", 1)[1] for p in cache.glob("test-*")) == ["k3", "k4", "k5"]
    assert other.exists()


# --- the gazetteer -------------------------------------------------------------------------


def _gazetteer_args(divisions: Path) -> tuple:
    rs = load_rules()
    stop = frozenset((rs.lexicon("place_stop") or []) + (rs.lexicon("place_stop_derived") or []))
    aliases = tuple(sorted((rs.lexicon("place_alias_suffix") or {}).items()))
    return divisions, stop, frozenset(), divisions.with_name("historical.tsv"), aliases


def _tables(g: Gazetteer) -> tuple:
    return list(g.full.items()), list(g.short.items()), g.successor, g._old, g.alias


def _distinct_places(g: Gazetteer) -> int:
    return len({id(p) for table in (g.full, g.short) for ps in table.values() for p in ps})


def test_the_gazetteer_kept_is_the_gazetteer_read(cache: Path) -> None:
    args = _gazetteer_args(builtin_rules_dir() / "gazetteer" / "divisions.tsv")
    fresh = Gazetteer(*args)
    assert len(list(cache.glob("gazetteer-*"))) == 1
    again = Gazetteer(*args)
    assert _tables(again) == _tables(fresh)
    assert again._ends.pattern == fresh._ends.pattern and again._broad == fresh._broad
    # A place listed under its full and its short name is one object, as when read.
    assert _distinct_places(again) == _distinct_places(fresh)


def test_a_damaged_gazetteer_copy_is_read_over_and_an_edited_file_never_read_stale(
    cache: Path, tmp_path: Path
) -> None:
    source = tmp_path / "gazetteer"
    shutil.copytree(builtin_rules_dir() / "gazetteer", source)
    args = _gazetteer_args(source / "divisions.tsv")
    fresh = Gazetteer(*args)
    (copy,) = cache.glob("gazetteer-*")
    copy.write_bytes(copy.read_bytes()[:-100])
    assert _tables(Gazetteer(*args)) == _tables(fresh)
    assert kept.read("gazetteer", copy.name.split("-", 2)[2]) is not None  # kept again, whole

    lines = (source / "divisions.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split("\t")
    row = dict.fromkeys(header, "")
    row.update(name="测试新区", short="测试", level="county", province="北京市")
    (source / "divisions.tsv").write_text("".join(lines) + "\t".join(row.values()) + "\n", encoding="utf-8")
    edited = Gazetteer(*args)
    assert "测试新区" in edited.full and "测试新区" not in fresh.full


# --- the rule set --------------------------------------------------------------------------


def _pattern(rx) -> tuple | None:
    return None if rx is None else (rx.pattern, rx.flags)


def _summary(rs: ruleset.RuleSet) -> tuple:
    """Everything a rule set holds, as plain data."""
    return (
        [
            (r.spec.model_dump(), r.file, _pattern(r.regex), _pattern(r.continuation), _pattern(r.gate))
            for r in rs.rules
        ],
        rs.lexicons,
        rs.fragments,
        rs.charsets,
        rs.files,
        [(c.spec.model_dump(), c.file, _pattern(c.regex), c.values) for c in rs.cues],
        [(n.spec.model_dump(), n.file, _pattern(n.regex), n.table, _pattern(n.gate)) for n in rs.noise_rules],
        [
            (i.spec.model_dump(), i.file, _pattern(i.pattern), _pattern(i.veto), i.units)
            for i in rs.indicators.indicators
        ],
        rs.html.model_dump(),
        {name: (f.file, f.form, f.written, f.examples, f.negatives) for name, f in rs.fragment_specs.items()},
    )


def test_the_rule_set_kept_is_the_rule_set_compiled(cache: Path) -> None:
    paths = tuple(str(p) for p in rule_files([builtin_rules_dir()]))
    compiled = ruleset._compile(paths)
    name = snapshot.key(paths)
    assert name is not None
    snapshot.keep(name, compiled)
    restored = snapshot.load(name)
    assert restored is not None and restored is not compiled
    assert _summary(restored) == _summary(compiled)
    # Patterns come from regex's cache: the objects the rules compiled, not copies.
    assert all(a.regex is b.regex for a, b in zip(restored.rules, compiled.rules, strict=True))


def test_load_rules_reads_the_kept_rule_set_and_extracts_the_same(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_rules()
    assert list(cache.glob("rules-*"))
    monkeypatch.setattr(ruleset, "_CACHE", {})
    monkeypatch.setattr(ruleset, "_compile", lambda paths: pytest.fail("the rules were compiled again"))
    second = load_rules()
    assert second is not first
    assert _summary(second) == _summary(first)
    text = SEED_FILES[0].read_text(encoding="utf-8")
    dumped = [[r.model_dump() for r in Extractor(rs).run(text, "seed").records] for rs in (first, second)]
    assert dumped[0] == dumped[1] and dumped[0]


def test_an_edited_rule_file_or_noise_table_is_never_read_stale(cache: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), rules)
    first = load_rules([rules], builtin=False)
    (unify,) = [n for n in first.noise_rules if n.spec.table]
    table = Path(unify.file).parent / unify.spec.table
    rows = table.read_text(encoding="utf-8").splitlines(keepends=True)
    last = rows[-1].split("\t")[1]
    assert unify.table[last]
    table.write_text("".join(rows[:-1]), encoding="utf-8")
    ruleset._CACHE.clear()
    second = load_rules([rules], builtin=False)
    (unify,) = [n for n in second.noise_rules if n.spec.table]
    assert last not in unify.table

    rule = second.rules[0]
    path = Path(rule.file)
    source = path.read_text(encoding="utf-8")
    assert source.count(rule.spec.description) >= 1
    path.write_text(source.replace(rule.spec.description, "An edited description.", 1), encoding="utf-8")
    ruleset._CACHE.clear()
    assert load_rules([rules], builtin=False).by_id(rule.id).spec.description == "An edited description."


class _Foreign:
    """What a planted pickle could hold: a call of anything."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_kept_rule_set_that_names_other_code_is_not_run(cache: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    kept.write("rules", "planted", pickle.dumps(([], _Foreign(marker))))
    assert snapshot.load("planted") is None
    assert not marker.exists()


# --- the command line ----------------------------------------------------------------------

_PROBE = """
import atexit, sys
atexit.register(lambda: print("MODULES", *sorted(sys.modules), file=sys.stderr))
sys.argv = ["govextract", *sys.argv[1:]]
from govextract.cli import main
main()
"""


def _modules(*args: str, cache: Path | None = None) -> set[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    if cache is not None:
        env["GOVEXTRACT_CACHE"] = str(cache)
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in reversed(proc.stderr.splitlines()) if x.startswith("MODULES "))
    return set(line.split()[1:])


def _loaded(modules: set[str], names: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in names or m in names}


def test_a_plain_parse_leaves_the_heavy_modules_alone(tmp_path: Path) -> None:
    one = tmp_path / "one-line.txt"
    one.write_text(ONE_LINE, encoding="utf-8")
    args = ("parse", str(one), "--format", "jsonl", "-q")
    # A cache directory of the test's own (the first run keeps what the second reads),
    # given the compiled patterns of this user's, if any: compiling them all takes seconds.
    cache = tmp_path / "cache"
    cache.mkdir()
    for kept_patterns in kept.cache_dir().glob("regex-*"):
        if not kept_patterns.name.endswith(".tmp"):
            shutil.copy(kept_patterns, cache)
    _modules(*args, cache=cache)
    modules = _modules(*args, cache=cache)
    assert "govextract.engine" in modules
    # Segmentation, the numeral fallback, terminal output, encoding detection, worker
    # processes and the readers of other formats are loaded only for input that needs them;
    # with the kept rule set, no rule file is parsed (tomllib).
    heavy = {"jieba", "cn2an", "rich", "charset_normalizer", "multiprocessing", "pdfminer", "docx", "dask"}
    assert not _loaded(modules, heavy | {"concurrent.futures.process", "tomllib"})


def test_version_and_help_load_neither_the_rules_nor_pydantic() -> None:
    for args in (["--version"], ["--help"]):
        modules = _modules(*args)
        assert not _loaded(modules, {"pydantic", "regex", "govextract.engine", "govextract.ruleset"}), args


def _help(command, name: str) -> str:
    return command.get_help(typer.Context(command, info_name=name))


def test_a_command_built_alone_is_the_one_of_the_whole_group() -> None:
    """``main`` builds only the command named on the command line."""
    group = cli.command()
    for name, whole in group.commands.items():
        alone = cli._tidy(typer.main.get_command(cli._only(name)))
        assert list(alone.commands) == [name]
        assert _help(alone.commands[name], name) == _help(whole, name), name
        assert [p.name for p in alone.params] == [p.name for p in group.params]
    assert cli._only("pars") is None  # a mistyped name goes to the whole group (and its suggestion)
