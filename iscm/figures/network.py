"""Figure of the Network page: the partnership graph drawn with Plotly.

Edges are line traces, one per tie type (its own colour and dash, one legend entry, so a type can be hidden
from the legend); nodes are marker traces, one per node kind, whose `customdata` is the node id so that a
click on a node (st.plotly_chart on_select) tells the page which node was picked. Lines cannot be hovered
or clicked in Plotly, so each tie type also has an invisible marker at the middle of every edge that
carries the hover text (relation, evidence, source).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
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
# tie type -> (colour, dash, width). Organization roles share one mid grey told apart by dash (readable on
# a white and on a dark background), so the node colours stay the loudest thing on the chart; the
# secretariat, the tie that matters most, is dark grey and thick; ties between ISCMs get the two blues,
# funding the vermillion; the many State ties a pale thin grey. No two tie types share colour and dash.
EDGE_STYLE: dict[str, tuple[str, str, float]] = {
    "secretariat": ("#4D4D4D", "solid", 2.6),
    "partner": ("#999999", "solid", 1.0),
    "observer": ("#999999", "dot", 1.2),
    "member": ("#999999", "dash", 1.2),
    "funder": (OKABE_ITO["vermillion"], "longdash", 1.4),
    "technical-support": ("#999999", "dashdot", 1.2),
    "linked-iscm": (OKABE_ITO["blue"], "solid", 2.0),
    "shared-members": (OKABE_ITO["sky_blue"], "dot", 1.4),
    "state-membership": ("#C8C8C8", "solid", 0.5),
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


def _node_sizes(table: pd.DataFrame, size_by: str, *, smallest: float = 8.0, largest: float = 38.0) -> dict[str, float]:
    """Marker diameter per node: area grows with the metric (square root), so hubs do not swamp the chart."""
    if table.empty:
        return {}
    values = table.set_index("node")[size_by].astype(float)
    top = float(values.max())
    if top <= 0:
        return dict.fromkeys(values.index, smallest + 2)
    return {n: smallest + (largest - smallest) * math.sqrt(max(v, 0.0) / top) for n, v in values.items()}


def _labelled_nodes(table: pd.DataFrame, size_by: str, n: int) -> list[str]:
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


LABEL_FONT = 11
SCREEN_PLOT = (860.0, 520.0)
"""Plot area (px) the labels are placed for: the chart's width on a laptop screen, its height less the
title and legend. Larger canvases (the report export) only give the labels more room."""
POSITIONS = {  # textposition -> (dx, dy) of the label box's centre, in units of (box + marker) half-sizes
    "top center": (0.0, 1.0), "bottom center": (0.0, -1.0), "middle right": (1.0, 0.0),
    "middle left": (-1.0, 0.0), "top right": (1.0, 1.0), "top left": (-1.0, 1.0),
    "bottom right": (1.0, -1.0), "bottom left": (-1.0, -1.0),
}


def _label_priority(g: nx.Graph, table: pd.DataFrame, size_by: str, n: int, *, focus: str | None = None,
                   path: Sequence[str] | None = None) -> tuple[list[str], set[str]]:
    """(nodes to label in order of importance, the ones that must be labelled).

    Always: the selected node, its neighbours and the nodes of a path; then the `n` most central nodes
    (by the size metric, then degree, then betweenness) and the `n // 3` top brokers by betweenness not
    among them, as room allows.
    """
    must: list[str] = []
    if focus and focus in g:
        must += [focus, *sorted(set(g.neighbors(focus)), key=lambda m: g.nodes[m].get("label", m))]
    must += [p for p in (path or []) if p in g]
    must = list(dict.fromkeys(must))
    tbl = table[table["node"].isin(list(g.nodes))] if len(table) else table
    ranked: list[str] = []
    if len(tbl):
        cols = [size_by, "degree", "betweenness", "label"]
        ranked = tbl.sort_values(cols, ascending=[False, False, False, True])["node"].tolist()
    top = [m for m in ranked if m not in must][: max(n, 0)]
    if len(tbl) and n > 0:  # and the brokers: high betweenness marks a node between groups
        brokers = tbl[tbl["betweenness"] > 0].sort_values(["betweenness", "degree", "label"],
                                                          ascending=[False, False, True])["node"]
        top += [m for m in brokers if m not in must and m not in top][: n // 3]
    return must + top, set(must)


def _place_labels(pos: Mapping[str, tuple[float, float]], order: Sequence[str], text: Mapping[str, str],
                 sizes: Mapping[str, float], must: set[str], *, plot: tuple[float, float] = SCREEN_PLOT,
                 font: float = LABEL_FONT) -> dict[str, str]:
    """A textposition per labelled node such that no two labels overlap and no label covers a node.

    Greedy, most important first: each label tries eight places around its node and takes the first that
    is clear of the labels placed so far, of every node marker and of the plot's edge; failing that, the
    place that covers the least of other markers while clear of every label. A node that must be labelled
    (the selection and its neighbours) takes its least crowded place in any case; a central node whose
    name would cover another name stays unlabelled (its name is in the hover and the tables).
    """
    if not order:
        return {}
    xy = np.array([pos[n] for n in pos], dtype=float)
    x0, x1 = float(xy[:, 0].min()), float(xy[:, 0].max())
    y0, y1 = float(xy[:, 1].min()), float(xy[:, 1].max())
    sx = plot[0] / max(x1 - x0, 1e-9) / (1 + 2 * PAD_X)
    sy = plot[1] / max(y1 - y0, 1e-9) / (1 + 2 * PAD_Y)
    px = {n: ((p[0] - x0) * sx + plot[0] * PAD_X / (1 + 2 * PAD_X), (p[1] - y0) * sy + plot[1] * PAD_Y / (1 + 2 * PAD_Y))
          for n, p in pos.items()}
    nodes = [(px[n][0], px[n][1], sizes.get(n, 10.0) / 2) for n in pos]
    placed: list[tuple[float, float, float, float]] = []
    out: dict[str, str] = {}

    def overlap(box: tuple[float, float, float, float], owner: str) -> tuple[float, float]:
        """(area shared with placed labels or beyond the plot's edge, area over other nodes' markers)."""
        bx0, by0, bx1, by1 = box
        labels = 0.0
        for ax0, ay0, ax1, ay1 in placed:
            labels += max(0.0, min(bx1, ax1) - max(bx0, ax0)) * max(0.0, min(by1, ay1) - max(by0, ay0))
        if bx0 < 0 or by0 < 0 or bx1 > plot[0] or by1 > plot[1]:
            labels += 1e6
        markers = 0.0
        for (nx_, ny_, r), n in zip(nodes, pos, strict=True):
            if n != owner:
                markers += (max(0.0, min(bx1, nx_ + r) - max(bx0, nx_ - r))
                            * max(0.0, min(by1, ny_ + r) - max(by0, ny_ - r)))
        return labels, markers

    for n in order:
        if n not in px or not text.get(n):
            continue
        w = len(text[n]) * font * 0.6 + 4
        h = font * 1.3
        r = sizes.get(n, 10.0) / 2 + 2
        cx, cy = px[n]
        best: tuple[tuple[float, float], str, tuple[float, float, float, float]] | None = None
        for where, (dx, dy) in POSITIONS.items():
            bx = cx + dx * (w / 2 + r) if dx else cx
            by = cy + dy * (h / 2 + r) if dy else cy
            box = (bx - w / 2, by - h / 2, bx + w / 2, by + h / 2)
            cost = overlap(box, n)
            if best is None or cost < best[0]:
                best = (cost, where, box)
            if cost == (0.0, 0.0):
                break
        assert best is not None
        (on_labels, on_markers), where, box = best
        if n in must or on_labels == 0:  # a central node's name may cover a smaller node, never a name
            out[n] = where
            placed.append(box)
    return out


PAD_X, PAD_Y = 0.12, 0.08
"""Room around the outermost nodes (share of the layout's span), for their labels and markers."""


def _wrap_hover(text: str, width: int = 56) -> str:
    """Hover text with every line at most `width` characters: a narrow box stays inside the chart."""
    import textwrap

    lines = []
    for line in text.split("<br>"):
        # long words are web addresses of sources: broken too, or the box would run off the chart
        lines += textwrap.wrap(line, width, break_long_words=True, break_on_hyphens=False) or [""]
    return "<br>".join(lines)


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
    sizes = _node_sizes(table, size_by)
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
            text = "<b>" + _wrap_hover(d.get("relation", "")).replace("<br>", "</b><br><b>") + "</b>"
            if d.get("evidence") and etype != "state-membership":
                text += f"<br>{_wrap_hover(_short(d['evidence']))}"
            elif d.get("evidence"):
                text += f"<br>{d['evidence']}"
            if d.get("source"):
                text += "<br><i>" + _wrap_hover(f"Source: {_short(d['source'], 90)}").replace("<br>", "</i><br><i>") + "</i>"
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

    label_text = {n: g.nodes[n].get("label", n) for n in g.nodes}
    order, must = _label_priority(g, tbl, size_by, n_labels, focus=focus, path=path)
    where = _place_labels({n: pos[n] for n in g.nodes if n in pos}, order, label_text, sizes, must)
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
            hover.append(_wrap_hover(f"{head}<br>{kind_label(kind, iscm_type)}<br>{stats}<br>{roles}"))
            text.append(label_text[n] if n in where else "")
        traces.append(dict(type="scatter",
            x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text", name=label,
            legendgroup=f"nodes-{kind}-{iscm_type}", customdata=nodes, text=text,
            textposition=[where.get(n, "top center") for n in nodes], textfont={"size": LABEL_FONT}, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
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
    xy = np.array([pos[n] for n in g.nodes if n in pos], dtype=float).reshape(-1, 2)
    span = [(float(xy[:, i].min()), float(xy[:, i].max())) if len(xy) else (-1.0, 1.0) for i in (0, 1)]
    pad = [max(hi - lo, 0.2) * p for (lo, hi), p in zip(span, (PAD_X, PAD_Y), strict=True)]
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False,
                     range=[span[0][0] - pad[0], span[0][1] + pad[0]])
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False,
                     range=[span[1][0] - pad[1], span[1][1] + pad[1]])
    # A compact legend under the plot, in rows: a column at the side took 40% of the width.
    fig.update_layout(
        showlegend=True, hovermode="closest", clickmode="event+select",
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.02, "yanchor": "top",
                "itemsizing": "constant", "groupclick": "togglegroup", "font": {"size": 11},
                "tracegroupgap": 0, "itemwidth": 30},
        hoverlabel={"align": "left", "font": {"size": 12}},
    )
    sub = subtitle or (f"{g.number_of_nodes()} nodes, {g.number_of_edges()} ties · "
                       f"node size: {SIZE_METRICS[size_by].lower()}")
    return style(fig, title, subtitle=sub, height=height)
