"""Every page in a real browser: renders, shows its charts, raises nothing, and stays on localhost."""

from __future__ import annotations

import re

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


# Every Plotly.react call the page makes, per chart, with the changes it made inside the chart. The chart
# element renders twice as a chart appears; the second render must change nothing (see
# iscm.figures._house.for_screen): before, it drew the whole chart again.
DRAWS_SCRIPT = r"""(() => {
  const calls = window.__iscmDraws = [];
  const ids = new WeakMap();
  let charts = 0;
  const wrap = (P) => {
    const react = P && P.react;
    if (typeof react !== 'function' || react.__iscmDraws) return;
    P.react = function (gd, ...rest) {
      const el = typeof gd === 'string' ? document.getElementById(gd) : gd;
      if (!ids.has(el)) ids.set(el, charts++);
      const call = {chart: ids.get(el), first: !el._fullLayout, width: el._fullLayout && el._fullLayout.width,
                    changes: 0, done: false};
      calls.push(call);
      const seen = new MutationObserver((records) => {
        call.changes += records.filter((r) => r.target !== el).length;
      });
      seen.observe(el, {subtree: true, childList: true, attributes: true, characterData: true});
      const out = react.call(this, gd, ...rest);
      Promise.resolve(out).then(() => setTimeout(() => {
        seen.disconnect(); call.done = true; call.widthAfter = el._fullLayout && el._fullLayout.width;
      }, 0));
      return out;
    };
    P.react.__iscmDraws = true;
  };
  let plotly;
  Object.defineProperty(window, 'Plotly', {configurable: true, get: () => plotly,
                                           set: (v) => { plotly = v; wrap(v); }});
})();"""
DRAWN_ONCE = [
    "overview?section=Timeline",  # stacked areas from NumPy arrays
    "themes",  # the coverage grid: 500 markers with hover texts
    "themes?section=Prevalence",  # bars with their labels above them
    "membership",  # a choropleth map with classed trace meta
    "country?iso3=DEU",  # a map with a marker layer
    "network",  # nodes, edges and labels, trace meta
    "compare?compare=prague-process,budapest-process&section=Themes",  # a heatmap
]


@pytest.mark.parametrize("link", DRAWN_ONCE)
def test_a_chart_is_drawn_once_as_it_appears(page: Page, app_url, link):
    page.add_init_script(DRAWS_SCRIPT)
    page.goto(f"{app_url}/{link}")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    page.wait_for_function("() => window.__iscmDraws.length >= 2 && window.__iscmDraws.every((c) => c.done)",
                           timeout=30_000)
    page.wait_for_timeout(500)
    calls = page.evaluate("() => window.__iscmDraws")
    first = [c for c in calls if c["first"]]
    assert len(first) == page.locator(".js-plotly-plot").count() >= 1, calls
    assert all(c["changes"] > 50 for c in first), calls  # the first draw builds the chart
    again = [c for c in calls if not c["first"] and c["width"] == c.get("widthAfter")]
    assert again, f"the chart element rendered once only: {calls}"
    assert [c["changes"] for c in again] == [0] * len(again), calls


def test_a_link_to_a_page_connects_to_the_server_at_once(page: Page, app_url):
    """A shared link to a page: the client connects to the server's own address on its first try
    (components/deep_links.py), not first to /gcm/_stcore/... (a 404, then 100 ms of waiting)."""
    probes: list[str] = []
    page.on("request", lambda r: probes.append(r.url) if "/_stcore/" in r.url and "stream" not in r.url else None)
    page.goto(f"{app_url}/gcm?type=RCP")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    assert sorted(probes) == [f"{app_url}/_stcore/health", f"{app_url}/_stcore/host-config"]
    assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == f"{app_url}/"
    page.get_by_test_id("stSidebar").get_by_role("link", name="Themes").click()  # the app's own links still work
    expect(page).to_have_url(re.compile(r"/themes\?type=RCP$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Themes")
