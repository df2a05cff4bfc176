"""``hzcircle travel-time``, ``matrix`` and ``accel build``: door-to-door minutes between places,
zones or point files, and the contraction hierarchy that speeds them up."""

from __future__ import annotations

import argparse
import time
from typing import Any

from network._errors import HzCircleError
from network.cli._common import (
    LEVELS,
    POINT_CRS,
    add_actions,
    add_common,
    build_network,
    print_json,
    progress,
    provenance_of,
    read_layers,
    year_of,
)


def _format_journey(j: Any, clocks: list[str] | None = None) -> str:
    lines = [f"{j.origin} -> {j.destination}  ({j.year}, {j.modes})",
             f"  door to door {j.minutes:.1f} min, in vehicle {j.in_vehicle_minutes:.1f} min"]
    for i, leg in enumerate(j.legs):
        what = f"{leg.from_name} -> {leg.to_name}"
        if leg.kind == "wait":
            what = f"at {leg.from_name} for {leg.service_name}"
        elif leg.kind == "ride":
            what += f"  [{leg.service_name}]"
        at = f"{clocks[i]}  " if clocks else ""
        lines.append(f"  {at}{leg.kind:<9}{leg.minutes:6.1f} min  {leg.mode:<12} {what}")
    if clocks:
        lines.append(f"  {clocks[-1]}  arrive (expected: waits are half the headway, capped)")
    return "\n".join(lines)


def _add_engine(p: argparse.ArgumentParser) -> None:
    from network.accel import ENGINES, LOAD_PAYS_FROM

    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="shortest-path engine: dijkstra, cch (exact contraction hierarchy, "
                        "certified within 0.001 min; its one-off preprocessing pays only on large "
                        "road graphs) or auto (default: the hierarchy of --hierarchy when the "
                        f"query needs at least {LOAD_PAYS_FROM} searches, so that loading it pays, "
                        "else Dijkstra)")


def _add_hierarchy(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hierarchy", metavar="FILE.cch", default=None,
                   help="use the contraction hierarchy saved by 'hzcircle accel build' with the "
                        "same --layers, --year, --modes, --roads and --gtfs (refused if built for "
                        "another graph); --engine cch always loads it, --engine auto when it pays")


def _engine(args: argparse.Namespace, net: Any, searches: int) -> str:
    """The engine to ask the library for: with ``--hierarchy``, load it (``cch``), unless
    ``--engine auto`` and ``searches`` (Dijkstra's single-source searches for this query) are
    too few to pay for loading it."""
    from network.accel import LOAD_PAYS_FROM, load_pays

    if not getattr(args, "hierarchy", None):
        return str(args.engine)
    if args.engine == "dijkstra":
        raise HzCircleError("--hierarchy is used by --engine auto or cch; drop --hierarchy or "
                            "--engine dijkstra")
    if args.engine == "auto" and not load_pays(searches):
        progress(f"hierarchy {args.hierarchy} not loaded: {searches} search(es) run faster with "
                 f"Dijkstra than loading it (it pays from {LOAD_PAYS_FROM}); --engine cch loads it")
        return "dijkstra"
    t0 = time.perf_counter()
    h = net.accelerate(path=args.hierarchy)
    progress(f"hierarchy {args.hierarchy}: {h.n:,} nodes, loaded in "
             f"{time.perf_counter() - t0:.1f} s")
    return "cch"


def cmd_accel_build(args: argparse.Namespace) -> int:

    from network._io import check_suffix, check_writable
    from network.accel import SUFFIX

    out = check_suffix(check_writable(args.output), (SUFFIX,))
    layers = read_layers(args)
    net = build_network(args, layers, year_of(args, layers), args.modes)
    progress(f"building the contraction hierarchy of {net.compiled.matrix.nnz:,} arcs "
             "(about a minute at 10^6 road edges)")
    t0 = time.perf_counter()
    h = net.accelerate()
    built = time.perf_counter() - t0
    h.save(out, metadata=provenance_of(args, layers, year=net.year, modes=net.modes,
                                       roads=str(args.roads) if args.roads else None,
                                       gtfs=[str(f) for f in args.gtfs]))
    print(f"wrote {out}: hierarchy of {h.n:,} nodes and {len(h.tail):,} arcs, year {net.year}, "
          f"modes {net.modes}, built in {built:.1f} s; use it with --hierarchy {out} and the "
          "same --layers, --year, --modes, --roads and --gtfs")
    return 0


def cmd_travel_time(args: argparse.Namespace) -> int:

    from network._io import VECTOR_SUFFIXES, check_suffix, check_writable

    if args.geojson:
        check_suffix(check_writable(args.geojson), VECTOR_SUFFIXES)
    layers = read_layers(args)
    net = build_network(args, layers, year_of(args, layers), args.modes)
    from network.places import with_crs

    journey = net.travel_time(with_crs(args.origin, args.crs), with_crs(args.destination, args.crs),
                              engine=_engine(args, net, 1))
    frame = None
    if args.geojson or args.departure:
        from network.journeys import journey_frame

        frame = journey_frame(net, journey, geometry=args.geometry, departure=args.departure)
    if args.geojson:
        from network._io import write_vector

        write_vector(frame, args.geojson, metadata=provenance_of(
            args, layers, year=net.year, modes=net.modes, departure=args.departure))
        progress(f"wrote {args.geojson}: {len(frame)} legs")
    if args.json:
        out = journey.as_dict()
        if args.departure:
            for leg, r in zip(out["legs"], frame.itertuples(), strict=True):
                leg["depart"], leg["arrive"] = r.depart, r.arrive
        print_json(out, args, layers, year=net.year, modes=net.modes)
    else:
        clocks = None
        if args.departure:
            clocks = [*frame["depart"], frame["arrive"].iloc[-1]]
        print(_format_journey(journey, clocks))
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    from network._io import TABLE_SUFFIXES, check_suffix, check_writable, write_table

    out = check_suffix(check_writable(args.output), TABLE_SUFFIXES)
    layers = read_layers(args)
    if args.origins or args.destinations:
        return _points_matrix(args, layers, out)
    net = build_network(args, layers, year_of(args, layers), args.modes)
    frame = net.matrix(level=args.level,
                       engine=_engine(args, net, len(net.zones(args.level))))
    write_table(frame, out, metadata=provenance_of(args, layers, year=net.year, modes=net.modes,
                                                   level=args.level))
    reached = int(frame["minutes"].notna().sum())
    print(f"wrote {out}: {len(frame)} OD pairs ({reached} reachable), level {args.level}, "
          f"year {net.year}, modes {net.modes}")
    return 0


def _points_matrix(args: argparse.Namespace, layers: Any, out: Any) -> int:
    import numpy as np

    from network._io import write_table
    from network.points import (
        check_in_region,
        connectors,
        matrix_frame,
        point_times,
        read_points,
    )

    if not (args.origins and args.destinations):
        raise HzCircleError("a points matrix needs both --origins FILE and --destinations FILE")
    origins = read_points(args.origins, crs=args.crs, id_column=args.id_column)
    destinations = read_points(args.destinations, crs=args.crs, id_column=args.id_column)
    net = build_network(args, layers, year_of(args, layers), args.modes)
    check_in_region(net, origins, "origin")
    check_in_region(net, destinations, "destination")
    # Dijkstra runs one search per distinct node the origins' connectors reach
    searches = len(np.unique(connectors(net, origins.lon, origins.lat, "from").indices))
    minutes = point_times(net, origins, destinations, engine=_engine(args, net, searches))
    frame = matrix_frame(origins, destinations, minutes, wide=args.wide)
    write_table(frame, out, metadata=provenance_of(
        args, layers, year=net.year, modes=net.modes, origins=str(args.origins),
        destinations=str(args.destinations), crs=args.crs, form="wide" if args.wide else "long"))
    reached = int(np.isfinite(minutes).sum())
    print(f"wrote {out}: {len(origins)} x {len(destinations)} points ({reached} pairs reachable), "
          f"year {net.year}, modes {net.modes}")
    return 0


def _add_accel_commands(sub: Any) -> None:
    a_sub = add_actions(sub, "accel", "the exact contraction hierarchy of a network, saved for "
                                      "later runs (--hierarchy)")
    p_ab = a_sub.add_parser("build", help="build the hierarchy of the network these options make "
                                          "(about a minute at 10^6 road edges) and save it")
    add_common(p_ab, year=True, modes=True)
    p_ab.add_argument("-o", "--output", required=True, metavar="FILE.cch",
                      help="hierarchy file to write (.cch, written atomically)")
    p_ab.set_defaults(func=cmd_accel_build)


def add_parsers(sub: Any) -> None:
    """Add the ``travel-time``, ``matrix`` and ``accel`` commands to the parser (``sub``)."""
    p_tt = sub.add_parser("travel-time", help="door-to-door minutes between two places, leg by leg")
    p_tt.add_argument("origin", metavar="FROM",
                      help="station id or name, county, city, airport, or lon,lat "
                           "(lon,lat@gcj02 or @bd09 for Amap or Baidu coordinates)")
    p_tt.add_argument("destination", metavar="TO", help="as FROM")
    add_common(p_tt, year=True, modes=True)
    p_tt.add_argument("--json", action="store_true", help="print JSON")
    p_tt.add_argument("--geojson", default=None, metavar="FILE",
                      help="write the legs with geometry (.geojson, .gpkg or .parquet)")
    p_tt.add_argument("--geometry", choices=("straight", "line"), default="line",
                      help="leg geometry: straight, or rides along the line geometry (default)")
    p_tt.add_argument("--departure", default=None, metavar="HH:MM",
                      help="leave at this time: legs get clock times (expected, as waits are "
                           "half the headway)")
    p_tt.add_argument("--crs", choices=("wgs84", "gcj02", "bd09"), default="wgs84",
                      help="coordinate system of lon,lat places (Amap: gcj02, Baidu: bd09)")
    _add_engine(p_tt)
    _add_hierarchy(p_tt)
    p_tt.set_defaults(func=cmd_travel_time)

    p_mx = sub.add_parser("matrix", help="door-to-door OD matrix between counties or cities")
    add_common(p_mx, year=True, modes=True)
    p_mx.add_argument("--level", choices=LEVELS, default="county", help="zones (default county)")
    _add_engine(p_mx)
    _add_hierarchy(p_mx)
    p_mx.add_argument("--origins", metavar="FILE", default=None,
                      help="origin points instead of zones: CSV id,lon,lat, GeoJSON or GeoPackage "
                           "(polygons use a point on them)")
    p_mx.add_argument("--destinations", metavar="FILE", default=None,
                      help="destination points (with --origins)")
    p_mx.add_argument("--id-column", default="id", metavar="NAME",
                      help="column of the point files holding ids (default id; row numbers if absent)")
    p_mx.add_argument("--crs", choices=POINT_CRS, default="wgs84",
                      help="coordinates of the point files: wgs84 (default), gcj02 (Amap) or "
                           "bd09 (Baidu)")
    p_mx.add_argument("--wide", action="store_true",
                      help="points matrix in wide form (one row per origin) instead of long")
    p_mx.add_argument("-o", "--output", required=True, metavar="FILE",
                      help="output file, .csv or .parquet (written atomically)")
    p_mx.set_defaults(func=cmd_matrix)
    _add_accel_commands(sub)
