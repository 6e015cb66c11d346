"""The chart panel in a running script (AppTest): chart config, caption, download buttons and their bytes.

Deferred downloads (PNG/SVG/PDF/HTML/ZIP) are registered with the MediaFileManager but not run by
AppTest, so the tests record the manager and its storage, then run a download the way a click would
(``execute_deferred``) and check the bytes that come back.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import struct
import zipfile

import numpy as np
import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from tests.conftest import IN_CI

TODAY = dt.date.today().isoformat()

SCRIPT = """
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from components.chart_panel import chart_panel, download_all_button
from iscm.figures._house import style
from iscm.filters import Filters

flt = Filters(themes=("asylum_protection",))
data = pd.DataFrame({"theme": ["Asylum and protection", "Labour migration"], "iscms": [7, 12]})
fig = style(go.Figure(go.Bar(x=data["theme"], y=data["iscms"])), "ISCMs per theme",
            subtitle="Theme: Asylum and protection", x_title="Theme", y_title="ISCMs")
chart_panel(fig, key="bars", name="theme-coverage", data=data,
            sources=["https://www.iom.int/rcps", "https://www.icmpd.org/prague", "Printed report (2019)"],
            data_date="2026-11-01", filters=flt)
if st.session_state.get("second", True):
    data2 = pd.DataFrame({"year": [2000, 2010], "n": [3, 9]})
    fig2 = style(go.Figure(go.Scatter(x=data2["year"], y=data2["n"])), "ISCMs over time")
    chart_panel(fig2, key="line", name="timeline", data=data2, sources=[], data_date="2026-11-01",
                filters=flt)
download_all_button("demo")
"""

STEM = f"iscm-theme-coverage_theme-asylum_protection_{TODAY}"


@pytest.fixture
def as_if_chromium(monkeypatch):
    """Render the panel as on a machine with Chromium (the buttons only; nothing is exported)."""
    from iscm import export

    monkeypatch.setattr(export, "chromium_available", lambda: True)


@pytest.fixture
def media(monkeypatch):
    """Record the media file manager AppTest creates, so downloads can be inspected after the run."""
    managers: list[MediaFileManager] = []

    class RecordingManager(MediaFileManager):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", RecordingManager)
    return managers


def run_script(script: str = SCRIPT, **state) -> AppTest:
    at = AppTest.from_string(script, default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def files(manager: MediaFileManager) -> dict[str, tuple[str, object]]:
    """file name -> ('eager', MemoryFile) or ('deferred', file_id) for every download of the last run."""
    out: dict[str, tuple[str, object]] = {}
    storage: MemoryMediaFileStorage = manager._storage  # noqa: SLF001
    for f in storage._files_by_id.values():  # noqa: SLF001
        if f.filename:
            out[f.filename] = ("eager", f)
    for fid, entry in manager._deferred_callables.items():  # noqa: SLF001
        out[entry["filename"]] = ("deferred", fid)
    return out


def run_deferred(manager: MediaFileManager, file_id: str) -> bytes:
    """Do what a click on a deferred download does: run the callable, then read the stored file."""
    url = manager.execute_deferred(file_id)
    return manager._storage.get_file(url.rsplit("/", 1)[1].split(".")[0]).content  # noqa: SLF001


def values(arr: object) -> list:
    """Plain list from a figure-JSON array, which plotly may send as typed binary ({dtype, bdata})."""
    if isinstance(arr, dict) and "bdata" in arr:
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=arr["dtype"]).tolist()
    return list(arr)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def need_chromium() -> None:
    from iscm.export import chromium_available

    if not chromium_available():
        if IN_CI:
            pytest.fail("CI=true but no Chromium/Chrome found: image export must be tested in CI")
        pytest.skip("no Chromium/Chrome on this machine: image export cannot be tested")


# ------------------------------------------------------------------------------------------- tests
def test_chart_has_toolbar_config_and_figure():
    at = run_script()
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    trace = json.loads(charts[0].proto.spec)["data"][0]
    assert trace["type"] == "bar"
    assert list(trace["x"]) == ["Asylum and protection", "Labour migration"]
    assert values(trace["y"]) == [7, 12]
    cfg = json.loads(charts[0].proto.config)
    assert cfg["displaylogo"] is False
    opts = cfg["toImageButtonOptions"]
    assert opts == {"format": "png", "filename": STEM, "scale": 2, "width": 1600, "height": 900}
    assert cfg["topojsonURL"] == "/app/static/topojson/"


def source_notes(at) -> list[str]:
    """The source lines under the charts: small grey Markdown (a caption's opacity would fade its links)."""
    notes = [m.value for m in at.markdown if m.value.startswith(":small[:gray[Sources:")]
    assert all(n.endswith("]]") for n in notes)
    return [n.removeprefix(":small[:gray[").removesuffix("]]") for n in notes]


def test_caption_names_sources_and_data_date():
    at = run_script()
    text = source_notes(at)[0]
    assert r"[iom\.int](https://www.iom.int/rcps)" in text
    assert r"[icmpd\.org](https://www.icmpd.org/prague)" in text
    assert r"Printed report \(2019\)" in text
    assert "Data as of 2026-11-01" in text
    assert source_notes(at)[1].startswith("Sources: none listed.")
    assert not [c.value for c in at.caption if "Sources:" in c.value]


def test_download_menu_draws_its_buttons_only_while_open(media, as_if_chromium):
    at = run_script()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download all 2 charts (ZIP)"]  # closed menus: no per-chart buttons, no files made
    assert set(files(media[-1])) == {f"iscm-charts-demo_theme-asylum_protection_{TODAY}.zip"}
    at.session_state["bars_dl"] = True  # the user opens the first chart's menu
    at.run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["PNG image", "SVG (vector)", "PDF", "Interactive HTML", "Data (CSV)",
                      "Download all 2 charts (ZIP)"]


def test_download_buttons_have_report_file_names(media, as_if_chromium):
    at = run_script(bars_dl=True)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:5] == ["PNG image", "SVG (vector)", "PDF", "Interactive HTML", "Data (CSV)"]
    assert labels[-1] == "Download all 2 charts (ZIP)"
    got = files(media[-1])
    for ext in ("png", "svg", "pdf", "html", "csv"):
        assert got[f"{STEM}.{ext}"][0] == "deferred", ext  # made on click only, not on every rerun
    assert got[f"iscm-charts-demo_theme-asylum_protection_{TODAY}.zip"][0] == "deferred"


def test_csv_is_exactly_the_chart_data(media):
    run_script(bars_dl=True)
    _, fid = files(media[-1])[f"{STEM}.csv"]
    df = pd.read_csv(io.BytesIO(run_deferred(media[-1], fid)))
    assert df.to_dict("list") == {"theme": ["Asylum and protection", "Labour migration"], "iscms": [7, 12]}


def test_html_download_is_self_contained(media):
    run_script(bars_dl=True)
    _, fid = files(media[-1])[f"{STEM}.html"]
    page = run_deferred(media[-1], fid).decode("utf-8")
    assert "<title>ISCMs per theme</title>" in page
    assert '"Labour migration"' in page
    assert "<script src=" not in page.replace(" ", "")


def test_download_all_lists_only_this_runs_charts(media, as_if_chromium):
    at = run_script()
    assert at.get("download_button")[-1].proto.label == "Download all 2 charts (ZIP)"
    at.session_state["second"] = False
    at.run()
    assert at.get("download_button")[-1].proto.label == "Download the chart (ZIP)"
    at.run()  # a plain rerun must not pile up entries
    assert at.get("download_button")[-1].proto.label == "Download the chart (ZIP)"


def test_without_chromium_image_buttons_give_way_to_a_note(media, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    from iscm.export import chromium_available

    assert not chromium_available()
    at = run_script(bars_dl=True)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "PNG image" not in labels and "SVG (vector)" not in labels and "PDF" not in labels
    assert labels[:2] == ["Interactive HTML", "Data (CSV)"]
    assert labels[-1] == "Download the data of all 2 charts (ZIP)"
    notes = [c.value for c in at.caption if "apt-get install chromium" in c.value]
    assert notes and "plotly_get_chrome" in notes[0] and "camera" in notes[0]
    # the toolbar camera is still configured
    assert json.loads(at.get("plotly_chart")[0].proto.config)["toImageButtonOptions"]["format"] == "png"
    # the ZIP still carries the data and says how to get the images
    zid = files(media[-1])[f"iscm-charts-demo_theme-asylum_protection_{TODAY}.zip"][1]
    with zipfile.ZipFile(io.BytesIO(run_deferred(media[-1], zid))) as zf:
        names = set(zf.namelist())
        assert names == {f"{STEM}.csv", f"iscm-timeline_theme-asylum_protection_{TODAY}.csv", "README.txt"}
        assert "apt-get install chromium" in zf.read("README.txt").decode()


@pytest.mark.export
def test_png_button_renders_report_image(media):
    need_chromium()
    run_script(bars_dl=True)
    got = files(media[-1])
    png = run_deferred(media[-1], got[f"{STEM}.png"][1])
    assert png_size(png) == (3200, 1800)
    svg = run_deferred(media[-1], got[f"{STEM}.svg"][1]).decode()
    assert "ISCMs per theme" in svg and "Theme: Asylum and protection" in svg
    assert "Source: iom.int, icmpd.org, Printed report (2019)." in svg


@pytest.mark.export
def test_download_all_zip_has_png_svg_csv_per_chart(media):
    need_chromium()
    run_script()
    zid = files(media[-1])[f"iscm-charts-demo_theme-asylum_protection_{TODAY}.zip"][1]
    with zipfile.ZipFile(io.BytesIO(run_deferred(media[-1], zid))) as zf:
        names = set(zf.namelist())
        line = f"iscm-timeline_theme-asylum_protection_{TODAY}"
        assert names == {f"{STEM}.png", f"{STEM}.svg", f"{STEM}.csv", f"{line}.png", f"{line}.svg",
                         f"{line}.csv", "README.txt"}
        assert png_size(zf.read(f"{STEM}.png")) == (3200, 1800)
        readme = zf.read("README.txt").decode()
        assert "https://www.iom.int/rcps" in readme and "Theme: Asylum and protection" in readme


def test_caption_names_each_site_once_most_cited_first():
    from components.chart_panel import caption_text

    sources = ["https://a.org/1", "https://www.b.org/1", "https://b.org/2", "https://b.org/3", "Report_(2019)",
               "https://c.org", "https://d.org", "https://e.org"]
    text = caption_text(sources, "2026-11-01")
    assert text == (r"Sources: [b\.org](https://www.b.org/1); [a\.org](https://a.org/1); Report\_\(2019\); "
                    r"[c\.org](https://c.org) and 2 more. Data as of 2026-11-01.")
