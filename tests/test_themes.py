"""Thematic coverage: analysis (iscm.themes) and figure builders (iscm.figures.themes), on hand-made tables
and on the default dataset."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest

from iscm.figures import themes as figs
from iscm.textwidth import text_px
from iscm.themes import (
    CROSS_REGIONAL,
    cells,
    coverage_data,
    coverage_matrix,
    evolution_table,
    jaccard,
    order_rows,
    prevalence_table,
    region_group,
    similar_iscms,
    similar_table,
    similarity_order,
    theme_iscms,
    theme_order,
    theme_starts,
)
from tests.conftest import title_of


def coverage_heatmap(iscms, themes, links, *, group_by="none", sort="name", highlight=(), only_themes=None,
                     subtitle=""):
    """The coverage chart as the Themes page draws it: the core's table, then the figure."""
    data = coverage_data(iscms, themes, matrix=coverage_matrix(iscms, themes, links), detail=cells(links),
                         group_by=group_by, sort=sort, only_themes=only_themes)
    return figs.coverage_figure(data, group_by=group_by, sort=sort, highlight=highlight, subtitle=subtitle)


def prevalence_figure(iscms, themes, links, *, by="type", highlight=(), subtitle=""):
    return figs.prevalence_figure(prevalence_table(iscms, themes, matrix=coverage_matrix(iscms, themes, links), by=by),
                                  len(iscms), by=by, highlight=highlight, subtitle=subtitle)



# ---------------------------------------------------------------------------------------------- tiny tables
def _iscms(rows: list[tuple[str, str, str, str, int | None]]) -> pd.DataFrame:
    """(id, name, type, macro_regions, established)"""
    df = pd.DataFrame(rows, columns=["iscm_id", "short_name", "type", "macro_regions", "established"])
    df["established"] = pd.array(df["established"].tolist(), dtype="Int64")
    return df


def _themes(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"theme_id": ids, "label": [i.upper() for i in ids]})


def _links(rows: list[tuple]) -> pd.DataFrame:
    """(iscm, theme, level[, since[, evidence[, source[, provenance]]]])"""
    full = [(*r, *(None, "", "", "curated")[len(r) - 3:]) for r in rows]
    df = pd.DataFrame(full, columns=["iscm_id", "theme_id", "level", "since", "evidence", "source", "provenance"])
    df["since"] = pd.array(df["since"].tolist(), dtype="Int64")
    return df


@pytest.fixture
def tiny():
    iscms = _iscms([
        ("a", "Alpha", "RCP", "Africa", 2000),
        ("b", "bravo", "IRF", "Africa; Europe", 2005),
        ("c", "Charlie", "RCP", "Asia", 1995),
        ("d", "Delta", "Global", "Global", None),
    ])
    themes = _themes(["t1", "t2", "t3", "t4"])
    links = _links([
        ("a", "t1", "focus", None, "ev a1", "src a1"),
        ("a", "t2", "mentioned", 2003, "ev a2", "src a2"),
        ("b", "t1", "focus"),
        ("b", "t2", "focus"),
        ("b", "t3", "focus"),
        ("c", "t3", "mentioned"),
        ("d", "t1", "focus"),
        ("d", "t2", "focus"),
        ("d", "t3", "focus"),
        ("d", "t4", "mentioned"),
    ])
    return iscms, themes, links


# ---------------------------------------------------------------------------------------------- analysis
def test_matrix_has_three_states_and_every_theme(tiny):
    iscms, themes, links = tiny
    m = coverage_matrix(iscms, themes, links)
    assert list(m.columns) == ["t1", "t2", "t3", "t4"]
    assert m.loc["a", "t1"] == "focus" and m.loc["a", "t2"] == "mentioned" and m.loc["a", "t3"] == "none"
    assert m.loc["c"].tolist() == ["none", "none", "mentioned", "none"]


def test_strongest_level_wins_and_sources_are_joined():
    links = _links([
        ("x", "t1", "mentioned", 2015, "survey says", "IOM 2019", "survey"),
        ("x", "t1", "focus", 2010, "charter says", "https://x.org", "curated"),
        ("x", "t1", "focus", 2008, "action plan", "https://x.org/plan", "curated"),
    ])
    c = cells(links)
    assert len(c) == 1
    row = c.iloc[0]
    assert row["level"] == "focus" and row["since"] == 2008  # earliest year at the winning level
    assert row["evidence"] == "charter says; action plan"
    assert row["source"] == "https://x.org; https://x.org/plan" and row["provenance"] == "curated"


def test_columns_ordered_by_prevalence_then_focus_then_taxonomy(tiny):
    iscms, themes, links = tiny
    m = coverage_matrix(iscms, themes, links)
    # t1: 3 ISCMs (3 focus); t2: 3 (2 focus); t3: 3 (2 focus, after t2 in taxonomy); t4: 1
    assert theme_order(m) == ["t1", "t2", "t3", "t4"]
    # t4 now 3 ISCMs, all focus: ties t1 (taxonomy order decides) and beats t2/t3 (fewer foci)
    links2 = pd.concat([links[links["theme_id"] != "t4"],
                        _links([("a", "t4", "focus"), ("c", "t4", "focus"), ("d", "t4", "focus")])],
                       ignore_index=True)
    assert theme_order(coverage_matrix(iscms, themes, links2)) == ["t1", "t4", "t2", "t3"]


def test_row_order_by_name_is_case_insensitive(tiny):
    iscms, themes, links = tiny
    m = coverage_matrix(iscms, themes, links)
    assert [i for _, i in order_rows(m, iscms, sort="name")] == ["a", "b", "c", "d"]


def test_row_order_by_count_most_themes_first_ties_by_name(tiny):
    iscms, themes, links = tiny
    m = coverage_matrix(iscms, themes, links)
    # d: 4 themes, b: 3, a: 2, c: 1
    assert [i for _, i in order_rows(m, iscms, sort="count")] == ["d", "b", "a", "c"]
    iscms2 = _iscms([("p", "Zed", "RCP", "Asia", 2000), ("q", "Ant", "RCP", "Asia", 2000)])
    m2 = coverage_matrix(iscms2, themes, _links([("p", "t1", "focus"), ("q", "t2", "mentioned")]))
    assert [i for _, i in order_rows(m2, iscms2, sort="count")] == ["q", "p"]


def test_row_order_grouped_by_type_keeps_type_order(tiny):
    iscms, themes, links = tiny
    m = coverage_matrix(iscms, themes, links)
    assert order_rows(m, iscms, sort="name", group_by="type") == [
        ("RCP", "a"), ("RCP", "c"), ("IRF", "b"), ("Global", "d")]


def test_region_group_is_one_region_or_cross_regional(tiny):
    iscms, themes, links = tiny
    assert region_group("Africa") == "Africa"
    assert region_group("Africa; Europe") == CROSS_REGIONAL
    m = coverage_matrix(iscms, themes, links)
    assert order_rows(m, iscms, sort="name", group_by="region") == [
        ("Africa", "a"), ("Asia", "c"), ("Global", "d"), (CROSS_REGIONAL, "b")]


def test_unknown_sort_or_grouping_is_refused(tiny):
    iscms, themes, links = tiny
    m = coverage_matrix(iscms, themes, links)
    with pytest.raises(ValueError, match="unknown sort 'size'"):
        order_rows(m, iscms, sort="size")
    with pytest.raises(ValueError, match="unknown grouping 'colour'"):
        order_rows(m, iscms, group_by="colour")


def _cluster_fixture() -> pd.DataFrame:
    """Two clear clusters of theme vectors (ids chosen so that name order interleaves them) + an empty row."""
    rows = {
        "i1": [1, 1, 1, 0, 0, 0], "i2": [0, 0, 0, 1, 1, 1], "i3": [1, 1, 0, 0, 0, 0],
        "i4": [0, 0, 0, 1, 1, 0], "i5": [1, 1, 1, 1, 0, 0], "i6": [0, 0, 0, 0, 0, 0],
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=[f"t{k}" for k in range(6)]).astype(bool)


def test_similarity_order_puts_alike_rows_together_and_is_deterministic():
    vec = _cluster_fixture()
    order = similarity_order(vec)
    assert sorted(order) == sorted(vec.index)
    pos = {i: order.index(i) for i in order}
    first, second = {"i1", "i3", "i5"}, {"i2", "i4"}
    # each cluster is contiguous
    assert max(pos[i] for i in first) - min(pos[i] for i in first) == 2
    assert max(pos[i] for i in second) - min(pos[i] for i in second) == 1
    # same data in another row order -> same result
    for seed in range(5):
        idx = list(vec.index)
        random.Random(seed).shuffle(idx)
        assert similarity_order(vec.loc[idx]) == order


def test_similarity_sort_within_matrix(tiny):
    iscms, themes, links = tiny
    m = coverage_matrix(iscms, themes, links)
    order = [i for _, i in order_rows(m, iscms, sort="similarity")]
    # b and d share t1-t3 (Jaccard 0.75): adjacent; c (only t3) is the outlier at one end
    assert abs(order.index("b") - order.index("d")) == 1
    assert order.index("c") in (0, 3)


def test_jaccard_values():
    assert jaccard({"x", "y"}, {"y", "z"}) == pytest.approx(1 / 3)
    assert jaccard({"x"}, {"x"}) == 1.0
    assert jaccard(set(), set()) == 0.0
    assert jaccard({"x"}, set()) == 0.0


def test_similar_iscms_on_hand_made_table(tiny):
    iscms, themes, links = tiny
    m = coverage_matrix(iscms, themes, links)
    sim = similar_iscms(m, "b")
    # b = {t1,t2,t3}; d = {t1..t4} -> 3/4; a = {t1,t2} -> 2/3; c = {t3} -> 1/3
    assert sim["iscm_id"].tolist() == ["d", "a", "c"]
    assert sim["jaccard"].tolist() == pytest.approx([0.75, 2 / 3, 1 / 3])
    d = sim.iloc[0]
    assert d["shared"] == ("t1", "t2", "t3") and d["only_selected"] == () and d["only_other"] == ("t4",)
    c = sim.iloc[2]
    assert c["shared"] == ("t3",) and c["only_selected"] == ("t1", "t2")
    # n limits, candidates restrict, ISCMs sharing nothing are dropped
    assert similar_iscms(m, "b", n=1)["iscm_id"].tolist() == ["d"]
    assert similar_iscms(m, "b", candidates=["a", "c"])["iscm_id"].tolist() == ["a", "c"]
    assert "c" not in similar_iscms(m, "a")["iscm_id"].tolist()
    with pytest.raises(KeyError, match="'zz'"):
        similar_iscms(m, "zz")


def test_prevalence_groups_add_up_to_iscms_covering(tiny):
    iscms, themes, links = tiny
    by_type = prevalence_table(iscms, themes, matrix=coverage_matrix(iscms, themes, links), by="type")
    t1 = by_type[by_type["theme_id"] == "t1"].set_index("group")
    assert t1["n_iscms"].to_dict() == {"RCP": 1, "IRF": 1, "Global": 1}
    t3 = by_type[by_type["theme_id"] == "t3"].set_index("group")
    assert t3.loc["RCP", "n_mentioned"] == 1 and t3.loc["RCP", "iscms"] == "Charlie"
    by_region = prevalence_table(iscms, themes, matrix=coverage_matrix(iscms, themes, links), by="region")
    assert by_region.groupby("theme_id")["n_iscms"].sum().to_dict() == {"t1": 3, "t2": 3, "t3": 3, "t4": 1}


def test_theme_iscms_lists_focus_first(tiny):
    iscms, themes, links = tiny
    t2 = theme_iscms(iscms, "t2", detail=cells(links))
    assert t2["iscm_id"].tolist() == ["b", "d", "a"]
    assert t2["level"].tolist() == ["focus", "focus", "mentioned"]
    assert t2.loc[t2["iscm_id"] == "a", "since"].iloc[0] == 2003


def test_theme_starts_use_since_else_established(tiny):
    iscms, themes, links = tiny
    s = theme_starts(iscms, detail=cells(links)).set_index(["iscm_id", "theme_id"])
    assert s.loc[("a", "t2"), "start"] == 2003 and s.loc[("a", "t2"), "basis"] == "since"
    assert s.loc[("a", "t1"), "start"] == 2000 and s.loc[("a", "t1"), "basis"] == "established"
    assert ("d", "t1") not in s.index  # d has no year at all


def test_evolution_is_cumulative_by_year(tiny):
    iscms, themes, links = tiny
    evo = evolution_table(iscms, themes, end_year=2010, starts=theme_starts(iscms, detail=cells(links)))
    assert evo["year"].min() == 1995 and evo["year"].max() == 2010
    t2 = evo[evo["theme_id"] == "t2"].set_index("year")
    assert t2.loc[2002, "cumulative"] == 0
    assert t2.loc[2003, "cumulative"] == 1 and t2.loc[2003, "new_iscms"] == "Alpha"
    assert t2.loc[2005, "new"] == 1 and t2.loc[2010, "cumulative"] == 2
    t3 = evo[evo["theme_id"] == "t3"].set_index("year")
    assert t3.loc[1995, "cumulative"] == 1 and t3.loc[2005, "cumulative"] == 2


# ---------------------------------------------------------------------------------------------- figures
def _trace(fig, prefix: str):
    return next(t for t in fig.data if t.name.startswith(prefix))


def test_coverage_figure_encodes_three_states_with_legend(tiny):
    iscms, themes, links = tiny
    fig = coverage_heatmap(iscms, themes, links)
    names = [t.name for t in fig.data]
    assert names == ["Declared focus (7)", "Mentioned only (3)", "Not covered (6)"]
    symbols = [t.marker.symbol for t in fig.data]
    colors = [t.marker.color for t in fig.data]
    assert len(set(symbols)) == 2 and len(set(colors)) == 3 and fig.data[0].marker.size > fig.data[2].marker.size
    assert all(t.showlegend is not False for t in fig.data)
    assert title_of(fig).startswith("Thematic coverage of 4 ISCMs")
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text == "ISCM"
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
    mentioned = _trace(fig, "Mentioned")
    i = [tuple(c[:2]) for c in mentioned.customdata].index(("a", "t2"))
    assert mentioned.x[i] == "T2" and mentioned.y[i] == "Alpha"
    assert "Mentioned only since 2003" in mentioned.hovertext[i]
    assert "Evidence: ev a2" in mentioned.hovertext[i] and "Source: src a2" in mentioned.hovertext[i]


def test_coverage_figure_orders_rows_and_columns(tiny):
    iscms, themes, links = tiny
    fig = coverage_heatmap(iscms, themes, links, sort="count")
    assert list(fig.layout.yaxis.categoryarray) == ["Delta", "bravo", "Alpha", "Charlie"]
    assert list(fig.layout.xaxis.categoryarray) == ["T1", "T2", "T3", "T4"]
    grouped = coverage_heatmap(iscms, themes, links, group_by="type", sort="name")
    assert list(grouped.layout.yaxis.categoryarray) == [
        "<b>RCP · Regional consultative process</b>", "Alpha", "Charlie",
        "<b>IRF · Interregional forum</b>", "bravo", "<b>Global · Global process</b>", "Delta"]


def test_coverage_highlight_and_only_themes(tiny):
    iscms, themes, links = tiny
    fig = coverage_heatmap(iscms, themes, links, highlight=["t3"])
    assert len(fig.layout.shapes) == 1
    shape = fig.layout.shapes[0]
    assert (shape.x0, shape.x1) == (1.5, 2.5)  # third column
    assert "<b>T3</b>" in fig.layout.xaxis.ticktext and "T1" in fig.layout.xaxis.ticktext
    only = coverage_heatmap(iscms, themes, links, only_themes=["t3"])
    assert list(only.layout.xaxis.categoryarray) == ["T3"]
    assert sum(len(t.x) for t in only.data) == 4


def test_coverage_height_grows_with_rows_and_margins_hold_the_labels():
    themes = _themes(["t1", "t2"])
    heights, lefts = [], []
    for n, name in ((10, "Short {k}"), (20, "A long ISCM name number {k}"), (40, "A longer ISCM name, number {k}")):
        iscms = _iscms([(f"i{k:02d}", name.format(k=k), "RCP", "Asia", 2000) for k in range(n)])
        links = _links([(f"i{k:02d}", "t1", "focus") for k in range(n)])
        fig = coverage_heatmap(iscms, themes, links)
        heights.append(fig.layout.height)
        lefts.append(fig.layout.margin.l)
        # margins from the labels' widths, not Plotly's automargin (which draws the grid twice in the browser)
        assert not fig.layout.xaxis.automargin and not fig.layout.yaxis.automargin
        widest = max(text_px(t, 13, screen=True) for t in fig.layout.yaxis.ticktext)
        assert fig.layout.margin.l >= widest + 20  # the labels and the axis title "ISCM" beside them
        last = text_px(fig.layout.xaxis.ticktext[-1], 13, screen=True)
        assert fig.layout.margin.r >= last * math.cos(math.radians(figs.TICK_ANGLE))  # the last slanted label
        assert len(fig.layout.yaxis.categoryarray) == n
    assert heights[0] < heights[1] < heights[2]
    assert heights[2] - heights[1] == 20 * figs.ROW_PX
    assert lefts[0] < lefts[1] < lefts[2]


def test_prevalence_figure_stacks_groups(tiny):
    iscms, themes, links = tiny
    fig = prevalence_figure(iscms, themes, links, by="type", highlight=["t4"])
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["RCP · Regional consultative process", "IRF · Interregional forum",
                                         "Global · Global process"]
    totals: dict[str, int] = {}
    for t in fig.data:
        for y, x in zip(t.y, t.x, strict=True):
            totals[y] = totals.get(y, 0) + int(x)
    assert totals == {"T1": 3, "T2": 3, "T3": 3, "T4": 1}
    glob = fig.data[2]
    assert list(glob.marker.opacity) == [0.4, 0.4, 0.4, 1.0]  # only the highlighted theme at full colour
    assert [c[0] for c in glob.customdata] == ["t1", "t2", "t3", "t4"]
    assert fig.layout.xaxis.title.text.startswith("Number of ISCMs")


def test_evolution_figure_cells(tiny):
    iscms, themes, links = tiny
    evo = evolution_table(iscms, themes, end_year=2006, starts=theme_starts(iscms, detail=cells(links)))
    fig = figs.evolution_figure(evo, highlight=["t3"])
    hm = fig.data[0]
    years = list(hm.x)
    row = list(hm.y).index("T2")
    assert hm.z[row][years.index(2002)] is None and hm.z[row][years.index(2005)] == 2
    assert list(hm.y)[0] == "T3"  # earliest start (Charlie, 1995) at the top
    assert "<b>T3</b>" in fig.layout.yaxis.ticktext
    assert fig.layout.xaxis.title.text == "Year"


def test_similar_figure_and_table(tiny):
    iscms, themes, links = tiny
    table = similar_table(iscms, themes, "b", matrix=coverage_matrix(iscms, themes, links))
    assert table["iscm"].tolist() == ["Delta", "Alpha", "Charlie"]
    assert table.loc[0, "only_other"] == "T4" and table.loc[0, "n_shared"] == 3
    fig = figs.similar_figure(table, "bravo")
    assert [t.name for t in fig.data] == ["Shared themes", "Only in bravo", "Only in the other ISCM"]
    assert list(fig.data[0].x) == [3, 2, 1] and fig.data[0].y[0] == "Delta (J = 0.75)"
    assert [c[0] for c in fig.data[0].customdata] == ["d", "a", "c"]


# ---------------------------------------------------------------------------------------------- real data
def test_prague_process_asylum_is_focus_since_2012(ds):
    m = coverage_matrix(ds.iscms, ds.themes, ds.iscm_themes)
    assert m.loc["prague-process", "asylum_protection"] == "focus"
    data = coverage_data(ds.iscms, ds.themes, matrix=m, detail=cells(ds.iscm_themes))
    cell = data[(data["iscm_id"] == "prague-process") & (data["theme_id"] == "asylum_protection")].iloc[0]
    assert cell["level"] == "focus" and cell["since"] == 2012
    assert "2012" in cell["evidence"] and cell["source"]
    fig = figs.coverage_figure(data)
    focus = _trace(fig, "Declared focus")
    i = [tuple(c[:2]) for c in focus.customdata].index(("prague-process", "asylum_protection"))
    assert focus.y[i] == "Prague Process" and focus.x[i] == "Asylum and international protection"
    assert "Declared focus since 2012" in focus.hovertext[i]


def test_real_prevalence_counts_equal_iscm_themes(ds):
    expected = ds.iscm_themes.groupby("theme_id")["iscm_id"].nunique()
    for by in ("type", "region"):
        table = prevalence_table(ds.iscms, ds.themes, matrix=coverage_matrix(ds.iscms, ds.themes, ds.iscm_themes), by=by)
        got = table.groupby("theme_id")["n_iscms"].sum()
        assert got.to_dict() == expected.reindex(got.index, fill_value=0).to_dict()
    fig = prevalence_figure(ds.iscms, ds.themes, ds.iscm_themes)
    order = list(fig.layout.yaxis.categoryarray)
    labels = dict(zip(ds.themes["label"], ds.themes["theme_id"], strict=True))
    counts = [int(expected.get(labels[lab], 0)) for lab in order]
    assert counts == sorted(counts, reverse=True)


def test_real_coverage_cells_match_iscm_themes(ds):
    data = coverage_data(ds.iscms, ds.themes, matrix=coverage_matrix(ds.iscms, ds.themes, ds.iscm_themes),
                         detail=cells(ds.iscm_themes), group_by="region", sort="similarity")
    assert len(data) == len(ds.iscms) * len(ds.themes)
    covered = data[data["level"] != "none"]
    pairs = set(zip(ds.iscm_themes["iscm_id"], ds.iscm_themes["theme_id"], strict=True))
    assert set(zip(covered["iscm_id"], covered["theme_id"], strict=True)) == pairs
    levels = cells(ds.iscm_themes).set_index(["iscm_id", "theme_id"])["level"]
    assert (covered.set_index(["iscm_id", "theme_id"])["level"] == levels.reindex(
        covered.set_index(["iscm_id", "theme_id"]).index)).all()


# ---------------------------------------------------------------------------------------------- fast figures
def _passes_plotly_validation(fig) -> None:
    """The figures are built unvalidated (iscm.figures.fast): Plotly's validating constructor must accept
    them (it raises on a misspelt or out-of-range property) and must not change a thing in them."""
    import plotly.graph_objects as go

    spec = fig.to_dict()
    assert go.Figure(spec).to_dict() == spec


def test_theme_figures_pass_plotly_validation(tiny, ds):
    iscms, themes, links = tiny
    for i, t, lk in ((iscms, themes, links), (ds.iscms, ds.themes, ds.iscm_themes)):
        for group_by in ("none", "type"):
            _passes_plotly_validation(coverage_heatmap(i, t, lk, group_by=group_by, sort="similarity",
                                                            highlight=[t["theme_id"].iloc[0]], subtitle="S"))
        _passes_plotly_validation(prevalence_figure(i, t, lk, by="region", highlight=[t["theme_id"].iloc[0]]))
        evo = evolution_table(i, t, starts=theme_starts(i, detail=cells(lk)))
        _passes_plotly_validation(figs.evolution_figure(evo, highlight=[t["theme_id"].iloc[0]]))
        sim = similar_table(i, t, i["iscm_id"].iloc[0], matrix=coverage_matrix(i, t, lk))
        _passes_plotly_validation(figs.similar_figure(sim, "X"))
        _passes_plotly_validation(figs.similar_figure(sim.iloc[:0], "X"))  # the empty chart has a note
    none = evolution_table(iscms.iloc[:0], themes, starts=theme_starts(iscms.iloc[:0], detail=cells(links.iloc[:0])))
    _passes_plotly_validation(figs.evolution_figure(none))


def test_house_style_is_one_registered_template():
    """Every figure, dict-built or styled through Plotly's API, carries the layout of the one "iscm" template."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from iscm.figures._house import TITLE_LINE_PX, TOOLBAR_PX, house_layout, merge, style
    from iscm.figures.fast import figure
    from iscm.palette import FONT

    template = pio.templates["iscm"].layout.to_plotly_json()
    assert template["font"]["family"] == FONT and template["paper_bgcolor"] == "rgba(0,0,0,0)"
    for kwargs in ({}, {"subtitle": "Sub", "x_title": "X", "y_title": "Y", "height": 420}, {"y_title": None}):
        styled = style(go.Figure(), "Title", **kwargs).to_dict()["layout"]
        built = figure([], house_layout("Title", **kwargs)).to_dict()["layout"]
        assert built == styled
        for key in ("font", "paper_bgcolor", "plot_bgcolor", "legend"):
            assert built[key] == template[key]
        assert built["title"]["text"].startswith("Title")
        # the top margin holds the toolbar strip and the title's lines (two with a subtitle)
        lines = 2 if kwargs.get("subtitle") else 1
        assert {**built["margin"], "t": None} == {**template["margin"], "t": None}
        assert built["margin"]["t"] == TOOLBAR_PX + TITLE_LINE_PX * lines + 14
    # merge() works like update_layout: nested keys merge, later parts win, inputs stay untouched
    base = {"legend": {"x": 0, "font": {"size": 10}}, "height": 300}
    merged = merge(base, None, {"legend": {"font": {"color": "red"}}, "height": 400})
    assert merged == {"legend": {"x": 0, "font": {"size": 10, "color": "red"}}, "height": 400}
    assert base == {"legend": {"x": 0, "font": {"size": 10}}, "height": 300}


def test_frozen_figure_draws_the_same_and_copies_stay_independent(tiny):
    import copy
    import pickle

    import plotly.io as pio

    from iscm.export import report_figure
    from iscm.figures.fast import FrozenFigure, freeze

    iscms, themes, links = tiny
    fig = prevalence_figure(iscms, themes, links, highlight=["t1"])  # an equal, unfrozen figure
    frozen = freeze(prevalence_figure(iscms, themes, links, highlight=["t1"]))
    assert isinstance(frozen, FrozenFigure) and not isinstance(fig, FrozenFigure)
    assert frozen.to_dict() is frozen.to_dict()  # computed once: no copy per chart drawn
    assert frozen.to_dict() == fig.to_dict() and pio.to_json(frozen) == pio.to_json(fig)
    assert frozen.layout.title.text == fig.layout.title.text and len(frozen.data) == len(fig.data)
    # the report export works on a copy; the frozen figure is untouched
    before = copy.deepcopy(frozen.to_dict())
    report_figure(frozen, title="T", sources=["https://example.org"], filters_text="", data_date="2026-01-01")
    assert frozen.to_dict() == before
    # copies and pickles still carry the whole figure
    assert copy.deepcopy(frozen).to_dict() == before and pickle.loads(pickle.dumps(frozen)).to_dict() == before
