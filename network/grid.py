"""The analysis grid: square cells over the six cities, with zones and population.

Cells are squares of ``cell_km`` in the metric CRS (:data:`network.geo.CRS_METRIC`) whose
centres lie inside the six cities' boundaries. Each cell belongs to the zone (county) its centre
lies in (boundaries layer; without one, to the nearest zone seat). Population per cell: each
zone's 2020 census population is allocated by the GHSL urban-centre share of the zone
(``urban_centre_share``, GHS-POP/GHS-SMOD R2023A): that share goes to the cells within the disc
around the county seat of area share x population / ``assumptions.urban_centre_density``, the
rest is spread uniformly over all the zone's cells; zone totals are kept exactly. A zone without
a share is spread uniformly (docs/method.md, "Population within a county").
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
    population = _allocate_population(layers, zone, gx, gy, a)
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


def _allocate_population(layers: Layers, zone: np.ndarray, gx: np.ndarray, gy: np.ndarray,
                         a: Assumptions = DEFAULT) -> np.ndarray:
    """Census population per cell: the urban-centre share at the seat, the rest spread.

    Each zone's total over its cells equals its ``population_2020`` exactly; cells of zones
    without a figure are NaN.
    """
    pop = np.full(len(zone), np.nan)
    zones = layers.zones
    per_zone = dict(zip(zones["code"], zones["population_2020"], strict=True))
    shares = (dict(zip(zones["code"], zones["urban_centre_share"], strict=True))
              if "urban_centre_share" in zones.columns else {})
    seats = zones.to_crs(CRS_METRIC)
    seat_xy = dict(zip(seats["code"], zip(seats.geometry.x, seats.geometry.y, strict=True),
                       strict=True))
    for code in np.unique(zone):
        p = per_zone.get(code)
        if p is None or p != p:
            continue
        idx = np.flatnonzero(zone == code)
        share = shares.get(code)
        share = 0.0 if share is None or share != share else min(max(float(share), 0.0), 1.0)
        pop[idx] = float(p) * (1.0 - share) / idx.size
        if share > 0.0 and code in seat_xy:
            sx, sy = seat_xy[code]
            radius_km = math.sqrt(float(p) * share / (math.pi * a.urban_centre_density))
            d_km = np.hypot(gx[idx] - sx, gy[idx] - sy) / 1000.0
            core = idx[d_km <= radius_km]
            if core.size == 0:  # a disc smaller than a cell: the cell nearest the seat
                core = idx[[int(np.argmin(d_km))]]
            pop[core] += float(p) * share / core.size
    return pop
