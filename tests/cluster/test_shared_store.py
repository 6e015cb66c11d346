"""One survey store shared by several app processes (replicas on one volume): writers in several processes
at once, readers that never see half an import, and the app's dataset cache that never brings back a state
the store has left. No proxy needed: these run the store and components.data directly, in real processes."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from iscm.survey.extract import parse_document
from iscm.survey.store import SurveyStore, import_id

pytestmark = pytest.mark.cluster

DOC = ("Name of the ISCM: {name}\n\n1. Evolution of programming and thematic focus\n"
       "Its thematic focus is labour migration and remittances. It works with IOM and the Bali Process.\n\n"
       "3. Salient ISCM structures\nA chair and a secretariat; funded by member states' contributions.\n")
_DOCS: list[tuple[str, bytes, dict]] = []  # (name, bytes, parsed result): filled before forking


def _writer(home: str, which: list[int], go) -> None:  # noqa: ANN001 - a multiprocessing.Event
    """Import the documents `which`, then remove every second one of them, as fast as it can."""
    store = SurveyStore(home)
    go.wait()
    for i in which:
        name, data, result = _DOCS[i]
        store.save(name, data, result)
    for i in which[::2]:
        assert store.remove(import_id(_DOCS[i][1]))


def _reader(home: str, go, stop, out) -> None:  # noqa: ANN001
    """Load the store in a loop while the writers work; report every problem and every import it saw."""
    store = SurveyStore(home)
    go.wait()
    problems, seen, loads = [], set(), 0
    while not stop.is_set():
        report = store.load()
        loads += 1
        problems += report.problems
        for imp in report.imports:  # read under the lock: each one whole (its files may go right after)
            seen.add(imp.import_id)
            if not imp.result.entries or imp.size != len(_DOCS[int(imp.name[9:-4])][1]):
                problems.append(f"half an import: {imp.import_id}")
    out.put((problems, sorted(seen), loads))


def test_two_writers_and_a_reader_in_three_processes(tmp_path, ds):
    """Two replicas import and remove at the same moment while a third reads: every import of either is
    kept, every removal happens, and the reader never sees (or quarantines) an import in flight."""
    _DOCS[:] = []
    for i in range(16):
        data = DOC.format(name=f"Atlantis Dialogue {i}").encode()
        _DOCS.append((f"atlantis-{i}.txt", data, parse_document(f"atlantis-{i}.txt", data, ds).to_dict()))
    ctx = multiprocessing.get_context("fork")
    go, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    writers = [ctx.Process(target=_writer, args=(str(tmp_path), list(range(k, 16, 2)), go)) for k in (0, 1)]
    reader = ctx.Process(target=_reader, args=(str(tmp_path), go, stop, out))
    for p in (*writers, reader):
        p.start()
    go.set()
    for p in writers:
        p.join(60)
    stop.set()
    problems, seen, loads = out.get(timeout=60)
    reader.join(30)
    assert [p.exitcode for p in (*writers, reader)] == [0, 0, 0]
    kept = {import_id(_DOCS[i][1]) for i in range(16) if (i // 2) % 2 == 1}  # each writer removed its 1st, 3rd...
    assert len(kept) == 8
    report = SurveyStore(tmp_path).load()
    assert report.problems == [] and {s.import_id for s in report.imports} == kept
    assert problems == [] and loads > 0
    assert set(seen) <= {import_id(d) for _, d, _ in _DOCS}
    assert not (tmp_path / "quarantine").exists()
    assert [p.name for p in (tmp_path / "imports").iterdir() if p.name.startswith(".")] == []


def test_a_removal_after_a_racing_load_does_not_bring_the_import_back(tmp_path, monkeypatch, ds):
    """Replica B takes the store's fingerprint, replica A imports, then B reads the store: what B read must
    not be cached under the fingerprint of the empty store. Otherwise, once A removes the import, the store
    is back at that fingerprint and B shows the removed import again, on every rerun, until something else
    changes."""
    from components import data

    monkeypatch.setenv("ISCM_ATLAS_HOME", str(tmp_path))
    data._merged.clear()
    doc = DOC.format(name="Atlantis Dialogue on Migration").encode()
    other_replica = SurveyStore(tmp_path)
    result = parse_document("atlantis.txt", doc, ds)
    real_load = SurveyStore.load

    def load_just_after_an_import_elsewhere(self):  # noqa: ANN001, ANN202
        if not (tmp_path / "imports" / import_id(doc)).exists():
            other_replica.save("atlantis.txt", doc, result)
        return real_load(self)

    with monkeypatch.context() as m:
        m.setattr(SurveyStore, "load", load_just_after_an_import_elsewhere)
        merged, problems = data.get_dataset()
    assert problems == []
    assert [s.import_id for s in data.stored_imports()] == [import_id(doc)]  # what is there now: shown
    added = merged.iscms[merged.iscms["provenance"] == "survey"]
    assert list(added["short_name"]) == ["Atlantis Dialogue on Migration"]

    assert other_replica.remove(import_id(doc))
    merged, _ = data.get_dataset()
    assert data.stored_imports() == []
    assert "Atlantis Dialogue on Migration" not in set(merged.iscms["short_name"])
    assert len(merged.iscms) == len(ds.iscms) and merged.version == data.curated_dataset().version
    data._merged.clear()


def test_the_fingerprint_skips_an_import_removed_during_the_scan(tmp_path, monkeypatch, ds, seed_text):
    """A removal by another process between the listing and the stat(): the import counts as gone."""
    store = SurveyStore(tmp_path)
    seed = seed_text.encode("utf-8")
    empty = store.fingerprint()
    stored, _ = store.save("prague.txt", seed, parse_document("prague.txt", seed, ds))
    real_stat = Path.stat

    def stat_after_removal(self, *a, **k):  # noqa: ANN001, ANN202
        if self.name == "result.json" and self.parent.name == stored.import_id:
            SurveyStore(tmp_path).remove(stored.import_id)
        return real_stat(self, *a, **k)

    monkeypatch.setattr(Path, "stat", stat_after_removal)
    assert store.fingerprint() == empty
    monkeypatch.undo()
    assert store.load().fingerprint == empty == store.fingerprint()
    assert os.listdir(tmp_path / "imports") == []


def test_an_unchanged_store_is_cached_from_the_first_rerun(tmp_path, monkeypatch):
    """No store folder yet, an empty one, one with an import: each time, the fingerprint taken under the
    lock is the one taken before, so the merged dataset is cached (one load, not one per rerun)."""
    from components import data

    monkeypatch.setenv("ISCM_ATLAS_HOME", str(tmp_path / "store"))
    data._merged.clear()
    loads = []
    real_load = SurveyStore.load
    monkeypatch.setattr(SurveyStore, "load", lambda self: loads.append(1) or real_load(self))
    for _ in range(3):
        data.get_dataset()
    assert not (tmp_path / "store" / "imports").exists() and len(loads) == 1
    (tmp_path / "store" / "imports").mkdir(parents=True)
    for _ in range(3):
        data.get_dataset()
    assert len(loads) == 1  # an empty folder has the fingerprint of no folder: nothing to reload
    data._merged.clear()
