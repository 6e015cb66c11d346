"""Cached views of the Network page: the graph with its layout and metrics, drawings and tables.

Keyed on `components.frame.ViewKey` (data version and filters) plus the page's controls, which pin down the
unhashed `_ds`/`_g` arguments; the drawings add the selection (node, radius, path) to that key. Shared
read-only by all sessions (`components.frame.view_cache`); figures are frozen. Defined in a module rather
than in the page script so the cached functions are created once per process, not on every rerun.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from components.frame import ViewKey, view_cache
from iscm import network as net
from iscm.dataset import Dataset
from iscm.figures.fast import freeze
from iscm.figures.network import network_figure


@view_cache(max_entries=24, show_spinner="Building the network…")
def cached_view(key: ViewKey, include_states: bool, edge_types: tuple[str, ...], node_kinds: tuple[str, ...],
                min_shared: int, min_degree: int, _ds: Dataset) -> net.NetworkView:
    """Graph + layout + metrics, shared by all sessions. `key` (data version and filters) pins down `_ds`
    (which Streamlit cannot hash cheaply); the view is read-only for its users."""
    return net.network_view(_ds, include_states=include_states, edge_types=edge_types, node_kinds=node_kinds,
                            min_shared=min_shared, min_degree=min_degree)


@view_cache(max_entries=64)
def cached_layout(view_key: tuple, nodes: tuple[str, ...], _g: nx.MultiGraph) -> dict[str, tuple[float, float]]:
    """Layout of a part of the network (an ego network, a path): small, but reruns should not redo it."""
    return net.layout(_g)


@view_cache(max_entries=64, ttl="1h")
def cached_drawing(draw_key: tuple, size_by: str, focus: str | None, path: tuple[str, ...], title: str,
                   subtitle: str, _shown: nx.MultiGraph, _pos: dict, _metrics: pd.DataFrame,
                   ) -> tuple[go.Figure, list[str], pd.DataFrame]:
    """The figure, its edge sources and its nodes table for one drawing: `draw_key` is the view's key plus the
    selection (node, radius, path), which pins down the graph drawn and its layout. Frozen, read-only."""
    fig = network_figure(_shown, _pos, _metrics, size_by=size_by, focus=focus, path=list(path) or None,
                         title=title, subtitle=subtitle)
    sources = list(dict.fromkeys(s.strip() for _, _, src in _shown.edges(data="source", default="")
                                 for s in str(src).split(" | ") if s.strip()))
    return freeze(fig), sources, net.nodes_table(_shown, _metrics)


@view_cache(max_entries=24, ttl="1h")
def cached_metrics_table(view_key: tuple, _g: nx.MultiGraph, _metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics table as shown (kind labels, sorted, renamed), once per network view."""
    table = _metrics.assign(kind=[net.kind_label(k, _g.nodes[n]["iscm_type"])
                                  for n, k in zip(_metrics["node"], _metrics["kind"], strict=True)])
    return table.sort_values(["betweenness", "degree"], ascending=False).rename(columns={
        "label": "Node", "kind": "Kind", "degree": "Degree", "weighted_degree": "Weighted degree",
        "betweenness": "Betweenness", "eigenvector": "Eigenvector", "community": "Community",
        "component": "Component", "node": "Id"}).drop(columns=["group"])
