"""What every command shares: the option values it reads, the layers and network it builds
from them, how it prints, and the arguments every parser takes.

Private to :mod:`network.cli`; the command modules meet here. Heavy imports stay inside the
functions so that ``hzcircle --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from typing import Any

from network._errors import HzCircleError

MODES = ("rail", "road", "any")
LEVELS = ("county", "city")
#: The default mode set of every command (``network.graph.DEFAULT_MODES``, repeated here so
#: that ``--help`` does not import the graph module).
DEFAULT_MODES = "rail"

#: Largest travel time an option may give (minutes): a day.
MAX_MINUTES = 1440.0

#: Coordinate systems of point files (as network.points.POINT_CRS; kept here so --help
#: does not import numpy).
POINT_CRS = ("wgs84", "gcj02", "bd09")


def read_layers(args: argparse.Namespace, *, validate: bool = True) -> Any:
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
        layers = import_feeds(layers, feeds, window=args.window, assumptions=assumptions_of(args))
        progress(f"GTFS: {len(layers.services) - before} service(s) added from "
                 f"{len(feeds)} feed(s), headways from departures in {args.window}")
    return layers


def assumptions_of(args: argparse.Namespace) -> Any:
    """The assumptions of ``--assumptions FILE`` (default: ``DEFAULT``) with ``--set`` applied."""
    from network.assumptions import DEFAULT, read_assumptions

    a = DEFAULT
    if getattr(args, "assumptions", None):
        a = read_assumptions(args.assumptions)
    if getattr(args, "set", None):
        a = a.with_settings(args.set)
    return a


def year_of(args: argparse.Namespace, layers: Any) -> int:
    """``--year`` checked against the layers, or the layers' data year."""
    from network.years import check_year, default_year

    return check_year(layers, args.year if args.year is not None else default_year(layers))


def roads_of(args: argparse.Namespace) -> Any:
    """The ``--roads`` graph as arrays (read once), or None without ``--roads``."""
    if not getattr(args, "roads", None):
        return None
    from network.osm import as_arrays, load

    return as_arrays(load(args.roads))  # once, for every network built from them


def build_network(args: argparse.Namespace, layers: Any, year: int, modes: str) -> Any:
    """The :class:`~network.queries.Network` of ``year`` and ``modes`` with ``--roads`` and the
    assumptions; reports how the places snapped to the roads."""
    from network.queries import Network

    roads = roads_of(args)
    net = Network(layers, year=year, modes=modes, roads=roads, assumptions=assumptions_of(args))
    if roads is not None:
        far = [s for s in net.snaps if s.km > 0.5]
        progress(f"OSM roads: {roads.number_of_edges():,} edges; {len(net.snaps)} places snapped "
                 f"(max {max((s.km for s in net.snaps), default=0):.2f} km"
                 f"{f', {len(far)} over 0.5 km' if far else ''})")
    return net


def provenance_of(args: argparse.Namespace, layers: Any, **facts: Any) -> dict[str, Any]:
    """The provenance record of an output (assumptions, data year, ``facts``)."""
    from network.provenance import provenance

    return provenance(assumptions_of(args), layers=layers, **facts)


def print_json(obj: Any, args: argparse.Namespace, layers: Any, **facts: Any) -> None:
    """Print ``obj`` as JSON with the provenance (assumptions, data year...) of the answer."""
    record = provenance_of(args, layers, **facts)
    if isinstance(obj, dict):
        out = {**obj, "provenance": {k: v for k, v in record.items() if k != "assumptions"},
               "assumptions": record["assumptions"]}
    else:
        out = {"results": obj, "provenance": {k: v for k, v in record.items()
                                              if k != "assumptions"},
               "assumptions": record["assumptions"]}
    print(json.dumps(out, ensure_ascii=False, indent=2))


def progress(message: str) -> None:
    """Say what is happening on stderr (stdout carries the answer)."""
    print(message, file=sys.stderr, flush=True)


def years_of(args: argparse.Namespace, layers: Any) -> list[int]:
    """``--years Y1,Y2,...`` checked (numbers, none repeated, each in the layers), else
    ``[year_of(args, layers)]``."""
    from network._errors import shorten

    text = shorten(args.years, 60)
    if args.years is not None:
        try:
            years = [int(y) for y in args.years.split(",") if y.strip()]
        except ValueError:
            raise HzCircleError(f"--years {text}: give years separated by commas, "
                                "e.g. 2019,2020,2022,2025") from None
    else:
        years = [year_of(args, layers)]
    if not years:
        raise HzCircleError(f"--years {text}: give at least one year, e.g. 2020,2025")
    if len(set(years)) != len(years):
        raise HzCircleError(f"--years {text}: a year is repeated; give each year once")
    from network.years import check_year

    return [check_year(layers, y) for y in years]


def thresholds(text: str) -> list[float]:
    """``--minutes 30,45,60`` as increasing minutes, each above 0 and up to ``MAX_MINUTES``."""
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


def add_common(p: argparse.ArgumentParser, *, year: bool = False, modes: bool = False) -> None:
    """``--layers``, ``--assumptions``, ``--set``; with ``year`` also ``--year``, ``--roads`` and
    the GTFS options; with ``modes`` also ``--modes``."""
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
        add_gtfs(p)
    if modes:
        p.add_argument("--modes", choices=MODES, default=DEFAULT_MODES,
                       help="rail (with walk/local-transit access; the default), road (car) or "
                            "any")


def add_gtfs(p: argparse.ArgumentParser) -> None:
    """``--gtfs FEED`` (repeatable) and its ``--window``."""
    p.add_argument("--gtfs", metavar="FEED", action="append", default=[],
                   help="add a GTFS feed's services (zip or folder; repeatable); stops join "
                        "layer stations within gtfs_join_max_km or become new stations")
    p.add_argument("--window", default="07:00-09:00", metavar="HH:MM-HH:MM",
                   help="departure window of the --gtfs headways (default 07:00-09:00)")


def add_actions(sub: Any, name: str, help: str) -> Any:
    """Add the command ``name`` that takes an ACTION (``hzcircle osm import``) to the parser
    (``sub``); return its subparsers, to which the actions are added."""
    p = sub.add_parser(name, help=help)
    return p.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)


def add_map_options(p: argparse.ArgumentParser) -> None:
    """Maps are self-contained (no network request) unless --tiles or --cdn ask otherwise."""
    p.add_argument("--tiles", default="none", choices=("none", "light", "osm"),
                   help="basemap: none (default, no network request), light (Esri gray) or osm "
                        "(web tiles)")
    p.add_argument("--cdn", action="store_true",
                   help="load Leaflet/folium from their CDNs instead of inlining them")
    p.add_argument("--offline", action="store_true",
                   help="kept for compatibility: maps are self-contained by default")


_LONG_WORD = re.compile(r"\S{101,}")


def short_words(text: str) -> str:
    """Cut every run of more than 100 non-space characters (a pasted file, a 100,000-character
    name) to its start and its length, keeping the rest of the message."""
    return _LONG_WORD.sub(lambda m: f"{m.group()[:60]}...({len(m.group()):,} characters)", text)
