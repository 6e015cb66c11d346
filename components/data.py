"""The dataset as the app sees it: the curated data directory merged with the user's imported surveys.

Both parts are cached: the curated tables by the data directory's files (names, sizes, modification times),
the merged dataset by that key plus the survey store's fingerprint. An edited data/ or an import made in another tab
(or with the CLI, or through another replica on a shared store) therefore shows on the next rerun, and all sessions
of a process share one read-only Dataset.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import streamlit as st

from iscm.audit import public_message
from iscm.dataset import DEFAULT_DATA_DIR, Dataset, load
from iscm.survey.merge import merge_surveys
from iscm.survey.store import LoadReport, StoredImport, StoreError, SurveyStore


def _stat_key(path: Path) -> str:
    """A cheap cache key for a data directory: every YAML file's name, size and modification time.

    It changes whenever a file is edited, added or removed, at the cost of a few stat() calls per rerun
    instead of reading and hashing every file (the Dataset's own version stays a content hash).
    """
    if not path.is_dir():
        return "missing"
    h = hashlib.sha256()
    for rel, size, mtime in sorted(_yaml_stats(str(path), "")):
        h.update(f"{rel}:{size}:{mtime};".encode())
    return h.hexdigest()[:16]


def _yaml_stats(top: str, rel: str) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every *.yaml / *.yml file under `top` (os.scandir: the stat
    results come with the directory listing, about ten times faster than Path.rglob + stat)."""
    out: list[tuple[str, int, int]] = []
    with os.scandir(os.path.join(top, rel) if rel else top) as it:
        for e in it:
            name = f"{rel}/{e.name}" if rel else e.name
            if e.is_dir():
                out += _yaml_stats(top, name)
            elif e.name.endswith((".yaml", ".yml")):
                st_ = e.stat()
                out.append((name, st_.st_size, st_.st_mtime_ns))
    return out


def data_dir() -> Path:
    """The data directory: $ISCM_DATA_DIR, or the default dataset shipped in data/."""
    return Path(os.environ.get("ISCM_DATA_DIR") or DEFAULT_DATA_DIR)


def survey_store() -> SurveyStore:
    """The user's survey store ($ISCM_ATLAS_HOME, else ~/.local/share/iscm-atlas)."""
    return SurveyStore()


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(path: str, version: str) -> Dataset:
    # `version` is the directory's stat key: an edited data/ gets a new cache entry without a restart.
    return load(path)


class _StoreMoved(Exception):
    """The store changed between taking its fingerprint and reading it (another tab, process or replica
    wrote in between): what was read belongs to another key. An exception, so the cache keeps nothing."""

    def __init__(self, result: tuple[Dataset, LoadReport]):
        super().__init__("the survey store changed while it was read")
        self.result = result


@st.cache_resource(show_spinner=False, max_entries=8)
def _merged(path: str, version: str, home: str, fingerprint: str) -> tuple[Dataset, LoadReport]:
    base = _load(path, version)
    report = SurveyStore(home).load()
    result = merge_surveys(base, report.imports), report
    if report.fingerprint != fingerprint:
        # Cached under `fingerprint`, this state would come back when the store returns to that key (an
        # import, then its removal): the removed import would show again on this replica.
        raise _StoreMoved(result)
    return result


def curated_dataset() -> Dataset:
    """The data directory alone; raises iscm.dataset.DatasetError for a broken directory."""
    path = data_dir()
    return _load(str(path), _stat_key(path))


def _current() -> tuple[Dataset, LoadReport]:
    """The merged dataset and store report for the data directory and store as they are now."""
    path = data_dir()
    store = survey_store()
    key = (str(path), _stat_key(path), str(store.home), store.fingerprint())
    try:
        return _merged(*key)
    except _StoreMoved as moved:  # a write landed in between: show what was read, cache nothing
        return moved.result


def get_dataset() -> tuple[Dataset, list[str]]:
    """The dataset with imported surveys merged in, and messages about the store to show the user.

    Raises iscm.dataset.DatasetError for a broken data directory. A store that cannot be read (permissions,
    a damaged import) never blocks the app: the curated data is shown with a message naming the problem.
    """
    home = survey_store().home  # messages name $ISCM_ATLAS_HOME, never the server's own path
    try:
        merged, report = _current()
    except StoreError as e:
        return curated_dataset(), [public_message(f"Imported surveys are not shown: {e}", home)]
    return merged, [public_message(p, home) for p in report.problems]


def stored_imports() -> list[StoredImport]:
    """The imported surveys behind the current dataset (same cache as get_dataset; none if unreadable)."""
    try:
        return list(_current()[1].imports)
    except StoreError:
        return []
