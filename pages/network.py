"""Network: the ISCMs, the organizations around them (and optionally the States), and the ties between them.

The selected node lives in the URL (`?node=iscm:prague-process`, `?node=org:icmpd`, `?node=state:DEU`),
as do the two ends of a shortest path (`?path_from=...&path_to=...`), so a copied link reopens the view.
A click on a node selects it: its neighbourhood is drawn and its summary shown beside the chart.
"""

import pandas as pd
import streamlit as st

from components import network_views
from components.chart_panel import chart_panel, download_all_button
from components.clicks import selected_node
from components.frame import filter_notice, frame
from components.navigate import linked_table
from components.url_state import chart_key, follow_click, reset_chart, set_url, url_value, url_widget
from iscm import network as net
from iscm.export_tables import to_csv_bytes
from iscm.figures.network import SIZE_METRICS
from iscm.markup import code_span, escape_markdown
from iscm.model import ISCM_TYPE_LABELS, ORG_KIND_LABELS

ctx = frame("Network")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
subtitle = flt.describe(full) if flt.active else ""

st.title("Partnership network")
st.markdown(
    "Who works with whom: ISCMs (circles, by type), the organizations that run, fund, support or observe them "
    "(diamonds, by kind) and, if you wish, the States taking part (squares). Lines are ties, styled by type. "
    "**Click a node** to see its neighbourhood and summary; hover a line's middle for its evidence and source."
)
filter_notice(ctx)


# ------------------------------------------------------------------------------------------- controls
org_kinds = [k for k in net.NODE_KINDS if k not in {"iscm", "state"}]
tie_types = [t for t in net.EDGE_TYPES if t != "state-membership"]
# What the network is drawn from sits in a popover: its eight controls are drawn in the browser only when it is
# opened (they were a third of the page's drawing on load); the line beside it says what is drawn.
opts_col, opts_note = st.columns([1, 3], vertical_alignment="center")
with opts_col.popover("Ties, nodes and sizes", icon=":material/tune:", width="stretch"):
    # stacked: the popover is narrower than the page, and the two lists hold up to eight names each
    edge_types = st.multiselect("Ties", tie_types, default=tie_types, format_func=net.EDGE_TYPES.get,
                                key="net_edges", placeholder="Pick tie types")
    kinds = st.multiselect("Nodes", ["iscm", *org_kinds], default=["iscm", *org_kinds],
                           format_func=net.NODE_KINDS.get, key="net_kinds", placeholder="Pick node kinds")
    c4, c5 = st.columns(2)
    min_shared = c4.slider("Shared member States for a tie between two ISCMs", 1, 40, net.DEFAULT_MIN_SHARED,
                           key="net_min_shared", disabled="shared-members" not in edge_types,
                           help="Two ISCMs are tied when they share at least this many member States. Low "
                                "values tie most ISCMs of a continent to each other.")
    min_degree = c5.slider("Minimum degree", 0, 10, 0, key="net_min_degree",
                           help="Hide nodes with fewer distinct neighbours (e.g. 2 hides organizations tied "
                                "to a single ISCM).")
    c6, c7 = st.columns(2)
    include_states = c6.toggle("Include States", key="net_states",
                               help="Add every member and observer State as a node, tied to its ISCMs. "
                                    "About 200 more nodes: slower and denser.")
    size_by = c7.radio("Node size", ["degree", "betweenness"], format_func=SIZE_METRICS.get, key="net_size",
                       horizontal=True)

ties_drawn = ("all kinds of tie" if set(edge_types) == set(tie_types)
              else ", ".join(net.EDGE_TYPES[t] for t in edge_types) or "none")
nodes_drawn = ("ISCMs and every kind of organization" if set(kinds) == {"iscm", *org_kinds}
               else ", ".join(net.NODE_KINDS[k] for k in kinds) or "none")
opts_note.caption(
    f"Ties: {ties_drawn}" + (f" (ISCMs sharing {min_shared}+ member States)" if "shared-members" in edge_types else "")
    + f" · nodes: {nodes_drawn}" + (" and the States" if include_states else "")
    + (f" · minimum degree {min_degree}" if min_degree else "")
    + f" · node size: {SIZE_METRICS[size_by].lower()}.")
if include_states:
    edge_types = [*edge_types, "state-membership"]
    kinds = [*kinds, "state"]
view = network_views.cached_view(ctx.key, include_states, tuple(edge_types), tuple(kinds), int(min_shared),
                                 int(min_degree), ds)
g = view.graph
view_key = (ctx.key, include_states, tuple(edge_types), tuple(kinds), int(min_shared), int(min_degree))
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
    focus = url_widget(c1.selectbox, "node", label="Selected node", options=options, key="net_node",
                       format_func=fmt, placeholder="Click a node, or pick one")
    radius = 0
    if focus:  # not drawn disabled without a node: a disabled radio's faded label reads 2.5:1 on white
        radius = c2.radio("Show", [1, 2, 0], key="net_radius",
                          format_func={0: "Whole network", 1: "Neighbours", 2: "2 steps"}.get,
                          help="The selected node's ego network: its neighbours (1 step) or theirs too (2 steps).")
    else:
        c2.caption("Select a node to show its neighbours.")
    path_from = url_widget(c3.selectbox, "path_from", label="Shortest path from", options=options,
                           key="net_path_from", format_func=fmt, placeholder="Pick a node")
    path_to = url_widget(c4.selectbox, "path_to", label="to", options=options, key="net_path_to", format_func=fmt,
                         placeholder="Pick a node")

wanted = url_value("node")
if wanted and not focus:
    st.warning(f"{code_span(wanted)} is not in the network as drawn: the filters, node kinds or minimum degree "
               "leave it out, or no such node exists. Node ids look like `iscm:prague-process`, `org:icmpd`, "
               "`state:DEU`.", icon=":material/visibility_off:")

path = None
if path_from and path_to:
    path = net.shortest_path(g, path_from, path_to)
    if path is None:
        st.warning(f"No path joins {escape_markdown(labels[path_from])} and {escape_markdown(labels[path_to])} "
                   "with the ties drawn.",
                   icon=":material/link_off:")
    else:
        steps = " → ".join(escape_markdown(labels[n]) for n in path)
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

left, right = st.columns([3, 1])
with left:
    event = chart_panel(fig, key=chart_key("net_chart"),
                        name="network" if not focus or not radius else f"network-{net.view_slug(focus, radius)}",
                        data=nodes_df,
                        sources=edge_sources or ds.sources_for(ds.iscms["iscm_id"]), data_date=full.data_date,
                        filters=flt, on_select="rerun", selection_mode="points", height=680)
# A click on a node selects it: into the URL, and the chart is redrawn with no selection.
follow_click(selected_node(event), param="node", chart="net_chart", current=[focus] if focus else [])


def node_summary(node: str) -> None:
    """What the selected node is and whom it is tied to."""
    kind, ident = net.split_node(node)
    d = g.nodes[node]
    st.header(escape_markdown(d["label"]))
    row = view.metrics.set_index("node").loc[node]
    if kind == "iscm":
        rec = full.iscms.set_index("iscm_id").loc[ident]
        st.markdown(f"**{escape_markdown(rec['full_name'])}**  \n"
                    f"{escape_markdown(ISCM_TYPE_LABELS.get(rec['type'], rec['type']))} · "
                    f"{escape_markdown(rec['regions'])}" + (f" · since {int(rec['established'])}"
                                                            if pd.notna(rec["established"]) else ""))
        st.markdown(f"- **Members:** {int(rec['n_members'])} · **observers:** {int(rec['n_observers'])}\n"
                    f"- **Secretariat:** {escape_markdown(rec['secretariat']) or 'not recorded'}\n"
                    f"- **Status:** {escape_markdown(rec['status'])}")
        st.page_link("pages/profile.py", label="Open its profile", icon=":material/article:",
                     query_params={"iscm": ident})
    elif kind == "org":
        org = full.organizations.set_index("org_id").loc[ident]
        parent = full.org_label(org["parent"]) if org["parent"] else ""
        st.markdown(f"**{escape_markdown(org['name'])}**  \n{ORG_KIND_LABELS.get(org['kind'], org['kind'])}"
                    + (f" · part of {escape_markdown(parent)}" if parent else ""))
    else:
        rows = full.memberships[full.memberships["iso3"] == ident]
        st.markdown(f"**{escape_markdown(d['name'])}** ({ident})  \nIn {int((rows['role'] == 'member').sum())} ISCMs as member, "
                    f"{int((rows['role'] == 'observer').sum())} as observer")
    st.caption(f"Degree {int(row['degree'])} · betweenness {row['betweenness']:.3f} · "
               f"eigenvector {row['eigenvector']:.3f} · community {int(row['community'])}")
    for etype, names in net.ties(g, node).items():
        more = f" and {len(names) - 12} more" if len(names) > 12 else ""
        st.markdown(f"**{net.EDGE_TYPES[etype]}** ({len(names)}): {', '.join(map(escape_markdown, names[:12]))}"
                    f"{more}")
    if st.button("Back to the whole network", icon=":material/zoom_out_map:", key="net_clear"):
        set_url("node", None)
        reset_chart("net_chart")
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
        st.metric("Components", size["components"],
                  help=f"Connected components: parts of the network with no tie between them. The largest holds "
                       f"{size['largest_component']} nodes")

# ------------------------------------------------------------------------------------------- exports
view_name = net.view_slug(focus, radius if focus else 0, path)
stem = net.export_stem(view_name, flt.slug())
files = {  # label -> (bytes maker, file suffix, mime); written only when a button is clicked (deferred data)
    "GraphML": (lambda: net.to_graphml(net.with_metrics(shown, view.metrics)), ".graphml", "application/graphml+xml"),
    "GEXF": (lambda: net.to_gexf(net.with_metrics(shown, view.metrics)), ".gexf", "application/gexf+xml"),
    "Nodes (CSV)": (lambda: to_csv_bytes(nodes_df), "_nodes.csv", "text/csv"),
    "Edges (CSV)": (lambda: to_csv_bytes(net.edges_table(shown)), "_edges.csv", "text/csv"),
}
with st.container(horizontal=True, gap="small"):
    # A lazy menu, like each chart's Download menu: its buttons are drawn only while it is open (opening it
    # reruns the page).
    with st.popover("Download the network as shown", icon=":material/download:", key="net_files",
                    on_change="rerun") as menu:
        if menu.open:
            st.markdown(f"For Gephi, Cytoscape or a spreadsheet: {shown.number_of_nodes()} nodes, "
                        f"{shown.number_of_edges()} ties, the metrics as node attributes.")
            for label, (make, suffix, mime) in files.items():
                st.download_button(label, data=make, file_name=f"{stem}{suffix}", mime=mime, on_click="ignore",
                                   key=f"net_dl_{suffix.strip('._')}", icon=":material/download:", width="stretch")
    download_all_button(filters=flt)  # the chart as images + its data + sources, like every page

# ------------------------------------------------------------------------------------------- metrics
st.header("Who holds the network together", divider="gray")
st.markdown(f"**{escape_markdown(net.insight(view.metrics))}**")
st.download_button("Metrics (CSV)", data=lambda: to_csv_bytes(view.metrics),
                   file_name=f"{net.export_stem('all', flt.slug())}_metrics.csv", mime="text/csv", key="net_metrics_csv",
                   on_click="ignore", icon=":material/download:")
# The table of every node is drawn only while open (a data grid is the slowest element to appear on a page);
# `?metrics=true` in the URL keeps it open in a copied link (the URL decides, as for every bound widget).
st.session_state["net_metrics_open"] = url_value("metrics") == "true"
metrics_box = st.expander("Table of every node: degree, betweenness, eigenvector, community",
                          icon=":material/table:", key="net_metrics_open", on_change=lambda: set_url(
                              "metrics", "true" if st.session_state["net_metrics_open"] else None))
if metrics_box.open:
    with metrics_box:
        table = network_views.cached_metrics_table(view_key, g, view.metrics)
        kinds, ids = zip(*(net.split_node(n) for n in table["Id"]), strict=True) if len(table) else ((), ())
        linked_table(table.assign(open_id=list(ids)), key="net_metrics", id_column="open_id", hide=("Id",),
                     to=pd.Series([{"iscm": "profile", "state": "country"}.get(k) for k in kinds], dtype=object),
                     column_config={"Betweenness": st.column_config.NumberColumn(format="%.3f"),
                                    "Eigenvector": st.column_config.NumberColumn(format="%.3f"),
                                    "Weighted degree": st.column_config.NumberColumn(format="%.0f")})
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
