"""A page's sections as tabs, drawn only while open, with one "Download all" for every chart of the page.

What a user waits for after a click is the browser drawing charts, so a page with several sections shows
them as tabs and runs only the open one (`st.tabs(on_change="rerun")`; the open tab's label is in the URL,
`?section=...`, so a copied link reopens it). A closed tab's charts still belong to the page's "Download all":
each section names builders of its charts' `chart_panel.chart_item`, run only when the ZIP is made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from components.chart_panel import download_all_button
from iscm.export import ChartItem
from iscm.filters import Filters

SECTION_PARAM = "section"  # the query parameter (and widget key) of the open tab

Section = tuple[Callable[[], None], Sequence[Callable[[], ChartItem | None]]]  # (draw, closed-tab chart builders)


def tabbed_sections(sections: Mapping[str, Section], *, filters: Filters, default: str | None = None) -> None:
    """Draw `sections` (label -> (draw, chart builders)) as tabs, only the open one, then "Download all"."""
    hidden: list[Callable[[], ChartItem | None]] = []
    tabs = st.tabs(list(sections), default=default, key=SECTION_PARAM, bind="query-params", on_change="rerun")
    for tab, (draw, items) in zip(tabs, sections.values(), strict=True):
        if tab.open:
            with tab:
                draw()
        else:
            hidden += items
    download_all_button(filters=filters, hidden=hidden)


def open_section(label: str) -> None:
    """Open the tab `label` on the next run (e.g. after a chart click); call it before `st.rerun()`. Takes
    effect when the page's tabs are drawn next, since a drawn widget's state cannot change in the same run."""
    st.session_state[_WANTED] = label


_WANTED = "_sections_open"


def apply_open_section() -> None:
    """Called by the page before it draws its tabs: open the tab `open_section` asked for."""
    if (wanted := st.session_state.pop(_WANTED, None)) is not None:
        st.session_state[SECTION_PARAM] = wanted
