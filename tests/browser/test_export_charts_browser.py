"""Every chart of every page, exported: rendered to SVG through the export path and measured in Chromium.

Each page runs in AppTest twice, unfiltered (all ISCMs) and with a narrow filter (three ISCMs); every chart it
draws goes through the chart panel's registry, exactly as its Download menu and "Download all" would, and is
rendered to SVG by ``iscm.export``. From the SVG: one tick label per category of each categorical axis, the
title, the source line and every legend entry. Loaded into Chromium: no text lies outside the image, and the
title, the legend and the source line do not run into each other or into the chart's labels. The coverage
matrix (all ISCMs), the Prague Process neighbourhood of the network and the density map are written to
tests/artifacts/ as PNGs for a person to look at.

Needs Chromium (kaleido and Playwright): run under `flock /tmp/iscm-browser.lock`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from iscm import export
from iscm.figures._house import clip_label
from tests.page_charts import FILTERS, PAGE_NAMES, page_charts

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SVG = "{http://www.w3.org/2000/svg}"
ARTEFACT_CHARTS = {  # (filter, page label, chart key prefix) -> PNG file name
    ("all", "themes", "th_coverage"): "coverage-matrix-all-iscms.png",
    ("all", "network-prague", "net_chart"): "network-prague-process-neighbours.png",
    ("all", "membership", "mb_density"): "density-map.png",
}

MEASURE = """
() => {
  const root = document.querySelector('svg');
  const r = root.getBoundingClientRect();
  const role = (el) => {
    for (const [cls, name] of [['g-gtitle', 'title'], ['legend', 'legend'], ['annotation', 'annotation'],
                               ['g-xtitle', 'axis-title'], ['g-ytitle', 'axis-title'],
                               ['xaxislayer-above', 'x-ticks'], ['yaxislayer-above', 'y-ticks'],
                               ['colorbar', 'colorbar']]) {
      if (el.closest('.' + cls)) return name;
    }
    return 'plot';
  };
  const source = (el) => el.closest('.annotation') && el.textContent.trim().startsWith('Source:');
  const texts = [];
  for (const t of root.querySelectorAll('text')) {
    if (!t.textContent.trim()) continue;
    const b = t.getBoundingClientRect();
    if (b.width === 0 && b.height === 0) continue;
    const r0 = role(t);
    texts.push({text: t.textContent, role: source(t) ? 'source' : (r0 === 'annotation' ? 'plot' : r0), left: b.left - r.left, top: b.top - r.top,
                right: b.right - r.left, bottom: b.bottom - r.top});
  }
  return {width: r.width, height: r.height, texts};
}
"""

MEASURE_NETWORK = """
(nodeTraces) => {
  // node names as drawn: a node trace's text beside its marker, or an annotation moved off the node
  const root = document.querySelector('svg');
  const r = root.getBoundingClientRect();
  const box = (el) => { const b = el.getBoundingClientRect();
    return {left: b.left - r.left, top: b.top - r.top, right: b.right - r.left, bottom: b.bottom - r.top}; };
  const markers = [], labels = [];
  for (const i of nodeTraces) {
    const t = root.querySelector('.scatterlayer .tracet' + i);  // the trace's uid, set before the export
    t.querySelectorAll('path.point').forEach((p, k) => markers.push({trace: i, point: k, ...box(p)}));
    t.querySelectorAll('.textpoint text').forEach((el) => {
      if (el.textContent.trim()) labels.push({text: el.textContent.trim(), moved: false, ...box(el)}); });
  }
  root.querySelectorAll('.annotation').forEach((a) => {
    const el = a.querySelector('text');
    if (el && el.textContent.trim() && !el.textContent.trim().startsWith('Source:'))
      labels.push({text: el.textContent.trim(), moved: true, ...box(el)});
  });
  return {markers, labels};
}
"""


@dataclass
class Chart:
    filt: str
    page: str
    key: str
    item: export.ChartItem
    figure: object = None
    svg: bytes = b""
    measured: dict = field(default_factory=dict)
    network: dict = field(default_factory=dict)  # node labels and markers as drawn (network charts)

    @property
    def name(self) -> str:
        return f"{self.filt}/{self.page}/{self.key}"


@pytest.fixture(scope="module")
def charts(browser, tmp_path_factory):
    """Every chart of every page under both filters, exported to SVG and measured in Chromium."""
    if not export.chromium_available():
        pytest.skip("no Chromium for kaleido: static export cannot run")
    out = [Chart(c.filt, c.page, c.key, c.item) for c in page_charts(tmp_path_factory.mktemp("export-home"))]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab = browser.new_page()
    try:
        for c in out:
            c.figure = c.item.report()
            if c.key.startswith("net_chart"):  # the SVG names each trace by its uid: the node traces are found
                for i, t in enumerate(c.figure.data):
                    t.uid = f"t{i}"
            c.svg = export.to_svg(c.figure)
            tab.set_content(f"<!DOCTYPE html><html><body style='margin:0'>{c.svg.decode('utf-8')}</body></html>")
            c.measured = tab.evaluate(MEASURE)
            if c.key.startswith("net_chart"):
                c.network = tab.evaluate(MEASURE_NETWORK, _node_traces(c.figure))
            for (f, p, prefix), file_name in ARTEFACT_CHARTS.items():
                if (c.filt, c.page) == (f, p) and c.key.startswith(prefix):
                    (ARTIFACTS / file_name).write_bytes(export.to_png(c.figure))
    finally:
        tab.close()
    return out


def _node_traces(fig) -> list[int]:
    return [i for i, t in enumerate(fig.data) if (t.meta or {}).get("role") == "nodes"]


def _texts(svg: bytes, css_class: str) -> list[str]:
    """Text of every <text> under a <g class="... css_class ..."> of the SVG, tspans (wrapped lines) joined."""
    root = ET.fromstring(svg)
    found = []
    for g in root.iter(f"{SVG}g"):
        if css_class in (g.get("class") or "").split():
            found += [" ".join(" ".join(t.itertext()).split()) for t in g.iter(f"{SVG}text")]
    return found


def _tick_labels(svg: bytes, axis: str) -> list[str]:
    """Tick labels of one axis ('x', 'y', 'x2', ...) as plotly writes them: <g class="xtick"><text>."""
    root = ET.fromstring(svg)
    return [" ".join(" ".join(t.itertext()).split()) for g in root.iter(f"{SVG}g")
            if (g.get("class") or "") == f"{axis}tick" for t in g.iter(f"{SVG}text")
            if "".join(t.itertext()).strip()]


def _plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", str(text)).split())


def test_every_page_exports_charts_under_both_filters(charts):
    pages = {(c.filt, c.page) for c in charts}
    assert pages == {(f, p) for f in FILTERS for p in PAGE_NAMES}
    by_page = {p: {c.key.rsplit("_", 1)[0] if c.key.startswith(("th_coverage", "th_prevalence", "th_similar",
                                                                "net_chart")) else c.key
                   for c in charts if c.page == p} for p in PAGE_NAMES}
    assert {"th_coverage", "th_prevalence", "th_theme_map", "th_evolution", "th_similar_chart"} <= by_page["themes"]
    assert {"mb_iscm_map", "mb_density", "mb_overlap", "mb_pair_map"} <= by_page["membership"]
    assert {"gcm_coverage", "gcm_regions", "gcm_objective_map"} <= by_page["gcm"]
    assert {"cty_fellow", "cty_themes"} <= by_page["country"]
    assert {"pf_map", "pf_themes", "pf_orgs"} <= by_page["profile"]
    assert {"cmp_overlap", "cmp_map", "cmp_themes"} <= by_page["compare"]
    assert {"gcm_coverage", "gcm_regions", "gcm_objective_map"} <= by_page["gcm"]


def test_title_source_line_legend_and_one_tick_label_per_category(charts):
    problems = []
    for c in charts:
        fig, svg = c.figure, c.svg
        title = " ".join(_texts(svg, "g-gtitle"))
        if _plain(c.item.title) not in title:
            problems.append(f"{c.name}: title {c.item.title!r} not in {title!r}")
        notes = " ".join(_texts(svg, "annotation"))
        line = export.source_line(c.item.sources, c.item.data_date)
        if _plain(line) not in notes:
            problems.append(f"{c.name}: source line missing ({line[:60]}...)")
        legend = _texts(svg, "legend")
        for entry in export._legend_entries(fig):  # noqa: SLF001 - the entries the layout rule planned for
            if _plain(entry) not in legend:
                problems.append(f"{c.name}: legend entry {entry!r} missing from {legend}")
        for key, axis in export._axes(fig).items():  # noqa: SLF001
            if not axis.categories or not axis.visible:
                continue
            ticks = _tick_labels(svg, key.replace("axis", ""))
            expected = [_plain(x) for x in axis.categories]
            rng = fig.layout[key].range
            if rng is not None and fig.layout[key].autorange is not True:  # a range shows a part of the axis
                lo, hi = sorted(rng)
                expected = [x for i, x in enumerate(expected) if lo <= i <= hi]
            if sorted(ticks) != sorted(expected):
                problems.append(f"{c.name}: {key} has {len(ticks)} tick labels for {len(expected)} categories "
                                f"(missing {sorted(set(expected) - set(ticks))[:5]})")
    assert problems == [], "\n".join(problems)


def test_unfiltered_coverage_matrix_labels_every_iscm(charts, ds):
    (cov,) = [c for c in charts if (c.filt, c.page) == ("all", "themes") and c.key.startswith("th_coverage")]
    rows = _tick_labels(cov.svg, "y")
    assert len(rows) == len(ds.iscms)  # one per row of iscms.csv
    assert sorted(rows) == sorted(ds.iscms["short_name"])
    assert (ARTIFACTS / ARTEFACT_CHARTS[("all", "themes", "th_coverage")]).stat().st_size > 10_000


def test_no_text_outside_the_image(charts):
    problems = []
    for c in charts:
        m = c.measured
        assert m["width"] == c.figure.layout.width and m["height"] == c.figure.layout.height, c.name
        for t in m["texts"]:
            if t["left"] < -0.5 or t["top"] < -0.5 or t["right"] > m["width"] + 0.5 or t["bottom"] > m["height"] + 0.5:
                problems.append(f"{c.name}: {t['role']} {t['text'][:50]!r} at "
                                f"({t['left']:.0f}, {t['top']:.0f})-({t['right']:.0f}, {t['bottom']:.0f}) "
                                f"outside {m['width']:.0f}x{m['height']:.0f}")
    assert problems == [], "\n".join(problems)


def _box(texts: list[dict]) -> tuple[float, float, float, float] | None:
    if not texts:
        return None
    return (min(t["left"] for t in texts), min(t["top"] for t in texts),
            max(t["right"] for t in texts), max(t["bottom"] for t in texts))


def _meets(a, b) -> bool:
    return a is not None and b is not None and a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def test_title_legend_and_source_line_stand_clear(charts):
    """The title block, the legend and the source line each keep to their own band: none of them runs into
    another or into the chart's axis labels (the old coverage PNG had its legend over the title)."""
    problems = []
    for c in charts:
        texts = c.measured["texts"]
        boxes = {role: _box([t for t in texts if t["role"] == role])
                 for role in ("title", "legend", "source", "x-ticks", "y-ticks", "axis-title", "colorbar", "plot")}
        for a in ("title", "legend", "source"):
            for b, box in boxes.items():
                if b != a and (a, b) != ("legend", "colorbar") and _meets(boxes[a], box):
                    problems.append(f"{c.name}: {a} {boxes[a]} overlaps {b} {box}")
    assert problems == [], "\n".join(problems)


def test_artefact_pngs_are_written(charts):
    for name in ARTEFACT_CHARTS.values():
        data = (ARTIFACTS / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_overlap_matrix_column_labels_do_not_overlap_at_1440px(browser, app_url, ds):
    """On a 1440 px wide screen the overlap matrix of all ISCMs prints one column label per ISCM and no two
    of them touch (measured on the drawn labels in the page)."""
    from tests.browser.conftest import wait_for_app

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/membership?section=Overlap")
        wait_for_app(page, timeout=60_000)
        title = "Shared members between ISCMs"
        page.wait_for_function(
            "(t) => [...document.querySelectorAll('.js-plotly-plot .gtitle')].some(g => g.textContent.startsWith(t))",
            arg=title, timeout=60_000)
        chart = page.locator(".js-plotly-plot", has=page.locator(".gtitle", has_text=title))
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        width = chart.evaluate("el => el.getBoundingClientRect().width")
        labels = chart.evaluate(
            """(el) => [...el.querySelectorAll('.xaxislayer-above .xtick text')].map(t => {
                 const b = t.getBoundingClientRect();
                 return {text: t.textContent, left: b.left, top: b.top, right: b.right, bottom: b.bottom}; })""")
        page.screenshot(path=str(ARTIFACTS / "overlap-matrix-1440px.png"), full_page=False)
    finally:
        context.close()
    assert 900 < width < 1440  # the chart as laid out beside the sidebar of a 1440 px window
    # a long name ends in an ellipsis on screen (whole in the hover and in the exports)
    assert sorted(lab["text"] for lab in labels) == sorted(clip_label(n) for n in ds.iscms["short_name"])
    touching = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
                if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]]
    assert touching == []


def test_network_node_names_stand_clear_of_each_other_and_of_other_markers(charts):
    """On every exported network (whole, the Prague Process neighbourhood, with States; both filters),
    measured in Chromium: no node name runs into another, none lies over another node's marker (the disc
    inscribed in the marker's drawn box), and each is drawn beside its own node or joined to it by a line."""
    problems = []
    nets = [c for c in charts if c.key.startswith("net_chart")]
    assert len(nets) == 6 and all(c.network["labels"] for c in nets)
    for c in nets:
        fig = c.figure
        node_of = {}  # name -> (trace, point): names are unique among the nodes shown
        for i in _node_traces(fig):
            for k, (n, text) in enumerate(zip(fig.data[i].customdata, fig.data[i].text, strict=True)):
                node_of[text or n] = (i, k)
        for a in fig.layout.annotations:
            if str(a.name or "").startswith("label:"):
                n = a.name.removeprefix("label:")
                node_of[a.text] = next((i, k) for i in _node_traces(fig)
                                       for k, m in enumerate(fig.data[i].customdata) if m == n)
        labels, markers = c.network["labels"], c.network["markers"]
        assert sum(label["moved"] for label in labels) == sum(
            1 for a in fig.layout.annotations if str(a.name or "").startswith("label:")), c.name
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                if _meets((a["left"], a["top"], a["right"], a["bottom"]), (b["left"], b["top"], b["right"], b["bottom"])):
                    problems.append(f"{c.name}: name {a['text']!r} runs into {b['text']!r}")
            own = node_of[a["text"]]
            for m in markers:
                cx, cy = (m["left"] + m["right"]) / 2, (m["top"] + m["bottom"]) / 2
                rad = (m["right"] - m["left"]) / 2
                dx = max(a["left"] - cx, 0, cx - a["right"])
                dy = max(a["top"] - cy, 0, cy - a["bottom"])
                if (m["trace"], m["point"]) != own and rad > 1 and dx * dx + dy * dy < (rad - 1) ** 2:
                    problems.append(f"{c.name}: name {a['text']!r} over the marker of "
                                    f"{fig.data[m['trace']].customdata[m['point']]}")
            if not a["moved"]:  # beside its own marker: within the text ring plotly.js sets (radius/0.8 + 1),
                # or its corner at that offset along both axes for a diagonal place ('bottom left')
                m = next(m for m in markers if (m["trace"], m["point"]) == own)
                cx, cy = (m["left"] + m["right"]) / 2, (m["top"] + m["bottom"]) / 2
                ring = (m["right"] - m["left"]) / 2 / 0.8 + 1
                dx = max(a["left"] - cx, 0, cx - a["right"])
                dy = max(a["top"] - cy, 0, cy - a["bottom"])
                if (dx * dx + dy * dy) ** 0.5 > ring * 2 ** 0.5 + 4:
                    problems.append(f"{c.name}: name {a['text']!r} drawn {(dx * dx + dy * dy) ** 0.5:.0f} px from "
                                    f"its node (ring {ring:.0f} px)")
    assert problems == [], "\n".join(problems)
