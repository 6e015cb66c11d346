"""The start-up warm-up (components/warmup.py) behind `python serve.py`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_fresh(code: str) -> str:
    """Run `code` in a new interpreter from the project root (a module-level state no other test touched),
    with an empty survey store of its own."""
    env = {**os.environ, "ISCM_ATLAS_HOME": tempfile.mkdtemp(prefix="iscm-warmup-test-")}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_wait_returns_at_once_without_a_warm_up():
    out = run_fresh("""
        import time
        from components import warmup
        t = time.perf_counter()
        print(warmup.wait(timeout=5), round(time.perf_counter() - t, 2), warmup.seconds)
    """)
    ok, waited, seconds = out.split()
    assert ok == "True" and float(waited) < 1 and seconds == "None"


def test_warm_up_imports_what_the_first_page_needs():
    out = run_fresh("""
        import sys
        from components import warmup
        assert "pandas" not in sys.modules and "plotly.graph_objects" not in sys.modules
        warmup.start(after_server=False)
        assert warmup.wait(timeout=90)
        wanted = ["pandas", "plotly.graph_objects", "components.frame", "components.chart_panel", "iscm.dataset"]
        from components import data
        def load_again(path):
            raise AssertionError(f"{path} was loaded again: the warm-up did not fill the app's dataset cache")
        data.load = load_again  # so the dataset below can only come from the cache the warm-up filled
        loaded = [data.get_dataset()[0].version]
        print(warmup.error, all(m in sys.modules for m in wanted), warmup.seconds > 0, len(loaded))
    """)
    assert out.split() == ["None", "True", "True", "1"]


def test_a_failing_warm_up_is_recorded_not_raised():
    out = run_fresh("""
        import os
        os.environ["ISCM_DATA_DIR"] = "/nonexistent/iscm-data"
        from components import warmup
        warmup.start(after_server=False)
        print(warmup.wait(timeout=90), "|", warmup.error)
    """)
    ok, error = (s.strip() for s in out.split("|"))
    assert ok == "True"
    assert error.startswith("DatasetError") and "/nonexistent/iscm-data" in error
