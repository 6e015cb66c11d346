"""The real app through Streamlit's AppTest: every registered page runs, filters change what is shown."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from components.frame import PAGES
from iscm.country import display_names
from tests.conftest import html_links, html_tables

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("page", [p[0] for p in PAGES])
def test_every_registered_page_runs_without_exception(app_test, page):
    at = app_test().run()
    assert not at.exception
    if page != PAGES[0][0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} shows no title"


def n_of_type(ds, kind: str) -> int:
    """How many ISCMs of one type the data holds (rows of the ISCM table)."""
    return int((ds.iscms["type"] == kind).sum())


def test_overview_headline_and_table_follow_filters(app_test, ds):
    at = app_test().run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["ISCMs"] == str(len(ds.iscms))
    table = html_tables(at)["ov_table"]
    assert len(table) == len(ds.iscms)

    n_irf = n_of_type(ds, "IRF")
    assert 0 < n_irf < len(ds.iscms)  # the filter keeps some ISCMs, not all
    at = app_test(type="IRF").run()
    assert {m.label: m.value for m in at.metric}["ISCMs"] == str(n_irf)
    table = html_tables(at)["ov_table"]
    assert len(table) == n_irf and set(table["Type"]) == {"IRF"}

    at = app_test(iscm="prague-process,colombo-process").run()
    table = html_tables(at)["ov_table"]
    assert sorted(table["ISCM"]) == ["Colombo Process", "Prague Process"]


def test_sidebar_filter_widget_changes_table_and_url(app_test, ds):
    at = app_test().run()
    at.multiselect(key="flt_theme").set_value(["climate_environment"]).run()
    assert at.query_params["theme"] == "climate_environment"
    table = html_tables(at)["ov_table"]
    assert 0 < len(table) < len(ds.iscms)
    assert {m.label: m.value for m in at.metric}["ISCMs"] == str(len(table))


@pytest.mark.parametrize(("typed", "title"), [("country:TUR", "Türkiye"), ("country:DEU", "Germany"),
                                              ("iscm:prague-process", "Prague Process")])
def test_find_box_goes_there_in_one_step(app_test, typed, title):
    at = app_test().run()
    assert at.selectbox(key="find_overview").label == "Find an ISCM or a country"
    at.selectbox(key="find_overview").set_value(typed).run()
    assert not at.exception
    assert at.title[0].value == title


def test_find_box_labels_hold_names_aliases_and_codes(ds):
    from components.search import _build

    options, labels = _build(ds)
    tur = labels["country:TUR"]
    assert "Türkiye" in tur and "Turkey" in tur and "TUR" in tur
    assert len([o for o in options if o.startswith("country:")]) == ds.memberships.iso3.nunique()
    assert len([o for o in options if o.startswith("iscm:")]) == len(ds.iscms)
    assert "APC" in labels[f"iscm:{ds.iscms.loc[ds.iscms.short_name == 'APC', 'iscm_id'].iloc[0]}"]


def test_overview_table_is_sorted_by_name_and_names_iscms_in_full(app_test, ds):
    at = app_test().run()
    table = html_tables(at)["ov_table"]
    assert list(table["ISCM"]) == sorted(table["ISCM"], key=str.lower)
    assert "Profile" not in table.columns and "iscm_id" not in table.columns
    assert not set(table["ISCM"]) & {"APC", "ARCP", "AU-HoAI"}
    # every name links to its profile in this tab (a relative address), the filters travelling along
    links = html_links(at, "ov_table")
    assert list(links) == list(table["ISCM"])
    assert links["Prague Process"] == "profile?iscm=prague-process"
    at = app_test(type="RCP").run()
    assert html_links(at, "ov_table")["Prague Process"] == "profile?type=RCP&iscm=prague-process"


def test_broken_data_directory_shows_error_page_not_traceback(app_test, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    f = data / "iscms" / "midsa.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("iso3: AGO", "iso3: AGX"), encoding="utf-8")
    monkeypatch.setenv("ISCM_DATA_DIR", str(data))
    at = app_test().run()
    assert not at.exception
    assert "could not be loaded" in at.error[0].value
    cells = at.table[0].value
    assert "iscms/midsa.yaml" in cells["file"].tolist()
    assert any("AGX" in p for p in cells["problem"])


def test_filters_survive_a_page_switch(app_test, ds):
    n_rcp = n_of_type(ds, "RCP")
    assert 0 < n_rcp < len(ds.iscms)
    at = app_test(type="RCP").run()
    assert {m.label: m.value for m in at.metric}["ISCMs"] == str(n_rcp)
    at.switch_page("pages/data.py").run()
    assert at.multiselect(key="flt_type").value == ["RCP"]
    listed = html_tables(at)["tbl_catalogue"].set_index("Table")
    assert listed.loc["iscms", "Rows"] == n_rcp  # the iscms table on the Data page is filtered too
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["ISCMs"] == str(n_rcp)


def _sidebar_links(at) -> list[tuple[str, str, str]]:
    """(label, page url path, page script hash, query string) of every page link drawn."""
    links = [el.proto for el in at.sidebar if getattr(el, "type", "") == "page_link"]
    return [(p.label, p.page, p.page_script_hash, p.query_string) for p in links]


def test_sidebar_links_reach_every_page_and_reuse_the_sessions_page_objects(app_test):
    at = app_test(theme="asylum_protection").run()
    door, *pages = at.session_state["_app_pages"][1]
    assert door.url_path == "" and door._default  # the hidden front door is served at `/` and routes
    links = _sidebar_links(at)
    assert [label for label, *_ in links] == [title for _p, title, _u, _i in PAGES]
    # Each link targets the registered page (url path and the hash st.navigation knows), not a guess.
    assert [(url, h) for _l, url, h, _q in links] == [(p.url_path, p._script_hash) for p in pages]
    # Overview keeps its own path, so a shared `/overview?type=IRF` answers after `/` was opened
    assert links[0][1] == "overview" and links[1][1] == "country"
    assert {q for *_, q in links} == {"theme=asylum_protection"}  # the filters travel with every link
    at.switch_page("pages/themes.py").run()
    held = at.session_state["_app_pages"][1][1:]
    assert all(a is b for a, b in zip(held, pages, strict=True))  # made once per session, not on every rerun
    assert _sidebar_links(at) == links
    other = app_test().run()
    assert other.session_state["_app_pages"][1][1] is not pages[0]  # never shared: Page.run is not thread-safe


def test_overview_caches_per_filter_not_per_file_name_slug(app_test, ds):
    """Two ISCM filters whose file-name slugs (cut at 80 characters) agree must still show their own rows."""
    ids = sorted(ds.iscms["iscm_id"])
    first, second = ids[:9] + [ids[-2]], ids[:9] + [ids[-1]]
    from iscm.filters import Filters

    assert Filters(iscms=tuple(first)).slug() == Filters(iscms=tuple(second)).slug()  # the slug is cut
    for chosen in (first, second):
        at = app_test(iscm=",".join(chosen)).run()
        names = display_names(ds.iscms)
        assert sorted(html_tables(at)["ov_table"]["ISCM"]) == sorted(names[i] for i in chosen)


def test_timeline_of_one_iscm_has_whole_year_ticks(ds):
    from iscm.figures.overview import establishment_timeline
    from iscm.overview import establishment_data

    one = ds.iscms[ds.iscms.iscm_id == "prague-process"]
    fig = establishment_timeline(establishment_data(one))
    assert fig.data and max(max(t.y) for t in fig.data) == 1  # not an empty chart
    assert fig.layout.xaxis.tickformat == "d" and fig.layout.yaxis.tickformat == "d"
    assert fig.layout.yaxis.dtick == 1
