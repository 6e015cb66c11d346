"""The GCM page through AppTest: coverage, regional gaps and one objective, with and without filters; the GCM
section of the country view; the data package button of the Data page."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from iscm import gcm
from tests.conftest import open_page, shown, title_of

PAGE = "pages/gcm.py"


def _open(app_test, page: str = PAGE, **query: str):
    return open_page(app_test, page, **query)


def _arr(v):
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _chart(at, prefix: str) -> dict:
    specs = [json.loads(ch.proto.spec) for ch in at.get("plotly_chart")]
    hits = [s for s in specs if title_of(s).startswith(prefix)]
    assert len(hits) == 1, [title_of(s)[:60] for s in specs]
    return hits[0]


@pytest.fixture
def cov(ds):
    return gcm.coverage(ds.iscms, ds.iscm_themes, ds.theme_gcm, ds.iscm_gcm, ds.gcm_objectives)


def test_coverage_gaps_and_one_objective_on_the_default_data(app_test, ds, cov):
    at = _open(app_test)
    assert at.title[0].value == "Global Compact for Migration"
    spec = _chart(at, f"GCM objectives covered by {len(ds.iscms)} ISCMs")
    counts = {t["legendgroup"]: len(_arr(t["x"])) for t in spec["data"]}
    names = {t["legendgroup"]: t["name"] for t in spec["data"]}
    n_whole = len(gcm.whole_compact(ds.iscms, ds.iscm_gcm))
    n_pairs = int(cov["declared"].sum())
    assert counts["declared"] == n_pairs and counts["whole"] == n_whole
    assert counts["derived"] == int((cov["level"] == "derived").sum())
    assert sum(counts.values()) == len(ds.iscms) * 24
    metrics = {m.label: m.value for m in at.metric}
    n_cov = cov.loc[cov["level"] != "none", "objective"].nunique()
    assert metrics["Objectives covered"] == f"{n_cov} of 23"
    # the legend and the metric count the same thing: ISCM-objective pairs an ISCM's sources name
    assert metrics["Declared pairs"] == str(n_pairs)
    assert names["declared"] == f"Declared by the ISCM ({metrics['Declared pairs']})"
    assert names["whole"] == f"Names the GCM as a whole ({n_whole})"
    naming = set(gcm.whole_compact(ds.iscms, ds.iscm_gcm)["iscm_id"]) | set(cov.loc[cov["declared"], "iscm_id"])
    assert metrics["ISCMs naming the GCM"] == str(len(naming))

    assert [t.label for t in at.tabs] == ["Coverage", "Gaps by region", "One objective", "Crosswalk"]
    assert len(at.get("plotly_chart")) == 1  # only the open tab is drawn
    assert any("No theme of the taxonomy maps to objective 8 Save lives" in c.value for c in at.caption)

    at = _open(app_test, section="Gaps by region")
    regions = _chart(at, "Objectives each region's ISCMs cover")
    table = gcm.region_table(ds.iscms, cov, ds.gcm_objectives)
    gaps = gcm.gaps(table, [8])
    assert len(_arr(regions["data"][1]["x"])) == len(gaps)
    shown_gaps = next(d.value for d in at.dataframe if "Region" in d.value.columns)
    assert len(shown_gaps) == len(gaps) and "8 Save lives" not in set(shown_gaps["GCM objective"])
    # no theme maps to objective 8: the page says so, and marks its empty cells apart from the regions' gaps
    assert set(_arr(regions["data"][2]["x"])) == {"8 Save lives"}
    note = ("No theme of the taxonomy maps to objective 8 Save lives: an ISCM covers it only where its own "
            "sources name it.")
    captions = [c.value for c in at.caption]
    assert sum(note in c for c in captions) == 1  # under the regional gaps (and, on its tab, the coverage chart)
    assert not any("3 Information" in c or "22 Social protection" in c for c in captions)

    # one objective: opens on the most widely covered one; its ISCMs table and map follow the choice
    at = _open(app_test, section="One objective")
    most = cov[cov["level"] != "none"].groupby("objective").size().idxmax()
    assert at.selectbox(key="gcm_objective").value == most
    at.selectbox(key="gcm_objective").set_value(6).run()
    assert not at.exception
    iscms = next(d.value for d in at.dataframe if "Through its themes" in d.value.columns)
    expect = cov[(cov["objective"] == 6) & (cov["level"] != "none")]
    assert len(iscms) == len(expect)
    assert list(iscms["ISCM"][:2]) == sorted(["Budapest Process", "RMFM"])
    assert set(iscms["Level"][:2]) == {gcm.GCM_LEVEL_LABELS["declared"]}
    _chart(at, f"States reached through the {len(expect)} ISCMs working on GCM objective 6")
    at = _open(app_test, section="Crosswalk")
    crosswalk = next(d.value for d in at.dataframe if "Why" in d.value.columns)
    assert len(crosswalk) == len(ds.theme_gcm) + len(ds.gcm_outside)
    assert "outside the GCM" in set(crosswalk["GCM objective"])


def test_filters_narrow_the_coverage_and_the_gaps(app_test, ds, cov):
    at = _open(app_test, region="Oceania")
    assert any("Region: Oceania" in shown(i.value) for i in at.info)
    oceania = [i for i, m in zip(ds.iscms["iscm_id"], ds.iscms["macro_regions"], strict=True) if "Oceania" in m]
    spec = _chart(at, f"GCM objectives covered by {len(oceania)} ISCMs")
    assert {cd[0] for t in spec["data"] for cd in t["customdata"]} == set(oceania)
    assert "Region: Oceania" in title_of(spec)

    at = _open(app_test, iscm="budapest-process")
    spec = _chart(at, "GCM objectives covered by 1 ISCMs")
    declared = next(t for t in spec["data"] if t["legendgroup"] == "declared")
    mine = cov[(cov["iscm_id"] == "budapest-process") & cov["declared"]]
    assert sorted(cd[1] for cd in declared["customdata"]) == sorted(mine["objective"].tolist())


def test_sort_by_number_of_objectives(app_test, cov):
    at = _open(app_test)
    at.selectbox(key="gcm_sort").set_value("count").run()
    spec = _chart(at, "GCM objectives covered by")
    top = spec["layout"]["yaxis"]["categoryarray"][0]
    assert top == "Budapest Process"  # it covers the most objectives, declared or derived
    assert "sorted by number of objectives covered" in title_of(spec)


def test_country_page_shows_the_gcm_objectives_of_its_iscms(app_test, ds, cov):
    at = _open(app_test, "pages/country.py", iso3="DEU", section="GCM objectives")
    spec = _chart(at, "GCM objectives the ISCMs of Germany work on")
    table = gcm.country_objectives(ds.memberships, ds.iscms, cov, ds.gcm_objectives, "DEU")
    declared, derived = spec["data"]
    assert _arr(declared["x"]) == table["n_declared"].tolist() and _arr(derived["x"]) == table["n_derived"].tolist()


def test_data_page_offers_the_data_package(app_test):
    at = _open(app_test, "pages/data.py")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Open data package (ZIP: CSVs + datapackage.json)" in labels
    assert [t.label for t in at.tabs][-4:] == ["gcm_objectives", "theme_gcm", "gcm_outside", "iscm_gcm"]
