"""Clean a document's raw text: characters, Markdown markup, page furniture, footnotes, broken lines.

Text taken out of a PDF carries the page's furniture: broken and hyphenated lines, page numbers, running
headers and footers, footnotes. `clean_lines` removes it line by line; `join_paragraphs` joins what is left
into paragraphs. Every step is linear in the size of the text.
"""

from __future__ import annotations

import re

from iscm.survey.sections import CONTINUATION, ENTRY_START, LEVEL_LABEL, section_of

# --- text cleaning ------------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u3164]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_PAGE_NUMBER = re.compile(
    r"\s*(?:page\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-–—]\s*\d{1,4}\s*[-–—]|\(\s*\d{1,4}\s*\)"
    r"|\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s*\|.{0,80}|.{0,80}\|\s*\d{1,4})\s*", re.I)
_MD_LINE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?=\S))")
_MD_INLINE = re.compile(r"\*\*|__|`+|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w|\d)")
_MD_LINK_TEXT_MAX = 500
_MD_LINK_URL_MAX = 2000


def clean_chars(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\x0b", "\n").replace("\x85", "\n")
    text = text.replace("\f", "\n\f\n")
    # a soft hyphen at a line end joins the word; elsewhere it is invisible
    text = re.sub(r"\u00ad[ \t]*\n[ \t]*", "", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    return text


def _strip_md_links(line: str) -> str:
    """`[text](url)` and `![text](url)` -> `text` in one line (no newlines), as the regex
    `!?\\[([^\\]]{0,500})\\]\\([^)]{0,2000}\\)` substituted by its group would, but linear: at a '[' the only
    possible match ends at the first ']' after it and the first ')' after that, so both are found with
    str.find and reused by every '[' before them, instead of rescanning up to 2,500 characters at each '['."""
    out: list[str] = []
    pos = 0          # end of the last link replaced
    close = -1       # the first ']' after the current '['
    paren = -1       # the first ')' after the current '](' opening
    i = line.find("[")
    while i >= 0:
        if close <= i:
            close = line.find("]", i + 1)
            if close < 0:
                break
        if close - i - 1 <= _MD_LINK_TEXT_MAX and line.startswith("(", close + 1):
            if paren < close + 2:
                paren = line.find(")", close + 2)
                if paren < 0:
                    break
            if paren - close - 2 <= _MD_LINK_URL_MAX:
                start = i - 1 if i - 1 >= pos and line[i - 1] == "!" else i
                out.append(line[pos:start])
                out.append(line[i + 1:close])
                pos = paren + 1
                i = line.find("[", pos)
                continue
        i = line.find("[", i + 1)
    if not out:
        return line
    out.append(line[pos:])
    return "".join(out)


def strip_markdown(line: str) -> str:
    line = _MD_LINE.sub("", line)
    if "[" in line:
        line = _strip_md_links(line)
    if "*" in line or "_" in line or "`" in line:
        line = _MD_INLINE.sub("", line)
    return line


# --- page furniture and footnotes ---------------------------------------------------------------------------

def _furniture_key(line: str) -> str:
    """Compare candidate headers/footers with the page number blanked out ("Page 3", "3 | Title", "Title - 3");
    other digits stay, so two body lines differing only in a number are not mistaken for one footer."""
    s = " ".join(line.lower().split())
    s = re.sub(r"^\d{1,4}\b|\b\d{1,4}$|\bpage\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?", "#", s)
    return s


def drop_page_furniture(lines: list[str]) -> list[str]:
    """Remove page numbers, page breaks and running headers/footers (lines repeated at page edges)."""
    is_break = [ln.strip() == "\f" or bool(_PAGE_NUMBER.fullmatch(ln)) for ln in lines]
    # pages: runs of lines between breaks; the first/last two non-blank lines of each are its edges
    edges: dict[str, set[int]] = {}
    edge_lines: list[tuple[int, str, int]] = []
    page, start = 0, 0
    bounds = []
    for i, brk in enumerate([*is_break, True]):
        if brk:
            bounds.append((start, i))
            start = i + 1
    for page, (a, b) in enumerate(bounds):
        body = [i for i in range(a, b) if lines[i].strip()]
        for i in {*body[:2], *body[-2:]}:
            if len(lines[i]) > 200:
                continue
            key = _furniture_key(lines[i])
            if 3 <= len(key) <= 120:
                edges.setdefault(key, set()).add(page)
                edge_lines.append((i, key, page))
    drop = set()
    if len(bounds) > 1:
        for i, key, _ in edge_lines:
            if len(edges[key]) >= 2 and not (section_of(lines[i].strip()) or ENTRY_START.match(lines[i])
                                             or CONTINUATION.match(lines[i].strip())):
                drop.add(i)
    return ["" if (is_break[i] or i in drop) else ln for i, ln in enumerate(lines)]


_SUPERSCRIPT = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_SUP_MARKER = re.compile(rf"(?<=\S)[{_SUPERSCRIPT}]+")
# A footnote marker: 1-2 digits glued to a word or a closing mark, before a space, punctuation or the line end;
# the matches of (?<=[^\W\d_]|[*)\]"”’.,;:])(\d{1,2})(?=[\s,.;:)\]]|$), found twice as fast: the digits
# first (the regex engine skips to a digit), then the character before them checked once per candidate
# rather than a lookbehind tried at every position.
_MARKER_DIGITS = re.compile(r"\d{1,2}(?=[\s,.;:)\]]|$)")
_MARKER_BEFORE = re.compile(r"[^\W\d_]|[*)\]\"”’.,;:]")
_FOOTNOTE_LINE = re.compile(r"\s*(\d{1,2})\s+(\S.*)")
_DIGIT = re.compile(r"\d")
_SUP_ANY = re.compile(f"[{_SUPERSCRIPT}]")
_SUP_FOOTNOTE_LINE = re.compile(rf"\s*[{_SUPERSCRIPT}]+\s*\S.*")


def drop_footnotes(lines: list[str]) -> list[str]:
    """Drop footnote lines and their markers ("Kosovo*1" -> "Kosovo*").

    A line "n Text" is a footnote only if a marker n (a number glued to the end of a word, as a superscript
    comes out of a PDF) appeared since the previous footnote and n follows that footnote's number (or
    restarts at 1). That keeps "46 States and 22 ISCMs ..." as text.
    """
    out = list(lines)
    pending: dict[int, list[tuple[int, int, int]]] = {}  # number -> [(line, start, end)] since last footnote
    last = 0
    strip: dict[int, list[tuple[int, int]]] = {}
    i = 0
    while i < len(out):
        line = out[i]
        if not line:  # lines come rstripped: nothing below can match a blank one
            i += 1
            continue
        if _SUP_FOOTNOTE_LINE.match(line) and i > 0:
            out[i] = ""
            i += 1
            continue
        m = _FOOTNOTE_LINE.fullmatch(line)
        if m and len(line) < 2000:
            n = int(m.group(1))
            if n in pending and (n > last or n == 1) and not section_of(line.strip()):
                ln, a, b = pending[n][-1]
                strip.setdefault(ln, []).append((a, b))
                out[i] = ""
                last = n
                for k in [k for k in pending if k <= n]:  # markers of later notes on the same page stay
                    del pending[k]
                text = m.group(2).rstrip()
                j = i + 1  # a footnote wrapped onto the next line(s)
                while (j < len(out) and out[j].strip() and not text.endswith((".", ")"))
                       and (out[j].lstrip()[:1].islower() or out[j].lstrip()[:1] in "(0123456789")):
                    text = out[j].rstrip()
                    out[j] = ""
                    j += 1
                i = j
                continue
        if _DIGIT.search(line):
            for mm in _MARKER_DIGITS.finditer(line):
                a = mm.start()
                if a and _MARKER_BEFORE.match(line, a - 1):
                    pending.setdefault(int(mm.group()), []).append((i, a, mm.end()))
        i += 1
    for ln, spans in strip.items():
        s = out[ln]
        for a, b in sorted(spans, reverse=True):
            s = s[:a] + s[b:]
        out[ln] = s
    return [_SUP_MARKER.sub("", ln) if _SUP_ANY.search(ln) else ln for ln in out]


# --- lines -> paragraphs ----------------------------------------------------------------------------------

_TERMINAL = re.compile(r"[.!?:;][\"”’')\]]*$")
_KEEP_HYPHEN_PREFIXES = {
    "non", "self", "cross", "well", "ad", "anti", "ex", "follow", "co", "multi", "long", "short", "high", "low",
    "semi", "post", "pre", "so", "e", "bi", "tri", "one", "two", "three",
}
_KEEP_HYPHEN_SUFFIXES = {
    "based", "led", "related", "oriented", "specific", "sensitive", "term", "level", "wide", "friendly", "owned",
    "driven", "focused", "making", "building", "up", "hoc", "going",
}


def _join_hyphen(prev: str, nxt: str, vocab: str) -> str:
    """Join a line ending in '-' with the next one: 'migra-' + 'tion' -> 'migration', 'intra-' + 'and' kept."""
    left = re.search(r"(\w+)-$", prev)
    right = re.match(r"(\w+)", nxt)
    if not left or not right:
        return prev + nxt if prev.endswith("-") and nxt[:1].isalnum() else prev + " " + nxt
    a, b = left.group(1), right.group(1)
    if b.lower() in ("and", "or", "to", "nor"):
        return prev + " " + nxt
    compound = f"{a}-{b}"
    keep = (a.lower() in _KEEP_HYPHEN_PREFIXES or b.lower() in _KEEP_HYPHEN_SUFFIXES or any(c.isdigit() or c.isupper() for c in a[1:] + b)
            or b[:1].isupper() or compound.lower() in vocab)
    return prev + nxt if keep else prev[:-1] + nxt


_TAIL = 256  # how much of a paragraph's end the joining rules look at (a word broken by a hyphen, the last mark)


def join_paragraphs(lines: list[str], vocab: str) -> list[str]:
    """Join broken lines into paragraphs. A blank line ends a paragraph unless the sentence plainly goes on.

    A paragraph is collected as a list of pieces and joined once, and the rules look only at its last
    `_TAIL` characters: linear in the text however long a paragraph runs (100,000 lines without a blank line)."""
    paras: list[str] = []
    parts: list[str] = []   # the current paragraph: lines and the separators between them
    tail = ""               # its last _TAIL characters
    gap = False
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            gap = bool(parts)
            continue
        if parts and (gap and (_TERMINAL.search(tail[-12:]) or not line[0].islower()) or LEVEL_LABEL.match(line)):
            paras.append("".join(parts))
            parts, tail = [], ""
        if not parts:
            parts.append(line)
            tail = line[-_TAIL:]
        elif tail.endswith("-") and not tail.endswith(" -"):
            joined = _join_hyphen(tail, line, vocab)  # tail + sep + line, or tail[:-1] + line
            if joined.startswith(tail):
                parts.append(joined[len(tail):])
            else:  # the hyphen dropped: it is the last character of the last piece
                parts[-1] = parts[-1][:-1]
                parts.append(joined[len(tail) - 1:])
            tail = joined[-_TAIL:]
        else:
            parts.append(" ")
            parts.append(line)
            tail = (tail + " " + line)[-_TAIL:]
        gap = False
    if parts:
        paras.append("".join(parts))
    return paras


def clean_lines(text: str, kind: str = "txt") -> list[str]:
    """The document's lines without odd characters, Markdown markup (kind 'md'), page furniture and footnotes."""
    lines = clean_chars(text).split("\n")
    if kind == "md":
        lines = [strip_markdown(ln) for ln in lines]
    lines = [ln.rstrip() for ln in lines]
    lines = drop_page_furniture(lines)
    return drop_footnotes(lines)
