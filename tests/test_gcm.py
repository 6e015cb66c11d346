"""The GCM lens: the crosswalk file, validation messages, coverage tables and the figures drawn from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly.graph_objects as go
import pytest
import yaml

from iscm import gcm
from iscm.cli import main
from iscm.dataset import DatasetError, load
from iscm.figures import gcm as figs
from iscm.textwidth import text_px
from tests.conftest import title_of

ROOT = Path(__file__).resolve().parents[1]
GCM_YAML = ROOT / "data" / "gcm.yaml"


@pytest.fixture(scope="module")
def raw():
    """data/gcm.yaml as plain YAML, read independently of the loader."""
    return yaml.safe_load(GCM_YAML.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cov(ds):
    return gcm.coverage(ds.iscms, ds.iscm_themes, ds.theme_gcm, ds.iscm_gcm, ds.gcm_objectives)


# ------------------------------------------------------------------------------------------- the crosswalk
def test_every_objective_1_to_23_present_once(raw, ds):
    numbers = [o["number"] for o in raw["objectives"]]
    assert sorted(numbers) == list(range(1, 24)) and len(numbers) == len(set(numbers))
    assert ds.gcm_objectives["objective"].tolist() == list(range(1, 24))
    assert ds.gcm_objectives["label"].str.len().min() > 10 and ds.gcm_objectives["short_label"].str.len().min() > 2


def test_every_theme_mapped_or_outside_with_a_reason(raw, ds):
    themes = set(ds.themes["theme_id"])
    by_theme = {e["theme"]: e for e in raw["crosswalk"]}
    assert set(by_theme) == themes and len(raw["crosswalk"]) == len(themes)
    for t, e in by_theme.items():
        mapped, outside = bool(e.get("objectives")), bool(str(e.get("outside") or "").strip())
        assert mapped != outside, t
        for link in e.get("objectives", []):
            assert 1 <= link["objective"] <= 23 and link["rationale"].strip(), (t, link)
    assert set(ds.gcm_outside["theme_id"]) == {t for t, e in by_theme.items() if e.get("outside")}
    assert "asylum_protection" in set(ds.gcm_outside["theme_id"])  # the Global Compact on Refugees' domain
    assert set(ds.theme_gcm["theme_id"]) | set(ds.gcm_outside["theme_id"]) == themes


def test_derived_coverage_is_the_union_over_the_iscms_themes(raw, ds, cov):
    objectives_of = {e["theme"]: {link["objective"] for link in e.get("objectives", [])} for e in raw["crosswalk"]}
    for iscm_id in ds.iscms["iscm_id"]:
        themes = set(ds.iscm_themes.loc[ds.iscm_themes["iscm_id"] == iscm_id, "theme_id"])
        union = set().union(*(objectives_of[t] for t in themes)) if themes else set()
        mine = cov[cov["iscm_id"] == iscm_id]
        assert set(mine.loc[mine["derived"], "objective"]) == union, iscm_id
        for n, via in zip(mine["objective"], mine["via_themes"], strict=True):  # the themes named are the reason
            assert {t for t in via.split("; ") if t} == {t for t in themes if n in objectives_of[t]}


def test_declared_outranks_derived(ds, cov):
    named = ds.iscm_gcm.dropna(subset=["objective"])
    declared = {(i, int(n)) for i, n in zip(named["iscm_id"], named["objective"], strict=True)}
    assert declared, "the default data declares objectives for some ISCMs"
    both = cov[cov["declared"] & cov["derived"]]
    assert len(both) > 0 and set(both["level"]) == {"declared"}
    assert set(zip(cov.loc[cov["level"] == "declared", "iscm_id"], cov.loc[cov["level"] == "declared", "objective"],
                   strict=True)) == declared
    rest = cov[~cov["declared"]]
    assert (rest["level"] == rest["derived"].map({True: "derived", False: "none"})).all()
    budapest_11 = cov[(cov["iscm_id"] == "budapest-process") & (cov["objective"] == 11)].iloc[0]
    assert budapest_11["level"] == "declared" and "irregular_migration" in budapest_11["via_themes"]
    assert "migrationnetwork.un.org" in budapest_11["source"]


def test_sources_naming_the_compact_as_a_whole_are_kept_apart(ds, cov):
    whole = gcm.whole_compact(ds.iscms, ds.iscm_gcm)
    files = {p.stem for p in (ROOT / "data" / "iscms").glob("*.yaml")
             if any(not e.get("objectives") for e in yaml.safe_load(p.read_text(encoding="utf-8")).get("gcm", []))}
    assert set(whole["iscm_id"]) == files and "rabat-process" in files
    rabat = cov[cov["iscm_id"] == "rabat-process"]
    assert "declared" not in set(rabat["level"])  # naming the compact says nothing about which objectives


# ------------------------------------------------------------------------------------------- validation
def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def test_broken_crosswalk_gets_one_clear_line_per_problem(tmp_path, capsys):
    data = _copy(tmp_path)
    doc = yaml.safe_load((data / "gcm.yaml").read_text(encoding="utf-8"))
    doc["objectives"] = [o for o in doc["objectives"] if o["number"] != 7] + [dict(doc["objectives"][2])]
    cw = {e["theme"]: e for e in doc["crosswalk"]}
    cw["health"]["outside"] = "also outside"
    del cw["smuggling"]
    cw["trafficking"]["objectives"][0]["objective"] = 31
    cw["migrant_rights"] = {"theme": "migrant_rights"}
    doc["crosswalk"] = [*cw.values(), {"theme": "piracy", "outside": "not ours"}]
    (data / "gcm.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert main(["validate", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    expected = [
        "gcm.yaml:objectives: objective 7 is missing — add it",
        "gcm.yaml:objectives[22].number: objective 3 is listed twice (also objectives[2]) — keep one entry",
        "is both mapped to objectives and marked outside the GCM — keep either `objectives` or `outside`",
        "gcm.yaml:crosswalk: theme 'smuggling' is not in the crosswalk — add it with its objectives, or with",
        ".objectives[0].objective: 31 is not a GCM objective — use a number from 1 to 23",
        "theme 'migrant_rights' has neither objectives nor a reason for being outside the GCM — add",
        "unknown theme id 'piracy' — use an id from themes.yaml",
    ]
    for line in expected:
        assert line in err, (line, err)


def test_iscm_gcm_entry_problems_name_the_field(tmp_path):
    data = _copy(tmp_path)
    f = data / "iscms" / "rmfm.yaml"
    text = f.read_text(encoding="utf-8")
    text = text.replace("- objectives: [6, 23]", "- objectives: [6, 24, 6]")
    text += "- evidence: Names the compact\n  source: https://example.org/not-listed\n"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError) as e:
        load(data)
    got = [str(p) for p in e.value.problems]
    assert "iscms/rmfm.yaml:gcm[0].objectives[1]: 24 is not a GCM objective — use a number from 1 to 23, or no " \
           "objectives for the compact as a whole" in got
    assert "iscms/rmfm.yaml:gcm[0].objectives[2]: objective 6 is listed twice — keep each objective once per " \
           "entry" in got
    assert "iscms/rmfm.yaml:gcm[1].source: source 'https://example.org/not-listed' is not in this file's sources " \
           "— add it to sources or cite one listed there" in got
    assert len(got) == 3
    assert f.read_text(encoding="utf-8") == text  # stored data is never changed


def test_a_data_directory_without_gcm_yaml_still_loads(tmp_path):
    data = _copy(tmp_path)
    (data / "gcm.yaml").unlink()
    ds = load(data)
    assert ds.gcm_objectives.empty and ds.theme_gcm.empty and len(ds.iscm_gcm) > 0
    cov = gcm.coverage(ds.iscms, ds.iscm_themes, ds.theme_gcm, ds.iscm_gcm, ds.gcm_objectives)
    assert set(cov["level"]) == {"declared", "none"}  # only what ISCMs declare themselves


# ------------------------------------------------------------------------------------------- tables
def test_the_crosswalk_reaches_every_objective_but_save_lives(raw, ds):
    """Only objective 8 (save lives) has no theme: linking it to 'irregular migration' would read preventing
    journeys as saving lives. Objectives 3, 4, 12, 13, 14 and 22 are reached through the themes below."""
    assert gcm.unmapped(ds.gcm_objectives, ds.theme_gcm) == [8]
    links = set(zip(ds.theme_gcm["theme_id"], ds.theme_gcm["objective"].astype(int), strict=True))
    assert {("labour_migration", 3), ("labour_migration", 22), ("return_reintegration", 4),
            ("return_reintegration", 14), ("trafficking", 12), ("border_management", 12),
            ("migrant_rights", 13), ("migrant_rights", 14)} <= links
    for e in raw["crosswalk"]:
        for link in e.get("objectives", []):
            assert link["source"].startswith("https://") and "/ru/" not in link["source"], (e["theme"], link)
    no_themes = ds.theme_gcm.iloc[0:0]
    assert gcm.unmapped(ds.gcm_objectives, no_themes) == list(range(1, 24))


def test_region_gaps_are_objectives_no_iscm_of_the_region_covers(ds, cov):
    table = gcm.region_table(ds.iscms, cov, ds.gcm_objectives)
    unmapped = gcm.unmapped(ds.gcm_objectives, ds.theme_gcm)
    gaps = gcm.gaps(table, unmapped)
    covered = set(zip(cov.loc[cov["level"] != "none", "iscm_id"], cov.loc[cov["level"] != "none", "objective"],
                      strict=True))
    for region in set(table["region"]):
        ids = [i for i, m in zip(ds.iscms["iscm_id"], ds.iscms["macro_regions"], strict=True)
               if region in m.split("; ")]
        expect = {n for n in range(1, 24) if not any((i, n) in covered for i in ids) and n not in unmapped}
        assert set(gaps.loc[gaps["region"] == region, "objective"]) == expect, region
        row = table[(table["region"] == region) & (table["objective"] == 5)].iloc[0]
        assert row["n_region_iscms"] == len(ids)
        assert row["n_iscms"] == sum((i, 5) in covered for i in ids)
    # no theme reaches 'save lives' and no ISCM declares it: the crosswalk's gap, not Europe's
    assert 8 in set(gcm.gaps(table).loc[lambda d: d["region"] == "Europe", "objective"])
    assert 8 not in set(gaps["objective"])
    for region in ("Africa", "Americas", "Asia", "Europe"):  # the old crosswalk left these empty everywhere
        assert not {3, 12, 13, 22} & set(gaps.loc[gaps["region"] == region, "objective"]), region


def test_one_objective_lists_its_iscms_declared_first(ds, cov):
    table = gcm.objective_iscms(ds.iscms, cov, 6, dict(zip(ds.themes["theme_id"], ds.themes["label"], strict=True)))
    expect = set(cov.loc[(cov["objective"] == 6) & (cov["level"] != "none"), "iscm_id"])
    assert set(table["iscm_id"]) == expect
    levels = table["level"].tolist()
    assert levels == sorted(levels) and levels[:2] == ["declared", "declared"]  # Budapest Process and RMFM
    assert set(table["iscm_id"][:2]) == {"budapest-process", "rmfm"}
    derived_row = table[table["level"] == "derived"].iloc[0]
    assert "Labour migration" in derived_row["via_themes"]
    states = gcm.objective_states(ds.memberships, table["iscm_id"])
    assert set(states["iso3"]) == set(ds.memberships.loc[ds.memberships["iscm_id"].isin(expect), "iso3"])


def test_country_objectives_count_the_states_iscms(ds, cov):
    table = gcm.country_objectives(ds.memberships, ds.iscms, cov, ds.gcm_objectives, "DEU")
    mine = set(ds.memberships.loc[ds.memberships["iso3"] == "DEU", "iscm_id"])
    assert len(table) == len(ds.gcm_objectives)  # a row for every objective of the Compact
    for n in (5, 11, 14):
        c = cov[(cov["objective"] == n) & cov["iscm_id"].isin(mine)]
        row = table[table["objective"] == n].iloc[0]
        assert row["n_declared"] == (c["level"] == "declared").sum()
        assert row["n_derived"] == (c["level"] == "derived").sum()
    # declared first: Budapest Process names objective 14; the others reach it through their themes
    consular = table.loc[table["objective"] == 14, "iscms"].iloc[0].split("; ")
    assert consular[0] == "Budapest Process (declared)" and all(x.endswith("(derived)") for x in consular[1:])
    assert gcm.country_objectives(ds.memberships, ds.iscms, cov, ds.gcm_objectives, "ZZZ").empty


# ------------------------------------------------------------------------------------------- figures
def _validated(fig: go.Figure) -> dict:
    return go.Figure(fig.to_dict()).to_dict()  # Plotly's validating constructor accepts every property


def test_coverage_figure_shows_each_level_differently(ds, cov):
    whole = gcm.whole_compact(ds.iscms, ds.iscm_gcm)
    data = gcm.coverage_data(cov, ds.iscms, ds.gcm_objectives, whole)
    fig = figs.coverage_figure(data)
    spec = _validated(fig)
    traces = {t["legendgroup"]: t for t in spec["data"]}
    for level in ("derived", "none"):
        n = int((data["level"] == level).sum())
        assert len(traces[level]["x"]) == n and traces[level]["name"].endswith(f"({n})")
    # the declared count is of ISCM-objective pairs (the page's "Declared pairs"); naming the compact as a
    # whole has an entry and a count of its own
    n_pairs = int(cov["declared"].sum())
    assert len(traces["declared"]["x"]) == n_pairs
    assert traces["declared"]["name"] == f"{gcm.GCM_LEVEL_LABELS['declared']} ({n_pairs})"
    assert gcm.WHOLE_LABEL not in traces["declared"]["x"]
    assert traces["whole"]["name"] == f"{figs.WHOLE_NAME} ({len(whole)})" and set(traces["whole"]["x"]) == {gcm.WHOLE_LABEL}
    styles = {lv: (t["marker"]["symbol"], t["marker"]["color"], t["marker"]["size"]) for lv, t in traces.items()}
    levels = [styles[lv] for lv in ("declared", "derived", "none")]
    assert len({s[0] for s in levels}) >= 2 and len({s[1] for s in levels}) == 3
    assert len({s[2] for s in levels}) == 3  # shape, colour and size all differ
    assert styles["whole"][0] != styles["declared"][0]  # the same blue, another shape
    xs = spec["layout"]["xaxis"]["categoryarray"]
    assert xs[0] == gcm.WHOLE_LABEL and xs[1] == "1 Data" and len(xs) == 24
    # side margins from the labels (no automargin: it draws the grid twice in the browser)
    lay = spec["layout"]
    assert not lay["xaxis"]["automargin"] and not lay["yaxis"]["automargin"]
    assert lay["margin"]["l"] >= max(text_px(t, 13, screen=True) for t in lay["yaxis"]["ticktext"]) + 20
    assert lay["margin"]["r"] >= text_px(xs[-1], 13, screen=True) * 0.5  # the last label, slanted up to the right
    cells = {(cd[0], cd[1]): cd[2] for t in spec["data"] for cd in t["customdata"]}
    assert cells[("budapest-process", 11)] == "declared" and cells[("rmfm", 23)] == "declared"
    assert cells[("rabat-process", 0)] == "declared" and cells[("bali-process", 8)] == "none"
    assert title_of(spec).startswith(f"GCM objectives covered by {len(ds.iscms)} ISCMs")
    assert spec["layout"]["yaxis"]["title"]["text"] == "ISCM" and "GCM objective" in spec["layout"]["xaxis"]["title"]["text"]
    by_count = gcm.coverage_data(cov, ds.iscms, ds.gcm_objectives, whole, sort="count")
    first = by_count[by_count["row"] == 0]
    n_first = int((first["level"] != "none").sum()) - int(first.loc[first["objective"] == 0, "level"].eq("declared").sum())
    assert n_first == cov[cov["level"] != "none"].groupby("iscm_id").size().max()


def test_region_figure_marks_every_gap(ds, cov):
    table = gcm.region_table(ds.iscms, cov, ds.gcm_objectives)
    spec = _validated(figs.region_figure(table))
    heat, gaps = spec["data"]
    n_gaps = int((table["n_iscms"] == 0).sum())
    assert len(gaps["x"]) == n_gaps and gaps["name"].endswith(f"({n_gaps})")
    # objectives no theme maps to: their empty cells are marked apart, not as the region's gaps
    unmapped = gcm.unmapped(ds.gcm_objectives, ds.theme_gcm)
    heat, gaps, apart = _validated(figs.region_figure(table, unmapped=unmapped))["data"]
    empty_unmapped = int(((table["n_iscms"] == 0) & table["objective"].isin(unmapped)).sum())
    assert empty_unmapped == table["region"].nunique()  # no ISCM of any region declares 8 'save lives'
    assert len(apart["x"]) == empty_unmapped and set(apart["x"]) == {"8 Save lives"}
    assert apart["name"].startswith("No theme maps to the objective") and apart["marker"]["symbol"] != gaps["marker"]["symbol"]
    assert len(gaps["x"]) == n_gaps - empty_unmapped == len(gcm.gaps(table, unmapped))
    africa = [r for r in heat["y"] if r.startswith("Africa")][0]
    row = heat["z"][heat["y"].index(africa)]
    expect = table[table["region"] == "Africa"]["n_iscms"].tolist()
    assert [v or 0 for v in row] == expect


def test_country_figure_bars_equal_the_table(ds, cov):
    table = gcm.country_objectives(ds.memberships, ds.iscms, cov, ds.gcm_objectives, "DEU")
    spec = _validated(figs.country_figure(table, "Germany"))
    declared, derived = spec["data"]
    assert list(declared["x"]) == table["n_declared"].tolist() and list(derived["x"]) == table["n_derived"].tolist()
    assert "Germany" in spec["layout"]["title"]["text"] and spec["layout"]["xaxis"]["title"]["text"]
