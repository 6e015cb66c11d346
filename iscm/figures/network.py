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
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from iscm.figures._house import house_layout, merge
from iscm.figures.fast import figure
from iscm.network import EDGE_TYPES, NODE_KINDS, kind_label, path_edges, ties_text
from iscm.palette import ISCM_TYPE_COLORS, OKABE_ITO, ORG_KIND_COLORS
from iscm.textwidth import text_px

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
"""Plot area (px) of the chart on a wide screen: its width there, its height less the title and legend."""
LAPTOP_PLOT = (640.0, 460.0)
"""Plot area (px) on a 1280 px laptop window, beside the sidebar and the node panel (measured: 655 x 490)."""
POSITIONS = {  # textposition -> (horizontal, vertical) side of the node, as plotly.js places the text
    "top center": (0, 1), "bottom center": (0, -1), "middle right": (1, 0), "middle left": (-1, 0),
    "top right": (1, 1), "top left": (-1, 1), "bottom right": (1, -1), "bottom left": (-1, -1),
}
LEADER_ANGLES = tuple(range(0, 360, 20))  # directions (degrees, anticlockwise from east) a moved label tries
LEADER_GAPS = (14.0, 22.0, 30.0, 42.0, 55.0, 70.0, 90.0, 115.0, 140.0, 170.0, 200.0)  # px between the node's text ring and a moved label, nearest first
LEADER_COLOR = "#555555"
HUBS = 3  # the most central nodes of a drawing are always named, like a selection and its neighbours
LEADER_CLEAR = 8.0  # px a moved label keeps from other markers, so it does not read as theirs


@dataclass(frozen=True)
class LabelView:
    """A canvas the labels must read on: its plot area (px) and the size of the label text there."""

    width: float
    height: float
    font: float


def _ranges(xy: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """The x and y ranges of the figure: the nodes' span and PAD_X / PAD_Y of room around it."""
    span = [(float(xy[:, i].min()), float(xy[:, i].max())) if len(xy) else (-1.0, 1.0) for i in (0, 1)]
    pad = [max(hi - lo, 0.2) * p for (lo, hi), p in zip(span, (PAD_X, PAD_Y), strict=True)]
    return ((span[0][0] - pad[0], span[0][1] + pad[0]), (span[1][0] - pad[1], span[1][1] + pad[1]))


def _label_views(xy: np.ndarray) -> list[LabelView]:
    """The canvases labels are placed for: the screen of a laptop (LAPTOP_PLOT) and a wide one (SCREEN_PLOT),
    with LABEL_FONT, and the report export (iscm.export.report_figure: 1470 px wide, its height from the
    drawing's proportions, text of at least MIN_TEXT_SIZE). They differ in size and proportions, and labels
    keep their size in px, so a place clear on one need not be clear on another."""
    from iscm.export import MIN_TEXT_SIZE, REPORT_WIDTH, SIDE

    (x0, x1), (y0, y1) = _ranges(xy)
    w = REPORT_WIDTH - 2 * SIDE - 10
    h = w * min(max(abs(y1 - y0) / max(abs(x1 - x0), 1e-9), 0.5), 0.75)
    return [LabelView(*LAPTOP_PLOT, LABEL_FONT), LabelView(*SCREEN_PLOT, LABEL_FONT),
            LabelView(w, h, max(LABEL_FONT, MIN_TEXT_SIZE))]


def _marker_radius(size: float, symbol: str) -> float:
    """Radius (px) of the disc a marker of diameter `size` fits in: plotly.js draws a diamond's corners at
    1.3 times the radius, a square's at 1.41 times."""
    return size / 2 * {"diamond": 1.3, "square": 1.42}.get(symbol, 1.0) + 1


def _text_ring(size: float) -> float:
    """How far (px) plotly.js sets text from the centre of a marker of diameter `size` (textPointPosition:
    the marker's radius / 0.8 + 1)."""
    return size / 2 / 0.8 + 1


def _text_box(cx: float, cy: float, where: str | tuple[float, float], width: float, font: float,
             size: float) -> tuple[float, float, float, float]:
    """Box (x0, y0, x1, y1; px, y up) of a label of `width` px beside a node at (cx, cy): a textposition
    as plotly.js draws it, or (dx, dy) px from the node to the centre of a moved label."""
    h = font * 1.2
    if isinstance(where, tuple):
        bx, by = cx + where[0], cy + where[1]
        return (bx - width / 2 - 2, by - h / 2 - 1, bx + width / 2 + 2, by + h / 2 + 1)
    sx, sy = POSITIONS[where]
    r = _text_ring(size)
    x0 = cx + r if sx > 0 else (cx - r - width if sx < 0 else cx - width / 2)
    y0 = cy + r if sy > 0 else (cy - r - font if sy < 0 else cy - 0.5 * font)
    return (x0, y0, x0 + width, y0 + h)


def _leader_offsets(width: float, font: float, size: float) -> list[tuple[float, float]]:
    """Centres (px from the node) of the places a label may move to, with a line back to its node."""
    out = []
    r = _text_ring(size)
    for gap in LEADER_GAPS:
        for a in LEADER_ANGLES:
            c, s_ = math.cos(math.radians(a)), math.sin(math.radians(a))
            out.append((c * (r + gap + width / 2 * abs(c)), s_ * (r + gap + font * 0.6 * abs(s_))))
    return out


def _disc_hits(box: tuple[float, float, float, float], discs: np.ndarray, clear: float = 0.0) -> np.ndarray:
    """Which discs (rows of x, y, radius) the box touches, or comes closer to than `clear` px."""
    x0, y0, x1, y1 = box
    dx = np.maximum(np.maximum(x0 - discs[:, 0], discs[:, 0] - x1), 0.0)
    dy = np.maximum(np.maximum(y0 - discs[:, 1], discs[:, 1] - y1), 0.0)
    return dx * dx + dy * dy < (discs[:, 2] + clear) ** 2


def _label_priority(g: nx.Graph, table: pd.DataFrame, size_by: str, n: int, *, focus: str | None = None,
                   path: Sequence[str] | None = None) -> tuple[list[str], set[str]]:
    """(nodes to label in order of importance, the ones that must be labelled).

    Always: the selected node, its neighbours and the nodes of a path, and the HUBS most central nodes (by
    the size metric, then degree, then betweenness); then the next most central nodes up to `n` and the
    `n // 3` top brokers by betweenness not among them, as room allows.
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
    hubs = top[:HUBS] if n > 0 else []
    if len(tbl) and n > 0:  # and the brokers: high betweenness marks a node between groups
        brokers = tbl[tbl["betweenness"] > 0].sort_values(["betweenness", "degree", "label"],
                                                          ascending=[False, False, True])["node"]
        top += [m for m in brokers if m not in must and m not in top][: n // 3]
    return must + top, set(must) | set(hubs)


def _place_labels(pos: Mapping[str, tuple[float, float]], order: Sequence[str], text: Mapping[str, str],
                 sizes: Mapping[str, float], must: set[str], *, symbols: Mapping[str, str] | None = None,
                 views: Sequence[LabelView] | None = None) -> dict[str, str | tuple[float, float]]:
    """A place per labelled node such that, on every view (the screen and the report export), no two labels
    overlap, no label covers another node's marker, and each label stays by its node.

    Greedy, most important first: a label tries the eight places plotly.js can set text around its node,
    then places farther out (LEADER_GAPS in twelve directions) joined to the node by a thin line, and takes
    the first that is clear of the labels placed so far, of every other marker and of the plot's edge. A
    node that must be labelled (the selection, its neighbours, the hubs) takes its least crowded place when none
    is clear; another node stays unlabelled (its name is in the hover and the tables).
    Returns a textposition, or for a moved label its centre's offset (dx, dy) in px from the node (y up).
    """
    if not order:
        return {}
    names = list(pos)
    xy = np.array([pos[n] for n in names], dtype=float)
    (x0, x1), (y0, y1) = _ranges(xy)
    views = list(views or _label_views(xy))
    symbols = symbols or {}
    index = {n: i for i, n in enumerate(names)}
    size = {n: sizes.get(n, 10.0) for n in names}
    radius = np.array([_marker_radius(size[n], symbols.get(n, "circle")) for n in names])
    px = [np.column_stack(((xy[:, 0] - x0) / (x1 - x0) * v.width, (xy[:, 1] - y0) / (y1 - y0) * v.height))
          for v in views]
    discs = [np.column_stack((p, radius)) for p in px]
    placed: list[list[tuple[float, float, float, float]]] = [[] for _ in views]
    out: dict[str, str | tuple[float, float]] = {}

    def cost(where: str | tuple[float, float], n: str, widths: list[float]) -> tuple[float, float, float]:
        """(labels overlapped or the plot's edge crossed, other markers covered, other markers a moved label
        comes closer to than LEADER_CLEAR), over all views."""
        on_labels = on_markers = near = 0.0
        for k, v in enumerate(views):
            cx, cy = px[k][index[n]]
            box = _text_box(cx, cy, where, widths[k], v.font, size[n])
            bx0, by0, bx1, by1 = box
            if bx0 < 0 or by0 < 0 or bx1 > v.width or by1 > v.height:
                on_labels += 1e6
            for ax0, ay0, ax1, ay1 in placed[k]:
                on_labels += max(0.0, min(bx1, ax1) - max(bx0, ax0)) * max(0.0, min(by1, ay1) - max(by0, ay0))
            touched = _disc_hits(box, discs[k], 0.0)
            touched[index[n]] = False
            on_markers += float(touched.sum())
            if not isinstance(where, str):
                close = _disc_hits(box, discs[k], LEADER_CLEAR)
                close[index[n]] = False
                near += float(close.sum())
        return on_labels, on_markers, near

    def clear(where: str | tuple[float, float], n: str, widths: list[float]) -> bool:
        """cost() == (0, 0), stopping at the first thing in the way."""
        for k, v in enumerate(views):
            cx, cy = px[k][index[n]]
            bx0, by0, bx1, by1 = box = _text_box(cx, cy, where, widths[k], v.font, size[n])
            if bx0 < 0 or by0 < 0 or bx1 > v.width or by1 > v.height:
                return False
            if any(bx0 < ax1 and ax0 < bx1 and by0 < ay1 and ay0 < by1 for ax0, ay0, ax1, ay1 in placed[k]):
                return False
            hits = _disc_hits(box, discs[k], 0.0 if isinstance(where, str) else LEADER_CLEAR)
            hits[index[n]] = False
            if hits.any():
                return False
        return True

    for n in order:
        if n not in index or not text.get(n):
            continue
        widths = [text_px(text[n], v.font) + 2 for v in views]
        candidates: list[str | tuple[float, float]] = list(POSITIONS)
        candidates += _leader_offsets(max(widths), max(v.font for v in views), size[n])
        where = next((w for w in candidates if clear(w, n, widths)), None)
        if where is None:
            if n not in must:
                continue
            where = min(candidates, key=lambda w: cost(w, n, widths))
        out[n] = where
        for k, v in enumerate(views):
            cx, cy = px[k][index[n]]
            placed[k].append(_text_box(cx, cy, where, widths[k], v.font, size[n]))
    return out


PAD_X, PAD_Y = 0.12, 0.08
"""Room around the outermost nodes (share of the layout's span), for their labels and markers."""


@lru_cache(maxsize=8192)
def _wrap_hover(text: str, width: int = 56) -> str:
    """Hover text with every line at most `width` characters: a narrow box stays inside the chart (cached:
    the same ties and nodes come back in every drawing of the network)."""
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
    symbols = {n: NODE_SYMBOL.get(d.get("kind", "other"), "diamond") for n, d in g.nodes(data=True)}
    where = _place_labels({n: pos[n] for n in g.nodes if n in pos}, order, label_text, sizes, must,
                          symbols=symbols)
    beside = {n: w for n, w in where.items() if isinstance(w, str)}
    moved = {n: w for n, w in where.items() if not isinstance(w, str)}
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
            text.append(label_text[n] if n in beside else "")
        traces.append(dict(type="scatter",
            x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text", name=label,
            legendgroup=f"nodes-{kind}-{iscm_type}", customdata=nodes, text=text,
            textposition=[beside.get(n, "top center") for n in nodes], textfont={"size": LABEL_FONT}, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
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

    # A label with no clear place beside its node sits farther out, joined to it by a thin line; its
    # offset is in px, so it keeps to its node on every canvas.
    annotations = [
        {"x": pos[n][0], "y": pos[n][1], "ax": dx, "ay": -dy, "text": label_text[n], "name": f"label:{n}",
         "showarrow": True, "arrowhead": 0, "arrowwidth": 1, "arrowcolor": LEADER_COLOR,
         "standoff": sizes.get(n, 10.0) / 2 + 1, "font": {"size": LABEL_FONT}, "bgcolor": "rgba(255,255,255,0.75)",
         "borderpad": 1, "xanchor": "center", "yanchor": "middle"}
        for n, (dx, dy) in moved.items()]

    # A network has no axes: positions only say who sits near whom, so the axes, grid and ticks are hidden;
    # the title, legend and hover carry the meaning.
    xy = np.array([pos[n] for n in g.nodes if n in pos], dtype=float).reshape(-1, 2)
    (rx0, rx1), (ry0, ry1) = _ranges(xy)
    sub = subtitle or (f"{g.number_of_nodes()} nodes, {g.number_of_edges()} ties · "
                       f"node size: {SIZE_METRICS[size_by].lower()}")
    layout = merge(
        {"xaxis": {"visible": False, "showgrid": False, "zeroline": False, "range": [rx0, rx1]},
         "yaxis": {"visible": False, "showgrid": False, "zeroline": False, "range": [ry0, ry1]},
         # A compact legend under the plot, in rows: a column at the side took 40% of the width.
         "showlegend": True, "hovermode": "closest", "clickmode": "event+select",
         "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.02, "yanchor": "top",
                    "itemsizing": "constant", "groupclick": "togglegroup", "font": {"size": 11},
                    "tracegroupgap": 0, "itemwidth": 30},
         "hoverlabel": {"align": "left", "font": {"size": 12}}},
        {"annotations": annotations} if annotations else None,
        house_layout(title, subtitle=sub, height=height),
    )
    # Plain dicts, not Plotly's per-property validation (about 100 ms of CPU per drawing for ~25 traces with
    # a hover text per node, and the layout's updates): iscm/figures/fast.py; the tests validate the figure.
    return figure(traces, layout)
