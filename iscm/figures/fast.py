"""Figures assembled from plain dicts, without Plotly's per-property validation.

Plotly checks every property of every trace and layout update against its schema. For the app's figures
(hundreds of hover texts, a choropleth of 240 shapes, 500 grid cells) that checking cost more CPU than
everything else on a page rerun: `Figure.update_geos` alone took longer than building a map's data. The
builders in this package therefore write traces and layout as dicts and hand them to `go.Figure` once,
unvalidated. Nothing is lost: the tests rebuild every such figure through Plotly's validating
constructor, so a misspelt property fails there instead of being silently ignored by the browser.

`house_layout()` is the layout part of `iscm.figures.common.style()` as a dict (a test keeps the two
equal), so these figures look exactly like the ones styled through `style()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from iscm.figures.common import FONT


def merge(*parts: Mapping[str, Any] | None) -> dict[str, Any]:
    """A new dict: the parts deep-merged left to right (later wins; nested dicts merge key by key; None
    parts are skipped). The same rule as `Figure.update_layout`: {"legend": {"x": 0}} keeps a legend's
    other settings. The parts are not modified."""
    out: dict[str, Any] = {}
    for part in parts:
        for key, value in (part or {}).items():
            if isinstance(value, Mapping):
                out[key] = merge(out[key] if isinstance(out.get(key), dict) else None, value)
            else:
                out[key] = value
    return out


def house_layout(title: str, *, subtitle: str = "", x_title: str | None = None, y_title: str | None = None,
                 height: int | None = None) -> dict[str, Any]:
    """The layout `style()` gives: title left, house fonts, transparent backgrounds, axis titles, height."""
    text = title if not subtitle else f"{title}<br><sup>{subtitle}</sup>"
    layout: dict[str, Any] = {
        "title": {"text": text, "x": 0, "xanchor": "left", "font": {"size": 17}},
        "font": {"family": FONT, "size": 13},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
        "legend": {"bgcolor": "rgba(0,0,0,0)"},
    }
    if x_title is not None:
        layout["xaxis"] = {"title": {"text": x_title}}
    if y_title is not None:
        layout["yaxis"] = {"title": {"text": y_title}}
    if height:
        layout["height"] = height
    return layout


def figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A go.Figure of plain trace dicts (each with its "type") and a layout dict, built without validation."""
    return go.Figure(data=traces, layout=layout, _validate=False)


class FrozenFigure(go.Figure):
    """A finished figure whose `to_dict()` is computed once and then returned as is.

    Drawing a chart starts with `fig.to_dict()`, a deep copy of every trace and of the whole template that
    is then scanned for arrays to encode; for a figure that a cache hands out unchanged on every rerun,
    that copy is the same each time and cost more than the rest of the drawing. A frozen figure must not
    be changed after freezing, and the dict its `to_dict()` returns is shared: read it, never modify it
    (copy it first, as `iscm.export.report_figure` does).
    """

    def to_dict(self) -> dict[str, Any]:
        frozen = self.__dict__.get("_frozen_dict")
        return frozen if frozen is not None else super().to_dict()


def freeze(fig: go.Figure) -> FrozenFigure:
    """Freeze `fig` itself (for a figure that is cached and only read from then on) and return it.

    The figure becomes a FrozenFigure in place: building a second figure from its dict would cost
    another deep copy of every trace.
    """
    spec = fig.to_dict()
    fig.__class__ = FrozenFigure
    fig._frozen_dict = spec
    return fig  # type: ignore[return-value]
