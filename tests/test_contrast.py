"""Text contrast at WCAG AA (4.5:1 for normal-size text), computed from the colours themselves.

The browser test (tests/browser/test_accessibility_browser.py) runs axe-core on every page, but axe does not
look at SVG text, and it only sees the theme the app is served with. Here: the chart text colours of the house
template in the light and in the dark theme, and the app theme's caption and link colours.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from iscm.figures import _house
from iscm.figures._house import BACKGROUNDS, TEXT_COLORS, for_screen, house_layout, style

AA = 4.5
ROOT = Path(__file__).resolve().parents[1]


def luminance(color: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    h = color.lstrip("#")
    assert len(h) == 6, color

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(h[i:i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def over(color: str, background: str, alpha: float) -> str:
    """`color` drawn at `alpha` opacity over `background`, as the eye (and axe) sees it."""
    fg, bg = (color.lstrip("#"), background.lstrip("#"))
    mixed = (round(alpha * int(fg[i:i + 2], 16) + (1 - alpha) * int(bg[i:i + 2], 16)) for i in (0, 2, 4))
    return "#" + "".join(f"{v:02x}" for v in mixed)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic lightest AA grey
    # Streamlit's light-theme chart grey, which tick labels had before the house style set its own: 3.7:1
    assert contrast("#808495", "#ffffff") == pytest.approx(3.72, abs=0.01)


def _text_colors(layout: dict) -> dict[str, str]:
    """Every text colour a chart layout sets, by where it is used."""
    found = {
        "font": layout["font"]["color"],
        "title": layout["title"]["font"]["color"],
        "legend": layout["legend"]["font"]["color"],
        "legend title": layout["legend"]["title"]["font"]["color"],
        "hover label": layout["hoverlabel"]["font"]["color"],
    }
    for axis in ("xaxis", "yaxis"):
        found[f"{axis} tick labels"] = layout[axis]["tickfont"]["color"]
        found[f"{axis} title"] = layout[axis]["title"]["font"]["color"]
    return found


@pytest.mark.parametrize("theme,template", [("light", _house.TEMPLATE_NAME), ("dark", _house.DARK_TEMPLATE_NAME)])
def test_chart_text_reaches_aa_on_every_background_of_its_theme(theme, template):
    layout = pio.templates[template].layout.to_plotly_json()
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"  # the page shows through
    colors = _text_colors(layout)
    assert set(colors.values()) <= set(TEXT_COLORS[theme].values())
    ratios = {(where, bg): round(contrast(c, bg), 2) for where, c in colors.items() for bg in BACKGROUNDS[theme]}
    low = {k: r for k, r in ratios.items() if r < AA}
    assert low == {}, f"{theme} theme: chart text below {AA}:1: {low}"
    # hover labels have their own background: the theme's page colour
    assert contrast(layout["hoverlabel"]["font"]["color"], layout["hoverlabel"]["bgcolor"]) >= AA


def test_the_ratios_quoted_in_the_house_style():
    """The numbers _house.py quotes for its colours (and the report of this change) are the computed ones."""
    light, dark = TEXT_COLORS["light"], TEXT_COLORS["dark"]
    assert round(contrast(light["text"], "#ffffff"), 1) == 16.8
    assert round(contrast(light["muted"], "#ffffff"), 1) == 7.1
    assert round(contrast(dark["text"], "#171614"), 1) == 15.2
    assert round(contrast(dark["muted"], "#171614"), 1) == 9.1


def test_every_house_figure_carries_the_light_text_colours():
    built = house_layout("T", subtitle="S", x_title="X", y_title="Y")
    styled = style(go.Figure(go.Bar(x=["a"], y=[1])), "T", x_title="X").to_dict()["layout"]
    for layout in (built, styled):
        assert set(_text_colors(layout).values()) <= set(TEXT_COLORS["light"].values())
    assert built["xaxis"]["title"]["text"] == "X" and built["yaxis"]["title"]["text"] == "Y"


def test_for_screen_gives_a_figure_the_text_colours_of_its_theme_and_keeps_everything_else():
    fig = style(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), "T", x_title="X")
    fig.update_layout(xaxis={"tickfont": {"size": 11}})
    before = fig.to_dict()
    for theme in (None, "light", "dark"):
        shown = for_screen(fig, theme).to_dict()
        assert [t["y"] for t in shown["data"]] == [[1, 2]]
        colours = set(_text_colors(shown["layout"]).values())
        assert colours and colours <= set(TEXT_COLORS["dark" if theme == "dark" else "light"].values()), theme
        assert shown["layout"]["xaxis"]["tickfont"]["size"] == 11 and shown["layout"]["xaxis"]["title"]["text"] == "X"
    assert fig.to_dict() == before  # the original is untouched


# ------------------------------------------------------------------------------------------- app theme
# Streamlit 1.67 draws a caption (st.caption; the sidebar subtitle is one) in the text colour at 60% opacity,
# on the white page or the sidebar's default background.
CAPTION_OPACITY = 0.6
PAGE_BG, SIDEBAR_BG = "#ffffff", "#f8f8f7"


def test_app_theme_captions_and_links_reach_aa():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]
    text, link = theme["textColor"], theme["linkColor"]
    for bg in (PAGE_BG, SIDEBAR_BG):
        assert contrast(text, bg) >= AA
        caption = over(text, bg, CAPTION_OPACITY)
        assert contrast(caption, bg) >= AA, f"captions read {contrast(caption, bg):.2f}:1 on {bg}"
        assert contrast(link, bg) >= AA
