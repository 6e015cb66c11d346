"""Colours and type: colour-blind-safe qualitative palettes (Okabe & Ito; Paul Tol's "muted"), one
sequential scale for counts, and the one font family of every chart and export.

The Okabe-Ito colours stay distinguishable under the common colour-vision deficiencies and read on both a
white and a dark background; grey is kept for "none/other". Okabe-Ito has eight colours; where a chart
has more categories (the network: three ISCM types and seven kinds of organization) the organizations take
Paul Tol's muted set, chosen so that none of them is the colour of an ISCM type, and a different marker
shape (diamond, not circle) as well. tests/test_palette.py checks that no two categories of any chart
share both colour and shape.
"""

from __future__ import annotations

FONT = "Source Sans Pro, Arial, sans-serif"  # the app's own font first, then a fallback every renderer has

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
QUALITATIVE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "sky_blue", "purple", "yellow", "grey")]

ISCM_TYPE_COLORS = {"RCP": OKABE_ITO["blue"], "IRF": OKABE_ITO["orange"], "Global": OKABE_ITO["green"]}
# Paul Tol, "Colour schemes" (SRON/EPS/TN/09-002), qualitative scheme "muted"; pale grey for missing data.
TOL_MUTED = {
    "indigo": "#332288",
    "cyan": "#88CCEE",
    "teal": "#44AA99",
    "green": "#117733",
    "olive": "#999933",
    "sand": "#DDCC77",
    "rose": "#CC6677",
    "wine": "#882255",
    "purple": "#AA4499",
    "pale_grey": "#DDDDDD",
}
ORG_KIND_COLORS = {
    "un": TOL_MUTED["cyan"],
    "eu": TOL_MUTED["indigo"],
    "rec": TOL_MUTED["rose"],
    "igo": TOL_MUTED["wine"],
    "civil_society": TOL_MUTED["olive"],
    "academia": TOL_MUTED["sand"],
    "other": "#BBBBBB",
}
# Sequential (light to dark blue), perceptually ordered and readable on light and dark backgrounds.
SEQUENTIAL = "Blues"
SEQUENTIAL_COLORS = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]
# Five classes of the same blues (ColorBrewer Blues), spaced evenly in lightness for a classed map legend.
CLASS_COLORS = ["#bdd7e7", "#6baed6", "#3182bd", "#08519c", "#08306b"]
NONE_COLOR = "rgba(153,153,153,0.25)"
