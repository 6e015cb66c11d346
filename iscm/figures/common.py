"""Layout shared by every figure: title, fonts, transparent background that follows the app theme."""

from __future__ import annotations

import plotly.graph_objects as go

FONT = "Source Sans Pro, Arial, sans-serif"


def style(fig: go.Figure, title: str, *, subtitle: str = "", x_title: str | None = None,
          y_title: str | None = None, height: int | None = None) -> go.Figure:
    """Apply the house style. Backgrounds stay transparent so the chart reads in light and dark theme."""
    text = title if not subtitle else f"{title}<br><sup>{subtitle}</sup>"
    fig.update_layout(
        title={"text": text, "x": 0, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        legend={"bgcolor": "rgba(0,0,0,0)"},
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    if height:
        fig.update_layout(height=height)
    return fig
