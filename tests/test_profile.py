"""iscm.profile: a profile's facts, its figures, and what imported surveys say about the ISCM."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from iscm import compare as C
from iscm import markup as M
from iscm import profile as P
from iscm.figures import profile as F
from tests.conftest import title_of


def members(ds, iscm_id: str, roles=("member",)) -> set[str]:
    m = ds.memberships
    return set(m.loc[(m.iscm_id == iscm_id) & m.role.isin(roles), "iso3"])


# ------------------------------------------------------------------------------------------ profile
def test_prague_process_profile_facts(ds):
    p = P.build_profile(ds, "prague-process")
    assert p.name == "Prague Process"
    assert len(p.members) == len(members(ds, "prague-process")) > 0
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
    # every evidence the file gives for an organization is shown, once, with its roles
    ec = ds.iscm_organizations.query("iscm_id == 'prague-process' and org_id == 'european-commission'")
    assert orgs.at["european-commission", "evidence"] == "; ".join(dict.fromkeys(ec["evidence"]))
    assert all(e in orgs.at["european-commission", "evidence"] for e in ec["evidence"]) and len(ec) == 2
    assert orgs.at["icmpd", "evidence"] == ds.iscm_organizations.query(
        "iscm_id == 'prague-process' and org_id == 'icmpd'")["evidence"].iloc[0]


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
    own = ds.iscm_links[(ds.iscm_links.source_id == "prague-process") & (ds.iscm_links.target_id == "budapest-process")]
    assert links.at["budapest-process", "relation"] == own["relation"].iloc[0]
    assert links.at["budapest-process", "evidence"] == own["evidence"].iloc[0]
    # a link stated only by the other ISCM shows what that ISCM's source says
    for other in stated_by_others - stated:
        theirs = ds.iscm_links[(ds.iscm_links.source_id == other) & (ds.iscm_links.target_id == "prague-process")]
        assert links.at[other, "evidence"] == "; ".join(dict.fromkeys(theirs["evidence"]))


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
    assert title_of(fig).startswith("Prague Process: themes (6 focus, 3 mentioned)")


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
    c = C.compare(ds, ["prague-process", "budapest-process"])
    heat = F.theme_heatmap(c.themes, list(c.names.values()))
    rows = list(heat.data[0].y)
    r = rows.index("Trafficking in persons")
    assert heat.data[0].z[r] == [0, 2]  # Budapest only, as a focus
    bars = F.overlap_bars(c.counts)
    by_name = {t.name: list(t.x) for t in bars.data}
    assert by_name["In all compared"] == [48, 48] and by_name["Only in this ISCM"] == [1, 5]
    assert "Shared with some" not in by_name  # impossible with two


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
    assert len(found) == 1 and found[0].document == "s.txt" and found[0].sections[0].number == 1
    assert P.survey_findings(imports, "budapest-process") == []
    assert len(P.survey_findings(imports, "survey-lake-forum", "Lake Forum")) == 1
    ents = M.entry_entities("Asylum came with the BP.", entry, ds)
    assert [(e.kind, e.key, e.start, e.end) for e in ents] == [("theme", "asylum_protection", 0, 6),
                                                                 ("iscm", "budapest-process", 21, 23)]
