"""Browser tests: the real server on a free localhost port, driven by Debian's Chromium through Playwright.

No browser is downloaded: Playwright launches the system Chromium. Where none exists (a laptop without
Chromium) these tests skip with the reason; under CI (CI=true) a missing Chromium is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import pytest

from benchmarks.servers import start_app, stop, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed browser test, put what the page showed into the report: the text of any Streamlit
    exception box (the traceback a page raised) and a screenshot in tests/artifacts/failed-<test>.png."""
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("page")
    if report.when != "call" or not report.failed or page is None:
        return
    try:
        boxes = page.locator('[data-testid="stException"]')
        texts = [boxes.nth(i).inner_text(timeout=2_000) for i in range(boxes.count())]
        if texts:
            report.sections.append(("Streamlit exception shown on the page", "\n\n".join(texts)))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)
        page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), timeout=10_000)
        report.sections.append(("page at failure", f"{page.url}\nscreenshot: tests/artifacts/failed-{name}.png"))
    except Exception as exc:  # noqa: BLE001 - a report helper must never hide the real failure
        report.sections.append(("page at failure", f"could not be captured: {exc}"))


@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    if chromium_path() is None:
        msg = "no Chromium found (install Debian's `chromium` or set CHROMIUM_PATH) - browser tests need it"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


def server_log(tmp_home: Path) -> Path:
    """Where `start_server` writes the output of the server whose survey store is `tmp_home`."""
    return tmp_home.parent / f"server-{tmp_home.name}.log"


def start_server(tmp_home: Path, env_extra: dict[str, str] | None = None, *, options: Sequence[str] = (),
                 port: int | None = None, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Start the app as `make run` does (`python serve.py`) on a free port (or `port`) with its own survey
    store and any further server `options` (benchmarks.servers.start_app); returns (process, url) once it
    answers, its output in `server_log(tmp_home)`."""
    log_path = server_log(tmp_home)
    server = start_app(env={"ISCM_ATLAS_HOME": str(tmp_home), **(env_extra or {})}, options=options, port=port,
                       output=log_path)
    try:
        wait_healthy(server, timeout=timeout)
    except (RuntimeError, TimeoutError) as exc:
        stop(server.proc)
        tail = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"streamlit did not start ({exc}); see {log_path}:\n{tail}") from exc
    return server.proc, server.url


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started by `start_server`, with anything it started (benchmarks.servers.stop)."""
    stop(proc)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    home = tmp_path_factory.mktemp("atlas-home") / "store"
    home.mkdir()
    proc, url = start_server(home)
    yield url
    stop_server(proc)


@pytest.fixture
def fresh_server(tmp_path):
    """Start servers of the test's own (each with an empty survey store); all are stopped after the test.

    Usage: `url, home = fresh_server()`. For journeys that write state (survey imports) or need a server
    that has seen no request yet; everything else shares the session server `app_url`.
    """
    procs: list[subprocess.Popen] = []

    def start(env_extra: dict[str, str] | None = None) -> tuple[str, Path]:
        home = tmp_path / f"store-{len(procs)}"
        home.mkdir()
        proc, url = start_server(home, env_extra)
        procs.append(proc)
        return url, home

    yield start
    for proc in procs:
        stop_server(proc)


@pytest.fixture
def net_log(page):
    """Every request the page makes, and every console error: tests assert nothing left localhost."""
    requests: list[str] = []
    errors: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return {"requests": requests, "errors": errors, "failed": failed}


# On a deep link (/<page>) Streamlit's frontend first probes /<page>/_stcore/{health,host-config} in case the
# path is a base URL, gets 404, then uses /_stcore/...: framework behaviour, not a fault of the app.
_PROBE = re.compile(r"^404 https?://[^/]+/[^_][^/]*/_stcore/(health|host-config)$")


def real_failures(failed: list[str]) -> list[str]:
    return [f for f in failed if not _PROBE.match(f)]


# plotly.js logs this when a map is removed (a tab switched, a page left) while it still fetches its world
# shapes: the fetch returns to a purged chart. The chart that replaces it draws normally; nothing shows.
PLOTLY_PURGED_MAP = "Cannot read properties of undefined (reading '_scrollZoom')"


def real_errors(errors: list[str], failed: list[str]) -> list[str]:
    """Console errors, without the 'Failed to load resource' lines that the probes above cause and without
    plotly.js's note about a map removed while it loaded (PLOTLY_PURGED_MAP)."""
    probes = len(failed) - len(real_failures(failed))
    out = []
    for e in errors:
        if e == PLOTLY_PURGED_MAP:
            continue
        if probes and e.startswith("Failed to load resource: the server responded with a status of 404"):
            probes -= 1
            continue
        out.append(e)
    return out


def non_local(urls: list[str]) -> list[str]:
    return [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
            and urlparse(u).hostname not in ("127.0.0.1", "localhost", "::1")]


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit finished running the page (no running indicator, main block present)."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
              && document.querySelectorAll('[data-testid="stElementContainer"]').length > 3""",
        timeout=timeout,
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
