"""Resolve what a user types (station id or name, county, city, airport, ``lon,lat``) to a place."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from network._errors import UnknownPlaceError
from network.geo import in_region

if TYPE_CHECKING:
    from network.layers import Layers

_LONLAT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
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


def _index(layers: Layers) -> dict[str, Place]:
    """Every name a place is known by (normalised) -> the place.

    On a clash the city wins over the county, the county over the airport and the airport over
    the station ("Haining" is the county; "Haining station" or "station:haining" the station).
    """
    idx: dict[str, Place] = {}

    def add(p: Place, *keys: str | None) -> None:
        for key in keys:
            if key and str(key).strip():
                idx.setdefault(_norm(str(key)), p)

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


def resolve(layers: Layers, query: str) -> Place:
    """Resolve a place name, id or ``lon,lat``.

    Parameters
    ----------
    layers
        The layers to look names up in.
    query
        A station id or name (English, pinyin or Chinese, current or former), a county or city
        name (resolves to its seat), an airport code or name, or ``lon,lat`` in WGS-84.

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
            raise UnknownPlaceError(f"{query!r} is not a valid lon,lat pair; give e.g. 120.21,30.29")
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
        return idx[key]
    close = difflib.get_close_matches(key, list(idx), n=5, cutoff=0.6)
    names = sorted({f"{idx[c].name} ({idx[c].name_zh})" for c in close})
    hint = f" Closest matches: {', '.join(names)}." if names else ""
    raise UnknownPlaceError(
        f"unknown place {query!r}: not a station, county, city or airport in the layers.{hint} "
        "Run 'hzcircle stations' for station names, or give lon,lat."
    )
