"""The house style of every chart, defined once.

The style is a Plotly template registered as ``"iscm"`` (``pio.templates["iscm"]``), so a notebook can draw
in it with ``template="iscm"``. The app's builders do not attach the template to each figure (that would
repeat it in every figure's JSON, and Streamlit applies its own theme on top); they write its layout into
the figure through `house_layout()`, which is the template's layout plus the chart's own title, axis
titles and height. `style()` does the same for a figure built through Plotly's validating API.

Backgrounds are transparent, so every chart reads on the light and the dark theme alike.

A private module: `iscm/figures/` exposes figure builders only (tables in, figures out).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from iscm.palette import FONT

TEMPLATE_NAME = "iscm"
_LAYOUT: dict[str, Any] = {
    "title": {"x": 0, "xanchor": "left", "font": {"size": 17}},
    "font": {"family": FONT, "size": 13},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
    "legend": {"bgcolor": "rgba(0,0,0,0)"},
}
pio.templates[TEMPLATE_NAME] = go.layout.Template(layout=_LAYOUT)


def merge(*parts: Mapping[str, Any] | None) -> dict[str, Any]:
    """A new dict: the parts deep-merged left to right (later wins; nested dicts merge key by key; None
    parts are skipped). The same rule as `Figure.update_layout`: {"legend": {"x": 0}} keeps a legend's
    other settings. The parts are not modified."""
    out: dict[str, Any] = {}
    for part in parts:
        for key, value in (part or {}).items():
            if isinstance(value, Mapping):
                out[key] = merge(out[key] if isinstance(out.get(key), dict) else None, value)
            else:
                out[key] = value
    return out


def house_layout(title: str, *, subtitle: str = "", x_title: str | None = None, y_title: str | None = None,
                 height: int | None = None) -> dict[str, Any]:
    """The template's layout with this chart's title ("Title<br><sup>subtitle</sup>"), axis titles, height."""
    layout = copy.deepcopy(_LAYOUT)
    layout["title"]["text"] = title if not subtitle else f"{title}<br><sup>{subtitle}</sup>"
    if x_title is not None:
        layout["xaxis"] = {"title": {"text": x_title}}
    if y_title is not None:
        layout["yaxis"] = {"title": {"text": y_title}}
    if height:
        layout["height"] = height
    return layout


def style(fig: go.Figure, title: str, *, subtitle: str = "", x_title: str | None = None,
          y_title: str | None = None, height: int | None = None) -> go.Figure:
    """Give a figure built through Plotly's API the house style (the same layout `house_layout` writes)."""
    return fig.update_layout(house_layout(title, subtitle=subtitle, x_title=x_title, y_title=y_title,
                                          height=height))
