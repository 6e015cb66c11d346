"""Warm-up at server start: import and prepare what the first page needs while the browser loads the page.

A cold start spends most of the app's own time in the first script run: importing pandas, Plotly and the
dataset code, loading Plotly's property validators with the first figure, reading the map shapes. None of
that depends on a session, so `serve.py` (what `make run` uses) calls `start()` before Streamlit's server
starts; the thread waits until the runtime is up (not to slow the server's own start), then works while
the browser fetches the page's JavaScript. app.py calls `wait()` first: a first run that comes early waits for the warm-up instead of
importing the same modules in a second thread at the same time. Under plain `streamlit run app.py` nothing
is started and `wait()` returns at once.
"""

from __future__ import annotations

import threading
import time

_done = threading.Event()
_lock = threading.Lock()
_started = False
seconds: float | None = None  # how long the warm-up took, once done
error: str | None = None  # what went wrong, if anything (the first page then reports it itself)


def _server_up(timeout: float = 30.0) -> None:
    """Wait until Streamlit's runtime is serving, so the warm-up does not slow the server's own start."""
    from streamlit.runtime import Runtime, RuntimeState

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if Runtime.exists() and Runtime.instance().state != RuntimeState.INITIAL:
            return
        time.sleep(0.02)


def _work(after_server: bool) -> None:
    global seconds, error
    if after_server:
        _server_up()
    t0 = time.perf_counter()
    try:
        import PIL.Image  # noqa: F401 - the favicon, read by st.set_page_config on the first run

        import components.chart_panel  # noqa: F401 - Plotly, export
        import components.frame  # noqa: F401 - pandas, dataset, store, filters
        from components.data import get_dataset
        from iscm import geo
        from iscm.figures.overview import establishment_timeline
        from iscm.overview import establishment_data

        full, _messages = get_dataset()  # fills the app's dataset cache (shared by every session)
        establishment_timeline(establishment_data(full.iscms))  # loads Plotly's validators for a first figure
        geo.shape_ids()  # the world shapes every map starts from
    except Exception as e:  # noqa: BLE001 - an optimisation only: the first page imports and reports for itself
        error = f"{type(e).__name__}: {e}"
    finally:
        seconds = time.perf_counter() - t0
        _done.set()


def start(*, after_server: bool = True) -> None:
    """Start the warm-up in a background thread (once per process), by default once the server is up."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_work, args=(after_server,), name="iscm-warm-up", daemon=True).start()


def wait(timeout: float = 30.0) -> bool:
    """Wait for a started warm-up to finish; True when none was started or it finished in time."""
    return _done.wait(timeout) if _started else True
