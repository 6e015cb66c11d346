"""Every change to the survey store recorded, and every removal reversible: the audit log and the trash.

Beside the store's `imports/` (iscm/store.py) the home folder holds

```
audit.jsonl                          one JSON object per line: who, when, what, which file (name, SHA-256)
trash/<time>-<id>/<id>/              a removed import, exactly as it was (original + result.json)
trash/<time>-<id>/removed.json       who removed it and when
```

`Ledger` wraps a `SurveyStore`: importing, removing (= moving to the trash), restoring and emptying the
trash each hold the store's lock (`flock` on `.lock`), change the folders with one `os.replace` each, fsync
the folders, then append one line to the log. So a crash leaves an import either in `imports/` or in the
trash, never half in both and never lost; at worst the log lacks the line of the change the crash
interrupted. Nothing is deleted until an editor empties the trash.

A log line is written with one `write` and fsynced. A line torn by a crash is skipped when the log is read
(and counted), and the next line starts on a fresh line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import re
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from iscm.dates import readable_utc
from iscm.survey.extract import ParseResult
from iscm.survey.store import StoredImport, StoreError, SurveyStore, _fsync_dir, _write_synced

AUDIT_FILE = "audit.jsonl"
TRASH_DIR = "trash"
REMOVAL_FILE = "removed.json"
_ID = re.compile(r"^[0-9a-f]{16}$")
_ENTRY = re.compile(r"^\d{8}T\d{6}\d{6}-[0-9a-f]{16}$")

ACTIONS = ("import", "remove", "restore", "empty trash")
LOG_COLUMNS = ["time", "action", "user", "user_name", "signed_in_with", "file", "sha256", "import_id", "changes"]


# The log as a page shows it (the CSV keeps LOG_COLUMNS and ISO times: exact and sortable).
LOG_LABELS = {"time": "When", "action": "Change", "file": "File", "user": "Who", "user_name": "Name",
              "signed_in_with": "Signed in with", "changes": "What changed", "sha256": "File SHA-256",
              "import_id": "Import id"}
ACTION_LABELS = {"import": "Imported", "remove": "Removed (to the trash)", "restore": "Restored",
                 "empty trash": "Deleted for good"}
VIA_LABELS = {"oidc": "organisation sign-in", "open": "open editing", "cli": "command line"}


@dataclass(frozen=True)
class Actor:
    """Who made a change: `user` is the e-mail (or the provider's subject) of a signed-in editor, "local
    user" when editing is open to everyone, or user@host for the command line; `via` says which."""
    user: str
    name: str = ""
    via: str = "open"  # oidc | open | cli

    @property
    def label(self) -> str:
        return f"{self.name} <{self.user}>" if self.name and self.name != self.user else self.user


OPEN_ACTOR = Actor("local user", "", "open")


def cli_actor() -> Actor:
    """The command line's user: the account name on this computer."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        who = f"uid {os.getuid()}"
    return Actor(f"{who}@{socket.gethostname()}", "", "cli")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def summarize(result: ParseResult | dict[str, Any]) -> str:
    """What an import holds, in one line: each entry with its ISCM and fact counts, and how many facts it
    adds to the dataset it was checked against."""
    if isinstance(result, ParseResult):
        result = result.to_dict()
    parts = []
    for e in result.get("entries", []):
        if not isinstance(e, dict):
            continue
        target = e.get("iscm_id") or "new ISCM"
        counts = ", ".join(f"{len(e.get(k) or [])} {label}" for k, label in
                           (("themes", "themes"), ("organizations", "organizations"), ("iscms", "linked ISCMs"),
                            ("sections", "sections")))
        parts.append(f"{e.get('name', '?')} ({target}): {counts}")
    new = sum(1 for d in result.get("differences", []) if isinstance(d, dict) and d.get("change") == "new")
    text = "; ".join(parts) or "no entries"
    return f"{text}; {new} new fact(s) for the dataset" if "differences" in result else text


@dataclass(frozen=True)
class TrashedImport:
    entry: str                # trash/<entry>
    removed_at: str
    removed_by: str
    stored: StoredImport      # the import as it was (its folder is inside the trash)

    @property
    def import_id(self) -> str:
        return self.stored.import_id


@dataclass(frozen=True)
class AuditEvent:
    time: str
    action: str
    user: str
    user_name: str
    via: str
    file: str
    sha256: str
    import_id: str
    changes: str


class Ledger:
    """A survey store whose changes are logged and whose removals go to a trash (see the module doc)."""

    def __init__(self, store: SurveyStore):
        self.store = store
        self.log_path = store.home / AUDIT_FILE
        self.trash_dir = store.home / TRASH_DIR

    # -- the log -----------------------------------------------------------------------------------------
    def _append(self, action: str, actor: Actor, imp: StoredImport | None, changes: str, when: dt.datetime) -> None:
        """One line, one write, fsynced; called with the store's lock held."""
        event = {"time": when.replace(microsecond=0).isoformat(), "action": action, "user": actor.user,
                 "user_name": actor.name, "via": actor.via, "file": imp.name if imp else "",
                 "sha256": imp.sha256 if imp else "", "import_id": imp.import_id if imp else "", "changes": changes}
        line = json.dumps(event, ensure_ascii=False).encode("utf-8") + b"\n"
        try:
            fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size:
                    with open(self.log_path, "rb") as fh:
                        fh.seek(size - 1)
                        if fh.read(1) != b"\n":  # the last line was torn by a crash: start afresh
                            line = b"\n" + line
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as e:
            raise StoreError(f"the change was made but could not be written to the audit log {self.log_path}: "
                             f"{e.strerror or e} — check free space and permissions.") from None

    def events(self) -> tuple[list[AuditEvent], int]:
        """Every logged change, oldest first, and the number of lines that could not be read."""
        try:
            raw = self.log_path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):  # no log yet (or no store: the store's own error says so)
            return [], 0
        except OSError as e:
            raise StoreError(f"cannot read the audit log {self.log_path}: {e.strerror or e}.") from None
        out, bad = [], 0
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                d = json.loads(line.decode("utf-8"))
                out.append(AuditEvent(str(d["time"]), str(d["action"]), str(d["user"]), str(d.get("user_name", "")),
                                      str(d.get("via", "")), str(d.get("file", "")), str(d.get("sha256", "")),
                                      str(d.get("import_id", "")), str(d.get("changes", ""))))
            except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
                bad += 1
        return out, bad

    def events_frame(self) -> pd.DataFrame:
        """The log as a table (newest first), the columns of LOG_COLUMNS."""
        events, _bad = self.events()
        rows = [{"time": e.time, "action": e.action, "user": e.user, "user_name": e.user_name,
                 "signed_in_with": e.via, "file": e.file, "sha256": e.sha256, "import_id": e.import_id,
                 "changes": e.changes} for e in reversed(events)]
        return pd.DataFrame(rows, columns=LOG_COLUMNS)

    # -- changes -----------------------------------------------------------------------------------------
    def import_file(self, name: str, data: bytes, result: ParseResult | dict[str, Any],
                    actor: Actor) -> tuple[StoredImport, bool]:
        """Store an import (SurveyStore.save) and log it when it is new; the same bytes again log nothing."""
        doc = result.to_dict() if isinstance(result, ParseResult) else dict(result)
        stored, created = self.store.save(name, data, doc)
        if created:
            with self.store._locked():  # noqa: SLF001 - the store's own lock
                self._append("import", actor, stored, summarize(doc), _now())
        return stored, created

    def remove(self, iid: str, actor: Actor) -> TrashedImport | None:
        """Move an import to the trash. None when there is no such import."""
        if not _ID.match(str(iid)):
            return None
        with self.store._locked():  # noqa: SLF001
            source = self.store.imports_dir / iid
            stored = self.store._read(source) if source.is_dir() else None  # noqa: SLF001
            if stored is None:
                return None
            if isinstance(stored, str):  # unreadable: load() quarantines it; nothing to move to the trash
                return None
            self._sweep_trash()
            when = _now()
            entry = f"{when.strftime('%Y%m%dT%H%M%S%f')}-{iid}"
            folder = self.trash_dir / entry
            try:
                folder.mkdir(parents=True, mode=0o700)
                _write_synced(folder / REMOVAL_FILE, json.dumps(
                    {"removed_at": when.replace(microsecond=0).isoformat(), "removed_by": actor.user,
                     "via": actor.via}).encode("utf-8"))
                _fsync_dir(folder)
                _fsync_dir(self.trash_dir)
                os.replace(source, folder / iid)  # the one step that moves it: before, in imports/; after, in trash
            except OSError as e:
                with contextlib.suppress(OSError):
                    if not (folder / iid).exists():
                        shutil.rmtree(folder)
                raise StoreError(f"cannot move the import to the trash in {self.trash_dir}: {e.strerror or e} — "
                                 "check that the folder is writable; the import is unchanged.") from None
            _fsync_dir(folder)
            _fsync_dir(self.store.imports_dir)
            self._append("remove", actor, stored, summarize(stored.result), when)
            return self._read_entry(folder)  # type: ignore[return-value]

    def trash(self) -> list[TrashedImport]:
        """The removed imports, most recently removed first."""
        if not self.trash_dir.exists():
            return []
        with self.store._locked():  # noqa: SLF001
            self._sweep_trash()
            found = [self._read_entry(p) for p in self.trash_dir.iterdir() if _ENTRY.match(p.name)]
        return sorted((t for t in found if t is not None), key=lambda t: t.entry, reverse=True)

    def restore(self, entry: str, actor: Actor) -> tuple[StoredImport | None, str]:
        """Put a removed import back. Returns (import, "") or (None, why not): the entry is gone, or the same
        file was imported again meanwhile (then the trash keeps its copy)."""
        if not _ENTRY.match(str(entry)):
            return None, "there is no such removed import."
        with self.store._locked():  # noqa: SLF001
            folder = self.trash_dir / entry
            trashed = self._read_entry(folder) if folder.is_dir() else None
            if trashed is None:
                return None, "there is no such removed import; it may have been restored or deleted already."
            target = self.store.imports_dir / trashed.import_id
            if target.exists():
                return None, (f"{trashed.stored.name} is imported again already; the copy in the trash is kept "
                              "until the trash is emptied.")
            try:
                os.replace(folder / trashed.import_id, target)  # the one step that moves it back
            except OSError as e:
                raise StoreError(f"cannot restore the import to {self.store.imports_dir}: {e.strerror or e} — "
                                 "check that the folder is writable; it stays in the trash.") from None
            _fsync_dir(self.store.imports_dir)
            _fsync_dir(folder)
            shutil.rmtree(folder, ignore_errors=True)  # only removed.json is left in it
            restored = self.store._read(target)  # noqa: SLF001
            assert isinstance(restored, StoredImport)
            self._append("restore", actor, restored, summarize(restored.result), _now())
            return restored, ""

    def empty_trash(self, actor: Actor) -> int:
        """Delete every removed import for good; logs one line per import deleted. Returns how many."""
        if not self.trash_dir.exists():
            return 0
        with self.store._locked():  # noqa: SLF001
            self._sweep_trash()
            done = 0
            for p in sorted(self.trash_dir.iterdir()):
                trashed = self._read_entry(p) if _ENTRY.match(p.name) else None
                if trashed is None:
                    continue
                doomed = self.trash_dir / f".tmp-del-{p.name}"
                try:
                    os.replace(p, doomed)
                except OSError as e:
                    raise StoreError(f"cannot empty the trash in {self.trash_dir}: {e.strerror or e} — check "
                                     "that the folder is writable.") from None
                _fsync_dir(self.trash_dir)
                shutil.rmtree(doomed, ignore_errors=True)
                self._append("empty trash", actor, trashed.stored, "deleted for good: " + summarize(
                    trashed.stored.result), _now())
                done += 1
            return done

    # -- reading the trash -------------------------------------------------------------------------------
    def _read_entry(self, folder: Path) -> TrashedImport | None:
        iid = folder.name.rsplit("-", 1)[-1]
        stored = self.store._read(folder / iid) if (folder / iid).is_dir() else None  # noqa: SLF001
        if not isinstance(stored, StoredImport):
            return None
        try:
            meta = json.loads((folder / REMOVAL_FILE).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        return TrashedImport(entry=folder.name, removed_at=str(meta.get("removed_at", "")),
                             removed_by=str(meta.get("removed_by", "")), stored=stored)

    def _sweep_trash(self) -> None:
        """Leftovers of an interrupted change (we hold the lock, so none is in progress): a deletion that had
        begun, or an entry whose import never arrived or was already restored (it holds removed.json only).
        An entry that still holds its import folder is never touched, even if unreadable."""
        if not self.trash_dir.exists():
            return
        for p in self.trash_dir.iterdir():
            begun_deletion = p.name.startswith(".tmp-del-")
            empty_entry = _ENTRY.match(p.name) and not (p / p.name.rsplit("-", 1)[-1]).exists()
            if begun_deletion or empty_entry:
                shutil.rmtree(p, ignore_errors=True)


def readable_log(log: pd.DataFrame) -> pd.DataFrame:
    """A frame of LOG_COLUMNS (or some of them) with LOG_LABELS as headers, in LOG_LABELS' order."""
    out = log.copy()
    if "time" in out:
        out["time"] = [readable_utc(t) for t in out["time"]]
    if "action" in out:
        out["action"] = [ACTION_LABELS.get(a, a) for a in out["action"]]
    if "signed_in_with" in out:
        out["signed_in_with"] = [VIA_LABELS.get(v, v) for v in out["signed_in_with"]]
    shown = [c for c in LOG_LABELS if c in out.columns]
    return out[shown].rename(columns=LOG_LABELS)


# What a path in the store is called on a page, by its first part below the store's folder.
_PLACES = {"": "the survey store", "imports": "the survey store", "trash": "the trash", AUDIT_FILE: "the audit log",
           "quarantine": "the survey store's quarantine"}
# Phrases that named a place and then gave its path: once the path is a name, say it once.
_TWICE = (("the survey store at the survey store", "the survey store"), ("the audit log the audit log", "the audit log"),
          ("the trash in the trash", "the trash"))


def public_message(message: str, home: str | Path) -> str:
    """A store message fit for a page: every path inside the store becomes the name of the place ("the
    survey store", "the trash", "the audit log"), so a visitor learns what went wrong and what to do, not
    where (or how) the server keeps its files."""
    root = str(Path(home))
    if root in ("", ".", "/"):
        return message

    def place(m: re.Match[str]) -> str:
        return _PLACES.get((m.group("rest") or "").strip("/").split("/")[0], "the survey store")

    text = re.sub(rf"'?{re.escape(root)}(?P<rest>/(?:[^\s:;,'\"()]*[^\s:;,'\"().])?)?(?![^\s:;,'\"().])'?", place, message)
    for twice, once in _TWICE:
        text = text.replace(twice, once)
    return text
