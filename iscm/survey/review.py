"""What the import screens show, in words a reader uses: the preview tables with ISCM names and readable
column labels, and what a confirmed import put into the dataset.

The parse result keeps ids (`iscm_id`, `kind`: the JSON of docs/survey-json.md and `ParseResult.preview()`
are for programs); these tables are for people. `import_outcome` counts from the stored result and the
dataset merged with it, so the numbers a user reads after confirming are what was kept, not what was
previewed. Pure: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from iscm.survey.merge import survey_source_title
from iscm.survey.model import FACT_KINDS, EntryResult, Evidence, ParseResult
from iscm.survey.sections import SECTION_BY_ID

FACT_KIND_LABELS = {"themes": "Theme", "countries": "Country mentioned", "organizations": "Organization",
                    "iscms": "Linked ISCM", "structures": "Structure", "funding": "Funding"}
DIFFERENCE_KIND_LABELS = {"theme": "Theme", "organization": "Organization", "link": "Linked ISCM",
                          "country": "Country mentioned", "iscm": "ISCM"}
CHANGE_LABELS = {"new": "New: added on import", "differs": "Differs: the dataset's value is kept",
                 "info": "Shown only, not added"}

ENTRY_COLUMNS = ["Entry in the document", "Matched ISCM", "Sections found", "Focus themes", "Themes", "Countries",
                 "Organizations", "Linked ISCMs", "Structures"]
FACT_COLUMNS = ["ISCM", "Kind of fact", "Fact", "Details", "Section", "Evidence"]
DIFFERENCE_COLUMNS = ["ISCM", "Kind of fact", "Fact", "In the dataset", "In the survey", "Change"]


def section_label(section_id: str) -> str:
    """ "1. Evolution of programming and thematic focus" for "evolution"; text before the first section is
    the entry's preface."""
    spec = SECTION_BY_ID.get(section_id)
    if spec is not None:
        return f"{spec.number}. {spec.title}"
    return "Before the sections" if section_id in ("preface", "") else section_id


def _iscm_label(entry_name: str, iscm_id: str | None, ds: Any) -> str:
    """The ISCM an entry is about, by name: the dataset's name when matched, else the entry's own name."""
    if iscm_id:
        return ds.iscm_name(iscm_id)
    return f"{entry_name} (new ISCM, not matched)"


def entries_table(result: ParseResult, ds: Any) -> pd.DataFrame:
    """One row per entry of the document: which ISCM it was matched to and how much was found in it."""
    rows = [[e.name,
             ds.iscm_name(e.iscm_id) if e.iscm_id else "not matched: new ISCM, to be confirmed",
             f"{len(e.sections)}/5", sum(1 for t in e.themes if t.level == "focus"), len(e.themes),
             len(e.countries), len(e.organizations), len(e.iscms), len(e.structures)] for e in result.entries]
    return pd.DataFrame(rows, columns=ENTRY_COLUMNS)


def facts_table(result: ParseResult, ds: Any) -> pd.DataFrame:
    """One row per extracted fact, with the sentence it comes from (what the user checks before confirming)."""
    rows = []
    for e in result.entries:
        iscm = _iscm_label(e.name, e.iscm_id, ds)
        for kind in FACT_KINDS:
            for item in e.facts(kind):
                detail = ", ".join(f"{k} {getattr(item, k)}" for k in ("level", "since", "role")
                                   if getattr(item, k, None) is not None)
                ev = item.evidence[0] if item.evidence else Evidence()
                rows.append([iscm, FACT_KIND_LABELS.get(kind, kind), item.label or item.id, detail, section_label(ev.section),
                             ev.sentence])
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def differences_table(result: ParseResult, ds: Any) -> pd.DataFrame:
    """What importing would change compared with the dataset (`ParseResult.differences`), in words."""
    rows = [[_iscm_label(d.entry, d.iscm_id, ds), DIFFERENCE_KIND_LABELS.get(d.kind, d.kind), d.label or d.id,
             d.dataset, d.survey, CHANGE_LABELS.get(d.change, d.change)] for d in result.differences]
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


def iscm_names(result: ParseResult, ds: Any) -> list[str]:
    """The ISCMs a document's entries are about, by name, each once: the dataset's name when matched."""
    return list(dict.fromkeys(ds.iscm_name(e.iscm_id) if e.iscm_id else e.name for e in result.entries))


def new_fact_count(result: ParseResult) -> int:
    return sum(1 for d in result.differences if d.change == "new")


# --- after confirming -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportedIscm:
    """One ISCM a stored import is about. `iscm_id` is its id in the merged dataset (None when the import is
    not part of the dataset: removed meanwhile); `facts` the facts the import holds about it; `added` the
    rows of the dataset that came from this import (themes, organizations, links); `new`: the import
    added this ISCM itself."""
    iscm_id: str | None
    name: str
    facts: int
    added: int
    new: bool


@dataclass(frozen=True)
class ImportOutcome:
    iscms: tuple[ImportedIscm, ...]

    @property
    def facts(self) -> int:
        return sum(i.facts for i in self.iscms)

    @property
    def added(self) -> int:
        return sum(i.added for i in self.iscms)

    def headline(self, verb: str = "Imported") -> str:
        """ "Imported: 2 ISCMs, 14 facts" """
        n, f = len(self.iscms), self.facts
        return f"{verb}: {n} ISCM{'' if n == 1 else 's'}, {f} fact{'' if f == 1 else 's'}"


def _entry_facts(e: EntryResult) -> int:
    return sum(len(e.facts(kind)) for kind in FACT_KINDS)


def import_outcome(result: ParseResult, ds: Any) -> ImportOutcome:
    """What a stored import amounts to in `ds`, the dataset merged with it: the ISCMs it is about (each once,
    in the document's order) with their names, the facts it holds and the dataset rows it added."""
    title = survey_source_title(result)
    added: dict[str, int] = {}
    for table, col in ((ds.iscm_themes, "iscm_id"), (ds.iscm_organizations, "iscm_id"), (ds.iscm_links, "source_id")):
        if "source" in table.columns and len(table):
            for iid, n in table.loc[table["source"] == title, col].value_counts().items():
                added[str(iid)] = added.get(str(iid), 0) + int(n)
    iscms = ds.iscms
    known = set(iscms["iscm_id"])
    from_survey = iscms[iscms["provenance"] == "survey"] if "provenance" in iscms.columns else iscms.iloc[:0]
    added_iscms = set(from_survey["iscm_id"])
    by_survey_name = {str(n).lower(): str(i) for i, n in zip(from_survey["iscm_id"], from_survey["short_name"],
                                                             strict=True)}
    order: list[str] = []
    found: dict[str, dict[str, Any]] = {}
    for e in result.entries:
        # merge_surveys keeps a matched ISCM's id and adds an unmatched entry as a new ISCM named after it
        iid = e.iscm_id if e.iscm_id in known else by_survey_name.get((e.name or "Unnamed ISCM").lower())
        key = iid or f"entry:{e.name}"
        if key not in found:
            order.append(key)
            found[key] = {"iscm_id": iid, "name": ds.iscm_name(iid) if iid else e.name, "facts": 0,
                          "added": added.get(iid, 0) if iid else 0,
                          "new": iid in added_iscms}
        found[key]["facts"] += _entry_facts(e)
    return ImportOutcome(tuple(ImportedIscm(**found[k]) for k in order))
