"""Merging imported surveys into the Dataset: each added row with provenance 'survey', curated rows untouched.

Works on parse results (iscm.survey.model.ParseResult), whether just parsed, stored (`StoredImport.result`)
or read back from their JSON. The merged dataset's version changes with the imports, so caches keyed on
the version notice a new or removed import.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from iscm.survey.model import EntryResult, ParseResult
from iscm.survey.store import LoadReport, StoredImport, SurveyStore


def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return s[:50].strip("-") or "iscm"


def _results(imports: Iterable[StoredImport | ParseResult | Mapping[str, Any]]) -> list[ParseResult]:
    """The parse results of the imports; a mapping that is no parse result (a value of the wrong type) is
    left out, as an unreadable stored import is."""
    out = []
    for imp in imports:
        if isinstance(imp, StoredImport):
            out.append(imp.result)
        elif isinstance(imp, ParseResult):
            out.append(imp)
        elif isinstance(imp, Mapping):
            with contextlib.suppress(ValidationError):
                out.append(ParseResult.model_validate(imp))
    return out


def survey_source_title(result: ParseResult) -> str:
    return f"Survey import: {result.source.name or 'document'} (sha256 {result.source.sha256[:12]})"


def merge_surveys(ds: Any, imports: Iterable[StoredImport | ParseResult | Mapping[str, Any]]) -> Any:
    """The dataset plus what the imports add, each added row with provenance 'survey'.

    Curated facts are never overwritten: a theme, organization or link the dataset already has for an ISCM
    stays as it is (the import's view shows up in `extract.differences` instead). Countries mentioned in a
    survey are not memberships and are not merged. An entry the user did not match to a dataset ISCM becomes
    a new ISCM `survey-<slug>` with provenance 'survey', status 'unknown' and a note asking for confirmation.
    """
    results = _results(imports)
    if not results:
        return ds
    theme_rows, org_rows, link_rows, iscm_rows, source_rows = [], [], [], [], []
    have_theme = set(zip(ds.iscm_themes["iscm_id"], ds.iscm_themes["theme_id"], strict=True))
    have_org = set(zip(ds.iscm_organizations["iscm_id"], ds.iscm_organizations["org_id"], strict=True))
    have_link = set(zip(ds.iscm_links["source_id"], ds.iscm_links["target_id"], strict=True))
    known_iscms = set(ds.iscms["iscm_id"])
    known_themes = set(ds.themes["theme_id"])
    known_orgs = set(ds.organizations["org_id"])
    new_ids: dict[str, str] = {}
    sourced: set[tuple[str, str]] = set()
    digest = hashlib.sha256()
    for res in results:
        title = survey_source_title(res)
        digest.update(json.dumps(res.to_dict(), sort_keys=True, default=str).encode())  # the version caches key on
        for e in res.entries:
            iid = e.iscm_id
            if iid not in known_iscms:
                name = e.name or "Unnamed ISCM"
                iid = new_ids.get(name.lower())
                if iid is None:
                    base = f"survey-{_slug(name)}"
                    iid, n = base, 2
                    while iid in known_iscms:
                        iid, n = f"{base}-{n}", n + 1
                    new_ids[name.lower()] = iid
                    known_iscms.add(iid)
                    iscm_rows.append(_new_iscm_row(ds.iscms, iid, name, res, e))
            touched = False
            for t in e.themes:
                if t.id in known_themes and (iid, t.id) not in have_theme:
                    have_theme.add((iid, t.id))
                    ev = t.evidence[0].sentence if t.evidence else ""
                    theme_rows.append({"iscm_id": iid, "theme_id": t.id, "level": t.level or "mentioned",
                                       "since": t.since, "evidence": ev, "source": title, "provenance": "survey"})
                    touched = True
            for o in e.organizations:
                if o.id in known_orgs and (iid, o.id) not in have_org:
                    have_org.add((iid, o.id))
                    org_rows.append({"iscm_id": iid, "org_id": o.id, "role": o.role or "partner",
                                     "source": title, "provenance": "survey",
                                     "evidence": o.evidence[0].sentence if o.evidence else ""})
                    touched = True
            for s in e.iscms:
                tgt = s.id
                if tgt in known_iscms and tgt != iid and (iid, tgt) not in have_link and (tgt, iid) not in have_link:
                    have_link.add((iid, tgt))
                    link_rows.append({"source_id": iid, "target_id": tgt, "relation": "mentioned in survey",
                                      "source": title, "provenance": "survey",
                                      "evidence": s.evidence[0].sentence if s.evidence else ""})
                    touched = True
            if (touched or iid in new_ids.values()) and (iid, title) not in sourced:
                sourced.add((iid, title))
                source_rows.append({"iscm_id": iid, "url": "", "title": title,
                                    "used_for": "themes, organizations and linked ISCMs (survey import)"})

    def add(df: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
        if not rows:
            return df
        extra = pd.DataFrame(rows, columns=df.columns)
        for col in df.columns:
            if str(df[col].dtype) == "Int64":
                extra[col] = pd.array([None if pd.isna(v) else int(v) for v in extra[col]], dtype="Int64")
            elif df[col].dtype == bool:
                extra[col] = extra[col].fillna(False).astype(bool)
        return pd.concat([df, extra], ignore_index=True) if len(df) else extra

    iscm_themes = add(ds.iscm_themes, theme_rows)
    iscm_orgs = add(ds.iscm_organizations, org_rows)
    iscms = add(ds.iscms, iscm_rows)
    counts_t = iscm_themes.groupby("iscm_id").size()
    counts_o = iscm_orgs.groupby("iscm_id")["org_id"].nunique()
    iscms["n_themes"] = iscms["iscm_id"].map(counts_t).fillna(0).astype(int)
    iscms["n_organizations"] = iscms["iscm_id"].map(counts_o).fillna(0).astype(int)
    return replace(
        ds, iscms=iscms, iscm_themes=iscm_themes, iscm_organizations=iscm_orgs,
        iscm_links=add(ds.iscm_links, link_rows), sources=add(ds.sources, source_rows),
        version=f"{ds.version}+s{digest.hexdigest()[:8]}", _names={},
    )


def _new_iscm_row(iscms: pd.DataFrame, iid: str, name: str, res: ParseResult, entry: EntryResult) -> dict[str, Any]:
    """A row of `iscms` for an entry matched to no ISCM of the dataset: every column of the table, empty
    (no value, 0 for counts) unless the survey says something about it."""
    empty = {col: None if str(dtype) == "Int64" else 0 if pd.api.types.is_integer_dtype(dtype)
             else False if pd.api.types.is_bool_dtype(dtype) else "" for col, dtype in iscms.dtypes.items()}

    def labels(kind: str) -> str:
        return "; ".join(i.label or i.id for i in entry.facts(kind))

    said = {
        "iscm_id": iid, "short_name": name, "full_name": name, "status": "unknown",
        "summary": f"Added from the survey import of {res.source.name or 'a survey document'}; not matched to an ISCM of the dataset.",
        "confidence_members": "low", "confidence_themes": "low", "confidence_organizations": "low",
        "open_questions": "Unmatched survey entry: confirm it as a new ISCM or match it to an existing one.",
        "structures": labels("structures"), "funding": labels("funding"), "provenance": "survey",
    }
    return {**empty, **{k: v for k, v in said.items() if k in empty}}


def load_with_surveys(ds: Any, home: str | Path | None = None) -> tuple[Any, LoadReport]:
    """The dataset merged with every stored import, and the load report (problems to show the user)."""
    report = SurveyStore(home).load()
    return merge_surveys(ds, report.imports), report
