"""The Themes page through AppTest: what the charts and tables show with and without a theme filter."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from tests.conftest import N_ISCMS, open_page, shown, title_of

PAGE = "pages/themes.py"


def _open(app_test, **query: str):
    return open_page(app_test, PAGE, **query)


def _arr(v):
    """A data array from figure JSON (plain list, or Plotly's base64 typed array)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _charts(at) -> dict[str, dict]:
    """Figure specs by the start of their title."""
    out = {}
    for ch in at.get("plotly_chart"):
        spec = json.loads(ch.proto.spec)
        out[title_of(spec)] = spec
    return out


def _chart(at, prefix: str) -> dict:
    hits = [s for t, s in _charts(at).items() if t.startswith(prefix)]
    assert len(hits) == 1, list(_charts(at))
    return hits[0]


def _cov_ids(spec: dict) -> set[str]:
    return {cd[0] for t in spec["data"] for cd in t["customdata"]}


def _bar_totals(spec: dict) -> dict[str, int]:
    totals: dict[str, int] = {}
    for t in spec["data"]:
        for y, x in zip(_arr(t["y"]), _arr(t["x"]), strict=True):
            totals[y] = totals.get(y, 0) + int(x)
    return totals


@pytest.fixture
def covering_asylum(ds):
    """The default dataset and the ids of the ISCMs that cover asylum and international protection."""
    return ds, set(ds.iscm_themes.loc[ds.iscm_themes["theme_id"] == "asylum_protection", "iscm_id"])


def test_all_iscms_without_filter(app_test, covering_asylum):
    ds, _ = covering_asylum
    at = _open(app_test)
    assert at.title[0].value == "Themes"
    cov = _chart(at, "Thematic coverage of")
    assert _cov_ids(cov) == set(ds.iscms["iscm_id"])
    assert title_of(cov).startswith(f"Thematic coverage of {len(ds.iscms)} ISCMs")
    assert not cov["layout"].get("shapes")  # nothing highlighted
    assert len(cov["layout"]["xaxis"]["categoryarray"]) == len(ds.themes)
    assert len(at.get("plotly_chart")) == 1  # only the open tab is drawn
    # ... and "Download all" still counts every chart of the page
    assert at.get("download_button")[-1].proto.label == "Download all 5 charts (ZIP)"
    prev = _chart(_open(app_test, section="Prevalence"), "How many of the")
    expected = ds.iscm_themes.groupby("theme_id")["iscm_id"].nunique()
    labels = dict(zip(ds.themes["theme_id"], ds.themes["label"], strict=True))
    assert _bar_totals(prev) == {labels[t]: int(n) for t, n in expected.items()}
    for section, title in (("Evolution", "When themes entered ISCM agendas"),
                           ("Similar ISCMs", "ISCMs with the most similar themes to"),
                           ("Theme view", "States reached through the")):
        at = _open(app_test, section=section)
        _chart(at, title)
        assert len(at.get("plotly_chart")) == 1


def test_theme_filter_in_url_narrows_and_highlights(app_test, covering_asylum):
    ds, covering = covering_asylum
    at = _open(app_test, theme="asylum_protection")
    label = "Asylum and international protection"
    assert any("Theme: " + label in shown(i.value) for i in at.info)

    cov = _chart(at, "Thematic coverage of")
    assert _cov_ids(cov) == covering and len(covering) < len(ds.iscms)
    assert f"Thematic coverage of {len(covering)} ISCMs" in title_of(cov)
    assert "Theme: " + label in title_of(cov)
    # every row covers the filtered theme: its column holds no 'none' cell, and it is tinted and bold
    none_trace = next(t for t in cov["data"] if t["name"].startswith("Not covered"))
    assert label not in _arr(none_trace["x"])
    xs = cov["layout"]["xaxis"]["categoryarray"]
    (shape,) = cov["layout"]["shapes"]
    assert xs[int(shape["x0"] + 0.5)] == label
    assert f"<b>{label}</b>" in cov["layout"]["xaxis"]["ticktext"]

    prev = _chart(_open(app_test, theme="asylum_protection", section="Prevalence"), "How many of the")
    assert _bar_totals(prev)[label] == len(covering)
    assert f"How many of the {len(covering)} ISCMs" in title_of(prev)

    # theme view opens on the filtered theme: the ISCMs covering it, Prague Process since 2012
    at = _open(app_test, theme="asylum_protection", section="Theme view")
    assert at.selectbox(key="th_theme_asylum_protection").value == "asylum_protection"
    table = at.dataframe[0].value
    assert set(table["ISCM"]) == set(ds.iscms.set_index("iscm_id").loc[sorted(covering), "short_name"])
    prague = table[table["ISCM"] == "Prague Process"].iloc[0]
    assert prague["Level"] == "Declared focus" and prague["Since"] == 2012
    _chart(at, f"States reached through the {len(covering)} ISCMs covering asylum")

    evo = _chart(_open(app_test, theme="asylum_protection", section="Evolution"), "When themes entered ISCM agendas")
    assert f"<b>{label}</b>" in evo["layout"]["yaxis"]["ticktext"]


def test_only_filtered_themes_and_sort_controls(app_test, covering_asylum):
    ds, covering = covering_asylum
    at = _open(app_test, theme="asylum_protection")
    at.toggle(key="th_only").set_value(True).run()
    cov = _chart(at, "Thematic coverage of")
    assert cov["layout"]["xaxis"]["categoryarray"] == ["Asylum and international protection"]
    assert sum(len(_arr(t["x"])) for t in cov["data"]) == len(covering)

    at = _open(app_test)
    at.selectbox(key="th_sort").set_value("count").run()
    rows = _chart(at, "Thematic coverage of")["layout"]["yaxis"]["categoryarray"]
    n_themes = ds.iscm_themes.groupby("iscm_id")["theme_id"].nunique()
    names = dict(zip(ds.iscms["iscm_id"], ds.iscms["short_name"], strict=True))
    by_name = {names[i]: n for i, n in n_themes.items()}
    counts = [by_name.get(r, 0) for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] == n_themes.max()

    at.selectbox(key="th_group").set_value("type").run()
    rows = _chart(at, "Thematic coverage of")["layout"]["yaxis"]["categoryarray"]
    headers = [r for r in rows if r.startswith("<b>")]
    assert headers == ["<b>RCP · Regional consultative process</b>", "<b>IRF · Interregional forum</b>",
                       "<b>Global · Global process</b>"]


def test_similar_iscms_follow_the_iscm_filter(app_test):
    at = _open(app_test, iscm="prague-process", section="Similar ISCMs")
    assert at.selectbox(key="th_similar_prague-process").value == "prague-process"
    sim = _chart(at, "ISCMs with the most similar themes to Prague Process")
    shared = sim["data"][0]
    assert len(_arr(shared["x"])) == 5
    assert f"Compared with {N_ISCMS - 1} ISCMs" in " ".join(c.value for c in at.caption)
    # compared with the whole dataset even though the ISCM filter shows only Prague Process elsewhere
    cov = _chart(_open(app_test, iscm="prague-process"), "Thematic coverage of")
    assert _cov_ids(cov) == {"prague-process"}


def test_download_all_zips_the_charts_of_closed_tabs_too(app_test, deferred, ds):
    """Only the open tab is drawn, but "Download all" holds every chart of the page: the closed tabs' charts
    are built when the ZIP is made."""
    import io
    import zipfile

    at = open_page(app_test, PAGE, section="Prevalence")
    assert len(at.get("plotly_chart")) == 1
    label = at.get("download_button")[-1].proto.label
    assert label.endswith("5 charts (ZIP)")
    data, name, mime = deferred(at, label)  # with Chromium: PNG and SVG of each chart too
    assert name.startswith("iscm-charts-") and mime == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    csvs = [n for n in names if n.endswith(".csv")]
    expected = ["iscm-theme-prevalence", "iscm-theme-coverage", f"iscm-theme-states-{_first_theme(ds)}",
                "iscm-theme-evolution", f"iscm-similar-{_first_iscm(ds)}"]
    assert len(csvs) == len(expected)
    for chart in expected:  # file stems are iscm-<chart>_<filters>_<date>
        assert sum(n.startswith(chart + "_") for n in csvs) == 1, (chart, csvs)


def _first_theme(ds) -> str:
    """The Theme view's default theme: the most widely covered (ties in taxonomy order)."""
    from iscm.themes import coverage_matrix, theme_order

    return theme_order(coverage_matrix(ds.iscms, ds.themes, ds.iscm_themes))[0]


def _first_iscm(ds) -> str:
    """The Similar tab's default ISCM: the first by name."""
    return sorted(ds.iscms["iscm_id"], key=lambda i: ds.iscms.set_index("iscm_id").at[i, "short_name"].casefold())[0]
