"""Split a survey document into entries and sections: the last step of reading, before extraction.

The 2019 IOM assessment summarised its survey per ISCM: a preamble, then for each ISCM a line
"Name of the Inter-state consultation mechanism (ISCM): <name>" and five numbered sections. Users hold these
summaries as PDF, Word or text, usually many ISCMs in one document.

The pipeline is bytes -> text (`read.read_text`) -> lines cleaned of page furniture and footnotes
(`clean.clean_lines`) -> blocks (entry headings, section headings, paragraphs) -> `SurveyDocument`. Every
problem a user can cause ends in `SurveyImportError`; an entry that lacks some of the five sections is kept
(its other sections are still worth having) and carries a warning naming the missing ones. Every step is
linear in the size of the text: a 10 MB line parses in well under a second.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from iscm.survey.clean import clean_lines, join_paragraphs
from iscm.survey.read import SurveyImportError, read_text
from iscm.survey.sections import (
    ENTRY_HEADING,
    ENTRY_START,
    LEVEL_LABEL,
    LEVELS,
    SECTION_BY_ID,
    SECTION_IDS,
    SECTION_SPECS,
    SectionSpec,
    is_heading_continuation,
    section_of,
)

__all__ = ["SECTION_IDS", "Entry", "Section", "SurveyDocument", "SurveyImportError", "normalise", "parse_survey",
           "parse_text", "sentences", "split_levels"]



@dataclass(frozen=True)
class Section:
    id: str
    number: int
    heading: str                      # the heading as written (joined when it was broken over lines)
    paragraphs: tuple[str, ...]
    levels: dict[str, str] = field(default_factory=dict)   # section 2 only: national/regional/global text

    @property
    def title(self) -> str:
        return SECTION_BY_ID[self.id].title

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Entry:
    index: int                        # 1-based position in the document
    name: str
    heading: str
    preface: tuple[str, ...]          # paragraphs between the name line and the first section
    sections: dict[str, Section]
    missing: tuple[str, ...]          # section ids not found
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class SurveyDocument:
    name: str
    kind: str                         # txt | md | pdf | docx
    sha256: str
    size: int
    preamble: tuple[str, ...]
    entries: tuple[Entry, ...]
    warnings: tuple[str, ...]


# --- lines -> blocks ----------------------------------------------------------------------------------------

@dataclass
class _Block:
    kind: str                 # entry | section | para
    text: str
    spec: SectionSpec | None = None
    name: str = ""


def _clean_name(name: str) -> str:
    name = " ".join(name.split()).strip(" *_#:-–—\"'“”‘’«»")
    return re.sub(r"\s*\*?\d{0,2}$", "", name) if name.endswith("*") else name


def _blocks(text: str, kind: str = "txt") -> list[_Block]:
    lines = clean_lines(text, kind)
    vocab = text.lower() if len(text) < 5_000_000 else ""
    blocks: list[_Block] = []
    body: list[str] = []

    def flush() -> None:
        for p in join_paragraphs(body, vocab):
            blocks.append(_Block("para", p))
        body.clear()

    n = len(lines)
    i = 0
    while i < n:
        line = lines[i].strip()
        if line and ENTRY_START.match(line):
            consumed, heading, name = _entry_heading(lines, i)
            if consumed:
                flush()
                blocks.append(_Block("entry", heading, name=name))
                i += consumed
                continue
        spec = section_of(line) if line else None
        if spec:
            flush()
            heading = line
            j = i + 1
            taken = 0
            while j < n and taken < 2:
                k = j
                while k < n and not lines[k].strip() and k - j < 2:
                    k += 1
                if k < n and is_heading_continuation(heading, lines[k]):
                    heading = heading + " " + lines[k].strip()
                    j = k + 1
                    taken += 1
                else:
                    break
            blocks.append(_Block("section", " ".join(heading.split()).strip(" *_#"), spec=spec))
            i = j
            continue
        body.append(lines[i])
        i += 1
    flush()
    return blocks


def _entry_heading(lines: list[str], i: int) -> tuple[int, str, str]:
    """Recognise 'Name of the Inter-state consultation mechanism (ISCM): <name>' starting at line i.

    The heading may run over up to three lines; the name is the rest of the line where the fixed words end,
    or the next line when that rest is empty. Returns (lines consumed, heading, name); (0, '', '') if none.
    """
    parts: list[tuple[int, str]] = []
    j = i
    while j < len(lines) and len(parts) < 3:
        if lines[j].strip():
            parts.append((j, lines[j].strip()))
        elif parts and j - parts[-1][0] > 2:
            break
        j += 1
    joined = ""
    offsets = []
    for idx, s in parts:
        offsets.append((len(joined), idx, s))
        joined += s + " "
    m = ENTRY_HEADING.match(joined)
    if not m:
        return 0, "", ""
    end = m.end()
    # find the line in which the fixed part ends
    last_line, rest = i, ""
    for off, idx, s in offsets:
        if off <= end <= off + len(s) + 1:
            last_line, rest = idx, joined[end:off + len(s)]
            break
    name = _clean_name(rest[:400])
    if len(name) > 200:  # a heading runs into body text on one line: keep the first words as the name
        name = name[:200].rsplit(" ", 1)[0]
    consumed_to = last_line
    if not name:
        k = last_line + 1
        while k < len(lines) and not lines[k].strip() and k - last_line < 4:
            k += 1
        if k < len(lines) and lines[k].strip() and not section_of(lines[k].strip()) \
                and not ENTRY_START.match(lines[k]) and len(lines[k].strip()) <= 200:
            name = _clean_name(lines[k])
            consumed_to = k
    if not name:
        return 0, "", ""
    # a long name may wrap: a short line right before the first section heading belongs to it
    k = consumed_to + 1
    while k < len(lines) and not lines[k].strip() and k - consumed_to < 3:
        k += 1
    if k < len(lines) and lines[k].strip() and not name.endswith(".") and len(name) + len(lines[k]) <= 200:
        nxt = lines[k].strip()
        after = k + 1
        while after < len(lines) and not lines[after].strip():
            after += 1
        if (not section_of(nxt) and not ENTRY_START.match(nxt) and not nxt.endswith(".") and len(nxt) <= 80
                and after < len(lines) and section_of(lines[after].strip())):
            name = _clean_name(name + " " + nxt)
            consumed_to = k
    heading = " ".join(" ".join(s for idx, s in parts if idx <= min(consumed_to, parts[-1][0])).split())
    return consumed_to - i + 1, heading, name


def normalise(text: str, kind: str = "txt") -> str:
    """The cleaned document as text: headings on their own lines, one paragraph per line, blank-separated."""
    return "\n\n".join(b.text for b in _blocks(text, kind))


# --- section 2 levels and sentences -------------------------------------------------------------------------

def split_levels(paragraphs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Section 2's 'National level: ...', 'Regional level: ...', 'Global level: ...' paragraphs.

    A paragraph without a label continues the previous level (a page break splits a paragraph in two).
    """
    levels: dict[str, list[str]] = {}
    current = None
    for p in paragraphs:
        m = LEVEL_LABEL.match(p)
        if m:
            word = m.group("level").lower()
            current = ("national" if word.startswith("national") else
                       "global" if word in ("global", "international") else "regional")
            p = p[m.end():]
        if current is not None and p.strip():
            levels.setdefault(current, []).append(p.strip())
    return {lv: " ".join(levels[lv]) for lv in LEVELS if lv in levels}


_ABBREV = {"e.g", "i.e", "cf", "vs", "mr", "ms", "mrs", "dr", "prof", "no", "nos", "art", "para", "paras",
           "fig", "approx", "incl", "st", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
           "nov", "dec", "p", "pp", "vol", "ed", "eds", "al", "resp"}
_SENT_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9À-Þ])")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a paragraph or section text; paragraph breaks always end a sentence."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        p0, p = para.start(), para.group(0)
        s = 0
        for m in _SENT_END.finditer(p):
            dot = m.start()
            word = re.search(r"(\S+)$", p[max(s, dot - 30):dot])
            w = word.group(1).lower().lstrip("(\"“") if word else ""
            if w in _ABBREV or (len(w) == 1 and w.isalpha()) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", w):
                continue
            end = m.start() + len(m.group(0).rstrip())
            if p[s:end].strip():
                spans.append((p0 + s, p0 + end))
            s = m.end()
        if p[s:].strip():
            spans.append((p0 + s, p0 + len(p.rstrip())))
    return spans


# --- document -> entries ------------------------------------------------------------------------------------

def _entry_from_blocks(index: int, head: _Block, body: list[_Block], name_for_msg: str) -> Entry:
    preface: list[str] = []
    found: dict[str, tuple[_Block, list[str]]] = {}
    current: list[str] | None = None
    warnings: list[str] = []
    for b in body:
        if b.kind == "section":
            assert b.spec is not None
            if b.spec.id in found:
                warnings.append(f"{name_for_msg}: section {b.spec.number} ({b.spec.title}) appears twice; "
                                "the second one is read as part of the first.")
                current = found[b.spec.id][1]
                continue
            found[b.spec.id] = (b, [])
            current = found[b.spec.id][1]
        elif current is None:
            preface.append(b.text)
        else:
            current.append(b.text)
    sections: dict[str, Section] = {}
    for spec in SECTION_SPECS:
        if spec.id in found:
            blk, paras = found[spec.id]
            levels = split_levels(paras) if spec.id == "governance" else {}
            sections[spec.id] = Section(spec.id, spec.number, blk.text, tuple(paras), levels)
    missing = tuple(s.id for s in SECTION_SPECS if s.id not in sections)
    if missing:
        listed = ", ".join(f"{SECTION_BY_ID[m].number} ({SECTION_BY_ID[m].title})" for m in missing)
        warnings.insert(0, f"{name_for_msg}: section(s) {listed} not found — expected five numbered sections "
                           "(1 Evolution of programming and thematic focus, 2 Contribution to migration "
                           "governance, 3 Salient ISCM structures, 4 Partnership models, 5 Added value of "
                           "membership); the entry is kept with the sections that were found.")
    return Entry(index, head.name, head.text, tuple(preface), sections, missing, tuple(warnings))


def parse_text(text: str, *, name: str = "document", kind: str = "txt") -> tuple[tuple[str, ...], list[Entry]]:
    """Split cleaned-up text into (preamble paragraphs, entries). Raises SurveyImportError without entries."""
    blocks = _blocks(text, kind)
    starts = [i for i, b in enumerate(blocks) if b.kind == "entry"]
    if not starts:
        raise SurveyImportError(
            f"{name}: no ISCM entry found — expected at least one line 'Name of the Inter-state consultation "
            "mechanism (ISCM): <name>' followed by its numbered sections (1 Evolution of programming and "
            "thematic focus ... 5 Added value of membership).")
    preamble = tuple(b.text for b in blocks[:starts[0]] if b.kind == "para")
    entries = []
    for n, s in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(blocks)
        head = blocks[s]
        entries.append(_entry_from_blocks(n + 1, head, blocks[s + 1:end], f"{name}, entry {n + 1} '{head.name}'"))
    return preamble, entries


def parse_survey(name: str, data: bytes, *, max_mb: float | None = None,
                 pdf_pages: int | None = None) -> SurveyDocument:
    """Read, clean and split a survey document. Raises SurveyImportError (only) for unusable input."""
    name = PurePath(str(name or "document")).name or "document"
    text, kind, warnings = read_text(name, data, max_mb=max_mb, pdf_pages=pdf_pages)
    preamble, entries = parse_text(text, name=name, kind=kind)
    for e in entries:
        warnings.extend(e.warnings)
    return SurveyDocument(name=name, kind=kind, sha256=hashlib.sha256(bytes(data)).hexdigest(), size=len(data),
                          preamble=preamble, entries=tuple(entries), warnings=tuple(warnings))
