"""Tables that keep their row's name in view: the column naming what a row is about is pinned, so a table
wider than the window (a phone shows two or three columns) scrolls sideways under it.

`table()` is `st.dataframe` with the page's defaults (no index, full width) and that column pinned: the one
given, else the first of `KEY_COLUMNS` the table has, else its first column when the table is wide enough to
scroll. `linked_table` (components/navigate.py) pins the same way.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

KEY_COLUMNS = ("ISCM", "State or territory", "Country", "Organization", "Theme", "Node", "Structure", "Region")
"""Column names that say what a row is about, in order of preference."""
NARROW_COLUMNS = 3
"""A table of at most this many columns fits a phone: nothing to pin unless a key column is named."""


def key_column(columns: Sequence[str]) -> str | None:
    """The column to pin among `columns` (KEY_COLUMNS first, then the first column of a wide table)."""
    names = [str(c) for c in columns]
    found = next((c for c in KEY_COLUMNS if c in names), None)
    if found is None and len(names) > NARROW_COLUMNS:
        found = names[0]
    return found


def pinned_config(columns: Sequence[str], column_config: Mapping[str, Any] | None = None,
                  pin: str | Sequence[str] | None = None) -> dict[str, Any]:
    """`column_config` with the key column(s) pinned (`pin`, else `key_column`), keeping their other settings."""
    config = dict(column_config or {})
    names = [pin] if isinstance(pin, str) else list(pin) if pin is not None else [key_column(columns)]
    for name in names:
        if name is None or name not in [str(c) for c in columns]:
            continue
        held = config.get(name)
        if held is None and name in config:  # None hides the column: nothing to pin
            continue
        base = {"label": held} if isinstance(held, str) else dict(held or {})
        config[name] = {**base, "pinned": True}
    return config


def table(data: pd.DataFrame, *, key: str, pin: str | Sequence[str] | None = None,
          column_config: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
    """`st.dataframe(data)` without its index, as wide as the page, with the row's name pinned."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(data, key=key, column_config=pinned_config(list(data.columns), column_config, pin),
                        **kwargs)


# ------------------------------------------------------------------------------------------ HTML tables
# A reading table on a page's first view (a profile's members, a country's ISCMs, the Overview's list) is drawn
# as a plain HTML table, not a data grid: a grid loads its own script, draws on a canvas and rebuilds its
# hidden accessible copy 0.2 s after its last change, which made it the last thing to settle on every page
# that opened on one (about 0.35 s of a page's load in the browser benchmark; an HTML table of the same rows
# costs a tenth of that). Its names are real links: a click opens the page in this tab, a middle-click or
# "copy link" works as on any web page. The Data page keeps its sortable, searchable grids.
TABLE_BG = {"light": "#ffffff", "dark": "#0e1117"}
TABLE_LINK = {"light": "#005a94", "dark": "#7cc4fa"}  # the theme's link colour; 7.3:1 on white, 9:1 on the dark page
TABLE_ROWS_SHOWN = 14
"""Rows in view before the table scrolls (its header and its name column stay in place)."""


def _cell(value: Any) -> tuple[str, bool]:
    """A cell's text and whether it is a number (right-aligned): whole floats as integers, missing as empty,
    True as "Yes"."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return "", False
    if isinstance(value, bool | np.bool_):
        return ("Yes" if value else ""), False
    if isinstance(value, int | np.integer):
        return str(int(value)), True
    if isinstance(value, float | np.floating):
        return (str(int(value)) if float(value).is_integer() else f"{float(value):g}"), True
    return str(value), False


def html_table(data: pd.DataFrame, *, key: str, label: str, links: Sequence[str | None] | None = None,
               row_header: str | None = None, wrap: Sequence[str] = (), theme: str | None = None) -> str:
    """`data` as an HTML table in a scrolling frame, every value escaped.

    `row_header`: the column naming each row (default: `key_column`, else the first), drawn as the row's
    header and kept in view when the table scrolls sideways; `links`: per row, the address its name opens
    (None: no link). `wrap`: long-text columns that wrap instead of widening the table. `label` names the
    table for screen readers (the frame is a labelled region one can scroll with the keyboard). The table
    carries `data-key` = `key`, as a grid carries its Streamlit key.
    """
    columns = [str(c) for c in data.columns]
    head = row_header if row_header in columns else (key_column(columns) or columns[0])
    data = data[[head, *(c for c in data.columns if str(c) != head)]]  # the row's name first
    shade = theme if theme in TABLE_BG else "light"
    e = html.escape
    out = [f'<div class="iscm-table" role="region" aria-label="{e(label)}" tabindex="0" '
           f'style="--iscm-table-bg:{TABLE_BG[shade]};--iscm-table-link:{TABLE_LINK[shade]};'
           f'--iscm-table-rows:{TABLE_ROWS_SHOWN}">'
           f'<table data-key="{e(key)}"><thead><tr>']
    numeric = {c: pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])
               for c in data.columns}
    for c in data.columns:
        cls = ' class="num"' if numeric[c] else ""
        out.append(f'<th scope="col"{cls}>{e(str(c))}</th>')
    out.append("</tr></thead><tbody>")
    hrefs = list(links) if links is not None else [None] * len(data)
    for href, values in zip(hrefs, data.itertuples(index=False, name=None), strict=True):
        out.append("<tr>")
        for c, value in zip(data.columns, values, strict=True):
            text, is_num = _cell(value)
            classes = " ".join(k for k, on in (("num", is_num), ("wrap", str(c) in wrap)) if on)
            cls = f' class="{classes}"' if classes else ""
            if str(c) == head:
                inner = f'<a href="{e(href)}">{e(text)}</a>' if href and text else e(text)
                out.append(f'<th scope="row"{cls}>{inner}</th>')
            else:
                out.append(f"<td{cls}>{e(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return TABLE_STYLE + "".join(out)


TABLE_STYLE = """<style>
.iscm-table{max-height:calc(2.3rem * (var(--iscm-table-rows) + 1));overflow:auto;
  border:1px solid rgba(128,128,128,.35);border-radius:.5rem}
.iscm-table:focus-visible{outline:2px solid #0072B2;outline-offset:2px}
.iscm-table table{border-collapse:separate;border-spacing:0;width:100%;margin:0;font-size:.875rem;line-height:1.35}
.iscm-table th,.iscm-table td{padding:.4rem .65rem;text-align:left;vertical-align:top;border:0;
  border-bottom:1px solid rgba(128,128,128,.22);min-width:4.5rem}
.iscm-table .wrap{min-width:14rem}
.iscm-table .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;min-width:0}
.iscm-table thead th{position:sticky;top:0;z-index:2;background:var(--iscm-table-bg);font-weight:600;
  border-bottom:1px solid rgba(128,128,128,.45)}
.iscm-table tbody th{position:sticky;left:0;z-index:1;background:var(--iscm-table-bg);font-weight:400;
  min-width:9rem;max-width:18rem}
.iscm-table thead th:first-child{left:0;z-index:3}
.iscm-table a{color:var(--iscm-table-link)}
.iscm-table tbody tr:last-child>*{border-bottom:0}
</style>"""
