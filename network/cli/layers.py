"""``hzcircle layers check|stats``, ``stations`` and ``lines``: the data layers as they are."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from network.cli._common import add_actions, add_common, print_json, read_layers


def cmd_layers_check(args: argparse.Namespace) -> int:
    from network.validate import check_layers

    layers = read_layers(args, validate=False)
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

    layers = read_layers(args)
    stats = layer_stats(layers)
    if args.json:
        print_json(stats, args, layers)
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
    layers = read_layers(args)
    rows = []
    for s in layers.stations.itertuples():
        rows.append({"id": s.id, "name": s.name, "name_zh": s.name_zh, "city": s.city,
                     "county": s.county, "kind": s.kind, "lon": round(s.lon, 6),
                     "lat": round(s.lat, 6), "opened": s.opened, "former_names": s.former_names,
                     "external": bool(s.external), "source": s.source})
    if args.json:
        print_json(rows, args, layers)
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
    layers = read_layers(args)
    rows = _service_rows(layers)
    if args.json:
        print_json(rows, args, layers)
    else:
        for r in rows:
            total = sum(r["run_minutes"])
            print(f"{r['id']:<40} {r['class']:<12} {len(r['stops']):>3} stops "
                  f"{total:>6.0f} min  every {r['headway_minutes']:g} min  {r['name']}")
    return 0


def add_parsers(sub: Any) -> None:
    """Add the ``layers``, ``stations`` and ``lines`` commands to the parser (``sub``)."""
    layers_sub = add_actions(sub, "layers", "inspect and validate the data layers")
    p_check = layers_sub.add_parser("check", help="validate every layer; exit 1 on problems")
    add_common(p_check)
    p_check.set_defaults(func=cmd_layers_check)
    p_lstats = layers_sub.add_parser(
        "stats", help="counts and shares of facts and estimates (hops, minutes, headways, km)")
    add_common(p_lstats)
    p_lstats.add_argument("--json", action="store_true", help="print JSON")
    p_lstats.set_defaults(func=cmd_layers_stats)

    p_st = sub.add_parser("stations", help="list the stations")
    add_common(p_st)
    p_st.add_argument("--json", action="store_true", help="print JSON")
    p_st.set_defaults(func=cmd_stations)

    p_lines = sub.add_parser("lines", help="list the rail services")
    add_common(p_lines)
    p_lines.add_argument("--json", action="store_true", help="print JSON")
    p_lines.set_defaults(func=cmd_lines)
