"""Macro regions: the coarse region filter over the finer regions the ISCM files name.

Files use the region names their sources use (UN M49 sub-regions such as "Western Africa", or broader ones
such as "Sub-Saharan Africa"). Filtering needs one small, stable vocabulary; this maps each name onto it.
"""

from __future__ import annotations

MACRO_REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania", "Global")

_EXACT = {
    "global": "Global",
    "caribbean": "Americas",
    "latin america and the caribbean": "Americas",
    "oceania": "Oceania",
    "pacific": "Oceania",
    "middle east": "Asia",
}


def macro_region(region: str) -> str | None:
    """Return the macro region of a region name, or None when the name is not recognised."""
    key = region.strip().lower()
    if key in _EXACT:
        return _EXACT[key]
    for word, macro in (("africa", "Africa"), ("america", "Americas"), ("asia", "Asia"), ("europe", "Europe")):
        if word in key:
            return macro
    return None
