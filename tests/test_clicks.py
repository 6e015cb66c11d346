"""Chart clicks turned into ids (components/clicks.py): maps, the network chart, the theme charts."""

from __future__ import annotations

from types import SimpleNamespace

from components.clicks import selected_customdata, selected_iso3, selected_node, selected_points


def test_selected_iso3_reads_shapes_and_markers():
    assert selected_iso3({"selection": {"points": [{"location": "DEU", "customdata": "DEU"}]}}) == "DEU"
    assert selected_iso3({"selection": {"points": [{"lon": 14.4, "lat": 35.9, "customdata": ["MLT"]}]}}) == "MLT"
    assert selected_iso3({"selection": {"points": []}}) is None
    assert selected_iso3(None) is None


def test_selected_node_reads_node_clicks_only():
    assert selected_node([{"customdata": "iscm:a"}]) == "iscm:a"
    assert selected_node([{"customdata": ["org:o1"]}]) == "org:o1"
    assert selected_node([{"point_index": 3}, {"customdata": "state:DEU"}]) == "state:DEU"
    assert selected_node([{"customdata": None}, {"customdata": "a label"}]) is None
    assert selected_node(None) is None


def test_selected_customdata_turns_clicks_into_ids():
    points = [{"customdata": ["prague-process", "asylum_protection"]}, {"customdata": ["rabat-process", "x"]},
              {"customdata": ["prague-process", "y"]}, {"x": 1}]
    assert selected_customdata(points) == ["prague-process", "rabat-process"]
    assert selected_customdata(points, 1) == ["asylum_protection", "x", "y"]
    assert selected_customdata(None) == [] and selected_customdata([]) == []


def test_events_are_read_as_streamlit_returns_them():
    """st.plotly_chart returns an attribute object (event.selection.points); a dict works the same."""
    points = [{"customdata": ["state:MLT"], "location": None}, {"customdata": ["iscm:a"]}]
    event = SimpleNamespace(selection=SimpleNamespace(points=points))
    assert selected_points(event) == points
    assert selected_points({"selection": {"points": points}}) == points
    assert selected_node(event) == "state:MLT"
    assert selected_customdata(event) == ["state:MLT", "iscm:a"]
    assert selected_points(SimpleNamespace(selection=None)) == []
