"""Start the app (or any Streamlit script) on a free port, and a headless Chromium, for benchmarks and tests.

The one place that starts a server: the benchmarks, the browser tests (tests/browser/conftest.py) and the
load tool (tools/loadtest.py) all call `start_app` / `streamlit_server`, `wait_healthy` and `stop`. Every
server is started in its own process group and ended through that group, even on an error, so nothing is
left running (neither the server nor a Chromium it spawned).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHART_SELECTOR = ".js-plotly-plot .main-svg"
# One line, one Plotly chart: the smallest app that shows what the product's first page shows first.
ONE_LINE_APP = ("import streamlit as st; import plotly.graph_objects as go; "
                "st.plotly_chart(go.Figure(go.Bar(x=['a', 'b', 'c'], y=[3, 1, 2])))\n")


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    started: float  # time.perf_counter() just before the process was spawned

    @property
    def pid(self) -> int:
        return self.proc.pid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_available() -> str | None:
    """None when a browser benchmark can run, else the reason it cannot."""
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (set CHROMIUM_PATH)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


APP = ROOT / "app.py"


def start_app(script: Path = APP, *, env: dict[str, str] | None = None, options: Sequence[str] = (),
              output: int | IO[bytes] = subprocess.DEVNULL) -> Server:
    """`streamlit run script` on a free loopback port from the project root (so every app reads the same
    config), in its own process group; `output` receives the server's stdout and stderr.

    The product's app.py is started the way `make run` starts it: `python serve.py`, which warms up while the
    server starts (components/warmup.py). `env` is added to this process's environment, `options` to the
    server's command line. Returns at once; `wait_healthy` waits for the server to answer.
    """
    port = free_port()
    base = ["--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false", *options]
    if Path(script).resolve() == APP:
        cmd = [sys.executable, str(ROOT / "serve.py"), *base]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", str(script), *base]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=output,
                            stderr=subprocess.STDOUT if output is not subprocess.DEVNULL else subprocess.DEVNULL,
                            start_new_session=True)
    return Server(proc, f"http://127.0.0.1:{port}", started)


@contextmanager
def streamlit_server(script: Path = APP, *, env: dict[str, str] | None = None,
                     options: Sequence[str] = ()) -> Iterator[Server]:
    """`start_app` for the length of a `with` block; the server is stopped when the block exits."""
    server = start_app(script, env=env, options=options)
    try:
        yield server
    finally:
        stop(server.proc)


def stop(proc: subprocess.Popen) -> None:
    """End the server's process group (the server and anything it started), politely first."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # Children that outlived the leader (same group id, which is the leader's pid) are ended too.
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def wait_healthy(server: Server | str, timeout: float = 60.0) -> float:
    """Poll /_stcore/health until the server (a started `Server`, or the URL of one running elsewhere)
    answers; returns seconds since spawn (since the call for a URL). RuntimeError if the server exits,
    TimeoutError if it does not answer in time."""
    url = server if isinstance(server, str) else server.url
    proc = None if isinstance(server, str) else server.proc
    since = time.perf_counter() if isinstance(server, str) else server.started
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - since
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"no answer from {url}/_stcore/health within {timeout:.0f} s")


@contextmanager
def chromium() -> Iterator[object]:
    """A headless system Chromium through Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"])
        try:
            yield browser
        finally:
            browser.close()
