"""Build the multimodal network graph for one year from the layers.

The graph is a networkx ``MultiDiGraph`` that follows osmnx conventions (``x``/``y`` on nodes,
``G.graph["crs"]``, ``length`` in metres and ``travel_time`` in seconds on edges) and carries
our own attributes: ``mode``, ``minutes``, ``length_km``, ``open_year``, ``source``.

Node kinds
----------
``zone``      county seat, id ``zone:<code>``
``station``   a rail station, departure side (id = station id); board from here
``arrival``   a rail station, arrival side (id ``<station>|arr``); alight to here
``route``     a stop of one service in one direction: ``svc:<service>:<dir>:<seq>:dep|arr``
``road``      an expressway interchange or junction (id = road node id)
``airport``   an airport terminal (id = airport id)

Rail is frequency-based: boarding (station -> route dep) costs the expected wait, headway / 2
capped at ``Assumptions.wait_cap_minutes``; riding costs scheduled minutes (run time
between stops, dwell at intermediate stops); alighting costs nothing; changing trains at a
station costs the minimum transfer time of its kind (arrival -> departure side).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.assumptions import DEFAULT, Assumptions
from network.geo import CRS_WGS84, EARTH_RADIUS_KM, haversine_km
from network.years import check_year, is_open

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from network.layers import Layers

#: The modes a network can be built for.
MODES = ("rail", "road", "any")

#: The mode set every command and function uses when none is given. The plan's one-hour
#: circle is defined on "city-region rail + urban rail", so rail (with walking and local
#: transit to and from stations) is the default question; ask for ``road`` or ``any`` by name.
DEFAULT_MODES = "rail"

#: Edge modes that count as in-vehicle time.
RIDE_MODES = {"rail", "expressway", "local_road", "car"}


@dataclass
class Edge:
    """One edge to add to a graph: endpoints, mode, minutes, length, source, opening, service."""

    u: str
    v: str
    mode: str
    minutes: float
    length_km: float
    source: str
    open_year: int | None = None
    service: str | None = None


def check_mode(modes: str) -> str:
    """Return ``modes`` if valid, else raise InputError naming the allowed values."""
    if modes not in MODES:
        raise InputError(f"unknown modes {modes!r}; use one of {', '.join(MODES)}")
    return modes


def stops_open_in(stops: pd.DataFrame, stations_open: set[str], year: int) -> list[dict]:
    """Stops of one service open in ``year``.

    A stop not open yet is passed through on the recorded timetable: its run minutes and its
    dwell are carried to the next open stop. Timetables are recorded as they run now, so an
    earlier year differs only in where passengers can board and alight, and an opening never
    makes a trip slower.
    """
    rows = stops.sort_values("seq").to_dict("records")
    kept: list[dict] = []
    pending = 0.0
    for i, r in enumerate(rows):
        run = float(r["run_minutes"] or 0.0) if i else 0.0
        dwell = float(r["dwell_minutes"] or 0.0)
        if r["station_id"] in stations_open and is_open(r["opened"], year):
            kept.append({**r, "run": pending + run if kept else 0.0, "dwell": dwell})
            pending = 0.0
        elif kept:
            pending += run + dwell
    return kept


def _route_node(service: str, direction: str, i: int, station: str, side: str) -> str:
    return f"svc:{service}:{direction}:{i}:{station}:{side}"


def service_edges(service: Any, kept: list[dict], pos: dict, a: Assumptions) -> Iterable[Edge]:
    wait = min(float(service.headway_minutes) / 2.0, a.wait_cap_minutes)
    for direction, seq in (("f", kept), ("r", kept[::-1])):
        n = len(seq)
        for i, stop in enumerate(seq):
            sid = stop["station_id"]
            dep = _route_node(service.id, direction, i, sid, "dep")
            arr = _route_node(service.id, direction, i, sid, "arr")
            if i < n - 1:
                yield Edge(sid, dep, "wait", wait, 0.0, service.headway_basis or service.source,
                            service.opened, service.id)
                if i > 0:
                    yield Edge(arr, dep, "dwell", stop["dwell"], 0.0, stop["source"],
                                service.opened, service.id)
                nxt = seq[i + 1]
                run = nxt["run"] if direction == "f" else stop["run"]
                km = haversine_km(*pos[sid], *pos[nxt["station_id"]])
                yield Edge(dep, _route_node(service.id, direction, i + 1, nxt["station_id"], "arr"),
                            "rail", run, km, nxt["source"] if direction == "f" else stop["source"],
                            service.opened, service.id)
            if i > 0:
                yield Edge(arr, f"{sid}|arr", "alight", 0.0, 0.0, "model", service.opened,
                            service.id)


def _rail_edges(layers: Layers, year: int, a: Assumptions) -> tuple[list[Edge], dict[str, dict]]:
    st = layers.stations
    open_stations = st[[is_open(y, year) for y in st["open_year"]]]
    pos = {r.id: (r.lon, r.lat) for r in open_stations.itertuples()}
    kinds = {r.id: r.kind for r in open_stations.itertuples()}
    edges: list[Edge] = []
    stop_groups = dict(tuple(layers.service_stops.groupby("service_id")))
    for service in layers.services.itertuples():
        if not is_open(service.opened, year, service.closed):
            continue
        if service.id not in stop_groups:
            continue
        kept = stops_open_in(stop_groups[service.id], set(pos), year)
        if len(kept) >= 2:
            edges.extend(service_edges(service, kept, pos, a))
    for sid, kind in kinds.items():
        edges.append(Edge(f"{sid}|arr", sid, "transfer", a.transfer_minutes(kind), 0.0,
                           "assumption: transfer minutes by station kind"))
    edges.extend(_interchange_edges(layers, pos, kinds, year, a))
    nodes = {}
    for r in open_stations.itertuples():
        base = {"x": r.lon, "y": r.lat, "name": r.name, "name_zh": r.name_zh, "city": r.city,
                "county": r.county, "station_kind": r.kind}
        nodes[r.id] = {**base, "kind": "station"}
        nodes[f"{r.id}|arr"] = {**base, "kind": "arrival"}
    return edges, nodes


def _interchange_edges(layers: Layers, pos: dict, kinds: dict, year: int,
                       a: Assumptions) -> Iterable[Edge]:
    airports = {r.id: (r.lon, r.lat) for r in layers.airports.itertuples() if is_open(r.open_year, year)}
    for r in layers.interchanges.itertuples():
        for x, y in ((r.from_station, r.to_station), (r.to_station, r.from_station)):
            if x in airports and y in pos:  # landside of the airport to a station
                yield Edge(x, y, "walk", r.walk_minutes + a.entry_minutes(kinds[y]), 0.0, r.source)
            elif y in airports and x in pos:
                yield Edge(f"{x}|arr", y, "walk", r.walk_minutes, 0.0, r.source)
            elif x in pos and y in pos:
                km = haversine_km(*pos[x], *pos[y])
                yield Edge(f"{x}|arr", y, "interchange", r.walk_minutes + a.entry_minutes(kinds[y]),
                            km, r.source)


# ------------------------------------------------------------------------------------------
# connectors (crow-fly x detour / speed)
# ------------------------------------------------------------------------------------------


def transit_access_minutes(crow_km: float, a: Assumptions = DEFAULT) -> float:
    """Minutes to cover ``crow_km`` locally without a car: local transit, or a walk when the
    network distance is within ``walk_max_km`` and walking is faster."""
    net_km = crow_km * a.detour_factor
    transit = a.local_transit_wait_minutes + net_km / a.local_transit_speed_kmh * 60.0
    if net_km <= a.walk_max_km:
        return min(net_km / a.walk_speed_kmh * 60.0, transit)
    return transit


def car_access_minutes(crow_km: float, a: Assumptions = DEFAULT) -> float:
    """Minutes to drive ``crow_km`` (straight line) on local roads, with terminal time."""
    net_km = crow_km * a.detour_factor
    return a.car_terminal_minutes + net_km / a.local_car_speed_kmh * 60.0


def transit_access_minutes_array(crow_km: np.ndarray, a: Assumptions = DEFAULT) -> np.ndarray:
    """Vectorised :func:`transit_access_minutes`."""
    net_km = np.asarray(crow_km, dtype=float) * a.detour_factor
    walk = net_km / a.walk_speed_kmh * 60.0
    transit = a.local_transit_wait_minutes + net_km / a.local_transit_speed_kmh * 60.0
    return np.where(net_km <= a.walk_max_km, np.minimum(walk, transit), transit)


def car_access_minutes_array(crow_km: np.ndarray, a: Assumptions = DEFAULT) -> np.ndarray:
    """Vectorised :func:`car_access_minutes`."""
    net_km = np.asarray(crow_km, dtype=float) * a.detour_factor
    return a.car_terminal_minutes + net_km / a.local_car_speed_kmh * 60.0


def _near(lon: float, lat: float, targets: pd.DataFrame, *, radius_km: float,
          min_count: int, only: set[str] | None = None) -> list[tuple[str, float]]:
    """Targets within ``radius_km``, plus the ``min_count`` nearest: (id, crow-fly km).

    With ``only``, targets not in it are dropped after the selection (so the selection does
    not depend on ``only``).
    """
    if not len(targets):
        return []
    lons, lats = targets["lon"].to_numpy(float), targets["lat"].to_numpy(float)
    p1, p2 = np.radians(lat), np.radians(lats)
    h = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2)
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))
    order = np.argsort(d, kind="stable")
    ids = targets["id"].to_numpy()
    keep = [i for rank, i in enumerate(order) if d[i] <= radius_km or rank < min_count]
    return [(str(ids[i]), float(d[i])) for i in keep if only is None or str(ids[i]) in only]


def place_connectors(node: str, lon: float, lat: float, targets: dict[str, pd.DataFrame],
                     modes: str, a: Assumptions = DEFAULT) -> Iterable[Edge]:
    """Access and egress edges between one place (zone seat or point) and nearby nodes."""
    kw = {"radius_km": a.connector_radius_km, "min_count": a.connector_min_count,
          "only": targets["open"]}
    src = "sketch connector: crow-fly x detour_factor / local speed (assumption)"
    if modes in ("rail", "any"):
        for sid, km in _near(lon, lat, targets["stations"], **kw):
            kind = targets["station_kind"][sid]
            t = transit_access_minutes(km, a)
            yield Edge(node, sid, "access", t + a.entry_minutes(kind), km * a.detour_factor, src)
            yield Edge(f"{sid}|arr", node, "egress", a.exit_minutes(kind) + t, km * a.detour_factor, src)
    if modes == "any":
        for sid, km in _near(lon, lat, targets["stations"], **kw):
            kind = targets["station_kind"][sid]
            t = car_access_minutes(km, a)
            yield Edge(node, sid, "car", t + a.entry_minutes(kind), km * a.detour_factor, src)
            yield Edge(f"{sid}|arr", node, "car", a.exit_minutes(kind) + t, km * a.detour_factor, src)
    if modes in ("road", "any"):
        for rid, km in _near(lon, lat, targets["road_nodes"], **kw):
            t = car_access_minutes(km, a)
            yield Edge(node, rid, "car", t, km * a.detour_factor, src)
            yield Edge(rid, node, "car", t, km * a.detour_factor, src)
    for aid, km in _near(lon, lat, targets["airports"], radius_km=a.connector_radius_km,
                         min_count=0, only=targets["open"]):
        t = car_access_minutes(km, a) if modes != "rail" else transit_access_minutes(km, a)
        mode = "car" if modes != "rail" else "access"
        yield Edge(node, aid, mode, t, km * a.detour_factor, src)
        yield Edge(aid, node, mode if mode == "car" else "egress", t, km * a.detour_factor, src)


def _station_road_edges(stations: pd.DataFrame, road_nodes: pd.DataFrame,
                        a: Assumptions) -> Iterable[Edge]:
    """Car links between stations and their nearest expressway nodes (for car-to-rail trips)."""
    src = "sketch connector: crow-fly x detour_factor / local speed (assumption)"
    for r in stations.itertuples():
        for rid, km in _near(r.lon, r.lat, road_nodes, radius_km=a.station_road_radius_km,
                              min_count=1):
            t = car_access_minutes(km, a)
            yield Edge(rid, r.id, "car", t + a.entry_minutes(r.kind), km * a.detour_factor, src)
            yield Edge(f"{r.id}|arr", rid, "car", a.exit_minutes(r.kind) + t, km * a.detour_factor, src)


def _local_road_edges(zones: pd.DataFrame, a: Assumptions) -> Iterable[Edge]:
    src = "sketch local road: crow-fly x detour_factor / local_car_speed_kmh (assumption)"
    recs = list(zones.itertuples())
    for i, za in enumerate(recs):
        for zb in recs[i + 1:]:
            km = haversine_km(za.lon, za.lat, zb.lon, zb.lat)
            if km <= a.local_road_radius_km:
                t = car_access_minutes(km, a)
                for u, v in ((za, zb), (zb, za)):
                    yield Edge(f"zone:{u.code}", f"zone:{v.code}", "local_road", t,
                               km * a.detour_factor, src)


# ------------------------------------------------------------------------------------------
# road
# ------------------------------------------------------------------------------------------


def _road_edges(layers: Layers, year: int, a: Assumptions) -> tuple[list[Edge], dict[str, dict]]:
    rn = layers.road_nodes
    nodes = {r.id: {"x": r.lon, "y": r.lat, "kind": "road", "name": r.name, "name_zh": r.name_zh,
                    "city": r.city, "county": r.county} for r in rn.itertuples()}
    edges = []
    for r in layers.expressways.itertuples():
        if not is_open(r.open_year, year):
            continue
        minutes = r.length_km / (r.speed_kmh * a.expressway_speed_factor) * 60.0
        for u, v in ((r.from_node, r.to_node), (r.to_node, r.from_node)):
            edges.append(Edge(u, v, "expressway", minutes, r.length_km, r.source, r.open_year,
                               f"{r.route} {r.name}"))
    return edges, nodes


# ------------------------------------------------------------------------------------------
# assembly
# ------------------------------------------------------------------------------------------


def connector_targets(G: nx.MultiDiGraph, layers: Layers) -> dict[str, Any]:
    """What places may connect to: every station, road node and airport of the layers.

    Candidates come from the layers, not from the year's graph, and connectors to nodes not
    open in the graph's year are then skipped. So which neighbours a place links to never
    depends on the year, and opening a station can only add links (a later year with only
    openings is never slower).
    """
    import pandas as pd

    def table(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"id": frame["id"], "lon": frame["lon"], "lat": frame["lat"]})

    return {"stations": table(layers.stations), "road_nodes": table(layers.road_nodes),
            "airports": table(layers.airports),
            "station_kind": dict(zip(layers.stations["id"], layers.stations["kind"], strict=True)),
            "open": set(G.nodes)}


def build(layers: Layers, *, year: int, modes: str = DEFAULT_MODES,
          assumptions: Assumptions = DEFAULT) -> nx.MultiDiGraph:
    """Build the network as it stood at the end of ``year``.

    Parameters
    ----------
    layers
        Layers from :func:`network.load_layers` (or a scenario's result).
    year
        Keep only what was open in this year (opened on or before 31 December).
    modes
        ``rail`` (rail with walking or local-transit access), ``road`` (car door to door) or
        ``any`` (all, including car or taxi to the station).
    assumptions
        The model assumptions (waits, transfers, access speeds...); the defaults if omitted.

    Returns
    -------
    networkx.MultiDiGraph
        The graph; ``G.graph`` holds ``crs``, ``year``, ``modes`` and ``assumptions`` (the
        fingerprint of the assumptions it was built with).

    Raises
    ------
    InputError
        If ``modes`` or ``year`` is out of range.
    """
    import networkx as nx

    check_mode(modes)
    year = check_year(layers, year)
    a = assumptions
    edges: list[Edge] = []
    nodes: dict[str, dict] = {}
    if modes in ("rail", "any"):
        e, n = _rail_edges(layers, year, a)
        edges += e
        nodes.update(n)
    if modes in ("road", "any"):
        e, n = _road_edges(layers, year, a)
        edges += e
        nodes.update(n)
    for r in layers.airports.itertuples():
        if is_open(r.open_year, year) and r.status != "planned":
            nodes[r.id] = {"x": r.lon, "y": r.lat, "kind": "airport", "name": r.name,
                           "name_zh": r.name_zh, "city": r.city, "county": r.county}
    for z in layers.zones.itertuples():
        nodes[f"zone:{z.code}"] = {"x": z.lon, "y": z.lat, "kind": "zone", "name": z.name,
                                   "name_zh": z.name_zh, "city": z.city, "county": z.name,
                                   "population": z.population_2020}
    G = nx.MultiDiGraph(crs=CRS_WGS84, year=year, modes=modes, name=f"hzcircle {year} {modes}",
                        assumptions=a.digest())
    G.add_nodes_from(nodes.items())
    _add_route_nodes(G, edges)
    targets = connector_targets(G, layers)
    for z in layers.zones.itertuples():
        edges.extend(place_connectors(f"zone:{z.code}", z.lon, z.lat, targets, modes, a))
    if modes in ("road", "any"):
        edges.extend(_local_road_edges(layers.zones, a))
    if modes == "any":
        st = layers.stations[layers.stations["id"].isin(targets["open"])]
        edges.extend(_station_road_edges(st, targets["road_nodes"], a))
    add_edges(G, edges)
    return G


def _add_route_nodes(G: nx.MultiDiGraph, edges: list[Edge]) -> None:
    """Add the route nodes named by edges; their id carries service, station and side."""
    for e in edges:
        for n in (e.u, e.v):
            if n.startswith("svc:") and n not in G:
                _, service, _direction, _i, station, _side = n.split(":")
                d = G.nodes[station]
                G.add_node(n, x=d["x"], y=d["y"], kind="route", station=station, service=service,
                           name=d["name"], name_zh=d["name_zh"])


def add_edges(G: nx.MultiDiGraph, edges: Iterable[Edge]) -> None:
    """Add edges with osmnx-style ``length`` (m) and ``travel_time`` (s) set."""
    G.add_edges_from(
        (e.u, e.v, {"mode": e.mode, "minutes": float(e.minutes), "length_km": float(e.length_km),
                    "length": float(e.length_km) * 1000.0, "travel_time": float(e.minutes) * 60.0,
                    "open_year": e.open_year, "source": e.source, "service": e.service})
        for e in edges
    )
