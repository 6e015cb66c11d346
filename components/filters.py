"""Global filter widgets in the sidebar, kept in the URL so that a copied link reproduces the view.

The URL is the source of truth: on every run the widgets are seeded from `st.query_params` (a pasted link, a
chart click that set a filter, a page switch), and a widget change writes the URL back before the rerun
(`components.url_state.url_widget`, the binding every page uses).
Values are ids (`?iscm=prague-process&theme=asylum_protection`), not display names, so links stay stable.
"""

from __future__ import annotations

import streamlit as st

from components.url_state import set_url, url_values, url_widget
from iscm.dataset import Dataset
from iscm.filters import PARAMS, Filters
from iscm.model import ISCM_TYPE_LABELS
from iscm.regions import MACRO_REGIONS


def current_filters() -> Filters:
    return Filters.from_params({p: url_values(p) for p in PARAMS})


Choices = tuple[dict[str, list[str]], dict[str, str], dict[str, str]]


def _choices(ds: Dataset) -> Choices:
    """Options and display names of the filters, computed once per dataset (memoised on it)."""
    return ds.memo("components.filters._choices", _build_choices)


def _build_choices(ds: Dataset) -> Choices:
    options = {
        "iscm": ds.iscms.sort_values("short_name")["iscm_id"].tolist(),
        "theme": ds.themes["theme_id"].tolist(),
        "region": list(MACRO_REGIONS),
        "type": list(ISCM_TYPE_LABELS),
    }
    names = dict(zip(ds.iscms["iscm_id"], ds.iscms["short_name"], strict=True))
    labels = dict(zip(ds.themes["theme_id"], ds.themes["label"], strict=True))
    return options, names, labels


def filter_sidebar(ds: Dataset, held: dict[str, tuple[str, ...]] | None = None) -> Filters:
    """Draw the four global filters and return the filters now in force (unknown URL values dropped).

    `held` gives filters that this page's URL does not set, because the page uses their parameter for itself
    (the Profile's `?iscm=` is its ISCM, not a filter): they are not drawn and keep the value they had."""
    options, names, labels = _choices(ds)
    formats = {
        "iscm": lambda i: names.get(i, i),
        "theme": lambda t: labels.get(t, t),
        "region": str,
        "type": lambda t: f"{t} · {ISCM_TYPE_LABELS[t]}",
    }
    titles = {"iscm": "ISCM", "theme": "Theme", "region": "Region", "type": "Type"}
    chosen: dict[str, tuple[str, ...]] = {}
    st.sidebar.markdown("#### Filters")
    for param, field in PARAMS.items():
        if held is not None and param in held:
            chosen[field] = tuple(v for v in held[param] if v in options[param])
            st.sidebar.caption(f"{titles[param]} filter: set on the other pages.")
            continue
        # Seeded from the URL on every run, unknown values dropped (components/url_state.py).
        value = url_widget(
            st.sidebar.multiselect, param, label=titles[param], options=options[param], key=f"flt_{param}",
            format_func=formats[param], placeholder=f"All {titles[param].lower()}s"
            if param != "iscm" else "All ISCMs",
        )
        chosen[field] = tuple(value)
    flt = Filters(**chosen)
    if flt.active and st.sidebar.button("Clear filters", icon=":material/filter_alt_off:", key="flt_clear"):
        for param in PARAMS:
            set_url(param, [])
        st.rerun()
    return flt
