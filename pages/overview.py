"""Overview: headline figures, the table of ISCMs and their timeline (as tabs, `?section=Timeline`), and what
the data is."""

import streamlit as st

from components.chart_panel import chart_item, chart_panel
from components.filters import current_filters
from components.frame import filter_notice, frame
from components.navigate import link_table
from components.overview_views import iscm_table, timeline
from components.search import find_box
from components.sections import tabbed_sections

ctx = frame("Overview")
ds, full, flt = ctx.ds, ctx.full, ctx.filters

st.title("ISCM Atlas")
find_box(full, key="find_overview")
st.markdown(
    "Who meets where on migration: regional consultative processes, interregional forums and global "
    "processes, the States taking part, the themes they work on and the organizations around them."
)
filter_notice(ctx)

c1, c2, c3, c4 = st.columns(4)
c1.metric("ISCMs", len(ds.iscms))
c2.metric("States", ds.memberships["iso3"].nunique(),
          help="Distinct States and territories taking part (members and observers)")
c3.metric("Organizations", ds.iscm_organizations["org_id"].nunique(),
          help="Distinct organizations with a role in these ISCMs")
c4.metric("Links between ISCMs", len(ds.iscm_links))

key = ctx.key


def table_section() -> None:
    st.header("ISCMs")
    table = iscm_table(key, ds.iscms)
    link_table(table, key="ov_table", id_column="iscm_id", to="profile", label="ISCMs, by name",
               help_text=f"{len(table)} ISCMs, by name. Each name opens its profile.", csv_name=f"iscms_{flt.slug()}")
    st.page_link("pages/data.py", label="Sort, search or download every field on the Data page",
                 icon=":material/table:", query_params=current_filters().to_params())


def timeline_section() -> None:
    st.header("ISCMs by year established")
    fig, fig_data = timeline(key, flt.describe(full), ds.iscms)
    chart_panel(fig, key="ov_timeline", name="establishment", data=fig_data,
                sources=ds.sources_for(ds.iscms["iscm_id"]), data_date=full.data_date, filters=flt)


def timeline_item():  # noqa: ANN201
    fig, fig_data = timeline(key, flt.describe(full), ds.iscms)
    return chart_item(fig, name="establishment", data=fig_data, sources=ds.sources_for(ds.iscms["iscm_id"]),
                      data_date=full.data_date, filters=flt)


# The table first; the timeline one click away (only the open tab is drawn: `components.sections`).
tabbed_sections({"ISCMs": (table_section, []), "Timeline": (timeline_section, [timeline_item])}, filters=flt)

with st.expander("About the data", icon=":material/info:", expanded=not flt.active):
    conf = full.iscms["confidence_members"].value_counts()
    st.markdown(
        f"""
- **What:** {len(full.iscms)} ISCMs curated from public sources (official ISCM sites, IOM's RCP pages,
  reports and news), one file per ISCM in `data/iscms/`, version `{full.version}`, data as of
  **{full.data_date}**.
- **Sources:** every ISCM lists its sources, and each theme, organization and link names the source behind
  it. Chart captions name the sources of what they show ({len(full.sources)} source entries in all).
- **Confidence:** membership lists are marked high ({conf.get('high', 0)}), medium ({conf.get('medium', 0)})
  or low ({conf.get('low', 0)}) confidence; low-confidence facts are marked wherever they are shown.
  Territories that take part in their own right (e.g. Hong Kong SAR, New Caledonia) are flagged.
- **Surveys:** IOM's 2019 "Summary of Findings per ISCM" documents can be imported on the Data page; their
  findings are shown with provenance "survey".
"""
    )
