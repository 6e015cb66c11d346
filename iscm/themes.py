"""Thematic coverage analysis: which ISCM works on what, how similar their agendas are, when themes arrived.

Everything here is plain pandas/scipy on the Dataset tables, so the Themes page, a notebook and the tests
all compute the same numbers. A theme "covers" an ISCM at one of two levels: a declared focus, or only
mentioned. When several sources disagree (a curated file says focus, an imported survey only mentions it)
the stronger level wins, so a cell never shows less than some source supports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import leaves_list, linkage

from iscm.model import ISCM_TYPE_LABELS
from iscm.regions import MACRO_REGIONS

LEVELS = ("focus", "mentioned", "none")
LEVEL_LABELS = {"focus": "Declared focus", "mentioned": "Mentioned only", "none": "Not covered"}
_RANK = {"focus": 0, "mentioned": 1, "none": 2}

GROUPINGS = {"none": "No grouping", "type": "Type", "region": "Region"}
SORTS = {"name": "Name", "count": "Number of themes", "similarity": "Similarity of themes"}
CROSS_REGIONAL = "Cross-regional"
REGION_GROUPS = (*MACRO_REGIONS, CROSS_REGIONAL)

CELL_COLUMNS = ["iscm_id", "theme_id", "level", "since", "evidence", "source", "provenance"]


def _join(values: Iterable[Any]) -> str:
    return "; ".join(dict.fromkeys(str(v) for v in values if isinstance(v, str) and v.strip()))


def cells(iscm_themes: pd.DataFrame) -> pd.DataFrame:
    """One row per (ISCM, theme) actually covered, at the strongest level any source gives.

    `since` is the earliest year given at that level; evidence, sources and provenance of the rows at that
    level are joined, so the hover can show everything behind the cell.
    """
    # Plain Python over the columns: the table is small and this is several times faster than groupby.agg
    # (or than to_dict("records"), which boxes every value of the Int64 column).
    best: dict[tuple[str, str], dict[str, Any]] = {}
    cols = [iscm_themes[c].tolist() for c in CELL_COLUMNS]
    for iscm_id, theme_id, level, since, evidence, source, provenance in zip(*cols, strict=True):
        key = (iscm_id, theme_id)
        rank = _RANK.get(level, 1)
        cur = best.get(key)
        if cur is None or rank < cur["rank"]:
            best[key] = cur = {"rank": rank, "level": level, "since": [], "evidence": [], "source": [],
                               "provenance": []}
        elif rank > cur["rank"]:
            continue
        if not pd.isna(since):
            cur["since"].append(int(since))
        cur["evidence"].append(evidence)
        cur["source"].append(source)
        cur["provenance"].append(provenance)
    out = pd.DataFrame(
        [(i, t, c["level"], min(c["since"]) if c["since"] else None, _join(c["evidence"]), _join(c["source"]),
          _join(c["provenance"])) for (i, t), c in best.items()],
        columns=CELL_COLUMNS,
    )
    out["since"] = pd.array(out["since"].tolist(), dtype="Int64")
    return out


def coverage_matrix(iscms: pd.DataFrame, themes: pd.DataFrame, iscm_themes: pd.DataFrame) -> pd.DataFrame:
    """ISCM x theme grid of levels ('focus' | 'mentioned' | 'none'); index iscm_id, columns in taxonomy order.

    Only ISCMs in `iscms` appear (so a filtered dataset gives a filtered grid); every theme of the taxonomy
    is a column, covered or not.
    """
    ids, theme_ids = iscms["iscm_id"].tolist(), themes["theme_id"].tolist()
    c = cells(iscm_themes)
    level = {(i, t): lv for i, t, lv in zip(c["iscm_id"].tolist(), c["theme_id"].tolist(), c["level"].tolist(),
                                             strict=True)}
    # a plain nested list is ~5x faster than pivot + reindex + where on a grid this size
    return pd.DataFrame([[level.get((i, t), "none") for t in theme_ids] for i in ids], dtype=object,
                        index=pd.Index(ids, name="iscm_id"),
                        columns=pd.Index(theme_ids, name="theme_id"))


def covered(matrix: pd.DataFrame) -> pd.DataFrame:
    """Boolean grid: the ISCM covers the theme at any level (the theme vector used for similarity)."""
    return matrix != "none"


def theme_order(matrix: pd.DataFrame) -> list[str]:
    """Themes by prevalence: most ISCMs covering first, then most declared foci, then taxonomy order."""
    cov = covered(matrix).sum(axis=0)
    focus = (matrix == "focus").sum(axis=0)
    pos = {t: i for i, t in enumerate(matrix.columns)}
    return sorted(matrix.columns, key=lambda t: (-int(cov[t]), -int(focus[t]), pos[t]))


def region_group(macro_regions: str) -> str:
    """The one region group of an ISCM: its macro region, or 'Cross-regional' when it spans several."""
    parts = [p for p in str(macro_regions).split("; ") if p]
    if len(parts) == 1:
        return parts[0]
    return CROSS_REGIONAL if parts else "Unknown"


def group_labels(iscms: pd.DataFrame, by: str) -> pd.Series:
    """iscm_id -> group label for the grouping `by` ('none' gives '' for every ISCM)."""
    ids = iscms["iscm_id"]
    if by == "type":
        values = iscms["type"].astype(str)
    elif by == "region":
        values = iscms["macro_regions"].map(region_group)
    elif by == "none":
        values = pd.Series([""] * len(iscms), index=iscms.index)
    else:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPINGS)}")
    return pd.Series(values.tolist(), index=ids.tolist(), dtype=object)


def group_order(by: str, present: Iterable[str]) -> list[str]:
    """Groups in a stable reading order: types RCP, IRF, Global; regions as in MACRO_REGIONS, then others."""
    present = list(dict.fromkeys(present))
    canon = {"type": list(ISCM_TYPE_LABELS), "region": list(REGION_GROUPS)}.get(by, [])
    return [g for g in canon if g in present] + sorted(g for g in present if g not in canon)


def similarity_order(vectors: pd.DataFrame) -> list[str]:
    """Row ids ordered so that ISCMs with similar theme vectors sit together.

    Average-linkage hierarchical clustering on Jaccard distances with optimal leaf ordering. Rows are
    sorted by id first, so the same data always gives the same order.
    """
    vectors = vectors.sort_index()
    if len(vectors) < 3:
        return vectors.index.tolist()
    x = vectors.to_numpy(dtype=bool)
    # Jaccard is undefined for two empty vectors; treat empty rows as distance 1 from everything
    # (including each other) by giving each a private dummy column.
    empty = ~x.any(axis=1)
    if empty.any():
        pad = np.zeros((len(x), int(empty.sum())), dtype=bool)
        pad[np.flatnonzero(empty), np.arange(int(empty.sum()))] = True
        x = np.hstack([x, pad])
    z = linkage(x, method="average", metric="jaccard", optimal_ordering=True)
    return [vectors.index[i] for i in leaves_list(z)]


def order_rows(matrix: pd.DataFrame, iscms: pd.DataFrame, *, sort: str = "name",
               group_by: str = "none") -> list[tuple[str, str]]:
    """(group, iscm_id) for every row of the grid, top to bottom.

    sort: 'name' (A-Z), 'count' (most themes first, then name) or 'similarity' (clustered theme vectors);
    applied within each group when grouping by type or region.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    names = dict(zip(iscms["iscm_id"], iscms["short_name"].astype(str), strict=True))
    groups = group_labels(iscms, group_by)
    vectors = covered(matrix)
    counts = vectors.sum(axis=1)
    out: list[tuple[str, str]] = []
    for g in group_order(group_by, groups.reindex(matrix.index).tolist()):
        ids = [i for i in matrix.index if groups.get(i) == g]
        by_name = sorted(ids, key=lambda i: (names.get(i, i).casefold(), i))
        if sort == "name":
            ordered = by_name
        elif sort == "count":
            ordered = sorted(by_name, key=lambda i: -int(counts[i]))
        else:
            ordered = similarity_order(vectors.loc[ids])
        out += [(g, i) for i in ordered]
    return out


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """|A ∩ B| / |A ∪ B|; 0 for two empty sets (nothing in common is not similarity)."""
    sa, sb = set(a), set(b)
    union = sa | sb
    return len(sa & sb) / len(union) if union else 0.0


def theme_sets(matrix: pd.DataFrame) -> dict[str, set[str]]:
    """iscm_id -> the set of themes it covers (any level)."""
    cols = matrix.columns.tolist()
    return {i: {t for t, lv in zip(cols, row, strict=True) if lv != "none"}
            for i, row in zip(matrix.index.tolist(), matrix.to_numpy().tolist(), strict=True)}


def similar_iscms(matrix: pd.DataFrame, iscm_id: str, n: int = 5,
                  candidates: Iterable[str] | None = None) -> pd.DataFrame:
    """The n ISCMs whose theme sets are most similar (Jaccard) to iscm_id's, with what they share.

    `matrix` must contain iscm_id; `candidates` (default: every other row) limits whom it is compared with.
    Ties are broken by more shared themes, then by id, so the list is stable. ISCMs sharing no theme are
    left out. Theme lists follow the matrix's column order.
    """
    cols = ["iscm_id", "jaccard", "n_shared", "shared", "only_selected", "only_other"]
    sets = theme_sets(matrix)
    if iscm_id not in sets:
        raise KeyError(f"{iscm_id!r} is not in the coverage matrix")
    mine = sets[iscm_id]
    pool = [c for c in (candidates if candidates is not None else sets) if c != iscm_id and c in sets]
    order = list(matrix.columns)
    rows = []
    for other in pool:
        theirs = sets[other]
        shared = mine & theirs
        if not shared:
            continue
        rows.append({
            "iscm_id": other, "jaccard": jaccard(mine, theirs), "n_shared": len(shared),
            "shared": tuple(t for t in order if t in shared),
            "only_selected": tuple(t for t in order if t in mine - theirs),
            "only_other": tuple(t for t in order if t in theirs - mine),
        })
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    df = df.sort_values(["jaccard", "n_shared", "iscm_id"], ascending=[False, False, True])
    return df.head(n).reset_index(drop=True)


def prevalence_table(iscms: pd.DataFrame, themes: pd.DataFrame, *, matrix: pd.DataFrame,
                     by: str = "type") -> pd.DataFrame:
    """How many ISCMs cover each theme, split by group (type, or region group): the data behind the bars.

    Columns: theme_id, label, group, n_iscms, n_focus, n_mentioned, iscms ('; '-joined names). Themes in
    prevalence order; groups in group_order. Each ISCM is in exactly one group, so a theme's groups add up
    to the number of ISCMs covering it. `matrix`: coverage_matrix of the same tables.
    """
    groups = group_labels(iscms, by)
    names = dict(zip(iscms["iscm_id"], iscms["short_name"].astype(str), strict=True))
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True))
    ids = matrix.index.tolist()
    levels = matrix.to_numpy()
    pos = {t: k for k, t in enumerate(matrix.columns)}
    # Rows of each group, in name order (a stable sort, so equal names keep the matrix order): one pass per
    # group here instead of a .loc lookup per theme and group.
    by_name = sorted(range(len(ids)), key=lambda k: names.get(ids[k], ids[k]).casefold())
    row_group = [groups.get(i) for i in ids]
    members = {g: [k for k in by_name if row_group[k] == g] for g in group_order(by, groups.tolist())}
    rows = []
    for t in theme_order(matrix):
        col = levels[:, pos[t]]
        for g, ks in members.items():
            cov = [k for k in ks if col[k] != "none"]
            rows.append({
                "theme_id": t, "label": labels.get(t, t), "group": g, "n_iscms": len(cov),
                "n_focus": sum(col[k] == "focus" for k in ks),
                "n_mentioned": sum(col[k] == "mentioned" for k in ks),
                "iscms": "; ".join(names.get(ids[k], ids[k]) for k in cov),
            })
    return pd.DataFrame(rows, columns=["theme_id", "label", "group", "n_iscms", "n_focus", "n_mentioned",
                                       "iscms"])


def theme_iscms(iscms: pd.DataFrame, theme_id: str, *, detail: pd.DataFrame) -> pd.DataFrame:
    """The ISCMs covering one theme: level, since, established, evidence and source (focus first, then name).

    `detail`: cells() of the ISCMs' theme assignments."""
    c = detail[(detail["theme_id"] == theme_id) & detail["iscm_id"].isin(iscms["iscm_id"])]
    info = iscms[["iscm_id", "short_name", "type", "macro_regions", "established"]]
    out = c.merge(info, on="iscm_id", how="left")
    out["_rank"] = out["level"].map(_RANK)
    out["_name"] = out["short_name"].astype(str).str.casefold()
    out = out.sort_values(["_rank", "_name"]).drop(columns=["_rank", "_name"]).reset_index(drop=True)
    return out[["iscm_id", "short_name", "type", "macro_regions", "level", "since", "established", "evidence",
                "source", "provenance"]]


def theme_starts(iscms: pd.DataFrame, *, detail: pd.DataFrame) -> pd.DataFrame:
    """When each covered theme entered each ISCM's agenda: its `since` year if given, else the year the ISCM
    was established. Columns: iscm_id, theme_id, start, basis ('since' | 'established'); cells with
    neither year are left out. `detail`: cells() of the ISCMs' theme assignments."""
    est = dict(zip(iscms["iscm_id"], iscms["established"].tolist(), strict=True))
    rows = []
    for iscm_id, theme_id, since in zip(detail["iscm_id"], detail["theme_id"], detail["since"].tolist(),
                                      strict=True):
        if iscm_id not in est:
            continue
        if not pd.isna(since):
            rows.append((iscm_id, theme_id, int(since), "since"))
        elif not pd.isna(est[iscm_id]):
            rows.append((iscm_id, theme_id, int(est[iscm_id]), "established"))
    out = pd.DataFrame(rows, columns=["iscm_id", "theme_id", "start", "basis"])
    out["start"] = out["start"].astype("int64")
    return out


def evolution_table(iscms: pd.DataFrame, themes: pd.DataFrame, end_year: int | None = None, *,
                    starts: pd.DataFrame) -> pd.DataFrame:
    """Cumulative number of ISCMs covering each theme, year by year (from the first start to end_year).

    Columns: theme_id, label, year, new, cumulative, new_iscms ('; '-joined names of the ISCMs that took up
    the theme that year). `starts`: theme_starts() of the same ISCMs.
    """
    cols = ["theme_id", "label", "year", "new", "cumulative", "new_iscms"]
    if starts.empty:
        return pd.DataFrame(columns=cols)
    first = int(starts["start"].min())
    last = max(int(starts["start"].max()), end_year or 0)
    names = dict(zip(iscms["iscm_id"], iscms["short_name"].astype(str), strict=True))
    # Plain Python: a groupby with a string join per (theme, year) cost ten times more on this small table.
    new: dict[tuple[str, int], list[str]] = {}
    for iscm_id, theme_id, start in zip(starts["iscm_id"], starts["theme_id"], starts["start"].tolist(),
                                        strict=True):
        new.setdefault((theme_id, start), []).append(names.get(iscm_id, iscm_id))
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True))
    rows = []
    for t in themes["theme_id"].tolist():
        total = 0
        for year in range(first, last + 1):
            took_up = sorted(new.get((t, year), []), key=str.casefold)
            total += len(took_up)
            rows.append((t, labels[t], year, len(took_up), total, "; ".join(took_up)))
    out = pd.DataFrame(rows, columns=cols)
    for c in ("year", "new", "cumulative"):
        out[c] = out[c].astype("int64")
    return out


def coverage_data(iscms: pd.DataFrame, themes: pd.DataFrame, *, matrix: pd.DataFrame, detail: pd.DataFrame,
                  group_by: str = "none", sort: str = "name",
                  only_themes: Iterable[str] | None = None) -> pd.DataFrame:
    """The grid in display order, one row per ISCM x theme: the data behind the coverage chart (and its CSV).

    Columns: group, iscm_id, iscm, theme_id, theme, level ('focus' | 'mentioned' | 'none'), since, evidence,
    source, provenance, row (0 = top), col (0 = left). Columns are ordered by prevalence among the ISCMs
    shown; `only_themes` keeps just those themes. `matrix` (coverage_matrix) and `detail` (cells) are of the
    same tables.
    """
    cols = theme_order(matrix)
    if only_themes:
        keep = set(only_themes)
        cols = [t for t in cols if t in keep]
    rows = order_rows(matrix, iscms, sort=sort, group_by=group_by)
    names = dict(zip(iscms["iscm_id"], iscms["short_name"].astype(str), strict=True))
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True))
    # Rows come out in (row, col) order by construction: plain lists and one dict lookup per cell instead of
    # a cross merge, a left merge and a sort.
    info = {(i, t): (lv, since, ev, src, prov) for i, t, lv, since, ev, src, prov in zip(
        *(detail[c].tolist() for c in ("iscm_id", "theme_id", "level", "since", "evidence", "source",
                                       "provenance")), strict=True)}
    none = ("none", pd.NA, "", "", "")
    out = [(g, i, names.get(i, i), t, labels.get(t, t), *info.get((i, t), none), r, c)
           for r, (g, i) in enumerate(rows) for c, t in enumerate(cols)]
    df = pd.DataFrame(out, columns=["group", "iscm_id", "iscm", "theme_id", "theme", "level", "since",
                                    "evidence", "source", "provenance", "row", "col"])
    df["since"] = pd.array(df["since"].tolist(), dtype="Int64")
    return df


def similar_table(iscms: pd.DataFrame, themes: pd.DataFrame, iscm_id: str, n: int = 5,
                  candidates: Iterable[str] | None = None, *, matrix: pd.DataFrame) -> pd.DataFrame:
    """similar_iscms() with names and theme labels, ready for a table: iscm_id, ISCM, jaccard, shared,
    only_selected, only_other (labels '; '-joined). `matrix`: coverage_matrix of the same tables."""
    order = theme_order(matrix)
    matrix = matrix[order]
    sim = similar_iscms(matrix, iscm_id, n=n, candidates=candidates)
    names = dict(zip(iscms["iscm_id"], iscms["short_name"].astype(str), strict=True))
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True))

    def lab(ts: Sequence[str]) -> str:
        return "; ".join(labels.get(t, t) for t in ts)

    out = pd.DataFrame({
        "iscm_id": sim["iscm_id"], "iscm": sim["iscm_id"].map(lambda i: names.get(i, i)),
        "jaccard": sim["jaccard"].round(3), "n_shared": sim["n_shared"],
        "n_only_selected": sim["only_selected"].map(len), "n_only_other": sim["only_other"].map(len),
        "shared": sim["shared"].map(lab), "only_selected": sim["only_selected"].map(lab),
        "only_other": sim["only_other"].map(lab),
    })
    return out
