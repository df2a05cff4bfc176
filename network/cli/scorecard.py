"""``hzcircle commute-circle`` and ``targets``: the one-hour circle scorecard (with its readings,
uncertainty and sensitivity) and the plan's network targets."""

from __future__ import annotations

import argparse
import math
from typing import Any

from network._errors import HzCircleError
from network.cli._common import (
    DEFAULT_MODES,
    MAX_MINUTES,
    MODES,
    add_common,
    assumptions_of,
    build_network,
    print_json,
    progress,
    read_layers,
    year_of,
    years_of,
)


def _minutes(value: float | None) -> float | None:
    """Check a single --minutes threshold (finite, in (0, MAX_MINUTES])."""
    if value is not None and not (math.isfinite(value) and 0 < value <= MAX_MINUTES):
        raise HzCircleError(f"--minutes {value:g}: give a number of minutes above 0 and up to "
                            f"{MAX_MINUTES:g}, e.g. 60")
    return value


def _commute_readings(args: argparse.Namespace, layers: Any, nets: dict, cards: list) -> int:
    """commute-circle --reading / --uncertainty / --sensitivity / -o."""
    from network import readings as rd

    names = rd.reading_names(args.reading or "all")
    results = [rd.evaluate(nets[c.year], readings=names, card=c) for c in cards]
    extra: dict[str, Any] = {}
    if args.uncertainty or args.sensitivity:
        from network import uncertainty as un

        if args.uncertainty:
            progress(f"drawing {args.uncertainty} samples (seed {args.seed})...")
            extra["uncertainty"] = [un.sample(nets[c.year], n=args.uncertainty, seed=args.seed,
                                              card=c) for c in cards]
        if args.sensitivity:
            progress("one-at-a-time swings over each assumption's range...")
            extra["sensitivity"] = [un.sensitivity(nets[c.year], card=c) for c in cards]
    if args.output:
        from network._io import check_writable

        out = check_writable(args.output)
        rd.write_scorecard(results, out, nets=nets, cards=cards, uncertainty=extra.get("uncertainty"),
                           layers=layers, assumptions=assumptions_of(args))
        progress(f"wrote {out}")
        for sens in extra.get("sensitivity", []):
            from network._io import write_table
            from network.provenance import provenance

            path = out.with_name(f"{out.stem}_sensitivity_{sens.year}.csv")
            write_table(sens.table, check_writable(path),
                        metadata=provenance(assumptions_of(args), layers=layers))
            progress(f"wrote {path} (tornado table: input x unit)")
    if args.json:
        body: dict[str, Any] = {"years": [r.as_dict() for r in results]}
        for k, v in extra.items():
            body[k] = [x.as_dict() for x in v]
        print_json(body, args, layers, modes=args.modes)
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
    layers = read_layers(args)
    years = years_of(args, layers)
    if args.uncertainty is not None and args.uncertainty < 1:
        raise HzCircleError(f"--uncertainty {args.uncertainty}: give a number of samples >= 1, e.g. 200")
    core: Any = args.core
    if args.core and (";" in args.core or args.core.lower().endswith(".csv") or args.core_mode):
        from network.scorecard import read_core_set

        core = read_core_set(layers, args.core, mode=args.core_mode or "nearest")
    cards, nets = [], {}
    for y in years:
        progress(f"building the {args.modes} network of {y}...")
        nets[y] = build_network(args, layers, y, args.modes)
        cards.append(scorecard(nets[y], core=core, minutes=args.minutes))
    if args.reading or args.uncertainty or args.sensitivity or args.output:
        return _commute_readings(args, layers, nets, cards)
    changes = flips(layers, cards, nets) if len(cards) > 1 else []
    if args.json:
        out = cards[0].as_dict() if len(cards) == 1 else {
            "years": [c.as_dict() for c in cards],
            "changes": [vars(f) for f in changes]}
        print_json(out, args, layers, modes=args.modes)
        return 0
    if len(cards) == 1:
        print(format_scorecard(cards[0]))
        return 0
    print(format_years(cards, changes))
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from network.targets import format_tracker, track
    from network.years import check_year

    layers = read_layers(args)
    tr = track(layers, year=check_year(layers, year_of(args, layers)))
    if args.json:
        print_json(tr.as_dict(), args, layers, year=tr.year)
    else:
        print(format_tracker(tr))
    return 0


def add_parsers(sub: Any) -> None:
    """Add the ``commute-circle`` and ``targets`` commands to the parser (``sub``)."""
    p_cc = sub.add_parser("commute-circle", help="one-hour commute circle scorecard")
    add_common(p_cc, year=True)
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
    add_common(p_tg, year=True)
    p_tg.add_argument("--json", action="store_true", help="print JSON")
    p_tg.set_defaults(func=cmd_targets)
