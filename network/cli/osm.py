"""``hzcircle osm import|download``: OpenStreetMap road graphs for ``--roads``."""

from __future__ import annotations

import argparse
import math
from typing import Any

from network._errors import HzCircleError
from network.cli._common import add_actions, add_common, read_layers


def cmd_osm_import(args: argparse.Namespace) -> int:
    from network import osm

    G = osm.import_osm(args.file, filter=args.filter)
    path = osm.save(G, args.output)
    speeds = sum(1 for _, _, d in G.edges(data=True) if d.get("maxspeed") is None)
    print(f"wrote {path}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges "
          f"(largest strongly connected component; {speeds:,} edges without maxspeed use the "
          "China fallback speeds)")
    return 0


def cmd_osm_download(args: argparse.Namespace) -> int:
    from network import osm
    from network._io import check_writable

    check_writable(args.output)
    bbox = None
    if args.bbox:
        bbox = _bbox(args.bbox)
    elif args.circle:
        bbox = tuple(read_layers(args).boundaries.total_bounds)
    G = osm.download(place=args.place, bbox=bbox)
    path = osm.save(G, args.output)
    print(f"wrote {path}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges")
    return 0


def _bbox(text: str) -> tuple[float, float, float, float]:
    """Parse --bbox west,south,east,north (degrees, finite, west < east, south < north)."""
    from network._errors import shorten

    hint = "give --bbox west,south,east,north in degrees, e.g. 120.0,30.1,120.3,30.4"
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise HzCircleError(f"--bbox {shorten(text, 60)}: {hint}") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise HzCircleError(f"--bbox {shorten(text, 60)}: four finite numbers needed; {hint}")
    w, s, e, n = values
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise HzCircleError(f"--bbox {shorten(text, 60)}: needs west < east and south < north "
                            f"within -180..180, -90..90; {hint}")
    return w, s, e, n


def add_parsers(sub: Any) -> None:
    """Add the ``osm`` command and its actions to the parser (``sub``)."""
    osm_sub = add_actions(sub, "osm", "OpenStreetMap road graphs: import or download")
    p_oi = osm_sub.add_parser("import", help="read an OSM XML or PBF extract into a roads file "
                                              "(.npz arrays or .graphml)")
    p_oi.add_argument("file", metavar="FILE.osm|FILE.osm.pbf")
    p_oi.add_argument("--filter", choices=("drive", "main"), default="drive",
                      help="all drivable ways (default) or main roads only")
    p_oi.add_argument("-o", "--output", required=True, metavar="ROADS.npz|ROADS.graphml")
    p_oi.set_defaults(func=cmd_osm_import)
    p_od = osm_sub.add_parser("download", help="fetch roads from Overpass (needs internet)")
    where = p_od.add_mutually_exclusive_group(required=True)
    where.add_argument("--place", help="a place name osmnx can geocode")
    where.add_argument("--bbox", help="west,south,east,north")
    where.add_argument("--circle", action="store_true", help="the bounding box of the six cities")
    add_common(p_od)
    p_od.add_argument("-o", "--output", required=True, metavar="ROADS.npz|ROADS.graphml")
    p_od.set_defaults(func=cmd_osm_download)
