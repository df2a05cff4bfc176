"""``hzcircle accessibility`` and ``sweep``: the runs that may spread over a Dask cluster
(``--scheduler``, ``--workers``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from network._errors import HzCircleError
from network.cli._common import (
    MODES,
    POINT_CRS,
    add_common,
    assumptions_of,
    build_network,
    provenance_of,
    read_layers,
    thresholds,
    year_of,
)


def cmd_accessibility(args: argparse.Namespace) -> int:
    import numpy as np

    from network._io import VECTOR_SUFFIXES, check_suffix, check_writable, write_vector
    from network.accessibility import Measure, grid_accessibility, point_accessibility
    from network.points import check_in_region, read_points

    out = check_suffix(check_writable(args.output), VECTOR_SUFFIXES)
    if bool(args.origins) == bool(args.grid):
        raise HzCircleError("give either --origins FILE or --grid (every grid cell as an origin)")
    measure = Measure(thresholds(args.minutes), args.decay).check()
    layers = read_layers(args)
    year = year_of(args, layers)
    opp = read_points(args.opportunities, crs=args.crs, id_column=args.id_column)
    if args.column is None:
        weights = np.ones(len(opp))
    elif args.column not in opp.data:
        raise HzCircleError(f"--column {args.column!r} is not a column of {args.opportunities}; "
                            f"columns: {', '.join(map(str, opp.data.columns))}")
    else:
        weights = _weights(opp.data[args.column], args.column)
    if args.grid:
        frame = grid_accessibility(layers, opp, weights, measure, year=year, modes=args.modes,
                                   assumptions=assumptions_of(args), cell_km=args.cell_km,
                                   scheduler=args.scheduler, workers=args.workers,
                                   quiet=not sys.stderr.isatty())
        origin_desc = f"{len(frame)} grid cells"
    else:
        net = build_network(args, layers, year, args.modes)
        origins = read_points(args.origins, crs=args.crs, id_column=args.id_column)
        check_in_region(net, origins, "origin")
        check_in_region(net, opp, "opportunity")
        frame = point_accessibility(net, origins, opp, weights, measure)
        origin_desc = f"{len(frame)} origins"
    meta = provenance_of(args, layers, year=year, modes=args.modes, opportunities=str(
        args.opportunities), column=args.column, minutes=measure.thresholds,
        decay_per_minute=measure.decay_per_minute)
    write_vector(frame, out, metadata=meta)
    last = f"within_{measure.thresholds[-1]:g}"
    print(f"wrote {out}: {origin_desc}, {len(opp)} opportunities "
          f"({args.column or 'count'}); mean within {measure.thresholds[-1]:g} min "
          f"{float(np.nanmean(frame[last])):,.0f}; year {year}, modes {args.modes}")
    return 0


def _weights(values: Any, column: str) -> Any:
    import numpy as np
    import pandas as pd

    w = pd.to_numeric(values, errors="coerce").to_numpy(float)
    if np.isinf(w).any() or (w < 0).any():
        raise HzCircleError(f"--column {column!r} must hold non-negative numbers")
    missing = int(np.isnan(w).sum())
    if missing:
        print(f"note: {missing} opportunities have no {column} value; they count as 0",
              file=sys.stderr)
    return np.nan_to_num(w, nan=0.0)


def cmd_sweep(args: argparse.Namespace) -> int:
    from network.scenarios.sweep import read_results, read_sweep, run_sweep

    layers = read_layers(args)
    sweep = read_sweep(args.spec, layers)
    summary = run_sweep(sweep, layers, args.output, year=args.year, modes=args.modes,
                        assumptions=assumptions_of(args), scheduler=args.scheduler,
                        workers=args.workers, quiet=not sys.stderr.isatty(),
                        metadata=provenance_of(args, layers, spec=str(args.spec)))
    results = read_results(args.output)
    best = results.sort_values("population_gain", ascending=False).head(args.top)
    print(f"sweep {sweep.name!r}: {summary['variants']} variants in {summary['chunks']} chunks "
          f"({summary['ran']} run now, {summary['resumed']} already done), year "
          f"{summary['year']}, modes {summary['modes']} -> {summary['folder']}")
    cols = ["variant", *sweep.vary, "population_gain", "mean_minutes_saved"]
    print(best[cols].to_string(index=False))
    return 0


def _add_cluster(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run on the Dask scheduler at ADDRESS (e.g. tcp://10.0.0.5:8786)")
    p.add_argument("--workers", type=int, default=None,
                   help="without --scheduler: N > 1 starts a local Dask cluster of N worker "
                        "processes, 1 runs in this process; default one worker per core (in "
                        "this process when there is one core or one chunk)")



def add_parsers(sub: Any) -> None:
    """Add the ``accessibility`` and ``sweep`` commands to the parser (``sub``)."""
    p_acc = sub.add_parser("accessibility",
                           help="opportunities (jobs...) reachable from points or every grid cell")
    add_common(p_acc, year=True, modes=True)
    p_acc.add_argument("--origins", metavar="FILE", default=None,
                       help="origin points: CSV id,lon,lat, GeoJSON or GeoPackage")
    p_acc.add_argument("--grid", action="store_true", help="every grid cell as an origin")
    p_acc.add_argument("--opportunities", metavar="FILE", required=True,
                       help="opportunity points (same formats as --origins)")
    p_acc.add_argument("--column", default=None,
                       help="column of the opportunities to sum, e.g. jobs (default: count them)")
    p_acc.add_argument("--minutes", default="30,45,60",
                       help="cumulative thresholds in minutes (default 30,45,60)")
    p_acc.add_argument("--decay", type=float, default=None, metavar="RATE",
                       help="also sum opportunities x exp(-RATE x minutes) (RATE per minute)")
    p_acc.add_argument("--id-column", default="id", metavar="NAME",
                      help="column of the point files holding ids (default id; row numbers if absent)")
    p_acc.add_argument("--crs", choices=POINT_CRS, default="wgs84",
                       help="coordinates of the point files (wgs84, gcj02 or bd09)")
    p_acc.add_argument("--cell-km", type=float, default=None,
                       help="grid cell size in km for --grid (default: the assumptions' cell_km)")
    _add_cluster(p_acc)
    p_acc.add_argument("-o", "--output", required=True, metavar="FILE",
                       help="output .gpkg, .geojson or .parquet (written atomically)")
    p_acc.set_defaults(func=cmd_accessibility)

    p_sw = sub.add_parser("sweep", help="evaluate a family of candidate lines from a sweep file")
    add_common(p_sw)
    p_sw.add_argument("spec", metavar="SPEC.yaml", help="sweep file (see scenarios/sweeps/)")
    p_sw.add_argument("--year", type=int, default=None,
                      help="network year (default: the sweep file's, else the data year)")
    p_sw.add_argument("--modes", choices=MODES, default=None,
                      help="modes (default: the sweep file's, else rail)")
    p_sw.add_argument("--top", type=int, default=10, help="print the best N variants")
    _add_cluster(p_sw)
    p_sw.add_argument("-o", "--output", required=True, metavar="DIR",
                      help="folder for the results (part-*.parquet); rerun to resume")
    p_sw.set_defaults(func=cmd_sweep)
