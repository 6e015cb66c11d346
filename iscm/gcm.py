"""The Global Compact for Migration (GCM) lens: which of its 23 objectives each ISCM works on.

Two kinds of evidence, in order of strength:
- declared: the ISCM's own sources name the objective (`gcm:` in data/iscms/<id>.yaml);
- derived: the ISCM covers a theme that data/gcm.yaml's crosswalk maps to the objective.
A declared objective outranks a derived one; a cell is 'none' when neither applies. Sources that name the
compact as a whole, without objectives, are kept apart (`whole_compact`), as they say nothing about which
objectives the ISCM works on.

This module also checks data/gcm.yaml and the `gcm:` entries of ISCM files (called by `iscm.dataset.load`,
so `python -m iscm validate` reports them) and turns both into the tidy tables `gcm_objectives`,
`theme_gcm`, `gcm_outside` and `iscm_gcm`. It takes plain DataFrames and never imports the dataset module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from iscm.model import GCMEntry, GCMFile, ISCMRecord
from iscm.regions import MACRO_REGIONS

N_OBJECTIVES = 23
OBJECTIVES = tuple(range(1, N_OBJECTIVES + 1))
FILE = "gcm.yaml"
LEVELS = ("declared", "derived", "none")
# How an ISCM comes to an objective (its own statement, or its themes): not the theme levels of
# iscm.themes.LEVEL_LABELS, though both call "none" "Not covered".
GCM_LEVEL_LABELS = {"declared": "Declared by the ISCM", "derived": "Derived from its themes", "none": "Not covered"}

COLUMNS: dict[str, list[str]] = {
    "gcm_objectives": ["objective", "short_label", "label", "source"],
    "theme_gcm": ["theme_id", "objective", "rationale", "source"],
    "gcm_outside": ["theme_id", "reason", "source"],
    "iscm_gcm": ["iscm_id", "objective", "evidence", "source", "provenance"],
}
WHOLE = 0  # the column for sources naming the compact as a whole, left of objectives 1-23
WHOLE_LABEL = "GCM as a whole"
SORTS = {"name": "Name", "count": "Number of objectives covered"}
DATA_COLUMNS = ["iscm_id", "iscm", "objective", "objective_label", "level", "via_themes", "evidence", "source",
                "row", "col"]
COVERAGE_COLUMNS = ["iscm_id", "objective", "level", "declared", "derived", "via_themes", "evidence", "source"]

ProblemTuple = tuple[str, str, str, str]  # file, field, problem, fix (iscm.dataset.Problem's fields)


# ------------------------------------------------------------------------------------------- checks
def _bad_number(n: int) -> bool:
    return not 1 <= n <= N_OBJECTIVES


def check_file(f: GCMFile, theme_ids: set[str] | None) -> list[ProblemTuple]:
    """Problems of data/gcm.yaml: objectives 1-23 each once, every theme mapped or marked outside with a reason.

    `theme_ids` is None when the taxonomy itself is broken (reported elsewhere), so theme checks are skipped.
    """
    out: list[ProblemTuple] = []

    def add(fld: str, problem: str, fix: str) -> None:
        out.append((FILE, fld, problem, fix))

    seen: dict[int, int] = {}
    for i, o in enumerate(f.objectives):
        if _bad_number(o.number):
            add(f"objectives[{i}].number", f"{o.number} is not a GCM objective",
                f"number the objectives 1 to {N_OBJECTIVES}")
        elif o.number in seen:
            add(f"objectives[{i}].number", f"objective {o.number} is listed twice (also objectives[{seen[o.number]}])",
                "keep one entry per objective")
        else:
            seen[o.number] = i
    for n in OBJECTIVES:
        if n not in seen:
            add("objectives", f"objective {n} is missing",
                f"add it: the GCM has {N_OBJECTIVES} objectives, numbered 1 to {N_OBJECTIVES}")
    mapped: dict[str, int] = {}
    for i, e in enumerate(f.crosswalk):
        if theme_ids is not None and e.theme not in theme_ids:
            add(f"crosswalk[{i}].theme", f"unknown theme id '{e.theme}'", "use an id from themes.yaml")
        if e.theme in mapped:
            add(f"crosswalk[{i}].theme", f"theme '{e.theme}' is listed twice (also crosswalk[{mapped[e.theme]}])",
                "keep one entry per theme")
        mapped.setdefault(e.theme, i)
        outside = bool(e.outside and e.outside.strip())
        if e.objectives and outside:
            add(f"crosswalk[{i}]", f"theme '{e.theme}' is both mapped to objectives and marked outside the GCM",
                "keep either `objectives` or `outside`")
        elif not e.objectives and not outside:
            add(f"crosswalk[{i}]", f"theme '{e.theme}' has neither objectives nor a reason for being outside the GCM",
                "add `objectives` (objective, rationale, source) or `outside:` with the reason")
        linked: set[int] = set()
        for k, link in enumerate(e.objectives):
            if _bad_number(link.objective):
                add(f"crosswalk[{i}].objectives[{k}].objective", f"{link.objective} is not a GCM objective",
                    f"use a number from 1 to {N_OBJECTIVES}")
            elif link.objective in linked:
                add(f"crosswalk[{i}].objectives[{k}].objective", f"objective {link.objective} is listed twice",
                    "keep one entry per objective")
            linked.add(link.objective)
    for t in sorted(theme_ids or ()):
        if t not in mapped:
            add("crosswalk", f"theme '{t}' is not in the crosswalk",
                "add it with its objectives, or with `outside:` and the reason it lies outside the GCM")
    return out


def check_entries(rel: str, entries: Sequence[GCMEntry], source_labels: set[str]) -> list[ProblemTuple]:
    """Problems of an ISCM file's `gcm:` list: objective numbers, and sources the file itself lists."""
    out: list[ProblemTuple] = []
    for i, e in enumerate(entries):
        seen: set[int] = set()
        for k, n in enumerate(e.objectives):
            if _bad_number(n):
                out.append((rel, f"gcm[{i}].objectives[{k}]", f"{n} is not a GCM objective",
                            f"use a number from 1 to {N_OBJECTIVES}, or no objectives for the compact as a whole"))
            elif n in seen:
                out.append((rel, f"gcm[{i}].objectives[{k}]", f"objective {n} is listed twice",
                            "keep each objective once per entry"))
            seen.add(n)
        if e.source not in source_labels:
            out.append((rel, f"gcm[{i}].source", f"source '{e.source}' is not in this file's sources",
                        "add it to sources or cite one listed there"))
    return out


def table_rows(f: GCMFile | None, records: Iterable[ISCMRecord]) -> dict[str, list[dict[str, Any]]]:
    """Rows of the four GCM tables (an absent gcm.yaml gives no objectives and no crosswalk)."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    if f is not None:
        for o in sorted(f.objectives, key=lambda o: o.number):
            rows["gcm_objectives"].append({"objective": o.number, "short_label": o.short, "label": o.label,
                                           "source": o.source or f.source})
        for e in f.crosswalk:
            for link in e.objectives:
                rows["theme_gcm"].append({"theme_id": e.theme, "objective": link.objective,
                                          "rationale": link.rationale, "source": link.source or ""})
            if e.outside:
                rows["gcm_outside"].append({"theme_id": e.theme, "reason": e.outside, "source": e.source or ""})
    for rec in records:
        for e in rec.gcm:
            for n in e.objectives or [None]:
                rows["iscm_gcm"].append({"iscm_id": rec.id, "objective": n, "evidence": e.evidence,
                                         "source": e.source, "provenance": "curated"})
    return rows


# ------------------------------------------------------------------------------------------- coverage
def _objective_ids(objectives: pd.DataFrame) -> list[int]:
    return [int(n) for n in objectives["objective"]] if len(objectives) else list(OBJECTIVES)


def derived(iscm_themes: pd.DataFrame, theme_gcm: pd.DataFrame) -> dict[tuple[str, int], list[str]]:
    """(iscm_id, objective) -> the ISCM's themes that the crosswalk maps to the objective (taxonomy order of
    the crosswalk). The union over an ISCM's themes, at any level (focus or mentioned)."""
    by_theme: dict[str, list[int]] = {}
    for t, n in zip(theme_gcm["theme_id"].tolist(), theme_gcm["objective"].tolist(), strict=True):
        by_theme.setdefault(t, []).append(int(n))
    out: dict[tuple[str, int], list[str]] = {}
    for i, t in dict.fromkeys(zip(iscm_themes["iscm_id"].tolist(), iscm_themes["theme_id"].tolist(),
                                  strict=True)):
        for n in by_theme.get(t, ()):
            out.setdefault((i, n), []).append(t)
    return out


def declared(iscm_gcm: pd.DataFrame) -> dict[tuple[str, int], tuple[list[str], list[str]]]:
    """(iscm_id, objective) -> (evidence texts, sources) of the ISCM's own statements naming the objective."""
    out: dict[tuple[str, int], tuple[list[str], list[str]]] = {}
    for i, n, ev, src in zip(*(iscm_gcm[c].tolist() for c in ("iscm_id", "objective", "evidence", "source")),
                             strict=True):
        if pd.isna(n):
            continue
        evs, srcs = out.setdefault((i, int(n)), ([], []))
        if ev not in evs:
            evs.append(ev)
        if src not in srcs:
            srcs.append(src)
    return out


def whole_compact(iscms: pd.DataFrame, iscm_gcm: pd.DataFrame) -> pd.DataFrame:
    """The ISCMs whose sources name the GCM as a whole (no objectives): iscm_id, evidence, source."""
    keep = set(iscms["iscm_id"])
    d = iscm_gcm[iscm_gcm["objective"].isna() & iscm_gcm["iscm_id"].isin(keep)]
    return d[["iscm_id", "evidence", "source"]].reset_index(drop=True)


def coverage(iscms: pd.DataFrame, iscm_themes: pd.DataFrame, theme_gcm: pd.DataFrame, iscm_gcm: pd.DataFrame,
             objectives: pd.DataFrame) -> pd.DataFrame:
    """One row per ISCM x objective: level ('declared' outranks 'derived'; else 'none'), both flags, the
    themes the objective is derived through ('; '-joined ids), and the declared evidence and source."""
    der = derived(iscm_themes, theme_gcm)
    dec = declared(iscm_gcm)
    rows = []
    for i in iscms["iscm_id"].tolist():
        for n in _objective_ids(objectives):
            themes = der.get((i, n), [])
            evs, srcs = dec.get((i, n), ([], []))
            level = "declared" if evs else ("derived" if themes else "none")
            rows.append((i, n, level, bool(evs), bool(themes), "; ".join(themes), "; ".join(evs), "; ".join(srcs)))
    out = pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    out["objective"] = out["objective"].astype("int64")
    return out


def coverage_matrix(cov: pd.DataFrame) -> pd.DataFrame:
    """ISCM x objective grid of levels from coverage() (rows and columns in the table's order)."""
    ids = list(dict.fromkeys(cov["iscm_id"]))
    cols = list(dict.fromkeys(cov["objective"]))
    return cov.pivot(index="iscm_id", columns="objective", values="level").reindex(index=ids, columns=cols)


def objective_counts(cov: pd.DataFrame) -> pd.DataFrame:
    """Per objective: how many ISCMs cover it, declared and derived (objective order)."""
    g = cov.groupby("objective", sort=True)["level"]
    return pd.DataFrame({
        "n_declared": g.apply(lambda s: int((s == "declared").sum())),
        "n_derived": g.apply(lambda s: int((s == "derived").sum())),
    }).assign(n_iscms=lambda d: d["n_declared"] + d["n_derived"]).reset_index()


# ------------------------------------------------------------------------------------------- regions
def _regions(macro_regions: str) -> list[str]:
    return [p for p in str(macro_regions).split("; ") if p]


def region_table(iscms: pd.DataFrame, cov: pd.DataFrame, objectives: pd.DataFrame) -> pd.DataFrame:
    """Region x objective: how many of the region's ISCMs cover the objective (an ISCM counts for every
    macro region it spans). Columns: region, objective, short_label, n_region_iscms, n_iscms, n_declared,
    n_derived, iscms ('; '-joined names of those covering). Regions in MACRO_REGIONS order."""
    names = dict(zip(iscms["iscm_id"], iscms["short_name"].astype(str), strict=True))
    members: dict[str, list[str]] = {}
    for i, m in zip(iscms["iscm_id"], iscms["macro_regions"], strict=True):
        for r in _regions(m):
            members.setdefault(r, []).append(i)
    order = [r for r in MACRO_REGIONS if r in members] + sorted(r for r in members if r not in MACRO_REGIONS)
    shorts = dict(zip(objectives["objective"].astype(int), objectives["short_label"], strict=True))
    level = {(i, int(n)): lv for i, n, lv in zip(cov["iscm_id"], cov["objective"], cov["level"], strict=True)}
    rows = []
    for r in order:
        ids = sorted(members[r], key=lambda i: names.get(i, i).casefold())
        for n in _objective_ids(objectives):
            lv = [(i, level.get((i, n), "none")) for i in ids]
            covering = [i for i, v in lv if v != "none"]
            rows.append({"region": r, "objective": n, "short_label": shorts.get(n, str(n)),
                         "n_region_iscms": len(ids), "n_iscms": len(covering),
                         "n_declared": sum(v == "declared" for _, v in lv),
                         "n_derived": sum(v == "derived" for _, v in lv),
                         "iscms": "; ".join(names.get(i, i) for i in covering)})
    return pd.DataFrame(rows, columns=["region", "objective", "short_label", "n_region_iscms", "n_iscms",
                                       "n_declared", "n_derived", "iscms"])


def unmapped(objectives: pd.DataFrame, theme_gcm: pd.DataFrame) -> list[int]:
    """The objectives no theme of the crosswalk maps to (in order): no ISCM can cover them through its themes,
    only where its own sources name them, so an empty cell there says nothing about the ISCM's work."""
    mapped = {int(n) for n in theme_gcm["objective"]}
    return [n for n in _objective_ids(objectives) if n not in mapped]


def gaps(regions: pd.DataFrame, unmapped: Iterable[int] = ()) -> pd.DataFrame:
    """The objectives no ISCM of a region covers: region, objective, short_label (from region_table()).

    Objectives in `unmapped` (see unmapped()) are left out: the crosswalk, not the region, leaves them empty.
    """
    d = regions[(regions["n_iscms"] == 0) & ~regions["objective"].isin([int(n) for n in unmapped])]
    return d[["region", "objective", "short_label", "n_region_iscms"]].reset_index(drop=True)


# ------------------------------------------------------------------------------------------- one objective
def objective_iscms(iscms: pd.DataFrame, cov: pd.DataFrame, objective: int,
                    theme_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The ISCMs working on one objective: declared first, then by name. Columns: iscm_id, short_name, type,
    macro_regions, level, via_themes (labels), evidence, source."""
    labels = theme_labels or {}
    d = cov[(cov["objective"] == int(objective)) & (cov["level"] != "none")]
    d = d.merge(iscms[["iscm_id", "short_name", "type", "macro_regions"]], on="iscm_id", how="left")
    d = d.assign(_rank=d["level"].map({"declared": 0, "derived": 1}),
                 _name=d["short_name"].astype(str).str.casefold(),
                 via_themes=d["via_themes"].map(lambda s: "; ".join(labels.get(t, t) for t in s.split("; ") if t)))
    d = d.sort_values(["_rank", "_name"]).reset_index(drop=True)
    return d[["iscm_id", "short_name", "type", "macro_regions", "level", "via_themes", "evidence", "source"]]


def objective_states(memberships: pd.DataFrame, ids: Iterable[str]) -> pd.DataFrame:
    """The States and territories taking part (member or observer) in the given ISCMs: iso3, country,
    n_iscms, iscms (ids, '; '-joined). Most ISCMs first, then by name."""
    keep = list(ids)
    m = memberships[memberships["iscm_id"].isin(keep)]
    if m.empty:
        return pd.DataFrame(columns=["iso3", "country", "n_iscms", "iscms"])
    g = m.groupby("iso3", sort=False)
    out = pd.DataFrame({"country": g["country"].first(), "n_iscms": g["iscm_id"].nunique(),
                        "iscms": g["iscm_id"].agg(lambda s: "; ".join(dict.fromkeys(s)))}).reset_index()
    return out.sort_values(["n_iscms", "country"], ascending=[False, True]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------- one State
def country_objectives(memberships: pd.DataFrame, iscms: pd.DataFrame, cov: pd.DataFrame,
                       objectives: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """Per objective, the ISCMs a State takes part in (member or observer) that cover it. Columns: objective,
    short_label, label, n_declared, n_derived, n_iscms, iscms ('; '-joined 'name (level)'). Objective order;
    empty when the State takes part in no ISCM of `iscms`."""
    cols = ["objective", "short_label", "label", "n_declared", "n_derived", "n_iscms", "iscms"]
    mine = set(memberships.loc[memberships["iso3"] == iso3, "iscm_id"]) & set(iscms["iscm_id"])
    if not mine:
        return pd.DataFrame(columns=cols)
    names = dict(zip(iscms["iscm_id"], iscms["short_name"].astype(str), strict=True))
    d = cov[cov["iscm_id"].isin(mine)]
    info = dict(zip(objectives["objective"].astype(int),
                    zip(objectives["short_label"], objectives["label"], strict=True), strict=True))
    rows = []
    for n in _objective_ids(objectives):
        o = d[(d["objective"] == n) & (d["level"] != "none")]
        o = o.assign(_name=o["iscm_id"].map(lambda i: names.get(i, i).casefold())).sort_values(["level", "_name"])
        short, label = info.get(n, (str(n), str(n)))
        rows.append({"objective": n, "short_label": short, "label": label,
                     "n_declared": int((o["level"] == "declared").sum()),
                     "n_derived": int((o["level"] == "derived").sum()), "n_iscms": len(o),
                     "iscms": "; ".join(f"{names.get(i, i)} ({lv})" for i, lv in zip(o["iscm_id"], o["level"],
                                                                                        strict=True))})
    return pd.DataFrame(rows, columns=cols)


def objective_label(n: int, short: str) -> str:
    return f"{n} {short}"


def coverage_data(cov: pd.DataFrame, iscms: pd.DataFrame, objectives: pd.DataFrame, whole: pd.DataFrame, *,
                  theme_labels: dict[str, str] | None = None, sort: str = "name") -> pd.DataFrame:
    """The grid in display order, one row per ISCM x column (the chart's data and its CSV).

    Columns: iscm_id, iscm, objective (0 = the compact as a whole), objective_label, level, via_themes (theme
    labels), evidence, source, row (0 = top), col (0 = left). sort: 'name' or 'count' (most objectives first).
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    labels = theme_labels or {}
    names = dict(zip(iscms["iscm_id"], iscms["short_name"].astype(str), strict=True))
    shorts = dict(zip(objectives["objective"].astype(int), objectives["short_label"], strict=True))
    ids = sorted(names, key=lambda i: (names[i].casefold(), i))
    if sort == "count":
        n_cov = cov[cov["level"] != "none"].groupby("iscm_id").size()
        ids = sorted(ids, key=lambda i: -int(n_cov.get(i, 0)))
    whole_by = {i: (ev, src) for i, ev, src in zip(whole["iscm_id"], whole["evidence"], whole["source"],
                                                   strict=True)}
    cells = {(i, int(n)): (lv, th, ev, src) for i, n, lv, th, ev, src in zip(
        *(cov[c].tolist() for c in ("iscm_id", "objective", "level", "via_themes", "evidence", "source")),
        strict=True)}
    cols = [WHOLE, *sorted({int(n) for n in cov["objective"]} or shorts)]
    rows = []
    for r, i in enumerate(ids):
        for c, n in enumerate(cols):
            if n == WHOLE:
                ev, src = whole_by.get(i, ("", ""))
                rows.append((i, names[i], WHOLE, WHOLE_LABEL, "declared" if ev else "none", "", ev, src, r, c))
                continue
            lv, th, ev, src = cells.get((i, n), ("none", "", "", ""))
            via = "; ".join(labels.get(t, t) for t in th.split("; ") if t)
            rows.append((i, names[i], n, objective_label(n, shorts.get(n, "")), lv, via, ev, src, r, c))
    return pd.DataFrame(rows, columns=DATA_COLUMNS)
