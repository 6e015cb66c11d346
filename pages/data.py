"""Data: the tidy tables behind every chart, filtered by the sidebar, as CSV or one Excel workbook."""

import streamlit as st

from components.frame import frame
from components.sections import section_tabs
from components.survey_import import import_section
from components.tables import table
from iscm.datapackage import SCHEMAS, package_zip
from iscm.export_tables import to_csv_bytes, to_excel_bytes

ctx = frame("Data")
ds, full, flt = ctx.ds, ctx.full, ctx.filters

st.title("Data")
st.markdown("The tables every page is drawn from. They follow the sidebar filters; each downloads as CSV, "
            "all of them together as one Excel workbook, or as an open data package: the CSVs with a "
            "`datapackage.json` describing every field, key and source (Frictionless Data Package).")
DESCRIPTIONS = {name: spec["description"] for name, spec in SCHEMAS.items()}
tables = ds.tables()
stamp = f"{flt.slug()}_{full.data_date}"
# Files are built on click (a callable as data), so a rerun of this page never pays for the workbook.
st.download_button(
    "All tables (Excel workbook)", data=lambda: to_excel_bytes(tables), file_name=f"iscm-tables_{stamp}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
    key="dl_xlsx", on_click="ignore",
)
st.download_button(
    "Open data package (ZIP: CSVs + datapackage.json)", data=lambda: package_zip(ds),
    file_name=f"iscm-datapackage_{stamp}.zip", mime="application/zip", icon=":material/folder_zip:",
    key="dl_datapackage", on_click="ignore",
)
# One table drawn at a time, the open tab's (a data grid is the slowest element to appear on a page); its name is
# in the URL (`?section=memberships`), so a copied link reopens it.
for tab, (name, df) in zip(section_tabs(list(tables)), tables.items(), strict=True):
    if not tab.open:
        continue
    with tab:
        st.caption(f"{DESCRIPTIONS[name]} {len(df)} rows.")
        table(df, key=f"tbl_{name}")
        st.download_button(f"{name}.csv", data=lambda df=df: to_csv_bytes(df), file_name=f"iscm-{name}_{stamp}.csv",
                           mime="text/csv", icon=":material/download:", key=f"dl_{name}", on_click="ignore")

st.divider()
import_section(full)
