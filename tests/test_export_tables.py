"""Tables as files: CSV per table and the Excel workbook of the Data page."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from iscm.export_tables import flatten, to_csv_bytes, to_excel_bytes


def test_flatten_joins_tuple_cells():
    df = pd.DataFrame({"id": ["a", "b"], "aliases": [("x", "y"), ()]})
    assert flatten(df)["aliases"].tolist() == ["x; y", ""]
    assert df["aliases"].tolist() == [("x", "y"), ()]  # the input is not modified


def test_csv_round_trip(ds):
    back = pd.read_csv(io.BytesIO(to_csv_bytes(ds.memberships)), keep_default_na=False)
    assert len(back) == len(ds.memberships)
    assert back.loc[back["iso3"] == "XKX", "country"].iloc[0] == "Kosovo"


def test_excel_workbook_has_one_sheet_per_table_with_every_row(ds):
    tables = ds.subset(["prague-process", "colombo-process"]).tables()
    wb = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(tables)), read_only=True)
    assert wb.sheetnames == list(tables)
    for name, df in tables.items():
        rows = list(wb[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(df.columns)
        assert len(rows) - 1 == len(df), name
    members = list(wb["memberships"].iter_rows(values_only=True))
    assert sum(1 for r in members[1:] if r[0] == "colombo-process" and r[3] == "member") == 12
