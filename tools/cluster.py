"""A local cluster: K app processes behind a real HAProxy on loopback ports, all on one survey store.

    python tools/cluster.py                       # 2 replicas; prints the URL; Ctrl-C stops everything
    python tools/cluster.py --replicas 3 --port 8600 --store /tmp/atlas-store
    make cluster                                  # CLUSTER_ARGS="--replicas 3 --port 8600"

It is the production layout (compose.yaml, docs/deploy.md) on one machine: each replica is the app started
as `make run` starts it (`python serve.py`, benchmarks/servers.py) on a free 127.0.0.1 port, and HAProxy
(Debian's `haproxy` package) keeps each browser on one replica with an inserted cookie, `SERVERID=r1`,
`r2`, ... Every request of that browser carries it: the page, the websocket `/_stcore/stream` (all reruns
of a session run in the process that holds its websocket), `/media/...` and `/_stcore/upload_file/...`
(both only exist in the process that holds the session). New browsers go to the replica with the fewest
open connections (`balance leastconn`: each open tab is one long websocket).

The replicas share one cookie secret (generated per cluster), as replicas must: Streamlit signs the sign-in
cookie with it. They run with ISCM_EDITING=open (loopback only, no sign-in) unless --editing says otherwise.

Python API, used by tests/cluster/ and tools/loadtest.py:

    from tools.cluster import cluster
    with cluster(replicas=2) as c:
        c.url                 # the proxy: http://127.0.0.1:<port>
        c.replicas            # [Replica(name="r1", url=..., pid=...), ...]
        c.requests()          # what HAProxy sent where: [Request(server="r1", status=101, method="GET",
                              #   path="/_stcore/stream"), ...]  (logged as soon as the server answers)
        c.stats()             # per replica: HAProxy's live counters (status, scur, stot, ...)
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.servers import Server, free_port, stop, streamlit_server, wait_healthy  # noqa: E402

COOKIE = "SERVERID"
BACKEND = "replicas"
MAX_REPLICAS = 16


class ClusterError(Exception):
    """The cluster cannot start (no haproxy, a replica that exits); the message says what to do."""


@dataclass(frozen=True)
class Replica:
    name: str      # the SERVERID cookie value that pins a browser to this replica
    server: Server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def pid(self) -> int:
        return self.server.pid


@dataclass(frozen=True)
class Request:
    server: str    # replica name, or "<NOSRV>" when HAProxy answered itself
    status: int
    method: str
    path: str      # without the query string


@dataclass
class Cluster:
    url: str
    replicas: list[Replica]
    home: Path       # the shared survey store (ISCM_ATLAS_HOME of every replica)
    proxy: subprocess.Popen
    workdir: Path    # haproxy.cfg, the stats socket, haproxy.log

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def requests(self) -> list[Request]:
        """Every request HAProxy passed on so far, oldest first (one line each in haproxy.log)."""
        out = []
        with contextlib.suppress(FileNotFoundError):
            for line in (self.workdir / "haproxy.log").read_text(encoding="utf-8", errors="replace").splitlines():
                parts = line.split()
                if len(parts) == 5 and parts[0] == "req" and parts[2].lstrip("-").isdigit():
                    out.append(Request(parts[1], int(parts[2]), parts[3], parts[4].split("?", 1)[0]))
        return out

    def stats(self) -> dict[str, dict[str, str]]:
        """HAProxy's counters per replica (`show stat` on the admin socket): status (UP/DOWN), scur (open
        connections now, a tab's websocket is one), stot (connections so far), ..."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(str(self.workdir / "haproxy.sock"))
            s.sendall(b"show stat\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        text = b"".join(chunks).decode().lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {r["svname"]: r for r in rows if r["pxname"] == BACKEND and r["svname"] not in ("BACKEND",)}


def haproxy_config(port: int, servers: list[tuple[str, int]], workdir: Path) -> str:
    """The proxy of the local cluster: the same stickiness and timeouts as deploy/haproxy.cfg (compose), with
    fixed server names (r1, r2, ...) as cookie values so that tests can pin a browser to a replica."""
    lines = "\n".join(f"    server {name} 127.0.0.1:{p} check cookie {name}" for name, p in servers)
    return f"""\
# Generated by tools/cluster.py for one local cluster; deleted when the cluster stops.
global
    log stdout format raw local0
    stats socket {workdir / "haproxy.sock"} mode 600 level admin
    maxconn 4096

defaults
    mode http
    log global
    # one line per request as soon as the replica answered (a websocket's 101 too): see Cluster.requests()
    option logasap
    log-format "req %s %ST %HM %HU"
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    # a websocket (one per open tab) stays open as long as the tab: idle up to an hour
    timeout tunnel 1h
    timeout client-fin 30s

frontend atlas
    bind 127.0.0.1:{port}
    default_backend {BACKEND}

backend {BACKEND}
    balance leastconn
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
    default-server inter 1s fall 2 rise 1
{lines}
"""


def haproxy_path() -> str | None:
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(p).exists()), None)


def _wait_proxy(c: Cluster, timeout: float) -> None:
    """Until the proxy answers /_stcore/health and its checks see every replica UP."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if c.proxy.poll() is not None:
            log = (c.workdir / "haproxy.log").read_text(errors="replace")[-2000:]
            raise ClusterError(f"haproxy exited with code {c.proxy.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(c.url + "/_stcore/health", timeout=2) as r:
                states = {name: row["status"] for name, row in c.stats().items()}
                if r.status == 200 and all(s == "UP" for s in states.values()):
                    return
                last = f"replica states {states}"
        except OSError as e:
            last = str(e)
        time.sleep(0.2)
    raise ClusterError(f"the proxy at {c.url} was not ready within {timeout:.0f} s ({last})")


@contextlib.contextmanager
def cluster(replicas: int = 2, *, home: str | Path | None = None, port: int = 0, editing: str = "open",
            env: dict[str, str] | None = None, timeout: float = 120.0) -> Iterator[Cluster]:
    """Start `replicas` app processes and HAProxy in front of them; stop all of them when the block ends
    (also on an error or Ctrl-C). `home` is the shared survey store (default: a new empty folder, deleted
    afterwards); `port` the proxy's (0: a free one); `env` more environment for the replicas."""
    if not 1 <= replicas <= MAX_REPLICAS:
        raise ClusterError(f"replicas: between 1 and {MAX_REPLICAS}, not {replicas}")
    haproxy = haproxy_path()
    if haproxy is None:
        raise ClusterError("haproxy is not installed: `apt-get install haproxy` (Debian/Ubuntu)")
    workdir = Path(tempfile.mkdtemp(prefix="iscm-cluster-"))
    store = Path(home) if home is not None else workdir / "store"
    store.mkdir(parents=True, exist_ok=True)
    replica_env = {
        "ISCM_ATLAS_HOME": str(store),
        "ISCM_EDITING": editing,
        # every replica signs the sign-in cookie with the same secret, so any replica accepts it
        "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        **(env or {}),
    }
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        started = [Replica(f"r{i + 1}", stack.enter_context(streamlit_server(ROOT / "app.py", env=replica_env)))
                   for i in range(replicas)]
        for r in started:  # all start at once; wait for each
            try:
                wait_healthy(r.server, timeout=timeout)
            except (RuntimeError, TimeoutError) as e:
                raise ClusterError(f"replica {r.name} ({r.url}) did not start: {e}") from None
        proxy_port = port or free_port()
        cfg = workdir / "haproxy.cfg"
        cfg.write_text(haproxy_config(proxy_port, [(r.name, int(r.url.rsplit(":", 1)[1])) for r in started],
                                      workdir), encoding="utf-8")
        log = stack.enter_context(open(workdir / "haproxy.log", "ab"))
        proxy = subprocess.Popen([haproxy, "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        stack.callback(stop, proxy)
        c = Cluster(f"http://127.0.0.1:{proxy_port}", started, store, proxy, workdir)
        _wait_proxy(c, timeout)
        yield c


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--replicas", type=int, default=2, help="app processes (one per core is the rule)")
    p.add_argument("--port", type=int, default=0, help="the proxy's port on 127.0.0.1 (default: a free one)")
    p.add_argument("--store", help="shared survey store (default: a new empty folder, deleted at the end)")
    p.add_argument("--editing", default="open", choices=["open", "oidc", "off"],
                   help="ISCM_EDITING of the replicas (default: open, fine on loopback)")
    a = p.parse_args(argv)

    def interrupted(signum, frame):  # noqa: ANN001, ARG001 - SIGTERM/SIGHUP end the cluster like Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    try:
        with cluster(a.replicas, home=a.store, port=a.port, editing=a.editing) as c:
            for r in c.replicas:
                print(f"replica {r.name}: {r.url} (pid {r.pid})", flush=True)
            print(f"haproxy: pid {c.proxy.pid}, config {c.workdir / 'haproxy.cfg'}", flush=True)
            print(f"survey store: {c.home}", flush=True)
            print(f"ready: {c.url}  (Ctrl-C stops everything)", flush=True)
            while True:
                gone = [r.name for r in c.replicas if r.server.proc.poll() is not None]
                if c.proxy.poll() is not None:
                    gone.append("haproxy")
                if gone:
                    print(f"stopped by itself: {', '.join(gone)}; stopping the rest", file=sys.stderr)
                    return 1
                time.sleep(1)
    except KeyboardInterrupt:
        print("stopping ...", flush=True)
    except ClusterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
