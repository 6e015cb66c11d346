"""Themes: which ISCM works on what, how widely each theme is covered, when themes arrived, who is alike.

A click on a coverage cell or on a similar-ISCM bar filters the app to that ISCM; a click on a prevalence
bar filters it to that theme. Both go through the global filters, so the URL follows and a copied link
reproduces the view.
"""

from dataclasses import replace

import streamlit as st

from components.chart_panel import chart_panel, download_all_button
from components.filters import set_filter
from components.frame import frame
from iscm.figures import maps
from iscm.figures import themes as figs
from iscm.filters import apply_filters
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
subtitle = flt.describe(full) if flt.active else ""
labels = dict(zip(full.themes["theme_id"], full.themes["label"], strict=True))
names = dict(zip(full.iscms["iscm_id"], full.iscms["short_name"], strict=True))

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


def theme_sources(d) -> list[str]:  # noqa: ANN001 - a Dataset
    """Sources behind the theme assignments shown (falling back to the ISCMs' own sources)."""
    found = [s for v in d.iscm_themes["source"] for s in str(v).split("; ") if s.strip()]
    return list(dict.fromkeys(found)) or d.sources_for(d.iscms["iscm_id"])


def follow_click(event, *, chart: str, param: str) -> None:  # noqa: ANN001 - a Streamlit selection event
    """Turn a click (or shift-click multi-selection) into a global filter, then redraw.

    The chart's key carries a counter that is bumped here, so the redrawn chart starts with no selection:
    the same click is never applied twice, and clearing the filter in the sidebar sticks.
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
cov = figs.coverage_data(ds.iscms, ds.themes, ds.iscm_themes, group_by=group_by, sort=sort,
                         only_themes=only_themes)
fig = figs.coverage_heatmap(ds.iscms, ds.themes, ds.iscm_themes, group_by=group_by, sort=sort,
                            highlight=flt.themes, only_themes=only_themes, subtitle=subtitle, data=cov)
event = chart_panel(fig, key=f"th_coverage_{nonce('coverage')}", name="theme-coverage",
                    data=cov.drop(columns=["row", "col"]), sources=theme_sources(ds), data_date=full.data_date,
                    filters=flt, on_select="rerun", selection_mode="points")
follow_click(event, chart="coverage", param="iscm")

# ------------------------------------------------------------------------------------------- prevalence
st.header("Prevalence", divider="gray")
by = st.segmented_control("Split bars by", ["type", "region"], format_func=GROUPINGS.get, default="type",
                          key="th_prev_by") or "type"
prev = prevalence_table(ds.iscms, ds.themes, ds.iscm_themes, by=by)
event = chart_panel(figs.prevalence_figure(ds.iscms, ds.themes, ds.iscm_themes, by=by, highlight=flt.themes,
                                           subtitle=subtitle),
                    key=f"th_prevalence_{nonce('prevalence')}", name="theme-prevalence", data=prev,
                    sources=theme_sources(ds), data_date=full.data_date, filters=flt, on_select="rerun",
                    selection_mode="points")
follow_click(event, chart="prevalence", param="theme")
if by == "region":
    st.caption("Each ISCM counts once: in its macro region, or in Cross-regional when it spans several.")

# ------------------------------------------------------------------------------------------- theme view
st.header("Theme view", divider="gray")
ordered = theme_order(coverage_matrix(ds.iscms, ds.themes, ds.iscm_themes))
default_theme = next((t for t in flt.themes if t in ordered), ordered[0])
theme = st.selectbox("Theme", ordered, index=ordered.index(default_theme), format_func=labels.get,
                     key=f"th_theme_{default_theme}",
                     help="Defaults to the theme filter, else the most widely covered theme.")
covering = theme_iscms(ds.iscms, ds.iscm_themes, theme)
ids = covering["iscm_id"].tolist()
states = maps.participation_table(ds.memberships, ds.iscms, ids)
m1, m2, m3 = st.columns(3)
m1.metric("ISCMs covering it", len(covering))
m2.metric("as a declared focus", int((covering["level"] == "focus").sum()))
m3.metric("States and territories reached", len(states),
          help="Members and observers of the ISCMs that cover the theme")
st.dataframe(
    covering.assign(level=covering["level"].map(LEVEL_LABELS)).rename(columns={
        "short_name": "ISCM", "type": "Type", "macro_regions": "Regions", "level": "Level", "since": "Since",
        "established": "Established", "evidence": "Evidence", "source": "Source", "provenance": "Provenance",
    }).drop(columns=["iscm_id"]),
    hide_index=True, width="stretch", key="th_theme_iscms",
    column_config={"Since": st.column_config.NumberColumn(format="%d"),
                   "Established": st.column_config.NumberColumn(format="%d"),
                   "Source": st.column_config.TextColumn(width="medium")},
)
if ids:
    map_fig = maps.iscm_map(ds.memberships, ds.iscms, ids, zoom=False, subtitle=subtitle)
    map_title = f"States reached through the {len(ids)} ISCMs covering {labels[theme].lower()}"
    map_fig.update_layout(title_text=map_title + (f"<br><sup>{subtitle}</sup>" if subtitle else ""))
    chart_panel(map_fig, key="th_theme_map", name=f"theme-states-{theme}", data=states,
                sources=ds.sources_for(ids), data_date=full.data_date, filters=flt)
    st.dataframe(states.rename(columns={
        "iso3": "ISO3", "country": "State or territory", "n_iscms": "ISCMs", "n_member": "as member",
        "n_observer": "as observer", "iscms": "Through", "territory": "Territory"}),
        hide_index=True, width="stretch", key="th_theme_states")

# ------------------------------------------------------------------------------------------- evolution
st.header("Evolution", divider="gray")
evo = evolution_table(ds.iscms, ds.themes, ds.iscm_themes, end_year=int(full.data_date[:4] or 0) or None)
starts = theme_starts(ds.iscms, ds.iscm_themes)
chart_panel(figs.evolution_figure(evo, highlight=flt.themes, subtitle=subtitle), key="th_evolution",
            name="theme-evolution", data=evo, sources=theme_sources(ds), data_date=full.data_date, filters=flt)
n_cells = len(cells(ds.iscm_themes))
n_since = int((starts["basis"] == "since").sum())
st.caption(
    f"An ISCM counts for a theme from the year the theme was added to its agenda where the sources give it "
    f"({n_since} of {n_cells} ISCM-theme pairs), otherwise from the year the ISCM was established"
    + (f"; {n_cells - len(starts)} pairs with neither year are left out." if n_cells > len(starts) else ".")
)

# ------------------------------------------------------------------------------------------- similar
st.header("Similar ISCMs", divider="gray")
others = replace(flt, iscms=())  # compare with every ISCM the other filters allow
pool_ds = apply_filters(full, others)
pool_ids = sorted(pool_ds.iscms["iscm_id"], key=lambda i: names[i].casefold())
choices = sorted(full.iscms["iscm_id"], key=lambda i: names[i].casefold())
default_iscm = next((i for i in flt.iscms if i in names), None) or sorted(
    ds.iscms["iscm_id"], key=lambda i: names[i].casefold())[0]
chosen = st.selectbox("Compare the themes of", choices, index=choices.index(default_iscm),
                      format_func=names.get, key=f"th_similar_{default_iscm}")
if chosen not in pool_ids:
    pool_ds = full.subset([*pool_ids, chosen])
sim = figs.similar_table(pool_ds.iscms, full.themes, pool_ds.iscm_themes, chosen, n=5, candidates=pool_ids)
event = chart_panel(figs.similar_figure(sim, names[chosen], subtitle=subtitle),
                    key=f"th_similar_chart_{nonce('similar')}", name=f"similar-{chosen}", data=sim,
                    sources=theme_sources(pool_ds.subset([chosen, *sim["iscm_id"]])), data_date=full.data_date,
                    filters=flt, on_select="rerun", selection_mode="points")
follow_click(event, chart="similar", param="iscm")
st.caption(f"Compared with {len(pool_ids) - (chosen in pool_ids)} ISCMs"
           + (" that pass the theme, region and type filters" if others.active else "")
           + ". Jaccard similarity = themes in common ÷ themes covered by either; ISCMs sharing no theme are "
             "left out.")
st.dataframe(
    sim.drop(columns=["iscm_id", "n_shared", "n_only_selected", "n_only_other"]).rename(columns={
        "iscm": "ISCM", "jaccard": "Jaccard", "shared": "Shared themes",
        "only_selected": f"Only in {names[chosen]}", "only_other": "Only in the other ISCM"}),
    hide_index=True, width="stretch", key="th_similar_table",
)

download_all_button()
