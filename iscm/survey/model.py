"""The parse result of a survey document as typed models: the schema of docs/survey-json.md.

`ParseResult.to_dict()` is the JSON document the CLI prints with --json and the store keeps in result.json;
`ParseResult.model_validate(d)` reads one back. Every field has a default, so a result stored by an earlier
version (or written by hand) still reads; a value of the wrong type does not (the store then reports the
import as unreadable instead of failing later on the page).

Items keep the key order of the JSON: id, label, the kind's own fields (themes: level, since; organizations:
role), evidence last.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_serializer

SCHEMA = "iscm-atlas/survey-import/1"
MAX_EVIDENCE = 5
FACT_KINDS = ("themes", "countries", "organizations", "iscms", "structures", "funding")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=False)


class Evidence(_Model):
    """Where a fact was found: the section id (or 'preface'), the whole sentence, the words matched."""

    section: str = ""
    sentence: str = ""
    text: str = ""


class Item(_Model):
    """One extracted fact (a country, an ISCM, a structure, a kind of funding) with its evidence."""

    id: str = ""
    label: str = ""
    evidence: list[Evidence] = Field(default_factory=list)

    def add(self, ev: Evidence) -> None:
        """Keep up to MAX_EVIDENCE distinct sentences, in the order found."""
        if len(self.evidence) < MAX_EVIDENCE and all(e.sentence != ev.sentence for e in self.evidence):
            self.evidence.append(ev)

    @model_serializer(mode="wrap")
    def _evidence_last(self, handler: Any) -> dict[str, Any]:
        out = handler(self)
        out["evidence"] = out.pop("evidence")
        return out


class ThemeItem(Item):
    level: str = "mentioned"      # focus | mentioned
    since: int | None = None


class OrganizationItem(Item):
    role: str = "partner"         # secretariat | funder | observer | technical-support | partner


class Match(_Model):
    iscm_id: str | None = None
    status: str = "unmatched"     # matched | unmatched
    by: str | None = None         # name | name part | name contains
    candidates: list[str] = Field(default_factory=list)


class SectionResult(_Model):
    id: str = ""
    number: int = 0
    title: str = ""
    heading: str = ""
    text: str = ""
    levels: dict[str, str] | None = None   # section 2 only: national/regional/global text

    @model_serializer(mode="wrap")
    def _levels_only_when_read(self, handler: Any) -> dict[str, Any]:
        out = handler(self)
        if out.get("levels") is None:
            out.pop("levels", None)
        return out


class EntryResult(_Model):
    index: int = 0
    name: str                     # the one field an entry cannot do without
    iscm_id: str | None = None
    match: Match = Field(default_factory=Match)
    sections: list[SectionResult] = Field(default_factory=list)
    themes: list[ThemeItem] = Field(default_factory=list)
    countries: list[Item] = Field(default_factory=list)
    organizations: list[OrganizationItem] = Field(default_factory=list)
    iscms: list[Item] = Field(default_factory=list)
    structures: list[Item] = Field(default_factory=list)
    funding: list[Item] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def facts(self, kind: str) -> list[Item]:
        """The items of one kind ('themes', 'countries', ...)."""
        return getattr(self, kind)


class Source(_Model):
    name: str = ""
    kind: str = ""
    sha256: str = ""
    size: int = 0


class Difference(_Model):
    """What importing would change compared with the dataset (change: new | differs | info)."""

    entry: str = ""
    iscm_id: str = ""
    kind: str = ""
    id: str = ""
    label: str = ""
    dataset: str = ""
    survey: str = ""
    change: str = ""


class ParseResult(_Model):
    schema_id: str = Field(SCHEMA, alias="schema")
    source: Source = Field(default_factory=Source)
    dataset_version: str = ""
    warnings: list[str] = Field(default_factory=list)
    entries: list[EntryResult] = Field(default_factory=list)
    differences: list[Difference] = Field(default_factory=list)
    preamble: list[str] = Field(default_factory=list, exclude=True)   # read, not part of the JSON

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of docs/survey-json.md."""
        return self.model_dump(mode="json", by_alias=True)

    def preview(self) -> pd.DataFrame:
        return preview_rows(self)


def preview_rows(result: ParseResult | Mapping[str, Any]) -> pd.DataFrame:
    """One row per extracted fact with its evidence: what the user checks before confirming an import."""
    if not isinstance(result, ParseResult):
        result = ParseResult.model_validate(result)
    rows = []
    for e in result.entries:
        for kind in FACT_KINDS:
            for item in e.facts(kind):
                detail = ", ".join(f"{k} {getattr(item, k)}" for k in ("level", "since", "role")
                                   if getattr(item, k, None) is not None)
                ev = item.evidence[0] if item.evidence else Evidence()
                rows.append({"entry": e.name, "iscm_id": e.iscm_id or "", "kind": kind, "id": item.id,
                             "label": item.label, "detail": detail, "section": ev.section, "evidence": ev.sentence})
    return pd.DataFrame(rows, columns=["entry", "iscm_id", "kind", "id", "label", "detail", "section", "evidence"])
