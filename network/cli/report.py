"""``hzcircle map`` and ``report``: HTML maps and the whole report."""

from __future__ import annotations

import argparse
from typing import Any

from network.cli._common import (
    DEFAULT_MODES,
    MODES,
    add_common,
    add_gtfs,
    add_map_options,
    assumptions_of,
    progress,
    read_layers,
    roads_of,
    thresholds,
    year_of,
    years_of,
)


def cmd_report(args: argparse.Namespace) -> int:
    from network.report import run_report

    layers = read_layers(args)
    report = run_report(layers, years=years_of(args, layers), output_dir=args.output_dir,
                        maps_dir=args.maps_dir, modes=args.modes, roads=roads_of(args),
                        assumptions=assumptions_of(args), cdn=args.cdn, tiles=args.tiles,
                        scenarios=args.scenarios, progress=progress)
    print(report.text)
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    from network import maps
    from network._io import check_suffix, check_writable
    from network.report import build_map

    out = check_suffix(check_writable(args.output), (".html", ".htm"))
    maps.check_tiles(args.tiles)
    layers = read_layers(args)
    year = None if args.kind == "network" and args.year is None else year_of(args, layers)
    years = years_of(args, layers) if args.years else None
    m = build_map(args.kind, layers, place=args.place, year=year, years=years, modes=args.modes,
                  core=args.core, minutes=thresholds(args.minutes), reverse=args.reverse,
                  cells=args.cells, tiles=args.tiles, roads=roads_of(args),
                  assumptions=assumptions_of(args), progress=progress)
    size = maps.save_map(m, out, cdn=args.cdn)
    print(f"wrote {out} ({size / 1e6:.2f} MB{', Leaflet from CDN' if args.cdn else ''}"
          f"{'' if args.tiles == 'none' else ', web tiles ' + args.tiles})")
    return 0


def add_parsers(sub: Any) -> None:
    """Add the ``map`` and ``report`` commands to the parser (``sub``)."""
    p_map = sub.add_parser("map", help="write an HTML map (network, isochrone, commute-circle, "
                                       "scenario)")
    p_map.add_argument("kind", choices=("network", "isochrone", "commute-circle", "scenario"))
    p_map.add_argument("place", nargs="?", metavar="PLACE|FILE",
                       help="the origin (isochrone) or the scenario file (scenario)")
    add_common(p_map, year=True)
    p_map.add_argument("--modes", choices=MODES, default=DEFAULT_MODES, help="modes (default rail)")
    p_map.add_argument("--years", default=None, metavar="Y1,Y2,...",
                       help="commute-circle: one layer per year, e.g. 2020,2025")
    p_map.add_argument("--core", default=None, metavar="PLACE", help="commute-circle/scenario core")
    p_map.add_argument("--minutes", default="30,45,60,90", help="isochrone thresholds")
    p_map.add_argument("--reverse", action="store_true", help="isochrone: time to PLACE")
    p_map.add_argument("--cells", action="store_true", help="isochrone: add the surface cells")
    add_map_options(p_map)
    p_map.add_argument("-o", "--output", required=True, metavar="FILE.html")
    p_map.set_defaults(func=cmd_map)

    p_rp = sub.add_parser("report", help="the main job: scorecards, targets, isochrones, maps")
    add_common(p_rp)
    p_rp.add_argument("--years", default="2020,2025", metavar="Y1,Y2,...",
                      help="years to score (default 2020,2025: the plan's baseline and target)")
    p_rp.add_argument("--modes", choices=MODES, default=DEFAULT_MODES,
                      help="modes of the scorecard (default rail)")
    p_rp.add_argument("--roads", metavar="ROADS.npz|ROADS.graphml", default=None,
                      help="OSM roads from 'hzcircle osm import' (modes road/any)")
    add_gtfs(p_rp)
    add_map_options(p_rp)
    p_rp.add_argument("--scenarios", nargs="+", default=None, metavar="FILE",
                      help="scenario files: add the scenario map and the gain histogram")
    p_rp.add_argument("-o", "--output-dir", default="out", metavar="DIR",
                      help="folder for the report and its files (default out/)")
    p_rp.add_argument("--maps-dir", default="maps", metavar="DIR",
                      help="folder for the HTML maps (default maps/)")
    p_rp.set_defaults(func=cmd_report)
