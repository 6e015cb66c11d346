"""Tables that keep their row's name in view: the column naming what a row is about is pinned, so a table
wider than the window (a phone shows two or three columns) scrolls sideways under it.

`table()` is `st.dataframe` with the page's defaults (no index, full width) and that column pinned: the one
given, else the first of `KEY_COLUMNS` the table has, else its first column when the table is wide enough to
scroll. `linked_table` (components/navigate.py) pins the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
