"""One search box for ISCMs and countries: "Find an ISCM or a country", first on Overview and in the sidebar.

A selectbox with type-to-search: its options are every ISCM and every State the dataset lists, each labelled
with the names a reader may type (an ISCM's name, full name and acronym; a State's name, aliases such as
"Turkey" for Türkiye, and its ISO3 code). Choosing one goes there at once: the ISCM's profile or the
State's Country page.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from components.navigate import open_country, open_profile
from iscm import countries
from iscm.country import country_names, display_names
from iscm.dataset import Dataset

LABEL = "Find an ISCM or a country"
_PENDING = "_find_target"


def _options(ds: Dataset) -> tuple[list[str], dict[str, str]]:
    return ds.memo("components.search._options", _build)


def _build(ds: Dataset) -> tuple[list[str], dict[str, str]]:
    labels: dict[str, str] = {}
    shown = display_names(ds.iscms)
    for r in ds.iscms.sort_values("short_name", key=lambda s: s.str.lower()).itertuples():
        extra = [x for x in dict.fromkeys([str(r.short_name), str(r.acronym or "")])
                 if x and x not in shown[r.iscm_id]]
        labels[f"iscm:{r.iscm_id}"] = f"{shown[r.iscm_id]}" + (f" · {', '.join(extra)}" if extra else "") + " · ISCM"
    aliases = countries.names_by_iso3()
    for iso3, name in country_names(ds).items():
        more = [a for a in dict.fromkeys(aliases.get(iso3, [])) if a != name]
        labels[f"country:{iso3}"] = f"{name} · {', '.join([*more, iso3])} · country"
    return list(labels), labels


def _remember(key: str) -> None:
    """on_change: note where to go and empty the box, so coming back shows it empty again."""
    st.session_state[_PENDING] = st.session_state.get(key)
    st.session_state[key] = None


def find_box(ds: Dataset, *, key: str, container: Any = None, label_visibility: str = "visible") -> None:
    """Draw the search box; a choice opens the ISCM's profile or the State's Country page in this tab."""
    where = container or st
    options, labels = _options(ds)
    where.selectbox(LABEL, options, index=None, key=key, format_func=labels.get, on_change=_remember, args=(key,),
                    placeholder="Name, acronym, country or ISO3 code (e.g. Prague, Türkiye, TUR)",
                    label_visibility=label_visibility,
                    help="ISCMs by name or acronym; States and territories taking part in an ISCM by name, "
                         "alias or ISO3 code. Choosing one opens its page.")
    target = st.session_state.pop(_PENDING, None)
    if target:
        kind, _, ident = str(target).partition(":")
        open_profile(ident) if kind == "iscm" else open_country(ident)
