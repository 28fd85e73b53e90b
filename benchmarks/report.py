"""The report: the machine, tables for a terminal and Markdown, what is over the bounds,
the summary against issue 12's table, and the README's Performance section rewritten
between its markers."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .adversarial import ADVERSARIAL_BOUND
from .bigfile import SUPERLINEAR
from .common import REPO, Pass
from .startup import ONE_LINE_LABEL


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for key in ("model name", "Hardware", "Processor", "cpu model", "cpu"):
        m = re.search(rf"^{key}\s*:\s*(.+)$", text, re.MULTILINE)
        if m and m.group(1).strip():
            return m.group(1).strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            # changes to the benchmark itself do not change what is measured
            [
                "git",
                "-C",
                str(REPO),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":!benchmarks",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head + ("+dirty" if dirty else "")


def machine() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        from importlib.metadata import version

        gv = version("govextract")
    except Exception:
        gv = "?"
    return {
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
        "govextract": gv,
        "commit": git_commit(),
    }


def width(text: str) -> int:
    """Terminal columns: wide and full-width characters (Chinese) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: tuple[str, ...]) -> str:
        first = r[0] + " " * (widths[0] - width(r[0]))
        rest = [" " * (w - width(c)) + c for c, w in zip(r[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def rate_row(label: str, p: Pass, mb: float) -> tuple[str, str, str, str, str]:
    return (
        label,
        f"{p.seconds:.3f}",
        f"{mb / p.seconds:.2f}",
        f"{p.records / p.seconds:,.0f}",
        f"{p.records}",
    )


MD_LEFT = {"flag", "sha256"}  # text columns, left-aligned in Markdown


def md_table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """A Markdown table: the first column left-aligned, the others right-aligned."""

    def line(r: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in r) + " |"

    rule = "|" + "|".join(":---" if i == 0 or h in MD_LEFT else "---:" for i, h in enumerate(header)) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def adversarial_rows(adv: dict[str, Any], markdown: bool = False) -> list[tuple[str, ...]]:
    flag = "**over 3x**" if markdown else "OVER 3x"
    normal = adv["normal"]
    rows: list[tuple[str, ...]] = [
        (
            "normal text (corpus)",
            f"{normal['s_per_mb']:.3f}",
            "1.0x",
            "1.0x",
            f"{normal['records']}",
            f"{normal['warnings']}",
            "",
        )
    ]
    for r in adv["runs"]:
        bound = ">=" if r["lower_bound"] else ""
        notes = [flag] if r["over_bound"] else []
        if r["killed"]:
            notes.append(f"run killed at {adv['limit']:g} s")
        if not r["lower_bound"] and r["runs"] < adv["repeat"]:
            notes.append(f"best of {r['runs']}")
        rows.append(
            (
                r["input"],
                f"{bound}{r['s_per_mb']:.3f}",
                f"{bound}{r['ratio']:.1f}x",
                "" if r.get("per_record_ratio") is None else f"{r['per_record_ratio']:.1f}x",
                "?" if r["records"] is None else f"{r['records']}",
                "?" if r["warnings"] is None else f"{r['warnings']}",
                ", ".join(notes),
            )
        )
    return rows


ADV_HEADER = ("input (~1 MB)", "s/MB", "vs normal", "per record vs normal", "records", "warnings", "flag")


def jobs_rows(jobs: dict[str, Any]) -> list[tuple[str, ...]]:
    return [
        (
            f"-j {r['jobs']}",
            f"{r['seconds']:.3f}",
            f"{r['mb_per_s']:.2f}",
            f"{r['speedup']:.2f}x",
            r["sha256"][:12],
        )
        for r in jobs["runs"]
    ]


def big_rows(big: dict[str, Any]) -> list[tuple[str, ...]]:
    base = big["baseline"]
    rows: list[tuple[str, ...]] = [
        (
            "tiny file (baseline)",
            f"{base['seconds']:.3f}",
            f"{base['cpu']:.2f}",
            "",
            "",
            f"{base['peak_rss_mb']:.1f}",
            "",
        )
    ]
    for r in big["runs"]:
        rows.append(
            (
                f"{r['size_mb']:.1f} MB" + (" (1 run)" if r.get("once") else ""),
                f"{r['seconds']:.1f}",
                f"{r['cpu']:.1f}",
                f"{r['cpu_per_mb']:.3f}",
                f"{r['mb_per_s']:.2f}",
                f"{r['peak_rss_mb']:.1f}",
                f"{r['growth_per_mb']:.2f}",
            )
        )
    return rows


BIG_HEADER = ("one file", "seconds", "CPU s", "CPU s/MB (net)", "MB/s", "peak RSS MB", "(RSS-base)/MB in")


def many_rows(many: dict[str, Any]) -> list[tuple[str, ...]]:
    return [(f"{r['files']} files", f"{r['seconds']:.1f}", f"{r['peak_rss_mb']:.1f}") for r in many["runs"]]


MANY_HEADER = ("`parse -j 1` over", "seconds", "peak RSS MB")


def concerns(result: dict[str, Any]) -> list[str]:
    """What looks wrong against issues 5 and 12, one line each."""
    out: list[str] = []
    adv = result.get("adversarial")
    if adv:
        for r in adv["runs"]:
            if r["over_bound"]:
                bound = f"bound {ADVERSARIAL_BOUND:g}x, per MB or per record"
                at_least = ">=" if r["lower_bound"] else ""
                per = r.get("per_record_ratio")
                per_record = f", {per:.1f}x per record" if per is not None else ""
                out.append(
                    f"adversarial `{r['input']}`: {at_least}{r['ratio']:.1f}x normal text per MB"
                    f"{per_record} ({bound})"
                )
            if r["killed"]:
                out.append(f"adversarial `{r['input']}`: a run was killed after {adv['limit']:g} s")
            if r["warnings"]:
                m = re.search(r"rule (\S+) timed out", r["first_warning"])
                what = f"rule {m.group(1)} timed out" if m else r["first_warning"]
                out.append(f"adversarial `{r['input']}`: {r['warnings']} warning(s) ({what})")
    jobs = result.get("jobs")
    if jobs and not jobs["identical"]:
        out.append("parse -j K: the output differs across K (sha256 differs)")
    big = result.get("big_file")
    if big and big["superlinear"]:
        a, b = big["runs"][0], big["runs"][-1]
        out.append(
            f"big file: memory grows faster than the file: (RSS-base)/MB {a['growth_per_mb']:.2f} at "
            f"{a['size_mb']:.0f} MB, {b['growth_per_mb']:.2f} at {b['size_mb']:.0f} MB"
        )
    if big and big["time_superlinear"]:
        a, b = big["runs"][0], big["runs"][-1]
        out.append(
            f"big file: CPU per MB grows with the file: {a['cpu_per_mb']:.3f} s/MB at "
            f"{a['size_mb']:.0f} MB, {b['cpu_per_mb']:.3f} s/MB at {b['size_mb']:.0f} MB "
            f"(bound {SUPERLINEAR:g}x; start-up of the tiny run taken off)"
        )
    if result.get("rule_timeouts"):
        out.append(f"corpus: {result['rule_timeouts']} rule timeout(s) per pass on normal text")
    return out


def markdown_report(result: dict[str, Any], rows: Sequence[tuple[str, ...]]) -> str:
    m = result["machine"]
    inp = result["input"]
    cores = f"{m['cores']} cores" + (
        f" ({m['usable_cores']} usable)" if m["usable_cores"] and m["usable_cores"] != m["cores"] else ""
    )
    version = f"govextract {m['govextract']}" + (f" ({m['commit']})" if m["commit"] else "")
    names = ", ".join(Path(p).name or p for p in inp["paths"])
    parts = [
        f"Measured {m['date']} with {version}: {m['platform']}; {m['cpu']}, {cores}; Python {m['python']}.",
        f"Input: {names}, {inp['files']} files, {inp['utf8_mb']:.2f} MB of UTF-8 text; "
        f"times are the best of {result['repeat']} runs.",
        "",
        md_table(summary_rows(result), SUMMARY_HEADER),
        "",
        md_table(rows, ("pass", "seconds", "MB/s", "records/s", "records")),
    ]
    bare = result.get("bare")
    if bare:
        parts += [
            "",
            f"`parse -j 1` as a whole process: {bare['parse_cpu']:.2f} s of CPU; a process reading the same "
            f"files and running one `regex` scan for figures: {bare['bare_cpu']:.2f} s "
            f"({bare['ratio_cpu']:.0f}x).",
        ]
    if result["startup_median_s"]:
        srows = [(f"`{k}`", f"{v * 1000:.0f}") for k, v in result["startup_median_s"].items()]
        parts += ["", md_table(srows, (f"start-up (median of {result['startup_runs']})", "ms"))]
    jobs = result.get("jobs")
    if jobs:
        same = "identical" if jobs["identical"] else "**different**"
        parts += [
            "",
            md_table(
                jobs_rows(jobs), ("`parse --format jsonl -j K`", "seconds", "MB/s", "speed-up", "sha256")
            ),
            "",
            f"Output across K: {same}; {jobs['cpus']} CPUs; wall times include start-up.",
        ]
    adv = result.get("adversarial")
    if adv:
        parts += [
            "",
            md_table(adversarial_rows(adv, markdown=True), ADV_HEADER),
            "",
            f"`Extractor.run` on each input; bound: {ADVERSARIAL_BOUND:g}x normal text per MB, "
            "or per record (cost linear in what the input holds).",
        ]
    big = result.get("big_file")
    if big:
        parts += [
            "",
            md_table(big_rows(big), BIG_HEADER),
            "",
            f"`parse FILE --format jsonl`; CPU and peak RSS of the child by {big['method']}; "
            "CPU per MB net of the tiny file's.",
        ]
    many = result.get("many_files")
    if many:
        parts += ["", md_table(many_rows(many), MANY_HEADER)]
    found = concerns(result)
    if found:
        parts += ["", "Over the bounds:", "", *(f"- {c}" for c in found)]
    return "\n".join(parts)


SUMMARY_HEADER = ("issue 12", "measured", "aim")


def summary_rows(result: dict[str, Any]) -> list[tuple[str, ...]]:
    """The figures of issue 12's table, as far as this run measured them."""
    rows: list[tuple[str, ...]] = []
    e2e = result["end_to_end"]
    bare = result.get("bare")
    ratio = f"; {bare['ratio_cpu']:.0f}x the bare scan (CPU)" if bare else ""
    rows.append(
        (
            f"{result['input']['utf8_mb']:.1f} MB corpus, one process, end to end",
            f"{e2e['mb_per_s']:.2f} MB/s{ratio}",
            ">= 6 MB/s; <= 40x the bare scan",
        )
    )
    big = result.get("big_file")
    if big and big["runs"]:
        by = {round(r["size_mb"]): r for r in big["runs"]}
        if 5 in by and 50 in by:
            r = by[50]["cpu_per_mb"] / max(by[5]["cpu_per_mb"], 1e-9)
            rows.append(("one file of 50 MB vs one of 5 MB", f"{r:.2f}x the CPU per MB", "<= 1.25x"))
        if 200 in by:
            r200 = by[200]
            lin = (
                f"{r200['cpu_per_mb'] / by[50]['cpu_per_mb']:.2f}x the CPU per MB of 50 MB"
                if 50 in by
                else ""
            )
            rows.append(
                ("one file of 200 MB", f"finished in {r200['seconds']:.0f} s; {lin}", "finishes, linear")
            )
        if 50 in by:
            many = result.get("many_files")
            flat = ""
            if many and many["runs"]:
                flat = "; " + ", ".join(
                    f"{m['peak_rss_mb']:.0f} MB over {m['files']} files" for m in many["runs"]
                )
            rows.append(
                (
                    "peak RSS on one 50 MB file",
                    f"{by[50]['peak_rss_mb']:.0f} MB{flat}",
                    "<= 250 MB, flat for many files",
                )
            )
    startup = result.get("startup_median_s") or {}
    if ONE_LINE_LABEL in startup:
        rows.append(
            ("`parse` of a one-line file (start-up)", f"{startup[ONE_LINE_LABEL]:.2f} s", "<= 0.15 s")
        )
    jobs = result.get("jobs")
    if jobs and len(jobs["runs"]) > 1:
        best = max(jobs["runs"][1:], key=lambda r: r["speedup"])
        same = "identical output" if jobs["identical"] else "DIFFERENT output"
        rows.append(
            (f"`--jobs {best['jobs']}`, corpus", f"{best['speedup']:.2f}x; {same}", ">= 1.6x on 2 idle cores")
        )
    adv = result.get("adversarial")
    if adv and adv["runs"]:
        over = sum(r["over_bound"] or r["killed"] for r in adv["runs"])
        rows.append(
            ("adversarial inputs", f"{len(adv['runs']) - over} of {len(adv['runs'])} within the bound", "all")
        )
    return rows


BEGIN = "<!-- benchmark report: begin (python -m benchmarks --report --write-readme) -->"
END = "<!-- benchmark report: end -->"


def write_readme(report: str, readme: Path = REPO / "README.md") -> None:
    """Put ``report`` between the markers of the README's Performance section."""
    text = readme.read_text(encoding="utf-8")
    block = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not block.search(text):
        raise SystemExit(f"bench: {readme} has no benchmark markers ({BEGIN})")
    readme.write_text(block.sub(lambda _: f"{BEGIN}\n\n{report}\n\n{END}", text, count=1), encoding="utf-8")
