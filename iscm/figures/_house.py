"""The house style of every chart, defined once.

The style is a Plotly template registered as ``"iscm"`` (``pio.templates["iscm"]``), so a notebook can draw
in it with ``template="iscm"``. The app's builders do not attach the template to each figure (that would
repeat it in every figure's JSON); they write its layout into the figure through `house_layout()`, which is
the template's layout plus the chart's own title, axis titles and height. `style()` does the same for a
figure built through Plotly's validating API.

Backgrounds are transparent, so a chart sits on the page's own background; its text colours are therefore
set per theme (`TEXT_COLORS`): dark text on the light theme, light text on the dark one, each at least
WCAG AA (4.5:1) against that theme's background (tests/test_contrast.py computes the ratios). The light
colours are the default (`house_layout`, the "iscm" template, exports on white).

On screen a chart is drawn without Streamlit's chart theme: `for_screen(fig, theme)` adds what the app's
charts look like in the browser (`screen_layout`: the app's font for titles, grid line colours, ...) under
the figure's own layout, and the dark text colours over it on a dark page.

Narrow windows (a 390 px phone, a small laptop with the sidebar open) get the same figure as a wide screen,
so the style is chosen to read at every width (a figure cannot ask the browser how wide it will be):
- the title is wrapped to lines that fit the narrowest chart (`TITLE_WIDTH_PX`) and starts below a strip
  kept free for the chart's toolbar (`TOOLBAR_PX`), so the toolbar never covers it;
- legends are horizontal, under the plot, where a narrow chart gives them rows instead of taking the
  plot's width for a column beside it;
- horizontal bars carry their row labels above the bar (`labels_above_bars`), so the bars keep the chart's
  width instead of sharing it with a column of long names.

A private module: `iscm/figures/` exposes figure builders only (tables in, figures out).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.json import to_json_plotly

from iscm.figures.fast import frozen
from iscm.palette import FONT, QUALITATIVE
from iscm.textwidth import plain, text_px, wrap_px

TEMPLATE_NAME = "iscm"
DARK_TEMPLATE_NAME = "iscm_dark"
TITLE_SIZE = 17
SUBTITLE_SIZE = 12  # a <sup> line: plotly draws it at 70% of the title's size
TOOLBAR_PX = 36
"""Height of the strip at the top of every chart kept for its toolbar (Plotly's modebar, 26 px high at 2 px
from the top, drawn at the top right on hover): titles start below it."""
TITLE_LINE_PX = 22
"""Plotly's line spacing of a title: 1.3 times its size, for <sup> lines too."""
MULTILINE_LIFT_PX = 12
TITLE_WIDTH_PX = 340
"""Title and subtitle lines are at most this wide: the narrowest chart, on a 390 px phone, is 358 px."""
LEGEND_BELOW: dict[str, Any] = {"orientation": "h", "x": 0, "xanchor": "left", "xref": "container",
                                "y": 0, "yanchor": "bottom", "yref": "container", "bgcolor": "rgba(0,0,0,0)"}
"""The house legend: rows at the bottom of the figure, under the x axis and its title (Plotly makes room)."""
LABEL_MAX_PX = 170
"""Widest row or column label of a matrix: longer names end in an ellipsis (the hover has them whole), so a
phone's chart frame shows the labels and the first columns together, not the labels alone."""
BAR_ROW_PX = 38
"""Height of a row of horizontal bars with the label above the bar: a 12 px label over a 17 px bar, and air."""
BAR_GAP = 0.55
ROW_LABEL = "row-label"
"""Name of the annotations `labels_above_bars` writes (a report, with room to spare, puts them back beside the bars)."""
_BAR_LABEL_SHIFT_PX = BAR_ROW_PX * (1 - BAR_GAP) / 2 + 1

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
    "title": {"x": 0, "xanchor": "left", "xref": "container", "font": {"size": TITLE_SIZE},
              "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": TOOLBAR_PX, "l": 4}},
    "font": {"family": FONT, "size": 13},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "margin": {"l": 10, "r": 10, "t": TOOLBAR_PX + TITLE_LINE_PX + 14, "b": 10},
    "legend": LEGEND_BELOW,
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


# ---------------------------------------------------------------------------------------------- on screen
# The app draws its charts with `st.plotly_chart(..., theme=None)` and figures that carry no template
# (`for_screen`). Streamlit's chart theme adds a template to a figure in the browser, as a new object each
# time the chart element renders, and it renders twice as a chart appears: Plotly cannot tell a new
# template from a changed one and draws the whole chart again. Without a template, and with a
# `datarevision` that says the data are the same, the second render changes nothing on the page.
# What that theme gave the charts on screen is written into the figure instead (`screen_layout`); the
# figure's own layout wins over it, as over a template.
SCREEN_FONT = '"Source Sans", sans-serif'
"""The font Streamlit serves with the app (titles and hover labels are drawn in it on screen)."""
SCREEN_LINES = {"light": "#e6eaf1", "dark": "#31333f"}
"""Grid, zero and tick lines on screen, per theme (Streamlit's own chart colours)."""


def screen_layout(theme: str = "light") -> dict[str, Any]:
    """The layout defaults of a chart on screen under `theme` ("light" or "dark"): bold title in the app's
    font, 12 px tick labels and legend, 14 px axis titles, light grid lines, no vertical grid or zero line,
    axes that make room for their labels, and the Okabe-Ito colours for any trace without its own."""
    lines = SCREEN_LINES[theme]
    axis = {"automargin": True, "gridcolor": lines, "zerolinecolor": lines, "tickcolor": lines,
            "tickfont": {"size": 12}, "title": {"font": {"size": 14}}}  # which lines show: `_drawn_lines`
    return merge(
        {"colorway": list(QUALITATIVE),
         "title": {"font": {"family": SCREEN_FONT, "weight": "bold"}},
         "hoverlabel": {"font": {"family": SCREEN_FONT, "size": 12},
                        "grouptitlefont": {"family": SCREEN_FONT, "size": 12}},
         "legend": {"font": {"size": 12}, "title": {"font": {"size": 12}, "side": "top"}, "valign": "top",
                    "borderwidth": 0},
         "margin": {"pad": 8},
         "xaxis": merge(axis, {"title": {"standoff": 20}}),
         "yaxis": merge(axis, {"title": {"standoff": 24}})},
        text_layout(theme),
    )


# Plotly decides some axis defaults from the traces: the category axis of bars gets no grid or zero line,
# and the axes of a heatmap get tick marks outside. Colours given for those lines count as asking for them,
# so `_drawn_lines` writes the decision into the figure before the screen colours are added.
_ORIENTED = frozenset({"bar", "box", "violin", "histogram", "funnel", "waterfall"})
_HEATMAPS = frozenset({"heatmap", "contour", "histogram2d", "histogram2dcontour"})


def _drawn_lines(data: Sequence[Mapping[str, Any]], layout: Mapping[str, Any]) -> dict[str, Any]:
    """Which grid, zero and tick lines the x and y axes draw when `layout` does not say (Plotly's defaults
    under the screen style: no vertical grid or zero line), as layout keys."""
    no_grid, outside = set(), set()
    for t in data:
        kind = t.get("type", "scatter")
        if kind in _ORIENTED:
            no_grid.add("yaxis" if t.get("orientation") == "h" else "xaxis")
        if kind in _HEATMAPS:
            outside |= {"xaxis", "yaxis"}
    out: dict[str, Any] = {}
    for axis in ("xaxis", "yaxis"):
        own = layout.get(axis) or {}
        lines = axis == "yaxis" and axis not in no_grid
        drawn = {"showgrid": lines, "zeroline": lines, "ticks": "outside" if axis in outside else ""}
        out[axis] = {k: v for k, v in drawn.items() if k not in own}
    return out


def _typed_array(value: Mapping[str, Any]) -> list[Any]:
    """A NumPy array as Plotly writes it ({"dtype", "bdata" (base64), "shape": "rows, cols"}) as a list."""
    array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    if value.get("shape"):
        array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
    return array.tolist()


def _plain(part: Mapping[str, Any]) -> dict[str, Any]:
    """`part` (a trace or layout dict) with its NumPy arrays as lists, at any depth of dicts. Plotly sends an
    array as an object ({"dtype", "bdata"}), and the browser compares objects by identity: always changed."""
    out = {}
    for key, value in part.items():
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, Mapping):
            value = _typed_array(value) if "bdata" in value and "dtype" in value else _plain(value)
        out[key] = value
    return out


def _screen_trace(trace: Mapping[str, Any]) -> dict[str, Any]:
    # A trace's `meta` as a list: Plotly compares a list by `datarevision`, an object by identity (every
    # render would count as a change).
    out = _plain(trace)
    if isinstance(out.get("meta"), dict):
        out["meta"] = [out["meta"]]
    return out


def for_screen(fig: go.Figure, theme: str | None, *, selectable: bool = False) -> go.Figure:
    """`fig` as the app sends it to the browser under `theme` (light unless "dark"), to be drawn with
    `st.plotly_chart(..., theme=None)`: the screen defaults under its layout (`screen_layout`), the text
    colours of the theme over it, no template, a `datarevision` from the data, trace `meta` as a list, and
    for a chart that reports clicks (`selectable`) the click and drag modes Streamlit would set.

    A frozen figure (`fast.freeze`) keeps what this returns per theme, so a cached chart is prepared once.
    """
    theme = "dark" if theme == "dark" else "light"
    kept = fig.__dict__.get("_frozen_dict") is not None
    memo = fig.__dict__.setdefault("_screen", {}) if kept else {}
    if (theme, selectable) in memo:
        return memo[(theme, selectable)]
    spec = fig.to_dict()
    data = [_screen_trace(t) for t in spec.get("data", [])]
    own = _plain(spec.get("layout") or {})
    layout = merge(screen_layout(theme), _drawn_lines(data, own), own, text_layout(theme) if theme == "dark" else None)
    layout["template"] = None
    layout["datarevision"] = hashlib.blake2b(to_json_plotly(data).encode(), digest_size=8).hexdigest()
    if selectable:
        layout.setdefault("clickmode", "event+select")
        layout.setdefault("hovermode", "closest")
        layout.setdefault("dragmode", "pan")
    shown = frozen({"data": data, "layout": layout})
    memo[(theme, selectable)] = shown
    return shown


def title_text(title: str, subtitle: str = "") -> str:
    """The house title: the title's lines, then the subtitle's as <sup> lines, each at most TITLE_WIDTH_PX
    wide ("Title<br><sup>subtitle</sup>" when both fit one line)."""
    lines = wrap_px(title, TITLE_WIDTH_PX, TITLE_SIZE, bold=True, screen=True)
    subs = wrap_px(subtitle, TITLE_WIDTH_PX, SUBTITLE_SIZE, screen=True) if subtitle else []
    return "<br>".join([*lines, *(f"<sup>{s}</sup>" for s in subs)])


def split_title(text: str) -> tuple[str, str]:
    """(title, subtitle) as plain text from a house title (`title_text`): the lines joined again."""
    lines = [ln.strip() for ln in text.split("<br>")]
    subs = [ln for ln in lines if ln.startswith("<sup>")]
    return plain(" ".join(ln for ln in lines if ln and ln not in subs)), plain(" ".join(subs))


def head_px(text: str) -> int:
    """Height of a chart's head: the toolbar strip, the title's lines and a gap under them."""
    n = len([ln for ln in text.split("<br>") if ln.strip()]) if text else 0
    return TOOLBAR_PX + TITLE_LINE_PX * n + 14


def house_layout(title: str, *, subtitle: str = "", x_title: str | None = None, y_title: str | None = None,
                 height: int | None = None) -> dict[str, Any]:
    """The template's layout with this chart's title (`title_text`) under the toolbar strip, the top margin
    that holds them (`head_px`), axis titles and height."""
    layout = copy.deepcopy(_LAYOUT)
    text = layout["title"]["text"] = title_text(title, subtitle)
    layout["margin"]["t"] = head_px(text)
    if "<br>" in text:  # Plotly lifts a title of several lines 12 px above where it puts a one-line title
        layout["title"]["pad"]["t"] = TOOLBAR_PX + MULTILINE_LIFT_PX
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


def labels_above_bars(labels: Sequence[str], shown: Sequence[str] | None = None) -> dict[str, Any]:
    """Layout parts of a horizontal bar chart whose row labels stand above their bars, from the plot's left
    edge, instead of in a column beside them: the bars keep the chart's whole width (on a phone a column of
    theme names left them a third of it). `labels` are the y categories; `shown` how each is written (e.g.
    bold for a highlighted row), the labels themselves by default. Give the chart BAR_ROW_PX per row; any
    other annotations of the chart go after these (merge replaces lists).
    """
    texts = list(shown) if shown is not None else list(labels)
    return {
        "bargap": BAR_GAP,
        # no tick labels and no title: nothing for the axis to push the margin for (an empty title still did)
        "yaxis": {"showticklabels": False, "ticks": "", "title": {"text": ""}, "automargin": False},
        "annotations": [{"x": 0, "xref": "paper", "xanchor": "left", "y": label, "yref": "y",
                         "yanchor": "bottom", "yshift": _BAR_LABEL_SHIFT_PX, "text": text, "showarrow": False,
                         "align": "left", "font": {"size": 12}, "name": ROW_LABEL}
                        for label, text in zip(labels, texts, strict=True)],
    }


def clip_label(label: str, max_px: float = LABEL_MAX_PX, size: float = 13) -> str:
    """`label` cut to at most `max_px` (Arial metrics) with an ellipsis, its <b> kept; unchanged if it fits."""
    bold = label.startswith("<b>") and label.endswith("</b>")
    text = plain(label)
    if text_px(text, size, bold, screen=True) <= max_px:
        return label
    words = text.split()
    while len(words) > 1 and text_px(" ".join(words) + "…", size, bold, screen=True) > max_px:
        words.pop()  # whole words first: "Global Forum on…", not "Global Forum on Migratio…"
    text = " ".join(words)
    if len(words) == 1 or text_px(text, size, bold, screen=True) < max_px / 2:
        text = plain(label)
        while len(text) > 1 and text_px(text + "…", size, bold, screen=True) > max_px:
            text = text[:-1]
    text = text.rstrip(" ,·-") + "…"
    return f"<b>{text}</b>" if bold else text


def clipped_ticks(labels: Sequence[str]) -> dict[str, Any]:
    """Axis keys that show `labels` (a categorical axis' categories) clipped by `clip_label`."""
    return {"tickmode": "array", "tickvals": list(labels), "ticktext": [clip_label(lab) for lab in labels]}


Y_TITLE_PX = 32
"""A grid's y axis title beside its row labels: the title's line (13 px) and the gaps on either side."""


def grid_side_margins(x_labels: Sequence[str], y_ticktext: Sequence[str], *, angle: float,
                      size: float = 13) -> dict[str, int]:
    """The left and right margins of a dot-matrix grid, from its labels: the widest row label plus the y
    axis title on the left; on the right, the part of the last column's slanted label that reaches past the
    plot (slanted `angle` degrees, drawn up and to the right).

    Set instead of Plotly's automargin, which measures every label in the browser and then draws the chart
    a second time: that doubles to triples the drawing of a 40-row grid. Widths are Arial's (wider than the
    app's font), so the labels always fit.
    """
    widest = max((text_px(t, size, screen=True) for t in y_ticktext), default=0.0)
    last = text_px(x_labels[-1], size, screen=True) if len(x_labels) else 0.0
    reach = last * math.cos(math.radians(angle)) + size * math.sin(math.radians(angle))
    return {"l": math.ceil(widest + Y_TITLE_PX), "r": max(10, math.ceil(reach))}
