"""Streaming within a file: a huge text is extracted window by window, cut at blank-line
breaks; its records are those of the windows, offsets and lines shifted, in order; the
output is the same with any --jobs; a bar within the file only on a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import ROOT
from test_progress import BAR, run_on_terminal

from govextract import stream
from govextract.documents import Input
from govextract.engine import Extraction, Extractor
from govextract.parallel import process
from govextract.record import Record

SEED = sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
# Wider than any gap inside a report: the windows are cut here.
SEP = "\n\n\n\n\n"
COPIES = 4


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def big_text() -> str:
    assert SEP not in SEED
    return SEP.join([SEED] * COPIES)


def part_records(extractor: Extractor, doc: str) -> list[Record]:
    """The records of each copy extracted alone, shifted to where it sits in the big text."""
    out: list[Record] = []
    one = extractor.run(SEED, doc).records
    assert one
    for k in range(COPIES):
        off = k * (len(SEED) + len(SEP))
        lines = k * (SEED.count("\n") + SEP.count("\n"))
        out += [
            r.model_copy(update={"start": r.start + off, "end": r.end + off, "line": r.line + lines})
            for r in one
        ]
    return out


def test_a_repeated_report_streams_as_its_parts(extractor):
    text = big_text()
    size = len(SEED) + len(SEP) + 10  # one copy per window
    assert stream.streamed(text, size)
    ends = stream.cuts(text, size)
    assert ends == [k * (len(SEED) + len(SEP)) for k in range(1, COPIES)] + [len(text)]
    warnings: list[str] = []
    got = list(stream.extract(extractor, text, "big", warnings, size=size))
    assert got == part_records(extractor, "big")
    assert all(r.text == text[r.start : r.end] for r in got)
    assert not warnings


def test_cuts_fall_at_line_starts_and_cover_the_text():
    text = ("第一段，共办理案件12件。\n" * 30 + "\n") * 40
    ends = stream.cuts(text, 1_000)
    assert ends[-1] == len(text) and ends == sorted(set(ends))
    assert all(text[e - 1] == "\n" for e in ends)
    assert all(b - a <= 1_000 for a, b in zip([0, *ends], ends, strict=False))


def test_a_text_without_line_ends_is_cut_after_a_sentence():
    text = "共办理案件12件，同比下降3%。" * 400
    ends = stream.cuts(text, 1_000)
    assert len(ends) > 1 and all(text[e - 1] == "。" for e in ends[:-1])


def test_a_cut_never_splits_a_crlf():
    text = ("共办理案件12件" * 100 + "\r\n") * 20
    ends = stream.cuts(text, 1_000)
    assert all(text[e - 1] == "\n" for e in ends)


def test_short_texts_are_not_streamed():
    assert not stream.streamed(SEED)
    assert stream.cuts(SEED) == [len(SEED)]


def test_a_failure_part_way_keeps_what_was_read(monkeypatch):
    monkeypatch.setenv("GOVEXTRACT_WINDOW", str(len(SEED) + len(SEP) + 10))
    real = Extractor()
    calls = []

    class Failing:
        rules = real.rules

        def run(self, text, doc):
            calls.append(doc)
            if len(calls) == 3:
                raise RuntimeError("boom")
            return real.run(text, doc)

    outcome = process(Input("big.txt", None), Failing(), text=big_text(), streaming=True)
    assert outcome.error is None
    records = list(outcome.records)
    assert records == part_records(real, "big.txt")[: 2 * len(real.run(SEED, "-").records)]
    assert outcome.error == "big.txt: extraction failed (RuntimeError: boom)"


def _parse(*args: str, window: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "GOVEXTRACT_WINDOW": str(window)}
    return subprocess.run(
        [sys.executable, "-m", "govextract", "parse", *args], capture_output=True, env=env, check=False
    )


def test_the_command_streams_a_big_file_and_jobs_agree(tmp_path, extractor):
    big = tmp_path / "big.txt"
    big.write_text(big_text(), encoding="utf-8")
    window = len(SEED) + len(SEP) + 10
    one = _parse(str(big), "-f", "jsonl", "-q", window=window)
    assert one.returncode == 0, one.stderr
    got = [json.loads(line) for line in one.stdout.decode().splitlines()]
    expect = [json.loads(r.model_dump_json()) for r in part_records(extractor, str(big))]
    assert got == expect
    seeds = str(ROOT / "seeds")
    for fmt in ("jsonl", "csv"):
        serial = _parse(seeds, str(big), seeds, "-f", fmt, "-q", "-j", "1", window=window)
        two = _parse(seeds, str(big), seeds, "-f", fmt, "-q", "-j", "2", window=window)
        assert serial.returncode == two.returncode == 0
        assert serial.stdout == two.stdout and serial.stdout


def test_a_bar_within_a_big_file_only_on_a_terminal(tmp_path, monkeypatch):
    (tmp_path / "big.txt").write_text(big_text(), encoding="utf-8")
    monkeypatch.setenv("GOVEXTRACT_WINDOW", str(len(SEED) + len(SEP) + 10))
    # records to a file: a pipe nobody reads while the terminal is read would fill up
    code, shown, _ = run_on_terminal("parse", "big.txt", "-f", "jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert code == 0
    assert BAR in shown and "parsing big.txt" in shown and "kB" in shown
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == COPIES * len(Extractor().run(SEED, "-").records)
    piped = _parse(str(tmp_path / "big.txt"), "-f", "jsonl", window=len(SEED) + len(SEP) + 10)
    assert piped.returncode == 0 and BAR not in piped.stderr.decode()
    quiet_code, quiet, _ = run_on_terminal("parse", "big.txt", "-q", "-o", "out.jsonl", cwd=tmp_path)
    assert quiet_code == 0 and BAR not in quiet


def test_a_warning_names_the_line_of_the_file():
    class Warns:
        def run(self, text, doc):
            return Extraction([], [], [f"{doc}: rule r timed out after 1 s near line 2; skipped"])

    text = big_text()
    warnings: list[str] = []
    assert list(stream.extract(Warns(), text, "big", warnings, size=len(SEED) + len(SEP) + 10)) == []
    per_copy = SEED.count("\n") + SEP.count("\n")
    assert warnings == [
        f"big: rule r timed out after 1 s near line {2 + k * per_copy}; skipped" for k in range(COPIES)
    ]
