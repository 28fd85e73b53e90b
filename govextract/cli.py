"""The command line: `govextract parse`, `facts`, `table`, `eval`, `rules`, `schema`, `explain`,
`text`, `show`.

No ``from __future__ import annotations`` here: typer reads the annotations of every
command on each start, and annotations kept as strings would be evaluated anew each time."""

import copy
import os
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument

from . import __version__

if TYPE_CHECKING:
    from .parallel import Outcome

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn Chinese government reports into metric records (see `govextract COMMAND --help`).",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(
    help="List and check rule files and their fragments.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(rules_app, name="rules")


def _err(msg: str) -> None:
    print(f"govextract: {msg}", file=sys.stderr, flush=True)


# Set by --debug (or GOVEXTRACT_DEBUG=1): a failure's line is followed by its traceback.
_DEBUG = [False]


def _set_debug(value: bool) -> bool:
    _DEBUG[0] = bool(value)
    return value


DebugOpt = Annotated[
    bool,
    typer.Option(
        "--debug",
        envvar="GOVEXTRACT_DEBUG",
        callback=_set_debug,
        help="After each failure's line, print the traceback behind it.",
    ),
]


def _fail(line: str, detail: str | None) -> None:
    """A failure's one line on stderr, and with --debug the traceback behind it."""
    _err(line)
    if _DEBUG[0] and detail:
        sys.stderr.write(detail if detail.endswith("\n") else detail + "\n")
        sys.stderr.flush()


def _one_line(text: str) -> str:
    from .parallel import one_line

    return one_line(text)


def _read(item, encoding: str | None = None, html=None) -> str | None:
    """The text of an input, or None after one line on stderr naming it and the reason."""
    from .documents import read_text
    from .parallel import failure_reason, traceback_text

    try:
        return read_text(item, encoding, html)
    except Exception as exc:  # a reader's failure on a strange file must not end the run
        _fail(_one_line(f"{item.name}: {failure_reason(exc)}"), traceback_text())
        return None


def _read_one(path: str, encoding: str | None, command: str, html=None):
    """The one input a command takes, and its text; exits 2 for a directory, 1 if unreadable."""
    from .documents import Failure, expand

    if path != "-" and Path(path).is_dir():
        raise typer.BadParameter(f"{path} is a directory; {command} takes one file", param_hint="FILE")
    for item in expand([path]):
        if isinstance(item, Failure):
            _err(_one_line(str(item)))
            raise typer.Exit(1)
        content = _read(item, encoding, html)
        if content is None:
            raise typer.Exit(1)
        return item, content
    raise typer.Exit(1)


def _run(extractor, text: str, name: str):
    """Records of one input, or None after one line on stderr if extraction failed."""
    from .parallel import Input, process

    outcome = process(Input(name, None), extractor, text=text)
    if outcome.error is not None:
        _fail(outcome.error, outcome.detail)
        return None
    return outcome


ProgressOpt = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress",
        help="Always / never draw a progress bar on stderr "
        "(default: for more than 5 files, when stderr is a terminal and records do not go to it).",
    ),
]
GlobOpt = Annotated[
    str | None,
    typer.Option(
        "--glob",
        metavar="PATTERN",
        help="The files a directory contributes, e.g. '*.html' "
        "(default: *.txt *.html *.htm *.pdf *.docx, any case).",
    ),
]


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


# Temporary files of -o being written, removed if a signal ends the run (SIGINT unwinds
# as KeyboardInterrupt; SIGTERM and SIGHUP would end the process with nothing removed).
_TEMPS: set[str] = set()
_OWNER: list[int] = []  # the pid that writes them: a forked worker never removes them


def _on_signal(signum: int, frame: Any) -> None:
    if _OWNER and os.getpid() == _OWNER[0]:
        for tmp in list(_TEMPS):
            with suppress(OSError):
                os.unlink(tmp)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)  # die of the signal, as the sender expects


@contextmanager
def _cleanup_on_signals(tmp: str):
    """Remove ``tmp`` if SIGTERM or SIGHUP arrives meanwhile (unless they are ignored, as
    under nohup)."""
    _TEMPS.add(tmp)
    _OWNER[:] = [os.getpid()]
    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _TEMPS.discard(tmp)


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
    import tempfile

    directory = path.resolve().parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write {path}: {exc.strerror or exc}", param_hint="--output"
        ) from None
    with _cleanup_on_signals(tmp):
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
    # The compiled patterns kept by earlier runs are made known to regex first: the
    # modules imported from here on compile patterns as they load.
    from .rxcache import warm

    warm()
    from .ruleset import RuleError, load_rules

    try:
        return load_rules(rules or ())
    except RuleError as exc:
        for p in exc.problems:
            _err(p)
        raise typer.Exit(2) from None


def _extractor(rules: list[Path] | None):
    """The extractor of the built-in rules plus ``rules`` (exit 2 if they are broken)."""
    ruleset = _load(rules)
    from .engine import Extractor

    return Extractor(ruleset)


def _kinds(value: str | None) -> frozenset[str] | None:
    from .record import KINDS

    if not value:
        return None
    kinds = frozenset(k.strip() for k in value.split(",") if k.strip())
    bad = sorted(kinds - set(KINDS))
    if bad:
        raise typer.BadParameter(f"unknown kind(s) {', '.join(bad)} (kinds: {', '.join(KINDS)})")
    return kinds


def _positive(value: float) -> float:
    if not value > 0:
        raise typer.BadParameter(f"{value:g} is not a positive number of seconds")
    return value


def _encoding(value: str | None) -> str | None:
    """An encoding Python knows, or a usage error (exit 2) before any file is read."""
    if value is None:
        return None
    import codecs

    try:
        codecs.lookup(value)
    except LookupError:
        raise typer.BadParameter(f"unknown encoding {value!r}") from None
    return value


def _encoding_opt(help: str) -> Any:
    return typer.Option("--encoding", metavar="ENC", callback=_encoding, help=help)


RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules", metavar="DIR", help="A rule file or directory to add to the built-in rules (repeatable)."
    ),
]
# The inputs and options that parse, facts and table share.
PathsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="PATH",
        help="Files (.txt .html .htm .pdf .docx; other suffixes read as text) or directories "
        "(walked for those); - reads stdin.",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write here (atomically), not stdout."),
]
KindsOpt = Annotated[
    str | None, typer.Option("--kinds", metavar="K1,K2", help="Only these kinds, comma separated.")
]
BomOpt = Annotated[bool, typer.Option("--bom", help="Start CSV with a UTF-8 BOM (for Excel).")]
EncodingOpt = Annotated[str | None, _encoding_opt("Force the input encoding (default: detected per file).")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No summary line and no progress bar on stderr.")
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        min=1,
        help="Worker processes (default: the CPU count when there are several files). "
        "The output is the same whatever the number.",
    ),
]
DaskOpt = Annotated[
    str | None,
    typer.Option(
        "--dask",
        metavar="ADDRESS",
        help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786; needs the "
        "dask extra; workers must see the same paths). The output is the same as a local run.",
    ),
]
DaskTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--dask-timeout",
        metavar="SECONDS",
        callback=_positive,
        help="How long to wait for the Dask scheduler to answer.",
    ),
]


class _Inputs:
    """What parse, facts and table share: the inputs named on the command line, read and
    extracted (in worker processes or on a Dask cluster), each unreadable one reported
    on one line of stderr, warnings passed on, a progress bar, and the summary line."""

    def __init__(
        self,
        paths: list[str],
        *,
        glob: str | None,
        encoding: str | None,
        rules: list[Path] | None,
        jobs: int | None,
        dask: str | None,
        dask_timeout: float,
        quiet: bool,
        progress: bool | None,
        output: Path | None,
    ):
        self.t0 = time.perf_counter()
        # The extractor first: it makes the patterns kept by earlier runs known to regex
        # before the modules below compile theirs.
        extractor = _extractor(rules)
        from . import progress as bar
        from .documents import expand
        from .parallel import default_jobs, outcomes

        self.quiet = quiet
        self.output = output
        self.failures = 0
        items = list(expand(paths, glob))
        self.total = len(items)  # every named input: a path that is missing is a failure among them
        self._draw = bar.wanted(self.total, force=progress, quiet=quiet, stdout_is_output=output is None)
        # Without the bar over files, a bar within each huge file (bytes done) on a terminal.
        self._within = None
        if not self._draw and bar.wanted_within(force=progress, quiet=quiet, stdout_is_output=output is None):
            self._within = bar.FileBar()
        self._results: Iterator[Outcome] | None
        if dask:  # None when no scheduler answers (one line said so)
            self._results = _dask_outcomes(dask, dask_timeout, paths, glob, encoding, rules)
        else:
            self._results = outcomes(
                items,
                extractor,
                jobs=jobs or default_jobs(self.total),
                encoding=encoding,
                progress=self._within,
            )

    def unreachable(self, empty: Callable[[IO[str]], None]) -> None:
        """When no Dask scheduler answered: an empty but valid output on stdout (``empty``
        writes it; a file named by -o is left as it was), and exit 1."""
        if self._results is None:
            if self.output is None:
                empty(sys.stdout)
                sys.stdout.flush()
            raise typer.Exit(1)

    @contextmanager
    def read(self) -> Iterator[Iterator["Outcome"]]:
        """The outcomes of the inputs that were read, in input order, under a progress bar."""
        from . import progress as bar

        try:
            with bar.progress(self.total, self._draw) as step:
                yield self._read(step)
                step(None)
        finally:
            if self._within is not None:
                self._within.close()

    def _read(self, step) -> Iterator["Outcome"]:
        """Each outcome is yielded before its records are read: a huge file's records are
        extracted as the caller reads them, and its warnings, or an error met part way
        (the records written before it stand), are reported after them."""
        assert self._results is not None
        for outcome in self._results:
            step(outcome.name)
            if outcome.error is None:
                yield outcome
            if outcome.error is not None:
                self.failures += 1
                _fail(outcome.error, outcome.detail)
                continue
            for w in outcome.warnings:
                _err(w)

    def finish(self, count: int, what: str) -> None:
        """The summary line (unless quiet); exit 1 when an input failed."""
        if not self.quiet:
            _err(
                f"{self.total} file(s), {count} {what}(s), {self.failures} failure(s), "
                f"{time.perf_counter() - self.t0:.2f} s"
            )
        if self.failures:
            raise typer.Exit(1)


def _fields(value: str | None, known: tuple[str, ...]) -> list[str]:
    field_list = [f.strip() for f in value.split(",") if f.strip()] if value else list(known)
    bad = [f for f in field_list if f not in known]
    if bad:
        raise typer.BadParameter(f"unknown field(s) {', '.join(bad)} (fields: {', '.join(known)})")
    return field_list


def _format(fmt: str, formats: tuple[str, ...]) -> None:
    if fmt not in formats:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(formats)}", param_hint="--format")


def _bom(bom: bool, fmt: str) -> None:
    if bom and fmt != "csv":
        raise typer.BadParameter(
            f"--bom is for --format csv ({fmt} is UTF-8 without a BOM)", param_hint="--bom"
        )


@app.command()
def parse(
    paths: PathsArg,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", metavar="json|jsonl|csv", help="json (one array), jsonl or csv."),
    ] = "json",
    output: OutputOpt = None,
    kinds: KindsOpt = None,
    fields: Annotated[
        str | None,
        typer.Option("--fields", metavar="F1,F2", help="Only these fields, in this order, comma separated."),
    ] = None,
    bom: BomOpt = False,
    encoding: EncodingOpt = None,
    glob: GlobOpt = None,
    rules: RulesOpt = None,
    quiet: QuietOpt = False,
    progress: ProgressOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    dask_timeout: DaskTimeoutOpt = 10.0,
    debug: DebugOpt = False,
) -> None:
    """Extract metric records from reports."""
    from .record import FIELDS
    from .writers import FORMATS, Writer

    _format(fmt, FORMATS)
    _bom(bom, fmt)
    wanted = _kinds(kinds)
    field_list = _fields(fields, FIELDS)
    inputs = _Inputs(
        paths,
        glob=glob,
        encoding=encoding,
        rules=rules,
        jobs=jobs,
        dask=dask,
        dask_timeout=dask_timeout,
        quiet=quiet,
        progress=progress,
        output=output,
    )
    inputs.unreachable(lambda out: Writer(out, fmt, field_list, bom=bom).close())
    with _output(output, newline="" if fmt == "csv" else None) as out, inputs.read() as results:
        writer = Writer(out, fmt, field_list, bom=bom)
        for outcome in results:
            for record in outcome.records:
                if wanted is None or record.kind in wanted:
                    writer.write(record)
            out.flush()  # each file's records as soon as they are known
        writer.close()
    inputs.finish(writer.count, "record")


@app.command()
def facts(
    paths: PathsArg,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", metavar="json|jsonl|csv", help="json (one array), jsonl or csv."),
    ] = "json",
    output: OutputOpt = None,
    kinds: KindsOpt = None,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields", metavar="F1,F2", help="Only these fields of a fact, in this order, comma separated."
        ),
    ] = None,
    bom: BomOpt = False,
    encoding: EncodingOpt = None,
    glob: GlobOpt = None,
    rules: RulesOpt = None,
    quiet: QuietOpt = False,
    progress: ProgressOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    dask_timeout: DaskTimeoutOpt = 10.0,
    debug: DebugOpt = False,
) -> None:
    """One fact per figure of each report: the mentions of the same figure (same kind,
    value, unit, subject, region and year; a headline and the body) folded into one
    object whose `mentions` hold each one's text, start, end and line."""
    from .fact import FACT_FIELDS, fold
    from .writers import FORMATS, Writer

    _format(fmt, FORMATS)
    _bom(bom, fmt)
    wanted = _kinds(kinds)
    field_list = _fields(fields, FACT_FIELDS)
    inputs = _Inputs(
        paths,
        glob=glob,
        encoding=encoding,
        rules=rules,
        jobs=jobs,
        dask=dask,
        dask_timeout=dask_timeout,
        quiet=quiet,
        progress=progress,
        output=output,
    )
    inputs.unreachable(lambda out: Writer(out, fmt, field_list, bom=bom, known=FACT_FIELDS).close())
    with _output(output, newline="" if fmt == "csv" else None) as out, inputs.read() as results:
        writer = Writer(out, fmt, field_list, bom=bom, known=FACT_FIELDS)
        for outcome in results:
            for fact in fold(r for r in outcome.records if wanted is None or r.kind in wanted):
                writer.write(fact)
            out.flush()
        writer.close()
    inputs.finish(writer.count, "fact")


@app.command("table")
def table_command(
    paths: PathsArg,
    by: Annotated[
        str,
        typer.Option(
            "--by", metavar="K1,K2", help="The keys of a row before its indicator: region, year and/or doc."
        ),
    ] = "region,year",
    indicators: Annotated[
        str | None,
        typer.Option(
            "--indicators",
            metavar="NAME1,NAME2",
            help="Only these indicators, comma separated (see `govextract rules indicators`).",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="json|jsonl|csv|html",
            help="json (one array), jsonl, csv, or html (a page with charts over years).",
        ),
    ] = "json",
    output: OutputOpt = None,
    wide: Annotated[
        bool, typer.Option("--wide", help="One column per indicator (kind, unit) and one row per key.")
    ] = False,
    bom: BomOpt = False,
    encoding: EncodingOpt = None,
    glob: GlobOpt = None,
    rules: RulesOpt = None,
    quiet: QuietOpt = False,
    progress: ProgressOpt = None,
    jobs: JobsOpt = None,
    dask: DaskOpt = None,
    dask_timeout: DaskTimeoutOpt = 10.0,
    debug: DebugOpt = False,
) -> None:
    """The indicators of the reports side by side: one row per region, year (--by),
    indicator, kind and unit with its value, whether approximate, its sources, and a
    conflict when mentions or reports disagree (all values kept)."""
    from .tables import BY_KEYS, FORMATS, table

    _format(fmt, FORMATS)
    _bom(bom, fmt)
    keys = [k.strip() for k in by.split(",") if k.strip()]
    bad = [k for k in keys if k not in BY_KEYS]
    if not keys or bad or len(set(keys)) != len(keys):
        raise typer.BadParameter(
            f"{by!r}: give distinct keys of {', '.join(BY_KEYS)}, comma separated", param_hint="--by"
        )
    ruleset = _load(rules)
    names = None
    if indicators:
        names = [n.strip() for n in indicators.split(",") if n.strip()]
        unknown = [n for n in names if n not in ruleset.indicators.names]
        if unknown:
            raise typer.BadParameter(
                f"unknown indicator(s) {', '.join(unknown)} (`govextract rules indicators` lists them)",
                param_hint="--indicators",
            )
    inputs = _Inputs(
        paths,
        glob=glob,
        encoding=encoding,
        rules=rules,
        jobs=jobs,
        dask=dask,
        dask_timeout=dask_timeout,
        quiet=quiet,
        progress=progress,
        output=output,
    )
    title = f"govextract table by {', '.join(keys)}"
    inputs.unreachable(lambda out: table([], keys, names).write(out, fmt, wide=wide, bom=bom, title=title))
    with inputs.read() as results:
        records = [r for outcome in results for r in outcome.records]
    result = table(records, keys, names)
    with _output(output, newline="" if fmt == "csv" else None) as out:
        result.write(out, fmt, wide=wide, bom=bom, title=title)
    inputs.finish(len(result.rows), "row")


def _dask_outcomes(
    address: str, timeout: float, paths: list[str], glob: str | None, encoding: str | None, rules
):
    """Outcomes computed on a Dask cluster, in input order (see govextract.dask), or None
    after one line on stderr when no scheduler answers at ``address``."""
    try:
        import distributed  # noqa: F401

        from .dask import ClusterError, run_on_cluster
    except ImportError:
        raise typer.BadParameter(
            "running on Dask needs the dask extra: pip install 'govextract[dask]'", param_hint="--dask"
        ) from None
    from .parallel import Outcome
    from .record import Record

    rule_dirs = [str(r) for r in rules or ()]
    try:
        found = run_on_cluster(address, paths, glob=glob, encoding=encoding, rules=rule_dirs, timeout=timeout)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{address!r} is not a scheduler address ({exc}); e.g. tcp://scheduler:8786", param_hint="--dask"
        ) from None
    except ClusterError as exc:
        _err(_one_line(f"--dask {address}: {exc}"))
        return None

    def results():
        for res in found:
            if res.error is not None:
                yield Outcome(res.name, error=_one_line(f"{res.name}: {res.error}"), detail=res.detail)
            else:
                yield Outcome(
                    res.name, [Record.model_validate(r) for r in res.records], None, list(res.warnings)
                )

    return results()


@app.command("eval", short_help="Score extraction against gold annotations (SPEC.md scoring).")
def evaluate(
    gold_dir: Annotated[
        Path, typer.Argument(metavar="GOLD_DIR", help="Directory of gold <name>.jsonl files.")
    ],
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH", help="Reports to extract and score (files or directories): those with gold."
        ),
    ],
    show: Annotated[bool, typer.Option("--show", help="List every miss, extra and wrong attribute.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    rules: RulesOpt = None,
    glob: GlobOpt = None,
    progress: ProgressOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Score extraction over the reports given against their gold (SPEC.md scoring)."""
    import orjson

    from . import progress as bar
    from .documents import Failure, Input, expand
    from .evaluate import load_gold, report, score

    if not gold_dir.is_dir():
        raise typer.BadParameter(f"{gold_dir} is not a directory", param_hint="GOLD_DIR")
    gold = load_gold(gold_dir)
    items = list(expand(paths, glob))
    # Only the documents given are scored: an input is paired with GOLD_DIR/<its stem>.jsonl.
    # Inputs without gold are not read; a path that is missing is reported all the same.
    docs = {Path(item.name).stem for item in items} & set(gold)
    without = [item.name for item in items if isinstance(item, Input) and Path(item.name).stem not in gold]
    scored = [item for item in items if isinstance(item, Failure) or Path(item.name).stem in gold]
    if not docs:
        raise typer.BadParameter(
            f"none of the inputs has gold in {gold_dir} (GOLD_DIR/<name>.jsonl for <name>.txt)",
            param_hint="PATH",
        )
    if without:
        _err(_one_line(f"no gold in {gold_dir} for {len(without)} input(s): {', '.join(without)}"))
    extractor = _extractor(rules)
    preds = []
    failed = False
    total = sum(isinstance(item, Input) for item in scored)
    # The scores are printed at the end: a bar does not tear them, stdout a terminal or not.
    with bar.progress(total, bar.wanted(total, force=progress, quiet=False, stdout_is_output=False)) as step:
        for item in scored:
            if isinstance(item, Failure):
                _err(_one_line(str(item)))
                failed = True
                continue
            step(item.name)
            text = _read(item, html=extractor.rules.html)
            result = None if text is None else _run(extractor, text, item.name)
            if result is None:
                failed = True
                continue
            preds.extend(r.model_dump() for r in result.records)
        step(None)
    # An input that could not be read keeps its gold: every figure of it is missed.
    result = score({d: g for d, g in gold.items() if d in docs}, preds)
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


@app.command(short_help="Print the text that extraction sees (offsets refer to it).")
def text(
    path: Annotated[
        str, typer.Argument(metavar="FILE", help="A report in any input format (or - for stdin).")
    ],
    normalized: Annotated[
        bool,
        typer.Option("--normalized", help="Show the text rules match (noise removed, lines rejoined)."),
    ] = False,
    encoding: Annotated[str | None, _encoding_opt("Force the input encoding (default: detected).")] = None,
    rules: RulesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Print the text that extraction sees, for any input format (offsets refer to it)."""
    from .normalize import normalize

    ruleset = _load(rules) if normalized or rules else None
    _, content = _read_one(path, encoding, "text", ruleset.html if ruleset else None)
    if normalized:
        text = normalize(content, ruleset).text
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        sys.stdout.write(content)


@app.command(short_help="Write an HTML page to review a report's records by eye.")
def show(
    path: Annotated[
        str, typer.Argument(metavar="FILE", help="A report in any input format (or - for stdin).")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the HTML page here (atomically); default: stdout."
        ),
    ] = None,
    encoding: Annotated[str | None, _encoding_opt("Force the input encoding (default: detected).")] = None,
    debug: DebugOpt = False,
) -> None:
    """Write a self-contained HTML review page of FILE: the text with every record
    highlighted by kind, a table of the records, details on click, filters by kind."""
    from .review import render

    item, content = _read_one(path, encoding, "show")
    result = _run(_extractor(None), content, item.name)
    if result is None:
        raise typer.Exit(1)
    for w in result.warnings:
        _err(w)
    page = render(content, result.records, item.name)
    if output is None:  # bytes: the page declares UTF-8 whatever stdout's encoding
        sys.stdout.buffer.write(page.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        with _output(output) as fh:
            fh.write(page)


@app.command(short_help="Show which rules matched where in TEXT, and what they gave.")
def explain(
    snippet: Annotated[str, typer.Argument(metavar="TEXT", help="The text to explain; - reads stdin.")],
    rules: RulesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show which rules matched where in TEXT, what each produced and what was dropped."""
    from .documents import Input

    if snippet == "-":
        content = _read(Input("-", None))
        if content is None:
            raise typer.Exit(1)
        snippet = content
    result = _extractor(rules).run(snippet, "-", explain=True)
    if not result.trace:
        print("no rule matched")
    for ev in result.trace:
        print(f"[{ev.start}:{ev.end}] {ev.rule:28} {ev.kind:8} {ev.text!r}: {ev.outcome}")
    for r in result.records:
        fields = {k: v for k, v in r.model_dump().items() if v is not None and k not in ("doc", "line")}
        print(" ".join(f"{k}={v}" for k, v in fields.items()))


def _visible(text: str) -> str:
    """Text on one line: a line break or tab written as \\n or \\t."""
    return text.replace("\n", "\\n").replace("\t", "\\t")


def _example(example: Any) -> str:
    """A fragment's example as ``rules fragments`` shows it: the text matched as a whole,
    or in context, the text and what is matched at its start (for a negative: nothing)."""
    if isinstance(example, str):
        return _visible(example)
    match = getattr(example, "match", None)
    if match is None:
        return f"{_visible(example.text)} (no match at its start)"
    return f"{_visible(example.text)} (at its start: {_visible(match) if match else 'an empty match'})"


def _shown(path: str) -> str:
    """A rule file's path as a user would type it: a built-in file as ``rules/NAME`` (where
    the package keeps it differs between a checkout and an installed wheel), another
    relative to the current directory when it lies below it."""
    from .ruleset import builtin_rules_dir

    resolved = Path(path).resolve()
    try:
        return str(Path("rules") / resolved.relative_to(builtin_rules_dir().resolve()))
    except ValueError:
        pass
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


@rules_app.command("list", short_help="List the rules, noise entries and cues, with kinds and examples.")
def rules_list(rules: RulesOpt = None) -> None:
    """List the rules (id, kind, priority), then the noise entries and the genre's cues
    (id, the kind of cue), each with its number of examples and negatives and its file."""
    rs = _load(rules)
    for r in rs.rules:
        print(
            f"{r.id:32} {r.kind:8} priority {r.priority:<3} {len(r.spec.examples):3} positive "
            f"{len(r.spec.negatives):3} negative  {_shown(r.file)}"
        )
    for n in rs.noise_rules:  # noise entries have no priority: they run in file order
        print(
            f"{n.id:32} {'noise':8} {'priority -':12} {len(n.spec.examples):3} positive "
            f"{len(n.spec.negatives):3} negative  {_shown(n.file)}"
        )
    for c in rs.cues:  # the kind of cue takes the place of kind and priority
        print(
            f"{c.id:32} {'cue ' + c.kind:21} {len(c.spec.examples):3} positive "
            f"{len(c.spec.negatives):3} negative  {_shown(c.file)}"
        )


@rules_app.command("indicators", short_help="List the indicators of the taxonomy.")
def rules_indicators(rules: RulesOpt = None) -> None:
    """List the indicators of the taxonomy: name, kind, unit family and what each counts."""
    for i in _load(rules).indicators.indicators:
        print(f"{i.name}\t{i.kind}\t{i.spec.unit} ({' '.join(i.units)})\t{i.spec.description}")


@rules_app.command("check", short_help="Check rule files: load them and run every example.")
def rules_check(
    directory: Annotated[
        list[Path] | None,
        typer.Argument(metavar="DIR", help="Rule files or directories to check with the built-in rules."),
    ] = None,
) -> None:
    """Validate rule files and run every rule's and every fragment's examples."""
    from .rulecheck import check_examples, check_fragments, count_examples
    from .ruleset import RuleError, load_rules

    try:
        rs = load_rules(directory or ())
    except RuleError as exc:  # finding problems is this command's job: exit 1, as for a failing example
        for p in exc.problems:
            _err(p)
        raise typer.Exit(1) from None
    problems = check_fragments(rs) + check_examples(rs)
    for p in problems:
        _err(p)
    indicators = rs.indicators.indicators if rs.indicators is not None else []
    print(
        f"{len(rs.rules)} rules, {len(rs.fragment_specs)} fragments, {len(rs.cues)} cues, "
        f"{len(indicators)} indicators, {len(rs.noise_rules)} noise rules, {count_examples(rs)} examples, "
        f"{len(problems)} problem(s)"
    )
    if problems:
        raise typer.Exit(1)


@rules_app.command("fragments", short_help="List the named fragments with what each is for.")
def rules_fragments(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="NAME", help="Only these fragments (default: all)."),
    ] = None,
    rules: RulesOpt = None,
) -> None:
    """List the named fragments patterns use as {NAME}: what each is for, how it is
    written, and its examples."""
    rs = _load(rules)
    wanted = names or list(rs.fragment_specs)
    unknown = [n for n in wanted if n not in rs.fragment_specs]
    if unknown:
        raise typer.BadParameter(f"no fragment {', '.join(unknown)}", param_hint="NAME")
    blocks = []
    for name in wanted:
        frag = rs.fragment_specs[name]
        lines = [f"{{{name}}}  {_shown(frag.file)}"]
        if frag.description:
            lines.append(f"  {frag.description}")
        if frag.form == "words":
            lines.append(f"  words:     {' '.join(frag.written)}")
        elif frag.form == "charset":
            lines.append(f"  charset:   {_visible(frag.written)} (one of them; {{^{name}}}: any other)")
        elif frag.form == "chars":
            lexicons = frag.written if isinstance(frag.written, tuple) else (frag.written,)
            lines.append(
                f"  chars:     the characters of {', '.join(f'[lexicon.{n}]' for n in lexicons)}: "
                f"{_visible(''.join(sorted(rs.chars(name))))} (one of them; {{^{name}}}: any other)"
            )
        elif frag.form == "lexicon":
            lines.append(f"  lexicon:   {frag.written} (its words: {' '.join(rs.lexicon(frag.written))})")
        else:
            lines.append(f"  pattern:   {frag.written}")
        if frag.examples:
            lines.append(f"  examples:  {' | '.join(map(_example, frag.examples))}")
        if frag.negatives:
            lines.append(f"  negatives: {' | '.join(map(_example, frag.negatives))}")
        blocks.append("\n".join(lines))
    print("\n\n".join(blocks))


class _Argument(TyperArgument):
    """An argument in help as people write it: ``PATH...``, ``[DIR]...``, ``FILE``; the
    metavar says what it is, so no type follows it (typer would print ``{PATH}...`` and
    ``<list[str]>``)."""

    def _name(self) -> str:
        return (self.metavar or self.name or "").upper() + ("..." if self.nargs != 1 else "")

    def _usage_display_name(self) -> str:
        if self.required:
            return self._name()
        return f"[{(self.metavar or self.name or '').upper()}]" + ("..." if self.nargs != 1 else "")

    def _rich_display_name(self) -> str:
        return self._name()

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _tidy(command: Any) -> Any:
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.__class__ = _Argument
    for sub in getattr(command, "commands", {}).values():
        _tidy(sub)
    return command


def command() -> Any:
    """The click command of ``govextract`` (typer's own copy of click), its arguments
    shown as people write them."""
    return _tidy(typer.main.get_command(app))


def _only(name: str) -> Any:
    """A copy of ``app`` holding only the command or group called ``name``, or None."""
    commands = [
        c
        for c in app.registered_commands
        if c.callback is not None and (c.name or typer.main.get_command_name(c.callback.__name__)) == name
    ]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return None
    shell = copy.copy(app)
    shell.registered_commands, shell.registered_groups = commands, groups
    return shell


def main() -> None:
    # pydantic looks for plugins (package entry points: a read of every installed
    # package's metadata) when it builds a model's validator. The command line's models
    # are its own business, as typer's are (it does the same for its own): unless the
    # user says otherwise, no plugin watches them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # typer builds a command's parameters from its signature on every start: only the
    # command named is built. Anything else (the list of commands in --help, a mistyped
    # name and its suggestion, --version) goes to the whole group.
    shell = _only(sys.argv[1]) if len(sys.argv) > 1 else None
    group = command() if shell is None else _tidy(typer.main.get_command(shell))
    group(prog_name="govextract")


if __name__ == "__main__":
    main()
