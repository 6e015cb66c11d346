"""The house style of every chart, defined once.

The style is a Plotly template registered as ``"iscm"`` (``pio.templates["iscm"]``), so a notebook can draw
in it with ``template="iscm"``. The app's builders do not attach the template to each figure (that would
repeat it in every figure's JSON, and Streamlit applies its own theme on top); they write its layout into
the figure through `house_layout()`, which is the template's layout plus the chart's own title, axis
titles and height. `style()` does the same for a figure built through Plotly's validating API.

Backgrounds are transparent, so a chart sits on the page's own background; its text colours are therefore
set per theme (`TEXT_COLORS`): dark text on the light theme, light text on the dark one, each at least
WCAG AA (4.5:1) against that theme's background (tests/test_contrast.py computes the ratios). The text
colours are written into the figure itself: Streamlit's chart theme would otherwise draw tick labels and
axis titles in a grey of 3.7:1 on white. The light colours are the default (`house_layout`, the "iscm"
template, exports on white); `for_theme(fig, "dark")` gives a figure the dark ones ("iscm_dark").

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
DARK_TEMPLATE_NAME = "iscm_dark"

# The page backgrounds a transparent chart sits on: Streamlit's light and dark themes (1.67: white and
# #171614; #0e1117 is the dark background of earlier Streamlit releases, kept so the colours suit both).
BACKGROUNDS: dict[str, tuple[str, ...]] = {"light": ("#ffffff",), "dark": ("#171614", "#0e1117")}
# Per theme: "text" for titles, legend entries, annotations and hover text; "muted" for tick labels, axis
# and legend titles, a step quieter. Each reaches 4.5:1 on every background of its theme (light: 16.8
# and 7.1 on white; dark: 15.2 and 9.1 on #171614).
TEXT_COLORS: dict[str, dict[str, str]] = {
    "light": {"text": "#1b1d26", "muted": "#555867"},
    "dark": {"text": "#edebe8", "muted": "#b5b8c2"},
}


def text_layout(theme: str = "light") -> dict[str, Any]:
    """The layout keys that colour a chart's text for `theme` ("light" or "dark")."""
    c, bg = TEXT_COLORS[theme], BACKGROUNDS[theme][0]
    axis = {"tickfont": {"color": c["muted"]}, "title": {"font": {"color": c["muted"]}}}
    return {
        "font": {"color": c["text"]},
        "title": {"font": {"color": c["text"]}},
        "xaxis": axis,
        "yaxis": copy.deepcopy(axis),
        "legend": {"font": {"color": c["text"]}, "title": {"font": {"color": c["muted"]}}},
        "hoverlabel": {"bgcolor": bg, "bordercolor": c["muted"], "font": {"color": c["text"]}},
    }


_BASE: dict[str, Any] = {
    "title": {"x": 0, "xanchor": "left", "font": {"size": 17}},
    "font": {"family": FONT, "size": 13},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
    "legend": {"bgcolor": "rgba(0,0,0,0)"},
}


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


_LAYOUT: dict[str, Any] = merge(_BASE, text_layout("light"))
for _name, _theme in ((TEMPLATE_NAME, "light"), (DARK_TEMPLATE_NAME, "dark")):
    pio.templates[_name] = go.layout.Template(layout=merge(_BASE, text_layout(_theme)))


def for_theme(fig: go.Figure, theme: str | None) -> go.Figure:
    """`fig` with the text colours of `theme`: the figure itself for the light theme (its colours already),
    else a new figure sharing the traces, with the dark text colours over its layout."""
    if theme != "dark":
        return fig
    spec = fig.to_dict()
    return go.Figure(data=spec.get("data", []), layout=merge(spec.get("layout"), text_layout("dark")),
                     _validate=False)


def house_layout(title: str, *, subtitle: str = "", x_title: str | None = None, y_title: str | None = None,
                 height: int | None = None) -> dict[str, Any]:
    """The template's layout with this chart's title ("Title<br><sup>subtitle</sup>"), axis titles, height."""
    layout = copy.deepcopy(_LAYOUT)
    layout["title"]["text"] = title if not subtitle else f"{title}<br><sup>{subtitle}</sup>"
    if x_title is not None:
        layout["xaxis"]["title"]["text"] = x_title
    if y_title is not None:
        layout["yaxis"]["title"]["text"] = y_title
    if height:
        layout["height"] = height
    return layout


def style(fig: go.Figure, title: str, *, subtitle: str = "", x_title: str | None = None,
          y_title: str | None = None, height: int | None = None) -> go.Figure:
    """Give a figure built through Plotly's API the house style (the same layout `house_layout` writes)."""
    return fig.update_layout(house_layout(title, subtitle=subtitle, x_title=x_title, y_title=y_title,
                                          height=height))
