"""The Data page: tables follow the filters; the survey import flow from upload to removal."""

from __future__ import annotations

import os
import re

from iscm.dates import readable_utc
from iscm.survey.extract import parse_document
from iscm.survey.store import SurveyStore
from tests.conftest import N_ISCMS, ROOT, html_links, html_tables, shown

SAMPLES = ROOT / "data" / "samples"


def _frame_with(at, column: str):
    """The first table on the page that has a given column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _data_page(app_test, section: str | None = None, **query):
    at = app_test(**query).run()
    at.switch_page("pages/data.py")
    if section:  # the open tab (set after the page switch, which resets the query string)
        for k, v in {**query, "section": section}.items():
            at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


def _open_table(at, name: str):
    """Open the Data page's tab `name` (as its link would) and return its table."""
    at.query_params["section"] = name
    at.run()
    assert not at.exception
    shown_tables = [d.value for d in at.dataframe]
    return shown_tables[0]


def test_the_page_opens_on_the_list_of_tables_each_linking_to_its_tab(app_test, ds):
    at = _data_page(app_test, iscm="colombo-process")
    assert [t.label for t in at.tabs][:3] == ["All tables", "iscms", "memberships"]
    assert not at.dataframe  # no grid until a table is opened
    listed = html_tables(at)["tbl_catalogue"]
    by_name = listed.set_index("Table")
    assert by_name.loc["iscms", "Rows"] == 1 and by_name.loc["memberships", "Rows"] == 20
    assert by_name.loc["memberships", "Columns"] == len(ds.tables()["memberships"].columns) > 3
    assert by_name.loc["sources", "What it holds"]
    links = html_links(at, "tbl_catalogue")
    assert links["memberships"] == "data?iscm=colombo-process&section=memberships"  # the filter travels


def test_tables_follow_the_filters(app_test):
    at = _data_page(app_test, section="iscms")
    assert len(at.dataframe[0].value) == N_ISCMS
    # only the open tab's table is drawn; the others are one click (or ?section=) away
    assert not [d for d in at.dataframe if "iso3" in d.value.columns]
    members = _open_table(at, "memberships")
    assert "iso3" in members.columns
    at = _data_page(app_test, section="iscms", iscm="colombo-process")
    assert len(at.dataframe[0].value) == 1
    assert len(_open_table(at, "memberships")) == 20 < len(members)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "All tables (Excel workbook)" in labels and "memberships.csv" in labels


def _page_links(at) -> list[tuple[str, str, str]]:
    """(label, page, query string) of every page link in the page's main part."""
    out = []

    def walk(node):  # noqa: ANN001, ANN202
        proto = getattr(node, "proto", None)
        if proto is not None and type(proto).__name__ == "PageLink":
            out.append((shown(proto.label), proto.page, proto.query_string))
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at.main)
    return out


def _page_text(at) -> str:
    """Everything the page sends to the browser, as text: every element's fields (alerts, Markdown, labels,
    help texts, table cells) and the values of every table."""
    parts = []

    def walk(node):  # noqa: ANN001, ANN202
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at._tree)
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(parts)


READABLE_TIME = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d{2}:\d{2} UTC\b")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _upload_seed(at, seed_text, name: str = "prague-summary.txt"):  # noqa: ANN001, ANN202
    at.file_uploader(key="survey_upload").upload(name, seed_text.encode(), "text/plain").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_import_seed_preview_confirm_visible_everywhere_then_remove(app_test, seed_text):
    at = _data_page(app_test)
    home = os.environ["ISCM_ATLAS_HOME"]
    _upload_seed(at, seed_text)
    assert "Read 1 ISCM entry" in at.success[0].value
    entries = _frame_with(at, "Matched ISCM")
    assert entries.loc[0, "Entry in the document"] == "Prague Process"
    assert entries.loc[0, "Matched ISCM"] == "Prague Process"
    preview = _frame_with(at, "Kind of fact")
    focus = set(preview[(preview["Kind of fact"] == "Theme") & preview["Details"].str.contains("focus")]["Fact"])
    assert {"Asylum and international protection", "Integration", "Labour migration"} <= focus
    assert not os.path.exists(os.path.join(home, "imports")) or not os.listdir(os.path.join(home, "imports"))

    at.button(key="import_confirm").click().run()
    assert not at.exception
    assert any(shown(s.value).startswith("Imported: 1 ISCM, ") and "from prague-summary.txt" in shown(s.value)
               for s in at.success)
    assert len(os.listdir(os.path.join(home, "imports"))) == 1

    # survey facts are part of the dataset now, with provenance 'survey'
    at.switch_page("pages/data.py").run()
    sources = _open_table(at, "sources")
    assert any(sources["title"].str.startswith("Survey import: prague-summary.txt"))

    remove = [b for b in at.button if b.key and b.key.startswith("rm_")]
    assert len(remove) == 1
    remove[0].click().run()
    assert any("Removed prague-summary.txt" in shown(s.value) for s in at.success)
    assert os.listdir(os.path.join(home, "imports")) == []
    sources = _frame_with(at, "title")
    assert not any(sources["title"].str.startswith("Survey import:"))


def test_confirmed_import_collapses_into_its_result(app_test, seed_text, ds):
    """After Confirm: no preview, no Confirm button, the counts of what was stored, a same-tab link to the
    profile it changed; the same after a rerun; "Import another document" gives a fresh, empty upload."""
    parsed = parse_document("prague-summary.txt", seed_text.encode(), ds)
    n_facts = len(parsed.preview())  # one row per extracted fact
    n_new = sum(1 for d in parsed.differences if d.change == "new")
    assert n_facts > 10 and n_new >= 1

    at = _upload_seed(_data_page(app_test), seed_text)
    assert "import_confirm" in [b.key for b in at.button]
    at.button(key="import_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (stored,) = SurveyStore(os.environ["ISCM_ATLAS_HOME"]).list()

    for _ in range(2):  # as confirmed, and again after a rerun (the result lives in the session)
        results = [shown(s.value) for s in at.success if shown(s.value).startswith("Imported:")]
        assert results == [f"Imported: 1 ISCM, {n_facts} facts from prague-summary.txt, stored on "
                           f"{readable_utc(stored.imported_at)}."]
        assert READABLE_TIME.search(results[0])
        assert "import_confirm" not in [b.key for b in at.button]      # no second import
        assert not any("Read 1 ISCM entry" in s.value for s in at.success)  # the preview is gone
        assert not [d for d in at.dataframe if "Kind of fact" in d.value.columns]
        assert not any("would be added" in c.value for c in at.caption)
        assert any(c.value.startswith(f"{n_new} of these facts ") for c in at.caption)
        assert _page_links(at) == [(f"Prague Process · {n_facts} facts, {n_new} new to the dataset", "profile",
                                    "iscm=prague-process")]
        assert "import_another" in [b.key for b in at.button]
        at.run()

    at.button(key="import_another").click().run()
    assert not at.exception
    assert not any(s.value.startswith("Imported:") for s in at.success)
    assert not _page_links(at) and "import_confirm" not in [b.key for b in at.button]
    (uploader,) = at.get("file_uploader")
    assert uploader.key != "survey_upload" and uploader.key.startswith("survey_upload")  # a new, empty one
    assert len(SurveyStore(os.environ["ISCM_ATLAS_HOME"]).list()) == 1                     # nothing undone


def test_the_same_document_again_says_it_was_already_imported(app_test, seed_text, ds):
    at = _upload_seed(_data_page(app_test), seed_text)
    at.button(key="import_confirm").click().run()
    at.button(key="import_another").click().run()
    (uploader,) = at.get("file_uploader")
    uploader.upload("copy.txt", seed_text.encode(), "text/plain").run()
    assert "0 new facts would be added" in " ".join(c.value for c in at.caption)
    at.button(key="import_confirm").click().run()
    (stored,) = SurveyStore(os.environ["ISCM_ATLAS_HOME"]).list()
    n_facts = len(parse_document("copy.txt", seed_text.encode(), ds).preview())
    assert [shown(i.value) for i in at.info if "already imported" in i.value.lower()] == [
        f"Already imported: 1 ISCM, {n_facts} facts. prague-summary.txt was imported on "
        f"{readable_utc(stored.imported_at)}; nothing changed."]
    assert "import_confirm" not in [b.key for b in at.button]


def test_another_document_after_an_import_starts_a_fresh_preview(app_test, seed_text):
    at = _upload_seed(_data_page(app_test), seed_text)
    at.button(key="import_confirm").click().run()
    assert any(s.value.startswith("Imported:") for s in at.success)
    at.selectbox(key="survey_sample_pick").set_value("sample-africa.txt").run()
    at.file_uploader(key="survey_upload").upload("africa.txt", (SAMPLES / "sample-africa.txt").read_bytes(),
                                                 "text/plain").run()
    assert not at.exception
    assert "Read 3 ISCM entries" in at.success[0].value
    assert not any(s.value.startswith("Imported:") for s in at.success)
    assert "import_confirm" in [b.key for b in at.button]
    assert list(_frame_with(at, "Matched ISCM")["Matched ISCM"]) == ["MIDSA", "MIDWA", "IGAD-RCP"]


def test_a_removed_import_takes_its_result_away(app_test, seed_text):
    at = _upload_seed(_data_page(app_test), seed_text)
    at.button(key="import_confirm").click().run()
    (rm,) = [b for b in at.button if b.key and b.key.startswith("rm_")]
    rm.click().run()
    assert not at.exception
    assert not any(s.value.startswith("Imported:") for s in at.success) and not _page_links(at)
    assert "import_confirm" in [b.key for b in at.button]  # the document is still chosen: it can be imported again


def test_import_views_have_readable_labels_names_and_dates(app_test, seed_text):
    at = _upload_seed(_data_page(app_test), seed_text)
    # the three tables of the preview, in page order: entries, facts, comparison with the dataset
    preview = [d.value for d in at.dataframe if {"Matched ISCM", "Kind of fact"} & set(d.value.columns)]
    assert [list(t.columns) for t in preview] == [
        ["Entry in the document", "Matched ISCM", "Sections found", "Focus themes", "Themes", "Countries",
         "Organizations", "Linked ISCMs", "Structures"],
        ["ISCM", "Kind of fact", "Fact", "Details", "Section", "Evidence"],
        ["ISCM", "Kind of fact", "Fact", "In the dataset", "In the survey", "Change"],
    ]
    for table in preview[1:]:
        assert set(table["ISCM"]) == {"Prague Process"}  # the name, not "prague-process"
        assert set(table["Kind of fact"]) <= {"Theme", "Country mentioned", "Organization", "Linked ISCM",
                                              "Structure", "Funding"}
    facts = _frame_with(at, "Kind of fact")
    assert set(facts["Section"]) <= {"1. Evolution of programming and thematic focus",
                                     "2. Contribution to migration governance", "3. Salient ISCM structures",
                                     "4. Partnership models", "5. Added value of membership"}

    at.button(key="import_confirm").click().run()
    (rm,) = [b for b in at.button if b.key and b.key.startswith("rm_")]
    rm.click().run()
    (restore,) = [b for b in at.button if b.key and b.key.startswith("restore_")]
    trashed = [m.value for m in at.markdown if "removed on" in m.value]
    assert len(trashed) == 1 and READABLE_TIME.search(trashed[0]) and "1 ISCM: Prague Process" in trashed[0]
    restore.click().run()
    (stored,) = SurveyStore(os.environ["ISCM_ATLAS_HOME"]).list()
    listed = [shown(m.value) for m in at.markdown if "imported on" in m.value]
    assert listed == [f"**prague-summary.txt** · 1 ISCM: Prague Process · imported on "
                      f"{readable_utc(stored.imported_at)}"]
    assert READABLE_TIME.search(listed[0])

    log = _frame_with(at, "What changed")
    assert list(log.columns) == ["When", "Change", "File", "Who", "Name", "Signed in with",
                                 "What changed", "File SHA-256", "Import id"]
    assert list(log["Change"]) == ["Restored", "Removed (to the trash)", "Imported"]
    assert all(READABLE_TIME.fullmatch(t) for t in log["When"])
    # no raw ISO timestamp anywhere in what the import section shows (the CSV download keeps them)
    section = [shown(e.value) for kind in ("markdown", "caption", "success", "info") for e in getattr(at, kind)]
    assert not [t for t in section if ISO_TIME.search(t)]
    assert not ISO_TIME.search(log.to_csv())


def test_no_server_path_on_the_page(app_test, seed_text, tmp_path, monkeypatch):
    """Neither the store's folder nor a path inside it, nor its setting's name as a path, is on the page:
    with imports, a removal in the trash, and a store that cannot be used."""
    home = os.environ["ISCM_ATLAS_HOME"]
    at = _upload_seed(_data_page(app_test), seed_text)
    at.button(key="import_confirm").click().run()
    (rm,) = [b for b in at.button if b.key and b.key.startswith("rm_")]
    at.button(key="import_another").click().run()
    at.file_uploader(key="survey_upload_1").upload("africa.txt", (SAMPLES / "sample-africa.txt").read_bytes(),
                                                   "text/plain").run()
    at.button(key="import_confirm").click().run()
    [b for b in at.button if b.key == rm.key][0].click().run()
    assert not at.exception
    text = _page_text(at)
    assert "Imported: 3 ISCMs" in shown(text) and "removed on" in text  # the page shows the store's content ...
    for path in (home, str(tmp_path), "$ISCM_ATLAS_HOME", "/imports", "/trash", "audit.jsonl", "result.json"):
        assert path not in text, path                                  # ... and none of its paths

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ISCM_ATLAS_HOME", str(blocker / "store"))
    at = _upload_seed(_data_page(app_test), seed_text)
    at.button(key="import_confirm").click().run()
    assert [shown(e.value) for e in at.error] == [
        "cannot use the survey store: Not a directory — check that the folder is writable or set ISCM_ATLAS_HOME "
        "to another folder."]
    text = _page_text(at)
    for path in (str(blocker), str(tmp_path), "$ISCM_ATLAS_HOME"):
        assert path not in text, path


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
