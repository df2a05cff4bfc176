"""Travel-time surfaces on a square grid, and isochrone polygons made from them.

The grid covers the six cities in the metric CRS (:data:`network.geo.CRS_METRIC`). A
cell's time is the minimum over reached nodes of (node time + egress to the cell centre), where
egress is the straight-line distance x detour at the local speed of the mode (walk or local
transit for ``rail``, car for ``road``, the faster for ``any``), plus the exit allowance of a
station, and is capped at ``Assumptions.egress_max_km``. Cells beyond the cap from every
reached node are not reached (NaN).

The grid and its population are :mod:`network.grid`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from network._errors import InputError
from network.assumptions import Assumptions
from network.geo import CRS_METRIC, CRS_WGS84, to_metric
from network.graph import car_access_minutes_array, transit_access_minutes_array
from network.grid import Grid

if TYPE_CHECKING:
    import geopandas as gpd

    from network.queries import Network


# ------------------------------------------------------------------------------------------
# surfaces
# ------------------------------------------------------------------------------------------


@dataclass
class _Pairs:
    """Cell-node pairs within the egress cap, sorted by cell, with their egress minutes."""

    cells: np.ndarray  # unique cell indices that have at least one pair
    starts: np.ndarray  # reduceat offsets into node/cost
    node: np.ndarray  # compiled node index per pair
    cost: np.ndarray  # egress (or access) minutes per pair


def _egress_cost(km: np.ndarray, modes: str, a: Assumptions) -> np.ndarray:
    if modes == "rail":
        return transit_access_minutes_array(km, a)
    if modes == "road":
        return car_access_minutes_array(km, a)
    return np.minimum(transit_access_minutes_array(km, a), car_access_minutes_array(km, a))


def cell_pairs(net: Network, grid: Grid, reverse: bool) -> _Pairs:
    """The cell-node pairs of a grid, cached on the network (its assumptions are fixed)."""
    key = ("surface_pairs", id(grid), grid.cell_km, reverse)
    hit = net.cache.get(key)
    if hit is None or hit[0] is not grid:
        hit = (grid, _pairs(net, grid, reverse))
        net.cache[key] = hit
    return hit[1]


def _pairs(net: Network, grid: Grid, reverse: bool) -> _Pairs:
    """Which nodes can reach (or be reached from) which cells, and at what street cost."""
    from scipy.spatial import cKDTree

    a = net.assumptions

    wanted = {"station"} if reverse else {"arrival"}
    wanted |= {"zone", "road", "osm"}
    idx, lons, lats, extra, kinds = [], [], [], [], []
    for n, d in net.G.nodes(data=True):
        if d.get("kind") in wanted:
            idx.append(net.compiled.index[n])
            lons.append(d["x"])
            lats.append(d["y"])
            sk = d.get("station_kind")
            extra.append((a.entry_minutes(sk) if reverse else a.exit_minutes(sk)) if sk else 0.0)
            kinds.append(d["kind"])
    if getattr(net, "roads", None) is not None:  # OSM roads appended as arrays, not in G
        roads = net.roads
        first = net.compiled.index[roads.name(0)]
        idx = np.concatenate([np.asarray(idx, np.int64), first + np.arange(roads.n_nodes)])
        lons = np.concatenate([np.asarray(lons, float), roads.roads.x])
        lats = np.concatenate([np.asarray(lats, float), roads.roads.y])
        extra = np.concatenate([np.asarray(extra, float), np.zeros(roads.n_nodes)])
        kinds = np.concatenate([np.asarray(kinds, object), np.full(roads.n_nodes, "osm", object)])
    nx_, ny_ = to_metric(np.asarray(lons, float), np.asarray(lats, float))
    node_tree = cKDTree(np.column_stack([nx_, ny_]))
    cell_tree = cKDTree(np.column_stack([grid.x, grid.y]))
    sdm = cell_tree.sparse_distance_matrix(node_tree, a.egress_max_km * 1000.0,
                                           output_type="coo_matrix")
    rows, cols, dist_km = sdm.row, sdm.col, sdm.data / 1000.0
    # exact zero distances are dropped by the sparse matrix: add cells at a node's position
    kinds_arr = np.asarray(kinds)
    modes = net.modes
    cost = _egress_cost(dist_km, modes, a)
    road = np.isin(kinds_arr[cols], ["road", "osm"])
    if road.any():  # expressway and OSM road nodes are left by car only
        cost[road] = car_access_minutes_array(dist_km[road], a)
    cost = cost + np.asarray(extra)[cols]
    order = np.argsort(rows, kind="stable")
    rows, cols, cost = rows[order], cols[order], cost[order]
    cells, starts = np.unique(rows, return_index=True)
    return _Pairs(cells, starts, np.asarray(idx)[cols], cost)


@dataclass
class Surface:
    """Minutes per grid cell from (or, if ``reverse``, to) a set of origins."""

    grid: Grid
    minutes: np.ndarray
    origin: str
    year: int
    modes: str
    reverse: bool = False
    meta: dict = field(default_factory=dict)

    def population_within(self, minutes: float, *, city: str | None = None) -> float:
        mask = self.minutes <= minutes
        if city is not None:
            mask &= self.grid.city == city
        return float(np.nansum(self.grid.population[mask]))

    def cells(self) -> gpd.GeoDataFrame:
        """Reached cells as polygons with their minutes (EPSG:4326)."""
        reached = np.isfinite(self.minutes)
        frame = self.grid.cells(reached)
        frame.insert(0, "minutes", np.round(self.minutes[reached], 1))
        return frame

    def isochrones(self, thresholds: list[float]) -> gpd.GeoDataFrame:
        """Nested polygons, one per threshold (see :func:`isochrones`)."""
        return isochrones(self, thresholds)


def node_times(net: Network, origins: list, *, reverse: bool = False,
               also: list | None = None, both: bool = False, limit: float = np.inf) -> tuple:
    """Minutes from (to) the nearest of several places to every node of the network.

    ``also`` names further places to attach to the graph (so their nodes get times too).
    Returns the times and the compiled graph they index (an overlay on ``net.compiled``:
    base nodes keep their indices); with ``both=True`` returns ``(times_from, times_to,
    compiled)`` from one augmented graph. ``limit`` bounds the search in minutes (times
    beyond it are ``inf``; those below are exact). Without ``both``, the overlay leaves out
    the connectors into the origin points (or, with ``reverse``, out of them), which no path
    of the search uses: it serves these times, not other searches.
    """
    from network.routing import shortest_times

    places = [net.place(p) for p in origins]
    extra = [net.place(p) for p in (also or [])]
    roles = ("from", "to") if both else (("to",) if reverse else ("from",))
    compiled, sources, targets = _attach_all(net, places, extra, roles, one_way=not both)

    def run(idx: list[str], rev: bool) -> np.ndarray:
        return shortest_times(compiled, idx, reverse=rev, min_only=True, limit=limit)

    if both:
        return run(sources, False), run(targets or sources, True), compiled
    if reverse:
        return run(targets, True), compiled
    return run(sources, False), compiled


def _attach_all(net: Network, places: list, extra: list, roles: tuple, *,
                one_way: bool = False) -> tuple:
    """One overlay with every place attached: points by array connectors
    (:func:`network.points.connectors`, made at once), other places by :meth:`Network.attach`.
    Returns the overlay and the source and target nodes of ``places``.

    ``one_way``: the overlay serves only searches from (role ``from``) or to (``to``) the
    points of ``places``, so their connectors of the other direction are left out (edges into
    the origin of a search, or out of its target, never shorten a path: the times are the
    same)."""
    from network.points import connectors
    from network.routing import overlay_arrays

    nodes: dict[str, dict] = {}
    edges: list = []
    sources: list[str] = []
    targets: list[str] = []
    points: list = []
    for p in places + extra:
        for role in roles:
            if p.kind == "point":
                node = p.origin
                if node not in nodes:
                    nodes[node] = {"x": p.lon, "y": p.lat, "kind": "point", "name": p.name,
                                   "name_zh": ""}
                    points.append(p)
            else:
                node, e, n = net.attach(p, role)
                if node in nodes or node in sources or node in targets:
                    continue
                edges += e
                nodes.update(n)
            group = sources if role == "from" else targets
            if p in places and node not in group:
                group.append(node)
    base = net.compiled
    new = {k: d for k, d in nodes.items() if k not in base.index}
    pos = {k: base.n_base + i for i, k in enumerate(new)}

    def idx(name: str) -> int:
        return pos[name] if name in pos else base.index[name]

    us = [np.array([idx(e.u) for e in edges], dtype=np.int64)]
    vs = [np.array([idx(e.v) for e in edges], dtype=np.int64)]
    ws = [np.array([e.minutes for e in edges], dtype=float)]
    if points:
        lon = np.array([p.lon for p in points])
        lat = np.array([p.lat for p in points])
        at = np.array([pos[p.origin] for p in points])
        ends = [p in places for p in points]
        for role in ("from", "to"):
            use = np.ones(len(points), bool)
            if one_way and len(roles) == 1 and role != roles[0]:
                use = ~np.array(ends)  # only the extra points need this direction
            if not use.any():
                continue
            c = connectors(net, lon[use], lat[use], role).tocoo()
            if role == "from":
                us.append(at[use][c.row])
                vs.append(c.col.astype(np.int64))
            else:
                us.append(c.row.astype(np.int64))
                vs.append(at[use][c.col])
            ws.append(c.data)
    if not new:
        return base, sources, targets
    compiled = overlay_arrays(base, new, np.concatenate(us), np.concatenate(vs),
                              np.concatenate(ws))
    return compiled, sources, targets


def travel_time_surface(net: Network, origins: list[str] | str, *, reverse: bool = False,
                        grid: Grid | None = None, limit: float = np.inf) -> Surface:
    """Travel-time surface from (or with ``reverse``, to) one or several places.

    Parameters
    ----------
    net
        A built :class:`network.Network` (year and modes).
    origins
        A place or a list of places (names, ids, ``lon,lat``); the surface takes the minimum.
    reverse
        Time to reach the origin(s) from each cell instead of from them.
    grid
        The grid; defaults to :meth:`Network.grid` at ``assumptions.cell_km``.
    limit
        Bound the search at this many minutes (cells beyond it are unreached); exact below.
    """
    from network.places import Place

    origins = [origins] if isinstance(origins, str | Place) else list(origins)
    origins = [net.resolve(o) if isinstance(o, str) else o for o in origins]
    times, _ = node_times(net, origins, reverse=reverse, limit=limit)
    label = ", ".join(getattr(o, "name", str(o)) for o in origins)
    return surface_from_times(net, times, grid=grid, reverse=reverse, label=label)


def surface_from_times(net: Network, times: np.ndarray, *, grid: Grid | None = None,
                       reverse: bool = False, label: str = "") -> Surface:
    """A surface from node times already computed (indices of ``net.compiled``; nodes a
    temporary augmented graph appends after them are ignored)."""
    grid = grid or net.grid()
    pairs = cell_pairs(net, grid, reverse)
    total = times[pairs.node] + pairs.cost
    minutes = np.full(grid.size, np.nan)
    if len(total):
        best = np.minimum.reduceat(total, pairs.starts)
        minutes[pairs.cells] = np.where(np.isfinite(best), best, np.nan)
    return Surface(grid, minutes, label, net.year, net.modes, reverse)


def check_thresholds(thresholds: list[float]) -> list[float]:
    """Return thresholds if positive, sorted and unique; else raise InputError."""
    if not thresholds:
        raise InputError("give at least one threshold in minutes, e.g. --minutes 30,45,60,90")
    bad = [t for t in thresholds if not (isinstance(t, int | float) and t > 0 and t == t)]
    if bad:
        raise InputError(f"thresholds must be positive numbers of minutes; got {bad}")
    if list(thresholds) != sorted(set(thresholds)):
        raise InputError(f"thresholds must be increasing without repeats, e.g. 30,45,60,90; got "
                         f"{','.join(f'{t:g}' for t in thresholds)}")
    return list(thresholds)


def isochrones(surface: Surface, thresholds: list[float]) -> gpd.GeoDataFrame:
    """Polygons of the cells reached within each threshold, dissolved, simplified and nested.

    Each polygon is the union of its cells, simplified by half a cell and then united with the
    previous (smaller) band's polygon, so the bands nest exactly. ``area_km2`` is the area of the
    final polygon; ``population`` sums the cells within the threshold.
    """
    import geopandas as gpd
    import shapely

    thresholds = check_thresholds(list(thresholds))
    g = surface.grid
    h = g.cell_km * 500.0
    rows, previous = [], None
    for t in thresholds:
        mask = surface.minutes <= t
        if mask.any():
            boxes = shapely.box(g.x[mask] - h, g.y[mask] - h, g.x[mask] + h, g.y[mask] + h)
            poly = shapely.coverage_union_all(boxes).simplify(h, preserve_topology=True)
            poly = shapely.make_valid(poly)
        else:
            poly = shapely.Polygon()
        if previous is not None:
            poly = shapely.union(poly, previous)
        previous = poly
        rows.append({"minutes": t, "area_km2": round(poly.area / 1e6, 1),
                     "population": round(float(np.nansum(g.population[mask]))),
                     "cells": int(mask.sum()), "geometry": poly})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS_METRIC)
    frame = frame.to_crs(CRS_WGS84)
    frame.insert(0, "origin", surface.origin)
    frame.insert(1, "year", surface.year)
    frame.insert(2, "modes", surface.modes)
    frame.insert(3, "direction", "to" if surface.reverse else "from")
    return frame
