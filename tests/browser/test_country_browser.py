"""Issue 16's journeys in headless Chromium: find a country in one step, click a map and land on the right
country, open a profile from a table in one click (same tab, filters unchanged), shared links after `/`."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from components.frame import PAGES
from iscm import geo
from iscm.country import display_names
from tests.browser.conftest import non_local, real_errors, real_failures, screenshot, wait_for_app

pytestmark = pytest.mark.browser

EXCEPTION = '[data-testid="stException"]'
# Land points well inside each State (metropolitan France, not its bounding box that reaches Guiana).
INSIDE = {"DEU": (10.4, 51.1), "FRA": (2.4, 46.8), "POL": (19.4, 52.1), "ITA": (12.8, 42.9),
          "EGY": (29.9, 26.6), "BEL": (4.4, 50.8)}

_DENSITY = """() => [...document.querySelectorAll('.js-plotly-plot')]
                 .find(p => p.layout && p.layout.title && String(p.layout.title.text || '')
                                  .replace(/<[^>]+>/g, '').startsWith('Dialogue density'))"""


def density_pixel(page: Page, lon: float, lat: float) -> dict:
    """The page pixel of (lon, lat) on the density map, from plotly.js's own projection of that map."""
    return page.evaluate(
        f"""([lon, lat]) => {{ const gd = ({_DENSITY})();
              const [x, y] = gd._fullLayout.geo._subplot.projection([lon, lat]);
              const r = gd.querySelector('.main-svg').getBoundingClientRect();
              return {{x: r.x + x, y: r.y + y}}; }}""", [lon, lat])


def open_density(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/membership?section=Dialogue+density")
    wait_for_app(page, timeout=60_000)
    page.wait_for_function(f"() => {{ const p = ({_DENSITY})(); return p && "
                           "p.querySelectorAll('path.choroplethlocation').length > 150; }", timeout=60_000)
    page.evaluate(f"() => ({_DENSITY})().scrollIntoView({{block: 'center'}})")
    page.wait_for_timeout(500)


def country_title(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(name, timeout=30_000)


def test_search_germany_opens_its_country_page_with_every_iscm(page: Page, app_url, net_log, ds):
    page.goto(app_url)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    box = main.get_by_role("combobox", name="Find an ISCM or a country")
    first_input = main.locator("input").first
    assert first_input.evaluate("(e, b) => e === b", box.element_handle())  # the first input of Overview
    box.click()
    page.keyboard.type("Germany")
    page.get_by_role("option", name=re.compile(r"^Germany")).first.click()
    expect(page).to_have_url(re.compile(r"/country\?iso3=DEU$"), timeout=30_000)
    country_title(page, "Germany")
    expected = ds.memberships.loc[ds.memberships.iso3 == "DEU", "iscm_id"].nunique()
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="ISCMs").first
    expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(str(expected))
    assert non_local(net_log["requests"]) == []


@pytest.mark.parametrize("typed,iso3,name", [("Turkey", "TUR", "Türkiye"), ("TUR", "TUR", "Türkiye")])
def test_sidebar_search_finds_a_country_by_alias_or_code(page: Page, app_url, typed, iso3, name):
    page.goto(f"{app_url}/themes")
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Find an ISCM or a country").click()
    page.keyboard.type(typed)
    page.get_by_role("option", name=re.compile(rf"^{name}")).first.click()
    expect(page).to_have_url(re.compile(rf"/country\?iso3={iso3}$"), timeout=30_000)
    country_title(page, name)


@pytest.mark.parametrize("iso3", list(INSIDE))
def test_click_in_the_middle_of_a_country_opens_that_country(page: Page, app_url, iso3, ds):
    open_density(page, app_url)
    at = density_pixel(page, *INSIDE[iso3])
    page.mouse.move(at["x"], at["y"])
    page.wait_for_timeout(200)
    page.mouse.click(at["x"], at["y"])
    expect(page).to_have_url(re.compile(rf"/country\?iso3={iso3}\b"), timeout=30_000)
    name = ds.memberships.loc[ds.memberships.iso3 == iso3, "country"].iloc[0]
    country_title(page, name)


@pytest.mark.parametrize("iso3", ["MLT", "SGP"])
def test_click_on_a_small_states_marker_opens_it(page: Page, app_url, iso3, ds):
    assert geo.needs_marker(iso3)
    open_density(page, app_url)
    at = density_pixel(page, *geo.point(iso3))
    page.mouse.move(at["x"], at["y"])
    page.wait_for_timeout(200)
    page.mouse.click(at["x"], at["y"])
    expect(page).to_have_url(re.compile(rf"/country\?iso3={iso3}\b"), timeout=30_000)
    country_title(page, ds.memberships.loc[ds.memberships.iso3 == iso3, "country"].iloc[0])


def test_overview_row_opens_the_profile_in_one_click_and_leaves_the_filter(page: Page, app_url, ds):
    page.goto(f"{app_url}/overview?type=RCP")
    wait_for_app(page)
    n_rcp = int((ds.iscms.type == "RCP").sum())
    pages_before = len(page.context.pages)
    # the first row's name: a link (the table is HTML: components.tables.html_table)
    page.locator('table[data-key="ov_table"] tbody tr').first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/profile\?"), timeout=30_000)
    assert len(page.context.pages) == pages_before  # same tab
    rcps = ds.iscms[ds.iscms.type == "RCP"]
    names = display_names(ds.iscms)
    first = min(rcps["iscm_id"], key=lambda i: names[i].lower())  # the table is sorted by name
    assert re.search(rf"[?&]iscm={first}(&|$)", page.url), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ds.iscms.set_index("iscm_id").short_name[first], timeout=30_000)
    # back to Overview through the menu: the type filter still holds, no ISCM filter was set
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Overview").click()
    expect(page).to_have_url(re.compile(r"/overview\?type=RCP$"), timeout=30_000)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="ISCMs").first
    expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(str(n_rcp))


def test_root_first_then_every_shared_link_answers(page: Page, fresh_server, net_log):
    url, _home = fresh_server()
    page.goto(url + "/")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("ISCM Atlas")
    sidebar = page.locator('[data-testid="stSidebar"]')
    for _p, title, slug, _i in PAGES:  # click through the menu
        sidebar.get_by_role("link", name=title).click()
        expect(page).to_have_url(re.compile(rf"/{slug}"), timeout=30_000)
        wait_for_app(page)
    assert non_local(net_log["requests"]) == [], non_local(net_log["requests"])
    # a shared link per page, with a filter, after `/` was served
    for _p, _title, slug, _i in PAGES:
        page.goto(f"{url}/{slug}?type=IRF")
        wait_for_app(page)
        assert "Page not found" not in page.content(), slug
        expect(page).to_have_url(re.compile(rf"/{slug}\?type=IRF"))
        expect(sidebar).to_contain_text("IRF · ")
    page.goto(f"{url}/country?iso3=DEU&type=RCP")
    wait_for_app(page)
    country_title(page, "Germany")
    assert non_local(net_log["requests"]) == [], non_local(net_log["requests"])
    assert real_failures(net_log["failed"]) == []
    assert real_errors(net_log["errors"], net_log["failed"]) == []
    screenshot(page, "country-DEU-shared-link")


def _row_click(page: Page, key: str, row: int = 0) -> None:
    """Click a body row's first cell of the table with Streamlit key `key` (rows are 35 px)."""
    grid = page.locator(f".st-key-{key} [data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed(timeout=30_000)
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 40, box["y"] + 35 * (row + 1) + 17)


@pytest.mark.parametrize("path,key,row,target", [
    ("/themes?section=Theme+view&theme=asylum_protection", "th_theme_iscms", 0, "profile"),
    ("/themes?section=Theme+view&theme=asylum_protection", "th_theme_states", 0, "country"),
    ("/network?metrics=true", "net_metrics", 1, "profile"),  # row 0 is IOM, an organization: no page of its own
    ("/compare?compare=prague-process,budapest-process", "cmp_members", 0, "country"),  # HTML tables: a link
    ("/profile?iscm=prague-process", "pf_members", 2, "country"),
    ("/country?iso3=DEU", "cty_iscms", 1, "profile"),
])
def test_table_rows_open_their_page_in_one_click_in_the_same_tab(page: Page, app_url, ds, path, key, row, target):
    page.goto(app_url + path)
    wait_for_app(page, timeout=60_000)
    before = len(page.context.pages)
    if key in ("cmp_members", "pf_members", "cty_iscms"):  # HTML tables (components.tables.html_table)
        page.locator(f'table[data-key="{key}"] tbody tr').nth(row).get_by_role("link").click(timeout=30_000)
    else:
        _row_click(page, key, row)
    param = "iscm" if target == "profile" else "iso3"
    expect(page).to_have_url(re.compile(rf"/{target}\?(.*&)?{param}=[^&]+"), timeout=30_000)
    assert len(page.context.pages) == before  # same tab, same session
    value = re.search(rf"[?&]{param}=([^&]+)", page.url).group(1)
    if target == "profile":
        name = ds.iscms.set_index("iscm_id").short_name[value]
    else:
        name = ds.memberships.loc[ds.memberships.iso3 == value, "country"].iloc[0]
    expect(page.get_by_role("heading", level=1)).to_have_text(name, timeout=30_000)
