"""``hzcircle scenario check|compare``: what-if scenario files against the baseline."""

from __future__ import annotations

import argparse
from typing import Any

from network.cli._common import (
    DEFAULT_MODES,
    MODES,
    add_actions,
    add_common,
    add_map_options,
    assumptions_of,
    print_json,
    progress,
    read_layers,
    roads_of,
    short_words,
    years_of,
)


def cmd_scenario_check(args: argparse.Namespace) -> int:
    from network.scenarios import ScenarioError, read_scenario

    layers = read_layers(args)
    for path in args.files:
        try:
            s = read_scenario(path, layers)
        except ScenarioError as exc:
            problems = str(exc).splitlines()
            if len(problems) > 1:  # the full list on stdout; the error line says how many
                print("\n".join(short_words(p) for p in problems))
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
    layers = read_layers(args)
    year = years_of(args, layers)[0]
    results = compare_files(args.files, layers=layers, year=year, modes=args.modes,
                            core=args.core, roads=roads_of(args), assumptions=assumptions_of(args))
    if args.map:
        m = maps.comparison_map(results, tiles=args.tiles, assumptions=assumptions_of(args))
        size = maps.save_map(m, args.map, cdn=args.cdn)
        progress(f"wrote {args.map} ({size / 1e6:.2f} MB)")
    if args.json:
        out = [r.as_dict() for r in results]
        print_json(out[0] if len(out) == 1 else out, args, layers, year=year, modes=args.modes)
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


def add_parsers(sub: Any) -> None:
    """Add the ``scenario`` command and its actions to the parser (``sub``)."""
    sc_sub = add_actions(sub, "scenario", "what-if scenarios: check or compare YAML files")
    p_scc = sc_sub.add_parser("check", help="validate scenario files only")
    p_scc.add_argument("files", nargs="+", metavar="FILE")
    add_common(p_scc)
    p_scc.set_defaults(func=cmd_scenario_check)
    p_scm = sc_sub.add_parser("compare", help="compare scenario files against the baseline")
    p_scm.add_argument("files", nargs="+", metavar="FILE")
    add_common(p_scm, year=True)
    p_scm.add_argument("--modes", choices=MODES, default=DEFAULT_MODES, help="modes (default rail)")
    p_scm.add_argument("--core", default=None, metavar="PLACE", help="the core (default Hangzhou)")
    p_scm.add_argument("--json", action="store_true", help="print JSON")
    p_scm.add_argument("--map", default=None, metavar="FILE.html",
                       help="write the comparison map (every scenario, switchable)")
    add_map_options(p_scm)
    p_scm.set_defaults(func=cmd_scenario_compare, years=None)
