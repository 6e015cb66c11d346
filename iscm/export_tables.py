"""Tables as files: CSV per table and one Excel workbook with a sheet per table."""

from __future__ import annotations

import io

import pandas as pd


def flatten(df: pd.DataFrame) -> pd.DataFrame:
    """Tuple cells (keywords, aliases) become '; '-joined text, so CSV and Excel cells stay plain."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype != object:  # numbers, booleans and typed strings cannot hold tuples
            continue
        if out[col].map(lambda v: isinstance(v, tuple | list)).any():
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, tuple | list) else v)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    return flatten(df).to_csv(index=False).encode("utf-8")


def to_excel_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in tables.items():
            flatten(df).to_excel(xl, sheet_name=name[:31], index=False)
    return buf.getvalue()
