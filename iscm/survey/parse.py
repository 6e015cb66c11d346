"""Read "Summary of Findings per ISCM" survey documents (txt, md, pdf, docx) into entries and sections.

The 2019 IOM assessment summarised its survey per ISCM: a preamble, then for each ISCM a line
"Name of the Inter-state consultation mechanism (ISCM): <name>" and five numbered sections. Users hold these
summaries as PDF, Word or text, usually many ISCMs in one document, and text taken out of a PDF carries the
page's furniture: broken and hyphenated lines, page numbers, running headers and footers, footnotes.

The pipeline is bytes -> text (`read_text`) -> lines cleaned of page furniture and footnotes -> blocks
(entry headings, section headings, paragraphs) -> `SurveyDocument`. Every problem a user can cause ends in
`SurveyImportError` with one message saying what is wrong and what was expected; an entry that lacks some
of the five sections is kept (its other sections are still worth having) and carries a warning naming the
missing ones. Every step is linear in the size of the text: a 10 MB line parses in well under a second.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

DEFAULT_MAX_MB = 20.0
DEFAULT_MAX_PDF_PAGES = 500
# A DOCX is a zip of XML; a real survey summary unpacks to a few MB. These bounds stop zip bombs before
# python-docx (or lxml) sees a byte of the content.
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DOCX_MAX_MEMBERS = 2000
DOCX_MAX_RATIO = 200
# python-docx spends ~35 us per paragraph: past this many paragraphs in word/document.xml the text is read with a
# streaming XML parser instead (linear, bounded memory; merged table cells are read once, not once per column).
DOCX_STREAM_PARAGRAPHS = 20_000
_ZIP_CHUNK = 2**20

SUPPORTED = "a .txt, .md, .pdf or .docx file"


class SurveyImportError(ValueError):
    """A document that cannot be imported. `message` says what is wrong and what was expected."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- sections -----------------------------------------------------------------------------------------------

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


# --- limits -------------------------------------------------------------------------------------------------

def _env_number(name: str, default: float) -> float:
    """A positive number from the environment; the default when unset or not a positive number."""
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 else default


def max_upload_mb(max_mb: float | None = None) -> float:
    """The size limit in MB: the argument, else $ISCM_MAX_UPLOAD_MB, else 20."""
    if max_mb is not None and max_mb > 0:
        return float(max_mb)
    return _env_number("ISCM_MAX_UPLOAD_MB", DEFAULT_MAX_MB)


DEFAULT_MAX_DOCX_PARAGRAPHS = 50_000  # a summary of every ISCM has a few thousand; far more is not a survey


def max_docx_paragraphs() -> int:
    """The DOCX paragraph limit: $ISCM_MAX_DOCX_PARAGRAPHS, else 50,000."""
    return int(_env_number("ISCM_MAX_DOCX_PARAGRAPHS", DEFAULT_MAX_DOCX_PARAGRAPHS))


def max_pdf_pages(pages: int | None = None) -> int:
    if pages is not None and pages > 0:
        return int(pages)
    return int(_env_number("ISCM_MAX_PDF_PAGES", DEFAULT_MAX_PDF_PAGES))


def _fmt_mb(n: float) -> str:
    return f"{n:.3g}"


# --- bytes -> text ------------------------------------------------------------------------------------------

_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "a legacy Microsoft Office file (.doc/.xls)", "save it as .docx or PDF"),
    (b"{\\rtf", "an RTF document", "save it as .docx, PDF or plain text"),
    (b"\x89PNG", "a PNG image", "import the document the image was taken from"),
    (b"\xff\xd8\xff", "a JPEG image", "import the document the image was taken from"),
    (b"GIF8", "a GIF image", "import the document the image was taken from"),
    (b"\x1f\x8b", "a gzip archive", "unpack it and import the document inside"),
    (b"Rar!", "a RAR archive", "unpack it and import the document inside"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "unpack it and import the document inside"),
)
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\ufff0-\ufffc\ufffe\uffff]")


def _kind_from_name(name: str) -> str:
    ext = PurePath(name or "").suffix.lower()
    return {".pdf": "pdf", ".docx": "docx", ".md": "md", ".markdown": "md"}.get(ext, "txt")


def _decode(data: bytes) -> str:
    """Bytes to str: BOMs first (UTF-8, UTF-16, UTF-32), then UTF-16 without BOM, UTF-8, cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return data.decode("utf-32", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    n = len(data)
    if n >= 4 and n % 2 == 0 and data.count(0) > n // 4:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        if odd > 0.4 * n / 2 and even < 0.05 * n / 2:
            return data.decode("utf-16-le", errors="replace")
        if even > 0.4 * n / 2 and odd < 0.05 * n / 2:
            return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 (Windows "ANSI"); its five undefined bytes become U+FFFD and count against the text below
        return data.decode("cp1252", errors="replace")


def _check_text(text: str, name: str) -> str:
    """Reject text that is really binary; strip stray NULs and control characters from real text."""
    if not text.strip("\x00 \t\r\n\f\v\ufeff"):
        raise SurveyImportError(f"{name}: the document contains no text — expected the text of a survey summary.")
    cleaned, bad = _BAD_CHARS.subn("", text)
    if bad > max(3, len(text) * 0.05):
        raise SurveyImportError(
            f"{name}: this looks like a binary file, not text ({bad} of {len(text)} characters are control "
            f"or undecodable bytes) — expected {SUPPORTED}.")
    return cleaned


PDF_PAGE_CONTENT_MAX = 4 * 2**20  # bytes of inflated content stream per page


def _read_pdf(data: bytes, name: str, page_limit: int) -> tuple[str, list[str]]:
    import logging

    from pypdf import PdfReader

    warnings: list[str] = []
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as e:  # pypdf raises many types on broken files; all mean "not a readable PDF"
        raise SurveyImportError(f"{name}: the PDF cannot be read ({type(e).__name__}: {e}) — expected an "
                                "intact PDF file; try saving it again from the program that made it.") from None
    if encrypted:
        try:
            ok = bool(reader.decrypt(""))
        except Exception:
            ok = False
        if not ok:
            raise SurveyImportError(f"{name}: the PDF is encrypted (password-protected) — expected an "
                                    "unprotected PDF; save a copy without a password and import that.")
        warnings.append(f"{name}: the PDF is encrypted without a user password; its text was read anyway.")
    try:
        pages = reader.pages
        n = len(pages)
        if n > page_limit:
            raise SurveyImportError(f"{name}: the PDF has {n} pages; the limit is {page_limit} — expected a "
                                    "survey summary (split the file, or set ISCM_MAX_PDF_PAGES).")
        texts = []
        for i in range(n):
            # pypdf tokenises a page's whole content stream: a small upload can inflate to tens of MB of
            # drawing operators (seconds of CPU). A text page holds a few hundred KB at most.
            contents = pages[i].get_contents()
            size = len(contents.get_data()) if contents is not None else 0
            if size > PDF_PAGE_CONTENT_MAX:
                raise SurveyImportError(
                    f"{name}: page {i + 1} of the PDF holds {size / 2**20:.0f} MB of drawing instructions; the "
                    f"limit is {PDF_PAGE_CONTENT_MAX // 2**20} MB a page — expected a text document such as a "
                    "survey summary (export the text, or print it to a new PDF).")
            texts.append(pages[i].extract_text() or "")
    except SurveyImportError:
        raise
    except Exception as e:
        raise SurveyImportError(f"{name}: the PDF's text cannot be extracted ({type(e).__name__}: {e}) — "
                                "expected a PDF with a text layer.") from None
    text = "\n\f\n".join(texts)
    if sum(ch.isalpha() for ch in text) < 20:
        raise SurveyImportError(f"{name}: the PDF has no text layer ({n} page(s) of images or empty pages) — "
                                "expected a PDF with selectable text; run OCR on it or export the text.")
    return text, warnings


def _guard_zip(data: bytes, name: str, max_uncompressed: int) -> zipfile.ZipFile:
    """Open the package after checking it cannot exhaust memory: member count, declared sizes, compression
    ratios, then the real unpacked size (directories can lie), read in 1 MB chunks so that a lying part costs
    at most the limit in time and one chunk in memory. Sets `zf.paragraphs`: the paragraph count of
    word/document.xml (counted on the way, to choose the reader)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception:
        raise SurveyImportError(f"{name}: the file is not a valid DOCX (the ZIP package is damaged) — "
                                "expected a Word .docx document; save it again from Word.") from None
    if len(infos) > DOCX_MAX_MEMBERS:
        raise SurveyImportError(f"{name}: the DOCX package holds {len(infos)} parts (limit {DOCX_MAX_MEMBERS}) "
                                "— expected an ordinary Word document.")
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise SurveyImportError(f"{name}: this is a ZIP archive but not a Word document (no word/document.xml "
                                "inside; perhaps another file renamed to .docx) — expected a .docx saved by "
                                "Word or LibreOffice.")
    declared = sum(i.file_size for i in infos)
    if declared > max_uncompressed:
        raise SurveyImportError(f"{name}: the DOCX would unpack to {declared // 2**20} MB (limit "
                                f"{max_uncompressed // 2**20} MB) — expected an ordinary Word document.")
    total = 0
    paragraphs = 0
    for info in infos:
        if info.file_size > 2**20 and info.file_size > DOCX_MAX_RATIO * max(info.compress_size, 1):
            raise SurveyImportError(f"{name}: the DOCX part {info.filename} is compressed {info.file_size // max(info.compress_size, 1)}:1 "
                                    "(a zip bomb?) — expected an ordinary Word document.")
        # sizes in the zip directory can lie; read each part with a cap to know the real size
        count = info.filename == "word/document.xml"
        tail = b""
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(min(_ZIP_CHUNK, max_uncompressed - total + 1)):
                    total += len(chunk)
                    if total > max_uncompressed:
                        raise SurveyImportError(f"{name}: the DOCX unpacks to more than "
                                                f"{max_uncompressed // 2**20} MB — expected an ordinary Word "
                                                "document.")
                    if count:  # "<w:p>" / "<w:p ": the 4-byte tail cannot hold a whole match, so none is counted twice
                        window = tail + chunk
                        paragraphs += window.count(b"<w:p>") + window.count(b"<w:p ")
                        tail = window[-4:]
        except SurveyImportError:
            raise
        except Exception:
            raise SurveyImportError(f"{name}: the DOCX part {info.filename} is damaged — expected an intact "
                                    "Word document; save it again from Word.") from None
    zf.paragraphs = paragraphs  # type: ignore[attr-defined]
    return zf


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A paragraph's text as python-docx's Paragraph.text gives it (the runs of the paragraph and of its hyperlinks:
# w:t, tabs, line breaks of type textWrapping, non-breaking hyphens), each paragraph followed by a blank line;
# run by libxslt over a batch of body-level paragraphs and tables, so no Python runs per element of the text.
_DOCX_TEXT_XSLT = b"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="/">
 <xsl:for-each select="w:body/w:p | w:body/w:tbl/w:tr/w:tc/w:p">
  <xsl:for-each select="w:r/* | w:hyperlink/w:r/*">
   <xsl:choose>
    <xsl:when test="self::w:t"><xsl:value-of select="."/></xsl:when>
    <xsl:when test="self::w:tab or self::w:ptab"><xsl:text>&#9;</xsl:text></xsl:when>
    <xsl:when test="self::w:cr or (self::w:br and (not(@w:type) or @w:type='textWrapping'))"
     ><xsl:text>&#10;</xsl:text></xsl:when>
    <xsl:when test="self::w:noBreakHyphen"><xsl:text>-</xsl:text></xsl:when>
   </xsl:choose>
  </xsl:for-each>
  <xsl:text>&#10;&#10;</xsl:text>
 </xsl:for-each>
</xsl:template></xsl:stylesheet>"""
_DOCX_BATCH = 2000


def _docx_text_streaming(zf: zipfile.ZipFile) -> str:
    """The text of word/document.xml's body paragraphs and table-cell paragraphs, "\\n\\n"-joined as
    `_read_docx` joins python-docx's paragraphs, for documents too long for python-docx (~35 us a paragraph).
    lxml's iterparse moves each body-level block, once parsed, into a batch that XSLT turns into text: linear
    time, memory of one batch. No entities, no network, no DTD. A merged table cell is read once (python-docx
    repeats it once per grid column it spans)."""
    from lxml import etree

    xslt = etree.XSLT(etree.XML(_DOCX_TEXT_XSLT))
    out: list[str] = []
    batch, n = etree.Element(f"{_W}body"), 0
    with zf.open("word/document.xml") as fh:
        for _, el in etree.iterparse(fh, events=("end",), tag=(f"{_W}p", f"{_W}tbl"), resolve_entities=False,
                                     no_network=True, load_dtd=False):
            parent = el.getparent()
            if parent is None or parent.tag != f"{_W}body":
                continue  # a paragraph inside a table: read with its table
            batch.append(el)  # moves it out of the document being built
            n += 1
            if n >= _DOCX_BATCH:
                out.append(str(xslt(batch)))
                batch, n = etree.Element(f"{_W}body"), 0
    if n:
        out.append(str(xslt(batch)))
    return "".join(out)[:-2]


def _read_docx(data: bytes, name: str, max_uncompressed: int) -> str:
    zf = _guard_zip(data, name, max_uncompressed)
    limit = max_docx_paragraphs()
    if zf.paragraphs > limit:  # type: ignore[attr-defined]
        raise SurveyImportError(
            f"{name}: the DOCX has {zf.paragraphs} paragraphs; the limit is {limit} — expected a survey "  # type: ignore[attr-defined]
            "summary (a few thousand paragraphs); split the document or raise ISCM_MAX_DOCX_PARAGRAPHS.")
    try:
        if zf.paragraphs > DOCX_STREAM_PARAGRAPHS:  # type: ignore[attr-defined]
            return _docx_text_streaming(zf)
        import docx
        from docx.table import Table

        document = docx.Document(io.BytesIO(data))
        out: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    for cell in row.cells:
                        out.extend(p.text for p in cell.paragraphs)
            else:
                out.append(block.text)
    except Exception as e:
        raise SurveyImportError(f"{name}: the DOCX cannot be read ({type(e).__name__}: {e}) — expected a Word "
                                ".docx document.") from None
    # a Word paragraph is a real paragraph: keep them apart with a blank line
    return "\n\n".join(out)


def read_text(name: str, data: bytes, *, max_mb: float | None = None, pdf_pages: int | None = None,
              docx_max_uncompressed: int = DOCX_MAX_UNCOMPRESSED) -> tuple[str, str, list[str]]:
    """The document's raw text, its kind (txt|md|pdf|docx) and reading warnings. Page breaks become \\f."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise SurveyImportError(f"{name}: expected the file's bytes, got {type(data).__name__}.")
    data = bytes(data)
    limit = max_upload_mb(max_mb)
    if len(data) > limit * 2**20:
        raise SurveyImportError(f"{name}: the file is {_fmt_mb(len(data) / 2**20)} MB; the limit is "
                                f"{_fmt_mb(limit)} MB — expected a smaller document (or raise the limit with "
                                "ISCM_MAX_UPLOAD_MB).")
    if not data.strip(b"\x00 \t\r\n\f\v"):
        raise SurveyImportError(f"{name}: the file is empty — expected the text of a survey summary.")
    kind = _kind_from_name(name)
    warnings: list[str] = []
    head = data[:1024]
    if b"%PDF-" in head:
        text, warnings = _read_pdf(data, name, max_pdf_pages(pdf_pages))
        kind = "pdf"
    elif data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        text = _read_docx(data, name, docx_max_uncompressed)
        kind = "docx"
    else:
        for magic, what, fix in _MAGIC:
            if data.startswith(magic):
                raise SurveyImportError(f"{name}: this is {what}, which cannot be imported — {fix} "
                                        f"(expected {SUPPORTED}).")
        if kind == "pdf":
            raise SurveyImportError(f"{name}: the file is named .pdf but is not a PDF (it does not start with "
                                    "%PDF-) — expected a real PDF document.")
        if kind == "docx":
            raise SurveyImportError(f"{name}: the file is named .docx but is not a Word document (not a ZIP "
                                    "package) — expected a .docx saved by Word or LibreOffice.")
        text = _decode(data)
    text = _check_text(text if kind in ("txt", "md") else text.replace("\x00", ""), name)
    if not text.strip():
        raise SurveyImportError(f"{name}: the document contains no text — expected the text of a survey "
                                "summary.")
    return text, kind, warnings


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


def _clean_chars(text: str) -> str:
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


def _strip_markdown(line: str) -> str:
    line = _MD_LINE.sub("", line)
    if "[" in line:
        line = _strip_md_links(line)
    if "*" in line or "_" in line or "`" in line:
        line = _MD_INLINE.sub("", line)
    return line


# --- headings -----------------------------------------------------------------------------------------------

_ENTRY_START = re.compile(r"\W{0,6}(?:\d{1,3}\s*[.)]\s*)?name\s+of\b", re.I)
_ENTRY_HEADING = re.compile(
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
_CONTINUATION = re.compile(r"(?:levels?\s*)?\(?\s*with\s+examples?\s*\)?\s*[:.]?\s*$", re.I)


def _section_of(line: str) -> SectionSpec | None:
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


def _is_heading_continuation(prev: str, line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 70 or s.endswith(".") or _section_of(s) or _ENTRY_START.match(s):
        return False
    if _CONTINUATION.match(s):
        return True
    return bool(s[0].islower() or s[0] == "(" or _CONNECTOR_END.search(prev[-40:]))


# --- page furniture and footnotes ---------------------------------------------------------------------------

def _furniture_key(line: str) -> str:
    """Compare candidate headers/footers with the page number blanked out ("Page 3", "3 | Title", "Title - 3");
    other digits stay, so two body lines differing only in a number are not mistaken for one footer."""
    s = " ".join(line.lower().split())
    s = re.sub(r"^\d{1,4}\b|\b\d{1,4}$|\bpage\s+\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?", "#", s)
    return s


def _drop_page_furniture(lines: list[str]) -> list[str]:
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
            if len(edges[key]) >= 2 and not (_section_of(lines[i].strip()) or _ENTRY_START.match(lines[i])
                                             or _CONTINUATION.match(lines[i].strip())):
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


def _drop_footnotes(lines: list[str]) -> list[str]:
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
            if n in pending and (n > last or n == 1) and not _section_of(line.strip()):
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


# --- lines -> blocks ----------------------------------------------------------------------------------------

@dataclass
class _Block:
    kind: str                 # entry | section | para
    text: str
    spec: SectionSpec | None = None
    name: str = ""


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


def _paragraphs(lines: list[str], vocab: str) -> list[str]:
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
        if parts and (gap and (_TERMINAL.search(tail[-12:]) or not line[0].islower()) or _LEVEL_LABEL.match(line)):
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


def _clean_name(name: str) -> str:
    name = " ".join(name.split()).strip(" *_#:-–—\"'“”‘’«»")
    return re.sub(r"\s*\*?\d{0,2}$", "", name) if name.endswith("*") else name


def _blocks(text: str, kind: str = "txt") -> list[_Block]:
    lines = _clean_chars(text).split("\n")
    if kind == "md":
        lines = [_strip_markdown(ln) for ln in lines]
    lines = [ln.rstrip() for ln in lines]
    lines = _drop_page_furniture(lines)
    lines = _drop_footnotes(lines)
    vocab = text.lower() if len(text) < 5_000_000 else ""
    blocks: list[_Block] = []
    body: list[str] = []

    def flush() -> None:
        for p in _paragraphs(body, vocab):
            blocks.append(_Block("para", p))
        body.clear()

    n = len(lines)
    i = 0
    while i < n:
        line = lines[i].strip()
        if line and _ENTRY_START.match(line):
            consumed, heading, name = _entry_heading(lines, i)
            if consumed:
                flush()
                blocks.append(_Block("entry", heading, name=name))
                i += consumed
                continue
        spec = _section_of(line) if line else None
        if spec:
            flush()
            heading = line
            j = i + 1
            taken = 0
            while j < n and taken < 2:
                k = j
                while k < n and not lines[k].strip() and k - j < 2:
                    k += 1
                if k < n and _is_heading_continuation(heading, lines[k]):
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
    m = _ENTRY_HEADING.match(joined)
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
        if k < len(lines) and lines[k].strip() and not _section_of(lines[k].strip()) \
                and not _ENTRY_START.match(lines[k]) and len(lines[k].strip()) <= 200:
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
        if (not _section_of(nxt) and not _ENTRY_START.match(nxt) and not nxt.endswith(".") and len(nxt) <= 80
                and after < len(lines) and _section_of(lines[after].strip())):
            name = _clean_name(name + " " + nxt)
            consumed_to = k
    heading = " ".join(" ".join(s for idx, s in parts if idx <= min(consumed_to, parts[-1][0])).split())
    return consumed_to - i + 1, heading, name


def normalise(text: str, kind: str = "txt") -> str:
    """The cleaned document as text: headings on their own lines, one paragraph per line, blank-separated."""
    return "\n\n".join(b.text if b.kind != "entry" else f"{b.text}" for b in _blocks(text, kind))


# --- section 2 levels and sentences -------------------------------------------------------------------------

_LEVEL_LABEL = re.compile(
    r"(?:at\s+(?:the\s+)?)?(?P<level>national|\(?inter\)?-?\s*regional|regional|global|international)"
    r"\s+levels?\s*(?:[:.\-–—]|,(?=\s))\s*", re.I)


def split_levels(paragraphs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Section 2's 'National level: ...', 'Regional level: ...', 'Global level: ...' paragraphs.

    A paragraph without a label continues the previous level (a page break splits a paragraph in two).
    """
    levels: dict[str, list[str]] = {}
    current = None
    for p in paragraphs:
        m = _LEVEL_LABEL.match(p)
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
    start = 0
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
        start = para.end()
    del start
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
