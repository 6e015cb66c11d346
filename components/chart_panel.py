"""One chart panel for every chart: the figure, a caption with its sources and data date, and downloads.

Pages never call st.plotly_chart directly; going through here gives every chart the same toolbar, file
names, caption and download buttons.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from iscm.filters import Filters

TOPOJSON_URL = "/app/static/topojson/"


def file_stem(name: str, filters: Filters | None = None, day: dt.date | None = None) -> str:
    """`iscm-<chart>_<filter-slug>_<date>`, e.g. iscm-theme-coverage_theme-asylum_protection_2026-11-27."""
    slug = (filters or Filters()).slug()
    stem = f"iscm-{name}_{slug}_{(day or dt.date.today()).isoformat()}"
    return re.sub(r"[^A-Za-z0-9_.+-]", "-", stem)


def plotly_config(stem: str) -> dict[str, Any]:
    """Toolbar of every chart: PNG at 2x with our file name, no Plotly logo, offline map shapes."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": stem, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "topojsonURL": TOPOJSON_URL,
    }


def caption_text(sources: list[str], data_date: str) -> str:
    shown = sources[:4]
    more = f" and {len(sources) - len(shown)} more" if len(sources) > len(shown) else ""
    return f"Sources: {'; '.join(shown)}{more}. Data as of {data_date}."


def chart_panel(
    fig: go.Figure,
    *,
    key: str,
    name: str,
    data: pd.DataFrame,
    sources: list[str],
    data_date: str = "",
    filters: Filters | None = None,
    on_select: str | None = None,
    selection_mode: Any = None,
    height: int | None = None,
) -> Any:
    """Render a figure with its caption and downloads; returns the selection event when `on_select` is set."""
    stem = file_stem(name, filters)
    kwargs: dict[str, Any] = {"config": plotly_config(stem), "key": key, "width": "stretch"}
    if height:
        kwargs["height"] = height
    if on_select:
        kwargs["on_select"] = on_select
        if selection_mode is not None:
            kwargs["selection_mode"] = selection_mode
    event = st.plotly_chart(fig, **kwargs)
    st.caption(caption_text(sources, data_date))
    st.download_button(
        "CSV", data=data.to_csv(index=False).encode("utf-8"), file_name=f"{stem}.csv", mime="text/csv",
        key=f"{key}_csv", icon=":material/download:", on_click="ignore",
    )
    return event
