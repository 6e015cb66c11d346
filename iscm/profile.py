"""One ISCM's profile gathered from a Dataset, and what imported surveys say about it.

A profile is what a delegate wants on one screen: who the ISCM is, who takes part, what it works on, who
it works with, how it is organised, and where each fact comes from. Curated files and imported surveys can
both speak about the same theme or organization; a profile shows one row per theme or organization and
keeps every provenance, and the stronger theme level wins (as on the Themes page), so a row never shows
less than some source supports.

Comparisons of several profiles: iscm.compare. Survey text made safe for Markdown and its entities marked:
iscm.markup.

Pure: no Streamlit. The page modules render what these functions return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import ValidationError

from iscm.dataset import Dataset
from iscm.markup import as_text as _text
from iscm.model import ISCM_TYPE_LABELS, ORG_KIND_LABELS
from iscm.survey.model import EntryResult, ParseResult, SectionResult

ROLE_ORDER = ("secretariat", "member", "partner", "funder", "technical-support", "observer")
CONFIDENCE_AREAS = {"members": "Membership", "themes": "Themes", "organizations": "Organizations"}
LOW_MARK = "⚠ low confidence"
"""The visible mark next to every low-confidence fact (same words on the page and in the brief)."""


# ------------------------------------------------------------------------------------------ profile
@dataclass(frozen=True)
class Profile:
    """Everything the profile page and the brief show for one ISCM."""

    iscm_id: str
    facts: dict[str, Any]          # the ISCM's row of Dataset.iscms
    members: pd.DataFrame          # iso3, country, territory, confidence, note
    observers: pd.DataFrame        # same columns
    themes: pd.DataFrame           # theme_id, label, level, since, evidence, provenance, source_ref
    organizations: pd.DataFrame    # org_id, acronym, name, kind, kind_label, roles, evidence, provenance, source_ref
    links: pd.DataFrame            # other_id, other_name, direction, relation, evidence, provenance, source_ref
    sources: pd.DataFrame          # n, label, url, title, used_for
    structures: tuple[str, ...]
    confidence: dict[str, str]     # members/themes/organizations -> high|medium|low

    @property
    def name(self) -> str:
        return str(self.facts["short_name"])

    @property
    def low_confidence_areas(self) -> list[str]:
        """Areas ("Membership", ...) whose facts are marked low confidence in the data."""
        return [CONFIDENCE_AREAS[a] for a, level in self.confidence.items() if level == "low"]

    @property
    def low_confidence_members(self) -> pd.DataFrame:
        both = pd.concat([self.members.assign(role="member"), self.observers.assign(role="observer")])
        return both[both["confidence"] == "low"].reset_index(drop=True)

    @property
    def open_questions(self) -> str:
        return str(self.facts.get("open_questions") or "")

    @property
    def type_label(self) -> str:
        t = str(self.facts["type"])
        return f"{t} · {ISCM_TYPE_LABELS.get(t, t)}"


def _join(values: Iterable[Any], sep: str = "; ") -> str:
    return sep.join(dict.fromkeys(s for s in (_text(v).strip() for v in values) if s))


def numbered_sources(ds: Dataset, iscm_id: str) -> pd.DataFrame:
    """The ISCM's sources numbered 1..n in file order, so facts can cite them as [n]."""
    src = ds.sources[ds.sources["iscm_id"] == iscm_id].reset_index(drop=True)
    label = src["url"].where(src["url"] != "", src["title"])
    out = pd.DataFrame({
        "n": range(1, len(src) + 1), "label": label, "url": src["url"], "title": src["title"],
        "used_for": src["used_for"],
    })
    return out.drop_duplicates("label").reset_index(drop=True).assign(n=lambda d: range(1, len(d) + 1))


def _refs(labels: Iterable[Any], index: Mapping[str, int]) -> str:
    """'[2] [5]' for the cited sources that are in the numbered list; the label itself when it is not."""
    refs = []
    for lab in dict.fromkeys(_text(x) for x in labels):
        if not lab:
            continue
        refs.append(f"[{index[lab]}]" if lab in index else lab)
    return " ".join(refs)


def merged_themes(ds: Dataset, iscm_id: str, index: Mapping[str, int] | None = None) -> pd.DataFrame:
    """One row per theme of the ISCM: strongest level, earliest 'since', every evidence and provenance."""
    cols = ["theme_id", "label", "level", "since", "evidence", "provenance", "source_ref"]
    rows = ds.iscm_themes[ds.iscm_themes["iscm_id"] == iscm_id]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    index = index or {}
    out = []
    for theme_id, grp in rows.groupby("theme_id", sort=False):
        since = grp["since"].dropna()
        out.append({
            "theme_id": theme_id,
            "label": ds.theme_label(str(theme_id)),
            "level": "focus" if (grp["level"] == "focus").any() else "mentioned",
            "since": int(since.min()) if len(since) else None,
            "evidence": _join(grp["evidence"]),
            "provenance": _join(sorted(set(grp["provenance"]))),
            "source_ref": _refs(grp["source"], index),
        })
    df = pd.DataFrame(out, columns=cols)
    df["since"] = pd.array(df["since"].tolist(), dtype="Int64")
    df["_rank"] = (df["level"] != "focus").astype(int)
    return df.sort_values(["_rank", "label"]).drop(columns="_rank").reset_index(drop=True)


def merged_organizations(ds: Dataset, iscm_id: str, index: Mapping[str, int] | None = None) -> pd.DataFrame:
    """One row per organization working with the ISCM, its roles in a fixed order, registry name and kind."""
    cols = ["org_id", "acronym", "name", "kind", "kind_label", "roles", "evidence", "provenance", "source_ref"]
    rows = ds.iscm_organizations[ds.iscm_organizations["iscm_id"] == iscm_id]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    reg = ds.organizations.set_index("org_id")
    index = index or {}
    out = []
    for org_id, grp in rows.groupby("org_id", sort=False):
        roles = sorted(set(grp["role"]), key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99)
        known = org_id in reg.index
        kind = str(reg.at[org_id, "kind"]) if known else "other"
        out.append({
            "org_id": org_id,
            "acronym": str(reg.at[org_id, "acronym"]) if known else "",
            "name": str(reg.at[org_id, "name"]) if known else str(org_id),
            "kind": kind, "kind_label": ORG_KIND_LABELS.get(kind, kind),
            "roles": "; ".join(roles),
            "evidence": _join(grp["evidence"]),
            "provenance": _join(sorted(set(grp["provenance"]))),
            "source_ref": _refs(grp["source"], index),
        })
    df = pd.DataFrame(out, columns=cols)
    first_role = df["roles"].str.split("; ").str[0].map(lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99)
    return df.assign(_r=first_role).sort_values(["_r", "name"]).drop(columns="_r").reset_index(drop=True)


def linked_iscms(ds: Dataset, iscm_id: str, index: Mapping[str, int] | None = None) -> pd.DataFrame:
    """ISCMs linked to this one in either direction ('to' = stated in this file, 'from' = by the other)."""
    cols = ["other_id", "other_name", "direction", "relation", "evidence", "provenance", "source_ref"]
    links = ds.iscm_links
    out_rows = links[links["source_id"] == iscm_id].assign(other_id=lambda d: d["target_id"], direction="to")
    in_rows = links[links["target_id"] == iscm_id].assign(other_id=lambda d: d["source_id"], direction="from")
    both = pd.concat([out_rows, in_rows], ignore_index=True)
    if both.empty:
        return pd.DataFrame(columns=cols)
    index = index or {}
    rows = []
    for other, grp in both.groupby("other_id", sort=False):
        dirs = set(grp["direction"])
        rows.append({
            "other_id": other, "other_name": ds.iscm_name(str(other)),
            "direction": "both" if len(dirs) == 2 else dirs.pop(),
            # this ISCM's own words about the link when it states one, else what the other ISCM says
            "relation": _join(grp.loc[grp["direction"] == "to", "relation"]) or _join(grp["relation"]),
            "evidence": _join(grp.loc[grp["direction"] == "to", "evidence"]) or _join(grp["evidence"]),
            "provenance": _join(sorted(set(grp["provenance"]))),
            "source_ref": _refs(grp.loc[grp["direction"] == "to", "source"], index),
        })
    return pd.DataFrame(rows, columns=cols).sort_values("other_name").reset_index(drop=True)


def _participants(ds: Dataset, iscm_id: str, role: str) -> pd.DataFrame:
    m = ds.memberships
    sel = m[(m["iscm_id"] == iscm_id) & (m["role"] == role)]
    return sel[["iso3", "country", "territory", "confidence", "note"]].sort_values("country").reset_index(drop=True)


def split_list(value: Any) -> tuple[str, ...]:
    return tuple(s.strip() for s in _text(value).split(";") if s.strip())


def build_profile(ds: Dataset, iscm_id: str) -> Profile:
    """The profile of one ISCM. Raises KeyError naming the id when the dataset has no such ISCM."""
    hit = ds.iscms[ds.iscms["iscm_id"] == iscm_id]
    if hit.empty:
        raise KeyError(f"no ISCM with id '{iscm_id}' in this dataset")
    facts = hit.iloc[0].to_dict()
    sources = numbered_sources(ds, iscm_id)
    index = dict(zip(sources["label"], sources["n"], strict=True))
    return Profile(
        iscm_id=iscm_id,
        facts=facts,
        members=_participants(ds, iscm_id, "member"),
        observers=_participants(ds, iscm_id, "observer"),
        themes=merged_themes(ds, iscm_id, index),
        organizations=merged_organizations(ds, iscm_id, index),
        links=linked_iscms(ds, iscm_id, index),
        sources=sources,
        structures=split_list(facts.get("structures")),
        confidence={a: str(facts.get(f"confidence_{a}") or "medium") for a in CONFIDENCE_AREAS},
    )


def identity_rows(p: Profile) -> list[tuple[str, str]]:
    """(label, value) pairs of the identity block, in reading order; empty values shown as 'not known'."""
    f = p.facts
    est = f.get("established")
    reported = f.get("member_count_reported")
    members = f"{len(p.members)} members, {len(p.observers)} observers"
    if reported is not None and reported is not pd.NA and int(reported) != len(p.members):
        members += f" (the ISCM reports {int(reported)})"
    if f.get("participation") == "open":  # facts is the iscms row: an open process has chairs, not members
        members = "open to every UN Member State"
    rows = [
        ("Full name", _text(f.get("full_name"))),
        ("Acronym", _text(f.get("acronym"))),
        ("Type", p.type_label),
        ("Regions", _text(f.get("regions")).replace("; ", ", ")),
        ("Established", "" if est is None or est is pd.NA else str(int(est))),
        ("Status", _text(f.get("status"))),
        ("Secretariat", _text(f.get("secretariat"))),
        ("Website", _text(f.get("website"))),
        ("Participants", members),
    ]
    return [(k, v or "not known") for k, v in rows]


@dataclass(frozen=True)
class SurveyFinding:
    """One imported survey entry about an ISCM: where it came from, its sections and what was found."""

    document: str          # the file name as imported
    imported_at: str
    entry_name: str        # the ISCM's name as the document writes it
    sections: tuple[SectionResult, ...]   # id, number, title, heading, text (+ levels for section 2)
    entry: EntryResult     # the whole stored entry (themes, countries, organizations, iscms, ...)


def _parse_result(value: Any) -> ParseResult | None:
    if isinstance(value, ParseResult):
        return value
    if isinstance(value, Mapping):
        try:
            return ParseResult.model_validate(value)
        except ValidationError:
            return None
    return None


def survey_findings(imports: Iterable[Any], iscm_id: str, name: str = "") -> list[SurveyFinding]:
    """The imported entries about one ISCM, oldest import first.

    `imports` are stored imports (``iscm.survey.store.StoredImport``) or records with the same fields as a
    mapping: {"name", "imported_at", "result"}, the result a ParseResult or its JSON. An entry belongs to the
    ISCM when the user matched it to its id; an unmatched entry became an ISCM of its own (``survey-<slug>``)
    under the entry's name, so it is found by name.
    """
    out = []
    for imp in imports:
        rec = imp if isinstance(imp, Mapping) else {"name": getattr(imp, "name", ""),
                                                    "imported_at": getattr(imp, "imported_at", ""),
                                                    "result": getattr(imp, "result", None)}
        result = _parse_result(rec.get("result"))
        for e in result.entries if result is not None else []:
            mine = e.iscm_id == iscm_id or (
                iscm_id.startswith("survey-") and not e.iscm_id and e.name.strip().lower() == name.strip().lower())
            if mine:
                out.append(SurveyFinding(_text(rec.get("name")) or "document", _text(rec.get("imported_at")),
                                         e.name, tuple(e.sections), e))
    return out
