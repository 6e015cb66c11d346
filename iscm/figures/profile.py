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

from iscm.figures._house import BAR_ROW_PX, head_px, labels_above_bars, split_title, style
from iscm.model import ORG_KIND_LABELS
from iscm.palette import OKABE_ITO, ORG_KIND_COLORS
from iscm.profile import ROLE_ORDER
from iscm.textwidth import wrap_px
from iscm.themes import LEVEL_LABELS

ORG_ROLE_LABELS = {"secretariat": "Secretariat", "member": "Member", "partner": "Partner", "funder": "Funder",
                   "technical-support": "Technical support", "observer": "Observer"}
"""Human labels of an organization's roles (the data's ids are 'technical-support' and the like)."""

LEVEL_COLORS = {"focus": OKABE_ITO["blue"], "mentioned": OKABE_ITO["sky_blue"]}
LEVEL_VALUE = {"focus": 2, "mentioned": 1, "none": 0}
COLUMN_LABELS_PX = 84
"""Room for the column labels and their axis title of the strip charts, whose x axis is on top."""
COMPARE_COLORS = {"all": OKABE_ITO["green"], "some": OKABE_ITO["grey"], "only": OKABE_ITO["orange"]}


LEVEL_STRIP = {  # level -> (marker symbol, colour, size): colour and shape both differ; columns: LEVEL_LABELS
    "focus": ("square", OKABE_ITO["blue"], 16),
    "mentioned": ("circle-open", OKABE_ITO["orange"], 14),
    "none": ("line-ew-open", OKABE_ITO["grey"], 12),
}


def theme_profile(themes: pd.DataFrame, all_themes: pd.DataFrame, name: str, *, subtitle: str = "") -> go.Figure:
    """Every taxonomy theme as a row with one dot in its column: declared focus, mentioned only, not covered.

    A strip chart reads at a glance (a staircase: focus themes first, then the mentions, then the rest) and
    every row says something, where bars of two fixed lengths and empty rows said little. The year a theme
    was added is written beside its dot when the sources give it; the evidence is in the hover.
    `themes` is ``Profile.themes`` (theme_id, label, level, since, evidence); `all_themes` the taxonomy, so
    two profiles list the same rows.
    """
    by_id = themes.set_index("theme_id") if len(themes) else pd.DataFrame()
    rank = {"focus": 0, "mentioned": 1, "none": 2}
    rows = []
    for r in all_themes.itertuples():
        level = str(by_id.at[r.theme_id, "level"]) if r.theme_id in by_id.index else "none"
        covered = level != "none"
        since = by_id.at[r.theme_id, "since"] if covered else None
        year = int(since) if since is not None and not pd.isna(since) else None
        evidence = str(by_id.at[r.theme_id, "evidence"]) if covered else ""
        rows.append((rank.get(level, 2), r.label, r.theme_id, level, year, evidence))
    rows.sort(key=lambda x: (x[0], x[1].casefold()))
    order = [x[1] for x in rows]
    columns = [LEVEL_LABELS[k] for k in LEVEL_STRIP]
    fig = go.Figure()
    for level, (symbol, color, size) in LEVEL_STRIP.items():
        column = LEVEL_LABELS[level]
        sel = [x for x in rows if x[3] == level]
        fig.add_trace(go.Scatter(
            x=[column] * len(sel), y=[x[1] for x in sel], mode="markers+text", name=f"{column} ({len(sel)})",
            marker={"symbol": symbol, "color": color, "size": size, "line": {"width": 2.5, "color": color}},
            text=[f"since {x[4]}" if x[4] else "" for x in sel], textposition="middle right",
            textfont={"size": 11, "color": color},
            customdata=[[x[2], _wrap(x[5])] for x in sel],
            hovertemplate="<b>%{y}</b><br>" + column + "<br>%{text}<br>%{customdata[1]}<extra></extra>",
        ))
    n_focus = sum(x[3] == "focus" for x in rows)
    n_ment = sum(x[3] == "mentioned" for x in rows)
    style(fig, f"{name}: themes ({n_focus} focus, {n_ment} mentioned)", subtitle=subtitle,
          x_title="Level in the sources", y_title=None, height=150 + 26 * len(order))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order, autorange="reversed",
                     automargin=True, showgrid=True, gridcolor="rgba(153,153,153,0.2)")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=columns, range=[-0.5, 2.9],
                     side="top", showgrid=False)
    _header_room(fig)
    fig.update_layout(showlegend=False)
    return fig


def _header_room(fig: go.Figure) -> None:
    """Room under the title for the column labels and their axis title, which sit on top of these charts
    (automargin would otherwise push them up into the title)."""
    fig.update_layout(margin={"t": head_px(fig.layout.title.text or "") + COLUMN_LABELS_PX})


def _wrap(text: str, width: int = 60, limit: int = 300) -> str:
    import textwrap

    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "<br>".join(textwrap.wrap(text, width))


def organizations_by_role(orgs: pd.DataFrame, name: str, *, subtitle: str = "",
                          short_names: bool = False) -> go.Figure:
    """Each organization working with the ISCM, by name, with a dot in each role it plays (secretariat,
    member, partner, funder, technical support, observer); the dot's colour and the legend give its kind.

    `orgs` is ``Profile.organizations`` (acronym, name, kind, roles '; '-joined, in ROLE_ORDER).
    """
    roles_of = [str(r).split("; ") for r in orgs["roles"]] if len(orgs) else []
    used = [r for r in ROLE_ORDER if any(r in rs for rs in roles_of)]
    columns = [ORG_ROLE_LABELS.get(r, r) for r in used]
    # the name, with its acronym; a very long name gives way to its acronym (the hover has it in full)
    # (`short_names`: the acronym alone, for a small printed chart; the brief lists the full names below it)
    label = [(a or n) if short_names else (f"{n} ({a})" if a and a != n else n) if len(n) <= 42 or not a else a
             for a, n in zip(orgs["acronym"], orgs["name"], strict=True)] if len(orgs) else []
    fig = go.Figure()
    for kind, kind_label in ORG_KIND_LABELS.items():
        idx = [i for i, k in enumerate(orgs["kind"]) if k == kind] if len(orgs) else []
        if not idx:
            continue
        xs, ys, cd = [], [], []
        for i in idx:
            for r in roles_of[i]:
                xs.append(ORG_ROLE_LABELS.get(r, r))
                ys.append(label[i])
                cd.append(orgs["name"].iloc[i])
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=kind_label,
            marker={"symbol": "diamond", "size": 15, "color": ORG_KIND_COLORS.get(kind, OKABE_ITO["grey"]),
                    "line": {"width": 1, "color": "rgba(40,40,40,0.6)"}},
            customdata=cd, hovertemplate="<b>%{customdata}</b><br>%{x}<br>" + kind_label + "<extra></extra>",
        ))
    style(fig, f"{name}: organizations and their roles ({len(orgs)})", subtitle=subtitle,
          x_title="Role", y_title=None, height=190 + 30 * max(len(orgs), 3))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=label, autorange="reversed",
                     automargin=True, showgrid=True, gridcolor="rgba(153,153,153,0.2)")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=columns, side="top",
                     range=[-0.5, max(len(columns), 3) - 0.5], showgrid=False)
    fig.update_layout(legend={"title": {"text": "Kind:"}}, showlegend=True)
    _header_room(fig)
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
    # the ISCMs' names head the columns, under the title (not on the title's line)
    fig.update_layout(margin={"t": fig.layout.margin.t + 28})
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
    style(fig, f"Common and exclusive {what}", subtitle=subtitle, x_title=f"Number of {what}")
    fig.update_layout(labels_above_bars(counts["ISCM"].tolist()), barmode="stack", legend={"traceorder": "normal"},
                      height=fig.layout.margin.t + BAR_ROW_PX * len(counts) + 130)
    fig.update_yaxes(autorange="reversed")
    return fig


def for_print(fig: go.Figure, *, width: int, height: int, font_size: int = 15) -> go.Figure:
    """A copy laid out for paper: white background, fixed size, dark text (the brief's images)."""
    out = go.Figure(copy.deepcopy(fig.to_dict()))
    # column labels on top (the strip charts) need room under the title: upright labels and no axis title
    top_axis = out.layout.xaxis.side == "top"
    # the screen's title lines fit a phone; on paper they are wrapped again to the page, with no toolbar strip
    size = font_size + 5
    title, sub = split_title(out.layout.title.text or "")
    lines = wrap_px(title, width - 40, size, bold=True)
    subs = wrap_px(sub, width - 40, round(size * 0.7)) if sub else []
    head = max(60, 25 + round(1.3 * size) * (len(lines) + len(subs)))
    out.update_layout(
        template="plotly_white", width=width, height=height, autosize=False,
        paper_bgcolor="white", plot_bgcolor="white",
        font={"size": font_size, "color": "#222222"},
        margin={"l": 10, "r": 20, "t": int(head + 2.6 * font_size) if top_axis else head, "b": 30},
        title={"text": "<br>".join([*lines, *(f"<sup>{s}</sup>" for s in subs)]), "font": {"size": size},
               "yref": "container", "y": 1 - 12 / height, "yanchor": "top", "pad": {"t": 0}},
    )
    if top_axis:
        cols = list(out.layout.xaxis.categoryarray or [])
        out.update_xaxes(title_text=None, tickangle=0, tickfont_size=font_size - 3, tickmode="array",
                         tickvals=cols, ticktext=[c.replace(" ", "<br>", 1) for c in cols])
    if any(t.type in ("choropleth", "scattergeo") for t in out.data):
        out.update_geos(bgcolor="white")
    return out
