"""World shapes for the maps: which ISO3 codes can be drawn, and where the marker layer puts small places.

Plotly's geo maps draw country shapes from topojson files that plotly.js would otherwise fetch from a CDN;
the app ships them in ``static/topojson/`` (see the README there). A choropleth alone loses States that the
1:110m shapes lack (Malta, Bahrain, Singapore, Tuvalu, Gibraltar, ...) or draws them a pixel wide (Pacific
and Caribbean islands), so every map adds a marker at a representative point for such places. This
module knows both lists, so the figure builders stay pure and a test can prove every member is drawable.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

TOPOJSON_DIR: Path = (Path(__file__).resolve().parents[1] / "static" / "topojson").resolve()
"""Absolute folder with ``world_50m.json`` / ``world_110m.json`` (served by Streamlit at TOPOJSON_URL)."""

TOPOJSON_URL = "/app/static/topojson/"
"""plotly.js ``config.topojsonURL`` for charts in the app (Streamlit static serving)."""

RESOLUTION = 110
"""Shape resolution the maps draw: 1:110m (175 country features, 137 KB). A browser draws and redraws it
about twice as fast as 1:50m (241 features, 1.1 MB; ~0.5 s per map redraw on a 2-core machine); the States
it lacks get a marker placed from the 1:50m file (``POINTS_RESOLUTION``) or ``EXTRA_POINTS``."""

POINTS_RESOLUTION = 50
"""The finer file, read only for where a marker goes and how big a place is (never sent to a browser)."""

SMALL_AREA_KM2 = 12_000.0
"""Below this area a country shape is at most a few pixels on a world map, so it also gets a marker."""

EARTH_RADIUS_KM = 6371.0088

# Representative points (lon, lat) for places that the 1:50m shapes do not contain as a country feature.
# Rounded public coordinates of the main island / capital; precision of ~0.1° is plenty for a marker.
EXTRA_POINTS: dict[str, tuple[float, float, str]] = {
    "BES": (-68.26, 12.18, "Bonaire, Sint Eustatius and Saba"),
    "BVT": (3.40, -54.43, "Bouvet Island"),
    "CCK": (96.87, -12.16, "Cocos (Keeling) Islands"),
    "CXR": (105.69, -10.45, "Christmas Island"),
    "GIB": (-5.35, 36.14, "Gibraltar"),
    "GLP": (-61.55, 16.25, "Guadeloupe"),
    "GUF": (-53.10, 3.93, "French Guiana"),
    "MTQ": (-61.02, 14.64, "Martinique"),
    "MYT": (45.15, -12.83, "Mayotte"),
    "REU": (55.53, -21.13, "Réunion"),
    "SJM": (16.50, 78.50, "Svalbard and Jan Mayen"),
    "TKL": (-171.85, -9.17, "Tokelau"),
    "TUV": (179.19, -8.52, "Tuvalu"),
    "UMI": (166.63, 19.28, "United States Minor Outlying Islands"),
    "XKX": (20.87, 42.57, "Kosovo"),
}


def topojson_path(resolution: int = RESOLUTION) -> Path:
    """Path of the world file plotly.js loads for ``geo.resolution``."""
    return TOPOJSON_DIR / f"world_{resolution}m.json"


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Delta-decode quantized topojson arcs into lon/lat points."""
    tf = topo.get("transform")
    out: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        pts: list[tuple[float, float]] = []
        for p in arc:
            if tf:
                x += p[0]
                y += p[1]
                pts.append((x * tf["scale"][0] + tf["translate"][0], y * tf["scale"][1] + tf["translate"][1]))
            else:
                pts.append((float(p[0]), float(p[1])))
        out.append(pts)
    return out


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for k, i in enumerate(indexes):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if k == 0 else a[1:])
    return pts


def _ring_area_km2(ring: list[tuple[float, float]]) -> float:
    """Area of a lon/lat ring on the sphere (Chamberlain & Duquette); steps across the antimeridian unwrap."""
    if len(ring) < 3:
        return 0.0
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        dx = x2 - x1
        if dx > 180:
            dx -= 360
        elif dx < -180:
            dx += 360
        total += math.radians(dx) * (2 + math.sin(math.radians(y1)) + math.sin(math.radians(y2)))
    return abs(total) * EARTH_RADIUS_KM**2 / 2


@lru_cache(maxsize=4)
def shape_table(resolution: int = RESOLUTION) -> pd.DataFrame:
    """One row per country feature of the world file: iso3, lon, lat, area_km2, bbox of the largest polygon.

    lon/lat is the file's own ``ct`` (centre of the largest polygon), so France's marker sits in Europe and
    not in French Guiana. The bbox serves to zoom a map to the region of its members.
    """
    topo = json.loads(topojson_path(resolution).read_text(encoding="utf-8"))
    arcs = _decode_arcs(topo)
    rows = []
    for g in topo["objects"]["countries"]["geometries"]:
        iso3 = g.get("id")
        if not iso3 or g["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        outers = [_ring(p[0], arcs) for p in polys if p]
        areas = [_ring_area_km2(r) for r in outers]
        biggest = outers[max(range(len(outers)), key=areas.__getitem__)]
        xs = [p[0] for p in biggest]
        ys = [p[1] for p in biggest]
        if max(xs) - min(xs) > 180:  # cut at the antimeridian (Russia, Fiji): measure it east of 0°
            xs = [x + 360 if x < 0 else x for x in xs]
        ct = (g.get("properties") or {}).get("ct") or [sum(xs) / len(xs), sum(ys) / len(ys)]
        rows.append({
            "iso3": iso3, "lon": float(ct[0]), "lat": float(ct[1]), "area_km2": sum(areas),
            "lon_min": min(xs), "lon_max": max(xs), "lat_min": min(ys), "lat_max": max(ys),
        })
    return pd.DataFrame(rows).drop_duplicates("iso3").set_index("iso3").sort_index()


@lru_cache(maxsize=4)
def _lookup(resolution: int = RESOLUTION) -> dict[str, tuple[float, float, float]]:
    """iso3 -> (lon, lat, area_km2) as a plain dict: maps look up hundreds of codes per figure."""
    t = shape_table(resolution)
    return {c: (float(lon), float(lat), float(a)) for c, lon, lat, a in zip(t.index, t.lon, t.lat, t.area_km2,
                                                                            strict=True)}


@lru_cache(maxsize=4)
def _boxes(resolution: int = RESOLUTION) -> dict[str, tuple[float, float, float, float]]:
    """iso3 -> bbox of the largest polygon as a plain dict (a DataFrame row lookup per place was slow)."""
    t = shape_table(resolution)
    return {c: (float(a), float(b), float(c_), float(d)) for c, a, b, c_, d in zip(
        t.index.tolist(), t.lon_min.tolist(), t.lon_max.tolist(), t.lat_min.tolist(), t.lat_max.tolist(),
        strict=True)}


@lru_cache(maxsize=4)
def shape_ids(resolution: int = RESOLUTION) -> frozenset[str]:
    """ISO3 codes that the world file draws as a country shape."""
    return frozenset(shape_table(resolution).index)


def drawable_iso3(resolution: int = RESOLUTION) -> frozenset[str]:
    """ISO3 codes the maps can show: a shape, or a marker at a known point."""
    return shape_ids(resolution) | shape_ids(POINTS_RESOLUTION) | frozenset(EXTRA_POINTS)


def needs_marker(iso3: str, resolution: int = RESOLUTION) -> bool:
    """True when a place is missing from the drawn shapes, or too small to see or hover at world scale and
    its marker would not cover the middle of a neighbour (see ``crowded``)."""
    found = _lookup(resolution).get(iso3)
    if found is None:
        return point(iso3, resolution) is not None
    return found[2] < SMALL_AREA_KM2 and iso3 not in crowded(resolution)


MARKER_HIT_PX = 5.0
"""How far from its centre a marker answers the pointer: Plotly's hover radius of a small marker (3.5 px for the
maps' 7 px markers) plus ``layout.hoverdistance`` (1 px), with half a pixel to spare."""

REFERENCE_MAP_WIDTH_PX = 700
"""The narrowest a world map is drawn beside the sidebar on a laptop (a 1024 px window): where markers crowd most."""


def natural_earth(lon: float, lat: float) -> tuple[float, float]:
    """(x, y) of the Natural Earth projection the maps use, on the unit sphere (Šavrič et al., 2011)."""
    lam, phi = math.radians(lon), math.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * p2 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return x, y


@lru_cache(maxsize=4)
def crowded(resolution: int = RESOLUTION) -> frozenset[str]:
    """Small drawn States left without a marker because, on a world map ``REFERENCE_MAP_WIDTH_PX`` wide, the
    marker would answer the pointer at the centre of a neighbour that is clickable as a shape (Luxembourg's at
    Belgium's, the State of Palestine's at Israel's): a click in the middle of a country must open that country.
    Such a State stays clickable on its own shape, and through search and tables."""
    scale = REFERENCE_MAP_WIDTH_PX / (2 * math.pi * 0.8707)  # pixels per unit of natural_earth
    table = _lookup(resolution)
    small = {c: natural_earth(lon, lat) for c, (lon, lat, area) in table.items() if area < SMALL_AREA_KM2}
    big = [natural_earth(lon, lat) for c, (lon, lat, area) in table.items() if area >= SMALL_AREA_KM2]
    return frozenset(c for c, (x, y) in small.items()
                     if any(math.hypot(x - bx, y - by) * scale < MARKER_HIT_PX for bx, by in big))


def point(iso3: str, resolution: int = RESOLUTION) -> tuple[float, float] | None:
    """(lon, lat) of a place's marker, or None if it is not drawable at all: the centre of its largest
    polygon in the drawn file, else in the finer file, else the hand table."""
    for res in dict.fromkeys((resolution, POINTS_RESOLUTION)):
        found = _lookup(res).get(iso3)
        if found is not None:
            return found[0], found[1]
    if iso3 in EXTRA_POINTS:
        lon, lat, _ = EXTRA_POINTS[iso3]
        return lon, lat
    return None


def extent(iso3s: list[str] | set[str] | frozenset[str], resolution: int = RESOLUTION) -> list[tuple[float, float, float, float]]:
    """(lon_min, lon_max, lat_min, lat_max) per drawable place: the largest polygon's bbox, or its point.

    For a polygon cut at the antimeridian lon_max exceeds 180 (Russia ends near 190, i.e. -170).
    """
    boxes = _boxes(resolution)
    finer = _boxes(POINTS_RESOLUTION)
    out = []
    for iso3 in sorted(iso3s):
        if iso3 in boxes:
            out.append(boxes[iso3])
        elif iso3 in finer:
            out.append(finer[iso3])
        elif iso3 in EXTRA_POINTS:
            lon, lat, _ = EXTRA_POINTS[iso3]
            out.append((lon, lon, lat, lat))
    return out


def region_view(iso3s: Iterable[str], *, pad_lon: float = 8.0, pad_lat: float = 6.0) -> dict:
    """Geo settings that frame the given places: centre longitude, lon/lat ranges; {} for the whole world.

    Longitudes are circular: the frame is the complement of the widest stretch of longitude with no place
    in it, so a Pacific selection (Australia, Fiji, Samoa) is framed across the antimeridian. Selections
    spanning most of the globe get the world view.
    """
    boxes = extent(set(iso3s))
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


def configure_static_export() -> str:
    """Point kaleido (static PNG/SVG/PDF export) at the shipped shapes, so geo figures export offline.

    Without this, kaleido asks plotly.js to fetch ``https://cdn.plot.ly/un/world_*.json`` and fails with
    "Error 525" offline. Returns the folder it set. Safe to call many times.
    """
    import plotly.io as pio

    folder = str(TOPOJSON_DIR) + "/"
    pio.defaults.topojson = folder
    return folder


def natural_earth_aspect(lon_range: tuple[float, float] | list[float] | None,
                         lat_range: tuple[float, float] | list[float] | None) -> float:
    """Height / width of a lon/lat frame drawn in the natural earth projection (the maps' projection).

    The frame's width is that of its widest parallel (the one nearest the equator: meridians converge
    towards the poles), its height the distance between its two bounding parallels; formulas of
    d3.geoNaturalEarth1, which plotly.js uses. A map sized to this ratio fills its box with no empty bands.
    """
    lon = lon_range or (-180.0, 180.0)
    lat = lat_range or (-90.0, 90.0)

    def x_scale(phi: float) -> float:
        p2 = phi * phi
        p4 = p2 * p2
        return 0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4))

    def y(phi: float) -> float:
        p2 = phi * phi
        p4 = p2 * p2
        return phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))

    lo, hi = math.radians(min(lat)), math.radians(max(lat))
    widest = 0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi))
    width = math.radians(abs(lon[1] - lon[0])) * x_scale(widest)
    return (y(hi) - y(lo)) / max(width, 1e-6)
