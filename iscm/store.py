"""The user's imported surveys on disk, and merging them into the Dataset.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Any

import pandas as pd

from iscm.extract import SCHEMA, ParseResult

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
    result: dict[str, Any]    # ParseResult.to_dict() as confirmed by the user

    @property
    def original(self) -> Path:
        return self.folder / _original_name(self.name)

    @property
    def entry_names(self) -> list[str]:
        return [e.get("name", "") for e in self.result.get("entries", [])]


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
        return StoredImport(import_id=folder.name, name=name, sha256=sha, kind=str(meta.get("kind", "")),
                            size=int(meta.get("size") or 0), imported_at=str(meta.get("imported_at", "")),
                            folder=folder, result=res)

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


# --- merging into the Dataset ---------------------------------------------------------------------------------

def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return s[:50].strip("-") or "iscm"


def _results(imports: Iterable[StoredImport | ParseResult | dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for imp in imports:
        if isinstance(imp, StoredImport):
            out.append(imp.result)
        elif isinstance(imp, ParseResult):
            out.append(imp.to_dict())
        elif isinstance(imp, dict):
            out.append(imp)
    return out


def survey_source_title(result: dict[str, Any]) -> str:
    src = result.get("source", {})
    return f"Survey import: {src.get('name', 'document')} (sha256 {str(src.get('sha256', ''))[:12]})"


def merge_surveys(ds: Any, imports: Iterable[StoredImport | ParseResult | dict[str, Any]]) -> Any:
    """The dataset plus what the imports add, each added row with provenance 'survey'.

    Curated facts are never overwritten: a theme, organization or link the dataset already has for an ISCM
    stays as it is (the import's view shows up in `extract.differences` instead). Countries mentioned in a
    survey are not memberships and are not merged. An entry the user did not match to a dataset ISCM becomes
    a new ISCM `survey-<slug>` with provenance 'survey', status 'unknown' and a note asking for confirmation.
    """
    results = _results(imports)
    if not results:
        return ds
    theme_rows, org_rows, link_rows, iscm_rows, source_rows = [], [], [], [], []
    have_theme = set(zip(ds.iscm_themes["iscm_id"], ds.iscm_themes["theme_id"], strict=True))
    have_org = set(zip(ds.iscm_organizations["iscm_id"], ds.iscm_organizations["org_id"], strict=True))
    have_link = set(zip(ds.iscm_links["source_id"], ds.iscm_links["target_id"], strict=True))
    known_iscms = set(ds.iscms["iscm_id"])
    known_themes = set(ds.themes["theme_id"])
    known_orgs = set(ds.organizations["org_id"])
    new_ids: dict[str, str] = {}
    sourced: set[tuple[str, str]] = set()
    digest = hashlib.sha256()
    for res in results:
        title = survey_source_title(res)
        digest.update(json.dumps(res, sort_keys=True, default=str).encode())  # the version caches key on
        for e in res.get("entries", []):
            if not isinstance(e, dict):
                continue
            iid = e.get("iscm_id")
            if iid not in known_iscms:
                name = str(e.get("name") or "Unnamed ISCM")
                iid = new_ids.get(name.lower())
                if iid is None:
                    base = f"survey-{_slug(name)}"
                    iid, n = base, 2
                    while iid in known_iscms:
                        iid, n = f"{base}-{n}", n + 1
                    new_ids[name.lower()] = iid
                    known_iscms.add(iid)
                    iscm_rows.append(_new_iscm_row(iid, name, res, e))
            touched = False
            for t in e.get("themes", []):
                if t.get("id") in known_themes and (iid, t["id"]) not in have_theme:
                    have_theme.add((iid, t["id"]))
                    ev = (t.get("evidence") or [{}])[0].get("sentence", "")
                    theme_rows.append({"iscm_id": iid, "theme_id": t["id"], "level": t.get("level") or "mentioned",
                                       "since": t.get("since"), "evidence": ev, "source": title,
                                       "provenance": "survey"})
                    touched = True
            for o in e.get("organizations", []):
                if o.get("id") in known_orgs and (iid, o["id"]) not in have_org:
                    have_org.add((iid, o["id"]))
                    org_rows.append({"iscm_id": iid, "org_id": o["id"], "role": o.get("role") or "partner",
                                     "source": title, "provenance": "survey"})
                    touched = True
            for s in e.get("iscms", []):
                tgt = s.get("id")
                if tgt in known_iscms and tgt != iid and (iid, tgt) not in have_link and (tgt, iid) not in have_link:
                    have_link.add((iid, tgt))
                    link_rows.append({"source_id": iid, "target_id": tgt, "relation": "mentioned in survey",
                                      "source": title, "provenance": "survey"})
                    touched = True
            if (touched or iid in new_ids.values()) and (iid, title) not in sourced:
                sourced.add((iid, title))
                source_rows.append({"iscm_id": iid, "url": "", "title": title,
                                    "used_for": "themes, organizations and linked ISCMs (survey import)"})

    def add(df: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
        if not rows:
            return df
        extra = pd.DataFrame(rows, columns=df.columns)
        for col in df.columns:
            if str(df[col].dtype) == "Int64":
                extra[col] = pd.array([None if pd.isna(v) else int(v) for v in extra[col]], dtype="Int64")
            elif df[col].dtype == bool:
                extra[col] = extra[col].fillna(False).astype(bool)
        return pd.concat([df, extra], ignore_index=True) if len(df) else extra

    iscm_themes = add(ds.iscm_themes, theme_rows)
    iscm_orgs = add(ds.iscm_organizations, org_rows)
    iscms = add(ds.iscms, iscm_rows)
    counts_t = iscm_themes.groupby("iscm_id").size()
    counts_o = iscm_orgs.groupby("iscm_id")["org_id"].nunique()
    iscms["n_themes"] = iscms["iscm_id"].map(counts_t).fillna(0).astype(int)
    iscms["n_organizations"] = iscms["iscm_id"].map(counts_o).fillna(0).astype(int)
    return replace(
        ds, iscms=iscms, iscm_themes=iscm_themes, iscm_organizations=iscm_orgs,
        iscm_links=add(ds.iscm_links, link_rows), sources=add(ds.sources, source_rows),
        version=f"{ds.version}+s{digest.hexdigest()[:8]}", _names={},
    )


def _new_iscm_row(iid: str, name: str, res: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    src = res.get("source", {}).get("name", "a survey document")

    def labels(kind: str) -> str:
        return "; ".join(str(i.get("label") or i.get("id")) for i in entry.get(kind, []) if isinstance(i, dict))

    return {
        "iscm_id": iid, "short_name": name, "full_name": name, "acronym": "", "type": "", "regions": "",
        "macro_regions": "", "established": None, "status": "unknown", "secretariat": "", "website": "",
        "summary": f"Added from the survey import of {src}; not matched to an ISCM of the dataset.",
        "n_members": 0, "n_observers": 0, "n_themes": 0, "n_organizations": 0, "member_count_reported": None,
        "confidence_members": "low", "confidence_themes": "low", "confidence_organizations": "low",
        "open_questions": "Unmatched survey entry: confirm it as a new ISCM or match it to an existing one.",
        "aliases": "", "structures": labels("structures"), "funding": labels("funding"), "theme_notes": "",
        "provenance": "survey",
    }


def load_with_surveys(ds: Any, home: str | Path | None = None) -> tuple[Any, LoadReport]:
    """The dataset merged with every stored import, and the load report (problems to show the user)."""
    report = SurveyStore(home).load()
    return merge_surveys(ds, report.imports), report
