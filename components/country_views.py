"""Cached views of the Country page: a State's ISCMs, fellow-members map, themes and organizations.

Keyed like the other views (`components.frame.ViewKey`: data version and filters) plus the State; shared
read-only by all sessions. In a module, not the page script, so the cached functions are made once per process.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from components.frame import ViewKey, view_cache
from iscm import country as cty
from iscm import membership as mb
from iscm.dataset import Dataset
from iscm.figures import maps
from iscm.figures.fast import freeze

TTL = "1h"


@view_cache(max_entries=8, ttl=TTL)
def names(version: str, _full: Dataset) -> dict[str, str]:
    """iso3 -> name of every State the whole dataset lists in an ISCM, by name (per data version)."""
    return cty.country_names(_full)


@dataclass(frozen=True)
class CountryView:
    table: pd.DataFrame  # the State's ISCMs under the filters (iscm.country.iscms_of)
    n_all: int  # its ISCMs in the whole dataset
    fellow: go.Figure | None
    fellow_data: pd.DataFrame | None
    themes: pd.DataFrame  # themes its ISCMs cover, with the ISCMs covering each
    themes_fig: go.Figure | None
    organizations: pd.DataFrame
    sources: list[str]


@view_cache(max_entries=64, ttl=TTL)
def country_view(key: ViewKey, code: str, country: str, subtitle: str, _ds: Dataset, _full: Dataset) -> CountryView:
    table = cty.iscms_of(_ds, code)
    n_all = _full.memberships.loc[_full.memberships["iso3"] == code, "iscm_id"].nunique()
    if table.empty:
        return CountryView(table, n_all, None, None, pd.DataFrame(), None, pd.DataFrame(), [])
    fellow = mb.fellow_members_table(_ds.memberships, _ds.iscms, code)
    n_mine = table["iscm_id"].nunique()
    themes = cty.themes_of(_ds, code)
    return CountryView(
        table=table, n_all=n_all,
        fellow=freeze(maps.fellow_members_map(fellow, code, country, n_mine, subtitle=subtitle)),
        fellow_data=fellow,
        themes=themes,
        themes_fig=None if themes.empty else freeze(maps.country_themes_figure(
            mb.country_themes(_ds.memberships, _ds.iscms, _ds.iscm_themes, _ds.themes, code), country,
            subtitle=subtitle)),
        organizations=cty.organizations_of(_ds, code),
        sources=_ds.sources_for(table["iscm_id"].unique().tolist()),
    )
