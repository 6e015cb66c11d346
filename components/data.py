"""The dataset as the app sees it: the curated data directory merged with the user's imported surveys.

Both parts are cached by content: the curated tables by the data directory's content hash, the merged
dataset by that hash plus the survey store's fingerprint. An edited data/ or an import made in another tab
(or with the CLI) therefore shows on the next rerun, and all sessions share one read-only Dataset.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from iscm.dataset import DEFAULT_DATA_DIR, Dataset, content_hash, load
from iscm.store import LoadReport, StoredImport, StoreError, SurveyStore, merge_surveys


def data_dir() -> Path:
    """The data directory: $ISCM_DATA_DIR, or the default dataset shipped in data/."""
    return Path(os.environ.get("ISCM_DATA_DIR") or DEFAULT_DATA_DIR)


def survey_store() -> SurveyStore:
    """The user's survey store ($ISCM_ATLAS_HOME, else ~/.local/share/iscm-atlas)."""
    return SurveyStore()


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(path: str, version: str) -> Dataset:
    # `version` is the content hash: an edited data/ gets a new cache entry without a restart.
    return load(path)


@st.cache_resource(show_spinner=False, max_entries=8)
def _merged(path: str, version: str, home: str, fingerprint: str) -> tuple[Dataset, LoadReport]:
    base = _load(path, version)
    report = SurveyStore(home).load()
    return merge_surveys(base, report.imports), report


def curated_dataset() -> Dataset:
    """The data directory alone; raises iscm.dataset.DatasetError for a broken directory."""
    path = data_dir()
    return _load(str(path), content_hash(path) if path.is_dir() else "missing")


def get_dataset() -> tuple[Dataset, list[str]]:
    """The dataset with imported surveys merged in, and messages about the store to show the user.

    Raises iscm.dataset.DatasetError for a broken data directory. A store that cannot be read (permissions,
    a damaged import) never blocks the app: the curated data is shown with a message naming the problem.
    """
    path = data_dir()
    version = content_hash(path) if path.is_dir() else "missing"
    store = survey_store()
    try:
        merged, report = _merged(str(path), version, str(store.home), store.fingerprint())
    except StoreError as e:
        return _load(str(path), version), [f"Imported surveys are not shown: {e}"]
    return merged, list(report.problems)


def stored_imports() -> list[StoredImport]:
    """The imported surveys behind the current dataset (same cache as get_dataset; none if unreadable)."""
    path = data_dir()
    version = content_hash(path) if path.is_dir() else "missing"
    store = survey_store()
    try:
        return list(_merged(str(path), version, str(store.home), store.fingerprint())[1].imports)
    except StoreError:
        return []
