"""GTFS import: a feed's services added to the layers (a pure function, like a scenario)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.assumptions import DEFAULT, Assumptions
from network.geo import haversine_km
from network.gtfs._common import CLASS_OF_ROUTE_TYPE, DEFAULT_WINDOW, KIND_OF_ROUTE_TYPE, parse_window
from network.gtfs._feed import Pattern, read_feed, stop_patterns

if TYPE_CHECKING:
    import pandas as pd

    from network.layers import Layers


def _feed_tag(path: Path) -> str:
    stem = path.name.removesuffix(".zip")
    return re.sub(r"[^A-Za-z0-9]+", "_", stem).strip("_").lower() or "feed"


def _first_year(tables: dict[str, pd.DataFrame], day: Any) -> int:
    years = []
    cal = tables.get("calendar.txt")
    if cal is not None and len(cal):
        years += [int(str(v)[:4]) for v in cal["start_date"] if str(v)[:4].isdigit()]
    cd = tables.get("calendar_dates.txt")
    if cd is not None and len(cd) and "date" in cd:
        years += [int(str(v)[:4]) for v in cd["date"] if str(v)[:4].isdigit()]
    return min(years) if years else day.year


def import_gtfs(layers: Layers, feed: str | Path, *, window: str = DEFAULT_WINDOW,
                assumptions: Assumptions = DEFAULT) -> Layers:
    """New layers with a GTFS feed's services added (the input layers are not changed).

    Each stop pattern of a route running on the feed's busiest day becomes a service (both
    directions, as every service of the model; a pattern and its exact reverse become one
    service). Its hop minutes (run, dwell) come from the first trip of the pattern departing in
    ``window``; its headway is the mean interval between its consecutive departures in the window
    (the window's length for a single departure) (trips of
    ``frequencies.txt`` expanded). Patterns without a departure in the window are left out.
    Stops join the nearest layer station within ``assumptions.gtfs_join_max_km`` (a stop with
    a parent station is placed at its own coordinates); other stops become new stations whose
    kind follows the route type. Services open from the year the feed's calendar starts.

    Raises
    ------
    InputError
        For a broken feed (missing file or column, unknown stop, bad time), a bad window, or a
        feed with no departure in the window.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from network.geo import CRS_WGS84

    p = Path(feed)
    w = parse_window(window)
    tables = read_feed(p)
    patterns, day = stop_patterns(tables, w, str(p))
    if not patterns:
        raise InputError(f"GTFS feed {p}: no departure in the window {window} on its busiest day "
                         f"({day}); choose another --window")
    tag = _feed_tag(p)
    stops = tables["stops.txt"].set_index("stop_id", drop=False)
    routes = tables["routes.txt"].set_index("route_id", drop=False)
    year = _first_year(tables, day)
    # reverse pairs become one service
    index = {(q.route_id, q.stops): i for i, q in enumerate(patterns)}
    keep = []
    for i, q in enumerate(patterns):
        j = index.get((q.route_id, q.stops[::-1]))
        if j is not None and j < i:
            continue
        keep.append(q)
    mapping, new_stations = _join_stops(layers, stops, {s for q in keep for s in q.stops}, routes,
                                        keep, assumptions, tag, str(p), year)
    svc_rows, stop_rows, line_rows = [], [], []
    src = f"GTFS feed {p.name}"
    for n, q in enumerate(keep):
        r = routes.loc[q.route_id] if q.route_id in routes.index else None
        if r is None:
            raise InputError(f"GTFS feed {p}: trips.txt names route {q.route_id!r}, not in routes.txt")
        rtype = _route_type(r["route_type"], str(p))
        sid = f"gtfs_{tag}_{_slug(q.route_id)}_{n}"
        name = str(r.get("route_long_name") or r.get("route_short_name") or q.route_id)
        svc_rows.append({"id": sid, "line_id": f"gtfs_{tag}_{_slug(q.route_id)}", "name": name,
                         "name_zh": str(r.get("route_short_name") or name), "class":
                         CLASS_OF_ROUTE_TYPE.get(rtype, "metro"), "pattern": "allstop",
                         "headway_minutes": round(q.headway_minutes(w), 3),
                         "headway_basis": f"mean interval of {len(q.departures)} departure(s) in "
                                          f"{window} on {day} ({src})",
                         "opened": year, "closed": None, "source": src, "notes": None})
        for k, stop in enumerate(q.stops):
            stop_rows.append({"service_id": sid, "seq": k + 1, "station_id": mapping[stop],
                              "run_minutes": round(q.runs[k], 4) if k else None,
                              "dwell_minutes": round(q.dwells[k], 4) if k > 0 else None,
                              "opened": None, "estimate": False, "provenance": "timetable",
                              "vintage": _vintage(day), "source": src})
        line_rows.append((f"gtfs_{tag}_{_slug(q.route_id)}", name, svc_rows[-1]["class"],
                          [mapping[s] for s in q.stops]))
    stations = layers.stations
    if new_stations:
        add = gpd.GeoDataFrame(pd.DataFrame(new_stations, dtype=object),
                               geometry=[shapely.Point(s["lon"], s["lat"]) for s in new_stations],
                               crs=CRS_WGS84)
        stations = pd.concat([stations, add], ignore_index=True)
    lines = _add_lines(layers, stations, line_rows, src, year)
    services = pd.concat([layers.services, pd.DataFrame(svc_rows, dtype=object)], ignore_index=True)
    sstops = pd.concat([layers.service_stops, pd.DataFrame(stop_rows, dtype=object)],
                       ignore_index=True)
    return layers.replace(stations=stations, services=services, service_stops=sstops, lines=lines)


def _vintage(day: str) -> str | None:
    """``YYYY-MM`` of the feed day the stop times were read from (GTFS dates are YYYYMMDD)."""
    digits = "".join(ch for ch in str(day) if ch.isdigit())
    return f"{digits[:4]}-{digits[4:6]}" if len(digits) >= 6 else None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", str(text)).strip("_").lower() or "x"


def _route_type(value: Any, source: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(f"GTFS feed {source}: routes.txt: route_type {value!r} is not a "
                         "number") from None


def _join_stops(layers: Layers, stops: pd.DataFrame, used: set[str], routes: pd.DataFrame,
                patterns: list[Pattern], a: Assumptions, tag: str, source: str,
                year: int) -> tuple[dict[str, str], list[dict]]:
    """GTFS stop -> layer station id (nearest within the join distance, else a new station)."""
    st = layers.stations
    lons, lats = st["lon"].to_numpy(float), st["lat"].to_numpy(float)
    ids = st["id"].to_numpy()
    kind_of: dict[str, str] = {}
    for q in patterns:
        rt = _route_type(routes.loc[q.route_id, "route_type"], source) if q.route_id in routes.index else 2
        for s in q.stops:
            kind_of.setdefault(s, KIND_OF_ROUTE_TYPE.get(rt, "metro"))
    mapping: dict[str, str] = {}
    new: list[dict] = []
    zones = layers.zones
    for s in sorted(used):
        if s not in stops.index:
            raise InputError(f"GTFS feed {source}: stop_times.txt names stop {s!r}, not in stops.txt")
        row = stops.loc[s]
        try:
            lon, lat = float(row["stop_lon"]), float(row["stop_lat"])
        except ValueError:
            raise InputError(f"GTFS feed {source}: stops.txt: stop {s}: stop_lon/stop_lat are not "
                             "numbers") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"GTFS feed {source}: stops.txt: stop {s}: {lon},{lat} is not a "
                             "WGS-84 lon/lat")
        d = _haversine_many(lon, lat, lons, lats)
        if len(d) and d.min() <= a.gtfs_join_max_km:
            mapping[s] = str(ids[int(np.argmin(d))])
            continue
        zi = int(np.argmin(_haversine_many(lon, lat, zones["lon"].to_numpy(float),
                                           zones["lat"].to_numpy(float))))
        nid = f"gtfs_{tag}_{_slug(s)}"
        name = str(row.get("stop_name") or s)
        new.append({"id": nid, "name": name, "name_zh": name, "city": zones["city"].iloc[zi],
                    "county": zones["name"].iloc[zi], "kind": kind_of[s], "opened": str(year),
                    "former_names": None, "external": False,
                    "source": f"GTFS feed {Path(source).name}, stop {s}", "notes": None,
                    "coord_crs_source": "wgs84 (GTFS)", "lon": lon, "lat": lat, "open_year": year})
        mapping[s] = nid
    return mapping, new


def _haversine_many(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    from network.geo import EARTH_RADIUS_KM

    p1, p2 = np.radians(lat), np.radians(lats)
    h = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def _add_lines(layers: Layers, stations: Any, rows: list[tuple[str, str, str, list[str]]],
               source: str, year: int) -> Any:
    """A schematic line per imported route (straight between its stops) so services resolve."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from network.geo import CRS_WGS84

    pos = dict(zip(stations["id"], zip(stations["lon"], stations["lat"], strict=True), strict=True))
    seen: dict[str, dict] = {}
    for lid, name, klass, sids in rows:
        if lid in seen:
            continue
        coords = [pos[s] for s in sids]
        km = sum(haversine_km(*coords[i], *coords[i + 1]) for i in range(len(coords) - 1))
        seen[lid] = {"id": lid, "name": name, "name_zh": name, "class": klass,
                     "station_ids": ";".join(sids), "length_km": round(km, 3),
                     "length_source": "straight lines between the feed's stops", "opened": str(year),
                     "status": "open", "expected_year": None, "design_speed_kmh": None,
                     "schematic": True, "source": source, "notes": None, "open_year": year,
                     "geometry": shapely.LineString(coords)}
    if not seen:
        return layers.lines
    add = gpd.GeoDataFrame(pd.DataFrame(list(seen.values()), dtype=object), geometry="geometry",
                           crs=CRS_WGS84)
    return pd.concat([layers.lines, add], ignore_index=True)


def import_feeds(layers: Layers, feeds: list[str] | tuple[str, ...], *, window: str = DEFAULT_WINDOW,
                 assumptions: Assumptions = DEFAULT) -> Layers:
    """:func:`import_gtfs` for several feeds in turn."""
    for f in feeds:
        layers = import_gtfs(layers, f, window=window, assumptions=assumptions)
    return layers
