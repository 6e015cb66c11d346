"""Shared timing helpers and the one row format every benchmark module returns.

Every benchmark module exposes `run() -> list[dict]`; each dict is one row of the final table, built with
`row()` (or `timed_row()`), so that the runner can print one table and decide the exit status:

    dict(name="dataset: load + validate", unit="ms", median=83.1, min=80.2, max=95.0, n=5,
         target=100.0, ok=True, note="cpu 79 ms")

- `unit`: "ms", "s", "MB" or "x" (a ratio). `median`, `min`, `max` are in that unit.
- `stat` (optional): "mean" when the `median` column holds the mean (see `row()`).
- `target`: an upper bound on the median, or None for a row that is only informative (then `ok` is None).
- `ok`: True/False against the target; None without a target.
- `note`: free text (CPU time, ratio, what was measured, why something was skipped).
- `profile` (optional): a text profile the runner prints below the table when the row missed its target.

Wall-clock time is what the targets are about; CPU time is recorded too because the benchmark machine may be
shared, and a large gap between the two means the run waited for the CPU rather than did more work.
"""

from __future__ import annotations

import gc
import logging
import os
import statistics
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

MIN_RUNS = 5
# Which clock in-process timings are judged on: "wall" (what a user waits) or "cpu" (this process's CPU time,
# for a machine shared with other work, where waiting for a core would otherwise count as slowness).
# Server benchmarks (cold start, memory) always use the wall clock. Set by `python -m benchmarks --clock`.
CLOCK = "wall"
COLUMNS = ("name", "median", "min", "max", "n", "target", "ok")


@dataclass(frozen=True)
class Samples:
    """Wall-clock and CPU time of each measured run, in milliseconds (warm-up runs excluded)."""

    wall: list[float]
    cpu: list[float]

    @property
    def judged(self) -> list[float]:
        """The samples of the clock targets are judged on (see CLOCK)."""
        return self.cpu if CLOCK == "cpu" else self.wall

    @property
    def other(self) -> list[float]:
        """The samples of the other clock, shown in the note."""
        return self.wall if CLOCK == "cpu" else self.cpu

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def measure(fn: Callable[[], Any], *, runs: int = MIN_RUNS, warmup: int = 1) -> Samples:
    """Call `fn` `warmup` times unmeasured, then `runs` times measured (at least MIN_RUNS).

    The garbage collector runs before each measured call, so that one call does not pay for the garbage of
    the previous one.
    """
    runs = max(runs, MIN_RUNS)
    for _ in range(warmup):
        fn()
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        w, c = time_once(fn)
        wall.append(w)
        cpu.append(c)
    return Samples(wall, cpu)


def time_once(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one call, for callers that interleave two measured calls."""
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000


def row(name: str, values: Iterable[float], *, unit: str = "ms", target: float | None = None,
        note: str = "", stat: str = "median", **extra: Any) -> dict[str, Any]:
    """One table row from raw values: median/min/max/n, and `ok` = median <= target (None without target).

    `stat="mean"` puts the mean in the `median` column instead (the table marks it), for a target that is
    about a total spread over samples, such as memory growth per session.
    """
    vals = [float(v) for v in values]
    if not vals:
        raise ValueError(f"{name}: no values to summarise")
    if stat not in ("median", "mean"):
        raise ValueError(f"{name}: stat must be 'median' or 'mean', not {stat!r}")
    center = statistics.median(vals) if stat == "median" else statistics.fmean(vals)
    out = dict(name=name, unit=unit, median=center, min=min(vals), max=max(vals), n=len(vals), target=target,
               ok=None if target is None else center <= target, note=note, **extra)
    if stat == "mean":
        out["stat"] = "mean"
    return out


def clock_label(name: str) -> str:
    """A row name that says when it was judged on CPU time rather than the wall clock."""
    return f"{name} [cpu]" if CLOCK == "cpu" else name


def timed_row(name: str, samples: Samples, *, target: float | None = None, note: str = "",
              **extra: Any) -> dict[str, Any]:
    """A row from `measure()` samples in ms, judged on CLOCK; the other clock's median goes into the note."""
    other = f"{'wall' if CLOCK == 'cpu' else 'cpu'} {statistics.median(samples.other):.0f} ms"
    return row(clock_label(name), samples.judged, unit="ms", target=target, note=f"{other}; {note}" if note else other,
               **extra)


def skipped_row(name: str, reason: str) -> dict[str, Any]:
    """A row for a measurement that could not run; it has no target, so it never fails the run by itself."""
    return dict(name=name, unit="", median=None, min=None, max=None, n=0, target=None, ok=None,
                note=f"skipped: {reason}")


def failed_row(name: str, reason: str) -> dict[str, Any]:
    """A row for a measurement that broke: it fails the run, since a benchmark that crashes proves nothing."""
    return dict(name=name, unit="", median=None, min=None, max=None, n=0, target=None, ok=False,
                note=f"error: {reason}")


def fmt(value: float | None, unit: str) -> str:
    """A number with its unit, with sensible precision: 0.8 ms, 83 ms, 2.41 s, 1.3x, 212.4 MB."""
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "ms":
        return f"{value:.1f} ms" if abs(value) < 10 else f"{value:.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:g} {unit}".strip()


def format_table(rows: list[dict[str, Any]]) -> str:
    """The rows as a plain-text table: name, median, min, max, n, target, ok, note."""
    header = ["name", "median", "min", "max", "n", "target", "ok", "note"]
    body = []
    for r in rows:
        unit = r.get("unit", "")
        target = "-" if r.get("target") is None else f"<= {fmt(r['target'], unit)}"
        ok = {True: "ok", False: "MISS", None: "-"}[r.get("ok")]
        center = fmt(r.get("median"), unit) + (" (mean)" if r.get("stat") == "mean" else "")
        body.append([str(r["name"]), center, fmt(r.get("min"), unit),
                     fmt(r.get("max"), unit), str(r.get("n", 0)), target, ok, str(r.get("note", ""))])
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header) - 1)]
    right = {1, 2, 3, 4}

    def line(cells: list[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells[:-1], widths, strict=True))]
        return "  ".join([*parts, cells[-1]]).rstrip()

    rule = "  ".join("-" * w for w in widths) + "  ----"
    return "\n".join([line(header), rule, *(line(b) for b in body)])


def missed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows that failed: a missed target or a broken measurement (ok is False)."""
    return [r for r in rows if r.get("ok") is False]


def exit_status(rows: list[dict[str, Any]]) -> int:
    """0 when every target was met and nothing broke, else 1."""
    return 1 if missed(rows) else 0


def load_average() -> str:
    """The 1-minute load average and the core count: context for reading wall-clock numbers."""
    try:
        one = os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on Linux
        return f"{os.cpu_count()} cores"
    return f"load average {one:.2f} on {os.cpu_count()} cores"


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB, read from /proc/<pid>/status (VmRSS, reported in kB)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for text in f:
            if text.startswith("VmRSS:"):
                return int(text.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def tree_rss_mb(pid: int) -> float:
    """RSS of a process plus its children (a server started through a wrapper still counts whole)."""
    total = rss_mb(pid)
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            children = [int(c) for c in f.read().split()]
    except OSError:
        children = []
    for child in children:
        with suppress(OSError, RuntimeError):  # the child may exit between the listing and the read
            total += tree_rss_mb(child)
    return total


def profile_text(profiler: Any, *, threshold: float = 0.03, max_lines: int = 45) -> str:
    """The top of a pyinstrument profile: frames taking at least `threshold` of the time, at most max_lines."""
    text = profiler.output_text(unicode=False, color=False, show_all=False,
                                processor_options={"filter_threshold": threshold})
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # Drop pyinstrument's banner (logo and recorded/duration lines) and keep the tree.
    start = next((i for i, ln in enumerate(lines) if ln.startswith("Profile at")), -1) + 1
    lines = lines[start:]
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], f"... ({len(lines) - max_lines} more lines)"]
    return "\n".join(lines)


class _DropBareModeWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "missing ScriptRunContext" not in record.getMessage()


@contextmanager
def quiet_streamlit_logs():
    """Drop Streamlit's bare-mode warnings ('missing ScriptRunContext') that would bury the table.

    A filter rather than a log level: Streamlit resets its loggers' level when it parses its config, which
    AppTest's first run does.
    """
    import streamlit.logger  # noqa: F401 - creates the logger the filter attaches to

    log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    flt = _DropBareModeWarnings()
    log.addFilter(flt)
    try:
        yield
    finally:
        log.removeFilter(flt)
