"""The audit log and the trash (iscm/audit.py): every change recorded with who made it, a removal reversible
until the trash is emptied, and a crash during removal, restore or emptying never losing an import.

The crash tests follow tests/test_reliability.py: a forked child makes the change, stops at an exact step
(the store's own calls are wrapped) and is killed there with SIGKILL.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import json
import multiprocessing
import os
import re
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import iscm.audit as audit_mod
from iscm.audit import (
    LOG_COLUMNS,
    OPEN_ACTOR,
    Actor,
    Ledger,
    cli_actor,
    public_message,
    readable_log,
    summarize,
)
from iscm.export_tables import to_csv_bytes
from iscm.survey.extract import parse_document
from iscm.survey.merge import merge_surveys
from iscm.survey.store import StoreError, SurveyStore, import_id

EDITOR = Actor("erin@example.org", "Erin Editor", "oidc")


@pytest.fixture(autouse=True)
def _never_the_real_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ISCM_ATLAS_HOME", str(tmp_path / "default-store"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def _result(name: str) -> dict:
    return {"entries": [{"name": name, "iscm_id": None, "themes": [], "organizations": [], "iscms": []}],
            "source": {"name": name, "kind": "txt"}}


def _survey_facts(ds) -> dict[str, list[tuple]]:  # noqa: ANN001
    """Every row a survey import adds to the dataset, per table (what a reader sees of an import)."""
    out = {}
    for name in ("iscms", "iscm_themes", "iscm_organizations", "iscm_links"):
        df = getattr(ds, name)
        rows = df[df["provenance"] == "survey"] if "provenance" in df.columns else df.iloc[0:0]
        out[name] = sorted(tuple(str(v) for v in r) for r in rows.itertuples(index=False))
    out["sources"] = sorted(t for t in ds.sources["title"] if t.startswith("Survey import:"))
    return out


@pytest.fixture
def seeded(tmp_path, ds, seed_text):
    """A store holding the seed survey (Prague Process), imported by an editor: (ledger, stored, bytes)."""
    data = seed_text.encode()
    ledger = Ledger(SurveyStore(tmp_path / "store"))
    stored, created = ledger.import_file("prague-summary.txt", data, parse_document("prague-summary.txt", data, ds),
                                         EDITOR)
    assert created
    return ledger, stored, data


# --- the log ---------------------------------------------------------------------------------------------------

def test_import_remove_restore_and_empty_are_each_logged_with_who_and_what(seeded, ds):
    ledger, stored, data = seeded
    again, created = ledger.import_file("copy.txt", data, parse_document("copy.txt", data, ds), OPEN_ACTOR)
    assert not created and again.import_id == stored.import_id  # the same bytes again: nothing new, nothing logged
    trashed = ledger.remove(stored.import_id, EDITOR)
    restored, why = ledger.restore(trashed.entry, Actor("ola@example.org", "", "oidc"))
    assert why == "" and restored.import_id == stored.import_id
    ledger.remove(stored.import_id, OPEN_ACTOR)
    assert ledger.empty_trash(EDITOR) == 1

    events, bad = ledger.events()
    assert bad == 0
    assert [(e.action, e.user, e.via) for e in events] == [
        ("import", "erin@example.org", "oidc"), ("remove", "erin@example.org", "oidc"),
        ("restore", "ola@example.org", "oidc"), ("remove", "local user", "open"),
        ("empty trash", "erin@example.org", "oidc")]
    sha = hashlib.sha256(data).hexdigest()
    assert {(e.file, e.sha256, e.import_id) for e in events} == {("prague-summary.txt", sha, sha[:16])}
    assert events[0].user_name == "Erin Editor"
    # what it added: the entry, its ISCM and counts from the result, and the new facts it brings
    entry = stored.result.entries[0]
    new = sum(1 for d in stored.result.differences if d.change == "new")
    assert new > 0
    assert events[0].changes == (f"Prague Process (prague-process): {len(entry.themes)} themes, "
                                 f"{len(entry.organizations)} organizations, {len(entry.iscms)} linked ISCMs, "
                                 f"5 sections; {new} new fact(s) for the dataset")
    assert events[1].changes == events[0].changes and events[-1].changes == "deleted for good: " + events[0].changes
    times = [e.time for e in events]
    assert times == sorted(times) and all(t.endswith("+00:00") for t in times)


def test_log_as_a_table_and_csv(seeded):
    ledger, stored, _ = seeded
    ledger.remove(stored.import_id, EDITOR)
    frame = ledger.events_frame()
    assert list(frame.columns) == LOG_COLUMNS
    assert list(frame["action"]) == ["remove", "import"]  # newest first
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)))
    assert list(back["user"]) == ["erin@example.org"] * 2 and list(back["file"]) == ["prague-summary.txt"] * 2
    assert list(back["sha256"]) == [stored.sha256] * 2


def test_log_as_people_read_it(seeded):
    """The page's table: labelled columns, the time as "2 Dec 2026, 14:05 UTC", actions and sign-in kinds in
    words; readers' tables (without who) keep the same labels for what is left."""
    ledger, stored, _ = seeded
    ledger.remove(stored.import_id, EDITOR)
    raw = ledger.events_frame()
    shown = readable_log(raw)
    assert list(shown.columns) == ["When", "Change", "File", "Who", "Name", "Signed in with",
                                   "What changed", "File SHA-256", "Import id"]
    assert list(shown["Change"]) == ["Removed (to the trash)", "Imported"]
    assert set(shown["Signed in with"]) == {"organisation sign-in"}
    when = dt.datetime.fromisoformat(raw["time"].iloc[0]).astimezone(dt.UTC)
    assert shown["When"].iloc[0] == f"{when.day} {when:%b %Y, %H:%M} UTC"
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC", shown["When"].iloc[1])
    assert list(shown["What changed"]) == list(raw["changes"]) and list(shown["File"]) == list(raw["file"])
    readers = readable_log(raw.drop(columns=["user", "user_name"]))
    assert list(readers.columns) == ["When", "Change", "File", "Signed in with", "What changed", "File SHA-256",
                                     "Import id"]


def test_a_torn_log_line_is_skipped_and_the_next_line_starts_afresh(tmp_path):
    ledger = Ledger(SurveyStore(tmp_path / "store"))
    ledger.import_file("a.txt", b"first\n", _result("A"), EDITOR)
    with open(ledger.log_path, "ab") as fh:  # a crash in the middle of a line
        fh.write(b'{"time": "2026-01-01T00:00:00+00:00", "action": "rem')
    ledger.import_file("b.txt", b"second\n", _result("B"), EDITOR)
    events, bad = ledger.events()
    assert [e.file for e in events] == ["a.txt", "b.txt"] and bad == 1


def test_concurrent_changes_each_get_one_whole_line(tmp_path):
    home = tmp_path / "store"
    docs = [f"survey {i}\n".encode() * 100 for i in range(8)]
    barrier = threading.Barrier(8)
    errors = []

    def session(k: int) -> None:
        try:
            barrier.wait(10)
            Ledger(SurveyStore(home)).import_file(f"d{k}.txt", docs[k], _result(f"D{k}"), Actor(f"u{k}@x.org"))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=session, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    events, bad = Ledger(SurveyStore(home)).events()
    assert bad == 0 and sorted(e.user for e in events) == sorted(f"u{k}@x.org" for k in range(8))
    assert len(ledger_lines := (home / "audit.jsonl").read_bytes().splitlines()) == 8
    assert all(json.loads(line)["action"] == "import" for line in ledger_lines)


def test_cli_import_is_logged_as_the_account_on_this_computer(tmp_path, seed_text):
    from iscm.cli import main

    f = tmp_path / "prague.txt"
    f.write_text(seed_text, encoding="utf-8")
    assert main(["import", str(f), "--home", str(tmp_path / "store")]) == 0
    (event,), _ = Ledger(SurveyStore(tmp_path / "store")).events()
    assert (event.action, event.via, event.user, event.file) == ("import", "cli", cli_actor().user, "prague.txt")
    assert "@" in event.user


def test_summarize_without_differences_and_unmatched_entries():
    res = {"entries": [{"name": "Atlantis", "iscm_id": None, "themes": [{"id": "a"}], "organizations": [],
                        "iscms": [], "sections": []}]}
    assert summarize(res) == "Atlantis (new ISCM): 1 themes, 0 organizations, 0 linked ISCMs, 0 sections"
    assert summarize({"entries": []}) == "no entries"


def test_public_message_hides_the_store_path(tmp_path):
    home = tmp_path / "srv" / "store"
    msg = f"cannot write the import to {home / 'imports'}: No space left on device — check free space."
    assert public_message(msg, home) == "cannot write the import to the survey store: No space left on device — " \
                                        "check free space."
    assert str(tmp_path) not in public_message(msg, home)


@pytest.mark.parametrize(("message", "shown"), [
    ("cannot use the survey store at {h}: Not a directory — check that the folder is writable or set "
     "ISCM_ATLAS_HOME to another folder.",
     "cannot use the survey store: Not a directory — check that the folder is writable or set ISCM_ATLAS_HOME "
     "to another folder."),
    ("the change was made but could not be written to the audit log {h}/audit.jsonl: No space left on device.",
     "the change was made but could not be written to the audit log: No space left on device."),
    ("cannot move the import to the trash in {h}/trash: Permission denied — check that the folder is writable.",
     "cannot move the import to the trash: Permission denied — check that the folder is writable."),
    ("stored import 0123456789abcdef could not be read (result.json is damaged: [Errno 13] Permission denied: "
     "'{h}/imports/0123456789abcdef/result.json'); it was moved to {h}/quarantine/0123456789abcdef-2026. Import "
     "the original file again.",
     "stored import 0123456789abcdef could not be read (result.json is damaged: [Errno 13] Permission denied: "
     "the survey store); it was moved to the survey store's quarantine. Import the original file again."),
])
def test_public_message_names_places_in_the_store_not_their_paths(tmp_path, message, shown):
    """Every store message a page can show names the place (the survey store, the trash, the audit log),
    never a path: neither the server's folder nor one relative to the setting."""
    home = tmp_path / "srv" / "store"
    out = public_message(message.format(h=home), home)
    assert out == shown
    assert str(home) not in out and "$ISCM_ATLAS_HOME" not in out and "/imports" not in out


# --- the trash ---------------------------------------------------------------------------------------------------

def test_a_removed_import_is_restored_intact(seeded, ds):
    """Same bytes, same hash, same parsed result, and the same facts in the dataset as before the removal."""
    ledger, stored, data = seeded
    before_facts = _survey_facts(merge_surveys(ds, ledger.store.load().imports))
    assert sum(map(len, before_facts.values())) > 0 and before_facts["sources"]  # the import really adds facts
    result_before = json.loads((stored.folder / "result.json").read_bytes())

    trashed = ledger.remove(stored.import_id, EDITOR)
    assert trashed.removed_by == "erin@example.org" and trashed.stored.name == "prague-summary.txt"
    assert ledger.store.list() == []
    gone = _survey_facts(merge_surveys(ds, ledger.store.load().imports))
    assert all(v == [] for v in gone.values())
    assert [t.import_id for t in ledger.trash()] == [stored.import_id]

    restored, why = ledger.restore(trashed.entry, EDITOR)
    assert why == ""
    assert restored.sha256 == stored.sha256 == hashlib.sha256(data).hexdigest()
    assert restored.original.read_bytes() == data
    assert json.loads((restored.folder / "result.json").read_bytes()) == result_before
    assert restored.imported_at == stored.imported_at
    assert _survey_facts(merge_surveys(ds, ledger.store.load().imports)) == before_facts
    assert ledger.trash() == [] and list(ledger.trash_dir.iterdir()) == []


def test_restore_refuses_when_the_file_was_imported_again_and_keeps_the_trash_copy(seeded, ds):
    ledger, stored, data = seeded
    trashed = ledger.remove(stored.import_id, EDITOR)
    ledger.import_file("again.txt", data, parse_document("again.txt", data, ds), EDITOR)
    restored, why = ledger.restore(trashed.entry, EDITOR)
    assert restored is None and "imported again already" in why
    assert [t.entry for t in ledger.trash()] == [trashed.entry]
    assert [s.name for s in ledger.store.list()] == ["again.txt"]


def test_nothing_is_deleted_until_the_trash_is_emptied(tmp_path):
    ledger = Ledger(SurveyStore(tmp_path / "store"))
    docs = {f"d{i}.txt": f"document {i}\n".encode() for i in range(3)}
    for name, data in docs.items():
        ledger.import_file(name, data, _result(name), EDITOR)
    for data in docs.values():
        ledger.remove(import_id(data), EDITOR)
    assert ledger.store.list() == []
    trash = ledger.trash()
    assert sorted(t.stored.original.read_bytes() for t in trash) == sorted(docs.values())
    assert ledger.empty_trash(EDITOR) == 3
    assert ledger.trash() == [] and list(ledger.trash_dir.iterdir()) == []
    assert ledger.empty_trash(EDITOR) == 0


def test_unknown_or_malformed_ids_change_nothing(seeded):
    ledger, stored, _ = seeded
    assert ledger.remove("../../etc", EDITOR) is None and ledger.remove("0" * 16, EDITOR) is None
    assert ledger.restore("../imports", EDITOR) == (None, "there is no such removed import.")
    assert [s.import_id for s in ledger.store.list()] == [stored.import_id]
    assert len(ledger.events()[0]) == 1


def test_remove_on_a_read_only_store_keeps_the_import(seeded, monkeypatch):
    ledger, stored, data = seeded
    real = os.replace

    def read_only(src, dst):  # noqa: ANN001, ANN202
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "replace", read_only)
    with pytest.raises(StoreError, match="the import is unchanged"):
        ledger.remove(stored.import_id, EDITOR)
    monkeypatch.setattr(os, "replace", real)
    assert [s.original.read_bytes() for s in ledger.store.list()] == [data]
    assert ledger.trash() == [] and [e.action for e in ledger.events()[0]] == ["import"]


# --- a change killed mid-way (kill -9) ----------------------------------------------------------------------------

def _changer(home: str, op: str, phase: str, arg: str, conn) -> None:  # noqa: ANN001
    """Child process: remove / restore / empty the trash, stopping at `phase` to be killed there."""
    real_write, real_replace, real_append = audit_mod._write_synced, os.replace, Ledger._append

    def reached(tag: str) -> None:
        if tag == phase:
            conn.send(tag)
            time.sleep(60)  # the parent kills us here

    def write(path, payload):  # noqa: ANN001, ANN202
        real_write(path, payload)
        reached("removal record written")

    def replace(src, dst):  # noqa: ANN001, ANN202
        reached("before rename")
        real_replace(src, dst)
        reached("after rename")

    def append(self, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        reached("before log line")
        real_append(self, *a, **k)

    audit_mod._write_synced = write
    os.replace = replace
    Ledger._append = append
    ledger = Ledger(SurveyStore(home))
    if op == "remove":
        ledger.remove(arg, EDITOR)
    elif op == "restore":
        ledger.restore(arg, EDITOR)
    else:
        ledger.empty_trash(EDITOR)
    conn.send("done")


def _run_and_kill(home: Path, op: str, phase: str, arg: str) -> None:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_changer, args=(str(home), op, phase, arg, child))
    proc.start()
    try:
        assert parent.poll(60), f"the child never reached {phase!r}"
        assert parent.recv() == phase
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL


def _where(home: Path, data: bytes) -> list[str]:
    """Where the import is after the crash, checked whole: 'imports' and/or 'trash' (each a complete copy)."""
    with open(home / ".lock", "a+b") as fh:  # a killed changer must not leave the store locked
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    ledger = Ledger(SurveyStore(home))
    report = ledger.store.load()
    assert report.problems == []
    places = []
    for s in report.imports:
        assert s.original.read_bytes() == data and s.sha256 == hashlib.sha256(data).hexdigest()
        places.append("imports")
    for t in ledger.trash():
        assert t.stored.original.read_bytes() == data and t.stored.sha256 == hashlib.sha256(data).hexdigest()
        places.append("trash")
    leftovers = [p.name for p in ledger.trash_dir.iterdir() if not p.name[0].isdigit()] \
        if ledger.trash_dir.exists() else []
    assert leftovers == []
    return places


@pytest.fixture
def one_import(tmp_path):
    home = tmp_path / "store"
    data = b"a survey that must never be lost\n" * 20_000
    Ledger(SurveyStore(home)).import_file("keep.txt", data, _result("Keep"), EDITOR)
    return home, data


@pytest.mark.parametrize("phase,place", [
    ("removal record written", "imports"),
    ("before rename", "imports"),
    ("after rename", "trash"),
    ("before log line", "trash"),
])
def test_killed_during_removal_the_import_is_present_or_in_the_trash(one_import, phase, place):
    home, data = one_import
    _run_and_kill(home, "remove", phase, import_id(data))
    assert _where(home, data) == [place]
    ledger = Ledger(SurveyStore(home))
    if place == "trash":  # and it comes back whole
        restored, why = ledger.restore(ledger.trash()[0].entry, EDITOR)
        assert why == "" and restored.original.read_bytes() == data
    else:  # the removal can simply be made again
        assert ledger.remove(import_id(data), EDITOR) is not None
        assert _where(home, data) == ["trash"]


@pytest.mark.parametrize("phase,place", [("before rename", "trash"), ("after rename", "imports"),
                                         ("before log line", "imports")])
def test_killed_during_restore_the_import_is_in_the_trash_or_present(one_import, phase, place):
    home, data = one_import
    entry = Ledger(SurveyStore(home)).remove(import_id(data), EDITOR).entry
    _run_and_kill(home, "restore", phase, entry)
    assert _where(home, data) == [place]
    assert len(Ledger(SurveyStore(home)).store.list()) == (place == "imports")


def test_killed_while_emptying_the_trash_only_what_was_being_deleted_goes(one_import):
    home, data = one_import
    Ledger(SurveyStore(home)).remove(import_id(data), EDITOR)
    _run_and_kill(home, "empty", "before rename", "")
    assert _where(home, data) == ["trash"]  # not deleted yet: still whole in the trash
    _run_and_kill(home, "empty", "after rename", "")
    assert _where(home, data) == []  # deletion had begun, as the editor asked: gone, no half-deleted leftovers
