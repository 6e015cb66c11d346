"""Property tests: any bytes or text give a ParseResult or SurveyImportError — never another exception — and
parsing never writes to the survey store."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iscm.countries import find_countries, lookup
from iscm.survey.extract import ParseResult, parse_document
from iscm.survey.parse import SECTION_IDS, SurveyImportError, normalise

NAMES = st.sampled_from(["doc.txt", "doc.md", "doc.pdf", "doc.docx", "doc", "", "../../weird name.TXT"])
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])

# Lines that exercise every branch of the reader: headings in their variants, page furniture, footnotes,
# hyphenation, level labels, markdown, odd characters.
FRAGMENTS = [
    "Name of the Inter-state consultation mechanism (ISCM): Bali Process",
    "Name of the Inter-state consultation", "mechanism (ISCM):", "Prague Process", "1. Name of the ISCM: “X”",
    "1. Evolution of programming and thematic focus", "2) Contribution to migration governance at national,",
    "levels (with examples)", "(with examples)", "3. Salient ISCM structures", "4 Partnership models",
    "5. Added value of membership", "Section 2: Contribution", "National level: a plan.", "Regional level:",
    "Global level - the GCM", "Its thematic focus includes irregular migration, asylum and integration.",
    "This topic was included in 2012.", "Kosovo*1, Russia and Moldova took part.", "1 A footnote.",
    "2 Another note", "Page 3 of 9", "12", "- 4 -", "\f", "", " ", "Survey summary | 2019", "migra-", "tion",
    "intra-", "and inter-regional", "IOM, UNHCR, EC DG HOME, CIS ExCom, EAEC, OSCE.", "Euromed etc. It works.",
    "# Heading", "**bold** _x_ `code` [link](http://x)", "\x00", "\ufeff", "\u00ad", "e.g. U.S. No. 5.",
    "funded by project grants from donors and in-kind contributions", "¹ note", "Kosovo¹",
]


@pytest.fixture(scope="module")
def store_home():
    """Point the store at an empty folder for the whole module; the properties check it stays untouched."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "store"
        old = os.environ.get("ISCM_ATLAS_HOME")
        os.environ["ISCM_ATLAS_HOME"] = str(home)
        try:
            yield home
        finally:
            if old is None:
                os.environ.pop("ISCM_ATLAS_HOME", None)
            else:
                os.environ["ISCM_ATLAS_HOME"] = old


def _check(name: str, data: bytes, ds, home: Path) -> None:
    try:
        result = parse_document(name, data, ds)
    except SurveyImportError as e:
        assert e.message and e.message == str(e)
        assert "—" in e.message  # what is wrong — what was expected
    else:
        assert isinstance(result, ParseResult) and result.entries
        doc = result.to_dict()
        json.dumps(doc)
        for e in doc["entries"]:
            assert e["name"].strip()
            assert {s["id"] for s in e["sections"]} <= set(SECTION_IDS)
            for kind in ("themes", "countries", "organizations", "iscms", "structures", "funding"):
                for item in e[kind]:
                    assert item["id"] and item["evidence"]
        result.preview()
    assert not home.exists(), "parsing wrote to the survey store"


@SETTINGS
@given(name=NAMES, data=st.binary(max_size=3000))
def test_any_bytes(store_home, ds, name, data):
    _check(name, data, ds, store_home)


@SETTINGS
@given(name=NAMES, text=st.text(max_size=2000))
def test_any_text(store_home, ds, name, text):
    _check(name, text.encode("utf-8", "surrogatepass"), ds, store_home)


@SETTINGS
@given(name=NAMES,
       parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=60),
       seps=st.sampled_from(["\n", "\r\n", "\n\n", " \n", "\r"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig", "cp1252", "utf-16-le"]))
def test_document_shaped_text(store_home, ds, name, parts, seps, encoding):
    data = seps.join(parts).encode(encoding, errors="replace")
    _check(name, data, ds, store_home)


@SETTINGS
@given(prefix=st.binary(max_size=40), body=st.binary(max_size=400))
def test_corrupted_containers(store_home, ds, prefix, body):
    """Broken PDFs and ZIPs: headers that promise a format the rest does not deliver."""
    for magic, name in ((b"%PDF-1.4\n", "x.pdf"), (b"PK\x03\x04", "x.docx"), (b"PK\x05\x06", "x.docx")):
        _check(name, magic + prefix + body, ds, store_home)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_country_functions_never_raise(text):
    for iso3, matched, start in find_countries(text):
        assert text[start:start + len(matched)] == matched and len(iso3) == 3
    code = lookup(text)
    assert code is None or len(code) == 3


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=40))
def test_normalise_is_stable(parts):
    out = normalise("\n".join(parts))
    assert "\r" not in out and "\x00" not in out and "\f" not in out
