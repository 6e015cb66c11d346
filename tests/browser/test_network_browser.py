"""The Network page in headless Chromium: a node's hover box stays inside the chart, at its right edge too.

plotly.js sets a hover box beside the point under the pointer; a box wider than the room left there was cut
at the chart's right edge (issue 17). The nodes nearest the right, top and bottom edges of the whole network
and of the Prague Process's neighbourhood are hovered, and each box is measured against the chart's own box.
Run under `flock /tmp/iscm-browser.lock`.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, real_errors, real_failures, wait_for_app

pytestmark = pytest.mark.browser

_NETWORK = """() => [...document.querySelectorAll('.js-plotly-plot')]
                 .find(p => p.data && p.data.some(t => t.meta && t.meta.role === 'nodes'))"""

# The page pixel of every node, from plotly.js's own axes; the nodes nearest each edge of the plot.
_EDGE_NODES = f"""() => {{
  const gd = ({_NETWORK})();
  const fl = gd._fullLayout, xa = fl.xaxis, ya = fl.yaxis;
  const r = gd.querySelector('.main-svg').getBoundingClientRect();
  const nodes = [];
  gd.data.forEach((t) => {{
    if (!(t.meta && t.meta.role === 'nodes')) return;
    t.x.forEach((x, k) => nodes.push({{id: t.customdata[k], x: r.x + xa._offset + xa.l2p(x),
                                       y: r.y + ya._offset + ya.l2p(t.y[k])}}));
  }});
  const pick = (key, sign) => nodes.reduce((a, b) => (sign * b[key] > sign * a[key] ? b : a));
  return {{right: pick('x', 1), top: pick('y', -1), bottom: pick('y', 1), left: pick('x', -1)}};
}}"""


def _open(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, timeout=60_000)
    page.wait_for_function(f"() => {{ const p = ({_NETWORK})(); return p && "
                           "p.querySelectorAll('.scatterlayer path.point').length > 20; }", timeout=60_000)
    page.evaluate(f"() => ({_NETWORK})().scrollIntoView({{block: 'center'}})")
    page.wait_for_timeout(500)


def _hover_box(page: Page, node: dict) -> tuple[dict, dict, str]:
    """Hover a node; (its hover box, the chart's box, the box's first line), page pixels."""
    page.mouse.move(5, 5)
    page.wait_for_timeout(150)
    page.mouse.move(node["x"], node["y"])
    page.wait_for_function(f"() => ({_NETWORK})().querySelector('.hoverlayer .hovertext')", timeout=10_000)
    page.wait_for_timeout(200)  # plotly.js moves the box into place after drawing it
    return page.evaluate(f"""() => {{
        const gd = ({_NETWORK})();
        const h = gd.querySelector('.hoverlayer .hovertext');
        const b = h.getBoundingClientRect(), c = gd.getBoundingClientRect();
        const box = (x) => ({{left: x.left, top: x.top, right: x.right, bottom: x.bottom}});
        return [box(b), box(c), h.textContent]; }}""")


@pytest.mark.parametrize("view", ["whole", "prague-neighbours"])
def test_node_hover_boxes_lie_inside_the_chart(page: Page, app_url, net_log, view):
    page.set_viewport_size({"width": 1280, "height": 900})
    query = "" if view == "whole" else "?node=iscm:prague-process"
    _open(page, f"{app_url}/network{query}")
    nodes = page.evaluate(_EDGE_NODES)
    problems = []
    for edge in ("right", "top", "bottom", "left"):
        box, chart, text = _hover_box(page, nodes[edge])
        assert text.strip(), (edge, nodes[edge])
        if (box["left"] < chart["left"] - 0.5 or box["right"] > chart["right"] + 0.5
                or box["top"] < chart["top"] - 0.5 or box["bottom"] > chart["bottom"] + 0.5):
            problems.append(f"{edge}-most node {nodes[edge]['id']}: hover box {box} outside the chart {chart}")
        if edge == "right":
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"network-hover-right-{view}.png"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert problems == [], "\n".join(problems)
    assert real_failures(net_log["failed"]) == []
    assert real_errors(net_log["errors"], net_log["failed"]) == []
