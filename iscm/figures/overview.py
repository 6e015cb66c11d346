"""Figures of the Overview page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from iscm.figures._house import style
from iscm.model import ISCM_TYPE_LABELS
from iscm.palette import ISCM_TYPE_COLORS


def establishment_data(iscms: pd.DataFrame) -> pd.DataFrame:
    """ISCMs by year established and type, cumulated: the data behind the timeline chart."""
    known = iscms.dropna(subset=["established"])
    if known.empty:
        return pd.DataFrame(columns=["year", "type", "established", "cumulative"])
    years = range(int(known["established"].min()), int(known["established"].max()) + 1)
    rows = []
    for t in ISCM_TYPE_LABELS:
        per_year = known[known["type"] == t].groupby("established").size()
        total = 0
        for y in years:
            n = int(per_year.get(y, 0))
            total += n
            rows.append({"year": y, "type": t, "established": n, "cumulative": total})
    return pd.DataFrame(rows)


def establishment_timeline(iscms: pd.DataFrame, subtitle: str = "") -> go.Figure:
    """Stacked area of how many ISCMs existed each year, by type."""
    data = establishment_data(iscms)
    fig = go.Figure()
    for t, label in ISCM_TYPE_LABELS.items():
        d = data[data["type"] == t]
        if d["cumulative"].sum() == 0:
            continue
        names = iscms[iscms["type"] == t].groupby("established")["short_name"].agg(", ".join)
        fig.add_trace(go.Scatter(
            x=d["year"], y=d["cumulative"], name=label, stackgroup="one", mode="lines",
            line={"color": ISCM_TYPE_COLORS[t], "width": 1.5},
            customdata=[names.get(y, "") for y in d["year"]],
            hovertemplate=f"{label}<br>%{{x}}: %{{y}} in existence<br>New: %{{customdata}}<extra></extra>",
        ))
    return style(fig, "ISCMs in existence, by year established and type", subtitle=subtitle,
                 x_title="Year", y_title="Number of ISCMs", height=360)
