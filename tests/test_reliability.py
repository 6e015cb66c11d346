"""Faults: the survey store and the app under a killed writer, concurrent sessions, a read-only or full disk and
damaged stored results; the data directory is only ever read.

Covered elsewhere and not repeated here (tests/test_store.py): imports from several processes at once
(`test_concurrent_imports`), one damaged result.json quarantined while the rest loads
(`test_corrupt_result_is_quarantined_and_the_rest_loads`), a missing original and stale temporary folders
(`test_missing_original_and_stale_temp_folders`), a store folder under a file (`test_unwritable_home_gives_a_
store_error`). tests/test_app.py and tests/test_cli.py cover the broken data directory (error page, no
traceback; `python -m iscm validate` exits 1 with the list).

Tests run as root in CI, and root ignores chmod, so a read-only or full disk is made with errors the kernel
would give (EROFS, ENOSPC) raised at the store's own write calls, and a real ENOTDIR (a store under a file).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

import iscm.survey.store as store_mod
from iscm.survey.extract import parse_document
from iscm.survey.store import StoreError, SurveyStore, import_id
from tests.conftest import N_ISCMS, shown

ROOT = Path(__file__).resolve().parents[1]

ATLANTIS = ("Name of the ISCM: Atlantis Dialogue on Migration\n\n1. Evolution of programming and thematic focus\n"
            "Its thematic focus is labour migration and remittances. It works with IOM and the Bali Process.\n\n"
            "3. Salient ISCM structures\nA chair and a secretariat; funded by member states' contributions.\n")


@pytest.fixture(autouse=True)
def _never_the_real_store(tmp_path, monkeypatch):
    """Whatever a test does, the user's own store (~/.local/share/iscm-atlas) is never touched."""
    monkeypatch.setenv("ISCM_ATLAS_HOME", str(tmp_path / "default-store"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def _result(name: str) -> dict:
    """A minimal confirmed result: the store needs entries with names; parsing is not under test here."""
    return {"entries": [{"name": name, "iscm_id": None, "themes": [], "organizations": [], "iscms": []}],
            "source": {"name": name, "kind": "txt"}}


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under root (but the lock) with its bytes: what a user would lose or find changed."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def _lock_is_free(home: Path) -> bool:
    with open(home / ".lock", "a+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return True


def _assert_intact(home: Path, expected: dict[str, bytes]) -> list[str]:
    """The store loads without problems, holds no temporary folder, and each expected import is byte-for-byte
    what was saved (expected: import id -> original bytes). Returns the ids loaded."""
    assert _lock_is_free(home), "a killed writer left the store locked"
    report = SurveyStore(home).load()
    assert report.problems == []
    assert not [p.name for p in (home / "imports").iterdir() if p.name.startswith(".")], "temporary folder left"
    loaded = {s.import_id: s for s in report.imports}
    for iid, data in expected.items():
        assert iid in loaded, f"import {iid} lost"
        assert loaded[iid].original.read_bytes() == data
        assert loaded[iid].result.source.sha256 == hashlib.sha256(data).hexdigest()
    for s in report.imports:  # anything else visible is complete: its original matches its checksum
        assert hashlib.sha256(s.original.read_bytes()).hexdigest() == s.sha256
    return sorted(loaded)


# --- a writer killed mid-write (kill -9) ------------------------------------------------------------------------

def _writer(home: str, op: str, phase: str, name: str, data: bytes, conn) -> None:  # noqa: ANN001
    """Child process: save or remove an import, stopping at `phase` to be killed there.

    The store's own calls are wrapped, so the child stops between the exact steps of a write: after the
    original is written to the temporary folder, after result.json, before and after the rename into place.
    """
    real_write, real_replace = store_mod._write_synced, os.replace
    writes = []

    def reached(tag: str) -> None:
        if tag == phase:
            conn.send(tag)
            time.sleep(60)  # the parent kills us here

    def write(path, payload):  # noqa: ANN001, ANN202
        real_write(path, payload)
        writes.append(path)
        reached("original written" if len(writes) == 1 else "result written")

    def replace(src, dst):  # noqa: ANN001, ANN202
        reached("before rename")
        real_replace(src, dst)
        reached("after rename")

    store_mod._write_synced = write
    os.replace = replace
    store = SurveyStore(home)
    if op == "save":
        conn.send("start")
        store.save(name, data, _result(name))
    else:
        store.remove(import_id(data))
    conn.send("done")


def _run_and_kill(home: Path, op: str, phase: str, data: bytes, *, delay: float | None = None) -> str:
    """Run _writer in a forked child and SIGKILL it at `phase` (or `delay` s after it starts). Returns the
    last message the child sent."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_writer, args=(str(home), op, phase, "big survey.txt", data, child))
    proc.start()
    last = ""
    try:
        if delay is None:
            while last != phase:
                assert parent.poll(60), f"the child never reached {phase!r} (last: {last!r})"
                last = parent.recv()
                assert last != "done", f"the child finished without reaching {phase!r}"
        else:
            assert parent.poll(60) and parent.recv() == "start"
            time.sleep(delay)
            while parent.poll(0):
                last = parent.recv()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.join(30)
        if proc.is_alive():  # pragma: no cover - only if SIGKILL failed
            proc.kill()
            proc.join()
    assert proc.exitcode in (-signal.SIGKILL, 0)
    return last


@pytest.fixture
def store_with_one_import(tmp_path):
    """A store holding one earlier import: it must survive whatever happens to a later write."""
    home = tmp_path / "store"
    earlier = b"an earlier import\n" * 1000
    SurveyStore(home).save("earlier.txt", earlier, _result("Earlier"))
    return home, {import_id(earlier): earlier}


@pytest.mark.parametrize("phase,visible", [
    ("original written", False),
    ("result written", False),
    ("before rename", False),
    ("after rename", True),
])
def test_writer_killed_mid_save_leaves_no_partial_import(store_with_one_import, phase, visible):
    home, expected = store_with_one_import
    data = os.urandom(8 * 2**20)  # a large import: 8 MB
    _run_and_kill(home, "save", phase, data)
    if phase != "after rename":  # the temporary folder a crash leaves behind is really there before recovery
        assert [p.name for p in (home / "imports").iterdir() if p.name.startswith(".tmp-")]
    if visible:
        expected = {**expected, import_id(data): data}  # renamed into place: complete, so it is kept
    loaded = _assert_intact(home, expected)
    assert (import_id(data) in loaded) is visible
    # the file can be imported (again) as if nothing had happened
    stored, created = SurveyStore(home).save("big survey.txt", data, _result("Big"))
    assert created is not visible and stored.original.read_bytes() == data


def test_writer_killed_mid_remove_leaves_the_import_gone_or_whole(store_with_one_import):
    home, expected = store_with_one_import
    (iid, data), = expected.items()
    _run_and_kill(home, "remove", "after rename", data)
    assert _assert_intact(home, {}) == []  # removal had started: the import is gone, not half there
    assert not any(p.name.startswith(".tmp-del-") for p in (home / "imports").iterdir())
    _, created = SurveyStore(home).save("earlier.txt", data, _result("Earlier"))
    assert created


def test_writer_killed_at_random_moments(store_with_one_import):
    """No hooks: the real save, killed at random points of an 8 MB write. After each kill the store loads
    without problems; the import is either absent or complete."""
    home, expected = store_with_one_import
    rnd = random.Random(10)
    outcomes = []
    for i in range(6):
        data = os.urandom(8 * 2**20) + bytes([i])
        _run_and_kill(home, "save", "never", data, delay=rnd.uniform(0.0, 0.25))
        loaded = _assert_intact(home, expected)
        if import_id(data) in loaded:
            expected[import_id(data)] = data
        outcomes.append(import_id(data) in loaded)
    assert len(SurveyStore(home).list()) == 1 + sum(outcomes)


# --- concurrent sessions ------------------------------------------------------------------------------------------

def test_sessions_importing_at_once_in_one_server(tmp_path, ds):
    """The server runs every session in a thread of one process (test_store covers separate processes):
    eight sessions, four documents, all confirmed at the same moment. Each document is stored exactly once,
    completely, and the other sessions are told it is already there."""
    home = tmp_path / "store"
    docs = [ATLANTIS.replace("Atlantis", f"Atlantis {i}").encode() for i in range(4)]
    results = {d: parse_document("a.txt", d, ds) for d in docs}
    barrier = threading.Barrier(8)
    outcomes: list[tuple[str, bool]] = []
    errors: list[BaseException] = []

    def session(k: int) -> None:
        d = docs[k % 4]
        try:
            barrier.wait(10)
            stored, created = SurveyStore(home).save(f"doc{k}.txt", d, results[d])
            outcomes.append((stored.import_id, created))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=session, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(iid for iid, created in outcomes if created) == sorted(import_id(d) for d in docs)
    assert len(outcomes) == 8
    _assert_intact(home, {import_id(d): d for d in docs})


# --- read-only and full disks ---------------------------------------------------------------------------------------

def _enospc_after_half(path, data):  # noqa: ANN001, ANN202
    """A write that runs out of space half-way: half the bytes land on disk, then ENOSPC."""
    with open(path, "wb") as fh:
        fh.write(data[: len(data) // 2])
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_full_disk_during_save(store_with_one_import):
    home, expected = store_with_one_import
    before = _tree(home)
    data = b"a new survey\n" * 5000
    with pytest.MonkeyPatch.context() as mp, pytest.raises(StoreError) as info:
        mp.setattr(store_mod, "_write_synced", _enospc_after_half)
        SurveyStore(home).save("new.txt", data, _result("New"))
    assert str(info.value) == (f"cannot write the import to {home / 'imports'}: No space left on device — check "
                               "free space and permissions.")
    assert _tree(home) == before  # the half-written temporary folder is gone, nothing else changed
    _assert_intact(home, expected)


def _read_only_replace(home) -> object:  # noqa: ANN001
    """os.replace as on a read-only file system for paths under `home` (root ignores chmod)."""
    real = os.replace

    def replace(src, dst):  # noqa: ANN001, ANN202
        if str(src).startswith(str(home)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real(src, dst)

    return replace


def test_read_only_store_refuses_writes_and_keeps_everything(store_with_one_import):
    """EROFS at the rename into place (the last step): a clear error, and the store exactly as it was."""
    home, expected = store_with_one_import
    before = _tree(home)
    read_only_replace = _read_only_replace(home)

    with pytest.MonkeyPatch.context() as mp, pytest.raises(
            StoreError, match=r"cannot write the import to .*: Read-only file system — check free space and "
                              r"permissions\."):
        mp.setattr(os, "replace", read_only_replace)
        SurveyStore(home).save("new.txt", b"new survey", _result("New"))
    assert _tree(home) == before  # nothing is lost
    _assert_intact(home, expected)


def test_store_that_cannot_be_opened_for_writing_gives_a_clear_error(store_with_one_import):
    """A store on a read-only mount: even the lock file cannot be opened for writing."""
    home, expected = store_with_one_import
    before = _tree(home)

    def read_only_open(path, mode="r", *args, **kwargs):  # noqa: ANN001, ANN202
        if any(c in mode for c in "wa+x"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return open(path, mode, *args, **kwargs)

    for call in (lambda s: s.load(), lambda s: s.save("n.txt", b"n", _result("N"))):
        with pytest.MonkeyPatch.context() as mp, pytest.raises(StoreError) as info:
            mp.setattr(store_mod, "open", read_only_open, raising=False)
            call(SurveyStore(home))
        assert str(info.value) == (f"cannot use the survey store at {home}: Read-only file system — check that "
                                   "the folder is writable or set ISCM_ATLAS_HOME to another folder.")
    assert _tree(home) == before
    _assert_intact(home, expected)


# --- damaged stored results -------------------------------------------------------------------------------------------

CORRUPTIONS = {
    "empty file": (lambda f: (f / "result.json").write_bytes(b""), "result.json is damaged"),
    "not UTF-8": (lambda f: (f / "result.json").write_bytes(b"\xff\xfe{\x00\x81"), "result.json is damaged"),
    "a JSON list": (lambda f: (f / "result.json").write_text("[1, 2]"), "does not hold an import result"),
    "entries not a list": (lambda f: _edit(f, lambda m: m["result"].update(entries={"a": 1})),
                           "does not match its folder or has no entries"),
    "entry without a name": (lambda f: _edit(f, lambda m: m["result"]["entries"].append({"x": 1})),
                             "has malformed entries"),
    "checksum of another file": (lambda f: _edit(f, lambda m: m.update(sha256="0" * 64)),
                                 "does not match its folder"),
    "result.json is a folder": (lambda f: ((f / "result.json").unlink(), (f / "result.json").mkdir()),
                                "result.json is damaged"),
}


def _edit(folder: Path, change) -> None:  # noqa: ANN001
    meta = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    change(meta)
    (folder / "result.json").write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_damaged_result_is_quarantined_and_the_rest_loads(store_with_one_import, kind):
    home, expected = store_with_one_import
    data = b"the import that gets damaged\n"
    bad, _ = SurveyStore(home).save("bad.txt", data, _result("Bad"))
    damage, reason = CORRUPTIONS[kind]
    damage(bad.folder)
    report = SurveyStore(home).load()
    assert [s.import_id for s in report.imports] == list(expected)
    (msg,) = report.problems
    assert msg.startswith(f"stored import {bad.import_id} could not be read (") and reason in msg
    assert msg.endswith("— import the original file again to restore it.")
    (q,) = (home / "quarantine").iterdir()
    assert q.name.startswith(bad.import_id) and (q / "original.txt").read_bytes() == data  # the original kept
    _assert_intact(home, expected)


# --- through the app ---------------------------------------------------------------------------------------------------

def _data_page(app_test):
    """The Data page open on the ISCMs table's grid."""
    at = app_test().run()
    at.switch_page("pages/data.py")
    at.query_params["section"] = "iscms"  # set after the switch, which resets the query string
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _as_read(markdown: str) -> str:
    """A message as the user reads it: the app escapes paths and names for Markdown (`\\_` shows `_`)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _home() -> Path:
    return Path(os.environ["ISCM_ATLAS_HOME"])


def _store_with_atlantis(ds):  # noqa: ANN001, ANN202
    """The app's survey store (see _home) holding one good import, the Atlantis summary: (home, stored)."""
    home = _home()
    good = ATLANTIS.encode()
    stored, _ = SurveyStore(home).save("atlantis.txt", good, parse_document("atlantis.txt", good, ds))
    return home, stored


def test_app_shows_a_damaged_import_and_the_other_imports_facts(app_test, ds):
    app = app_test  # sets ISCM_ATLAS_HOME to an empty folder
    home, _stored = _store_with_atlantis(ds)
    other = ATLANTIS.replace("Atlantis", "Lemuria").encode()
    bad, _ = SurveyStore(home).save("lemuria.txt", other, parse_document("lemuria.txt", other, ds))
    (bad.folder / "result.json").write_text('{"name": "lemuria.txt", "resu', encoding="utf-8")

    at = app().run()  # the first page shown after the damage says so
    assert not at.exception
    warnings = [_as_read(w.value) for w in at.warning]
    assert any(w.startswith(f"stored import {bad.import_id} could not be read (result.json is damaged")
               and "import the original file again to restore it" in w for w in warnings), warnings
    at.switch_page("pages/data.py")
    at.query_params["section"] = "iscms"  # the grid of the ISCMs table (set after the switch, which resets it)
    at.run()
    assert not at.exception
    iscms = next(d.value for d in at.dataframe if "iscm_id" in d.value.columns and "short_name" in d.value.columns)
    assert "survey-atlantis-dialogue-on-migration" in set(iscms["iscm_id"])  # the good import's facts
    assert "survey-lemuria-dialogue-on-migration" not in set(iscms["iscm_id"])
    assert len(iscms) == len(ds.iscms) + 1
    (q,) = (home / "quarantine").iterdir()
    assert (q / "original.txt").read_bytes() == other


def test_app_full_disk_on_confirm(app_test, ds):
    app = app_test
    home, _stored = _store_with_atlantis(ds)
    before = _tree(home)
    at = _data_page(app)
    other = ATLANTIS.replace("Atlantis", "Lemuria").encode()
    at.file_uploader(key="survey_upload").upload("lemuria.txt", other, "text/plain").run()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_mod, "_write_synced", _enospc_after_half)
        at.button(key="import_confirm").click().run()
    assert not at.exception
    errors = [_as_read(e.value) for e in at.error]
    # what went wrong and the fix, without the server's own path (the log has it)
    assert errors == ["cannot write the import to the survey store: No space left on device — check free space "
                      "and permissions."]
    assert _tree(home) == before
    assert "import_confirm" in [b.key for b in at.button]  # the user can try again once space is freed
    at.button(key="import_confirm").click().run()
    assert any(_as_read(s.value).startswith("Imported: 1 ISCM, ") and "from lemuria.txt" in _as_read(s.value)
               for s in at.success)
    assert len(SurveyStore(home).list()) == 2


def test_app_with_an_unusable_store_still_shows_the_data(app_test, seed_text, monkeypatch, tmp_path):
    """ISCM_ATLAS_HOME below a file (ENOTDIR, real): every page works on the curated data, and confirming an
    import says what is wrong and how to fix it."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = app_test
    monkeypatch.setenv("ISCM_ATLAS_HOME", str(blocker / "store"))
    at = _data_page(app)
    assert len(at.dataframe[0].value) == N_ISCMS
    at.file_uploader(key="survey_upload").upload("prague.txt", seed_text.encode(), "text/plain").run()
    at.button(key="import_confirm").click().run()
    assert not at.exception
    (err,) = at.error
    assert _as_read(err.value) == ("cannot use the survey store: Not a directory — check that the folder is "
                                   "writable or set ISCM_ATLAS_HOME to another folder.")
    assert str(tmp_path) not in str([e.value for e in at.error] + [w.value for w in at.warning])
    assert blocker.read_text() == "not a folder"


def test_app_with_a_read_only_store_says_why_imports_are_missing(app_test, ds):
    app = app_test
    home, _stored = _store_with_atlantis(ds)
    before = _tree(home)
    real_open = open

    def read_only_open(path, mode="r", *args, **kwargs):  # noqa: ANN001, ANN202
        if any(c in mode for c in "wa+x"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, mode, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_mod, "open", read_only_open, raising=False)
        at = _data_page(app)
    warnings = [_as_read(w.value) for w in at.warning]
    assert ("Imported surveys are not shown: cannot use the survey store: Read-only file system — check that the "
            "folder is writable or set ISCM_ATLAS_HOME to another folder.") in warnings
    assert not any(str(home) in w for w in warnings)
    assert len(at.dataframe[0].value) == N_ISCMS  # the curated data is shown
    assert _tree(home) == before


# --- the data directory is only read ----------------------------------------------------------------------------------

def test_data_directory_is_never_written_and_an_unwritable_cache_costs_nothing(tmp_path, monkeypatch):
    """The data directory is the maintainers' (trusted, possibly a read-only mount): loading and validating
    never write to it. The parsed-YAML cache is best effort: under a file (ENOTDIR) the data still loads."""
    from iscm.cli import main
    from iscm.dataset import load

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = {str(p.relative_to(data)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(data.rglob("*"))
              if p.is_file()}
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    ds = load(data)
    assert len(ds.iscms) == N_ISCMS
    assert main(["validate", "--data", str(data)]) == 0
    after = {str(p.relative_to(data)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(data.rglob("*"))
             if p.is_file()}
    assert after == before
    assert blocker.read_text() == "x"


def test_app_remove_on_a_read_only_store_gives_a_message_not_a_traceback(app_test, ds):
    app = app_test
    home, stored = _store_with_atlantis(ds)
    before = _tree(home)
    at = _data_page(app)
    read_only_replace = _read_only_replace(home)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", read_only_replace)
        at.button(key=f"rm_{stored.import_id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Read-only file system" in shown(e.value) for e in at.error)
    assert _tree(home) == before


# --- the load test tool ---------------------------------------------------------------------------------------------

def _loadtest_module():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("loadtest", ROOT / "tools" / "loadtest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["loadtest"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_loadtest_accepts_only_loopback_and_bounded_runs(capsys):
    lt = _loadtest_module()
    assert lt.parse_args(["--url", "http://127.0.0.1:8501/"]).url == "http://127.0.0.1:8501"
    assert lt.parse_args(["--url", "http://[::1]:8501"]).levels == [1, 10, 50]
    for bad in (["--url", "http://example.org:8501"], ["--url", "http://10.0.0.5:8501"], ["--sessions", "0"],
                ["--sessions", "1000"], ["--duration", "600", "--sessions", "1,10,50"]):
        with pytest.raises(SystemExit):
            lt.parse_args(bad)
    assert "loopback" in capsys.readouterr().err
    assert lt.pct([3.0, 1.0, 2.0, 4.0], 50) == 2.5 and lt.pct([1.0] * 19 + [21.0], 95) == pytest.approx(2.0)


def test_loadtest_drives_real_sessions(tmp_path):
    """A short real run: the tool starts a server, two sessions change filters and switch pages over the
    websocket protocol, every rerun finishes without an error, and the server is gone afterwards."""
    import subprocess
    import sys

    out = tmp_path / "load.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "loadtest.py"), "--sessions", "2", "--duration", "6", "--ramp", "0.5",
         "--think-min", "0.2", "--think-max", "0.6", "--target-p95", "120", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (level,) = json.loads(out.read_text())["levels"]
    assert level["errors"] == 0 and level["error_kinds"] == {}
    assert level["reruns"] >= 4 and level["first_loads"] == 2
    assert 0 < level["p50_s"] <= level["p95_s"] <= level["max_s"]
    assert level["rss_peak_mb"] >= level["rss_start_mb"] > 50
    assert set(level["per_page"]) <= {p[2] for p in __import__("components.frame", fromlist=["PAGES"]).PAGES}
    assert "| sessions | reruns | p50 s | p95 s |" in proc.stdout and "reruns/s: asked / done / ceiling" in proc.stdout
    # 2 users pausing 0.2-0.6 s (0.4 s on average) ask 2 / 0.4 = 5 reruns/s; done counts first loads too
    assert level["offered_per_s"] == pytest.approx(5.0)
    assert level["throughput_per_s"] == pytest.approx((level["reruns"] + 2) / level["wall_s"])
    pid = int(re.search(r"\(pid (\d+)\)", proc.stdout).group(1))
    assert not Path(f"/proc/{pid}").exists(), "the server was left running"
