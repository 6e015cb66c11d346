"""Text from users made safe for Streamlit's Markdown, and the entities named in it marked up.

``escape_markdown`` is the app's one Markdown escaper: every name, title or text that comes from a data file
or an uploaded document goes through it before it reaches `st.markdown`, a caption, a label or a message
(``code_span`` shows such a text as code instead, e.g. an id read from the URL).
Imported survey text is user-controlled; the entities found in it become links built here from ids and
escaped text, never from raw input.

Pure: no Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pandas as pd

from iscm.countries import PhraseMatcher, find_countries
from iscm.dataset import Dataset
from iscm.survey.model import EntryResult
from iscm.survey.vocabulary import vocabulary

_VOCAB_KINDS = {"iscm": "iscm", "org": "organization", "theme": "theme"}


def as_text(v: Any) -> str:
    """A cell or field value as text: "" for None and missing values."""
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else str(v)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^%@])")


def escape_markdown(text: str) -> str:
    """Text that Streamlit's Markdown shows literally: every Markdown/HTML-significant character escaped.

    CommonMark lets any ASCII punctuation be escaped with a backslash, so `<script>` stays the text
    "<script>" (no tag), `**x**` stays asterisks, `[a](javascript:...)` is no link, `$x$` no formula and
    `:red[x]` / `:smile:` no Streamlit directive or emoji. Line breaks inside a paragraph are kept as
    spaces; blank lines still separate paragraphs.
    """
    text = as_text(text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(_MD_SPECIAL.sub(r"\\\1", p) for p in paragraphs if p)


def code_span(text: str) -> str:
    """Text as a Markdown code span, shown literally in a monospace font (an id someone typed into a URL).

    Nothing inside a code span is Markdown, but a backtick in the text would close it and a blank line
    would end the paragraph: the text is put on one line and fenced with one backtick more than its longest
    run of backticks (padded with a space when it starts or ends with one), as CommonMark provides.
    """
    text = " ".join(as_text(text).split())
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@dataclass(frozen=True)
class Entity:
    """A thing named in survey text: a theme, an ISCM, an organization or a country."""

    kind: str      # 'iscm' | 'theme' | 'organization' | 'country'
    key: str       # its id (ISO3 for countries)
    label: str     # what to call it
    start: int
    end: int


def find_entities(text: str, ds: Dataset) -> list[Entity]:
    """ISCMs, organizations, themes (by taxonomy keyword) and countries named in a text, in reading order.

    The phrases and their case rules are the survey extraction's own (`iscm.survey.vocabulary`): a name the
    import counts as a mention is the name highlighted here, and nothing else is.

    Countries are found separately; where a country name sits inside a longer name (the "Budapest" of an
    ISCM name is no country, but "Prague Process" must not also yield Czechia) the longer match wins.
    """
    text = as_text(text)
    if not text:
        return []
    vocab = vocabulary(ds)
    found: list[Entity] = []
    for m in [*vocab.entities.find(text), *vocab.themes.find(text)]:
        kind, key = m.key if isinstance(m.key, tuple) else ("theme", m.key)  # type: ignore[misc]
        kind = _VOCAB_KINDS[kind]
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
    target = {"iscm": ("profile", "iscm"), "theme": ("theme", "theme"), "country": ("country", "iso3")}
    if e.kind not in target or not pages.get(target[e.kind][0]):
        return None
    page, param = target[e.kind]
    return f"{pages[page]}?{param}={quote(e.key, safe='')}"


def highlight_markdown(text: str, entities: Sequence[Entity], pages: Mapping[str, str] | None = None) -> str:
    """Survey text as safe Markdown with its entities marked: links where a page shows them, bold otherwise.

    All text, the linked words included, goes through `escape_markdown`; link targets are built from
    ids only, so nothing a document says can become a tag, a script or a link of its own.
    """
    text = as_text(text).replace("\x00", " ")  # \x00 marks runs below; same length keeps the offsets
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


_ENTITY_KINDS = {"iscms": "iscm", "themes": "theme", "organizations": "organization", "countries": "country"}


def entry_entities(text: str, entry: EntryResult | Mapping[str, Any], ds: Dataset | None = None) -> list[Entity]:
    """Where the entities the import found in an entry occur in one of its texts.

    The import stored each entity with the words it matched; those exact words are found again here
    (whole words, longest first). An entry stored without entities falls back to `find_entities`.
    """
    text = as_text(text)
    if not isinstance(entry, EntryResult):
        entry = EntryResult.model_validate({"name": "", **entry})
    phrases: list[tuple[str, tuple[str, str, str], bool]] = []
    for field_name, kind in _ENTITY_KINDS.items():
        for item in entry.facts(field_name):
            if not item.id:
                continue
            label = item.label or item.id
            for ev in item.evidence:
                if ev.text.strip():
                    phrases.append((ev.text, (kind, item.id, label), True))
    if not phrases:
        return find_entities(text, ds) if ds is not None else []
    out = []
    for m in PhraseMatcher(phrases).find(text):
        kind, key, label = m.key  # type: ignore[misc]
        out.append(Entity(kind, key, label, m.start, m.end))
    return out
