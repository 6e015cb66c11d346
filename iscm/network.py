"""The partnership network: ISCMs, the organizations around them and, optionally, the States taking part.

Why a MultiGraph. One pair of nodes can be tied in more than one way: the European Commission is both
partner and funder of the Prague Process, and two ISCMs can be linked (one names the other) *and* share
member States. A simple Graph would have to merge those ties into one edge and lose the type that the chart
styles by and the user filters on. So the graph is an undirected `nx.MultiGraph` whose edge *key is the edge
type* (`G[u][v]["funder"]`): at most one edge per pair and type, each with its own evidence and source.
GraphML and GEXF both keep parallel edges and their keys, so exports read back as the same graph.
Metrics that need a simple graph (betweenness, eigenvector, communities, layout) run on `simple_graph(G)`,
which merges parallel edges and sums their weights.

Node ids say what a node is, so a URL such as `?node=iscm:prague-process` stays readable and stable:
`iscm:<iscm id>`, `org:<organization id>`, `state:<ISO3>`.

Every attribute is a plain scalar (str, float) with the same type on every node or edge, which is what the
GraphML and GEXF writers need; `id` on edges is kept so GEXF (which stores an edge id) round-trips.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from iscm.dataset import Dataset
from iscm.model import ISCM_TYPE_LABELS, ORG_KIND_LABELS

ORG_ROLES = ("secretariat", "partner", "observer", "member", "funder", "technical-support")
# edge type -> label shown in legends and tables; order = drawing and legend order
EDGE_TYPES: dict[str, str] = {
    "secretariat": "Secretariat",
    "partner": "Partner",
    "observer": "Observer (organization)",
    "member": "Member (organization)",
    "funder": "Funder",
    "technical-support": "Technical support",
    "linked-iscm": "Linked ISCM",
    "shared-members": "Shared member States",
    "state-membership": "State membership",
}
# node kind -> label; 'iscm', the organization kinds of the registry, and 'state'
NODE_KINDS: dict[str, str] = {"iscm": "ISCM", **ORG_KIND_LABELS, "state": "State or territory"}
DEFAULT_MIN_SHARED = 10
DEFAULT_SEED = 7

NODE_ATTRS = ("label", "name", "kind", "group", "iscm_type")
EDGE_ATTRS = ("id", "etype", "relation", "evidence", "source", "provenance", "weight")


def iscm_node(iscm_id: str) -> str:
    return f"iscm:{iscm_id}"


def org_node(org_id: str) -> str:
    return f"org:{org_id}"


def state_node(iso3: str) -> str:
    return f"state:{iso3}"


def split_node(node: str) -> tuple[str, str]:
    """('iscm'|'org'|'state', id) of a node id; ('', node) for anything else."""
    prefix, sep, rest = node.partition(":")
    return (prefix, rest) if sep and prefix in {"iscm", "org", "state"} else ("", node)


def _member_sources(ds: Dataset) -> dict[str, str]:
    """Per ISCM, the source behind its member list: a source used for members, else its first source."""
    first: dict[str, str] = {}
    for_members: dict[str, str] = {}
    src = ds.sources
    for iscm_id, url, title, used in zip(*(src[c].tolist() for c in ("iscm_id", "url", "title", "used_for")),
                                         strict=True):
        label = url or title
        first.setdefault(iscm_id, label)
        if "member" in used.lower():
            for_members.setdefault(iscm_id, label)
    return {**first, **for_members}


def _said(value: object) -> str:
    """An evidence cell as text ('' for a missing one, e.g. rows added by a survey import)."""
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value).strip()


def _edge(g: nx.MultiGraph, u: str, v: str, etype: str, *, relation: str, evidence: str = "",
          source: str = "", provenance: str = "curated", weight: float = 1.0) -> None:
    a, b = sorted((u, v))  # undirected: one canonical order so ids and exports are stable
    g.add_edge(a, b, key=etype, id=f"{a}|{b}|{etype}", etype=etype, relation=relation, evidence=evidence,
               source=source, provenance=provenance, weight=float(weight))


def build_graph(ds: Dataset, *, include_states: bool = False, edge_types: Iterable[str] | None = None,
                node_kinds: Iterable[str] | None = None, min_shared: int = DEFAULT_MIN_SHARED) -> nx.MultiGraph:
    """The typed partnership graph of a dataset (see the module docstring for its shape).

    `edge_types` / `node_kinds` restrict the graph (None = all; kinds per NODE_KINDS). Every ISCM of the
    dataset is a node (if ISCMs are included), even without ties; organizations and States appear only
    through a tie. `min_shared` is the number of member States two ISCMs must share for a shared-members
    edge: with 1, most ISCMs of a continent are tied to each other and the picture turns into a hairball.
    """
    etypes = set(EDGE_TYPES if edge_types is None else edge_types)
    kinds = set(NODE_KINDS if node_kinds is None else node_kinds)
    if not include_states:
        kinds.discard("state")
        etypes.discard("state-membership")
    unknown = (etypes - set(EDGE_TYPES)) | (kinds - set(NODE_KINDS))
    if unknown:
        raise ValueError(f"unknown edge type or node kind: {sorted(unknown)}")

    g = nx.MultiGraph(name="ISCM partnership network", data_version=ds.version, min_shared=int(min_shared))
    if "iscm" not in kinds:
        return g  # every tie has an ISCM at one end
    # Columns as Python lists: row access through pandas costs more than the whole graph build.
    iscms = sorted(zip(*(ds.iscms[c].tolist() for c in ("iscm_id", "short_name", "full_name", "type")),
                       strict=True))
    names = {iid: short for iid, short, _, _ in iscms}
    for iid, short, full, typ in iscms:
        g.add_node(iscm_node(iid), label=short, name=full, kind="iscm", group="iscm", iscm_type=typ)

    orgs = {oid: (acr or name, name, kind) for oid, acr, name, kind in zip(
        *(ds.organizations[c].tolist() for c in ("org_id", "acronym", "name", "kind")), strict=True)}
    org_ties = sorted(zip(*(ds.iscm_organizations[c].tolist()
                            for c in ("iscm_id", "org_id", "role", "source", "provenance")),
                          map(_said, ds.iscm_organizations["evidence"]), strict=True))
    for iid, oid, role, source, prov, said in org_ties:
        if role not in etypes or oid not in orgs or iid not in names or orgs[oid][2] not in kinds:
            continue
        node = org_node(oid)
        label, full, kind = orgs[oid]
        if node not in g:
            g.add_node(node, label=label, name=full, kind=kind, group="organization", iscm_type="")
        if g.has_edge(iscm_node(iid), node, key=role):  # the same role cited twice: keep both sources
            data = g.edges[iscm_node(iid), node, role]
            data["source"] = " | ".join(dict.fromkeys([*data["source"].split(" | "), source]))
            data["evidence"] = " | ".join(s for s in dict.fromkeys([*data["evidence"].split(" | "), said]) if s)
            continue
        _edge(g, iscm_node(iid), node, role, relation=f"{label}: {role.replace('-', ' ')} of {names[iid]}",
              evidence=said, source=source, provenance=prov)

    if "linked-iscm" in etypes:
        links = sorted(zip(*(ds.iscm_links[c].tolist()
                             for c in ("source_id", "target_id", "relation", "source", "provenance")),
                           map(_said, ds.iscm_links["evidence"]), strict=True))
        for a, b, rel, source, prov, said in links:
            if a not in names or b not in names or a == b:
                continue
            text = f"{names[a]} → {names[b]}: {said or rel}"  # what the source says, when the file records it
            u, v = sorted((iscm_node(a), iscm_node(b)))
            if g.has_edge(u, v, key="linked-iscm"):  # named from both sides: one edge, both statements
                data = g.edges[u, v, "linked-iscm"]
                data["evidence"] += f" | {text}"
                data["source"] = " | ".join(dict.fromkeys([*data["source"].split(" | "), source]))
                continue
            _edge(g, u, v, "linked-iscm", relation=f"{names[a]} – {names[b]}: linked", evidence=text,
                  source=source, provenance=prov)

    want_states = "state-membership" in etypes and "state" in kinds
    if "shared-members" in etypes or want_states:
        sources = _member_sources(ds)
        rows = [r for r in zip(*(ds.memberships[c].tolist() for c in
                                 ("iscm_id", "iso3", "country", "role", "territory", "confidence")), strict=True)
                if r[0] in names]
    if "shared-members" in etypes:
        sets: dict[str, set[str]] = {}
        for iid, iso3, _, role, _, _ in rows:
            if role == "member":
                sets.setdefault(iid, set()).add(iso3)
        for a, b in itertools.combinations(sorted(sets), 2):
            common = sets[a] & sets[b]
            if len(common) >= max(1, min_shared):
                _edge(g, iscm_node(a), iscm_node(b), "shared-members",
                      relation=f"{names[a]} – {names[b]}: {len(common)} member States in common",
                      evidence="; ".join(sorted(common)),
                      source=" | ".join(dict.fromkeys(s for s in (sources.get(a, ""), sources.get(b, "")) if s)),
                      provenance="derived", weight=len(common))

    if want_states:
        for iid, iso3, country, role, terr, conf in sorted(rows, key=lambda r: (r[1], r[0])):
            node = state_node(iso3)
            if node not in g:
                g.add_node(node, label=str(country), name=str(country), kind="state", group="state", iscm_type="")
            note = f"confidence {conf}" + ("; territory taking part in its own right" if terr else "")
            _edge(g, iscm_node(iid), node, "state-membership", relation=f"{country}: {role} of {names[iid]}",
                  evidence=note, source=sources.get(iid, ""))
    return g


def simple_graph(g: nx.Graph) -> nx.Graph:
    """Parallel edges merged (weights summed, types listed), nodes and edges in sorted order.

    Sorting makes everything computed on it (layout, communities, path ties) a function of the graph's
    content, not of the order in which it was built.
    """
    s = nx.Graph()
    s.add_nodes_from(sorted(g.nodes))
    acc: dict[tuple[str, str], list[Any]] = {}
    edges = (g.edges(keys=True, data="weight", default=1.0) if g.is_multigraph()
             else ((u, v, d.get("etype", ""), d.get("weight", 1.0)) for u, v, d in g.edges(data=True)))
    for u, v, k, w in edges:
        key = (u, v) if u <= v else (v, u)
        cur = acc.setdefault(key, [0.0, []])
        cur[0] += float(w)
        cur[1].append(k)
    for (u, v), (w, types) in sorted(acc.items()):
        s.add_edge(u, v, weight=w, etypes="; ".join(sorted(t for t in types if t)))
    return s


def _adjacency(s: nx.Graph) -> sp.csr_array:
    """0/1 adjacency of a simple graph in its node order, as a sparse matrix.

    Sparse products run on one thread; dense BLAS products on matrices this small spend more time starting
    threads than computing, which on a busy two-core server made betweenness ten times slower.
    """
    index = {n: i for i, n in enumerate(s.nodes)}
    pairs = [(index[u], index[v]) for u, v in s.edges if u != v]
    rows = [i for i, j in pairs] + [j for i, j in pairs]
    cols = [j for i, j in pairs] + [i for i, j in pairs]
    n = len(index)
    return sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def betweenness(s: nx.Graph) -> dict[str, float]:
    """Normalized betweenness on hop counts, equal to nx.betweenness_centrality(s) but vectorized.

    Brandes' algorithm run from every source at once: a breadth-first sweep counts shortest paths level by
    level (one sparse product per level), then dependencies flow back level by level. Matrices are
    (node, source); the graph is undirected, so each pair is counted from both ends, and the
    1/((n-1)(n-2)) scale is the one networkx uses for normalized undirected betweenness.
    """
    nodes = list(s.nodes)
    n = len(nodes)
    if n < 3 or s.number_of_edges() == 0:
        return dict.fromkeys(nodes, 0.0)
    a = _adjacency(s)
    dist = np.full((n, n), -1, dtype=np.int32)
    np.fill_diagonal(dist, 0)
    sigma = np.eye(n)
    frontier = np.eye(n)
    depth = 0
    while True:
        reach = a @ frontier
        new = (reach > 0) & (dist < 0)
        if not new.any():
            break
        depth += 1
        dist[new] = depth
        frontier = np.where(new, reach, 0.0)
        sigma += frontier
    delta = np.zeros((n, n))
    for level in range(depth, 0, -1):
        here = dist == level
        coef = np.where(here, (1.0 + delta) / np.where(here, sigma, 1.0), 0.0)
        delta += np.where(dist == level - 1, sigma * (a @ coef), 0.0)
    np.fill_diagonal(delta, 0.0)
    scores = delta.sum(axis=1) / ((n - 1) * (n - 2))
    return dict(zip(nodes, scores.tolist(), strict=True))


def _perron(a: sp.csr_array, tol: float = 1e-10, max_iter: int = 20000) -> np.ndarray:
    """Unit-norm principal eigenvector of a connected component's adjacency, by power iteration on A + I.

    The shift by I keeps the iteration from oscillating on bipartite components (ISCM-organization ties
    alone form a bipartite graph) without changing the eigenvector; networkx iterates the same way.
    """
    x = np.full(a.shape[0], 1.0 / np.sqrt(a.shape[0]))
    for _ in range(max_iter):
        nxt = x + a @ x
        nxt /= np.linalg.norm(nxt)
        if np.abs(nxt - x).sum() < tol * a.shape[0]:
            return nxt
        x = nxt
    return x  # not converged within max_iter: the best estimate, still ordered like the true one


def eigenvector(s: nx.Graph) -> dict[str, float]:
    """Eigenvector centrality that holds on a disconnected graph.

    On a connected graph it equals nx.eigenvector_centrality (unit Euclidean norm). On a disconnected one,
    where the whole-graph power iteration can stall and ranks nodes of smaller components arbitrarily, each
    component is solved on its own and its vector scaled by the square root of its share of the nodes (the
    squares of a component's scores sum to its share), so a pair of nodes off on its own does not outrank
    the hubs of the main component. Isolated nodes score 0.
    """
    nodes = list(s.nodes)
    out = dict.fromkeys(nodes, 0.0)
    n = len(nodes)
    a = _adjacency(s)
    index = {node: i for i, node in enumerate(nodes)}
    for comp in nx.connected_components(s):
        if len(comp) < 2:
            continue
        idx = np.array(sorted(index[c] for c in comp))
        vec = _perron(a[idx][:, idx]) * np.sqrt(len(comp) / n)
        out.update(zip((nodes[i] for i in idx), np.abs(vec).tolist(), strict=True))
    return out


METRIC_COLUMNS = ["node", "label", "kind", "group", "degree", "weighted_degree", "betweenness", "eigenvector",
                  "community", "component"]


def metrics(g: nx.MultiGraph, *, seed: int = DEFAULT_SEED, simple: nx.Graph | None = None) -> pd.DataFrame:
    """One row per node: degree (distinct neighbours), weighted degree (sum of tie weights: a shared-members
    tie weighs its number of shared States, every other tie 1), normalized betweenness (on hops), eigenvector
    centrality, Louvain community (seeded; 1 = largest) and connected component (1 = largest).

    `simple` is simple_graph(g) when the caller has it already."""
    if g.number_of_nodes() == 0:
        return pd.DataFrame(columns=METRIC_COLUMNS)
    s = simple_graph(g) if simple is None else simple
    between = betweenness(s)
    eig = eigenvector(s)
    communities = nx.community.louvain_communities(s, weight="weight", seed=seed)
    comm = {n: i for i, c in enumerate(sorted(communities, key=lambda c: (-len(c), min(c))), 1) for n in c}
    comps = sorted(nx.connected_components(s), key=lambda c: (-len(c), min(c)))
    comp = {n: i for i, c in enumerate(comps, 1) for n in c}
    rows = []
    for n in s.nodes:
        d = g.nodes[n]
        rows.append({
            "node": n, "label": d.get("label", n), "kind": d.get("kind", ""), "group": d.get("group", ""),
            "degree": s.degree(n), "weighted_degree": float(s.degree(n, weight="weight")),
            "betweenness": float(between[n]), "eigenvector": float(eig[n]), "community": comm[n],
            "component": comp[n],
        })
    return pd.DataFrame(rows, columns=METRIC_COLUMNS)


def _fruchterman_reingold(adj: np.ndarray, pos: np.ndarray, k: float, iterations: int) -> np.ndarray:
    """The force model of nx.spring_layout (repulsion k²/d, attraction d²/k, cooling step), vectorized on
    coordinate arrays; about three times faster than networkx's version on our graph sizes."""
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    n = len(x)
    step = max(np.ptp(x), np.ptp(y)) * 0.1
    cool = step / (iterations + 1)
    attract = adj / k
    for _ in range(iterations):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        d2 = dx * dx + dy * dy
        np.maximum(d2, 1e-4, out=d2)  # nodes that start on top of each other still push apart
        force = k * k / d2 - attract * np.sqrt(d2)
        px, py = (dx * force).sum(axis=1), (dy * force).sum(axis=1)
        length = np.sqrt(px * px + py * py)
        length[length < 0.01] = 0.1
        px *= step / length
        py *= step / length
        x += px
        y += py
        step -= cool
        if np.sqrt((px * px + py * py).sum()) / n < 1e-4:
            break
    return np.column_stack([x, y])


def layout(g: nx.Graph, *, seed: int = DEFAULT_SEED, iterations: int = 60,
           simple: nx.Graph | None = None) -> dict[str, tuple[float, float]]:
    """Deterministic positions in [-1, 1]: seeded Fruchterman-Reingold (spring) layout of the sorted graph,
    its periphery drawn in (see below).

    Same graph content + same seed = same picture, run after run, so a cached layout and a fresh one agree
    and users do not see the network jump between reruns. Weights are ignored for the layout (a tie of 40
    shared States would otherwise pull two ISCMs on top of each other). `simple`: simple_graph(g), if known.
    """
    s = simple_graph(g) if simple is None else simple
    nodes = list(s.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    adj = _adjacency(s).toarray()
    start = np.random.RandomState(seed).rand(n, 2)
    k = 1.6 / np.sqrt(n)  # more room than spring_layout's 1/sqrt(n): labels need space
    pos = _fruchterman_reingold(adj, start, k, iterations)
    pos -= pos.mean(axis=0)
    # Spread the core: organizations tied to one ISCM float far out and leave the busy middle (the ISCMs
    # that share many members) a small share of the canvas; radius**0.7 evens that out, keeping directions.
    radius = np.linalg.norm(pos, axis=1, keepdims=True)
    pos = np.where(radius > 0, pos / np.where(radius > 0, radius, 1.0) * radius ** 0.7, 0.0)
    pos /= max(np.abs(pos).max(), 1e-12)
    return {node: (round(float(px), 6), round(float(py), 6)) for node, (px, py) in zip(nodes, pos, strict=True)}


def filter_min_degree(g: nx.MultiGraph, min_degree: int, keep: Iterable[str] = ()) -> nx.MultiGraph:
    """Drop nodes with fewer than `min_degree` distinct neighbours (one pass, not a k-core), except `keep`."""
    if min_degree <= 0:
        return g
    keep = set(keep)
    nodes = [n for n in g.nodes if len(g[n]) >= min_degree or n in keep]
    return g.subgraph(nodes).copy()


def ego_network(g: nx.MultiGraph, node: str, radius: int = 1) -> nx.MultiGraph:
    """The node, everything within `radius` ties of it, and the ties among them."""
    if node not in g:
        raise KeyError(f"node '{node}' is not in the graph")
    return nx.ego_graph(g, node, radius=radius).copy()


def shortest_path(g: nx.Graph, a: str, b: str) -> list[str] | None:
    """The fewest-ties path from a to b (ties counted, weights ignored), or None when they are not connected.

    Among equally short paths the one found first on the sorted graph is returned, so the answer is stable.
    """
    if a not in g or b not in g:
        return None
    s = simple_graph(g) if g.is_multigraph() else g
    try:
        return nx.shortest_path(s, a, b)
    except nx.NetworkXNoPath:
        return None


def path_edges(g: nx.MultiGraph, path: list[str] | None) -> list[tuple[str, str, str]]:
    """The (u, v, type) ties along a path: for each step, every type of tie between the two nodes."""
    out: list[tuple[str, str, str]] = []
    for u, v in itertools.pairwise(path or []):
        out.extend((u, v, k) for k in sorted(g[u][v]))
    return out


def ties(g: nx.MultiGraph, node: str) -> dict[str, list[str]]:
    """Who a node is tied to, by edge type (labels of the neighbours, sorted): the 'roles' of a node."""
    out: dict[str, list[str]] = {}
    for _, other, k in g.edges(node, keys=True):
        out.setdefault(k, []).append(g.nodes[other].get("label", other))
    return {k: sorted(out[k], key=str.lower) for k in EDGE_TYPES if k in out}


NAME_SEP = "; "
"""Between names in one cell of an export (the neighbours of a node by tie type). Names of ISCMs,
organizations and States hold commas ("Bali Process on People Smuggling, Trafficking in Persons and ..."),
never a semicolon: tests/test_network.py checks every name in the data."""
GROUP_SEP = " | "
"""Between the tie types of one cell: `Secretariat: ICMPD | Partner: EU; IOM`."""


def ties_text(g: nx.MultiGraph, node: str, *, max_names: int = 6, sep: str = GROUP_SEP) -> str:
    """`Secretariat: Budapest Process; Prague Process | Partner: …`, truncated to `max_names` per type."""
    parts = []
    for k, names in ties(g, node).items():
        shown = NAME_SEP.join(names[:max_names])
        more = f" and {len(names) - max_names} more" if len(names) > max_names else ""
        parts.append(f"{EDGE_TYPES[k]}: {shown}{more}")
    return sep.join(parts)


def view_slug(node: str | None = None, radius: int = 0, path: Sequence[str] | None = None) -> str:
    """What a drawing of the network shows, for file names: `prague-process-neighbours`,
    `icmpd-2-steps`, `path_icmpd-to-deu`, or `all` for the whole network."""
    def ident(n: str) -> str:
        return re.sub(r"[^a-z0-9-]+", "-", split_node(n)[1].lower()).strip("-") or "node"

    parts = []
    if node and radius:
        parts.append(f"{ident(node)}-{'neighbours' if radius == 1 else f'{radius}-steps'}")
    if path:
        parts.append(f"path_{ident(path[0])}-to-{ident(path[-1])}")
    return "_".join(parts) or "all"


def export_stem(view: str, filters_slug: str = "all", day: dt.date | None = None) -> str:
    """`iscm-network_<view>[_<filters>]_<date>`: the file name says which part of the network it holds
    and under which filters (e.g. iscm-network_prague-process-neighbours_2026-12-01)."""
    parts = [view] + ([filters_slug] if filters_slug and filters_slug != "all" else [])
    if view == "all" and filters_slug and filters_slug != "all":
        parts = [filters_slug]
    stem = f"iscm-network_{'_'.join(parts)}_{(day or dt.date.today()).isoformat()}"
    return re.sub(r"[^A-Za-z0-9_.+-]", "-", stem)


def with_metrics(g: nx.MultiGraph, table: pd.DataFrame) -> nx.MultiGraph:
    """A copy of the graph with the metric columns as node attributes (what Gephi users want to size by)."""
    h = g.copy()
    cols = ["degree", "weighted_degree", "betweenness", "eigenvector", "community", "component"]
    for row in table[["node", *cols]].itertuples(index=False):
        if row.node in h:
            h.nodes[row.node].update({c: (int(v) if c in {"degree", "community", "component"} else float(v))
                                      for c, v in zip(cols, row[1:], strict=True)})
    return h


def _scalar(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, list | tuple | set | frozenset):
        return "; ".join(str(x) for x in (sorted(v) if isinstance(v, set | frozenset) else v))
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return str(v)


def exportable(g: nx.MultiGraph) -> nx.MultiGraph:
    """A copy whose node, edge and graph attributes are all scalars (lists joined with '; ', None -> '')."""
    h = g.copy()
    h.graph.clear()
    h.graph.update({k: _scalar(v) for k, v in g.graph.items()})
    for _, d in h.nodes(data=True):
        d.update({k: _scalar(v) for k, v in d.items()})
    for _, _, d in h.edges(data=True):
        d.update({k: _scalar(v) for k, v in d.items()})
    return h


def to_graphml(g: nx.MultiGraph) -> bytes:
    """GraphML (Cytoscape, yEd, Gephi); read back with nx.read_graphml(..., force_multigraph=True)."""
    buf = io.BytesIO()
    nx.write_graphml(exportable(g), buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def to_gexf(g: nx.MultiGraph) -> bytes:
    """GEXF 1.2 (Gephi); node `label` becomes the GEXF label, edge `id` the GEXF edge id."""
    buf = io.BytesIO()
    nx.write_gexf(exportable(g), buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def nodes_table(g: nx.MultiGraph, table: pd.DataFrame) -> pd.DataFrame:
    """Node list: id, attributes, the metrics of `table` (metrics(g); an empty table adds none), and the
    ties of each node in words."""
    rows = [{"node": n, **{a: g.nodes[n].get(a, "") for a in NODE_ATTRS}, "ties": ties_text(g, n, max_names=10**6)}
            for n in sorted(g.nodes)]
    df = pd.DataFrame(rows, columns=["node", *NODE_ATTRS, "ties"])
    if len(table):
        extra = table.drop(columns=[c for c in ("label", "kind", "group") if c in table.columns])
        df = df.merge(extra, on="node", how="left")
    return df


def edges_table(g: nx.MultiGraph) -> pd.DataFrame:
    """Edge list: one row per tie (source, target, type, weight, relation, evidence, source of the fact)."""
    rows = []
    for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        rows.append({"source": u, "target": v, "source_label": g.nodes[u].get("label", u),
                     "target_label": g.nodes[v].get("label", v), "type": k, "weight": d.get("weight", 1.0),
                     "relation": d.get("relation", ""), "evidence": d.get("evidence", ""),
                     "reference": d.get("source", ""), "provenance": d.get("provenance", "")})
    return pd.DataFrame(rows, columns=["source", "target", "source_label", "target_label", "type", "weight",
                                       "relation", "evidence", "reference", "provenance"])


def insight(table: pd.DataFrame, n: int = 3) -> str:
    """One line naming the top brokers: the nodes on the most shortest paths between other nodes."""
    if table.empty or float(table["betweenness"].max()) <= 0:
        return "No node stands between others here: every node is tied directly or not at all."
    top = table.sort_values(["betweenness", "degree", "label"], ascending=[False, False, True]).head(n)
    top = top[top["betweenness"] > 0]
    names = [f"{r.label} ({r.betweenness:.2f})" for r in top.itertuples()]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    return (f"Top brokers (highest betweenness): {joined}. They sit on the most shortest paths between the "
            "other ISCMs and organizations, so they can pass practice from one group to another.")


def summary(g: nx.MultiGraph) -> dict[str, int]:
    """Size of a graph: nodes, edges (ties, parallel ones counted), connected components, largest component."""
    comps = list(nx.connected_components(g)) if g.number_of_nodes() else []
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "components": len(comps),
            "largest_component": max((len(c) for c in comps), default=0)}


@dataclass(frozen=True)
class NetworkView:
    """What the Network page draws: the graph after the user's filters, its positions and metrics."""

    graph: nx.MultiGraph
    pos: dict[str, tuple[float, float]]
    metrics: pd.DataFrame


def network_view(ds: Dataset, *, include_states: bool = False, edge_types: Iterable[str] | None = None,
                 node_kinds: Iterable[str] | None = None, min_shared: int = DEFAULT_MIN_SHARED,
                 min_degree: int = 0, seed: int = DEFAULT_SEED) -> NetworkView:
    """Build, filter, lay out and measure in one call: the unit the page caches and the benchmark times."""
    g = build_graph(ds, include_states=include_states, edge_types=edge_types, node_kinds=node_kinds,
                    min_shared=min_shared)
    g = filter_min_degree(g, min_degree)
    s = simple_graph(g)
    return NetworkView(graph=g, pos=layout(g, seed=seed, simple=s), metrics=metrics(g, seed=seed, simple=s))


def kind_label(kind: str, iscm_type: str = "") -> str:
    """Legend label of a node kind; ISCMs are split by type."""
    if kind == "iscm" and iscm_type:
        return f"ISCM · {ISCM_TYPE_LABELS.get(iscm_type, iscm_type)}"
    return NODE_KINDS.get(kind, kind)
