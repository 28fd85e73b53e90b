"""No input can crash extraction, hang it, or make its output unparseable."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ROOT

from govextract.decode import DecodeError, decode
from govextract.engine import Extractor
from govextract.record import FIELDS
from govextract.ruleset import load_rules
from govextract.writers import dumps

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


_PIECES = [
    "共办理",
    "案件",
    "同比下降",
    "增长",
    "百分之",
    "万元",
    "亿元",
    "件",
    "起",
    "人",
    "个",
    "％",
    "%",
    "。",
    "，",
    "\n",
    " ",
    "\u3000",
    "2021年",
    "6月15日",
    "第",
    "全省",
    "排名",
    "前列",
    "获评",
    "“",
    "”",
    "■",
    "- 1 ",
    "一",
    "二",
    "十",
    "百",
    "千",
    "万",
    "亿",
    "两",
    "点",
    "余",
    "多",
    "近",
    "约",
    "以上",
    "左右",
    "個",
    "條",
    "億",
    "漳州市",
    "思明区",
    "连续",
    "年",
    "届",
    "连冠",
    "被评为",
    "称号",
    "授予",
    "前20名",
    "１２３",
]
report_like = st.lists(
    st.one_of(
        st.sampled_from(_PIECES), st.integers(0, 10**9).map(str), st.decimals(0, 1000, places=2).map(str)
    ),
    max_size=60,
).map("".join)


def _check_outputs(records) -> None:
    for r in records:
        if r.value is not None:
            assert math.isfinite(r.value)
    parsed = json.loads(dumps(records, "json"))
    assert len(parsed) == len(records)
    lines = dumps(records, "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == parsed
    rows = list(csv.reader(io.StringIO(dumps(records, "csv"))))
    assert rows[0] == list(FIELDS)
    assert len(rows) == len(records) + 1


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=report_like)
def test_report_like_text_gives_valid_records_and_output(extractor, text):
    records = extractor.run(text, "-").records
    for r in records:
        assert text[r.start : r.end] == r.text
    _check_outputs(records)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300))
def test_any_unicode_gives_valid_records_and_output(extractor, text):
    records = extractor.run(text, "-").records
    for r in records:
        assert text[r.start : r.end] == r.text
    _check_outputs(records)


@pytest.mark.slow
def test_a_rule_that_backtracks_times_out_with_a_warning(tmp_path):
    rule_dir = tmp_path / "rules"
    rule_dir.mkdir()
    (rule_dir / "slow.toml").write_text(
        """
[[rule]]
id = "count.catastrophic"
kind = "count"
pattern = '(?:(?:件起)|(?:件)(?:起))+X(?P<num>\\d+)(?P<unit>宗)'
produce = { value = "$num", unit = "$unit" }
negatives = ["无"]

[[rule.examples]]
text = "件起X3宗"
expect = [{ value = 3, unit = "宗" }]
""",
        encoding="utf-8",
    )
    extractor = Extractor(load_rules([rule_dir]), timeout=0.2)
    text = "共办理法律援助 6238 件。\n" + "件起" * 40 + "Y\n热线咨询 13780件。"
    started = time.monotonic()
    result = extractor.run(text, "slow.txt")
    assert time.monotonic() - started < 30
    assert any("count.catastrophic" in w and "slow.txt" in w and "timed out" in w for w in result.warnings)
    # The other rules and the other sentences are untouched.
    assert [r.value for r in result.records if r.rule == "count.measure_word"] == [6238, 13780]


def _mutations(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(4)
    if choice == 0:  # truncated anywhere, even inside a UTF-8 sequence
        return data[: rng.randrange(len(data) + 1)]
    out = bytearray(data)
    if choice == 1:  # random bytes overwritten
        for _ in range(rng.randrange(1, 40)):
            out[rng.randrange(len(out))] = rng.randrange(256)
    elif choice == 2:  # a slice repeated, a slice dropped
        i, j = sorted(rng.sample(range(len(out)), 2))
        out = out[:i] + out[i:j] * 2 + out[j:]
        k = rng.randrange(len(out))
        del out[k : k + rng.randrange(200)]
    else:  # NUL bytes and line breaks sprinkled in
        for _ in range(rng.randrange(1, 20)):
            out.insert(rng.randrange(len(out)), rng.choice([0, 10, 13, 32]))
    return bytes(out)


@pytest.mark.slow
def test_a_thousand_truncated_or_corrupted_seeds(extractor):
    rng = random.Random(20261121)
    seeds = [p.read_bytes() for p in SEEDS]
    processed = refused = 0
    for i in range(1000):
        data = _mutations(seeds[i % len(seeds)], rng)
        try:
            text = decode(data)
        except DecodeError as exc:
            assert str(exc)  # a reason a person can read
            refused += 1
            continue
        records = extractor.run(text, f"mutant-{i}").records
        for r in records:
            assert text[r.start : r.end] == r.text
        processed += 1
    assert processed + refused == 1000
    assert processed > 500
