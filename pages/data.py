"""Data: the tidy tables behind every chart, filtered by the sidebar, as CSV or one Excel workbook."""

import streamlit as st

from components.frame import frame
from components.survey_import import import_section
from iscm.export_tables import to_csv_bytes, to_excel_bytes

ctx = frame("Data")
ds, full, flt = ctx.ds, ctx.full, ctx.filters

st.title("Data")
st.markdown("The tables every page is drawn from. They follow the sidebar filters; each downloads as CSV, "
            "and all of them together as one Excel workbook.")
DESCRIPTIONS = {
    "iscms": "One row per ISCM: identity, type, regions, counts and confidence marks.",
    "memberships": "Who takes part where: one row per State or territory and ISCM, with its role.",
    "themes": "The theme taxonomy, with the keywords used to find themes in survey text.",
    "iscm_themes": "Which ISCM works on which theme: declared focus or mentioned, since when, with evidence.",
    "organizations": "The organization registry: one entry per organization, with its kind and aliases.",
    "iscm_organizations": "Organizations' roles in ISCMs (secretariat, partner, observer, funder, ...).",
    "iscm_links": "Links between ISCMs and what they consist of.",
    "sources": "The sources behind each ISCM's facts.",
}
tables = ds.tables()
stamp = f"{flt.slug()}_{full.data_date}"
# Files are built on click (a callable as data), so a rerun of this page never pays for the workbook.
st.download_button(
    "All tables (Excel workbook)", data=lambda: to_excel_bytes(tables), file_name=f"iscm-tables_{stamp}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
    key="dl_xlsx", on_click="ignore",
)
for tab, (name, df) in zip(st.tabs(list(tables)), tables.items(), strict=True):
    with tab:
        st.caption(f"{DESCRIPTIONS[name]} {len(df)} rows.")
        st.dataframe(df, hide_index=True, width="stretch", key=f"tbl_{name}")
        st.download_button(f"{name}.csv", data=lambda df=df: to_csv_bytes(df), file_name=f"iscm-{name}_{stamp}.csv",
                           mime="text/csv", icon=":material/download:", key=f"dl_{name}", on_click="ignore")

st.divider()
import_section(full)
