"""The ``hzcircle`` command line: parse arguments, call the library, print.

Nothing in the library imports this module. Heavy imports happen inside the command functions
so that ``hzcircle --help`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn

from network._errors import HzCircleError

MODES = ("rail", "road", "any")
LEVELS = ("county", "city")
#: The default mode set of every command (``network.graph.DEFAULT_MODES``, repeated here so
#: that ``--help`` does not import the graph module).
DEFAULT_MODES = "rail"


def _layers(args: argparse.Namespace, *, validate: bool = True) -> Any:
    """Load the layers and check them with the rules of ``hzcircle layers check`` (a command
    never computes on layers the check rejects)."""
    from network.layers import load_layers
    from network.validate import require_valid

    layers = load_layers(args.layers)
    if validate:
        layers = require_valid(layers)
    feeds = getattr(args, "gtfs", None)
    if feeds:
        from network.gtfs import import_feeds

        before = len(layers.services)
        layers = import_feeds(layers, feeds, window=args.window, assumptions=_assumptions(args))
        _progress(f"GTFS: {len(layers.services) - before} service(s) added from "
                  f"{len(feeds)} feed(s), headways from departures in {args.window}")
    return layers


def _assumptions(args: argparse.Namespace) -> Any:
    from network.assumptions import DEFAULT, read_assumptions

    a = DEFAULT
    if getattr(args, "assumptions", None):
        a = read_assumptions(args.assumptions)
    if getattr(args, "set", None):
        a = a.with_settings(args.set)
    return a


def _year(args: argparse.Namespace, layers: Any) -> int:
    from network.years import check_year, default_year

    return check_year(layers, args.year if args.year is not None else default_year(layers))


def _roads(args: argparse.Namespace) -> Any:
    if not getattr(args, "roads", None):
        return None
    from network.osm import as_arrays, load

    return as_arrays(load(args.roads))  # once, for every network built from them


def _network(args: argparse.Namespace, layers: Any, year: int, modes: str) -> Any:
    from network.queries import Network

    roads = _roads(args)
    net = Network(layers, year=year, modes=modes, roads=roads, assumptions=_assumptions(args))
    if roads is not None:
        far = [s for s in net.snaps if s.km > 0.5]
        _progress(f"OSM roads: {roads.number_of_edges():,} edges; {len(net.snaps)} places snapped "
                  f"(max {max((s.km for s in net.snaps), default=0):.2f} km"
                  f"{f', {len(far)} over 0.5 km' if far else ''})")
    return net


def _provenance(args: argparse.Namespace, layers: Any, **facts: Any) -> dict[str, Any]:
    from network.provenance import provenance

    return provenance(_assumptions(args), layers=layers, **facts)


def _print_json(obj: Any, args: argparse.Namespace, layers: Any, **facts: Any) -> None:
    """Print ``obj`` as JSON with the provenance (assumptions, data year...) of the answer."""
    record = _provenance(args, layers, **facts)
    if isinstance(obj, dict):
        out = {**obj, "provenance": {k: v for k, v in record.items() if k != "assumptions"},
               "assumptions": record["assumptions"]}
    else:
        out = {"results": obj, "provenance": {k: v for k, v in record.items()
                                              if k != "assumptions"},
               "assumptions": record["assumptions"]}
    print(json.dumps(out, ensure_ascii=False, indent=2))


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# commands
# ------------------------------------------------------------------------------------------


def cmd_layers_check(args: argparse.Namespace) -> int:
    from network.validate import check_layers

    layers = _layers(args, validate=False)
    problems = check_layers(layers)
    for p in problems:
        print(p)
    counts = {name: len(getattr(layers, name)) for name in
              ("stations", "lines", "services", "service_stops", "interchanges", "road_nodes",
               "expressways", "airports", "zones", "boundaries", "cities", "targets")}
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    if problems:
        print(f"{len(problems)} problem(s) in {layers.path} ({summary})", file=sys.stderr)
        return 1
    print(f"layers OK: {layers.path} ({summary})")
    return 0


def cmd_layers_stats(args: argparse.Namespace) -> int:
    from network.layerstats import format_stats, layer_stats

    layers = _layers(args)
    stats = layer_stats(layers)
    if args.json:
        _print_json(stats, args, layers)
    else:
        print(format_stats(stats))
    return 0


def _clean(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def cmd_stations(args: argparse.Namespace) -> int:
    layers = _layers(args)
    rows = []
    for s in layers.stations.itertuples():
        rows.append({"id": s.id, "name": s.name, "name_zh": s.name_zh, "city": s.city,
                     "county": s.county, "kind": s.kind, "lon": round(s.lon, 6),
                     "lat": round(s.lat, 6), "opened": s.opened, "former_names": s.former_names,
                     "external": bool(s.external), "source": s.source})
    if args.json:
        _print_json(rows, args, layers)
    else:
        for r in rows:
            print(f"{r['id']:<28} {r['name']:<28} {r['name_zh']:<8} {r['city']:<10} "
                  f"{r['kind']:<12} {r['opened']}")
    return 0


def _service_rows(layers: Any) -> list[dict[str, Any]]:
    stops = layers.service_stops.sort_values(["service_id", "seq"])
    groups = dict(tuple(stops.groupby("service_id")))
    rows = []
    for s in layers.services.to_dict("records"):
        g = groups.get(s["id"])
        ids = list(g["station_id"]) if g is not None else []
        runs = [_clean(v) for v in g["run_minutes"]][1:] if g is not None else []
        rows.append({**{k: _clean(s[k]) for k in ("id", "line_id", "name", "name_zh", "class",
                                                    "pattern", "headway_minutes", "opened",
                                                    "closed", "source")},
                     "stops": ids, "run_minutes": runs})
    return rows


def cmd_lines(args: argparse.Namespace) -> int:
    layers = _layers(args)
    rows = _service_rows(layers)
    if args.json:
        _print_json(rows, args, layers)
    else:
        for r in rows:
            total = sum(r["run_minutes"])
            print(f"{r['id']:<40} {r['class']:<12} {len(r['stops']):>3} stops "
                  f"{total:>6.0f} min  every {r['headway_minutes']:g} min  {r['name']}")
    return 0


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
    from network.accel import ENGINES

    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="shortest-path engine: dijkstra, cch (exact contraction hierarchy, "
                        "certified within 0.001 min; its one-off preprocessing pays only on large "
                        "road graphs) or auto (default: the hierarchy of --hierarchy when given, else "
                        "Dijkstra)")


def _add_hierarchy(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hierarchy", metavar="FILE.cch", default=None,
                   help="use the contraction hierarchy saved by 'hzcircle accel build' with the "
                        "same --layers, --year, --modes, --roads and --gtfs (refused if built for "
                        "another graph); --engine auto then uses it")


def _engine(args: argparse.Namespace, net: Any) -> str:
    """The engine to ask the library for: with ``--hierarchy``, load it (``cch``)."""
    if not getattr(args, "hierarchy", None):
        return str(args.engine)
    if args.engine == "dijkstra":
        raise HzCircleError("--hierarchy is used by --engine auto or cch; drop --hierarchy or "
                            "--engine dijkstra")
    import time

    t0 = time.perf_counter()
    h = net.accelerate(path=args.hierarchy)
    _progress(f"hierarchy {args.hierarchy}: {h.n:,} nodes, loaded in "
              f"{time.perf_counter() - t0:.1f} s")
    return "cch"


def cmd_accel_build(args: argparse.Namespace) -> int:
    import time

    from network._io import check_suffix, check_writable
    from network.accel import SUFFIX

    out = check_suffix(check_writable(args.output), (SUFFIX,))
    layers = _layers(args)
    net = _network(args, layers, _year(args, layers), args.modes)
    _progress(f"building the contraction hierarchy of {net.compiled.matrix.nnz:,} arcs "
              "(about a minute at 10^6 road edges)")
    t0 = time.perf_counter()
    h = net.accelerate()
    built = time.perf_counter() - t0
    h.save(out, metadata=_provenance(args, layers, year=net.year, modes=net.modes,
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
    layers = _layers(args)
    net = _network(args, layers, _year(args, layers), args.modes)
    from network.places import with_crs

    journey = net.travel_time(with_crs(args.origin, args.crs), with_crs(args.destination, args.crs),
                              engine=_engine(args, net))
    frame = None
    if args.geojson or args.departure:
        from network.journeys import journey_frame

        frame = journey_frame(net, journey, geometry=args.geometry, departure=args.departure)
    if args.geojson:
        from network._io import write_vector

        write_vector(frame, args.geojson, metadata=_provenance(
            args, layers, year=net.year, modes=net.modes, departure=args.departure))
        _progress(f"wrote {args.geojson}: {len(frame)} legs")
    if args.json:
        out = journey.as_dict()
        if args.departure:
            for leg, r in zip(out["legs"], frame.itertuples(), strict=True):
                leg["depart"], leg["arrive"] = r.depart, r.arrive
        _print_json(out, args, layers, year=net.year, modes=net.modes)
    else:
        clocks = None
        if args.departure:
            clocks = [*frame["depart"], frame["arrive"].iloc[-1]]
        print(_format_journey(journey, clocks))
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    from network._io import TABLE_SUFFIXES, check_suffix, check_writable, write_table

    out = check_suffix(check_writable(args.output), TABLE_SUFFIXES)
    layers = _layers(args)
    if args.origins or args.destinations:
        if args.hierarchy:
            raise HzCircleError("--hierarchy applies to zone matrices (--level); drop it with "
                                "--origins/--destinations")
        return _points_matrix(args, layers, out)
    net = _network(args, layers, _year(args, layers), args.modes)
    frame = net.matrix(level=args.level, engine=_engine(args, net))
    write_table(frame, out, metadata=_provenance(args, layers, year=net.year, modes=net.modes,
                                                 level=args.level))
    reached = int(frame["minutes"].notna().sum())
    print(f"wrote {out}: {len(frame)} OD pairs ({reached} reachable), level {args.level}, "
          f"year {net.year}, modes {net.modes}")
    return 0


#: Largest travel time an option may give (minutes): a day.
MAX_MINUTES = 1440.0
#: Bounds of --cell-km (km): finer than the grid module allows is refused there; coarser than
#: this leaves a handful of cells over the whole circle.
MAX_CELL_KM = 20.0

#: Coordinate systems of point files (as network.points.POINT_CRS; kept here so --help
#: does not import numpy).
_POINT_CRS = ("wgs84", "gcj02", "bd09")


def _points_matrix(args: argparse.Namespace, layers: Any, out: Any) -> int:
    import numpy as np

    from network._io import write_table
    from network.points import check_in_region, matrix_frame, point_times, read_points

    if not (args.origins and args.destinations):
        raise HzCircleError("a points matrix needs both --origins FILE and --destinations FILE")
    origins = read_points(args.origins, crs=args.crs, id_column=args.id_column)
    destinations = read_points(args.destinations, crs=args.crs, id_column=args.id_column)
    net = _network(args, layers, _year(args, layers), args.modes)
    check_in_region(net, origins, "origin")
    check_in_region(net, destinations, "destination")
    minutes = point_times(net, origins, destinations)
    frame = matrix_frame(origins, destinations, minutes, wide=args.wide)
    write_table(frame, out, metadata=_provenance(
        args, layers, year=net.year, modes=net.modes, origins=str(args.origins),
        destinations=str(args.destinations), crs=args.crs, form="wide" if args.wide else "long"))
    reached = int(np.isfinite(minutes).sum())
    print(f"wrote {out}: {len(origins)} x {len(destinations)} points ({reached} pairs reachable), "
          f"year {net.year}, modes {net.modes}")
    return 0


def cmd_accessibility(args: argparse.Namespace) -> int:
    import numpy as np

    from network._io import VECTOR_SUFFIXES, check_suffix, check_writable, write_vector
    from network.accessibility import Measure, grid_accessibility, point_accessibility
    from network.points import check_in_region, read_points

    out = check_suffix(check_writable(args.output), VECTOR_SUFFIXES)
    if bool(args.origins) == bool(args.grid):
        raise HzCircleError("give either --origins FILE or --grid (every grid cell as an origin)")
    measure = Measure(_thresholds(args.minutes), args.decay).check()
    layers = _layers(args)
    year = _year(args, layers)
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
                                   assumptions=_assumptions(args), cell_km=args.cell_km,
                                   scheduler=args.scheduler, workers=args.workers,
                                   quiet=not sys.stderr.isatty())
        origin_desc = f"{len(frame)} grid cells"
    else:
        net = _network(args, layers, year, args.modes)
        origins = read_points(args.origins, crs=args.crs, id_column=args.id_column)
        check_in_region(net, origins, "origin")
        check_in_region(net, opp, "opportunity")
        frame = point_accessibility(net, origins, opp, weights, measure)
        origin_desc = f"{len(frame)} origins"
    meta = _provenance(args, layers, year=year, modes=args.modes, opportunities=str(
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

    layers = _layers(args)
    sweep = read_sweep(args.spec, layers)
    summary = run_sweep(sweep, layers, args.output, year=args.year, modes=args.modes,
                        assumptions=_assumptions(args), scheduler=args.scheduler,
                        workers=args.workers, quiet=not sys.stderr.isatty(),
                        metadata=_provenance(args, layers, spec=str(args.spec)))
    results = read_results(args.output)
    best = results.sort_values("population_gain", ascending=False).head(args.top)
    print(f"sweep {sweep.name!r}: {summary['variants']} variants in {summary['chunks']} chunks "
          f"({summary['ran']} run now, {summary['resumed']} already done), year "
          f"{summary['year']}, modes {summary['modes']} -> {summary['folder']}")
    cols = ["variant", *sweep.vary, "population_gain", "mean_minutes_saved"]
    print(best[cols].to_string(index=False))
    return 0


def _thresholds(text: str) -> list[float]:
    from network._errors import shorten
    from network.surface import check_thresholds

    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise HzCircleError(f"--minutes {shorten(text, 60)}: give numbers separated by commas, "
                            "e.g. 30,45,60,90") from None
    for v in values:
        if not math.isfinite(v) or v > MAX_MINUTES:
            raise HzCircleError(f"--minutes {shorten(text, 60)}: {v:g} is not a number of minutes "
                                f"from 0 to {MAX_MINUTES:g}; give e.g. 30,45,60,90")
    return check_thresholds(values)


def _minutes(value: float | None) -> float | None:
    """Check a single --minutes threshold (finite, in (0, MAX_MINUTES])."""
    if value is not None and not (math.isfinite(value) and 0 < value <= MAX_MINUTES):
        raise HzCircleError(f"--minutes {value:g}: give a number of minutes above 0 and up to "
                            f"{MAX_MINUTES:g}, e.g. 60")
    return value


def _cell_km(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and 0 < value <= MAX_CELL_KM):
        raise HzCircleError(f"--cell-km {value:g}: give a cell size in km above 0 and up to "
                            f"{MAX_CELL_KM:g}, e.g. 1")
    return value


def cmd_isochrone(args: argparse.Namespace) -> int:
    from network._io import VECTOR_SUFFIXES, check_suffix, check_writable, staged, write_vector
    from network.surface import travel_time_surface

    out = check_suffix(check_writable(args.output), VECTOR_SUFFIXES)
    if args.raster:
        check_suffix(check_writable(args.raster), (".tif", ".tiff"))
    if args.cells:
        check_writable(out.with_name(out.stem + "_cells" + out.suffix))
    minutes = _thresholds(args.minutes)
    cell_km = _cell_km(args.cell_km)
    layers = _layers(args)
    net = _network(args, layers, _year(args, layers), args.modes)
    grid = net.grid(cell_km)
    from network.places import with_crs

    surface = travel_time_surface(net, with_crs(args.place, args.crs), reverse=args.reverse,
                                  grid=grid)
    frame = surface.isochrones(minutes)
    meta = _provenance(args, layers, year=net.year, modes=net.modes, origin=surface.origin,
                       reverse=args.reverse, cell_km=grid.cell_km)
    with staged() as stage:  # the isochrones, their cells and the raster: all or none
        write_vector(frame, stage.path(out), metadata=meta)
        if args.cells:
            cells_out = out.with_name(out.stem + "_cells" + out.suffix)
            write_vector(surface.cells(), stage.path(cells_out), metadata=meta)
        if args.raster:
            from network.raster import write_raster

            write_raster(surface, stage.path(check_writable(args.raster)), metadata=meta)
    if args.raster:
        print(f"wrote {args.raster}: GeoTIFF of minutes, EPSG:4549, {grid.cell_km:g} km pixels")
    if args.cells:
        print(f"wrote {cells_out}")
    for r in frame.itertuples():
        print(f"  {r.minutes:>5g} min  {r.area_km2:>9,.0f} km2  {r.population:>12,} people")
    print(f"wrote {out}: isochrones {'to' if args.reverse else 'from'} {surface.origin}, "
          f"{net.year}, {net.modes}, {grid.cell_km:g} km cells")
    return 0


def _years(args: argparse.Namespace, layers: Any) -> list[int]:
    from network._errors import shorten

    text = shorten(args.years, 60)
    if args.years is not None:
        try:
            years = [int(y) for y in args.years.split(",") if y.strip()]
        except ValueError:
            raise HzCircleError(f"--years {text}: give years separated by commas, "
                                "e.g. 2019,2020,2022,2025") from None
    else:
        years = [_year(args, layers)]
    if not years:
        raise HzCircleError(f"--years {text}: give at least one year, e.g. 2020,2025")
    if len(set(years)) != len(years):
        raise HzCircleError(f"--years {text}: a year is repeated; give each year once")
    from network.years import check_year

    return [check_year(layers, y) for y in years]


def _commute_readings(args: argparse.Namespace, layers: Any, nets: dict, cards: list) -> int:
    """commute-circle --reading / --uncertainty / --sensitivity / -o."""
    from network import readings as rd

    names = rd.reading_names(args.reading or "all")
    results = [rd.evaluate(nets[c.year], readings=names, card=c) for c in cards]
    extra: dict[str, Any] = {}
    if args.uncertainty or args.sensitivity:
        from network import uncertainty as un

        if args.uncertainty:
            _progress(f"drawing {args.uncertainty} samples (seed {args.seed})...")
            extra["uncertainty"] = [un.sample(nets[c.year], n=args.uncertainty, seed=args.seed,
                                              card=c) for c in cards]
        if args.sensitivity:
            _progress("one-at-a-time swings over each assumption's range...")
            extra["sensitivity"] = [un.sensitivity(nets[c.year], card=c) for c in cards]
    if args.output:
        from network._io import check_writable

        out = check_writable(args.output)
        rd.write_scorecard(results, out, nets=nets, cards=cards, uncertainty=extra.get("uncertainty"),
                           layers=layers, assumptions=_assumptions(args))
        _progress(f"wrote {out}")
        for sens in extra.get("sensitivity", []):
            from network._io import write_table
            from network.provenance import provenance

            path = out.with_name(f"{out.stem}_sensitivity_{sens.year}.csv")
            write_table(sens.table, check_writable(path),
                        metadata=provenance(_assumptions(args), layers=layers))
            _progress(f"wrote {path} (tornado table: input x unit)")
    if args.json:
        body: dict[str, Any] = {"years": [r.as_dict() for r in results]}
        for k, v in extra.items():
            body[k] = [x.as_dict() for x in v]
        _print_json(body, args, layers, modes=args.modes)
        return 0
    print("\n\n".join(rd.format_readings(r) for r in results))
    if len(results) > 1:
        print()
        print(rd.format_gains(cards, nets))
    for v in extra.values():
        for x in v:
            print()
            print(x.format())
    return 0


def cmd_commute_circle(args: argparse.Namespace) -> int:
    from network.scorecard import flips, format_scorecard, format_years, scorecard

    if args.reading:
        from network.readings import reading_names

        reading_names(args.reading)  # a bad name fails before any network is built
    _minutes(args.minutes)
    layers = _layers(args)
    years = _years(args, layers)
    if args.uncertainty is not None and args.uncertainty < 1:
        raise HzCircleError(f"--uncertainty {args.uncertainty}: give a number of samples >= 1, e.g. 200")
    core: Any = args.core
    if args.core and (";" in args.core or args.core.lower().endswith(".csv") or args.core_mode):
        from network.scorecard import read_core_set

        core = read_core_set(layers, args.core, mode=args.core_mode or "nearest")
    cards, nets = [], {}
    for y in years:
        _progress(f"building the {args.modes} network of {y}...")
        nets[y] = _network(args, layers, y, args.modes)
        cards.append(scorecard(nets[y], core=core, minutes=args.minutes))
    if args.reading or args.uncertainty or args.sensitivity or args.output:
        return _commute_readings(args, layers, nets, cards)
    changes = flips(layers, cards, nets) if len(cards) > 1 else []
    if args.json:
        out = cards[0].as_dict() if len(cards) == 1 else {
            "years": [c.as_dict() for c in cards],
            "changes": [vars(f) for f in changes]}
        _print_json(out, args, layers, modes=args.modes)
        return 0
    if len(cards) == 1:
        print(format_scorecard(cards[0]))
        return 0
    print(format_years(cards, changes))
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from network.targets import format_tracker, track
    from network.years import check_year

    layers = _layers(args)
    tr = track(layers, year=check_year(layers, _year(args, layers)))
    if args.json:
        _print_json(tr.as_dict(), args, layers, year=tr.year)
    else:
        print(format_tracker(tr))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from network.report import run_report

    layers = _layers(args)
    report = run_report(layers, years=_years(args, layers), output_dir=args.output_dir,
                        maps_dir=args.maps_dir, modes=args.modes, roads=_roads(args),
                        assumptions=_assumptions(args), cdn=args.cdn, tiles=args.tiles,
                        scenarios=args.scenarios, progress=_progress)
    print(report.text)
    return 0


def cmd_scenario_check(args: argparse.Namespace) -> int:
    from network.scenarios import ScenarioError, read_scenario

    layers = _layers(args)
    for path in args.files:
        try:
            s = read_scenario(path, layers)
        except ScenarioError as exc:
            problems = str(exc).splitlines()
            if len(problems) > 1:  # the full list on stdout; the error line says how many
                print("\n".join(_short_words(p) for p in problems))
            raise
        kinds = ", ".join(m["type"] for m in s.modifications)
        print(f"{path}: OK - {s.name}{' (hypothetical)' if s.hypothetical else ''}: "
              f"{len(s.modifications)} modification(s): {kinds}")
    return 0


def cmd_scenario_compare(args: argparse.Namespace) -> int:
    from network import maps
    from network._io import check_suffix, check_writable
    from network.scenarios import compare_files, format_comparison

    if args.map:
        check_suffix(check_writable(args.map), (".html", ".htm"))
    layers = _layers(args)
    year = _years(args, layers)[0]
    results = compare_files(args.files, layers=layers, year=year, modes=args.modes,
                            core=args.core, roads=_roads(args), assumptions=_assumptions(args))
    if args.map:
        m = maps.comparison_map(results, tiles=args.tiles, assumptions=_assumptions(args))
        size = maps.save_map(m, args.map, cdn=args.cdn)
        _progress(f"wrote {args.map} ({size / 1e6:.2f} MB)")
    if args.json:
        out = [r.as_dict() for r in results]
        _print_json(out[0] if len(out) == 1 else out, args, layers, year=year, modes=args.modes)
        return 0
    for r in results:
        print(format_comparison(r))
        print()
    if len(results) > 1:
        print("Ranking by population newly within the hour, then mean county-to-county gain:")
        ranked = sorted(results, key=lambda r: (
            r.population_within_hour_before - r.population_within_hour_after,
            -float(r.od_gains["gain"].clip(lower=0).mean())))
        for i, r in enumerate(ranked, 1):
            gain = r.population_within_hour_after - r.population_within_hour_before
            best = r.od_gains["gain"].max()
            mean = float(r.od_gains["gain"].clip(lower=0).mean())
            print(f"  {i}. {r.scenario.name[:60]:<60} {gain / 1e6:+.2f} M people, "
                  f"{len(r.flipped)} flip(s), mean OD gain {mean:.1f} min, best {best:.0f} min")
    return 0


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
        bbox = tuple(_layers(args).boundaries.total_bounds)
    G = osm.download(place=args.place, bbox=bbox)
    path = osm.save(G, args.output)
    print(f"wrote {path}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges")
    return 0


def _print_validation(report: Any) -> int:
    errors = int((report["type"] == "error").sum()) if len(report) else 0
    warnings = len(report) - errors
    for r in report.itertuples():
        print(f"  {r.type:<8} {r.table:<16} {r.message}")
    print(f"gtfs-kit validation: {errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0


def cmd_gtfs_export(args: argparse.Namespace) -> int:
    from network.gtfs import export_gtfs, validate_feed

    layers = _layers(args)
    s = export_gtfs(layers, args.output, year=_year(args, layers), service_day=args.service_day,
                    assumptions=_assumptions(args), publisher_url=args.publisher_url)
    print(f"wrote {s.path}: {s.routes} routes, {s.trips} frequency-based trips, {s.stops} stops "
          f"({s.parent_stations} parent stations), {s.stop_times} stop times; network of {s.year}")
    return _print_validation(validate_feed(s.path)) if args.validate else 0


def cmd_gtfs_validate(args: argparse.Namespace) -> int:
    from network.gtfs import read_feed, validate_feed

    read_feed(args.feed)  # clear one-line errors for a broken feed first
    return _print_validation(validate_feed(args.feed))

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


def cmd_map(args: argparse.Namespace) -> int:
    from network import maps
    from network._io import check_suffix, check_writable
    from network.report import build_map

    out = check_suffix(check_writable(args.output), (".html", ".htm"))
    maps.check_tiles(args.tiles)
    layers = _layers(args)
    year = None if args.kind == "network" and args.year is None else _year(args, layers)
    years = _years(args, layers) if args.years else None
    m = build_map(args.kind, layers, place=args.place, year=year, years=years, modes=args.modes,
                  core=args.core, minutes=_thresholds(args.minutes), reverse=args.reverse,
                  cells=args.cells, tiles=args.tiles, roads=_roads(args),
                  assumptions=_assumptions(args), progress=_progress)
    size = maps.save_map(m, out, cdn=args.cdn)
    print(f"wrote {out} ({size / 1e6:.2f} MB{', Leaflet from CDN' if args.cdn else ''}"
          f"{'' if args.tiles == 'none' else ', web tiles ' + args.tiles})")
    return 0


# ------------------------------------------------------------------------------------------
# parser
# ------------------------------------------------------------------------------------------


def _add_common(p: argparse.ArgumentParser, *, year: bool = False, modes: bool = False) -> None:
    p.add_argument("--layers", metavar="DIR", default=None,
                   help="layers folder (default: $HZCIRCLE_LAYERS or the layers shipped with the "
                        "package)")
    p.add_argument("--assumptions", metavar="FILE", default=None,
                   help="model assumptions from a YAML or TOML file of name: value "
                        "(see docs/method.md)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[],
                   help="change one assumption, e.g. --set wait_cap_minutes=10 (repeatable)")
    if year:
        p.add_argument("--year", type=int, default=None,
                       help="network as it stood at the end of this year (default: the layers' "
                            "data year)")
        p.add_argument("--roads", metavar="ROADS.npz|ROADS.graphml", default=None,
                       help="OSM roads from 'hzcircle osm import' replacing the sketch road model "
                            "within their extent (modes road/any; .npz loads fastest)")
        _add_gtfs(p)
    if modes:
        p.add_argument("--modes", choices=MODES, default=DEFAULT_MODES,
                       help="rail (with walk/local-transit access; the default), road (car) or "
                            "any")


def _add_gtfs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gtfs", metavar="FEED", action="append", default=[],
                   help="add a GTFS feed's services (zip or folder; repeatable); stops join "
                        "layer stations within gtfs_join_max_km or become new stations")
    p.add_argument("--window", default="07:00-09:00", metavar="HH:MM-HH:MM",
                   help="departure window of the --gtfs headways (default 07:00-09:00)")


def _add_accel_commands(sub: Any) -> None:
    p_a = sub.add_parser("accel", help="the exact contraction hierarchy of a network, saved for "
                                       "later runs (--hierarchy)")
    a_sub = p_a.add_subparsers(dest="accel_command", metavar="ACTION", required=True)
    p_ab = a_sub.add_parser("build", help="build the hierarchy of the network these options make "
                                          "(about a minute at 10^6 road edges) and save it")
    _add_common(p_ab, year=True, modes=True)
    p_ab.add_argument("-o", "--output", required=True, metavar="FILE.cch",
                      help="hierarchy file to write (.cch, written atomically)")
    p_ab.set_defaults(func=cmd_accel_build)


def _add_gtfs_commands(sub: Any) -> None:
    p_g = sub.add_parser("gtfs", help="GTFS feeds: export the rail services, validate a feed")
    g_sub = p_g.add_subparsers(dest="gtfs_command", metavar="ACTION", required=True)
    p_ge = g_sub.add_parser("export", help="write the rail services of a year as a GTFS zip "
                                           "(frequency-based)")
    _add_common(p_ge)
    p_ge.add_argument("--year", type=int, default=None,
                      help="network year (default: the layers' data year)")
    p_ge.add_argument("--service-day", default="06:00-23:00", metavar="HH:MM-HH:MM",
                      help="span of the frequencies (a convention; default 06:00-23:00)")
    p_ge.add_argument("--publisher-url", default="https://example.invalid/hzcircle",
                      help="feed_publisher_url (and the urban-rail agency's URL): give your own")
    p_ge.add_argument("--validate", action="store_true",
                      help="validate the written feed with gtfs-kit and print its report")
    p_ge.add_argument("-o", "--output", required=True, metavar="FEED.zip")
    p_ge.set_defaults(func=cmd_gtfs_export)
    p_gv = g_sub.add_parser("validate", help="validate a GTFS feed with gtfs-kit; exit 1 on errors")
    p_gv.add_argument("feed", metavar="FEED")
    p_gv.set_defaults(func=cmd_gtfs_validate)

def _add_map_options(p: argparse.ArgumentParser) -> None:
    """Maps are self-contained (no network request) unless --tiles or --cdn ask otherwise."""
    p.add_argument("--tiles", default="none", choices=("none", "light", "osm"),
                   help="basemap: none (default, no network request), light (Esri gray) or osm "
                        "(web tiles)")
    p.add_argument("--cdn", action="store_true",
                   help="load Leaflet/folium from their CDNs instead of inlining them")
    p.add_argument("--offline", action="store_true",
                   help="kept for compatibility: maps are self-contained by default")

def _add_cluster(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run on the Dask scheduler at ADDRESS (e.g. tcp://10.0.0.5:8786)")
    p.add_argument("--workers", type=int, default=None,
                   help="without --scheduler: N > 1 starts a local Dask cluster of N worker "
                        "processes, 1 runs in this process; default one worker per core (in "
                        "this process when there is one core or one chunk)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hzcircle",
        description="Transport-network analyzer for the Hangzhou metropolitan circle "
                    "(Hangzhou, Huzhou, Jiaxing, Shaoxing, Quzhou, Huangshan).",
    )
    parser.add_argument("--version", action="version", version="hzcircle 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p_layers = sub.add_parser("layers", help="inspect and validate the data layers")
    layers_sub = p_layers.add_subparsers(dest="layers_command", metavar="ACTION", required=True)
    p_check = layers_sub.add_parser("check", help="validate every layer; exit 1 on problems")
    _add_common(p_check)
    p_check.set_defaults(func=cmd_layers_check)
    p_lstats = layers_sub.add_parser(
        "stats", help="counts and shares of facts and estimates (hops, minutes, headways, km)")
    _add_common(p_lstats)
    p_lstats.add_argument("--json", action="store_true", help="print JSON")
    p_lstats.set_defaults(func=cmd_layers_stats)

    p_st = sub.add_parser("stations", help="list the stations")
    _add_common(p_st)
    p_st.add_argument("--json", action="store_true", help="print JSON")
    p_st.set_defaults(func=cmd_stations)

    p_lines = sub.add_parser("lines", help="list the rail services")
    _add_common(p_lines)
    p_lines.add_argument("--json", action="store_true", help="print JSON")
    p_lines.set_defaults(func=cmd_lines)

    p_tt = sub.add_parser("travel-time", help="door-to-door minutes between two places, leg by leg")
    p_tt.add_argument("origin", metavar="FROM",
                      help="station id or name, county, city, airport, or lon,lat "
                           "(lon,lat@gcj02 or @bd09 for Amap or Baidu coordinates)")
    p_tt.add_argument("destination", metavar="TO", help="as FROM")
    _add_common(p_tt, year=True, modes=True)
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
    _add_common(p_mx, year=True, modes=True)
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
    p_mx.add_argument("--crs", choices=_POINT_CRS, default="wgs84",
                      help="coordinates of the point files: wgs84 (default), gcj02 (Amap) or "
                           "bd09 (Baidu)")
    p_mx.add_argument("--wide", action="store_true",
                      help="points matrix in wide form (one row per origin) instead of long")
    p_mx.add_argument("-o", "--output", required=True, metavar="FILE",
                      help="output file, .csv or .parquet (written atomically)")
    p_mx.set_defaults(func=cmd_matrix)
    _add_accel_commands(sub)

    p_acc = sub.add_parser("accessibility",
                           help="opportunities (jobs...) reachable from points or every grid cell")
    _add_common(p_acc, year=True, modes=True)
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
    p_acc.add_argument("--crs", choices=_POINT_CRS, default="wgs84",
                       help="coordinates of the point files (wgs84, gcj02 or bd09)")
    p_acc.add_argument("--cell-km", type=float, default=None,
                       help="grid cell size in km for --grid (default: the assumptions' cell_km)")
    _add_cluster(p_acc)
    p_acc.add_argument("-o", "--output", required=True, metavar="FILE",
                       help="output .gpkg, .geojson or .parquet (written atomically)")
    p_acc.set_defaults(func=cmd_accessibility)

    p_sw = sub.add_parser("sweep", help="evaluate a family of candidate lines from a sweep file")
    _add_common(p_sw)
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

    p_iso = sub.add_parser("isochrone", help="isochrone polygons from (or to) a place")
    p_iso.add_argument("place", metavar="PLACE", help="station, county, city, airport or lon,lat")
    _add_common(p_iso, year=True, modes=True)
    p_iso.add_argument("--minutes", default="30,45,60,90",
                       help="increasing thresholds in minutes (default 30,45,60,90)")
    p_iso.add_argument("--cell-km", type=float, default=None,
                       help="grid cell size in km (default 1)")
    p_iso.add_argument("--reverse", action="store_true",
                       help="time to reach PLACE from everywhere, instead of from PLACE")
    p_iso.add_argument("--cells", action="store_true",
                       help="also write the surface cells with their minutes (FILE_cells.EXT)")
    p_iso.add_argument("--crs", choices=("wgs84", "gcj02", "bd09"), default="wgs84",
                       help="coordinate system of a lon,lat PLACE (Amap: gcj02, Baidu: bd09)")
    p_iso.add_argument("--raster", default=None, metavar="SURFACE.tif",
                       help="also write the travel-time surface as a GeoTIFF (minutes, EPSG:4549, "
                            "nodata where not reached)")
    p_iso.add_argument("-o", "--output", required=True, metavar="FILE",
                       help="output .geojson, .gpkg or .parquet (written atomically)")
    p_iso.set_defaults(func=cmd_isochrone)

    p_cc = sub.add_parser("commute-circle", help="one-hour commute circle scorecard")
    _add_common(p_cc, year=True)
    p_cc.add_argument("--modes", choices=MODES, default=DEFAULT_MODES,
                      help="rail (the plan's reading, default), road or any")
    p_cc.add_argument("--years", default=None, metavar="Y1,Y2,...",
                      help="compare several years side by side, e.g. 2019,2020,2022,2025,2026")
    p_cc.add_argument("--core", default=None, metavar="PLACE|P1;P2|FILE.csv",
                      help="the core (default: the Hangzhou city core, Wulin Square); several "
                           "places separated by ';' or a CSV of name, lon, lat[, weight, source] "
                           "make a core set")
    p_cc.add_argument("--core-mode", default=None, choices=("nearest", "weighted", "all"),
                      help="how a core set is read: the nearest centre (default), the weighted "
                           "mean, or all centres (the slowest)")
    p_cc.add_argument("--minutes", type=float, default=None,
                      help="the commute threshold (default 60)")
    p_cc.add_argument("--reading", default=None, metavar="NAME|all",
                      help="answer under a reading (station, core, county, population, "
                           "province) or all of them side by side")
    p_cc.add_argument("--uncertainty", type=int, default=None, metavar="N",
                      help="draw N seeded samples of the estimated inputs and assumptions: "
                           "P(within the hour) and 5/50/95 %% minutes per county and city")
    p_cc.add_argument("--seed", type=int, default=0, help="seed of --uncertainty (default 0)")
    p_cc.add_argument("--sensitivity", action="store_true",
                      help="swing each assumption over its range one at a time (tornado table)")
    p_cc.add_argument("-o", "--output", default=None, metavar="FILE",
                      help="write county x year x reading to .csv or .gpkg (atomically)")
    p_cc.add_argument("--json", action="store_true", help="print JSON")
    p_cc.set_defaults(func=cmd_commute_circle)

    p_tg = sub.add_parser("targets", help="network km in the six cities against the plan's targets")
    _add_common(p_tg, year=True)
    p_tg.add_argument("--json", action="store_true", help="print JSON")
    p_tg.set_defaults(func=cmd_targets)

    p_osm = sub.add_parser("osm", help="OpenStreetMap road graphs: import or download")
    osm_sub = p_osm.add_subparsers(dest="osm_command", metavar="ACTION", required=True)
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
    _add_common(p_od)
    p_od.add_argument("-o", "--output", required=True, metavar="ROADS.npz|ROADS.graphml")
    p_od.set_defaults(func=cmd_osm_download)

    p_sc = sub.add_parser("scenario", help="what-if scenarios: check or compare YAML files")
    sc_sub = p_sc.add_subparsers(dest="scenario_command", metavar="ACTION", required=True)
    p_scc = sc_sub.add_parser("check", help="validate scenario files only")
    p_scc.add_argument("files", nargs="+", metavar="FILE")
    _add_common(p_scc)
    p_scc.set_defaults(func=cmd_scenario_check)
    p_scm = sc_sub.add_parser("compare", help="compare scenario files against the baseline")
    p_scm.add_argument("files", nargs="+", metavar="FILE")
    _add_common(p_scm, year=True)
    p_scm.add_argument("--modes", choices=MODES, default=DEFAULT_MODES, help="modes (default rail)")
    p_scm.add_argument("--core", default=None, metavar="PLACE", help="the core (default Hangzhou)")
    p_scm.add_argument("--json", action="store_true", help="print JSON")
    p_scm.add_argument("--map", default=None, metavar="FILE.html",
                       help="write the comparison map (every scenario, switchable)")
    _add_map_options(p_scm)
    p_scm.set_defaults(func=cmd_scenario_compare, years=None)

    p_map = sub.add_parser("map", help="write an HTML map (network, isochrone, commute-circle, "
                                       "scenario)")
    p_map.add_argument("kind", choices=("network", "isochrone", "commute-circle", "scenario"))
    p_map.add_argument("place", nargs="?", metavar="PLACE|FILE",
                       help="the origin (isochrone) or the scenario file (scenario)")
    _add_common(p_map, year=True)
    p_map.add_argument("--modes", choices=MODES, default=DEFAULT_MODES, help="modes (default rail)")
    p_map.add_argument("--years", default=None, metavar="Y1,Y2,...",
                       help="commute-circle: one layer per year, e.g. 2020,2025")
    p_map.add_argument("--core", default=None, metavar="PLACE", help="commute-circle/scenario core")
    p_map.add_argument("--minutes", default="30,45,60,90", help="isochrone thresholds")
    p_map.add_argument("--reverse", action="store_true", help="isochrone: time to PLACE")
    p_map.add_argument("--cells", action="store_true", help="isochrone: add the surface cells")
    _add_map_options(p_map)
    p_map.add_argument("-o", "--output", required=True, metavar="FILE.html")
    p_map.set_defaults(func=cmd_map)

    p_rp = sub.add_parser("report", help="the main job: scorecards, targets, isochrones, maps")
    _add_common(p_rp)
    p_rp.add_argument("--years", default="2020,2025", metavar="Y1,Y2,...",
                      help="years to score (default 2020,2025: the plan's baseline and target)")
    p_rp.add_argument("--modes", choices=MODES, default=DEFAULT_MODES,
                      help="modes of the scorecard (default rail)")
    p_rp.add_argument("--roads", metavar="ROADS.npz|ROADS.graphml", default=None,
                      help="OSM roads from 'hzcircle osm import' (modes road/any)")
    _add_gtfs(p_rp)
    _add_map_options(p_rp)
    p_rp.add_argument("--scenarios", nargs="+", default=None, metavar="FILE",
                      help="scenario files: add the scenario map and the gain histogram")
    p_rp.add_argument("-o", "--output-dir", default="out", metavar="DIR",
                      help="folder for the report and its files (default out/)")
    p_rp.add_argument("--maps-dir", default="maps", metavar="DIR",
                      help="folder for the HTML maps (default maps/)")
    p_rp.set_defaults(func=cmd_report)
    _add_gtfs_commands(sub)
    return parser


def reference_markdown() -> str:
    """The CLI reference (docs/cli.md), generated from the parser so it cannot drift."""
    import os

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal: fix the width
    parser = build_parser()
    out = ["# Command-line reference", "",
           "Generated from the parser by `python -m network --reference > docs/cli.md`; "
           "`tests/test_docs.py` fails if this file differs from the parser.", ""]

    def walk(p: argparse.ArgumentParser, name: str) -> None:
        out.extend([f"## `{name}`", "", "```text", p.format_help().rstrip(), "```", ""])
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    walk(sub, f"{name} {sub_name}")

    try:
        walk(parser, "hzcircle")
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (2 for bad input)."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv == ["--reference"]:
        print(reference_markdown())
        return 0
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings(), _protect_inputs(args):
            if not os.environ.get("HZCIRCLE_DEBUG"):
                warnings.simplefilter("ignore")  # library warnings are not the user's business
            if getattr(args, "set", None):  # a bad --set fails first, on every command
                from network.assumptions import DEFAULT

                DEFAULT.with_settings(args.set)
            return int(args.func(args))
    except HzCircleError as exc:
        print(f"hzcircle: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except RecursionError:
        print("hzcircle: error: an input is nested too deeply to read; simplify it",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hzcircle: interrupted; no output was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


_LONG_WORD = re.compile(r"\S{101,}")


def _short_words(text: str) -> str:
    """Cut every run of more than 100 non-space characters (a pasted file, a 100,000-character
    name) to its start and its length, keeping the rest of the message."""
    return _LONG_WORD.sub(lambda m: f"{m.group()[:60]}...({len(m.group()):,} characters)", text)


def _one_line(exc: BaseException) -> str:
    """The error message on one line (a scenario lists its problems one per line: the first
    is shown with the count of the others), long words shortened."""
    lines = [ln for ln in str(exc).splitlines() if ln.strip()] or [type(exc).__name__]
    more = f" (and {len(lines) - 1} more problem(s))" if len(lines) > 1 else ""
    return _short_words(lines[0] + more)


class _Parser(argparse.ArgumentParser):
    """argparse with long values shortened in its error line."""

    def error(self, message: str) -> NoReturn:
        super().error(_short_words(message))


def _check_input_files(files: list[str]) -> None:
    """Refuse input files that are FIFOs or devices before anything reads them (reading would
    block or never end)."""
    import stat

    for f in files:
        try:
            mode = os.stat(f).st_mode
        except OSError:
            continue  # missing: the reader says so with its own hint
        if not stat.S_ISREG(mode):
            raise HzCircleError(f"{_short_words(str(f))}: not a regular file (a folder, FIFO or "
                                "device); give a file")


def _input_paths(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """The files and folders a command reads: outputs may not overwrite or enter them."""
    from network.layers import default_layers_path

    folders = [str(args.layers or default_layers_path())] if hasattr(args, "layers") else []
    files = []
    for name, value in vars(args).items():  # every argument naming an existing file is an input
        if name in _OUTPUT_ARGS or name == "func":
            continue
        for v in value if isinstance(value, list) else [value]:
            if (isinstance(v, str) and v and len(v) < 4096 and os.path.lexists(v)
                    and not os.path.isdir(v)):
                files.append(v)
    return files, folders


def _input_files(args: argparse.Namespace) -> list[str]:
    """The arguments that name input files (checked to be regular files before reading)."""
    files = [getattr(args, name, None) for name in ("roads", "assumptions", "file", "hierarchy")]
    files += list(getattr(args, "files", None) or [])
    if getattr(args, "kind", None) == "scenario" and getattr(args, "place", None):
        files.append(args.place)
    return [f for f in files if f]


#: The arguments that name outputs (every other argument naming an existing file is an input).
_OUTPUT_ARGS = frozenset({"output", "output_dir", "maps_dir", "map"})


@contextlib.contextmanager
def _protect_inputs(args: argparse.Namespace) -> Any:
    from network._io import protected

    files, folders = _input_paths(args)
    _check_input_files(_input_files(args))
    with protected(files, folders):
        yield
