"""What the import screens show (iscm.survey.review, iscm.dates): readable tables, and what a confirmed
import amounts to in the dataset merged with it. Expected values come from the parse result and the
dataset themselves, not from the functions under test."""

from __future__ import annotations

import datetime as dt

import pytest

from iscm.dates import readable_utc
from iscm.survey.extract import parse_document
from iscm.survey.merge import merge_surveys
from iscm.survey.review import (
    DIFFERENCE_COLUMNS,
    ENTRY_COLUMNS,
    FACT_COLUMNS,
    differences_table,
    entries_table,
    facts_table,
    import_outcome,
    iscm_names,
    section_label,
)
from tests.conftest import ROOT

AFRICA = ROOT / "data" / "samples" / "sample-africa.txt"
ATLANTIS = ("Name of the ISCM: Atlantis Dialogue on Migration\n\n1. Evolution of programming and thematic focus\n"
            "Its thematic focus is labour migration and remittances. It works with IOM and the Bali Process.\n\n"
            "3. Salient ISCM structures\nA chair and a secretariat; funded by member states' contributions.\n")


@pytest.mark.parametrize(("value", "shown"), [
    ("2026-12-02T14:05:09+00:00", "2 Dec 2026, 14:05 UTC"),
    ("2026-12-02T15:05:00+01:00", "2 Dec 2026, 14:05 UTC"),      # another zone: said in UTC
    ("2026-01-09T00:00:00", "9 Jan 2026, 00:00 UTC"),            # no zone: taken as UTC
    (dt.datetime(2025, 7, 31, 23, 59, tzinfo=dt.UTC), "31 Jul 2025, 23:59 UTC"),
    ("", ""), (None, ""),
    ("not a time", "not a time"),                                 # a damaged value still shows
])
def test_readable_utc(value, shown):
    assert readable_utc(value) == shown


@pytest.fixture(scope="module")
def africa(ds):
    return parse_document(AFRICA.name, AFRICA.read_bytes(), ds)


def test_tables_name_iscms_and_label_columns(africa, ds):
    names = [ds.iscm_name(e.iscm_id) for e in africa.entries]
    assert names == ["MIDSA", "MIDWA", "IGAD-RCP"]

    entries = entries_table(africa, ds)
    assert list(entries.columns) == ENTRY_COLUMNS
    assert list(entries["Matched ISCM"]) == names
    assert list(entries["Themes"]) == [len(e.themes) for e in africa.entries]

    program = africa.preview()  # the ids a program reads
    facts = facts_table(africa, ds)
    assert list(facts.columns) == FACT_COLUMNS == ["ISCM", "Kind of fact", "Fact", "Details", "Section", "Evidence"]
    assert len(facts) == len(program)
    assert list(facts["ISCM"]) == [ds.iscm_name(i) for i in program["iscm_id"]]
    assert set(facts["Kind of fact"]) <= {"Theme", "Country mentioned", "Organization", "Linked ISCM", "Structure",
                                          "Funding"}
    assert (facts["Kind of fact"] == "Theme").sum() == (program["kind"] == "themes").sum()
    assert list(facts["Evidence"]) == list(program["evidence"])
    assert not set(facts["ISCM"]) & set(program["iscm_id"])  # names, never ids
    assert set(facts["Section"]) <= {section_label(s) for s in program["section"]}
    assert section_label("evolution") == "1. Evolution of programming and thematic focus"

    diffs = differences_table(africa, ds)
    assert list(diffs.columns) == DIFFERENCE_COLUMNS
    assert len(diffs) == len(africa.differences)
    new = sum(1 for d in africa.differences if d.change == "new")
    assert (diffs["Change"] == "New: added on import").sum() == new > 0


def test_an_unmatched_entry_is_named_as_new(ds):
    res = parse_document("atlantis.txt", ATLANTIS.encode(), ds)
    assert [e.iscm_id for e in res.entries] == [None]
    assert set(facts_table(res, ds)["ISCM"]) == {"Atlantis Dialogue on Migration (new ISCM, not matched)"}
    assert iscm_names(res, ds) == ["Atlantis Dialogue on Migration"]


def test_outcome_counts_what_the_merged_dataset_holds(africa, ds):
    merged = merge_surveys(ds, [africa])
    out = import_outcome(africa, merged)
    assert [i.iscm_id for i in out.iscms] == ["midsa", "midwa", "igad-rcp"]
    assert [i.name for i in out.iscms] == ["MIDSA", "MIDWA", "IGAD-RCP"]
    assert out.facts == len(africa.preview())
    # rows the merge added, counted in the merged tables themselves
    added = {iid: 0 for iid in ("midsa", "midwa", "igad-rcp")}
    for before, after, col in ((ds.iscm_themes, merged.iscm_themes, "iscm_id"),
                               (ds.iscm_organizations, merged.iscm_organizations, "iscm_id"),
                               (ds.iscm_links, merged.iscm_links, "source_id")):
        for iid in added:
            added[iid] += int((after[col] == iid).sum() - (before[col] == iid).sum())
    assert {i.iscm_id: i.added for i in out.iscms} == added
    assert out.added == sum(added.values()) > 0
    assert not any(i.new for i in out.iscms)
    assert out.headline() == f"Imported: 3 ISCMs, {len(africa.preview())} facts"
    # against the dataset without the import, nothing of it is there
    assert import_outcome(africa, ds).added == 0


def test_outcome_of_an_unmatched_entry_links_the_new_iscm(ds):
    res = parse_document("atlantis.txt", ATLANTIS.encode(), ds)
    merged = merge_surveys(ds, [res])
    (new_id,) = set(merged.iscms["iscm_id"]) - set(ds.iscms["iscm_id"])
    (one,) = import_outcome(res, merged).iscms
    assert (one.iscm_id, one.name, one.new) == (new_id, "Atlantis Dialogue on Migration", True)
    assert one.facts == len(res.preview())
    assert import_outcome(res, merged).headline("Already imported") == f"Already imported: 1 ISCM, {one.facts} facts"
    # not merged (removed meanwhile): named, without an id to link to
    (gone,) = import_outcome(res, ds).iscms
    assert gone.iscm_id is None and gone.name == "Atlantis Dialogue on Migration"
