"""The Membership page through AppTest: maps follow the URL (?iscm=), old country links, overlap."""

from __future__ import annotations

import json

import plotly.io as pio
import pytest

PAGE = "pages/membership.py"


def open_page(app_test, **query):
    """Run the app, switch to the page, then set the URL: the way a deep link reaches the page."""
    at = app_test().run()
    at.switch_page(PAGE)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def chart(at, title_start: str) -> dict:
    found = [s for s in charts(at) if s["layout"]["title"]["text"].startswith(title_start)]
    assert len(found) == 1, [s["layout"]["title"]["text"] for s in charts(at)]
    return found[0]


def table_with(at, *columns: str):
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def trace(spec: dict, name_start: str, kind: str = "choropleth") -> dict:
    found = [d for d in spec["data"] if d["type"] == kind and d.get("name", "").startswith(name_start)]
    assert len(found) == 1, [d.get("name") for d in spec["data"]]
    return found[0]


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
    # density follows the filter: every Prague Process participant counts 1
    density = trace(chart(at, "Dialogue density"), "ISCMs")
    assert set(density["z"]) == {1} and set(density["locations"]) == set(rows.iso3)


def test_default_view_maps_largest_rcp_and_has_every_section(app_test, ds):
    at = open_page(app_test)
    assert at.selectbox(key="mb_iscm").value == "prague-process"
    titles = [s["layout"]["title"]["text"] for s in charts(at)]
    assert titles[0] == "Prague Process: members and observers"
    assert titles[1].startswith("Dialogue density")
    assert any(t.startswith("Shared members between ISCMs") for t in titles)
    density = trace(chart(at, "Dialogue density"), "ISCMs")
    participants = ds.memberships[ds.memberships.role.isin(["member", "observer"])]  # chairs hold no seat
    expected = participants.groupby("iso3")["iscm_id"].nunique()
    assert dict(zip(density["locations"], density["z"], strict=True)) == expected.to_dict()
    assert [h.value for h in at.header] == ["ISCM map", "Dialogue density", "Overlap between ISCMs"]


def test_old_country_link_opens_the_country_page(app_test):
    at = open_page(app_test, country="DEU")
    assert at.title[0].value == "Germany"
    assert at.selectbox(key="cty_iso3").value == "DEU"


def test_several_iscms_show_counts(app_test):
    at = open_page(app_test, iscm="prague-process,budapest-process")
    spec = chart(at, "Participation in 2 selected ISCMs")
    counts = trace(spec, "Selected ISCMs")
    z = dict(zip(counts["locations"], counts["z"], strict=True))
    assert set(z.values()) <= {1, 2} and z["DEU"] == 2


@pytest.mark.parametrize("metric", ["count", "jaccard"])
def test_overlap_matrix_and_pair(app_test, ds, metric):
    at = open_page(app_test, type="RCP")
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
