"""The Data page: tables follow the filters; the survey import flow from upload to removal."""

from __future__ import annotations

import os

from tests.conftest import N_ISCMS, shown


def _frame_with(at, column: str):
    """The first table on the page that has a given column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _data_page(app_test, **query):
    at = app_test(**query).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def test_tables_follow_the_filters(app_test):
    at = _data_page(app_test)
    assert len(at.dataframe[0].value) == N_ISCMS  # iscms tab
    members = at.dataframe[1].value
    at = _data_page(app_test, iscm="colombo-process")
    assert len(at.dataframe[0].value) == 1
    assert len(at.dataframe[1].value) == 20 < len(members)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "All tables (Excel workbook)" in labels and "memberships.csv" in labels


def test_import_seed_preview_confirm_visible_everywhere_then_remove(app_test, seed_text):
    at = _data_page(app_test)
    home = os.environ["ISCM_ATLAS_HOME"]
    at.file_uploader(key="survey_upload").upload("prague-summary.txt", seed_text.encode(), "text/plain").run()
    assert not at.exception
    assert "Read 1 ISCM entry" in at.success[0].value
    entries = _frame_with(at, "matched ISCM")
    assert entries.loc[0, "entry"] == "Prague Process" and entries.loc[0, "matched ISCM"] == "Prague Process"
    preview = _frame_with(at, "section")
    focus = set(preview[(preview["kind"] == "themes") & preview["detail"].str.contains("focus")]["id"])
    assert {"asylum_protection", "integration", "labour_migration"} <= focus
    assert not os.path.exists(os.path.join(home, "imports")) or not os.listdir(os.path.join(home, "imports"))

    at.button(key="import_confirm").click().run()
    assert not at.exception
    assert any("Imported prague-summary.txt" in shown(s.value) for s in at.success)
    assert len(os.listdir(os.path.join(home, "imports"))) == 1

    # importing the same file again changes nothing
    at.button(key="import_confirm").click().run()
    assert any("already imported" in shown(s.value) for s in at.success)
    assert len(os.listdir(os.path.join(home, "imports"))) == 1

    # survey facts are part of the dataset now, with provenance 'survey'
    at.switch_page("pages/data.py").run()
    sources = at.dataframe[7].value
    assert any(sources["title"].str.startswith("Survey import: prague-summary.txt"))

    remove = [b for b in at.button if b.key and b.key.startswith("rm_")]
    assert len(remove) == 1
    remove[0].click().run()
    assert any("Removed prague-summary.txt" in shown(s.value) for s in at.success)
    assert os.listdir(os.path.join(home, "imports")) == []
    sources = at.dataframe[7].value
    assert not any(sources["title"].str.startswith("Survey import:"))


def test_bad_upload_gets_one_clear_message_and_stores_nothing(app_test):
    at = _data_page(app_test)
    at.file_uploader(key="survey_upload").upload("notes.txt", b"Just some notes about migration.\n",
                                                  "text/plain").run()
    assert not at.exception
    (err,) = at.error
    assert "no ISCM entry" in err.value or "No ISCM entry" in err.value
    assert "import_confirm" not in [b.key for b in at.button]
    home = os.environ["ISCM_ATLAS_HOME"]
    assert not os.path.exists(os.path.join(home, "imports")) or os.listdir(os.path.join(home, "imports")) == []
