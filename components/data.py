"""The dataset as the app sees it: loaded once per content version, shared by all sessions."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from iscm.dataset import DEFAULT_DATA_DIR, Dataset, content_hash, load


def data_dir() -> Path:
    """The data directory: $ISCM_DATA_DIR, or the default dataset shipped in data/."""
    return Path(os.environ.get("ISCM_DATA_DIR") or DEFAULT_DATA_DIR)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(path: str, version: str) -> Dataset:
    # `version` is the content hash: an edited data/ gets a new cache entry without a restart.
    return load(path)


def get_dataset() -> Dataset:
    """The current dataset; raises iscm.dataset.DatasetError for a broken data directory."""
    path = data_dir()
    return _load(str(path), content_hash(path) if path.is_dir() else "missing")
