"""Chinese web-map coordinate systems: convert GCJ-02 and BD-09 to WGS-84.

Amap/Gaode and most Chinese web maps publish GCJ-02 coordinates: WGS-84 plus a smooth,
deterministic offset of a few hundred metres given by a public forward formula. Baidu publishes
BD-09, a further rotation and scaling of GCJ-02. Layers at rest are WGS-84, so sources in these
systems are converted on the way in (``layers/scripts/build_layers.py``,
``layers/scripts/build_boundaries.py``).

There is no closed-form inverse of the GCJ-02 offset: :func:`wgs_from_gcj` inverts it by
fixed-point iteration (``wgs <- wgs - (forward(wgs) - gcj)``) until the forward-mapped point
lands within 1e-7 degrees (about 1 cm) of the input. The offset varies slowly in space, so this
converges in a handful of steps. Only numpy is needed.
"""

from __future__ import annotations

import numpy as np

_A = 6378245.0  # semi-major axis of the Krasovsky ellipsoid used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared


def _offset_lat_raw(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    r += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return r


def _offset_lon_raw(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    r += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return r


def gcj_offset(lon, lat):
    """Forward GCJ-02 offset (dlon, dlat) in degrees at WGS-84 (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    rad_lat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = _offset_lat_raw(x, y) * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = _offset_lon_raw(x, y) * 180.0 / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def wgs_from_gcj(lon, lat, tol_deg=1e-7, max_iter=30):
    """Invert GCJ-02 -> WGS-84 for arrays of lon/lat (all points are in China)."""
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        dlon, dlat = gcj_offset(w_lon, w_lat)
        err_lon = w_lon + dlon - g_lon
        err_lat = w_lat + dlat - g_lat
        w_lon -= err_lon
        w_lat -= err_lat
        if max(np.max(np.abs(err_lon), initial=0), np.max(np.abs(err_lat), initial=0)) < tol_deg:
            break
    else:
        raise RuntimeError("GCJ-02 inversion did not converge")
    return w_lon, w_lat


def wgs_from_bd09(lon, lat):
    """BD-09 (Baidu) -> WGS-84, via GCJ-02 (Baidu's published inverse of its own transform)."""
    x = np.asarray(lon, dtype=float) - 0.0065
    y = np.asarray(lat, dtype=float) - 0.006
    x_pi = np.pi * 3000.0 / 180.0
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * x_pi)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * x_pi)
    return wgs_from_gcj(z * np.cos(theta), z * np.sin(theta))


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert one point from ``crs`` (``wgs84``, ``gcj02`` or ``bd09``) to WGS-84 lon/lat."""
    crs = (crs or "wgs84").strip().lower()
    if crs in ("wgs84", "epsg:4326", ""):
        return float(lon), float(lat)
    if crs == "gcj02":
        x, y = wgs_from_gcj(np.array([lon]), np.array([lat]))
    elif crs == "bd09":
        x, y = wgs_from_bd09(np.array([lon]), np.array([lat]))
    else:
        raise ValueError(f"unknown coordinate system {crs!r}; use wgs84, gcj02 or bd09")
    return float(x[0]), float(y[0])
