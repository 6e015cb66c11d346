"""iscm.profile: a profile's facts, comparisons, and survey text made safe for Markdown."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from iscm import profile as P
from iscm.figures import profile as F


def members(ds, iscm_id: str, roles=("member",)) -> set[str]:
    m = ds.memberships
    return set(m.loc[(m.iscm_id == iscm_id) & m.role.isin(roles), "iso3"])


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


# ------------------------------------------------------------------------------------------ profile
def test_prague_process_profile_facts(ds):
    p = P.build_profile(ds, "prague-process")
    assert p.name == "Prague Process"
    assert len(p.members) == len(members(ds, "prague-process")) == 49
    assert set(p.members["iso3"]) == members(ds, "prague-process")
    assert len(p.observers) == 0
    facts = dict(P.identity_rows(p))
    assert facts["Secretariat"] == "ICMPD"
    assert facts["Established"] == "2009"
    assert facts["Type"].startswith("RCP")
    assert "49 members" in facts["Participants"] and "reports 50" in facts["Participants"]
    asylum = p.themes.set_index("theme_id").loc["asylum_protection"]
    assert asylum["level"] == "focus" and asylum["since"] == 2012
    # focus themes come first
    levels = p.themes["level"].tolist()
    assert levels == sorted(levels, key=lambda v: v != "focus")
    assert p.confidence == {"members": "medium", "themes": "high", "organizations": "high"}
    assert p.low_confidence_areas == []


def test_sources_are_numbered_and_cited(ds):
    p = P.build_profile(ds, "prague-process")
    src = ds.sources[ds.sources.iscm_id == "prague-process"]
    assert p.sources["n"].tolist() == list(range(1, len(src) + 1))
    # the 2019 survey is the first source of the file and backs the asylum theme
    assert p.sources.loc[0, "title"].startswith("IOM (2019)")
    assert p.themes.set_index("theme_id").at["asylum_protection", "source_ref"] == "[1]"
    smuggling_src = ds.iscm_themes.query("iscm_id == 'prague-process' and theme_id == 'smuggling'")["source"].iloc[0]
    n = int(p.sources.loc[p.sources["label"] == smuggling_src, "n"].iloc[0])
    assert p.themes.set_index("theme_id").at["smuggling", "source_ref"] == f"[{n}]"


def test_organizations_merge_roles_and_use_registry_names(ds):
    p = P.build_profile(ds, "prague-process")
    orgs = p.organizations.set_index("org_id")
    assert orgs.at["icmpd", "roles"] == "secretariat"
    assert orgs.at["icmpd", "name"] == "International Centre for Migration Policy Development"
    assert orgs.at["icmpd", "kind_label"] == "Other intergovernmental"
    assert orgs.at["european-commission", "roles"] == "partner; funder"  # listed twice in the file
    assert p.organizations["org_id"].is_unique
    assert p.organizations.loc[0, "org_id"] == "icmpd"  # secretariat first


def test_links_both_directions(ds):
    p = P.build_profile(ds, "prague-process")
    links = p.links.set_index("other_id")
    stated = set(ds.iscm_links.loc[ds.iscm_links.source_id == "prague-process", "target_id"])
    stated_by_others = set(ds.iscm_links.loc[ds.iscm_links.target_id == "prague-process", "source_id"])
    assert set(links.index) == stated | stated_by_others
    for other in links.index:
        expected = ("both" if other in stated and other in stated_by_others else
                    "to" if other in stated else "from")
        assert links.at[other, "direction"] == expected
    assert links.at["budapest-process", "other_name"] == "Budapest Process"
    # this ISCM's own words come first
    assert links.at["budapest-process", "relation"] == "Exchange good practice; ICMPD is secretariat to both"


def test_low_confidence_is_reported(ds):
    p = P.build_profile(ds, "tripoli-process")
    assert "Membership" in p.low_confidence_areas
    low = ds.memberships.query("iscm_id == 'tripoli-process' and confidence == 'low'")
    assert len(p.low_confidence_members) == len(low) > 0


def test_territories_are_flagged(ds):
    p = P.build_profile(ds, "cmc")
    both = pd.concat([p.members, p.observers])
    expected = set(ds.memberships.query("iscm_id == 'cmc' and territory")["iso3"])
    assert set(both.loc[both["territory"], "iso3"]) == expected and expected


def test_survey_rows_merge_with_curated(ds):
    extra = pd.DataFrame([
        {"iscm_id": "prague-process", "theme_id": "asylum_protection", "level": "mentioned", "since": 2010,
         "evidence": "Survey says asylum", "source": "Survey import: x", "provenance": "survey"},
        {"iscm_id": "prague-process", "theme_id": "health", "level": "mentioned", "since": None,
         "evidence": "Survey says health", "source": "Survey import: x", "provenance": "survey"},
    ])
    extra["since"] = pd.array(extra["since"].tolist(), dtype="Int64")
    ds2 = replace(ds, iscm_themes=pd.concat([ds.iscm_themes, extra], ignore_index=True), _names={})
    themes = P.build_profile(ds2, "prague-process").themes.set_index("theme_id")
    assert themes.at["asylum_protection", "level"] == "focus"  # the stronger level wins
    assert themes.at["asylum_protection", "since"] == 2010  # the earliest year
    assert themes.at["asylum_protection", "provenance"] == "curated; survey"
    assert "Survey says asylum" in themes.at["asylum_protection", "evidence"]
    assert themes.at["health", "provenance"] == "survey"
    assert themes.at["health", "source_ref"] == "Survey import: x"  # not in the numbered list: named


def test_unknown_iscm_raises(ds):
    with pytest.raises(KeyError, match="no-such-iscm"):
        P.build_profile(ds, "no-such-iscm")


# --------------------------------------------------------------------------------------- comparison
def test_compare_two_members_common_and_exclusive(ds):
    a, b = members(ds, "prague-process"), members(ds, "budapest-process")
    c = P.compare(ds, ["prague-process", "budapest-process"])
    assert c.common == a & b and len(c.common) == len(a & b)
    assert c.exclusive["prague-process"] == a - b
    assert c.exclusive["budapest-process"] == b - a
    counts = c.counts.set_index("ISCM")
    assert counts.at["Prague Process", "participants"] == len(a)
    assert counts.at["Budapest Process", "only here"] == len(b - a)
    assert c.pairwise.at["Prague Process", "Budapest Process"] == len(a & b)
    assert c.pairwise.at["Budapest Process", "Budapest Process"] == len(b)
    assert len(c.participants) == len(a | b)
    assert set(c.participants.loc[c.participants["n_compared"] == 2, "iso3"]) == a & b


def test_compare_observers_optional(ds):
    with_obs = P.compare(ds, ["budapest-process", "prague-process"], roles=("member", "observer"))
    assert with_obs.participant_sets["budapest-process"] == members(ds, "budapest-process", ("member", "observer"))
    assert len(with_obs.participant_sets["budapest-process"]) > len(members(ds, "budapest-process"))


def test_compare_reuses_given_profiles_and_builds_the_rest(ds, monkeypatch):
    ids = ["prague-process", "budapest-process", "almaty-process"]
    expected = P.compare(ds, ids)
    given = {i: P.build_profile(ds, i) for i in ids[:2]}
    built = []
    real = P.build_profile
    monkeypatch.setattr(P, "build_profile", lambda d, i: built.append(i) or real(d, i))
    got = P.compare(ds, ids, profiles=given)
    assert built == ["almaty-process"]  # only the profile not given is built
    pd.testing.assert_frame_equal(got.facts, expected.facts)
    pd.testing.assert_frame_equal(got.participants, expected.participants)
    pd.testing.assert_frame_equal(got.themes, expected.themes)


def test_compare_themes_partners_structures(ds):
    ids = ["prague-process", "budapest-process", "rabat-process"]
    c = P.compare(ds, ids)
    for i in ids:
        col = c.names[i]
        mine = ds.iscm_themes[ds.iscm_themes.iscm_id == i]
        assert set(c.themes.loc[c.themes[col] != "", "theme_id"]) == set(mine["theme_id"])
        assert set(c.themes.loc[c.themes[col] == "focus", "theme_id"]) == set(mine.loc[mine.level == "focus",
                                                                                        "theme_id"])
    orgs = [set(ds.iscm_organizations.loc[ds.iscm_organizations.iscm_id == i, "org_id"]) for i in ids]
    assert set(c.common_partners["org_id"]) == set.intersection(*orgs)
    assert "icmpd" in set(orgs[0]) & set(orgs[1])
    structs = [{s.strip().lower() for s in ds.iscms.set_index("iscm_id").at[i, "structures"].split(";")} for i in ids]
    common = set(c.structures.loc[c.structures["n_compared"] == 3, "structure"].str.lower())
    assert common == set.intersection(*structs)
    assert c.facts.set_index("field").at["Secretariat", "Prague Process"] == "ICMPD"


@pytest.mark.parametrize("ids", [["prague-process"], ["a", "b", "c", "d", "e"]])
def test_compare_needs_two_to_four(ds, ids):
    with pytest.raises(ValueError, match="two to 4"):
        P.compare(ds, ids)


def test_parse_ids():
    valid = ["a", "b", "c", "d", "e"]
    assert P.parse_ids("a,b,a,,zz, c", valid) == ["a", "b", "c"]
    assert P.parse_ids(["a,b", "e"], valid) == ["a", "b", "e"]
    assert P.parse_ids("a,b,c,d,e", valid) == ["a", "b", "c", "d"]
    assert P.parse_ids(None, valid) == []


# ------------------------------------------------------------------------------------------ figures
def test_theme_profile_figure(ds):
    p = P.build_profile(ds, "prague-process")
    fig = F.theme_profile(p.themes, ds.themes, p.name)
    focus, mentioned, none = fig.data
    assert set(focus.y) == set(p.themes.loc[p.themes.level == "focus", "label"])
    assert set(mentioned.y) == set(p.themes.loc[p.themes.level == "mentioned", "label"])
    # every taxonomy theme is a row with exactly one dot: no empty rows
    assert sorted([*focus.y, *mentioned.y, *none.y]) == sorted(ds.themes["label"])
    assert set(none.x) == {"Not covered"} and set(focus.x) == {"Declared focus"}
    asylum = list(focus.y).index("Asylum and international protection")
    assert focus.text[asylum] == "since 2012"
    # read top to bottom: focus themes, then mentions, then the rest
    assert list(fig.layout.yaxis.categoryarray) == [*focus.y, *mentioned.y, *none.y]
    assert fig.layout.yaxis.autorange == "reversed"
    assert (focus.marker.symbol, mentioned.marker.symbol) == ("square", "circle-open")
    assert fig.layout.title.text.startswith("Prague Process: themes (6 focus, 3 mentioned)")


def test_partners_and_heatmap_and_overlap_figures(ds):
    p = P.build_profile(ds, "prague-process")
    fig = F.organizations_by_role(p.organizations, p.name)
    # one row per organization, named; one dot per role it plays, in words
    rows = list(fig.layout.yaxis.categoryarray)
    assert len(rows) == len(p.organizations)
    assert "International Organization for Migration (IOM)" in rows
    dots = {(y, x) for t in fig.data for x, y in zip(t.x, t.y, strict=True)}
    n_roles = sum(len(str(r).split("; ")) for r in p.organizations["roles"])
    assert len(dots) == n_roles
    icmpd = next(r for r in rows if "ICMPD" in r)
    assert (icmpd, "Secretariat") in dots
    ec = next(r for r in rows if r.startswith("European Commission"))
    assert {(ec, "Partner"), (ec, "Funder")} <= dots
    assert {t.name for t in fig.data} == set(p.organizations["kind_label"])
    colombo = P.build_profile(ds, "colombo-process").organizations
    slim = F.organizations_by_role(colombo, "Colombo Process")
    assert "Technical support" in list(slim.layout.xaxis.categoryarray)
    assert not any("technical-support" in str(x) for t in slim.data for x in t.x)
    c = P.compare(ds, ["prague-process", "budapest-process"])
    heat = F.theme_heatmap(c.themes, list(c.names.values()))
    rows = list(heat.data[0].y)
    r = rows.index("Trafficking in persons")
    assert heat.data[0].z[r] == [0, 2]  # Budapest only, as a focus
    bars = F.overlap_bars(c.counts)
    by_name = {t.name: list(t.x) for t in bars.data}
    assert by_name["In all compared"] == [48, 48] and by_name["Only in this ISCM"] == [1, 5]
    assert "Shared with some" not in by_name  # impossible with two


# ------------------------------------------------------------------------------------ escaping text
@pytest.mark.parametrize("raw", [
    "<script>alert(1)</script>",
    "**x** and __y__ and `code`",
    "[a](javascript:alert(1)) ![i](x.png)",
    "# heading\n- item\n1. item\n> quote",
    "$x^2$ :red[alert] :material/warning: <img src=x onerror=alert(2)> &lt;b&gt;",
])
def test_escape_markdown_leaves_no_active_syntax(raw):
    md = P.escape_markdown(raw)
    assert unescaped(md, "<>*_`[]()!#$:&|~-") == []
    # the visible text is the same once the escapes are read
    assert re.sub(r"\\(.)", r"\1", md).split() == raw.split()


def test_escape_markdown_script_example():
    md = P.escape_markdown("<script>alert(1)</script>")
    assert md == r"\<script\>alert\(1\)\</script\>"
    assert "<script>" not in md


def test_highlight_markdown_links_built_from_ids_only(ds):
    text = "With the Budapest Process on asylum. <script>x()</script> [a](javascript:alert(1)) Germany."
    ents = P.find_entities(text, ds)
    kinds = {(e.kind, e.key) for e in ents}
    assert {("iscm", "budapest-process"), ("theme", "asylum_protection"), ("country", "DEU")} <= kinds
    pages = {"profile": "profile", "theme": "themes", "country": "membership"}
    md = P.highlight_markdown(text, ents, pages)
    assert "[Budapest Process](profile?iscm=budapest-process)" in md
    assert "[asylum](themes?theme=asylum_protection)" in md
    assert "[Germany](membership?country=DEU)" in md
    assert "<script>" not in md and "](javascript" not in md
    # only our three links are links: every other bracket is escaped
    links = re.findall(r"(?<!\\)\[[^\]]*\]\(([^)]*)\)", md)
    assert links == ["profile?iscm=budapest-process", "themes?theme=asylum_protection", "membership?country=DEU"]


def test_highlight_without_a_page_is_bold(ds):
    text = "IOM and UNHCR*"
    ents = P.find_entities(text, ds)
    md = P.highlight_markdown(text, ents, {})
    assert md == r"**IOM** and **UNHCR**\*"


def test_survey_findings_and_entities_from_the_import(ds):
    entry = {
        "name": "Prague Process", "iscm_id": "prague-process",
        "sections": [{"id": "evolution", "number": 1, "title": "Evolution", "text": "Asylum came with the BP."}],
        "iscms": [{"id": "budapest-process", "label": "Budapest Process",
                   "evidence": [{"section": "evolution", "sentence": "...", "text": "BP"}]}],
        "themes": [{"id": "asylum_protection", "label": "Asylum", "evidence": [{"text": "Asylum"}]}],
    }
    unmatched = {"name": "Lake Forum", "iscm_id": None, "sections": [{"id": "evolution", "text": "Fish."}]}
    imports = [{"name": "s.txt", "imported_at": "2026-01-01T00:00:00", "result": {"entries": [entry, unmatched]}}]
    found = P.survey_findings(imports, "prague-process")
    assert len(found) == 1 and found[0].document == "s.txt" and found[0].sections[0]["number"] == 1
    assert P.survey_findings(imports, "budapest-process") == []
    assert len(P.survey_findings(imports, "survey-lake-forum", "Lake Forum")) == 1
    ents = P.entry_entities("Asylum came with the BP.", entry, ds)
    assert [(e.kind, e.key, e.start, e.end) for e in ents] == [("theme", "asylum_protection", 0, 6),
                                                                 ("iscm", "budapest-process", 21, 23)]
