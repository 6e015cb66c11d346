"""iscm.survey.extract: facts with evidence from survey entries, matching entry names, differences to the dataset."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from iscm.survey.extract import FUNDING, SCHEMA, STRUCTURES, match_iscm, parse_document, preview_rows
from iscm.survey.parse import SECTION_IDS, SurveyImportError
from tests.test_countries import PROFILE_COUNTRIES
from tests.test_survey import make_docx, make_pdf, seed_paragraphs, three_entry_lines

FOCUS = {"irregular_migration", "return_reintegration", "labour_migration", "migration_development", "integration",
         "asylum_protection"}
SEED_ORGS = {"iom", "unhcr", "european-commission", "osce", "cis-excom", "eurasian-economic-commission"}
SEED_ISCMS = {"budapest-process", "khartoum-process", "rabat-process", "euromed-migration", "eap-panel-migration",
              "almaty-process"}
ITEM_KINDS = ("themes", "countries", "organizations", "iscms", "structures", "funding")


@pytest.fixture(scope="module")
def seed_result(seed_text, ds):
    return parse_document("seed.txt", seed_text.encode("utf-8"), ds).to_dict()


def _ids(entry, kind):
    return {i["id"] for i in entry[kind]}


def test_seed_entry_matched(seed_result):
    assert len(seed_result["entries"]) == 1
    e = seed_result["entries"][0]
    assert e["name"] == "Prague Process" and e["iscm_id"] == "prague-process"
    assert e["match"] == {"iscm_id": "prague-process", "status": "matched", "by": "name", "candidates": []}
    assert [s["id"] for s in e["sections"]] == list(SECTION_IDS)
    assert set(e["sections"][1]["levels"]) == {"national", "regional", "global"}
    assert seed_result["warnings"] == []


def test_seed_focus_themes_exactly(seed_result):
    e = seed_result["entries"][0]
    focus = {t["id"] for t in e["themes"] if t["level"] == "focus"}
    assert focus == FOCUS
    since = {t["id"]: t["since"] for t in e["themes"]}
    assert since["asylum_protection"] == 2012
    assert all(v is None for k, v in since.items() if k != "asylum_protection")
    asylum = next(t for t in e["themes"] if t["id"] == "asylum_protection")
    assert all(ev["section"] == "evolution" for ev in asylum["evidence"])
    # themes only mentioned outside the focus statement stay 'mentioned'
    mentioned = {t["id"] for t in e["themes"] if t["level"] == "mentioned"}
    assert {"data_research", "global_governance"} <= mentioned
    assert not mentioned & FOCUS


def test_seed_countries(seed_result):
    e = seed_result["entries"][0]
    countries = _ids(e, "countries")
    assert countries >= PROFILE_COUNTRIES
    assert countries - PROFILE_COUNTRIES == {"LTU"}  # Lithuania, in the Strategic Group (section 3)
    national = {c["id"] for c in e["countries"]
                if any(ev["section"] == "governance" and "profiles" in ev["sentence"] for ev in c["evidence"])}
    assert national == PROFILE_COUNTRIES
    kosovo = next(c for c in e["countries"] if c["id"] == "XKX")
    assert kosovo["label"] == "Kosovo" and kosovo["evidence"][0]["text"] == "Kosovo"


def test_seed_organizations_and_roles(seed_result):
    e = seed_result["entries"][0]
    assert _ids(e, "organizations") >= SEED_ORGS
    by_id = {o["id"]: o for o in e["organizations"]}
    assert by_id["iom"]["role"] == "partner"
    ec = [(ev["section"], ev["text"]) for ev in by_id["european-commission"]["evidence"]]
    assert ec == [("structures", "EC"), ("partnerships", "European Commission")]
    assert by_id["eurasian-economic-commission"]["evidence"][0]["text"] == "EAEC"
    assert by_id["cis-excom"]["evidence"][0]["text"] == "CIS ExCom"


def test_seed_iscms(seed_result):
    e = seed_result["entries"][0]
    iscms = _ids(e, "iscms")
    assert iscms >= SEED_ISCMS
    assert "prague-process" not in iscms  # an entry does not link to itself
    eap = next(i for i in e["iscms"] if i["id"] == "eap-panel-migration")
    assert [ev["text"] for ev in eap["evidence"]] == ["EaP PMA"]  # one sentence, one evidence
    assert "EaP PMM&IBM" in eap["evidence"][0]["sentence"]
    euromed = next(i for i in e["iscms"] if i["id"] == "euromed-migration")
    assert euromed["evidence"][0]["text"] == "Euromed" and euromed["evidence"][0]["section"] == "partnerships"


def test_seed_structures_and_funding(seed_result):
    e = seed_result["entries"][0]
    assert {"chair", "steering_group", "secretariat", "working_group", "ministerial_conference",
            "senior_officials_meeting", "observatory", "academy"} <= _ids(e, "structures")
    assert _ids(e, "funding") == {"project_grants", "donor_funding", "in_kind"}
    fund = e["funding"][0]
    assert fund["evidence"][0]["section"] == "structures" and "100%" in fund["evidence"][0]["sentence"]
    assert set(_ids(e, "structures")) <= set(STRUCTURES) and set(_ids(e, "funding")) <= set(FUNDING)


def test_every_item_has_evidence_from_its_section(seed_result):
    e = seed_result["entries"][0]
    sections = {s["id"]: s["text"] for s in e["sections"]}
    for kind in ITEM_KINDS:
        for item in e[kind]:
            assert item["id"] and item["label"] and item["evidence"], (kind, item)
            for ev in item["evidence"]:
                assert ev["section"] in sections
                assert ev["sentence"] in sections[ev["section"]]
                assert ev["text"] in ev["sentence"]


def test_json_is_serialisable_and_shaped(seed_result):
    again = json.loads(json.dumps(seed_result))
    assert again == seed_result
    assert seed_result["schema"] == SCHEMA
    assert set(seed_result) == {"schema", "source", "dataset_version", "warnings", "entries", "differences"}
    e = seed_result["entries"][0]
    assert {"name", "iscm_id", "sections", *ITEM_KINDS} <= set(e)
    assert seed_result["source"]["kind"] == "txt" and len(seed_result["source"]["sha256"]) == 64


def _facts(result):
    return [{k: sorted((i["id"], i.get("level"), i.get("since"), i.get("role")) for i in e[k]) for k in ITEM_KINDS}
            | {"name": e["name"], "iscm_id": e["iscm_id"]} for e in result["entries"]]


def test_seed_as_pdf_and_docx_extract_the_same(seed_text, ds, seed_result):
    pdf = parse_document("seed.pdf", make_pdf(seed_text.split("\n")), ds).to_dict()
    docx = parse_document("seed.docx", make_docx(seed_paragraphs(seed_text)), ds).to_dict()
    assert _facts(pdf) == _facts(seed_result)
    assert _facts(docx) == _facts(seed_result)


def test_three_entry_document(ds):
    r = parse_document("three.txt", "\n".join(three_entry_lines()).encode(), ds)
    assert [(e.name, e.iscm_id) for e in r.entries] == [
        ("Budapest Process", "budapest-process"), ("Rabat Process", "rabat-process"),
        ("Puebla Process", "rcm-puebla-process")]
    focus = [{t.id for t in e.themes if t.level == "focus"} for e in r.entries]
    assert focus[0] == {"irregular_migration", "return_reintegration", "labour_migration", "migration_development"}
    assert focus[1] == {"labour_migration", "smuggling"}
    assert focus[2] == {"border_management", "migrant_rights"}
    assert all({o.id for o in e.organizations} == {"iom", "unhcr"} for e in r.entries)
    assert all({i.id for i in e.iscms} == {"gfmd"} for e in r.entries)


@pytest.mark.parametrize("name,expected,by", [
    ("Prague Process", "prague-process", "name"),
    ("prague process", "prague-process", "name"),
    ("Puebla Process", "rcm-puebla-process", "name"),
    ("Regional Conference on Migration (Puebla Process)", "rcm-puebla-process", "name"),
    ("RCM", "rcm-puebla-process", "name"),
    ("EaP PMM&IBM", "eap-panel-migration", "name"),
    ("The Budapest Process", "budapest-process", "name contains"),
    ("MIDSA (Migration Dialogue for Southern Africa)", "midsa", "name part"),
    ("Atlantis Dialogue on Migration", None, None),
])
def test_match_entry_names(ds, name, expected, by):
    m = match_iscm(name, ds)
    assert m.iscm_id == expected and m.by == by
    assert m.status == ("matched" if expected else "unmatched")


def test_unknown_entry_is_unmatched_with_a_warning(ds):
    text = ("Name of the ISCM: Atlantis Dialogue on Migration\n\n1. Evolution of programming and thematic focus\n"
            "Its thematic focus is labour migration and remittances, with IOM.\n")
    r = parse_document("atlantis.txt", text.encode(), ds)
    e = r.entries[0]
    assert e.iscm_id is None and e.match.status == "unmatched"
    assert any("entry 1 'Atlantis Dialogue on Migration': no ISCM of the dataset has this name" in w
               for w in r.warnings)
    assert any("section(s) 2 (Contribution to migration governance)" in w for w in r.warnings)
    assert {t.id for t in e.themes} == {"labour_migration", "migration_development"}
    assert r.differences[0].kind == "iscm" and r.differences[0].survey == "new ISCM"


def test_differences_against_the_dataset(seed_text, ds):
    # a dataset that lacks some of the Prague Process facts: the survey brings them back as 'new'
    cut = replace(
        ds,
        iscm_themes=ds.iscm_themes[~((ds.iscm_themes.iscm_id == "prague-process")
                                     & ds.iscm_themes.theme_id.isin(["integration", "asylum_protection"]))],
        iscm_organizations=ds.iscm_organizations[~((ds.iscm_organizations.iscm_id == "prague-process")
                                                   & (ds.iscm_organizations.org_id == "osce"))],
        iscm_links=ds.iscm_links[~(ds.iscm_links.source_id.isin(["prague-process", "almaty-process"])
                                   & ds.iscm_links.target_id.isin(["prague-process", "almaty-process"]))],
        version="cut",
    )
    r = parse_document("seed.txt", seed_text.encode(), cut)
    new = {(d.kind, d.id) for d in r.differences if d.change == "new"}
    assert {("theme", "integration"), ("theme", "asylum_protection"), ("organization", "osce"),
            ("link", "almaty-process")} <= new
    asylum = next(d for d in r.differences if d.id == "asylum_protection")
    assert asylum.survey == "focus since 2012"
    info = {d.id for d in r.differences if d.kind == "country"}
    assert info == set()  # every mentioned country is a Prague Process participant in the dataset


def test_preview_rows(seed_result):
    rows = preview_rows(seed_result)
    assert list(rows.columns) == ["entry", "iscm_id", "kind", "id", "label", "detail", "section", "evidence"]
    e = seed_result["entries"][0]
    assert len(rows) == sum(len(e[k]) for k in ITEM_KINDS)
    asylum = rows[(rows.kind == "themes") & (rows.id == "asylum_protection")].iloc[0]
    assert asylum.detail == "level focus, since 2012" and asylum.section == "evolution"
    assert (rows.evidence != "").all()


def test_parse_document_errors_are_survey_import_errors(ds):
    with pytest.raises(SurveyImportError, match="no ISCM entry found"):
        parse_document("notes.txt", b"Some notes about migration in Albania.", ds)
