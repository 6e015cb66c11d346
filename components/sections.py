"""A page's sections as tabs, drawn only while open, with one "Download all" for every chart of the page.

What a user waits for after a click is the browser drawing charts, so a page with several sections shows
them as tabs and runs only the open one (`st.tabs(on_change=...)`, which reruns). The open tab's label is in
the URL, `?section=...`, so a copied link reopens it. A closed tab's charts still belong to the page's
"Download all": each section names builders of its charts' `chart_panel.chart_item`, run only when the ZIP is
made.

The URL is the tabs' one source of truth, as for every widget bound to it (`components.url_state`): each run
opens the tab the URL names (the first when it names none or an unknown one), and choosing a tab writes the
URL. Each page's tabs have a key of their own (made from their labels): a tab left open on one page never
decides, or strips from the URL, the tab of the next page (Streamlit's own `bind="query-params"` keys every
page's tabs to the same `section` state).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from components.chart_panel import download_all_button
from components.url_state import set_url, url_value
from iscm.export import ChartItem
from iscm.filters import Filters

SECTION_PARAM = "section"  # the query parameter naming the open tab

Section = tuple[Callable[[], None], Sequence[Callable[[], ChartItem | None]]]  # (draw, closed-tab chart builders)


def tabs_key(labels: Sequence[str]) -> str:
    """The widget key of a page's tabs: one per set of labels, so each page keeps its own."""
    return "section-" + "-".join(re.sub(r"[^a-z0-9]+", "", label.lower()) for label in labels)


def section_tabs(labels: Sequence[str]) -> Sequence[Any]:
    """Tabs for `labels`, the one `?section=` names open (else the first); choosing one writes the URL and
    reruns. Each returned tab has `.open`: draw only into the open one."""
    labels = list(labels)
    key = tabs_key(labels)
    wanted = url_value(SECTION_PARAM)
    st.session_state[key] = wanted if wanted in labels else labels[0]

    def chosen() -> None:
        label = st.session_state[key]
        set_url(SECTION_PARAM, None if label == labels[0] else label)

    return st.tabs(labels, key=key, on_change=chosen)


def tabbed_sections(sections: Mapping[str, Section], *, filters: Filters) -> None:
    """Draw `sections` (label -> (draw, chart builders)) as tabs, only the open one, then "Download all"."""
    hidden: list[Callable[[], ChartItem | None]] = []
    for tab, (draw, items) in zip(section_tabs(list(sections)), sections.values(), strict=True):
        if tab.open:
            with tab:
                draw()
        else:
            hidden += items
    download_all_button(filters=filters, hidden=hidden)
