"""Small figures of the Profile and Compare pages and of the one-page brief.

Pure builders on the tables of ``iscm.profile`` (a Profile's themes and organizations, a Comparison's
theme vectors and counts). The same figure goes on screen (transparent, theme-following) and, through
``for_print``, into the brief (white, fixed size, larger type).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from iscm.figures._house import style
from iscm.model import ORG_KIND_LABELS
from iscm.palette import OKABE_ITO, ORG_KIND_COLORS
from iscm.themes import LEVEL_LABELS

LEVEL_COLORS = {"focus": OKABE_ITO["blue"], "mentioned": OKABE_ITO["sky_blue"]}
LEVEL_VALUE = {"focus": 2, "mentioned": 1, "none": 0}
COMPARE_COLORS = {"all": OKABE_ITO["green"], "some": OKABE_ITO["grey"], "only": OKABE_ITO["orange"]}


def theme_profile(themes: pd.DataFrame, all_themes: pd.DataFrame, name: str, *, subtitle: str = "") -> go.Figure:
    """Every taxonomy theme as a row: a long bar for a declared focus, a short one for a mention.

    `themes` is ``Profile.themes`` (theme_id, label, level, since, evidence); `all_themes` is the taxonomy,
    so uncovered themes show as empty rows and two profiles read alike.
    """
    by_id = themes.set_index("theme_id") if len(themes) else pd.DataFrame()
    order = all_themes[["theme_id", "label"]].iloc[::-1]  # plotly draws the first row at the bottom
    fig = go.Figure()
    for level in ("focus", "mentioned"):
        rows = [(r.theme_id, r.label) for r in order.itertuples()
                if r.theme_id in by_id.index and by_id.at[r.theme_id, "level"] == level]
        since = [by_id.at[t, "since"] for t, _ in rows]
        fig.add_trace(go.Bar(
            x=[LEVEL_VALUE[level]] * len(rows), y=[lab for _, lab in rows], orientation="h",
            name=LEVEL_LABELS[level], marker_color=LEVEL_COLORS[level],
            text=[f"since {int(s)}" if s is not None and s is not pd.NA else "" for s in since],
            textposition="inside", insidetextanchor="start",
            customdata=[[t, str(by_id.at[t, "evidence"])] for t, _ in rows],
            hovertemplate="<b>%{y}</b><br>" + LEVEL_LABELS[level] + " %{text}<br>%{customdata[1]}<extra></extra>",
        ))
    n_focus = int((themes["level"] == "focus").sum()) if len(themes) else 0
    n_ment = int((themes["level"] == "mentioned").sum()) if len(themes) else 0
    style(fig, f"{name}: themes ({n_focus} focus, {n_ment} mentioned)", subtitle=subtitle,
          x_title=None, y_title=None, height=140 + 26 * len(order))
    # every taxonomy row is drawn, covered or not: an explicit range, since plotly sizes the axis to the data
    fig.update_yaxes(categoryorder="array", categoryarray=order["label"].tolist(), automargin=True,
                     range=[-0.5, len(order) - 0.5])
    fig.update_xaxes(range=[0, 2.05], tickvals=[1, 2], ticktext=["Mentioned", "Focus"], showgrid=False)
    fig.update_layout(barmode="overlay", legend={"orientation": "h", "y": -0.08, "x": 0, "yanchor": "top"})
    return fig


def partners_by_kind(orgs: pd.DataFrame, name: str, *, subtitle: str = "") -> go.Figure:
    """How many organizations of each kind work with the ISCM; hover names them with their roles."""
    fig = go.Figure()
    kinds = [k for k in ORG_KIND_LABELS if len(orgs) and (orgs["kind"] == k).any()]
    for k in kinds:
        sel = orgs[orgs["kind"] == k]
        names = "<br>".join(f"{(a or n)} ({r})" for a, n, r in zip(sel["acronym"], sel["name"], sel["roles"],
                                                                     strict=True))
        fig.add_trace(go.Bar(
            x=[len(sel)], y=[ORG_KIND_LABELS[k]], orientation="h", name=ORG_KIND_LABELS[k],
            marker_color=ORG_KIND_COLORS.get(k, OKABE_ITO["grey"]), text=[len(sel)], textposition="outside",
            customdata=[names], hovertemplate="<b>%{y}</b>: %{x}<br>%{customdata}<extra></extra>",
        ))
    style(fig, f"{name}: partner organizations by kind ({len(orgs)})", subtitle=subtitle,
          x_title="Organizations", y_title=None, height=160 + 34 * max(len(kinds), 1))
    # at least four rows of room, so one or two kinds do not become slabs filling the chart
    fig.update_yaxes(categoryorder="array", categoryarray=[ORG_KIND_LABELS[k] for k in kinds][::-1],
                     automargin=True, range=[-0.5, max(len(kinds), 4) - 0.5])
    fig.update_xaxes(dtick=1, rangemode="tozero")
    fig.update_layout(showlegend=False)
    return fig


def theme_heatmap(themes: pd.DataFrame, columns: Sequence[str], *, subtitle: str = "") -> go.Figure:
    """Theme vectors side by side: one column per compared ISCM, a cell per theme (focus/mentioned/none)."""
    cols = list(columns)
    rows = themes.iloc[::-1]
    # a comparison leaves a theme an ISCM does not cover blank: that is the level "none"
    levels = [[str(v) if v else "none" for v in r] for r in rows[cols].itertuples(index=False)]
    z = [[LEVEL_VALUE.get(lv, 0) for lv in r] for r in levels]
    text = [["" if lv == "none" else LEVEL_LABELS.get(lv, lv) for lv in r] for r in levels]
    scale = [[0.0, "rgba(153,153,153,0.15)"], [0.33, "rgba(153,153,153,0.15)"],
             [0.34, LEVEL_COLORS["mentioned"]], [0.66, LEVEL_COLORS["mentioned"]],
             [0.67, LEVEL_COLORS["focus"]], [1.0, LEVEL_COLORS["focus"]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=cols, y=rows["label"].tolist(), zmin=0, zmax=2, colorscale=scale, text=text,
        texttemplate="%{text}", textfont={"size": 11}, xgap=3, ygap=3,
        colorbar={"title": "Level", "tickvals": [0.33, 1, 1.67], "ticktext": ["None", "Mentioned", "Focus"],
                  "len": 0.5},
        hovertemplate="<b>%{y}</b><br>%{x}: %{text}<extra></extra>",
    ))
    style(fig, "Themes side by side", subtitle=subtitle, height=140 + 28 * len(rows))
    fig.update_xaxes(side="top", showgrid=False)
    fig.update_yaxes(showgrid=False, automargin=True)
    return fig


def overlap_bars(counts: pd.DataFrame, *, what: str = "members", subtitle: str = "") -> go.Figure:
    """Per compared ISCM: participants in all compared, in some of the others, and only here (stacked)."""
    some = counts["participants"] - counts["in all compared"] - counts["only here"]
    fig = go.Figure()
    parts = (("In all compared", counts["in all compared"], COMPARE_COLORS["all"]),
             ("Shared with some", some, COMPARE_COLORS["some"]),
             ("Only in this ISCM", counts["only here"], COMPARE_COLORS["only"]))
    for label, values, color in parts:
        if label == "Shared with some" and not values.any():
            continue  # two ISCMs: every participant is in both or in one only
        fig.add_trace(go.Bar(
            x=values.tolist(), y=counts["ISCM"].tolist(), orientation="h", name=label, marker_color=color,
            text=values.tolist(), textposition="inside",
            hovertemplate="<b>%{y}</b><br>" + label + ": %{x}<extra></extra>",
        ))
    style(fig, f"Common and exclusive {what}", subtitle=subtitle, x_title=f"Number of {what}",
          height=190 + 48 * len(counts))
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom",
                                               "traceorder": "normal"})
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def for_print(fig: go.Figure, *, width: int, height: int, font_size: int = 15) -> go.Figure:
    """A copy laid out for paper: white background, fixed size, dark text (the brief's images)."""
    out = go.Figure(copy.deepcopy(fig.to_dict()))
    out.update_layout(
        template="plotly_white", width=width, height=height, autosize=False,
        paper_bgcolor="white", plot_bgcolor="white",
        font={"size": font_size, "color": "#222222"},
        margin={"l": 10, "r": 20, "t": 60, "b": 30},
        title_font_size=font_size + 5,
    )
    if any(t.type in ("choropleth", "scattergeo") for t in out.data):
        out.update_geos(bgcolor="white")
    return out
