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

# A drawn trace's meta is a one-item list (iscm.figures._house.for_screen).
_NETWORK = """() => [...document.querySelectorAll('.js-plotly-plot')]
                 .find(p => p.data && p.data.some(t => t.meta && t.meta[0].role === 'nodes'))"""

# The page pixel of every node, from plotly.js's own axes; the nodes nearest each edge of the plot.
_EDGE_NODES = f"""() => {{
  const gd = ({_NETWORK})();
  const fl = gd._fullLayout, xa = fl.xaxis, ya = fl.yaxis;
  const r = gd.querySelector('.main-svg').getBoundingClientRect();
  const nodes = [];
  gd.data.forEach((t) => {{
    if (!(t.meta && t.meta[0].role === 'nodes')) return;
    t.x.forEach((x, k) => nodes.push({{id: t.customdata[k], x: r.x + xa._offset + xa.l2p(x),
                                       y: r.y + ya._offset + ya.l2p(t.y[k]), n: String(t.hovertext[k]).length}}));
  }});
  const pick = (key, sign) => nodes.reduce((a, b) => (sign * b[key] > sign * a[key] ? b : a));
  return {{right: pick('x', 1), top: pick('y', -1), bottom: pick('y', 1), left: pick('x', -1),
           longest: pick('n', 1)}};
}}"""

# Every node name drawn on the page: beside its marker (a node trace's text) or moved off it (an annotation),
# and every node marker, with the trace and point each belongs to (plotly.js binds them to its elements).
_NAMES = f"""() => {{
  const gd = ({_NETWORK})();
  const box = (el) => {{ const b = el.getBoundingClientRect();
    return {{left: b.left, top: b.top, right: b.right, bottom: b.bottom}}; }};
  const labels = [], markers = [];
  gd.querySelectorAll('.scatterlayer .trace').forEach((g) => {{
    const t = g.__data__ && g.__data__[0] && g.__data__[0].trace;
    if (!(t && t.meta && t.meta[0].role === 'nodes')) return;
    g.querySelectorAll('path.point').forEach((p) => markers.push({{id: t.customdata[p.__data__.i], ...box(p)}}));
    g.querySelectorAll('.textpoint').forEach((tp) => {{
      const el = tp.querySelector('text');
      if (el && el.textContent.trim()) labels.push({{id: t.customdata[tp.__data__.i], text: el.textContent, ...box(el)}});
    }});
  }});
  (gd.layout.annotations || []).forEach((a, k) => {{
    if (!String(a.name || '').startsWith('label:')) return;
    const el = gd.querySelector(`.annotation[data-index="${{k}}"] text`);
    if (el) labels.push({{id: a.name.slice(6), text: el.textContent, ...box(el)}});
  }});
  return {{labels, markers, chart: box(gd.querySelector('.nsewdrag') || gd)}};
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
    for edge in ("right", "top", "bottom", "left", "longest"):
        box, chart, text = _hover_box(page, nodes[edge])
        assert text.strip(), (edge, nodes[edge])
        if (box["left"] < chart["left"] - 0.5 or box["right"] > chart["right"] + 0.5
                or box["top"] < chart["top"] - 0.5 or box["bottom"] > chart["bottom"] + 0.5):
            problems.append(f"{edge} node {nodes[edge]['id']}: hover box {box} outside the chart {chart}")
        if edge == "right":
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"network-hover-right-{view}.png"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert problems == [], "\n".join(problems)
    assert real_failures(net_log["failed"]) == []
    assert real_errors(net_log["errors"], net_log["failed"]) == []


@pytest.mark.parametrize("view", ["whole", "prague-neighbours"])
def test_node_names_on_a_laptop_screen_stay_in_the_plot_and_clear(page: Page, app_url, view):
    """At 1280 px the chart is about 650 px wide beside the sidebar and the node panel: every name drawn is
    inside the plot, clear of the other names and of the other nodes' markers (the disc in each marker's box)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    query = "" if view == "whole" else "?node=iscm:prague-process"
    _open(page, f"{app_url}/network{query}")
    drawn = page.evaluate(_NAMES)
    labels, markers, plot = drawn["labels"], drawn["markers"], drawn["chart"]
    assert len(labels) >= (6 if view == "whole" else 20), [lab["text"] for lab in labels]
    problems = []
    for i, a in enumerate(labels):
        if a["left"] < plot["left"] - 1 or a["right"] > plot["right"] + 1 or a["top"] < plot["top"] - 1 \
                or a["bottom"] > plot["bottom"] + 1:
            problems.append(f"{a['text']!r} leaves the plot {plot}: {a}")
        for b in labels[i + 1:]:
            if a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 \
                    and b["top"] < a["bottom"] - 1:
                problems.append(f"{a['text']!r} runs into {b['text']!r}")
        for m in markers:
            cx, cy, rad = (m["left"] + m["right"]) / 2, (m["top"] + m["bottom"]) / 2, (m["right"] - m["left"]) / 2
            dx, dy = max(a["left"] - cx, 0, cx - a["right"]), max(a["top"] - cy, 0, cy - a["bottom"])
            if m["id"] != a["id"] and rad > 1 and dx * dx + dy * dy < (rad - 1) ** 2:
                problems.append(f"{a['text']!r} over the marker of {m['id']}")
    page.screenshot(path=str(ARTIFACTS / f"network-names-1280px-{view}.png"))
    assert problems == [], "\n".join(problems)
