"""The one-page brief: a PDF parsed back with pypdf (text, page count, chart images), and the HTML brief."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from iscm import brief
from iscm.export import chromium_available
from iscm.profile import build_profile
from tests.conftest import IN_CI


def read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text)


def no_browser(fig):  # noqa: ANN001, ANN201 - a render_png that fails like a machine without Chromium
    raise RuntimeError("Image export (PNG, SVG, PDF) needs Chromium")


@pytest.fixture(scope="module")
def prague_charts(ds):
    """The three chart PNGs of the Prague Process brief, rendered once through iscm.export (kaleido)."""
    if not chromium_available():
        if IN_CI:
            pytest.fail("Chromium is required in CI for the brief's chart images")
        pytest.skip("no Chromium: chart images cannot be rendered here")
    charts = brief.render_charts(ds, build_profile(ds, "prague-process"))
    assert charts.error == ""
    return charts


def test_brief_pdf_has_name_member_count_and_chart_images(ds, prague_charts):
    pdf = brief.brief_pdf(ds, "prague-process", charts=prague_charts)
    assert pdf.startswith(b"%PDF-")
    reader, text = read(pdf)
    assert len(reader.pages) == 1
    assert "Prague Process" in text
    n_members = int(((ds.memberships.iscm_id == "prague-process") & (ds.memberships.role == "member")).sum())
    assert n_members > 0
    assert re.search(rf"Members {n_members}\b", text)
    assert f"Members ({n_members})" in text
    assert "Secretariat: ICMPD" in text
    images = reader.pages[0].images
    assert len(images) >= 2
    assert len(images) == prague_charts.images == 3
    # the images are the charts we rendered: PNGs decoded back to their pixel size
    sizes = sorted(img.image.size for img in images)
    map_w, map_h = brief.map_size(ds, "prague-process")
    assert sizes == sorted([(map_w * 2, map_h * 2), (760 * 2, 620 * 2), (760 * 2, 620 * 2)])
    assert "Türkiye" in text  # the Unicode font keeps names as written
    assert "Sources (8)" in text


def test_brief_charts_rendered_through_export_are_pngs(prague_charts):
    for png in (prague_charts.map_png, prague_charts.themes_png, prague_charts.partners_png):
        assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"


def test_brief_without_browser_draws_charts_and_stays_one_page(ds):
    pdf = brief.brief_pdf(ds, "prague-process", render_png=no_browser)
    reader, text = read(pdf)
    assert len(reader.pages) == 1
    assert len(reader.pages[0].images) == 0
    assert "Membership map not included" in text
    assert "Themes (6 focus, 3 mentioned)" in text  # drawn with PDF primitives instead
    assert "Organizations by role (9)" in text
    assert "Asylum and international" in text and "since 2012" in text


@pytest.mark.parametrize("iscm_id", ["tripoli-process", "acp-eu-dialogue", "cmc"])
def test_long_lists_still_fit_one_page_and_mark_low_confidence(ds, iscm_id):
    pdf = brief.brief_pdf(ds, iscm_id, render_png=no_browser)
    reader, text = read(pdf)
    assert len(reader.pages) == 1
    p = build_profile(ds, iscm_id)
    assert f"Members ({len(p.members)})" in text
    if p.low_confidence_areas:
        assert "low confidence" in text
    if len(p.low_confidence_members):
        assert "(!)" in text
    if p.observers["territory"].any() or p.members["territory"].any():
        assert "(territory)" in text


def test_core_font_fallback_transliterates(ds, monkeypatch):
    monkeypatch.setattr(brief, "find_unicode_font", lambda: None)
    pdf = brief.brief_pdf(ds, "prague-process", render_png=no_browser)
    reader, text = read(pdf)
    assert len(reader.pages) == 1 and "Prague Process" in text and "Members (49)" in text
    assert brief.to_latin1("Côte d’Ivoire — Şanlıurfa ⚠ Türkiye") == "Côte d'Ivoire - Sanliurfa (!) Türkiye"


def test_brief_html_is_self_contained_and_escapes_text(ds):
    page = brief.brief_html(ds, "prague-process").decode("utf-8")
    assert "<h1>Prague Process</h1>" in page
    assert "window.PlotlyGeoAssets" in page  # the map's world shapes travel with the page
    assert page.count('class="plotly-graph-div"') == 3
    assert not re.search(r'<script[^>]+src="https?://', page)  # no CDN
    evil = ds.iscms.copy()
    evil.loc[evil.iscm_id == "prague-process", "summary"] = "<script>alert(1)</script>"
    page = brief.brief_html(replace(ds, iscms=evil, _names={}), "prague-process").decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_file_name():
    import datetime as dt

    assert brief.file_name("prague-process", "pdf", dt.date(2026, 1, 2)) == "iscm-brief_prague-process_2026-01-02.pdf"


# ------------------------------------------------------------------------------ names, links, roles, map
def _words(text: str) -> str:
    """Text as pypdf reads it back: wrapped lines joined, so compare with single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def test_full_name_and_caveats_are_wrapped_not_cut(ds):
    longest = ds.iscms.loc[ds.iscms["full_name"].str.len().idxmax()]
    assert len(longest.full_name) > 120  # would not fit one line of the page
    _, text = read(brief.brief_pdf(ds, longest.iscm_id, render_png=no_browser))
    assert _words(longest.full_name) in text
    asked = [i for i in ds.iscms["iscm_id"] if build_profile(ds, i).open_questions]
    assert asked, "the data has open questions"
    for iscm_id in asked:
        q = build_profile(ds, iscm_id).open_questions
        reader, text = read(brief.brief_pdf(ds, iscm_id, render_png=no_browser))
        assert len(reader.pages) == 1
        assert _words(q) in text, iscm_id


def test_profile_link_is_absolute_and_configurable(ds, monkeypatch):
    monkeypatch.delenv(brief.PUBLIC_URL_ENV, raising=False)
    _, text = read(brief.brief_pdf(ds, "colombo-process", render_png=no_browser))
    assert f"{brief.DEFAULT_PUBLIC_URL}/profile?iscm=colombo-process" in text.replace(" ", "")
    monkeypatch.setenv(brief.PUBLIC_URL_ENV, "https://atlas.example.org/")
    pdf = brief.brief_pdf(ds, "colombo-process", render_png=no_browser)
    reader, text = read(pdf)
    assert "https://atlas.example.org/profile?iscm=colombo-process" in text.replace(" ", "")
    links = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])]
    assert "https://atlas.example.org/profile?iscm=colombo-process" in links
    page = brief.brief_html(ds, "colombo-process").decode("utf-8")
    assert 'href="https://atlas.example.org/profile?iscm=colombo-process"' in page
    monkeypatch.setenv(brief.PUBLIC_URL_ENV, "atlas.example.org")
    with pytest.raises(ValueError, match="ISCM_PUBLIC_URL must be an http"):
        brief.public_url()


def test_roles_in_words(ds):
    orgs = ds.iscm_organizations
    with_support = sorted(set(orgs.loc[orgs["role"] == "technical-support", "iscm_id"]))
    assert with_support
    _, text = read(brief.brief_pdf(ds, with_support[0], render_png=no_browser))
    assert "technical support" in text and "technical-support" not in text
    page = brief.brief_html(ds, with_support[0]).decode("utf-8")
    assert "technical-support" not in page.split("<h2>Organizations</h2>")[1].split("</ul>")[0]


def test_map_is_framed_on_the_members(ds):
    from iscm import geo
    from iscm.membership import is_open

    for iscm_id in ("prague-process", "colombo-process", "gfmd"):
        if iscm_id not in set(ds.iscms["iscm_id"]):
            continue
        width, height = brief.map_size(ds, iscm_id)
        codes = ds.memberships.loc[ds.memberships["iscm_id"] == iscm_id, "iso3"]
        view = {} if is_open(ds.iscms, iscm_id) else geo.region_view(codes)  # an open process: the world
        fig = brief.brief_figures(ds, build_profile(ds, iscm_id))["map"]
        assert (fig.layout.width, fig.layout.height) == (width, height)
        if view:  # the frame is the members' region, at that region's proportions
            assert list(fig.layout.geo.lonaxis.range) == view["lonaxis_range"]
            expected = geo.natural_earth_aspect(view["lonaxis_range"], view["lataxis_range"])
            plot_ratio = (height - 90) / (width - 40)
            assert abs(plot_ratio - expected) < 0.01 or height in (380, 760)
