"""Themes: which ISCM works on what, how widely each theme is covered, when themes arrived, who is alike.

A click on a coverage cell or on a similar-ISCM bar filters the app to that ISCM; a click on a prevalence
bar filters it to that theme. Both go through the global filters, so the URL follows and a copied link
reproduces the view.

Speed: every table and figure is computed once per data version, filter state and control value and then
shared by all sessions (`st.cache_resource`; callers only read them), and figures are frozen
(`iscm.figures.fast.freeze`), so a rerun mostly re-sends finished charts. Each section is a fragment: changing a section's control reruns that section, not the page.
"""

from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.chart_panel import chart_panel, download_all_button
from components.filters import set_filter
from components.frame import frame
from iscm.dataset import Dataset
from iscm.figures import maps
from iscm.figures import themes as figs
from iscm.figures.fast import freeze
from iscm.filters import Filters, apply_filters
from iscm.themes import (
    GROUPINGS,
    LEVEL_LABELS,
    SORTS,
    cells,
    coverage_matrix,
    evolution_table,
    prevalence_table,
    selected_customdata,
    theme_iscms,
    theme_order,
    theme_starts,
)

ctx = frame("Themes", icon=":material/category:")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
# What the filtered dataset `ds` is made of: the data version and the filters. It keys every cache below,
# so `ds` itself (which Streamlit cannot hash cheaply) is passed unhashed.
KEY = (full.version, flt.iscms, flt.themes, flt.regions, flt.types)
subtitle = flt.describe(full) if flt.active else ""

st.title("Themes")
st.markdown(
    "What the ISCMs work on: a theme is a **declared focus** of an ISCM when its own documents name it as a "
    "priority or working area, and **mentioned** when it comes up without being a priority. Click a cell "
    "or a similar-ISCM bar to filter to that ISCM, or a prevalence bar to filter to that theme."
)
if flt.active:
    st.info(f"Filtered: {flt.describe(full)}. Showing {len(ds.iscms)} of {len(full.iscms)} ISCMs.",
            icon=":material/filter_alt:")
if ds.iscms.empty:
    st.warning("No ISCM matches the filters. Clear or widen them in the sidebar.", icon=":material/search_off:")
    st.stop()


def theme_sources(d: Dataset) -> list[str]:
    """Sources behind the theme assignments shown (falling back to the ISCMs' own sources)."""
    found = [s for v in d.iscm_themes["source"] for s in str(v).split("; ") if s.strip()]
    return list(dict.fromkeys(found)) or d.sources_for(d.iscms["iscm_id"])


# ------------------------------------------------------------------------------------------- cached views
@dataclass(frozen=True)
class Basics:
    """Per data version and filter state: what several sections derive their charts from."""

    matrix: pd.DataFrame  # coverage_matrix
    detail: pd.DataFrame  # cells
    order: list[str]  # themes by prevalence
    sources: list[str]  # theme_sources
    labels: dict[str, str]  # theme_id -> label
    names: dict[str, str]  # iscm_id -> short name (every ISCM of the dataset, not only the filtered)


@st.cache_resource(show_spinner=False, max_entries=32)
def basics(key: tuple, _ds: Dataset, _full: Dataset) -> Basics:
    matrix = coverage_matrix(_ds.iscms, _ds.themes, _ds.iscm_themes)
    return Basics(matrix, cells(_ds.iscm_themes), theme_order(matrix), theme_sources(_ds),
                  dict(zip(_full.themes["theme_id"], _full.themes["label"], strict=True)),
                  dict(zip(_full.iscms["iscm_id"], _full.iscms["short_name"], strict=True)))


@st.cache_resource(show_spinner=False, max_entries=64)
def coverage_chart(key: tuple, group_by: str, sort: str, only_themes: tuple[str, ...] | None, subtitle: str,
                   _ds: Dataset, _full: Dataset) -> tuple[go.Figure, pd.DataFrame]:
    """The coverage grid and the data behind it (its CSV)."""
    b = basics(key, _ds, _full)
    cov = figs.coverage_data(_ds.iscms, _ds.themes, _ds.iscm_themes, group_by=group_by, sort=sort,
                             only_themes=only_themes, matrix=b.matrix, detail=b.detail)
    fig = figs.coverage_heatmap(_ds.iscms, _ds.themes, _ds.iscm_themes, group_by=group_by, sort=sort,
                                highlight=key[2], only_themes=only_themes, subtitle=subtitle, data=cov)
    return freeze(fig), cov.drop(columns=["row", "col"])


@st.cache_resource(show_spinner=False, max_entries=64)
def prevalence_chart(key: tuple, by: str, subtitle: str, _ds: Dataset,
                     _full: Dataset) -> tuple[go.Figure, pd.DataFrame]:
    """The prevalence bars and their table; the table is computed once and drawn from."""
    b = basics(key, _ds, _full)
    prev = prevalence_table(_ds.iscms, _ds.themes, _ds.iscm_themes, by=by, matrix=b.matrix)
    fig = figs.prevalence_figure(_ds.iscms, _ds.themes, _ds.iscm_themes, by=by, highlight=key[2],
                                 subtitle=subtitle, table=prev)
    return freeze(fig), prev


@dataclass(frozen=True)
class ThemeView:
    covering: pd.DataFrame  # the ISCMs covering the theme, ready to show
    n_focus: int
    ids: list[str]
    states: pd.DataFrame  # participation_table of those ISCMs (the map's CSV)
    states_shown: pd.DataFrame  # the same, with display column names
    map: go.Figure | None
    map_sources: list[str]


@st.cache_resource(show_spinner=False, max_entries=128)
def theme_view(key: tuple, theme: str, subtitle: str, _ds: Dataset, _full: Dataset) -> ThemeView:
    covering = theme_iscms(_ds.iscms, _ds.iscm_themes, theme)
    ids = covering["iscm_id"].tolist()
    states = maps.participation_table(_ds.memberships, _ds.iscms, ids)
    shown = covering.assign(level=covering["level"].map(LEVEL_LABELS)).rename(columns={
        "short_name": "ISCM", "type": "Type", "macro_regions": "Regions", "level": "Level", "since": "Since",
        "established": "Established", "evidence": "Evidence", "source": "Source", "provenance": "Provenance",
    }).drop(columns=["iscm_id"])
    fig = None
    if ids:
        fig = maps.iscm_map(_ds.memberships, _ds.iscms, ids, zoom=False, subtitle=subtitle)
        title = (f"States reached through the {len(ids)} ISCMs covering "
                 f"{basics(key, _ds, _full).labels[theme].lower()}")
        fig.update_layout(title_text=title + (f"<br><sup>{subtitle}</sup>" if subtitle else ""))
    return ThemeView(
        covering=shown, n_focus=int((covering["level"] == "focus").sum()), ids=ids, states=states,
        states_shown=states.rename(columns={
            "iso3": "ISO3", "country": "State or territory", "n_iscms": "ISCMs", "n_member": "as member",
            "n_observer": "as observer", "iscms": "Through", "territory": "Territory"}),
        map=freeze(fig) if fig is not None else None, map_sources=_ds.sources_for(ids) if ids else [],
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def evolution_chart(key: tuple, end_year: int | None, subtitle: str,
                    _ds: Dataset) -> tuple[go.Figure, pd.DataFrame, str]:
    """The evolution grid, its table and the caption that says where the years come from."""
    evo = evolution_table(_ds.iscms, _ds.themes, _ds.iscm_themes, end_year=end_year)
    starts = theme_starts(_ds.iscms, _ds.iscm_themes)
    n_cells = len(cells(_ds.iscm_themes))
    n_since = int((starts["basis"] == "since").sum())
    caption = (
        f"An ISCM counts for a theme from the year the theme was added to its agenda where the sources give "
        f"it ({n_since} of {n_cells} ISCM-theme pairs), otherwise from the year the ISCM was established"
        + (f"; {n_cells - len(starts)} pairs with neither year are left out." if n_cells > len(starts) else ".")
    )
    return freeze(figs.evolution_figure(evo, highlight=key[2], subtitle=subtitle)), evo, caption


@dataclass(frozen=True)
class SimilarView:
    fig: go.Figure
    table: pd.DataFrame  # similar_table (the chart's CSV)
    shown: pd.DataFrame  # ready to show
    sources: list[str]
    caption: str


@st.cache_resource(show_spinner=False, max_entries=128)
def similar_view(key: tuple, chosen: str, subtitle: str, _full: Dataset, _flt: Filters) -> SimilarView:
    """The ISCMs most alike `chosen`, among all that pass the filters other than the ISCM filter."""
    names = dict(zip(_full.iscms["iscm_id"], _full.iscms["short_name"], strict=True))
    others = replace(_flt, iscms=())  # compare with every ISCM the other filters allow
    pool_ds = apply_filters(_full, others)
    pool_ids = sorted(pool_ds.iscms["iscm_id"], key=lambda i: names[i].casefold())
    if chosen not in pool_ids:
        pool_ds = _full.subset([*pool_ids, chosen])
    sim = figs.similar_table(pool_ds.iscms, _full.themes, pool_ds.iscm_themes, chosen, n=5,
                             candidates=pool_ids)
    caption = (f"Compared with {len(pool_ids) - (chosen in pool_ids)} ISCMs"
               + (" that pass the theme, region and type filters" if others.active else "")
               + ". Jaccard similarity = themes in common ÷ themes covered by either; ISCMs sharing no theme "
                 "are left out.")
    shown = sim.drop(columns=["iscm_id", "n_shared", "n_only_selected", "n_only_other"]).rename(columns={
        "iscm": "ISCM", "jaccard": "Jaccard", "shared": "Shared themes",
        "only_selected": f"Only in {names[chosen]}", "only_other": "Only in the other ISCM"})
    return SimilarView(fig=freeze(figs.similar_figure(sim, names[chosen], subtitle=subtitle)), table=sim,
                       shown=shown, sources=theme_sources(pool_ds.subset([chosen, *sim["iscm_id"]])), caption=caption)


B = basics(KEY, ds, full)
labels, names = B.labels, B.names


# ------------------------------------------------------------------------------------------- clicks
def follow_click(event, *, chart: str, param: str) -> None:  # noqa: ANN001 - a Streamlit selection event
    """Turn a click (or shift-click multi-selection) into a global filter, then redraw the whole page.

    The chart's key carries a counter that is bumped here, so the redrawn chart starts with no selection:
    the same click is never applied twice, and clearing the filter in the sidebar sticks. st.rerun() reruns
    the app, not only the section's fragment: a filter changes every chart.
    """
    points = event.selection.points if event and getattr(event, "selection", None) else []
    values = selected_customdata(points, 0)
    current = {"iscm": flt.iscms, "theme": flt.themes}[param]
    if values and tuple(values) != tuple(current):
        set_filter(param, values)
        st.session_state[f"_th_nonce_{chart}"] = st.session_state.get(f"_th_nonce_{chart}", 0) + 1
        st.rerun()


def nonce(chart: str) -> int:
    return st.session_state.get(f"_th_nonce_{chart}", 0)


# ------------------------------------------------------------------------------------------- coverage
@st.fragment
def coverage_section() -> None:
    st.header("Coverage", divider="gray")
    c1, c2, c3 = st.columns([1, 1, 1])
    group_by = c1.selectbox("Group rows by", list(GROUPINGS), format_func=GROUPINGS.get, key="th_group",
                            help="Region: the ISCM's macro region, or Cross-regional when it spans several.")
    sort = c2.selectbox("Sort rows by", list(SORTS), format_func=SORTS.get, key="th_sort",
                        help="Similarity: hierarchical clustering (average linkage, Jaccard distance) of the "
                             "themes each ISCM covers, so ISCMs with alike agendas sit together.")
    only = c3.toggle("Only the filtered themes", key="th_only", disabled=not flt.themes,
                     help="With a theme filter, show just those columns (otherwise they are highlighted).")
    only_themes = flt.themes if (only and flt.themes) else None
    fig, data = coverage_chart(KEY, group_by, sort, only_themes, subtitle, ds, full)
    event = chart_panel(fig, key=f"th_coverage_{nonce('coverage')}", name="theme-coverage", data=data,
                        sources=B.sources, data_date=full.data_date, filters=flt, on_select="rerun",
                        selection_mode="points")
    follow_click(event, chart="coverage", param="iscm")


# ------------------------------------------------------------------------------------------- prevalence
@st.fragment
def prevalence_section() -> None:
    st.header("Prevalence", divider="gray")
    by = st.segmented_control("Split bars by", ["type", "region"], format_func=GROUPINGS.get, default="type",
                              key="th_prev_by") or "type"
    fig, prev = prevalence_chart(KEY, by, subtitle, ds, full)
    event = chart_panel(fig, key=f"th_prevalence_{nonce('prevalence')}", name="theme-prevalence", data=prev,
                        sources=B.sources, data_date=full.data_date, filters=flt, on_select="rerun",
                        selection_mode="points")
    follow_click(event, chart="prevalence", param="theme")
    if by == "region":
        st.caption("Each ISCM counts once: in its macro region, or in Cross-regional when it spans several.")


# ------------------------------------------------------------------------------------------- theme view
@st.fragment
def theme_section() -> None:
    st.header("Theme view", divider="gray")
    ordered = B.order
    default_theme = next((t for t in flt.themes if t in ordered), ordered[0])
    theme = st.selectbox("Theme", ordered, index=ordered.index(default_theme), format_func=labels.get,
                         key=f"th_theme_{default_theme}",
                         help="Defaults to the theme filter, else the most widely covered theme.")
    view = theme_view(KEY, theme, subtitle, ds, full)
    m1, m2, m3 = st.columns(3)
    m1.metric("ISCMs covering it", len(view.ids))
    m2.metric("as a declared focus", view.n_focus)
    m3.metric("States and territories reached", len(view.states),
              help="Members and observers of the ISCMs that cover the theme")
    st.dataframe(
        view.covering, hide_index=True, width="stretch", key="th_theme_iscms",
        column_config={"Since": st.column_config.NumberColumn(format="%d"),
                       "Established": st.column_config.NumberColumn(format="%d"),
                       "Source": st.column_config.TextColumn(width="medium")},
    )
    if view.map is not None:
        chart_panel(view.map, key="th_theme_map", name=f"theme-states-{theme}", data=view.states,
                    sources=view.map_sources, data_date=full.data_date, filters=flt)
        st.dataframe(view.states_shown, hide_index=True, width="stretch", key="th_theme_states")


# ------------------------------------------------------------------------------------------- evolution
def evolution_section() -> None:
    st.header("Evolution", divider="gray")
    fig, evo, caption = evolution_chart(KEY, int(full.data_date[:4] or 0) or None, subtitle, ds)
    chart_panel(fig, key="th_evolution", name="theme-evolution", data=evo, sources=B.sources,
                data_date=full.data_date, filters=flt)
    st.caption(caption)


# ------------------------------------------------------------------------------------------- similar
@st.fragment
def similar_section() -> None:
    st.header("Similar ISCMs", divider="gray")
    choices = sorted(full.iscms["iscm_id"], key=lambda i: names[i].casefold())
    default_iscm = next((i for i in flt.iscms if i in names), None) or sorted(
        ds.iscms["iscm_id"], key=lambda i: names[i].casefold())[0]
    chosen = st.selectbox("Compare the themes of", choices, index=choices.index(default_iscm),
                          format_func=names.get, key=f"th_similar_{default_iscm}")
    view = similar_view(KEY, chosen, subtitle, full, flt)
    event = chart_panel(view.fig, key=f"th_similar_chart_{nonce('similar')}", name=f"similar-{chosen}",
                        data=view.table, sources=view.sources, data_date=full.data_date, filters=flt,
                        on_select="rerun", selection_mode="points")
    follow_click(event, chart="similar", param="iscm")
    st.caption(view.caption)
    st.dataframe(view.shown, hide_index=True, width="stretch", key="th_similar_table")


coverage_section()
prevalence_section()
theme_section()
evolution_section()
similar_section()
download_all_button()
