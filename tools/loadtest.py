"""Load test: N concurrent sessions drive the running dashboard the way browsers do, then stop by themselves.

    python tools/loadtest.py                      # starts a server on 127.0.0.1, N = 1, 10, 50, 60 s each
    python tools/loadtest.py --url http://127.0.0.1:8501 --sessions 10 --duration 30
    python tools/loadtest.py --replicas 1,2 --sessions 50    # through HAProxy: 1 replica, then 2 (tools/cluster.py)
    make load

Each session speaks Streamlit's own websocket protocol (`/_stcore/stream`, the protobuf `BackMsg` /
`ForwardMsg` messages shipped in `streamlit.proto`), so the server does for it exactly what it does for a
browser tab: a session with its own script runs, session state, widget state and media. A session connects,
opens a page, then until the time is up it waits a user's "think time", changes the filters
(`?iscm=...&theme=...&region=...&type=...`) or switches to another page (with a query string that page reads:
`/profile?iscm=`, `/compare?compare=`, `/membership?country=`), and measures the time from sending the rerun
request to the `script_finished` message. What is not emulated: the browser's own work (drawing Plotly) and
its HTTP requests for media and static files; both are served outside the script thread.

Errors counted: an exception element in the page, a page not found, a compile error, a dropped connection
and a rerun that does not finish within --timeout. Server RSS comes from /proc/<pid>/status (VmRSS) sampled
twice a second; server CPU from /proc/<pid>/stat, so the report shows the CPU one rerun costs the server.

Think time (the pause between one user's actions) is 5-15 s by default: each action redraws a page of three
to six charts and tables, and a user reads some of it before the next click. The offered load is about
N / think time reruns per second, so the think time decides what N means: 50 users at 5-15 s ask about
5 reruns/s; at 1-5 s (`--think-min 1 --think-max 5`, a stress test) about 17/s. The report shows that pace,
the throughput reached and the server's ceiling, 1 / (server CPU per rerun), which is meaningful once the
server is busy: script runs hold Python's GIL, so one server process does about one core of Python work
however many cores the machine has.

Behind a proxy (`--url` of HAProxy, or `--replicas 1,2`, which starts tools/cluster.py's local cluster for
each count in turn), each session keeps the cookies the proxy sets on its websocket handshake (HAProxy's
SERVERID) and sends them again whenever it reconnects, as a browser does, so it stays on its replica. The
report then shows how many sessions each replica got and each replica's server CPU.

Why a protocol client and not browsers: 50 Chromium tabs would need far more CPU than the server under test
on a 2-core machine, and would measure the browsers. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python tools/loadtest.py` puts tools/ first, not the project root
    sys.path.insert(0, str(ROOT))

from benchmarks.servers import Server, start_app, stop, wait_healthy  # noqa: E402 - after the sys.path fix

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TARGET_P95_S = 1.5
PROXY_COOKIE = "SERVERID"  # the affinity cookie of tools/cluster.py and deploy/haproxy.cfg
HARD_CAP_S = 900  # no run of this script lasts longer, whatever the options say


# --- the plan: pages and query strings ---------------------------------------------------------------------

@dataclass(frozen=True)
class Vocabulary:
    """Ids a user can pick from: they come from the dataset the server shows, so every query is valid."""

    iscms: list[str]
    themes: list[str]
    countries: list[str]
    regions: tuple[str, ...] = ("Africa", "Americas", "Asia", "Europe", "Oceania", "Global")
    types: tuple[str, ...] = ("RCP", "IRF", "Global")


def vocabulary() -> Vocabulary:
    from iscm.dataset import DEFAULT_DATA_DIR, load

    ds = load(Path(os.environ.get("ISCM_DATA_DIR") or DEFAULT_DATA_DIR))
    return Vocabulary(iscms=sorted(ds.iscms["iscm_id"]), themes=sorted(ds.themes["theme_id"]),
                      countries=sorted(set(ds.memberships["iso3"])))


def filter_query(rnd: random.Random, v: Vocabulary) -> dict[str, str]:
    """A filter change as a user makes it: usually one or two filters, sometimes none (cleared)."""
    q: dict[str, str] = {}
    for param, pool, p in (("iscm", v.iscms, 0.35), ("theme", v.themes, 0.45), ("region", v.regions, 0.3),
                           ("type", v.types, 0.25)):
        if rnd.random() < p:
            q[param] = ",".join(rnd.sample(list(pool), rnd.choice((1, 1, 2))))
    return q


def page_query(page: str, rnd: random.Random, v: Vocabulary) -> dict[str, str]:
    """The query string a link to `page` carries: the page's own parameter plus, often, global filters."""
    if page == "profile":
        return {"iscm": rnd.choice(v.iscms)}
    if page == "compare":
        return {"compare": ",".join(rnd.sample(v.iscms, rnd.choice((2, 3))))}
    q = filter_query(rnd, v)
    if page == "membership" and rnd.random() < 0.3:
        q["country"] = rnd.choice(v.countries)
    return q


# --- one session -------------------------------------------------------------------------------------------

class RerunError(Exception):
    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


@dataclass
class Sample:
    seconds: float
    page: str
    action: str  # first | filter | page


@dataclass
class LevelStats:
    samples: list[Sample] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    replicas: dict[str, int] = field(default_factory=dict)  # sessions per replica (the proxy's cookie value)

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.examples) < 8:
            self.examples.append(f"{kind}: {detail}")


class Session:
    """One websocket session; `rerun` sends a request and returns when the script run has finished."""

    def __init__(self, ws_url: str, timeout: float):
        self.ws_url, self.timeout = ws_url, timeout
        self.ws: Any = None
        # Cookies the proxy set on the handshake (HAProxy's SERVERID=r1): sent on every reconnect, as a
        # browser sends them, so the session stays on its replica.
        self.cookies: dict[str, str] = {}
        # page key -> (url path, page_script_hash), from the navigation message. The default page's url path
        # is "" (the app's root); its key is its lower-cased name, "overview".
        self.pages: dict[str, tuple[str, str]] = {}

    async def connect(self) -> None:
        import websockets

        jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=self.timeout, ping_interval=None,
                                           additional_headers={"Cookie": jar} if jar else None)
        for raw in self.ws.response.headers.get_all("Set-Cookie"):
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0].strip()

    @property
    def replica(self) -> str:
        """The replica the proxy pinned this session to (its cookie value), or "-" without a proxy."""
        return self.cookies.get(PROXY_COOKIE, "-")

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
            self.ws = None

    async def rerun(self, page: str, query: dict[str, str]) -> float:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = urllib.parse.urlencode(query, safe=",")
        state.page_name, state.page_script_hash = self.pages.get(page, ("" if page == "overview" else page, ""))
        state.widget_states.SetInParent()
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        deadline = started + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RerunError("timeout", f"{page}?{state.query_string} did not finish in {self.timeout:.0f} s")
            try:
                raw = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                continue
            except Exception as e:  # websockets.ConnectionClosed and transport errors
                raise RerunError("disconnect", f"{page}: {type(e).__name__}: {e}") from None
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                if el.WhichOneof("type") == "exception":
                    raise RerunError("exception", f"{page}?{state.query_string}: {el.exception.type}: "
                                                  f"{el.exception.message[:200]}")
            elif kind == "navigation":
                # pages with a path of their own; the default page (the app's front door, served at /) is
                # reached as "overview" through the fallback above
                self.pages = {p.url_pathname: (p.url_pathname, p.page_script_hash)
                              for p in fwd.navigation.app_pages if p.url_pathname}
            elif kind == "page_not_found":
                raise RerunError("page not found", page)
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RerunError("compile error", page)
                if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return time.perf_counter() - started
                # FINISHED_EARLY_FOR_RERUN: the script asked for another run (st.rerun); wait for that one


async def drive(idx: int, ws_url: str, v: Vocabulary, args: argparse.Namespace, deadline: float,
                stats: LevelStats, start_delay: float) -> None:
    """One user: open a page, then alternate thinking and acting until the deadline or --max-reruns."""
    rnd = random.Random(args.seed * 1000 + idx)
    await asyncio.sleep(start_delay)
    session = Session(ws_url, args.timeout)
    page = rnd.choice(["overview", "overview", "themes", "membership", "network", "data", "profile"])
    action, query = "first", page_query(page, rnd, v)
    done = 0
    try:
        while time.perf_counter() < deadline and done < args.max_reruns:
            if session.ws is None:
                try:
                    await session.connect()
                except Exception as e:
                    stats.error("connect", f"{type(e).__name__}: {e}")
                    await asyncio.sleep(1)
                    continue
                if done == 0:
                    stats.replicas[session.replica] = stats.replicas.get(session.replica, 0) + 1
            try:
                seconds = await session.rerun(page, query)
                stats.samples.append(Sample(seconds, page, action))
            except RerunError as e:
                stats.error(e.kind, e.detail)
                if e.kind in ("timeout", "disconnect"):
                    await session.close()  # a fresh session; the old run's late messages are not ours
            done += 1
            pause = rnd.uniform(args.think_min, args.think_max)
            if time.perf_counter() + pause >= deadline:
                break
            await asyncio.sleep(pause)
            pages = sorted(session.pages) or ["overview"]
            if rnd.random() < 0.45 and len(pages) > 1:
                page = rnd.choice([p for p in pages if p != page])
                action, query = "page", page_query(page, rnd, v)
            else:
                action = "filter"
                query = page_query(page, rnd, v) if page in ("profile", "compare") else filter_query(rnd, v)
    finally:
        await session.close()


# --- the server ----------------------------------------------------------------------------------------------

def _healthy(target: str | Server, timeout: float) -> None:
    """Wait until the server answers (benchmarks.servers.wait_healthy); a failure ends the tool with why."""
    try:
        wait_healthy(target, timeout=timeout)
    except (RuntimeError, TimeoutError) as exc:
        raise SystemExit(str(exc)) from None


@contextlib.contextmanager
def own_server(store: str | None, extra: list[str] | None = None) -> Iterator[tuple[str, int]]:
    """The dashboard as `make run` starts it (`python serve.py`) on a free loopback port, in its own process
    group, always ended on exit (benchmarks.servers.start_app)."""
    home = store or tempfile.mkdtemp(prefix="iscm-load-store-")
    server = start_app(env={"ISCM_ATLAS_HOME": home}, options=[
        "--server.fileWatcherType", "none", "--logger.level", "error", *(extra or [])])
    try:
        _healthy(server, timeout=90)
        yield server.url, server.pid
    finally:
        stop(server.proc)
        if store is None:
            import shutil

            shutil.rmtree(home, ignore_errors=True)


def listening_pid(port: int) -> int | None:
    """The process listening on a local TCP port (from /proc/net/tcp*), for RSS of a server we attach to."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as fh:
            for line in list(fh)[1:]:
                cols = line.split()
                if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "0A":  # 0A = LISTEN
                    inodes.add(f"socket:[{cols[9]}]")
    if not inodes:
        return None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                        return int(pid)
    return None


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process (all its threads), from /proc/<pid>/stat."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def main_thread_cpu_seconds(pid: int | None) -> float | None:
    """CPU time of the server's main thread: the event loop that serializes and sends every message.
    The rest of the process's CPU is spent in script-runner threads (the pages' own code)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/task/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def loadavg() -> str:
    with contextlib.suppress(OSError), open("/proc/loadavg", encoding="ascii") as fh:
        return " ".join(fh.read().split()[:3])
    return "n/a"


# --- one level (N sessions) ------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    """Percentile by linear interpolation (q in 0..100); nan for no values."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _total(values: list[float | None]) -> float | None:
    return None if not values or any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


async def run_level(n: int, url: str, pid: int | None | dict[str, int | None], v: Vocabulary,
                    args: argparse.Namespace) -> dict[str, Any]:
    """N sessions against `url`. `pid` is the server's process, or {replica name: process} behind a proxy:
    RSS and CPU are then the replicas' sums, and `per_replica` has each one's CPU, RSS and sessions."""
    pids = pid if isinstance(pid, dict) else {"-": pid}
    ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
    stats = LevelStats()
    load_before = loadavg()
    cpus0 = {k: cpu_seconds(p) for k, p in pids.items()}
    mains0 = {k: main_thread_cpu_seconds(p) for k, p in pids.items()}
    rss0, proc0 = _total([rss_mb(p) for p in pids.values()]), time.process_time()
    cpu0, main0 = _total(list(cpus0.values())), _total(list(mains0.values()))
    peak = rss0 or 0.0
    start = time.perf_counter()
    ramp = min(args.ramp, args.duration / 3)
    deadline = start + ramp + args.duration
    tasks = [asyncio.create_task(drive(i, ws_url, v, args, deadline, stats, ramp * i / max(n, 1)))
             for i in range(n)]

    async def sample_rss() -> None:
        nonlocal peak
        while True:
            peak = max(peak, _total([rss_mb(p) for p in pids.values()]) or 0.0)
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample_rss())
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=ramp + args.duration + args.timeout + 30)
    except TimeoutError:
        stats.error("stuck", "sessions still running after the level's time; cancelled")
    finally:
        sampler.cancel()
        for t in tasks:
            t.cancel()
    wall = time.perf_counter() - start
    acts = [s for s in stats.samples if s.action != "first"]
    secs = [s.seconds for s in acts]
    cpus1 = {k: cpu_seconds(p) for k, p in pids.items()}
    cpu1, main1 = _total(list(cpus1.values())), _total([main_thread_cpu_seconds(p) for p in pids.values()])
    rss1 = _total([rss_mb(p) for p in pids.values()])
    per_page: dict[str, list[float]] = {}
    for s in acts:
        per_page.setdefault(s.page, []).append(s.seconds)
    server_cpu = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    return {
        "sessions": n, "reruns": len(acts), "first_loads": len(stats.samples) - len(acts),
        "p50_s": pct(secs, 50), "p95_s": pct(secs, 95), "max_s": max(secs, default=float("nan")),
        "first_load_p95_s": pct([s.seconds for s in stats.samples if s.action == "first"], 95),
        "errors": sum(stats.errors.values()), "error_kinds": stats.errors, "error_examples": stats.examples,
        "rss_start_mb": rss0, "rss_peak_mb": max(peak, rss1 or 0.0) if rss0 is not None else None,
        "rss_end_mb": rss1, "wall_s": wall,
        "server_cpu_s": server_cpu,
        "server_cpu_per_rerun_s": server_cpu / len(stats.samples) if server_cpu and stats.samples else None,
        "throughput_per_s": len(stats.samples) / wall if wall > 0 else None,
        # what the users ask for: each acts once per think time (as if reruns took no time)
        "offered_per_s": n / max((args.think_min + args.think_max) / 2, 1e-3),
        "server_cpu_share_of_wall": server_cpu / wall if server_cpu else None,
        "event_loop_share": (main1 - main0) / server_cpu if server_cpu and main0 is not None and main1 else None,
        "client_cpu_s": time.process_time() - proc0,
        "loadavg_before": load_before, "loadavg_after": loadavg(),
        "per_page": {p: {"n": len(x), "p50_s": pct(x, 50), "p95_s": pct(x, 95)} for p, x in sorted(per_page.items())},
        "per_replica": {k: {"sessions": stats.replicas.get(k, 0), "rss_end_mb": rss_mb(p),
                            "cpu_s": cpus1[k] - cpus0[k] if cpus0[k] is not None and cpus1[k] is not None else None}
                        for k, p in pids.items()} if isinstance(pid, dict) else {},
        "sessions_per_replica": dict(sorted(stats.replicas.items())),
        # the ceiling is per process (one core of Python work each): k replicas reach k times it, given k cores
        "processes": len(pids),
    }


async def warm_up(url: str, v: Vocabulary, args: argparse.Namespace) -> dict[str, float]:
    """One visit to every page before measuring: a server's first runs import modules and fill caches.

    The first request is for the app's root, as a browser opening the app sends it: it runs app.py, whose
    st.navigation makes the server leave the legacy pages/ mode (see docs/architecture.md) for good.
    """
    s = Session(url.replace("http", "ws", 1) + "/_stcore/stream", max(args.timeout, 120))
    await s.connect()
    times: dict[str, float] = {}
    try:
        times["overview"] = await s.rerun("", {})
        rnd = random.Random(args.seed)
        for page in sorted(s.pages):
            if page != "overview":
                times[page] = await s.rerun(page, page_query(page, rnd, v))
    finally:
        await s.close()
    return times


# --- report --------------------------------------------------------------------------------------------------

def _f(x: float | None, fmt: str = "{:.2f}") -> str:
    return "n/a" if x is None or x != x else fmt.format(x)


def table(levels: list[dict[str, Any]]) -> str:
    head = ("| sessions | reruns | p50 s | p95 s | max s | errors | first load p95 s | server RSS MB "
            "(start / peak / end) | server CPU s per rerun | server CPU / wall | reruns/s: asked / done / "
            "ceiling | load avg (before -> after) |")
    lines = [head, "|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---|---|"]
    for r in levels:
        kinds = ", ".join(f"{k} {n}" for k, n in r["error_kinds"].items())
        lines.append(
            f"| {r['sessions']} | {r['reruns']} | {_f(r['p50_s'])} | {_f(r['p95_s'])} | {_f(r['max_s'])} | "
            f"{r['errors']}{f' ({kinds})' if kinds else ''} | {_f(r['first_load_p95_s'])} | "
            f"{_f(r['rss_start_mb'], '{:.0f}')} / {_f(r['rss_peak_mb'], '{:.0f}')} / {_f(r['rss_end_mb'], '{:.0f}')} | "
            f"{_f(r['server_cpu_per_rerun_s'], '{:.3f}')} | {_f(r['server_cpu_share_of_wall'])} | "
            f"{_f(r.get('offered_per_s'), '{:.1f}')} / {_f(r.get('throughput_per_s'), '{:.1f}')} / "
            f"{_f(r.get('processes', 1) / r['server_cpu_per_rerun_s'] if r['server_cpu_per_rerun_s'] else None, '{:.1f}')} | "
            f"{r['loadavg_before']} -> {r['loadavg_after']} |")
    return "\n".join(lines)


def page_table(level: dict[str, Any]) -> str:
    share = level.get("event_loop_share")
    lines = [f"Per page at {level['sessions']} sessions (server CPU: {_f(share and 100 * share, '{:.0f}')}% in "
             "the event-loop thread that sends messages, the rest in script runs):",
             "| page | reruns | p50 s | p95 s |", "|---|---:|---:|---:|"]
    for page, r in level["per_page"].items():
        lines.append(f"| {page} | {r['n']} | {_f(r['p50_s'])} | {_f(r['p95_s'])} |")
    return "\n".join(lines)


def replica_table(runs: list[dict[str, Any]]) -> str:
    """One row per (replicas, sessions) run through the proxy: what was served, how fast, at what CPU."""
    lines = ["| replicas | sessions | reruns/s done (asked) | p50 s | p95 s | errors | sessions per replica | "
             "server CPU s per replica (share of wall) | RSS MB per replica (end) |",
             "|---:|---:|---|---:|---:|---:|---|---|---|"]
    for r in runs:
        per = r.get("per_replica", {})
        cpu = ", ".join(f"{k} {_f(x['cpu_s'], '{:.1f}')} ({_f(x['cpu_s'] and x['cpu_s'] / r['wall_s'])})"
                        for k, x in per.items())
        rss = ", ".join(f"{k} {_f(x['rss_end_mb'], '{:.0f}')}" for k, x in per.items())
        sess = ", ".join(f"{k} {n}" for k, n in r.get("sessions_per_replica", {}).items())
        lines.append(f"| {r['replicas']} | {r['sessions']} | {_f(r['throughput_per_s'])} "
                     f"({_f(r['offered_per_s'], '{:.1f}')}) | {_f(r['p50_s'])} | {_f(r['p95_s'])} | {r['errors']} | "
                     f"{sess} | {cpu} | {rss} |")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="attach to a running server (loopback only), e.g. http://127.0.0.1:8501; "
                                 "default: start one on a free port and stop it at the end")
    p.add_argument("--pid", type=int, help="the server's process id, for RSS (found from the port if omitted)")
    p.add_argument("--sessions", default="1,10,50", help="comma-separated session counts, run one after another")
    p.add_argument("--duration", type=float, default=60.0, help="seconds each level runs after the ramp-up")
    p.add_argument("--ramp", type=float, default=5.0, help="sessions start spread over this many seconds")
    p.add_argument("--think-min", type=float, default=5.0, help="shortest pause between a user's actions, s")
    p.add_argument("--think-max", type=float, default=15.0, help="longest pause between a user's actions, s")
    p.add_argument("--timeout", type=float, default=30.0, help="a rerun not finished after this is an error, s")
    p.add_argument("--max-reruns", type=int, default=200, help="per session and level")
    p.add_argument("--target-p95", type=float, default=TARGET_P95_S, help="exit 1 if p95 is above this, s")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--store", help="survey store of the started server (default: a new empty folder)")
    p.add_argument("--replicas", help="comma-separated replica counts, e.g. 1,2: for each, start that many app "
                                      "processes behind HAProxy (tools/cluster.py) and run every level "
                                      "through the proxy")
    p.add_argument("--server-option", action="append", default=[], metavar="NAME=VALUE",
                   help="a Streamlit option for the started server, e.g. runner.postScriptGC=false (repeatable)")
    p.add_argument("--json", help="also write the results to this file")
    a = p.parse_args(argv)
    a.levels = [int(x) for x in a.sessions.split(",") if x.strip()]
    a.replica_counts = [int(x) for x in (a.replicas or "").split(",") if x.strip()]
    if a.replicas and (not a.replica_counts or min(a.replica_counts) < 1 or max(a.replica_counts) > 8):
        p.error("--replicas: counts between 1 and 8")
    if a.replicas and a.url:
        p.error("--replicas starts its own clusters; leave out --url")
    if not a.levels or min(a.levels) < 1 or max(a.levels) > 200:
        p.error("--sessions: counts between 1 and 200")
    if a.duration <= 0 or a.think_min < 0 or a.think_max < a.think_min:
        p.error("--duration must be positive and --think-min <= --think-max")
    total = sum(a.duration + min(a.ramp, a.duration / 3) for _ in a.levels) * max(len(a.replica_counts), 1)
    if total > HARD_CAP_S:
        p.error(f"the levels would run {total:.0f} s; the cap is {HARD_CAP_S} s")
    if a.url:
        host = urllib.parse.urlsplit(a.url).hostname or ""
        if host not in LOOPBACK:
            p.error(f"--url must be a loopback address ({', '.join(sorted(LOOPBACK))}), not {host!r}")
        a.url = a.url.rstrip("/")
    return a


async def _main(args: argparse.Namespace, url: str, pid: int | None | dict[str, int | None],
                warm_urls: list[str] | None = None) -> list[dict[str, Any]]:
    v = vocabulary()
    for target in warm_urls or [url]:  # behind a proxy: every replica directly, or some would start cold
        warm = await warm_up(target, v, args)
        print(f"warm-up of {target} (first run of each page, s): "
              + ", ".join(f"{p} {t:.2f}" for p, t in warm.items()), flush=True)
    levels = []
    for n in args.levels:
        print(f"running {n} session(s) for {args.duration:.0f} s ...", flush=True)
        levels.append(await run_level(n, url, pid, v, args))
        await asyncio.sleep(2)  # let the server drop the closed sessions before the next level
    return levels


def through_proxy(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every level through HAProxy, once per replica count, each on a fresh local cluster."""
    sys.path.insert(0, str(ROOT))
    from tools.cluster import cluster

    runs: list[dict[str, Any]] = []
    for k in args.replica_counts:
        with cluster(k, home=args.store) as c:
            pids: dict[str, int | None] = {r.name: r.pid for r in c.replicas}
            print(f"\n{k} replica(s) behind HAProxy at {c.url}: "
                  + ", ".join(f"{r.name} {r.url} (pid {r.pid})" for r in c.replicas)
                  + f"; {os.cpu_count()} CPU(s), load average {loadavg()}", flush=True)
            levels = asyncio.run(_main(args, c.url, pids, [r.url for r in c.replicas]))
        for r in levels:
            r["replicas"] = k
        print()
        print(table(levels))
        runs += levels
    return runs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.replica_counts:
        levels = through_proxy(args)
        print()
        print(replica_table(levels))
        for r in levels:
            for ex in r["error_examples"]:
                print(f"  error at {r['replicas']} replica(s), {r['sessions']} sessions: {ex}")
        if args.json:
            Path(args.json).write_text(json.dumps({"levels": levels}, indent=1, default=str), encoding="utf-8")
        return _verdict(levels, args)
    with contextlib.ExitStack() as stack:
        if args.url:
            url = args.url
            _healthy(url, timeout=10)
            pid = args.pid or listening_pid(urllib.parse.urlsplit(url).port or 80)
        else:
            extra = [f"--{o.split('=', 1)[0]}={o.split('=', 1)[1]}" for o in args.server_option if "=" in o]
            url, pid = stack.enter_context(own_server(args.store, extra))
        print(f"server {url} (pid {pid or 'unknown'}), {os.cpu_count()} CPU(s), load average {loadavg()}",
              flush=True)
        levels = asyncio.run(_main(args, url, pid))
    print()
    print(table(levels))
    print()
    print(page_table(levels[-1]))
    for r in levels:
        for ex in r["error_examples"]:
            print(f"  error at {r['sessions']} sessions: {ex}")
    if args.json:
        Path(args.json).write_text(json.dumps({"url": url, "levels": levels}, indent=1, default=str),
                                   encoding="utf-8")
    return _verdict(levels, args)


def _verdict(levels: list[dict[str, Any]], args: argparse.Namespace) -> int:
    missed = [r for r in levels if r["errors"] or not r["p95_s"] <= args.target_p95]
    for r in missed:
        where = f"{r['replicas']} replica(s), " if "replicas" in r else ""
        print(f"target missed at {where}{r['sessions']} session(s): {r['errors']} error(s), p95 {_f(r['p95_s'])} s "
              f"(target: 0 errors, p95 <= {args.target_p95} s)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
