"""Accessibility in a real browser: axe-core finds nothing serious or critical on any page or tab, chart
text reads at WCAG AA contrast, and the keyboard reaches the page menu.

axe-core (npm) is installed by `make test` into the virtualenv (`$(VENV)/node`, see the Makefile); set
AXE_CORE_JS to use another copy of `axe.min.js`. Without it these tests skip with the reason; under CI
(CI=true) a missing axe-core is a failure.

axe does not look inside SVG, so the text of Plotly charts (tick labels, axis, legend and colour-bar titles)
is measured here against the page background with the same WCAG formula
(tests/test_contrast.py checks the house template's colours themselves).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from components.frame import PAGES
from tests.browser.conftest import IN_CI, ROOT, wait_for_app

AXE_IN_VENV = Path("node") / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")  # axe impacts that fail the test; "moderate" and "minor" are reported only
# The queries a page is checked with: its subject, so it shows everything it can (not its "pick one" state);
# the Network page both whole and with a node selected (its neighbourhood controls and summary).
QUERIES = {"country": ["iso3=DEU"], "profile": ["iscm=prague-process"],
           "compare": ["compare=prague-process,budapest-process"], "network": ["", "node=iscm:prague-process", "metrics=true"]}
MIN_CONTRAST = 4.5


def axe_path() -> Path | None:
    explicit = os.environ.get("AXE_CORE_JS")
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    for venv in (Path(sys.prefix), ROOT / ".venv"):  # the running virtualenv, then the Makefile's default
        if (venv / AXE_IN_VENV).is_file():
            return venv / AXE_IN_VENV
    return None


@pytest.fixture(scope="module")
def axe_js() -> Path:
    path = axe_path()
    if path is None:
        msg = ("axe-core not found (`make test` installs it with npm into .venv/node; or set AXE_CORE_JS to "
               "axe.min.js) - the accessibility tests need it")
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return path


# Until Streamlit has finished (no running indicator) and the page has not changed for `quiet` ms: charts
# drawn, tab contents in place. Returns false on timeout (the checks then run on what is there).
_SETTLE = """async ([quiet, timeout]) => {
  let last = performance.now();
  const start = last;
  const obs = new MutationObserver(() => { last = performance.now(); });
  obs.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  try {
    while (performance.now() - start < timeout) {
      await new Promise(r => setTimeout(r, 100));
      if (!document.querySelector('[data-testid="stStatusWidget"]') && performance.now() - last >= quiet) return true;
    }
    return false;
  } finally { obs.disconnect(); }
}"""

# The colour of every text of the charts that carries no data colour of its own, with its contrast against
# the page background (the charts are transparent). WCAG 2 relative luminance.
_CHART_TEXT = """() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
      .reduce((acc, v, i) => acc + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = rgb(getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor);
  const sel = ['.xtick text', '.ytick text', '.g-xtitle text', '.g-ytitle text', '.legendtext', '.legendtitletext',
               '.cbaxis text', '.cbtitle text', '.gtitle'].map(s => '.js-plotly-plot ' + s).join(',');
  const seen = {};
  for (const el of document.querySelectorAll(sel)) {
    if (!el.textContent.trim()) continue;
    const fill = el.style.fill || getComputedStyle(el).fill;
    const kind = (el.getAttribute('class') || el.parentNode.getAttribute('class') || '').split(' ')[0];
    const key = kind + ' ' + fill;
    if (!(key in seen)) seen[key] = {kind, fill, ratio: Math.round(ratio(rgb(fill), bg) * 100) / 100, text: el.textContent.slice(0, 40)};
  }
  return Object.values(seen);
}"""


def settle(page: Page, quiet: int = 500, timeout: int = 20_000) -> None:
    page.evaluate(_SETTLE, [quiet, timeout])


def run_axe(page: Page, axe_js: Path) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")


def describe(where: str, v: dict, nodes: int = 3) -> str:
    lines = [f"{where}: {v['id']} ({v['impact']}) {v['help']} - {len(v['nodes'])} element(s), e.g."]
    for node in v["nodes"][:nodes]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {' '.join(map(str, node['target']))}\n      {summary[:300]}")
    return "\n".join(lines)


def check_view(page: Page, axe_js: Path, where: str, found: list[str], minor: list[str]) -> None:
    """Run axe and the chart-text check on what the page shows now; add what fails to `found`."""
    settle(page)
    for v in run_axe(page, axe_js):
        (found if v["impact"] in BLOCKING else minor).append(describe(where, v))
    for t in page.evaluate(_CHART_TEXT):
        if t["ratio"] < MIN_CONTRAST:
            found.append(f"{where}: chart text {t['kind']} ({t['text']!r}) in {t['fill']} reads {t['ratio']}:1 "
                         f"on the page background (at least {MIN_CONTRAST}:1)")


@pytest.mark.parametrize("url", [p[2] for p in PAGES])
def test_page_and_its_tabs_have_no_serious_axe_violations(axe_js, page: Page, app_url, url):
    found: list[str] = []
    minor: list[str] = []
    views = 0
    for query in QUERIES.get(url, [""]):
        where = f"{url}?{query}" if query else url
        page.goto(f"{app_url}/{where}")
        wait_for_app(page)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        check_view(page, axe_js, where, found, minor)
        # Every other tab of the page: its contents are drawn (or shown) only once it is open.
        main = page.locator('[data-testid="stMain"]')
        names = main.get_by_role("tab").all_inner_texts()
        for name in names[1:]:
            tab = main.get_by_role("tab", name=name, exact=True)
            tab.click()
            expect(tab).to_have_attribute("aria-selected", "true")
            wait_for_app(page)
            check_view(page, axe_js, f"{where} [{name}]", found, minor)
        views += max(len(names), 1)
    if minor:
        print(f"{url}: axe also reports (moderate/minor, not failing):\n" + "\n".join(minor))
    assert not found, (f"{len(found)} accessibility problem(s) of impact {'/'.join(BLOCKING)} on {url} "
                       f"({views} view(s) checked):\n" + "\n".join(found))


def test_keyboard_reaches_the_page_menu_from_the_page_start(page: Page, app_url):
    """Tab from the top of a page: the skip link, then the sidebar's page links; Enter follows one."""
    page.goto(f"{app_url}/overview")
    wait_for_app(page)
    expect(page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Overview")).to_be_visible()
    settle(page)
    titles = {title for _, title, _, _ in PAGES}
    reached: list[str] = []
    for _ in range(15):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            return {inSidebar: !!e.closest('[data-testid="stSidebar"]'), tag: e.tagName,
                    href: e.getAttribute('href') || '', text: (e.innerText || '').trim()}; }""")
        label = focused["text"].splitlines()[-1].strip() if focused["text"] else ""
        if focused["inSidebar"] and focused["tag"] == "A" and label in titles:
            reached.append(label)
            if label == "Themes":
                break
    assert reached[:1] == ["Overview"] and reached[-1] == "Themes", (
        f"Tab from the page start reached the sidebar's page links {reached}; expected Overview first, then "
        "the next links in menu order")
    page.keyboard.press("Enter")
    page.wait_for_url("**/themes**")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Themes", level=1)).to_be_visible()
