"""Network: the ISCMs, the organizations around them (and optionally the States), and the ties between them.

The selected node lives in the URL (`?node=iscm:prague-process`, `?node=org:icmpd`, `?node=state:DEU`),
as do the two ends of a shortest path (`?path_from=...&path_to=...`), so a copied link reopens the view.
A click on a node selects it: its neighbourhood is drawn and its summary shown beside the chart.
"""

from pathlib import Path

import pandas as pd
import streamlit as st

from components import network_views
from components.chart_panel import chart_panel, download_all_button
from components.frame import PAGES, filter_notice, frame
from iscm import network as net
from iscm.figures.network import SIZE_METRICS, selected_node
from iscm.model import ISCM_TYPE_LABELS, ORG_KIND_LABELS

ctx = frame("Network")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
subtitle = flt.describe(full) if flt.active else ""
ROOT = Path(__file__).resolve().parents[1]

st.title("Partnership network")
st.markdown(
    "Who works with whom: ISCMs (circles, by type), the organizations that run, fund, support or observe them "
    "(diamonds, by kind) and, if you wish, the States taking part (squares). Lines are ties, styled by type. "
    "**Click a node** to see its neighbourhood and summary; hover a line's middle for its evidence and source."
)
filter_notice(ctx)


def url_select(param: str, label: str, options: list[str], *, key: str, container, **kwargs):  # noqa: ANN001, ANN201
    """A selectbox whose value lives in the URL query parameter `param` (seeded from it when it changes)."""
    raw = st.query_params.get(param)
    if st.session_state.get(f"_url_{key}") != raw or key not in st.session_state:
        st.session_state[key] = raw if raw in options else None
        st.session_state[f"_url_{key}"] = raw
    if st.session_state.get(key) not in options:
        st.session_state[key] = None

    def changed() -> None:
        value = st.session_state[key]
        if value:
            st.query_params[param] = value
        elif param in st.query_params:
            del st.query_params[param]
        st.session_state[f"_url_{key}"] = value

    return container.selectbox(label, options, key=key, on_change=changed, **kwargs)


# ------------------------------------------------------------------------------------------- controls
org_kinds = [k for k in net.NODE_KINDS if k not in {"iscm", "state"}]
tie_types = [t for t in net.EDGE_TYPES if t != "state-membership"]
with st.container(border=True):
    c1, c2, c3 = st.columns([2, 2, 1])
    edge_types = c1.multiselect("Ties", tie_types, default=tie_types, format_func=net.EDGE_TYPES.get,
                                key="net_edges", placeholder="Pick tie types")
    kinds = c2.multiselect("Nodes", ["iscm", *org_kinds], default=["iscm", *org_kinds],
                           format_func=net.NODE_KINDS.get, key="net_kinds", placeholder="Pick node kinds")
    include_states = c3.toggle("Include States", key="net_states",
                               help="Add every member and observer State as a node, tied to its ISCMs. "
                                    "About 200 more nodes: slower and denser.")
    c4, c5, c6 = st.columns([2, 2, 1])
    min_shared = c4.slider("Shared member States for a tie between two ISCMs", 1, 40, net.DEFAULT_MIN_SHARED,
                           key="net_min_shared", disabled="shared-members" not in edge_types,
                           help="Two ISCMs are tied when they share at least this many member States. Low "
                                "values tie most ISCMs of a continent to each other.")
    min_degree = c5.slider("Minimum degree", 0, 10, 0, key="net_min_degree",
                           help="Hide nodes with fewer distinct neighbours (e.g. 2 hides organizations tied "
                                "to a single ISCM).")
    size_by = c6.radio("Node size", ["degree", "betweenness"], format_func=SIZE_METRICS.get, key="net_size")

if include_states:
    edge_types = [*edge_types, "state-membership"]
    kinds = [*kinds, "state"]
view = network_views.cached_view(ds.version, tuple(ds.iscms["iscm_id"]), include_states, tuple(edge_types),
                                 tuple(kinds), int(min_shared), int(min_degree), ds)
g = view.graph
view_key = (ds.version, tuple(ds.iscms["iscm_id"]), include_states, tuple(edge_types), tuple(kinds),
            int(min_shared), int(min_degree))
if g.number_of_nodes() == 0:
    st.warning("Nothing to draw: pick at least ISCMs among the nodes and one type of tie.",
               icon=":material/search_off:")
    st.stop()

labels = {n: d["label"] for n, d in g.nodes(data=True)}
options = sorted(g.nodes, key=lambda n: (net.split_node(n)[0] != "iscm", labels[n].casefold()))


def fmt(n: str) -> str:
    return f"{labels.get(n, n)} · {net.kind_label(g.nodes[n]['kind'], g.nodes[n]['iscm_type'])}" if n in g else n


with st.container(border=True):
    c1, c2, c3, c4 = st.columns([2, 1, 2, 2])
    focus = url_select("node", "Selected node", options, key="net_node", container=c1, format_func=fmt,
                       placeholder="Click a node, or pick one")
    radius = c2.radio("Show", [1, 2, 0], key="net_radius", disabled=not focus,
                      format_func={0: "Whole network", 1: "Neighbours", 2: "2 steps"}.get,
                      help="The selected node's ego network: its neighbours (1 step) or theirs too (2 steps).")
    path_from = url_select("path_from", "Shortest path from", options, key="net_path_from", container=c3,
                           format_func=fmt, placeholder="Pick a node")
    path_to = url_select("path_to", "to", options, key="net_path_to", container=c4, format_func=fmt,
                         placeholder="Pick a node")

wanted = st.query_params.get("node")
if wanted and not focus:
    st.warning(f"`{wanted}` is not in the network as drawn: the filters, node kinds or minimum degree leave it "
               "out, or no such node exists. Node ids look like `iscm:prague-process`, `org:icmpd`, "
               "`state:DEU`.", icon=":material/visibility_off:")

path = None
if path_from and path_to:
    path = net.shortest_path(g, path_from, path_to)
    if path is None:
        st.warning(f"No path joins {labels[path_from]} and {labels[path_to]} with the ties drawn.",
                   icon=":material/link_off:")
    else:
        steps = " → ".join(labels[n] for n in path)
        st.success(f"Shortest path ({len(path) - 1} ties): {steps}", icon=":material/route:")

draw_key = (*view_key, focus, radius if focus else 0, tuple(path or []))
if focus and radius:
    nodes = set(net.ego_network(g, focus, radius).nodes) | set(path or [])
    shown = g.subgraph(nodes).copy()
    pos = network_views.cached_layout(draw_key, tuple(sorted(nodes)), shown)
    title = f"Ego network of {labels[focus]} ({'neighbours' if radius == 1 else '2 steps'})"
else:
    shown, pos = g, view.pos
    title = "Partnership network of ISCMs"

sub = f"{shown.number_of_nodes()} nodes, {shown.number_of_edges()} ties · node size: {SIZE_METRICS[size_by].lower()}"
fig, edge_sources, nodes_df = network_views.cached_drawing(
    draw_key, size_by, focus, tuple(path or []), title, f"{subtitle} · {sub}" if subtitle else sub, shown, pos,
    view.metrics)
nonce = st.session_state.get("_net_nonce", 0)

left, right = st.columns([3, 1])
with left:
    event = chart_panel(fig, key=f"net_chart_{nonce}",
                        name="network" if not focus or not radius else f"network-{net.view_slug(focus, radius)}",
                        data=nodes_df,
                        sources=edge_sources or ds.sources_for(ds.iscms["iscm_id"]), data_date=full.data_date,
                        filters=flt, on_select="rerun", selection_mode="points", height=680)
picked = selected_node(event.selection.points if event and getattr(event, "selection", None) else [])
if picked and picked != focus:
    st.query_params["node"] = picked
    st.session_state["_net_nonce"] = nonce + 1  # the redrawn chart starts with no selection
    st.rerun()


def profile_link(iscm_id: str) -> None:
    """Link to the ISCM's profile page: a page link once that page is part of the app, a plain URL before."""
    if (ROOT / "pages" / "profile.py").is_file() and any(p[0] == "pages/profile.py" for p in PAGES):
        st.page_link("pages/profile.py", label="Open its profile", icon=":material/article:",
                      query_params={"iscm": iscm_id})
    else:
        st.markdown(f"[Open its profile](/profile?iscm={iscm_id})")


def node_summary(node: str) -> None:
    """What the selected node is and whom it is tied to."""
    kind, ident = net.split_node(node)
    d = g.nodes[node]
    st.subheader(d["label"])
    row = view.metrics.set_index("node").loc[node]
    if kind == "iscm":
        rec = full.iscms.set_index("iscm_id").loc[ident]
        st.markdown(f"**{rec['full_name']}**  \n{ISCM_TYPE_LABELS.get(rec['type'], rec['type'])} · "
                    f"{rec['regions']}" + (f" · since {int(rec['established'])}" if pd.notna(rec["established"])
                                           else ""))
        st.markdown(f"- **Members:** {int(rec['n_members'])} · **observers:** {int(rec['n_observers'])}\n"
                    f"- **Secretariat:** {rec['secretariat'] or 'not recorded'}\n"
                    f"- **Status:** {rec['status']}")
        profile_link(ident)
    elif kind == "org":
        org = full.organizations.set_index("org_id").loc[ident]
        parent = full.org_label(org["parent"]) if org["parent"] else ""
        st.markdown(f"**{org['name']}**  \n{ORG_KIND_LABELS.get(org['kind'], org['kind'])}"
                    + (f" · part of {parent}" if parent else ""))
    else:
        rows = full.memberships[full.memberships["iso3"] == ident]
        st.markdown(f"**{d['name']}** ({ident})  \nIn {int((rows['role'] == 'member').sum())} ISCMs as member, "
                    f"{int((rows['role'] == 'observer').sum())} as observer")
    st.caption(f"Degree {int(row['degree'])} · betweenness {row['betweenness']:.3f} · "
               f"eigenvector {row['eigenvector']:.3f} · community {int(row['community'])}")
    for etype, names in net.ties(g, node).items():
        more = f" and {len(names) - 12} more" if len(names) > 12 else ""
        st.markdown(f"**{net.EDGE_TYPES[etype]}** ({len(names)}): {', '.join(names[:12])}{more}")
    if st.button("Back to the whole network", icon=":material/zoom_out_map:", key="net_clear"):
        del st.query_params["node"]
        st.session_state["_net_nonce"] = nonce + 1
        st.rerun()


with right:
    if focus:
        node_summary(focus)
    else:
        st.info("Click a node in the chart, or pick one above, to see its summary and its neighbourhood.",
                icon=":material/touch_app:")
        size = net.summary(g)
        st.metric("Nodes", size["nodes"])
        st.metric("Ties", size["edges"])
        st.metric("Connected components", size["components"],
                  help=f"The largest holds {size['largest_component']} nodes")

# ------------------------------------------------------------------------------------------- exports
st.markdown("**Download the network as shown** — for Gephi, Cytoscape or a spreadsheet "
            f"({shown.number_of_nodes()} nodes, {shown.number_of_edges()} ties, metrics as node attributes).")
view_name = net.view_slug(focus, radius if focus else 0, path)
stem = net.export_stem(view_name, flt.slug())
files = {  # label -> (bytes maker, file suffix, mime); written only when a button is clicked (deferred data)
    "GraphML": (lambda: net.to_graphml(net.with_metrics(shown, view.metrics)), ".graphml", "application/graphml+xml"),
    "GEXF": (lambda: net.to_gexf(net.with_metrics(shown, view.metrics)), ".gexf", "application/gexf+xml"),
    "Nodes (CSV)": (lambda: net.to_csv(nodes_df), "_nodes.csv", "text/csv"),
    "Edges (CSV)": (lambda: net.to_csv(net.edges_table(shown)), "_edges.csv", "text/csv"),
}
with st.container(horizontal=True, gap="small"):
    for label, (make, suffix, mime) in files.items():
        st.download_button(label, data=make, file_name=f"{stem}{suffix}", mime=mime, on_click="ignore",
                           key=f"net_dl_{suffix.strip('._')}", icon=":material/download:")
    download_all_button(filters=flt)  # the chart as images + its data + sources, like every page

# ------------------------------------------------------------------------------------------- metrics
st.header("Who holds the network together", divider="gray")
st.markdown(f"**{net.insight(view.metrics)}**")
table = network_views.cached_metrics_table(view_key, g, view.metrics)
st.dataframe(table, hide_index=True, width="stretch", key="net_metrics",
             column_config={"Betweenness": st.column_config.NumberColumn(format="%.3f"),
                            "Eigenvector": st.column_config.NumberColumn(format="%.3f"),
                            "Weighted degree": st.column_config.NumberColumn(format="%.0f")})
st.download_button("Metrics (CSV)", data=lambda: net.to_csv(view.metrics),
                   file_name=f"{net.export_stem('all', flt.slug())}_metrics.csv", mime="text/csv", key="net_metrics_csv", on_click="ignore", icon=":material/download:")
st.caption(f"{len(table)} nodes of the network as filtered (the whole network, not only the part drawn). "
           "Click a column header to sort.")
with st.expander("What the measures mean", icon=":material/info:"):
    st.markdown(
        "- **Degree**: how many distinct nodes a node is tied to.\n"
        "- **Weighted degree**: the sum of its ties' weights; a shared-members tie weighs its number of "
        "shared member States, every other tie 1.\n"
        "- **Betweenness**: the share of shortest paths between two other nodes that pass through it "
        "(0 to 1, ties counted as steps). High betweenness marks a broker between groups.\n"
        "- **Eigenvector centrality**: high when a node is tied to nodes that are themselves well tied. "
        "On a network in several pieces each piece is measured on its own, scaled by its size.\n"
        "- **Community**: groups found by the Louvain method (seeded, so the same every time); 1 is the "
        "largest.\n"
        "- **Node ids** in links and downloads: `iscm:<id>`, `org:<id>`, `state:<ISO3>`, "
        "e.g. `?node=iscm:prague-process`.\n"
        "- Organization ties come from each ISCM's own record; shared-members ties are derived from the "
        "member lists of both ISCMs; linked-ISCM ties from the links the records name."
    )
