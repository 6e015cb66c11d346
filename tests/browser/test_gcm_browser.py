"""The GCM page in headless Chromium: the coverage chart is drawn with its three levels, nothing leaves localhost.

Saves tests/artifacts/gcm_coverage.png, a screenshot of the coverage chart as the browser shows it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from iscm import gcm
from tests.browser.conftest import ARTIFACTS, non_local, real_errors, real_failures, wait_for_app

pytestmark = pytest.mark.browser


def test_gcm_page_draws_the_coverage_chart_offline(page: Page, app_url, net_log, ds):
    page.set_viewport_size({"width": 1400, "height": 2000})  # the whole chart on screen for its screenshot
    page.goto(f"{app_url}/gcm")
    wait_for_app(page, timeout=60_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_role("heading", name="Global Compact for Migration")).to_be_visible()
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => { const p = document.querySelector('.js-plotly-plot');"
        "        return p && p.querySelectorAll('.scatterlayer path.point').length > 500; }",
        timeout=30_000,
    )
    expect(chart.locator(".gtitle")).to_contain_text(f"GCM objectives covered by {len(ds.iscms)} ISCMs")
    # one point per ISCM x column (the compact as a whole + 23 objectives), in three traces with their legend
    assert chart.locator(".scatterlayer path.point").count() == len(ds.iscms) * 24
    legend = chart.locator(".legendtext").evaluate_all("els => els.map(e => e.textContent)")
    cov = gcm.coverage(ds.iscms, ds.iscm_themes, ds.theme_gcm, ds.iscm_gcm, ds.gcm_objectives)
    assert f"Derived from its themes ({int((cov['level'] == 'derived').sum())})" in legend
    # the declared count is of ISCM-objective pairs, the number the "Declared pairs" metric shows
    n_pairs = int(cov["declared"].sum())
    assert f"Declared by the ISCM ({n_pairs})" in legend
    assert f"Names the GCM as a whole ({len(gcm.whole_compact(ds.iscms, ds.iscm_gcm))})" in legend
    metric = page.locator('[data-testid="stMetric"]', has_text="Declared pairs")
    expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(str(n_pairs))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    title, area = chart.locator(".gtitle").bounding_box(), chart.bounding_box()
    assert title and area and title["height"] > 0 and area["y"] - 20 <= title["y"] <= area["y"] + 40
    path = ARTIFACTS / "gcm_coverage.png"
    top = min(title["y"], area["y"]) - 8  # Streamlit draws the title a few pixels above the plot's own box
    page.screenshot(path=str(path), clip={"x": area["x"], "y": top, "width": area["width"],
                                          "height": area["y"] + area["height"] - top})
    assert path.stat().st_size > 20_000
    assert page.locator(".js-plotly-plot").count() == 1  # only the open tab is drawn
    # the other tabs draw their charts when opened, and the URL names the open tab
    for tab, title in (("Gaps by region", "Objectives each region's ISCMs cover"),
                       ("One objective", "States reached through the")):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_url(f"**section={tab.replace(' ', '+')}**", timeout=30_000)
        expect(page.locator(".js-plotly-plot .gtitle").first).to_contain_text(title, timeout=30_000)
    assert non_local(net_log["requests"]) == []
    assert real_failures(net_log["failed"]) == []
    assert real_errors(net_log["errors"], net_log["failed"]) == []
