"""Cached views of the Themes page: every table and figure it shows, per data version, filters and control.

The page draws; this module computes. Each function is keyed on `key` (`components.frame.ViewKey`: data
version and filters), which pins down the filtered dataset passed unhashed as `_ds`, plus the control values.
Results are shared by all sessions (`components.frame.view_cache`) and must only be read: figures are frozen
(`iscm.figures.fast.freeze`) and DataFrames are never modified in place by the page. Defined in a module
rather than in the page script so the cached functions are created once per process, not on every rerun.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go

from components.frame import ViewKey, view_cache
from iscm import membership as mb
from iscm.dataset import Dataset
from iscm.figures import maps
from iscm.figures import themes as figs
from iscm.figures.fast import freeze
from iscm.filters import apply_filters
from iscm.themes import (
    LEVEL_LABELS,
    cells,
    coverage_data,
    coverage_matrix,
    evolution_table,
    prevalence_table,
    similar_table,
    theme_iscms,
    theme_order,
    theme_starts,
)

# Bounds of the shared caches: an entry holds up to about 1 MB (the coverage grid; most hold 0.1-0.5 MB),
# so all of them together stay near 100 MB at worst, and entries nobody asked for in an hour are dropped.
TTL = "1h"


def theme_sources(d: Dataset) -> list[str]:
    """Sources behind the theme assignments shown (falling back to the ISCMs' own sources)."""
    found = [s for v in d.iscm_themes["source"] for s in str(v).split("; ") if s.strip()]
    return list(dict.fromkeys(found)) or d.sources_for(d.iscms["iscm_id"])


@dataclass(frozen=True)
class Basics:
    """Per data version and filter state: what several sections derive their charts from."""

    matrix: pd.DataFrame  # coverage_matrix
    detail: pd.DataFrame  # cells
    order: list[str]  # themes by prevalence
    sources: list[str]  # theme_sources
    labels: dict[str, str]  # theme_id -> label
    names: dict[str, str]  # iscm_id -> short name (every ISCM of the dataset, not only the filtered)


@view_cache(max_entries=16, ttl=TTL)
def basics(key: ViewKey, _ds: Dataset, _full: Dataset) -> Basics:
    matrix = coverage_matrix(_ds.iscms, _ds.themes, _ds.iscm_themes)
    return Basics(matrix, cells(_ds.iscm_themes), theme_order(matrix), theme_sources(_ds),
                  dict(zip(_full.themes["theme_id"], _full.themes["label"], strict=True)),
                  dict(zip(_full.iscms["iscm_id"], _full.iscms["short_name"], strict=True)))


@view_cache(max_entries=24, ttl=TTL)
def coverage_chart(key: ViewKey, group_by: str, sort: str, only_themes: tuple[str, ...] | None, subtitle: str,
                   _ds: Dataset, _full: Dataset) -> tuple[go.Figure, pd.DataFrame]:
    """The coverage grid and the data behind it (its CSV)."""
    b = basics(key, _ds, _full)
    cov = coverage_data(_ds.iscms, _ds.themes, matrix=b.matrix, detail=b.detail, group_by=group_by, sort=sort,
                        only_themes=only_themes)
    fig = figs.coverage_figure(cov, group_by=group_by, sort=sort, highlight=key.filters.themes, subtitle=subtitle)
    return freeze(fig), cov.drop(columns=["row", "col"])


@view_cache(max_entries=16, ttl=TTL)
def prevalence_chart(key: ViewKey, by: str, subtitle: str, _ds: Dataset,
                     _full: Dataset) -> tuple[go.Figure, pd.DataFrame]:
    """The prevalence bars and their table; the table is computed once and drawn from."""
    b = basics(key, _ds, _full)
    prev = prevalence_table(_ds.iscms, _ds.themes, matrix=b.matrix, by=by)
    fig = figs.prevalence_figure(prev, len(_ds.iscms), by=by, highlight=key.filters.themes, subtitle=subtitle)
    return freeze(fig), prev


@dataclass(frozen=True)
class ThemeView:
    covering: pd.DataFrame  # the ISCMs covering the theme, ready to show (iscm_id kept for the links)
    n_focus: int
    ids: list[str]
    states: pd.DataFrame  # participation_table of those ISCMs (the map's CSV)
    states_shown: pd.DataFrame  # the same, with display column names
    map: go.Figure | None
    map_sources: list[str]


@view_cache(max_entries=32, ttl=TTL)
def theme_view(key: ViewKey, theme: str, subtitle: str, _ds: Dataset, _full: Dataset) -> ThemeView:
    covering = theme_iscms(_ds.iscms, theme, detail=basics(key, _ds, _full).detail)
    ids = covering["iscm_id"].tolist()
    states = mb.participation_table(_ds.memberships, _ds.iscms, ids)
    shown = covering.assign(level=covering["level"].map(LEVEL_LABELS)).rename(columns={
        "short_name": "ISCM", "type": "Type", "macro_regions": "Regions", "level": "Level", "since": "Since",
        "established": "Established", "evidence": "Evidence", "source": "Source", "provenance": "Provenance",
    })
    fig = None
    if ids:
        title = (f"States reached through the {len(ids)} ISCMs covering "
                 f"{basics(key, _ds, _full).labels[theme].lower()}")
        fig = (maps.members_map(mb.members_of(_ds.memberships, ids[0]), covering["short_name"].iloc[0], zoom=False,
                                open_participation=mb.is_open(_ds.iscms, ids[0]), subtitle=subtitle, title=title)
               if len(ids) == 1
               else maps.participation_map(states, len(ids), zoom=False, subtitle=subtitle, title=title))
    return ThemeView(
        covering=shown, n_focus=int((covering["level"] == "focus").sum()), ids=ids, states=states,
        states_shown=states.rename(columns={
            "iso3": "ISO3", "country": "State or territory", "n_iscms": "ISCMs", "n_member": "as member",
            "n_observer": "as observer", "iscms": "Through", "territory": "Territory"}),
        map=freeze(fig) if fig is not None else None, map_sources=_ds.sources_for(ids) if ids else [],
    )


@view_cache(max_entries=16, ttl=TTL)
def evolution_chart(key: ViewKey, end_year: int | None, subtitle: str, _ds: Dataset,
                    _full: Dataset) -> tuple[go.Figure, pd.DataFrame, str]:
    """The evolution grid, its table and the caption that says where the years come from."""
    detail = basics(key, _ds, _full).detail
    starts = theme_starts(_ds.iscms, detail=detail)
    evo = evolution_table(_ds.iscms, _ds.themes, end_year=end_year, starts=starts)
    n_cells = len(detail)
    n_since = int((starts["basis"] == "since").sum())
    caption = (
        f"An ISCM counts for a theme from the year the theme was added to its agenda where the sources give "
        f"it ({n_since} of {n_cells} ISCM-theme pairs), otherwise from the year the ISCM was established"
        + (f"; {n_cells - len(starts)} pairs with neither year are left out." if n_cells > len(starts) else ".")
    )
    return freeze(figs.evolution_figure(evo, highlight=key.filters.themes, subtitle=subtitle)), evo, caption


@dataclass(frozen=True)
class SimilarView:
    fig: go.Figure
    table: pd.DataFrame  # similar_table (the chart's CSV)
    shown: pd.DataFrame  # ready to show
    sources: list[str]
    caption: str


@view_cache(max_entries=32, ttl=TTL)
def similar_view(key: ViewKey, chosen: str, subtitle: str, _full: Dataset) -> SimilarView:
    """The ISCMs most alike `chosen`, among all that pass the filters other than the ISCM filter."""
    names = dict(zip(_full.iscms["iscm_id"], _full.iscms["short_name"], strict=True))
    others = replace(key.filters, iscms=())  # compare with every ISCM the other filters allow
    pool_ds = apply_filters(_full, others)
    pool_ids = sorted(pool_ds.iscms["iscm_id"], key=lambda i: names[i].casefold())
    if chosen not in pool_ids:
        pool_ds = _full.subset([*pool_ids, chosen])
    sim = similar_table(pool_ds.iscms, _full.themes, chosen, n=5, candidates=pool_ids,
                        matrix=coverage_matrix(pool_ds.iscms, _full.themes, pool_ds.iscm_themes))
    caption = (f"Compared with {len(pool_ids) - (chosen in pool_ids)} ISCMs"
               + (" that pass the theme, region and type filters" if others.active else "")
               + ". Jaccard similarity = themes in common ÷ themes covered by either; ISCMs sharing no theme "
                 "are left out.")
    shown = sim.drop(columns=["n_shared", "n_only_selected", "n_only_other"]).rename(columns={
        "iscm": "ISCM", "jaccard": "Jaccard", "shared": "Shared themes",
        "only_selected": f"Only in {names[chosen]}", "only_other": "Only in the other ISCM"})
    return SimilarView(fig=freeze(figs.similar_figure(sim, names[chosen], subtitle=subtitle)), table=sim,
                       shown=shown, sources=theme_sources(pool_ds.subset([chosen, *sim["iscm_id"]])), caption=caption)
