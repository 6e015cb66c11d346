"""The loader on the real default dataset, and every class of bad data file it must report."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from iscm.countries import is_valid_iso3
from iscm.dataset import COLUMNS, DatasetError, load
from tests.conftest import N_ISCMS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


# ---------- the default dataset ----------

def test_every_reference_iscm_is_in_the_default_dataset(ds):
    assert len(ds.iscms) == N_ISCMS
    assert ds.iscms["iscm_id"].is_unique
    for name, cols in COLUMNS.items():
        assert list(getattr(ds, name).columns) == cols, name


def test_known_facts(ds):
    colombo = ds.memberships[ds.memberships["iscm_id"] == "colombo-process"]
    source = yaml.safe_load((DATA / "iscms" / "colombo-process.yaml").read_text(encoding="utf-8"))
    assert (colombo["role"] == "member").sum() == len(source["members"]) > 0
    assert (colombo["role"] == "observer").sum() == len(source["observers"]) > 0
    assert "VNM" in set(colombo["iso3"])
    prague = ds.iscms.set_index("iscm_id").loc["prague-process"]
    assert prague["type"] == "RCP" and prague["established"] == 2009 and prague["secretariat"] == "ICMPD"
    asylum = ds.iscm_themes[(ds.iscm_themes["iscm_id"] == "prague-process")
                            & (ds.iscm_themes["theme_id"] == "asylum_protection")].iloc[0]
    assert asylum["level"] == "focus" and asylum["since"] == 2012
    kosovo = ds.memberships[(ds.memberships["iscm_id"] == "prague-process") & (ds.memberships["iso3"] == "XKX")]
    assert len(kosovo) == 1


def test_every_iscm_has_a_source_url(ds):
    with_url = set(ds.sources.loc[ds.sources["url"].str.startswith("http"), "iscm_id"])
    assert with_url == set(ds.iscms["iscm_id"])


def test_every_code_and_theme_is_valid(ds):
    assert all(is_valid_iso3(c) for c in ds.memberships["iso3"])
    assert set(ds.iscm_themes["theme_id"]) <= set(ds.themes["theme_id"])
    assert set(ds.iscm_organizations["org_id"]) <= set(ds.organizations["org_id"])
    ids = set(ds.iscms["iscm_id"])
    assert set(ds.iscm_links["source_id"]) <= ids and set(ds.iscm_links["target_id"]) <= ids


def test_territories_are_flagged_and_low_confidence_kept(ds):
    terr = ds.memberships[ds.memberships["territory"]]
    bali = set(terr.loc[terr["iscm_id"] == "bali-process", "iso3"])
    assert {"HKG", "MAC", "NCL"} <= bali
    assert {"PYF", "NCL", "WLF"} <= set(terr.loc[terr["iscm_id"] == "pidc", "iso3"])
    assert {"AIA", "MSR", "TCA"} <= set(terr.loc[terr["iscm_id"] == "cmc", "iso3"])
    apc = terr[terr["iscm_id"] == "apc"]
    assert set(apc["confidence"]) == {"low"}
    assert "low" in set(ds.iscms["confidence_members"])


def test_one_registry_entry_per_organization(ds):
    orgs = ds.organizations.set_index("org_id")
    assert orgs.loc["european-commission", "parent"] == "eu"
    assert orgs.loc["european-commission", "kind"] == "eu"
    assert "EASO" in orgs.loc["euaa", "aliases"]
    # no two registry entries answer to the same name
    names: dict[str, str] = {}
    for org_id, row in orgs.iterrows():
        for n in [row["acronym"], row["name"], *row["aliases"]]:
            key = n.lower()
            assert names.setdefault(key, org_id) == org_id, f"{n} names both {names[key]} and {org_id}"


def test_subset_and_helpers(ds):
    sub = ds.subset(["prague-process", "budapest-process"])
    assert set(sub.iscms["iscm_id"]) == {"prague-process", "budapest-process"}
    assert set(sub.memberships["iscm_id"]) == {"prague-process", "budapest-process"}
    assert set(sub.iscm_links["source_id"]) | set(sub.iscm_links["target_id"]) <= {
        "prague-process", "budapest-process"}
    assert ds.iscm_name("prague-process") == "Prague Process"
    assert ds.theme_label("asylum_protection") == "Asylum and international protection"
    # one theme per "- id:" entry of the taxonomy file (read as text: the loader is what is tested)
    assert len(ds.themes) == len(re.findall(r"^\s*- id:", (DATA / "themes.yaml").read_text(encoding="utf-8"), re.M))


# ---------- broken data directories ----------

@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def problems_of(path) -> list[str]:
    with pytest.raises(DatasetError) as exc:
        load(path)
    return [str(p) for p in exc.value.problems]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_yaml_syntax_error_names_file_and_line(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    edit(f, "type: RCP", "type: [RCP")
    (p,) = [p for p in problems_of(data_copy) if "colombo" in p]
    assert p.startswith("iscms/colombo-process.yaml:line ") and "YAML syntax error" in p and "—" in p


def test_missing_required_field(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    text = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(line for line in text if not line.startswith("short_name:")), encoding="utf-8")
    assert any(p.startswith("iscms/colombo-process.yaml:short_name: required field is missing") for p in
               problems_of(data_copy))


def test_wrong_type(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "established: 2003", "established: long ago")
    ps = problems_of(data_copy)
    assert any(p.startswith("iscms/colombo-process.yaml:established:") and "long ago" in p for p in ps)


def test_unknown_theme_id(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "- id: labour_migration", "- id: labour_mobility")
    assert any("colombo-process.yaml:themes[" in p and "unknown theme id 'labour_mobility'" in p
               and "themes.yaml" in p for p in problems_of(data_copy))


def test_invalid_iso3(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "iso3: AFG", "iso3: AFX")
    assert any(p.startswith("iscms/colombo-process.yaml:members[0].iso3: 'AFX' is not an ISO 3166") for p in
               problems_of(data_copy))


def test_duplicate_iscm_id(data_copy):
    shutil.copy(data_copy / "iscms" / "colombo-process.yaml", data_copy / "iscms" / "colombo-copy.yaml")
    ps = problems_of(data_copy)
    assert any("duplicate ISCM id 'colombo-process'" in p for p in ps)


def test_link_to_missing_iscm(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "- id: abu-dhabi-dialogue", "- id: abu-dhabi-process")
    assert any(p.startswith("iscms/colombo-process.yaml:linked_iscms[0].id: links to ISCM 'abu-dhabi-process'")
               for p in problems_of(data_copy))


def test_organization_not_in_registry(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "org: ilo", "org: ilo-geneva")
    assert any("colombo-process.yaml:organizations[" in p and "'ilo-geneva' is not in the registry" in p
               for p in problems_of(data_copy))


def test_member_listed_twice(data_copy):
    # Bahrain is an observer of the Colombo Process; listing it as a member too is a duplicate.
    edit(data_copy / "iscms" / "colombo-process.yaml", "- iso3: AFG\n  name: Afghanistan",
         "- iso3: AFG\n  name: Afghanistan\n- iso3: BHR\n  name: Bahrain")
    assert any("BHR (Bahrain) is listed twice" in p for p in problems_of(data_copy))


def test_every_problem_is_reported_at_once(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "iso3: AFG", "iso3: AFX")
    edit(data_copy / "iscms" / "prague-process.yaml", "org: osce", "org: osce-vienna")
    edit(data_copy / "themes.yaml", "  - id: health\n", "  - id: Health Theme\n")
    ps = problems_of(data_copy)
    assert len(ps) >= 3
    assert {p.split(":")[0] for p in ps} >= {"iscms/colombo-process.yaml", "iscms/prague-process.yaml",
                                            "themes.yaml"}


def test_unknown_field_and_empty_file(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "status: active", "status: active\nstatuss: x")
    (data_copy / "iscms" / "empty.yaml").write_text("", encoding="utf-8")
    ps = problems_of(data_copy)
    assert any(p.startswith("iscms/colombo-process.yaml:statuss: unknown field") for p in ps)
    assert any(p.startswith("iscms/empty.yaml: expected a mapping of fields, found an empty file") for p in ps)


def test_missing_directory():
    ps = problems_of(Path("/nonexistent/iscm-data"))
    assert "data directory not found" in ps[0]


def test_parse_cache_is_keyed_by_content_and_never_hides_a_problem(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = load(data_copy)
    cached = list((tmp_path / "cache" / "iscm-atlas" / "parsed-yaml").glob("*.json"))
    assert len(cached) == len(list((data_copy / "iscms").glob("*.yaml"))) + len(list(data_copy.glob("*.yaml")))
    again = load(data_copy)  # served from the cache: same tables
    for name, df in first.tables().items():
        assert df.equals(getattr(again, name)), name
    edit(data_copy / "iscms" / "colombo-process.yaml", "iso3: AFG", "iso3: AFX")
    assert any("'AFX' is not an ISO 3166" in p for p in problems_of(data_copy))


def test_sources_for_lists_each_source_once_in_table_order(ds):
    def expected(ids):
        src = ds.sources[ds.sources["iscm_id"].isin(list(ids))]
        return list(dict.fromkeys(src["url"].where(src["url"] != "", src["title"]).tolist()))

    ids = sorted(ds.iscms["iscm_id"])
    for chosen in (ids, ids[:1], ids[3:9], ["prague-process", "budapest-process"], [], ["no-such-iscm"]):
        assert ds.sources_for(chosen) == expected(chosen)
    assert ds.sources_for() == expected(ids)
    printed = ds.sources[ds.sources["url"] == ""]
    if len(printed):  # a printed source is named by its title
        assert printed["title"].iloc[0] in ds.sources_for([printed["iscm_id"].iloc[0]])


def test_lookups_built_on_first_use_are_not_carried_into_a_changed_copy(ds):
    from dataclasses import replace

    ds.sources_for(["prague-process"])
    assert ds.theme_label("asylum_protection") != "asylum_protection"
    fewer = replace(ds, sources=ds.sources[ds.sources["iscm_id"] != "prague-process"],
                    themes=ds.themes.assign(label="Renamed"))
    assert fewer.sources_for(["prague-process"]) == []
    assert fewer.theme_label("asylum_protection") == "Renamed"
    assert ds.subset(["budapest-process"]).sources_for(["prague-process"]) == []


# ---------- provenance: source tiers, unfit sites, editor notes, survey documents ----------

SECRETARIAT_SRC = "- url: http://www.colomboprocess.org/contact/cp-secretariat\n  used_for: IOM as secretariat\n  kind: iscm"


def test_default_sources_all_have_a_tier_and_a_date(ds):
    from iscm.model import SOURCE_KIND_LABELS

    assert set(ds.sources["kind"]) <= set(SOURCE_KIND_LABELS)
    assert ds.sources["checked"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_blog_wiki_or_mirror_is_refused_as_a_source(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    edit(f, "- url: http://www.colomboprocess.org/contact/cp-secretariat",
         "- url: https://en.wikipedia.org/wiki/Colombo_Process")
    edit(f, "source: http://www.colomboprocess.org/contact/cp-secretariat",
         "source: https://en.wikipedia.org/wiki/Colombo_Process")
    (p,) = [p for p in problems_of(data_copy) if ".url:" in p]
    assert p.startswith("iscms/colombo-process.yaml:sources[")
    assert "https://en.wikipedia.org/wiki/Colombo_Process is a wiki, not a source — cite the page it copies" in p


@pytest.mark.parametrize(("url", "what"), [
    ("https://blog.example-city-guide.com/?p=1", "a blog"), ("https://someone.wordpress.com/2011/gfmd", "a blog"),
    ("https://docslib.org/doc/1/report", "a mirror site"), ("https://fdocuments.us/document/x.html", "a mirror site"),
    ("https://wikitia.com/wiki/Budapest_Process", "a wiki"), ("https://fr.wikipedia.org/wiki/X", "a wiki"),
    ("https://djazairess.com/fr/liberte/34669", "a news aggregator"),
    ("https://mail.mebusiness.ae/en/news/show/105480", "a news aggregator"),
    ("https://denederlandsegrondwet.nl/id/vj45f7ntzfzy/nieuws/x", "a mirror site"),
    ("https://visionclave.com.do/2024/01/la-xxviii-conferencia-regional-sobre.html", "a blog"),
    ("https://www.iom.int/budapest-process", None), ("https://www.budapestprocess.org/", None), (None, None),
])
def test_unfit_site(url, what):
    from iscm.provenance import unfit_site

    assert unfit_site(url) == what


def test_high_confidence_resting_only_on_news_is_refused(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    text = f.read_text(encoding="utf-8")
    # every source of the file becomes a news source: the members' "high" now rests on news alone
    f.write_text(text.replace("  kind: igo", "  kind: news").replace("  kind: iscm", "  kind: news")
                 .replace("  kind: government", "  kind: news"), encoding="utf-8")
    found = [p for p in problems_of(data_copy) if "colombo" in p]
    assert any(p.startswith("iscms/colombo-process.yaml:confidence.members: 'high' rests only on news or other-web "
                            "sources (") and p.endswith("or lower it to medium") for p in found), found
    assert any(p.startswith("iscms/colombo-process.yaml:confidence.themes: 'high'") for p in found)
    assert not any("confidence.organizations" in p for p in found)  # 'medium' may rest on news


def test_high_confidence_resting_only_on_sources_without_address_is_refused(data_copy):
    f = data_copy / "iscms" / "bali-process.yaml"
    edit(f, "  themes: high\n  organizations: medium", "  themes: high\n  organizations: high")
    (p,) = [p for p in problems_of(data_copy) if "bali" in p]
    assert p.startswith("iscms/bali-process.yaml:confidence.organizations: 'high' rests only on sources with no address "
                        "a reader can open (Bali Process, 'About the Bali Process'")
    assert p.endswith("— give the document's web address (url:), cite a source that has one, or lower it to medium")


def test_a_printed_source_beside_an_addressed_one_may_back_high_confidence(data_copy):
    f = data_copy / "iscms" / "bali-process.yaml"
    edit(f, "  themes: high\n  organizations: medium", "  themes: high\n  organizations: high")
    edit(f, "- org: ilo\n  role: member\n  source: Bali Process, 'About the Bali Process' (official website, baliprocess.net)",
         "- org: ilo\n  role: member\n  source: https://www.baliprocess.net/coordination-of-the-bali-process/")
    ds = load(data_copy)  # no DatasetError: one of the four organizations now cites an address
    assert set(ds.iscm_organizations.query("iscm_id == 'bali-process'")["org_id"]) >= {"iom", "ilo"}


def test_source_without_kind_or_date_is_refused(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    edit(f, SECRETARIAT_SRC + "\n  checked: '2026-11-27'", SECRETARIAT_SRC.rsplit("\n", 1)[0])
    found = [p for p in problems_of(data_copy) if "colombo" in p]
    assert any(p.endswith("source has no kind — add kind: iscm, government, igo, academic, news or web") for p in found)
    assert any("source has no date it was checked — add checked: YYYY-MM-DD" in p for p in found)


def test_editor_note_as_evidence_is_refused(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    edit(f, "evidence: Overseas employment is the core mandate", "evidence: Tagged in the reference; core mandate")
    (p,) = [p for p in problems_of(data_copy) if "colombo" in p]
    assert p.startswith("iscms/colombo-process.yaml:themes[0].evidence: reads as a note about how the data was made "
                        "('Tagged in'), not a fact users can check — say what the source says")


@pytest.mark.parametrize("note, word", [
    ("Tagged as a focus area", "Tagged"),
    ("We coded this from the agenda", "We"),
    ("In our reading the Process works on employment", "our"),
    ("Taken from the file of 2019", "the file"),
    ("Named on IOM's page; membership not verified", "not verified"),
    ("Believed to take part in its own right", "Believed"),
    ("The member page exists but its list of States could not be read", "could not be read"),
    ("Earlier listings also named the OECD", "Earlier listings"),
    ("Cooperating States thought to belong to the Group of Friends", "thought to"),
    ("Kosovo is given the code XXX", "XXX"),
    ("Attended in 2017; formal status not confirmed", "not confirmed"),
    ("No meeting after 2019 was found", "was found"),
    ("The 13th meeting is the latest found", "latest found"),
])
def test_first_person_and_process_words_in_evidence_are_refused(data_copy, note, word):
    f = data_copy / "iscms" / "colombo-process.yaml"
    edit(f, "evidence: Overseas employment is the core mandate", f"evidence: {note}")
    (p,) = [p for p in problems_of(data_copy) if "colombo" in p]
    assert p.startswith(f"iscms/colombo-process.yaml:themes[0].evidence: reads as a note about how the data was made "
                        f"('{word}')")


def test_organization_without_evidence_is_refused(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("- org: iom")
    ev = text.index("  evidence:", start)
    f.write_text(text[:ev] + text[text.index("- org: ilo", ev):], encoding="utf-8")
    (p,) = [p for p in problems_of(data_copy) if "colombo" in p]
    assert p == ("iscms/colombo-process.yaml:organizations[0].evidence: organization 'iom' (secretariat) has no "
                 "evidence — say what the cited source says about this organization's role, in words a reader can "
                 "find there")


def test_link_without_evidence_is_refused(data_copy):
    f = data_copy / "iscms" / "colombo-process.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("linked_iscms:")
    ev = text.index("  evidence:", start)
    f.write_text(text[:ev] + text[text.index("\nthemes:", ev) + 1:], encoding="utf-8")
    (p,) = [p for p in problems_of(data_copy) if "colombo" in p]
    assert p == ("iscms/colombo-process.yaml:linked_iscms[0].evidence: link to 'abu-dhabi-dialogue' has no evidence "
                 "— say what the cited source says about the tie between the two ISCMs")


def test_every_organization_and_link_of_the_default_data_has_evidence(ds):
    assert (ds.iscm_organizations["evidence"].str.strip() != "").all()
    assert (ds.iscm_links["evidence"].str.strip() != "").all()
    assert len(ds.iscm_links) and len(ds.iscm_organizations)


def test_open_participation_with_members_is_refused(data_copy):
    edit(data_copy / "iscms" / "colombo-process.yaml", "type: RCP", "type: RCP\nparticipation: open")
    (p,) = [p for p in problems_of(data_copy) if "colombo" in p]
    assert p == ("iscms/colombo-process.yaml:members: an ISCM open to every UN Member State lists members — "
                 "list past chairs under chairs (or set participation: listed)")


SURVEY = """Summary of Findings per ISCM

Name of the Inter-state consultation mechanism (ISCM): Colombo Process

1. Evolution of programing and thematic focus

The Colombo Process works on overseas employment, skills recog-
nition and ethical recruitment. IOM acts as its secretariat.

Name of the Inter-state consultation mechanism (ISCM): Bali Process

1. Evolution of programing and thematic focus

The Bali Process works on people smuggling and trafficking in persons.
"""


@pytest.fixture
def survey_cited(data_copy):
    """Colombo Process facts cited to a survey summary that lies beside the data, as the Prague summary does."""
    (data_copy / "survey.txt").write_text(SURVEY, encoding="utf-8")
    f = data_copy / "iscms" / "colombo-process.yaml"
    edit(f, SECRETARIAT_SRC, "- title: Survey summary (test)\n  used_for: themes\n  document: survey.txt\n  kind: igo")
    edit(f, "source: http://www.colomboprocess.org/contact/cp-secretariat", "source: Survey summary (test)")
    edit(f, "  source: https://iom.int/speeches/remarks-handover-ceremony-colombo-process-chairmanship-sri-lanka-nepal-0",
         "  source: Survey summary (test)")
    edit(f, IOM_EVIDENCE, "evidence: IOM acts as its secretariat")
    return f


IOM_EVIDENCE = ("evidence: The Colombo Process's secretariat page says IOM acts as its secretariat and, at the Chair's "
                "request, gives\n    technical and substantive support, coordinating meetings and drafting agendas and "
                "reports")


def test_fact_found_in_its_survey_document_passes(survey_cited):
    text = survey_cited.read_text(encoding="utf-8")
    text = text.replace("evidence: Overseas employment is the core mandate; working groups on skills recognition "
                        "and fair recruitment", "evidence: Works on overseas employment, skills recognition and "
                        "ethical recruitment")
    import re
    # every other theme cited to the document gets evidence the document holds
    text = re.sub(r"evidence: (?!Works on)[^\n]*(\n    [^\n]*)*\n  source: Survey summary \(test\)",
                  "evidence: The Colombo Process works on overseas employment\n  source: Survey summary (test)", text)
    survey_cited.write_text(text, encoding="utf-8")
    load(survey_cited.parents[1])  # no problem: a hyphenated line break ("recog-/nition") is joined


def test_fact_missing_from_its_survey_document_is_refused(survey_cited):
    edit(survey_cited, "evidence: IOM acts as its secretariat", "evidence: IOM funds the working groups")
    found = [p for p in problems_of(survey_cited.parents[1]) if "colombo" in p]
    assert any(p.startswith("iscms/colombo-process.yaml:themes[0].evidence: 'Overseas employment is the core mandate;")
               and "is not found in 'Survey summary (test)' (survey.txt) — quote or closely paraphrase" in p
               for p in found), found
    assert any(p.startswith("iscms/colombo-process.yaml:organizations[0].evidence: 'IOM funds the working groups' is "
                            "not found") for p in found), found


def test_fact_cited_to_another_iscms_entry_is_refused(survey_cited):
    edit(survey_cited.parents[1] / "survey.txt", "ISCM): Colombo Process", "ISCM): Abu Dhabi Dialogue")
    found = [p for p in problems_of(survey_cited.parents[1]) if "colombo" in p]
    assert any(p.startswith("iscms/colombo-process.yaml:themes[0].evidence: cites 'Survey summary (test)', which has "
                            "no entry for Colombo Process — cite a source about this ISCM") for p in found), found


def test_organization_the_document_does_not_name_is_refused(survey_cited):
    edit(survey_cited, "- org: iom\n  role: secretariat\n", "- org: frontex\n  role: secretariat\n")
    found = [p for p in problems_of(survey_cited.parents[1]) if "organizations[0]" in p]
    assert found == ["iscms/colombo-process.yaml:organizations[0].evidence: 'Survey summary (test)' does not name "
                     "European Border and Coast Guard Agency — cite a source that names it, or remove the entry"], found


def test_link_evidence_missing_from_its_survey_document_is_refused(survey_cited):
    edit(survey_cited, "  source: https://live.lankamission.org/index.php/archives.html?start=350\n",
         "  source: Survey summary (test)\n")
    found = [p for p in problems_of(survey_cited.parents[1]) if "linked_iscms[0].evidence" in p]
    assert len(found) == 1 and found[0].startswith(
        "iscms/colombo-process.yaml:linked_iscms[0].evidence: 'Sri Lanka's mission reports that the May 2014 Senior "
        "Officials' Meeting") and "is not found in 'Survey summary (test)' (survey.txt)" in found[0], found


def test_a_missing_document_is_not_checked(survey_cited):
    """A clone without the document beside it still loads: there is nothing to check the facts against."""
    (survey_cited.parents[1] / "survey.txt").unlink()
    load(survey_cited.parents[1])
