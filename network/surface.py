"""Travel-time surfaces on a square grid, and isochrone polygons made from them.

The grid covers the six cities in the metric CRS (:data:`network.settings.CRS_METRIC`). A
cell's time is the minimum over reached nodes of (node time + egress to the cell centre), where
egress is the straight-line distance x detour at the local speed of the mode (walk or local
transit for ``rail``, car for ``road``, the faster for ``any``), plus the exit allowance of a
station, and is capped at :data:`network.settings.egress_max_km`. Cells beyond the cap from every
reached node are not reached (NaN).

Population per cell is allocated from the zones: each zone's 2020 population is spread
uniformly over the grid cells whose centre lies in the zone (boundaries layer); without a
boundaries layer each cell goes to its nearest zone seat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from network import settings
from network._errors import InputError
from network.graph import car_access_minutes_array, transit_access_minutes_array

if TYPE_CHECKING:
    import geopandas as gpd

    from network.layers import Layers
    from network.queries import Network


@dataclass(frozen=True)
class Grid:
    """Square cells over the region (centres in the metric CRS, plus lon/lat)."""

    cell_km: float
    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    zone: np.ndarray  # zone code per cell ("" if none)
    city: np.ndarray
    population: np.ndarray  # NaN where the zone's population is unknown

    @property
    def size(self) -> int:
        return len(self.x)

    def cells(self, mask: np.ndarray | None = None) -> gpd.GeoDataFrame:
        """The cells as polygons in EPSG:4326 (all, or those where ``mask`` is true)."""
        import geopandas as gpd
        import shapely

        idx = np.arange(self.size) if mask is None else np.flatnonzero(mask)
        h = self.cell_km * 500.0
        boxes = shapely.box(self.x[idx] - h, self.y[idx] - h, self.x[idx] + h, self.y[idx] + h)
        frame = gpd.GeoDataFrame({"zone": self.zone[idx], "city": self.city[idx],
                                  "population": self.population[idx]},
                                 geometry=boxes, crs=settings.CRS_METRIC)
        return frame.to_crs(settings.CRS_WGS84)


def estimate_cells(layers: Layers, cell_km: float) -> int:
    """How many cells a grid of ``cell_km`` over the region would hold (before clipping)."""
    x0, y0, x1, y1 = _region_metric(layers).bounds
    return int(np.ceil((x1 - x0) / (cell_km * 1000)) * np.ceil((y1 - y0) / (cell_km * 1000)))


def _region_metric(layers: Layers):
    import geopandas as gpd
    import shapely

    from network.validate import region

    if len(layers.boundaries):
        return region(layers, metric=True)
    pts = gpd.GeoSeries(list(layers.zones.geometry) + list(layers.stations.geometry),
                        crs=settings.CRS_WGS84).to_crs(settings.CRS_METRIC)
    return shapely.MultiPoint(list(pts)).envelope.buffer(settings.egress_max_km * 1000)


def make_grid(layers: Layers, cell_km: float | None = None) -> Grid:
    """Square cells of ``cell_km`` whose centres lie in the six cities.

    Raises
    ------
    InputError
        If the cell size is not positive or the grid would exceed ``settings.max_cells``.
    """
    import shapely
    from pyproj import Transformer

    cell_km = settings.cell_km if cell_km is None else float(cell_km)
    if not cell_km > 0:
        raise InputError(f"cell size {cell_km} km must be a positive number, e.g. 1")
    n_est = estimate_cells(layers, cell_km)
    if n_est > settings.max_cells:
        raise InputError(
            f"a {cell_km} km grid needs about {n_est:,} cells (limit {settings.max_cells:,}, "
            f"about {n_est * 100 / 1e6:,.0f} MB of working memory); use a larger --cell-km"
        )
    region = _region_metric(layers)
    x0, y0, x1, y1 = region.bounds
    step = cell_km * 1000.0
    xs = np.arange(x0 + step / 2, x1, step)
    ys = np.arange(y0 + step / 2, y1, step)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    shapely.prepare(region)
    inside = shapely.contains_xy(region, gx, gy)
    gx, gy = gx[inside], gy[inside]
    lon, lat = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_WGS84,
                                    always_xy=True).transform(gx, gy)
    zone, city = _assign_zones(layers, gx, gy)
    population = _allocate_population(layers, zone)
    return Grid(cell_km, gx, gy, np.asarray(lon), np.asarray(lat), zone, city, population)


def _assign_zones(layers: Layers, gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import shapely
    from scipy.spatial import cKDTree

    zone = np.full(len(gx), "", dtype=object)
    cities = dict(zip(layers.zones["code"], layers.zones["city"], strict=True))
    if len(layers.boundaries):
        b = layers.boundaries.to_crs(settings.CRS_METRIC)
        for code, geom in zip(b["code"], b.geometry, strict=True):
            shapely.prepare(geom)
            zone[shapely.contains_xy(geom, gx, gy)] = code
    missing = zone == ""
    if missing.any():  # no boundary (fixtures) or a sliver: nearest zone seat
        seats = layers.zones.to_crs(settings.CRS_METRIC)
        tree = cKDTree(np.column_stack([seats.geometry.x, seats.geometry.y]))
        _, nearest = tree.query(np.column_stack([gx[missing], gy[missing]]))
        zone[missing] = np.asarray(seats["code"])[nearest]
    city = np.array([cities.get(z, "") for z in zone], dtype=object)
    return zone, city


def _allocate_population(layers: Layers, zone: np.ndarray) -> np.ndarray:
    pop = np.full(len(zone), np.nan)
    codes, counts = np.unique(zone, return_counts=True)
    per_zone = dict(zip(layers.zones["code"], layers.zones["population_2020"], strict=True))
    for code, n in zip(codes, counts, strict=True):
        p = per_zone.get(code)
        if p is not None and p == p:
            pop[zone == code] = float(p) / n
    return pop


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


def _egress_cost(km: np.ndarray, modes: str) -> np.ndarray:
    if modes == "rail":
        return transit_access_minutes_array(km)
    if modes == "road":
        return car_access_minutes_array(km)
    return np.minimum(transit_access_minutes_array(km), car_access_minutes_array(km))


def _pairs(net: Network, grid: Grid, reverse: bool) -> _Pairs:
    """Which nodes can reach (or be reached from) which cells, and at what street cost."""
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    wanted = {"station"} if reverse else {"arrival"}
    wanted |= {"zone", "road", "osm"}
    idx, lons, lats, extra, kinds = [], [], [], [], []
    for n, d in net.G.nodes(data=True):
        if d.get("kind") in wanted:
            idx.append(net.compiled.index[n])
            lons.append(d["x"])
            lats.append(d["y"])
            sk = d.get("station_kind")
            allowance = settings.entry_minutes if reverse else settings.exit_minutes
            extra.append(allowance.get(sk, 0.0) if sk else 0.0)
            kinds.append(d["kind"])
    nx_, ny_ = Transformer.from_crs(settings.CRS_WGS84, settings.CRS_METRIC,
                                    always_xy=True).transform(lons, lats)
    node_tree = cKDTree(np.column_stack([nx_, ny_]))
    cell_tree = cKDTree(np.column_stack([grid.x, grid.y]))
    sdm = cell_tree.sparse_distance_matrix(node_tree, settings.egress_max_km * 1000.0,
                                           output_type="coo_matrix")
    rows, cols, dist_km = sdm.row, sdm.col, sdm.data / 1000.0
    # exact zero distances are dropped by the sparse matrix: add cells at a node's position
    kinds_arr = np.asarray(kinds)
    modes = net.modes
    cost = _egress_cost(dist_km, modes)
    road = np.isin(kinds_arr[cols], ["road", "osm"])
    if road.any():  # expressway and OSM road nodes are left by car only
        cost[road] = car_access_minutes_array(dist_km[road])
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
               also: list | None = None, both: bool = False) -> tuple:
    """Minutes from (to) the nearest of several places to every node of the network.

    ``also`` names further places to attach to the graph (so their nodes get times too).
    Returns the times and the compiled graph they index; with ``both=True`` returns
    ``(times_from, times_to, compiled)`` from one augmented graph.
    """
    from scipy.sparse.csgraph import dijkstra

    places = [p if not isinstance(p, str) else net.resolve(p) for p in origins]
    extra = [p if not isinstance(p, str) else net.resolve(p) for p in (also or [])]
    edges, nodes, sources, targets = [], {}, [], []
    roles = ("from", "to") if both else (("to",) if reverse else ("from",))
    for p in places + extra:
        for role in roles:
            node, e, n = net._attach(p, role)
            if node in nodes or node in sources or node in targets:
                continue
            edges += e
            nodes.update(n)
            if p in places:
                (sources if role == "from" else targets).append(node)
    compiled = net._augmented(edges, nodes)

    def run(matrix, idx):
        return dijkstra(matrix, directed=True, indices=compiled.node_ids(idx), min_only=True)

    if both:
        return (run(compiled.matrix, sources), run(compiled.matrix.T.tocsr(), targets or sources),
                compiled)
    if reverse:
        return run(compiled.matrix.T.tocsr(), targets), compiled
    return run(compiled.matrix, sources), compiled


def travel_time_surface(net: Network, origins: list[str] | str, *, reverse: bool = False,
                        grid: Grid | None = None) -> Surface:
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
        The grid; defaults to :meth:`Network.grid` at ``settings.cell_km``.
    """
    from network.places import Place

    origins = [origins] if isinstance(origins, str | Place) else list(origins)
    origins = [net.resolve(o) if isinstance(o, str) else o for o in origins]
    times, _ = node_times(net, origins, reverse=reverse)
    label = ", ".join(getattr(o, "name", str(o)) for o in origins)
    return surface_from_times(net, times, grid=grid, reverse=reverse, label=label)


def surface_from_times(net: Network, times: np.ndarray, *, grid: Grid | None = None,
                       reverse: bool = False, label: str = "") -> Surface:
    """A surface from node times already computed (indices of ``net.compiled``; nodes a
    temporary augmented graph appends after them are ignored)."""
    grid = grid or net.grid()
    pairs = net.surface_pairs(grid, reverse)
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
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=settings.CRS_METRIC)
    frame = frame.to_crs(settings.CRS_WGS84)
    frame.insert(0, "origin", surface.origin)
    frame.insert(1, "year", surface.year)
    frame.insert(2, "modes", surface.modes)
    frame.insert(3, "direction", "to" if surface.reverse else "from")
    return frame
