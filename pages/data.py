"""Data: the tidy tables behind every chart, filtered by the sidebar, as CSV or one Excel workbook."""

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components.chart_panel import theme_type
from components.frame import frame
from components.sections import SECTION_PARAM, section_tabs
from components.survey_import import import_section
from components.tables import html_table, table
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
# The page opens on a list of the tables (what each holds, its rows and columns); each table is a tab of its
# own, drawn only while open (a data grid is the slowest element to appear on a page). The open tab's name
# is in the URL (`?section=memberships`), so a copied link reopens it.
CATALOGUE = "All tables"
tabs = section_tabs([CATALOGUE, *tables])
if tabs[0].open:
    with tabs[0]:
        catalogue = pd.DataFrame({
            "Table": list(tables), "What it holds": [DESCRIPTIONS[n] for n in tables],
            "Rows": [len(df) for df in tables.values()],
            "Columns": [len(df.columns) for df in tables.values()]})
        params = flt.to_params()
        hrefs = [f"data?{urlencode({**params, SECTION_PARAM: name})}" for name in tables]
        st.html(html_table(catalogue, key="tbl_catalogue", label="The tables", links=hrefs,
                           wrap=("What it holds",), theme=theme_type()))
        st.caption("A table's name opens it to sort, search and download as CSV. Rows follow the sidebar filters.")
for tab, (name, df) in zip(tabs[1:], tables.items(), strict=True):
    if not tab.open:
        continue
    with tab:
        st.caption(f"{DESCRIPTIONS[name]} {len(df)} rows.")
        table(df, key=f"tbl_{name}")
        st.download_button(f"{name}.csv", data=lambda df=df: to_csv_bytes(df), file_name=f"iscm-{name}_{stamp}.csv",
                           mime="text/csv", icon=":material/download:", key=f"dl_{name}", on_click="ignore")

st.divider()
import_section(full)
