"""Every page in a real browser: renders, shows its charts, raises nothing, and stays on localhost."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from components.frame import PAGES
from tests.browser.conftest import non_local, real_errors, real_failures, screenshot, wait_for_app


@pytest.mark.parametrize("path,title,url,icon", PAGES, ids=[p[2] for p in PAGES])
def test_page_renders_cleanly(page: Page, app_url, net_log, path, title, url, icon):
    page.goto(f"{app_url}/{url}")
    wait_for_app(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("ISCM Atlas")
    if page.locator('[data-testid="stPlotlyChart"]').count():
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    screenshot(page, f"page-{url}")
    assert non_local(net_log["requests"]) == []
    assert real_failures(net_log["failed"]) == []
    assert real_errors(net_log["errors"], net_log["failed"]) == []


def test_fresh_server_deep_link_opens_the_right_page_with_filter(page: Page, tmp_path):
    """Journey 1: the first request a new server sees is a deep link to a page with a filter."""
    from tests.browser.conftest import start_server, stop_server

    home = tmp_path / "store"
    home.mkdir()
    proc, url = start_server(home)
    try:
        target = PAGES[-1] if len(PAGES) > 1 else PAGES[0]
        page.goto(f"{url}/{target[2]}?iscm=prague-process")
        wait_for_app(page)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        sidebar = page.locator('[data-testid="stSidebar"]')
        for _, title, _, _ in PAGES:  # the app's own links, with titles (not file names)
            expect(sidebar.get_by_role("link", name=title)).to_be_visible()
        expect(sidebar).to_contain_text("Prague Process")  # the filter is applied
        assert "Page not found" not in page.content()
        assert f"/{target[2]}" in page.url and "iscm=prague-process" in page.url
    finally:
        stop_server(proc)
