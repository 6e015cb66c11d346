"""Chart clicks read from Streamlit's plotly selection events: which ISCM, theme, State or node was clicked.

`st.plotly_chart(..., on_select="rerun", selection_mode="points")` returns an event whose `selection.points`
lists the clicked points as dicts. Our figures put ids first in each point's `customdata` (an ISCM or theme
id, an ISO3 code, a node id); these functions turn a click into those ids. Each accepts the event itself
(an attribute object or a plain dict) or its list of points. `components.url_state.follow_click` then puts
the ids into the URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from iscm.network import split_node

Points = Sequence[Mapping[str, Any]]


def selected_points(event: object) -> list[Mapping[str, Any]]:
    """The clicked points of a selection event (or of a list of points as given); [] for no click."""
    if not event:
        return []
    if isinstance(event, list | tuple):
        return list(event)
    sel = event.get("selection") if isinstance(event, Mapping) else getattr(event, "selection", None)
    if not sel:
        return []
    points = sel.get("points") if isinstance(sel, Mapping) else getattr(sel, "points", None)
    return list(points or [])


def _first(cd: object) -> object:
    return (cd[0] if cd else None) if isinstance(cd, list | tuple) else cd


def selected_customdata(event: object, index: int = 0) -> list[str]:
    """The distinct values at position `index` of the clicked points' customdata, in click order.

    A click (or shift-click multi-selection) on a coverage cell, a prevalence bar or a similar-ISCM bar gives
    the ISCM or theme ids to filter to. Points without customdata are ignored.
    """
    out: list[str] = []
    for p in selected_points(event):
        cd = p.get("customdata")
        if isinstance(cd, list | tuple) and len(cd) > index and cd[index] not in (None, ""):
            out.append(str(cd[index]))
        elif isinstance(cd, str) and index == 0 and cd:
            out.append(cd)
    return list(dict.fromkeys(out))


def selected_iso3(event: object) -> str | None:
    """ISO3 code of the first clicked shape or marker on a map, if any (shapes give `location`, the markers
    of small States their code as customdata)."""
    for p in selected_points(event):
        code = _first(p.get("customdata")) or p.get("location")
        if isinstance(code, str) and len(code) == 3:
            return code.upper()
    return None


def selected_node(event: object) -> str | None:
    """The node id of the first clicked node marker on the network chart, else None.

    Only node markers carry a node id as customdata; edge midpoints and highlight rings do not count.
    """
    for p in selected_points(event):
        cd = _first(p.get("customdata"))
        if isinstance(cd, str) and split_node(cd)[0]:
            return cd
    return None
