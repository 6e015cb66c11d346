"""Read a survey document's bytes as text: txt and md (any common encoding), PDF and DOCX, within limits.

Every problem a user can cause ends in `SurveyImportError` with one message saying what is wrong and what was
expected. The limits (file size, PDF pages and content per page, DOCX unpacked size, parts and paragraphs) are
checked before a parser sees the content, so a crafted file costs at most the limit in time and memory.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
import zipfile
from pathlib import PurePath

DEFAULT_MAX_MB = 20.0
DEFAULT_MAX_PDF_PAGES = 500
# A DOCX is a zip of XML; a real survey summary unpacks to a few MB. These bounds stop zip bombs before
# the XML parser sees a byte of the content.
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DOCX_MAX_MEMBERS = 2000
DOCX_MAX_RATIO = 200
_ZIP_CHUNK = 2**20

SUPPORTED = "a .txt, .md, .pdf or .docx file"


class SurveyImportError(ValueError):
    """A document that cannot be imported. `message` says what is wrong and what was expected."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


@functools.cache
def _quiet_pypdf() -> None:
    """pypdf logs each oddity of a damaged PDF as a warning on its own logger; the import reports what matters
    in its own words. Raised to ERROR once per process, and only if the application left the level unset."""
    log = logging.getLogger("pypdf")
    if log.level == logging.NOTSET:
        log.setLevel(logging.ERROR)


def _read_pdf(data: bytes, name: str, page_limit: int) -> tuple[str, list[str]]:
    from pypdf import PdfReader

    warnings: list[str] = []
    _quiet_pypdf()
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


def _docx_text(zf: zipfile.ZipFile) -> str:
    """The text of word/document.xml's body paragraphs and table-cell paragraphs, one paragraph per Word
    paragraph, "\\n\\n"-joined (a Word paragraph is a real paragraph: keep them apart with a blank line).

    lxml's iterparse moves each body-level block, once parsed, into a batch that XSLT turns into text: linear
    time, memory of one batch, no Python per element of the text. No entities, no network, no DTD. Each cell
    of a table is read once, as it is written: a cell merged across columns (w:gridSpan) or down rows
    (w:vMerge) holds its text once, and the text appears once (python-docx's `row.cells` repeats it for
    every grid column and row it spans, which would repeat a sentence as evidence)."""
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
        return _docx_text(zf)
    except Exception as e:
        raise SurveyImportError(f"{name}: the DOCX cannot be read ({type(e).__name__}: {e}) — expected a Word "
                                ".docx document.") from None


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
