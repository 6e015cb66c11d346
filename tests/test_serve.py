"""`make run` (serve.py) listens on 127.0.0.1 only unless told otherwise: a fresh clone is a local tool, and
serving on a network is a choice made with sign-in (README, "Serving on a network")."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.servers import free_port, spawn, start_app, stop, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from serve import with_default_address  # noqa: E402


def test_the_default_address_is_added_only_when_none_is_chosen():
    assert with_default_address(["--server.port", "8502"], {}) == ["--server.address", "127.0.0.1",
                                                                   "--server.port", "8502"]
    assert with_default_address(["--server.address", "0.0.0.0"], {}) == ["--server.address", "0.0.0.0"]
    assert with_default_address(["--server.address=::"], {}) == ["--server.address=::"]
    assert with_default_address([], {"STREAMLIT_SERVER_ADDRESS": "0.0.0.0"}) == []


def _listening(port: int) -> list[str]:
    """The local addresses listening on `port` (from /proc/net/tcp and tcp6, state 0A = LISTEN)."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port and len(addr) == width:
                raw = bytes.fromhex(addr)
                if width == 8:
                    found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:  # four little-endian 32-bit words
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.append(socket.inet_ntop(socket.AF_INET6, words))
    return found


def _other_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (to try reaching the server from 'the network')."""
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False).stdout.split()
    return [a for a in out if ":" not in a and not a.startswith("127.")]


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads the listening sockets from /proc (Linux)")
@pytest.mark.parametrize("how", ["serve.py", "make run"])
def test_a_fresh_start_listens_on_loopback_only(tmp_path, how):
    port = free_port()
    log = tmp_path / "server.log"
    # no address anywhere: serve.py's own default is what is tested
    env = {"ISCM_ATLAS_HOME": str(tmp_path / "store"), "STREAMLIT_SERVER_ADDRESS": None}
    if how == "serve.py":
        server = start_app(env=env, port=port, address=None, output=log)
    else:  # the Makefile's own recipe (no server options), with this test's virtualenv taken as installed
        venv = Path(sys.executable).parent.parent
        server = spawn(["make", "--no-print-directory", "-o", f"{venv}/.runtime", "run", f"VENV={venv}",
                        f"PORT={port}"], port, env=env, output=log)
    try:
        try:
            wait_healthy(server, timeout=90)
        except (RuntimeError, TimeoutError) as e:
            pytest.fail(f"the server did not start ({e}):\n" + log.read_text(errors="replace")[-2000:])
        assert _listening(port) == ["127.0.0.1"]
        for addr in _other_addresses():
            with socket.socket() as s, pytest.raises(OSError):
                s.settimeout(2)
                s.connect((addr, port))
    finally:
        stop(server.proc)
