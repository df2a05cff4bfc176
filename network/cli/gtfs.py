"""``hzcircle gtfs export|validate``: the rail services as a GTFS feed, and feed validation."""

from __future__ import annotations

import argparse
from typing import Any

from network.cli._common import add_actions, add_common, assumptions_of, read_layers, year_of


def _print_validation(report: Any) -> int:
    errors = int((report["type"] == "error").sum()) if len(report) else 0
    warnings = len(report) - errors
    for r in report.itertuples():
        print(f"  {r.type:<8} {r.table:<16} {r.message}")
    print(f"gtfs-kit validation: {errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0


def cmd_gtfs_export(args: argparse.Namespace) -> int:
    from network.gtfs import export_gtfs, validate_feed

    layers = read_layers(args)
    s = export_gtfs(layers, args.output, year=year_of(args, layers), service_day=args.service_day,
                    assumptions=assumptions_of(args), publisher_url=args.publisher_url)
    print(f"wrote {s.path}: {s.routes} routes, {s.trips} frequency-based trips, {s.stops} stops "
          f"({s.parent_stations} parent stations), {s.stop_times} stop times; network of {s.year}")
    return _print_validation(validate_feed(s.path)) if args.validate else 0


def cmd_gtfs_validate(args: argparse.Namespace) -> int:
    from network.gtfs import read_feed, validate_feed

    read_feed(args.feed)  # clear one-line errors for a broken feed first
    return _print_validation(validate_feed(args.feed))


def add_parsers(sub: Any) -> None:
    """Add the ``gtfs`` command and its actions to the parser (``sub``)."""
    g_sub = add_actions(sub, "gtfs", "GTFS feeds: export the rail services, validate a feed")
    p_ge = g_sub.add_parser("export", help="write the rail services of a year as a GTFS zip "
                                           "(frequency-based)")
    add_common(p_ge)
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
