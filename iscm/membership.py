"""Membership tables: who takes part in which ISCM, a State's own view, overlaps between ISCMs.

Plain pandas/numpy/scipy on tables shaped like ``Dataset.memberships`` and ``Dataset.iscms``, so the
Membership page, the brief, a notebook and the tests compute the same numbers; `iscm.figures.maps` draws
them. The twin of `iscm.themes` for membership.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from iscm import geo
from iscm.countries import country_name

PARTICIPANT_ROLES = ("member", "observer")
ROLE_LABELS = {"member": "Member", "observer": "Observer", "chair": "Chair (past or present)",
               "none": "Not taking part"}


def iscm_names(iscms: pd.DataFrame | None) -> dict[str, str]:
    """iscm_id -> short name (falls back to the id for ISCMs missing from the table)."""
    if iscms is None or iscms.empty:
        return {}
    return dict(zip(iscms["iscm_id"], iscms["short_name"], strict=True))


def country_names(memberships: pd.DataFrame) -> dict[str, str]:
    if memberships.empty:
        return {}
    first = memberships.drop_duplicates("iso3")
    return dict(zip(first["iso3"], first["country"], strict=True))


def country_label(iso3: str, known: Mapping[str, str]) -> str:
    if iso3 in known and known[iso3]:
        return str(known[iso3])
    name = country_name(iso3)
    if name == iso3 and iso3 in geo.EXTRA_POINTS:
        return geo.EXTRA_POINTS[iso3][2]
    return name


def participants(memberships: pd.DataFrame, roles: Iterable[str]) -> pd.DataFrame:
    roles = tuple(roles)
    return memberships[memberships["role"].isin(roles)]


def is_open(iscms: pd.DataFrame | None, iscm_id: str) -> bool:
    """True for a process open to every UN Member State (``participation: open``, e.g. the GFMD): its
    listed States are chairs, not its whole membership."""
    if iscms is None or "participation" not in iscms.columns:
        return False
    return bool((iscms.loc[iscms["iscm_id"] == iscm_id, "participation"] == "open").any())


def members_of(memberships: pd.DataFrame, iscm_id: str) -> pd.DataFrame:
    """One ISCM's rows of ``Dataset.memberships`` (what its map draws)."""
    return memberships[memberships["iscm_id"] == iscm_id]


def participation_table(
    memberships: pd.DataFrame, iscms: pd.DataFrame | None = None, iscm_ids: Iterable[str] | None = None,
    roles: Iterable[str] = PARTICIPANT_ROLES,
) -> pd.DataFrame:
    """One row per State taking part in the given ISCMs (all ISCMs when None).

    Columns: iso3, country, n_iscms (distinct ISCMs), n_member, n_observer, iscms ('; '-joined
    "Name (role)"), territory. Sorted by n_iscms descending, then country.
    """
    part = participants(memberships, roles)
    if iscm_ids is not None:
        part = part[part["iscm_id"].isin(list(iscm_ids))]
    cols = ["iso3", "country", "n_iscms", "n_member", "n_observer", "iscms", "territory"]
    if part.empty:
        return pd.DataFrame(columns=cols)
    names = iscm_names(iscms)
    # plain Python over the rows (as lists: iterating a string column value by value is slow): a pandas
    # groupby per State is ~50x slower on string columns
    acc: dict[str, dict] = {}
    for iscm_id, iso3, country, role, territory in zip(
        *(part[c].tolist() for c in ("iscm_id", "iso3", "country", "role", "territory")), strict=True,
    ):
        row = acc.setdefault(iso3, {"iso3": iso3, "country": country, "items": {}, "territory": False})
        row["items"][iscm_id] = (names.get(iscm_id, iscm_id), role)
        row["territory"] = row["territory"] or bool(territory)
    rows = []
    for row in acc.values():
        items = sorted(row.pop("items").values())
        rows.append({
            **row,
            "n_iscms": len(items),
            "n_member": sum(r == "member" for _, r in items),
            "n_observer": sum(r == "observer" for _, r in items),
            "iscms": "; ".join(f"{n} ({r})" for n, r in items),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_iscms", "country"], ascending=[False, True], ignore_index=True)


def country_iscms(
    memberships: pd.DataFrame, iscms: pd.DataFrame, iscm_themes: pd.DataFrame, themes: pd.DataFrame, iso3: str,
) -> pd.DataFrame:
    """The ISCMs a State takes part in: iscm_id, ISCM, Role, Type, Established, Themes (focus themes first)."""
    cols = ["iscm_id", "ISCM", "Role", "Type", "Established", "Themes"]
    mine = memberships[memberships["iso3"] == iso3.upper()]
    if mine.empty:
        return pd.DataFrame(columns=cols)
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True)) if not themes.empty else {}
    info = {r["iscm_id"]: r for r in iscms[["iscm_id", "short_name", "type", "established"]].to_dict("records")}
    by_iscm: dict[str, list[tuple[bool, str]]] = {}
    for iscm_id, theme_id, level in zip(iscm_themes["iscm_id"].tolist(), iscm_themes["theme_id"].tolist(),
                                        iscm_themes["level"].tolist(), strict=True):
        by_iscm.setdefault(iscm_id, []).append((level != "focus", labels.get(theme_id, theme_id)))
    rows = []
    for iscm_id, role in zip(mine["iscm_id"], mine["role"], strict=True):
        r = info.get(iscm_id)
        rows.append({
            "iscm_id": iscm_id,
            "ISCM": r["short_name"] if r else iscm_id,
            "Role": ROLE_LABELS.get(role, role),
            "Type": r["type"] if r else "",
            "Established": r["established"] if r else pd.NA,
            "Themes": "; ".join(label for _, label in sorted(by_iscm.get(iscm_id, []))),
        })
    out = pd.DataFrame(rows, columns=cols)
    out["_o"] = out["Role"].map({"Member": 0, "Observer": 1})
    return out.sort_values(["_o", "ISCM"]).drop(columns="_o").reset_index(drop=True)


def fellow_members_table(memberships: pd.DataFrame, iscms: pd.DataFrame | None, iso3: str) -> pd.DataFrame:
    """Every other State that shares at least one ISCM with ``iso3``: n_iscms = number of shared ISCMs."""
    iso3 = iso3.upper()
    mine = memberships.loc[memberships["iso3"] == iso3, "iscm_id"].unique()
    table = participation_table(memberships, iscms, mine)
    return table[table["iso3"] != iso3].reset_index(drop=True)


def country_themes(
    memberships: pd.DataFrame, iscms: pd.DataFrame, iscm_themes: pd.DataFrame, themes: pd.DataFrame, iso3: str,
) -> pd.DataFrame:
    """Themes covered by a State's ISCMs: theme_id, Theme, n_iscms, n_focus, ISCMs ('; '-joined)."""
    cols = ["theme_id", "Theme", "n_iscms", "n_focus", "ISCMs"]
    mine = memberships.loc[memberships["iso3"] == iso3.upper(), "iscm_id"].unique()
    th = iscm_themes[iscm_themes["iscm_id"].isin(mine)]
    if th.empty:
        return pd.DataFrame(columns=cols)
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True)) if not themes.empty else {}
    names = iscm_names(iscms)
    rows = []
    for theme_id, grp in th.groupby("theme_id"):
        rows.append({
            "theme_id": theme_id,
            "Theme": labels.get(theme_id, theme_id),
            "n_iscms": grp["iscm_id"].nunique(),
            "n_focus": int(grp.loc[grp["level"] == "focus", "iscm_id"].nunique()),
            "ISCMs": "; ".join(sorted(names.get(i, i) for i in grp["iscm_id"].unique())),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_iscms", "Theme"], ascending=[False, True], ignore_index=True)


def member_sets(memberships: pd.DataFrame, iscm_ids: Sequence[str], roles: Iterable[str]) -> dict[str, set[str]]:
    """iscm_id -> States taking part in one of `roles` (one groupby, not one filter of the table per ISCM)."""
    part = participants(memberships, roles)
    sets = part.groupby("iscm_id")["iso3"].agg(set).to_dict()
    return {i: sets.get(i, set()) for i in iscm_ids}


def cluster_order(similarity: np.ndarray) -> list[int]:
    """Leaf order of average-linkage clustering on 1 - similarity, so similar ISCMs sit next to each other."""
    n = similarity.shape[0]
    if n < 3:
        return list(range(n))
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    dist = 1.0 - similarity
    np.fill_diagonal(dist, 0.0)
    dist = np.clip((dist + dist.T) / 2, 0.0, 1.0)
    return [int(i) for i in leaves_list(linkage(squareform(dist, checks=False), "average", optimal_ordering=True))]


def overlap_tables(
    memberships: pd.DataFrame, iscm_ids: Sequence[str], *, iscms: pd.DataFrame | None = None,
    roles: Iterable[str] = ("member",),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shared States, Jaccard index): two ISCM x ISCM matrices in one clustered order, computed together.

    The order comes from the Jaccard similarity, so switching between the two does not reshuffle the rows.
    Both are indexed and columned by ISCM short name in that order (diagonal: the ISCM's own size for the
    count, 1 for Jaccard; two ISCMs without participants have Jaccard 0).
    """
    ids = list(dict.fromkeys(iscm_ids))
    sets = member_sets(memberships, ids, tuple(roles))
    states = sorted(set().union(*sets.values())) if sets else []
    col = {c: k for k, c in enumerate(states)}
    incidence = np.zeros((len(ids), len(states)), dtype=np.int64)
    for r, i in enumerate(ids):
        incidence[r, [col[c] for c in sets[i]]] = 1
    count = incidence @ incidence.T  # shared States of every pair
    size = np.diag(count)
    union = size[:, None] + size[None, :] - count
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.where(union > 0, count / np.where(union > 0, union, 1), 0.0)
    np.fill_diagonal(jac, 1.0)  # an ISCM is fully alike itself, even one without participants
    order = cluster_order(jac)
    names = iscm_names(iscms)
    labels = [names.get(ids[k], ids[k]) for k in order]
    if len(set(labels)) < len(labels):  # duplicate short names: fall back to ids
        labels = [ids[k] for k in order]
    index = pd.Index(labels, name="ISCM")
    idx = np.ix_(order, order)
    return (pd.DataFrame(count.astype(int)[idx], index=index, columns=labels),
            pd.DataFrame(jac.astype(float)[idx], index=index.copy(), columns=labels))


def pair_compare(
    memberships: pd.DataFrame, a: str, b: str, roles: Iterable[str] = PARTICIPANT_ROLES,
) -> pd.DataFrame:
    """States of two ISCMs split into common / only-a / only-b.

    Columns: iso3, country, group ('both'|'only_a'|'only_b'), role_a, role_b ('' where not taking part).
    Sorted by group then country.
    """
    part = participants(memberships, roles)
    ra = dict(zip(part.loc[part["iscm_id"] == a, "iso3"], part.loc[part["iscm_id"] == a, "role"], strict=True))
    rb = dict(zip(part.loc[part["iscm_id"] == b, "iso3"], part.loc[part["iscm_id"] == b, "role"], strict=True))
    names = country_names(part)
    rows = []
    for iso3 in set(ra) | set(rb):
        group = "both" if iso3 in ra and iso3 in rb else ("only_a" if iso3 in ra else "only_b")
        rows.append({"iso3": iso3, "country": country_label(iso3, names), "group": group,
                     "role_a": ra.get(iso3, ""), "role_b": rb.get(iso3, "")})
    out = pd.DataFrame(rows, columns=["iso3", "country", "group", "role_a", "role_b"])
    out["_g"] = out["group"].map({"both": 0, "only_a": 1, "only_b": 2})
    return out.sort_values(["_g", "country"]).drop(columns="_g").reset_index(drop=True)


def pair_table(compare: pd.DataFrame, name_a: str, name_b: str) -> pd.DataFrame:
    """Side-by-side columns (In both | Only <a> | Only <b>) of country names; observers marked '(obs.)'."""
    def fmt(r: Mapping) -> str:
        obs = "observer" in (r["role_a"], r["role_b"])
        return f"{r['country']} (obs.)" if obs else str(r["country"])

    cols = {
        "In both": [fmt(r) for r in compare[compare["group"] == "both"].to_dict("records")],
        f"Only {name_a}": [fmt(r) for r in compare[compare["group"] == "only_a"].to_dict("records")],
        f"Only {name_b}": [fmt(r) for r in compare[compare["group"] == "only_b"].to_dict("records")],
    }
    n = max((len(v) for v in cols.values()), default=0)
    return pd.DataFrame({k: v + [""] * (n - len(v)) for k, v in cols.items()})


COUNT_BINS = ((1, 1), (2, 3), (4, 6), (7, 10), (11, None))
"""Classes of the dialogue-density scale: a State in 1 dialogue, 2-3, 4-6, 7-10, 11 or more. Five steps of
one blue ramp, light to dark, each a legend entry, so 1 and 14 never look alike (a continuous scale over
1..20 shaded most States in nearly the same pale blue)."""


def count_bins(vmax: int) -> list[tuple[int, int, str]]:
    """(low, high, label) classes for counts 1..vmax: one per value up to 5, else ``COUNT_BINS`` (cut at
    vmax, the last one open-ended when it reaches past it)."""
    if vmax <= len(COUNT_BINS):
        return [(v, v, str(v)) for v in range(1, max(vmax, 1) + 1)]
    out = []
    for lo, hi in COUNT_BINS:
        if lo > vmax:
            break
        top = vmax if hi is None or hi >= vmax else hi
        label = f"{lo}+" if hi is None else (str(lo) if lo == top else f"{lo}–{top}")
        out.append((lo, top if hi is not None else 10**9, label))
    return out


COUNT_BINS = ((1, 1), (2, 3), (4, 6), (7, 10), (11, None))
