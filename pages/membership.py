"""Membership: who takes part where. ISCM map, dialogue density, a country's own view, overlap of ISCMs.

A click on a country (shape or marker) on any map opens that State in the country view; the chosen State
is kept in the URL (`?country=DEU`) so a copied link reopens it.

Speed: the sections are tabs, and only the open tab is drawn (`st.tabs(on_change="rerun")`, its label in
the URL as `?section=`): a browser redraws one map per filter change instead of four. "Download all" still
holds every chart of the page: the closed tabs' charts are built when the ZIP is made. The tables and
figures come from `components.membership_views`, computed once per data version, filter state and control
value and shared by all sessions. Each section is a fragment: changing a section's control reruns it.
"""

import streamlit as st

from components import membership_views as views
from components.chart_panel import chart_item, chart_panel
from components.clicks import selected_iso3
from components.frame import filter_notice, frame
from components.gcm_views import country_gcm_section
from components.sections import SECTION_PARAM, apply_open_section, open_section, tabbed_sections
from components.url_state import follow_click, show_toast, url_widget
from iscm.markup import escape_markdown

ctx = frame("Membership")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
KEY = ctx.key  # pins down `ds` for the caches, which take it unhashed
subtitle = flt.describe(full) if flt.active else ""

show_toast(":material/flag:")  # queued by a map click just before its rerun

st.title("Membership")
st.markdown(
    "Which States and territories take part in which ISCMs, as members or observers. Click a country on any "
    "map to open its own view below. Very small States and territories are drawn as dots so none is lost."
)
filter_notice(ctx)


B = views.basics(KEY, ds, full)
names, country_names = B.names, B.country_names


# ------------------------------------------------------------------------------------------- clicks
def follow(event: object, key: str) -> None:
    """Open the clicked State in the country view (once per new click, so the selectbox stays usable).

    The URL gets the State and the whole page reruns (a click inside a section's fragment would otherwise
    redraw only that section, and the country view further down would not follow).
    """
    code = selected_iso3(event)
    if code in country_names and st.query_params.get("country") != code:
        open_section(COUNTRY_TAB)  # the rerun opens the country view's tab
    follow_click(code if code in country_names else None, param="country", chart=key, keep_selection=True,
                 toast=f"Country view: {escape_markdown(country_names[code])}" if code in country_names else None)


def map_panel(fig, *, key: str, name: str, data, sources: list[str]) -> None:  # noqa: ANN001
    event = chart_panel(fig, key=key, name=name, data=data, sources=sources, data_date=full.data_date,
                        filters=flt, on_select="rerun", selection_mode="points")
    follow(event, key)


# ------------------------------------------------------------------------------------------- ISCM map
@st.fragment
def iscm_map_section() -> None:
    st.subheader("The members and observers of an ISCM")
    if flt.iscms:
        chosen = [i for i in flt.iscms if i in names]
        st.caption("The ISCMs chosen in the sidebar filter.")
    else:
        ids = B.ids_by_name
        one = st.selectbox("ISCM to map", ids, index=ids.index(B.default_iscm),
                           format_func=lambda i: names.get(i, i), key="mb_iscm",
                           help="To map several ISCMs together, choose them in the ISCM filter in the sidebar.")
        chosen = [one]
    zoom = st.toggle("Zoom to the region of the selection", value=True, key="mb_zoom")
    fig, data, sources = views.iscm_map_view(KEY, tuple(chosen), zoom, subtitle, ds)
    map_panel(fig, key="mb_iscm_map", name="membership-map", data=data, sources=sources)


# ------------------------------------------------------------------------------------------- density
@st.fragment
def density_section() -> None:
    st.subheader("How many ISCMs each State takes part in")
    count_observers = st.toggle("Count observers too", value=True, key="mb_density_obs")
    roles = views.MEMBERS_AND_OBSERVERS if count_observers else ("member",)
    fig, data, sources = views.density_view(KEY, roles, subtitle, ds)
    map_panel(fig, key="mb_density", name="dialogue-density", data=data, sources=sources)


# ------------------------------------------------------------------------------------------- country view
@st.fragment
def country_section() -> None:
    st.subheader("One State: its ISCMs, fellow members and themes")
    # Bound to `?country=` (components/url_state.py): a link or a map click opens the State.
    code = url_widget(st.selectbox, "country", label="State or territory", options=B.countries, key="mb_country",
                      parse=str.upper, index=None, format_func=lambda c: f"{country_names[c]} ({c})",
                      placeholder="Choose a State")
    if not code:
        st.caption("Choose a State above, or click one on a map.")
        return
    cname = country_names[code]
    view = views.country_view(KEY, code, subtitle, ds, full)
    table = view.table
    if table.empty:
        st.info(f"{escape_markdown(cname)} takes part in none of the {len(ds.iscms)} ISCMs that pass the filters "
                f"({view.n_all} in the whole dataset).", icon=":material/info:")
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("ISCMs", len(table), help="Under the current filters" if flt.active else None)
    c2.metric("As member", int((table["Role"] == "Member").sum()))
    c3.metric("As observer", int((table["Role"] == "Observer").sum()))
    if flt.active and view.n_all != len(table):
        st.caption(f"{view.n_all} ISCMs in the whole dataset; the filters hide {view.n_all - len(table)}.")
    st.dataframe(table.drop(columns=["iscm_id"]), hide_index=True, width="stretch", key="mb_country_table",
                 column_config={"Established": st.column_config.NumberColumn(format="%d")})
    map_panel(view.fellow, key="mb_fellow", name=f"fellow-members-{code.lower()}", data=view.fellow_data,
              sources=view.sources)
    if view.themes_fig is None:
        st.info(f"No themes recorded for the ISCMs of {escape_markdown(cname)}.")
    else:
        chart_panel(view.themes_fig, key="mb_country_themes", name=f"country-themes-{code.lower()}",
                    data=view.themes, sources=view.sources, data_date=full.data_date, filters=flt)
    country_gcm_section(KEY, code, cname, subtitle, ds, full, flt)


# ------------------------------------------------------------------------------------------- overlap
@st.fragment
def overlap_section() -> None:
    st.subheader("Shared members between ISCMs")
    if len(ds.iscms) < 2:
        st.info("The overlap needs at least two ISCMs; widen the filters.", icon=":material/info:")
        return
    c1, c2 = st.columns(2)
    metric = c1.radio("Measure", ["count", "jaccard"], horizontal=True, key="mb_overlap_metric",
                      format_func={"count": "Shared States", "jaccard": "Jaccard index (shared / all)"}.get)
    with_obs = c2.toggle("Count observers too", value=False, key="mb_overlap_obs")
    roles = views.MEMBERS_AND_OBSERVERS if with_obs else ("member",)
    heat, matrix, sources = views.overlap_chart(KEY, roles, metric, subtitle, ds)
    chart_panel(heat, key="mb_overlap", name=f"membership-overlap-{metric}", data=matrix, sources=sources,
                data_date=full.data_date, filters=flt)
    st.caption("Rows and columns are ordered by hierarchical clustering, so ISCMs with similar membership sit "
               "together.")


def overlap_roles() -> tuple[str, ...]:
    return views.MEMBERS_AND_OBSERVERS if st.session_state.get("mb_overlap_obs") else ("member",)


# ------------------------------------------------------------------------------------------- two ISCMs
@st.fragment
def pair_section() -> None:
    st.subheader("Two ISCMs: common and exclusive participants")
    if len(ds.iscms) < 2:
        st.info("The comparison needs at least two ISCMs; widen the filters.", icon=":material/info:")
        return
    with_obs = st.toggle("Count observers too", value=False, key="mb_pair_obs")
    roles = views.MEMBERS_AND_OBSERVERS if with_obs else ("member",)
    default_a, default_b = views.default_pair(KEY, roles, ds, full)
    ids = B.ids_by_name
    c1, c2 = st.columns(2)
    a = c1.selectbox("First ISCM", ids, index=ids.index(default_a), format_func=lambda i: names.get(i, i),
                     key="mb_pair_a")
    b = c2.selectbox("Second ISCM", ids, index=ids.index(default_b), format_func=lambda i: names.get(i, i),
                     key="mb_pair_b")
    if a == b:
        st.info("Choose two different ISCMs.", icon=":material/info:")
        return
    view = views.pair_view(KEY, a, b, roles, subtitle, ds, full)
    m1, m2, m3 = st.columns(3)
    m1.metric("In both", view.counts["both"])
    m2.metric(escape_markdown(f"Only {names[a]}"), view.counts["only_a"])
    m3.metric(escape_markdown(f"Only {names[b]}"), view.counts["only_b"])
    st.dataframe(view.table, hide_index=True, width="stretch", key="mb_pair_table")
    map_panel(view.fig, key="mb_pair_map", name=f"pair-{a}-{b}", data=view.data, sources=view.sources)


# ------------------------------------------------------------------------------------------- closed tabs
# What a closed tab's chart would show with its controls as the user left them (or their defaults): built
# only when "Download all" makes its ZIP.
def iscm_map_item():  # noqa: ANN201 - an export.ChartItem
    chosen = [i for i in flt.iscms if i in names] or [st.session_state.get("mb_iscm", B.default_iscm)]
    fig, data, sources = views.iscm_map_view(KEY, tuple(chosen), st.session_state.get("mb_zoom", True), subtitle,
                                             ds)
    return chart_item(fig, name="membership-map", data=data, sources=sources, data_date=full.data_date,
                      filters=flt)


def density_item():  # noqa: ANN201
    roles = views.MEMBERS_AND_OBSERVERS if st.session_state.get("mb_density_obs", True) else ("member",)
    fig, data, sources = views.density_view(KEY, roles, subtitle, ds)
    return chart_item(fig, name="dialogue-density", data=data, sources=sources, data_date=full.data_date,
                      filters=flt)


def overlap_item():  # noqa: ANN201
    if len(ds.iscms) < 2:
        return None
    metric = st.session_state.get("mb_overlap_metric", "count")
    heat, matrix, sources = views.overlap_chart(KEY, overlap_roles(), metric, subtitle, ds)
    return chart_item(heat, name=f"membership-overlap-{metric}", data=matrix, sources=sources,
                      data_date=full.data_date, filters=flt)


def pair_item():  # noqa: ANN201
    if len(ds.iscms) < 2:
        return None
    roles = views.MEMBERS_AND_OBSERVERS if st.session_state.get("mb_pair_obs") else ("member",)
    a, b = views.default_pair(KEY, roles, ds, full)
    a, b = st.session_state.get("mb_pair_a", a), st.session_state.get("mb_pair_b", b)
    if a == b:
        return None
    view = views.pair_view(KEY, a, b, roles, subtitle, ds, full)
    return chart_item(view.fig, name=f"pair-{a}-{b}", data=view.data, sources=view.sources,
                      data_date=full.data_date, filters=flt)


COUNTRY_TAB = "Country view"
SECTIONS = {
    "ISCM map": (iscm_map_section, [iscm_map_item]),
    "Dialogue density": (density_section, [density_item]),
    "Overlap": (overlap_section, [overlap_item]),
    "Two ISCMs": (pair_section, [pair_item]),
    COUNTRY_TAB: (country_section, []),  # a State's charts are drawn once one is chosen: not in the ZIP unseen
}
apply_open_section()  # a map click asked for the country view's tab
# a link to a State (`?country=DEU`) opens its tab
default = COUNTRY_TAB if st.query_params.get("country") and SECTION_PARAM not in st.query_params else None
tabbed_sections(SECTIONS, filters=flt, default=default)
