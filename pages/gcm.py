"""GCM: which of the Global Compact for Migration's 23 objectives the ISCMs work on, the regional gaps, and
for one objective the ISCMs and States working on it.

Tables and figures come from `components.gcm_views` (cached per data version, filters and control). The
sections are tabs (`components.sections`), only the open one drawn, named in the URL (`?section=One+objective`);
each section with its own control is a fragment, so changing it reruns that section only.
"""

import streamlit as st

from components import gcm_views as views
from components.chart_panel import chart_item, chart_panel
from components.frame import filter_notice, frame
from components.navigate import linked_table
from components.sections import tabbed_sections
from components.tables import table
from iscm.gcm import GCM_LEVEL_LABELS, SORTS

ctx = frame("GCM")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
KEY = ctx.key  # pins down `ds` for the caches, which take it unhashed
subtitle = flt.describe(full) if flt.active else ""

st.title("Global Compact for Migration")
st.markdown(
    "Which of the 23 objectives of the Global Compact for Safe, Orderly and Regular Migration (GCM) each ISCM "
    f"works on. **{GCM_LEVEL_LABELS['declared']}**: the ISCM's own sources name the objective. "
    f"**{GCM_LEVEL_LABELS['derived']}**: the ISCM covers a theme that the crosswalk (its own tab) maps to the objective. "
    "A declared objective outranks a derived one."
)
filter_notice(ctx)
if full.gcm_objectives.empty:
    st.info("This data directory has no gcm.yaml: add the GCM objectives and the crosswalk to see this page.",
            icon=":material/info:")
    st.stop()

B = views.basics(KEY, ds, full)


def unmapped_note() -> str:
    """The objectives no theme maps to, said plainly (empty when the crosswalk reaches all 23)."""
    if not B.unmapped:
        return ""
    one = len(B.unmapped) == 1
    names = ", ".join(B.labels[n] for n in B.unmapped)
    it = "it" if one else "them"
    return (f"No theme of the taxonomy maps to objective{'' if one else 's'} {names}: an ISCM covers {it} only "
            f"where its own sources name {it}.")


# ------------------------------------------------------------------------------------------- coverage
@st.fragment
def coverage_section() -> None:
    st.header("Coverage by ISCM")
    sort = st.selectbox("Sort rows by", list(SORTS), format_func=SORTS.get, key="gcm_sort")
    fig, data = views.coverage_chart(KEY, sort, subtitle, ds, full)
    covered = B.cov[B.cov["level"] != "none"]
    m1, m2, m3 = st.columns(3)
    # Short labels, the rest in the help: three metrics share a small laptop's row without cutting a label.
    m1.metric("Objectives covered", f"{covered['objective'].nunique()} of {len(B.objectives)}",
              help="Objectives covered by at least one ISCM shown, declared or derived from its themes")
    m2.metric("Declared pairs", int((B.cov["level"] == "declared").sum()),
              help="ISCM-objective pairs whose ISCM's own sources name the objective: the chart's filled "
                   "squares. ISCMs naming the GCM only as a whole are counted apart, in the next metric.")
    m3.metric("ISCMs naming the GCM", B.whole["iscm_id"].nunique() + len(
        set(B.cov.loc[B.cov["declared"], "iscm_id"]) - set(B.whole["iscm_id"])),
        help="ISCMs whose sources name the GCM, as a whole or by objective")
    chart_panel(fig, key="gcm_coverage", name="gcm-coverage", data=data, sources=B.sources,
                data_date=full.data_date, filters=flt)
    st.caption("The first column marks ISCMs whose sources name the GCM as a whole without naming objectives "
               "(a disc, counted apart from the declared objectives). " + unmapped_note())


# ------------------------------------------------------------------------------------------- gaps
def gaps_section() -> None:
    st.header("Gaps by region")
    fig, grid, gaps = views.region_chart(KEY, subtitle, ds, full)
    chart_panel(fig, key="gcm_regions", name="gcm-region-gaps", data=grid, sources=B.sources,
                data_date=full.data_date, filters=flt)
    if B.unmapped:
        st.caption(unmapped_note() + " An empty cell there is no gap of the region: the chart marks it with a "
                   "grey dash, and the list below leaves it out.")
    if gaps.empty:
        st.caption("Every objective is covered by at least one ISCM of every region shown.")
        return
    st.caption("An ISCM counts for every region it spans. Objectives no ISCM of the region covers:")
    table(gaps.assign(objective=gaps["objective"].map(B.labels)).drop(columns=["short_label"]).rename(
        columns={"region": "Region", "objective": "GCM objective", "n_region_iscms": "ISCMs in the region"}),
        key="gcm_gaps")


# ------------------------------------------------------------------------------------------- one objective
def default_objective() -> int:
    """The objective the section opens on: the one most ISCMs shown work on."""
    counts = B.cov[B.cov["level"] != "none"].groupby("objective").size()
    return int(counts.idxmax()) if not counts.empty else B.objectives[0]


@st.fragment
def objective_section() -> None:
    st.header("One objective")
    objective = st.selectbox("GCM objective", B.objectives, index=B.objectives.index(default_objective()),
                             format_func=lambda n: f"{B.labels[n]}: {B.long_labels[n]}", key="gcm_objective")
    view = views.objective_view(KEY, objective, subtitle, ds, full)
    m1, m2, m3 = st.columns(3)
    m1.metric("ISCMs working on it", len(view.ids))
    m2.metric("Declared by the ISCM", view.n_declared)
    m3.metric("States reached", len(view.states),
              help="States and territories: members and observers of the ISCMs that work on the objective")
    if not view.ids:
        st.info("No ISCM shown works on this objective: none declares it, and no theme of theirs maps to it.",
                icon=":material/info:")
        return
    linked_table(view.iscms, key="gcm_objective_iscms", id_column="iscm_id", to="profile",
                 column_config={"Source": st.column_config.TextColumn(width="medium")})
    chart_panel(view.map, key="gcm_objective_map", name=f"gcm-objective-{objective}-states", data=view.states,
                sources=view.map_sources, data_date=full.data_date, filters=flt)
    linked_table(view.states_shown, key="gcm_objective_states", id_column="ISO3", to="country", keep_id=True)


# ------------------------------------------------------------------------------------------- crosswalk
def crosswalk_section() -> None:
    st.header("From themes to objectives")
    st.caption("The crosswalk behind the derived cells: each link with the reason and a source making the same "
               "link. A theme outside the GCM says why.")
    table(views.crosswalk_table(full), key="gcm_crosswalk",
          column_config={"Source": st.column_config.LinkColumn(width="medium")})


# ------------------------------------------------------------------------------------------- closed tabs' charts
def coverage_item():  # noqa: ANN201
    fig, data = views.coverage_chart(KEY, st.session_state.get("gcm_sort") or next(iter(SORTS)), subtitle, ds, full)
    return chart_item(fig, name="gcm-coverage", data=data, sources=B.sources, data_date=full.data_date, filters=flt)


def regions_item():  # noqa: ANN201
    fig, grid, _gaps = views.region_chart(KEY, subtitle, ds, full)
    return chart_item(fig, name="gcm-region-gaps", data=grid, sources=B.sources, data_date=full.data_date,
                      filters=flt)


def objective_map_item():  # noqa: ANN201
    objective = st.session_state.get("gcm_objective") or default_objective()
    view = views.objective_view(KEY, objective, subtitle, ds, full)
    if not view.ids:  # no ISCM shown works on it: the tab has no map
        return None
    return chart_item(view.map, name=f"gcm-objective-{objective}-states", data=view.states,
                      sources=view.map_sources, data_date=full.data_date, filters=flt)


SECTIONS = {
    "Coverage": (coverage_section, [coverage_item]),
    "Gaps by region": (gaps_section, [regions_item]),
    "One objective": (objective_section, [objective_map_item]),
    "Crosswalk": (crosswalk_section, []),
}
tabbed_sections(SECTIONS, filters=flt)
