"""The benchmark helpers (benchmarks/common.py): timing, rows, targets, the table, RSS. No benchmark runs here."""

from __future__ import annotations

import os
import time

import pytest

from benchmarks.common import (
    MIN_RUNS,
    exit_status,
    failed_row,
    fmt,
    format_table,
    measure,
    missed,
    row,
    rss_mb,
    skipped_row,
    time_once,
    timed_row,
)


def test_measure_warms_up_then_runs_at_least_five_times():
    calls = []
    samples = measure(lambda: calls.append(1), runs=2, warmup=3)
    assert len(calls) == 3 + MIN_RUNS  # runs below the minimum are raised to it
    assert len(samples.wall) == len(samples.cpu) == MIN_RUNS


def test_measure_times_in_milliseconds_wall_and_cpu():
    samples = measure(lambda: time.sleep(0.02), runs=5, warmup=0)
    assert all(18 <= w < 1000 for w in samples.wall)
    # Sleeping costs wall time but next to no CPU: the two clocks are kept apart.
    assert samples.cpu_median < 10 < samples.median


def test_time_once_returns_wall_and_cpu_ms():
    wall, cpu = time_once(lambda: sum(i * i for i in range(200_000)))
    assert wall > 0 and cpu > 0


def test_row_summarises_values_and_checks_the_median_against_the_target():
    r = row("x", [5, 1, 9, 3, 7], target=5)
    assert (r["median"], r["min"], r["max"], r["n"]) == (5, 1, 9, 5)
    assert r["ok"] is True and r["unit"] == "ms"
    assert row("x", [5, 6, 100, 6, 6], target=5.5)["ok"] is False  # median 6 > 5.5
    assert row("x", [1, 2, 3])["ok"] is None  # no target: informative only


def test_row_mean_stat_uses_the_mean_and_the_table_says_so():
    r = row("growth", [0, 0, 0, 0, 40], unit="MB", target=5, stat="mean")
    assert r["median"] == 8 and r["ok"] is False  # median 0 would hide the 40 MB jump
    assert "8.0 MB (mean)" in format_table([r])
    with pytest.raises(ValueError):
        row("x", [1], stat="mode")


def test_row_rejects_no_values():
    with pytest.raises(ValueError):
        row("x", [])


def test_timed_row_puts_cpu_median_in_the_note():
    samples = measure(lambda: None, runs=5, warmup=0)
    r = timed_row("noop", samples, target=1000, note="hello")
    assert r["note"].startswith("cpu ") and r["note"].endswith("; hello")
    assert r["ok"] is True and r["n"] == 5


def test_failed_and_skipped_rows_decide_the_exit_status():
    ok = row("a", [1, 1, 1, 1, 1], target=2)
    info = row("b", [9, 9, 9, 9, 9])
    skipped = skipped_row("c", "no chromium")
    assert exit_status([ok, info, skipped]) == 0
    broken = failed_row("d", "ValueError: boom")
    assert exit_status([ok, broken]) == 1 and missed([ok, broken]) == [broken]
    slow = row("e", [3, 3, 3, 3, 3], target=2)
    assert exit_status([ok, slow]) == 1 and missed([ok, slow, info]) == [slow]


@pytest.mark.parametrize(("value", "unit", "text"), [
    (0.84, "ms", "0.8 ms"), (83.4, "ms", "83 ms"), (2.414, "s", "2.41 s"), (1.333, "x", "1.33x"),
    (212.44, "MB", "212.4 MB"), (None, "ms", "-"),
])
def test_fmt(value, unit, text):
    assert fmt(value, unit) == text


def test_format_table_has_every_column_and_one_line_per_row():
    rows = [row("dataset: load", [80, 90, 100, 85, 95], target=100, note="cpu 70 ms"),
            row("page / empty", [2, 2, 2, 2, 2], unit="x", target=1.5),
            skipped_row("cold start", "no chromium")]
    lines = format_table(rows).splitlines()
    assert lines[0].split() == ["name", "median", "min", "max", "n", "target", "ok", "note"]
    assert len(lines) == 2 + len(rows)
    load, ratio, skip = lines[2:]
    assert "90 ms" in load and "80 ms" in load and "100 ms" in load and "<= 100 ms" in load
    assert " ok " in load and load.endswith("cpu 70 ms")
    assert "2.00x" in ratio and "<= 1.50x" in ratio and "MISS" in ratio
    assert "skipped: no chromium" in skip
    # Columns line up: every row's median ends where the header's "median" ends.
    end = lines[0].index("median") + len("median")
    assert all(line[end - 1] != " " for line in lines[2:4])


def test_rss_mb_reads_this_process():
    mb = rss_mb(os.getpid())
    assert 5 < mb < 10_000
    blob = bytearray(64 * 1024 * 1024)  # touch 64 MB: RSS must grow by about that much
    blob[::4096] = b"x" * len(blob[::4096])
    assert rss_mb(os.getpid()) - mb > 50
    del blob
