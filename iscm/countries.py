"""Country codes and names: ISO 3166 alpha-3 through pycountry, plus Kosovo (XKX).

XKX is a user-assigned code (not in ISO 3166) that the EU, IOM and others use for Kosovo.
"""

from __future__ import annotations

from functools import cache

import pycountry

EXTRA_CODES = {"XKX": "Kosovo"}


@cache
def _alpha3_names() -> dict[str, str]:
    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update(EXTRA_CODES)
    return names


def is_valid_iso3(code: str) -> bool:
    """True for an ISO 3166 alpha-3 code (any case) or XKX."""
    return isinstance(code, str) and code.upper() in _alpha3_names()


def country_name(iso3: str) -> str:
    """Short English name for a code; the code itself when unknown (never raises on user data)."""
    return _alpha3_names().get(iso3.upper(), iso3)


def all_iso3() -> frozenset[str]:
    return frozenset(_alpha3_names())
