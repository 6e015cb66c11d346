"""The entity vocabulary of a dataset version: the phrases that name its ISCMs, organizations and themes.

One vocabulary per dataset version, shared by the survey extraction (iscm.survey.extract) and the
highlighting of survey text on the profile page (iscm.markup.find_entities), so that a word the import
counted as a mention is the word the page marks, and the other way round. Matching rules (docs/survey-json.md):
names match case-insensitively, acronym-like phrases ("EC", "IOM", "CIS ExCom", "EaP PMM&IBM", "5+5") only in
their exact case; "and" and "&", "labour" and "labor", "organisation" and "organization" are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from iscm.countries import PhraseMatcher, fold_lower


def _split_aliases(v: Any) -> list[str]:
    if isinstance(v, list | tuple):
        return [str(x) for x in v if str(x).strip()]
    if isinstance(v, str):
        return [s.strip() for s in v.split(";") if s.strip()]
    return []


def _case_sensitive(phrase: str) -> bool:
    """Acronym-like phrases ("EC", "CIS ExCom", "EaP PMM&IBM", "5+5") must match their exact case."""
    words = phrase.split()
    if any(c.isdigit() for c in phrase):
        return True
    if len(words) == 1 and len(phrase) <= 5:
        return True
    return len(words) <= 2 and any(sum(c.isupper() for c in w) >= 2 for w in words)


def _variants(phrase: str) -> list[str]:
    """'migration and development' also as 'migration & development', 'labour' also as 'labor'."""
    out = {phrase}
    if re.search(r"\band\b", phrase):
        out.add(re.sub(r"\s+and\s+", " & ", phrase))
    if "&" in phrase:
        out.add(re.sub(r"\s*&\s*", " and ", phrase))
    for a, b in (("labour", "labor"), ("organisation", "organization"), ("programme", "program")):
        for p in list(out):
            if a in p:
                out.add(p.replace(a, b))
    return sorted(out)


@dataclass(frozen=True)
class Vocab:
    entities: PhraseMatcher                 # organizations and ISCMs: keys ('org'|'iscm', id)
    themes: PhraseMatcher                   # keys theme ids
    iscm_names: dict[str, str]              # canonical name -> iscm id
    org_labels: dict[str, str]
    iscm_labels: dict[str, str]
    theme_labels: dict[str, str]


def canon_name(s: str) -> str:
    s = fold_lower(s)
    s = re.sub(r"[\"'“”‘’.,:;]", "", s)
    return " ".join(re.sub(r"\s*-\s*", "-", s).split())


def vocabulary(ds: Any) -> Vocab:
    """Matchers built from a Dataset (building them takes ~50 ms): memoised on the Dataset, so each version
    of the data builds them once and they go when it goes (the cache policy of docs/architecture.md)."""
    memo = getattr(ds, "memo", None)
    return memo("survey_vocabulary", _build) if memo is not None else _build(ds)


def _build(ds: Any) -> Vocab:
    entity_phrases: list[tuple[str, object, bool]] = []
    org_labels: dict[str, str] = {}
    for r in ds.organizations.itertuples(index=False):
        names = [r.name, r.acronym, *_split_aliases(r.aliases)]
        org_labels[r.org_id] = str(r.acronym or r.name)
        for n in names:
            if isinstance(n, str) and n.strip():
                for v in _variants(n.strip()):
                    entity_phrases.append((v, ("org", r.org_id), _case_sensitive(v)))
    iscm_names: dict[str, str] = {}
    iscm_labels: dict[str, str] = {}
    for r in ds.iscms.itertuples(index=False):
        iscm_labels[r.iscm_id] = str(r.short_name)
        names = [r.short_name, r.full_name, r.acronym, *_split_aliases(r.aliases)]
        for n in names:
            if isinstance(n, str) and n.strip():
                iscm_names.setdefault(canon_name(n), r.iscm_id)
                for part in re.findall(r"\(([^)]+)\)", n):  # "Regional Conference on Migration (Puebla Process)"
                    if len(part) > 4:
                        iscm_names.setdefault(canon_name(part), r.iscm_id)
                for v in _variants(n.strip()):
                    entity_phrases.append((v, ("iscm", r.iscm_id), _case_sensitive(v)))
    theme_phrases: list[tuple[str, object, bool]] = []
    theme_labels: dict[str, str] = {}
    for r in ds.themes.itertuples(index=False):
        theme_labels[r.theme_id] = str(r.label)
        for kw in _split_aliases(r.keywords):
            for v in _variants(kw):
                theme_phrases.append((v, r.theme_id, False))
    return Vocab(PhraseMatcher(entity_phrases), PhraseMatcher(theme_phrases), iscm_names, org_labels,
                 iscm_labels, theme_labels)
