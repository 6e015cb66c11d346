"""Every page at a phone's, a small laptop's and a desktop's width: a full-page screenshot of each in
tests/artifacts/<page>-<width>.png, and the layout facts that a user test found broken in narrow windows.

At 390 x 844 (a phone), 1024 x 768 (a small laptop, sidebar open) and 1440 x 1000:
- the page never scrolls sideways as a whole (only a chart's frame or a table scrolls inside itself);
- no chart title lies under the chart's toolbar, and none is cut at the visible edge of its chart;
- no legend stands beside a plot (it took the plot's width: a phone's timeline was 80 px wide);
- every plot area is at least PLOT_MIN_PX wide (the overlap matrix was a 64 px sliver on a phone and
  140 px on a small laptop; maps and drawings fill their width);
- no table is a sliver, and no metric label is cut ("States and territ…").

One server for the whole run (the session's `app_url`); each page is measured where Streamlit draws it,
then the window is made as tall as the page for the screenshot. The measurements of every case go to
tests/artifacts/narrow-layout.json.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, wait_for_app

WINDOWS = {1440: 1000, 1024: 768, 390: 844}
COMPARED = "compare=prague-process,budapest-process"
PAGES = {  # artifact name -> path and query; every page, and the tabs whose charts need room (matrices, bars)
    "overview": "overview",
    "overview-timeline": "overview?section=Timeline",
    "country": "country?iso3=DEU",
    "country-themes": "country?iso3=DEU&section=Themes",
    "country-gcm": "country?iso3=DEU&section=GCM+objectives",
    "themes": "themes",
    "themes-prevalence": "themes?section=Prevalence",
    "gcm": "gcm",
    "membership": "membership",
    "membership-overlap": "membership?section=Overlap",
    "network": "network",
    "network-metrics": "network?metrics=true",
    "data": "data",
    "profile": "profile?iscm=prague-process",
    "profile-themes": "profile?iscm=prague-process&section=Themes",
    "compare": f"compare?{COMPARED}",
    "compare-themes": f"compare?{COMPARED}&section=Themes",
}
PLOT_MIN_PX = 280
TABLE_MIN_PX = 300
RESULTS = ARTIFACTS / "narrow-layout.json"

# Geometry of what the page drew, and every broken layout fact as a sentence (run in the page).
MEASURE = """([plotMin, tableMin]) => {
  const box = (e) => { const r = e.getBoundingClientRect();
                       return {x: r.left, y: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height}; };
  const meets = (a, b) => a.x < b.r - 1 && b.x < a.r - 1 && a.y < b.b - 1 && b.y < a.b - 1;
  const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const scroller = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(p).overflowX) && p.scrollWidth > p.clientWidth + 1) return p; }
    return null; };
  const main = document.querySelector('[data-testid="stMain"]');
  const view = box(main);
  const problems = [];
  const out = {width: innerWidth, document: document.documentElement.scrollWidth, main: main.scrollWidth,
               charts: [], tables: [], metrics: []};
  if (document.documentElement.scrollWidth > innerWidth + 1 || document.body.scrollWidth > innerWidth + 1)
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in a ${innerWidth} px window`);
  if (main.scrollWidth > main.clientWidth + 1)
    problems.push(`the page's main area scrolls sideways: ${main.scrollWidth} px in ${main.clientWidth} px`);
  for (const el of document.querySelectorAll('[data-testid="stElementContainer"]')) {
    if (!shown(el) || scroller(el)) continue;
    const b = box(el);
    if (b.r > view.r + 1) problems.push(`an element sticks out of the page: ${el.className.split(' ').find(c => c.startsWith('st-key-')) || el.textContent.slice(0, 40)} ends at ${Math.round(b.r)} px of ${Math.round(view.r)}`);
  }
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    if (!shown(plot)) continue;  // a closed tab
    const chart = box(plot);
    const titleEl = plot.querySelector('.gtitle');
    const name = titleEl ? titleEl.textContent.slice(0, 50) : '(untitled chart)';
    const frame = scroller(plot);
    const visible = frame ? Math.min(box(frame).r, view.r) : Math.min(chart.r, view.r);
    const areas = [...plot.querySelectorAll('.nsewdrag, g.geo > .bg > rect, g.geo .bglayer rect')]
      .filter(shown).map(box);
    const geo = [...plot.querySelectorAll('g.geo')].filter(shown).map(box);
    const area = [...areas, ...geo].sort((a, b) => b.w * b.h - a.w * a.h)[0];
    const c = {name, chart: Math.round(chart.w), frame: frame ? Math.round(box(frame).w) : null,
               plot: area ? Math.round(area.w) : null};
    const modebar = plot.querySelector('.modebar');
    if (titleEl) {
      const t = box(titleEl);
      c.title = [Math.round(t.x - chart.x), Math.round(t.y - chart.y), Math.round(t.w), Math.round(t.h)];
      if (modebar && meets(t, box(modebar))) problems.push(`"${name}": the toolbar covers the title`);
      if (t.r > visible + 1) problems.push(`"${name}": the title is cut at the chart's visible edge (${Math.round(t.r)} > ${Math.round(visible)})`);
    }
    for (const legend of plot.querySelectorAll('.legend')) {
      if (!shown(legend) || !area) continue;
      const l = box(legend);
      c.legend = [Math.round(l.x - chart.x), Math.round(l.y - chart.y), Math.round(l.w), Math.round(l.h)];
      const beside = l.y < area.b - 4 && l.b > area.y + 4 && (l.x >= area.r - 4 || l.r <= area.x + 4);
      if (beside) problems.push(`"${name}": the legend stands beside the plot`);
    }
    if (area && area.w < plotMin) problems.push(`"${name}": the plot area is ${Math.round(area.w)} px wide (< ${plotMin})`);
    out.charts.push(c);
  }
  for (const t of document.querySelectorAll('[data-testid="stDataFrame"], .iscm-table')) {  // grids and HTML tables
    if (!shown(t)) continue;
    const b = box(t);
    out.tables.push(Math.round(b.w));
    if (b.w < Math.min(tableMin, view.w - 40)) problems.push(`a table is ${Math.round(b.w)} px wide`);
  }
  for (const m of document.querySelectorAll('[data-testid="stMetricLabel"]')) {
    if (!shown(m)) continue;
    const cut = [m, ...m.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1
                                                         && getComputedStyle(e).overflow !== 'visible');
    out.metrics.push({label: m.textContent, width: Math.round(box(m).w), cut});
    if (cut) problems.push(`the metric label "${m.textContent}" is cut`);
  }
  return {problems, ...out};
}"""

QUIET = """(ms) => new Promise((resolve) => {
  let timer = setTimeout(done, ms);
  const obs = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, ms); });
  function done() { obs.disconnect(); resolve(true); }
  obs.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
})"""


def settle(page: Page) -> None:
    """Wait until the script has run to its end (Streamlit marks the app `notRunning`), every chart is drawn
    (maps with their shapes) and nothing has changed for 0.6 s."""
    wait_for_app(page, timeout=60_000)
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]').dataset.testScriptState === 'notRunning'
                 && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => {
                   const p = c.querySelector('.js-plotly-plot');
                   if (!p || !p.querySelector('.main-svg')) return false;
                   return !p.querySelector('g.geo') || p.querySelectorAll('path.choroplethlocation').length > 100;
                 }) && !document.querySelector('[data-testid="stSkeleton"]')""",
        timeout=60_000,
    )
    page.evaluate(QUIET, 600)


def full_page_screenshot(page: Page, name: str, width: int) -> None:
    """The page from top to bottom: Streamlit scrolls inside its main area, so the window is made as tall as
    that area's content for the shot."""
    tall = page.evaluate("""() => Math.max(document.documentElement.scrollHeight, ...[...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stAppViewContainer"]')].map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": width, "height": min(int(tall) + 40, 16_000)})
    page.evaluate(QUIET, 400)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


def _record(case: str, result: dict) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    held = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    held[case] = result
    RESULTS.write_text(json.dumps(held, indent=1, sort_keys=True))


@pytest.mark.parametrize("width", list(WINDOWS), ids=[f"{w}px" for w in WINDOWS])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_reads_at_this_width(page: Page, app_url, name, width):
    page.set_viewport_size({"width": width, "height": WINDOWS[width]})
    page.goto(f"{app_url}/{PAGES[name]}")
    settle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    result = page.evaluate(MEASURE, [PLOT_MIN_PX, TABLE_MIN_PX])
    _record(f"{name}-{width}", result)
    full_page_screenshot(page, name, width)
    assert result["problems"] == [], f"{name} at {width} px:\n" + "\n".join(result["problems"])
    if name not in ("data", "overview"):  # the other views show charts (Overview opens on its table)
        assert result["charts"], f"{name} at {width} px drew no chart"
    if name in ("data", "overview", "network-metrics"):
        assert result["tables"], f"{name} at {width} px drew no table"
