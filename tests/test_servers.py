"""The one helper that starts the app on a free port (benchmarks/servers.py), used by the benchmarks, the browser
tests and the load tool."""

from __future__ import annotations

import re
import socket
from pathlib import Path

from benchmarks.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("benchmarks", "components", "iscm", "pages", "tests", "tools") for p in (ROOT / d).rglob("*.py")]


def test_free_port_can_be_bound():
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # nobody holds it: the server started on it can listen


def test_one_place_picks_a_free_port_and_one_defines_the_source_host():
    """Asking the OS for a free port (binding port 0) and naming a source's site are each written once."""
    this = Path(__file__).resolve()
    binds = sorted(str(p.relative_to(ROOT)) for p in SOURCES if p.resolve() != this
                   and re.search(r"\.bind\(\(\s*[\"']127\.0\.0\.1[\"']\s*,\s*0\s*\)\)", p.read_text(encoding="utf-8")))
    assert binds == ["benchmarks/servers.py"]
    hosts = sorted(str(p.relative_to(ROOT)) for p in SOURCES
                   if re.search(r"^def _?(source_)?host\(", p.read_text(encoding="utf-8"), re.M))
    assert hosts == ["iscm/export.py"]
