"""Start a Streamlit app that appends the duration of each of its script runs to a file (bench_browser.py).

    python -m benchmarks.script_times LOG serve.py [streamlit options]      # the Atlas, as `make run` does
    python -m benchmarks.script_times LOG some_app.py [streamlit options]   # `streamlit run some_app.py`

Before the server starts, Streamlit's ScriptRunner._run_script (which runs the whole script, or only the
fragments a widget inside a fragment asked for, and any st.rerun() that follows within the same request) is
wrapped to append one line per call to LOG:

    <start, seconds since the epoch> TAB <wall ms> TAB <CPU ms of the script thread> TAB <full|fragment>

The app's own code is untouched; a server started without this launcher pays nothing. The wrapped method is
private to Streamlit: if a Streamlit release renames it, the launcher says so and exits rather than start a
server whose script time would silently go unreported.
"""

from __future__ import annotations

import runpy
import sys
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

LINE = "{start:.6f}\t{wall:.3f}\t{cpu:.3f}\t{kind}\n"


class ScriptRun(NamedTuple):
    start: float  # seconds since the epoch
    wall_ms: float
    cpu_ms: float
    kind: str  # "full" or "fragment"


def install(log: str | Path) -> None:
    """Wrap ScriptRunner._run_script so that every call appends a line to `log`."""
    from streamlit.runtime.scriptrunner import script_runner

    runner = getattr(script_runner, "ScriptRunner", None)
    original = getattr(runner, "_run_script", None)
    if original is None:
        raise RuntimeError("streamlit.runtime.scriptrunner.script_runner.ScriptRunner._run_script not found: this "
                           "Streamlit release runs scripts differently; update benchmarks/script_times.py")
    lock = threading.Lock()
    path = str(log)

    def timed(self: Any, rerun_data: Any) -> None:
        start, w0, c0 = time.time(), time.perf_counter(), time.thread_time()
        try:
            original(self, rerun_data)
        finally:
            kind = "fragment" if getattr(rerun_data, "fragment_id_queue", None) else "full"
            text = LINE.format(start=start, wall=(time.perf_counter() - w0) * 1000,
                               cpu=(time.thread_time() - c0) * 1000, kind=kind)
            with lock, open(path, "a", encoding="ascii") as f:
                f.write(text)

    runner._run_script = timed


def parse(text: str) -> list[ScriptRun]:
    """The runs in a log's text; a line still being written (no newline yet) is left for the next read."""
    runs = []
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            break
        start, wall, cpu, kind = line.rstrip("\n").split("\t")
        runs.append(ScriptRun(float(start), float(wall), float(cpu), kind))
    return runs


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__)
    log, script, options = argv[0], argv[1], argv[2:]
    try:
        install(log)
    except RuntimeError as e:
        sys.exit(str(e))
    if Path(script).name == "serve.py":  # the Atlas's own launcher: run it as `python serve.py` would
        sys.argv = [script, *options]
        runpy.run_path(script, run_name="__main__")
    else:
        from streamlit.web import cli

        sys.argv = ["streamlit", "run", script, *options]
        cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
