"""Shared fixtures: paths, the default dataset, and AppTest of the real app."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_440a72a62019b42f.txt"
N_ISCMS = len(list((ROOT / "data" / "iscms").glob("*.yaml")))  # counts in tests come from the data
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config):  # noqa: ANN001, ANN201
    config.addinivalue_line("markers", "needs_seed: uses the seed survey in ../shared; collected only where it is")


def _needs_seed(item) -> bool:  # noqa: ANN001
    return "seed_text" in getattr(item, "fixturenames", ()) or item.get_closest_marker("needs_seed") is not None


def pytest_collection_modifyitems(config, items):  # noqa: ANN001, ANN201
    """On a clone without ../shared the seed tests are not collected (deselected, not skipped): the survey
    features they cover are also tested on the samples in data/samples/. CI always has the seed."""
    if SEED.is_file() or IN_CI:
        return
    dropped = [i for i in items if _needs_seed(i)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if not _needs_seed(i)]


def pytest_report_header(config):  # noqa: ANN001, ANN201
    if not SEED.is_file() and not IN_CI:
        return f"seed survey: not found at {SEED}; tests that use it are deselected (the samples are used instead)"
    return None


@pytest.fixture(scope="session")
def ds():
    from iscm.dataset import load

    return load(ROOT / "data")


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The Prague Process survey summary that sits beside the checkout (shared/); CI always has it."""
    if not SEED.is_file():
        if IN_CI:
            pytest.fail(f"seed survey not found at {SEED}; CI must have shared/ beside the checkout")
        pytest.skip(f"seed survey not found at {SEED} (shared/ is not beside this checkout)")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def app_test(tmp_path, monkeypatch):
    """A fresh AppTest of app.py, with an empty survey store so no user data leaks into tests."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ISCM_ATLAS_HOME", str(tmp_path / "store"))

    def make(**query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        for k, v in query.items():
            at.query_params[k] = v
        return at

    return make


def charts(at) -> list[dict]:
    """The figure specs of every chart the page drew."""
    import json

    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def meta(trace: dict) -> dict:
    """A drawn trace's `meta` dict ({} without one): the app sends it to the browser as a one-item list
    (`iscm.figures._house.for_screen`)."""
    value = trace.get("meta")
    if isinstance(value, list):
        assert len(value) == 1 and isinstance(value[0], dict), value
        return value[0]
    return value or {}


def title_of(fig) -> str:
    """A chart's title then its subtitle, as plain text on one line (a figure or a figure spec): the house
    style wraps them over lines that fit a phone."""
    from iscm.figures._house import split_title

    text = fig["layout"]["title"]["text"] if isinstance(fig, dict) else fig.layout.title.text
    return " ".join(part for part in split_title(text or "") if part)


def chart(at, title_start: str) -> dict:
    """The one chart whose title starts with `title_start`."""
    found = [s for s in charts(at) if title_of(s).startswith(title_start)]
    assert len(found) == 1, [title_of(s) for s in charts(at)]
    return found[0]


def html_tables(at) -> dict:
    """The page's HTML tables (components.tables.html_table) by their key, read by pandas (empty cells as "")."""
    import pandas as pd

    out = {}
    for element in at.get("html"):
        for m in re.finditer(r'<table data-key="([^"]+)">.*?</table>', element.proto.body, re.S):
            out[m.group(1)] = pd.read_html(io.StringIO(m.group(0)), keep_default_na=False)[0]
    return out


def html_links(at, key: str) -> dict[str, str]:
    """Row name -> the address it links to, in the HTML table `key`."""
    import html

    for element in at.get("html"):
        m = re.search(rf'<table data-key="{re.escape(key)}">.*?</table>', element.proto.body, re.S)
        if m:
            return {html.unescape(name): html.unescape(href)
                    for href, name in re.findall(r'<th scope="row"[^>]*><a href="([^"]*)">(.*?)</a></th>', m.group(0))}
    raise AssertionError(f"no HTML table {key!r} on the page")


def table_with(at, *columns: str):
    """The one table of the page (a data grid or an HTML table) that has all of `columns`."""
    tables = [d.value for d in at.dataframe] + list(html_tables(at).values())
    found = [t for t in tables if set(columns) <= set(t.columns)]
    assert len(found) == 1, [list(t.columns) for t in tables]
    return found[0]


def open_page(app_test, page: str, **query: str):
    """Run the app, switch to `page`, then set the URL: the way a deep link reaches a page. Fails on an
    exception in the page."""
    at = app_test().run()
    at.switch_page(page)
    for k, v in query.items():  # query parameters are set after the page switch, which resets them
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(markdown: str) -> str:
    """Markdown source as the user reads it: user-supplied text is backslash-escaped before display."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.fixture
def deferred(monkeypatch):
    """Run a deferred download's callable as a click would: returns data, file name and mime type."""
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.runtime.media_file_manager import MediaFileManager

    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)

    def get(at, label: str):
        btns = [b for b in at.get("download_button") if b.proto.label == label]
        assert len(btns) == 1, label
        proto = btns[0].proto
        assert proto.ignore_rerun and proto.deferred_file_id  # produced on click, not on every run
        entry = next(m._deferred_callables[proto.deferred_file_id] for m in managers
                     if proto.deferred_file_id in m._deferred_callables)
        return entry["callable"](), entry["filename"], entry["mimetype"]

    return get
