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
from urllib.parse import parse_qsl

from benchmarks.common import (
    MIN_RUNS,
    Samples,
    clock_label,
    failed_row,
    profile_text,
    quiet_streamlit_logs,
    row,
    time_once,
    timed_row,
)

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


@contextmanager
def server_like_script_cache():
    """Keep compiled scripts between AppTest runs, as the server does between reruns.

    AppTest builds a new ScriptCache for every run, so each rerun would read, rewrite (magic) and compile
    app.py and the page file again; the server compiles each script once. Sharing one cache measures the
    server's rerun, and treats the empty page and the real pages alike.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    originals = (app_test.ScriptCache, local_script_runner.ScriptCache)
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    try:
        yield
    finally:
        app_test.ScriptCache, local_script_runner.ScriptCache = originals


# The shared frame alone, inside the real navigation: what every page pays before drawing its own content.
FRAME_APP = """import sys
sys.path.insert(0, {root!r})
import streamlit as st
from components.frame import app_pages
pages = [*app_pages(), st.Page("frame_only.py", title="Frame only", url_path="frame-only")]
st.navigation(pages, position="hidden").run()
"""
FRAME_PAGE = 'from components.frame import frame\nframe("Frame only")\n'


# Pages measured a second time with the query string a link to them carries.
SHOWN_WITH = [("pages/profile.py", "Profile", "iscm=prague-process"),
              ("pages/compare.py", "Compare", "compare=prague-process,budapest-process")]


def _switch(at: Any, path: str, query: str) -> None:
    """Open `path` with the query string `query` ("iscm=prague-process"; "" for none)."""
    at.query_params.clear()
    for k, v in parse_qsl(query):
        at.query_params[k] = v
    at.switch_page(path)


def run(runs: int = MIN_RUNS, profile: bool = True) -> list[dict[str, Any]]:
    previous_home = os.environ.get("ISCM_ATLAS_HOME")
    with quiet_streamlit_logs(), tempfile.TemporaryDirectory(prefix="iscm-bench-") as tmp, \
            server_like_script_cache():
        # An empty survey store: the benchmark measures the shipped data, not whatever a user imported.
        os.environ["ISCM_ATLAS_HOME"] = str(Path(tmp) / "store")
        try:
            from streamlit.testing.v1 import AppTest

            from components.frame import PAGES

            work = Path(tmp)
            (work / "empty_page.py").write_text(EMPTY_SCRIPT, encoding="utf-8")
            (work / "frame_app.py").write_text(FRAME_APP.format(root=str(ROOT)), encoding="utf-8")
            (work / "frame_only.py").write_text(FRAME_PAGE, encoding="utf-8")
            (work / "pages").symlink_to(ROOT / "pages", target_is_directory=True)
            empty = AppTest.from_file(str(work / "empty_page.py"), default_timeout=TIMEOUT_S)
            empty.run()
            app = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
            app.run()  # the first run must go through the entry script before switch_page works
            frame_app = AppTest.from_file(str(work / "frame_app.py"), default_timeout=TIMEOUT_S)
            frame_app.run()
            subjects = [(title, app, path, "", True) for path, title, _url, _icon in PAGES]
            # Profile and Compare as a user sees them, with an ISCM (pair) chosen, not their empty states.
            subjects += [(f"{title} ({q})", app, path, q, True) for path, title, q in SHOWN_WITH]
            subjects.append(("frame only, no page content", frame_app, "frame_only.py", "", False))
            return _measure(subjects, empty, max(runs, MIN_RUNS), profile)
        finally:
            if previous_home is None:
                os.environ.pop("ISCM_ATLAS_HOME", None)
            else:
                os.environ["ISCM_ATLAS_HOME"] = previous_home


def _first_error(at: Any) -> str | None:
    errors = [str(e.value) for e in at.exception]
    return errors[0].splitlines()[0][:160] if errors else None


def _measure(subjects: list[tuple[str, Any, str, str, bool]], empty: Any, runs: int,
             profile: bool) -> list[dict[str, Any]]:
    """Time each subject's warm rerun alternately with the empty page; rows for the floor and each subject."""
    floor_wall: list[float] = []
    floor_cpu: list[float] = []
    measured: dict[str, Samples] = {}
    broken: dict[str, str] = {}
    for title, at, path, query, _targeted in subjects:
        _switch(at, path, query)
        at.run()  # the switch itself, then one unmeasured warm-up rerun: caches are warm from here on
        at.run()
        if err := _first_error(at):
            broken[title] = err
            continue
        wall: list[float] = []
        cpu: list[float] = []
        for _ in range(runs):  # alternate: the floor and the page see the same machine load
            e_wall, e_cpu = time_once(empty.run)
            p_wall, p_cpu = time_once(at.run)
            floor_wall.append(e_wall)
            floor_cpu.append(e_cpu)
            wall.append(p_wall)
            cpu.append(p_cpu)
        if err := _first_error(at):
            broken[title] = err
        measured[title] = Samples(wall, cpu)

    if not measured:
        return [failed_row(f"page rerun: {t}", e) for t, e in broken.items()]
    floor_samples = Samples(floor_wall, floor_cpu)
    rows = [timed_row("page rerun: empty Streamlit page (floor)", floor_samples,
                      note=f"one-line script `{EMPTY_SCRIPT.strip()}`, timed alternately with every page")]
    floor = statistics.median(floor_samples.judged)
    for title, at, path, query, targeted in subjects:
        if title in broken:
            rows.append(failed_row(f"page rerun: {title}", broken[title]))
            continue
        samples = measured[title]
        time_row = timed_row(f"page rerun: {title}", samples, target=TARGET_MS if targeted else None,
                             note=path if targeted else "what every page pays first; no target")
        ratio_row = row(clock_label(f"page rerun / empty: {title}"), [m / floor for m in samples.judged],
                        unit="x", target=TARGET_RATIO if targeted else None, note=f"floor {floor:.1f} ms")
        if profile and targeted and not (time_row["ok"] and ratio_row["ok"]):
            # on the row that missed, which the runner prints profiles for (the ratio, mostly)
            (time_row if not time_row["ok"] else ratio_row)["profile"] = _profile_page(at, path, query)
        rows += [time_row, ratio_row]
    return rows


PROFILED_RUNS = 20


def _profile_page(at: Any, path: str, query: str) -> str:
    """Where a warm rerun's time goes: PROFILED_RUNS reruns in one profile (times are their sum).

    `wrapped_func` frames are Streamlit's own element calls (st.dataframe, st.plotly_chart, widgets): the
    part of a rerun that stays however fast the app's own code becomes.
    """
    _switch(at, path, query)
    at.run()
    with profiled_script_thread(interval=0.0005) as prof:
        for _ in range(PROFILED_RUNS):
            at.run()
    return f"{PROFILED_RUNS} warm reruns (seconds are their sum):\n" + profile_text(prof, threshold=0.04, max_lines=30)
