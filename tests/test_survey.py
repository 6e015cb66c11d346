"""iscm.survey (read, clean, parse): reading survey documents (txt, md, pdf, docx), cleaning them and splitting entries/sections.

Also holds the document builders (PDF via fpdf2, DOCX via python-docx) that test_extract and test_store use.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest

from iscm.survey.parse import SECTION_IDS, normalise, parse_survey, parse_text, sentences, split_levels
from iscm.survey.read import SurveyImportError, max_upload_mb, read_text

FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
]


def _font() -> Path | None:
    return next((p for p in FONT_CANDIDATES if p.is_file()), None)


def make_pdf(lines: list[str], *, header: str | None = "IOM ISCM survey 2019 | summary of findings",
             page_numbers: bool = True, user_password: str | None = None, blank: bool = False,
             pages: int | None = None) -> bytes:
    """A PDF with one text line per input line, a running header and 'Page n' footers (like an export)."""
    from fpdf import FPDF

    font = _font()

    class Doc(FPDF):
        def header(self) -> None:
            if header and not blank:
                self.set_font(family, size=7)
                self.cell(0, 5, header, new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            if page_numbers and not blank:
                self.set_y(-12)
                self.set_font(family, size=7)
                self.cell(0, 5, f"Page {self.page_no()}", align="C")

    pdf = Doc(format="A4")
    if font is not None:
        pdf.add_font("Uni", fname=str(font))
        family = "Uni"
    else:  # core font: Latin-1 only, so straighten the few typographic characters of the texts
        family = "Helvetica"
        table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
        lines = [ln.translate(table).encode("latin-1", "replace").decode("latin-1") for ln in lines]
    if user_password:
        from fpdf.enums import EncryptionMethod

        pdf.set_encryption(owner_password="owner-secret", user_password=user_password,
                           encryption_method=EncryptionMethod.RC4)
    pdf.set_font(family, size=8)
    pdf.add_page()
    if blank:
        for _ in range(pages or 1):
            pdf.rect(20, 20, 100, 60)
            if _ + 1 < (pages or 1):
                pdf.add_page()
        return bytes(pdf.output())
    for line in lines:
        if line.strip():
            pdf.cell(0, 4.5, line.strip(), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4.5)
    return bytes(pdf.output())


def seed_paragraphs(text: str) -> list[str]:
    """The seed as Word paragraphs: blank lines separate paragraphs; a numbered heading and the footnote
    (which in a PDF extraction sits between two pages) stand as paragraphs of their own, as in Word."""
    paras: list[str] = []
    cur: list[str] = []
    for line in text.split("\n"):
        if re.match(r"\s*\d[.)]\s+[A-Z]", line) and cur:
            paras.append(" ".join(s.strip() for s in cur))
            cur = []
        if not line.strip() or re.match(r"\s*\d\s+[A-Z]", line):
            if cur:
                paras.append(" ".join(s.strip() for s in cur))
                cur = []
            if line.strip():
                paras.append(line.strip())
            continue
        cur.append(line)
    if cur:
        paras.append(" ".join(s.strip() for s in cur))
    return paras


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def section_texts(doc) -> dict[str, str]:
    """Section texts with blanks collapsed and quotes straightened (a PDF made without a Unicode font
    has straight quotes)."""
    from iscm.countries import fold

    e = doc.entries[0]
    return {sid: fold(" ".join(s.text.split())) for sid, s in e.sections.items()}


# --- a synthetic three-entry document (own words), laid out like a PDF export ------------------------------

ENTRIES = [
    ("Budapest Process", "irregular migration and readmission, later also legal migration and migra-",
     "tion and development"),
    ("“Rabat Process”", "mobility, legal migration and the fight against smug-", "gling of migrants"),
    ("Puebla Process", "border management and protection of vulnerable mi-", "grants"),
]


def three_entry_lines() -> list[str]:
    """~3 pages of text with page numbers, a running footer, a running header and hyphenated line ends."""
    lines = ["Assessment of consultation mechanisms", "", "An overview of three dialogues, written for tests.", ""]
    page_lines: list[str] = []
    for n, (name, focus_a, focus_b) in enumerate(ENTRIES, start=1):
        page_lines += [
            f"Name of the Inter-state consultation mechanism (ISCM): {name}", "",
            "1) Evolution of programming and thematic focus", "",
            f"The dialogue started with a narrow agenda. Its thematic focus is now {focus_a}",
            f"{focus_b}, agreed by the participating govern-",
            "ments at their last meeting.", "",
            "2) Contribution to migration governance at national, (inter)regional and global",
            "levels (with examples)", "",
            "National level: several States revised their migration strategies.",
            "Regional level: the members share one set of regional priorities.",
            "Global level: the dialogue reports to the GFMD.", "",
            "3) Salient ISCM structures", "",
            "A rotating chair and a steering committee lead the work; a secretariat supports it.", "",
            "4) Partnership models by the ISCM", "",
            "The dialogue works with IOM and UNHCR on technical matters.", "",
            "5) Added value of membership", "",
            f"Members value the trust built over the years (entry {n}).", "",
        ]
    per_page = 24
    for p in range(0, len(page_lines), per_page):
        lines += page_lines[p:p + per_page]
        page = p // per_page + 1
        lines += ["", "Consultation mechanisms — survey summary 2019", f"{page}", "\f",
                  "IOM | Summary of findings", ""]
    return lines


def test_three_entries_with_page_furniture_split_into_three():
    text = "\n".join(three_entry_lines())
    assert text.count("\f") >= 3  # the layout really spans several pages
    preamble, entries = parse_text(text, name="three.txt")
    assert [e.name for e in entries] == ["Budapest Process", "Rabat Process", "Puebla Process"]
    for e in entries:
        assert list(e.sections) == list(SECTION_IDS), e.name
        assert e.missing == () and e.warnings == ()
        body = " ".join(s.text for s in e.sections.values())
        assert "survey summary 2019" not in body and "Summary of findings" not in body
        assert not re.search(r"(^|\s)\d(\s|$)", body.replace("(entry", ""))  # no stray page numbers
        assert "govern- ments" not in body and "governments at their last meeting" in body
    s1 = entries[0].sections["evolution"].text
    assert "migration and development" in s1 and "migra-" not in s1
    assert "smuggling of migrants" in entries[1].sections["evolution"].text
    assert "vulnerable migrants" in entries[2].sections["evolution"].text
    assert entries[0].sections["governance"].heading.endswith("levels (with examples)")
    assert set(entries[0].sections["governance"].levels) == {"national", "regional", "global"}
    assert entries[2].sections["added_value"].paragraphs[-1].endswith("(entry 3).")
    assert preamble[0] == "Assessment of consultation mechanisms"


def test_three_entries_as_pdf_split_into_three():
    lines = [ln for ln in three_entry_lines() if ln not in ("\f",) and not ln.isdigit()]
    data = make_pdf(lines)
    doc = parse_survey("three.pdf", data)
    assert doc.kind == "pdf"
    assert [e.name for e in doc.entries] == ["Budapest Process", "Rabat Process", "Puebla Process"]
    for e in doc.entries:
        assert e.missing == ()
        body = " ".join(s.text for s in e.sections.values())
        assert "IOM ISCM survey 2019" not in body and "Page " not in body


# --- the seed -------------------------------------------------------------------------------------------------

def test_seed_has_one_entry_with_five_sections(seed_text):
    doc = parse_survey("seed.txt", seed_text.encode("utf-8"))
    assert doc.kind == "txt" and doc.warnings == ()
    assert len(doc.entries) == 1
    e = doc.entries[0]
    assert e.name == "Prague Process"
    assert list(e.sections) == list(SECTION_IDS)
    assert [s.number for s in e.sections.values()] == [1, 2, 3, 4, 5]
    assert e.preface == ()
    assert doc.preamble[0] == "Summary of Findings per ISCM"
    assert len(doc.preamble) == 3  # title + two paragraphs, their broken lines re-joined


def test_seed_section_boundaries(seed_text):
    e = parse_survey("seed.txt", seed_text.encode("utf-8")).entries[0]
    s = {sid: sec.text for sid, sec in e.sections.items()}
    assert s["evolution"].startswith("The Prague Process Joint Ministerial")
    assert s["evolution"].endswith("Asylum/international protection.")
    assert s["governance"].startswith("National level:")
    assert s["governance"].endswith("selected SDGs.")
    assert s["structures"].startswith("Prague Process consists of Chair")
    assert s["structures"].endswith("Chair and Member States.")
    assert s["partnerships"].startswith("Prague Process is an informal")
    assert s["partnerships"].endswith("Training Academy.")
    assert s["added_value"].startswith("Prague Process is an informal")
    assert s["added_value"].endswith("programs, etc.")
    headings = {sid: sec.heading for sid, sec in e.sections.items()}
    assert headings["governance"].endswith("global levels (with examples)")
    assert headings["added_value"].endswith("for States and Organizations (with examples)")
    assert headings["structures"] == "3. Salient ISCM structures"
    # no heading text leaks into a body, no body into a heading
    for text in s.values():
        assert "(with examples)" not in text and "Salient ISCM structures" not in text


def test_seed_footnote_and_page_break_removed(seed_text):
    e = parse_survey("seed.txt", seed_text.encode("utf-8")).entries[0]
    gov = e.sections["governance"]
    assert "Kosovo*," in gov.text and "Kosovo*1" not in gov.text
    assert "References to Kosovo" not in gov.text and "1244" not in gov.text
    assert set(gov.levels) == {"national", "regional", "global"}
    assert gov.levels["national"].startswith("Through development")
    # the regional paragraph runs on over the page break
    assert gov.levels["regional"].startswith("The Prague Process participating states")
    assert gov.levels["regional"].endswith("when relevant and applicable.")
    assert gov.levels["global"].startswith("Prague Process implements")
    # broken lines are joined, with exactly one space
    assert "didn’t include Asylum and International Protection" in e.sections["evolution"].text
    assert "  " not in gov.text and "\n" not in gov.levels["national"]


def test_seed_as_pdf_matches_text(seed_text):
    text_doc = parse_survey("seed.txt", seed_text.encode("utf-8"))
    pdf = make_pdf(seed_text.split("\n"))
    assert pdf.startswith(b"%PDF-")
    pdf_doc = parse_survey("seed.pdf", pdf)
    assert pdf_doc.kind == "pdf"
    assert [e.name for e in pdf_doc.entries] == ["Prague Process"]
    assert section_texts(pdf_doc) == section_texts(text_doc)
    assert pdf_doc.entries[0].sections["governance"].levels == text_doc.entries[0].sections["governance"].levels


def test_seed_as_docx_matches_text(seed_text):
    text_doc = parse_survey("seed.txt", seed_text.encode("utf-8"))
    data = make_docx(seed_paragraphs(seed_text))
    assert data.startswith(b"PK")
    docx_doc = parse_survey("seed.docx", data)
    assert docx_doc.kind == "docx"
    assert [e.name for e in docx_doc.entries] == ["Prague Process"]
    assert section_texts(docx_doc) == section_texts(text_doc)
    assert docx_doc.entries[0].sections["governance"].levels == text_doc.entries[0].sections["governance"].levels


def test_seed_in_other_encodings_and_line_ends(seed_text):
    ref = section_texts(parse_survey("seed.txt", seed_text.encode("utf-8")))
    crlf = seed_text.replace("\n", "\r\n")
    variants = {
        "utf-8-bom": b"\xef\xbb\xbf" + seed_text.encode("utf-8"),
        "utf-16-bom": crlf.encode("utf-16"),
        "utf-16-be-bom": b"\xfe\xff" + seed_text.encode("utf-16-be"),
        "utf-16-le-no-bom": seed_text.encode("utf-16-le"),
        "cp1252": crlf.encode("cp1252"),
        "nul-bytes": seed_text.encode("utf-8").replace(b"Prague Process consists", b"Prague\x00 Process consists"),
        "old-mac-cr": seed_text.replace("\n", "\r").encode("utf-8"),
    }
    for label, data in variants.items():
        got = section_texts(parse_survey("seed.txt", data))
        assert got == ref, label


# --- tolerated variations ---------------------------------------------------------------------------------------

BODY = {
    1: "Its thematic focus includes labour migration.",
    2: "National level: a new strategy was adopted.",
    3: "It has a chair and a secretariat.",
    4: "It works with IOM.",
    5: "Members gain access to expertise.",
}
TITLES = {1: "Evolution of programming and thematic focus", 2: "Contribution to migration governance",
          3: "Salient ISCM structures", 4: "Partnership models by the ISCM", 5: "Added value of membership"}


def _entry(heading: str, numbering: str = "{n}. ") -> str:
    parts = [heading, ""]
    for n in range(1, 6):
        parts += [numbering.format(n=n) + TITLES[n], BODY[n], ""]
    return "\n".join(parts)


@pytest.mark.parametrize("heading,name", [
    ("Name of the Inter-state consultation mechanism (ISCM): Bali Process", "Bali Process"),
    ("NAME OF THE INTER-STATE CONSULTATION MECHANISM (ISCM): Bali Process", "Bali Process"),
    ("name of the interstate consultation mechanism (iscm): Bali Process", "Bali Process"),
    ("Name of the Inter‑State Consultation Mechanism (ISCM): “Bali Process”", "Bali Process"),
    ("1. Name of the Inter-state consultation mechanism (ISCM): Bali Process", "Bali Process"),
    ("2) Name of the Inter-state consultation mechanism (ISCM): 'Bali Process'", "Bali Process"),
    ("Name of the Inter-state consultation\nmechanism (ISCM): Bali Process", "Bali Process"),
    ("Name of the Inter-state consultation mechanism (ISCM):\n\nBali Process", "Bali Process"),
    ("Name of the Inter-state consultation mechanism (ISCM): Intergovernmental Consultations on\nMigration, "
     "Asylum and Refugees", "Intergovernmental Consultations on Migration, Asylum and Refugees"),
    ("**Name of the Inter-state consultation mechanism (ISCM):** Bali Process", "Bali Process"),
])
def test_entry_heading_variants(heading, name):
    _, entries = parse_text("Preamble.\n\n" + _entry(heading), name="v.txt")
    assert [e.name for e in entries] == [name]
    assert list(entries[0].sections) == list(SECTION_IDS)


@pytest.mark.parametrize("numbering", ["{n}. ", "{n}) ", "({n}) ", "{n} ", "Section {n}: ", ""])
def test_section_numbering_variants(numbering):
    _, entries = parse_text(_entry("Name of the ISCM: Bali Process", numbering), name="v.txt")
    e = entries[0]
    assert list(e.sections) == list(SECTION_IDS)
    assert [s.text for s in e.sections.values()] == [BODY[n] for n in range(1, 6)]


def test_heading_broken_over_two_lines_with_capitals():
    text = _entry("Name of the ISCM: Bali Process").replace(
        "2. Contribution to migration governance",
        "2. Contribution to Migration Governance at National, (Inter)regional and\n\nLevels (With Examples)")
    e = parse_text(text)[1][0]
    assert e.sections["governance"].heading.endswith("and Levels (With Examples)")
    assert e.sections["governance"].text == BODY[2]


def test_markdown_document():
    md = ("# Summary of findings\n\n## Name of the Inter-state consultation mechanism (ISCM): **Bali Process**\n\n"
          + "\n".join(f"### {n}. {TITLES[n]}\n\n- {BODY[n]}\n" for n in range(1, 6)))
    doc = parse_survey("summary.md", md.encode())
    assert doc.kind == "md"
    e = doc.entries[0]
    assert e.name == "Bali Process" and list(e.sections) == list(SECTION_IDS)
    assert e.sections["partnerships"].text == BODY[4]


def test_missing_sections_are_kept_with_a_warning():
    text = "\n".join(["Name of the ISCM: Bali Process", "", "1. " + TITLES[1], BODY[1], "",
                      "4. " + TITLES[4], BODY[4]])
    doc = parse_survey("partial.txt", text.encode())
    e = doc.entries[0]
    assert list(e.sections) == ["evolution", "partnerships"]
    assert e.missing == ("governance", "structures", "added_value")
    assert len(e.warnings) == 1
    msg = e.warnings[0]
    assert "partial.txt, entry 1 'Bali Process'" in msg
    assert "2 (Contribution to migration governance), 3 (Salient ISCM structures), 5 (Added value of membership)" \
        in msg
    assert "not found — expected five numbered sections" in msg
    assert doc.warnings == (msg,)


def test_text_before_the_first_section_is_the_preface():
    text = "Name of the ISCM: Bali Process\n\nA short introduction.\n\n" + _entry("").split("\n", 2)[2]
    e = parse_text(text)[1][0]
    assert e.preface == ("A short introduction.",)


def test_footnote_rules_keep_numbered_text():
    text = ("Name of the ISCM: Bali Process\n\n1. " + TITLES[1] + "\n"
            "46 States and 22 ISCMs answered. The G20 met.\n"
            "The Kosovo*2 case and Serbia3 were noted.\n"
            "2 A first note that wraps onto\n"
            "the next line.\n"
            "3 A second note.\n"
            "After the notes the text goes on.\n")
    e = parse_text(text)[1][0]
    t = e.sections["evolution"].text
    assert t.startswith("46 States and 22 ISCMs answered. The G20 met.")
    assert "Kosovo* case and Serbia were noted." in t
    assert "A first note" not in t and "the next line" not in t and "A second note" not in t
    assert t.endswith("After the notes the text goes on.")


def test_hyphenation_rules():
    text = ("Name of the ISCM: Bali Process\n\n1. " + TITLES[1] + "\n"
            "The inter-\ngovernmental dialogue on evidence-\nbased policy, intra-\nand inter-regional work,\n"
            "EU-\nAfrica ties, the 2012-\n2016 plan and self-\nreliance; a sepa\u00ad\nrate line.\n")
    t = parse_text(text)[1][0].sections["evolution"].text
    assert "intergovernmental dialogue" in t
    assert "evidence-based policy" in t
    assert "intra- and inter-regional" in t
    assert "EU-Africa" in t and "2012-2016" in t and "self-reliance" in t and "separate line" in t


def test_normalise_puts_headings_and_paragraphs_on_their_own_lines(seed_text):
    out = normalise(seed_text)
    lines = out.split("\n\n")
    assert "Name of the Inter-state consultation mechanism (ISCM): Prague Process" in lines
    assert "1. Evolution of programing and thematic focus" in lines
    assert "\r" not in out and "  " not in out and "\n\n\n" not in out
    # normalising twice changes nothing: the output is a clean input
    assert normalise(out) == out


def test_sentences_respect_abbreviations():
    text = "It works with e.g. IOM and U.S. agencies. It has links to Euromed etc. It also meets. Third one?"
    got = [text[a:b] for a, b in sentences(text)]
    assert got == ["It works with e.g. IOM and U.S. agencies.", "It has links to Euromed etc.", "It also meets.",
                   "Third one?"]


def test_split_levels_labels():
    levels = split_levels(["At the national level, a plan.", "(Inter)regional level: shared.", "More regional.",
                           "International level - the GCM."])
    assert levels == {"national": "a plan.", "regional": "shared. More regional.", "global": "the GCM."}


# --- bad input: one clear message each ---------------------------------------------------------------------------

def _raises(name: str, data: bytes, **kw) -> str:
    with pytest.raises(SurveyImportError) as info:
        parse_survey(name, data, **kw)
    assert str(info.value) == info.value.message
    return info.value.message


def test_empty_file():
    assert _raises("empty.txt", b"") == "empty.txt: the file is empty — expected the text of a survey summary."
    assert "the file is empty" in _raises("blank.txt", b"  \r\n\t\n\x00 ")


def test_binary_garbage():
    import random

    rnd = random.Random(7)
    data = bytes(rnd.randrange(256) for _ in range(4000))
    msg = _raises("garbage.txt", data)
    assert msg.startswith("garbage.txt: this looks like a binary file, not text")
    assert "expected a .txt, .md, .pdf or .docx file" in msg


def test_known_binary_formats_are_named():
    assert "legacy Microsoft Office file" in _raises("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "a PNG image" in _raises("scan.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)


def test_pdf_without_text_layer():
    msg = _raises("scan.pdf", make_pdf([], blank=True, pages=2))
    assert msg == ("scan.pdf: the PDF has no text layer (2 page(s) of images or empty pages) — expected a PDF with "
                   "selectable text; run OCR on it or export the text.")


def test_encrypted_pdf():
    data = make_pdf(["Name of the ISCM: Bali Process"], user_password="secret")
    msg = _raises("locked.pdf", data)
    assert msg == ("locked.pdf: the PDF is encrypted (password-protected) — expected an unprotected PDF; save a "
                   "copy without a password and import that.")


def test_damaged_pdf_and_fake_pdf():
    assert "the PDF cannot be read" in _raises("bad.pdf", b"%PDF-1.7\n" + b"garbage " * 50)
    assert _raises("fake.pdf", b"just some text, no entries").startswith(
        "fake.pdf: the file is named .pdf but is not a PDF")


def test_pdf_page_limit():
    data = make_pdf([f"line {i}" for i in range(200)])
    msg = _raises("long.pdf", data, pdf_pages=2)
    assert re.match(r"long\.pdf: the PDF has \d+ pages; the limit is 2 — expected a survey summary", msg)


def test_docx_that_is_a_renamed_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data.csv", "a,b\n1,2\n")
    msg = _raises("report.docx", buf.getvalue())
    assert msg == ("report.docx: this is a ZIP archive but not a Word document (no word/document.xml inside; "
                   "perhaps another file renamed to .docx) — expected a .docx saved by Word or LibreOffice.")


def test_docx_named_but_not_a_zip():
    assert _raises("report.docx", b"plain words").startswith(
        "report.docx: the file is named .docx but is not a Word document (not a ZIP package)")


def test_docx_zip_bomb_is_refused_before_parsing():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (40 * 2**20))
    data = buf.getvalue()
    assert len(data) < 200_000
    t = time.process_time()
    msg = _raises("bomb.docx", data)
    assert time.process_time() - t < 3
    assert "bomb.docx: the DOCX part word/document.xml is compressed" in msg and "zip bomb" in msg


def test_docx_unpacked_size_limit():
    from iscm.survey.read import _guard_zip

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>" + b" " * 5000)
    with pytest.raises(SurveyImportError, match="small.docx: the DOCX would unpack to 0 MB"):
        _guard_zip(buf.getvalue(), "small.docx", 1000)


def test_file_over_the_size_limit(monkeypatch):
    data = b"x" * (2 * 2**20 + 10)
    msg = _raises("big.txt", data, max_mb=2)
    assert msg == ("big.txt: the file is 2 MB; the limit is 2 MB — expected a smaller document (or raise the limit "
                   "with ISCM_MAX_UPLOAD_MB).")
    monkeypatch.setenv("ISCM_MAX_UPLOAD_MB", "1.5")
    assert max_upload_mb() == 1.5
    assert "the limit is 1.5 MB" in _raises("big.txt", data)
    monkeypatch.setenv("ISCM_MAX_UPLOAD_MB", "not a number")
    assert max_upload_mb() == 20.0


def test_default_size_limit_is_20_mb(monkeypatch):
    monkeypatch.delenv("ISCM_MAX_UPLOAD_MB", raising=False)
    assert max_upload_mb() == 20.0
    assert "the limit is 20 MB" in _raises("huge.txt", b" " * (20 * 2**20 + 1))


def test_text_without_an_iscm_entry(seed_text):
    no_entry = seed_text.split("Name of the Inter-state")[0].encode()
    msg = _raises("preamble.txt", no_entry)
    assert msg == ("preamble.txt: no ISCM entry found — expected at least one line 'Name of the Inter-state "
                   "consultation mechanism (ISCM): <name>' followed by its numbered sections (1 Evolution of "
                   "programming and thematic focus ... 5 Added value of membership).")


def test_docx_without_text():
    assert "the document contains no text" in _raises("blank.docx", make_docx([""]))


def test_read_text_rejects_non_bytes():
    with pytest.raises(SurveyImportError, match="expected the file's bytes"):
        read_text("x.txt", "a str")  # type: ignore[arg-type]


# --- resources --------------------------------------------------------------------------------------------------

def test_ten_megabyte_single_line_parses_fast():
    line = ("Name of the ISCM: Bali Process " + "word " * (2 * 2**20)).encode()
    assert len(line) > 10 * 2**20
    # CPU time, not wall time: the machine running the tests may be shared; a quadratic step would take
    # minutes here, a linear one well under a second
    t = time.process_time()
    doc = parse_survey("one-line.txt", line)
    elapsed = time.process_time() - t
    assert len(doc.entries) == 1 and doc.entries[0].missing == SECTION_IDS
    assert len(doc.entries[0].name) <= 200
    assert elapsed < 3, f"{elapsed:.2f}s"
    t = time.process_time()
    with pytest.raises(SurveyImportError, match="no ISCM entry found"):
        parse_survey("no-entry.txt", b"x" * (10 * 2**20))
    assert time.process_time() - t < 3


def _python_docx_text(data: bytes) -> str:
    """The text python-docx gives: body paragraphs and each table cell's paragraphs, blank-line separated."""
    import docx as _docx
    from docx.table import Table

    out: list[str] = []
    for block in _docx.Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(block, Table):
            out.extend(p.text for row in block.rows for cell in row.cells for p in cell.paragraphs)
        else:
            out.append(block.text)
    return "\n\n".join(out)


def test_docx_reader_gives_python_docx_text(seed_text):
    """The one DOCX reader (streaming, bounded) reads what python-docx reads from an unmerged document:
    paragraphs, tabs, line breaks and table cells."""
    import docx as _docx

    doc = _docx.Document()
    for para in seed_text.split("\n\n"):
        doc.add_paragraph(para.strip())
    p = doc.add_paragraph("Tab\there")
    p.add_run().add_break()
    p.add_run("after a line break")
    table = doc.add_table(rows=2, cols=2)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"cell {r}{c}"
    doc.add_paragraph("After the table")
    buf = io.BytesIO()
    doc.save(buf)
    data = buf.getvalue()

    text, kind, _ = read_text("seed.docx", data)
    assert kind == "docx"
    assert text == _python_docx_text(data)
    assert "cell 11" in text and "Tab\there" in text and "Prague Process" in text


def test_docx_merged_table_cells_are_read_once():
    """A cell merged across columns or down rows holds its text once and is read once (python-docx's
    `row.cells` repeats it for every grid column and row it spans, which would repeat evidence)."""
    import docx as _docx

    doc = _docx.Document()
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Across two columns"
    table.cell(0, 2).text = "Down two rows"
    table.cell(0, 2).merge(table.cell(1, 2))
    table.cell(1, 0).text = "Plain cell"
    table.cell(1, 1).text = "Another cell"
    buf = io.BytesIO()
    doc.save(buf)
    data = buf.getvalue()

    text, _, _ = read_text("merged.docx", data)
    for words in ("Across two columns", "Down two rows", "Plain cell", "Another cell"):
        assert text.count(words) == 1, words
    assert [p for p in text.split("\n\n") if p] == ["Across two columns", "Down two rows", "Plain cell",
                                                      "Another cell"]
    # the repetition the reader avoids: python-docx gives both merged cells twice
    legacy = _python_docx_text(data)
    assert legacy.count("Across two columns") == 2 and legacy.count("Down two rows") == 2


def test_pdf_reading_leaves_a_configured_pypdf_log_level_alone(seed_text):
    """pypdf's logger is quietened once, and only when the application left its level unset: reading a PDF
    does not reset a level someone chose."""
    import logging

    log = logging.getLogger("pypdf")
    before = log.level
    try:
        log.setLevel(logging.INFO)
        text, kind, _ = read_text("seed.pdf", make_pdf(seed_text.split("\n")[:40]))
        assert kind == "pdf" and "Prague Process" in text
        assert log.level == logging.INFO
    finally:
        log.setLevel(before)
