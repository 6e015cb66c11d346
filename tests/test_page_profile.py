"""Profile and Compare pages through AppTest, opened by their URLs; the brief downloaded from the page."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader

from iscm.export import chromium_available
from iscm.markup import escape_markdown
from tests.conftest import IN_CI, N_ISCMS, html_links, html_tables, shown, title_of

PROFILE = "pages/profile.py"
COMPARE = "pages/compare.py"


def open_page(app_test, page: str, **query):
    at = app_test(**query).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def member_set(ds, iscm_id: str, roles=("member",)) -> set[str]:
    m = ds.memberships
    return set(m.loc[(m.iscm_id == iscm_id) & m.role.isin(roles), "iso3"])


def markdown_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


# Each table of the two pages by a column only it has (AppTest dataframes carry no key).
TABLES = {"pf_theme_table": "Since", "pf_members": "Territory", "pf_org_table": "Roles", "pf_sources": "Supports",
          "pf_list": "Regions", "cmp_members": "In how many", "cmp_facts": "Fact", "cmp_partners": "With how many"}


HTML_TABLES = {"pf_members", "cmp_members", "cmp_facts"}  # reading tables drawn as HTML (components.tables.html_table)


def frame(at, key: str):
    if key in HTML_TABLES:
        return html_tables(at)[key]
    col = TABLES[key]
    found = [d.value for d in at.dataframe if col in d.value.columns]
    if key == "cmp_members":  # the structures table also counts "In how many"
        found = [v for v in found if "ISO3" in v.columns]
    assert len(found) == 1, (key, [list(d.value.columns) for d in at.dataframe])
    return found[0]


# ------------------------------------------------------------------------------------------- profile
def test_profile_by_url_shows_the_facts(app_test, ds):
    at = open_page(app_test, PROFILE, iscm="prague-process")
    assert at.title[0].value == "Prague Process"
    n = len(member_set(ds, "prague-process"))
    assert n > 0
    assert metrics(at)["Members"] == str(n)
    assert metrics(at)["Observers"] == "0"
    assert metrics(at)["Organizations"] == str(ds.iscm_organizations.query("iscm_id == 'prague-process'")
                                               ["org_id"].nunique())
    md = markdown_text(at)
    assert "**Secretariat:** ICMPD" in md
    assert "**Established:** 2009" in md
    assert r"[https\://www\.pragueprocess\.eu](<https://www.pragueprocess.eu>)" in md
    # the map is this ISCM's membership map; only the open tab (Members) is drawn
    assert len(at.get("plotly_chart")) == 1
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert title_of(spec).startswith("Prague Process: members and observers")
    people = frame(at, "pf_members")
    assert set(people["ISO3"]) == member_set(ds, "prague-process")
    # each State's name opens its Country page in this tab
    links = html_links(at, "pf_members")
    assert len(links) == len(people) and links["Germany"] == "country?iso3=DEU"
    # sidebar filter and picker agree with the URL
    assert at.selectbox(key="pf_iscm").value == "prague-process"
    # the open question is shown
    assert any("Open questions" in i.value and "United Kingdom" in i.value for i in at.info)
    # the other tabs, each opened by its link (?section=)
    at = open_page(app_test, PROFILE, iscm="prague-process", section="Themes")
    themes = frame(at, "pf_theme_table").set_index("Theme")
    assert themes.at["Asylum and international protection", "Level"] == "focus"
    assert themes.at["Asylum and international protection", "Since"] == 2012
    at = open_page(app_test, PROFILE, iscm="prague-process", section="Organizations")
    orgs = frame(at, "pf_org_table").set_index("Acronym")
    assert orgs.at["ICMPD", "Roles"] == "secretariat"
    assert orgs.at["ICMPD", "Evidence"] == ds.iscm_organizations.query(
        "iscm_id == 'prague-process' and org_id == 'icmpd'")["evidence"].iloc[0]
    at = open_page(app_test, PROFILE, iscm="prague-process", section="Sources")
    sources = frame(at, "pf_sources")
    assert sources["#"].tolist() == list(range(1, len(ds.sources.query("iscm_id == 'prague-process'")) + 1))


def test_linked_iscms_link_to_their_profiles(app_test, ds):
    at = open_page(app_test, PROFILE, iscm="prague-process", section="Linked ISCMs")
    links = {(p.proto.label, p.proto.query_string) for p in at.get("page_link") if p.proto.page == "profile"}
    targets = set(ds.iscm_links.loc[ds.iscm_links.source_id == "prague-process", "target_id"])
    for t in targets:
        assert (ds.iscm_name(t), f"iscm={t}") in links
    shown = " ".join(c.value for c in at.caption)
    for ev in ds.iscm_links.loc[ds.iscm_links.source_id == "prague-process", "evidence"]:
        assert f"Evidence: {escape_markdown(ev)}" in shown
    compares = {p.proto.query_string for p in at.get("page_link") if p.proto.page == "compare"}
    assert "compare=prague-process%2Cbudapest-process" in compares or \
        "compare=prague-process,budapest-process" in compares


def test_low_confidence_is_marked(app_test, ds):
    at = open_page(app_test, PROFILE, iscm="tripoli-process")
    warning = " ".join(w.value for w in at.warning)
    assert "low confidence" in warning and "Membership" in warning
    low = ds.memberships.query("iscm_id == 'tripoli-process' and confidence == 'low'")
    assert f"{len(low)} participants individually marked" in warning
    people = frame(at, "pf_members")
    assert (people["Confidence"] == "low ⚠").sum() == len(low)


def test_territories_flagged_in_member_list(app_test, ds):
    at = open_page(app_test, PROFILE, iscm="cmc")
    people = frame(at, "pf_members")
    expected = set(ds.memberships.query("iscm_id == 'cmc' and territory")["iso3"])
    assert set(people.loc[people["Territory"] == "Yes", "ISO3"]) == expected and expected


def test_picker_opens_the_profile_and_leaves_the_iscm_filter_alone(app_test):
    at = open_page(app_test, PROFILE)
    assert at.title[0].value == "ISCM profiles"
    listing = frame(at, "pf_list")
    assert len(listing) == N_ISCMS and "Prague Process" in set(listing["ISCM"])
    at.selectbox(key="pf_iscm").set_value("colombo-process").run()
    assert not at.exception
    assert at.query_params["iscm"] == ["colombo-process"] or at.query_params["iscm"] == "colombo-process"
    assert at.title[0].value == "Colombo Process"
    # the sidebar links leave the ISCM filter as the other pages had it (none here)
    links = [p.proto for p in at.get("page_link") if p.proto.page == "overview"]
    assert links and all("iscm=" not in p.query_string for p in links)


def test_leaving_a_profile_the_other_pages_show_what_they_showed(app_test, ds):
    at = app_test(type="IRF").run()
    n_irf = int((ds.iscms.type == "IRF").sum())
    assert {m.label: m.value for m in at.metric}["ISCMs"] == str(n_irf)
    at.switch_page(PROFILE)
    at.query_params["iscm"] = "prague-process"
    at.run()
    assert at.title[0].value == "Prague Process"
    overview = next(p.proto for p in at.get("page_link") if p.proto.page == "overview")
    assert overview.query_string == "type=IRF"  # the profile did not become the ISCM filter
    at.switch_page("pages/overview.py")
    at.query_params.clear()
    at.query_params["type"] = "IRF"
    at.run()
    assert {m.label: m.value for m in at.metric}["ISCMs"] == str(n_irf)


def test_several_iscms_in_filter_show_the_first_and_offer_compare(app_test):
    at = open_page(app_test, PROFILE, iscm="budapest-process,prague-process")
    assert at.title[0].value == "Budapest Process"
    qs = {p.proto.query_string for p in at.get("page_link") if p.proto.page == "compare"}
    assert any("budapest-process" in q and "prague-process" in q for q in qs)


def test_brief_downloads_from_the_page(app_test, deferred):
    at = open_page(app_test, PROFILE, iscm="prague-process")
    page, name, mime = deferred(at, "Brief (HTML)")
    assert mime == "text/html" and name.startswith("iscm-brief_prague-process_") and name.endswith(".html")
    assert b"<h1>Prague Process</h1>" in page
    if not chromium_available():
        if IN_CI:
            pytest.fail("Chromium is required in CI for the brief's chart images")
        pytest.skip("no Chromium: the PDF brief would have drawn charts only")
    pdf, name, mime = deferred(at, "Brief (PDF)")
    assert mime == "application/pdf" and name.endswith(".pdf")
    reader = PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert len(reader.pages) == 1
    assert "Prague Process" in text and "Members (49)" in text
    assert len(reader.pages[0].images) >= 2


def test_imported_survey_sections_are_escaped_and_linked(app_test, ds):
    """A survey whose text carries HTML/JS and Markdown: shown as text, with its entities linked."""
    import os

    from iscm.survey.extract import parse_document
    from iscm.survey.store import SurveyStore

    text = (
        "Name of the Inter-state consultation mechanism (ISCM): Prague Process\n\n"
        "1. Evolution of programming and thematic focus\n"
        "The focus includes asylum since 2012. <script>alert(1)</script> **bold** [a](javascript:alert(1))\n\n"
        "2. Contribution to migration governance\n"
        "Germany exchanges good practice with the Budapest Process.\n\n"
        "3. Salient ISCM structures\nA steering committee.\n\n"
        "4. Partnership models\nIOM takes part. <img src=x onerror=alert(2)>\n\n"
        "5. Added value of membership\nTrust.\n"
    )
    data = text.encode()
    result = parse_document("evil-survey.txt", data, ds)
    at = app_test(iscm="prague-process", section="Survey findings")  # sets ISCM_ATLAS_HOME to an empty folder for this test
    SurveyStore(os.environ["ISCM_ATLAS_HOME"]).save("evil-survey.txt", data, result)
    at.run()
    at.switch_page(PROFILE).run()
    assert not at.exception, [e.value for e in at.exception]
    md = [m.value for m in at.markdown if "alert" in m.value]
    assert len(md) == 2
    evolution, partnerships = md
    assert "<script>" not in evolution and r"\<script\>alert\(1\)\</script\>" in evolution
    assert "**bold**" not in evolution and r"\*\*bold\*\*" in evolution
    assert "](javascript" not in evolution and r"\[a\]\(javascript\:alert\(1\)\)" in evolution
    assert r"\<img src\=x onerror\=alert\(2\)\>" in partnerships
    for text in (evolution, partnerships):  # no "<" that Markdown would read as the start of a tag
        assert re.search(r"(?<!\\)<", text) is None
    # entities found by the import are highlighted and linked to their own pages
    assert "[asylum](themes?theme=asylum_protection)" in evolution
    governance = next(m.value for m in at.markdown if "Budapest" in m.value and "Germany" in m.value)
    assert "[Budapest Process](profile?iscm=budapest-process)" in governance
    assert "[Germany](country?iso3=DEU)" in governance
    assert "**IOM**" in partnerships
    # where it came from
    assert any("evil-survey.txt" in shown(e.label) for e in at.expander)
    # nothing anywhere rendered as raw HTML
    for m in at.markdown:
        assert not m.proto.allow_html or "alert" not in m.value


# ------------------------------------------------------------------------------------------- compare
def test_compare_by_url_counts_common_and_exclusive(app_test, ds):
    at = open_page(app_test, COMPARE, compare="prague-process,budapest-process")
    a, b = member_set(ds, "prague-process"), member_set(ds, "budapest-process")
    m = metrics(at)
    assert m["Members in both"] == str(len(a & b))
    assert m["Only in Prague Process"] == str(len(a - b))
    assert m["Only in Budapest Process"] == str(len(b - a))
    table = frame(at, "cmp_members")
    assert set(table["ISO3"]) == a | b
    assert set(table.loc[table["In how many"] == 2, "ISO3"]) == a & b
    pairs = html_tables(at)["cmp_pairwise"].set_index("ISCM")
    assert pairs.at["Prague Process", "Budapest Process"] == len(a & b) == pairs.at["Budapest Process", "Prague Process"]
    assert pairs.at["Prague Process", "Prague Process"] == len(a)
    facts = frame(at, "cmp_facts").set_index("Fact")
    assert facts.at["Secretariat", "Prague Process"] == "ICMPD" == facts.at["Secretariat", "Budapest Process"]
    assert at.multiselect(key="cmp_pick").value == ["prague-process", "budapest-process"]
    # only the open tab is drawn: the overlap chart, not the map or the themes
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(titles) == 1 and not any(t.startswith("Themes side by side") for t in titles)
    at = open_page(app_test, COMPARE, compare="prague-process,budapest-process", section="Map")
    (spec,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    shapes = {loc for t in spec["data"] if t["type"] in ("choropleth", "scattergeo") for loc in t.get("locations") or []}
    assert (a | b) <= shapes  # every member of either is on the map
    at = open_page(app_test, COMPARE, compare="prague-process,budapest-process", section="Partners and structures")
    partners = frame(at, "cmp_partners")
    orgs = [set(ds.iscm_organizations.query(f"iscm_id == '{i}'")["org_id"]) for i in ("prague-process",
                                                                                     "budapest-process")]
    assert metrics(at)["Organizations working with all 2"] == str(len(orgs[0] & orgs[1]))
    assert len(partners) == len(orgs[0] | orgs[1])
    at = open_page(app_test, COMPARE, compare="prague-process,budapest-process", section="Themes")
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heat = next(s for s in specs if title_of(s).startswith("Themes side by side"))
    assert heat["data"][0]["x"] == ["Prague Process", "Budapest Process"]
    label = at.get("download_button")[-1].proto.label
    assert label == "Download all 3 charts (ZIP)"  # the closed tab's two charts too


def test_compare_observers_and_show_filter(app_test, ds):
    at = open_page(app_test, COMPARE, compare="budapest-process,prague-process")
    at.toggle(key="cmp_obs").set_value(True).run()
    roles = ("member", "observer")
    a, b = member_set(ds, "budapest-process", roles), member_set(ds, "prague-process", roles)
    assert metrics(at)["Participants in both"] == str(len(a & b))
    assert metrics(at)["Only in Budapest Process"] == str(len(a - b))
    at.segmented_control(key="cmp_show").set_value("budapest-process").run()
    assert set(frame(at, "cmp_members")["ISO3"]) == a - b


def test_compare_from_sidebar_filter_and_picker_writes_url(app_test, ds):
    at = open_page(app_test, COMPARE, iscm="rabat-process,khartoum-process,prague-process")
    assert len([c for c in metrics(at) if c.startswith("Only in")]) == 3
    sets = [member_set(ds, i) for i in ("rabat-process", "khartoum-process", "prague-process")]
    assert metrics(at)["Members in all 3"] == str(len(set.intersection(*sets)))
    at.multiselect(key="cmp_pick").set_value(["colombo-process", "abu-dhabi-dialogue"]).run()
    assert not at.exception
    assert at.query_params["compare"] in ("colombo-process,abu-dhabi-dialogue", ["colombo-process,abu-dhabi-dialogue"])
    assert "Only in Colombo Process" in metrics(at)


def test_compare_needs_two(app_test):
    at = open_page(app_test, COMPARE, compare="prague-process,unknown-iscm")
    assert not at.metric
    assert any("Choose two" in i.value for i in at.info)


def test_profile_of_an_open_process_says_it_is_open(app_test):
    """The GFMD's profile does not show '0 members': it says participation is open and maps the chairs."""
    at = app_test(iscm="gfmd").run()
    at.switch_page("pages/profile.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Members"] == "Open"
    assert any(c.value.startswith("Open to every UN Member State") for c in at.caption)


def test_identity_of_an_open_process_says_it_is_open(ds):
    from iscm.profile import build_profile, identity_rows

    rows = dict(identity_rows(build_profile(ds, "gfmd")))
    assert rows["Participants"] == "open to every UN Member State"
    assert dict(identity_rows(build_profile(ds, "colombo-process")))["Participants"].startswith("12 members")


def test_profile_draws_only_the_open_tab_and_zips_every_chart(app_test, deferred, ds):
    """The Themes tab is drawn alone (one chart), yet "Download all" holds the map and the partners chart of
    the closed tabs, built when the ZIP is made."""
    import zipfile

    at = open_page(app_test, PROFILE, iscm="prague-process", section="Themes")
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    assert "Prague Process" in json.loads(charts[0].proto.spec)["layout"]["title"]["text"]
    assert "pf_members" not in html_tables(at)  # the member list is not drawn
    label = at.get("download_button")[-1].proto.label
    assert label == "Download all 3 charts (ZIP)"
    data, _name, mime = deferred(at, label)
    assert mime == "application/zip"
    csvs = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.endswith(".csv")]
    for chart in ("iscm-themes-prague-process", "iscm-members-prague-process", "iscm-partners-prague-process"):
        assert sum(n.startswith(chart + "_") for n in csvs) == 1, (chart, csvs)
