"""The user's imported surveys on disk (merging them into the Dataset: iscm.survey.merge).

Each import is a folder `imports/<id>/` in the user data directory holding the original file as uploaded
and `result.json` (the parsed result the user confirmed). The id is the first 16 hex digits of the file's
SHA-256, so importing the same bytes again finds the folder already there and changes nothing.

Why the care: the store is the only copy of what a user imported, the app may run in several browser tabs
(or a CLI import may run next to the app), and a crash must never leave half a file behind. So every write
goes to a temporary folder that is fsynced and then renamed into place (atomic on POSIX), all changes hold
an exclusive `fcntl.flock` on `.lock`, and a stored result that cannot be read is moved to `quarantine/`
with a message while every other import still loads.

Location: the `home` argument, else $ISCM_ATLAS_HOME, else $XDG_DATA_HOME/iscm-atlas, else
~/.local/share/iscm-atlas (outside the git tree, so the default dataset stays clean).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from pydantic import ValidationError

from iscm.survey.model import SCHEMA, ParseResult

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: single-process use only
    fcntl = None  # type: ignore[assignment]

ENV_HOME = "ISCM_ATLAS_HOME"
RESULT_FILE = "result.json"
_ID = re.compile(r"^[0-9a-f]{16}$")


class StoreError(Exception):
    """The store cannot be written or read (permissions, disk full); the message names the path."""


def default_home() -> Path:
    env = os.environ.get(ENV_HOME, "").strip()
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "iscm-atlas"


def import_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class StoredImport:
    import_id: str
    name: str                 # the file name as uploaded
    sha256: str
    kind: str
    size: int
    imported_at: str          # ISO timestamp (UTC)
    folder: Path
    result: ParseResult       # as confirmed by the user

    @property
    def original(self) -> Path:
        return self.folder / _original_name(self.name)

    @property
    def entry_names(self) -> list[str]:
        return [e.name for e in self.result.entries]


@dataclass(frozen=True)
class LoadReport:
    imports: list[StoredImport]
    problems: list[str]       # one message per stored import that could not be read (now quarantined)
    fingerprint: str = ""     # SurveyStore.fingerprint() of exactly what was read (taken under the lock)


def _original_name(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    return "original" + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else "")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class SurveyStore:
    """Imported surveys under one home folder. All methods are safe to call from several processes."""

    def __init__(self, home: str | Path | None = None):
        self.home = Path(home).expanduser() if home is not None else default_home()
        self.imports_dir = self.home / "imports"
        self.quarantine_dir = self.home / "quarantine"

    # -- locking -----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.imports_dir.mkdir(parents=True, exist_ok=True)
            fh = open(self.home / ".lock", "a+b")  # noqa: SIM115 - held for the whole block
        except OSError as e:
            raise StoreError(f"cannot use the survey store at {self.home}: {e.strerror or e} — check that the "
                             f"folder is writable or set {ENV_HOME} to another folder.") from None
        try:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()

    # -- writing -----------------------------------------------------------------------------------------
    def save(self, name: str, data: bytes, result: ParseResult | dict[str, Any]) -> tuple[StoredImport, bool]:
        """Keep the original file and its confirmed result. Returns (import, created).

        The same bytes imported again return the stored import and `created=False`: nothing is written.
        """
        data = bytes(data)
        doc = result.to_dict() if isinstance(result, ParseResult) else dict(result)
        sha = hashlib.sha256(data).hexdigest()
        if doc.get("source", {}).get("sha256") not in (None, sha):
            raise ValueError("the result belongs to another file (sha256 differs); parse this file again")
        doc.setdefault("schema", SCHEMA)
        doc.setdefault("source", {})["sha256"] = sha
        iid = sha[:16]
        name = PurePath(str(name or "document")).name or "document"
        with self._locked():
            self._sweep_temp()
            target = self.imports_dir / iid
            if target.exists():
                existing = self._read(target)
                if isinstance(existing, StoredImport):
                    return existing, False
                self._quarantine(target)  # unreadable leftovers are replaced by this good copy
            meta = {"name": name, "sha256": sha, "kind": doc.get("source", {}).get("kind", ""), "size": len(data),
                    "imported_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), "result": doc}
            try:
                tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.imports_dir))
                _write_synced(tmp / _original_name(name), data)
                _write_synced(tmp / RESULT_FILE, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
                _fsync_dir(tmp)
                os.replace(tmp, target)
                _fsync_dir(self.imports_dir)
            except OSError as e:
                with contextlib.suppress(Exception):
                    shutil.rmtree(tmp)
                raise StoreError(f"cannot write the import to {self.imports_dir}: {e.strerror or e} — check free "
                                 "space and permissions.") from None
            stored = self._read(target)
            assert isinstance(stored, StoredImport)
            return stored, True

    def remove(self, iid: str) -> bool:
        """Delete an import (original and result). True if it existed."""
        if not _ID.match(str(iid)):
            return False
        with self._locked():
            target = self.imports_dir / iid
            if not target.exists():
                return False
            # rename first so a reader never sees a half-deleted folder
            doomed = self.imports_dir / f".tmp-del-{iid}"
            try:
                with contextlib.suppress(FileNotFoundError):
                    shutil.rmtree(doomed)
                os.replace(target, doomed)
            except OSError as e:
                raise StoreError(f"cannot remove the import from {self.imports_dir}: {e.strerror or e} — check "
                                 "that the folder is writable; the import is unchanged.") from None
            _fsync_dir(self.imports_dir)
            shutil.rmtree(doomed, ignore_errors=True)
            return True

    # -- reading -----------------------------------------------------------------------------------------
    def load(self) -> LoadReport:
        """Every stored import, oldest first; unreadable ones are quarantined and reported."""
        if not self.imports_dir.exists():
            return LoadReport([], [], self.fingerprint())
        imports: list[StoredImport] = []
        problems: list[str] = []
        with self._locked():
            self._sweep_temp()
            for folder in sorted(self.imports_dir.iterdir()):
                if folder.name.startswith(".") or not folder.is_dir():
                    continue
                got = self._read(folder)
                if isinstance(got, StoredImport):
                    imports.append(got)
                else:
                    moved = self._quarantine(folder)
                    problems.append(f"stored import {folder.name} could not be read ({got}); it was moved to "
                                    f"{moved} — import the original file again to restore it.")
            fingerprint = self.fingerprint()  # no writer can run while we hold the lock
        imports.sort(key=lambda s: (s.imported_at, s.import_id))
        return LoadReport(imports, problems, fingerprint)

    def fingerprint(self) -> str:
        """A cheap key that changes whenever an import is added, removed or rewritten: for caches (e.g.
        the app's merged dataset) that must notice a change made by another tab, the CLI or another replica.

        Taken without the lock, so a writer in another process may be half-way: an import that vanishes
        between the listing and its stat() counts as absent. Pair it with `LoadReport.fingerprint` (taken
        under the lock) before caching what `load()` returned under this key.
        """
        h = hashlib.sha256()
        try:
            names = sorted(p.name for p in self.imports_dir.iterdir() if not p.name.startswith("."))
        except OSError:  # no store yet: the same key as an empty one
            names = []
        for name in names:
            try:
                st = (self.imports_dir / name / RESULT_FILE).stat()
            except OSError:  # removed (or being written) by another process right now
                continue
            h.update(f"{name}:{st.st_mtime_ns}:{st.st_size};".encode())
        return h.hexdigest()[:16]

    def list(self) -> list[StoredImport]:
        return self.load().imports

    def get(self, iid: str) -> StoredImport | None:
        if not _ID.match(str(iid)):
            return None
        folder = self.imports_dir / iid
        got = self._read(folder) if folder.is_dir() else None
        return got if isinstance(got, StoredImport) else None

    def _read(self, folder: Path) -> StoredImport | str:
        """The import in a folder, or the reason it cannot be read."""
        try:
            meta = json.loads((folder / RESULT_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return f"{RESULT_FILE} is missing"
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            return f"{RESULT_FILE} is damaged: {e}"
        if not isinstance(meta, dict) or not isinstance(meta.get("result"), dict):
            return f"{RESULT_FILE} does not hold an import result"
        res = meta["result"]
        sha = str(meta.get("sha256", ""))
        if not sha.startswith(folder.name) or not isinstance(res.get("entries"), list):
            return f"{RESULT_FILE} does not match its folder or has no entries"
        if not all(isinstance(e, dict) and isinstance(e.get("name"), str) for e in res["entries"]):
            return f"{RESULT_FILE} has malformed entries"
        name = str(meta.get("name") or "document")
        if not (folder / _original_name(name)).is_file():
            return "the original file is missing"
        try:
            parsed = ParseResult.model_validate(res)
        except ValidationError as e:
            return f"{RESULT_FILE} does not hold a survey result ({e.error_count()} value(s) of the wrong type)"
        return StoredImport(import_id=folder.name, name=name, sha256=sha, kind=str(meta.get("kind", "")),
                            size=int(meta.get("size") or 0), imported_at=str(meta.get("imported_at", "")),
                            folder=folder, result=parsed)

    def _quarantine(self, folder: Path) -> Path:
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        dest = self.quarantine_dir / f"{folder.name}-{stamp}"
        os.replace(folder, dest)
        _fsync_dir(self.imports_dir)
        return dest

    def _sweep_temp(self) -> None:
        """Temporary folders left by a crashed write (we hold the lock, so none is in progress)."""
        for p in self.imports_dir.glob(".tmp-*"):
            shutil.rmtree(p, ignore_errors=True)
