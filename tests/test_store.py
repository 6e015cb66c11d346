"""iscm.survey.store and iscm.survey.merge: imports kept on disk (atomic, locked, idempotent), quarantine, merge into the Dataset; CLI import."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from iscm.cli import main
from iscm.survey.extract import parse_document
from iscm.survey.merge import load_with_surveys, merge_surveys
from iscm.survey.store import SurveyStore, default_home, import_id

ATLANTIS = ("Name of the ISCM: Atlantis Dialogue on Migration\n\n1. Evolution of programming and thematic focus\n"
            "Its thematic focus is labour migration and remittances. It works with IOM and the Bali Process.\n\n"
            "3. Salient ISCM structures\nA chair and a secretariat; funded by member states' contributions.\n")


@pytest.fixture
def seed_bytes(seed_text) -> bytes:
    return seed_text.encode("utf-8")


def _snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


def test_home_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ISCM_ATLAS_HOME", str(tmp_path / "h"))
    assert default_home() == tmp_path / "h"
    assert SurveyStore().home == tmp_path / "h"
    monkeypatch.delenv("ISCM_ATLAS_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_home() == tmp_path / "xdg" / "iscm-atlas"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_home() == Path.home() / ".local" / "share" / "iscm-atlas"


def test_save_keeps_original_and_result(tmp_path, ds, seed_bytes):
    store = SurveyStore(tmp_path)
    result = parse_document("Prague summary.txt", seed_bytes, ds)
    stored, created = store.save("Prague summary.txt", seed_bytes, result)
    assert created and stored.import_id == import_id(seed_bytes) == result.source.sha256[:16]
    assert stored.original.read_bytes() == seed_bytes and stored.original.name == "original.txt"
    assert stored.name == "Prague summary.txt" and stored.size == len(seed_bytes)
    on_disk = json.loads((stored.folder / "result.json").read_text(encoding="utf-8"))
    assert on_disk["result"] == json.loads(json.dumps(result.to_dict()))
    assert [s.import_id for s in store.list()] == [stored.import_id]
    assert store.get(stored.import_id).result.entries[0].iscm_id == "prague-process"
    assert not list((tmp_path / "imports").glob(".tmp-*"))


def test_same_file_twice_changes_nothing(tmp_path, ds, seed_bytes):
    store = SurveyStore(tmp_path)
    first, created = store.save("a.txt", seed_bytes, parse_document("a.txt", seed_bytes, ds))
    before = _snapshot(tmp_path)
    again, created_again = store.save("renamed.txt", seed_bytes, parse_document("renamed.txt", seed_bytes, ds))
    assert created and not created_again
    assert again.import_id == first.import_id and again.name == "a.txt"
    assert _snapshot(tmp_path) == before  # not a byte or a timestamp changed


def test_result_of_another_file_is_refused(tmp_path, ds, seed_bytes):
    result = parse_document("a.txt", seed_bytes, ds)
    with pytest.raises(ValueError, match="belongs to another file"):
        SurveyStore(tmp_path).save("b.txt", seed_bytes + b" ", result)
    assert not (tmp_path / "imports").exists() or not any((tmp_path / "imports").iterdir())


def test_remove(tmp_path, ds, seed_bytes):
    store = SurveyStore(tmp_path)
    empty = store.fingerprint()
    stored, _ = store.save("a.txt", seed_bytes, parse_document("a.txt", seed_bytes, ds))
    assert store.fingerprint() not in (empty, "")
    assert store.remove(stored.import_id) is True
    assert store.list() == [] and not stored.folder.exists()
    assert store.fingerprint() == empty
    assert store.remove(stored.import_id) is False
    assert store.remove("../../etc") is False and store.get("../x") is None


def test_corrupt_result_is_quarantined_and_the_rest_loads(tmp_path, ds, seed_bytes):
    store = SurveyStore(tmp_path)
    good, _ = store.save("good.txt", seed_bytes, parse_document("good.txt", seed_bytes, ds))
    other = ATLANTIS.encode()
    bad, _ = store.save("bad.txt", other, parse_document("bad.txt", other, ds))
    (bad.folder / "result.json").write_text('{"name": "bad.txt", "result": {"entr', encoding="utf-8")
    report = store.load()
    assert [s.import_id for s in report.imports] == [good.import_id]
    assert len(report.problems) == 1
    msg = report.problems[0]
    assert msg.startswith(f"stored import {bad.import_id} could not be read (result.json is damaged")
    assert "moved to" in msg and "import the original file again to restore it" in msg
    quarantined = list((tmp_path / "quarantine").iterdir())
    assert len(quarantined) == 1 and quarantined[0].name.startswith(bad.import_id)
    assert (quarantined[0] / "original.txt").read_bytes() == other  # nothing is lost
    assert store.load().problems == []  # reported once
    # importing the file again restores it
    again, created = store.save("bad.txt", other, parse_document("bad.txt", other, ds))
    assert created and {s.import_id for s in store.list()} == {good.import_id, again.import_id}


def test_missing_original_and_stale_temp_folders(tmp_path, ds, seed_bytes):
    store = SurveyStore(tmp_path)
    stored, _ = store.save("a.txt", seed_bytes, parse_document("a.txt", seed_bytes, ds))
    (tmp_path / "imports" / ".tmp-crashed").mkdir()
    (tmp_path / "imports" / ".tmp-crashed" / "original.txt").write_bytes(b"half")
    stored.original.unlink()
    report = store.load()
    assert report.imports == [] and "the original file is missing" in report.problems[0]
    assert not (tmp_path / "imports" / ".tmp-crashed").exists()


def _save_in_process(args: tuple[str, str, bytes]) -> tuple[str, bool]:
    home, name, data = args
    from iscm.dataset import load

    ds = load()
    stored, created = SurveyStore(home).save(name, data, parse_document(name, data, ds))
    return stored.import_id, created


def test_concurrent_imports(tmp_path, seed_bytes):
    docs = [ATLANTIS.replace("Atlantis", f"Atlantis {i}").encode() for i in range(3)]
    jobs = [(str(tmp_path), f"doc{i % 3}.txt", docs[i % 3]) for i in range(6)]
    with ProcessPoolExecutor(max_workers=3, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_save_in_process, jobs))
    created = [iid for iid, c in results if c]
    assert sorted(created) == sorted(import_id(d) for d in docs)  # each document created exactly once
    report = SurveyStore(tmp_path).load()
    assert report.problems == [] and len(report.imports) == 3
    for s in report.imports:
        assert s.original.read_bytes() in docs


def test_unwritable_home_gives_a_store_error(tmp_path, ds, seed_bytes):
    from iscm.survey.store import StoreError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot use the survey store at"):
        SurveyStore(blocker / "sub").save("a.txt", seed_bytes, parse_document("a.txt", seed_bytes, ds))


# --- merge -----------------------------------------------------------------------------------------------------

def _cut(ds):
    from dataclasses import replace

    keep_t = ~((ds.iscm_themes.iscm_id == "prague-process") & ds.iscm_themes.theme_id.isin(["integration"]))
    keep_o = ~((ds.iscm_organizations.iscm_id == "prague-process") & (ds.iscm_organizations.org_id == "osce"))
    return replace(ds, iscm_themes=ds.iscm_themes[keep_t].reset_index(drop=True),
                   iscm_organizations=ds.iscm_organizations[keep_o].reset_index(drop=True), version="cut")


def test_merge_adds_survey_rows_and_keeps_curated(ds, seed_bytes):
    cut = _cut(ds)
    result = parse_document("seed.txt", seed_bytes, cut)
    merged = merge_surveys(cut, [result])
    added_t = merged.iscm_themes[merged.iscm_themes.provenance == "survey"]
    assert list(zip(added_t.iscm_id, added_t.theme_id, added_t.level, strict=True)) == [
        ("prague-process", "integration", "focus")]
    assert added_t.iloc[0].source.startswith("Survey import: seed.txt (sha256 ")
    assert "integration" in added_t.iloc[0].evidence
    added_o = merged.iscm_organizations[merged.iscm_organizations.provenance == "survey"]
    assert set(added_o.org_id) == {"osce", "eu"} and set(added_o.role) == {"partner"}
    # each imported tie carries the survey sentence that names the organization
    assert "OSCE" in added_o.set_index("org_id").at["osce", "evidence"]
    # curated rows untouched
    curated = merged.iscm_themes[merged.iscm_themes.provenance == "curated"].reset_index(drop=True)
    assert curated.equals(cut.iscm_themes.reset_index(drop=True))
    assert merged.iscm_themes["since"].dtype == cut.iscm_themes["since"].dtype
    assert merged.version != cut.version and merged.version.startswith("cut+s")
    row = merged.iscms.set_index("iscm_id").loc["prague-process"]
    assert row.n_themes == len(merged.iscm_themes[merged.iscm_themes.iscm_id == "prague-process"])
    assert any(t.startswith("Survey import: seed.txt") for t in merged.sources_for(["prague-process"]))
    # the same facts twice are merged once
    twice = merge_surveys(cut, [result, result.to_dict()])
    assert len(twice.iscm_themes) == len(merged.iscm_themes)
    assert len(twice.iscm_organizations) == len(merged.iscm_organizations)


def test_merge_unmatched_entry_becomes_a_flagged_iscm(ds):
    result = parse_document("atlantis.txt", ATLANTIS.encode(), ds)
    merged = merge_surveys(ds, [result])
    new = merged.iscms[merged.iscms.provenance == "survey"]
    assert list(new.iscm_id) == ["survey-atlantis-dialogue-on-migration"]
    row = new.iloc[0]
    assert row.short_name == "Atlantis Dialogue on Migration" and row.status == "unknown"
    assert "confirm" in row.open_questions and row.structures == "Chair; Secretariat"
    assert row.funding == "Financial contributions of members"
    themes = merged.iscm_themes[merged.iscm_themes.iscm_id == row.iscm_id]
    assert set(themes.theme_id) == {"labour_migration", "migration_development"} and row.n_themes == 2
    links = merged.iscm_links[merged.iscm_links.source_id == row.iscm_id]
    assert list(links.target_id) == ["bali-process"] and list(links.provenance) == ["survey"]
    assert "Bali Process" in links.iloc[0].evidence  # the survey sentence that names the linked ISCM
    assert merged.iscm_name(row.iscm_id) == "Atlantis Dialogue on Migration"
    # a user who matched the entry to an existing ISCM: the facts go there instead
    d = result.to_dict()
    d["entries"][0]["iscm_id"] = "bali-process"
    confirmed = merge_surveys(ds, [d])
    assert (confirmed.iscms.provenance == "survey").sum() == 0
    assert len(confirmed.iscms) == len(ds.iscms)


def test_merge_without_imports_is_the_dataset(ds):
    assert merge_surveys(ds, []) is ds


def test_load_with_surveys(tmp_path, ds, seed_bytes):
    SurveyStore(tmp_path).save("atlantis.txt", ATLANTIS.encode(), parse_document("atlantis.txt", ATLANTIS.encode(), ds))
    merged, report = load_with_surveys(ds, tmp_path)
    assert report.problems == [] and len(report.imports) == 1
    assert "survey-atlantis-dialogue-on-migration" in set(merged.iscms.iscm_id)


# --- CLI -------------------------------------------------------------------------------------------------------

def test_cli_import_json_dry_run_writes_nothing(tmp_path, capsys, seed_text):
    seed = tmp_path / "seed.txt"
    seed.write_text(seed_text, encoding="utf-8")
    home = tmp_path / "home"
    assert main(["import", str(seed), "--json", "--dry-run", "--home", str(home)]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    e = doc["entries"][0]
    assert e["name"] == "Prague Process" and e["iscm_id"] == "prague-process"
    assert {t["id"] for t in e["themes"] if t["level"] == "focus"} >= {"asylum_protection", "integration"}
    assert all("evidence" in i and "id" in i for k in ("countries", "organizations", "iscms") for i in e[k])
    assert "dry run: nothing stored" in err
    assert not home.exists()


def test_cli_import_stores_once(tmp_path, capsys, seed_text):
    seed = tmp_path / "seed.txt"
    seed.write_text(seed_text, encoding="utf-8")
    home = tmp_path / "home"
    assert main(["import", str(seed), "--home", str(home)]) == 0
    out, _ = capsys.readouterr()
    assert "1. Prague Process -> prague-process" in out and "stored as " in out
    assert main(["import", str(seed), "--home", str(home)]) == 0
    out, _ = capsys.readouterr()
    assert "nothing changed" in out
    assert len(SurveyStore(home).list()) == 1


def test_cli_import_bad_file(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["import", str(empty), "--home", str(tmp_path / "home")]) == 1
    _, err = capsys.readouterr()
    assert err.strip() == "ERROR empty.txt: the file is empty — expected the text of a survey summary."
    assert not (tmp_path / "home").exists()
    assert main(["import", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_cli_size_limit_option(tmp_path, capsys, seed_text):
    seed = tmp_path / "seed.txt"
    seed.write_text(seed_text, encoding="utf-8")
    assert main(["import", str(seed), "--dry-run", "--max-mb", "0.001"]) == 1
    assert "seed.txt: the file is 0.00678 MB; the limit is 0.001 MB" in capsys.readouterr().err



def test_merged_version_differs_for_the_same_file_under_another_name(ds, seed_text):
    """Views are cached by Dataset.version: two imports of one file under two names must not share it."""
    from iscm.survey.extract import parse_document
    from iscm.survey.merge import merge_surveys

    data = seed_text.encode()
    a = merge_surveys(ds, [parse_document("a.txt", data, ds)])
    b = merge_surveys(ds, [parse_document("b.txt", data, ds)])
    assert a.version != b.version != ds.version
    assert merge_surveys(ds, [parse_document("a.txt", data, ds)]).version == a.version
