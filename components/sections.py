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


def tabbed_sections(sections: Mapping[str, Section], *, filters: Filters) -> None:
    """Draw `sections` (label -> (draw, chart builders)) as tabs, only the open one, then "Download all"."""
    hidden: list[Callable[[], ChartItem | None]] = []
    tabs = st.tabs(list(sections), key=SECTION_PARAM, bind="query-params", on_change="rerun")
    for tab, (draw, items) in zip(tabs, sections.values(), strict=True):
        if tab.open:
            with tab:
                draw()
        else:
            hidden += items
    download_all_button(filters=filters, hidden=hidden)
