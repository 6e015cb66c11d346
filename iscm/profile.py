"""One ISCM's profile and a side-by-side comparison of a few, gathered from a Dataset.

A profile is what a delegate wants on one screen: who the ISCM is, who takes part, what it works on, who
it works with, how it is organised, and where each fact comes from. Curated files and imported surveys can
both speak about the same theme or organization; a profile shows one row per theme or organization and
keeps every provenance, and the stronger theme level wins (as on the Themes page), so a row never shows
less than some source supports.

Imported survey text is user-controlled. It is shown as Markdown only after ``escape_markdown``; the
entities found in it become links built here from ids and escaped text, never from raw input.

Pure: no Streamlit. The page modules render what these functions return.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import pandas as pd

from iscm.countries import PhraseMatcher, find_countries
from iscm.dataset import Dataset
from iscm.model import ISCM_TYPE_LABELS, ORG_KIND_LABELS

MAX_COMPARE = 4
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


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else str(v)


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


# ---------------------------------------------------------------------------------------- comparison
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


# ------------------------------------------------------------------------------- text from users
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^%@])")


def escape_markdown(text: str) -> str:
    """Text that Streamlit's Markdown shows literally: every Markdown/HTML-significant character escaped.

    CommonMark lets any ASCII punctuation be escaped with a backslash, so `<script>` stays the text
    "<script>" (no tag), `**x**` stays asterisks, `[a](javascript:...)` is no link, `$x$` no formula and
    `:red[x]` / `:smile:` no Streamlit directive or emoji. Line breaks inside a paragraph are kept as
    spaces; blank lines still separate paragraphs.
    """
    text = _text(text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(_MD_SPECIAL.sub(r"\\\1", p) for p in paragraphs if p)


@dataclass(frozen=True)
class Entity:
    """A thing named in survey text: a theme, an ISCM, an organization or a country."""

    kind: str      # 'iscm' | 'theme' | 'organization' | 'country'
    key: str       # its id (ISO3 for countries)
    label: str     # what to call it
    start: int
    end: int


@lru_cache(maxsize=8)
def _matcher(version: str, phrases: tuple[tuple[str, tuple[str, str], bool], ...]) -> PhraseMatcher:
    return PhraseMatcher(phrases)


def _phrases(ds: Dataset) -> tuple[tuple[str, tuple[str, str], bool], ...]:
    out: list[tuple[str, tuple[str, str], bool]] = []
    for _, r in ds.iscms.iterrows():
        out.append((r["short_name"], ("iscm", r["iscm_id"]), False))
        out.append((r["full_name"], ("iscm", r["iscm_id"]), False))
        for a in split_list(r["aliases"]):
            out.append((a, ("iscm", r["iscm_id"]), False))
    for _, o in ds.organizations.iterrows():
        if o["acronym"]:
            out.append((o["acronym"], ("organization", o["org_id"]), True))
        out.append((o["name"], ("organization", o["org_id"]), False))
        for a in o["aliases"]:
            out.append((a, ("organization", o["org_id"]), a.isupper()))
    for _, t in ds.themes.iterrows():
        for k in t["keywords"]:
            out.append((k, ("theme", t["theme_id"]), False))
    return tuple(out)


def find_entities(text: str, ds: Dataset) -> list[Entity]:
    """ISCMs, organizations, themes (by taxonomy keyword) and countries named in a text, in reading order.

    Countries are found separately; where a country name sits inside a longer name (the "Budapest" of an
    ISCM name is no country, but "Prague Process" must not also yield Czechia) the longer match wins.
    """
    text = _text(text)
    if not text:
        return []
    matcher = _matcher(ds.version, _phrases(ds))
    found: list[Entity] = []
    for m in matcher.find(text):
        kind, key = m.key  # type: ignore[misc]
        label = {"iscm": ds.iscm_name, "organization": ds.org_label, "theme": ds.theme_label}[kind](key)
        found.append(Entity(kind, key, label, m.start, m.end))
    for iso3, matched, start in find_countries(text):
        found.append(Entity("country", iso3, matched, start, start + len(matched)))
    found.sort(key=lambda e: (e.start, -(e.end - e.start)))
    out: list[Entity] = []
    for e in found:
        if out and e.start < out[-1].end:
            continue
        out.append(e)
    return out


def entity_url(e: Entity, pages: Mapping[str, str] | None = None) -> str | None:
    """Relative link for an entity: an ISCM's profile, a theme or a country on the page that shows it.

    `pages` maps 'profile' / 'theme' / 'country' to the url path that serves them (None = no link).
    Ids are URL-quoted; relative paths keep working under any base URL the app is served at.
    """
    pages = pages or {}
    target = {"iscm": ("profile", "iscm"), "theme": ("theme", "theme"), "country": ("country", "country")}
    if e.kind not in target or not pages.get(target[e.kind][0]):
        return None
    page, param = target[e.kind]
    return f"{pages[page]}?{param}={quote(e.key, safe='')}"


def highlight_markdown(text: str, entities: Sequence[Entity], pages: Mapping[str, str] | None = None) -> str:
    """Survey text as safe Markdown with its entities marked: links where a page shows them, bold otherwise.

    All text, the linked words included, goes through `escape_markdown`; link targets are built from
    ids only, so nothing a document says can become a tag, a script or a link of its own.
    """
    text = _text(text).replace("\x00", " ")  # \x00 marks runs below; same length keeps the offsets
    parts: list[str] = []
    pos = 0
    for e in sorted(entities, key=lambda x: x.start):
        if e.start < pos or e.end > len(text):
            continue
        parts.append(text[pos:e.start])
        word = escape_markdown(text[e.start:e.end])
        url = entity_url(e, pages)
        parts.append(f"\x00[{word}]({url})\x00" if url else f"\x00**{word}**\x00")
        pos = e.end
    parts.append(text[pos:])
    # Escape the plain runs; the marked-up runs (between \x00) are already safe.
    out = []
    for i, chunk in enumerate("".join(parts).split("\x00")):
        out.append(chunk if i % 2 else _escape_inline(chunk))
    return "".join(out)


def _escape_inline(chunk: str) -> str:
    """escape_markdown for a run inside a paragraph: keeps its paragraph breaks and outer spaces."""
    chunk = chunk.replace("\r\n", "\n").replace("\r", "\n")
    pieces = re.split(r"(\n\s*\n)", chunk)
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:
            out.append("\n\n")
            continue
        lead = " " if piece[:1].isspace() else ""
        trail = " " if piece[-1:].isspace() and piece.strip() else ""
        out.append(lead + _MD_SPECIAL.sub(r"\\\1", " ".join(piece.split())) + trail)
    return "".join(out)


def entity_summary(entities: Sequence[Entity]) -> dict[str, list[tuple[str, str]]]:
    """Distinct (key, label) per kind, in order of first mention: the chips under a section."""
    out: dict[str, dict[str, str]] = {}
    for e in entities:
        out.setdefault(e.kind, {}).setdefault(e.key, e.label)
    return {k: list(v.items()) for k, v in out.items()}


# ------------------------------------------------------------------------------------ survey findings
@dataclass(frozen=True)
class SurveyFinding:
    """One imported survey entry about an ISCM: where it came from, its sections and what was found."""

    document: str          # the file name as imported
    imported_at: str
    entry_name: str        # the ISCM's name as the document writes it
    sections: tuple[dict[str, Any], ...]   # id, number, title, heading, text (+ levels for section 2)
    entry: dict[str, Any]  # the whole stored entry (themes, countries, organizations, iscms, ...)


_ENTITY_KINDS = {"iscms": "iscm", "themes": "theme", "organizations": "organization", "countries": "country"}


def survey_findings(imports: Iterable[Mapping[str, Any]], iscm_id: str, name: str = "") -> list[SurveyFinding]:
    """The imported entries about one ISCM, oldest import first.

    `imports` are stored import records as dicts: {"name", "imported_at", "result"} (``iscm.store``'s
    StoredImport fields). An entry belongs to the ISCM when the user matched it to its id; an unmatched
    entry became an ISCM of its own (``survey-<slug>``) under the entry's name, so it is found by name.
    """
    out = []
    for imp in imports:
        result = imp.get("result") or {}
        for e in result.get("entries", []) if isinstance(result, Mapping) else []:
            if not isinstance(e, Mapping):
                continue
            mine = e.get("iscm_id") == iscm_id or (
                iscm_id.startswith("survey-") and not e.get("iscm_id") and _text(e.get("name")).strip().lower()
                == name.strip().lower())
            if mine:
                secs = tuple(s for s in e.get("sections", []) if isinstance(s, Mapping))
                out.append(SurveyFinding(_text(imp.get("name")) or "document", _text(imp.get("imported_at")),
                                         _text(e.get("name")), tuple(dict(s) for s in secs), dict(e)))
    return out


def entry_entities(text: str, entry: Mapping[str, Any], ds: Dataset | None = None) -> list[Entity]:
    """Where the entities the import found in an entry occur in one of its texts.

    The import stored each entity with the words it matched; those exact words are found again here
    (whole words, longest first). An entry stored without entities falls back to `find_entities`.
    """
    text = _text(text)
    phrases: list[tuple[str, tuple[str, str, str], bool]] = []
    for field_name, kind in _ENTITY_KINDS.items():
        for item in entry.get(field_name, []) or []:
            if not isinstance(item, Mapping) or not item.get("id"):
                continue
            label = _text(item.get("label")) or _text(item.get("id"))
            for ev in item.get("evidence", []) or []:
                words = _text(ev.get("text") if isinstance(ev, Mapping) else "")
                if words.strip():
                    phrases.append((words, (kind, str(item["id"]), label), True))
    if not phrases:
        return find_entities(text, ds) if ds is not None else []
    out = []
    for m in PhraseMatcher(phrases).find(text):
        kind, key, label = m.key  # type: ignore[misc]
        out.append(Entity(kind, key, label, m.start, m.end))
    return out
