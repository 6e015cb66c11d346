"""State in the URL: widgets bound to a query parameter, and chart clicks followed into the URL.

The URL is the source of truth for everything a copied link should reproduce (the global filters, the ISCM
of a profile, the ISCMs compared, the State of the Country page, the node of the network). Every page uses
the same two pieces:

- `url_widget(container.selectbox, "iso3", key=..., options=...)`: on every run the widget is seeded from
  the URL (a pasted link, a chart click, a page switch: a page's widgets are new widgets, whatever their key
  held), and a change of the widget writes the URL back before the rerun, so seeding never undoes a choice.
- `follow_click(values, param=..., chart=...)`: a click on a chart puts the clicked ids into the URL and
  reruns the whole app (a click inside a fragment would otherwise redraw only that fragment). Each click
  is applied once: the chart is redrawn with no selection (its key, `chart_key(chart)`, changes).

Values are ids, comma-separated for several (`?iscm=prague-process,budapest-process`), so links stay stable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import streamlit as st

_UNSET: Any = object()
_MULTI = {"multiselect"}  # widgets whose value is a list (the others hold one value or None)


def url_values(param: str) -> list[str]:
    """The values of a query parameter: comma-separated or repeated, blanks and duplicates dropped."""
    items = st.query_params.get_all(param)
    return list(dict.fromkeys(v.strip() for item in items for v in str(item).split(",") if v.strip()))


def url_value(param: str) -> str | None:
    """The first value of a query parameter (`url_values`), or None when it has none."""
    return next(iter(url_values(param)), None)


def set_url(param: str, values: str | Iterable[str] | None) -> None:
    """Put values into the URL as one comma-separated parameter; no value removes the parameter."""
    values = [values] if isinstance(values, str) else [v for v in (values or []) if v]
    if values:
        st.query_params[param] = ",".join(values)
    elif param in st.query_params:
        del st.query_params[param]


def url_widget(widget: Callable[..., Any], param: str, *, key: str, options: Sequence[Any], label: str,
               value: Any = _UNSET, parse: Callable[[str], str] | None = None, **kwargs: Any) -> Any:
    """Draw `widget` (e.g. `st.sidebar.multiselect`, `col.selectbox`) bound to the query parameter `param`.

    The widget shows the URL's values that are among `options` (each passed through `parse` first, e.g.
    `str.upper`): all of them for a multiselect, the first for a single-value widget (None when there is
    none). `value` replaces what the URL gives when a page derives the value itself (Compare falls back to
    the ISCM filter). A change writes the widget's value to the URL (`set_url`). Returns the widget's value.
    """
    if value is _UNSET:
        known = set(options)
        found = list(dict.fromkeys(v for v in (parse(x) if parse else x for x in url_values(param)) if v in known))
        value = found if _is_multi(widget) else (found[0] if found else None)
    st.session_state[key] = value
    return widget(label, options, key=key, on_change=lambda: set_url(param, st.session_state[key]), **kwargs)


def _is_multi(widget: Callable[..., Any]) -> bool:
    return getattr(widget, "__name__", "") in _MULTI


# ------------------------------------------------------------------------------------------- chart clicks
def _nonce_key(chart: str) -> str:
    return f"_url_state_nonce_{chart}"


def chart_key(chart: str) -> str:
    """The widget key of a chart whose clicks are followed: it changes after each followed click, so the
    redrawn chart starts with no selection (the same click is never applied twice, and clearing the filter
    in the sidebar sticks)."""
    return f"{chart}_{st.session_state.get(_nonce_key(chart), 0)}"


def reset_chart(chart: str) -> None:
    """Redraw the chart `chart` with no selection on the next run (a new `chart_key`)."""
    st.session_state[_nonce_key(chart)] = st.session_state.get(_nonce_key(chart), 0) + 1


def follow_click(values: str | Sequence[str] | None, *, param: str, chart: str,
                 current: Sequence[str] | None = None) -> None:
    """Put the ids of a chart click into the URL parameter `param` and rerun the app.

    `values` are the clicked ids (see `components.clicks`); `current` what the page shows now (by default
    the URL's values): a click that changes nothing is ignored. The chart (drawn with key
    `chart_key(chart)`) is redrawn with no selection, so a click counts once.
    """
    clicked = [values] if isinstance(values, str) else [v for v in (values or []) if v]
    now = url_values(param) if current is None else list(current)
    if not clicked or clicked == now:
        return
    set_url(param, clicked)
    reset_chart(chart)
    st.rerun()
