"""The local cluster tool and the load tool's proxy support: `python tools/cluster.py` starts and stops
everything it started (also on Ctrl-C); a load-test session keeps its replica when it reconnects, as a
browser does; the compose proxy configuration is one HAProxy accepts."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.cluster.conftest import missing
from tests.conftest import ROOT
from tools import loadtest as lt
from tools.cluster import haproxy_path

pytestmark = pytest.mark.cluster


def test_a_load_session_keeps_its_replica_when_it_reconnects(atlas_cluster):
    """Four sessions spread over the two replicas; after the others leave, one reconnects while its own
    replica has more open connections than the other: without its cookie, `leastconn` would send it to
    the other replica; with it, HAProxy sends it back to its own."""
    c = atlas_cluster
    ws_url = c.url.replace("http", "ws", 1) + "/_stcore/stream"

    async def scenario() -> tuple[list[str], str, float, dict[str, int]]:
        sessions = [lt.Session(ws_url, 60) for _ in range(4)]
        for s in sessions:
            await s.connect()
        first = [s.replica for s in sessions]
        mine = first[0]
        stay = next(s for s in sessions[1:] if s.replica == mine)
        for s in sessions:
            if s is not sessions[0] and s is not stay:
                await s.close()
        await sessions[0].close()  # its replica: 1 open connection (`stay`); the other: none
        await asyncio.sleep(0.5)
        scur = {name: int(row["scur"]) for name, row in c.stats().items()}
        await sessions[0].connect()
        seconds = await sessions[0].rerun("overview", {})
        await sessions[0].close()
        await stay.close()
        return first, mine, seconds, scur

    since = len(c.requests())
    with ThreadPoolExecutor(1) as pool:  # a thread of its own: Playwright's loop may run in this one
        first, mine, seconds, scur = pool.submit(asyncio.run, scenario()).result(timeout=300)
    other = ({"r1", "r2"} - {mine}).pop()
    assert sorted(first) == ["r1", "r1", "r2", "r2"]  # leastconn spread the four new sessions
    assert scur[mine] == 1 and scur[other] == 0
    ws = [r for r in c.requests()[since:] if r.path == "/_stcore/stream"]
    assert len(ws) == 5 and ws[-1].server == mine and ws[-1].status == 101
    assert seconds > 0  # the reconnected session ran the page on its replica


def test_the_cluster_command_starts_and_stops_everything(tmp_path):
    if haproxy_path() is None:
        missing("haproxy is not installed (`apt-get install haproxy`)")
    proc = subprocess.Popen([sys.executable, str(ROOT / "tools" / "cluster.py"), "--replicas", "2",
                             "--store", str(tmp_path / "store")], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
            if line.startswith("ready: "):
                break
        url = re.search(r"ready: (\S+)", lines[-1]).group(1)
        with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as r:
            cookies = r.headers.get_all("Set-Cookie")
            assert r.status == 200 and any(re.match(r"SERVERID=r[12];", k) for k in cookies), cookies
        found = re.findall(r"\(pid (\d+)\)|haproxy: pid (\d+)", "".join(lines))
        pids = [int(x) for pair in found for x in pair if x]
        assert len(pids) == 3 and all(Path(f"/proc/{p}").exists() for p in pids)
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, "".join(lines) + out
    assert out.strip().endswith("stopped")
    time.sleep(0.5)
    assert [p for p in pids if Path(f"/proc/{p}").exists()] == []  # no replica, no haproxy left
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/_stcore/health", timeout=2)
    assert (tmp_path / "store").is_dir()  # a store given with --store is kept


def test_the_compose_proxy_configuration_is_valid():
    haproxy = haproxy_path()
    if haproxy is None:
        missing("haproxy is not installed (`apt-get install haproxy`)")
    cfg = ROOT / "deploy" / "haproxy.cfg"
    text = cfg.read_text(encoding="utf-8")
    for directive in ("cookie SERVERID insert indirect nocache", "timeout tunnel", "balance leastconn",
                      "option httpchk GET /_stcore/health", "server-template app"):
        assert directive in text
    proc = subprocess.run([haproxy, "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
