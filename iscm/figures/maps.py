"""Membership maps and overlap figures: who takes part in which ISCM, and where dialogues overlap.

Pure builders: DataFrames shaped like ``Dataset.memberships`` / ``Dataset.iscms`` in, Plotly figures and
tidy tables out. Every map is a choropleth over the shipped 1:50m shapes plus a marker layer (``iscm.geo``)
for places the shapes lack or draw too small to see, so Malta, Bahrain, Tuvalu or Kosovo never vanish.
Every trace carries the ISO3 code in ``customdata`` so a click on a shape or a marker can open the
country view. Backgrounds are transparent and the "not taking part" grey is semi-transparent, so the maps
read on the light and the dark theme alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from iscm import geo
from iscm.countries import country_name
from iscm.figures.fast import figure, house_layout, merge
from iscm.palette import CLASS_COLORS, NONE_COLOR, OKABE_ITO, SEQUENTIAL_COLORS

MEMBER_COLOR = OKABE_ITO["blue"]
OBSERVER_COLOR = OKABE_ITO["orange"]
HIGHLIGHT_COLOR = OKABE_ITO["vermillion"]
BORDER_COLOR = "rgba(255,255,255,0.85)"
MARKER_LINE = "rgba(40,40,40,0.8)"
# Five classes, light to dark; the palest step of the shared ramp is left out: it would be hard to tell
# from the "none" grey.
MAP_SCALE = CLASS_COLORS
PARTICIPANT_ROLES = ("member", "observer")
ROLE_LABELS = {"member": "Member", "observer": "Observer", "none": "Not taking part"}

_TRANSPARENT = "rgba(0,0,0,0)"


# ---------------------------------------------------------------------------------------------- helpers
def _scale(colors: Sequence[str]) -> list[list[float | str]]:
    n = len(colors)
    return [[i / (n - 1), c] for i, c in enumerate(colors)] if n > 1 else [[0, colors[0]], [1, colors[0]]]


def _names(iscms: pd.DataFrame | None) -> dict[str, str]:
    """iscm_id -> short name (falls back to the id for ISCMs missing from the table)."""
    if iscms is None or iscms.empty:
        return {}
    return dict(zip(iscms["iscm_id"], iscms["short_name"], strict=True))


def _country_names(memberships: pd.DataFrame) -> dict[str, str]:
    if memberships.empty:
        return {}
    first = memberships.drop_duplicates("iso3")
    return dict(zip(first["iso3"], first["country"], strict=True))


def _label(iso3: str, known: Mapping[str, str]) -> str:
    if iso3 in known and known[iso3]:
        return str(known[iso3])
    name = country_name(iso3)
    if name == iso3 and iso3 in geo.EXTRA_POINTS:
        return geo.EXTRA_POINTS[iso3][2]
    return name


def _participants(memberships: pd.DataFrame, roles: Iterable[str]) -> pd.DataFrame:
    roles = tuple(roles)
    return memberships[memberships["role"].isin(roles)]


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
    return {c: _label(c, {}) for c in geo.shape_ids()}


def _background(exclude: Iterable[str], label: str, name: str = "Not taking part") -> dict[str, Any]:
    """Every other country shape in pale grey, so the whole world is drawn and hoverable."""
    skip = set(exclude)
    names = _world_labels()
    rest = sorted(geo.shape_ids() - skip)
    return _shape_trace(rest, [f"<b>{names[c]}</b><br>{label}" for c in rest], color=NONE_COLOR, name=name)


def region_view(iso3s: Iterable[str], *, pad_lon: float = 8.0, pad_lat: float = 6.0) -> dict:
    """Geo settings that frame the given places: centre longitude, lon/lat ranges; {} for the whole world.

    Longitudes are circular: the frame is the complement of the widest stretch of longitude with no place
    in it, so a Pacific selection (Australia, Fiji, Samoa) is framed across the antimeridian. Selections
    spanning most of the globe get the world view.
    """
    boxes = geo.extent(set(iso3s))
    if not boxes:
        return {}
    covered = np.zeros(360, dtype=bool)
    for lo, hi, _, _ in boxes:
        start = int(np.floor(lo)) + 180
        stop = int(np.floor(hi)) + 180
        covered[[k % 360 for k in range(start, stop + 1)]] = True
    # widest gap (run of uncovered degrees) on the circle
    best_len, best_start, run_start = 0, 0, None
    for k in range(720):
        if not covered[k % 360]:
            if run_start is None:
                run_start = k
            if k - run_start + 1 > best_len and k - run_start + 1 <= 360:
                best_len, best_start = k - run_start + 1, run_start
        else:
            run_start = None
    span = 360 - best_len
    if span > 230 or best_len == 0:
        return {}
    west = (best_start + best_len) % 360 - 180  # first covered degree after the gap
    lon0, lon1 = west - pad_lon, west + span + pad_lon
    lat0 = max(min(b[2] for b in boxes) - pad_lat, -85.0)
    lat1 = min(max(b[3] for b in boxes) + pad_lat, 85.0)
    # keep a small selection from being zoomed to a few degrees
    if lon1 - lon0 < 40:
        mid = (lon0 + lon1) / 2
        lon0, lon1 = mid - 20, mid + 20
    if lat1 - lat0 < 25:
        mid = (lat0 + lat1) / 2
        lat0, lat1 = max(mid - 12.5, -85.0), min(mid + 12.5, 85.0)
    center = (lon0 + lon1) / 2
    return {
        "projection_rotation_lon": center,
        "lonaxis_range": [lon0, lon1],
        "lataxis_range": [lat0, lat1],
    }


WORLD_VIEW = {"lataxis_range": [-57.0, 85.0]}
"""World maps leave out Antarctica: no ISCM has members there and it would take a fifth of the height."""


def map_height(view: Mapping, width: int = 820) -> int:
    """Figure height that fits the framed region at a typical page width, so a wide region (Europe to the
    Pacific coast) leaves no empty bands above and below the map and a tall one is not squeezed."""
    ratio = geo.natural_earth_aspect(view.get("lonaxis_range"), view.get("lataxis_range"))
    return int(min(max(90 + width * ratio, 340), 620))


def _geo_view(view: Mapping[str, Any]) -> dict[str, Any]:
    """region_view()'s flat keys as the nested geo layout: "lonaxis_range" -> {"lonaxis": {"range": ...}}."""
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
    """The map figure: house style plus natural earth, 1:50m shapes, flat land, no ocean, framed on the view.

    The geo layout is written as one dict: Figure.update_geos validated every property and took longer
    than building the map's data.
    """
    view = view or WORLD_VIEW
    layout = merge(
        {"geo": merge(_GEO, _geo_view(view))},
        house_layout(title, subtitle=subtitle, height=map_height(view)),
        {"margin": {"l": 0, "r": 0, "t": 70 if subtitle else 50, "b": 0},
         "legend": {"orientation": "h", "x": 0, "y": 0, "yanchor": "top"},
         "clickmode": "event+select",
         "dragmode": "pan"},
    )
    return figure([t for t in traces if t is not None], layout)


COUNT_BINS = ((1, 1), (2, 3), (4, 6), (7, 10), (11, None))
"""Classes of the dialogue-density scale: a State in 1 dialogue, 2-3, 4-6, 7-10, 11 or more. Five steps of
one blue ramp, light to dark, each a legend entry, so 1 and 14 never look alike (a continuous scale over
1..20 shaded most States in nearly the same pale blue)."""
OVERLAP_SLANT_MAX = 12
"""Up to this many ISCMs the overlap matrix slants its column labels; more are turned upright."""
EMPHASIS_MAX = 3
"""A group of at most this many States is ringed and named on the map: one State can be the point of it."""


def count_bins(vmax: int) -> list[tuple[int, int, str]]:
    """(low, high, label) classes for counts 1..vmax: one per value up to 5, else ``COUNT_BINS`` (cut at
    vmax, the last one open-ended when it reaches past it)."""
    if vmax <= len(COUNT_BINS):
        return [(v, v, str(v)) for v in range(1, max(vmax, 1) + 1)]
    out = []
    for lo, hi in COUNT_BINS:
        if lo > vmax:
            break
        top = vmax if hi is None or hi >= vmax else hi
        label = f"{lo}+" if hi is None else (str(lo) if lo == top else f"{lo}–{top}")
        out.append((lo, top if hi is not None else 10**9, label))
    return out


def _count_traces(
    table: pd.DataFrame, hover: Sequence[str], *, vmax: int, name: str, colorbar_title: str,
) -> list[dict[str, Any]]:
    """One flat-coloured choropleth (+ marker layer) per count class of a table with iso3 and n_iscms (>= 1).

    Classes (``count_bins``) rather than a continuous scale: each has a legend entry naming its bin, and the
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


# ---------------------------------------------------------------------------------------------- tables
def participation_table(
    memberships: pd.DataFrame, iscms: pd.DataFrame | None = None, iscm_ids: Iterable[str] | None = None,
    roles: Iterable[str] = PARTICIPANT_ROLES,
) -> pd.DataFrame:
    """One row per State taking part in the given ISCMs (all ISCMs when None).

    Columns: iso3, country, n_iscms (distinct ISCMs), n_member, n_observer, iscms ('; '-joined
    "Name (role)"), territory. Sorted by n_iscms descending, then country.
    """
    part = _participants(memberships, roles)
    if iscm_ids is not None:
        part = part[part["iscm_id"].isin(list(iscm_ids))]
    cols = ["iso3", "country", "n_iscms", "n_member", "n_observer", "iscms", "territory"]
    if part.empty:
        return pd.DataFrame(columns=cols)
    names = _names(iscms)
    # plain Python over the rows (as lists: iterating a string column value by value is slow): a pandas
    # groupby per State is ~50x slower on string columns
    acc: dict[str, dict] = {}
    for iscm_id, iso3, country, role, territory in zip(
        *(part[c].tolist() for c in ("iscm_id", "iso3", "country", "role", "territory")), strict=True,
    ):
        row = acc.setdefault(iso3, {"iso3": iso3, "country": country, "items": {}, "territory": False})
        row["items"][iscm_id] = (names.get(iscm_id, iscm_id), role)
        row["territory"] = row["territory"] or bool(territory)
    rows = []
    for row in acc.values():
        items = sorted(row.pop("items").values())
        rows.append({
            **row,
            "n_iscms": len(items),
            "n_member": sum(r == "member" for _, r in items),
            "n_observer": sum(r == "observer" for _, r in items),
            "iscms": "; ".join(f"{n} ({r})" for n, r in items),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_iscms", "country"], ascending=[False, True], ignore_index=True)


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
def iscm_map(
    memberships: pd.DataFrame, iscms: pd.DataFrame | None, iscm_ids: Sequence[str], *, zoom: bool = True,
    subtitle: str = "",
) -> go.Figure:
    """Map of the selected ISCMs' participants.

    One ISCM: categorical member / observer / not taking part (legend). Several: how many of the selected
    ISCMs each State takes part in (colour bar; hover lists them). Framed on the participants' region.
    """
    ids = list(dict.fromkeys(iscm_ids))
    names = _names(iscms)
    traces: list[dict[str, Any] | None] = []
    if len(ids) == 1:
        iscm_id = ids[0]
        iscm_name = names.get(iscm_id, iscm_id)
        rows = memberships[memberships["iscm_id"] == iscm_id].drop_duplicates("iso3")
        drawn: list[str] = []
        layers: list = []
        for role, color in (("member", MEMBER_COLOR), ("observer", OBSERVER_COLOR)):
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
                layers.append(_emphasis_trace(iso3s, sel["country"].tolist(), color, name=label,
                                              legendgroup=role))
            drawn += iso3s
        # background first, so the participants' shapes and markers are drawn over it
        traces.append(_background(drawn, f"Not taking part in {iscm_name}"))
        for layer in layers:
            if layer is not None:
                traces.append(layer)
        title = f"{iscm_name}: members and observers"
        view_codes = drawn
    else:
        table = participation_table(memberships, iscms, ids)
        hover = _hover_counts(table, f"of the {len(ids)} selected ISCMs")
        traces.append(_background(table["iso3"], "In none of the selected ISCMs", name="In none of them"))
        for tr in _count_traces(table, hover, vmax=max(len(ids), 1), name="Selected ISCMs",
                                colorbar_title="ISCMs"):
            traces.append(tr)
        title = (f"Participation in {len(ids)} selected ISCMs (members and observers)" if ids
                 else "No ISCM selected")
        view_codes = table["iso3"].tolist()
    view = region_view(view_codes) if zoom else {}
    return _style_map(traces, title, view, subtitle=subtitle)


def density_map(
    memberships: pd.DataFrame, iscms: pd.DataFrame | None = None, roles: Iterable[str] = PARTICIPANT_ROLES,
    *, subtitle: str = "",
) -> go.Figure:
    """Dialogue density: the number of ISCMs each State takes part in, world view, hover lists them."""
    table = participation_table(memberships, iscms, roles=roles)
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


# ---------------------------------------------------------------------------------------------- country view
def country_iscms(
    memberships: pd.DataFrame, iscms: pd.DataFrame, iscm_themes: pd.DataFrame, themes: pd.DataFrame, iso3: str,
) -> pd.DataFrame:
    """The ISCMs a State takes part in: iscm_id, ISCM, Role, Type, Established, Themes (focus themes first)."""
    cols = ["iscm_id", "ISCM", "Role", "Type", "Established", "Themes"]
    mine = memberships[memberships["iso3"] == iso3.upper()]
    if mine.empty:
        return pd.DataFrame(columns=cols)
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True)) if not themes.empty else {}
    info = {r["iscm_id"]: r for r in iscms[["iscm_id", "short_name", "type", "established"]].to_dict("records")}
    by_iscm: dict[str, list[tuple[bool, str]]] = {}
    for iscm_id, theme_id, level in zip(iscm_themes["iscm_id"].tolist(), iscm_themes["theme_id"].tolist(),
                                        iscm_themes["level"].tolist(), strict=True):
        by_iscm.setdefault(iscm_id, []).append((level != "focus", labels.get(theme_id, theme_id)))
    rows = []
    for iscm_id, role in zip(mine["iscm_id"], mine["role"], strict=True):
        r = info.get(iscm_id)
        rows.append({
            "iscm_id": iscm_id,
            "ISCM": r["short_name"] if r else iscm_id,
            "Role": ROLE_LABELS.get(role, role),
            "Type": r["type"] if r else "",
            "Established": r["established"] if r else pd.NA,
            "Themes": "; ".join(label for _, label in sorted(by_iscm.get(iscm_id, []))),
        })
    out = pd.DataFrame(rows, columns=cols)
    out["_o"] = out["Role"].map({"Member": 0, "Observer": 1})
    return out.sort_values(["_o", "ISCM"]).drop(columns="_o").reset_index(drop=True)


def fellow_members_table(memberships: pd.DataFrame, iscms: pd.DataFrame | None, iso3: str) -> pd.DataFrame:
    """Every other State that shares at least one ISCM with ``iso3``: n_iscms = number of shared ISCMs."""
    iso3 = iso3.upper()
    mine = memberships.loc[memberships["iso3"] == iso3, "iscm_id"].unique()
    table = participation_table(memberships, iscms, mine)
    return table[table["iso3"] != iso3].reset_index(drop=True)


def fellow_members_map(
    memberships: pd.DataFrame, iscms: pd.DataFrame | None, iso3: str, *, zoom: bool = True, subtitle: str = "",
) -> go.Figure:
    """The chosen State (highlighted) and its partners coloured by the number of ISCMs they share with it."""
    iso3 = iso3.upper()
    names = _country_names(memberships)
    me = _label(iso3, names)
    n_mine = memberships.loc[memberships["iso3"] == iso3, "iscm_id"].nunique()
    table = fellow_members_table(memberships, iscms, iso3)
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
    view = region_view([*table["iso3"], iso3]) if zoom else {}
    return _style_map(traces, f"Fellow members: States that share ISCMs with {me}", view, subtitle=subtitle)


def country_themes(
    memberships: pd.DataFrame, iscms: pd.DataFrame, iscm_themes: pd.DataFrame, themes: pd.DataFrame, iso3: str,
) -> pd.DataFrame:
    """Themes covered by a State's ISCMs: theme_id, Theme, n_iscms, n_focus, ISCMs ('; '-joined)."""
    cols = ["theme_id", "Theme", "n_iscms", "n_focus", "ISCMs"]
    mine = memberships.loc[memberships["iso3"] == iso3.upper(), "iscm_id"].unique()
    th = iscm_themes[iscm_themes["iscm_id"].isin(mine)]
    if th.empty:
        return pd.DataFrame(columns=cols)
    labels = dict(zip(themes["theme_id"], themes["label"], strict=True)) if not themes.empty else {}
    names = _names(iscms)
    rows = []
    for theme_id, grp in th.groupby("theme_id"):
        rows.append({
            "theme_id": theme_id,
            "Theme": labels.get(theme_id, theme_id),
            "n_iscms": grp["iscm_id"].nunique(),
            "n_focus": int(grp.loc[grp["level"] == "focus", "iscm_id"].nunique()),
            "ISCMs": "; ".join(sorted(names.get(i, i) for i in grp["iscm_id"].unique())),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_iscms", "Theme"], ascending=[False, True], ignore_index=True)


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
    layout = merge(
        house_layout(f"Themes of the ISCMs {country} takes part in", subtitle=subtitle,
                     x_title="ISCMs covering the theme", y_title="Theme", height=max(340, 150 + 26 * len(t))),
        {"barmode": "stack", "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.01,
                                        "yanchor": "bottom", "traceorder": "normal"}},
        {"xaxis": {"tickmode": "linear", "dtick": 1, "rangemode": "tozero"}}
        if len(t) and t["n_iscms"].max() <= 15 else None,
    )
    return figure(traces, layout)


# ---------------------------------------------------------------------------------------------- overlap
def _member_sets(memberships: pd.DataFrame, iscm_ids: Sequence[str], roles: Iterable[str]) -> dict[str, set[str]]:
    """iscm_id -> States taking part in one of `roles` (one groupby, not one filter of the table per ISCM)."""
    part = _participants(memberships, roles)
    sets = part.groupby("iscm_id")["iso3"].agg(set).to_dict()
    return {i: sets.get(i, set()) for i in iscm_ids}


def cluster_order(similarity: np.ndarray) -> list[int]:
    """Leaf order of average-linkage clustering on 1 - similarity, so similar ISCMs sit next to each other."""
    n = similarity.shape[0]
    if n < 3:
        return list(range(n))
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    dist = 1.0 - similarity
    np.fill_diagonal(dist, 0.0)
    dist = np.clip((dist + dist.T) / 2, 0.0, 1.0)
    return [int(i) for i in leaves_list(linkage(squareform(dist, checks=False), "average", optimal_ordering=True))]


def overlap_tables(
    memberships: pd.DataFrame, iscm_ids: Sequence[str], *, iscms: pd.DataFrame | None = None,
    roles: Iterable[str] = ("member",),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shared States, Jaccard index): two ISCM x ISCM matrices in one clustered order, computed together.

    The order comes from the Jaccard similarity, so switching between the two does not reshuffle the rows.
    Both are indexed and columned by ISCM short name in that order (diagonal: the ISCM's own size for the
    count, 1 for Jaccard; two ISCMs without participants have Jaccard 0).
    """
    ids = list(dict.fromkeys(iscm_ids))
    sets = _member_sets(memberships, ids, tuple(roles))
    states = sorted(set().union(*sets.values())) if sets else []
    col = {c: k for k, c in enumerate(states)}
    incidence = np.zeros((len(ids), len(states)), dtype=np.int64)
    for r, i in enumerate(ids):
        incidence[r, [col[c] for c in sets[i]]] = 1
    count = incidence @ incidence.T  # shared States of every pair
    size = np.diag(count)
    union = size[:, None] + size[None, :] - count
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.where(union > 0, count / np.where(union > 0, union, 1), 0.0)
    np.fill_diagonal(jac, 1.0)  # an ISCM is fully alike itself, even one without participants
    order = cluster_order(jac)
    names = _names(iscms)
    labels = [names.get(ids[k], ids[k]) for k in order]
    if len(set(labels)) < len(labels):  # duplicate short names: fall back to ids
        labels = [ids[k] for k in order]
    index = pd.Index(labels, name="ISCM")
    idx = np.ix_(order, order)
    return (pd.DataFrame(count.astype(int)[idx], index=index, columns=labels),
            pd.DataFrame(jac.astype(float)[idx], index=index.copy(), columns=labels))


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
                   "tickfont": {"size": 12}, "type": "category"},
         "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"}},
    )
    return figure([{k: v for k, v in trace.items() if v is not None}], layout)


def overlap_matrix(
    memberships: pd.DataFrame, iscm_ids: Sequence[str], metric: str = "count", *,
    iscms: pd.DataFrame | None = None, roles: Iterable[str] = ("member",), subtitle: str = "",
) -> tuple[pd.DataFrame, go.Figure]:
    """ISCM x ISCM matrix of shared States, clustered; metric 'count' (shared States) or 'jaccard'.

    overlap_tables() + overlap_figure() for one metric. The order comes from the Jaccard similarity for
    both metrics, so switching the metric does not reshuffle the rows. The DataFrame is indexed and
    columned by ISCM short name in that order (diagonal: the ISCM's own size for 'count', 1 for 'jaccard').
    """
    if metric not in ("count", "jaccard"):
        raise ValueError(f"metric must be 'count' or 'jaccard', not {metric!r}")
    roles = tuple(roles)
    count, jac = overlap_tables(memberships, iscm_ids, iscms=iscms, roles=roles)
    df = count if metric == "count" else jac
    return df, overlap_figure(df, metric, roles=roles, subtitle=subtitle)


def pair_compare(
    memberships: pd.DataFrame, a: str, b: str, roles: Iterable[str] = PARTICIPANT_ROLES,
) -> pd.DataFrame:
    """States of two ISCMs split into common / only-a / only-b.

    Columns: iso3, country, group ('both'|'only_a'|'only_b'), role_a, role_b ('' where not taking part).
    Sorted by group then country.
    """
    part = _participants(memberships, roles)
    ra = dict(zip(part.loc[part["iscm_id"] == a, "iso3"], part.loc[part["iscm_id"] == a, "role"], strict=True))
    rb = dict(zip(part.loc[part["iscm_id"] == b, "iso3"], part.loc[part["iscm_id"] == b, "role"], strict=True))
    names = _country_names(part)
    rows = []
    for iso3 in set(ra) | set(rb):
        group = "both" if iso3 in ra and iso3 in rb else ("only_a" if iso3 in ra else "only_b")
        rows.append({"iso3": iso3, "country": _label(iso3, names), "group": group,
                     "role_a": ra.get(iso3, ""), "role_b": rb.get(iso3, "")})
    out = pd.DataFrame(rows, columns=["iso3", "country", "group", "role_a", "role_b"])
    out["_g"] = out["group"].map({"both": 0, "only_a": 1, "only_b": 2})
    return out.sort_values(["_g", "country"]).drop(columns="_g").reset_index(drop=True)


def pair_table(compare: pd.DataFrame, name_a: str, name_b: str) -> pd.DataFrame:
    """Side-by-side columns (In both | Only <a> | Only <b>) of country names; observers marked '(obs.)'."""
    def fmt(r: Mapping) -> str:
        obs = "observer" in (r["role_a"], r["role_b"])
        return f"{r['country']} (obs.)" if obs else str(r["country"])

    cols = {
        "In both": [fmt(r) for r in compare[compare["group"] == "both"].to_dict("records")],
        f"Only {name_a}": [fmt(r) for r in compare[compare["group"] == "only_a"].to_dict("records")],
        f"Only {name_b}": [fmt(r) for r in compare[compare["group"] == "only_b"].to_dict("records")],
    }
    n = max((len(v) for v in cols.values()), default=0)
    return pd.DataFrame({k: v + [""] * (n - len(v)) for k, v in cols.items()})


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
    view = region_view(compare["iso3"]) if zoom else {}
    return _style_map(traces, f"{name_a} and {name_b}: common and exclusive participants", view, subtitle=subtitle)


def selected_iso3(event: object) -> str | None:
    """ISO3 code of the first clicked shape or marker in a Streamlit plotly selection event, if any.

    Kept here (no Streamlit import) because it only reads the event's plain dict/attribute structure.
    """
    if not event:
        return None
    sel = event.get("selection") if isinstance(event, Mapping) else getattr(event, "selection", None)
    if not sel:
        return None
    points = sel.get("points") if isinstance(sel, Mapping) else getattr(sel, "points", None)
    for p in points or []:
        cd = p.get("customdata")
        if isinstance(cd, list | tuple):
            cd = cd[0] if cd else None
        code = cd or p.get("location")
        if isinstance(code, str) and len(code) == 3:
            return code.upper()
    return None
