"""Charts as files for reports: PNG, SVG, PDF (static, through kaleido and Chromium), HTML and CSV.

A chart on screen and a chart in a report need different layouts: the app draws it at the width of the
browser with a transparent background that follows the theme, while a report wants a white background,
the title, the filter state and the sources inside the image (a picture pasted into a document loses the
page around it), and a size that fits what the chart shows, so a 37-row matrix keeps every row label.
``report_figure`` makes that copy by one rule for all charts; the ``to_*`` functions turn it into bytes.

Static images come from one warm kaleido server (one headless Chromium for the whole process): starting
Chromium takes seconds, a render on a warm server a fraction of one. The server starts on the first
export, never at import, so pages that never export never pay for it. Calls are serialised by a lock
because kaleido's sync server matches replies to requests by order only. Geo figures read the world
shapes from ``static/topojson/`` (``iscm.geo``), so exports work offline.

This module never imports Streamlit; the app holds the server through ``components.chart_panel``.
"""

from __future__ import annotations

import copy
import functools
import html
import io
import json
import math
import os
import queue
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from iscm import geo
from iscm.export_tables import to_csv_bytes
from iscm.figures._house import ROW_LABEL, split_title
from iscm.palette import FONT
from iscm.provenance import bare_host
from iscm.textwidth import plain, text_px, wrap_px

REPORT_WIDTH = 1600
REPORT_HEIGHT = 900
REPORT_SCALE = 2
"""Smallest export in layout pixels (a 16:9 slide; ``report_figure`` grows it to fit the content); PNGs are
drawn at twice the layout size so they stay sharp when projected."""

ENABLE_HINT = (
    "Image export (PNG, SVG, PDF) needs Chromium or Google Chrome on the machine that runs the app: "
    "install it, e.g. `apt-get install chromium`, or run `plotly_get_chrome`, then restart the app."
)

RENDER_TIMEOUT_S = 150.0
"""Upper bound for one export. kaleido gives up on a render after 90 s; this also covers the start."""

TEXT_COLOR = "#222222"
MUTED_COLOR = "#555555"
GEO_TRACES = frozenset({"choropleth", "scattergeo"})
"""Trace types drawn on a geo subplot: plotly.js needs world shapes (topojson) for each of them."""

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "zip": "application/zip",
}

T = TypeVar("T")


class ExportUnavailable(RuntimeError):
    """Static export is impossible here because no Chromium/Chrome is installed."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{ENABLE_HINT}{' (' + detail + ')' if detail else ''}")


class ExportError(RuntimeError):
    """An export failed although a browser is installed (it did not start, or a render failed)."""


# ------------------------------------------------------------------------------------------ browser
def browser_path() -> str | None:
    """The Chromium/Chrome kaleido would launch (BROWSER_PATH, PATH, usual places, plotly_get_chrome).

    Looked up once per BROWSER_PATH/PATH setting: every chart panel asks on every rerun.
    """
    return _find_browser(os.environ.get("BROWSER_PATH", ""), os.environ.get("PATH", ""))


@functools.lru_cache(maxsize=8)
def _find_browser(browser_env: str, path_env: str) -> str | None:
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:  # kaleido not installed
        return None
    try:
        path = Chromium.find_browser(skip_local=False)
    except Exception:  # noqa: BLE001 - a broken lookup means "not available", never a crash
        return None
    if path and Path(path).is_file() and os.access(path, os.X_OK):
        return str(path)
    return None


def chromium_available() -> bool:
    """True when PNG/SVG/PDF export can work: kaleido can find an executable Chromium or Chrome."""
    return browser_path() is not None


# ------------------------------------------------------------------------------------ report layout
def source_host(src: str) -> str:
    """A source's short name for the image: the web site for a URL, the title for a printed source."""
    if re.match(r"https?://", src):
        return bare_host(urlparse(src).netloc)
    return src.strip()


def source_sites(sources: Sequence[str]) -> list[tuple[str, str, int]]:
    """(short name, first source, how many sources) per site, most-cited first, then in given order.

    Sources are mostly URLs of official sites, several per site; naming the site once says more in
    a caption or under an image than repeating addresses.
    """
    first: dict[str, str] = {}
    counts: dict[str, int] = {}
    for s in sources:
        h = source_host(s)
        if h:
            first.setdefault(h, s)
            counts[h] = counts.get(h, 0) + 1
    order = list(first)
    return [(h, first[h], counts[h]) for h in sorted(order, key=lambda h: (-counts[h], order.index(h)))]


def source_line(sources: Sequence[str], data_date: str = "", *, max_chars: int = 190) -> str:
    """One line naming the sources' sites, short enough to sit under a slide-sized chart.

    The full list of sources travels with the downloads (the ZIP's README) and is on the Data page.
    """
    names = [h for h, _, _ in source_sites(sources)]
    shown: list[str] = []
    for n in names:
        if len(", ".join([*shown, n])) > max_chars and shown:
            break
        shown.append(n if len(n) <= max_chars else n[: max_chars - 1] + "…")
    rest = len(names) - len(shown)
    text = "Source: " + ", ".join(shown) if shown else "Source: ISCM Atlas dataset"
    if rest:
        text += f" and {rest} more"
    text += "."
    if data_date:
        text += f" Data as of {data_date}."
    return text + " ISCM Atlas."


def title_parts(fig: go.Figure) -> tuple[str, str]:
    """(title, subtitle) as plain text of a figure built with the house style (``iscm.figures._house``:
    the title's lines, then the subtitle's as <sup> lines)."""
    head, tail = split_title(fig.layout.title.text or "")
    return head, fig.layout.title.subtitle.text or tail


_plain = plain


# ------------------------------------------------------------------------------------- on screen
PLOT_MIN_PX = 280
"""Narrowest plot area (the part inside the axes) that still reads on screen."""
CELL_MIN_PX = 14
"""Narrowest column of a matrix on screen (a heatmap cell; a dot matrix takes its marker's size)."""
COLORBAR_PX = 100


def readable_width(fig: go.Figure) -> int:
    """The narrowest chart, in CSS pixels, at which `fig` still reads: its row labels, a plot area of at
    least PLOT_MIN_PX, every column of a matrix at least CELL_MIN_PX (or its marker) wide, its colour bar.

    0 for a figure that reads at any width: a map or a drawing without axes takes what it is given. The
    chart panel lets a narrower window scroll such a chart sideways rather than squeeze it. Computed once
    per figure (figures handed out by a cache are the same object on every rerun).
    """
    held = fig.__dict__.get("_iscm_readable_width")
    if held is None:
        held = _readable_width(fig.to_dict())
        fig._iscm_readable_width = held
    return held


def _categories(spec: dict, letter: str) -> list[str]:
    """The labels a categorical axis shows (its tick texts, category order or the traces' strings)."""
    ax = spec["layout"].get(f"{letter}axis") or {}
    if ax.get("type") not in (None, "category", "-"):
        return []
    if ax.get("tickmode") == "array" and ax.get("ticktext") is not None:
        return [str(v) for v in ax["ticktext"]]
    if ax.get("categoryarray") is not None:
        return [str(v) for v in ax["categoryarray"]]
    seen: dict[str, None] = {}
    for t in spec["data"]:
        values = t.get(letter)
        if not isinstance(values, list | tuple):
            continue  # absent, or a typed (numeric) array
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, str) for v in present):
            seen.update(dict.fromkeys(present))
    return list(seen)


def _readable_width(spec: dict) -> int:
    layout, data = spec["layout"], spec["data"]
    if not data or any(t.get("type") in GEO_TRACES for t in data):
        return 0
    xaxis, yaxis = layout.get("xaxis") or {}, layout.get("yaxis") or {}
    if xaxis.get("visible") is False and yaxis.get("visible") is False:
        return 0
    size = (layout.get("font") or {}).get("size") or 13
    rows = _categories(spec, "y") if yaxis.get("showticklabels") is not False else []  # labels above bars
    cols = _categories(spec, "x")
    left = max((text_px(c, size, screen=True) for c in rows), default=8.0) + 10  # numeric: "40"
    left += 24 if (yaxis.get("title") or {}).get("text") else 0
    cell = CELL_MIN_PX
    for t in data:
        marker = t.get("marker") or {}
        if t.get("type") == "scatter" and isinstance(marker.get("size"), int | float):
            cell = max(cell, marker["size"] + 3)
    if cols and not isinstance(xaxis.get("tickangle"), int | float):
        cell = max(cell, max(text_px(c, size, screen=True) for c in cols) + 10)  # upright labels side by side
    plot = max(PLOT_MIN_PX, len(cols) * cell)
    angle = xaxis.get("tickangle")
    if cols and isinstance(angle, int | float) and abs(angle) < 90:  # slanted labels overhang the last column
        plot += max(text_px(c, size, screen=True) for c in cols) * math.cos(math.radians(angle)) - cell
    scale = any(t.get("type") == "heatmap" and t.get("showscale") is not False
                or (t.get("marker") or {}).get("showscale") for t in data)
    margin = layout.get("margin") or {}
    return int(left + plot + (COLORBAR_PX if scale else 0) + margin.get("l", 10) + margin.get("r", 10))


# Type sizes of the report layout (layout pixels; the PNG doubles them).
TITLE_SIZE, SUBTITLE_SIZE, BODY_SIZE, SOURCE_SIZE, LEGEND_SIZE = 28, 18, 16, 14, 15
MIN_TEXT_SIZE = 13
"""Smallest text drawn on a chart in the report (labels of nodes, values in cells)."""
ROW_PX = 30
"""Room per row of a categorical axis: a 16 px label with air above and below, so every label is printed."""
COL_PX = 36
"""Room per column of a categorical x axis whose labels are slanted."""
SIDE = 60
@dataclass
class _Axis:
    """What one cartesian axis of a figure shows: its categories (if it is categorical) and placement."""

    name: str
    categories: list[str] = field(default_factory=list)
    side: str = ""
    angle: float | None = None
    title: str = ""
    visible: bool = True


def _axes(fig: go.Figure) -> dict[str, _Axis]:
    """Every x/y axis that carries traces, with the categories it shows (strings on it, in order)."""
    layout = fig.layout
    out: dict[str, _Axis] = {}
    for t in fig.data:
        if t.type in GEO_TRACES or t.type in ("pie", "sunburst", "treemap", "sankey"):
            continue
        for letter in ("x", "y"):
            ref = getattr(t, f"{letter}axis", None) or letter
            key = ref.replace("x", "xaxis").replace("y", "yaxis")
            ax = layout[key]
            a = out.setdefault(key, _Axis(key, side=ax.side or ("bottom" if letter == "x" else "left"),
                                          angle=ax.tickangle if isinstance(ax.tickangle, int | float) else None,
                                          title=ax.title.text or "", visible=ax.visible is not False))
            values = getattr(t, letter, None)
            if isinstance(values, dict):  # a typed (numeric) array, base64-encoded by to_dict()
                continue
            if values is None or ax.type not in (None, "category", "-"):
                continue
            if ax.tickmode == "array" and ax.tickvals is not None and ax.type == "category":
                cats = [str(v) for v in ax.ticktext] if ax.ticktext is not None else [str(v) for v in ax.tickvals]
                a.categories = list(dict.fromkeys([*a.categories, *cats]))
                continue
            strings = [v for v in values if isinstance(v, str)]
            if strings and len(strings) == len([v for v in values if v is not None]):
                a.categories = list(dict.fromkeys([*a.categories, *strings]))
            if ax.categoryarray is not None and a.categories:
                a.categories = list(dict.fromkeys([*map(str, ax.categoryarray), *a.categories]))
    return out


def _legend_entries(fig: go.Figure) -> list[str]:
    """Names of the legend entries plotly will draw (one per legend group)."""
    if fig.layout.showlegend is False:
        return []
    shown = []
    for t in fig.data:
        if t.showlegend is False or not t.name:
            continue
        if t.type in ("choropleth", "heatmap") and t.showlegend is not True:
            continue  # scale traces show a colour bar, not a legend entry
        shown.append(str(t.name))
    if len(shown) == 1 and fig.layout.showlegend is not True:
        return []
    return shown


def _legend_rows(entries: Sequence[str], title: str, width: float) -> int:
    """Rows a horizontal legend takes at `width`: entries are packed left to right, plotly's way."""
    if not entries:
        return 0
    rows, used = 1, text_px(title, LEGEND_SIZE) + 12 if title else 0.0
    for e in entries:
        w = 40 + text_px(e, LEGEND_SIZE) + 14
        if used + w > width and used > 0:
            rows, used = rows + 1, w
        else:
            used += w
    return rows


def _slanted_height(labels: Sequence[str], angle: float) -> float:
    """Height of the tallest tick label turned by `angle` degrees."""
    a = math.radians(abs(angle))
    return max((text_px(lab, BODY_SIZE) * math.sin(a) + BODY_SIZE * math.cos(a) for lab in labels), default=0.0)


def report_figure(
    fig: go.Figure,
    *,
    title: str,
    sources: Sequence[str],
    filters_text: str,
    data_date: str,
    width: int | None = None,
    height: int | None = None,
) -> go.Figure:
    """A copy of ``fig`` laid out like a published chart: white, titled, with its sources, sized by content.

    One rule for every chart, from what the figure shows rather than per chart:
    - width: at least the slide width (1600); wider when a categorical x axis needs more room than that
      (``COL_PX`` per slanted column, the widest label per upright one);
    - height: title, subtitle and legend on top, then the plot, then the axis labels and the source line.
      A categorical y axis gets ``ROW_PX`` per row, so every row label is printed; a map keeps the
      proportions of the region it frames, a drawing without axes (the network) its own; anything
      else fills the slide height (a plot of 480 px at least);
    - the title, the filter line and the source line are wrapped over as many lines as they need;
    - every legend is horizontal under the subtitle and wraps over as many rows as it needs;
    - categorical x labels are slanted when upright ones would not fit their column.
    Text is measured on a real font (``text_px``); the browser tests check the result in Chromium.
    ``width`` / ``height`` force a size instead (e.g. a fixed slot in a document).
    """
    out = go.Figure(copy.deepcopy(fig.to_dict()))
    _whole_labels(out)
    geo_keys = _geo_keys(out)
    axes = _axes(out)
    xs = [a for k, a in axes.items() if k.startswith("x") and a.visible]
    ys = [a for k, a in axes.items() if k.startswith("y") and a.visible]
    n_cols = max((len(a.categories) for a in xs), default=0)
    n_rows = max((len(a.categories) for a in ys), default=0)
    scale_bar = any(getattr(t, "showscale", None) is not False and t.type in ("heatmap", "choropleth")
                    or (t.type == "scatter" and t.marker.showscale) for t in out.data)

    left = max((text_px(c, BODY_SIZE) for a in ys for c in a.categories), default=0.0)
    left += 34 if any(a.title for a in ys) else 0
    right = 150 if scale_bar else 10
    # x labels: upright when each fits its column, otherwise slanted (45 degrees unless the chart says)
    x_labels = [c for a in xs for c in a.categories]
    widest_x = max((text_px(c, BODY_SIZE) for c in x_labels), default=0.0)
    slant = next((a.angle for a in xs if a.angle), None)
    need_w = 0.0
    if n_cols:
        if slant is None and widest_x + 16 > (REPORT_WIDTH - 2 * SIDE - left - right) / n_cols:
            slant = -45
        need_w = n_cols * (COL_PX if slant else widest_x + 16)
    w = width or int(max(REPORT_WIDTH, 2 * SIDE + left + right + need_w))
    inner = w - 2 * SIDE

    title_lines = wrap_px(html.escape(title), inner, TITLE_SIZE, bold=True)
    sub_lines = wrap_px(html.escape(filters_text), inner, SUBTITLE_SIZE) if filters_text else []
    # the source line starts at the plot's left edge, right of the row labels
    src_lines = wrap_px(html.escape(source_line(sources, data_date)), inner - left - 20, SOURCE_SIZE)
    entries = _legend_entries(out)
    legend_title = _plain(out.layout.legend.title.text or "")
    legend_h = (_legend_rows(entries, legend_title, inner) * (LEGEND_SIZE + 11) + 14) if entries else 0
    head = 22 + TITLE_SIZE * 1.25 * len(title_lines) + SUBTITLE_SIZE * 1.3 * len(sub_lines) + 16

    x_label_h = (_slanted_height(x_labels, slant) if slant else BODY_SIZE * 1.3) if x_labels else BODY_SIZE * 1.3
    x_title_h = 34 if any(a.title for a in xs) else 0
    top_axis = [a for a in xs if a.side == "top"]
    bottom_axis = [a for a in xs if a.side != "top"]
    top = head + legend_h + ((x_label_h + x_title_h + 10) if top_axis else 12)
    bottom = ((x_label_h + x_title_h + 16) if bottom_axis else 12) + SOURCE_SIZE * 1.35 * len(src_lines) + 26

    plot_w = inner - left - right
    if n_rows:
        plot_h = n_rows * ROW_PX
    elif geo_keys:
        frame = out.layout[geo_keys[0]]
        aspect = geo.natural_earth_aspect(frame.lonaxis.range, frame.lataxis.range or (-57.0, 85.0))
        plot_h = plot_w * min(max(aspect, 0.35), 0.9)
    elif axes and not xs and not ys and out.layout.xaxis.range and out.layout.yaxis.range:
        # a drawing without axes (the network): its own proportions, between 1:2 and 3:4
        (x0, x1), (y0, y1) = out.layout.xaxis.range, out.layout.yaxis.range
        plot_h = plot_w * min(max(abs(y1 - y0) / max(abs(x1 - x0), 1e-9), 0.5), 0.75)
    else:
        plot_h = 480.0  # the slide height leaves it more when the header is short
    h = height or int(max(REPORT_HEIGHT, math.ceil(top + plot_h + bottom)))

    out.update_layout(
        template="plotly_white",
        width=w,
        height=h,
        autosize=False,
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"family": FONT, "size": BODY_SIZE, "color": TEXT_COLOR},
        margin={"l": SIDE, "r": SIDE, "t": int(top), "b": int(bottom), "pad": 0, "autoexpand": True},
        title={
            "text": "<br>".join(f"<b>{ln}</b>" for ln in title_lines),
            "x": SIDE / w, "xref": "container", "xanchor": "left",
            "y": 1.0 - 22 / h, "yref": "container", "yanchor": "top", "automargin": False,
            "pad": {"t": 0, "l": 0},  # the screen's title sits under a toolbar strip; a report has no toolbar
            "font": {"size": TITLE_SIZE, "color": TEXT_COLOR},
            "subtitle": {"text": "<br>".join(sub_lines), "font": {"size": SUBTITLE_SIZE, "color": MUTED_COLOR}},
        },
        showlegend=bool(entries) if entries else out.layout.showlegend,
    )
    if entries:
        out.update_layout(legend={
            "orientation": "h", "xref": "container", "x": SIDE / w, "xanchor": "left",
            "yref": "container", "y": 1.0 - head / h, "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0)", "font": {"size": LEGEND_SIZE}, "valign": "middle",
        })
    for a in xs:
        out.layout[a.name].automargin = True
        if a.categories:
            out.layout[a.name].tickangle = slant if slant else 0
            if out.layout[a.name].tickmode != "array":
                out.layout[a.name].update(tickmode="linear", tick0=0, dtick=1)
    for a in ys:
        out.layout[a.name].automargin = True
        if a.categories and out.layout[a.name].tickmode != "array":
            out.layout[a.name].update(tickmode="linear", tick0=0, dtick=1)
    for t in out.data:  # labels drawn on the chart (node names, cell values) grow with the body text
        font = getattr(t, "textfont", None)
        if font is not None and isinstance(font.size, int | float) and font.size < MIN_TEXT_SIZE:
            font.size = MIN_TEXT_SIZE
    for a in out.layout.annotations:  # node names moved off their node (the network) grow alike
        if str(a.name or "").startswith("label:") and isinstance(a.font.size, int | float) \
                and a.font.size < MIN_TEXT_SIZE:
            a.font.size = MIN_TEXT_SIZE
    for key in geo_keys:
        if out.layout[key].bgcolor in (None, "rgba(0,0,0,0)"):
            out.layout[key].bgcolor = "white"
    out.add_annotation(
        text="<br>".join(src_lines),
        xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="bottom",
        yshift=-(int(bottom) - 14), showarrow=False, align="left",
        font={"size": SOURCE_SIZE, "color": MUTED_COLOR},
    )
    return out


def _whole_labels(fig: go.Figure) -> None:
    """What the screen shortened for a narrow window, a report prints whole (`fig` is changed): the row labels
    written above bars go back beside them, on the axis, and a name clipped with an ellipsis is printed in full
    (its category)."""
    above = [a for a in fig.layout.annotations if a.name == ROW_LABEL]
    if above:
        fig.layout.annotations = [a for a in fig.layout.annotations if a.name != ROW_LABEL]
        fig.layout.yaxis.update(showticklabels=True, ticks="outside", ticklen=0, automargin=True, tickmode="array",
                                tickvals=[a.y for a in above], ticktext=[a.text for a in above])
        fig.update_layout(bargap=0.25)
    for key in [k for k in fig.layout if re.fullmatch(r"[xy]axis\d*", k)]:
        ax = fig.layout[key]
        if ax.tickmode == "array" and ax.ticktext is not None and ax.tickvals is not None:
            ax.ticktext = [str(v) if str(t).endswith("…") else t for t, v in zip(ax.ticktext, ax.tickvals, strict=False)]


def _geo_keys(fig: go.Figure) -> list[str]:
    """Layout keys of the geo subplots that carry traces ("geo", "geo2", ...)."""
    return sorted({getattr(t, "geo", None) or "geo" for t in fig.data if t.type in GEO_TRACES})


# --------------------------------------------------------------------------------------- the server
@dataclass
class ServerStats:
    """What the export server has done in this process: when it started and how long exports took."""

    started_at: float | None = None
    start_seconds: float | None = None  # from start to the end of the first export (Chromium launch)
    renders: int = 0
    durations: list[float] = field(default_factory=list)


_LOCK = threading.Lock()
STATS = ServerStats()
_STUCK: list[str] = []  # set when a call timed out: kaleido's reply queue may now be out of step


def _kaleido_server() -> Any:
    import kaleido

    return kaleido._global_server  # noqa: SLF001 - the singleton start_sync_server() opens


def _server_thread_alive() -> bool:
    srv = _kaleido_server()
    thread = getattr(srv, "_thread", None)
    return bool(srv.is_running() and thread is not None and thread.is_alive())


def configure_plotly_io() -> None:
    """Point plotly's static export at the local world shapes and drop the per-call kaleido options.

    plotly sends ``defaults.headers`` as kaleido options on every call; a running server ignores them
    and warns each time, so they are cleared (the server gets what it needs when it starts).
    """
    geo.configure_static_export()
    pio.defaults.headers = {}


def start_server() -> None:
    """Start the one kaleido server of this process (no-op when it runs). Caller holds ``_LOCK``."""
    import kaleido

    if _server_thread_alive():
        return
    if _kaleido_server().is_running():  # its thread died (Chromium crashed): reset, then start afresh
        kaleido.stop_sync_server(silence_warnings=True)
    path = browser_path()
    if path is None:
        raise ExportUnavailable("no Chromium or Chrome found")
    configure_plotly_io()
    # mathjax=False: no MathJax <script> from a CDN (offline), our charts use no LaTeX.
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    STATS.started_at = time.perf_counter()
    STATS.start_seconds = None


def stop_server() -> None:
    """Stop the server (tests, benchmarks). The next export starts a new one."""
    import kaleido

    with _LOCK:
        kaleido.stop_sync_server(silence_warnings=True)
        STATS.started_at = None


def server_running() -> bool:
    return _server_thread_alive()


def _call(fn: Callable[[], T], timeout: float = RENDER_TIMEOUT_S) -> T:
    """Run ``fn`` (a kaleido call) in a helper thread and wait, but not forever.

    kaleido's sync server waits without a limit for a reply; if its Chromium never started or died,
    the reply never comes. Waiting here in short steps lets us notice a dead server and give a clear
    error instead of a page that hangs.
    """
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            box.put((True, fn()))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            box.put((False, exc))

    threading.Thread(target=run, daemon=True, name="iscm-export").start()
    deadline = time.monotonic() + timeout
    while True:
        try:
            ok, value = box.get(timeout=0.2)
        except queue.Empty:
            if not _server_thread_alive():
                raise ExportError(
                    "the export browser stopped (Chromium did not start or crashed); try again, "
                    "and check that Chromium runs on this machine"
                ) from None
            if time.monotonic() > deadline:
                # The late reply would be handed to the next caller: refuse further exports instead
                # of ever returning someone else's image.
                _STUCK.append(f"an export did not finish within {timeout:.0f} s")
                raise ExportError(_STUCK[-1] + "; restart the app to export again") from None
            continue
        if ok:
            return value
        raise value


def _render(fig: go.Figure, fmt: str, *, scale: float = 1) -> bytes:
    """Render a figure (already at its final layout size) through the warm server."""
    width = int(fig.layout.width or REPORT_WIDTH)
    height = int(fig.layout.height or REPORT_HEIGHT)
    spec = fig.to_dict()
    with _LOCK:
        if _STUCK:
            raise ExportError(f"image export is out of order ({_STUCK[0]}); restart the app")
        start_server()
        t0 = time.perf_counter()
        try:
            data = _call(lambda: pio.to_image(spec, format=fmt, width=width, height=height,
                                              scale=scale, validate=False))
        except ExportError:
            raise
        except Exception as exc:
            if isinstance(exc, RuntimeError) and "Chrome" in str(exc):
                raise ExportUnavailable(str(exc).splitlines()[0]) from exc
            raise ExportError(f"{fmt.upper()} export failed: {exc}") from exc
        took = time.perf_counter() - t0
        STATS.renders += 1
        STATS.durations.append(took)
        if STATS.start_seconds is None and STATS.started_at is not None:
            STATS.start_seconds = time.perf_counter() - STATS.started_at
    return data


def to_png(fig: go.Figure, scale: float = REPORT_SCALE) -> bytes:
    """PNG at ``scale`` times the layout size (1600x900 layout -> 3200x1800 pixels at scale 2)."""
    return _render(fig, "png", scale=scale)


def to_svg(fig: go.Figure) -> bytes:
    return _render(fig, "svg")


def to_pdf(fig: go.Figure) -> bytes:
    """One-page vector PDF of the figure at its layout size."""
    return _render(fig, "pdf")


class ExportServer:
    """Handle on the process's warm export server, for an app to hold as a shared resource.

    Creating it is free: Chromium starts on the first export and then serves every session. ``stop``
    ends it (the app calls it when its resource cache is cleared).
    """

    @property
    def available(self) -> bool:
        return chromium_available()

    @property
    def running(self) -> bool:
        return server_running()

    @property
    def stats(self) -> ServerStats:
        return STATS

    def png(self, fig: go.Figure, scale: float = REPORT_SCALE) -> bytes:
        return to_png(fig, scale=scale)

    def svg(self, fig: go.Figure) -> bytes:
        return to_svg(fig)

    def pdf(self, fig: go.Figure) -> bytes:
        return to_pdf(fig)

    def stop(self) -> None:
        stop_server()


# -------------------------------------------------------------------------------------------- HTML
def topojson_names(fig: go.Figure) -> list[str]:
    """The world-shape files plotly.js will ask for: ``<scope>_<resolution>m`` per geo subplot."""
    names = []
    for key in _geo_keys(fig):
        layout = fig.layout[key]
        scope = layout.scope or "world"
        resolution = 50 if layout.resolution == 50 else 110
        names.append(f"{scope.replace(' ', '-')}_{resolution}m")
    return sorted(set(names))


def to_html(fig: go.Figure, *, title: str = "", config: dict[str, Any] | None = None) -> bytes:
    """A self-contained interactive page: plotly.js inlined and, for maps, the world shapes inlined.

    plotly.js looks in ``window.PlotlyGeoAssets.topojson[name]`` before it fetches a shape file, so a
    map in this file draws without any network. Shape files the app does not ship (a scope other than
    "world") cannot be inlined; we refuse those rather than write a file that shows a blank map offline.
    """
    cfg = {"displaylogo": False, "responsive": True, **(config or {})}
    cfg.pop("topojsonURL", None)  # the app's /app/static/ path means nothing in a saved file
    assets = {}
    for name in topojson_names(fig):
        path = geo.TOPOJSON_DIR / f"{name}.json"
        if not path.is_file():
            raise ExportError(f"no offline shapes for map scope '{name}': add static/topojson/{name}.json")
        assets[name] = json.loads(path.read_text(encoding="utf-8"))
    if cfg.get("responsive"):  # fill the reader's window instead of the slide size
        fig = go.Figure(fig)
        fig.update_layout(width=None, height=None, autosize=True)
    page = pio.to_html(fig, include_plotlyjs=True, full_html=True, config=cfg, validate=False,
                       default_width="100%", default_height="92vh")
    head = [f"<title>{html.escape(title or title_parts(fig)[0] or 'ISCM Atlas chart')}</title>",
            '<meta name="generator" content="ISCM Atlas">']
    if assets:
        blob = json.dumps(assets, separators=(",", ":")).replace("</", "<\\/")
        head.append(f"<script>window.PlotlyGeoAssets={{topojson:{blob}}};</script>")
    page = page.replace("<head>", "<head>" + "".join(head), 1)
    return page.encode("utf-8")


# --------------------------------------------------------------------------------------- CSV / ZIP
@dataclass(frozen=True)
class ChartItem:
    """One chart of a page, ready for the "download all" ZIP."""

    stem: str  # file name without extension
    figure: go.Figure | Callable[[], go.Figure]  # laid out by report_figure, or a function that builds it
    data: pd.DataFrame
    title: str = ""
    subtitle: str = ""
    sources: tuple[str, ...] = ()
    data_date: str = ""

    def report(self) -> go.Figure:
        return self.figure if isinstance(self.figure, go.Figure) else self.figure()


def charts_zip(items: Iterable[ChartItem], *, images: bool = True) -> bytes:
    """One ZIP with every chart as PNG and SVG, its data as CSV, and a README naming all sources.

    ``images=False`` (no Chromium) still gives the data and the sources, and the README says how to
    get the images.
    """
    items = list(items)
    buf = io.BytesIO()
    lines = ["ISCM Atlas: charts of one page, as shown with the filters below.", ""]
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for it in items:
            if images:
                fig = it.report()
                zf.writestr(f"{it.stem}.png", to_png(fig))
                zf.writestr(f"{it.stem}.svg", to_svg(fig))
            zf.writestr(f"{it.stem}.csv", to_csv_bytes(it.data))
            lines += [f"{it.stem}", f"  Chart: {it.title}", f"  Filters: {it.subtitle or 'none'}",
                      f"  Data as of: {it.data_date}", f"  Files: {it.stem}."
                      + ("png, .svg, .csv" if images else "csv"), "  Sources:"]
            lines += [f"    - {s}" for s in it.sources] or ["    - (none listed)"]
            lines.append("")
        if not images:
            lines += ["Images are missing: " + ENABLE_HINT, ""]
        zf.writestr("README.txt", "\n".join(lines))
    return buf.getvalue()
