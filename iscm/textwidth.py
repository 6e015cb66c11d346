"""How wide a line of text is drawn, in layout pixels: for laying out titles, labels and legends before a
browser draws them (a chart's title wrapped to fit a phone, a report's margins, a matrix's minimum width).

Measured on a real font when the machine has one (Pillow). For exports DejaVu Sans comes first: it is wider
than Arial, Liberation Sans and the app's Source Sans, so a width measured with it is an upper bound for what
the export's Chromium draws, and text laid out with it never overflows. For the screen (`screen=True`) Arial's
metrics come first (Liberation Sans is its metric twin): what a browser draws when the app's font is missing,
and wider than Source Sans, which the app's charts are drawn in; DejaVu would wrap titles that fit.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path
from typing import Any

DEFAULT_SIZE = 16
FONT_FILES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf")
SCREEN_FONT_FILES = ("LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf", "DejaVuSans.ttf")
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
             "/usr/share/fonts/truetype/liberation", "/usr/local/share/fonts", "/Library/Fonts",
             "C:/Windows/Fonts")


def plain(text: str) -> str:
    """The text without its markup (<b>, <sup>, <br> ...)."""
    return re.sub(r"<[^>]+>", "", text).strip()


@functools.lru_cache(maxsize=2)
def _font_path(screen: bool = False) -> str | None:
    dirs = list(FONT_DIRS)
    try:
        import matplotlib

        dirs.append(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf"))
    except ImportError:
        pass
    for name in SCREEN_FONT_FILES if screen else FONT_FILES:
        for d in dirs:
            if (Path(d) / name).is_file():
                return str(Path(d) / name)
    return None


@functools.lru_cache(maxsize=64)
def _font(size: int, bold: bool, screen: bool = False) -> Any:
    path = _font_path(screen)
    if path is None:
        return None
    from PIL import ImageFont

    if bold:
        bold_path = path.replace("Sans.ttf", "Sans-Bold.ttf").replace("-Regular.ttf", "-Bold.ttf")
        path = bold_path if Path(bold_path).is_file() else path
    return ImageFont.truetype(path, size)


@functools.lru_cache(maxsize=8192)
def text_px(text: str, size: float = DEFAULT_SIZE, bold: bool = False, *, screen: bool = False) -> float:
    """Width in layout pixels of one line of plain text (markup removed), measured on a real font when
    the machine has one; otherwise 0.62 em per character, which errs wide for Latin text. `screen`: as a
    browser draws the app's charts (Arial's metrics), rather than the exports' upper bound."""
    shown = html.unescape(plain(text))
    font = _font(int(round(size)), bold or "<b>" in text, screen)
    if font is None:
        return 0.62 * size * len(shown)
    return float(font.getlength(shown)) * 1.04


def wrap_px(text: str, width: float, size: float, bold: bool = False, *, screen: bool = False) -> list[str]:
    """Greedy word wrap of plain text to lines no wider than `width` pixels (a word longer than a line
    stands on its own line: names are never cut)."""
    lines: list[str] = []
    for para in re.split(r"<br\s*/?>|\n", text):
        words, line = para.split(), ""
        for w in words:
            cand = f"{line} {w}" if line else w
            if line and text_px(cand, size, bold, screen=screen) > width:
                lines.append(line)
                line = w
            else:
                line = cand
        lines.append(line)
    return [ln for ln in lines if ln] or [""]
