"""Geometry helpers shared by every stage: the CRSs, distances, the region and transformers.

Coordinates at rest are WGS-84 (:data:`CRS_WGS84`); metric work uses the one projected CRS of
the region, :data:`CRS_METRIC`. Chinese web-map coordinates (GCJ-02, BD-09) are converted on the
way in by :mod:`network.coords`.
"""

from __future__ import annotations

import functools
import math
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from network.layers import Layers

#: EPSG code of the data at rest (WGS-84 lon/lat).
CRS_WGS84 = "EPSG:4326"
#: The one projected CRS for metric work in the whole region: CGCS2000 / 3-degree Gauss-Kruger
#: CM 120E. All six cities lie within about 2.5 degrees of 120E, so scale error stays small.
CRS_METRIC = "EPSG:4549"

#: Straight-line slack (km) when testing whether a point lies in the six cities: boundaries are
#: simplified for size, so a point on the border may fall just outside.
BOUNDARY_SLACK_KM = 2.0

#: Bounding box of the six cities (lon_min, lat_min, lon_max, lat_max), used when no boundary
#: layer is present.
REGION_BBOX = (117.0, 28.0, 121.5, 31.2)

#: Mean Earth radius (km, IUGG).
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km between two lon/lat points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@functools.cache
def _transformer(src: str, dst: str) -> Any:
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Project WGS-84 lon/lat (scalars or arrays) to the metric CRS (metres)."""
    return _transformer(CRS_WGS84, CRS_METRIC).transform(lon, lat)


def to_wgs84(x: Any, y: Any) -> tuple[Any, Any]:
    """Unproject metric-CRS coordinates (metres) to WGS-84 lon/lat."""
    return _transformer(CRS_METRIC, CRS_WGS84).transform(x, y)


#: id(boundaries frame) -> (weak reference to the frame, its unions); frames are unhashable.
_REGIONS: dict[int, tuple[weakref.ref, dict]] = {}


def region(layers: Layers, *, metric: bool = False) -> Any:
    """The union of the six cities' boundaries (EPSG:4326, or the metric CRS), or None without a
    boundaries layer. Computed once per boundaries frame and cached."""
    b = layers.boundaries
    if not len(b):
        return None
    ref, cached = _REGIONS.get(id(b), (None, None))
    if ref is None or ref() is not b:
        cached = {"wgs84": b.geometry.union_all(),
                  "metric": b.to_crs(CRS_METRIC).geometry.union_all()}
        _REGIONS[id(b)] = (weakref.ref(b), cached)
    return cached["metric" if metric else "wgs84"]


def in_region(layers: Layers, lon: float, lat: float) -> bool:
    """Whether a WGS-84 point lies in the six cities (boundaries plus a small slack)."""
    area = region(layers)
    if area is not None:
        from shapely.geometry import Point

        return bool(area.distance(Point(lon, lat)) <= BOUNDARY_SLACK_KM / 111.0)
    x0, y0, x1, y1 = REGION_BBOX
    return x0 <= lon <= x1 and y0 <= lat <= y1
