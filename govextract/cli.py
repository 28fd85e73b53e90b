"""The command line: `govextract parse`, `eval`, `rules`, `schema`, `explain`, `text`."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from . import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn Chinese government reports into metric records (see `govextract COMMAND --help`).",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="List and check rule files.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(rules_app, name="rules")


def _err(msg: str) -> None:
    print(f"govextract: {msg}", file=sys.stderr, flush=True)


def _version(value: bool) -> None:
    if value:
        print(f"govextract {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    pass


@contextmanager
def _output(path: Path | None, *, newline: str | None = None):
    """stdout, or a file written atomically: a temporary file renamed into place on success.
    A path that exists and is not a regular file (/dev/null, a FIFO) is written directly."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline=newline) as fh:
            yield fh
        return
    directory = path.resolve().parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write {path}: {exc.strerror or exc}", param_hint="--output"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
        # mkstemp makes the file private (0600): give it the mode of the file it
        # replaces, or the mode a new file gets under the umask.
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(rules: list[Path] | None):
    from .ruleset import RuleError, load_rules

    try:
        return load_rules(rules or ())
    except RuleError as exc:
        for p in exc.problems:
            _err(p)
        raise typer.Exit(2) from None


def _kinds(value: str | None) -> frozenset[str] | None:
    from .record import KINDS

    if not value:
        return None
    kinds = frozenset(k.strip() for k in value.split(",") if k.strip())
    bad = sorted(kinds - set(KINDS))
    if bad:
        raise typer.BadParameter(f"unknown kind(s) {', '.join(bad)} (kinds: {', '.join(KINDS)})")
    return kinds


RulesOpt = Annotated[
    list[Path] | None,
    typer.Option("--rules", help="A rule file or directory to add to the built-in rules (repeatable)."),
]


@app.command()
def parse(
    paths: Annotated[
        list[str], typer.Argument(help="Files or directories (walked for *.txt); - reads stdin.")
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json (one array), jsonl or csv.")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (atomically), not stdout.")
    ] = None,
    kinds: Annotated[str | None, typer.Option("--kinds", help="Only these kinds, comma separated.")] = None,
    fields: Annotated[
        str | None, typer.Option("--fields", help="Only these fields, in this order, comma separated.")
    ] = None,
    bom: Annotated[bool, typer.Option("--bom", help="Start CSV with a UTF-8 BOM (for Excel).")] = False,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Force the input encoding (default: detected per file).")
    ] = None,
    glob: Annotated[str, typer.Option("--glob", help="Which files a directory contributes.")] = "*.txt",
    rules: RulesOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line on stderr.")] = False,
) -> None:
    """Extract metric records from reports."""
    from .documents import Failure, expand, read_text
    from .engine import Extractor
    from .record import FIELDS
    from .writers import FORMATS, Writer

    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    wanted = _kinds(kinds)
    field_list = [f.strip() for f in fields.split(",") if f.strip()] if fields else list(FIELDS)
    bad = [f for f in field_list if f not in FIELDS]
    if bad:
        raise typer.BadParameter(f"unknown field(s) {', '.join(bad)} (fields: {', '.join(FIELDS)})")
    extractor = Extractor(_load(rules))
    t0 = time.perf_counter()
    files = failures = 0
    with _output(output, newline="" if fmt == "csv" else None) as out:
        writer = Writer(out, fmt, field_list, bom=bom)
        for item in expand(paths, glob):
            if isinstance(item, Failure):
                failures += 1
                _err(str(item))
                continue
            files += 1
            try:
                text = read_text(item, encoding)
            except (OSError, ValueError) as exc:
                failures += 1
                _err(f"{item.name}: {getattr(exc, 'strerror', None) or exc}")
                continue
            result = extractor.run(text, item.name)
            for w in result.warnings:
                _err(w)
            for record in result.records:
                if wanted is None or record.kind in wanted:
                    writer.write(record)
        writer.close()
    if not quiet:
        _err(
            f"{files} file(s), {writer.count} record(s), {failures} failure(s), "
            f"{time.perf_counter() - t0:.2f} s"
        )
    if failures:
        raise typer.Exit(1)


@app.command("eval")
def evaluate(
    gold_dir: Annotated[Path, typer.Argument(help="Directory of gold <name>.jsonl files.")],
    paths: Annotated[list[str], typer.Argument(help="Reports to extract and score (files or directories).")],
    show: Annotated[bool, typer.Option("--show", help="List every miss, extra and wrong attribute.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    rules: RulesOpt = None,
) -> None:
    """Score extraction over PATHS against gold annotations (SPEC.md scoring)."""
    import orjson

    from .documents import Failure, expand, read_text
    from .engine import Extractor
    from .evaluate import load_gold, report, score

    if not gold_dir.is_dir():
        raise typer.BadParameter(f"{gold_dir} is not a directory", param_hint="GOLD_DIR")
    extractor = Extractor(_load(rules))
    preds = []
    failed = False
    for item in expand(paths):
        if isinstance(item, Failure):
            _err(str(item))
            failed = True
            continue
        try:
            text = read_text(item)
        except (OSError, ValueError) as exc:
            _err(f"{item.name}: {exc}")
            failed = True
            continue
        preds.extend(r.model_dump() for r in extractor.run(text, item.name).records)
    result = score(load_gold(gold_dir), preds)
    if as_json:
        print(orjson.dumps(result.as_dict()).decode())
    else:
        print(report(result, show=show))
    if failed:
        raise typer.Exit(1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a record."""
    import orjson

    from .record import record_json_schema

    print(orjson.dumps(record_json_schema(), option=orjson.OPT_INDENT_2).decode())


@app.command()
def text(
    path: Annotated[str, typer.Argument(help="A report (or - for stdin).")],
    normalized: Annotated[
        bool, typer.Option("--normalized", help="Show the normalized text rules match.")
    ] = False,
    encoding: Annotated[str | None, typer.Option("--encoding", help="Force the input encoding.")] = None,
) -> None:
    """Print the text that extraction sees (offsets refer to it)."""
    from .documents import Failure, expand, read_text
    from .normalize import normalize

    for item in expand([path]):
        if isinstance(item, Failure):
            _err(str(item))
            raise typer.Exit(1)
        try:
            content = read_text(item, encoding)
        except (OSError, ValueError) as exc:
            _err(f"{item.name}: {exc}")
            raise typer.Exit(1) from None
        sys.stdout.write(normalize(content).text if normalized else content)


@app.command()
def explain(
    snippet: Annotated[str, typer.Argument(help="The text to explain.")],
    rules: RulesOpt = None,
) -> None:
    """Show which rules matched where in TEXT, what each produced and what was dropped."""
    from .engine import Extractor

    result = Extractor(_load(rules)).run(snippet, "-", explain=True)
    for ev in result.trace:
        print(f"[{ev.start}:{ev.end}] {ev.rule:28} {ev.kind:8} {ev.text!r}: {ev.outcome}")
    for r in result.records:
        fields = {k: v for k, v in r.model_dump().items() if v is not None and k not in ("doc", "line")}
        print(" ".join(f"{k}={v}" for k, v in fields.items()))


@rules_app.command("list")
def rules_list(rules: RulesOpt = None) -> None:
    """List rule ids with their kinds and example counts."""
    rs = _load(rules)
    for r in rs.rules:
        print(
            f"{r.id:32} {r.kind:8} {len(r.spec.examples):3} positive "
            f"{len(r.spec.negatives):3} negative  {r.file}"
        )


@rules_app.command("check")
def rules_check(
    directory: Annotated[
        list[Path] | None, typer.Argument(help="Rule files or directories to check with the built-in rules.")
    ] = None,
) -> None:
    """Validate rule files and run every rule's examples."""
    from .rulecheck import check_examples

    rs = _load(directory)
    problems = check_examples(rs)
    for p in problems:
        _err(p)
    n = sum(len(r.spec.examples) + len(r.spec.negatives) for r in rs.rules)
    print(f"{len(rs.rules)} rules, {n} examples, {len(problems)} problem(s)")
    if problems:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
