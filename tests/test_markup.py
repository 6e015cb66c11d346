"""iscm.markup: text from users made safe for Markdown, entities marked (moved from tests/test_profile.py)."""

from __future__ import annotations

import re

import pytest

from iscm import markup as M


def unescaped(md: str, chars: str) -> list[str]:
    """Characters from `chars` in `md` that are not escaped by a backslash (CommonMark would act on them)."""
    found = []
    i = 0
    while i < len(md):
        if md[i] == "\\":
            i += 2
            continue
        if md[i] in chars:
            found.append(md[i])
        i += 1
    return found


@pytest.mark.parametrize("raw", [
    "<script>alert(1)</script>",
    "**x** and __y__ and `code`",
    "[a](javascript:alert(1)) ![i](x.png)",
    "# heading\n- item\n1. item\n> quote",
    "$x^2$ :red[alert] :material/warning: <img src=x onerror=alert(2)> &lt;b&gt;",
])
def test_escape_markdown_leaves_no_active_syntax(raw):
    md = M.escape_markdown(raw)
    assert unescaped(md, "<>*_`[]()!#$:&|~-") == []
    # the visible text is the same once the escapes are read
    assert re.sub(r"\\(.)", r"\1", md).split() == raw.split()


def test_escape_markdown_script_example():
    md = M.escape_markdown("<script>alert(1)</script>")
    assert md == r"\<script\>alert\(1\)\</script\>"
    assert "<script>" not in md


def test_highlight_markdown_links_built_from_ids_only(ds):
    text = "With the Budapest Process on asylum. <script>x()</script> [a](javascript:alert(1)) Germany."
    ents = M.find_entities(text, ds)
    kinds = {(e.kind, e.key) for e in ents}
    assert {("iscm", "budapest-process"), ("theme", "asylum_protection"), ("country", "DEU")} <= kinds
    pages = {"profile": "profile", "theme": "themes", "country": "country"}
    md = M.highlight_markdown(text, ents, pages)
    assert "[Budapest Process](profile?iscm=budapest-process)" in md
    assert "[asylum](themes?theme=asylum_protection)" in md
    assert "[Germany](country?iso3=DEU)" in md
    assert "<script>" not in md and "](javascript" not in md
    # only our three links are links: every other bracket is escaped
    links = re.findall(r"(?<!\\)\[[^\]]*\]\(([^)]*)\)", md)
    assert links == ["profile?iscm=budapest-process", "themes?theme=asylum_protection", "country?iso3=DEU"]


def test_highlight_without_a_page_is_bold(ds):
    text = "IOM and UNHCR*"
    ents = M.find_entities(text, ds)
    md = M.highlight_markdown(text, ents, {})
    assert md == r"**IOM** and **UNHCR**\*"


def test_highlighting_and_extraction_share_one_vocabulary(ds):
    """The profile page marks what the import counted, by the same rules (docs/survey-json.md): names in any
    case, acronyms only in their exact case, ISCM acronyms included. Before, highlighting had its own
    vocabulary without ISCM acronyms, so "GFMD" was extracted as the Global Forum but marked as a theme."""
    from iscm.survey.extract import parse_document

    text = ("Its thematic focus is Migration & Development and labor migration, with the IOM, the OSCE, the GFMD "
            "and the Budapest Process; the iom and the gfmd in small letters are other words.")
    doc = f"Name of the ISCM: Atlantis Dialogue\n\n1. Evolution of programming and thematic focus\n{text}\n"
    entry = parse_document("atlantis.txt", doc.encode(), ds).entries[0]
    extracted = ({("theme", t.id) for t in entry.themes} | {("organization", o.id) for o in entry.organizations}
                 | {("iscm", i.id) for i in entry.iscms})
    ents = M.find_entities(text, ds)
    assert {(e.kind, e.key) for e in ents if e.kind != "country"} == extracted
    marked = {text[e.start:e.end]: (e.kind, e.key) for e in ents}
    assert marked["GFMD"] == ("iscm", "gfmd") and ("iscm", "gfmd") in extracted
    assert marked["gfmd"] == ("theme", "global_governance")  # a theme keyword: any case
    assert marked["IOM"] == ("organization", "iom") and "iom" not in marked  # an acronym only in its case
    assert marked["Migration & Development"] == ("theme", "migration_development")


@pytest.mark.parametrize("text", ["org:nowhere", "a`b", "``[x](https://example.org)``", "`<b>x</b>", "x`",
                                  "a\n\n[x](https://example.org)"])
def test_code_span_shows_any_text_as_one_code_span(text):
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(f"{M.code_span(text)} is unknown").strip()
    shown = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert html == f"<p><code>{shown}</code> is unknown</p>"
    assert M.code_span("org:nowhere") == "`org:nowhere`"
