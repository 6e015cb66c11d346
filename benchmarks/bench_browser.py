"""Speed as the user feels it: every page's load and interactions in headless Chromium, against a floor app.

The Atlas is started as `make run` starts it (`python serve.py`) and the floor app (benchmarks/floor_app.py:
the same four sidebar filters, one small bar chart) beside it; one Chromium tab drives both, alternately, so
a busy machine slows both alike. For every page it measures

- the load: navigate to the page's deep link until the page is quiet;
- a sidebar filter change: click the multiselect labelled "Theme", type a theme's name, Enter, Escape;
- on Themes, Membership and Network, the page's own interaction: pick a theme in the page's theme selector,
  a State in the country selector, a node in the node selector.

Each time runs from the action (the navigation's start, or the key press or click that made the choice) to
the last change of the page: a MutationObserver on the body records the time of every change, and the page
counts as quiet once Streamlit's running indicator is gone, the script run the action started has finished
(its `script_finished` message arrived) and nothing changed for 600 ms; the quiet window is not counted.
Every measured action is checked to have done what it should (the URL holds the filter, the country view
shows the State, ...), so a selector that found the wrong widget fails the run instead of timing nothing.

Every page gets a theme for its filter change that it has not had before in the benchmark, and each run
another State, node and page theme (the same sequence every time the benchmark runs), so the server meets
each choice as a user's first request for it, not a warm cache. One unmeasured pass
goes first (browser cache, imports, the default views). Ratios are per run, against the floor measured just
before: loads against the floor's load (target <= 2x), interactions against the floor's filter change
(target <= 3x). A row that misses says where the time went: the server's script runs (timed in the server
process, see benchmarks/script_times.py), the bytes received over the websocket, the browser's main thread
(its long animation frames: scripts, style and layout) and Plotly's drawing (performance.measure around
each Plotly.react/newPlot).
The floor with one 1:50m and one 1:110m world map is measured too, for information.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import script_times
from benchmarks.common import failed_row, format_table, row, skipped_row
from benchmarks.servers import CHROMIUM, ROOT, Server, chromium_available, start_app, stop, wait_healthy

MIN_BROWSER_RUNS = 3
QUIET_MS = 600.0
POLL_S = 0.1
ACTION_TIMEOUT_S = 90.0  # from an action to a quiet page; a page that takes longer is reported as broken
STEP_TIMEOUT_MS = 20_000  # finding a widget, an option, a URL change
LOAD_TARGET = 2.0  # page load <= 2x the floor's load
INTERACTION_TARGET = 3.0  # every filter change and page interaction <= 3x the floor's filter change
VIEWPORT = {"width": 1280, "height": 900}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync", "--disable-quic"]
SMALL_FRAME = 4096  # websocket frames at most this big are decoded (script_finished is ~100 bytes)


@dataclass(frozen=True)
class Subject:
    title: str  # the page's title (its browser tab reads "<title> · ISCM Atlas")
    link: str  # path and query string of the deep link
    interaction: str | None = None  # "theme", "country" or "node": the page's own interaction
    shows: tuple[str, ...] = ()  # ISCM ids whose short names the loaded page must show
    interaction_link: str = ""  # where the interaction starts, when not at `link` (e.g. another tab)

    @property
    def name(self) -> str:
        query = self.link.partition("?")[2]
        return f"{self.title} (?{query})" if query else self.title


SUBJECTS = [
    Subject("Overview", "/"),  # the default page; its own path (/overview) redirects once navigation ran
    Subject("Themes", "/themes", "theme", interaction_link="/themes?section=Theme+view"),
    Subject("GCM", "/gcm"),
    Subject("Membership", "/membership"),
    Subject("Country", "/country?iso3=DEU", "country"),
    Subject("Network", "/network", "node"),
    Subject("Data", "/data"),
    Subject("Profile", "/profile?iscm=prague-process", shows=("prague-process",)),
    Subject("Compare", "/compare?compare=prague-process,budapest-process",
            shows=("prague-process", "budapest-process")),
]
PAGES_ENV = "ISCM_BENCH_PAGES"
"""Comma-separated page titles to measure only those (e.g. ``ISCM_BENCH_PAGES=Overview,Compare``); all by default."""


def subjects() -> list[Subject]:
    """The pages this run measures: all of SUBJECTS, or those named in $ISCM_BENCH_PAGES (unknown names refused)."""
    wanted = [t.strip().casefold() for t in os.environ.get(PAGES_ENV, "").split(",") if t.strip()]
    if not wanted:
        return SUBJECTS
    known = {s.title.casefold(): s for s in SUBJECTS}
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise BenchError(f"{PAGES_ENV} names unknown pages {unknown}; known: {', '.join(s.title for s in SUBJECTS)}")
    return [known[t] for t in wanted]


INTERACTIONS = {"theme": "pick a theme in the page's theme selector", "country": "pick another State on the Country page",
                "node": "select a node in the node selector"}
FLOOR_MAPS = [("50m", "floor + one 1:50m map"), ("110m", "floor + one 1:110m map")]


class BenchError(RuntimeError):
    """A measurement that could not be made or checked; the message says what the page showed."""


# ------------------------------------------------------------------------------------------- the page side
# Installed before any page script runs. Records, on the page's own clock (performance.now(), 0 at the
# navigation's start): the action (0 for a load, else the first trusted key press or pointer press after
# arm()), the time of the last change inside <body>, each Plotly.react/newPlot call until its drawing is
# done (also as performance.measure entries named plotly.react / plotly.newPlot), and the main thread's
# long animation frames (Chromium's Long Animation Frames API).
INIT_SCRIPT = r"""
(() => {
  if (window !== window.top || window.__iscmBench) return;
  const B = window.__iscmBench = {action: 0, armed: false, last: null, count: 0, what: '', plotly: [], frames: []};
  const describe = (node) => {
    const el = node && (node.nodeType === 1 ? node : node.parentElement);
    const tagged = el && el.closest('[data-testid]');
    return tagged ? tagged.getAttribute('data-testid') : (el ? el.tagName.toLowerCase() : '?');
  };
  new MutationObserver((records) => {
    const now = performance.now();
    const body = document.body;
    if (!body || B.action === null) return;
    for (let i = records.length - 1; i >= 0; i--) {
      if (body.contains(records[i].target)) {
        const r = records[i];
        B.last = now; B.count += records.length;
        B.what = describe(r.target) + ' ' + (r.type === 'attributes' ? '@' + r.attributeName : r.type);
        return;
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const mark = (e) => {
    if (!B.armed || !e.isTrusted) return;
    B.armed = false; B.action = e.timeStamp; B.last = null; B.count = 0; B.what = '';
  };
  window.addEventListener('keydown', mark, true);
  window.addEventListener('pointerdown', mark, true);
  B.arm = () => {
    B.armed = true; B.action = null; B.last = null; B.count = 0; B.what = ''; B.plotly = []; B.frames = [];
  };
  // The main thread's long animation frames (over 50 ms): their length, the scripts run in them, and
  // their style and layout work.
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const end = e.startTime + e.duration;
        B.frames.push([e.startTime, e.duration, (e.scripts || []).reduce((a, s) => a + s.duration, 0),
                       e.styleAndLayoutStart > 0 ? end - e.styleAndLayoutStart : 0]);
      }
    }).observe({type: 'long-animation-frame', buffered: true});
  } catch (e) { B.noFrames = true; }
  B.state = () => {
    const after = (s) => B.action !== null && s[0] >= B.action;
    const frames = B.frames.filter(after);
    const sum = (i) => frames.reduce((a, f) => a + f[i], 0);
    return {now: performance.now(), action: B.action, last: B.last, count: B.count, what: B.what,
            busy: !!document.querySelector('[data-testid="stStatusWidget"]'),
            plotly: B.plotly.filter(after), charts: document.querySelectorAll('.js-plotly-plot').length,
            main: B.noFrames ? null : {long_frames: sum(1), script: sum(2), style_layout: sum(3), n: frames.length}};
  };
  const wrap = (P) => {
    for (const name of ['react', 'newPlot']) {
      const f = P && P[name];
      if (typeof f !== 'function' || f.__iscmBench) continue;
      const timed = function (...args) {
        const t0 = performance.now();
        const out = f.apply(this, args);
        Promise.resolve(out).then(() => {
          const t1 = performance.now();
          B.plotly.push([t0, t1]);
          try { performance.measure('plotly.' + name, {start: t0, end: t1}); } catch (e) { /* old API */ }
        }, () => {});
        return out;
      };
      timed.__iscmBench = true;
      P[name] = timed;
    }
  };
  let plotly;  // Streamlit's Plotly bundle sets window.Plotly when it loads: wrap it then
  Object.defineProperty(window, 'Plotly', {configurable: true, get: () => plotly,
                                           set: (v) => { plotly = v; wrap(v); }});
})();
"""


# ------------------------------------------------------------------------------------------- pure parts
def is_settled(state: dict[str, Any], finished: bool, quiet_ms: float = QUIET_MS) -> bool:
    """Whether the page is quiet after an action: the action happened, the page changed after it, the script
    run it started has finished (`finished`), no running indicator shows, and nothing changed for quiet_ms."""
    if state.get("action") is None or state.get("last") is None:
        return False
    return finished and not state.get("busy") and state["now"] - state["last"] >= quiet_ms


def settle_ms(state: dict[str, Any]) -> float:
    """Milliseconds from the action to the last change of the page (the quiet window is not counted)."""
    if state.get("action") is None:
        raise BenchError("no action was recorded: the key press or click never reached the page")
    if state.get("last") is None:
        raise BenchError("the page did not change at all after the action")
    return max(0.0, float(state["last"]) - float(state["action"]))


def union_ms(spans: list[list[float]] | list[tuple[float, float]]) -> float:
    """Total length of the union of (start, end) spans: time during which at least one span was open."""
    total, end = 0.0, None
    for s, e in sorted((float(a), float(b)) for a, b in spans):
        if end is None or s > end:
            total += e - s
            end = e
        elif e > end:
            total += e - end
            end = e
    return total


def runs_between(runs: list[script_times.ScriptRun], t0: float, t1: float) -> list[script_times.ScriptRun]:
    """The script runs that started in [t0, t1] (seconds since the epoch)."""
    return [r for r in runs if t0 <= r.start <= t1]


def finished_status(payload: bytes | str) -> int | None:
    """The script_finished status of a websocket frame from the server, None for any other message.

    Only small frames are decoded (script_finished is ~100 bytes; deltas with charts are large)."""
    if not isinstance(payload, bytes | bytearray) or len(payload) > SMALL_FRAME:
        return None
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    try:
        msg.ParseFromString(bytes(payload))
    except Exception:  # noqa: BLE001 - not a ForwardMsg: not the end of a run
        return None
    return msg.script_finished if msg.WhichOneof("type") == "script_finished" else None


def ends_run(status: int | None) -> bool:
    """A script_finished that ends what an action started (not the end of a run stopped for a rerun)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    return status is not None and status != ForwardMsg.FINISHED_EARLY_FOR_RERUN


def paired_ratios(values: list[float], floors: list[float]) -> list[float]:
    """Each measurement over the floor measured just before it (same run, same machine load)."""
    if len(values) != len(floors) or not values:
        raise ValueError(f"{len(values)} measurements against {len(floors)} floor measurements")
    return [v / f for v, f in zip(values, floors, strict=True)]


def rotation(items: list[str], k: int) -> list[str]:
    """`items` starting at index k (wrapping): run k's choices, in the same order every time."""
    k %= len(items)
    return items[k:] + items[:k]


# ------------------------------------------------------------------------------------------- one sample
@dataclass
class Sample:
    """One measured action and where its time went."""

    ms: float  # action -> last change of the page
    what: str  # where the last change happened: nearest data-testid, and @attribute, childList or characterData
    changes: int  # mutation records after the action
    charts: int  # Plotly charts on the page afterwards
    server_ms: float  # wall time of the script runs the action caused, in the server
    server_cpu_ms: float
    server_runs: int
    ws_bytes: int  # bytes received over the websocket between the action and the quiet page
    ws_msgs: int
    plotly_calls: int
    plotly_ms: float  # union of the spans from each Plotly call to its drawing done
    main_ms: dict[str, float] = field(default_factory=dict)  # long animation frames: long_frames, script, ...


def _median(samples: list[Sample], get: Callable[[Sample], float]) -> float:
    return statistics.median(get(s) for s in samples)


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 100_000 else f"{n / 1e3:.0f} KB"


def brief(samples: list[Sample]) -> str:
    """Medians in a few words, for a row's note."""
    return (f"{_median(samples, lambda s: s.charts):.0f} chart(s); server {_median(samples, lambda s: s.server_ms) / 1000:.2f} s "
            f"in {_median(samples, lambda s: s.server_runs):.0f} run(s); ws {_mb(_median(samples, lambda s: s.ws_bytes))}; "
            f"browser busy {_median(samples, lambda s: s.main_ms.get('long_frames', 0)) / 1000:.2f} s; "
            f"Plotly {_median(samples, lambda s: s.plotly_calls):.0f} draw(s) "
            f"{_median(samples, lambda s: s.plotly_ms) / 1000:.2f} s")


def where_the_time_went(samples: list[Sample], floor: list[Sample], floor_name: str) -> str:
    """The breakdown printed under a row that missed its target: medians, the floor's beside them."""
    def line(label: str, get: Callable[[list[Sample]], str]) -> str:
        return f"  {label:<24}{get(samples):<52}  [{get(floor)}]"

    def main(ss: list[Sample], key: str) -> str:  # a median of the long animation frames' sums
        return f"{_median(ss, lambda s: s.main_ms.get(key, 0)) / 1000:.2f} s"

    def secs(get: Callable[[Sample], float]) -> Callable[[list[Sample]], str]:
        return lambda ss: f"{_median(ss, get) / 1000:.2f} s"

    last = statistics.mode(s.what for s in samples)
    return "\n".join([
        f"Where the time went (medians of {len(samples)} runs; the {floor_name} in brackets):",
        line("action -> last change", secs(lambda s: s.ms)),
        line("server script runs", lambda ss: f"{_median(ss, lambda s: s.server_ms) / 1000:.2f} s wall, "
             f"{_median(ss, lambda s: s.server_cpu_ms) / 1000:.2f} s CPU, {_median(ss, lambda s: s.server_runs):.0f} run(s)"),
        line("websocket received", lambda ss: f"{_mb(_median(ss, lambda s: s.ws_bytes))} in "
             f"{_median(ss, lambda s: s.ws_msgs):.0f} messages"),
        line("browser main thread", lambda ss: f"{main(ss, 'long_frames')} in long frames (scripts "
             f"{main(ss, 'script')}, style+layout {main(ss, 'style_layout')})"),
        line("Plotly drawing", lambda ss: f"{_median(ss, lambda s: s.plotly_calls):.0f} call(s), "
             f"{_median(ss, lambda s: s.plotly_ms) / 1000:.2f} s from call to drawn"),
        line("charts on the page", lambda ss: f"{_median(ss, lambda s: s.charts):.0f}"),
        f"  {'last change, mostly':<24}{last}",
    ])




# ------------------------------------------------------------------------------------------- servers
@dataclass
class Launched:
    server: Server
    log: Path  # script-run times (benchmarks/script_times.py)
    output: Path  # the server's stdout and stderr

    @property
    def url(self) -> str:
        return self.server.url

    def runs(self) -> list[script_times.ScriptRun]:
        return script_times.parse(self.log.read_text(encoding="ascii")) if self.log.exists() else []

    def tail(self) -> str:
        text = self.output.read_text(errors="replace") if self.output.exists() else ""
        return text[-1500:]


@contextmanager
def launched(script: Path, work: Path, name: str) -> Iterator[Launched]:
    """Start `script` through benchmarks.script_times on a free port, from the project root (its config)
    (benchmarks.servers.start_app)."""
    log, output = work / f"{name}-runs.tsv", work / f"{name}-server.log"
    server = start_app(script, command=[sys.executable, "-m", "benchmarks.script_times", str(log), str(script)],
                       env={"ISCM_ATLAS_HOME": str(work / "store")},  # an empty survey store: the shipped data
                       output=output)
    served = Launched(server, log, output)
    try:
        try:
            wait_healthy(served.server, timeout=120)
        except (RuntimeError, TimeoutError) as e:
            raise BenchError(f"{name} server did not start ({e}); its output ends:\n{served.tail()}") from e
        yield served
    finally:
        stop(server.proc)


# ------------------------------------------------------------------------------------------- the driver
class Tab:
    """One Chromium tab with the benchmark's page script and the websocket frames it received."""

    def __init__(self, browser: Any):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.add_init_script(INIT_SCRIPT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(STEP_TIMEOUT_MS)
        self.frames: list[tuple[int, int | None]] = []  # (size, script_finished status or None)
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        self.frames.append((len(payload), finished_status(payload)))

    def state(self) -> dict[str, Any]:
        """The page script's record (empty while a navigation replaces the document)."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            return self.page.evaluate("() => window.__iscmBench ? window.__iscmBench.state() : {}")
        except PlaywrightError as e:
            if "context was destroyed" in str(e) or "navigation" in str(e).lower():
                return {}
            raise

    def close(self) -> None:
        self.context.close()


def measure(tab: Tab, server: Launched, what: str, act: Callable[[], None]) -> Sample:
    """Run `act` (which arms the page or navigates), wait until the page is quiet, and return the sample."""
    first = len(tab.frames)
    t0 = time.time()
    act()
    deadline = time.perf_counter() + ACTION_TIMEOUT_S
    state: dict[str, Any] = {}
    while True:
        finished = any(ends_run(status) for _size, status in tab.frames[first:])
        state = tab.state()
        if is_settled(state, finished):
            break
        if time.perf_counter() > deadline:
            raise BenchError(
                f"{what}: the page was not quiet {ACTION_TIMEOUT_S:.0f} s after the action (script run finished: "
                f"{finished}; running indicator shown: {state.get('busy')}; changes since the action: "
                f"{state.get('count')}, the last in {state.get('what') or '-'})")
        tab.page.wait_for_timeout(POLL_S * 1000)  # Playwright delivers websocket events while it waits
    t1 = time.time()
    ms = settle_ms(state)
    runs = runs_between(server.runs(), t0 - 0.05, t1)
    frames = tab.frames[first:]
    return Sample(
        ms=ms, what=state.get("what") or "?", changes=int(state.get("count") or 0), charts=int(state.get("charts") or 0),
        server_ms=sum(r.wall_ms for r in runs), server_cpu_ms=sum(r.cpu_ms for r in runs), server_runs=len(runs),
        ws_bytes=sum(size for size, _ in frames), ws_msgs=len(frames),
        plotly_calls=len(state.get("plotly") or []), plotly_ms=union_ms(state.get("plotly") or []),
        main_ms={k: float(v) for k, v in (state.get("main") or {}).items()},
    )


def _expect(check: Callable[[], None], what: str) -> None:
    """Run a Playwright assertion; its failure becomes a BenchError that says which check failed."""
    try:
        check()
    except AssertionError as e:
        raise BenchError(f"{what}: {str(e).strip().splitlines()[0]}") from None


def no_exception(tab: Tab, what: str) -> None:
    from playwright.sync_api import expect

    boxes = tab.page.locator('[data-testid="stException"]')
    if boxes.count():
        raise BenchError(f"{what}: the page shows an exception: {boxes.first.inner_text()[:300]}")
    _expect(lambda: expect(tab.page.get_by_text("Page not found")).to_have_count(0), what)


def load(tab: Tab, server: Launched, link: str, what: str) -> Sample:
    """Navigate to `link` (a fresh Streamlit session) and time it from the navigation's start."""
    url = server.url + link
    return measure(tab, server, what, lambda: tab.page.goto(url, wait_until="commit"))


def widget_input(tab: Tab, area: str, testid: str, label: str, what: str) -> Any:
    """The text input of the one widget of kind `testid` labelled exactly `label` in `area` (stSidebar, stMain)."""
    page = tab.page
    widget = page.get_by_test_id(area).get_by_test_id(testid).filter(
        has=page.get_by_test_id("stWidgetLabel").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))
    n = widget.count()
    if n != 1:
        raise BenchError(f"{what}: expected one {testid} labelled {label!r} in {area}, found {n}")
    return widget.get_by_label(label, exact=True)


def choose(tab: Tab, server: Launched, box: Any, typed: str, option: Callable[[str], bool], what: str,
           *, multi: bool) -> Sample:
    """Click a select widget's input, type `typed`, then choose the first option for which `option(text)`
    holds: Enter when it is the highlighted option (as a user typing does), else a click on it. A multiselect
    is closed with Escape. Timed from the Enter (or the click) to the quiet page."""
    page = tab.page
    box.click()
    box.press_sequentially(typed, delay=20)
    options = page.get_by_role("listbox").get_by_role("option")
    deadline = time.perf_counter() + STEP_TIMEOUT_MS / 1000
    texts: list[str] = []
    while time.perf_counter() < deadline:
        texts = [t.strip() for t in options.all_inner_texts()]
        if any(option(t) for t in texts):
            break
        page.wait_for_timeout(100)
    else:
        raise BenchError(f"{what}: typing {typed!r} offers no matching option (offered: {texts[:6]})")
    index = next(i for i, t in enumerate(texts) if option(t))
    target = options.nth(index)
    highlighted = target.get_attribute("data-focused") == "true"
    tab.page.evaluate("() => window.__iscmBench.arm()")

    def act() -> None:
        if highlighted:
            page.keyboard.press("Enter")
        else:
            target.click()
        if multi:
            page.keyboard.press("Escape")

    return measure(tab, server, what, act)


# ------------------------------------------------------------------------------------------- the runs
@dataclass
class Choices:
    """What the benchmark types, from the dataset: theme ids and names, States, ISCM nodes."""

    themes: list[tuple[str, str]]  # (theme_id, label)
    states: list[tuple[str, str]]  # (iso3, name), most ISCMs first
    nodes: list[tuple[str, str]]  # (iscm_id, short name), largest first
    names: dict[str, str]  # iscm_id -> short name

    @classmethod
    def from_dataset(cls) -> Choices:
        from benchmarks.floor_app import filter_options
        from iscm.dataset import load as load_dataset

        ds = load_dataset(ROOT / "data")
        themes = list(filter_options(ds)["theme"].items())
        first = ds.memberships.drop_duplicates("iso3").set_index("iso3")["country"]
        counts = ds.memberships.groupby("iso3")["iscm_id"].nunique().sort_values(ascending=False, kind="stable")
        states = [(iso, str(first[iso])) for iso in counts.index[:20]]
        sizes = ds.memberships.groupby("iscm_id")["iso3"].nunique().sort_values(ascending=False, kind="stable")
        names = dict(zip(ds.iscms["iscm_id"], ds.iscms["short_name"], strict=True))
        nodes = [(i, names[i]) for i in sizes.index[:20]]
        return cls(themes=themes, states=states, nodes=nodes, names=names)


def filter_change(tab: Tab, server: Launched, theme: tuple[str, str], what: str) -> Sample:
    """The sidebar Theme filter: click, type the theme's name, Enter, Escape; then check URL and widget."""
    from playwright.sync_api import expect

    theme_id, label = theme
    box = widget_input(tab, "stSidebar", "stMultiSelect", "Theme", what)
    sample = choose(tab, server, box, label, lambda t: t == label, what, multi=True)
    _expect(lambda: expect(tab.page).to_have_url(re.compile(rf"[?&]theme={re.escape(theme_id)}(&|$)")), what)
    chips = tab.page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(
        has=tab.page.get_by_test_id("stWidgetLabel").filter(has_text=re.compile(r"^\s*Theme\s*$")))
    _expect(lambda: expect(chips).to_contain_text(label), what)
    no_exception(tab, what)
    return sample


def page_interaction(tab: Tab, server: Launched, kind: str, k: int, choices: Choices, what: str) -> Sample:
    """The page's own interaction, run k's choice; checked on the page afterwards."""
    from playwright.sync_api import expect

    page = tab.page
    if kind == "theme":
        box = widget_input(tab, "stMain", "stSelectbox", "Theme", what)
        current = box.input_value()
        theme_id, label = next(t for t in rotation(choices.themes, k) if t[1] != current)
        sample = choose(tab, server, box, label, lambda t: t == label, what, multi=False)
        _expect(lambda: expect(box).to_have_value(label), what)
    elif kind == "country":
        box = widget_input(tab, "stMain", "stSelectbox", "State or territory", what)
        current = box.input_value()  # the State the page opened on: picking it again would change nothing
        iso, name = next(s for s in rotation(choices.states, k) if f"{s[1]} ({s[0]})" != current)
        shown = f"{name} ({iso})"
        sample = choose(tab, server, box, f"({iso})", lambda t: t == shown, what, multi=False)
        _expect(lambda: expect(page).to_have_url(re.compile(rf"[?&]iso3={iso}(&|$)")), what)
        _expect(lambda: expect(box).to_have_value(shown), what)
        # the page is now that State's: its name is the page title and its charts are drawn
        _expect(lambda: expect(page.get_by_role("heading", level=1)).to_have_text(name), what)
        if sample.charts < 1:
            raise BenchError(f"{what}: the Country page of {name} drew no chart")
    elif kind == "node":
        iscm_id, name = rotation(choices.nodes, k)[0]
        box = widget_input(tab, "stMain", "stSelectbox", "Selected node", what)
        sample = choose(tab, server, box, name, lambda t: t.startswith(f"{name} · "), what, multi=False)
        _expect(lambda: expect(page).to_have_url(re.compile(rf"[?&]node=iscm(%3A|:){re.escape(iscm_id)}(&|$)")), what)
        heading = page.get_by_test_id("stHeading").filter(has_text=re.compile(rf"^\s*{re.escape(name)}\s*$"))
        _expect(lambda: expect(heading).to_be_visible(), what)
    else:
        raise ValueError(f"unknown interaction {kind!r}")
    no_exception(tab, what)
    return sample


def check_page(tab: Tab, subject: Subject, choices: Choices, what: str) -> None:
    """The loaded page is the one asked for: its tab title, its URL, what it must show, no exception."""
    from playwright.sync_api import expect

    page = tab.page
    _expect(lambda: expect(page).to_have_title(re.compile(rf"^{re.escape(subject.title)}\b")), what)
    path = subject.link.partition("?")[0]
    if path != "/":  # still on the page asked for (not sent to the main page as "not found")
        _expect(lambda: expect(page).to_have_url(re.compile(rf"//[^/]+{re.escape(path)}(\?|$)")), what)
    main = page.get_by_test_id("stMain")
    for iscm_id in subject.shows:
        _expect(lambda i=iscm_id: expect(main).to_contain_text(choices.names[i]), what)
    no_exception(tab, what)


def check_floor(tab: Tab, scale: str | None, what: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    _expect(lambda: expect(page).to_have_title(re.compile(r"^Floor\b")), what)
    _expect(lambda: expect(page.locator(".js-plotly-plot .main-svg").first).to_be_attached(), what)
    if scale:
        shapes = page.locator(".js-plotly-plot path.choroplethlocation").count()
        if shapes < 100:
            raise BenchError(f"{what}: the {scale} map drew {shapes} country shapes (expected over 100); are the "
                             "shapes served from static/topojson/?")
    no_exception(tab, what)


class Recorder:
    """Samples per (subject, action), the floor samples paired with them, and the pages that broke."""

    def __init__(self) -> None:
        self.samples: dict[tuple[str, str], list[Sample]] = {}
        self.floor: dict[tuple[str, str], list[Sample]] = {}
        self.errors: dict[str, str] = {}  # subject name -> what went wrong (the page is not measured further)

    def add(self, key: tuple[str, str], sample: Sample, floor: Sample | None = None) -> None:
        self.samples.setdefault(key, []).append(sample)
        if floor is not None:
            self.floor.setdefault(key, []).append(floor)


ARTIFACTS = ROOT / "out" / "bench-browser"


def _screenshot(tab: Tab, name: str) -> str:
    """A screenshot of the page as it was when a check failed, in out/bench-browser/ (best effort)."""
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") + ".png")
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(path), full_page=True, timeout=10_000)
    except Exception:  # noqa: BLE001 - the failure itself is what gets reported
        return ""
    return f" (screenshot: {path.relative_to(ROOT)})"


def one_pass(tab: Tab, app: Launched, floor: Launched, k: int, choices: Choices, rec: Recorder,
             measured: bool) -> None:
    """Every page once (with the floor just before it), then the floor with maps; measured=False: warm-up.

    A page that breaks (a widget not found, a check failed, never quiet) is recorded in rec.errors and left
    out of later passes; the others go on. A broken floor ends the benchmark: nothing could be compared.
    """
    tag = f"run {k}" if measured else "warm-up"
    for p, subject in enumerate(subjects()):
        if subject.name in rec.errors:
            continue
        theme = rotation(choices.themes, k + p)[0]
        what = f"floor before {subject.name}, {tag}"
        f_load = load(tab, floor, "/", f"{what}: load")
        check_floor(tab, None, f"{what}: load")
        f_change = filter_change(tab, floor, theme, f"{what}: filter change")

        what = f"{subject.name}, {tag}"
        try:
            p_load = load(tab, app, subject.link, f"{what}: load")
            check_page(tab, subject, choices, f"{what}: load")
            p_change = filter_change(tab, app, theme, f"{what}: filter change")
            sample = None
            if subject.interaction:
                load(tab, app, subject.interaction_link or subject.link, f"{what}: reload before the interaction")
                check_page(tab, subject, choices, f"{what}: reload")
                sample = page_interaction(tab, app, subject.interaction, k + p, choices,
                                          f"{what}: {INTERACTIONS[subject.interaction]}")
        except BenchError as e:
            rec.errors[subject.name] = f"{e}{_screenshot(tab, what)}"
            continue
        if measured:
            rec.add((subject.name, "load"), p_load, f_load)
            rec.add((subject.name, "filter change"), p_change, f_change)
            rec.add(("floor", "load"), f_load)
            rec.add(("floor", "filter change"), f_change)
            if sample is not None:
                rec.add((subject.name, INTERACTIONS[subject.interaction]), sample, f_change)
    for scale, label in FLOOR_MAPS:
        what = f"{label}, {tag}"
        m_load = load(tab, floor, f"/?map={scale}", f"{what}: load")
        check_floor(tab, scale, f"{what}: load")
        m_change = filter_change(tab, floor, rotation(choices.themes, k)[0], f"{what}: filter change")
        check_floor(tab, scale, f"{what}: filter change")
        if measured:
            rec.add((label, "load"), m_load)
            rec.add((label, "filter change"), m_change)


def rows_of(rec: Recorder) -> list[dict[str, Any]]:
    """The table: the floor, then per page its seconds and its ratio to the floor, then the map floors."""
    if ("floor", "load") not in rec.samples:  # every page broke: nothing to compare
        return [failed_row(f"browser: {name}", error) for name, error in rec.errors.items()] or [
            failed_row("browser: pages against the floor app", "nothing was measured")]
    out: list[dict[str, Any]] = []
    floor_load = [s.ms / 1000 for s in rec.samples[("floor", "load")]]
    floor_change = [s.ms / 1000 for s in rec.samples[("floor", "filter change")]]
    out.append(row("browser: floor, load", floor_load, unit="s", note=f"measured before every page; "
                   f"{brief(rec.samples[('floor', 'load')])}"))
    out.append(row("browser: floor, filter change", floor_change, unit="s",
                   note=f"sidebar Theme: click, type, Enter, Escape; {brief(rec.samples[('floor', 'filter change')])}"))
    for subject in subjects():
        if subject.name in rec.errors:
            out.append(failed_row(f"browser: {subject.name}", rec.errors[subject.name]))
            continue
        actions = ["load", "filter change"] + ([INTERACTIONS[subject.interaction]] if subject.interaction else [])
        for action in actions:
            samples, floor = rec.samples[(subject.name, action)], rec.floor[(subject.name, action)]
            target = LOAD_TARGET if action == "load" else INTERACTION_TARGET
            floor_what = "floor's load" if action == "load" else "floor's filter change"
            out.append(row(f"browser: {subject.name}, {action}", [s.ms / 1000 for s in samples], unit="s",
                           note=brief(samples)))
            ratio = row(f"browser: {subject.name}, {action} / floor", paired_ratios(
                [s.ms for s in samples], [f.ms for f in floor]), unit="x", target=target,
                note=f"each run over the {floor_what} just before it (median {_median(floor, lambda s: s.ms) / 1000:.2f} s)")
            if ratio["ok"] is False:
                ratio["profile"] = where_the_time_went(samples, floor, floor_what)
            out.append(ratio)
    for _scale, label in FLOOR_MAPS:
        for action, base in (("load", floor_load), ("filter change", floor_change)):
            samples = rec.samples[(label, action)]
            values = [s.ms / 1000 for s in samples]
            out.append(row(f"browser: {label}, {action}", values, unit="s",
                           note=f"{statistics.median(values) / statistics.median(base):.1f}x the floor's {action}; "
                                f"{brief(samples)}"))
    return out


def run(runs: int = MIN_BROWSER_RUNS, profile: bool = True) -> list[dict[str, Any]]:  # noqa: ARG001
    """The table's rows; `profile` is accepted and unused: the breakdown of a miss comes with every sample."""
    reason = chromium_available()
    if reason:
        return [skipped_row("browser: pages against the floor app", reason)]
    runs = max(runs, MIN_BROWSER_RUNS)
    from playwright.sync_api import sync_playwright

    choices = Choices.from_dataset()
    rec = Recorder()
    with tempfile.TemporaryDirectory(prefix="iscm-bench-browser-") as tmp:
        work = Path(tmp)
        (work / "store").mkdir()
        # The floor's folder: the script and the project's static/ beside it (Streamlit serves static/ from
        # the entry script's folder; the maps' shapes are there).
        floor_dir = work / "floor"
        floor_dir.mkdir()
        (floor_dir / "floor_app.py").symlink_to(ROOT / "benchmarks" / "floor_app.py")
        (floor_dir / "static").symlink_to(ROOT / "static", target_is_directory=True)
        step = "starting the servers"
        try:
            with launched(ROOT / "serve.py", work, "app") as app, \
                    launched(floor_dir / "floor_app.py", work, "floor") as floor, sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
                tab = Tab(browser)
                try:
                    step = "the warm-up pass"
                    one_pass(tab, app, floor, 0, choices, rec, measured=False)
                    for k in range(1, runs + 1):
                        step = f"run {k} of {runs}"
                        print(f"  [browser] {step} ...", flush=True)
                        one_pass(tab, app, floor, k, choices, rec, measured=True)
                finally:
                    tab.close()
                    browser.close()
        except BenchError as e:
            return [failed_row("browser: pages against the floor app", f"{step}: {e}")]
        except Exception as e:  # noqa: BLE001 - Playwright's own errors (a crashed browser) name the step too
            return [failed_row("browser: pages against the floor app", f"{step}: {type(e).__name__}: {e}")]
    return rows_of(rec)


if __name__ == "__main__":
    result = run(int(sys.argv[1]) if len(sys.argv) > 1 else MIN_BROWSER_RUNS)
    print(format_table(result))
    for r in result:
        if r.get("ok") is False and r.get("profile"):
            print(f"\nProfile of '{r['name']}' (missed its target):\n{r['profile']}")
