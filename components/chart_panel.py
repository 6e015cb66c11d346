"""One chart panel for every chart: the figure, a caption with its sources and data date, and downloads.

Pages never call st.plotly_chart directly; going through here gives every chart the same toolbar, file
names, caption and downloads, and registers the chart for the page's "Download all" ZIP.

Downloads: PNG (2x), SVG and PDF laid out for a report (``iscm.export.report_figure``: sized by content,
at least a slide, white, title, filter state and source line inside the image), a self-contained interactive
HTML file, and the CSV of exactly the data the chart shows. Images and CSV are made only when a button is
clicked (deferred download data), by one warm Chromium shared by all sessions, so drawing a page never
waits for an export.
Without Chromium the image buttons give way to a note on how to enable them; the chart toolbar's camera
(rendered by the browser) keeps working.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.responsive import frame_key
from iscm import export
from iscm.export_tables import to_csv_bytes
from iscm.figures import for_screen
from iscm.filters import Filters
from iscm.markup import escape_markdown

TOPOJSON_URL = "/app/static/topojson/"
REGISTRY_KEY = "_iscm_page_charts"


def file_stem(name: str, filters: Filters | None = None, day: dt.date | None = None) -> str:
    """`iscm-<chart>_<filter-slug>_<date>`, e.g. iscm-theme-coverage_theme-asylum_protection_2026-11-27."""
    slug = (filters or Filters()).slug()
    stem = f"iscm-{name}_{slug}_{(day or dt.date.today()).isoformat()}"
    return re.sub(r"[^A-Za-z0-9_.+-]", "-", stem)


def plotly_config(stem: str) -> dict[str, Any]:
    """Toolbar of every chart: PNG at 2x slide size with our file name, no Plotly logo, offline maps.

    The camera can hold one format only, and plotly.js custom buttons need a JavaScript click handler,
    which a Streamlit config (JSON) cannot carry; so the camera gives PNG and the panel's Download menu
    gives SVG. width/height make the camera's PNG slide-sized whatever the browser window.
    """
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png", "filename": stem, "scale": export.REPORT_SCALE,
            "width": export.REPORT_WIDTH, "height": export.REPORT_HEIGHT,
        },
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "topojsonURL": TOPOJSON_URL,
    }


def caption_text(sources: list[str] | tuple[str, ...], data_date: str, *, shown: int = 4) -> str:
    """Caption under a chart: the most-cited source sites as links, the others counted, the data date."""
    return _caption(tuple(sources), data_date, shown)


@functools.lru_cache(maxsize=1024)
def _caption(sources: tuple[str, ...], data_date: str, shown: int) -> str:
    sites = export.source_sites(sources)
    parts = []
    for label, first, _n in sites[:shown]:
        short = label if len(label) <= 60 else label[:59] + "…"
        parts.append(f"[{escape_markdown(short)}]({first})" if re.match(r"https?://", first) else escape_markdown(short))
    more = f" and {len(sites) - shown} more" if len(sites) > shown else ""
    text = f"Sources: {'; '.join(parts)}{more}." if parts else "Sources: none listed."
    return text + (f" Data as of {data_date}." if data_date else "")


# ------------------------------------------------------------------------------------- export server
def _release(server: export.ExportServer) -> None:
    server.stop()


@st.cache_resource(show_spinner=False, on_release=_release)
def export_server() -> export.ExportServer:
    """The process's export server, shared by every session; Chromium starts on the first export."""
    return export.ExportServer()


class _Report:
    """The report layout of one chart, built on first use and shared by the PNG/SVG/PDF/HTML buttons."""

    def __init__(self, fig: go.Figure, *, title: str, subtitle: str, sources: list[str], data_date: str):
        self.fig, self.title, self.subtitle = fig, title, subtitle
        self.sources, self.data_date = list(sources), data_date
        self._figure: go.Figure | None = None
        self._lock = threading.Lock()

    @property
    def figure(self) -> go.Figure:
        with self._lock:
            if self._figure is None:
                self._figure = export.report_figure(
                    self.fig, title=self.title, sources=self.sources, filters_text=self.subtitle,
                    data_date=self.data_date,
                )
            return self._figure


# ------------------------------------------------------------------------------------ download-all
def _run_marker() -> object | None:
    """An object that is the same during one script run and new in the next (the run's cursor map)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
    except Exception:  # noqa: BLE001 - no script context: nothing to scope to
        return None
    return getattr(ctx, "cursors", None) if ctx is not None else None


def _fragment_run() -> bool:
    """True while one fragment reruns alone: the rest of the page, its charts and Download all, stay."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
    except Exception:  # noqa: BLE001 - no script context: not a fragment run
        return False
    return bool(ctx is not None and getattr(ctx, "fragment_ids_this_run", None))


def page_downloads() -> dict[str, export.ChartItem]:
    """The charts drawn so far in this script run, by chart key (a new run starts empty).

    A fragment rerun keeps the page's registry and replaces only the charts it redraws, so the page's
    Download all (drawn by the last full run) zips what the page now shows.
    """
    marker = _run_marker()
    held = st.session_state.get(REGISTRY_KEY)
    if held and _fragment_run():
        return held[1]
    if not held or held[0] is not marker:
        held = (marker, {})
        st.session_state[REGISTRY_KEY] = held
    return held[1]


def _register(key: str, item: export.ChartItem) -> None:
    page_downloads()[key] = item


def _page_name() -> str:
    """The current page's URL path (e.g. "overview"), for the ZIP's file name; "page" if unknown."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        pm = ctx.pages_manager
        info = pm.get_pages().get(pm.current_page_script_hash) or {}
        name = info.get("url_pathname") or info.get("page_name") or ""
    except Exception:  # noqa: BLE001 - outside a script run there is no page
        name = ""
    return re.sub(r"[^A-Za-z0-9-]+", "-", str(name)).strip("-").lower() or "page"


def download_all_button(name: str | None = None, *, filters: Filters | None = None,
                        hidden: Sequence[Callable[[], export.ChartItem | None]] = ()) -> bool | None:
    """One ZIP with every chart of the page (PNG + SVG + CSV + README with sources), built on click.

    Pages call it once, after their last chart. `hidden`: one function per chart of a section the page did
    not draw (a closed tab), each building that chart's `chart_item` when the ZIP is made, so the ZIP holds
    every chart of the page while a rerun draws only what is on screen. Returns None when there is no chart.
    """
    registry = page_downloads()
    items = list(registry.values())
    hidden = list(hidden)
    if not items and not hidden:
        return None
    images = export_server().available
    if filters is None and items:
        stems = [it.stem for it in items]
        slug_date = stems[0].split("_", 1)[1] if "_" in stems[0] else dt.date.today().isoformat()
    elif filters is None:
        slug_date = f"{Filters().slug()}_{dt.date.today().isoformat()}"
    else:
        slug_date = f"{filters.slug()}_{dt.date.today().isoformat()}"
    file_name = f"iscm-charts-{name or _page_name()}_{slug_date}.zip"
    n = len(items) + len(hidden)
    charts = "the chart" if n == 1 else f"{n} charts"
    label = (f"Download {charts} (ZIP)" if n == 1 else f"Download all {charts} (ZIP)") if images else (
        f"Download the data of {charts} (ZIP)" if n == 1 else f"Download the data of all {charts} (ZIP)")
    help_text = ("Every chart of this page as PNG and SVG, with its data as CSV and a README listing the "
                 "sources." if images else "CSV and sources only. " + export.ENABLE_HINT)
    return st.download_button(
        label, data=lambda: export.charts_zip([*registry.values(), *_built(hidden)], images=images),
        file_name=file_name,
        mime=export.MIME["zip"], key="_download_all", icon=":material/folder_zip:", on_click="ignore",
        help=help_text,
    )


def _built(hidden: Sequence[Callable[[], export.ChartItem | None]]) -> list[export.ChartItem]:
    """The charts of closed tabs, built now (a builder returns None for a section with nothing to draw)."""
    return [item for item in (build() for build in hidden) if item is not None]


# -------------------------------------------------------------------------------------- the panel
def _button(label: str, data: bytes | Callable[[], bytes], fmt: str, stem: str, key: str, help: str) -> None:
    st.download_button(
        label, data=data, file_name=f"{stem}.{fmt}", mime=export.MIME[fmt], key=key,
        icon=":material/download:", on_click="ignore", help=help, width="stretch",
    )


def _menu_buttons(report: _Report, server: export.ExportServer, data: pd.DataFrame, stem: str, key: str) -> None:
    """The Download menu's buttons; each file is made when its button is clicked (deferred data)."""
    if server.available:
        size = f"{export.REPORT_WIDTH * export.REPORT_SCALE}×{export.REPORT_HEIGHT * export.REPORT_SCALE}"
        _button("PNG image", lambda: server.png(report.figure), "png", stem, f"{key}_png",
                f"At least {size} pixels (larger when the chart needs room for every label), white "
                "background, title, filters and sources in the image")
        _button("SVG (vector)", lambda: server.svg(report.figure), "svg", stem, f"{key}_svg",
                "Scalable vector image for print and slides")
        _button("PDF", lambda: server.pdf(report.figure), "pdf", stem, f"{key}_pdf", "One-page vector PDF")
    else:
        st.caption("PNG, SVG and PDF need Chromium or Chrome where the app runs: `apt-get install chromium`, "
                   "or `plotly_get_chrome`. Until then the camera in the chart's toolbar saves a PNG.")
    _button("Interactive HTML", lambda: export.to_html(report.figure, title=report.title), "html", stem,
            f"{key}_html", "One file that works offline: zoom, hover, toggle legend entries")
    _button("Data (CSV)", lambda: to_csv_bytes(data), "csv", stem, f"{key}_csv",
            f"The {len(data)} rows this chart shows, with the current filters")


def theme_type() -> str | None:
    """The app's theme as the browser reported it ("light" or "dark"; None before it has, e.g. in AppTest)."""
    try:
        return st.context.theme.type
    except Exception:  # noqa: BLE001 - no theme information: the light colours, as the app's theme is light
        return None


def chart_panel(
    fig: go.Figure,
    *,
    key: str,
    name: str,
    data: pd.DataFrame,
    sources: list[str],
    data_date: str = "",
    filters: Filters | None = None,
    on_select: str | None = None,
    selection_mode: Any = None,
    height: int | None = None,
) -> Any:
    """Render a figure with its caption and downloads; returns the selection event when `on_select` is set."""
    stem = file_stem(name, filters)
    # theme=None: the figure brings its own on-screen style (`for_screen`), so the browser draws it once
    kwargs: dict[str, Any] = {"config": plotly_config(stem), "key": key, "width": "stretch", "theme": None}
    if height:
        kwargs["height"] = height
    if on_select:
        kwargs["on_select"] = on_select
        if selection_mode is not None:
            kwargs["selection_mode"] = selection_mode
    # A chart that needs more width than a narrow window gives scrolls sideways in its own frame.
    frame = frame_key(key, export.readable_width(fig))
    shown = for_screen(fig, theme_type(), selectable=bool(on_select))
    if frame is None:
        event = st.plotly_chart(shown, **kwargs)
    else:
        with st.container(key=frame):
            event = st.plotly_chart(shown, **kwargs)

    item, report = _item_and_report(fig, name=name, data=data, sources=sources, data_date=data_date,
                                    filters=filters)
    server = export_server()

    with st.container(horizontal=True, vertical_alignment="center", gap="small", key=f"{key}_foot"):
        # Small grey Markdown, not st.caption: a caption is drawn at 60% opacity, which fades its source links
        # to 3:1 on white (WCAG AA asks 4.5:1); grey text and links at full strength read 6:1 and 7:1.
        st.markdown(f":small[:gray[{caption_text(sources, data_date)}]]")
        # A lazy menu: its buttons are drawn only while it is open (opening it reruns the page, or the
        # fragment the chart is in). Five buttons per chart on every rerun cost more than the chart itself.
        with st.popover("Download", icon=":material/download:", key=f"{key}_dl", on_change="rerun") as menu:
            if menu.open:
                _menu_buttons(report, server, data, stem, key)

    _register(key, item)
    return event


def _item_and_report(fig: go.Figure, *, name: str, data: pd.DataFrame, sources: Sequence[str], data_date: str,
                     filters: Filters | None) -> tuple[export.ChartItem, _Report]:
    title, subtitle = export.title_parts(fig)
    if not subtitle:
        subtitle = filters.describe() if filters is not None and filters.active else "All ISCMs"
    report = _Report(fig, title=title or name.replace("-", " ").capitalize(), subtitle=subtitle,
                     sources=list(sources), data_date=data_date)
    item = export.ChartItem(stem=file_stem(name, filters), figure=lambda: report.figure, data=data,
                            title=report.title, subtitle=subtitle, sources=tuple(sources), data_date=data_date)
    return item, report


def chart_item(fig: go.Figure, *, name: str, data: pd.DataFrame, sources: Sequence[str], data_date: str = "",
               filters: Filters | None = None) -> export.ChartItem:
    """The "Download all" entry of a chart that is not drawn (a closed tab): what `chart_panel` registers for
    the same arguments."""
    return _item_and_report(fig, name=name, data=data, sources=sources, data_date=data_date, filters=filters)[0]
