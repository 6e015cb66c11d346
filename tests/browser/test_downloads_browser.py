"""Downloads in a real browser: the chart panel's PNG and CSV buttons and the toolbar camera give valid files.

Runs the Overview page's Timeline tab (its chart goes through chart_panel) on the real server, so the deferred
download path (click -> server renders with its warm Chromium -> file) is exercised end to end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import non_local, wait_for_app

STEM = f"iscm-establishment_all_{dt.date.today().isoformat()}"
EXPORT_TIMEOUT_MS = 120_000  # the first export starts the server's Chromium


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def open_overview(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/overview?section=Timeline")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)


def open_download_menu(page: Page):
    """Open the first chart's Download popover and return its body."""
    page.locator('[data-testid="stPopover"]').first.locator("button").first.click()
    body = page.locator('[data-testid="stPopoverBody"]')
    expect(body).to_be_visible()
    return body


def download(page: Page, button, tmp_path: Path) -> tuple[str, Path]:
    with page.expect_download(timeout=EXPORT_TIMEOUT_MS) as info:
        button.click()
    name = info.value.suggested_filename
    path = tmp_path / name
    info.value.save_as(path)
    return name, path


def test_png_button_downloads_report_png(page: Page, app_url, net_log, tmp_path):
    open_overview(page, app_url)
    body = open_download_menu(page)
    name, path = download(page, body.get_by_role("button", name="PNG image"), tmp_path)
    assert name == f"{STEM}.png"
    assert png_size(path) == (3200, 1800)
    assert non_local(net_log["requests"]) == []


def test_csv_button_downloads_the_chart_data(page: Page, app_url, tmp_path):
    open_overview(page, app_url)
    body = open_download_menu(page)
    name, path = download(page, body.get_by_role("button", name="Data (CSV)"), tmp_path)
    assert name == f"{STEM}.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows and set(rows[0]) == {"year", "type", "established", "cumulative", "new_iscms"}
    assert {r["type"] for r in rows} <= {"RCP", "IRF", "Global"}
    latest = max(int(r["year"]) for r in rows)
    total = sum(int(r["cumulative"]) for r in rows if int(r["year"]) == latest)
    assert total > 10  # every ISCM with a known founding year is counted by the last year


def test_toolbar_camera_downloads_png(page: Page, app_url, net_log, tmp_path):
    open_overview(page, app_url)
    chart = page.locator(".js-plotly-plot").first
    chart.hover()
    assert chart.locator(".modebar-btn.plotlyjsicon").count() == 0  # no Plotly logo
    name, path = download(page, chart.locator('.modebar-btn[data-title="Download plot as a PNG"]'), tmp_path)
    assert name == f"{STEM}.png"
    assert png_size(path) == (3200, 1800)
    assert non_local(net_log["requests"]) == []


def test_download_all_zip(page: Page, app_url, tmp_path):
    """From the Overview's table tab: the ZIP holds the chart of the closed Timeline tab too."""
    page.goto(f"{app_url}/overview")
    wait_for_app(page)
    expect(page.locator(".js-plotly-plot")).to_have_count(0)  # the timeline's tab is closed
    button = page.get_by_role("button", name=re.compile(r"^Download (all \d+ charts|the chart) \(ZIP\)"))
    expect(button.first).to_be_visible()
    name, path = download(page, button.first, tmp_path)
    assert name.startswith("iscm-charts-") and name.endswith(".zip")
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert {f"{STEM}.png", f"{STEM}.svg", f"{STEM}.csv", "README.txt"} <= names
        assert zf.read(f"{STEM}.png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_button_downloads_the_chart_as_exported(page: Page, app_url, tmp_path):
    """The Interactive HTML file arrives as the export made it: the server's page script
    (components/deep_links.py) is for the app's own page, never for a downloaded file."""
    from components.deep_links import MARKER

    open_overview(page, app_url)
    body = open_download_menu(page)
    name, path = download(page, body.get_by_role("button", name="Interactive HTML"), tmp_path)
    assert name == f"{STEM}.html"
    text = path.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in text or "plotly" in text.lower()
    assert MARKER not in text and "__streamlit" not in text


def test_html_export_of_a_map_draws_offline(page: Page, tmp_path):
    """The saved HTML file alone (file://, no server) draws the map: plotly.js and shapes are inlined."""
    from iscm import export
    from iscm.dataset import load
    from iscm.figures.maps import members_map
    from iscm.membership import members_of
    from tests.browser.conftest import ROOT

    ds = load(ROOT / "data")
    fig = members_map(members_of(ds.memberships, "prague-process"), "Prague Process")
    path = tmp_path / "map.html"
    path.write_bytes(export.to_html(fig, title="Prague Process map"))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_selector("path.choroplethlocation", state="attached", timeout=30_000)
    drawn = page.evaluate("""() => [...document.querySelectorAll('path.choroplethlocation')]
                               .filter(p => (p.getAttribute('d') || '').length > 20).length""")
    assert drawn > 40  # Prague Process members and their neighbours have shapes
    assert page.title() == "Prague Process map"
    assert [u for u in requests if not u.startswith("file:")] == []
