"""No two categories of a chart share both colour and marker shape, on every chart of every page.

A category is a legend entry. Its look is its colour and its shape: the marker symbol of a marker trace,
the dash of a line, "bar" for bars, "area" for a map layer or a filled area. Two colours count as the same
when a reader could not tell them apart: closer than ``MIN_DELTA_E`` (CIE76 ΔE in Lab, translucent colours
laid on white), with normal colour vision and as simulated for protanopia, deuteranopia and tritanopia
(Machado, Oliveira and Fernandes 2009, full severity). Two categories may share a colour if their shapes
differ (circles for ISCMs, diamonds for organizations on the network), or a shape if their colours do.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from iscm.figures import network as network_fig
from iscm.palette import ISCM_TYPE_COLORS, ORG_KIND_COLORS
from tests.page_charts import page_charts

MIN_DELTA_E = 10.0
CVD = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def rgb(color: str) -> np.ndarray:
    """sRGB in 0..1 of '#RRGGBB', 'rgb(...)' or 'rgba(...)' (alpha laid over white)."""
    c = color.strip()
    if c.startswith("#"):
        return np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)], dtype=float) / 255
    m = re.match(r"rgba?\(([^)]+)\)", c)
    assert m, f"unknown colour {color!r}"
    parts = [float(x) for x in m.group(1).split(",")]
    alpha = parts[3] if len(parts) == 4 else 1.0
    return (np.array(parts[:3]) / 255) * alpha + (1 - alpha)


def lab(srgb: np.ndarray, vision: str = "normal") -> np.ndarray:
    lin = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    lin = np.clip(CVD[vision] @ lin, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def same_colour(a: str, b: str) -> str | None:
    """The vision under which two colours cannot be told apart, or None."""
    for vision in CVD:
        if np.linalg.norm(lab(rgb(a), vision) - lab(rgb(b), vision)) < MIN_DELTA_E:
            return vision
    return None


def _first(value):  # noqa: ANN001, ANN202 - a colour or a per-point list of colours
    if isinstance(value, list | tuple) and value:
        return value[0]
    return value


def categories(fig) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """(legend entry, colour, shape) of every legend entry of a figure."""
    out = []
    for t in fig.data:
        if t.showlegend is False or not t.name:
            continue
        if t.type in ("heatmap", "choropleth") and t.showlegend is not True:
            continue
        if t.type == "bar":
            out.append((t.name, _first(t.marker.color), "bar"))
        elif t.type == "choropleth":
            out.append((t.name, t.colorscale[0][1], "area"))
        elif t.type in ("scatter", "scattergeo"):
            mode = t.mode or "markers"
            if t.stackgroup or t.fill not in (None, "none"):
                out.append((t.name, t.fillcolor or t.line.color, "area"))
            elif "markers" in mode:
                out.append((t.name, _first(t.marker.color), f"marker:{t.marker.symbol or 'circle'}"))
            else:
                out.append((t.name, t.line.color, f"line:{t.line.dash or 'solid'}"))
    return out


def clashes(fig) -> list[str]:  # noqa: ANN001
    found = []
    for (na, ca, sa), (nb, cb, sb) in itertools.combinations(categories(fig), 2):
        if sa == sb and ca and cb:
            vision = same_colour(ca, cb)
            if vision:
                found.append(f"{na!r} and {nb!r}: {sa}, {ca} ~ {cb} ({vision})")
    return found


@pytest.fixture(scope="module")
def charts(tmp_path_factory):
    return page_charts(tmp_path_factory.mktemp("palette-home"))


def test_the_rule_itself():
    assert same_colour("#0072B2", "#0072B2") == "normal"
    assert same_colour("#A8A8A8", "#9A9A9A") == "normal"  # two mid greys: the same to a reader
    assert same_colour("#0072B2", "#E69F00") is None  # Okabe-Ito blue and orange, apart for everyone
    assert same_colour("#E69F00", "#009E73") is None
    # plotly's default red and green (D3 category10): one colour under deuteranopia
    assert same_colour("#D62728", "#2CA02C") == "deuteranopia"


def test_no_two_categories_share_colour_and_shape_on_any_chart(charts):
    with_categories = [c for c in charts if len(categories(c.item.report())) > 1]
    assert len(with_categories) >= 15  # maps, network, bars, coverage, profile charts ...
    problems = [f"{c.name}: {x}" for c in with_categories for x in clashes(c.item.report())]
    assert problems == [], "\n".join(problems)


def test_network_uses_shape_and_colour_for_its_ten_node_categories():
    """3 ISCM types and 7 organization kinds: more than Okabe-Ito's 8 colours. Organizations are diamonds
    in Paul Tol's muted colours, none of them an ISCM type's colour, so no two kinds share colour AND shape,
    and no organization kind is even the colour of an ISCM type."""
    assert len(ISCM_TYPE_COLORS) + len(ORG_KIND_COLORS) == 10
    for org_color in ORG_KIND_COLORS.values():
        for iscm_color in ISCM_TYPE_COLORS.values():
            assert same_colour(org_color, iscm_color) != "normal", (org_color, iscm_color)
    for a, b in itertools.combinations(ORG_KIND_COLORS.values(), 2):
        assert same_colour(a, b) is None, (a, b)
    assert network_fig.NODE_SYMBOL["iscm"] != "diamond" and network_fig.NODE_SYMBOL["state"] != "diamond"
