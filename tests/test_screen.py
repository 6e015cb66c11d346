"""A figure as the app sends it to the browser (`iscm.figures._house.for_screen`).

The browser draws it with Streamlit's chart theme off: the figure carries its on-screen style itself and
nothing that makes Plotly draw the chart again when Streamlit renders it a second time (no template, a
`datarevision`, plain lists, trace meta as a list). tests/browser/test_pages_browser.py checks the second
render in Chromium.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from iscm.figures._house import SCREEN_FONT, SCREEN_LINES, for_screen, house_layout, screen_layout
from iscm.figures.fast import figure, freeze
from tests.conftest import charts, open_page


def _bars(values: list[int], **layout) -> go.Figure:
    return figure([{"type": "bar", "x": values, "y": ["a", "b"][: len(values)], "orientation": "h"}],
                  {**house_layout("Bars"), **layout})


def test_no_template_and_a_revision_that_follows_the_data():
    fig = for_screen(_bars([1, 2]), None)
    shown = fig.to_dict()
    assert json.loads(pio.to_json(fig, validate=False))["layout"]["template"] is None  # as st.plotly_chart sends it
    same, other = for_screen(_bars([1, 2]), None), for_screen(_bars([1, 3]), None)
    assert shown["layout"]["datarevision"] == same.to_dict()["layout"]["datarevision"]
    assert shown["layout"]["datarevision"] != other.to_dict()["layout"]["datarevision"]


def test_numpy_arrays_and_trace_meta_go_as_lists():
    fig = go.Figure(go.Scatter(x=np.array([1990, 2000], dtype=np.int16), y=np.array([[1.5], [2.5]]).ravel(),
                               customdata=np.array([[1, 2], [3, 4]]), meta={"role": "nodes"}))
    assert isinstance(fig.to_dict()["data"][0]["x"], dict)  # Plotly's typed array: {"dtype", "bdata"}
    trace = for_screen(fig, None).to_dict()["data"][0]
    assert trace["x"] == [1990, 2000] and trace["y"] == [1.5, 2.5]
    assert trace["customdata"] == [[1, 2], [3, 4]]
    assert trace["meta"] == [{"role": "nodes"}]


def test_axes_draw_the_lines_plotly_would_and_the_figure_decides_first():
    bars = for_screen(_bars([1, 2]), None).to_dict()["layout"]
    # horizontal bars: no grid or zero line on the category axis (y), none on x either (screen style)
    assert bars["yaxis"]["showgrid"] is False and bars["yaxis"]["zeroline"] is False
    assert bars["xaxis"]["showgrid"] is False and bars["xaxis"]["ticks"] == ""
    heat = for_screen(figure([{"type": "heatmap", "z": [[1, 2]]}], house_layout("Heat")), None).to_dict()["layout"]
    assert heat["xaxis"]["ticks"] == heat["yaxis"]["ticks"] == "outside"
    line = for_screen(figure([{"type": "scatter", "y": [1, 2]}], house_layout("Line")), None).to_dict()["layout"]
    assert line["yaxis"]["showgrid"] is True and line["yaxis"]["gridcolor"] == SCREEN_LINES["light"]
    own = for_screen(_bars([1, 2], yaxis={"showgrid": True, "gridcolor": "#123456"}), None).to_dict()["layout"]
    assert own["yaxis"]["showgrid"] is True and own["yaxis"]["gridcolor"] == "#123456"


def test_screen_style_per_theme():
    light, dark = (for_screen(_bars([1, 2]), t).to_dict()["layout"] for t in ("light", "dark"))
    assert light["title"]["font"]["family"] == SCREEN_FONT and light["title"]["font"]["weight"] == "bold"
    assert light["xaxis"]["gridcolor"] == SCREEN_LINES["light"] and dark["xaxis"]["gridcolor"] == SCREEN_LINES["dark"]
    assert screen_layout("dark")["hoverlabel"]["bgcolor"] != screen_layout("light")["hoverlabel"]["bgcolor"]


@pytest.mark.parametrize("own", [{}, {"clickmode": "event", "dragmode": "zoom"}])
def test_a_chart_that_reports_clicks_gets_the_modes_streamlit_would_set(own):
    layout = for_screen(_bars([1, 2], **own), None, selectable=True).to_dict()["layout"]
    assert layout["clickmode"] == own.get("clickmode", "event+select")
    assert layout["dragmode"] == own.get("dragmode", "pan")
    assert layout["hovermode"] == "closest"
    assert "clickmode" not in for_screen(_bars([1, 2]), None).to_dict()["layout"]


def test_a_frozen_figure_is_prepared_once_per_theme():
    fig = freeze(_bars([1, 2]))
    assert for_screen(fig, None) is for_screen(fig, "light")
    assert for_screen(fig, "dark") is not for_screen(fig, None)
    plain = _bars([1, 2])
    assert for_screen(plain, None) is not for_screen(plain, None)


def test_pages_draw_their_charts_without_streamlits_chart_theme(app_test):
    at = open_page(app_test, "pages/themes.py")
    protos = [c.proto for c in at.get("plotly_chart")]
    assert protos and all(p.theme == "" for p in protos)
    assert all(spec["layout"]["template"] is None and spec["layout"]["datarevision"] for spec in charts(at))
