"""Global filter widgets in the sidebar, kept in the URL so that a copied link reproduces the view.

The URL is the source of truth: on every run the widgets are seeded from `st.query_params` (a pasted link, a
chart click that set a filter, a page switch), and a widget change writes the URL back before the rerun.
Values are ids (`?iscm=prague-process&theme=asylum_protection`), not display names, so links stay stable.
"""

from __future__ import annotations

import streamlit as st

from iscm.dataset import Dataset
from iscm.filters import PARAMS, Filters
from iscm.model import ISCM_TYPE_LABELS
from iscm.regions import MACRO_REGIONS


def current_filters() -> Filters:
    return Filters.from_params({p: st.query_params.get_all(p) for p in PARAMS})


def set_filter(param: str, values: list[str] | tuple[str, ...]) -> None:
    """Set one filter in the URL (e.g. from a chart click); the widgets follow on this run."""
    if values:
        st.query_params[param] = ",".join(values)
    elif param in st.query_params:
        del st.query_params[param]


def _on_change(param: str) -> None:
    set_filter(param, st.session_state[f"flt_{param}"])


_CHOICES: dict[str, tuple[dict[str, list[str]], dict[str, str], dict[str, str]]] = {}


def _choices(ds: Dataset) -> tuple[dict[str, list[str]], dict[str, str], dict[str, str]]:
    """Options and display names of the filters, computed once per dataset version (not on every rerun)."""
    hit = _CHOICES.get(ds.version)
    if hit is None:
        options = {
            "iscm": ds.iscms.sort_values("short_name")["iscm_id"].tolist(),
            "theme": ds.themes["theme_id"].tolist(),
            "region": list(MACRO_REGIONS),
            "type": list(ISCM_TYPE_LABELS),
        }
        names = dict(zip(ds.iscms["iscm_id"], ds.iscms["short_name"], strict=True))
        labels = dict(zip(ds.themes["theme_id"], ds.themes["label"], strict=True))
        if len(_CHOICES) > 16:  # versions only grow when data or imports change; keep the dict small
            _CHOICES.clear()
        hit = _CHOICES[ds.version] = (options, names, labels)
    return hit


def filter_sidebar(ds: Dataset) -> Filters:
    """Draw the four global filters and return the filters now in force (unknown URL values dropped)."""
    url = current_filters()
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
        valid = [v for v in getattr(url, field) if v in options[param]]
        key = f"flt_{param}"
        # The URL always wins: a pasted link, a chart click that set a filter, or a page switch (a page's
        # widgets are new widgets, whatever their key held). A widget change writes the URL before the rerun,
        # so seeding from the URL never undoes the user's choice.
        st.session_state[key] = valid
        value = st.sidebar.multiselect(
            titles[param], options[param], key=key, format_func=formats[param],
            on_change=_on_change, args=(param,), placeholder=f"All {titles[param].lower()}s"
            if param != "iscm" else "All ISCMs",
        )
        chosen[field] = tuple(value)
    flt = Filters(**chosen)
    if flt.active and st.sidebar.button("Clear filters", icon=":material/filter_alt_off:", key="flt_clear"):
        for param in PARAMS:
            set_filter(param, [])
        st.rerun()
    return flt
