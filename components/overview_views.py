"""Cached views of the Overview page: the timeline figure and the ISCM table, per data version and filters.

Keyed like the other views (`components.frame.ViewKey`: data version and filters); shared
read-only by all sessions. In a module, not the page script, so the cached functions are made once per process.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.frame import ViewKey, view_cache
from iscm.country import display_names
from iscm.figures.fast import freeze
from iscm.figures.overview import establishment_timeline
from iscm.overview import establishment_data


@view_cache(max_entries=64)
def timeline(key: ViewKey, subtitle: str, _iscms: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """The timeline figure and its data, built once per dataset version and filter (figures are read-only).
    `key` (data version and filters) pins down `_iscms`."""
    data = establishment_data(_iscms)
    return freeze(establishment_timeline(data, subtitle=subtitle)), data


@view_cache(max_entries=64)
def iscm_table(key: ViewKey, _iscms: pd.DataFrame) -> pd.DataFrame:
    """The ISCM table as shown (columns picked and renamed, ISCMs by their reader's name, sorted by it; the id
    column opens the profile), once per version and filter."""
    table = _iscms[["short_name", "acronym", "type", "regions", "established", "status", "secretariat",
                    "n_members", "n_observers", "n_themes", "confidence_members"]].rename(columns={
        "short_name": "ISCM", "acronym": "Acronym", "type": "Type", "regions": "Regions",
        "established": "Established", "status": "Status", "secretariat": "Secretariat", "n_members": "Members",
        "n_observers": "Observers", "n_themes": "Themes", "confidence_members": "Membership confidence",
    })
    table["ISCM"] = _iscms["iscm_id"].map(display_names(_iscms))
    table.insert(0, "iscm_id", _iscms["iscm_id"])  # a click on a row opens this ISCM's profile (not shown)
    return table.sort_values("ISCM", key=lambda s: s.str.lower(), ignore_index=True)
