"""The Country page through AppTest: `/country?iso3=DEU` lists every ISCM the data puts the State in (any role),
its fellow members, the themes and organizations of its ISCMs, its brief; rows open profiles in one click."""

from __future__ import annotations

from iscm import country as cty
from tests import conftest
from tests.conftest import chart, table_with

PAGE = "pages/country.py"


def open_page(app_test, **query):
    return conftest.open_page(app_test, PAGE, **query)


def trace(spec: dict, name_start: str) -> dict:
    found = [d for d in spec["data"] if d["type"] == "choropleth" and d.get("name", "").startswith(name_start)]
    assert len(found) == 1, [d.get("name") for d in spec["data"]]
    return found[0]


def test_germany_lists_every_iscm_of_the_data_in_any_role(app_test, ds):
    at = open_page(app_test, iso3="DEU")
    assert at.title[0].value == "Germany"
    assert at.selectbox(key="cty_iso3").value == "DEU"
    mine = ds.memberships[ds.memberships.iso3 == "DEU"]
    names = cty.display_names(ds.iscms)
    table = table_with(at, "ISCM", "Role", "Type", "Since", "Themes")
    assert sorted(set(table["ISCM"])) == sorted({names[i] for i in mine.iscm_id})
    assert "iscm_id" not in table.columns
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["ISCMs"] == str(mine.iscm_id.nunique())
    assert metrics["As member"] == str(mine.loc[mine.role == "member", "iscm_id"].nunique())
    assert [h.value for h in at.header] == ["Its ISCMs", "Fellow members", "Themes its ISCMs cover", "Organizations"]
    fellow = chart(at, "Fellow members: States that share ISCMs with Germany")
    assert trace(fellow, "Germany")["locations"] == ["DEU"]
    themes = table_with(at, "Theme", "Which ISCMs")
    covered = ds.iscm_themes[ds.iscm_themes.iscm_id.isin(mine.iscm_id)]
    assert len(themes) == covered.theme_id.nunique()
    orgs = table_with(at, "Organization", "Kind", "In its ISCMs")
    assert len(orgs) == ds.iscm_organizations[ds.iscm_organizations.iscm_id.isin(mine.iscm_id)].org_id.nunique()
    assert "Country brief (HTML)" in [b.proto.label for b in at.get("download_button")]


def test_a_chair_counts_as_one_of_its_iscms(ds):
    chairs = ds.memberships[ds.memberships.role == "chair"]
    row = chairs.iloc[0]
    table = cty.iscms_of(ds, row.iso3)
    assert row.iscm_id in set(table["iscm_id"])
    assert "Chair (past or present)" in set(table.loc[table.iscm_id == row.iscm_id, "Role"])


def test_picker_writes_the_url(app_test):
    at = open_page(app_test, iso3="DEU")
    at.selectbox(key="cty_iso3").set_value("MLT").run()
    assert at.query_params["iso3"] in (["MLT"], "MLT")
    chart(at, "Fellow members: States that share ISCMs with Malta")


def test_unknown_code_shows_the_list_of_countries(app_test, ds):
    at = open_page(app_test, iso3="ZZZ")
    assert at.selectbox(key="cty_iso3").value is None
    listing = table_with(at, "Country", "ISCMs")
    assert len(listing) == ds.memberships.iso3.nunique()


def test_filters_narrow_the_iscms_and_say_how_many_are_hidden(app_test, ds):
    at = open_page(app_test, iso3="DEU", type="RCP")
    rcps = set(ds.iscms.loc[ds.iscms.type == "RCP", "iscm_id"])
    mine = set(ds.memberships.loc[ds.memberships.iso3 == "DEU", "iscm_id"])
    table = table_with(at, "ISCM", "Role")
    assert set(table["Type"]) == {"RCP"} and table["ISCM"].nunique() == len(mine & rcps)
    assert any(f"{len(mine)} ISCMs in the whole dataset" in c.value for c in at.caption)


def test_country_brief_names_its_iscms_and_works_offline(ds):
    html = cty.brief_html(ds, "DEU").decode("utf-8")
    assert "<h1>Germany (DEU)</h1>" in html
    for name in cty.iscms_of(ds, "DEU")["ISCM"].unique():
        assert name.replace("&", "&amp;") in html
    assert "window.PlotlyGeoAssets" in html  # the world shapes travel inside the file


def test_display_name_spells_out_bare_acronyms(ds):
    names = cty.display_names(ds.iscms)
    apc = ds.iscms.set_index("iscm_id").loc[ds.iscms.loc[ds.iscms.short_name == "APC", "iscm_id"].iloc[0]]
    assert names[apc.name] == f"{apc.full_name} (APC)"
    assert names["prague-process"] == "Prague Process"
