"""OpenStreetMap road networks through osmnx: import, download, and splice into the network.

``import_osm`` reads OSM XML with :func:`osmnx.graph_from_xml`, keeps the drivable ways (all
of them, or the main roads only), sets speeds with :func:`osmnx.add_edge_speeds` (OSM
``maxspeed`` where tagged, else the China fallback speeds below) and travel times, keeps the
largest strongly connected component and returns an osmnx graph in EPSG:4326.

:func:`splice` adds such a graph to a built network: inside the OSM extent (the convex hull of
its nodes) the sketch road model (local-road links between zone seats, car connectors, and
expressway segments with both ends inside) is replaced by the OSM graph; zone seats, stations,
airports and sketch expressway nodes inside the extent snap to their nearest OSM node within
``Assumptions.osm_snap_max_km`` (the snapping distance is reported and costs a short drive); places farther
than that keep their sketch connectors. Outside the extent the sketch model applies unchanged,
and expressway segments that cross the extent's edge meet the OSM graph at their inside node's
snap (the seam).
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
    """Read an OSM XML extract into a routable osmnx graph.

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
    if p.suffix.lower() == ".pbf" or p.name.endswith(".osm.pbf"):
        raise InputError(f"{p}: .osm.pbf is not supported; convert it to OSM XML first "
                         "(e.g. osmium cat in.osm.pbf -o out.osm)")
    try:
        G = ox.graph_from_xml(p, simplify=False, retain_all=True)
    except Exception as exc:  # osmnx/ElementTree raise many types on bad XML
        kind = type(exc).__name__
        text = str(exc).lower()
        if "no data elements" in text or ("no" in text and "node" in text) or "empty" in text:
            raise InputError(f"{p}: the extract holds no ways or nodes to build a road graph "
                             f"from ({kind}); check the file covers roads") from None
        raise InputError(f"{p}: not valid OSM XML ({kind}: {str(exc).splitlines()[0][:120]}); "
                         "export the extract again") from None
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
    G.graph["hzcircle_source"] = f"OSM XML {p.name}, filter {filter}"
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


def save(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Save as GraphML, atomically."""
    from network._io import write_atomic

    ox = _osmnx()
    if Path(path).suffix.lower() != ".graphml":
        raise InputError(f"{path}: roads are saved as GraphML; use a .graphml file name")
    return write_atomic(path, lambda tmp: ox.save_graphml(G, tmp))


def load(path: str | Path) -> nx.MultiDiGraph:
    """Load a roads GraphML written by :func:`save` (checks it is in EPSG:4326)."""
    ox = _osmnx()
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: roads file not found; create it with 'hzcircle osm import'")
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


def extent(roads: nx.MultiDiGraph) -> Any:
    """The OSM extent: convex hull of the road nodes grown by about 100 m (EPSG:4326), so
    places on the hull's edge count as inside."""
    import shapely

    pts = shapely.points([(d["x"], d["y"]) for _, d in roads.nodes(data=True)])
    return shapely.MultiPoint(list(pts)).convex_hull.buffer(0.001)


def splice(G: nx.MultiDiGraph, roads: nx.MultiDiGraph, layers: Layers,
           assumptions: Assumptions = DEFAULT) -> list[Snap]:
    """Replace the sketch road model by the OSM graph within its extent (modifies ``G``).

    Returns the snaps made (place node, OSM node, km).
    """
    import shapely
    from scipy.spatial import cKDTree

    from network.graph import Edge, add_edges, car_access_minutes

    a = assumptions

    modes = G.graph.get("modes")
    if modes not in ("road", "any"):
        return []
    area = extent(roads)
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
    src = "snap to the nearest OSM node: distance x detour_factor / local car speed (assumption)"
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
        t = car_access_minutes(km, a) if G.nodes[n]["kind"] == "zone" else \
            km * a.detour_factor / a.local_car_speed_kmh * 60.0
        kind = G.nodes[n].get("kind")
        if kind == "station":
            sk = G.nodes[n]["station_kind"]
            edges += [Edge(o, n, "car", t + a.entry_minutes(sk), km, src),
                      Edge(f"{n}|arr", o, "car", t + a.exit_minutes(sk), km, src)]
        else:
            edges += [Edge(n, o, "car", t, km, src), Edge(o, n, "car", t, km, src)]
        snaps.append(Snap(n, o, round(km, 3)))
    add_edges(G, edges)
    G.graph["osm_extent"] = area.wkt
    return snaps


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


__all__ = ["CHINA_SPEEDS_KMH", "Snap", "download", "extent", "import_osm", "load", "save",
           "splice", "synthetic_roads"]
