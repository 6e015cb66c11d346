"""Start a real Streamlit server and a headless Chromium for the cold-start and memory benchmarks.

Every server is started in its own process group and ended through that group when the block exits, even on
an error, so a benchmark never leaves a server (or a Chromium it spawned) running.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

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


@contextmanager
def streamlit_server(script: Path, *, env: dict[str, str] | None = None) -> Iterator[Server]:
    """`streamlit run script` on a free port from the project root (so both apps read the same config).

    The product's app.py is started the way `make run` starts it: `python serve.py`, which warms up while the
    server starts (components/warmup.py).
    """
    port = free_port()
    options = ["--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false"]
    if Path(script).resolve() == ROOT / "app.py":
        cmd = [sys.executable, str(ROOT / "serve.py"), *options]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", str(script), *options]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        yield Server(proc, f"http://127.0.0.1:{port}", started)
    finally:
        stop(proc)


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


def wait_healthy(server: Server, timeout: float = 60.0) -> float:
    """Poll /_stcore/health until the server answers; returns seconds since spawn."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.proc.returncode}")
        try:
            with urllib.request.urlopen(server.url + "/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - server.started
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"streamlit did not answer within {timeout:.0f} s")


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
