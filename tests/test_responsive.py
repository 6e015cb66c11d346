"""Narrow windows: which charts get a sideways-scrolling frame and how wide, and the stylesheet that draws it.

The browser test (tests/browser/test_narrow_browser.py) checks the result at 390, 1024 and 1440 px; these
check the rules without a browser.
"""

from __future__ import annotations

import inspect
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from components import responsive
from components.responsive import FRAME_WIDTHS, PHONE_CHART_PX, frame_key
from iscm import export
from iscm.figures import maps, overview, profile
from iscm.figures._house import house_layout, labels_above_bars, style
from iscm.figures.fast import figure, freeze


def _names(n: int) -> list[str]:
    return [f"Consultation Process number {i} on Migration" for i in range(n)]


def test_a_chart_that_reads_on_a_phone_gets_no_frame():
    assert frame_key("c", 0) is None and frame_key("c", PHONE_CHART_PX) is None
    assert frame_key("c", PHONE_CHART_PX + 1) == "minw-400-c"
    assert frame_key("c", 721) == "minw-800-c"  # rounded up: never narrower than the chart needs
    assert frame_key("c", 9999) == f"minw-{FRAME_WIDTHS[-1]}-c"


def test_the_stylesheet_has_a_rule_for_every_frame_width():
    css = inspect.getsource(responsive.page_style)
    for w in FRAME_WIDTHS:
        assert f'[class*="st-key-minw-{w}-"] [data-testid="stFullScreenFrame"] {{ min-width: {w}px; }}' in css
    assert len(re.findall(r"st-key-minw-\d+-", css)) == len(FRAME_WIDTHS)


def test_a_matrix_needs_a_column_width_per_column_and_room_for_its_labels():
    labels = _names(39)
    matrix = pd.DataFrame([[i + j for j in range(39)] for i in range(39)], index=labels, columns=labels)
    fig = maps.overlap_figure(matrix)
    need = export.readable_width(fig)
    assert need >= 39 * export.CELL_MIN_PX + export.COLORBAR_PX + 150  # columns, colour bar, row labels
    assert frame_key("x", need) is not None
    small = matrix.iloc[:3, :3]
    assert export.readable_width(maps.overlap_figure(small)) < need


def test_charts_that_take_any_width_need_no_frame():
    world = maps.density_map(pd.DataFrame({"iso3": ["DEU"], "country": ["Germany"], "territory": [False],
                                           "n_iscms": [3], "iscms": ["A; B; C"]}))
    assert export.readable_width(world) == 0  # a map fits the width it gets
    years = pd.DataFrame({"year": [1990, 2000, 2010] * 3, "type": ["RCP"] * 3 + ["IRF"] * 3 + ["Global"] * 3,
                          "cumulative": [1, 5, 9, 0, 2, 4, 0, 1, 1], "new_iscms": [1, 4, 4, 0, 2, 2, 0, 1, 0]})
    assert export.readable_width(overview.establishment_timeline(years)) <= PHONE_CHART_PX


def test_bars_with_labels_above_need_no_room_for_a_label_column():
    labels = _names(12)
    bars = [{"type": "bar", "orientation": "h", "y": labels, "x": list(range(12))}]
    beside = figure(bars, house_layout("Bars", x_title="ISCMs"))
    above = figure(bars, {**house_layout("Bars", x_title="ISCMs"), **labels_above_bars(labels)})
    assert export.readable_width(beside) > PHONE_CHART_PX >= export.readable_width(above)
    counts = pd.DataFrame({"ISCM": ["A", "B"], "participants": [10, 8], "in all compared": [5, 5],
                           "only here": [5, 3]})
    assert export.readable_width(profile.overlap_bars(counts)) <= PHONE_CHART_PX


def test_the_width_is_computed_once_per_figure():
    fig = freeze(style(go.Figure(go.Heatmap(z=[[1, 2]], x=["a", "b"], y=["c"])), "T"))
    first = export.readable_width(fig)
    fig._iscm_readable_width = 12345  # a cached figure keeps its answer
    assert export.readable_width(fig) == 12345 != first


@pytest.mark.parametrize("text", ["ISCMs in existence, by year established and type",
                                  "Prague Process and Budapest Process: common and exclusive participants"])
def test_titles_fit_a_phone_and_keep_clear_of_the_toolbar(text):
    from iscm.figures._house import (
        SUBTITLE_SIZE,
        TITLE_SIZE,
        TITLE_WIDTH_PX,
        TOOLBAR_PX,
        split_title,
        title_text,
    )
    from iscm.textwidth import text_px

    wrapped = title_text(text, "ISCM: Prague Process, Budapest Process, Rabat Process · Theme: Labour migration")
    for line in wrapped.split("<br>"):
        size, bold = (SUBTITLE_SIZE, False) if line.startswith("<sup>") else (TITLE_SIZE, True)
        assert text_px(line, size, bold, screen=True) <= TITLE_WIDTH_PX, line
    assert split_title(wrapped)[0] == text
    layout = house_layout(text)
    assert layout["title"]["pad"]["t"] >= TOOLBAR_PX and layout["title"]["yanchor"] == "top"
    assert layout["legend"]["orientation"] == "h" and layout["legend"]["y"] == 0  # legends under the plot


def test_long_matrix_labels_end_in_an_ellipsis_at_a_word():
    from iscm.figures._house import LABEL_MAX_PX, clip_label, clipped_ticks
    from iscm.textwidth import text_px

    assert clip_label("Prague Process") == "Prague Process"
    assert clip_label("Global Forum on Migration and Development") == "Global Forum on…"
    assert clip_label("<b>RCP · Regional consultative process</b>").startswith("<b>RCP")
    long = "Ibero-American Forum on Migration and Development"
    assert text_px(clip_label(long), 13, screen=True) <= LABEL_MAX_PX
    ticks = clipped_ticks([long, "IGC"])
    assert ticks["tickvals"] == [long, "IGC"] and ticks["ticktext"][1] == "IGC"  # the categories stay whole
