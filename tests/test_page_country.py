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
    # the open tab: its ISCMs and the map of fellow members, nothing of the closed tabs
    assert [h.value for h in at.header] == ["Its ISCMs", "Fellow members"]
    assert len(at.get("plotly_chart")) == 1
    fellow = chart(at, "Fellow members: States that share ISCMs with Germany")
    assert trace(fellow, "Germany")["locations"] == ["DEU"]
    assert at.get("download_button")[-1].proto.label == "Download all 3 charts (ZIP)"  # closed tabs' too
    at = open_page(app_test, iso3="DEU", section="Themes")
    chart(at, "Themes of the ISCMs Germany takes part in")
    themes = table_with(at, "Theme", "Which ISCMs")
    covered = ds.iscm_themes[ds.iscm_themes.iscm_id.isin(mine.iscm_id)]
    assert len(themes) == covered.theme_id.nunique()
    at = open_page(app_test, iso3="DEU", section="Organizations")
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


def _png(fig) -> bytes:  # noqa: ANN001 - a tiny real PNG per chart (the brief's layout, not Chromium, is tested)
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (int(fig.layout.width), int(fig.layout.height)), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_country_brief_pdf_is_one_page_with_every_iscm_and_its_charts(ds):
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(cty.brief_pdf(ds, "deu", render_png=_png, base_url="https://atlas.example.org")))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Germany (DEU)" in text
    iscms = cty.iscms_of(ds, "DEU")
    for name in iscms["ISCM"].unique():  # one line per ISCM; a long name is cut with an ellipsis
        assert name[:30] in text, name
    assert f"ISCMs {iscms['iscm_id'].nunique()}" in text
    assert "https://atlas.example.org/country?iso3=DEU" in text
    assert len(reader.pages[0].images) == 2  # the fellow-members map and the themes chart
    assert reader.metadata.title == "Germany: ISCM Atlas country brief"


def test_country_brief_pdf_without_chromium_draws_the_themes_and_says_why_the_map_is_missing(ds):
    import io

    from pypdf import PdfReader

    def no_browser(fig):  # noqa: ANN001, ANN202
        raise RuntimeError("Chromium not found")

    reader = PdfReader(io.BytesIO(cty.brief_pdf(ds, "MLT", render_png=no_browser)))
    text = " ".join(reader.pages[0].extract_text().split())
    assert len(reader.pages) == 1 and not reader.pages[0].images
    assert "Malta (MLT)" in text and "(Chromium not found)" in text and "The HTML brief shows it." in text
    top = cty.themes_of(ds, "MLT").sort_values("n_iscms", ascending=False).iloc[0]
    assert top["Theme"] in text  # the most covered theme heads the drawn bars


def test_country_page_offers_the_brief_as_pdf_and_html(app_test, deferred):
    at = open_page(app_test, iso3="DEU")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Country brief (PDF)" in labels and "Country brief (HTML)" in labels
    data, name, mime = deferred(at, "Country brief (HTML)")
    assert mime == "text/html" and name.startswith("iscm-country-brief_DEU_") and b"Germany (DEU)" in data
