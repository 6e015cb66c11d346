"""Every page's server-side rerun with a warm cache, against the rerun of an empty Streamlit page.

Both run through Streamlit's AppTest in this process: AppTest executes the script in a script-runner thread
exactly as the server does, without a browser or a websocket. The empty page is the framework's floor: what
any rerun costs before the app does anything. The two are timed alternately, so that a busy machine slows
both alike and the ratio stays meaningful.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import MIN_RUNS, failed_row, profile_text, quiet_streamlit_logs, row, time_once

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
EMPTY_SCRIPT = "import streamlit as st\n"
TARGET_MS = 150.0
TARGET_RATIO = 1.5
TIMEOUT_S = 180


@contextmanager
def profiled_script_thread(interval: float = 0.001):
    """Profile (pyinstrument) the script-runner thread that AppTest starts for each run.

    A profiler started in the calling thread would only see AppTest waiting, so the thread body itself is
    wrapped while the context is open.
    """
    from pyinstrument import Profiler
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    prof = Profiler(interval=interval, async_mode="disabled")
    original = LocalScriptRunner._run_script_thread

    def wrapped(self):  # noqa: ANN001, ANN202 - same signature as the method it wraps
        prof.start()
        try:
            return original(self)
        finally:
            prof.stop()

    LocalScriptRunner._run_script_thread = wrapped
    try:
        yield prof
    finally:
        LocalScriptRunner._run_script_thread = original


def _errors(at: Any) -> list[str]:
    return [str(e.value) for e in at.exception]


def run(runs: int = MIN_RUNS, profile: bool = True) -> list[dict[str, Any]]:
    # An empty survey store: the benchmark measures the shipped data, not whatever a user imported.
    os.environ["ISCM_ATLAS_HOME"] = tempfile.mkdtemp(prefix="iscm-bench-store-")
    with quiet_streamlit_logs():
        from streamlit.testing.v1 import AppTest

        from components.frame import PAGES

        with tempfile.TemporaryDirectory(prefix="iscm-bench-") as tmp:
            empty_path = Path(tmp) / "empty_page.py"
            empty_path.write_text(EMPTY_SCRIPT, encoding="utf-8")
            empty = AppTest.from_file(str(empty_path), default_timeout=TIMEOUT_S)
            empty.run()
            return _measure_pages(AppTest, PAGES, empty, max(runs, MIN_RUNS), profile)


def _measure_pages(app_test: Any, pages: list[tuple[str, str, str, str]], empty: Any, runs: int,
                   profile: bool) -> list[dict[str, Any]]:
    at = app_test.from_file(APP, default_timeout=TIMEOUT_S)
    at.run()  # the first run must go through app.py before switch_page works
    empty_ms: list[float] = []
    page_ms: dict[str, list[float]] = {}
    cpu_ms: dict[str, list[float]] = {}
    broken: dict[str, str] = {}
    for path, title, _url, _icon in pages:
        at.switch_page(path)
        at.run()  # the switch itself, then one unmeasured warm-up rerun: caches are warm from here on
        at.run()
        if _errors(at):
            broken[title] = _errors(at)[0].splitlines()[0][:160]
            continue
        page_ms[title], cpu_ms[title] = [], []
        for _ in range(runs):
            e = time_once(empty.run)
            p = time_once(at.run)
            empty_ms.append(e[0])
            page_ms[title].append(p[0])
            cpu_ms[title].append(p[1])
        if _errors(at):
            broken[title] = _errors(at)[0].splitlines()[0][:160]

    floor = statistics.median(empty_ms)
    rows = [row("page rerun: empty Streamlit page (floor)", empty_ms,
                note=f"one-line script `{EMPTY_SCRIPT.strip()}`, timed alternately with every page")]
    for path, title, _url, _icon in pages:
        if title in broken:
            rows.append(failed_row(f"page rerun: {title}", broken[title]))
            continue
        ms = page_ms[title]
        cpu = statistics.median(cpu_ms[title])
        time_row = row(f"page rerun: {title}", ms, target=TARGET_MS, note=f"cpu {cpu:.0f} ms; {path}")
        ratio_row = row(f"page rerun / empty: {title}", [m / floor for m in ms], unit="x",
                        target=TARGET_RATIO, note=f"floor {floor:.1f} ms")
        if profile and not (time_row["ok"] and ratio_row["ok"]):
            time_row["profile"] = _profile_page(at, path)
        rows += [time_row, ratio_row]
    return rows


def _profile_page(at: Any, path: str) -> str:
    at.switch_page(path)
    at.run()
    with profiled_script_thread() as prof:
        at.run()
    return profile_text(prof)
