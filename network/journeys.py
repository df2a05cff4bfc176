"""Journeys as GeoDataFrames: one row per leg with its geometry, minutes, service and clock times.

A leg's geometry is a straight line between its end points (``geometry="straight"``) or, for
rides, the part of the line's geometry (``layers/lines.geojson``) between the two stations
(``geometry="line"``; straight where a service has no line geometry). Given a departure time,
each leg gets clock times (``depart``/``arrive``). The model is frequency-based, so a wait is
the *expected* wait (half the headway, capped), and clock times after a wait are expected
times, not a timetable's: the ``clock_basis`` column says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from network._errors import InputError
from network.geo import CRS_WGS84

if TYPE_CHECKING:
    import geopandas as gpd

    from network.queries import Network
    from network.routing import Journey

GEOMETRIES = ("straight", "line")


def parse_departure(text: str) -> float:
    """``HH:MM`` (or ``HH:MM:SS``) -> minutes after midnight."""
    import re

    m = re.match(r"^\s*(\d{1,2}):([0-5]\d)(?::([0-5]\d))?\s*$", str(text))
    if not m or int(m.group(1)) > 47:
        raise InputError(f"--departure {text!r} is not a time; write HH:MM, e.g. 07:30")
    return int(m.group(1)) * 60 + int(m.group(2)) + int(m.group(3) or 0) / 60.0


def clock(minutes: float) -> str:
    """Minutes after midnight -> ``HH:MM`` (half a minute rounds up; may pass 24:00)."""
    import math

    m = math.floor(minutes + 0.5 + 1e-6)
    return f"{m // 60:02d}:{m % 60:02d}"


def _position(net: Network, node: str, journey: Journey) -> tuple[float, float] | None:
    """lon, lat of a leg end (a station, zone, airport, point or a place tag)."""
    base = node.split(":", 1)[1] if node.startswith(("from:", "to:")) else node
    if net.compiled.has_node(base):  # also OSM road nodes, which are not in net.G
        d = net.compiled.node_data(base)
        return float(d["x"]), float(d["y"])
    if base.startswith("pt:"):
        lon, lat = base[3:].split(",")
        return float(lon), float(lat)
    return None


def _line_part(net: Network, service: str | None, a: tuple[float, float],
               b: tuple[float, float]) -> Any:
    import shapely
    from shapely.ops import substring

    straight = shapely.LineString([a, b])
    if not service:
        return straight
    svc = net.layers.services
    rows = svc[svc["id"] == service]
    if not len(rows):
        return straight
    lines = net.layers.lines
    match = lines[lines["id"] == rows.iloc[0]["line_id"]]
    if not len(match):
        return straight
    line = match.geometry.iloc[0]
    if line.geom_type != "LineString":
        line = shapely.line_merge(line)
        if line.geom_type != "LineString":
            return straight
    da, db = line.project(shapely.Point(a)), line.project(shapely.Point(b))
    part = substring(line, min(da, db), max(da, db))
    if part.geom_type != "LineString" or part.length == 0:
        return straight
    if da > db:
        part = part.reverse()
    return shapely.LineString([a, *list(part.coords)[1:-1], b])


def journey_frame(net: Network, journey: Journey, *, geometry: str = "straight",
                  departure: str | float | None = None) -> gpd.GeoDataFrame:
    """The legs of a journey as a GeoDataFrame (EPSG:4326).

    Parameters
    ----------
    net
        The network the journey was routed on.
    journey
        From :meth:`network.Network.travel_time`.
    geometry
        ``straight`` (between leg ends) or ``line`` (rides follow the line geometry).
    departure
        ``HH:MM`` or minutes after midnight: adds ``depart`` and ``arrive`` clock times.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``seq``, ``kind``, ``mode``, ``from``, ``from_name``, ``to``, ``to_name``,
        ``service``, ``service_name``, ``minutes``, ``start_minute``, (``depart``,
        ``arrive``, ``clock_basis``), ``geometry``.
    """
    import geopandas as gpd
    import shapely

    if geometry not in GEOMETRIES:
        raise InputError(f"geometry {geometry!r}: use one of {', '.join(GEOMETRIES)}")
    start = None
    if departure is not None:
        start = parse_departure(departure) if isinstance(departure, str) else float(departure)
    rows, t = [], 0.0
    last = None
    for i, leg in enumerate(journey.legs, 1):
        a = _position(net, leg.from_, journey) or last
        b = _position(net, leg.to, journey) or a
        if a is None or b is None:
            geom = None
        elif a == b:
            geom = shapely.Point(a)
        elif leg.kind == "ride" and geometry == "line":
            geom = _line_part(net, leg.service, a, b)
        else:
            geom = shapely.LineString([a, b])
        last = b
        row = {"seq": i, "kind": leg.kind, "mode": leg.mode, "from": leg.from_,
               "from_name": leg.from_name, "to": leg.to, "to_name": leg.to_name,
               "service": leg.service, "service_name": leg.service_name,
               "minutes": round(leg.minutes, 2), "start_minute": round(t, 2), "geometry": geom}
        if start is not None:
            row["depart"] = clock(start + t)
            row["arrive"] = clock(start + t + leg.minutes)
            row["clock_basis"] = "expected" if leg.kind == "wait" or any(
                r["kind"] == "wait" for r in rows) else "scheduled minutes"
        rows.append(row)
        t += leg.minutes
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_WGS84)
    frame.attrs.update({"origin": journey.origin, "destination": journey.destination,
                        "minutes": round(journey.minutes, 1), "year": journey.year,
                        "modes": journey.modes})
    return frame
