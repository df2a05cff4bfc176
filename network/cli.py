"""The ``hzcircle`` command line: parse arguments, call the library, print.

Nothing in the library imports this module. Heavy imports happen inside the command functions
so that ``hzcircle --help`` stays fast.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from collections.abc import Sequence
from typing import Any

from network._errors import HzCircleError

MODES = ("rail", "road", "any")
LEVELS = ("county", "city")


def _layers(args: argparse.Namespace) -> Any:
    from network.layers import load_layers

    return load_layers(args.layers)


def _year(args: argparse.Namespace, layers: Any) -> int:
    if args.year is not None:
        return args.year
    return min(_dt.date.today().year, layers.last_year())


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


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
        _print_json(rows)
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
        _print_json(rows)
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
    from network.queries import Network

    layers = _layers(args)
    net = Network(layers, year=_year(args, layers), modes=args.modes)
    journey = net.travel_time(args.origin, args.destination)
    if args.json:
        _print_json(journey.as_dict())
    else:
        print(_format_journey(journey))
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    from network._io import check_writable, write_atomic
    from network.queries import Network

    out = check_writable(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise HzCircleError(f"output {out} must end in .csv or .parquet")
    layers = _layers(args)
    net = Network(layers, year=_year(args, layers), modes=args.modes)
    frame = net.matrix(level=args.level)
    if suffix == ".csv":
        write_atomic(out, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8"))
    else:
        write_atomic(out, lambda tmp: frame.to_parquet(tmp, index=False))
    reached = int(frame["minutes"].notna().sum())
    print(f"wrote {out}: {len(frame)} OD pairs ({reached} reachable), level {args.level}, "
          f"year {net.year}, modes {net.modes}")
    return 0


# ------------------------------------------------------------------------------------------
# parser
# ------------------------------------------------------------------------------------------


def _add_common(p: argparse.ArgumentParser, *, year: bool = False, modes: bool = False) -> None:
    p.add_argument("--layers", metavar="DIR", default=None,
                   help="layers folder (default: $HZCIRCLE_LAYERS or the bundled layers/)")
    if year:
        p.add_argument("--year", type=int, default=None,
                       help="network as it stood at the end of this year (default: this year)")
    if modes:
        p.add_argument("--modes", choices=MODES, default="any",
                       help="rail (with walk/local-transit access), road (car), any (default)")


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (2 for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except HzCircleError as exc:
        print(f"hzcircle: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
