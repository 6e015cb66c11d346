"""Figures of the Overview page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from iscm.figures._house import style
from iscm.model import ISCM_TYPE_LABELS
from iscm.palette import ISCM_TYPE_COLORS


def establishment_timeline(data: pd.DataFrame, subtitle: str = "") -> go.Figure:
    """Stacked area of how many ISCMs existed each year, by type, from `iscm.overview.establishment_data`."""
    fig = go.Figure()
    for t, label in ISCM_TYPE_LABELS.items():
        d = data[data["type"] == t]
        if d["cumulative"].sum() == 0:
            continue
        fig.add_trace(go.Scatter(
            x=d["year"], y=d["cumulative"], name=label, stackgroup="one", mode="lines",
            line={"color": ISCM_TYPE_COLORS[t], "width": 1.5},
            customdata=d["new_iscms"].tolist(),
            hovertemplate=f"{label}<br>%{{x}}: %{{y}} in existence<br>New: %{{customdata}}<extra></extra>",
        ))
    fig = style(fig, "ISCMs in existence, by year established and type", subtitle=subtitle,
                x_title="Year", y_title="Number of ISCMs", height=360)
    years = data["year"].nunique() if "year" in data else 0
    # whole years on the axis (never "2,002.5"), and whole counts: one ISCM alone draws a sensible chart
    return fig.update_layout(xaxis={"tickformat": "d", "dtick": 1 if years <= 12 else None},
                             yaxis={"tickformat": "d", "rangemode": "tozero",
                                    "dtick": 1 if data.get("cumulative", pd.Series([0])).max() <= 6 else None})
