"""The analysis grid: square cells over the six cities, with zones and population.

Cells are squares of ``cell_km`` in the metric CRS (:data:`network.geo.CRS_METRIC`) whose
centres lie inside the six cities' boundaries. Population per cell is allocated from the
zones: each zone's 2020 population is spread uniformly over the cells whose centre lies in the
zone (boundaries layer); without a boundaries layer each cell goes to its nearest zone seat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.assumptions import DEFAULT, Assumptions
from network.geo import CRS_METRIC, CRS_WGS84, region, to_wgs84

if TYPE_CHECKING:
    import geopandas as gpd

    from network.layers import Layers


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
                                 geometry=boxes, crs=CRS_METRIC)
        return frame.to_crs(CRS_WGS84)


def estimate_cells(layers: Layers, cell_km: float) -> int:
    """How many cells a grid of ``cell_km`` over the region would hold (before clipping)."""
    if not (math.isfinite(cell_km) and cell_km > 0):
        raise InputError(f"cell size {cell_km} km must be a positive number, e.g. 1")
    x0, y0, x1, y1 = _region_metric(layers).bounds
    return int(np.ceil((x1 - x0) / (cell_km * 1000)) * np.ceil((y1 - y0) / (cell_km * 1000)))


def _region_metric(layers: Layers, a: Assumptions = DEFAULT) -> Any:
    import geopandas as gpd
    import shapely

    if len(layers.boundaries):
        return region(layers, metric=True)
    pts = gpd.GeoSeries(list(layers.zones.geometry) + list(layers.stations.geometry),
                        crs=CRS_WGS84).to_crs(CRS_METRIC)
    return shapely.MultiPoint(list(pts)).envelope.buffer(a.egress_max_km * 1000)


def make_grid(layers: Layers, cell_km: float | None = None, *,
              assumptions: Assumptions = DEFAULT) -> Grid:
    """Square cells of ``cell_km`` (default ``assumptions.cell_km``) whose centres lie in the six
    cities, with each cell's zone, city and allocated population.

    Raises
    ------
    InputError
        If the cell size is not a positive finite number, or the grid would exceed
        ``assumptions.max_cells``.
    """
    import shapely

    a = assumptions
    cell_km = a.cell_km if cell_km is None else float(cell_km)
    if not (math.isfinite(cell_km) and cell_km > 0):
        raise InputError(f"cell size {cell_km} km must be a positive number, e.g. 1")
    n_est = estimate_cells(layers, cell_km)
    if n_est > a.max_cells:
        raise InputError(
            f"a {cell_km} km grid needs about {n_est:,} cells (limit {a.max_cells:,}, "
            f"about {n_est * 100 / 1e6:,.0f} MB of working memory); use a larger --cell-km"
        )
    region = _region_metric(layers, a)
    x0, y0, x1, y1 = region.bounds
    step = cell_km * 1000.0
    xs = np.arange(x0 + step / 2, x1, step)
    ys = np.arange(y0 + step / 2, y1, step)
    gx, gy = (m.ravel() for m in np.meshgrid(xs, ys))
    shapely.prepare(region)
    inside = shapely.contains_xy(region, gx, gy)
    gx, gy = gx[inside], gy[inside]
    lon, lat = to_wgs84(gx, gy)
    zone, city = _assign_zones(layers, gx, gy)
    population = _allocate_population(layers, zone)
    return Grid(cell_km, gx, gy, np.asarray(lon), np.asarray(lat), zone, city, population)


def _assign_zones(layers: Layers, gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import shapely
    from scipy.spatial import cKDTree

    zone = np.full(len(gx), "", dtype=object)
    cities = dict(zip(layers.zones["code"], layers.zones["city"], strict=True))
    if len(layers.boundaries):
        b = layers.boundaries.to_crs(CRS_METRIC)
        for code, geom in zip(b["code"], b.geometry, strict=True):
            shapely.prepare(geom)
            zone[shapely.contains_xy(geom, gx, gy)] = code
    missing = zone == ""
    if missing.any():  # no boundary (fixtures) or a sliver: nearest zone seat
        seats = layers.zones.to_crs(CRS_METRIC)
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
