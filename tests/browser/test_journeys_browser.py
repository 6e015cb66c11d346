"""User journeys in a real browser (issue 11, journeys 2-4): filters that travel in the URL, a click on a
network node, and a survey import from upload to profile and back.

Expected values are computed here from the dataset with the core library, then read back from what the
browser drew (Plotly's own figure data and tick labels, Streamlit's grid cells), so a wrong filter, a lost
URL parameter or a stale store shows as a concrete difference.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from iscm.filters import Filters, apply_filters
from iscm.membership import participation_table
from iscm.survey.extract import parse_document
from tests.browser.conftest import IN_CI, non_local, real_errors, real_failures, screenshot, wait_for_app
from tests.conftest import SEED

THEME = "asylum_protection"
NODE = "iscm:prague-process"
EXCEPTION = '[data-testid="stException"]'

# The plot whose title starts with `arg`: Streamlit may draw a page's charts in any order, so charts are
# found by their title, never by position.
_PLOT = """(title) => [...document.querySelectorAll('.js-plotly-plot')]
             .find(p => p.layout && p.layout.title && String(p.layout.title.text || '')
                          .replace(/<[^>]+>/g, '').startsWith(title))"""


def plot_state(page: Page, title: str) -> dict:
    """Title and y tick labels of the chart titled `title` (waits until it is drawn)."""
    page.wait_for_function(f"(t) => {{ const p = ({_PLOT})(t); return p && p.querySelector('.main-svg'); }}",
                           arg=title, timeout=60_000)
    return page.evaluate(
        f"""(t) => {{ const p = ({_PLOT})(t);
                     return {{title: String(p.layout.title.text).replace(/<[^>]+>/g, ' '),
                              yticks: [...p.querySelectorAll('.ytick text')].map(e => e.textContent)}}; }}""",
        title)


def coverage_rows(page: Page, expected: int) -> list[str]:
    """The row labels of the coverage chart, once it shows `expected` rows (a rerun may still be drawing)."""
    with contextlib.suppress(PlaywrightTimeoutError):  # the caller's assertion then shows what is drawn
        page.wait_for_function(
            f"""(n) => {{ const p = ({_PLOT})('Thematic coverage');
                         return p && p.querySelectorAll('.ytick text').length === n; }}""",
            arg=expected, timeout=60_000)
    return plot_state(page, "Thematic coverage")["yticks"]


def full_names(ticks: list[str], names: list[str]) -> list[str]:
    """The names the chart's row labels stand for: a long name may end in "…" (the matrix clips it to its
    label width; the hover has it whole); a label that stands for none of `names` is kept as it is."""
    def whole(t: str) -> str:
        return next((n for n in names if t == n or (t.endswith("…") and n.startswith(t[:-1].rstrip()))), t)
    return sorted(whole(t) for t in ticks)


def density_classes(page: Page) -> dict[str, tuple[int, int]]:
    """ISO3 -> (low, high) of its class on the Dialogue density map (the count layers, one per class; a drawn
    trace's meta is a one-item list, iscm.figures._house.for_screen)."""
    page.wait_for_function(f"() => ({_PLOT})('Dialogue density')", timeout=60_000)
    rows = page.evaluate(
        f"""() => ({_PLOT})('Dialogue density').data
                 .filter(d => d.type === 'choropleth' && d.meta && d.meta[0].scale === 'ISCMs')
                 .flatMap(d => d.locations.map(loc => [loc, d.meta[0].count_bin[0], d.meta[0].count_bin[1]]))""")
    return {loc: (int(lo), int(hi)) for loc, lo, hi in rows}


def density_counts_match(page: Page, expected: dict[str, int]) -> bool:
    """The density map shows exactly the States of `expected`, each in the class of its number of ISCMs."""
    drawn = density_classes(page)
    return set(drawn) == set(expected) and all(lo <= expected[c] <= hi for c, (lo, hi) in drawn.items())


def choose_in_sidebar(page: Page, label: str, option: str) -> None:
    """Pick `option` in the sidebar multiselect labelled `label`, as a user does (open, click, close)."""
    widget = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^{re.escape(label)}$")))
    expect(widget).to_have_count(1)
    widget.locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def record(page: Page) -> dict[str, list[str]]:
    """Requests, failed responses and console errors of a page opened outside the `net_log` fixture."""
    log: dict[str, list[str]] = {"requests": [], "errors": [], "failed": []}
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("response", lambda r: log["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    return log


def assert_clean(log: dict[str, list[str]]) -> None:
    assert non_local(log["requests"]) == []
    assert real_failures(log["failed"]) == []
    assert real_errors(log["errors"], log["failed"]) == []


# ------------------------------------------------------------------------------------------- journey 2
def test_theme_filter_travels_with_the_url(page: Page, app_url, net_log, ds, browser, browser_context_args):
    """Journey 2: a theme picked in the sidebar narrows the coverage chart and the maps, lives in the URL,
    survives the switch to another page, and a new browser session opening that URL sees the same view."""
    filtered = apply_filters(ds, Filters(themes=(THEME,)))
    n_all, n_theme = len(ds.iscms), len(filtered.iscms)
    assert 0 < n_theme < n_all  # the journey needs a filter that really narrows
    theme_names = sorted(filtered.iscms["short_name"])
    label = ds.theme_label(THEME)
    density_all = participation_table(ds.memberships, ds.iscms).set_index("iso3")["n_iscms"].to_dict()
    density_theme = participation_table(filtered.memberships, filtered.iscms).set_index("iso3")["n_iscms"].to_dict()
    assert density_theme != density_all

    page.goto(f"{app_url}/themes")
    wait_for_app(page, timeout=60_000)
    assert len(coverage_rows(page, n_all)) == n_all

    choose_in_sidebar(page, "Theme", label)
    expect(page).to_have_url(re.compile(rf"/themes\?(.*&)?theme={THEME}(&|$)"), timeout=30_000)
    assert full_names(coverage_rows(page, n_theme), theme_names) == theme_names
    assert f"of {n_theme} ISCMs" in plot_state(page, "Thematic coverage")["title"]
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Filtered:")).to_contain_text(
        f"Showing {n_theme} of {n_all} ISCMs")
    expect(page.locator(EXCEPTION)).to_have_count(0)
    themes_url = page.url

    # The sidebar's page link carries the filter to the Membership page.
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Membership").click()
    expect(page).to_have_url(re.compile(rf"/membership\?(.*&)?theme={THEME}(&|$)"), timeout=30_000)
    wait_for_app(page, timeout=60_000)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Filtered:")).to_contain_text(
        f"Showing {n_theme} of {n_all} ISCMs", timeout=30_000)
    page.get_by_role("tab", name="Dialogue density").click()  # the density map is drawn when its tab opens
    expect(page).to_have_url(re.compile(r"[?&]section=Dialogue(\+|%20)density(&|$)"), timeout=30_000)
    assert density_counts_match(page, density_theme)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    membership_url = page.url
    screenshot(page, "journey2-membership-filtered")
    assert_clean(net_log)

    # A new browser session (no cookies, no Streamlit session) opening the copied links sees the same view.
    context = browser.new_context(**browser_context_args)
    try:
        other = context.new_page()
        log = record(other)
        other.goto(membership_url)
        wait_for_app(other, timeout=60_000)
        theme_widget = other.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
            has=other.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(r"^Theme$")))
        expect(theme_widget).to_contain_text(label, timeout=30_000)
        assert density_counts_match(other, density_theme)
        other.goto(themes_url)
        wait_for_app(other, timeout=60_000)
        assert full_names(coverage_rows(other, n_theme), theme_names) == theme_names
        expect(theme_widget).to_contain_text(label, timeout=30_000)
        expect(other.locator(EXCEPTION)).to_have_count(0)
        assert_clean(log)
    finally:
        context.close()


# ------------------------------------------------------------------------------------------- journey 3
# Where the node's marker is drawn: the trace whose customdata holds the node id, then the SVG point bound
# to that index (plotly.js binds each point path to its calcdata entry, whose `i` is the point index).
_NODE_BOX = """([plot, node]) => {
  const t = plot._fullData.findIndex(d => (d.mode || '').includes('markers') && Array.isArray(d.customdata)
                                          && d.customdata.includes(node));
  if (t < 0) return null;
  const k = plot._fullData[t].customdata.indexOf(node);
  const trace = [...plot.querySelectorAll('.scatterlayer .trace')]
    .find(g => g.__data__ && g.__data__[0] && g.__data__[0].trace.index === t);
  const point = trace && [...trace.querySelectorAll('path.point')].find(p => p.__data__ && p.__data__.i === k);
  if (!point) return null;
  const r = point.getBoundingClientRect();
  return {x: r.x + r.width / 2, y: r.y + r.height / 2, r: Math.min(r.width, r.height) / 2};
}"""
_HOVER_TEXT = "() => { const h = document.querySelector('.hoverlayer'); return h ? h.textContent : ''; }"


def test_click_on_network_node_shows_summary_and_profile_link(page: Page, app_url, net_log, ds):
    """Journey 3: clicking the Prague Process node selects it (URL), shows its summary and a profile link
    beside the chart, and the link opens its profile."""
    rec = ds.iscms.set_index("iscm_id").loc["prague-process"]
    name = rec["short_name"]
    page.goto(f"{app_url}/network")
    wait_for_app(page, timeout=60_000)
    plot = page.locator(".js-plotly-plot").first
    page.wait_for_function("() => { const p = document.querySelector('.js-plotly-plot');"
                           " return p && p._fullData && p.querySelector('.scatterlayer path.point'); }",
                           timeout=60_000)
    plot.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = plot.evaluate(f"(p, node) => ({_NODE_BOX})([p, node])", NODE)
    assert box, f"{NODE} is not drawn as a node marker"

    # Click where the hover label names the node, as a user would: hover first, then click. Edges' midpoint
    # markers (which carry a tie's hover text) can lie under a node's centre, so try points on the marker.
    spots = [(0, 0)] + [(box["r"] * f * dx, box["r"] * f * dy) for f in (0.5, 0.8)
                        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (0.7, 0.7), (-0.7, -0.7))]
    hovered = []
    for dx, dy in spots:
        page.mouse.move(box["x"] + dx, box["y"] + dy)
        page.wait_for_timeout(150)
        text = page.evaluate(_HOVER_TEXT)
        hovered.append(text[:60])
        if text.startswith(name):
            break
    else:
        pytest.fail(f"no spot on the {name} marker shows its hover label; labels seen: {hovered}")
    page.mouse.click(box["x"] + dx, box["y"] + dy)

    expect(page).to_have_url(re.compile(r"[?&]node=iscm(%3A|:)prague-process(&|$)"), timeout=30_000)
    heading = page.locator('[data-testid="stHeading"]').filter(has_text=re.compile(rf"^{re.escape(name)}$"))
    expect(heading).to_be_visible(timeout=30_000)
    summary = page.locator('[data-testid="stColumn"]').filter(has=heading).last
    expect(summary).to_contain_text(str(rec["full_name"]))
    expect(summary).to_contain_text(f"Members: {int(rec['n_members'])}")
    link = summary.get_by_role("link", name="Open its profile")
    expect(link).to_be_visible()
    assert re.search(r"/?profile\?iscm=prague-process$", link.get_attribute("href") or "")
    # beside the chart: the summary column starts right of the chart
    chart_box, summary_box = plot.bounding_box(), summary.bounding_box()
    assert summary_box["x"] >= chart_box["x"] + chart_box["width"] - 5, (chart_box, summary_box)
    page.wait_for_function(f"() => ({_PLOT})('Ego network of {name}')", timeout=30_000)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    screenshot(page, "journey3-network-node")

    link.click()
    expect(page).to_have_url(re.compile(r"/profile\?(.*&)?iscm=prague-process(&|$)"), timeout=30_000)
    expect(page.locator("h1").filter(has_text=name)).to_be_visible(timeout=60_000)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert_clean(net_log)


# ------------------------------------------------------------------------------------------- journey 4
def _seed():  # noqa: ANN202
    """The seed survey beside the checkout (shared/); a skip on a laptop without it, a failure in CI."""
    if not SEED.is_file():
        msg = f"seed survey not found at {SEED} (shared/ is not beside this checkout)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return SEED


def grid(page: Page, header: str):  # noqa: ANN201 - a Locator
    """The visible dataframe with a column named `header` (Streamlit gives dataframes no key class)."""
    return page.locator('[data-testid="stDataFrame"]:visible').filter(
        has=page.locator('[role="columnheader"]', has_text=re.compile(rf"^{re.escape(header)}$")))


def charts_drawn(page: Page, timeout: float = 60_000) -> None:
    """Wait until every Plotly chart on the page has drawn (a map fetches its world shapes first): switching a
    tab while a map is still fetching makes plotly.js log an error when the fetch returns to a removed chart."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p._fullLayout
               && (!p._fullLayout.geo || p.querySelectorAll('path.choroplethlocation').length > 0))""",
        timeout=timeout)


def survey_tab(page: Page, app_url: str):
    """Open Prague Process's profile and return its 'Survey findings' tab panel."""
    page.goto(f"{app_url}/profile?iscm=prague-process")
    wait_for_app(page, timeout=60_000)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    tab = page.get_by_role("tab", name=re.compile("Survey findings"))
    expect(tab).to_be_visible(timeout=60_000)
    charts_drawn(page)
    tab.click()
    panel = page.locator('[role="tabpanel"]:visible')
    expect(panel).to_have_count(1)
    return panel


@pytest.mark.needs_seed
def test_survey_import_shows_on_profile_and_removal_hides_it(page: Page, fresh_server, net_log, ds):
    """Journey 4: upload the seed survey on the Data page -> preview -> confirm -> the result (counts, no
    Confirm button, no server path) -> its profile link opens the profile in the same tab, showing the
    survey's sections -> remove the import on the Data page -> the profile no longer shows them."""
    seed = _seed()
    parsed = parse_document(seed.name, seed.read_bytes(), ds)
    assert [e.iscm_id for e in parsed.entries] == ["prague-process"]
    titles = [f"{s.number}. {s.title}" for s in parsed.entries[0].sections]
    assert len(titles) == 5
    n_facts = len(parsed.preview())  # one row per extracted fact
    n_new = sum(1 for d in parsed.differences if d.change == "new")
    assert n_facts > 10 and n_new >= 1
    url, home = fresh_server()  # its own empty store: the import touches no other test

    page.goto(f"{url}/data")
    wait_for_app(page, timeout=60_000)
    page.locator(".st-key-survey_upload input[type=file]").set_input_files(seed)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Read 1 ISCM entry")).to_be_visible(
        timeout=60_000)
    entries = grid(page, "Matched ISCM").locator("[role=gridcell]")
    expect(entries.first).to_be_attached(timeout=30_000)  # the grid's accessible copy: in the DOM, not shown
    cells = entries.all_text_contents()
    assert cells[:3] == ["Prague Process", "Prague Process", "5/5"], cells  # entry, matched ISCM, sections
    facts = grid(page, "Kind of fact").locator("[role=gridcell]")
    expect(facts.first).to_be_attached()
    fact_cells = facts.all_text_contents()
    assert "Prague Process" in fact_cells and "prague-process" not in fact_cells  # names, not ids
    assert not (home / "imports").exists() or not any((home / "imports").iterdir())  # nothing stored yet

    confirm = page.get_by_role("button", name="Confirm import")
    confirm.click()
    result = page.locator('[data-testid="stAlert"]').filter(has_text="Imported: ")
    expect(result).to_be_visible(timeout=60_000)
    expect(result).to_contain_text(f"Imported: 1 ISCM, {n_facts} facts from {seed.name}, stored on ")
    assert re.search(r"stored on \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC\.", result.inner_text())
    assert any((home / "imports").iterdir())
    wait_for_app(page, timeout=60_000)
    expect(confirm).to_have_count(0)  # nothing left to import twice
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="Read 1 ISCM entry")).to_have_count(0)
    expect(page.get_by_text("would be added", exact=False)).to_have_count(0)
    expect(page.get_by_role("button", name="Import another document")).to_be_visible()
    text = page.locator("body").inner_text()
    for path in (str(home), str(home.parent), "$ISCM_ATLAS_HOME", "/imports", "audit.jsonl"):
        assert path not in text, path
    result.scroll_into_view_if_needed()
    screenshot(page, "journey4-import-result")

    link = page.get_by_role("link", name=f"Prague Process · {n_facts} facts, {n_new} new to the dataset")
    expect(link).to_be_visible()
    assert re.search(r"/?profile\?iscm=prague-process$", link.get_attribute("href") or "")
    assert link.get_attribute("target") in (None, "", "_self")
    tabs_before = len(page.context.pages)
    link.click()
    expect(page).to_have_url(re.compile(r"/profile\?(.*&)?iscm=prague-process(&|$)"), timeout=30_000)
    expect(page.locator("h1").filter(has_text="Prague Process")).to_be_visible(timeout=60_000)
    assert len(page.context.pages) == tabs_before  # the same tab, no new one
    wait_for_app(page, timeout=60_000)
    charts_drawn(page)
    tab = page.get_by_role("tab", name=re.compile("Survey findings"))
    tab.click()
    panel = page.locator('[role="tabpanel"]:visible')
    expect(panel).to_contain_text(seed.name, timeout=30_000)
    expect(page.locator(EXCEPTION)).to_have_count(0)

    panel = survey_tab(page, url)
    expect(panel).to_contain_text(seed.name, timeout=30_000)
    for title in titles:
        expect(panel).to_contain_text(title)
    panel.scroll_into_view_if_needed()
    screenshot(page, "journey4-profile-survey")

    page.goto(f"{url}/data")
    wait_for_app(page, timeout=60_000)
    remove = page.locator('[class*="st-key-rm_"] button')
    expect(remove).to_have_count(1, timeout=30_000)
    remove.click()
    expect(page.locator('[data-testid="stAlert"]').filter(has_text=f"Removed {seed.name}")).to_be_visible(
        timeout=60_000)
    expect(page.get_by_text("No survey imported yet")).to_be_visible()

    panel = survey_tab(page, url)
    expect(panel).to_contain_text("No survey summary about this ISCM has been imported", timeout=30_000)
    for title in titles:
        expect(panel).not_to_contain_text(title)
    expect(panel).not_to_contain_text(seed.name)
    assert_clean(net_log)


def test_network_metrics_table_opens_on_demand_and_stays_open_in_a_copied_link(page: Page, app_url, ds):
    """The table of every node is drawn when its expander is opened (not on load); the URL then keeps it open."""
    page.goto(f"{app_url}/network")
    wait_for_app(page, timeout=60_000)
    grid = page.locator(".st-key-net_metrics [data-testid='stDataFrame']")
    box = page.locator('[data-testid="stExpander"]').filter(has_text="Table of every node")
    expect(box).to_be_visible(timeout=30_000)
    expect(grid).to_have_count(0)
    box.get_by_text("Table of every node").click()
    expect(page).to_have_url(re.compile(r"[?&]metrics=true(&|$)"), timeout=30_000)
    expect(grid).to_be_visible(timeout=30_000)
    expect(box).to_contain_text("nodes of the network as filtered")
    page.goto(page.url)  # the copied link: a new session opens with the table shown
    wait_for_app(page, timeout=60_000)
    expect(grid).to_be_visible(timeout=30_000)
    expect(page.locator(EXCEPTION)).to_have_count(0)
