"""The one-page brief of an ISCM: what a delegate takes to a meeting, as a PDF (or an HTML page).

One A4 page: identity, the four headline numbers, a short summary, three charts (membership map framed on
the members, themes by level, organizations by role), the caveats, organizations and linked ISCMs, the
members, and the sources with an absolute link to the profile page (``ISCM_PUBLIC_URL``). Names, the full
name and the caveats are wrapped, never cut; the page stays one page by giving the charts the room the text
leaves, and by ending a long member list with "and N more" (the profile has them all).

Charts are PNGs from ``iscm.export`` (kaleido + Chromium). Without a browser the PDF is still made: the
themes and partners charts are then drawn with PDF primitives and the map is replaced by a note. The HTML
brief is the interactive alternative: every chart live, plotly.js and the world shapes inlined, so it
opens offline.

Text comes from the dataset (and, through survey imports, from users); in the PDF it is only ever text,
and in the HTML every string is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from iscm import geo
from iscm.dataset import Dataset
from iscm.export import source_host
from iscm.figures.maps import members_map
from iscm.figures.profile import (
    LEVEL_COLORS,
    ORG_ROLE_LABELS,
    for_print,
    organizations_by_role,
    theme_profile,
)
from iscm.membership import is_open, members_of
from iscm.palette import FONT, OKABE_ITO
from iscm.profile import LOW_MARK, Profile, build_profile, identity_rows

PNG = Callable[[go.Figure], bytes]

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
FONT_FILES = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
              ("arial.ttf", "arialbd.ttf"))
TEXT = (34, 34, 34)
MUTED = (90, 90, 90)
ACCENT = (0, 114, 178)  # Okabe-Ito blue
WARN = (213, 94, 0)     # Okabe-Ito vermillion
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 12.0
PUBLIC_URL_ENV = "ISCM_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8501"
"""Where the dashboard is published: the brief links to the profile there (a printed brief has no page
around it, so a relative link would lead nowhere). `make run` serves the default."""


def public_url() -> str:
    """The dashboard's public address (``ISCM_PUBLIC_URL``, else the local default), without a trailing /."""
    base = os.environ.get(PUBLIC_URL_ENV, "").strip() or DEFAULT_PUBLIC_URL
    if not re.match(r"https?://[^/\s]+", base):
        raise ValueError(f"{PUBLIC_URL_ENV} must be an http(s) address such as https://atlas.example.org, "
                         f"not {base!r}: set it to where the dashboard is published")
    return base.rstrip("/")


def profile_url(iscm_id: str, base: str | None = None) -> str:
    """Absolute link to an ISCM's profile page, e.g. https://atlas.example.org/profile?iscm=colombo-process."""
    return f"{(base or public_url()).rstrip('/')}/profile?iscm={quote(iscm_id)}"


def role_text(roles: str) -> str:
    """'partner; technical-support' -> 'partner, technical support': the data's role ids in words."""
    return ", ".join(ORG_ROLE_LABELS.get(r, r).lower() for r in str(roles).split("; ") if r)


def find_unicode_font() -> tuple[Path, Path] | None:
    """A regular + bold TrueType pair that covers the names we print (Türkiye, Côte d'Ivoire, ...).

    DejaVu Sans first (Debian's fonts-dejavu, pulled in by Chromium), then Liberation Sans, then Arial;
    also the copy matplotlib ships, when it is installed. None means: use the PDF core font.
    """
    dirs = list(FONT_DIRS)
    try:  # matplotlib bundles DejaVu Sans; it is optional here
        import matplotlib

        dirs.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    except ImportError:
        pass
    for regular, bold in FONT_FILES:
        for d in dirs:
            r, b = d / regular, d / bold
            if r.is_file() and b.is_file():
                return r, b
    return None


_REPLACE = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "⚠": "(!)", "✓": "x",
            "•": "-", "\u00a0": " ", "ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ŀ": "l", "ħ": "h"}


def to_latin1(text: str) -> str:
    """Text the PDF core fonts can print: Latin-1 kept, accents stripped from the rest, symbols spelt out."""
    out = []
    for ch in text:
        if ch in _REPLACE:
            out.append(_REPLACE[ch])
            continue
        try:
            ch.encode("latin-1")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        try:
            base.encode("latin-1")
            out.append(base or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


@dataclass(frozen=True)
class BriefCharts:
    """PNG bytes of the brief's charts (None where the chart could not be rendered)."""

    map_png: bytes | None
    themes_png: bytes | None
    partners_png: bytes | None
    error: str = ""

    @property
    def images(self) -> int:
        return sum(x is not None for x in (self.map_png, self.themes_png, self.partners_png))


MAP_SIZE = (1400, 520)
"""Largest map: the width of the page; its height follows the region the members span (``map_size``)."""
SMALL_SIZE = (760, 620)


def map_size(ds: Dataset, iscm_id: str) -> tuple[int, int]:
    """(width, height) of the brief's map: the members' region at its own proportions (a world-spanning
    membership gets the world), so the frame holds the members without bands or cuts."""
    codes = ds.memberships.loc[ds.memberships["iscm_id"] == iscm_id, "iso3"].tolist()
    view = ({} if is_open(ds.iscms, iscm_id) else geo.region_view(codes)) or {"lonaxis_range": [-180.0, 180.0], "lataxis_range": [-57.0, 85.0]}
    plot_w = MAP_SIZE[0] - 40  # for_print's side margins; 90 for the title and the legend below
    ratio = geo.natural_earth_aspect(view["lonaxis_range"], view["lataxis_range"])
    height = int(min(max(plot_w * ratio + 90, 380), 760))
    return MAP_SIZE[0], height


def brief_figures(ds: Dataset, p: Profile) -> dict[str, go.Figure]:
    """The three charts of the brief, laid out for paper at the size they are printed."""
    mw, mh = map_size(ds, p.iscm_id)
    return {
        "map": for_print(members_map(members_of(ds.memberships, p.iscm_id), p.name,
                                     open_participation=is_open(ds.iscms, p.iscm_id)), width=mw, height=mh,
                         font_size=20),
        "themes": for_print(theme_profile(p.themes, ds.themes, p.name), width=SMALL_SIZE[0],
                            height=SMALL_SIZE[1], font_size=22),
        "partners": for_print(organizations_by_role(p.organizations, p.name, short_names=True), width=SMALL_SIZE[0],
                              height=SMALL_SIZE[1], font_size=22),
    }


def default_png(fig: go.Figure) -> bytes:
    from iscm.export import to_png

    return to_png(fig, scale=2)


def render_charts(ds: Dataset, p: Profile, render_png: PNG | None = None) -> BriefCharts:
    """PNG the three charts; any export failure (no Chromium, a crash) leaves None and a reason."""
    render = render_png or default_png
    figs = brief_figures(ds, p)
    out: dict[str, bytes | None] = {}
    error = ""
    for key, fig in figs.items():
        if error:
            out[key] = None
            continue
        try:
            out[key] = render(fig)
        except Exception as exc:  # noqa: BLE001 - any export failure falls back to drawn charts
            out[key] = None
            error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return BriefCharts(out["map"], out["themes"], out["partners"], error)


# ------------------------------------------------------------------------------------------------ PDF
class _Brief(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        fonts = find_unicode_font()
        self.unicode = fonts is not None
        if fonts:
            self.add_font("Brief", "", str(fonts[0]))
            self.add_font("Brief", "B", str(fonts[1]))
            self.family_name = "Brief"
        else:
            self.family_name = "Helvetica"

    def t(self, text: str) -> str:
        text = re.sub(r"\s+", " ", str(text)).strip()
        return text if self.unicode else to_latin1(text)

    def font(self, size: float, bold: bool = False, color: tuple[int, int, int] = TEXT) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.set_text_color(*color)

    def fit(self, text: str, w: float, max_lines: int) -> str:
        """`text` cut (with an ellipsis) to what fits in `max_lines` lines of width `w` in the current font."""
        text = self.t(text)
        lines = self.multi_cell(w, 4, text, dry_run=True, output=MethodReturnValue.LINES)
        if len(lines) <= max_lines:
            return text
        ell = "…" if self.unicode else "..."
        kept = " ".join(lines[:max_lines])
        while kept and len(self.multi_cell(w, 4, kept + ell, dry_run=True, output=MethodReturnValue.LINES)) > max_lines:
            kept = kept[: kept.rfind(" ")] if " " in kept else kept[:-1]
        return kept.rstrip(" ,;") + ell

    def block(self, text: str, w: float, line_h: float, max_lines: int, *, x: float | None = None) -> None:
        if x is not None:
            self.set_x(x)
        self.multi_cell(w, line_h, self.fit(text, w, max_lines), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def top_line(self, kind: str, data_date: str, today: dt.date | None) -> None:
        """The accent bar across the top, then what the page is (left) and its dates (right)."""
        w = PAGE_W - 2 * MARGIN
        self.set_fill_color(*ACCENT)
        self.rect(0, 0, PAGE_W, 4, style="F")
        self.set_xy(MARGIN, 8)
        self.font(8, color=MUTED)
        self.cell(w / 2, 4, self.t(kind))
        self.cell(w / 2, 4, self.t(f"Data as of {data_date or 'unknown'} · printed {(today or dt.date.today())}"),
                  align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def tiles(self, tiles: list[tuple[str, str]], y: float) -> None:
        """The headline numbers: four labelled tiles across the page at `y`; the cursor ends below them."""
        w = PAGE_W - 2 * MARGIN
        tile_w = (w - 3 * (len(tiles) - 1)) / len(tiles)
        for i, (label, value) in enumerate(tiles):
            tx = MARGIN + i * (tile_w + 3)
            self.set_fill_color(240, 244, 248)
            self.rect(tx, y, tile_w, 14, style="F")
            self.set_xy(tx + 2, y + 1.5)
            self.font(7.5, color=MUTED)
            self.cell(tile_w - 4, 3.5, self.t(label))
            self.set_xy(tx + 2, y + 5.5)
            self.font(14, bold=True, color=ACCENT)
            self.cell(tile_w - 4, 7, self.t(value))
        self.set_xy(MARGIN, y + 16)


def _bars(pdf: _Brief, x: float, y: float, w: float, h: float, title: str,
          items: list[tuple[str, float, tuple[int, int, int], str]], vmax: float) -> None:
    """A small horizontal bar chart drawn with PDF primitives (the brief without Chromium)."""
    pdf.font(8.5, bold=True)
    pdf.set_xy(x, y)
    pdf.cell(w, 4.5, pdf.t(title))
    label_w = w * 0.45
    row_h = min(5.0, (h - 8) / max(len(items), 1))
    for i, (label, value, color, note) in enumerate(items):
        ry = y + 7 + i * row_h
        pdf.font(6.5, color=MUTED)
        pdf.set_xy(x, ry)
        pdf.cell(label_w - 1, row_h, pdf.fit(label, label_w - 1, 1), align="R")
        bar_w = (w - label_w - 12) * (value / vmax if vmax else 0)
        if bar_w > 0:
            pdf.set_fill_color(*color)
            pdf.rect(x + label_w, ry + row_h * 0.15, bar_w, row_h * 0.7, style="F")
        pdf.set_xy(x + label_w + bar_w + 1, ry)
        pdf.cell(12, row_h, pdf.t(note))


def _hex(c: str) -> tuple[int, int, int]:
    c = c.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _drawn_themes(pdf: _Brief, ds: Dataset, p: Profile, x: float, y: float, w: float, h: float) -> None:
    by = p.themes.set_index("theme_id") if len(p.themes) else None
    items = []
    for t in ds.themes.itertuples():
        level = str(by.at[t.theme_id, "level"]) if by is not None and t.theme_id in by.index else ""
        since = by.at[t.theme_id, "since"] if level else None
        value = {"focus": 2, "mentioned": 1}.get(level, 0)
        note = {"focus": "focus", "mentioned": "mentioned"}.get(level, "")
        if since is not None and since is not pd.NA:
            note += f" since {int(since)}"
        items.append((t.label, value, _hex(LEVEL_COLORS.get(level, "#999999")), note))
    _bars(pdf, x, y, w, h, f"Themes ({(p.themes['level'] == 'focus').sum()} focus, "
          f"{(p.themes['level'] == 'mentioned').sum()} mentioned)", items, 2)


def _drawn_partners(pdf: _Brief, p: Profile, x: float, y: float, w: float, h: float) -> None:
    orgs = p.organizations
    items = []
    roles = [str(r).split("; ") for r in orgs["roles"]] if len(orgs) else []
    for role, label in ORG_ROLE_LABELS.items():
        names = [a or n for a, n, rs in zip(orgs["acronym"], orgs["name"], roles, strict=True) if role in rs] \
            if len(orgs) else []
        if names:
            items.append((label, len(names), _hex(OKABE_ITO["blue"]), str(len(names))))
    _bars(pdf, x, y, w, h, f"Organizations by role ({len(orgs)})", items, max((i[1] for i in items), default=1))


def _who(df: pd.DataFrame) -> list[str]:
    return [f"{r.country}{' (territory)' if r.territory else ''}{' (!)' if r.confidence == 'low' else ''}"
            for r in df.itertuples()]


def brief_pdf(ds: Dataset, iscm_id: str, *, render_png: PNG | None = None, charts: BriefCharts | None = None,
              today: dt.date | None = None, base_url: str | None = None) -> bytes:
    """The one-page brief as PDF bytes. `render_png` turns a figure into PNG (default: iscm.export);
    `base_url` is where the dashboard is published (default ``ISCM_PUBLIC_URL``)."""
    p = build_profile(ds, iscm_id)
    link = profile_url(iscm_id, base_url)
    charts = charts or render_charts(ds, p, render_png)
    pdf = _Brief()
    pdf.set_title(pdf.t(f"{p.name}: ISCM Atlas brief"))
    pdf.set_author("ISCM Atlas")
    pdf.set_creator("ISCM Atlas")
    pdf.add_page()
    w = PAGE_W - 2 * MARGIN
    facts = dict(identity_rows(p))

    # --- header: names and facts wrapped over the lines they need ---------------------------------------
    pdf.top_line("ISCM Atlas · one-page brief", ds.data_date, today)
    pdf.font(19, bold=True)
    pdf.block(p.name, w, 8.5, 3)
    if facts["Full name"] not in ("not known", p.name):
        pdf.font(10, color=MUTED)
        pdf.block(facts["Full name"], w, 5, 6)
    pdf.font(9)
    pdf.block(" · ".join(v for v in (facts["Type"], facts["Regions"],
                                     f"established {facts['Established']}", facts["Status"]) if v), w, 4.6, 3)
    pdf.block(f"Secretariat: {facts['Secretariat']} · Website: {facts['Website']}", w, 4.6, 3)

    # --- headline numbers -------------------------------------------------------------------------------
    y = pdf.get_y() + 2
    n_focus = int((p.themes["level"] == "focus").sum()) if len(p.themes) else 0
    tiles = [("Members", str(len(p.members))), ("Observers", str(len(p.observers))),
             ("Themes", f"{len(p.themes)} ({n_focus} focus)"), ("Organizations", str(len(p.organizations)))]
    pdf.tiles(tiles, y)

    # --- summary ------------------------------------------------------------------------------------
    pdf.font(8.5)
    pdf.block(str(p.facts.get("summary") or ""), w, 4.1, 8)

    # --- the text below the charts, measured first so the charts take only the room that is left --------
    footer_top = PAGE_H - MARGIN - 17
    low = p.low_confidence_areas
    conf = ", ".join(f"{k} {v}" for k, v in p.confidence.items())
    caveat = f"Confidence: {conf}."
    if low:
        caveat = f"{LOW_MARK}: {', '.join(low)}. " + caveat
    if len(p.low_confidence_members):
        caveat += f" {len(p.low_confidence_members)} participants marked (!) are low confidence."
    if p.open_questions:
        caveat += f" Open questions: {p.open_questions}"
    orgs = "; ".join(f"{a or n} ({role_text(r)})" for a, n, r in zip(
        p.organizations["acronym"], p.organizations["name"], p.organizations["roles"], strict=True))
    full_blocks = [("Caveats", caveat, WARN if low else TEXT)]  # printed in full, whatever their length
    if len(p.organizations):
        full_blocks.append((f"Organizations and roles ({len(p.organizations)})", orgs, TEXT))
    if len(p.links):
        full_blocks.append((f"Linked ISCMs ({len(p.links)})", "; ".join(p.links["other_name"]), TEXT))
    pdf.font(7)
    text_h = sum(5 + 3.3 * len(pdf.multi_cell(w, 3.3, pdf.t(t), dry_run=True, output=MethodReturnValue.LINES))
                 for _, t, _ in full_blocks)
    def lines_of(names: list[str]) -> int:
        text = pdf.t(", ".join(names))
        return len(pdf.multi_cell(w, 3.3, text, dry_run=True, output=MethodReturnValue.LINES)) if names else 0

    # the member list as it is, up to four lines (a longer one ends with "and N more"), and the observers
    list_h = 5 + 3.3 * min(max(lines_of(_who(p.members)), 1), 4)
    if len(p.observers):
        list_h += 5 + 3.3 * min(lines_of(_who(p.observers)), 2)

    # --- charts -------------------------------------------------------------------------------------
    y = pdf.get_y() + 1.5
    room = footer_top - y - text_h - list_h - 4
    mw, mh = map_size(ds, iscm_id)
    map_h = w * mh / mw
    half = (w - 4) / 2
    small_h = half * SMALL_SIZE[1] / SMALL_SIZE[0]
    if not charts.map_png:
        map_h, small_h = 10.0, min(small_h, 70.0)
    if map_h + small_h + 3 > room:  # shrink both, in proportion, to what the text leaves
        k = max(room, 60.0) / (map_h + small_h + 3)
        map_h, small_h = map_h * k, small_h * k
    if charts.map_png:
        map_w = map_h * mw / mh
        pdf.image(io.BytesIO(charts.map_png), x=MARGIN + (w - map_w) / 2, y=y, w=map_w, h=map_h)
        y += map_h + 1
    else:
        pdf.set_xy(MARGIN, y)
        pdf.font(8, color=MUTED)
        pdf.block("Membership map not included: image export needs Chromium on the machine that made this brief"
                  + (f" ({charts.error})" if charts.error else "") + ". The HTML brief shows it.", w, 4, 3)
        y = pdf.get_y() + 1
    chart_w = small_h * SMALL_SIZE[0] / SMALL_SIZE[1] if charts.themes_png or charts.partners_png else half
    chart_w = min(chart_w, half)
    if charts.themes_png:
        pdf.image(io.BytesIO(charts.themes_png), x=MARGIN + (half - chart_w) / 2, y=y, w=chart_w, h=small_h)
    else:
        _drawn_themes(pdf, ds, p, MARGIN, y, half, small_h)
    if charts.partners_png:
        pdf.image(io.BytesIO(charts.partners_png), x=MARGIN + half + 4 + (half - chart_w) / 2, y=y, w=chart_w,
                  h=small_h)
    else:
        _drawn_partners(pdf, p, MARGIN + half + 4, y, half, small_h)
    pdf.set_xy(MARGIN, y + small_h + 2)

    # --- text: caveats, organizations and links in full; members as far as the page goes --------------
    def heading(title: str, color: tuple[int, int, int] = TEXT) -> None:
        pdf.font(8, bold=True, color=color)
        pdf.cell(w, 4, pdf.t(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.font(7)

    for title, text, color in full_blocks:
        heading(title, color)
        pdf.multi_cell(w, 3.3, pdf.t(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(pdf.get_y() + 0.8)

    def names_list(title: str, names: list[str], reserve: float = 0.0) -> None:
        """As many names as fit above the footer (less `reserve`), then how many more the profile lists."""
        if not names or pdf.get_y() > footer_top - 8 - reserve:
            return
        heading(title)
        lines = max(int((footer_top - reserve - pdf.get_y()) / 3.3), 1)
        shown = len(names)
        while shown > 0:
            rest = len(names) - shown
            text = ", ".join(names[:shown]) + (f" and {rest} more (all on the profile)" if rest else "")
            if len(pdf.multi_cell(w, 3.3, pdf.t(text), dry_run=True, output=MethodReturnValue.LINES)) <= lines:
                break
            shown -= 1
        pdf.multi_cell(w, 3.3, pdf.t(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(pdf.get_y() + 0.8)

    names_list(f"Members ({len(p.members)})", _who(p.members), reserve=(5 + 3.3 * 2) if len(p.observers) else 0)
    if len(p.observers):
        names_list(f"Observers ({len(p.observers)})", _who(p.observers))

    # --- footer: sources and the link to the profile ---------------------------------------------------
    pdf.set_draw_color(200, 200, 200)
    pdf.line(MARGIN, footer_top, PAGE_W - MARGIN, footer_top)
    pdf.set_xy(MARGIN, footer_top + 1)
    hosts: dict[str, int] = {}
    for lab in p.sources["label"]:
        hosts[source_host(str(lab))] = hosts.get(source_host(str(lab)), 0) + 1
    src = "; ".join(f"{h} ({n})" if n > 1 else h for h, n in hosts.items())
    pdf.font(6.8, color=MUTED)
    pdf.block(f"Sources ({len(p.sources)}): {src}. Dataset version {ds.version}.", w, 3.2, 3)
    pdf.font(6.8, color=ACCENT)
    pdf.set_x(MARGIN)
    label = "Full lists and every source with what it supports: "
    pdf.multi_cell(w, 3.2, pdf.t(label + link), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT, link=link)
    pdf.set_xy(MARGIN, PAGE_H - MARGIN - 2)
    pdf.font(6.8, color=MUTED)
    pdf.cell(w, 3, pdf.t("ISCM Atlas · inter-State consultation mechanisms on migration"), align="C")
    return bytes(pdf.output())


# ----------------------------------------------------------------------------------------------- HTML
def html_chart_blocks(figs: Sequence[go.Figure]) -> tuple[str, list[str]]:
    """The charts of an HTML brief, working offline: (a <script> for the page's head that inlines the world
    shapes the maps need, one HTML block per figure; the first carries plotly.js)."""
    from iscm import geo
    from iscm.export import topojson_names

    assets = {}
    for fig in figs:
        for name in topojson_names(fig):
            path = geo.TOPOJSON_DIR / f"{name}.json"
            if path.is_file():
                assets[name] = json.loads(path.read_text(encoding="utf-8"))
    cfg = {"displaylogo": False, "responsive": True}
    blocks = []
    for i, fig in enumerate(figs):
        fig = go.Figure(fig).update_layout(template="plotly_white", paper_bgcolor="white", plot_bgcolor="white")
        blocks.append(pio.to_html(fig, include_plotlyjs=(i == 0), full_html=False, config=cfg, validate=False,
                                  default_width="100%"))
    head = ""
    if assets:
        blob = json.dumps(assets, separators=(",", ":")).replace("</", "<\\/")
        head = f"<script>window.PlotlyGeoAssets={{topojson:{blob}}};</script>"
    return head, blocks


def brief_html(ds: Dataset, iscm_id: str, *, base_url: str | None = None) -> bytes:
    """The brief as one self-contained HTML page with its charts interactive (works offline)."""
    p = build_profile(ds, iscm_id)
    e = html.escape
    figs = {
        "map": members_map(members_of(ds.memberships, iscm_id), p.name, open_participation=is_open(ds.iscms, iscm_id)),
        "themes": theme_profile(p.themes, ds.themes, p.name),
        "partners": organizations_by_role(p.organizations, p.name),
    }
    head, blocks = html_chart_blocks(list(figs.values()))
    facts = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in identity_rows(p))

    def people(df) -> str:  # noqa: ANN001 - a memberships table
        return ", ".join(e(r.country) + (" <small>(territory)</small>" if r.territory else "")
                         + (f" <mark>{e(LOW_MARK)}</mark>" if r.confidence == "low" else "") for r in df.itertuples())

    themes = "".join(
        f"<li><b>{e(r.label)}</b> ({e(r.level)}{_since(r.since)}) {e(r.source_ref)}</li>"
        for r in p.themes.itertuples())
    orgs = "".join(f"<li>{e(r.name)} ({e(r.acronym)}), {e(r.kind_label)}: {e(role_text(r.roles))} {e(r.source_ref)}</li>"
                   for r in p.organizations.itertuples())
    links = "".join(f"<li>{e(r.other_name)}: {e(r.relation)}</li>" for r in p.links.itertuples())
    sources = "".join(
        f"<li>{(f'<a href={chr(34)}{e(r.url)}{chr(34)}>{e(r.url)}</a>' if r.url else e(r.title))}"
        f" <small>{e(r.used_for)}</small></li>" for r in p.sources.itertuples())
    low = p.low_confidence_areas
    caveat = (f"<p class='warn'>{e(LOW_MARK)}: {e(', '.join(low))}</p>" if low else "")
    if p.open_questions:
        caveat += f"<p><b>Open questions.</b> {e(p.open_questions)}</p>"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(p.name)}: ISCM Atlas brief</title>
<meta name="generator" content="ISCM Atlas">{head}
<style>body{{font-family:{FONT};max-width:1100px;margin:2em auto;color:#222;padding:0 1em}}
th{{text-align:left;padding-right:1em;color:#555}} .tiles{{display:flex;gap:1em}}
.tile{{background:#f0f4f8;padding:.6em 1em;flex:1}} .tile b{{font-size:1.6em;color:#0072B2;display:block}}
.warn{{color:#D55E00}} small{{color:#666}} .grid{{display:grid;grid-template-columns:1fr 1fr;gap:1em}}</style>
</head><body>
<p><small>ISCM Atlas · one-page brief · data as of {e(ds.data_date)} · dataset version {e(ds.version)}</small></p>
<h1>{e(p.name)}</h1>
<table>{facts}</table>
<div class="tiles"><div class="tile">Members<b>{len(p.members)}</b></div>
<div class="tile">Observers<b>{len(p.observers)}</b></div>
<div class="tile">Themes<b>{len(p.themes)}</b></div><div class="tile">Organizations<b>{len(p.organizations)}</b></div>
</div>
<p>{e(str(p.facts.get("summary") or ""))}</p>
{blocks[0]}
<div class="grid"><div>{blocks[1]}</div><div>{blocks[2]}</div></div>
<h2>Members ({len(p.members)})</h2><p>{people(p.members)}</p>
{f"<h2>Observers ({len(p.observers)})</h2><p>{people(p.observers)}</p>" if len(p.observers) else ""}
<h2>Themes</h2><ul>{themes}</ul>
<h2>Organizations</h2><ul>{orgs}</ul>
<h2>Linked ISCMs</h2><ul>{links}</ul>
<h2>Caveats</h2>{caveat}<p>Confidence: {e(", ".join(f"{k} {v}" for k, v in p.confidence.items()))}</p>
<h2>Sources</h2><ol>{sources}</ol>
<p><a href="{e(profile_url(iscm_id, base_url))}">{e(p.name)} in the ISCM Atlas</a>: full lists and every source with what it supports.</p>
</body></html>"""
    return page.encode("utf-8")


def _since(value: object) -> str:
    return "" if value is None or value is pd.NA else f", since {int(value)}"  # type: ignore[call-overload]


def file_name(iscm_id: str, ext: str, day: dt.date | None = None) -> str:
    return f"iscm-brief_{iscm_id}_{(day or dt.date.today()).isoformat()}.{ext}"
