"""Themes: which ISCM works on what, how widely each theme is covered, when themes arrived, who is alike.

A click on a coverage cell or on a similar-ISCM bar filters the app to that ISCM; a click on a prevalence
bar filters it to that theme. Both go through the global filters, so the URL follows and a copied link
reproduces the view.

Speed: the sections are tabs, and only the open tab is drawn (`st.tabs(on_change="rerun")`, its label in
the URL as `?section=`): a browser redraws one chart per filter change instead of five. "Download all" still
holds every chart of the page: the closed tabs' charts are built when the ZIP is made. The tables and
figures come from `components.theme_views`, computed once per data version, filter state and control value
and shared by all sessions. Each section is a fragment: changing a section's control reruns that section.
"""

import streamlit as st

from components import theme_views as views
from components.chart_panel import chart_item, chart_panel
from components.clicks import selected_customdata
from components.frame import filter_notice, frame
from components.navigate import linked_table
from components.sections import tabbed_sections
from components.url_state import chart_key, follow_click
from iscm.themes import GROUPINGS, SORTS

ctx = frame("Themes")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
KEY = ctx.key  # pins down `ds` for the caches, which take it unhashed
subtitle = flt.describe(full) if flt.active else ""

st.title("Themes")
st.markdown(
    "What the ISCMs work on: a theme is a **declared focus** of an ISCM when its own documents name it as a "
    "priority or working area, and **mentioned** when it comes up without being a priority. Click a cell "
    "or a similar-ISCM bar to filter to that ISCM, or a prevalence bar to filter to that theme."
)
filter_notice(ctx)


B = views.basics(KEY, ds, full)
labels, names = B.labels, B.names


# ------------------------------------------------------------------------------------------- clicks
def follow(event, *, chart: str, param: str) -> None:  # noqa: ANN001 - a Streamlit selection event
    """Turn a click (or shift-click multi-selection) into a global filter, then redraw the whole page with the
    chart cleared (components/url_state.py): a filter changes every chart."""
    follow_click(selected_customdata(event, 0), param=param, chart=chart,
                 current={"iscm": flt.iscms, "theme": flt.themes}[param])


# ------------------------------------------------------------------------------------------- coverage
@st.fragment
def coverage_section() -> None:
    st.header("Which ISCM works on which theme")
    c1, c2, c3 = st.columns([1, 1, 1])
    group_by = c1.selectbox("Group rows by", list(GROUPINGS), format_func=GROUPINGS.get, key="th_group",
                            help="Region: the ISCM's macro region, or Cross-regional when it spans several.")
    sort = c2.selectbox("Sort rows by", list(SORTS), format_func=SORTS.get, key="th_sort",
                        help="Similarity: hierarchical clustering (average linkage, Jaccard distance) of the "
                             "themes each ISCM covers, so ISCMs with alike agendas sit together.")
    only = c3.toggle("Only the filtered themes", key="th_only", disabled=not flt.themes,
                     help="With a theme filter, show just those columns (otherwise they are highlighted).")
    only_themes = flt.themes if (only and flt.themes) else None
    fig, data = views.coverage_chart(KEY, group_by, sort, only_themes, subtitle, ds, full)
    event = chart_panel(fig, key=chart_key("th_coverage"), name="theme-coverage", data=data,
                        sources=B.sources, data_date=full.data_date, filters=flt, on_select="rerun",
                        selection_mode="points")
    follow(event, chart="th_coverage", param="iscm")


# ------------------------------------------------------------------------------------------- prevalence
@st.fragment
def prevalence_section() -> None:
    st.header("How widely each theme is covered")
    by = st.segmented_control("Split bars by", ["type", "region"], format_func=GROUPINGS.get, default="type",
                              key="th_prev_by") or "type"
    fig, prev = views.prevalence_chart(KEY, by, subtitle, ds, full)
    event = chart_panel(fig, key=chart_key("th_prevalence"), name="theme-prevalence", data=prev,
                        sources=B.sources, data_date=full.data_date, filters=flt, on_select="rerun",
                        selection_mode="points")
    follow(event, chart="th_prevalence", param="theme")
    if by == "region":
        st.caption("Each ISCM counts once: in its macro region, or in Cross-regional when it spans several.")


# ------------------------------------------------------------------------------------------- theme view
@st.fragment
def theme_section() -> None:
    st.header("One theme: its ISCMs and the States they reach")
    ordered = B.order
    default_theme = next((t for t in flt.themes if t in ordered), ordered[0])
    theme = st.selectbox("Theme", ordered, index=ordered.index(default_theme), format_func=labels.get,
                         key=f"th_theme_{default_theme}",
                         help="Defaults to the theme filter, else the most widely covered theme.")
    view = views.theme_view(KEY, theme, subtitle, ds, full)
    m1, m2, m3 = st.columns(3)
    m1.metric("ISCMs covering it", len(view.ids))
    m2.metric("As a declared focus", view.n_focus)
    m3.metric("States reached", len(view.states),
              help="States and territories: members and observers of the ISCMs that cover the theme")
    linked_table(
        view.covering, key="th_theme_iscms", id_column="iscm_id", to="profile",
        column_config={"Since": st.column_config.NumberColumn(format="%d"),
                       "Established": st.column_config.NumberColumn(format="%d"),
                       "Source": st.column_config.TextColumn(width="medium")},
    )
    if view.map is not None:
        chart_panel(view.map, key="th_theme_map", name=f"theme-states-{theme}", data=view.states,
                    sources=view.map_sources, data_date=full.data_date, filters=flt)
        linked_table(view.states_shown, key="th_theme_states", id_column="ISO3", to="country", keep_id=True)


# ------------------------------------------------------------------------------------------- evolution
def evolution_section() -> None:
    st.header("When themes entered the agendas")
    fig, evo, caption = views.evolution_chart(KEY, int(full.data_date[:4] or 0) or None, subtitle, ds,
                                              full)
    chart_panel(fig, key="th_evolution", name="theme-evolution", data=evo, sources=B.sources,
                data_date=full.data_date, filters=flt)
    st.caption(caption)


# ------------------------------------------------------------------------------------------- similar
@st.fragment
def similar_section() -> None:
    st.header("ISCMs with the most similar themes")
    choices = sorted(full.iscms["iscm_id"], key=lambda i: names[i].casefold())
    default_iscm = next((i for i in flt.iscms if i in names), None) or sorted(
        ds.iscms["iscm_id"], key=lambda i: names[i].casefold())[0]
    chosen = st.selectbox("Compare the themes of", choices, index=choices.index(default_iscm),
                          format_func=names.get, key=f"th_similar_{default_iscm}")
    view = views.similar_view(KEY, chosen, subtitle, full)
    event = chart_panel(view.fig, key=chart_key("th_similar_chart"), name=f"similar-{chosen}",
                        data=view.table, sources=view.sources, data_date=full.data_date, filters=flt,
                        on_select="rerun", selection_mode="points")
    follow(event, chart="th_similar_chart", param="iscm")
    st.caption(view.caption)
    linked_table(view.shown, key="th_similar_table", id_column="iscm_id", to="profile")


# ------------------------------------------------------------------------------------------- closed tabs
# What a closed tab's chart would show with its controls as the user left them (or their defaults): built
# only when "Download all" makes its ZIP.
def coverage_item():  # noqa: ANN201 - an export.ChartItem
    group_by, sort = st.session_state.get("th_group", "none"), st.session_state.get("th_sort", "name")
    only_themes = flt.themes if (st.session_state.get("th_only") and flt.themes) else None
    fig, data = views.coverage_chart(KEY, group_by, sort, only_themes, subtitle, ds, full)
    return chart_item(fig, name="theme-coverage", data=data, sources=B.sources, data_date=full.data_date,
                      filters=flt)


def prevalence_item():  # noqa: ANN201
    fig, prev = views.prevalence_chart(KEY, st.session_state.get("th_prev_by") or "type", subtitle, ds, full)
    return chart_item(fig, name="theme-prevalence", data=prev, sources=B.sources, data_date=full.data_date,
                      filters=flt)


def theme_map_item():  # noqa: ANN201
    theme = next((t for t in flt.themes if t in B.order), B.order[0])
    view = views.theme_view(KEY, theme, subtitle, ds, full)
    if view.map is None:  # no ISCM covers the theme: the tab has no map
        return None
    return chart_item(view.map, name=f"theme-states-{theme}", data=view.states, sources=view.map_sources,
                      data_date=full.data_date, filters=flt)


def evolution_item():  # noqa: ANN201
    fig, evo, _ = views.evolution_chart(KEY, int(full.data_date[:4] or 0) or None, subtitle, ds, full)
    return chart_item(fig, name="theme-evolution", data=evo, sources=B.sources, data_date=full.data_date,
                      filters=flt)


def similar_item():  # noqa: ANN201
    chosen = next((i for i in flt.iscms if i in names), None) or sorted(
        ds.iscms["iscm_id"], key=lambda i: names[i].casefold())[0]
    view = views.similar_view(KEY, chosen, subtitle, full)
    return chart_item(view.fig, name=f"similar-{chosen}", data=view.table, sources=view.sources,
                      data_date=full.data_date, filters=flt)


SECTIONS = {
    "Coverage": (coverage_section, [coverage_item]),
    "Prevalence": (prevalence_section, [prevalence_item]),
    "Theme view": (theme_section, [theme_map_item]),
    "Evolution": (evolution_section, [evolution_item]),
    "Similar ISCMs": (similar_section, [similar_item]),
}
tabbed_sections(SECTIONS, filters=flt)
