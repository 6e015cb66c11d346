"""Typed records for the files of a data directory.

The YAML files are written by people; these models are the contract they are checked against. Every model
forbids unknown fields, so a misspelt key is reported instead of silently ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ISCMType = Literal["RCP", "IRF", "Global"]
Status = Literal["active", "dormant", "inactive", "unknown"]
Confidence = Literal["high", "medium", "low"]
OrgRole = Literal["secretariat", "partner", "observer", "member", "funder", "technical-support"]
OrgKind = Literal["un", "eu", "rec", "igo", "civil_society", "academia", "other"]
ThemeLevel = Literal["focus", "mentioned"]
Participation = Literal["listed", "open"]
SourceKind = Literal["iscm", "government", "igo", "academic", "news", "web"]

ISCM_TYPE_LABELS = {
    "RCP": "Regional consultative process",
    "IRF": "Interregional forum",
    "Global": "Global process",
}
ORG_KIND_LABELS = {
    "un": "UN system",
    "eu": "European Union",
    "rec": "Regional organization",
    "igo": "Other intergovernmental",
    "civil_society": "Civil society",
    "academia": "Academia",
    "other": "Other",
}

SOURCE_KIND_LABELS = {
    "iscm": "Official site of the ISCM",
    "government": "Member government",
    "igo": "IGO / UN",
    "academic": "Academic",
    "news": "News",
    "web": "Other web",
}
# Kinds that cannot carry a `high` confidence on their own.
WEAK_SOURCE_KINDS = frozenset({"news", "web"})
PARTICIPATION_LABELS = {
    "listed": "Listed members",
    "open": "Open to every UN Member State",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Participant(_Strict):
    """A State (or a territory taking part in its own right) in an ISCM."""

    iso3: str = Field(min_length=3, max_length=3)
    name: str = Field(min_length=1)
    territory: bool = False
    confidence: Confidence | None = None
    note: str = ""

    @field_validator("iso3")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class OrganizationRole(_Strict):
    org: str = Field(min_length=1)
    role: OrgRole
    source: str | None = None
    evidence: str = ""
    note: str = ""


class LinkedISCM(_Strict):
    id: str = Field(min_length=1)
    relation: str = Field(min_length=1)
    source: str | None = None
    evidence: str = ""


class ThemeEntry(_Strict):
    id: str = Field(min_length=1)
    level: ThemeLevel = "focus"
    since: int | None = Field(default=None, ge=1945, le=2100)
    evidence: str = ""
    source: str | None = None


class GCMEntry(_Strict):
    """An ISCM's own source naming GCM objectives; no objectives means it names the compact as a whole."""

    objectives: list[int] = Field(default_factory=list)
    evidence: str = Field(min_length=1)
    source: str = Field(min_length=1)


class Source(_Strict):
    """Where a fact comes from: a web address, or a document title for printed material.

    `kind` is its tier (official ISCM site, member government, IGO/UN, academic, news, other web) and `checked`
    the day someone last read it. `document` is the path, relative to the data directory, of a copy of a printed
    source (a survey summary) that ships with or beside the project; facts cited to it are checked against its text.
    """

    url: str | None = None
    title: str | None = None
    used_for: str = ""
    kind: SourceKind | None = None
    checked: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    document: str | None = None

    @field_validator("checked", mode="before")
    @classmethod
    def _iso_date(cls, v: object) -> object:
        return v.isoformat() if isinstance(v, dt.date) else v

    @property
    def label(self) -> str:
        return self.url or self.title or ""


class ConfidenceMarks(_Strict):
    members: Confidence = "medium"
    themes: Confidence = "medium"
    organizations: Confidence = "medium"


class ISCMRecord(_Strict):
    """One ISCM as written in data/iscms/<id>.yaml."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    short_name: str = Field(min_length=1)
    full_name: str = Field(min_length=1)
    acronym: str | None = None
    aliases: list[str] = Field(default_factory=list)
    type: ISCMType
    regions: list[str] = Field(min_length=1)
    established: int | None = Field(default=None, ge=1945, le=2100)
    status: Status = "unknown"
    secretariat: str | None = None
    website: str | None = None
    summary: str = Field(min_length=1)
    participation: Participation = "listed"
    members: list[Participant] = Field(default_factory=list)
    observers: list[Participant] = Field(default_factory=list)
    chairs: list[Participant] = Field(default_factory=list)
    organizations: list[OrganizationRole] = Field(default_factory=list)
    linked_iscms: list[LinkedISCM] = Field(default_factory=list)
    themes: list[ThemeEntry] = Field(default_factory=list)
    theme_notes: str = ""
    gcm: list[GCMEntry] = Field(default_factory=list)
    structures: list[str] = Field(default_factory=list)
    funding: str | None = None
    member_count_reported: int | None = Field(default=None, ge=0)
    sources: list[Source] = Field(min_length=1)
    confidence: ConfidenceMarks = Field(default_factory=ConfidenceMarks)
    open_questions: str = ""


class Theme(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    description: str = ""
    keywords: list[str] = Field(default_factory=list)


class ThemeFile(_Strict):
    themes: list[Theme] = Field(min_length=1)


class Organization(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    acronym: str | None = None
    name: str = Field(min_length=1)
    kind: OrgKind
    parent: str | None = None
    aliases: list[str] = Field(default_factory=list)


class OrganizationFile(_Strict):
    organizations: list[Organization] = Field(min_length=1)


class GCMObjective(_Strict):
    """One of the Global Compact for Migration's 23 objectives, in our own words (data/gcm.yaml)."""

    number: int
    short: str = Field(min_length=1)
    label: str = Field(min_length=1)
    source: str | None = None


class CrosswalkLink(_Strict):
    objective: int
    rationale: str = Field(min_length=1)
    source: str | None = None


class CrosswalkEntry(_Strict):
    """A theme's GCM objectives, or the reason it lies outside the GCM (`outside`)."""

    theme: str = Field(min_length=1)
    objectives: list[CrosswalkLink] = Field(default_factory=list)
    outside: str | None = None
    source: str | None = None


class GCMFile(_Strict):
    source: str = Field(min_length=1)
    objectives: list[GCMObjective] = Field(min_length=1)
    crosswalk: list[CrosswalkEntry] = Field(default_factory=list)
