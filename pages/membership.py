"""Membership: who takes part where. ISCM map, dialogue density, overlap of ISCMs.

A click on a country (shape or marker) on any map opens that State's Country page (`/country?iso3=DEU`);
an old link to the country view (`/membership?country=DEU`) goes there too.

Speed: the sections are tabs, and only the open tab is drawn (`st.tabs(on_change="rerun")`, its label in
the URL as `?section=`): a browser redraws one map per filter change instead of four. "Download all" still
holds every chart of the page: the closed tabs' charts are built when the ZIP is made. The tables and
figures come from `components.membership_views`, computed once per data version, filter state and control
value and shared by all sessions. Each section is a fragment: changing a section's control reruns it.
"""

import streamlit as st

from components import membership_views as views
from components.chart_panel import chart_item, chart_panel
from components.frame import filter_notice, frame
from components.navigate import clicked_country, open_country
from components.sections import tabbed_sections
from components.tables import table
from components.url_state import url_value
from iscm.markup import escape_markdown

ctx = frame("Membership")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
KEY = ctx.key  # pins down `ds` for the caches, which take it unhashed
subtitle = flt.describe(full) if flt.active else ""

if old := url_value("country"):  # the country view moved to the Country page; old links follow it
    open_country(old)

st.title("Membership")
st.markdown(
    "Which States and territories take part in which ISCMs, as members or observers. Click a country on any "
    "map to open its Country page. Very small States and territories are drawn as dots so none is lost."
)
filter_notice(ctx)


B = views.basics(KEY, ds, full)
names, country_names = B.names, B.country_names


# ------------------------------------------------------------------------------------------- clicks
def follow(event: object, key: str) -> None:
    """Open the clicked State (a shape or a small State's marker) on its Country page."""
    clicked_country(event, country_names)


def map_panel(fig, *, key: str, name: str, data, sources: list[str]) -> None:  # noqa: ANN001
    event = chart_panel(fig, key=key, name=name, data=data, sources=sources, data_date=full.data_date,
                        filters=flt, on_select="rerun", selection_mode="points")
    follow(event, key)


# ------------------------------------------------------------------------------------------- ISCM map
@st.fragment
def iscm_map_section() -> None:
    st.header("The members and observers of an ISCM")
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
    st.header("How many ISCMs each State takes part in")
    count_observers = st.toggle("Count observers too", value=True, key="mb_density_obs")
    roles = views.MEMBERS_AND_OBSERVERS if count_observers else ("member",)
    fig, data, sources = views.density_view(KEY, roles, subtitle, ds)
    map_panel(fig, key="mb_density", name="dialogue-density", data=data, sources=sources)


# ------------------------------------------------------------------------------------------- overlap
@st.fragment
def overlap_section() -> None:
    st.header("Shared members between ISCMs")
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
    st.header("Two ISCMs: common and exclusive participants")
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
    table(view.table, key="mb_pair_table")
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


SECTIONS = {
    "ISCM map": (iscm_map_section, [iscm_map_item]),
    "Dialogue density": (density_section, [density_item]),
    "Overlap": (overlap_section, [overlap_item]),
    "Two ISCMs": (pair_section, [pair_item]),
}
tabbed_sections(SECTIONS, filters=flt)
