"""Two to four ISCMs side by side: members in common and exclusive, themes, partners, structures, facts.

Built from their profiles (iscm.profile), so a comparison shows what each profile shows. Pure: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from iscm.dataset import Dataset
from iscm.markup import as_text as _text
from iscm.profile import Profile, build_profile, identity_rows

MAX_COMPARE = 4


def parse_ids(value: str | Sequence[str] | None, valid: Iterable[str], limit: int = MAX_COMPARE) -> list[str]:
    """ISCM ids from a URL value ('a,b' or repeated): unknown ids dropped, duplicates removed, at most `limit`."""
    items = [value] if isinstance(value, str) else list(value or [])
    known = set(valid)
    ids = [v.strip() for item in items for v in str(item).split(",") if v.strip()]
    return [i for i in dict.fromkeys(ids) if i in known][:limit]


@dataclass(frozen=True)
class Comparison:
    """Two to four ISCMs side by side."""

    ids: tuple[str, ...]
    names: dict[str, str]
    roles: tuple[str, ...]                       # which participant roles were counted
    participant_sets: dict[str, frozenset[str]]  # iscm_id -> ISO3 codes
    common: frozenset[str]                       # in every compared ISCM
    exclusive: dict[str, frozenset[str]]         # in this one and in none of the others compared
    participants: pd.DataFrame                   # iso3, country, territory, one column per ISCM, n_compared
    counts: pd.DataFrame                         # ISCM, participants, in all compared, only here
    pairwise: pd.DataFrame                       # shared participants, ISCM x ISCM (names)
    themes: pd.DataFrame                         # theme_id, label, one level column per ISCM, n_compared
    partners: pd.DataFrame                       # org_id, name, kind_label, one roles column per ISCM, n_compared
    structures: pd.DataFrame                     # structure, one ✓ column per ISCM, n_compared
    facts: pd.DataFrame                          # field, one value column per ISCM
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def common_partners(self) -> pd.DataFrame:
        return self.partners[self.partners["n_compared"] == len(self.ids)].reset_index(drop=True)

    @property
    def common_themes(self) -> pd.DataFrame:
        return self.themes[self.themes["n_compared"] == len(self.ids)].reset_index(drop=True)


def _structure_key(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower().replace("’", "'"))


def compare(ds: Dataset, ids: Sequence[str], *, roles: Sequence[str] = ("member",),
            profiles: Mapping[str, Profile] | None = None) -> Comparison:
    """Members in common and exclusive, theme vectors, partners and structures of 2-4 ISCMs.

    `roles` picks which participants count ("member", or also "observer"). `profiles` may hold profiles
    already built from `ds` (by id); the others are built here. Raises ValueError for fewer than two or more
    than MAX_COMPARE ISCMs, KeyError for an unknown id.
    """
    ids = list(dict.fromkeys(ids))
    if not 2 <= len(ids) <= MAX_COMPARE:
        raise ValueError(f"compare two to {MAX_COMPARE} ISCMs (got {len(ids)})")
    given = profiles or {}
    profiles = {i: given[i] if i in given else build_profile(ds, i) for i in ids}
    names = {i: p.name for i, p in profiles.items()}
    cols = [names[i] for i in ids]

    m = ds.memberships[ds.memberships["iscm_id"].isin(ids) & ds.memberships["role"].isin(list(roles))]
    # Plain Python over the few hundred rows selected: per-ISCM boolean masks on the table cost more.
    sets_: dict[str, set[str]] = {i: set() for i in ids}
    role_of: dict[tuple[str, str], str] = {}
    country: dict[str, str] = {}
    territory: set[str] = set()
    for i, c, r, name, terr in zip(m["iscm_id"], m["iso3"], m["role"], m["country"], m["territory"], strict=True):
        sets_[i].add(c)
        role_of[(i, c)] = r
        country.setdefault(c, name)
        if terr:
            territory.add(c)
    sets = {i: frozenset(v) for i, v in sets_.items()}
    common = frozenset.intersection(*sets.values())
    exclusive = {i: sets[i] - frozenset().union(*(sets[j] for j in ids if j != i)) for i in ids}

    part_rows = []
    for iso3 in set().union(*sets.values()):
        row: dict[str, Any] = {"iso3": iso3, "country": country[iso3], "territory": iso3 in territory}
        for i in ids:
            row[names[i]] = role_of.get((i, iso3), "")
        row["n_compared"] = sum(iso3 in sets[i] for i in ids)
        part_rows.append(row)
    participants = pd.DataFrame(part_rows, columns=["iso3", "country", "territory", *cols, "n_compared"])
    participants = participants.sort_values(["n_compared", "country"], ascending=[False, True], ignore_index=True)

    counts = pd.DataFrame({
        "ISCM": cols,
        "participants": [len(sets[i]) for i in ids],
        "in all compared": [len(common)] * len(ids),
        "only here": [len(exclusive[i]) for i in ids],
    })
    pairwise = pd.DataFrame([[len(sets[a] & sets[b]) for b in ids] for a in ids], index=cols, columns=cols)

    level_of = {i: dict(zip(profiles[i].themes["theme_id"], profiles[i].themes["level"], strict=True)) for i in ids}
    theme_rows = []
    for theme_id, label in zip(ds.themes["theme_id"], ds.themes["label"], strict=True):
        levels = {names[i]: level_of[i].get(theme_id, "") for i in ids}
        theme_rows.append({"theme_id": theme_id, "label": label, **levels,
                           "n_compared": sum(bool(v) for v in levels.values())})
    themes = pd.DataFrame(theme_rows, columns=["theme_id", "label", *cols, "n_compared"])

    org_rows: dict[str, dict[str, Any]] = {}
    for i in ids:
        orgs = profiles[i].organizations
        for org_id, name, acronym, kind_label, roles_ in zip(orgs["org_id"], orgs["name"], orgs["acronym"],
                                                             orgs["kind_label"], orgs["roles"], strict=True):
            row = org_rows.setdefault(org_id, {"org_id": org_id, "name": name, "acronym": acronym,
                                               "kind_label": kind_label, **{c: "" for c in cols}})
            row[names[i]] = roles_
    partners = pd.DataFrame(list(org_rows.values()), columns=["org_id", "name", "acronym", "kind_label", *cols])
    partners["n_compared"] = (partners[cols] != "").sum(axis=1) if len(partners) else pd.Series(dtype=int)
    partners = partners.sort_values(["n_compared", "name"], ascending=[False, True], ignore_index=True)

    struct_rows: dict[str, dict[str, Any]] = {}
    for i in ids:
        for s in profiles[i].structures:
            row = struct_rows.setdefault(_structure_key(s), {"structure": s, **{c: "" for c in cols}})
            row[names[i]] = "✓"
    structures = pd.DataFrame(list(struct_rows.values()), columns=["structure", *cols])
    structures["n_compared"] = (structures[cols] != "").sum(axis=1) if len(structures) else pd.Series(dtype=int)
    structures = structures.sort_values(["n_compared", "structure"], ascending=[False, True], ignore_index=True)

    identity = {i: identity_rows(profiles[i]) for i in ids}
    fact_rows = []
    for label_idx, (label, _) in enumerate(identity[ids[0]]):
        if label == "Full name":
            continue
        fact_rows.append({"field": label, **{names[i]: identity[i][label_idx][1] for i in ids}})
    fact_rows.append({"field": "Themes (focus / mentioned)", **{
        names[i]: f"{(profiles[i].themes['level'] == 'focus').sum()} / "
                  f"{(profiles[i].themes['level'] == 'mentioned').sum()}" for i in ids}})
    fact_rows.append({"field": "Organizations", **{names[i]: str(len(profiles[i].organizations)) for i in ids}})
    fact_rows.append({"field": "Funding", **{names[i]: _text(profiles[i].facts.get("funding")) or "not known"
                                             for i in ids}})
    fact_rows.append({"field": "Membership confidence", **{names[i]: profiles[i].confidence["members"]
                                                           for i in ids}})
    facts = pd.DataFrame(fact_rows, columns=["field", *cols])

    return Comparison(
        ids=tuple(ids), names=names, roles=tuple(roles), participant_sets=sets, common=common, exclusive=exclusive,
        participants=participants, counts=counts, pairwise=pairwise, themes=themes, partners=partners,
        structures=structures, facts=facts,
    )
