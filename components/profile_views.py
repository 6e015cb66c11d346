"""Cached views of the Profile and Compare pages: profiles, comparisons and their figures, per data version.

A profile depends only on the dataset and one ISCM id, a comparison on the dataset, the ids and the roles
counted; neither depends on the global filters. So each is built once per data version and shared by every
session (`st.cache_resource`), and a comparison reuses the cached profiles of its ISCMs instead of building
them again. Results must only be read: figures are frozen (`iscm.figures.fast.freeze`) and the pages never
change a DataFrame in place. Keyed on `version` (the dataset's content hash), which pins down `_full`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from iscm.compare import Comparison, compare
from iscm.dataset import Dataset
from iscm.figures.fast import freeze
from iscm.figures.maps import members_map, pair_map, participation_map
from iscm.figures.profile import organizations_by_role, overlap_bars, theme_heatmap, theme_profile
from iscm.membership import is_open, members_of, pair_compare, participation_table
from iscm.profile import Profile, build_profile

TTL = "1h"


@st.cache_resource(show_spinner=False, max_entries=128, ttl=TTL)
def profile(version: str, iscm_id: str, _full: Dataset) -> Profile:
    """The profile of one ISCM (raises KeyError for an unknown id, which is not cached)."""
    return build_profile(_full, iscm_id)


SAFE_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")


@dataclass(frozen=True)
class ProfileView:
    """A profile and everything its page shows, ready to draw (tables renamed for display)."""

    profile: Profile
    sources: list[str]
    n_low_members: int  # participants individually marked low confidence
    map_fig: go.Figure
    map_data: pd.DataFrame  # the ISCM's rows of the memberships table
    people: pd.DataFrame  # members then observers, ready to show
    themes_fig: go.Figure
    themes_shown: pd.DataFrame
    orgs_fig: go.Figure | None  # None when no organization is recorded
    orgs_shown: pd.DataFrame
    sources_shown: pd.DataFrame  # numbered sources; the address only where it is a web link


@st.cache_resource(show_spinner=False, max_entries=64, ttl=TTL)
def profile_view(version: str, iscm_id: str, _full: Dataset) -> ProfileView:
    p = profile(version, iscm_id, _full)
    people = pd.concat([p.members.assign(role="member"), p.observers.assign(role="observer")], ignore_index=True)
    people["confidence"] = people["confidence"].map(lambda c: f"{c} ⚠" if c == "low" else c)
    src = p.sources.assign(link=lambda d: d["url"].where(d["url"].map(lambda u: bool(SAFE_URL.fullmatch(u))), None))
    return ProfileView(
        profile=p,
        sources=_full.sources_for([iscm_id]),
        n_low_members=len(p.low_confidence_members),
        map_fig=freeze(members_map(members_of(_full.memberships, iscm_id), p.name,
                                   open_participation=is_open(_full.iscms, iscm_id))),
        map_data=members_of(_full.memberships, iscm_id),
        people=people[["country", "iso3", "role", "territory", "confidence", "note"]].rename(columns={
            "country": "State or territory", "iso3": "ISO3", "role": "Role", "territory": "Territory",
            "confidence": "Confidence", "note": "Note"}),
        themes_fig=freeze(theme_profile(p.themes, _full.themes, p.name)),
        themes_shown=p.themes[["label", "level", "since", "evidence", "provenance", "source_ref"]].assign(
            # a year or an empty cell, never "None"
            since=pd.to_numeric(p.themes["since"], errors="coerce").astype("Int64")).rename(columns={
            "label": "Theme", "level": "Level", "since": "Since", "evidence": "Evidence",
            "provenance": "Provenance", "source_ref": "Sources"}),
        orgs_fig=freeze(organizations_by_role(p.organizations, p.name)) if len(p.organizations) else None,
        orgs_shown=p.organizations[["name", "acronym", "kind_label", "roles", "evidence", "provenance",
                                    "source_ref"]].rename(
            columns={"name": "Organization", "acronym": "Acronym", "kind_label": "Kind", "roles": "Roles",
                     "evidence": "Evidence", "provenance": "Provenance", "source_ref": "Sources"}),
        sources_shown=src[["n", "link", "title", "used_for"]].rename(columns={
            "n": "#", "link": "Address", "title": "Title", "used_for": "Supports"}),
    )


@dataclass(frozen=True)
class CompareView:
    cmp: Comparison
    sources: list[str]
    overlap_fig: go.Figure
    map_fig: go.Figure
    map_data: pd.DataFrame
    themes_fig: go.Figure
    funding: pd.DataFrame  # ISCM, Funding


@st.cache_resource(show_spinner=False, max_entries=64, ttl=TTL)
def compare_view(version: str, ids: tuple[str, ...], observers: bool, _full: Dataset) -> CompareView:
    """Everything the Compare page shows for 2-4 ISCMs (ValueError/KeyError as `iscm.profile.compare`)."""
    roles = ("member", "observer") if observers else ("member",)
    profiles = {i: profile(version, i, _full) for i in ids}
    cmp = compare(_full, ids, roles=roles, profiles=profiles)
    cols = [cmp.names[i] for i in ids]
    what = "participants" if observers else "members"
    if len(ids) == 2:
        pair = pair_compare(_full.memberships, ids[0], ids[1], roles=roles)
        map_fig, map_data = pair_map(pair, cols[0], cols[1]), pair
    else:
        table = participation_table(_full.memberships, _full.iscms, list(ids), roles=roles)
        map_fig, map_data = participation_map(table, len(ids)), cmp.participants
    return CompareView(
        cmp=cmp,
        sources=_full.sources_for(ids),
        overlap_fig=freeze(overlap_bars(cmp.counts, what=what)),
        map_fig=freeze(map_fig),
        map_data=map_data,
        themes_fig=freeze(theme_heatmap(cmp.themes, cols)),
        funding=pd.DataFrame({"ISCM": cols, "Funding": [str(profiles[i].facts.get("funding") or "not known")
                                                        for i in ids]}),
    )
