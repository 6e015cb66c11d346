"""Figure of the Network page: the partnership graph drawn with Plotly.

Edges are line traces, one per tie type (its own colour and dash, one legend entry, so a type can be hidden
from the legend); nodes are marker traces, one per node kind, whose `customdata` is the node id so that a
click on a node (st.plotly_chart on_select) tells the page which node was picked. Lines cannot be hovered
or clicked in Plotly, so each tie type also has an invisible marker at the middle of every edge that
carries the hover text (relation, evidence, source).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from iscm.figures._house import style
from iscm.network import EDGE_TYPES, NODE_KINDS, kind_label, path_edges, ties_text
from iscm.palette import ISCM_TYPE_COLORS, OKABE_ITO, ORG_KIND_COLORS

SIZE_METRICS = {"degree": "Degree", "betweenness": "Betweenness", "eigenvector": "Eigenvector centrality",
                "weighted_degree": "Weighted degree"}
# tie type -> (colour, dash, width). Organization roles share mid greys (readable on a white and on a dark
# background) told apart by dash and width, so the node colours stay the loudest thing on the chart; ties
# between ISCMs get the two blues, funding the vermillion.
EDGE_STYLE: dict[str, tuple[str, str, float]] = {
    "secretariat": ("#808080", "solid", 2.4),
    "partner": ("#9A9A9A", "solid", 1.0),
    "observer": ("#9A9A9A", "dot", 1.0),
    "member": ("#8C8C8C", "dash", 1.2),
    "funder": (OKABE_ITO["vermillion"], "longdash", 1.4),
    "technical-support": ("#9A9A9A", "dashdot", 1.0),
    "linked-iscm": (OKABE_ITO["blue"], "solid", 2.0),
    "shared-members": (OKABE_ITO["sky_blue"], "dot", 1.2),
    "state-membership": ("#A8A8A8", "solid", 0.5),
}
PATH_COLOR = OKABE_ITO["vermillion"]
FOCUS_COLOR = "#D55E00"
NODE_SYMBOL = {"iscm": "circle", "state": "square"}  # organizations: diamond
EDGE_OFFSET = 0.012  # how far apart parallel ties of one pair are drawn (layout spans [-1, 1])


def _node_groups(g: nx.Graph) -> list[tuple[str, str, str, list[str]]]:
    """(kind, iscm_type, legend label, nodes) in legend order: ISCM types, organization kinds, States."""
    order = [("iscm", t) for t in ISCM_TYPE_COLORS] + [(k, "") for k in NODE_KINDS if k != "iscm"]
    found: dict[tuple[str, str], list[str]] = {}
    for n, d in g.nodes(data=True):
        found.setdefault((d.get("kind", "other"), d.get("iscm_type", "") or ""), []).append(n)
    keys = [k for k in order if k in found] + sorted(k for k in found if k not in order)
    return [(k, t, kind_label(k, t), sorted(found[(k, t)])) for k, t in keys]


def _color(kind: str, iscm_type: str) -> str:
    if kind == "iscm":
        return ISCM_TYPE_COLORS.get(iscm_type, OKABE_ITO["blue"])
    if kind == "state":
        return "#7F7F7F"
    return ORG_KIND_COLORS.get(kind, OKABE_ITO["grey"])


def node_sizes(table: pd.DataFrame, size_by: str, *, smallest: float = 8.0, largest: float = 38.0) -> dict[str, float]:
    """Marker diameter per node: area grows with the metric (square root), so hubs do not swamp the chart."""
    if table.empty:
        return {}
    values = table.set_index("node")[size_by].astype(float)
    top = float(values.max())
    if top <= 0:
        return dict.fromkeys(values.index, smallest + 2)
    return {n: smallest + (largest - smallest) * math.sqrt(max(v, 0.0) / top) for n, v in values.items()}


def labelled_nodes(table: pd.DataFrame, size_by: str, n: int) -> list[str]:
    """The `n` most important nodes by the size metric (ties broken by degree, then name): they get labels."""
    if table.empty or n <= 0:
        return []
    ranked = table.sort_values([size_by, "degree", "label"], ascending=[False, False, True])
    return ranked["node"].head(n).tolist()


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


NODE_CLEARANCE = 0.045  # layout units (the layout spans about -1..1): roughly a node marker's radius


def _clear_of_nodes(points: list[tuple[float, float]], node_xy: np.ndarray) -> list[bool]:
    """For each point, whether it lies farther than NODE_CLEARANCE from every node."""
    if not points or not len(node_xy):
        return [True] * len(points)
    pts = np.asarray(points, dtype=float)
    dist = np.sqrt(((pts[:, None, :] - node_xy[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    return (dist > NODE_CLEARANCE).tolist()


def _edge_segments(g: nx.Graph, pos: dict[str, tuple[float, float]], edges: Iterable[tuple[str, str, str]]):
    """x, y (None-separated) and midpoints of edges; parallel ties of one pair drawn side by side."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    mids: list[tuple[float, float]] = []
    for u, v, k in edges:
        (x0, y0), (x1, y1) = pos[u], pos[v]
        keys = sorted(g[u][v]) if g.is_multigraph() else [k]
        i = keys.index(k) if k in keys else 0
        shift = (i - (len(keys) - 1) / 2) * EDGE_OFFSET
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        ox, oy = -(y1 - y0) / length * shift, (x1 - x0) / length * shift
        xs += [x0 + ox, x1 + ox, None]
        ys += [y0 + oy, y1 + oy, None]
        mids.append(((x0 + x1) / 2 + ox, (y0 + y1) / 2 + oy))
    return xs, ys, mids


def network_figure(g: nx.MultiGraph, pos: dict[str, tuple[float, float]], table: pd.DataFrame, *,
                   size_by: str = "degree", n_labels: int = 12, focus: str | None = None,
                   path: list[str] | None = None, title: str = "Partnership network of ISCMs",
                   subtitle: str = "", height: int = 680) -> go.Figure:
    """The network: edge traces by tie type, node traces by kind, the focus node and a path highlighted.

    `table` is iscm.network.metrics() of the graph the sizes come from (it may hold more nodes than `g`,
    e.g. when `g` is an ego network, so sizes stay comparable with the whole network).
    """
    if size_by not in SIZE_METRICS:
        raise ValueError(f"size_by must be one of {sorted(SIZE_METRICS)}, got {size_by!r}")
    traces: list[dict[str, Any]] = []
    tbl = table[table["node"].isin(list(g.nodes))] if len(table) else table
    sizes = node_sizes(table, size_by)
    on_path = set(path or [])
    path_ties = set(path_edges(g, path)) if path else set()
    dim = 0.35 if path_ties else 0.8
    min_shared = g.graph.get("min_shared")

    node_xy = np.array([pos[n] for n in g.nodes if n in pos], dtype=float).reshape(-1, 2)
    for etype, label in EDGE_TYPES.items():
        edges = sorted((u, v, k) for u, v, k in g.edges(keys=True) if k == etype)
        if not edges:
            continue
        color, dash, width = EDGE_STYLE[etype]
        if etype == "shared-members" and min_shared:
            label = f"{label} (≥ {min_shared})"
        xs, ys, mids = _edge_segments(g, pos, edges)
        traces.append(dict(type="scatter",
            x=xs, y=ys, mode="lines", name=label, legendgroup=etype,
            line={"color": color, "dash": dash, "width": width}, opacity=dim, hoverinfo="skip",
            meta={"role": "edges", "etype": etype},
        ))
        # A tie's hover point that lies on a node would take that node's clicks (Plotly picks the closest
        # point): such points are left out; the tie is still described in the node's hover and the tables.
        keep = _clear_of_nodes(mids, node_xy)
        hover = []
        for i, (u, v, k) in enumerate(edges):
            if not keep[i]:
                continue
            d = g.edges[u, v, k]
            text = f"<b>{d.get('relation', '')}</b>"
            if d.get("evidence") and etype != "state-membership":
                text += f"<br>{_short(d['evidence'])}"
            elif d.get("evidence"):
                text += f"<br>{d['evidence']}"
            if d.get("source"):
                text += f"<br><i>Source: {_short(d['source'], 90)}</i>"
            hover.append(text)
        traces.append(dict(type="scatter",
            x=[m[0] for m, ok in zip(mids, keep, strict=True) if ok],
            y=[m[1] for m, ok in zip(mids, keep, strict=True) if ok], mode="markers", legendgroup=etype,
            showlegend=False, name=label, marker={"size": 7, "color": color, "opacity": 0},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            unselected={"marker": {"opacity": 0}}, selected={"marker": {"opacity": 0}},
            meta={"role": "edge-hover", "etype": etype},
        ))

    if path_ties:
        xs, ys, _ = _edge_segments(g, pos, sorted(path_ties))
        traces.append(dict(type="scatter",
            x=xs, y=ys, mode="lines", name="Shortest path", line={"color": PATH_COLOR, "width": 4.5},
            hoverinfo="skip", meta={"role": "path"},
        ))

    labelled = set(labelled_nodes(tbl, size_by, n_labels)) | on_path | ({focus} if focus else set())
    metric = (tbl.set_index("node")[["degree", "betweenness", "community"]].to_dict("index")
              if len(tbl) else {})  # plain dicts: one pandas lookup per node cost more than the whole loop
    for kind, iscm_type, label, nodes in _node_groups(g):
        hover, text = [], []
        for n in nodes:
            d = g.nodes[n]
            row = metric.get(n)
            stats = (f"Degree {int(row['degree'])} · betweenness {row['betweenness']:.3f} · "
                     f"community {int(row['community'])}") if row is not None else ""
            roles = ties_text(g, n, max_names=5, sep="<br>")
            name = d.get("name", n)
            head = f"<b>{d.get('label', n)}</b>" + (f"<br>{name}" if name != d.get("label") else "")
            hover.append(f"{head}<br>{kind_label(kind, iscm_type)}<br>{stats}<br>{roles}")
            text.append(d.get("label", n) if n in labelled else "")
        traces.append(dict(type="scatter",
            x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text", name=label,
            legendgroup=f"nodes-{kind}-{iscm_type}", customdata=nodes, text=text, textposition="top center",
            textfont={"size": 11}, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            marker={"size": [sizes.get(n, 10.0) for n in nodes], "color": _color(kind, iscm_type),
                    "symbol": NODE_SYMBOL.get(kind, "diamond"),
                    "line": {"width": 0.8, "color": "rgba(255,255,255,0.8)"}, "opacity": 0.95},
            selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 0.95}},
            meta={"role": "nodes", "kind": kind, "iscm_type": iscm_type},
        ))

    ringed = [n for n in ([focus] if focus else []) + [p for p in (path or []) if p != focus] if n in pos]
    if ringed:
        # Rings over the selected node and the path: a trace of their own, so the legend icons of the node
        # kinds stay plain; hoverinfo skip lets clicks fall through to the node underneath.
        traces.append(dict(type="scatter",
            x=[pos[n][0] for n in ringed], y=[pos[n][1] for n in ringed], mode="markers",
            name="Selected node" if not path else "Selected node and path", text=ringed,
            marker={"size": [sizes.get(n, 10.0) + 9 for n in ringed], "symbol": "circle-open",
                    "color": FOCUS_COLOR, "line": {"width": 3, "color": FOCUS_COLOR}},
            hoverinfo="skip", meta={"role": "highlight"},
        ))

    # Plotly's per-element validation of ~25 traces with a hover text per node cost about 100 ms of CPU on
    # every rerun; the traces above are plain values built here and checked by the tests, so skip it.
    fig = go.Figure(data=traces, _validate=False)

    # A network has no axes: positions only say who sits near whom, so the axes, grid and ticks are hidden;
    # the title, legend and hover carry the meaning.
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False)
    fig.update_layout(
        showlegend=True, hovermode="closest", clickmode="event+select",
        legend={"title": {"text": "Nodes and ties"}, "itemsizing": "constant", "groupclick": "togglegroup"},
        hoverlabel={"align": "left"},
    )
    sub = subtitle or (f"{g.number_of_nodes()} nodes, {g.number_of_edges()} ties · "
                       f"node size: {SIZE_METRICS[size_by].lower()}")
    return style(fig, title, subtitle=sub, height=height)
