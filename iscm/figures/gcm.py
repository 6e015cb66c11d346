"""Figures of the GCM page: ISCM x objective coverage, regional gaps, one State's objectives.

Pure builders: tables from `iscm.gcm` in, go.Figure out, in the house style of `iscm.figures.themes` (plain
dict traces through `iscm.figures.fast`). The coverage grid uses the Themes page's visual language: a
filled blue square for the strongest evidence (declared by the ISCM), an open orange square for the weaker
one (derived from its themes), a small grey dot for none, so the three levels differ in shape and size as
well as colour (Okabe-Ito blue and orange stay apart under every common colour-vision deficiency).
"""

from __future__ import annotations

from collections.abc import Sequence

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
from iscm.figures.themes import (
    LEGEND_AXIS_PX,
    ROW_PX,
    TICK_ANGLE,
    _legend_under_title,
    _slanted_labels_px,
    _wrap,
)
from iscm.gcm import GCM_LEVEL_LABELS, WHOLE, objective_label
from iscm.palette import OKABE_ITO, SEQUENTIAL_COLORS

LEVEL_STYLE = {
    "declared": {"symbol": "square", "color": OKABE_ITO["blue"], "size": 17, "line": 0},
    "derived": {"symbol": "square-open", "color": OKABE_ITO["orange"], "size": 14, "line": 3},
    "none": {"symbol": "square", "color": "rgba(153,153,153,0.45)", "size": 6, "line": 0},
}
# The first column (the compact as a whole) is no objective: an ISCM naming the compact gets a disc of its own
# with its own legend entry and count, so "Declared by the ISCM (n)" counts ISCM-objective pairs only, the
# same number as the page's "Declared pairs".
WHOLE_STYLE = {"symbol": "circle", "color": OKABE_ITO["blue"], "size": 14, "line": 0}
WHOLE_NAME = "Names the GCM as a whole"
GAP_COLOR = OKABE_ITO["vermillion"]
UNMAPPED_COLOR = "#7F7F7F"






def _hover(r: dict) -> str:
    lines = [f"<b>{r['iscm']}</b> · {r['objective_label']}"]
    if r["objective"] == WHOLE:
        lines.append("Its sources name the GCM as a whole" if r["level"] == "declared"
                     else "No source of it names the GCM as a whole")
    else:
        lines.append(GCM_LEVEL_LABELS[r["level"]])
    if r["evidence"]:
        lines.append("Evidence: " + _wrap(r["evidence"]))
    if r["source"]:
        lines.append("Source: " + _wrap(r["source"], 80, 200))
    if r["via_themes"]:
        lines.append("Through its themes: " + _wrap(r["via_themes"]))
    return "<br>".join(lines)


_HOVER_FIELDS = ("iscm", "objective", "objective_label", "level", "via_themes", "evidence", "source")


def coverage_figure(data: pd.DataFrame, *, subtitle: str = "") -> go.Figure:
    """Dot matrix of ISCM x GCM objective from coverage_data(): one marker trace per level, and one for the
    ISCMs naming the compact as a whole (the first column), so the declared count is of objective pairs only.

    customdata = [iscm_id, objective, level]; the first column is the compact as a whole.
    """
    cols = data.drop_duplicates("col").sort_values("col")
    x_labels = cols["objective_label"].tolist()
    y = data.drop_duplicates("row").sort_values("row")["iscm"].tolist()
    y_cats = [name if name not in y[:k] else f"{name} ({k})" for k, name in enumerate(y)]
    row_label = dict(enumerate(y_cats))
    traces = []
    whole = (data["objective"] == WHOLE) & (data["level"] == "declared")
    groups = [("declared", data[(data["level"] == "declared") & ~whole], LEVEL_STYLE["declared"],
               GCM_LEVEL_LABELS["declared"]),
              ("whole", data[whole], WHOLE_STYLE, WHOLE_NAME),
              *((lv, data[data["level"] == lv], LEVEL_STYLE[lv], GCM_LEVEL_LABELS[lv]) for lv in ("derived", "none"))]
    for level, d, st_, name in groups:
        if level == "whole" and d.empty:
            continue
        recs = [dict(zip(_HOVER_FIELDS, v, strict=True)) for v in zip(*(d[c].tolist() for c in _HOVER_FIELDS),
                                                                       strict=True)]
        traces.append({
            "type": "scatter", "mode": "markers", "x": d["objective_label"].tolist(),
            "y": [row_label[r] for r in d["row"].tolist()], "name": f"{name} ({len(d)})",
            "legendgroup": level,
            "marker": {"symbol": st_["symbol"], "size": st_["size"], "color": st_["color"],
                       "line": {"width": st_["line"], "color": st_["color"]}},
            "customdata": d[["iscm_id", "objective", "level"]].to_numpy().tolist(),
            "hovertext": [_hover(r) for r in recs], "hoverinfo": "text", "hoverlabel": {"align": "left"},
        })
    n_rows = len(y_cats)
    ticks = clipped_ticks(y_cats)
    house = house_layout(f"GCM objectives covered by {n_rows} ISCMs", subtitle=subtitle,
                         x_title="GCM objective (number and short name)", y_title="ISCM")
    head = house["margin"]["t"]
    top = head + LEGEND_AXIS_PX + _slanted_labels_px(x_labels)
    height = top + ROW_PX * max(n_rows, 3) + 30
    layout = merge(
        {"xaxis": {"side": "top", "type": "category", "categoryorder": "array", "categoryarray": x_labels,
                   "tickangle": -TICK_ANGLE, "automargin": False, "showgrid": False, "zeroline": False,
                   "fixedrange": True, "range": [-0.5, len(x_labels) - 0.5], "title": {"standoff": 6}},
         "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": y_cats, "autorange": False,
                   "automargin": False, "showgrid": True, "gridcolor": "rgba(153,153,153,0.15)",
                   "zeroline": False, "fixedrange": True, "range": [n_rows - 0.5, -0.5], **ticks},
         # a thin rule between "GCM as a whole" and objective 1
         "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": 0.5, "x1": 0.5, "y0": 0, "y1": 1,
                     "line": {"width": 1, "color": "rgba(153,153,153,0.6)", "dash": "dot"}}]},
        house,
        {"height": height, "legend": _legend_under_title(head, height, title="Cell:"),
         "hovermode": "closest", "margin": {"t": top, "b": 20, **grid_side_margins(x_labels, ticks["ticktext"], angle=TICK_ANGLE)}},
    )
    return figure(traces, layout)


def region_figure(regions: pd.DataFrame, *, unmapped: Sequence[int] = (), subtitle: str = "") -> go.Figure:
    """Region x objective grid of how many of the region's ISCMs cover each objective (region_table()).

    Cells no ISCM of the region covers are left blank and marked with a vermillion X, so gaps read by shape.
    Empty cells of objectives in `unmapped` (no theme maps to them: gcm.unmapped()) are no gap of the region
    but of the crosswalk: a grey dash marks them, with a legend entry of its own.
    customdata of the heatmap = [region, objective, ISCMs of the region, names].
    """
    no_theme = {int(n) for n in unmapped}
    regions_order = list(dict.fromkeys(regions["region"]))
    objs = list(dict.fromkeys(regions["objective"]))
    shorts = dict(zip(regions["objective"], regions["short_label"], strict=False))
    x = [objective_label(int(n), shorts[n]) for n in objs]
    y = [f"{r} ({int(regions.loc[regions['region'] == r, 'n_region_iscms'].iloc[0])})" for r in regions_order]
    key = {(r, n): row for r, n, row in zip(regions["region"], regions["objective"],
                                            regions.itertuples(index=False), strict=True)}
    z, text, cd = [], [], []
    gx, gy, ux, uy = [], [], [], []
    for r, ylab in zip(regions_order, y, strict=True):
        zr, tr, cr = [], [], []
        for n, xlab in zip(objs, x, strict=True):
            row = key[(r, n)]
            zr.append(int(row.n_iscms) or None)
            tr.append(str(int(row.n_iscms)) if row.n_iscms else "")
            cr.append([r, int(n), int(row.n_region_iscms), _wrap(row.iscms, 60) or "none"])
            if not row.n_iscms and int(n) in no_theme:
                ux.append(xlab)
                uy.append(ylab)
            elif not row.n_iscms:
                gx.append(xlab)
                gy.append(ylab)
        z.append(zr)
        text.append(tr)
        cd.append(cr)
    k = len(SEQUENTIAL_COLORS) - 1
    traces = [{
        "type": "heatmap", "x": x, "y": y, "z": z, "text": text, "texttemplate": "%{text}", "customdata": cd,
        "xgap": 2, "ygap": 2, "zmin": 1, "colorscale": [[i / k, c] for i, c in enumerate(SEQUENTIAL_COLORS)],
        "colorbar": {"title": {"text": "ISCMs"}, "thickness": 12, "outlinewidth": 0},
        "hovertemplate": "<b>%{y}</b> · %{x}<br>%{z} of the region's %{customdata[2]} ISCMs cover it"
                         "<br>%{customdata[3]}<extra></extra>",
        "name": "ISCMs covering", "showlegend": False,
    }, {
        "type": "scatter", "mode": "markers", "x": gx, "y": gy, "name": f"No ISCM of the region covers it ({len(gx)})",
        "marker": {"symbol": "x-thin", "size": 12, "line": {"width": 2.5, "color": GAP_COLOR}, "color": GAP_COLOR},
        "hovertemplate": "<b>%{y}</b> · %{x}<br>No ISCM of the region covers this objective<extra></extra>",
    }]
    if ux:
        traces.append({
            "type": "scatter", "mode": "markers", "x": ux, "y": uy,
            "name": f"No theme maps to the objective: covered only where an ISCM names it ({len(ux)})",
            "marker": {"symbol": "line-ew", "size": 12, "line": {"width": 2.5, "color": UNMAPPED_COLOR},
                       "color": UNMAPPED_COLOR},
            "hovertemplate": "<b>%{y}</b> · %{x}<br>No theme of the taxonomy maps to this objective: an ISCM "
                             "covers it only where its own sources name it<extra></extra>",
        })
    house = house_layout("Objectives each region's ISCMs cover, and the gaps",
                         subtitle=subtitle or "Number of ISCMs of the region covering the objective (declared or derived)",
                         x_title="GCM objective", y_title="Region (number of its ISCMs)")
    head = house["margin"]["t"]
    top = head + LEGEND_AXIS_PX + _slanted_labels_px(x)
    height = top + 48 * max(len(y), 2) + 40
    layout = merge(
        {"xaxis": {"side": "top", "type": "category", "tickangle": -TICK_ANGLE, "automargin": True,
                   "showgrid": False, "categoryorder": "array", "categoryarray": x, "title": {"standoff": 6}},
         "yaxis": {"type": "category", "autorange": "reversed", "automargin": True, "categoryorder": "array",
                   "categoryarray": y}},
        house,
        {"height": height, "legend": _legend_under_title(head, height),
         "showlegend": True, "margin": {"t": top, "b": 20, "l": 10, "r": 10}},
    )
    return figure(traces, layout)


def country_figure(table: pd.DataFrame, country: str, *, subtitle: str = "") -> go.Figure:
    """Stacked bars per objective: how many of a State's ISCMs declare it or cover it through their themes
    (country_objectives()). customdata = [objective, names]; objective 1 at the top."""
    y = [objective_label(int(n), s) for n, s in zip(table["objective"], table["short_label"], strict=True)]
    parts = (("n_declared", "declared"), ("n_derived", "derived"))
    traces = [{
        "type": "bar", "orientation": "h", "y": y, "x": [int(v) for v in table[col]],
        "name": GCM_LEVEL_LABELS[level], "marker": {"color": LEVEL_STYLE[level]["color"]},
        "customdata": [[int(n), _wrap(s, 60) or "none"] for n, s in zip(table["objective"], table["iscms"],
                                                                         strict=True)],
        "hovertemplate": f"<b>%{{y}}</b><br>{GCM_LEVEL_LABELS[level]}: %{{x}}<br>%{{customdata[1]}}<extra></extra>",
    } for col, level in parts]
    n_none = int((table["n_iscms"] == 0).sum()) if len(table) else 0
    house = house_layout(f"GCM objectives the ISCMs of {country} work on",
                         subtitle=subtitle or f"{n_none} of {len(table)} objectives are covered by none of them",
                         x_title=f"Number of the ISCMs {country} takes part in", y_title=None)
    layout = merge(
        {"barmode": "stack",
         "legend": {"traceorder": "normal"},
         "yaxis": {"type": "category", "autorange": "reversed", "automargin": True},
         "xaxis": {"automargin": True, "rangemode": "tozero", "dtick": 1, "gridcolor": "rgba(153,153,153,0.25)"}},
        house,
        {"height": house["margin"]["t"] + BAR_ROW_PX * max(len(table), 1) + 110},
        labels_above_bars(y),
    )
    return figure(traces, layout)
