"""Cached views of the GCM page, and the GCM section of the Country page.

The page draws; this module computes. Each function is keyed on `key` = (data version, filters), which pins
down the filtered dataset passed unhashed as `_ds`, plus the control values; results are shared by all
sessions (`components.frame.view_cache`) and only read (figures are frozen). The crosswalk depends on the
dataset alone and is memoised on it (`Dataset.memo`). `country_gcm_section` draws the
objectives a State's ISCMs cover; the Country page calls it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.chart_panel import chart_panel
from components.frame import ViewKey, view_cache
from iscm import gcm
from iscm import membership as mb
from iscm.dataset import Dataset
from iscm.figures import gcm as figs
from iscm.figures import maps
from iscm.figures.fast import freeze
from iscm.filters import Filters

TTL = "1h"  # the same bounds as the other views: entries nobody asked for in an hour are dropped


def gcm_sources(d: Dataset) -> list[str]:
    """Sources behind the coverage shown: the ISCMs' own GCM statements, the crosswalk's links, the theme
    assignments it derives from, and the compact itself."""
    found = [*d.iscm_gcm["source"], *d.theme_gcm["source"],
             *(s for v in d.iscm_themes["source"] for s in str(v).split("; ")), *d.gcm_objectives["source"]]
    return list(dict.fromkeys(s for s in found if isinstance(s, str) and s.strip()))


@dataclass(frozen=True)
class Basics:
    """Per data version and filter state: the coverage table and the labels every section uses."""

    cov: pd.DataFrame  # gcm.coverage of the filtered ISCMs
    whole: pd.DataFrame  # gcm.whole_compact
    objectives: list[int]
    labels: dict[int, str]  # objective -> "7 Vulnerabilities"
    long_labels: dict[int, str]  # objective -> our wording of the objective
    theme_labels: dict[str, str]
    sources: list[str]
    unmapped: tuple[int, ...]  # objectives no theme of the crosswalk maps to (gcm.unmapped)


@view_cache(max_entries=16, ttl=TTL)
def basics(key: ViewKey, _ds: Dataset, _full: Dataset) -> Basics:
    o = _full.gcm_objectives
    nums = [int(n) for n in o["objective"]]
    return Basics(
        cov=gcm.coverage(_ds.iscms, _ds.iscm_themes, _full.theme_gcm, _ds.iscm_gcm, o),
        whole=gcm.whole_compact(_ds.iscms, _ds.iscm_gcm), objectives=nums,
        labels={n: gcm.objective_label(n, s) for n, s in zip(nums, o["short_label"], strict=True)},
        long_labels=dict(zip(nums, o["label"], strict=True)),
        theme_labels=dict(zip(_full.themes["theme_id"], _full.themes["label"], strict=True)),
        sources=gcm_sources(_ds), unmapped=tuple(gcm.unmapped(o, _full.theme_gcm)),
    )


@view_cache(max_entries=16, ttl=TTL)
def coverage_chart(key: ViewKey, sort: str, subtitle: str, _ds: Dataset,
                   _full: Dataset) -> tuple[go.Figure, pd.DataFrame]:
    """The ISCM x objective grid and the data behind it (its CSV)."""
    b = basics(key, _ds, _full)
    data = gcm.coverage_data(b.cov, _ds.iscms, _full.gcm_objectives, b.whole, theme_labels=b.theme_labels,
                              sort=sort)
    sub = f"Rows sorted by {gcm.SORTS[sort].lower()}"
    fig = figs.coverage_figure(data, subtitle=f"{subtitle} · {sub}" if subtitle else sub)
    return freeze(fig), data.drop(columns=["row", "col"])


@view_cache(max_entries=16, ttl=TTL)
def region_chart(key: ViewKey, subtitle: str, _ds: Dataset,
                 _full: Dataset) -> tuple[go.Figure, pd.DataFrame, pd.DataFrame]:
    """The region x objective grid, its table, and the gaps (objectives no ISCM of a region covers, leaving
    out those no theme maps to: gcm.unmapped())."""
    b = basics(key, _ds, _full)
    table = gcm.region_table(_ds.iscms, b.cov, _full.gcm_objectives)
    fig = figs.region_figure(table, unmapped=b.unmapped, subtitle=subtitle)
    return freeze(fig), table, gcm.gaps(table, b.unmapped)


@dataclass(frozen=True)
class ObjectiveView:
    iscms: pd.DataFrame  # the ISCMs working on the objective, ready to show
    n_declared: int
    ids: list[str]
    states: pd.DataFrame  # participation_table of those ISCMs (the map's CSV)
    states_shown: pd.DataFrame
    map: go.Figure | None
    map_sources: list[str]


@view_cache(max_entries=32, ttl=TTL)
def objective_view(key: ViewKey, objective: int, subtitle: str, _ds: Dataset, _full: Dataset) -> ObjectiveView:
    b = basics(key, _ds, _full)
    table = gcm.objective_iscms(_ds.iscms, b.cov, objective, b.theme_labels)
    ids = table["iscm_id"].tolist()
    states = mb.participation_table(_ds.memberships, _ds.iscms, ids)
    shown = table.assign(level=table["level"].map(gcm.GCM_LEVEL_LABELS)).rename(columns={
        "short_name": "ISCM", "type": "Type", "macro_regions": "Regions", "level": "Level",
        "via_themes": "Through its themes", "evidence": "Its own source says", "source": "Source",
    })
    fig = None
    if ids:
        title = f"States reached through the {len(ids)} ISCMs working on GCM objective {b.labels[objective]}"
        fig = (maps.members_map(mb.members_of(_ds.memberships, ids[0]), mb.iscm_names(_ds.iscms).get(ids[0], ids[0]),
                                zoom=False, open_participation=mb.is_open(_ds.iscms, ids[0]), subtitle=subtitle,
                                title=title)
               if len(ids) == 1 else maps.participation_map(states, len(ids), zoom=False, subtitle=subtitle,
                                                            title=title))
    return ObjectiveView(
        iscms=shown, n_declared=int((table["level"] == "declared").sum()), ids=ids, states=states,
        states_shown=states.rename(columns={
            "iso3": "ISO3", "country": "State or territory", "n_iscms": "ISCMs", "n_member": "as member",
            "n_observer": "as observer", "iscms": "Through", "territory": "Territory"}),
        map=freeze(fig) if fig is not None else None, map_sources=_ds.sources_for(ids) if ids else [],
    )


def crosswalk_table(full: Dataset) -> pd.DataFrame:
    """The crosswalk as the page shows it: one row per theme and objective, themes outside the GCM last.
    It depends on the dataset only, so it is memoised on it (`Dataset.memo`)."""
    return full.memo("components.gcm_views.crosswalk_table", _build_crosswalk)


def _build_crosswalk(full: Dataset) -> pd.DataFrame:
    labels = dict(zip(full.themes["theme_id"], full.themes["label"], strict=True))
    o = full.gcm_objectives
    obj = {int(n): gcm.objective_label(int(n), s) for n, s in zip(o["objective"], o["short_label"], strict=True)}
    t = full.theme_gcm
    mapped = pd.DataFrame({"Theme": t["theme_id"].map(labels), "GCM objective": t["objective"].map(
        lambda n: obj.get(int(n), str(n))), "Why": t["rationale"], "Source": t["source"]})
    out = full.gcm_outside
    outside = pd.DataFrame({"Theme": out["theme_id"].map(labels), "GCM objective": "outside the GCM",
                            "Why": out["reason"], "Source": out["source"]})
    return pd.concat([mapped, outside], ignore_index=True)


@view_cache(max_entries=64, ttl=TTL)
def country_chart(key: ViewKey, code: str, country: str, subtitle: str, _ds: Dataset,
                  _full: Dataset) -> tuple[go.Figure | None, pd.DataFrame, list[str]]:
    """The objectives a State's ISCMs cover: figure (None when it takes part in none), table, sources."""
    b = basics(key, _ds, _full)
    table = gcm.country_objectives(_ds.memberships, _ds.iscms, b.cov, _full.gcm_objectives, code)
    if table.empty:
        return None, table, []
    mine = sorted(set(_ds.memberships.loc[_ds.memberships["iso3"] == code, "iscm_id"]))
    fig = figs.country_figure(table, country, subtitle=subtitle)
    return freeze(fig), table, gcm_sources(_ds.subset(mine))


def country_gcm_section(key: ViewKey, code: str, country: str, subtitle: str, ds: Dataset, full: Dataset,
                        flt: Filters) -> None:
    """Draw the GCM objectives that the ISCMs a State takes part in (as member or observer) work on."""
    st.header("GCM objectives its ISCMs work on")
    if full.gcm_objectives.empty:
        st.info("This data directory has no gcm.yaml, so no GCM objectives to show.", icon=":material/info:")
        return
    fig, table, sources = country_chart(key, code, country, subtitle, ds, full)
    if fig is None:
        st.info(f"{country} takes part in none of the ISCMs shown.", icon=":material/info:")
        return
    chart_panel(fig, key="gcm_country", name=f"country-gcm-{code.lower()}", data=table, sources=sources,
                data_date=full.data_date, filters=flt)
    st.caption("Declared: the ISCM's own sources name the objective. Derived: the ISCM covers a theme that the "
               "GCM crosswalk maps to the objective. An ISCM counts once per objective, at its stronger level.")
