"""The Membership page through AppTest: maps follow the URL (?iscm=), old country links, overlap."""

from __future__ import annotations

import json

import plotly.io as pio
import pytest

from tests import conftest
from tests.conftest import chart, charts, meta, table_with, title_of

PAGE = "pages/membership.py"


def open_page(app_test, **query):
    """Run the app, switch to the page, then set the URL: the way a deep link reaches the page."""
    return conftest.open_page(app_test, PAGE, **query)


def trace(spec: dict, name_start: str, kind: str = "choropleth") -> dict:
    found = [d for d in spec["data"] if d["type"] == kind and d.get("name", "").startswith(name_start)]
    assert len(found) == 1, [d.get("name") for d in spec["data"]]
    return found[0]


def classes(spec: dict, scale: str) -> dict[str, tuple[int, int]]:
    """iso3 -> (low, high) count class on a classed count map (one flat choropleth per class)."""
    out: dict[str, tuple[int, int]] = {}
    for d in spec["data"]:
        if d["type"] == "choropleth" and meta(d).get("scale") == scale:
            out.update(dict.fromkeys(d["locations"], tuple(meta(d)["count_bin"])))
    return out


def in_class(found: dict[str, tuple[int, int]], counts: dict[str, int]) -> bool:
    return set(found) == set(counts) and all(found[c][0] <= n <= found[c][1] for c, n in counts.items())


def test_iscm_filter_maps_prague_process_members(app_test, ds):
    at = open_page(app_test, iscm="prague-process")
    assert at.title[0].value == "Membership"
    rows = ds.memberships[ds.memberships.iscm_id == "prague-process"]
    spec = chart(at, "Prague Process: members and observers")
    member = trace(spec, "Member")
    assert set(member["locations"]) == set(rows.loc[rows.role == "member", "iso3"])
    assert member["name"] == f"Member ({(rows.role == 'member').sum()})"
    # zoomed on the region: Prague Process spans Europe to Central Asia, not the Americas
    lon0, lon1 = spec["layout"]["geo"]["lonaxis"]["range"]
    assert -40 < lon0 < 0 and lon1 > 60
    assert spec["layout"]["geo"]["resolution"] == 110
    # every chart gets the offline shapes
    for c in at.get("plotly_chart"):
        assert json.loads(c.proto.config)["topojsonURL"] == "/app/static/topojson/"
    # the local ISCM picker is replaced by the sidebar filter
    assert not [s for s in at.selectbox if s.key == "mb_iscm"]
    assert len(at.get("plotly_chart")) == 1  # only the open tab is drawn
    # density follows the filter: every Prague Process participant counts 1
    density = classes(chart(open_page(app_test, iscm="prague-process", section="Dialogue density"), "Dialogue density"),
                      "ISCMs")
    assert set(density.values()) == {(1, 1)} and set(density) == set(rows.iso3)


def test_default_view_maps_largest_rcp_and_has_every_section(app_test, ds):
    at = open_page(app_test)
    assert at.selectbox(key="mb_iscm").value == "prague-process"
    titles = [title_of(s) for s in charts(at)]
    assert titles == ["Prague Process: members and observers"]  # the first tab, alone
    assert at.get("download_button")[-1].proto.label == "Download all 4 charts (ZIP)"  # and the closed tabs'
    assert chart(open_page(app_test, section="Overlap"), "Shared members between ISCMs")
    density = classes(chart(open_page(app_test, section="Dialogue density"), "Dialogue density"), "ISCMs")
    participants = ds.memberships[ds.memberships.role.isin(["member", "observer"])]  # chairs hold no seat
    expected = participants.groupby("iso3")["iscm_id"].nunique()
    assert in_class(density, expected.to_dict())
    assert [t.label for t in at.tabs] == ["ISCM map", "Dialogue density", "Overlap", "Two ISCMs"]


def test_old_country_link_opens_the_country_page(app_test):
    at = open_page(app_test, country="DEU")
    assert at.title[0].value == "Germany"
    assert at.selectbox(key="cty_iso3").value == "DEU"


def test_several_iscms_show_counts(app_test):
    at = open_page(app_test, iscm="prague-process,budapest-process")
    spec = chart(at, "Participation in 2 selected ISCMs")
    z = classes(spec, "Selected ISCMs")
    assert set(z.values()) <= {(1, 1), (2, 2)} and z["DEU"] == (2, 2)


@pytest.mark.parametrize("metric", ["count", "jaccard"])
def test_overlap_matrix_and_pair(app_test, ds, metric):
    at = open_page(app_test, type="RCP", section="Overlap")
    at.radio(key="mb_overlap_metric").set_value(metric).run()
    assert not at.exception
    rcps = ds.iscms[ds.iscms.type == "RCP"]
    title = "Shared members between ISCMs" if metric == "count" else "Overlap of members between ISCMs"
    heat = pio.from_json(json.dumps(chart(at, title))).data[0]
    assert sorted(heat.x) == sorted(rcps.short_name)
    n = len(heat.x)
    members = ds.memberships[ds.memberships.role == "member"]
    sets = {name: set(members.loc[members.iscm_id == i, "iso3"])
            for i, name in zip(rcps.iscm_id, rcps.short_name, strict=True)}
    for r in range(n):
        for c in range(n):
            a, b = sets[heat.y[r]], sets[heat.x[c]]
            want = len(a & b) if metric == "count" else len(a & b) / len(a | b)
            assert heat.z[r][c] == pytest.approx(want)
    # the two-ISCM comparison defaults to a pair that overlaps, with matching counts and map
    at = open_page(app_test, type="RCP", section="Two ISCMs")
    a = at.selectbox(key="mb_pair_a").value
    b = at.selectbox(key="mb_pair_b").value
    assert a != b
    name = dict(zip(ds.iscms.iscm_id, ds.iscms.short_name, strict=True))
    both = set(members.loc[members.iscm_id == a, "iso3"]) & set(members.loc[members.iscm_id == b, "iso3"])
    assert {m.label: m.value for m in at.metric}["In both"] == str(len(both)) != "0"
    pair = chart(at, f"{name[a]} and {name[b]}: common and exclusive participants")
    assert set(trace(pair, "In both")["locations"]) == both
    side = table_with(at, "In both")
    assert list(side.columns) == ["In both", f"Only {name[a]}", f"Only {name[b]}"]
