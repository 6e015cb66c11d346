"""Find the facts in survey entries, each with its evidence: themes, countries, organizations, ISCMs,
structures and funding.

Every item carries the section it was found in and the sentence that says so, because a user deciding
whether to accept an imported fact needs to read the words it came from. Matching uses the dataset's own
vocabularies (theme keywords, organization and ISCM names/acronyms/aliases) so that improving the data
improves extraction without code changes.

`parse_document(name, data, ds)` is the one call the import UI and the CLI need: bytes in, a `ParseResult`
(iscm.survey.model: entries, warnings, preview rows, differences to the dataset) out, or `SurveyImportError`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from iscm.countries import Match, country_name, find_countries, fold
from iscm.survey.model import (
    SCHEMA,
    Difference,
    EntryResult,
    Evidence,
    Item,
    OrganizationItem,
    ParseResult,
    SectionResult,
    Source,
    ThemeItem,
    preview_rows,
)
from iscm.survey.model import Match as NameMatch
from iscm.survey.parse import Entry, SurveyDocument, SurveyImportError, parse_survey, sentences
from iscm.survey.sections import SECTION_BY_ID
from iscm.survey.vocabulary import canon_name, vocabulary

__all__ = ["FUNDING", "SCHEMA", "STRUCTURES", "ParseResult", "differences", "extract_document", "extract_entry",
           "match_iscm", "parse_document", "preview_rows", "vocabulary"]

STRUCTURES: dict[str, tuple[str, str]] = {
    "chair": ("Chair", r"\b(?:co-?)?chair(?:s|ed|ing|manship|manships|person|persons)?\b"),
    "troika": ("Troika", r"\btroikas?\b"),
    "steering_group": ("Steering group / committee",
                       r"\bsteering\s+(?:group|committee|board)s?\b|\bstrategic\s+groups?\b|\bcore\s+groups?\b"
                       r"|\bbureau\b"),
    "secretariat": ("Secretariat", r"\bsecretariats?\b"),
    "working_group": ("Working groups",
                      r"\bworking\s+groups?\b|\bexpert\s+groups?\b|\btask\s+forces?\b|\bthematic\s+groups?\b"),
    "ministerial_conference": ("Ministerial conference",
                               r"\bministerial\s+(?:conference|meeting|forum|level\s+meeting)s?\b|\bsummits?\b"),
    "senior_officials_meeting": ("Senior officials' meeting",
                                 r"\bsenior\s+officials?'?s?'?\s+(?:level\s+)?meetings?\b|\bSOMs?\b"),
    "observatory": ("Observatory", r"\bobservator(?:y|ies)\b"),
    "academy": ("Academy", r"\bacadem(?:y|ies)\b"),
    "focal_points": ("National focal points", r"\bfocal\s+points?\b"),
    "technical_meeting": ("Technical / expert meetings", r"\b(?:technical|expert)[\s-]+(?:level\s+)?meetings?\b"),
}
FUNDING: dict[str, tuple[str, str]] = {
    "project_grants": ("Project grants", r"\bgrants?\b|\bproject[\s-]+(?:based\s+)?(?:funding|financing|funds)\b"),
    "donor_funding": ("Donor funding", r"\bdonors?\b"),
    "in_kind": ("In-kind contributions", r"\bin[\s-]+kind\b"),
    "member_contributions": (
        "Financial contributions of members",
        r"\bmembership\s+fees?\b|\b(?:annual|assessed|financial|voluntary)\s+contributions?\b"
        r"|\b(?:member|participating)\s+states?'?\s+(?:financial\s+)?contributions?\b"),
    "eu_funding": ("EU funding",
                   r"\b(?:funded|financed|supported|funding)\s+(?:by|from)\s+(?:the\s+)?(?:EU|European\s+"
                   r"(?:Union|Commission))\b|\bEU[\s-]funded\b"),
    "host_budget": ("Host organization's budget", r"\b(?:core|regular)\s+budget\b"),
    "no_budget": ("No dedicated budget", r"\bno\s+(?:dedicated\s+|own\s+|regular\s+)?(?:budget|funding)\b"),
}
_FUNDING_CONTEXT = re.compile(r"\b(?:fund|financ|budget|donor|grant|contribut|in[\s-]+kind|fee)", re.I)
# scanned over the lower-cased entry text: cheaper than IGNORECASE
_STRUCT_RX = {k: re.compile(rx.lower()) for k, (_, rx) in STRUCTURES.items()}
_FUND_RX = {k: re.compile(rx.lower()) for k, (_, rx) in FUNDING.items()}

_FOCUS = re.compile(r"\b(?:focus(?:es|ed|ing)?|priorit(?:y|ies|ised|ized)|thematic\s+(?:areas?|pillars?|topics?)"
                    r"|pillars?|key\s+(?:topics|themes|areas)|main\s+(?:topics|themes|areas))\b", re.I)
_ADDED = re.compile(r"\b(?:includ(?:ed|es|ing)?|added|introduced|incorporated|became|expanded|extended|broadened"
                    r"|since|emerged|started|began|launched|new(?:ly)?)\b", re.I)
_NEGATED = re.compile(r"\b(?:not|never|no\s+longer|excluded|without)\b|n't\b", re.I)
_YEAR = re.compile(r"\b(19[4-9]\d|20\d\d)\b")
_ANAPHOR = re.compile(r"[\"'(]*(?:this|these|that|those|the\s+(?:latter|same))\s+(?:topic|theme|area|issue|priority"
                      r"|priorities|topics|themes|areas|issues)s?\b|[\"'(]*(?:it|they)\b", re.I)
_SECRETARIAT_ROLE = re.compile(
    r"(?:serv|act|function)\w*\s+as\s+(?:the\s+|its\s+)?(?:\w+\s+)?secretariat|secretariat\s+(?:is\s+|was\s+|has\s+"
    r"been\s+)?(?:provided|hosted|run|held|managed|ensured)\s+by|hosts?\s+the\s+(?:\w+\s+)?secretariat", re.I)
_OBSERVER_ROLE = re.compile(r"\bobservers?\b|\bobserver\s+status\b", re.I)
_FUNDER_ROLE = re.compile(r"\b(?:fund(?:s|ed|ing)?|financ\w+|donors?)\b", re.I)
_TECH_ROLE = re.compile(r"\btechnical\s+(?:support|assistance|secretariat)\b", re.I)


# --- matching the entry's name ------------------------------------------------------------------------------

def match_iscm(name: str, ds: Any) -> NameMatch:
    """Match an entry name to a dataset ISCM by name, acronym or alias.

    Returns the ISCM id (or None), status "matched"|"unmatched", how it matched and the candidates.
    Exact (case-, accent- and punctuation-insensitive) names first, then the parts of the name in or outside
    brackets, then a single ISCM name found inside the entry name. Anything else is left for the user.
    """
    vocab = vocabulary(ds)
    key = canon_name(name)
    if key in vocab.iscm_names:
        return NameMatch(iscm_id=vocab.iscm_names[key], status="matched", by="name")
    parts = [p for p in re.split(r"[()\[\]]|\s[-–—/]\s", name) if p.strip()]
    for p in parts:
        k = canon_name(p)
        if k in vocab.iscm_names:
            return NameMatch(iscm_id=vocab.iscm_names[k], status="matched", by="name part")
    found = list(dict.fromkeys(m.key[1] for m in vocab.entities.find(name) if m.key[0] == "iscm"))
    if len(found) == 1:
        return NameMatch(iscm_id=found[0], status="matched", by="name contains")
    return NameMatch(iscm_id=None, status="unmatched", by=None, candidates=found)


# --- extraction ---------------------------------------------------------------------------------------------

@dataclass
class _Text:
    """An entry's sections as one text (one section per line block) with its sentences and folded forms.

    Matching runs once over the whole entry instead of once per section or sentence: a 25-entry document
    is then a few hundred regex scans, not tens of thousands.
    """

    text: str
    folded: str
    lowered: str
    spans: list[tuple[int, int]]          # sentences
    starts: list[int]
    section_starts: list[int]
    section_ids: list[str]

    def sentence_index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def sentence(self, i: int) -> str:
        a, b = self.spans[i]
        return self.text[a:b]

    def section_at(self, pos: int) -> str:
        return self.section_ids[max(0, bisect.bisect_right(self.section_starts, pos) - 1)]


def _entry_text(entry: Entry) -> _Text:
    parts: list[tuple[str, str]] = []
    if entry.preface:
        parts.append(("preface", "\n".join(entry.preface)))
    for sid, sec in entry.sections.items():
        parts.append((sid, "\n".join(sec.paragraphs)))
    text, starts, ids = "", [], []
    for sid, body in parts:
        starts.append(len(text))
        ids.append(sid)
        text += body + "\n"
    spans = sentences(text) or [(0, len(text))]
    folded = fold(text)
    return _Text(text, folded, folded.lower(), spans, [a for a, _ in spans], starts or [0], ids or ["preface"])


def _inside_longer(m_start: int, m_end: int, spans: list[tuple[int, int]]) -> bool:
    """True when [m_start, m_end) lies within a longer organization/ISCM name (the name is not the theme)."""
    i = bisect.bisect_right(spans, (m_start, 10**12)) - 1
    while i >= 0 and spans[i][0] <= m_start:
        a, b = spans[i]
        if b >= m_end and (b - a) > (m_end - m_start):
            return True
        i -= 1
        if m_start - a > 400:
            break
    return False


def extract_entry(entry: Entry, ds: Any) -> EntryResult:
    """Every fact of one survey entry with its evidence."""
    vocab = vocabulary(ds)
    match = match_iscm(entry.name, ds)
    self_id = match.iscm_id
    themes: dict[str, ThemeItem] = {}
    countries: dict[str, Item] = {}
    orgs: dict[str, OrganizationItem] = {}
    iscms: dict[str, Item] = {}
    structures: dict[str, Item] = {}
    funding: dict[str, Item] = {}
    roles: dict[str, set[str]] = {}
    since: dict[str, int] = {}

    t = _entry_text(entry)
    ents: list[Match] = vocab.entities.find(t.text, folded=t.folded, lowered=t.lowered)
    spans = sorted((m.start, m.end) for m in ents)

    role_memo: dict[str, str] = {}

    def evidence(pos: int, matched: str) -> tuple[int, Evidence]:
        i = t.sentence_index(pos)
        return i, Evidence(section=t.section_at(pos), sentence=t.sentence(i), text=matched)

    for m in ents:
        kind, eid = m.key  # type: ignore[misc]
        _, ev = evidence(m.start, m.text)
        if kind == "org":
            orgs.setdefault(eid, OrganizationItem(id=eid, label=vocab.org_labels.get(eid, eid))).add(ev)
            role = role_memo.get(ev.sentence)
            if role is None:
                role = role_memo[ev.sentence] = _role(ev.sentence)
            roles.setdefault(eid, set()).add(role)
        elif eid != self_id:
            iscms.setdefault(eid, Item(id=eid, label=vocab.iscm_labels.get(eid, eid))).add(ev)
    for iso3, matched, start in find_countries(t.text, lowered=t.lowered):
        if not _inside_longer(start, start + len(matched), spans):
            countries.setdefault(iso3, Item(id=iso3, label=country_name(iso3))).add(evidence(start, matched)[1])

    # themes: 'focus' inside the focus statement of section 1, else 'mentioned'
    evolution = [i for i, (a, _) in enumerate(t.spans) if t.section_at(a) == "evolution"]
    focus_sentences = {i for i in evolution if _FOCUS.search(t.folded, *t.spans[i])}
    if not focus_sentences:  # no explicit "focus" sentence: the whole of section 1 states the focus
        focus_sentences = set(evolution)
    by_sentence: dict[int, list[str]] = {}
    for m in vocab.themes.find(t.text, folded=t.folded, lowered=t.lowered):
        if _inside_longer(m.start, m.end, spans):
            continue
        tid = str(m.key)
        i, ev = evidence(m.start, m.text)
        item = themes.setdefault(tid, ThemeItem(id=tid, label=vocab.theme_labels.get(tid, tid)))
        if i in focus_sentences:
            item.level = "focus"
        item.add(ev)
        by_sentence.setdefault(i, []).append(tid)
    # the year a theme was added: a sentence with a year and an adding verb (not negated), naming the theme
    # or pointing back to the previous sentence ("This topic was ... included to the Action Plan 2012-2016")
    for i in sorted({t.sentence_index(y.start()) for y in _YEAR.finditer(t.folded)}):
        sent = t.folded[t.spans[i][0]:t.spans[i][1]]
        verb = _ADDED.search(sent)
        if verb is None or _NEGATED.search(sent):
            continue
        targets = by_sentence.get(i) or (by_sentence.get(i - 1, []) if _ANAPHOR.match(sent) else [])
        years = [int(y.group(1)) for y in _YEAR.finditer(sent, verb.start())] or \
            [int(y.group(1)) for y in _YEAR.finditer(sent)]
        for tid in targets:
            since.setdefault(tid, years[0])

    # structures and funding, each scan over the whole entry
    for sid, rx in _STRUCT_RX.items():
        for sm in rx.finditer(t.lowered):
            structures.setdefault(sid, Item(id=sid, label=STRUCTURES[sid][0])).add(
                evidence(sm.start(), t.text[sm.start():sm.end()])[1])
    money = {t.sentence_index(c.start()) for c in _FUNDING_CONTEXT.finditer(t.folded)}
    if money:
        for fid, rx in _FUND_RX.items():
            for fm in rx.finditer(t.lowered):
                i, ev = evidence(fm.start(), t.text[fm.start():fm.end()])
                if i in money:
                    funding.setdefault(fid, Item(id=fid, label=FUNDING[fid][0])).add(ev)
    for tid, year in since.items():
        if tid in themes:
            themes[tid].since = year
    for oid, org in orgs.items():
        org.role = _strongest_role(roles.get(oid, set()))
    sections = [SectionResult(id=sid, number=sec.number, title=SECTION_BY_ID[sid].title, heading=sec.heading,
                              text=sec.text, levels=dict(sec.levels) if sid == "governance" else None)
                for sid, sec in entry.sections.items()]
    return EntryResult(
        index=entry.index, name=entry.name, iscm_id=self_id, match=match, sections=sections,
        themes=_ordered(themes, list(vocab.theme_labels)), countries=sorted(countries.values(), key=lambda x: x.id),
        organizations=sorted(orgs.values(), key=lambda x: x.id), iscms=sorted(iscms.values(), key=lambda x: x.id),
        structures=_ordered(structures, list(STRUCTURES)), funding=_ordered(funding, list(FUNDING)),
        warnings=list(entry.warnings),
    )


def _ordered(items: dict[str, Any], order: list[str]) -> list[Any]:
    rank = {k: i for i, k in enumerate(order)}
    return sorted(items.values(), key=lambda x: (rank.get(x.id, len(rank)), x.id))


def _role(sentence: str) -> str:
    if _SECRETARIAT_ROLE.search(sentence):
        return "secretariat"
    if _OBSERVER_ROLE.search(sentence):
        return "observer"
    if _FUNDER_ROLE.search(sentence):
        return "funder"
    if _TECH_ROLE.search(sentence):
        return "technical-support"
    return "partner"


def _strongest_role(roles: set[str]) -> str:
    for r in ("secretariat", "funder", "observer", "technical-support"):
        if r in roles:
            return r
    return "partner"


# --- document -> result -------------------------------------------------------------------------------------

def extract_document(doc: SurveyDocument, ds: Any) -> ParseResult:
    entries = [extract_entry(e, ds) for e in doc.entries]
    warnings = list(doc.warnings)
    for e in entries:
        if e.iscm_id is None:
            cands = ", ".join(e.match.candidates) or "none"
            warnings.append(f"{doc.name}, entry {e.index} '{e.name}': no ISCM of the dataset has this name, "
                            f"acronym or alias (close: {cands}) — confirm it as a new ISCM or pick the one it is.")
    result = ParseResult(
        source=Source(name=doc.name, kind=doc.kind, sha256=doc.sha256, size=doc.size),
        preamble=list(doc.preamble), entries=entries, warnings=warnings,
        dataset_version=str(getattr(ds, "version", "")),
    )
    result.differences = differences(result, ds)
    return result


def parse_document(name: str, data: bytes, ds: Any, *, max_mb: float | None = None,
                   pdf_pages: int | None = None) -> ParseResult:
    """Bytes of a survey document -> ParseResult. Raises SurveyImportError only; writes nothing anywhere."""
    doc = parse_survey(name, data, max_mb=max_mb, pdf_pages=pdf_pages)
    try:
        return extract_document(doc, ds)
    except SurveyImportError:
        raise
    except RecursionError:  # pragma: no cover - defensive: pathological input must not crash the app
        raise SurveyImportError(f"{doc.name}: the document is too deeply structured to read — expected an "
                                "ordinary survey summary.") from None


# --- differences to the dataset -----------------------------------------------------------------------------

def differences(result: ParseResult, ds: Any) -> list[Difference]:
    """What importing would change or add compared with the dataset, entry by entry.

    change: 'new' (would be added on import), 'differs' (the dataset says otherwise; the curated value is
    kept), 'info' (shown, not merged: countries mentioned that are not members, an unmatched ISCM).
    """
    out: list[Difference] = []
    ids = {e.iscm_id for e in result.entries}
    it = ds.iscm_themes[ds.iscm_themes["iscm_id"].isin(ids)]
    themes = {(i, th): (lv, None if pd.isna(sn) else int(sn))
              for i, th, lv, sn in zip(it["iscm_id"], it["theme_id"], it["level"], it["since"], strict=True)}
    orgs = set(zip(ds.iscm_organizations["iscm_id"], ds.iscm_organizations["org_id"], strict=True))
    links = set(zip(ds.iscm_links["source_id"], ds.iscm_links["target_id"], strict=True))
    ms = ds.memberships[ds.memberships["iscm_id"].isin(ids)]
    members = set(zip(ms["iscm_id"], ms["iso3"], strict=True))
    for e in result.entries:
        iid = e.iscm_id

        def diff(kind: str, item_id: str, label: str, dataset: str, survey: str, change: str,
                 _e: EntryResult = e) -> Difference:
            return Difference(entry=_e.name, iscm_id=_e.iscm_id or "", kind=kind, id=item_id, label=label,
                              dataset=dataset, survey=survey, change=change)

        if not iid:
            out.append(diff("iscm", "", e.name, "", "new ISCM", "info"))
            continue
        for t in e.themes:
            cur = themes.get((iid, t.id))
            if cur is None:
                out.append(diff("theme", t.id, t.label, "", _theme_desc(t.level, t.since), "new"))
            else:
                cur_level, cur_since = cur
                if cur_level != t.level or (t.since and cur_since != t.since):
                    out.append(diff("theme", t.id, t.label, _theme_desc(cur_level, cur_since),
                                    _theme_desc(t.level, t.since), "differs"))
        for o in e.organizations:
            if (iid, o.id) not in orgs:
                out.append(diff("organization", o.id, o.label, "", o.role, "new"))
        for s in e.iscms:
            if (iid, s.id) not in links and (s.id, iid) not in links and s.id != iid:
                out.append(diff("link", s.id, s.label, "", "mentioned", "new"))
        for c in e.countries:
            if (iid, c.id) not in members:
                out.append(diff("country", c.id, c.label, "not a member", "mentioned", "info"))
    return out


def _theme_desc(level: Any, since: Any) -> str:
    return f"{level}" + (f" since {since}" if since else "")
