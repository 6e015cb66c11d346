"""Start the app (or any Streamlit script) on a free port, and a headless Chromium, for benchmarks and tests.

The one place that starts a server: the benchmarks (bench_browser.py with its script-run log), the browser
tests (tests/browser/conftest.py, the sign-in tests' server with its own secrets), tests/test_serve.py and the
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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext, suppress
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
LOOPBACK = "127.0.0.1"


def start_app(script: Path = APP, *, env: Mapping[str, str | None] | None = None, options: Sequence[str] = (),
              output: int | IO[bytes] | Path = subprocess.DEVNULL, port: int | None = None,
              command: Sequence[str] | None = None, address: str | None = LOOPBACK) -> Server:
    """`streamlit run script` on a free loopback port from the project root (so every app reads the same
    config), in its own process group. Returns at once; `wait_healthy` waits for the server to answer.

    The product's app.py is started the way `make run` starts it: `python serve.py`, which warms up while the
    server starts (components/warmup.py); `command` replaces that launcher (e.g. a wrapper that logs script
    runs: the server options follow it). `env` is added to this process's environment (a None value removes
    a variable), `options` to the server's command line. `port` is a port chosen beforehand (when a secrets
    file must name it), else a free one; `address=None` leaves the listening address to the server's own
    default. `output` (a file, or a path to write) receives the server's stdout and stderr.
    """
    port = port or free_port()
    base = ["--server.headless", "true", "--server.port", str(port),
            *(["--server.address", address] if address else []), "--browser.gatherUsageStats", "false", *options]
    if command:
        cmd = [*command, *base]
    elif Path(script).resolve() == APP:
        cmd = [sys.executable, str(ROOT / "serve.py"), *base]
    else:
        cmd = [sys.executable, "-m", "streamlit", "run", str(script), *base]
    return spawn(cmd, port, env=env, output=output)


def spawn(cmd: Sequence[str], port: int, *, env: Mapping[str, str | None] | None = None,
          output: int | IO[bytes] | Path = subprocess.DEVNULL) -> Server:
    """Run `cmd`, which serves on loopback `port`, from the project root in its own process group (what
    `start_app` does once it has built the command; `make run` is started this way, as it takes no server
    options). `env` and `output` as for `start_app`."""
    environ = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    started = time.perf_counter()
    with open(output, "wb") if isinstance(output, Path) else nullcontext(output) as out:
        # a file opened here is closed at once: the server keeps its own copy of the descriptor
        proc = subprocess.Popen(list(cmd), cwd=ROOT, env=environ, stdout=out, start_new_session=True,
                                stderr=subprocess.STDOUT if out is not subprocess.DEVNULL else subprocess.DEVNULL)
    return Server(proc, f"http://{LOOPBACK}:{port}", started)


@contextmanager
def streamlit_server(script: Path = APP, *, env: Mapping[str, str | None] | None = None,
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
