"""Colours and type: one colour-blind-safe qualitative palette (Okabe & Ito), one sequential scale for
counts, and the one font family of every chart and export.

The Okabe-Ito colours stay distinguishable under the common colour-vision deficiencies and read on both a
white and a dark background; grey is kept for "none/other".
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
ORG_KIND_COLORS = {
    "un": OKABE_ITO["sky_blue"],
    "eu": OKABE_ITO["yellow"],
    "rec": OKABE_ITO["vermillion"],
    "igo": OKABE_ITO["purple"],
    "civil_society": OKABE_ITO["green"],
    "academia": OKABE_ITO["orange"],
    "other": OKABE_ITO["grey"],
}
# Sequential (light to dark blue), perceptually ordered and readable on light and dark backgrounds.
SEQUENTIAL = "Blues"
SEQUENTIAL_COLORS = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"]
NONE_COLOR = "rgba(153,153,153,0.25)"
