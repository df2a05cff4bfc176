"""Resolve what a user types (station id or name, county, city, airport, ``lon,lat``) to a place."""

from __future__ import annotations

import difflib
import re
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from network._errors import UnknownPlaceError, shorten
from network.geo import in_region

if TYPE_CHECKING:
    from network.layers import Layers

_LONLAT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:@\s*([A-Za-z0-9:]+)\s*)?$")
#: Coordinate systems a ``lon,lat@crs`` place may be given in (see :mod:`network.coords`).
PLACE_CRS = ("wgs84", "gcj02", "bd09")
_SUFFIXES_ZH = ("区", "县", "市")


@dataclass(frozen=True)
class Place:
    """A resolved place.

    ``origin`` is the graph node a trip from here starts at; ``destination`` the node a trip
    here ends at (for a station, its arrival side). A point place has ``kind == "point"`` and no
    node until it is attached to a graph.
    """

    query: str
    kind: str  # station | zone | city | airport | point
    name: str
    name_zh: str
    lon: float
    lat: float
    origin: str
    destination: str


def _norm(s: str) -> str:
    s = s.strip().lower().replace("’", "'")
    return re.sub(r"[\s_\-'()]+", "", s)


def _strip_admin(name_zh: str) -> str:
    return name_zh[:-1] if len(name_zh) > 2 and name_zh.endswith(_SUFFIXES_ZH) else name_zh


#: id(layers) -> (weak reference to the layers, their name index): built once per layers.
_INDEXES: dict[int, tuple[weakref.ref, dict[str, list[Place]]]] = {}


def _index(layers: Layers) -> dict[str, list[Place]]:
    """The name index of ``layers`` (see :func:`_build_index`), built once per layers object
    (layers are immutable; a scenario's layers are a new object with their own index)."""
    ref, idx = _INDEXES.get(id(layers), (None, None))
    if ref is None or ref() is not layers or idx is None:
        idx = _build_index(layers)
        _INDEXES[id(layers)] = (weakref.ref(layers), idx)
        weakref.finalize(layers, _INDEXES.pop, id(layers), None)
    return idx


def _build_index(layers: Layers) -> dict[str, list[Place]]:
    """Every name a place is known by (normalised) -> the places known by it, best first.

    On a clash the city wins over the county, the county over the airport and the airport over
    the station ("Haining" is the county; "Haining station" or "station:haining" the station).
    Places of the same kind sharing a name are all kept: :func:`resolve` refuses the name as
    ambiguous unless they form one station complex.
    """
    idx: dict[str, list[Place]] = {}

    def add(p: Place, *keys: str | None) -> None:
        for key in keys:
            if key and str(key).strip():
                found = idx.setdefault(_norm(str(key)), [])
                if all(q.origin != p.origin for q in found):
                    found.append(p)

    for c in layers.cities.itertuples():
        p = city_core(layers, c.id)
        if p is not None:
            add(p, f"city:{c.id}", c.id, c.name, c.name_zh, f"{c.name_zh}市",
                getattr(c, "core_name", None), getattr(c, "core_name_zh", None))
    for z in layers.zones.itertuples():
        node = f"zone:{z.code}"
        p = Place(z.name, "zone", z.name, z.name_zh, z.lon, z.lat, node, node)
        add(p, f"zone:{z.code}", z.code, z.name, z.name_zh, _strip_admin(z.name_zh))
    for a in layers.airports.itertuples():
        p = Place(a.name, "airport", a.name, a.name_zh, a.lon, a.lat, a.id, a.id)
        add(p, f"airport:{a.id}", a.id, a.iata, a.icao, a.name, a.name_zh)
    for s in layers.stations.itertuples():
        p = Place(s.name, "station", s.name, s.name_zh, s.lon, s.lat, s.id, f"{s.id}|arr")
        add(p, f"station:{s.id}", s.id, s.name, f"{s.name} station", f"{s.name} railway station",
            s.name_zh, f"{s.name_zh}站")
        for former in (s.former_names or "").split(";"):
            for name in former.split(":")[:2]:
                add(p, name, f"{name}站" if name else None, f"{name} station" if name else None)
    return idx


def city_core(layers: Layers, city_id: str) -> Place | None:
    """The core of a city: its named core point (``core_lon``/``core_lat`` in cities.csv) if
    given, else the seat of its ``core_zone``."""
    rows = layers.cities[layers.cities["id"] == city_id]
    if not len(rows):
        return None
    c = rows.iloc[0]
    lon, lat = c.get("core_lon"), c.get("core_lat")
    if lon is not None and lat is not None and lon == lon:
        tag = f"pt:{float(lon):.6f},{float(lat):.6f}"
        label = f"{c['core_name']} ({c['name']} core)" if c.get("core_name") else c["name"]
        return Place(c["name"], "point", label, c.get("core_name_zh") or c["name_zh"],
                     float(lon), float(lat), tag, tag)
    z = layers.zones[layers.zones["code"] == c["core_zone"]]
    if not len(z):
        return None
    z = z.iloc[0]
    node = f"zone:{z['code']}"
    return Place(c["name"], "city", c["name"], c["name_zh"], z["lon"], z["lat"], node, node)


def _to_wgs84(query: str, lon: float, lat: float, crs: str | None) -> tuple[float, float]:
    """A ``lon,lat@crs`` point in WGS-84 (Amap's GCJ-02 and Baidu's BD-09 converted)."""
    if crs is None or crs.lower() in ("wgs84", "epsg:4326"):
        return lon, lat
    if crs.lower() not in PLACE_CRS:
        raise UnknownPlaceError(f"{query!r}: unknown coordinate system {crs!r}; write lon,lat@wgs84, "
                                "lon,lat@gcj02 (Amap) or lon,lat@bd09 (Baidu)")
    from network.coords import to_wgs84

    return to_wgs84(lon, lat, crs.lower())


def with_crs(query: str, crs: str | None) -> str:
    """``query`` with ``@crs`` appended when it is a bare ``lon,lat`` (a command's ``--crs``);
    names and points that state their own system are returned unchanged."""
    m = _LONLAT.match(query)
    if not crs or crs == "wgs84" or not m or m.group(3):
        return query
    return f"{query.strip()}@{crs}"


def resolve(layers: Layers, query: str) -> Place:
    """Resolve a place name, id or ``lon,lat``.

    Parameters
    ----------
    layers
        The layers to look names up in.
    query
        A station id or name (English, pinyin or Chinese, current or former), a county or city
        name (resolves to its seat), an airport code or name, or ``lon,lat`` in WGS-84
        (``lon,lat@gcj02`` for Amap coordinates, ``lon,lat@bd09`` for Baidu's).

    Raises
    ------
    UnknownPlaceError
        If nothing matches (the message lists the closest names), or a ``lon,lat`` lies
        outside the six cities.
    """
    m = _LONLAT.match(query)
    if m:
        lon, lat = float(m.group(1)), float(m.group(2))
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise UnknownPlaceError(f"{shorten(query)} is not a valid lon,lat pair; give e.g. "
                                    "120.21,30.29")
        lon, lat = _to_wgs84(query, lon, lat, m.group(3))
        if not in_region(layers, lon, lat):
            raise UnknownPlaceError(
                f"point {lon},{lat} lies outside the Hangzhou metropolitan circle (the six cities); "
                "give a lon,lat inside it, in that order (longitude first)"
            )
        tag = f"pt:{lon:.6f},{lat:.6f}"
        return Place(query, "point", f"{lon:.5f},{lat:.5f}", "", lon, lat, tag, tag)
    idx = _index(layers)
    key = _norm(query)
    if key in idx:
        return _unique(layers, query, idx[key])
    close = (difflib.get_close_matches(key, list(idx), n=5, cutoff=0.6)
             if len(key) <= _MAX_FUZZY else [])
    names = sorted({f"{idx[c][0].name} ({idx[c][0].name_zh})" for c in close})
    hint = f" Closest matches: {', '.join(names)}." if names else ""
    raise UnknownPlaceError(
        f"unknown place {shorten(query)}: not a station, county, city or airport in the "
        f"layers.{hint} Run 'hzcircle stations' for station names, or give lon,lat."
    )


#: Longest query compared for close matches (difflib is quadratic in the length).
_MAX_FUZZY = 200


def station_complexes(layers: Layers, stations: set[str] | None = None) -> dict[str, str]:
    """Station id -> the smallest id of its complex (stations linked by same-complex
    interchanges), for the stations that belong to one. With ``stations``, only links between
    those stations count."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    frame = layers.interchanges
    if len(frame) and "same_complex" in frame:
        for a, b, same in zip(frame["from_station"], frame["to_station"], frame["same_complex"],
                              strict=True):
            if same and (stations is None or (a in stations and b in stations)):
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in set(parent) | set(parent.values())}


def _unique(layers: Layers, query: str, places: list[Place]) -> Place:
    """The one place a name means, or UnknownPlaceError listing the candidates."""
    best = places[0]
    same = [p for p in places if p.kind == best.kind]
    if len(same) > 1:
        complexes = station_complexes(layers)
        groups = {complexes.get(p.origin, p.origin) for p in same}
        if len(groups) > 1:
            ids = [p.origin if ":" in p.origin else f"{p.kind}:{p.origin}" for p in same]
            listed = ", ".join(f"{p.name} ({key}{', ' + p.name_zh if p.name_zh else ''})"
                               for p, key in zip(same[:6], ids, strict=False))
            raise UnknownPlaceError(
                f"place {shorten(query)} is ambiguous: {len(same)} {best.kind}s are called that "
                f"({listed}); give one by its id, e.g. {ids[0]}")
    return best
