"""OpenStreetMap road networks through osmnx: import, download, and splice into the network.

``import_osm`` reads OSM XML with :func:`osmnx.graph_from_xml` (an ``.osm.pbf`` is first
reduced to its ``highway`` ways and their nodes and written as XML by pyosmium), keeps the drivable ways (all
of them, or the main roads only), sets speeds with :func:`osmnx.add_edge_speeds` (OSM
``maxspeed`` where tagged, else the China fallback speeds below) and travel times, keeps the
largest strongly connected component and returns an osmnx graph in EPSG:4326.

:func:`splice_arrays` adds such a graph to a built network: inside the OSM extent (the convex hull of
its nodes) the sketch road model (local-road links between zone seats, car connectors, and
expressway segments with both ends inside) is replaced by the OSM graph; zone seats, stations,
airports and sketch expressway nodes inside the extent snap to their nearest OSM node within
``Assumptions.osm_snap_max_km`` (the snapping distance is reported and costs a short drive); places farther
than that keep their sketch connectors. Outside the extent the sketch model applies unchanged,
and expressway segments that cross the extent's edge meet the OSM graph at their inside node's
snap (the seam).

Road graphs are kept as :class:`RoadArrays` (node ids, positions, edge index arrays, times,
lengths, name codes): :func:`splice_arrays` prepares a splice without adding the roads to
networkx, and the compiled network appends them as arrays
(:func:`network.routing.splice_arrays`). A saved ``.npz`` loads straight to arrays; a
networkx/osmnx graph is converted with :meth:`RoadArrays.from_graph`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError, LayerError
from network.assumptions import DEFAULT, Assumptions
from network.geo import to_metric

if TYPE_CHECKING:
    from collections.abc import Iterator

    import networkx as nx

    from network.layers import Layers

#: Fallback speeds (km/h) by OSM ``highway`` class where ``maxspeed`` is missing. Source: the
#: Implementing Regulations of the PRC Road Traffic Safety Law, art. 45 and 78 (expressways
#: at most 120; unsigned roads with two or more lanes per direction 70 urban / 80 highway, with
#: one lane per direction 50 urban / 70 highway, without a centre line 30 urban / 40 highway),
#: e.g. as quoted at https://www.ulitcn.com/info/application-of-speed-limit-signs-103428155.html.
#: Which rule applies to which OSM class is our assumption: motorways at 100 (typical posted
#: limit around cities, below the 120 maximum), ramps at 40 (their usual design speed).
CHINA_SPEEDS_KMH: dict[str, float] = {
    "motorway": 100.0, "motorway_link": 40.0, "trunk": 80.0, "trunk_link": 40.0,
    "primary": 70.0, "primary_link": 40.0, "secondary": 50.0, "secondary_link": 40.0,
    "tertiary": 40.0, "tertiary_link": 30.0, "unclassified": 40.0, "residential": 30.0,
    "living_street": 20.0, "service": 20.0, "road": 30.0,
}
#: Speed for any other drivable class.
FALLBACK_KMH = 30.0
#: Highway classes kept by ``filter="main"``.
MAIN_CLASSES = {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
                "secondary", "secondary_link"}
#: Highway classes kept by ``filter="drive"`` (the drivable classes above).
DRIVE_CLASSES = set(CHINA_SPEEDS_KMH)


def _osmnx() -> Any:
    import osmnx as ox

    return ox


def _classes(value: Any) -> list[str]:
    return list(value) if isinstance(value, list) else [str(value)]


def import_osm(path: str | Path, *, filter: str = "drive") -> nx.MultiDiGraph:
    """Read an OSM XML (``.osm``) or PBF (``.osm.pbf``) extract into a routable osmnx graph.

    Raises
    ------
    InputError
        For a missing, malformed or empty file, one without drivable ways, or a bad filter.
    """
    ox = _osmnx()
    if filter not in ("drive", "main"):
        raise InputError(f"unknown filter {filter!r}; use drive or main")
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: OSM file not found")
    if p.suffix.lower() == ".pbf":
        import tempfile

        with tempfile.TemporaryDirectory(prefix="hzcircle-pbf-") as tmp:
            xml = pbf_to_xml(p, Path(tmp) / "roads.osm")
            G = _graph_from_xml(ox, xml, p)
        kind = "PBF"
    else:
        G = _graph_from_xml(ox, p, p)
        kind = "XML"
    return _prepare(ox, G, p, filter, kind)


def pbf_to_xml(path: Path, xml: Path) -> Path:
    """Write the ways tagged ``highway`` of an ``.osm.pbf`` and the nodes they use to OSM XML,
    with pyosmium (two passes: collect the node ids of the ways, then write)."""
    import osmium

    try:
        ways = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
            osmium.filter.KeyFilter("highway"))
        needed = {n.ref for w in ways for n in w.nodes}
        writer = osmium.SimpleWriter(str(xml))
        try:
            for o in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY):
                if o.is_node() and o.id in needed:
                    writer.add_node(o)
                elif o.is_way() and "highway" in o.tags:
                    writer.add_way(o)
        finally:
            writer.close()
    except RuntimeError as exc:  # libosmium's errors for corrupt or truncated files
        raise InputError(f"{path}: not a readable OSM PBF file ({str(exc).splitlines()[0][:120]}); "
                         "download the extract again") from None
    return xml


def _graph_from_xml(ox: Any, xml: Path, p: Path) -> nx.MultiDiGraph:
    try:
        return ox.graph_from_xml(xml, simplify=False, retain_all=True)
    except Exception as exc:  # osmnx/ElementTree raise many types on bad XML
        kind = type(exc).__name__
        text = str(exc).lower()
        if "no data elements" in text or ("no" in text and "node" in text) or "empty" in text:
            raise InputError(f"{p}: the extract holds no ways or nodes to build a road graph "
                             f"from ({kind}); check the file covers roads") from None
        raise InputError(f"{p}: not valid OSM XML ({kind}: {str(exc).splitlines()[0][:120]}); "
                         "export the extract again") from None


def _prepare(ox: Any, G: nx.MultiDiGraph, p: Path, filter: str, kind: str) -> nx.MultiDiGraph:
    """Filter, simplify, add speeds and travel times, keep the largest SCC."""
    allowed = MAIN_CLASSES if filter == "main" else DRIVE_CLASSES
    drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
            if not set(_classes(d.get("highway", ""))) & allowed]
    G.remove_edges_from(drop)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    if G.number_of_edges() == 0:
        raise InputError(f"{p}: no drivable ways ({filter}) in the extract; nothing to route on")
    # simplify after filtering, never merging ways of different classes or speed tags
    G = ox.simplify_graph(G, edge_attrs_differ=["highway", "maxspeed", "oneway"])
    G = ox.add_edge_speeds(G, hwy_speeds=CHINA_SPEEDS_KMH, fallback=FALLBACK_KMH)
    G = ox.add_edge_travel_times(G)
    G = ox.truncate.largest_component(G, strongly=True)
    G.graph["hzcircle_source"] = f"OSM {kind} {p.name}, filter {filter}"
    return G


def download(*, place: str | None = None, bbox: tuple[float, float, float, float] | None = None,
             network_type: str = "drive") -> nx.MultiDiGraph:
    """Fetch a road graph from Overpass through osmnx (uses osmnx's cache).

    Raises
    ------
    InputError
        When there is no network, with a hint to use ``hzcircle osm import``.
    """
    ox = _osmnx()
    ox.settings.use_cache = True
    try:
        if place:
            G = ox.graph_from_place(place, network_type=network_type)
        else:
            G = ox.graph_from_bbox(bbox, network_type=network_type)
    except Exception as exc:  # requests/osmnx errors when offline or refused
        raise InputError(f"could not download from OpenStreetMap ({type(exc).__name__}); without "
                         "internet, export an extract elsewhere and use 'hzcircle osm import "
                         "FILE.osm'") from None
    G = ox.add_edge_speeds(G, hwy_speeds=CHINA_SPEEDS_KMH, fallback=FALLBACK_KMH)
    G = ox.add_edge_travel_times(G)
    return ox.truncate.largest_component(G, strongly=True)


def save(G: nx.MultiDiGraph | RoadArrays, path: str | Path) -> Path:
    """Save roads atomically: GraphML (``.graphml``, osmnx) or arrays (``.npz``, fast to load)."""
    from network._io import write_atomic

    suffix = Path(path).suffix.lower()
    if suffix == ".npz":
        arrays = G if isinstance(G, RoadArrays) else RoadArrays.from_graph(G)
        return write_atomic(path, arrays._write)
    if suffix != ".graphml":
        raise InputError(f"{path}: roads are saved as GraphML or NPZ; use a .graphml or .npz "
                         "file name")
    ox = _osmnx()
    graph = G.to_graph() if isinstance(G, RoadArrays) else G
    return write_atomic(path, lambda tmp: ox.save_graphml(graph, tmp))


def load(path: str | Path) -> nx.MultiDiGraph | RoadArrays:
    """Load roads written by :func:`save`: a ``.npz`` as :class:`RoadArrays`, a GraphML as an
    osmnx graph (checks it is in EPSG:4326)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: roads file not found; create it with 'hzcircle osm import'")
    if p.suffix.lower() == ".npz":
        return RoadArrays.read(p)
    ox = _osmnx()
    try:
        G = ox.load_graphml(p)
    except Exception as exc:
        raise LayerError(f"{p}: cannot be read as a roads GraphML ({type(exc).__name__})") from None
    crs = str(G.graph.get("crs", "")).lower()
    if crs not in ("epsg:4326", "wgs84", "+init=epsg:4326"):
        raise LayerError(f"{p}: roads are in {G.graph.get('crs')!r}, expected EPSG:4326; "
                         "re-import the extract (projected graphs are not accepted)")
    if not all("travel_time" in d for _, _, d in G.edges(data=True)):
        raise LayerError(f"{p}: edges lack travel_time; re-import with 'hzcircle osm import'")
    return G


# ------------------------------------------------------------------------------------------
# roads as arrays
# ------------------------------------------------------------------------------------------

#: Version of the ``.npz`` road file layout.
_NPZ_FORMAT = 1
_NPZ_KEYS = ("node_id", "x", "y", "u", "v", "travel_time", "length", "name_code", "names")


@dataclass(frozen=True, eq=False)
class RoadArrays:
    """A directed road graph as arrays (no Python object per node or edge).

    Attributes
    ----------
    node_id
        OSM node ids (int64), one per node; the node is named ``osm:<id>`` in the network.
    x, y
        Longitude and latitude (WGS-84, degrees).
    u, v
        Edge ends as indices into the node arrays (int32).
    travel_time, length
        Edge travel time (s) and length (m), as osmnx sets them.
    name_code, names
        Street name of each edge as an index into ``names`` (-1: none).
    source
        Where the roads come from (file, filter), carried to every edge's ``source``.
    """

    node_id: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    travel_time: np.ndarray
    length: np.ndarray
    name_code: np.ndarray
    names: np.ndarray
    source: str = "OSM"

    def __post_init__(self) -> None:
        n, m = len(self.node_id), len(self.u)
        if not (len(self.x) == len(self.y) == n and len(self.v) == len(self.travel_time)
                == len(self.length) == len(self.name_code) == m):
            raise LayerError("road arrays: node or edge arrays differ in length")
        if m and (min(int(self.u.min()), int(self.v.min())) < 0
                  or max(int(self.u.max()), int(self.v.max())) >= n):
            raise LayerError("road arrays: an edge names a node that is not in the node arrays")
        if m and not (np.isfinite(self.travel_time).all() and (self.travel_time >= 0).all()):
            raise LayerError("road arrays: travel times must be finite and not negative")

    def number_of_nodes(self) -> int:
        return len(self.node_id)

    def number_of_edges(self) -> int:
        return len(self.u)

    @classmethod
    def from_graph(cls, G: nx.MultiDiGraph) -> RoadArrays:
        """The arrays of an osmnx graph (EPSG:4326, integer node ids, ``travel_time`` and
        ``length`` on every edge), in the graph's node and edge order."""
        nodes = list(G.nodes)
        ids = np.asarray(nodes)
        if len(ids) and not np.issubdtype(ids.dtype, np.integer):
            raise InputError("roads: OSM node ids must be integers (as osmnx gives them)")
        index = {n: i for i, n in enumerate(nodes)}
        xy = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)], float).reshape(-1, 2)
        m = G.number_of_edges()
        u = np.empty(m, np.int32)
        v = np.empty(m, np.int32)
        tt = np.empty(m, float)
        length = np.empty(m, float)
        code = np.empty(m, np.int32)
        codes: dict[str, int] = {}
        for k, (a, b, d) in enumerate(G.edges(data=True)):
            u[k], v[k], tt[k], length[k] = index[a], index[b], d["travel_time"], d["length"]
            name = str(d.get("name", ""))
            code[k] = codes.setdefault(name, len(codes)) if name else -1
        return cls(ids.astype(np.int64), xy[:, 0].copy(), xy[:, 1].copy(), u, v, tt, length, code,
                   np.array(list(codes), dtype=str), str(G.graph.get("hzcircle_source", "OSM")))

    def to_graph(self) -> nx.MultiDiGraph:
        """An osmnx-style networkx graph of these roads (for interop; slow for large graphs)."""
        import networkx as nx

        G = nx.MultiDiGraph(crs="EPSG:4326", hzcircle_source=self.source)
        G.add_nodes_from((int(i), {"x": float(x), "y": float(y)})
                         for i, x, y in zip(self.node_id, self.x, self.y, strict=True))
        ids = self.node_id
        for k in range(len(self.u)):
            d = {"travel_time": float(self.travel_time[k]), "length": float(self.length[k])}
            if self.name_code[k] >= 0:
                d["name"] = str(self.names[self.name_code[k]])
            G.add_edge(int(ids[self.u[k]]), int(ids[self.v[k]]), **d)
        return G

    def _write(self, tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, format=np.int64(_NPZ_FORMAT), crs=np.array("EPSG:4326"),
                     source=np.array(self.source), node_id=self.node_id, x=self.x, y=self.y,
                     u=self.u, v=self.v, travel_time=self.travel_time, length=self.length,
                     name_code=self.name_code, names=np.asarray(self.names, dtype=str))

    @classmethod
    def read(cls, path: Path) -> RoadArrays:
        """Read a ``.npz`` written by :func:`save`."""
        try:
            with np.load(path, allow_pickle=False) as f:
                missing = [k for k in (*_NPZ_KEYS, "crs", "format") if k not in f]
                if missing:
                    raise LayerError(f"{path}: not a roads file of 'hzcircle osm import' (no "
                                     f"{', '.join(missing)}); re-import the extract")
                if str(f["crs"]) != "EPSG:4326":
                    raise LayerError(f"{path}: roads are in {str(f['crs'])!r}, expected "
                                     "EPSG:4326; re-import the extract")
                if int(f["format"]) != _NPZ_FORMAT:
                    raise LayerError(f"{path}: roads file format {int(f['format'])} is not "
                                     f"{_NPZ_FORMAT}; re-import the extract")
                a = {k: f[k] for k in _NPZ_KEYS}
                source = str(f["source"]) if "source" in f else "OSM"
        except LayerError:
            raise
        except Exception as exc:  # zipfile/numpy errors on a damaged file
            raise LayerError(f"{path}: cannot be read as a roads file ({type(exc).__name__}); "
                             "re-import the extract") from None
        return cls(a["node_id"].astype(np.int64), a["x"].astype(float), a["y"].astype(float),
                   a["u"].astype(np.int32), a["v"].astype(np.int32), a["travel_time"].astype(float),
                   a["length"].astype(float), a["name_code"].astype(np.int32), a["names"], source)


def as_arrays(roads: nx.MultiDiGraph | RoadArrays) -> RoadArrays:
    """``roads`` as :class:`RoadArrays` (converted from an osmnx graph when needed)."""
    return roads if isinstance(roads, RoadArrays) else RoadArrays.from_graph(roads)


# ------------------------------------------------------------------------------------------
# splicing into a built network
# ------------------------------------------------------------------------------------------


@dataclass
class Snap:
    place: str
    osm_node: str
    km: float


def _project(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = to_metric(np.asarray(lons, float), np.asarray(lats, float))
    return np.asarray(x), np.asarray(y)


def extent(roads: nx.MultiDiGraph | RoadArrays) -> Any:
    """The OSM extent: convex hull of the road nodes grown by about 100 m (EPSG:4326), so
    places on the hull's edge count as inside."""
    import shapely

    if isinstance(roads, RoadArrays):
        xy = np.column_stack([roads.x, roads.y])
    else:
        xy = np.array([(d["x"], d["y"]) for _, d in roads.nodes(data=True)], float).reshape(-1, 2)
    try:  # qhull on the arrays: no point geometry per node
        from scipy.spatial import ConvexHull, QhullError

        hull = shapely.Polygon(xy[ConvexHull(xy).vertices])
    except (QhullError, ValueError):  # fewer than 3 points, or all on a line
        hull = shapely.multipoints(xy).convex_hull
    return hull.buffer(0.001)


def _splice_networkx(G: nx.MultiDiGraph, roads: nx.MultiDiGraph, layers: Layers,
                     assumptions: Assumptions = DEFAULT) -> list[Snap]:
    """Replace the sketch road model by the OSM graph within its extent, in networkx
    (modifies ``G``; returns the snaps made).

    The reference for :func:`splice_arrays` (tests and benchmark only): every OSM node and
    edge becomes a networkx node and edge, which is slow and large for big road graphs.
    """
    import shapely
    from scipy.spatial import cKDTree

    from network.graph import add_edges

    a = assumptions

    modes = G.graph.get("modes")
    if modes not in ("road", "any"):
        return []
    # the extent as it was computed before the array splice (point geometries, GEOS hull)
    area = shapely.MultiPoint([(d["x"], d["y"]) for _, d in roads.nodes(data=True)]
                              ).convex_hull.buffer(0.001)
    shapely.prepare(area)

    def inside(n: str) -> bool:
        d = G.nodes[n]
        return bool(shapely.contains_xy(area, d["x"], d["y"]))

    replaced = {"local_road", "car", "expressway"}
    drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
            if d["mode"] in replaced and inside(u) and inside(v)]
    G.remove_edges_from(drop)
    osm_ids = list(roads.nodes)
    for n, d in roads.nodes(data=True):
        G.add_node(f"osm:{n}", x=d["x"], y=d["y"], kind="osm", name=f"OSM {n}", name_zh="")
    G.add_edges_from(
        (f"osm:{u}", f"osm:{v}", {"mode": "road", "minutes": d["travel_time"] / 60.0,
                                 "length_km": d["length"] / 1000.0, "length": d["length"],
                                 "travel_time": d["travel_time"], "open_year": None,
                                 "source": roads.graph.get("hzcircle_source", "OSM"),
                                 "service": str(d.get("name", "")) or None})
        for u, v, d in roads.edges(data=True))
    ox_, oy_ = _project([roads.nodes[n]["x"] for n in osm_ids],
                        [roads.nodes[n]["y"] for n in osm_ids])
    tree = cKDTree(np.column_stack([ox_, oy_]))
    snaps, edges = [], []
    candidates = [n for n, d in G.nodes(data=True)
                  if d.get("kind") in ("zone", "station", "airport", "road") and inside(n)]
    if not candidates:
        return snaps
    px, py = _project([G.nodes[n]["x"] for n in candidates], [G.nodes[n]["y"] for n in candidates])
    dist, idx = tree.query(np.column_stack([px, py]))
    for n, dm, i in zip(candidates, dist, idx, strict=True):
        km = float(dm) / 1000.0
        if km > a.osm_snap_max_km:
            continue
        o = f"osm:{osm_ids[i]}"
        edges += _connectors(G.nodes[n], n, o, km, a)
        snaps.append(Snap(n, o, round(km, 3)))
    add_edges(G, edges)
    G.graph["osm_extent"] = area.wkt
    return snaps


_REPLACED = ("local_road", "car", "expressway")
_SNAPPED = ("zone", "station", "airport", "road")


def _nearest_metric(roads: RoadArrays, lon: np.ndarray, lat: np.ndarray, max_km: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m, in the metric CRS) from each place to its nearest road node, and the node.

    Exact in the metric CRS without projecting every road node: a k-d tree on a local
    equirectangular approximation finds each place's approximate nearest node at ``d``; the
    true nearest then lies within ``1.5 d`` there (the approximation is within a few per cent
    of the metric CRS over the circle), so only the nodes in those balls are projected and
    compared. Places with no node within ``1.5 x max_km`` get ``inf``.
    """
    from scipy.spatial import cKDTree

    k = math.cos(math.radians(float(np.mean(lat))))
    tree = cKDTree(np.column_stack([roads.x * (111.32 * k), roads.y * 110.57]))
    here = np.column_stack([lon * (111.32 * k), lat * 110.57])
    d_approx, _ = tree.query(here)
    radius = np.minimum(1.5 * d_approx, 1.5 * max_km) + 1e-6
    balls = tree.query_ball_point(here, radius)
    px, py = _project(lon, lat)
    dist = np.full(len(lon), np.inf)
    idx = np.zeros(len(lon), dtype=np.int64)
    for i, ball in enumerate(balls):
        if not ball:
            continue
        near = np.sort(np.asarray(ball, dtype=np.int64))
        nx_, ny_ = _project(roads.x[near], roads.y[near])
        d = np.hypot(nx_ - px[i], ny_ - py[i])
        j = int(np.argmin(d))
        dist[i], idx[i] = d[j], near[j]
    return dist, idx


def _snap_edges(G: nx.MultiDiGraph, roads: RoadArrays, inside: dict[str, bool],
                a: Assumptions) -> tuple[list[Snap], list[Any]]:
    """Snaps of the zone seats, stations, airports and sketch road nodes inside the extent to
    their nearest OSM node within ``osm_snap_max_km``, and their connector edges."""

    candidates = [n for n, d in G.nodes(data=True) if d.get("kind") in _SNAPPED and inside[n]]
    if not candidates:
        return [], []
    lon = np.array([G.nodes[n]["x"] for n in candidates], float)
    lat = np.array([G.nodes[n]["y"] for n in candidates], float)
    dist, idx = _nearest_metric(roads, lon, lat, a.osm_snap_max_km)
    snaps, edges = [], []
    for n, dm, i in zip(candidates, dist, idx, strict=True):
        km = float(dm) / 1000.0
        if km > a.osm_snap_max_km:
            continue
        o = f"osm:{roads.node_id[i]}"
        edges += _connectors(G.nodes[n], n, o, km, a)
        snaps.append(Snap(n, o, round(km, 3)))
    return snaps, edges


_SNAP_SOURCE = "snap to the nearest OSM node: distance x detour_factor / local car speed (assumption)"


def _connectors(d: dict, n: str, o: str, km: float, a: Assumptions) -> list[Any]:
    """The car connector edges between place node ``n`` (data ``d``) and its OSM snap ``o``."""
    from network.graph import Edge, car_access_minutes

    kind = d.get("kind")
    t = car_access_minutes(km, a) if kind == "zone" else \
        km * a.detour_factor / a.local_car_speed_kmh * 60.0
    if kind == "station":
        sk = d["station_kind"]
        return [Edge(o, n, "car", t + a.entry_minutes(sk), km, _SNAP_SOURCE),
                Edge(f"{n}|arr", o, "car", t + a.exit_minutes(sk), km, _SNAP_SOURCE)]
    return [Edge(n, o, "car", t, km, _SNAP_SOURCE), Edge(o, n, "car", t, km, _SNAP_SOURCE)]


def splice_arrays(G: nx.MultiDiGraph, roads: nx.MultiDiGraph | RoadArrays, layers: Layers,
                  assumptions: Assumptions = DEFAULT) -> SplicedRoads | None:
    """Prepare the OSM roads to replace the sketch road model within their extent, without
    adding them to networkx.

    ``G`` loses its sketch road edges (local road, car, expressway) with both ends inside
    the extent; the roads themselves and the snap connectors are returned as a
    :class:`SplicedRoads` to append to the compiled graph
    (:func:`network.routing.splice_arrays`). Returns ``None`` (and leaves ``G`` alone) for
    modes without roads. The result equals :func:`_splice_networkx`'s.
    """
    import shapely

    if G.graph.get("modes") not in ("road", "any"):
        return None
    R = as_arrays(roads)
    area = extent(R)
    shapely.prepare(area)
    names = list(G.nodes)
    xy = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)], float).reshape(-1, 2)
    inside = dict(zip(names, shapely.contains_xy(area, xy[:, 0], xy[:, 1]).tolist(), strict=True))
    G.remove_edges_from([(u, v, k) for u, v, k, mode in G.edges(keys=True, data="mode")
                         if mode in _REPLACED and inside[u] and inside[v]])
    snaps, links = _snap_edges(G, R, inside, assumptions)
    G.graph["osm_extent"] = area.wkt
    return SplicedRoads(R, snaps, links)


class SplicedRoads:
    """OSM roads appended to a compiled network: their arrays, the snaps and snap connectors,
    and lookups of node and edge data by node name (``osm:<id>``), made on demand."""

    def __init__(self, roads: RoadArrays, snaps: list[Snap], links: list[Any]) -> None:
        self.roads, self.snaps, self.links = roads, snaps, links
        self.n_nodes = roads.number_of_nodes()
        self._id_order: np.ndarray | None = None
        self._edge_order: np.ndarray | None = None
        self._link_data: dict[tuple[str, str], list[dict]] | None = None

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Edges as local node indices and minutes."""
        return self.roads.u, self.roads.v, self.roads.travel_time / 60.0

    def name(self, i: int) -> str:
        return f"osm:{self.roads.node_id[i]}"

    def local(self, name: object) -> int | None:
        """The local index of node ``name`` (``None`` if it is not an OSM node here)."""
        if not isinstance(name, str) or not name.startswith("osm:"):
            return None
        try:
            key = int(name[4:])
        except ValueError:
            return None
        if self._id_order is None:
            self._id_order = np.argsort(self.roads.node_id, kind="stable")
        ids = self.roads.node_id
        k = int(np.searchsorted(ids, key, sorter=self._id_order))
        if k < len(ids) and ids[self._id_order[k]] == key:
            return int(self._id_order[k])
        return None

    def node_data(self, name: str) -> dict | None:
        i = self.local(name)
        return None if i is None else self._node(i)

    def _node(self, i: int) -> dict:
        n = self.roads.node_id[i]
        return {"x": float(self.roads.x[i]), "y": float(self.roads.y[i]), "kind": "osm",
                "name": f"OSM {n}", "name_zh": ""}

    def node_items(self) -> Iterator[tuple[str, dict]]:
        """Every road node as ``(name, data)``, as networkx ``nodes(data=True)`` gives them."""
        return ((self.name(i), self._node(i)) for i in range(self.n_nodes))

    def edge_data(self, a: str, b: str) -> list[dict]:
        """The parallel edges ``a -> b`` among the roads and snap connectors."""
        if self._link_data is None:
            self._link_data = {}
            for e in self.links:  # the attributes network.graph.add_edges sets
                self._link_data.setdefault((e.u, e.v), []).append({
                    "mode": e.mode, "minutes": float(e.minutes), "length_km": float(e.length_km),
                    "length": float(e.length_km) * 1000.0, "travel_time": float(e.minutes) * 60.0,
                    "open_year": e.open_year, "source": e.source, "service": e.service})
        out = list(self._link_data.get((a, b), ()))
        i, j = self.local(a), self.local(b)
        if i is None or j is None:
            return out
        R = self.roads
        if self._edge_order is None:
            self._edge_order = np.lexsort((R.v, R.u))
        order = self._edge_order
        lo = np.searchsorted(R.u, i, side="left", sorter=order)
        hi = np.searchsorted(R.u, i, side="right", sorter=order)
        out += [self._attrs(int(k)) for k in order[lo:hi] if R.v[k] == j]
        return out

    def _attrs(self, k: int) -> dict:
        """The networkx attributes of road edge ``k`` (as the reference splice sets them)."""
        R = self.roads
        name = str(R.names[R.name_code[k]]) if R.name_code[k] >= 0 else ""
        tt, length = float(R.travel_time[k]), float(R.length[k])
        return {"mode": "road", "minutes": tt / 60.0, "length_km": length / 1000.0,
                "length": length, "travel_time": tt, "open_year": None, "source": R.source,
                "service": name or None}

    def add_to(self, G: nx.MultiDiGraph) -> None:
        """Add the roads and snap connectors to ``G`` in networkx (for osmnx interop)."""
        from network.graph import add_edges

        R = self.roads
        G.add_nodes_from(self.node_items())
        ids = R.node_id
        G.add_edges_from((f"osm:{ids[R.u[k]]}", f"osm:{ids[R.v[k]]}", self._attrs(k))
                         for k in range(len(R.u)))
        add_edges(G, self.links)


def synthetic_roads(n_edges: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """A planar road-like graph for scale tests: a jittered grid with a few missing links.

    Returns arrays (u, v, minutes) of directed edges and the node count; about ``n_edges``
    edges, average degree near 3.6 (like urban OSM drive graphs), 150-400 m links.
    """
    rng = np.random.default_rng(seed)
    side = max(2, int(math.sqrt(n_edges / 3.6)))
    n = side * side
    ids = np.arange(n).reshape(side, side)
    right = np.column_stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()])
    down = np.column_stack([ids[:-1, :].ravel(), ids[1:, :].ravel()])
    pairs = np.vstack([right, down])
    pairs = pairs[rng.random(len(pairs)) > 0.1]  # 10 % missing links
    length_m = rng.uniform(150, 400, len(pairs))
    speed = rng.choice([30.0, 40.0, 50.0, 70.0], len(pairs), p=[0.5, 0.25, 0.15, 0.1])
    minutes = length_m / 1000.0 / speed * 60.0
    u = np.concatenate([pairs[:, 0], pairs[:, 1]])
    v = np.concatenate([pairs[:, 1], pairs[:, 0]])
    w = np.concatenate([minutes, minutes])
    return u, v, w, n


__all__ = ["CHINA_SPEEDS_KMH", "RoadArrays", "Snap", "SplicedRoads", "as_arrays", "download",
           "extent", "import_osm", "load", "save", "splice_arrays", "synthetic_roads"]
