"""Figures assembled from plain dicts, without Plotly's per-property validation.

Plotly checks every property of every trace and layout update against its schema. For the app's figures
(hundreds of hover texts, a choropleth of 240 shapes, 500 grid cells) that checking cost more CPU than
everything else on a page rerun: `Figure.update_geos` alone took longer than building a map's data. The
builders in this package therefore write traces and layout as dicts and hand them to `go.Figure` once,
unvalidated. Nothing is lost: the tests rebuild every such figure through Plotly's validating
constructor, so a misspelt property fails there instead of being silently ignored by the browser.

The house style comes from `iscm.figures._house` (`house_layout()` as a dict), the same for every figure.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go


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


def frozen(spec: dict[str, Any]) -> FrozenFigure:
    """A FrozenFigure whose `to_dict()` is `spec` (a figure's dict, e.g. one prepared for the browser)."""
    fig = FrozenFigure(_validate=False)
    fig._frozen_dict = spec
    return fig
