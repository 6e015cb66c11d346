"""Cached views of the Membership page: every table and figure it shows, per data version, filters and control.

The page draws; this module computes. Each function is keyed on `key` (`components.frame.ViewKey`: data
version and filters), which pins down the filtered dataset passed unhashed as `_ds`, plus the control values.
Results are shared by all sessions (`components.frame.view_cache`) and must only be read: figures are frozen
(`iscm.figures.fast.freeze`) and DataFrames are never modified in place by the page. Defined in a module
rather than in the page script so the cached functions are created once per process, not on every rerun.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from components.frame import ViewKey, view_cache
from iscm import membership as mb
from iscm.dataset import Dataset
from iscm.figures import maps
from iscm.figures.fast import freeze

MEMBERS_AND_OBSERVERS = ("member", "observer")
# Bounds of the shared caches: an entry holds about 0.1 MB at most (pickled: the density map or a country view
# with its fellow-members map; most hold 0.03-0.05 MB), so all of them together stay near 20 MB at worst, and
# entries nobody asked for in an hour are dropped.
TTL = "1h"


@dataclass(frozen=True)
class Basics:
    """Per data version and filter state: names, choices and defaults the sections start from."""

    names: dict[str, str]  # iscm_id -> short name (filtered ISCMs)
    ids_by_name: list[str]  # filtered ISCM ids by short name
    default_iscm: str  # the largest regional consultative process (a regional map reads best first)
    country_names: dict[str, str]  # iso3 -> name, every State in the whole dataset
    countries: list[str]  # iso3 codes by name


@view_cache(max_entries=16, ttl=TTL)
def basics(key: ViewKey, _ds: Dataset, _full: Dataset) -> Basics:
    names = dict(zip(_ds.iscms["iscm_id"], _ds.iscms["short_name"], strict=True))
    ids_by_name = _ds.iscms.sort_values("short_name")["iscm_id"].tolist()
    sizes = _ds.memberships.groupby("iscm_id")["iso3"].nunique()
    rcps = sizes[sizes.index.isin(_ds.iscms.loc[_ds.iscms["type"] == "RCP", "iscm_id"])]
    pool = rcps if not rcps.empty else sizes
    first = _full.memberships.drop_duplicates("iso3")
    country_names = dict(zip(first["iso3"], first["country"], strict=True))
    return Basics(names=names, ids_by_name=ids_by_name,
                  default_iscm=pool.idxmax() if not pool.empty else ids_by_name[0],
                  country_names=country_names, countries=sorted(country_names, key=country_names.__getitem__))


@view_cache(max_entries=32, ttl=TTL)
def iscm_map_view(key: ViewKey, chosen: tuple[str, ...], zoom: bool, subtitle: str,
                  _ds: Dataset) -> tuple[go.Figure, pd.DataFrame, list[str]]:
    """The map of the chosen ISCMs, its data (the members of one, or the participation in several), sources."""
    if len(chosen) == 1:
        members = mb.members_of(_ds.memberships, chosen[0])
        fig = maps.members_map(members, mb.iscm_names(_ds.iscms).get(chosen[0], chosen[0]), zoom=zoom,
                               open_participation=mb.is_open(_ds.iscms, chosen[0]), subtitle=subtitle)
        data = members.drop(columns=["iscm_id"])
    else:
        data = mb.participation_table(_ds.memberships, _ds.iscms, list(chosen))
        fig = maps.participation_map(data, len(chosen), zoom=zoom, subtitle=subtitle)
    return freeze(fig), data, _ds.sources_for(list(chosen))


@view_cache(max_entries=16, ttl=TTL)
def density_view(key: ViewKey, roles: tuple[str, ...], subtitle: str,
                 _ds: Dataset) -> tuple[go.Figure, pd.DataFrame, list[str]]:
    table = mb.participation_table(_ds.memberships, _ds.iscms, roles=roles)
    return (freeze(maps.density_map(table, roles=roles, subtitle=subtitle)), table,
            _ds.sources_for(_ds.iscms["iscm_id"]))


@view_cache(max_entries=16, ttl=TTL)
def overlap_view(key: ViewKey, roles: tuple[str, ...], _ds: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shared States and Jaccard index of every pair of ISCMs, computed together (one clustered order)."""
    return mb.overlap_tables(_ds.memberships, _ds.iscms["iscm_id"].tolist(), iscms=_ds.iscms, roles=roles)


@view_cache(max_entries=16, ttl=TTL)
def overlap_chart(key: ViewKey, roles: tuple[str, ...], metric: str, subtitle: str,
                  _ds: Dataset) -> tuple[go.Figure, pd.DataFrame, list[str]]:
    count, jac = overlap_view(key, roles, _ds)
    matrix = count if metric == "count" else jac
    fig = maps.overlap_figure(matrix, metric, roles=roles, subtitle=subtitle)
    return freeze(fig), matrix.reset_index(), _ds.sources_for(_ds.iscms["iscm_id"].tolist())


@view_cache(max_entries=16, ttl=TTL)
def default_pair(key: ViewKey, roles: tuple[str, ...], _ds: Dataset, _full: Dataset) -> tuple[str, str]:
    """The two ISCMs whose participants overlap most (Jaccard), as the comparison's first view."""
    _, jac = overlap_view(key, roles, _ds)
    b = basics(key, _ds, _full)
    by_label = dict(zip(_ds.iscms["short_name"], _ds.iscms["iscm_id"], strict=True))
    pairs = jac.where(~(jac.index.to_numpy()[:, None] == jac.columns.to_numpy()[None, :])).stack()
    if len(by_label) == len(jac) and not pairs.empty:
        best = pairs.idxmax()
        return by_label[best[0]], by_label[best[1]]
    return b.ids_by_name[0], b.ids_by_name[1]


@dataclass(frozen=True)
class PairView:
    counts: dict[str, int]  # both / only_a / only_b
    table: pd.DataFrame  # side by side, ready to show
    fig: go.Figure
    data: pd.DataFrame  # the map's CSV
    sources: list[str]


@view_cache(max_entries=32, ttl=TTL)
def pair_view(key: ViewKey, a: str, b: str, roles: tuple[str, ...], subtitle: str, _ds: Dataset,
              _full: Dataset) -> PairView:
    names = basics(key, _ds, _full).names
    cmp = mb.pair_compare(_ds.memberships, a, b, roles=roles)
    counts = cmp["group"].value_counts()
    return PairView(
        counts={g: int(counts.get(g, 0)) for g in ("both", "only_a", "only_b")},
        table=mb.pair_table(cmp, names[a], names[b]),
        fig=freeze(maps.pair_map(cmp, names[a], names[b], subtitle=subtitle)),
        data=cmp.assign(iscm_a=a, iscm_b=b), sources=_ds.sources_for([a, b]),
    )
