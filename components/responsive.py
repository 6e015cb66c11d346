"""The page's layout in narrow windows (a phone, a small laptop with the sidebar open): one stylesheet,
and the sideways-scrolling frame of a chart that needs more width than the window gives.

Plotly cannot ask the browser how wide a chart will be, so the figures are built to read at any width
(`iscm.figures._house`) and the page does the rest with CSS:
- less padding at the sides of the page below a wide screen, less at the top on a phone;
- a chart that needs a minimum width to read (`iscm.export.readable_width`: a matrix of 39 columns, bars
  with long row labels) is drawn at least that wide inside a frame that scrolls sideways, instead of being
  squeezed to a sliver; the page itself never scrolls sideways. The frame's key names the width
  (`minw-<px>-<chart key>`), rounded up to one of `FRAME_WIDTHS`, each with one rule in the stylesheet;
- metric labels wrap instead of being cut ("States and territ…"); on a phone metrics go two to a line.

The stylesheet is a constant: no data reaches it (tests/test_hostile_input.py).
"""

from __future__ import annotations

import streamlit as st

FRAME_WIDTHS = tuple(range(400, 1601, 80))
"""Minimum widths (px) a chart frame can have: a chart's readable width is rounded up to the next one."""
PHONE_CHART_PX = 358
"""A chart's width on a 390 px phone: a chart that reads at this width needs no frame."""


def frame_key(key: str, readable: int) -> str | None:
    """The key of the sideways-scrolling frame of chart `key` that needs `readable` px; None when the chart
    reads at a phone's width (no frame)."""
    if readable <= PHONE_CHART_PX:
        return None
    width = next((w for w in FRAME_WIDTHS if w >= readable), FRAME_WIDTHS[-1])
    return f"minw-{width}-{key}"


def page_style() -> None:
    """Add the stylesheet to the page (an invisible element; every page calls it through the frame)."""
    st.html("""<style>
/* Side padding: Streamlit's 5rem each side left a 1024 px window with the sidebar open a 564 px page. */
@media (min-width: 641px) and (max-width: 1279.98px) {
  [data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; }
}
@media (min-width: 1280px) {
  [data-testid="stMainBlockContainer"] { padding-left: 3rem; padding-right: 3rem; }
}
/* A phone: the page starts under the header's menu button, not 6rem down. */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 4rem; }
}
/* A chart frame scrolls sideways; the chart in it is at least as wide as its key says. */
[class*="st-key-minw-"] { overflow-x: auto; overflow-y: hidden; }
[class*="st-key-minw-400-"] [data-testid="stFullScreenFrame"] { min-width: 400px; }
[class*="st-key-minw-480-"] [data-testid="stFullScreenFrame"] { min-width: 480px; }
[class*="st-key-minw-560-"] [data-testid="stFullScreenFrame"] { min-width: 560px; }
[class*="st-key-minw-640-"] [data-testid="stFullScreenFrame"] { min-width: 640px; }
[class*="st-key-minw-720-"] [data-testid="stFullScreenFrame"] { min-width: 720px; }
[class*="st-key-minw-800-"] [data-testid="stFullScreenFrame"] { min-width: 800px; }
[class*="st-key-minw-880-"] [data-testid="stFullScreenFrame"] { min-width: 880px; }
[class*="st-key-minw-960-"] [data-testid="stFullScreenFrame"] { min-width: 960px; }
[class*="st-key-minw-1040-"] [data-testid="stFullScreenFrame"] { min-width: 1040px; }
[class*="st-key-minw-1120-"] [data-testid="stFullScreenFrame"] { min-width: 1120px; }
[class*="st-key-minw-1200-"] [data-testid="stFullScreenFrame"] { min-width: 1200px; }
[class*="st-key-minw-1280-"] [data-testid="stFullScreenFrame"] { min-width: 1280px; }
[class*="st-key-minw-1360-"] [data-testid="stFullScreenFrame"] { min-width: 1360px; }
[class*="st-key-minw-1440-"] [data-testid="stFullScreenFrame"] { min-width: 1440px; }
[class*="st-key-minw-1520-"] [data-testid="stFullScreenFrame"] { min-width: 1520px; }
[class*="st-key-minw-1600-"] [data-testid="stFullScreenFrame"] { min-width: 1600px; }
/* A phone: a row of metrics is two per line rather than one under the other. */
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has(
      [data-testid="stHorizontalBlock"], .stPlotlyChart, [data-testid="stDataFrame"])) {
    flex-wrap: wrap; row-gap: 0.5rem;
  }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has(
      [data-testid="stHorizontalBlock"], .stPlotlyChart, [data-testid="stDataFrame"])) > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 1rem); min-width: calc(50% - 1rem); width: calc(50% - 1rem);
  }
}
/* Metric labels wrap rather than end in an ellipsis. */
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {
  white-space: normal; overflow: visible; text-overflow: clip;
}
</style>""")
