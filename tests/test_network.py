"""iscm.network and iscm.figures.network on a small hand-made dataset, plus invariants on the default data.

The hand-made dataset (see `tiny`) is small enough to work out every node, tie and betweenness value on
paper:

    o3 - c - b - o1 - a        a, b, c ISCMs; d an ISCM with no tie; o1, o2, o3 organizations
             |  \\      /|      a-o1: secretariat and funder (two roles, two edges)
             |   o2 --- |      a-o2: member; b-o1: partner (cited twice); b-o2: observer; c-o3: technical support
             +-- a -----+      a-b: linked (named from both sides) and 2 shared member States (DEU, FRA)
                                b-c: linked
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import itertools
import math
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from iscm import network as net
from iscm.dataset import COLUMNS, Dataset
from iscm.export_tables import to_csv_bytes
from iscm.figures.network import _labelled_nodes, _node_sizes, network_figure
from iscm.palette import ISCM_TYPE_COLORS, ORG_KIND_COLORS
from tests.conftest import title_of


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS[name])


def iscm_row(iid: str, typ: str) -> dict:
    row = dict.fromkeys(COLUMNS["iscms"], "")
    row.update(iscm_id=iid, short_name=iid.upper(), full_name=f"The {iid.upper()} process", type=typ,
               established=2000, n_members=0, n_observers=0, status="active")
    return row


@pytest.fixture(scope="module")
def tiny() -> Dataset:
    members = [("a", "DEU", "member"), ("a", "FRA", "member"), ("a", "ITA", "member"),
               ("b", "DEU", "member"), ("b", "FRA", "member"), ("b", "ESP", "member"),
               ("c", "DEU", "member"), ("c", "ITA", "observer")]
    ties = [("a", "o1", "secretariat", "s-a1"), ("a", "o1", "funder", "s-a2"), ("a", "o2", "member", "s-a3"),
            ("b", "o1", "partner", "s-b1"), ("b", "o1", "partner", "s-b2"), ("b", "o2", "observer", "s-b3"),
            ("c", "o3", "technical-support", "s-c1")]
    return Dataset(
        iscms=frame("iscms", [iscm_row("a", "RCP"), iscm_row("b", "IRF"), iscm_row("c", "Global"),
                              iscm_row("d", "RCP")]),
        memberships=frame("memberships", [
            {"iscm_id": i, "iso3": c, "country": c.title(), "role": r, "territory": False, "confidence": "high",
             "note": ""} for i, c, r in members]),
        themes=frame("themes", []),
        iscm_themes=frame("iscm_themes", []),
        organizations=frame("organizations", [
            {"org_id": "o1", "acronym": "O1", "name": "Org one", "kind": "un", "parent": "", "aliases": ()},
            {"org_id": "o2", "acronym": "", "name": "Org two", "kind": "igo", "parent": "", "aliases": ()},
            {"org_id": "o3", "acronym": "O3", "name": "Org three", "kind": "eu", "parent": "", "aliases": ()},
        ]),
        iscm_organizations=frame("iscm_organizations", [
            {"iscm_id": i, "org_id": o, "role": r, "source": s, "provenance": "curated"} for i, o, r, s in ties]),
        iscm_links=frame("iscm_links", [
            {"source_id": "a", "target_id": "b", "relation": "x", "source": "s-l1", "provenance": "curated"},
            {"source_id": "b", "target_id": "a", "relation": "y", "source": "s-l2", "provenance": "curated"},
            {"source_id": "b", "target_id": "c", "relation": "z", "source": "s-l3", "provenance": "curated"},
        ]),
        sources=frame("sources", [
            {"iscm_id": "a", "url": "https://a.example/about", "title": "", "used_for": "history"},
            {"iscm_id": "a", "url": "https://a.example/members", "title": "", "used_for": "member list"},
            {"iscm_id": "b", "url": "", "title": "B report", "used_for": "everything"},
        ]),
        version="tiny-1", data_date="2026-01-01",
    )


@pytest.fixture(scope="module")
def g(tiny: Dataset) -> nx.MultiGraph:
    return net.build_graph(tiny, min_shared=2)


def edge_set(graph: nx.MultiGraph) -> set[tuple[str, str, str]]:
    return {(*sorted((u, v)), k) for u, v, k in graph.edges(keys=True)}


A, B, C, D = (net.iscm_node(x) for x in "abcd")
O1, O2, O3 = (net.org_node(x) for x in ("o1", "o2", "o3"))
EXPECTED_EDGES = {
    (A, O1, "secretariat"), (A, O1, "funder"), (A, O2, "member"), (B, O1, "partner"), (B, O2, "observer"),
    (C, O3, "technical-support"), (A, B, "linked-iscm"), (B, C, "linked-iscm"), (A, B, "shared-members"),
}


# ------------------------------------------------------------------------------------------- graph
def test_nodes_and_their_attributes(g):
    assert set(g.nodes) == {A, B, C, D, O1, O2, O3}
    assert g.nodes[A] == {"label": "A", "name": "The A process", "kind": "iscm", "group": "iscm", "iscm_type": "RCP"}
    assert g.nodes[C]["iscm_type"] == "Global"
    assert g.nodes[O1] == {"label": "O1", "name": "Org one", "kind": "un", "group": "organization", "iscm_type": ""}
    assert g.nodes[O2]["label"] == "Org two"  # no acronym: the name
    assert g.degree(D) == 0  # an ISCM without ties is still drawn


def test_edges_are_typed_and_parallel_roles_kept(g):
    assert isinstance(g, nx.MultiGraph)
    assert edge_set(g) == EXPECTED_EDGES
    assert sorted(g[A][O1]) == ["funder", "secretariat"]
    assert g.number_of_edges() == 9


def test_org_and_link_edges_carry_what_the_source_says(tiny):
    said = dataclasses.replace(
        tiny,
        iscm_organizations=tiny.iscm_organizations.assign(
            evidence=[f"page says {o} is {r} of {i}" for i, o, r in zip(
                tiny.iscm_organizations["iscm_id"], tiny.iscm_organizations["org_id"],
                tiny.iscm_organizations["role"], strict=True)]),
        iscm_links=tiny.iscm_links.assign(evidence=["report names B", "", "report names C"]))
    h = net.build_graph(said, min_shared=2)
    assert h.edges[A, O1, "secretariat"]["evidence"] == "page says o1 is secretariat of a"
    assert h.edges[B, O1, "partner"]["evidence"] == "page says o1 is partner of b"  # cited twice, said once
    # the source's words replace the bare relation; a link without evidence keeps its relation
    assert h.edges[A, B, "linked-iscm"]["evidence"] == "A → B: report names B | B → A: y"
    assert h.edges[B, C, "linked-iscm"]["evidence"] == "B → C: report names C"


def test_edges_carry_relation_evidence_and_source(g):
    partner = g.edges[B, O1, "partner"]
    assert partner["source"] == "s-b1 | s-b2"  # the same role cited twice: one edge, both sources
    assert partner["relation"] == "O1: partner of B"
    assert partner["etype"] == "partner" and partner["weight"] == 1.0 and partner["id"] == f"{B}|{O1}|partner"
    linked = g.edges[A, B, "linked-iscm"]
    assert linked["evidence"] == "A → B: x | B → A: y"
    assert linked["source"] == "s-l1 | s-l2"
    shared = g.edges[A, B, "shared-members"]
    assert shared["weight"] == 2.0
    assert shared["evidence"] == "DEU; FRA"
    assert shared["provenance"] == "derived"
    assert shared["source"] == "https://a.example/members | B report"  # the member-list source is preferred


def test_shared_members_threshold(tiny):
    low = net.build_graph(tiny, min_shared=1, edge_types=["shared-members"])
    assert edge_set(low) == {(A, B, "shared-members"), (A, C, "shared-members"), (B, C, "shared-members")}
    assert low.edges[A, C, "shared-members"]["evidence"] == "DEU"  # ITA is only an observer of C
    assert net.build_graph(tiny, min_shared=3, edge_types=["shared-members"]).number_of_edges() == 0


def test_edge_type_and_node_kind_filters(tiny):
    only_partner = net.build_graph(tiny, edge_types=["partner"])
    assert edge_set(only_partner) == {(B, O1, "partner")}
    assert set(only_partner.nodes) == {A, B, C, D, O1}
    un_only = net.build_graph(tiny, node_kinds=["iscm", "un"], min_shared=2)
    assert set(un_only.nodes) == {A, B, C, D, O1}
    assert (A, B, "linked-iscm") in edge_set(un_only)
    assert net.build_graph(tiny, node_kinds=["un"]).number_of_nodes() == 0  # every tie needs an ISCM
    with pytest.raises(ValueError, match="unknown edge type or node kind"):
        net.build_graph(tiny, edge_types=["friendship"])


def test_states_and_membership_ties(tiny):
    h = net.build_graph(tiny, include_states=True, min_shared=2)
    states = {n for n, d in h.nodes(data=True) if d["kind"] == "state"}
    assert states == {"state:DEU", "state:FRA", "state:ITA", "state:ESP"}
    membership = [(u, v) for u, v, k in h.edges(keys=True) if k == "state-membership"]
    assert len(membership) == 8  # one per membership row, observers included
    assert h.edges[C, "state:ITA", "state-membership"]["relation"] == "Ita: observer of C"
    without = net.build_graph(tiny, include_states=False, edge_types=list(net.EDGE_TYPES))
    assert not any(k == "state-membership" for *_, k in without.edges(keys=True))


def test_node_id_scheme():
    assert net.split_node("iscm:prague-process") == ("iscm", "prague-process")
    assert net.split_node("state:DEU") == ("state", "DEU")
    assert net.split_node("org:icmpd") == ("org", "icmpd")
    assert net.split_node("prague-process") == ("", "prague-process")


# ------------------------------------------------------------------------------------------- metrics
def test_metrics_by_hand(g):
    m = net.metrics(g).set_index("node")
    assert m.loc[[A, B, C, D, O1, O2, O3], "degree"].tolist() == [3, 4, 2, 0, 2, 2, 1]
    # weighted: a-b carries linked (1) + shared members (2); a-o1 carries secretariat + funder
    assert m.loc[A, "weighted_degree"] == 1 + 1 + 1 + 1 + 2  # o1 x2, o2, b linked, b shared
    assert m.loc[B, "weighted_degree"] == 1 + 1 + 1 + 2 + 1
    # betweenness, normalized by (n-1)(n-2)/2 = 15 pairs: c bridges o3 to a, b, o1, o2; b bridges {c, o3} to
    # {a, o1, o2} and carries half of the o1-o2 paths (the other half goes through a)
    assert m.loc[C, "betweenness"] == pytest.approx(4 / 15)
    assert m.loc[B, "betweenness"] == pytest.approx(6.5 / 15)
    assert m.loc[A, "betweenness"] == pytest.approx(0.5 / 15)
    assert m.loc[[D, O1, O2, O3], "betweenness"].tolist() == [0, 0, 0, 0]
    assert m.loc[D, "eigenvector"] == 0
    assert m.loc[D, "component"] == 2 and (m.drop(index=D)["component"] == 1).all()


def test_betweenness_on_a_path_graph():
    path = nx.path_graph(["n0", "n1", "n2", "n3", "n4"])
    bc = net.betweenness(path)
    assert bc == pytest.approx({"n0": 0, "n1": 3 / 6, "n2": 4 / 6, "n3": 3 / 6, "n4": 0})


@pytest.mark.parametrize("graph", [
    nx.les_miserables_graph(), nx.karate_club_graph(), nx.disjoint_union(nx.cycle_graph(5), nx.star_graph(4)),
    nx.barbell_graph(4, 2),
], ids=["les-miserables", "karate", "disconnected", "barbell"])
def test_betweenness_equals_networkx(graph):
    s = nx.relabel_nodes(graph, {n: f"n{n}" for n in graph.nodes})
    assert net.betweenness(s) == pytest.approx(nx.betweenness_centrality(s), abs=1e-12)


def test_eigenvector_equals_networkx_on_a_connected_graph():
    s = nx.relabel_nodes(nx.karate_club_graph(), str)
    expected = nx.eigenvector_centrality(s, weight=None, max_iter=1000, tol=1e-10)
    assert net.eigenvector(s) == pytest.approx(expected, abs=1e-7)


def test_eigenvector_on_a_disconnected_graph():
    # a 5-cycle, a 4-star and an isolated node: each component measured on its own, scaled by its size
    s = nx.disjoint_union_all([nx.cycle_graph(5), nx.star_graph(3), nx.empty_graph(1)])
    s = nx.relabel_nodes(s, str)
    ev = net.eigenvector(s)
    assert ev["9"] == 0
    assert sum(v * v for v in ev.values()) == pytest.approx(0.9)  # 9 of the 10 nodes have a tie
    cycle = [ev[str(i)] for i in range(5)]
    assert cycle == pytest.approx([(1 / 5) ** 0.5 * (5 / 10) ** 0.5] * 5)
    assert ev["5"] > ev["6"] == pytest.approx(ev["7"])  # the star's centre leads its component


def test_communities_are_seeded_and_find_two_cliques():
    s = nx.relabel_nodes(nx.barbell_graph(5, 0), lambda n: f"n{n:02d}")
    g2 = nx.MultiGraph(s)
    first = net.metrics(g2, seed=3)
    assert first["community"].nunique() == 2
    left = set(first.loc[first["community"] == first.loc[0, "community"], "node"])
    assert left == {f"n{i:02d}" for i in range(5)}
    pd.testing.assert_frame_equal(first, net.metrics(g2, seed=3))


def test_metrics_of_an_empty_graph():
    assert list(net.metrics(nx.MultiGraph()).columns) == net.METRIC_COLUMNS
    assert net.metrics(nx.MultiGraph()).empty


def test_insight_names_the_top_brokers(g):
    line = net.insight(net.metrics(g), n=2)
    assert line.startswith("Top brokers (highest betweenness): B (0.43) and C (0.27).")
    flat = nx.MultiGraph([("x", "y")])
    assert "No node stands between others" in net.insight(net.metrics(flat))


def test_summary(g):
    assert net.summary(g) == {"nodes": 7, "edges": 9, "components": 2, "largest_component": 6}


# ------------------------------------------------------------------------------------------- layout
def test_layout_is_deterministic_and_independent_of_build_order(g):
    pos = net.layout(g)
    assert set(pos) == set(g.nodes)
    assert pos == net.layout(g)
    shuffled = nx.MultiGraph()
    shuffled.add_nodes_from(sorted(g.nodes(data=True), reverse=True))
    shuffled.add_edges_from(sorted(g.edges(keys=True, data=True), reverse=True))
    assert net.layout(shuffled) == pos
    assert max(abs(c) for xy in pos.values() for c in xy) == pytest.approx(1.0)
    assert net.layout(g, seed=1) != pos


def test_layout_separates_nodes():
    s = nx.relabel_nodes(nx.karate_club_graph(), str)
    pos = net.layout(s)
    closest = min(((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5
                  for a, b in itertools.combinations(pos, 2))
    assert closest > 0.01
    assert net.layout(nx.Graph()) == {} and net.layout(nx.Graph([("x", "x")])) == {"x": (0.0, 0.0)}


# ------------------------------------------------------------------------------------------- ego, path, filter
def test_ego_network(g):
    assert set(net.ego_network(g, C, 1).nodes) == {C, B, O3}
    two = net.ego_network(g, C, 2)
    assert set(two.nodes) == {C, B, O3, A, O1, O2}
    assert edge_set(two) == EXPECTED_EDGES  # every tie among those nodes, both roles of a-o1 included
    with pytest.raises(KeyError, match="not in the graph"):
        net.ego_network(g, "iscm:nope")


def test_shortest_path(g):
    assert net.shortest_path(g, O3, O2) == [O3, C, B, O2]
    assert net.shortest_path(g, O3, D) is None
    assert net.shortest_path(g, O3, "org:nope") is None
    assert net.path_edges(g, [O3, C, B]) == [(O3, C, "technical-support"), (C, B, "linked-iscm")]


def test_min_degree_filter(g):
    assert set(net.filter_min_degree(g, 2).nodes) == {A, B, C, O1, O2}
    assert set(net.filter_min_degree(g, 2, keep=[D]).nodes) == {A, B, C, O1, O2, D}
    assert net.filter_min_degree(g, 0) is g


def test_ties_text(g):
    assert net.ties(g, O1) == {"secretariat": ["A"], "partner": ["B"], "funder": ["A"]}
    assert net.ties_text(g, B, max_names=1) == ("Partner: O1 | Observer (organization): Org two | "
                                                "Linked ISCM: A and 1 more | Shared member States: A")


# ------------------------------------------------------------------------------------------- exports
def graph_equal(a: nx.MultiGraph, b: nx.MultiGraph) -> None:
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    ea = sorted(((*sorted((u, v)), k, d) for u, v, k, d in a.edges(keys=True, data=True)), key=lambda e: e[:3])
    eb = sorted(((*sorted((u, v)), k, d) for u, v, k, d in b.edges(keys=True, data=True)), key=lambda e: e[:3])
    assert ea == eb


def test_graphml_round_trip(g):
    full = net.with_metrics(g, net.metrics(g))
    data = net.to_graphml(full)
    assert data.startswith(b"<?xml") and b"graphml" in data[:400]
    back = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    graph_equal(back, full)
    assert back.nodes[B]["betweenness"] == pytest.approx(6.5 / 15)
    assert back.graph["name"] == "ISCM partnership network"


def test_gexf_round_trip(g):
    full = net.with_metrics(g, net.metrics(g))
    data = net.to_gexf(full)
    assert b"<gexf" in data[:400]
    back = nx.read_gexf(io.BytesIO(data))
    assert back.is_multigraph()
    graph_equal(back, full)


def test_exports_convert_non_scalar_attributes(g):
    h = g.copy()
    h.nodes[A]["aliases"] = ["AA", "Process A"]
    for n in h.nodes:
        h.nodes[n].setdefault("aliases", [])
    h.graph["themes"] = ("t1", "t2")
    back = nx.read_graphml(io.BytesIO(net.to_graphml(h)), force_multigraph=True)
    assert back.nodes[A]["aliases"] == "AA; Process A"
    assert back.graph["themes"] == "t1; t2"
    gexf = nx.read_gexf(io.BytesIO(net.to_gexf(h)))
    assert gexf.nodes[A]["aliases"] == "AA; Process A"
    assert g.nodes[A].get("aliases") is None  # the graph itself is not touched


def test_csv_node_and_edge_lists(g):
    m = net.metrics(g)
    nodes = pd.read_csv(io.BytesIO(to_csv_bytes(net.nodes_table(g, m))), keep_default_na=False)
    assert nodes["node"].tolist() == sorted(g.nodes)
    assert {"label", "kind", "degree", "betweenness", "community", "ties"} <= set(nodes.columns)
    assert nodes.set_index("node").loc[O1, "ties"] == "Secretariat: A | Partner: B | Funder: A"
    edges = pd.read_csv(io.BytesIO(to_csv_bytes(net.edges_table(g))), keep_default_na=False)
    assert len(edges) == 9
    assert set(zip(edges["source"], edges["target"], edges["type"], strict=True)) == EXPECTED_EDGES
    row = edges[edges["type"] == "shared-members"].iloc[0]
    assert (row["weight"], row["evidence"]) == (2.0, "DEU; FRA")


# ------------------------------------------------------------------------------------------- figure
def node_traces(fig):
    return [t for t in fig.data if t.meta and t.meta["role"] == "nodes"]


def test_figure_traces_per_kind_and_customdata(g):
    m = net.metrics(g)
    fig = network_figure(g, net.layout(g), m)
    nodes = node_traces(fig)
    assert [t.name for t in nodes] == ["ISCM · Regional consultative process", "ISCM · Interregional forum",
                                       "ISCM · Global process", "UN system", "European Union",
                                       "Other intergovernmental"]
    assert {n for t in nodes for n in t.customdata} == set(g.nodes)
    assert list(nodes[0].customdata) == [A, D]
    assert nodes[0].marker.color == ISCM_TYPE_COLORS["RCP"] and nodes[3].marker.color == ORG_KIND_COLORS["un"]
    assert nodes[0].marker.symbol == "circle" and nodes[3].marker.symbol == "diamond"
    edges = [t for t in fig.data if t.meta and t.meta["role"] == "edges"]
    assert [t.name for t in edges] == ["Secretariat", "Partner", "Observer (organization)",
                                       "Member (organization)", "Funder", "Technical support", "Linked ISCM",
                                       "Shared member States (≥ 2)"]
    assert len({(t.line.dash, t.line.color) for t in edges}) == len(edges)  # each type looks different
    linked = next(t for t in edges if t.name == "Linked ISCM")
    assert list(linked.x).count(None) == 2  # two ties, None-separated
    hover = next(t for t in fig.data if t.meta and t.meta["role"] == "edge-hover" and t.meta["etype"] == "shared-members")
    assert "DEU; FRA" in hover.hovertext[0]


def test_figure_sizes_labels_and_hover(g):
    m = net.metrics(g)
    fig = network_figure(g, net.layout(g), m, size_by="betweenness", n_labels=2)
    by_node = {}
    for t in node_traces(fig):
        for n, size, text, hover in zip(t.customdata, t.marker.size, t.text, t.hovertext, strict=True):
            by_node[n] = (size, text, hover)
    assert max(by_node, key=lambda n: by_node[n][0]) == B  # the top broker is the biggest
    assert {n for n, (_, text, _) in by_node.items() if text} == {B, C}
    assert "<b>O1</b><br>Org one<br>UN system<br>Degree 2" in by_node[O1][2]
    assert "Secretariat: A" in by_node[O1][2]
    assert _node_sizes(m, "degree")[B] == 38.0 and _node_sizes(m, "degree")[D] == 8.0
    assert _labelled_nodes(m, "degree", 1) == [B]


def test_figure_layout_has_no_axes_and_a_title(g):
    fig = network_figure(g, net.layout(g), net.metrics(g), title="Ties")
    assert title_of(fig).startswith("Ties 7 nodes, 9 ties")
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert fig.layout.showlegend is True
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
    with pytest.raises(ValueError, match="size_by must be one of"):
        network_figure(g, net.layout(g), net.metrics(g), size_by="colour")


def test_figure_highlights_focus_and_path(g):
    path = net.shortest_path(g, O3, O2)
    fig = network_figure(g, net.layout(g), net.metrics(g), focus=O3, path=path)
    ring = next(t for t in fig.data if t.meta and t.meta["role"] == "highlight")
    assert list(ring.text) == [O3, C, B, O2]
    assert ring.name == "Selected node and path"
    route = next(t for t in fig.data if t.meta and t.meta["role"] == "path")
    assert list(route.x).count(None) == 3  # three steps: technical support, linked, observer
    labelled = {n for t in node_traces(fig) for n, text in zip(t.customdata, t.text, strict=True) if text}
    assert {O3, C, B, O2} <= labelled


# ------------------------------------------------------------------------------------------- default data
def test_default_graph_matches_the_tables(ds):
    g = net.build_graph(ds)
    assert {n for n in g if n.startswith("iscm:")} == {net.iscm_node(i) for i in ds.iscms["iscm_id"]}
    assert {n for n in g if n.startswith("org:")} == {net.org_node(o) for o in ds.iscm_organizations["org_id"]}
    org_ties = ds.iscm_organizations.drop_duplicates(["iscm_id", "org_id", "role"])
    link_pairs = {tuple(sorted(p)) for p in zip(ds.iscm_links["source_id"], ds.iscm_links["target_id"], strict=True)}
    members = ds.memberships[ds.memberships["role"] == "member"].groupby("iscm_id")["iso3"].agg(set)
    shared = sum(len(members[a] & members[b]) >= net.DEFAULT_MIN_SHARED
                 for a, b in itertools.combinations(sorted(members.index), 2))
    kinds = [k for *_, k in g.edges(keys=True)]
    assert kinds.count("linked-iscm") == len(link_pairs)
    assert kinds.count("shared-members") == shared
    assert len(kinds) - len(link_pairs) - shared == len(org_ties)
    view = net.network_view(ds)
    assert len(view.metrics) == g.number_of_nodes() and set(view.pos) == set(g.nodes)
    assert net.summary(g)["nodes"] == g.number_of_nodes()


def test_no_tie_hover_point_sits_on_a_node(ds):
    """Clicks on a node must select the node: tie hover points on top of nodes are left out."""
    from iscm.figures.network import NODE_CLEARANCE

    g = net.build_graph(ds)
    pos = net.layout(g)
    fig = network_figure(g, pos, net.metrics(g))
    nodes = np.array(list(pos.values()))
    hover_points = [(x, y) for t in fig.data if (t.meta or {}).get("role") == "edge-hover"
                    for x, y in zip(t.x, t.y, strict=True)]
    assert len(hover_points) > 0.4 * g.number_of_edges()  # many ties keep their hover point
    pts = np.array(hover_points)
    closest = np.sqrt(((pts[:, None, :] - nodes[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    assert closest.min() > NODE_CLEARANCE


# ------------------------------------------------------------------------------------- labels, files, CSV
def _label_layout(fig, view):
    """In one view (a canvas and its label font): the box of every printed node label, beside its node (a
    trace's text and textposition) or moved off it (a 'label:' annotation with a line to the node), and the
    disc of every node marker; px, y up, from the figure's own ranges."""
    from iscm.figures.network import _marker_radius, _text_box
    from iscm.textwidth import text_px

    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range

    def to_px(x, y):
        return (x - xr[0]) / (xr[1] - xr[0]) * view.width, (y - yr[0]) / (yr[1] - yr[0]) * view.height

    discs, boxes, sizes = {}, {}, {}
    for t in node_traces(fig):
        for n, x, y, text, where, size in zip(t.customdata, t.x, t.y, t.text, t.textposition, t.marker.size,
                                              strict=True):
            cx, cy = to_px(x, y)
            discs[n] = (cx, cy, _marker_radius(size, t.marker.symbol))
            sizes[n] = size
            if text:
                boxes[n] = _text_box(cx, cy, where, text_px(text, view.font) + 2, view.font, size)
    for a in fig.layout.annotations:
        if str(a.name or "").startswith("label:"):
            n = a.name.removeprefix("label:")
            assert a.showarrow and n not in boxes  # a moved label keeps a line to its node
            cx, cy = discs[n][:2]
            boxes[n] = _text_box(cx, cy, (a.ax, -a.ay), text_px(a.text, view.font) + 2, view.font, sizes[n])
    return boxes, discs


def _label_boxes(fig, view=None):
    from iscm.figures.network import LABEL_FONT, SCREEN_PLOT, LabelView

    return _label_layout(fig, view or LabelView(*SCREEN_PLOT, LABEL_FONT))[0]


def _overlapping(boxes):
    return [(a, b) for (a, p), (b, q) in itertools.combinations(boxes.items(), 2)
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]


def _covered_markers(boxes, discs):
    """(label, other node) pairs where a label box touches another node's marker disc."""
    out = []
    for a, (x0, y0, x1, y1) in boxes.items():
        for b, (cx, cy, r) in discs.items():
            dx, dy = max(x0 - cx, 0, cx - x1), max(y0 - cy, 0, cy - y1)
            if b != a and dx * dx + dy * dy < r * r:
                out.append((a, b))
    return out


def _views(fig):
    from iscm.figures.network import _label_views

    xy = np.array([(x, y) for t in node_traces(fig) for x, y in zip(t.x, t.y, strict=True)])
    return _label_views(xy)


def test_whole_network_labels_central_nodes_without_overlap(ds):
    view = net.network_view(ds)
    fig = network_figure(view.graph, view.pos, view.metrics, n_labels=12)
    top = view.metrics.sort_values(["degree", "betweenness"], ascending=False)["node"].head(3)
    for v in _views(fig):  # the screen and the report export
        boxes, discs = _label_layout(fig, v)
        assert _overlapping(boxes) == [], v
        assert _covered_markers(boxes, discs) == [], v
        assert set(top) <= set(boxes)  # the hubs are named
        assert len(boxes) >= 6  # a hairball: only names with a clear place (or a line to one) on every canvas
        for (x0, y0, x1, y1) in boxes.values():  # and every label lies inside the plot
            assert x0 >= 0 and y0 >= 0 and x1 <= v.width and y1 <= v.height


def test_ego_network_labels_the_selected_node_and_all_its_neighbours(ds):
    """The Prague Process's neighbourhood: every neighbour named, no name over another or over another
    node's marker (the EaP Panel's name ran under the Rabat Process's disc), on the screen and in the export;
    a name that cannot sit beside its node is joined to it by a line, and stays near it."""
    from iscm.figures.network import LEADER_GAPS, _text_ring

    view = net.network_view(ds)
    focus = "iscm:prague-process"
    ego = net.ego_network(view.graph, focus, 1)
    shown = view.graph.subgraph(ego.nodes).copy()
    fig = network_figure(shown, net.layout(shown), view.metrics, focus=focus)
    for v in _views(fig):
        boxes, discs = _label_layout(fig, v)
        assert set(boxes) >= {focus, *view.graph.neighbors(focus)}
        assert _overlapping(boxes) == [], v
        assert _covered_markers(boxes, discs) == [], v
        for n, (x0, y0, x1, y1) in boxes.items():  # each name next to its node
            cx, cy, _ = discs[n]
            dx, dy = max(x0 - cx, 0, cx - x1), max(y0 - cy, 0, cy - y1)
            moved = f"label:{n}" in {a.name for a in fig.layout.annotations}
            near = _text_ring(38) + LEADER_GAPS[-1] + 8 if moved else _text_ring(38) * math.sqrt(2) + 4
            assert math.hypot(dx, dy) <= near, (n, v)
    moved = [a for a in fig.layout.annotations if str(a.name or "").startswith("label:")]
    assert all(a.showarrow and a.arrowwidth >= 1 for a in moved)


def test_label_model_is_plotlys_text_placement():
    """The placement model sets text where plotly.js does (textPointPosition): radius / 0.8 + 1 px from the
    marker's centre, to the right of it for 'middle right', above it for 'top center'."""
    from iscm.figures.network import _text_box, _text_ring

    assert _text_ring(20) == pytest.approx(13.5)
    x0, y0, x1, y1 = _text_box(100, 100, "middle right", 50, 11, 20)
    assert x0 == pytest.approx(113.5) and x1 == pytest.approx(163.5) and y0 < 100 < y1
    x0, y0, x1, y1 = _text_box(100, 100, "top center", 50, 11, 20)
    assert (x0 + x1) / 2 == pytest.approx(100) and y0 == pytest.approx(113.5)
    x0, y0, x1, y1 = _text_box(100, 100, (0.0, -40.0), 50, 11, 20)  # a moved label: centred on its offset
    assert (x0 + x1) / 2 == pytest.approx(100) and (y0 + y1) / 2 == pytest.approx(60)


def test_hover_boxes_are_narrow(ds):
    view = net.network_view(ds)
    fig = network_figure(view.graph, view.pos, view.metrics)
    lines = [line for t in fig.data if t.hovertext is not None for h in t.hovertext
             for line in re.sub(r"</?[bi]>", "", h).split("<br>")]
    assert lines and max(len(line) for line in lines) <= 56


def test_export_file_names_say_the_view():
    day = dt.date(2026, 12, 1)
    view = net.view_slug("iscm:prague-process", 1)
    assert net.export_stem(view, "all", day) + ".graphml" == "iscm-network_prague-process-neighbours_2026-12-01.graphml"
    assert net.export_stem(net.view_slug("org:icmpd", 2), "type-RCP", day) == \
        "iscm-network_icmpd-2-steps_type-RCP_2026-12-01"
    assert net.export_stem(net.view_slug(), "all", day) == "iscm-network_all_2026-12-01"
    assert net.export_stem(net.view_slug(), "theme-labour_migration", day) == \
        "iscm-network_theme-labour_migration_2026-12-01"
    assert net.view_slug(None, 0, ["org:icmpd", "iscm:a", "state:DEU"]) == "path_icmpd-to-deu"
    assert net.view_slug("iscm:prague-process", 0) == "all"  # "whole network" with a node selected


def test_list_separators_cannot_occur_in_names(ds):
    """The CSV cell of a node's ties joins names with '; ' and tie types with ' | ': no name in the data
    holds either (several hold commas, the old separator), so a spreadsheet can split the cell back."""
    g = net.build_graph(ds, include_states=True)
    names = {str(d.get("label", "")) for _, d in g.nodes(data=True)} | {str(d.get("name", ""))
                                                                        for _, d in g.nodes(data=True)}
    assert any("," in n for n in names)
    assert not [n for n in names if net.NAME_SEP.strip() in n or net.GROUP_SEP.strip() in n]
    table = net.nodes_table(g, pd.DataFrame(columns=net.METRIC_COLUMNS))  # the ties only, no metrics
    row = table.set_index("node").loc["iscm:bali-process", "ties"]
    parsed = {}
    for part in row.split(net.GROUP_SEP):
        kind, _, names_text = part.partition(": ")
        parsed[kind] = names_text.split(net.NAME_SEP)
    expected = {net.EDGE_TYPES[k]: v for k, v in net.ties(g, "iscm:bali-process").items()}
    assert parsed == expected
