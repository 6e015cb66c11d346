"""Server memory: RSS of the Streamlit process after one browser session, and its growth per extra session.

One server runs app.py. Sessions are real browser sessions (one Chromium context each, kept open), each
loading the Overview page and waiting for its chart. RSS is read from /proc/<pid>/status (VmRSS) after each
session has loaded, so every extra session gives one growth sample; the target is on their mean, which is the
growth per session that 20 users would cost (single increments are lumpy: the allocator grows in chunks).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks.common import row, rss_mb, skipped_row, tree_rss_mb
from benchmarks.servers import (
    CHART_SELECTOR,
    ROOT,
    chromium,
    chromium_available,
    streamlit_server,
    wait_healthy,
)

SESSIONS = 20
TARGET_MB = 10.0
SETTLE_S = 1.0


def _settled_rss(pid: int) -> float:
    """RSS once the server has finished the session's script runs (the reading stops moving)."""
    last = rss_mb(pid)
    for _ in range(10):
        time.sleep(SETTLE_S / 4)
        now = rss_mb(pid)
        if abs(now - last) < 0.5:
            return now
        last = now
    return last


def _open_session(browser: Any, url: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url + "/overview", wait_until="commit")
    page.wait_for_selector(CHART_SELECTOR, state="visible", timeout=120_000)
    page.wait_for_selector('[data-testid="stDataFrame"]', state="visible", timeout=60_000)
    return context


def run(sessions: int = SESSIONS) -> list[dict[str, Any]]:
    reason = chromium_available()
    if reason:
        return [skipped_row("memory: growth per extra session", reason)]
    readings: list[float] = []
    contexts: list[Any] = []
    with chromium() as browser, streamlit_server(ROOT / "app.py") as server:
        wait_healthy(server)
        idle = _settled_rss(server.pid)
        try:
            for _ in range(sessions):
                contexts.append(_open_session(browser, server.url))
                readings.append(_settled_rss(server.pid))
            with_children = tree_rss_mb(server.pid)
        finally:
            for c in contexts:
                c.close()
        time.sleep(3 * SETTLE_S)
        after_close = rss_mb(server.pid)
    growth = [b - a for a, b in zip(readings, readings[1:], strict=False)]
    per_session = (readings[-1] - readings[0]) / (len(readings) - 1)
    return [
        row("memory: server RSS, no session", [idle], unit="MB", note="after start, before any browser"),
        row("memory: server RSS after 1 session", [readings[0]], unit="MB", note="Overview loaded"),
        row(f"memory: server RSS after {sessions} sessions", [readings[-1]], unit="MB",
            note=f"{with_children:.0f} MB with child processes; {after_close:.0f} MB once all were closed"),
        row("memory: growth per extra session", growth, unit="MB", target=TARGET_MB, stat="mean",
            note=f"mean of {len(growth)} increments = (RSS{sessions} - RSS1) / {len(growth)} = "
                 f"{per_session:.1f} MB; median {statistics.median(growth):.1f} MB"),
    ]
