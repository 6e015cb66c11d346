"""Membership maps and overlap figures: who takes part in which ISCM, and where dialogues overlap.

Pure builders: the tables of `iscm.membership` in, Plotly figures out. Every map is a choropleth over the
shipped 1:110m shapes plus a marker layer (``iscm.geo``) for places the shapes lack or draw too small to see,
so Malta, Bahrain, Tuvalu or Kosovo never vanish.
Every trace carries the ISO3 code in ``customdata`` so a click on a shape or a marker can open the
State's Country page. Backgrounds are transparent and the "not taking part" grey is semi-transparent, so the maps
read on the light and the dark theme alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from iscm import geo
from iscm.figures._house import BAR_ROW_PX, clipped_ticks, house_layout, labels_above_bars, merge
from iscm.figures.fast import figure
from iscm.membership import PARTICIPANT_ROLES, ROLE_LABELS, count_bins, country_label
from iscm.palette import CLASS_COLORS, NONE_COLOR, OKABE_ITO, SEQUENTIAL_COLORS

MEMBER_COLOR = OKABE_ITO["blue"]
OBSERVER_COLOR = OKABE_ITO["orange"]
CHAIR_COLOR = OKABE_ITO["vermillion"]
OPEN_COLOR = "rgba(86,180,233,0.30)"  # sky blue, pale: every State may take part
HIGHLIGHT_COLOR = OKABE_ITO["vermillion"]
BORDER_COLOR = "rgba(255,255,255,0.85)"
MARKER_LINE = "rgba(40,40,40,0.8)"
# Five classes, light to dark; the palest step of the shared ramp is left out: it would be hard to tell
# from the "none" grey.
MAP_SCALE = CLASS_COLORS

_TRANSPARENT = "rgba(0,0,0,0)"


# ---------------------------------------------------------------------------------------------- helpers
def _scale(colors: Sequence[str]) -> list[list[float | str]]:
    n = len(colors)
    return [[i / (n - 1), c] for i, c in enumerate(colors)] if n > 1 else [[0, colors[0]], [1, colors[0]]]


def _shape_trace(
    iso3s: Sequence[str], hover: Sequence[str], *, z: Sequence[float] | None = None, color: str | None = None,
    name: str, legendgroup: str | None = None, showlegend: bool = True, colorscale=None, zmin=None, zmax=None,
    colorbar: dict | None = None,
) -> dict[str, Any]:
    """Country shapes; one flat colour (categorical legend entry) or a value on a scale (colour bar).

    A plain trace dict (see iscm.figures.fast): unset options are left out rather than set to None.
    """
    flat = color is not None
    trace: dict[str, Any] = {
        "type": "choropleth",
        "locations": list(iso3s),
        "locationmode": "ISO-3",
        "z": [1] * len(iso3s) if flat else list(z or []),
        "colorscale": [[0, color], [1, color]] if flat else colorscale,
        "zmin": zmin, "zmax": zmax,
        "showscale": not flat,
        "colorbar": colorbar,
        "customdata": list(iso3s),
        "hovertext": list(hover),
        "hovertemplate": "%{hovertext}<extra></extra>",
        "marker": {"line": {"color": BORDER_COLOR, "width": 0.4}},
        # a click selects a country to open its view; it must not grey out the rest of the map
        "unselected": {"marker": {"opacity": 1}},
        "name": name,
        "legendgroup": legendgroup or name,
        "showlegend": flat and showlegend,
    }
    return {k: v for k, v in trace.items() if v is not None}


MARKER_HOVER_PX = 1
"""How far (in pixels) beyond its edge a small State's marker still answers the pointer: on the marker only."""


def _marker_trace(
    iso3s: Sequence[str], hover: Sequence[str], colors: Sequence[str] | str, *, name: str,
    legendgroup: str | None = None, size: int = 7,
) -> dict[str, Any] | None:
    """Markers for the places among ``iso3s`` that the shapes lack or draw too small; None if there are none."""
    keep = [i for i, code in enumerate(iso3s) if geo.needs_marker(code)]
    if not keep:
        return None
    pts = [geo.point(iso3s[i]) for i in keep]
    col = colors if isinstance(colors, str) else [colors[i] for i in keep]
    return {
        "type": "scattergeo",
        "lon": [p[0] for p in pts], "lat": [p[1] for p in pts],
        "mode": "markers",
        "marker": {"size": size, "color": col, "line": {"color": MARKER_LINE, "width": 0.8}},
        "unselected": {"marker": {"opacity": 1}},
        "customdata": [iso3s[i] for i in keep],
        "hovertext": [hover[i] for i in keep],
        "hovertemplate": "%{hovertext}<extra></extra>",
        "name": f"{name} (small or missing shape)",
        "legendgroup": legendgroup or name,
        "showlegend": False,
    }


@lru_cache(maxsize=1)
def _world_labels() -> dict[str, str]:
    """Name of every country shape (the background of every map), looked up once."""
    return {c: country_label(c, {}) for c in geo.shape_ids()}


def _background(exclude: Iterable[str], label: str, name: str = "Not taking part",
                color: str = NONE_COLOR) -> dict[str, Any]:
    """Every other country shape in pale grey, so the whole world is drawn and hoverable."""
    skip = set(exclude)
    names = _world_labels()
    rest = sorted(geo.shape_ids() - skip)
    return _shape_trace(rest, [f"<b>{names[c]}</b><br>{label}" for c in rest], color=color, name=name)


WORLD_VIEW = {"lataxis_range": [-57.0, 85.0]}
"""World maps leave out Antarctica: no ISCM has members there and it would take a fifth of the height."""


def _map_height(view: Mapping, width: int = 820) -> int:
    """Figure height that fits the framed region at a typical page width, so a wide region (Europe to the
    Pacific coast) leaves no empty bands above and below the map and a tall one is not squeezed."""
    ratio = geo.natural_earth_aspect(view.get("lonaxis_range"), view.get("lataxis_range"))
    return int(min(max(90 + width * ratio, 340), 620))


MAP_HEAD_PX = 50
"""The head (title) `_map_height` leaves room for."""


def _geo_view(view: Mapping[str, Any]) -> dict[str, Any]:
    """geo.region_view()'s flat keys as the nested geo layout: "lonaxis_range" -> {"lonaxis": {"range": ...}}."""
    out: dict[str, Any] = {}
    for key, value in view.items():
        *path, leaf = key.split("_")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


_GEO = {
    "projection": {"type": "natural earth"},
    "resolution": geo.RESOLUTION,
    "showframe": False,
    "showcoastlines": False,
    "showcountries": False,
    "showland": True,
    "landcolor": NONE_COLOR,
    "showocean": False,
    "showlakes": False,
    "bgcolor": _TRANSPARENT,
}


def _style_map(traces: Sequence[dict[str, Any] | None], title: str, view: Mapping | None = None, *,
               subtitle: str = "") -> go.Figure:
    """The map figure: house style plus natural earth, 1:110m shapes, flat land, no ocean, framed on the view.

    The geo layout is written as one dict: Figure.update_geos validated every property and took longer
    than building the map's data.
    """
    view = view or WORLD_VIEW
    house = house_layout(title, subtitle=subtitle)
    # `_map_height` fits the map under a one-line head of 50 px; a taller head (the toolbar strip, a title
    # wrapped for a phone) gets its own room, so the map keeps its size on a wide screen.
    height = _map_height(view) + max(0, house["margin"]["t"] - MAP_HEAD_PX)
    layout = merge(
        {"geo": merge(_GEO, _geo_view(view))},
        house,
        {"height": height, "margin": {"l": 0, "r": 0, "b": 0},
         "clickmode": "event+select",
         # A small State's marker answers only on or right next to itself (Plotly's default 20 px let Luxembourg
         # win over the middle of Belgium or Germany); shapes answer where the pointer is, whatever this says.
         "hoverdistance": MARKER_HOVER_PX,
         "dragmode": "pan"},
    )
    return figure([t for t in traces if t is not None], layout)


OVERLAP_SLANT_MAX = 12
"""Up to this many ISCMs the overlap matrix slants its column labels; more are turned upright."""
EMPHASIS_MAX = 3
"""A group of at most this many States is ringed and named on the map: one State can be the point of it."""




def _count_traces(
    table: pd.DataFrame, hover: Sequence[str], *, vmax: int, name: str, colorbar_title: str,
) -> list[dict[str, Any]]:
    """One flat-coloured choropleth (+ marker layer) per count class of a table with iso3 and n_iscms (>= 1).

    Classes (`iscm.membership.count_bins`) rather than a continuous scale: each has a legend entry naming its bin, and the
    colours step through the ramp evenly whatever the largest count.
    """
    bins = count_bins(max(vmax, 1))
    colors = MAP_SCALE if len(bins) == len(MAP_SCALE) else [
        MAP_SCALE[round(i * (len(MAP_SCALE) - 1) / max(len(bins) - 1, 1))] for i in range(len(bins))]
    iso3s = table["iso3"].tolist()
    values = table["n_iscms"].astype(int).tolist()
    unit = _plain_title(colorbar_title).lower().replace("iscms", "ISCMs")
    traces: list[dict[str, Any]] = []
    for (lo, hi, label), color in zip(bins, colors, strict=True):
        keep = [i for i, v in enumerate(values) if lo <= v <= hi]
        if not keep:
            continue
        codes = [iso3s[i] for i in keep]
        texts = [hover[i] for i in keep]
        lab = f"{label} {unit[:-1] if label == '1' and unit.endswith('s') else unit} ({len(codes)})"
        group = f"{name}-{label}"
        traces.append({**_shape_trace(codes, texts, color=color, name=lab, legendgroup=group),
                       "meta": {"count_bin": [lo, hi], "scale": name}})
        marks = _marker_trace(codes, texts, color, name=lab, legendgroup=group)
        if marks is not None:
            traces.append(marks)
    return traces


def _plain_title(text: str) -> str:
    return " ".join(text.replace("<br>", " ").split())


def _emphasis_trace(iso3s: Sequence[str], labels: Sequence[str], color: str, *, name: str,
                    legendgroup: str) -> dict[str, Any] | None:
    """A ring and the name at each of a few States, so a single member (Kosovo, Malta) is seen at once
    even where its shape is a few pixels; None when there is nothing to ring."""
    pts = [(geo.point(c), lab, c) for c, lab in zip(iso3s, labels, strict=True)]
    pts = [(p, lab, c) for p, lab, c in pts if p is not None]
    if not pts:
        return None
    return {
        "type": "scattergeo",
        "lon": [p[0] for p, _, _ in pts], "lat": [p[1] for p, _, _ in pts],
        "mode": "markers+text", "text": [lab for _, lab, _ in pts], "textposition": "middle right",
        "textfont": {"size": 12, "color": color},
        "marker": {"size": 22, "symbol": "circle-open", "color": color, "line": {"width": 2.5, "color": color}},
        "customdata": [c for _, _, c in pts], "hoverinfo": "skip",
        "unselected": {"marker": {"opacity": 1}},
        "name": f"{name} (ringed)", "legendgroup": legendgroup, "showlegend": False,
    }


def _hover_counts(table: pd.DataFrame, what: str) -> list[str]:
    """Hover text per row of a participation table: name, count, and the ISCMs one per line."""
    out = []
    for country, territory, n, items in zip(
            *(table[c].tolist() for c in ("country", "territory", "n_iscms", "iscms")), strict=True):
        lines = [f"<b>{country}</b>{' (territory)' if territory else ''}", f"{n} {what}:"]
        lines += [f"· {item}" for item in str(items).split("; ")]
        out.append("<br>".join(lines))
    return out


# ---------------------------------------------------------------------------------------------- maps
def members_map(members: pd.DataFrame, iscm_name: str, *, open_participation: bool = False, zoom: bool = True,
                subtitle: str = "", title: str | None = None) -> go.Figure:
    """Map of one ISCM: members / observers / chairs / not taking part (legend), framed on its participants.

    `members`: the ISCM's rows of ``Dataset.memberships`` (iso3, country, role, territory, note).
    `open_participation` (`iscm.membership.is_open`): every UN Member State may take part, so the whole world
    is drawn as possible participants, the chairs marked on it, in the world view. `title` replaces the
    standard one (a page that shows the map for a reason of its own).
    """
    rows = members.drop_duplicates("iso3")
    traces: list[dict[str, Any] | None] = []
    drawn: list[str] = []
    layers: list = []
    for role, color in (("member", MEMBER_COLOR), ("observer", OBSERVER_COLOR), ("chair", CHAIR_COLOR)):
        sel = rows[rows["role"] == role].sort_values("country")
        if sel.empty:
            continue
        iso3s = sel["iso3"].tolist()
        hover = [
            f"<b>{c}</b>{' (territory)' if t else ''}<br>{ROLE_LABELS[role]} of {iscm_name}"
            + (f"<br><i>{n}</i>" if n else "")
            for c, t, n in zip(sel["country"].tolist(), sel["territory"].tolist(), sel["note"].tolist(),
                               strict=True)
        ]
        label = f"{ROLE_LABELS[role]} ({len(iso3s)})"
        layers.append(_shape_trace(iso3s, hover, color=color, name=label, legendgroup=role))
        layers.append(_marker_trace(iso3s, hover, color, name=label, legendgroup=role))
        if len(iso3s) <= EMPHASIS_MAX:  # a lone observer is the point of its legend entry
            layers.append(_emphasis_trace(iso3s, sel["country"].tolist(), color, name=label, legendgroup=role))
        drawn += iso3s
    # background first, so the participants' shapes and markers are drawn over it
    if open_participation:  # open to every UN Member State: the whole map may take part; chairs are marked
        traces.append(_background(drawn, f"May take part in {iscm_name} (open to every UN Member State)",
                                  name="Open to every UN Member State", color=OPEN_COLOR))
    else:
        traces.append(_background(drawn, f"Not taking part in {iscm_name}"))
    traces.extend(layer for layer in layers if layer is not None)
    view = geo.region_view(drawn) if zoom and not open_participation else {}
    title = title or (f"{iscm_name}: open to every UN Member State; chairs marked" if open_participation
                      else f"{iscm_name}: members and observers")
    return _style_map(traces, title, view, subtitle=subtitle)


def participation_map(table: pd.DataFrame, n_selected: int, *, zoom: bool = True,
                      subtitle: str = "", title: str | None = None) -> go.Figure:
    """Map of several ISCMs: how many of the `n_selected` ISCMs each State takes part in (colour bar; the
    hover lists them). `table`: `iscm.membership.participation_table` of those ISCMs."""
    hover = _hover_counts(table, f"of the {n_selected} selected ISCMs")
    traces: list[dict[str, Any] | None] = [
        _background(table["iso3"], "In none of the selected ISCMs", name="In none of them"),
        *_count_traces(table, hover, vmax=max(n_selected, 1), name="Selected ISCMs", colorbar_title="ISCMs"),
    ]
    title = title or (f"Participation in {n_selected} selected ISCMs (members and observers)" if n_selected
                      else "No ISCM selected")
    view = geo.region_view(table["iso3"].tolist()) if zoom else {}
    return _style_map(traces, title, view, subtitle=subtitle)


def density_map(table: pd.DataFrame, *, roles: Iterable[str] = PARTICIPANT_ROLES, subtitle: str = "") -> go.Figure:
    """Dialogue density: the number of ISCMs each State takes part in, world view, hover lists them.

    `table`: `iscm.membership.participation_table` of every ISCM shown, for the same `roles`.
    """
    hover = _hover_counts(table, "ISCMs")
    traces: list[dict[str, Any] | None] = []
    traces.append(_background(table["iso3"], "No ISCM in the data", name="No ISCM"))
    vmax = int(table["n_iscms"].max()) if not table.empty else 1
    for tr in _count_traces(table, hover, vmax=vmax, name="ISCMs", colorbar_title="ISCMs"):
        traces.append(tr)
    which = "members and observers" if set(roles) == set(PARTICIPANT_ROLES) else " and ".join(
        f"{r}s" for r in roles)
    return _style_map(traces, f"Dialogue density: number of ISCMs each State takes part in ({which})",
                      subtitle=subtitle)


def fellow_members_map(table: pd.DataFrame, iso3: str, country: str, n_mine: int, *, zoom: bool = True,
                       subtitle: str = "") -> go.Figure:
    """The chosen State (highlighted) and its partners coloured by the number of ISCMs they share with it.

    `table`: `iscm.membership.fellow_members_table` of the State; `n_mine`: how many ISCMs it takes part in.
    """
    iso3 = iso3.upper()
    me = country
    hover = _hover_counts(table, f"ISCMs shared with {me}")
    traces: list[dict[str, Any] | None] = []
    traces.append(_background([*table["iso3"], iso3], f"Shares no ISCM with {me}", name="No shared ISCM"))
    for tr in _count_traces(table, hover, vmax=max(n_mine, 1), name="Shared ISCMs",
                            colorbar_title="Shared<br>ISCMs"):
        traces.append(tr)
    me_hover = [f"<b>{me}</b><br>Takes part in {n_mine} ISCMs"]
    traces.append(_shape_trace([iso3], me_hover, color=HIGHLIGHT_COLOR, name=me, legendgroup="me"))
    marks = _marker_trace([iso3], me_hover, HIGHLIGHT_COLOR, name=me, legendgroup="me", size=9)
    if marks is not None:
        traces.append(marks)
    traces.append(_emphasis_trace([iso3], [me], HIGHLIGHT_COLOR, name=me, legendgroup="me"))
    view = geo.region_view([*table["iso3"], iso3]) if zoom else {}
    return _style_map(traces, f"Fellow members: States that share ISCMs with {me}", view, subtitle=subtitle)


# ---------------------------------------------------------------------------------------------- country view
def country_themes_figure(table: pd.DataFrame, country: str, *, subtitle: str = "") -> go.Figure:
    """Horizontal bars: for each theme, how many of the State's ISCMs cover it (focus vs. mentioned)."""
    t = table.sort_values(["n_iscms", "Theme"], ascending=[True, False])
    focus = t["n_focus"].astype(int).tolist()
    total = t["n_iscms"].astype(int).tolist()
    mentioned = [n - f for n, f in zip(total, focus, strict=True)]
    themes = t["Theme"].tolist()
    hover = [f"<b>{th}</b><br>{n} ISCMs: {lst}" for th, n, lst in zip(themes, t["n_iscms"], t["ISCMs"],
                                                                       strict=True)]
    traces = [
        {"type": "bar", "y": themes, "x": focus, "orientation": "h", "name": "Focus theme",
         "marker": {"color": MEMBER_COLOR}, "hovertext": hover,
         "hovertemplate": "%{hovertext}<extra>focus: %{x}</extra>"},
        {"type": "bar", "y": themes, "x": mentioned, "orientation": "h", "name": "Mentioned",
         "marker": {"color": OKABE_ITO["sky_blue"]}, "hovertext": hover,
         "hovertemplate": "%{hovertext}<extra>mentioned: %{x}</extra>"},
    ]
    house = house_layout(f"Themes of the ISCMs {country} takes part in", subtitle=subtitle,
                         x_title="ISCMs covering the theme")
    layout = merge(
        house,
        {"height": max(340, house["margin"]["t"] + BAR_ROW_PX * len(t) + 110)},
        labels_above_bars(themes),
        {"barmode": "stack", "legend": {"traceorder": "normal"}},
        {"xaxis": {"tickmode": "linear", "dtick": 1, "rangemode": "tozero"}}
        if len(t) and t["n_iscms"].max() <= 15 else None,
    )
    return figure(traces, layout)


# ---------------------------------------------------------------------------------------------- overlap
def overlap_figure(matrix: pd.DataFrame, metric: str = "count", *, roles: Iterable[str] = ("member",),
                   subtitle: str = "") -> go.Figure:
    """Clustered heatmap of one overlap_tables() matrix ('count': shared States, or 'jaccard')."""
    if metric not in ("count", "jaccard"):
        raise ValueError(f"metric must be 'count' or 'jaccard', not {metric!r}")
    roles = tuple(roles)
    values = matrix.to_numpy()
    labels = [str(c) for c in matrix.columns]
    n = len(labels)
    who = "members" if roles == ("member",) else "participants (members and observers)"
    if metric == "count":
        title = f"Shared {who} between ISCMs (number of States)"
        text_t, hover_t, cbar = "%{z}", "%{y} and %{x}<br>%{z} shared States<extra></extra>", "States"
        zmin, zmax = 0, max(int(values.max()) if n else 1, 1)
    else:
        title = f"Overlap of {who} between ISCMs (Jaccard index)"
        text_t, hover_t, cbar = "%{z:.2f}", "%{y} and %{x}<br>Jaccard %{z:.2f}<extra></extra>", "Jaccard"
        zmin, zmax = 0.0, 1.0
    trace = {
        # plain lists, not a typed array: readable in the figure JSON and the HTML export
        "type": "heatmap", "z": values.tolist(), "x": labels, "y": labels, "colorscale": _scale(SEQUENTIAL_COLORS),
        "zmin": zmin, "zmax": zmax, "texttemplate": text_t if n <= 20 else None, "hovertemplate": hover_t,
        "colorbar": {"title": {"text": cbar}, "thickness": 12}, "xgap": 1, "ygap": 1,
    }
    layout = merge(
        house_layout(title, subtitle=subtitle, x_title="ISCM", y_title="ISCM", height=max(380, 200 + 24 * n)),
        # Upright-turned labels when the columns are many: at -45 degrees neighbouring names touch once a
        # column is narrower than about 1.4 times the font (37 ISCMs on a 1440 px screen); at -90 they
        # have the whole column width between them.
        {"xaxis": {"tickangle": -90 if n > OVERLAP_SLANT_MAX else -45, "side": "bottom", "automargin": True,
                   "tickfont": {"size": 12}, "type": "category", **clipped_ticks(labels)},
         "yaxis": {"autorange": "reversed", "automargin": True, "type": "category", **clipped_ticks(labels)}},
    )
    return figure([{k: v for k, v in trace.items() if v is not None}], layout)


def pair_map(
    compare: pd.DataFrame, name_a: str, name_b: str, *, zoom: bool = True, subtitle: str = "",
) -> go.Figure:
    """Map of two ISCMs: States in both, only in the first, only in the second."""
    traces: list[dict[str, Any] | None] = []
    traces.append(_background(compare["iso3"], f"In neither {name_a} nor {name_b}", name="In neither"))
    groups = (("both", "In both", OKABE_ITO["green"]),
              ("only_a", f"Only {name_a}", MEMBER_COLOR),
              ("only_b", f"Only {name_b}", OBSERVER_COLOR))
    for group, label, color in groups:
        sel = compare[compare["group"] == group]
        if sel.empty:
            continue
        iso3s = sel["iso3"].tolist()
        hover = [f"<b>{c}</b><br>{name_a}: {ra or 'not taking part'}<br>{name_b}: {rb or 'not taking part'}"
                 for c, ra, rb in zip(sel["country"].tolist(), sel["role_a"].tolist(), sel["role_b"].tolist(),
                                      strict=True)]
        lab = f"{label} ({len(iso3s)})"
        traces.append(_shape_trace(iso3s, hover, color=color, name=lab, legendgroup=group))
        marks = _marker_trace(iso3s, hover, color, name=lab, legendgroup=group)
        if marks is not None:
            traces.append(marks)
        if len(iso3s) <= EMPHASIS_MAX:  # e.g. the one Prague-only participant: ringed and named
            traces.append(_emphasis_trace(iso3s, sel["country"].tolist(), color, name=lab, legendgroup=group))
    view = geo.region_view(compare["iso3"]) if zoom else {}
    return _style_map(traces, f"{name_a} and {name_b}: common and exclusive participants", view, subtitle=subtitle)
