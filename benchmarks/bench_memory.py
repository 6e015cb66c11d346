"""Server memory: RSS of the Streamlit process after one session, and its growth per extra session.

One server runs app.py. Each session is a client of Streamlit's own websocket protocol (/_stcore/stream, the
protobuf BackMsg/ForwardMsg the browser speaks): it connects, asks for the Overview page and reads every
message until the script run has finished, then stays connected. The server holds exactly what it holds for
a browser tab (session, session state, widget state, media such as download data); a client costs a fraction
of a second, where a Chromium tab on a busy machine costs seconds, so 20 sessions fit in the time budget.
RSS is read from /proc/<pid>/status (VmRSS) after each session, so every extra session gives one growth
sample; the target is on their mean, the growth per session that 20 users cost (single increments are lumpy:
the allocator grows in chunks).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from benchmarks.common import row, rss_mb, tree_rss_mb
from benchmarks.servers import ROOT, Server, streamlit_server, wait_healthy

SESSIONS = 20
TARGET_MB = 10.0
PAGE = "overview"
SESSION_TIMEOUT_S = 180


class SessionError(RuntimeError):
    pass


async def open_session(server: Server, page: str = PAGE) -> Any:
    """Connect one session, run `page` to the end, and return the open connection.

    Raises SessionError when the page shows an exception, so a broken page cannot pass as a light one.
    """
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    url = server.url.replace("http://", "ws://", 1) + "/_stcore/stream"
    ws = await websockets.connect(url, subprotocols=["streamlit"], max_size=None)
    try:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = page
        await ws.send(msg.SerializeToString())
        elements = 0
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), SESSION_TIMEOUT_S))
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                elements += 1
                if fwd.delta.new_element.WhichOneof("type") == "exception":
                    raise SessionError(f"{page}: {fwd.delta.new_element.exception.message[:160]}")
            elif kind == "page_not_found":
                raise SessionError(f"page '{page}' not found")
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise SessionError(f"{page}: compile error")
                break
        if elements < 5:
            raise SessionError(f"{page} drew only {elements} element(s)")
        return ws
    except BaseException:
        await ws.close()
        raise


def _settled_rss(pid: int, settle: float = 0.5) -> float:
    """RSS once the reading stops moving (the server may still be freeing the run's temporaries)."""
    last = rss_mb(pid)
    for _ in range(8):
        time.sleep(settle / 2)
        now = rss_mb(pid)
        if abs(now - last) < 0.25:
            return now
        last = now
    return last


async def _measure(server: Server, sessions: int) -> tuple[float, list[float], float, float, list[float]]:
    idle = _settled_rss(server.pid)
    readings: list[float] = []
    seconds: list[float] = []
    open_ws: list[Any] = []
    try:
        for _ in range(sessions):
            t0 = time.perf_counter()
            open_ws.append(await open_session(server))
            seconds.append(time.perf_counter() - t0)
            readings.append(_settled_rss(server.pid))
        with_children = tree_rss_mb(server.pid)
    finally:
        for ws in open_ws:
            await ws.close()
    await asyncio.sleep(2)
    return idle, readings, with_children, rss_mb(server.pid), seconds


def run(sessions: int = SESSIONS) -> list[dict[str, Any]]:
    with streamlit_server(ROOT / "app.py") as server:
        wait_healthy(server)
        idle, readings, with_children, after_close, seconds = asyncio.run(_measure(server, sessions))
    growth = [b - a for a, b in zip(readings, readings[1:], strict=False)]
    per_session = (readings[-1] - readings[0]) / len(growth)
    return [
        row("memory: server RSS, no session", [idle], unit="MB", note="after start, before any session"),
        row("memory: server RSS after 1 session", [readings[0]], unit="MB",
            note=f"Overview run to the end in {seconds[0]:.1f} s (first run: loads data, imports)"),
        row(f"memory: server RSS after {sessions} sessions", [readings[-1]], unit="MB",
            note=f"{with_children:.0f} MB with child processes; {after_close:.0f} MB after all disconnected"),
        row("memory: growth per extra session", growth, unit="MB", target=TARGET_MB, stat="mean",
            note=f"(RSS{sessions} - RSS1) / {len(growth)} = {per_session:.2f} MB; median increment "
                 f"{statistics.median(growth):.2f} MB; Overview per session in {statistics.median(seconds[1:]):.1f} s"),
    ]
