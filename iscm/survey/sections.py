"""The five sections of a survey entry and the lines that open an entry or a section.

Shared by the cleaning step (which must not mistake a repeated heading for a running header) and the parser
(which splits the document at these lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    id: str
    number: int
    title: str
    numbered: str     # regex for the start of a numbered heading's title ("1. <title>")
    bare: str         # stricter regex for a heading without its number (Word lists drop the number)


SECTION_SPECS: tuple[SectionSpec, ...] = (
    SectionSpec("evolution", 1, "Evolution of programming and thematic focus",
                r"evolution|programm?ing|thematic\s+(?:focus|priorit)", r"evolution\s+of\s+(?:the\s+)?programm?"),
    SectionSpec("governance", 2, "Contribution to migration governance",
                r"contribution|(?:impact\s+on\s+)?migration\s+governance",
                r"contribution\s+to\s+(?:the\s+)?migration\s+governance"),
    SectionSpec("structures", 3, "Salient ISCM structures",
                r"salient|(?:iscm\s+)?structures?\b|institutional\s+structure",
                r"salient\s+(?:iscm\s+|rcp\s+)?structures?"),
    SectionSpec("partnerships", 4, "Partnership models",
                r"partnerships?\b", r"partnership\s+models?"),
    SectionSpec("added_value", 5, "Added value of membership",
                r"added\s+value|value\s+of\s+(?:the\s+)?membership|benefits?\s+of\s+membership",
                r"added\s+value\s+of\s+(?:the\s+)?membership"),
)
SECTION_IDS = tuple(s.id for s in SECTION_SPECS)
SECTION_BY_ID = {s.id: s for s in SECTION_SPECS}
LEVELS = ("national", "regional", "global")


# --- headings -----------------------------------------------------------------------------------------------

ENTRY_START = re.compile(r"\W{0,6}(?:\d{1,3}\s*[.)]\s*)?name\s+of\b", re.I)
ENTRY_HEADING = re.compile(
    r"\W{0,6}(?:\d{1,3}\s*[.)]\s*)?name\s+of\s+(?:the\s+)?"
    r"(?:inter[\s\-‐‑‒–—]*states?\s+consultation\s+mechanisms?(?:\s+on\s+migration)?\s*(?:\(\s*iscms?\s*\))?"
    r"|iscms?\b|rcps?\b|mechanisms?\b)"
    r"[\s*_]*[:：.\-–—]?[\s*_]*", re.I)
_NUM = r"(?:[1-5]|i{1,3}|iv|v)"
_SECTION_NUMBERED = re.compile(
    rf"[\s#*_>]*(?:section\s+)?\(?(?P<num>{_NUM})(?:\s*[.):\-–]\s*|\s+)(?P<title>.*)", re.I)
_SECTION_BARE = re.compile(r"[\s#*_>]*(?P<title>.*)", re.I)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
# one regex per kind of heading, a named group per section: one match per line instead of five
_TITLE_RX = re.compile(r"(?:the\s+)?(?:" + "|".join(f"(?P<{s.id}>{s.numbered})" for s in SECTION_SPECS) + ")", re.I)
_BARE_RX = re.compile(r"(?:the\s+)?(?:" + "|".join(f"(?P<{s.id}>{s.bare})" for s in SECTION_SPECS) + ")", re.I)
_CONNECTOR_END = re.compile(r"(?:\b(?:and|or|of|at|the|for|in|on|to|by|with)|[,&/(-])\s*$", re.I)
CONTINUATION = re.compile(r"(?:levels?\s*)?\(?\s*with\s+examples?\s*\)?\s*[:.]?\s*$", re.I)


def section_of(line: str) -> SectionSpec | None:
    """The section a line is the heading of, or None. Numbered ("2. Contribution ...", "2) ...") or bare."""
    if len(line) > 220:
        return None
    m = _SECTION_NUMBERED.match(line)
    if m:
        t = _TITLE_RX.match(m.group("title").strip(" *_"))
        if t:
            return SECTION_BY_ID[t.lastgroup]  # type: ignore[index]
    if len(line) <= 120 and not line.rstrip().endswith("."):
        t = _BARE_RX.match(_SECTION_BARE.match(line).group("title").strip(" *_"))  # type: ignore[union-attr]
        if t:
            return SECTION_BY_ID[t.lastgroup]  # type: ignore[index]
    return None


def is_heading_continuation(prev: str, line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 70 or s.endswith(".") or section_of(s) or ENTRY_START.match(s):
        return False
    if CONTINUATION.match(s):
        return True
    return bool(s[0].islower() or s[0] == "(" or _CONNECTOR_END.search(prev[-40:]))


# section 2's paragraphs start with their level: 'National level: ...', 'At the regional level, ...'
LEVEL_LABEL = re.compile(
    r"(?:at\s+(?:the\s+)?)?(?P<level>national|\(?inter\)?-?\s*regional|regional|global|international)"
    r"\s+levels?\s*(?:[:.\-–—]|,(?=\s))\s*", re.I)
