"""AppTest of the Network page: ego view from the URL, whole network, shortest path, filters, States."""

from __future__ import annotations

import json

import pytest

from iscm import network as net
from tests.conftest import meta, shown, title_of

PAGE = "pages/network.py"


def chart(at) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def drawn_nodes(spec: dict) -> set[str]:
    return {n for t in spec["data"] if meta(t).get("role") == "nodes" for n in t["customdata"]}


def open_page(app_test, **query):
    at = app_test(**query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def default_graph(ds):
    return net.build_graph(ds)


def test_ego_network_from_the_url(app_test, default_graph):
    at = open_page(app_test, node="iscm:prague-process")
    spec = chart(at)
    expected = set(net.ego_network(default_graph, "iscm:prague-process", 1).nodes)
    assert drawn_nodes(spec) == expected
    assert {"iscm:prague-process", "org:icmpd", "iscm:budapest-process"} <= expected
    assert title_of(spec).startswith("Ego network of Prague Process (neighbours)")
    ring = next(t for t in spec["data"] if meta(t).get("role") == "highlight")
    assert ring["text"] == ["iscm:prague-process"]
    # the summary beside the chart
    assert [h.value for h in at.header] == ["Prague Process", "Who holds the network together"]
    text = "\n".join(m.value for m in at.markdown)
    assert "**Secretariat** (1): ICMPD" in text
    assert "- **Secretariat:** ICMPD" in text
    assert at.selectbox(key="net_node").value == "iscm:prague-process"
    # a page link to the profile once that page is in the app, a plain link before
    links = [p.proto for p in at.get("page_link") if p.proto.label == "Open its profile"]
    assert "iscm=prague-process" in str(links[0]) if links else "(/profile?iscm=prague-process)" in text
    assert at.query_params["node"] == "iscm:prague-process"


def test_two_step_ego_network(app_test, default_graph):
    at = open_page(app_test, node="org:icmpd")
    at.radio(key="net_radius").set_value(2).run()
    assert drawn_nodes(chart(at)) == set(net.ego_network(default_graph, "org:icmpd", 2).nodes)
    at.radio(key="net_radius").set_value(0).run()
    assert drawn_nodes(chart(at)) == set(default_graph.nodes)


def test_a_crafted_node_in_the_url_shows_as_text(app_test):
    """A backtick in `?node=` cannot close the code span the warning shows it in: no link, no image."""
    from markdown_it import MarkdownIt

    crafted = "x` [click](https://example.org/steal) ![i](https://example.org/i.png) `y"
    at = open_page(app_test, node=crafted)
    warning = at.warning[0].value
    html = MarkdownIt("commonmark").render(warning)
    assert "<a " not in html and "<img" not in html
    assert f"<code>{crafted}</code>" in html.replace("&quot;", '"')


def test_neighbourhood_choice_appears_with_a_selected_node(app_test):
    """No disabled "Show" radio without a node (its faded label fails contrast), a hint in its place."""
    at = open_page(app_test)
    assert [r.key for r in at.radio] == ["net_size"]
    assert any(c.value == "Select a node to show its neighbours." for c in at.caption)
    at = open_page(app_test, node="org:icmpd")
    assert "net_radius" in [r.key for r in at.radio] and at.radio(key="net_radius").value == 1


def test_whole_network_metrics_and_insight(app_test, ds, default_graph):
    at = open_page(app_test)
    assert len(at.dataframe) == 0  # the table of every node is drawn only when its expander is opened
    assert "Table of every node: degree, betweenness, eigenvector, community" in [e.label for e in at.expander]
    at = open_page(app_test, metrics="true")  # opened (the URL keeps it open)
    spec = chart(at)
    assert drawn_nodes(spec) == set(default_graph.nodes)
    edges = [t["name"] for t in spec["data"] if meta(t).get("role") == "edges"]
    assert edges[:2] == ["Secretariat", "Partner"] and "Linked ISCM" in edges
    table = at.dataframe[0].value
    assert len(table) == default_graph.number_of_nodes()
    assert table["Betweenness"].is_monotonic_decreasing
    expected = net.insight(net.metrics(default_graph))
    assert any(shown(m.value) == f"**{expected}**" for m in at.markdown)  # names escaped, read as shown
    assert [m.value for m in at.metric][:1] == [str(default_graph.number_of_nodes())]
    labels = [b.proto.label for b in at.get("download_button")]
    assert not {"GraphML", "GEXF", "Nodes (CSV)", "Edges (CSV)"} & set(labels)  # drawn once their menu opens
    at.session_state["net_files"] = True  # the user opens "Download the network as shown"
    at.run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"GraphML", "GEXF", "Nodes (CSV)", "Edges (CSV)", "Metrics (CSV)"} <= set(labels)


def test_shortest_path_from_the_url(app_test, default_graph):
    path = net.shortest_path(default_graph, "iscm:pidc", "iscm:midwa")
    at = open_page(app_test, path_from="iscm:pidc", path_to="iscm:midwa")
    assert at.success[0].value.startswith(f"Shortest path ({len(path) - 1} ties): PIDC → ")
    spec = chart(at)
    route = next(t for t in spec["data"] if meta(t).get("role") == "path")
    assert route["x"].count(None) == len(net.path_edges(default_graph, path))


def test_unknown_node_warns_and_draws_everything(app_test, default_graph):
    at = open_page(app_test, node="org:nowhere")
    assert "`org:nowhere` is not in the network as drawn" in at.warning[0].value
    assert drawn_nodes(chart(at)) == set(default_graph.nodes)


def test_global_filter_cuts_the_network(app_test, ds):
    at = app_test(iscm="prague-process")
    at.switch_page(PAGE).run()
    assert not at.exception
    expected = {"iscm:prague-process"} | {net.org_node(o) for o in ds.iscm_organizations.loc[
        ds.iscm_organizations["iscm_id"] == "prague-process", "org_id"]}
    assert drawn_nodes(chart(at)) == expected


def test_states_and_controls(app_test):
    at = open_page(app_test)
    at.toggle(key="net_states").set_value(True).run()
    nodes = drawn_nodes(chart(at))
    assert "state:DEU" in nodes and "state:XKX" in nodes
    at.multiselect(key="net_edges").set_value(["secretariat"]).run()
    at.toggle(key="net_states").set_value(False).run()
    at.slider(key="net_min_degree").set_value(1).run()
    spec = chart(at)
    assert [t["name"] for t in spec["data"] if meta(t).get("role") == "edges"] == ["Secretariat"]
    assert all(n.startswith(("iscm:", "org:")) for n in drawn_nodes(spec))
    at.multiselect(key="net_kinds").set_value([]).run()
    assert at.warning[0].value.startswith("Nothing to draw")


def test_downloads_are_named_after_the_view(app_test, monkeypatch):
    """The GraphML of Prague's neighbourhood says so in its name (it used to be iscm-network_all.graphml)."""
    import datetime as dt

    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.runtime.media_file_manager import MediaFileManager

    managers = []

    class Recording(MediaFileManager):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)
    at = open_page(app_test, node="iscm:prague-process")
    at.session_state["net_files"] = True  # the menu of the network's files, open
    at.run()
    names = {b.proto.label: entry["filename"] for b in at.get("download_button")
             for m in managers for fid, entry in m._deferred_callables.items() if fid == b.proto.deferred_file_id}
    day = dt.date.today().isoformat()
    assert names["GraphML"] == f"iscm-network_prague-process-neighbours_{day}.graphml"
    assert names["Nodes (CSV)"] == f"iscm-network_prague-process-neighbours_{day}_nodes.csv"
    assert names["Metrics (CSV)"] == f"iscm-network_all_{day}_metrics.csv"  # the metrics are the whole network's
