"""Cold start: from spawning `streamlit run` to the first Plotly chart visible in headless Chromium.

The product (app.py, whose first page shows a chart) is measured against a one-line app with one Plotly chart,
started the same way in the same run: the ratio is what the product adds to Streamlit's own start. The two
are started alternately so that a busy machine slows both alike. The browser is launched before the clock
starts (it is not part of the server's start); each start gets a fresh browser context, so nothing is cached.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import MIN_RUNS, format_table, row, skipped_row
from benchmarks.servers import (
    CHART_SELECTOR,
    ONE_LINE_APP,
    ROOT,
    chromium,
    chromium_available,
    streamlit_server,
    wait_healthy,
)

TARGET_S = 3.0
TARGET_RATIO = 1.5


FIRST_ELEMENT = '[data-testid="stMain"] [data-testid="stElementContainer"]'


def time_to_first_chart(browser: Any, script: Path) -> tuple[float, float, float, float]:
    """Seconds from spawning the server to: the first chart visible, the server answering /health, the page's
    websocket opening (the browser has loaded Streamlit's frontend) and the script's first element drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        with streamlit_server(script) as server:
            healthy = wait_healthy(server)
            opened: list[float] = []
            page.on("websocket", lambda _ws: opened.append(time.perf_counter() - server.started))
            page.goto(server.url + "/", wait_until="commit")
            page.wait_for_selector(FIRST_ELEMENT, state="attached", timeout=90_000)
            first = time.perf_counter() - server.started
            page.wait_for_selector(CHART_SELECTOR, state="visible", timeout=90_000)
            chart = time.perf_counter() - server.started
            return chart, healthy, (opened[0] if opened else float("nan")), first
    finally:
        context.close()


def _phases(samples: list[tuple[float, float, float, float]]) -> str:
    """Medians of the phases of a start: server up, browser connected, first element, first chart."""
    med = [statistics.median(s[i] for s in samples) for i in range(4)]
    return (f"server answers {med[1]:.2f} s, websocket open {med[2]:.2f} s, first element {med[3]:.2f} s, "
            f"chart {med[0]:.2f} s")


def profile_first_run() -> str:
    """pyinstrument profile of app.py's first script run in a fresh process, after serve.py's warm-up.

    Run in a child process, since this one has long imported everything. The warm-up (imports, first figure,
    map shapes) runs first and is timed on its own, as under `python serve.py`, where it overlaps the
    browser's loading of the page; the profile is of the first run that follows. Together they are the part
    of a cold start that the app controls; the rest is Streamlit's own start and the browser.
    """
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_startup", "--profile-first-run"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        return f"(profiling failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode})"
    return proc.stdout.rstrip()


def _print_first_run_profile() -> None:
    import os

    from benchmarks.bench_pages import APP, profiled_script_thread
    from benchmarks.common import profile_text, quiet_streamlit_logs

    with quiet_streamlit_logs(), tempfile.TemporaryDirectory(prefix="iscm-bench-") as tmp:
        os.environ["ISCM_ATLAS_HOME"] = tmp  # an empty survey store, as on a fresh install
        from components import warmup

        t0 = time.perf_counter()
        warmup.start(after_server=False)
        warmup.wait(timeout=120)
        print(f"serve.py's warm-up in a fresh process: {time.perf_counter() - t0:.2f} s wall "
              f"({warmup.error or 'no error'}); under serve.py it runs while the browser loads the page")
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(APP, default_timeout=300)
        wall, cpu = time.perf_counter(), time.process_time()
        with profiled_script_thread() as prof:
            at.run()
        print(f"then the first run of app.py (Overview): {time.perf_counter() - wall:.2f} s wall, "
              f"{time.process_time() - cpu:.2f} s cpu")
        print(profile_text(prof, threshold=0.02, max_lines=40))


def run(runs: int = MIN_RUNS, profile: bool = True) -> list[dict[str, Any]]:
    reason = chromium_available()
    if reason:
        return [skipped_row("cold start: first chart visible", reason)]
    runs = max(runs, MIN_RUNS)
    app = ROOT / "app.py"
    product: list[tuple[float, float, float, float]] = []
    baseline: list[tuple[float, float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="iscm-bench-") as tmp, chromium() as browser:
        one_line = Path(tmp) / "one_line_app.py"
        one_line.write_text(ONE_LINE_APP, encoding="utf-8")
        # Warm-up: one start of each, so the first measured start does not pay for cold disk caches and .pyc.
        time_to_first_chart(browser, one_line)
        time_to_first_chart(browser, app)
        for _ in range(runs):
            baseline.append(time_to_first_chart(browser, one_line))
            product.append(time_to_first_chart(browser, app))
    floor = statistics.median(s[0] for s in baseline)
    rows = [
        row("cold start: one-line app, first chart", [s[0] for s in baseline], unit="s", note=_phases(baseline)),
        row("cold start: app.py, first chart", [s[0] for s in product], unit="s", target=TARGET_S,
            note=_phases(product) + " (started as `make run` does: python serve.py)"),
        row("cold start: app.py / one-line app", [s[0] / floor for s in product], unit="x", target=TARGET_RATIO,
            note=f"one-line app median {floor:.2f} s"),
    ]
    if profile and not (rows[1]["ok"] and rows[2]["ok"]):
        rows[1]["profile"] = profile_first_run()
    return rows


if __name__ == "__main__":
    if "--profile-first-run" in sys.argv:
        _print_first_run_profile()
    else:
        print(format_table(run()))
