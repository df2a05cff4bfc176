"""Many points at once: read point files, connect points to the network, point-to-point times.

A point (a site, a zone centroid, an opportunity) joins the network as a place does in
:meth:`network.Network.attach`: sketch connectors to the stations, road nodes and airports
near it (:func:`network.graph.place_connectors`). Here the connectors of thousands of points
are made as arrays at once, and point-to-point minutes are composed exactly without adding
the points to the graph:

    minutes(p, q) = min over x, y of  access(p, x) + network(x, y) + egress(y, q)

where ``x`` runs over the nodes ``p`` connects to and ``y`` over the nodes ``q`` is reached
from, and ``network(x, y)`` comes from one Dijkstra per distinct ``x`` on the base graph. Every
path from ``p`` to ``q`` in the graph with only ``p`` and ``q`` attached starts with an access
edge and ends with an egress edge, so this equals :meth:`Network.travel_time` (tested), at a
fraction of the cost: 1,000 x 1,000 points take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.geo import EARTH_RADIUS_KM
from network.graph import car_access_minutes_array, transit_access_minutes_array

if TYPE_CHECKING:
    import pandas as pd
    from scipy.sparse import csr_matrix

    from network.queries import Network

#: Input coordinate systems of point files (converted to WGS-84 by :mod:`network.coords`).
POINT_CRS = ("wgs84", "gcj02", "bd09")

#: Point file formats read by :func:`read_points`.
POINT_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg", ".parquet")


@dataclass
class Points:
    """Points in WGS-84 with ids (and any other columns of the file in ``data``)."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    data: pd.DataFrame

    def __len__(self) -> int:
        return len(self.ids)


def _convert(lon: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    from network.coords import wgs_from_bd09, wgs_from_gcj

    crs = (crs or "wgs84").strip().lower()
    if crs == "wgs84":
        return lon, lat
    if crs == "gcj02":
        return wgs_from_gcj(lon, lat)
    if crs == "bd09":
        return wgs_from_bd09(lon, lat)
    raise InputError(f"unknown coordinate system {crs!r}; use one of {', '.join(POINT_CRS)}")


def _read_frame(path: Path, id_column: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = pd.read_csv(path)
        missing = [c for c in ("lon", "lat") if c not in frame]
        if missing:
            raise InputError(f"{path}: a CSV of points needs columns {id_column},lon,lat; "
                             f"missing {', '.join(missing)}")
        lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(float)
        return frame, lon, lat
    import geopandas as gpd

    frame = gpd.read_parquet(path) if suffix == ".parquet" else gpd.read_file(path)
    if frame.crs is None:
        raise InputError(f"{path}: the file has no coordinate reference system; save it with one "
                         "(e.g. EPSG:4326)")
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        raise InputError(f"{path}: some features have no geometry; remove them")
    frame = frame.to_crs("EPSG:4326")
    # polygons and lines are represented by a point guaranteed to lie on them
    pts = frame.geometry.representative_point()
    return pd.DataFrame(frame.drop(columns=frame.geometry.name)), pts.x.to_numpy(float), \
        pts.y.to_numpy(float)


def read_points(path: str | Path, *, crs: str = "wgs84", id_column: str = "id") -> Points:
    """Read points from CSV (``id,lon,lat``), GeoJSON, GeoPackage or GeoParquet.

    Polygons and lines are represented by a point on them (shapely's representative point).
    ``crs`` says which Chinese web-map system the coordinates are in (``gcj02`` from Amap,
    ``bd09`` from Baidu; GeoJSON/GeoPackage must then be stored as EPSG:4326 lon/lat); they are
    converted to WGS-84.

    Raises
    ------
    InputError
        If the file is missing, of an unknown kind, lacks columns, has bad coordinates or
        repeated ids.
    """
    path = Path(path)
    if path.suffix.lower() not in POINT_SUFFIXES:
        raise InputError(f"{path}: unknown points file type; use one of {', '.join(POINT_SUFFIXES)}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    frame, lon, lat = _read_frame(path, id_column)
    if not len(frame):
        raise InputError(f"{path}: the file has no points")
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    if bad.any():
        raise InputError(f"{path}: row {int(np.flatnonzero(bad)[0]) + 1} has no valid lon,lat; "
                         "give longitude and latitude in degrees")
    ids = frame[id_column].astype(str).to_numpy() if id_column in frame else \
        np.array([str(i + 1) for i in range(len(frame))])
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if (ids == i).sum() > 1)
        raise InputError(f"{path}: id {dup!r} is repeated; ids must be unique")
    lon, lat = _convert(lon, lat, crs)
    return Points(ids, np.asarray(lon, float), np.asarray(lat, float), frame.reset_index(drop=True))


def check_in_region(net: Network, points: Points, what: str) -> None:
    """Raise InputError naming the first point outside the six cities."""
    from network.geo import in_region

    for i, (x, y) in enumerate(zip(points.lon, points.lat, strict=True)):
        if not in_region(net.layers, float(x), float(y)):
            raise InputError(f"{what} point {points.ids[i]!r} ({x:.5f},{y:.5f}) lies outside the "
                             "Hangzhou metropolitan circle; remove it, or check --crs and that "
                             "coordinates are lon,lat")


# ------------------------------------------------------------------------------------------
# connectors as arrays
# ------------------------------------------------------------------------------------------


def _haversine(lon: np.ndarray, lat: np.ndarray, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Points x targets km, computed as :func:`network.graph._near` does (same floats)."""
    p1, p2 = np.radians(lat)[:, None], np.radians(lats)[None, :]
    h = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons[None, :] - lon[:, None]) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def _near_mask(d: np.ndarray, radius_km: float, min_count: int) -> np.ndarray:
    """Targets within the radius, plus the ``min_count`` nearest (stable order), per row."""
    mask = d <= radius_km
    if min_count > 0 and d.shape[1]:
        k = min(min_count, d.shape[1])
        nearest = np.argsort(d, axis=1, kind="stable")[:, :k]
        np.put_along_axis(mask, nearest, True, axis=1)
    return mask


def _target_arrays(net: Network) -> dict[str, dict[str, np.ndarray]]:
    """Per target table (stations, road nodes, airports): lon, lat, open mask, compiled node
    index on the access (``from``) and egress (``to``) side, and the station entry/exit
    minutes. Made once per network (cached in ``net.cache``)."""
    key = ("connector_arrays",)
    hit = net.cache.get(key)
    if hit is not None:
        return hit
    a, t, index = net.assumptions, net._connector_targets(), net.compiled.index
    out = {}
    for name in ("stations", "road_nodes", "airports"):
        frame = t[name]
        ids = frame["id"].to_numpy().astype(str)
        station = name == "stations"
        kinds = [t["station_kind"][i] for i in ids] if station else [None] * len(ids)
        out[name] = {
            "lon": frame["lon"].to_numpy(float), "lat": frame["lat"].to_numpy(float),
            "open": np.array([i in t["open"] for i in ids], dtype=bool),
            "from": np.array([index.get(i, -1) for i in ids], dtype=np.int64),
            "to": np.array([index.get(f"{i}|arr" if station else i, -1) for i in ids],
                           dtype=np.int64),
            "entry": np.array([a.entry_minutes(k) if station else 0.0 for k in kinds]),
            "exit": np.array([a.exit_minutes(k) if station else 0.0 for k in kinds]),
        }
    net.cache[key] = out
    return out


def connectors(net: Network, lon: np.ndarray, lat: np.ndarray, role: str) -> csr_matrix:
    """Minutes of the cheapest connector between each point and each node of ``net.compiled``.

    ``role="from"``: a points x nodes matrix of access minutes (point -> node); ``"to"``: a
    nodes x points matrix of egress minutes (node -> point). The connectors are those of
    :func:`network.graph.place_connectors` (tested equal), made for all points at once.
    """
    from network.routing import csr_min

    a, modes = net.assumptions, net.modes
    arrays = _target_arrays(net)
    n_nodes = net.compiled.n_base
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    rows, cols, mins = [], [], []

    def add(table: str, min_count: int, cost_fn: Any) -> None:
        t = arrays[table]
        d = _haversine(lon, lat, t["lon"], t["lat"])
        mask = _near_mask(d, a.connector_radius_km, min_count) & t["open"][None, :]
        pi, ti = np.nonzero(mask)
        if len(pi):
            rows.append(pi)
            cols.append(t[role][ti])
            mins.append(cost_fn(d[pi, ti], ti))

    plus = arrays["stations"]["entry" if role == "from" else "exit"]
    m = a.connector_min_count
    if modes in ("rail", "any"):
        add("stations", m, lambda km, ti: transit_access_minutes_array(km, a) + plus[ti])
    if modes == "any":
        add("stations", m, lambda km, ti: car_access_minutes_array(km, a) + plus[ti])
    if modes in ("road", "any"):
        add("road_nodes", m, lambda km, ti: car_access_minutes_array(km, a))
    air = car_access_minutes_array if modes != "rail" else transit_access_minutes_array
    add("airports", 0, lambda km, ti: air(km, a))
    if rows:
        pi, ni, w = np.concatenate(rows), np.concatenate(cols), np.concatenate(mins)
    else:
        pi, ni, w = np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    w = np.maximum(w, 1e-9)
    if role == "from":
        return csr_min(pi, ni, w, (len(lon), n_nodes))
    return csr_min(ni, pi, w, (n_nodes, len(lon)))


# ------------------------------------------------------------------------------------------
# point-to-point minutes
# ------------------------------------------------------------------------------------------


def _min_plus_sparse(left: csr_matrix, right: np.ndarray, chunk_elems: int = 4_000_000
                     ) -> np.ndarray:
    """``out[i, j] = min_k left[i, k] + right[k, j]`` over the stored entries of ``left``.

    Rows are padded to the same number of entries (with an all-``inf`` row of ``right``) so
    the minimum is a plain reduction over one axis, in chunks of about ``chunk_elems``.
    """
    n, m = left.shape[0], right.shape[1]
    out = np.full((n, m), np.inf)
    counts = np.diff(left.indptr)
    if not n or not m or not left.nnz:
        return out
    ext = np.vstack([right, np.full((1, m), np.inf)])
    pad_row = right.shape[0]
    width = int(counts.max())
    slots = np.arange(width)
    rows_per = max(1, chunk_elems // max(width * m, 1))
    for start in range(0, n, rows_per):
        stop = min(n, start + rows_per)
        c = counts[start:stop]
        pos = left.indptr[start:stop, None] + slots[None, :]
        valid = slots[None, :] < c[:, None]
        pos = np.where(valid, pos, 0)
        idx = np.where(valid, left.indices[pos], pad_row)
        add = np.where(valid, left.data[pos], 0.0)
        out[start:stop] = (ext[idx] + add[..., None]).min(axis=1)
    return out


def access_times(net: Network, access: csr_matrix, targets: np.ndarray, *,
                 limit: float = np.inf, engine: str = "auto") -> np.ndarray:
    """Minutes from each row of ``access`` (origins x base nodes, access minutes) to each of
    the base nodes ``targets``: one shortest-path search per distinct access node (Dijkstra,
    or the contraction hierarchy as :func:`network.accel.chosen` picks it for ``engine``),
    then a min-plus."""
    from network import accel
    from network.routing import shortest_times

    used = np.unique(access.indices)
    if not len(used) or not len(targets):
        return np.full((access.shape[0], len(targets)), np.inf)
    names = [net.compiled.nodes[i] for i in used]
    hier = accel.chosen(net.cache, net.compiled, engine)
    if hier is not None:
        d = accel.matrix_times(hier, net.compiled, names, [net.compiled.nodes[i] for i in targets])
        d = np.where(d <= limit, d, np.inf)
    else:
        d = shortest_times(net.compiled, names, limit=limit)[:, targets]
    # re-index the access matrix to the used nodes
    remap = np.full(access.shape[1], -1)
    remap[used] = np.arange(len(used))
    from scipy.sparse import csr_matrix

    compact = csr_matrix((access.data, remap[access.indices], access.indptr),
                         shape=(access.shape[0], len(used)))
    return _min_plus_sparse(compact, d)


def point_times(net: Network, origins: Points, destinations: Points, *,
                limit: float = np.inf, engine: str = "auto") -> np.ndarray:
    """Door-to-door minutes between points: an origins x destinations array (``inf`` where
    unreachable; 0 where an origin and a destination are the same location).

    Equal to :meth:`Network.travel_time` between the same two points (tested). ``engine`` as
    in :meth:`Network.matrix`: ``"cch"`` (or ``"auto"`` once :meth:`Network.accelerate` has
    built or loaded the hierarchy of a large graph) answers the station-to-station part with
    the contraction hierarchy, each pair certified within :data:`network.accel.TOLERANCE`
    minutes of Dijkstra's.
    """
    acc = connectors(net, origins.lon, origins.lat, "from")
    egr = connectors(net, destinations.lon, destinations.lat, "to").tocsc()
    ys = np.unique(egr.indices) if egr.nnz else np.zeros(0, int)
    # egress: destinations x ys as a sparse matrix (rows = destinations)
    egr_t = egr[ys].T.tocsr()
    t_y = access_times(net, acc, ys, limit=limit, engine=engine)  # origins x ys
    out = _min_plus_sparse(egr_t, t_y.T).T  # min over y of t_y[o, y] + egress[y, d]
    same = (origins.lon[:, None] == destinations.lon[None, :]) & \
        (origins.lat[:, None] == destinations.lat[None, :])
    out[same] = 0.0
    return out


def matrix_frame(origins: Points, destinations: Points, minutes: np.ndarray, *,
                 wide: bool = False) -> pd.DataFrame:
    """A points matrix as a table: long (``origin``, ``destination``, ``minutes``) or wide
    (one row per origin, one column per destination id). Unreachable is empty (NaN)."""
    import pandas as pd

    values = np.where(np.isfinite(minutes), np.round(minutes, 1), np.nan)
    if wide:
        frame = pd.DataFrame(values, columns=[str(i) for i in destinations.ids])
        frame.insert(0, "origin", origins.ids)
        return frame
    oi, di = np.divmod(np.arange(values.size), values.shape[1])
    return pd.DataFrame({"origin": origins.ids[oi], "destination": destinations.ids[di],
                         "minutes": values.ravel()})


__all__ = ["POINT_CRS", "POINT_SUFFIXES", "Points", "check_in_region", "connectors",
           "matrix_frame", "point_times", "read_points"]
