"""iscm.export: report layout, and the files themselves (PNG pixels, SVG text, PDF pages, HTML, CSV, ZIP).

Image tests need Chromium: they skip with the reason where there is none, and fail under CI=true.
"""

from __future__ import annotations

import html
import io
import re
import struct
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
import zlib

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio
import pypdf
import pytest

from iscm import export, geo
from iscm.export_tables import to_csv_bytes
from iscm.figures._house import style
from tests.conftest import IN_CI

SOURCES = ["https://www.iom.int/rcps", "https://iom.int/other", "https://www.icmpd.org/prague",
           "IOM (2019), Summary of Findings per ISCM"]
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def chromium():
    if not export.chromium_available():
        if IN_CI:
            pytest.fail("CI=true but no Chromium/Chrome found; install it (apt-get install chromium)")
        pytest.skip("no Chromium/Chrome on this machine: static image export cannot run "
                    "(apt-get install chromium, or plotly_get_chrome)")
    return True


def bars() -> go.Figure:
    fig = go.Figure(go.Bar(x=["Asylum and protection", "Labour migration"], y=[7, 12], name="ISCMs"))
    return style(fig, "ISCMs per theme", subtitle="Theme: Asylum and protection", x_title="Theme",
                 y_title="ISCMs", height=360)


def report(fig: go.Figure | None = None, **kw) -> go.Figure:
    fig = fig if fig is not None else bars()
    args = {"title": "ISCMs per theme", "sources": SOURCES, "filters_text": "Theme: Asylum and protection",
            "data_date": "2026-11-01", **kw}
    return export.report_figure(fig, **args)


def world() -> go.Figure:
    df = pd.DataFrame({"iso3": ["DEU", "FRA", "NGA", "BRA"], "n": [5, 4, 3, 1]})
    return px.choropleth(df, locations="iso3", color="n", title="States by number of ISCMs")


def png_info(data: bytes) -> tuple[int, int, tuple[int, ...]]:
    """(width, height, top-left pixel) of a PNG, read from its chunks (no image library needed).

    The first pixel of the first row is stored unfiltered whatever the row's filter type, so it can be
    read straight from the decompressed image data.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert ihdr is not None
    width, height, depth, color_type = struct.unpack(">IIBB", ihdr[:10])
    assert depth == 8
    channels = {2: 3, 6: 4}[color_type]
    raw = zlib.decompressobj().decompress(idat, 1 + channels)
    return width, height, tuple(raw[1:1 + channels])


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG_NS}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


# ----------------------------------------------------------------------------- layout (no Chromium)
def test_report_figure_is_slide_sized_white_and_titled():
    src = bars()
    out = report(src)
    assert out is not src and src.layout.height == 360 and src.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert (out.layout.width, out.layout.height) == (1600, 900)
    assert out.layout.paper_bgcolor == "white" and out.layout.plot_bgcolor == "white"
    assert out.layout.title.text == "<b>ISCMs per theme</b>"
    assert out.layout.title.subtitle.text == "Theme: Asylum and protection"
    note = out.layout.annotations[-1]
    assert note.text == ("Source: iom.int, icmpd.org, IOM (2019), Summary of Findings per ISCM. "
                         "Data as of 2026-11-01. ISCM Atlas.")
    assert (note.xref, note.yref, note.y, note.yanchor) == ("paper", "paper", 0, "bottom")
    assert note.yshift < -100  # in the bottom margin, below the axis labels
    assert list(out.data[0].y) == [7, 12]


def test_report_figure_takes_any_size():
    out = report(width=1200, height=675)
    assert (out.layout.width, out.layout.height) == (1200, 675)


def test_source_line_names_sites_by_frequency_and_counts_the_rest():
    many = [f"https://site{i}.example.org/page" for i in range(40)] + ["https://www.iom.int/a"] * 3
    line = export.source_line(many, "2026-11-01", max_chars=80)
    assert line.startswith("Source: iom.int, site0.example.org, site1.example.org")
    assert re.search(r"and \d+ more\. Data as of 2026-11-01\. ISCM Atlas\.$", line)
    assert len(line.split(" and ")[0]) <= 80 + len("Source: ")
    assert export.source_line([], "") == "Source: ISCM Atlas dataset. ISCM Atlas."


def test_title_parts_reads_the_house_style_title():
    assert export.title_parts(bars()) == ("ISCMs per theme", "Theme: Asylum and protection")
    assert export.title_parts(go.Figure()) == ("", "")


def test_title_with_markup_characters_is_escaped():
    out = report(title="Asylum <& protection>", filters_text="ISCM: A & B")
    assert out.layout.title.text == "<b>Asylum &lt;&amp; protection&gt;</b>"
    assert out.layout.title.subtitle.text == "ISCM: A &amp; B"


def test_csv_is_the_data_with_list_cells_joined():
    df = pd.DataFrame({"iscm": ["A", "B"], "themes": [("x", "y"), ()], "n": [1, 2]})
    text = to_csv_bytes(df).decode("utf-8")
    assert text.splitlines() == ["iscm,themes,n", "A,x; y,1", "B,,2"]


def test_chromium_available_follows_browser_path(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert export.chromium_available() is False
    assert export.browser_path() is None


# ------------------------------------------------------------------------------- HTML (no Chromium)
def test_html_is_self_contained_with_the_figure():
    page = export.to_html(report(), title="ISCMs per theme").decode("utf-8")
    assert page.lower().startswith("<!doctype html>") and "<title>ISCMs per theme</title>" in page
    assert '"Labour migration"' in page and "ISCMs per theme" in page
    assert "Source: iom.int" in page
    srcs = re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", page, flags=re.I)
    assert srcs == []
    assert not re.search(r"<link[^>]+href=[\"']?https?://", page, flags=re.I)
    assert len(page) > 3_000_000  # plotly.js itself is inlined
    assert '{"displaylogo": false, "responsive": true}' in page  # the chart's config, no app-only paths


def test_html_of_a_map_inlines_the_world_shapes():
    fig = world()
    assert export.topojson_names(fig) == ["world_110m"]
    fig.update_geos(resolution=50)
    assert export.topojson_names(fig) == ["world_50m"]
    page = export.to_html(fig).decode("utf-8")
    assert "<script>window.PlotlyGeoAssets={topojson:{\"world_50m\":{\"type\":\"Topology\"" in page
    assert page.index("window.PlotlyGeoAssets") < page.index("Plotly.newPlot")
    assert "cdn.plot.ly/un" not in page.split("</head>")[0]
    assert not re.findall(r"<script[^>]*\bsrc\s*=", page, flags=re.I)


def test_html_refuses_a_map_scope_without_offline_shapes():
    fig = world()
    fig.update_geos(scope="africa")
    with pytest.raises(export.ExportError, match="africa_110m"):
        export.to_html(fig)


def test_zip_without_images_has_csv_and_sources():
    item = export.ChartItem(stem="iscm-x_all_2026-11-27", figure=report(), data=pd.DataFrame({"a": [1]}),
                            title="X", subtitle="All ISCMs", sources=("https://www.iom.int/rcps",),
                            data_date="2026-11-01")
    with zipfile.ZipFile(io.BytesIO(export.charts_zip([item], images=False))) as zf:
        assert sorted(zf.namelist()) == ["README.txt", "iscm-x_all_2026-11-27.csv"]
        assert zf.read("iscm-x_all_2026-11-27.csv") == b"a\n1\n"
        readme = zf.read("README.txt").decode()
        assert "https://www.iom.int/rcps" in readme and "apt-get install chromium" in readme


# --------------------------------------------------------------------------- images (need Chromium)
@pytest.mark.export
def test_png_is_2x_slide_size_and_opaque_white(chromium):
    data = export.to_png(report())
    width, height, first = png_info(data)
    assert (width, height) == (3200, 1800)
    assert first[:3] == (255, 255, 255) and (len(first) == 3 or first[3] == 255)


@pytest.mark.export
def test_png_follows_configured_size_and_scale(chromium):
    width, height, _ = png_info(export.to_png(report(width=1200, height=675), scale=1))
    assert (width, height) == (1200, 675)


@pytest.mark.export
def test_svg_has_title_filters_and_source_line(chromium):
    texts = svg_texts(export.to_svg(report()))
    assert "ISCMs per theme" in texts
    assert "Theme: Asylum and protection" in texts
    assert any(t.startswith("Source: iom.int, icmpd.org") and "Data as of 2026-11-01" in t for t in texts)
    assert "Labour migration" in texts  # an axis tick: the chart itself is there


@pytest.mark.export
def test_pdf_is_one_slide_shaped_page_with_the_text(chromium):
    reader = pypdf.PdfReader(io.BytesIO(export.to_pdf(report())))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) / float(box.height) == pytest.approx(16 / 9, rel=0.01)
    text = reader.pages[0].extract_text()
    assert "ISCMs per theme" in text and "Source: iom.int" in text


@pytest.mark.export
def test_geo_figure_exports_offline_with_countries_drawn(chromium):
    export.configure_plotly_io()
    assert pio.defaults.topojson == str(geo.TOPOJSON_DIR) + "/"
    fig = report(world(), title="States by number of ISCMs")
    width, height, _ = png_info(export.to_png(fig, scale=1))
    assert (width, height) == (1600, 900)
    root = ET.fromstring(export.to_svg(fig))
    drawn = [p for p in root.iter(f"{SVG_NS}path")
             if "choroplethlocation" in p.get("class", "") and len(p.get("d", "")) > 20]
    assert len(drawn) == 4  # DEU, FRA, NGA, BRA shapes came from static/topojson, not a CDN


@pytest.mark.export
def test_concurrent_exports_each_get_their_own_image(chromium):
    """Two sessions exporting at once must not receive each other's file."""
    figs = {name: report(title=f"Chart {name}") for name in "ABCD"}
    results: dict[str, bytes] = {}

    def work(name: str) -> None:
        results[name] = export.to_svg(figs[name])

    threads = [threading.Thread(target=work, args=(n,)) for n in figs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert set(results) == set(figs)
    for name, data in results.items():
        assert f"Chart {name}" in svg_texts(data)


@pytest.mark.export
def test_zip_with_images_has_png_svg_csv(chromium):
    item = export.ChartItem(stem="iscm-x_all_2026-11-27", figure=report, data=pd.DataFrame({"a": [1]}))
    with zipfile.ZipFile(io.BytesIO(export.charts_zip([item]))) as zf:
        assert sorted(zf.namelist()) == ["README.txt", "iscm-x_all_2026-11-27.csv",
                                         "iscm-x_all_2026-11-27.png", "iscm-x_all_2026-11-27.svg"]
        assert png_info(zf.read("iscm-x_all_2026-11-27.png"))[:2] == (3200, 1800)


@pytest.mark.export
def test_warm_server_is_reused(chromium):
    export.to_png(report())
    assert export.server_running()
    before = export.STATS.renders
    export.to_svg(report())
    assert export.STATS.renders == before + 1 and export.server_running()


@pytest.mark.export
def test_a_browser_that_cannot_start_gives_an_error_not_a_hang(monkeypatch):
    """kaleido's server would wait forever for a browser that died at start; the export must not."""
    export.stop_server()
    monkeypatch.setenv("BROWSER_PATH", "/bin/false")  # executable, exits at once
    t0 = time.perf_counter()
    with pytest.raises(export.ExportError, match="Chromium did not start or crashed"):
        export.to_png(report(width=400, height=300), scale=1)
    assert time.perf_counter() - t0 < 30
    monkeypatch.delenv("BROWSER_PATH")
    if export.chromium_available():  # and the next export starts a working server again
        assert png_info(export.to_png(report(width=400, height=300), scale=1))[:2] == (400, 300)


@pytest.mark.export
def test_without_a_browser_export_says_how_to_enable_it(chromium, monkeypatch):
    """Runs last: it stops the server, so that the missing browser is noticed on the next start."""
    export.stop_server()
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(export.ExportUnavailable, match=r"apt-get install chromium.*plotly_get_chrome"):
        export.to_png(report())
    assert not export.server_running()


# ------------------------------------------------------------------------ sized by content (no Chromium)
def matrix(n_rows: int, n_cols: int) -> go.Figure:
    rows = [f"Inter-State consultation mechanism {i}" for i in range(n_rows)]
    cols = [f"Theme number {j}" for j in range(n_cols)]
    fig = go.Figure(go.Heatmap(z=[[i + j for j in range(n_cols)] for i in range(n_rows)], x=cols, y=rows))
    return style(fig, "A matrix", x_title="Theme", y_title="ISCM")


def test_report_grows_with_rows_and_columns():
    small, tall, wide = (report(matrix(r, c)) for r, c in ((5, 4), (40, 4), (5, 60)))
    assert (small.layout.width, small.layout.height) == (1600, 900)  # a slide at least
    assert tall.layout.height >= 40 * export.ROW_PX + tall.layout.margin.t + tall.layout.margin.b
    assert tall.layout.width == 1600
    assert wide.layout.width >= 60 * export.COL_PX
    assert wide.layout.xaxis.tickangle == -45  # 60 upright names would not fit their columns
    # every category keeps its own tick: no plotly thinning of the labels
    assert tall.layout.yaxis.dtick == 1 and tall.layout.yaxis.tickmode == "linear"


def test_report_wraps_title_filters_and_source_line_instead_of_cutting():
    long_title = "Thematic coverage of thirty-seven inter-State consultation mechanisms on migration " * 3
    sources = [f"https://www.site{i}.example.org/a-page" for i in range(60)]
    out = report(title=long_title.strip(), sources=sources, filters_text="Theme: Labour migration · " * 12)
    title_lines = out.layout.title.text.split("<br>")
    assert len(title_lines) >= 2
    assert re.sub(r"</?b>", "", " ".join(title_lines)) == html.escape(long_title.strip())
    inner = out.layout.width - 2 * export.SIDE
    for line in title_lines:
        assert export.text_px(line, export.TITLE_SIZE, bold=True) <= inner
    assert len(out.layout.title.subtitle.text.split("<br>")) >= 2
    source = out.layout.annotations[-1].text
    assert len(source.split("<br>")) >= 2
    assert " ".join(source.split("<br>")) == html.escape(export.source_line(sources, "2026-11-01"))
    assert out.layout.margin.b > 26 + 2 * export.SOURCE_SIZE  # the bottom margin holds every line


def test_report_puts_the_legend_under_the_title_in_rows():
    fig = go.Figure([go.Scatter(x=[1], y=[i], name=f"A fairly long legend entry number {i}") for i in range(14)])
    out = report(style(fig, "Many categories"))
    legend = out.layout.legend
    assert (legend.orientation, legend.yref, legend.yanchor) == ("h", "container", "top")
    rows = export._legend_rows(export._legend_entries(out), "", out.layout.width - 2 * export.SIDE)
    assert rows >= 2
    # below the title block, above the plot: the top margin holds title, subtitle and every legend row
    assert out.layout.margin.t >= (1 - legend.y) * out.layout.height + rows * export.LEGEND_SIZE
