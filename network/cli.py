"""The ``hzcircle`` command line: parse arguments, call the library, print.

Nothing in the library imports this module. Heavy imports happen inside the command functions
so that ``hzcircle --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from network._errors import HzCircleError

MODES = ("rail", "road", "any")
LEVELS = ("county", "city")
#: The default mode set of every command (``network.graph.DEFAULT_MODES``, repeated here so
#: that ``--help`` does not import the graph module).
DEFAULT_MODES = "rail"


def _layers(args: argparse.Namespace) -> Any:
    from network.layers import load_layers

    return load_layers(args.layers)


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
    from network.osm import load

    return load(args.roads)


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

    layers = _layers(args)
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


def _format_journey(j: Any) -> str:
    lines = [f"{j.origin} -> {j.destination}  ({j.year}, {j.modes})",
             f"  door to door {j.minutes:.1f} min, in vehicle {j.in_vehicle_minutes:.1f} min"]
    for leg in j.legs:
        what = f"{leg.from_name} -> {leg.to_name}"
        if leg.kind == "wait":
            what = f"at {leg.from_name} for {leg.service_name}"
        elif leg.kind == "ride":
            what += f"  [{leg.service_name}]"
        lines.append(f"  {leg.kind:<9}{leg.minutes:6.1f} min  {leg.mode:<12} {what}")
    return "\n".join(lines)


def cmd_travel_time(args: argparse.Namespace) -> int:

    layers = _layers(args)
    net = _network(args, layers, _year(args, layers), args.modes)
    journey = net.travel_time(args.origin, args.destination)
    if args.json:
        _print_json(journey.as_dict(), args, layers, year=net.year, modes=net.modes)
    else:
        print(_format_journey(journey))
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    from network._io import TABLE_SUFFIXES, check_suffix, check_writable, write_table

    out = check_suffix(check_writable(args.output), TABLE_SUFFIXES)
    layers = _layers(args)
    net = _network(args, layers, _year(args, layers), args.modes)
    frame = net.matrix(level=args.level)
    write_table(frame, out, metadata=_provenance(args, layers, year=net.year, modes=net.modes,
                                                 level=args.level))
    reached = int(frame["minutes"].notna().sum())
    print(f"wrote {out}: {len(frame)} OD pairs ({reached} reachable), level {args.level}, "
          f"year {net.year}, modes {net.modes}")
    return 0


def _thresholds(text: str) -> list[float]:
    from network.surface import check_thresholds

    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise HzCircleError(
            f"--minutes {text!r}: give numbers separated by commas, e.g. 30,45,60,90") from None
    return check_thresholds(values)


def cmd_isochrone(args: argparse.Namespace) -> int:
    from network._io import VECTOR_SUFFIXES, check_suffix, check_writable, write_vector
    from network.surface import travel_time_surface

    out = check_suffix(check_writable(args.output), VECTOR_SUFFIXES)
    minutes = _thresholds(args.minutes)
    layers = _layers(args)
    net = _network(args, layers, _year(args, layers), args.modes)
    grid = net.grid(args.cell_km)
    surface = travel_time_surface(net, args.place, reverse=args.reverse, grid=grid)
    frame = surface.isochrones(minutes)
    meta = _provenance(args, layers, year=net.year, modes=net.modes, origin=surface.origin,
                       reverse=args.reverse, cell_km=grid.cell_km)
    write_vector(frame, out, metadata=meta)
    if args.cells:
        cells_out = check_writable(out.with_name(out.stem + "_cells" + out.suffix))
        write_vector(surface.cells(), cells_out, metadata=meta)
        print(f"wrote {cells_out}")
    for r in frame.itertuples():
        print(f"  {r.minutes:>5g} min  {r.area_km2:>9,.0f} km2  {r.population:>12,} people")
    print(f"wrote {out}: isochrones {'to' if args.reverse else 'from'} {surface.origin}, "
          f"{net.year}, {net.modes}, {grid.cell_km:g} km cells")
    return 0


def _years(args: argparse.Namespace, layers: Any) -> list[int]:
    if args.years:
        try:
            years = [int(y) for y in args.years.split(",") if y.strip()]
        except ValueError:
            raise HzCircleError(f"--years {args.years!r}: give years separated by commas, "
                                "e.g. 2019,2020,2022,2025") from None
    else:
        years = [_year(args, layers)]
    if not years:
        raise HzCircleError(f"--years {args.years!r}: give at least one year, e.g. 2020,2025")
    if len(set(years)) != len(years):
        raise HzCircleError(f"--years {args.years!r}: a year is repeated; give each year once")
    from network.years import check_year

    return [check_year(layers, y) for y in years]


def cmd_commute_circle(args: argparse.Namespace) -> int:
    from network.scorecard import flips, format_scorecard, format_years, scorecard

    layers = _layers(args)
    years = _years(args, layers)
    cards, nets = [], {}
    for y in years:
        _progress(f"building the {args.modes} network of {y}...")
        nets[y] = _network(args, layers, y, args.modes)
        cards.append(scorecard(nets[y], core=args.core, minutes=args.minutes))
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
                        assumptions=_assumptions(args), offline=args.offline,
                        progress=_progress)
    print(report.text)
    return 0


def cmd_scenario_check(args: argparse.Namespace) -> int:
    from network.scenarios import read_scenario

    layers = _layers(args)
    for path in args.files:
        s = read_scenario(path, layers)
        kinds = ", ".join(m["type"] for m in s.modifications)
        print(f"{path}: OK - {s.name}{' (hypothetical)' if s.hypothetical else ''}: "
              f"{len(s.modifications)} modification(s): {kinds}")
    return 0


def cmd_scenario_compare(args: argparse.Namespace) -> int:
    from network import maps
    from network._io import check_writable
    from network.scenarios import compare_files, format_comparison

    if args.map:
        check_writable(args.map)
    layers = _layers(args)
    year = _years(args, layers)[0]
    results = compare_files(args.files, layers=layers, year=year, modes=args.modes,
                            core=args.core, roads=_roads(args), assumptions=_assumptions(args))
    if args.map:
        m = maps.comparison_map(results[0], tiles=args.tiles)
        size = maps.save_map(m, args.map, offline=args.offline)
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

    bbox = None
    if args.bbox:
        try:
            bbox = tuple(float(v) for v in args.bbox.split(","))
        except ValueError:
            raise HzCircleError("--bbox west,south,east,north in degrees, e.g. "
                                "120.0,30.1,120.3,30.4") from None
    elif args.circle:
        from network.layers import load_layers

        bbox = tuple(load_layers(args.layers).boundaries.total_bounds)
    G = osm.download(place=args.place, bbox=bbox)
    path = osm.save(G, args.output)
    print(f"wrote {path}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges")
    return 0


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
    size = maps.save_map(m, out, offline=args.offline)
    print(f"wrote {out} ({size / 1e6:.2f} MB{', offline' if args.offline else ''})")
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
        p.add_argument("--roads", metavar="ROADS.graphml", default=None,
                       help="OSM roads from 'hzcircle osm import' replacing the sketch road model "
                            "within their extent (modes road/any)")
    if modes:
        p.add_argument("--modes", choices=MODES, default=DEFAULT_MODES,
                       help="rail (with walk/local-transit access; the default), road (car) or "
                            "any")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
                      help="station id or name, county, city, airport, or lon,lat")
    p_tt.add_argument("destination", metavar="TO", help="as FROM")
    _add_common(p_tt, year=True, modes=True)
    p_tt.add_argument("--json", action="store_true", help="print JSON")
    p_tt.set_defaults(func=cmd_travel_time)

    p_mx = sub.add_parser("matrix", help="door-to-door OD matrix between counties or cities")
    _add_common(p_mx, year=True, modes=True)
    p_mx.add_argument("--level", choices=LEVELS, default="county", help="zones (default county)")
    p_mx.add_argument("-o", "--output", required=True, metavar="FILE",
                      help="output file, .csv or .parquet (written atomically)")
    p_mx.set_defaults(func=cmd_matrix)

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
    p_iso.add_argument("-o", "--output", required=True, metavar="FILE",
                       help="output .geojson, .gpkg or .parquet (written atomically)")
    p_iso.set_defaults(func=cmd_isochrone)

    p_cc = sub.add_parser("commute-circle", help="one-hour commute circle scorecard")
    _add_common(p_cc, year=True)
    p_cc.add_argument("--modes", choices=MODES, default=DEFAULT_MODES,
                      help="rail (the plan's reading, default), road or any")
    p_cc.add_argument("--years", default=None, metavar="Y1,Y2,...",
                      help="compare several years side by side, e.g. 2019,2020,2022,2025,2026")
    p_cc.add_argument("--core", default=None, metavar="PLACE",
                      help="the core (default: the Hangzhou city core, Wulin Square)")
    p_cc.add_argument("--minutes", type=float, default=None,
                      help="the commute threshold (default 60)")
    p_cc.add_argument("--json", action="store_true", help="print JSON")
    p_cc.set_defaults(func=cmd_commute_circle)

    p_tg = sub.add_parser("targets", help="network km in the six cities against the plan's targets")
    _add_common(p_tg, year=True)
    p_tg.add_argument("--json", action="store_true", help="print JSON")
    p_tg.set_defaults(func=cmd_targets)

    p_osm = sub.add_parser("osm", help="OpenStreetMap road graphs: import or download")
    osm_sub = p_osm.add_subparsers(dest="osm_command", metavar="ACTION", required=True)
    p_oi = osm_sub.add_parser("import", help="read an OSM XML extract into a roads GraphML")
    p_oi.add_argument("file", metavar="FILE.osm")
    p_oi.add_argument("--filter", choices=("drive", "main"), default="drive",
                      help="all drivable ways (default) or main roads only")
    p_oi.add_argument("-o", "--output", required=True, metavar="ROADS.graphml")
    p_oi.set_defaults(func=cmd_osm_import)
    p_od = osm_sub.add_parser("download", help="fetch roads from Overpass (needs internet)")
    where = p_od.add_mutually_exclusive_group(required=True)
    where.add_argument("--place", help="a place name osmnx can geocode")
    where.add_argument("--bbox", help="west,south,east,north")
    where.add_argument("--circle", action="store_true", help="the bounding box of the six cities")
    _add_common(p_od)
    p_od.add_argument("-o", "--output", required=True, metavar="ROADS.graphml")
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
                       help="write the comparison map of the first scenario")
    p_scm.add_argument("--tiles", default="light", help="map tiles: light, osm or none")
    p_scm.add_argument("--offline", action="store_true", help="self-contained map")
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
    p_map.add_argument("--tiles", default="light", help="light (default), osm or none")
    p_map.add_argument("--offline", action="store_true",
                       help="inline the Leaflet/folium assets: one self-contained file")
    p_map.add_argument("-o", "--output", required=True, metavar="FILE.html")
    p_map.set_defaults(func=cmd_map)

    p_rp = sub.add_parser("report", help="the main job: scorecards, targets, isochrones, maps")
    _add_common(p_rp)
    p_rp.add_argument("--years", default="2020,2025", metavar="Y1,Y2,...",
                      help="years to score (default 2020,2025: the plan's baseline and target)")
    p_rp.add_argument("--modes", choices=MODES, default=DEFAULT_MODES,
                      help="modes of the scorecard (default rail)")
    p_rp.add_argument("--roads", metavar="ROADS.graphml", default=None,
                      help="OSM roads from 'hzcircle osm import' (modes road/any)")
    p_rp.add_argument("--offline", action="store_true",
                      help="inline the Leaflet/folium assets in the maps")
    p_rp.add_argument("-o", "--output-dir", default="out", metavar="DIR",
                      help="folder for the report and its files (default out/)")
    p_rp.add_argument("--maps-dir", default="maps", metavar="DIR",
                      help="folder for the HTML maps (default maps/)")
    p_rp.set_defaults(func=cmd_report)
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
        return int(args.func(args))
    except HzCircleError as exc:
        print(f"hzcircle: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
