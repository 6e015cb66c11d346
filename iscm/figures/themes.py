"""Figures of the Themes page: coverage grid, theme prevalence, evolution, similar ISCMs.

Builders are pure: the tables of `iscm.themes` in, go.Figure out, with ids in `customdata[0]` so that a click on a cell or bar
can be turned into a filter value by the page. The coverage grid is drawn with square markers rather than
a go.Heatmap: markers can be clicked and selected, and each cell state gets its own legend entry, shape
and colour (a heatmap offers only a colour bar and no selection).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from iscm.figures._house import (
    BAR_ROW_PX,
    clipped_ticks,
    grid_side_margins,
    house_layout,
    labels_above_bars,
    merge,
)
from iscm.figures.fast import figure
from iscm.model import ISCM_TYPE_LABELS
from iscm.palette import ISCM_TYPE_COLORS, OKABE_ITO, SEQUENTIAL_COLORS
from iscm.themes import CROSS_REGIONAL, GROUPINGS, LEVEL_LABELS, SORTS

# Cell states: shape and size differ as well as colour, so the grid reads without colour vision and in
# greyscale print. Blue and orange are the Okabe-Ito pair that stays apart under every common deficiency.
LEVEL_STYLE = {
    "focus": {"symbol": "square", "color": OKABE_ITO["blue"], "size": 17, "line": 0},
    "mentioned": {"symbol": "square-open", "color": OKABE_ITO["orange"], "size": 14, "line": 3},
    "none": {"symbol": "square", "color": "rgba(153,153,153,0.45)", "size": 6, "line": 0},
}
REGION_COLORS = {
    "Africa": OKABE_ITO["vermillion"],
    "Americas": OKABE_ITO["green"],
    "Asia": OKABE_ITO["orange"],
    "Europe": OKABE_ITO["blue"],
    "Oceania": OKABE_ITO["sky_blue"],
    "Global": OKABE_ITO["purple"],
    CROSS_REGIONAL: OKABE_ITO["grey"],
}
# Neutral grey band with an outline: visible on light and dark backgrounds, and it does not mute the orange
# "mentioned" squares the way an orange tint would.
HIGHLIGHT_FILL = "rgba(153,153,153,0.16)"
HIGHLIGHT_LINE = "rgba(153,153,153,0.9)"
SIMILAR_COLORS = {"shared": OKABE_ITO["green"], "only_selected": OKABE_ITO["blue"],
                  "only_other": OKABE_ITO["orange"]}
ROW_PX = 24
TICK_ANGLE = 55  # degrees: steep enough that neighbouring theme labels never touch
LEGEND_AXIS_PX = 92
"""Between a grid's title and its slanted column labels: the legend (two rows in a narrow window) and the
axis title."""


@lru_cache(maxsize=4096)  # the same evidence texts come back whenever the grid is re-sorted or regrouped
def _wrap(text: str, width: int = 70, limit: int = 420) -> str:
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return "<br>".join(textwrap.wrap(text, width, break_long_words=True)) if text else ""


def _group_title(by: str, group: str) -> str:
    if by == "type":
        return f"{group} · {ISCM_TYPE_LABELS.get(group, group)}"
    return group


def _group_color(by: str, group: str) -> str:
    if by == "type":
        return ISCM_TYPE_COLORS.get(group, OKABE_ITO["grey"])
    return REGION_COLORS.get(group, OKABE_ITO["grey"])


def _bold_ticks(labels: Sequence[str], bold: set[str]) -> list[str]:
    return [f"<b>{lab}</b>" if lab in bold else lab for lab in labels]


# ---------------------------------------------------------------------------------------------- coverage
_HOVER_FIELDS = ("iscm", "theme", "level", "since", "evidence", "source", "provenance")


def _cell_hover(r: dict) -> str:
    lines = [f"<b>{r['iscm']}</b> · {r['theme']}"]
    if r["level"] == "none":
        lines.append("Not covered in the data")
    else:
        since = "" if pd.isna(r["since"]) else f" since {int(r['since'])}"
        lines.append(f"{LEVEL_LABELS[r['level']]}{since}")
        if r["evidence"]:
            lines.append("Evidence: " + _wrap(r["evidence"]))
        if r["source"]:
            lines.append("Source: " + _wrap(r["source"], 80, 200))
        if r["provenance"] and r["provenance"] != "curated":
            lines.append(f"Provenance: {r['provenance']}")
    lines.append("<i>Click to filter to this ISCM</i>")
    return "<br>".join(lines)


def coverage_figure(data: pd.DataFrame, *, group_by: str = "none", sort: str = "name",
                    highlight: Iterable[str] = (), subtitle: str = "") -> go.Figure:
    """Dot-matrix 'heatmap' of ISCM x theme from `iscm.themes.coverage_data`: one marker trace per cell state.

    Rows top to bottom as in `data` (ordered by `sort`, grouped by `group_by`: both named in the subtitle);
    with grouping, a bold header row opens each group. Highlighted themes (e.g. the theme filter) get a
    tinted column and a bold label. customdata = [iscm_id, theme_id, level].
    """
    order = f"Rows sorted by {SORTS[sort].lower()}"
    if group_by != "none":
        order = f"Rows grouped by {GROUPINGS[group_by].lower()}, sorted by {SORTS[sort].lower()}"
    subtitle = f"{subtitle} · {order}" if subtitle else order
    highlight = set(highlight)
    theme_cols = data.drop_duplicates("theme_id").sort_values("col")
    x_labels = theme_cols["theme"].tolist()
    col_ids = theme_cols["theme_id"].tolist()
    # y categories: ISCM names, with a header row before each group when grouping
    y_cats: list[str] = []
    row_label: dict[int, str] = {}
    last_group = None
    for r, g, name in data.drop_duplicates("row").sort_values("row")[["row", "group", "iscm"]].itertuples(
            index=False):
        if group_by != "none" and g != last_group:
            y_cats.append(f"<b>{_group_title(group_by, g)}</b>")
            last_group = g
        label = name if name not in y_cats else f"{name} ({r})"
        y_cats.append(label)
        row_label[r] = label
    traces = []
    for level in ("focus", "mentioned", "none"):
        d = data[data["level"] == level]
        st_ = LEVEL_STYLE[level]
        records = [dict(zip(_HOVER_FIELDS, v, strict=True))
                   for v in zip(*(d[c].tolist() for c in _HOVER_FIELDS), strict=True)]
        traces.append({
            "type": "scatter", "x": d["theme"].tolist(), "y": [row_label[r] for r in d["row"].tolist()],
            "mode": "markers", "name": f"{LEVEL_LABELS[level]} ({len(d)})", "legendgroup": level,
            "marker": {"symbol": st_["symbol"], "size": st_["size"], "color": st_["color"],
                       "line": {"width": st_["line"], "color": st_["color"]}},
            "customdata": d[["iscm_id", "theme_id", "level"]].to_numpy().tolist(),
            "hovertext": [_cell_hover(r) for r in records], "hoverinfo": "text",
            "hoverlabel": {"align": "left"},
        })
    n_rows = len(y_cats)
    shapes = [{"type": "rect", "xref": "x", "yref": "y", "x0": idx - 0.5, "x1": idx + 0.5, "y0": -0.5,
               "y1": n_rows - 0.5, "fillcolor": HIGHLIGHT_FILL,
               "line": {"width": 1, "color": HIGHLIGHT_LINE}, "layer": "below"}
              for idx, t in enumerate(col_ids) if t in highlight]  # left to right: a stable order
    bold = set(theme_cols.loc[theme_cols["theme_id"].isin(highlight), "theme"])
    # Top margin, fixed from the content so nothing overlaps: title + subtitle, legend, axis title, then the
    # slanted theme labels (their height from the longest label). The side margins hold the row labels and
    # the last slanted label (no automargin: grid_side_margins).
    n_iscms = data["iscm_id"].nunique()
    ticks = clipped_ticks(y_cats)
    house = house_layout(f"Thematic coverage of {n_iscms} ISCMs", subtitle=subtitle,
                         x_title="Theme (most widely covered first)", y_title="ISCM")
    head = house["margin"]["t"]
    top = head + LEGEND_AXIS_PX + _slanted_labels_px(x_labels)
    height = top + ROW_PX * max(n_rows, 3) + 30
    layout = merge(
        {"xaxis": {"side": "top", "type": "category", "categoryorder": "array", "categoryarray": x_labels,
                   "tickmode": "array", "tickvals": x_labels, "ticktext": _bold_ticks(x_labels, bold),
                   "tickangle": -TICK_ANGLE, "automargin": False, "showgrid": False, "zeroline": False,
                   "fixedrange": True, "range": [-0.5, len(x_labels) - 0.5], "title": {"standoff": 6}},
         "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": y_cats, "autorange": False,
                   "automargin": False, "showgrid": True, "gridcolor": "rgba(153,153,153,0.15)",
                   "zeroline": False, "fixedrange": True, "range": [n_rows - 0.5, -0.5], **ticks}},
        {"shapes": shapes} if shapes else None,
        house,
        # legend under the title (room for two rows when the chart is narrow), above the theme labels
        {"height": height, "legend": _legend_under_title(head, height, title="Cell:"),
         "hovermode": "closest", "margin": {"t": top, "b": 20, **grid_side_margins(x_labels, ticks["ticktext"], angle=TICK_ANGLE)}},
    )
    return figure(traces, layout)


def _slanted_labels_px(labels: Sequence[str]) -> int:
    """Height of a grid's column labels slanted at TICK_ANGLE (from the longest one)."""
    longest = max((len(lab) for lab in labels), default=10)
    return int(longest * 6.6 * math.sin(math.radians(TICK_ANGLE))) + 14


def _legend_under_title(head: int, height: int, *, title: str | None = None) -> dict:
    """A grid's legend: rows right under the title (`head` px from the top), above the column labels; the
    cell states explain the grid before it is read, and the legend is never off screen below a tall grid."""
    return {"orientation": "h", "yref": "container", "y": 1 - head / height, "yanchor": "top",
            "xref": "container", "x": 0.01, "xanchor": "left", "itemclick": False, "itemdoubleclick": False,
            **({"title": {"text": title}} if title else {})}


# ---------------------------------------------------------------------------------------------- prevalence
def prevalence_figure(table: pd.DataFrame, n_iscms: int, *, by: str = "type", highlight: Iterable[str] = (),
                      subtitle: str = "") -> go.Figure:
    """Horizontal stacked bars: how many of the `n_iscms` ISCMs cover each theme, split by type or region group.

    `table`: `iscm.themes.prevalence_table` for the same `by`. customdata = [theme_id, group, n_focus,
    n_mentioned, names]; most widely covered theme at the top. Highlighted themes keep full colour and a
    bold label; the others are dimmed.
    """
    highlight = set(highlight)
    order = list(dict.fromkeys(table["label"]))
    bold = set(table.loc[table["theme_id"].isin(highlight), "label"])
    traces = []
    for g in dict.fromkeys(table["group"]):
        d = table[table["group"] == g]
        name = _group_title(by, g) if by == "type" else g
        opacity = [1.0 if not highlight or t in highlight else 0.4 for t in d["theme_id"]]
        traces.append({
            "type": "bar", "y": d["label"].tolist(), "x": d["n_iscms"].tolist(), "orientation": "h",
            "name": name, "marker": {"color": _group_color(by, g), "opacity": opacity},
            "customdata": d[["theme_id", "group", "n_focus", "n_mentioned", "iscms"]].to_numpy().tolist(),
            "hovertemplate": (f"<b>%{{y}}</b><br>{name}: %{{x}} ISCMs "
                              "(%{customdata[2]} focus, %{customdata[3]} mentioned)<br>%{customdata[4]}"
                              "<br><i>Click to filter to this theme</i><extra></extra>"),
        })
    # One total at the end of each bar: annotations written as plain dicts (Figure.add_annotation validated
    # each one and cost more than the rest of the chart).
    totals = table.groupby("label", sort=False)["n_iscms"].sum()
    annotations = [{"x": int(totals[lab]), "y": lab, "text": str(int(totals[lab])), "showarrow": False,
                    "xanchor": "left", "xshift": 4, "font": {"size": 12}} for lab in order]
    n = n_iscms
    house = house_layout(f"How many of the {n} ISCMs cover each theme", subtitle=subtitle,
                         x_title="Number of ISCMs covering the theme (focus or mentioned)", y_title=None)
    above = labels_above_bars(order, _bold_ticks(order, bold))
    layout = merge(
        {"barmode": "stack",
         "legend": {"traceorder": "normal", "title": {"text": GROUPINGS.get(by, by) + ":"}},
         "yaxis": {"categoryorder": "array", "categoryarray": order, "autorange": "reversed",
                   "automargin": True, "tickmode": "array", "tickvals": order,
                   "ticktext": _bold_ticks(order, bold)},
         "xaxis": {"automargin": True, "rangemode": "tozero", "gridcolor": "rgba(153,153,153,0.25)"}},
        house,
        {"height": max(320, house["margin"]["t"] + BAR_ROW_PX * len(order) + 120)},
        above,
        {"annotations": above["annotations"] + annotations},
    )
    return figure(traces, layout)


# ---------------------------------------------------------------------------------------------- evolution
def evolution_figure(table: pd.DataFrame, *, highlight: Iterable[str] = (), subtitle: str = "") -> go.Figure:
    """Theme x year grid of how many ISCMs had the theme on their agenda (cumulative), from evolution_table().

    Rows: themes by the year they first appear (earliest at the top); empty years stay blank. Single-hue
    sequential scale, so order reads without colour vision. customdata = [theme_id, new ISCMs].
    """
    if table.empty:
        return figure([], merge(
            {"annotations": [{"text": "No years known for the ISCMs shown", "showarrow": False, "x": 0.5,
                              "y": 0.5, "xref": "paper", "yref": "paper"}]},
            house_layout("When themes entered ISCM agendas", subtitle=subtitle, height=320)))
    firsts = table[table["cumulative"] > 0].groupby("theme_id")["year"].min()
    totals = table.groupby("theme_id")["cumulative"].max()
    themes = [t for t in dict.fromkeys(table["theme_id"]) if t in firsts.index]
    themes.sort(key=lambda t: (int(firsts[t]), -int(totals[t])))
    labels = dict(zip(table["theme_id"], table["label"], strict=False))
    years = [int(y) for y in sorted(table["year"].unique())]
    piv = table.pivot(index="theme_id", columns="year", values="cumulative").loc[themes, years]
    new = table.pivot(index="theme_id", columns="year", values="new_iscms").loc[themes, years]
    z = [[None if v == 0 else int(v) for v in row] for row in piv.to_numpy().tolist()]
    cd = [[[t, n or "—"] for n in row] for t, row in zip(themes, new.to_numpy().tolist(), strict=True)]
    y = [labels[t] for t in themes]
    n = len(SEQUENTIAL_COLORS) - 1
    trace = {
        "type": "heatmap", "x": years, "y": y, "z": z, "customdata": cd, "xgap": 1, "ygap": 2, "zmin": 1,
        "colorscale": [[i / n, c] for i, c in enumerate(SEQUENTIAL_COLORS)],
        "colorbar": {"title": {"text": "ISCMs"}, "thickness": 12, "outlinewidth": 0},
        "hovertemplate": "<b>%{y}</b><br>%{x}: %{z} ISCMs so far<br>New: %{customdata[1]}<extra></extra>",
    }
    bold = {labels[t] for t in set(highlight) if t in labels}
    layout = merge(
        {"yaxis": {"autorange": "reversed", "automargin": True, "tickmode": "array", "tickvals": y,
                   "ticktext": _bold_ticks(y, bold), "type": "category"},
         "xaxis": {"automargin": True, "dtick": 5 if len(years) > 15 else 1, "showgrid": False}},
        house_layout("When themes entered ISCM agendas",
                     subtitle=subtitle or "Cumulative number of ISCMs covering each theme, by year",
                     x_title="Year", y_title=None, height=max(300, 150 + 26 * len(themes))),
    )
    return figure([trace], layout)


# ---------------------------------------------------------------------------------------------- similar


def similar_figure(table: pd.DataFrame, selected_name: str, *, subtitle: str = "") -> go.Figure:
    """Stacked bars per similar ISCM: themes shared, only in the selected ISCM, only in the other one.

    Bar labels carry the Jaccard similarity; customdata = [iscm_id, theme list]. Most similar at the top.
    """
    y = [f"{r.iscm} (J = {r.jaccard:.2f})" for r in table.itertuples(index=False)]
    parts = (("shared", "n_shared", "Shared themes"),
             ("only_selected", "n_only_selected", f"Only in {selected_name}"),
             ("only_other", "n_only_other", "Only in the other ISCM"))
    traces = [{
        "type": "bar", "y": y, "x": [int(v) for v in table[count]], "orientation": "h", "name": name,
        "marker": {"color": SIMILAR_COLORS[key]},
        "customdata": [[i, _wrap(s, 60) or "—"] for i, s in zip(table["iscm_id"], table[key], strict=True)],
        "hovertemplate": f"<b>%{{y}}</b><br>{name}: %{{x}}<br>%{{customdata[1]}}"
                         "<br><i>Click to filter to this ISCM</i><extra></extra>",
    } for key, count, name in parts]
    house = house_layout(f"ISCMs with the most similar themes to {selected_name}",
                         subtitle=subtitle or "Jaccard similarity J of the sets of themes covered",
                         x_title="Number of themes", y_title=None)
    layout = merge(
        {"barmode": "stack",
         "legend": {"traceorder": "normal"},
         "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
         "xaxis": {"automargin": True, "gridcolor": "rgba(153,153,153,0.25)", "dtick": 1}},
        house,
        {"height": house["margin"]["t"] + BAR_ROW_PX * max(len(table), 1) + 130},
        labels_above_bars(y),
        {"annotations": [{"text": "No other ISCM shares a theme with it", "showarrow": False, "x": 0.5,
                          "y": 0.5, "xref": "paper", "yref": "paper"}]} if table.empty else None,
    )
    return figure(traces, layout)
