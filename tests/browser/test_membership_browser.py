"""The Membership page in headless Chromium: maps draw offline from the app's own shapes, clicks open a State."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import non_local, real_errors, real_failures, screenshot, wait_for_app

pytestmark = pytest.mark.browser

SHAPES = "path.choroplethlocation"


def wait_for_maps(page: Page, minimum: int = 150, timeout: float = 60_000) -> None:
    """Wait until the first map on the page has drawn more than `minimum` country shapes."""
    page.wait_for_function(
        """(n) => { const p = document.querySelector('.js-plotly-plot');
                    return p && p.querySelectorAll('path.choroplethlocation').length > n; }""",
        arg=minimum, timeout=timeout,
    )


def test_membership_maps_render_offline(page: Page, app_url, net_log):
    page.goto(f"{app_url}/membership")
    wait_for_app(page, timeout=60_000)
    wait_for_maps(page)
    page.wait_for_timeout(500)

    plots = page.locator(".js-plotly-plot")
    first = plots.nth(0)
    shapes = first.locator(SHAPES).count()
    assert shapes > 150, shapes
    # the marker layer draws the members too small for the shapes (Malta, Cyprus, Luxembourg, ...)
    assert first.locator(".scattergeo path.point").count() > 0
    # one map per open tab: the Dialogue density map is drawn when its tab is opened
    assert plots.count() == 1
    page.get_by_role("tab", name="Dialogue density").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]
                   .some(t => t.textContent.startsWith('Dialogue density'))""", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot')[0].querySelectorAll('path.choroplethlocation').length > 150",
        timeout=30_000,
    )
    # shapes came from the app itself, nothing from a CDN
    assert any(u.endswith("/app/static/topojson/world_110m.json") for u in net_log["requests"])
    assert non_local(net_log["requests"]) == []
    assert real_failures(net_log["failed"]) == []
    assert real_errors(net_log["errors"], net_log["failed"]) == []
    first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    path = screenshot(page, "membership")
    assert path.stat().st_size > 20_000


def test_click_on_map_opens_country_page(page: Page, app_url, net_log):
    page.goto(f"{app_url}/membership?section=Dialogue+density")
    wait_for_app(page, timeout=60_000)
    wait_for_maps(page)
    density = page.locator(".js-plotly-plot").nth(0)
    density.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    # Brazil's shape on the density map (plotly.js binds each path to its datum; `loc` is the ISO3 code)
    box = density.evaluate(
        """(plot) => {
             const path = [...plot.querySelectorAll('path.choroplethlocation')]
               .find(p => p.__data__ && p.__data__.loc === 'BRA');
             const r = path.getBoundingClientRect();
             return {x: r.x + r.width / 2, y: r.y + r.height / 2};
           }"""
    )
    page.mouse.move(box["x"], box["y"])
    page.wait_for_timeout(300)
    page.mouse.click(box["x"], box["y"])
    expect(page).to_have_url(re.compile(r"/country\?iso3=BRA\b"), timeout=30_000)
    # (a title is wrapped over lines, whose text runs together in textContent: compared without spaces)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]
                   .some(t => t.textContent.replace(/\\s/g, '')
                               .startsWith('Fellow members: States that share ISCMs with Brazil'.replace(/\\s/g, '')))""",
        timeout=30_000,
    )
    assert non_local(net_log["requests"]) == []
    screenshot(page, "country-BRA")
