"""One-click, same-tab navigation to an ISCM's profile or a State's Country page.

Two kinds of table name ISCMs or States:
- `link_table`, the reading tables of first views: an HTML table whose names are plain links
  (`profile?iscm=...`, `country?iso3=...`, with the filters). A click loads that page in this tab; a
  middle-click or "copy link" works as on any web page.
- `linked_table`, a data grid (where sorting and search matter): `st.column_config.LinkColumn` always opens
  a new tab, so a click on any cell of a row switches page in this tab instead, carrying the id in the query
  string. Map clicks open the Country page the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components.chart_panel import theme_type
from components.clicks import selected_iso3
from components.tables import html_table, key_column, pinned_config

PROFILE = "pages/profile.py"
COUNTRY = "pages/country.py"
SLUGS = {"profile": "profile", "country": "country"}
"""The pages' URL paths (components.frame.PAGES), relative: a link resolves beside the page it is on, so it
works under any base path the app is served from."""


def _filters(drop: tuple[str, ...] = ()) -> dict[str, str]:
    """The global filters now in the URL, to carry along (the ISCM filter is kept in the session when the
    target page uses `?iscm=` for itself: see `components.frame.frame`)."""
    from components.filters import current_filters

    return {k: v for k, v in current_filters().to_params().items() if k not in drop}


def profile_params(iscm_id: str) -> dict[str, str]:
    """The query string of an ISCM's profile: the other filters travel along, the ISCM filter is left as it
    was (the profile reads `?iscm=` as its subject)."""
    return {**_filters(drop=("iscm",)), "iscm": iscm_id}


def open_profile(iscm_id: str) -> None:
    """The ISCM's profile in this tab."""
    st.switch_page(PROFILE, query_params=profile_params(iscm_id))


def profile_link(iscm_id: str, label: str, *, icon: str = ":material/badge:", container: Any = None) -> None:
    """A link that opens the ISCM's profile in this tab (`st.page_link`: one click, same session).
    `label` is Markdown: escape names from data or documents (iscm.markup.escape_markdown)."""
    (container or st).page_link(PROFILE, label=label, icon=icon, query_params=profile_params(iscm_id))


def country_params(iso3: str) -> dict[str, str]:
    """The query string of a State's Country page, the filters travelling along."""
    return {**_filters(), "iso3": iso3.upper()}


def open_country(iso3: str) -> None:
    st.switch_page(COUNTRY, query_params=country_params(iso3))


def page_href(kind: str, target: str, drop: tuple[str, ...] = ()) -> str:
    """The relative address of an ISCM's profile (`kind` "profile") or a State's page ("country"), without
    the parameters in `drop` (a profile's `?iscm=` names its subject, not a filter to carry along)."""
    params = profile_params(target) if kind == "profile" else country_params(target)
    target_param = "iscm" if kind == "profile" else "iso3"
    return f"{SLUGS[kind]}?{urlencode({k: v for k, v in params.items() if k not in drop or k == target_param})}"


def clicked_country(event: object, known: Any = None) -> None:
    """Open the Country page of the State clicked on a map (a shape or a small State's marker), if any."""
    code = selected_iso3(event)
    if code and (known is None or code in known):
        open_country(code)


def linked_table(table: pd.DataFrame, *, key: str, id_column: str, to: str | pd.Series, hide: tuple[str, ...] = (),
                 keep_id: bool = False, help_text: str | None = None, **kwargs: Any) -> Any:
    """A table whose rows open a page in one click: `to` is "profile" (id_column holds ISCM ids) or "country"
    (ISO3 codes), or a Series aligned with the table's rows giving each row's target ("profile", "country", or
    None for a row that opens nothing, e.g. an organization in the network table). The id column is shown only
    with `keep_id` (an ISO3 column people read); the column naming the row (components.tables.key_column, else
    the first shown) is pinned so it stays in view when the table scrolls sideways. Returns the dataframe's
    selection event."""
    targets = (pd.Series([to] * len(table)) if isinstance(to, str) else pd.Series(list(to))).reset_index(drop=True)
    shown = table.drop(columns=[*([] if keep_id else [id_column]), *hide]).reset_index(drop=True)
    columns = [str(c) for c in shown.columns]
    pin = key_column(columns) or columns[:1]
    config = pinned_config(columns, kwargs.pop("column_config", None), pin=pin)
    # A click on any cell selects it (one click), and so does the row's checkbox: either opens the row's page.
    event = st.dataframe(shown, hide_index=True, width="stretch", key=key, on_select="rerun",
                         selection_mode=["single-cell", "single-row"], column_config=config, **kwargs)
    every = isinstance(to, str) or bool(targets.notna().all())
    kinds = {to} if isinstance(to, str) else set(targets.dropna())
    if help_text is None:
        if kinds == {"profile"}:
            help_text = "Click a row to open that ISCM's profile." if every else "Click an ISCM's row to open its profile."
        elif kinds == {"country"}:
            help_text = "Click a row to open that country's page." if every else "Click a State's row to open its page."
        else:
            help_text = "Click an ISCM's row to open its profile, a State's row to open its page."
    st.caption(help_text)
    sel = getattr(event, "selection", None)
    rows = list(getattr(sel, "rows", None) or []) + [c[0] for c in (getattr(sel, "cells", None) or [])]
    if rows and 0 <= rows[0] < len(table):
        kind = targets.iloc[rows[0]]
        target = str(table[id_column].iloc[rows[0]])
        if kind == "profile":
            open_profile(target)
        elif kind == "country":
            open_country(target)
    return event


def link_table(table: pd.DataFrame, *, key: str, id_column: str, to: str, label: str, keep_id: bool = False,
               hide: tuple[str, ...] = (), wrap: tuple[str, ...] = (), help_text: str | None = None,
               csv_name: str | None = None, drop: tuple[str, ...] = ()) -> None:
    """A reading table (components.tables.html_table) whose row names link to their page: `to` is "profile"
    (id_column holds ISCM ids) or "country" (ISO3 codes). A link opens the page in this tab with the filters;
    the table's rows download as CSV (`csv_name`, the file's stem) as a grid's toolbar would offer. `drop`:
    URL parameters of this page that are not filters to carry (see page_href)."""
    from iscm.export_tables import to_csv_bytes

    shown = table.drop(columns=[*([] if keep_id else [id_column]), *hide]).reset_index(drop=True)
    hrefs = [page_href(to, str(v), drop) for v in table[id_column]]
    st.html(html_table(shown, key=key, label=label, links=hrefs, wrap=wrap, theme=theme_type()))
    what = "its profile" if to == "profile" else "that country's page"
    st.caption(help_text or f"{len(shown)} rows. Each name opens {what}.")
    if csv_name:
        st.download_button(f"{csv_name}.csv", data=lambda: to_csv_bytes(shown), file_name=f"{csv_name}.csv",
                           mime="text/csv", icon=":material/download:", key=f"{key}_csv", on_click="ignore",
                           type="tertiary")
