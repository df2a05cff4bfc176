"""The scenario file format: modification types, their fields, the parsed Scenario."""

from __future__ import annotations

import re
from dataclasses import dataclass

from network._errors import HzCircleError

CLASSES = ("hsr", "conventional", "intercity", "metro")
TYPES = ("add_line", "add_station", "adjust_speed", "adjust_headway", "remove_stops",
         "remove_line", "add_road", "modify_road")
FIELDS = {
    "add_line": ({"type", "id", "name", "class", "headway_minutes", "stops"},
                 {"name_zh", "open_year", "hop_minutes", "speed_kmh", "dwell_minutes", "source",
                  "notes"}),
    "add_station": ({"type", "service", "after", "station", "added_minutes"}, {"source", "notes"}),
    "adjust_speed": ({"type", "service"}, {"factor", "hop_minutes", "hops", "source", "notes"}),
    "adjust_headway": ({"type", "service", "headway_minutes"}, {"source", "notes"}),
    "remove_stops": ({"type", "service", "stops"}, {"seconds_saved", "source", "notes"}),
    "remove_line": ({"type"}, {"service", "line", "source", "notes"}),
    "add_road": ({"type", "from", "to", "length_km", "speed_kmh"},
                 {"id", "name", "open_year", "source", "notes"}),
    "modify_road": ({"type", "speed_factor"}, {"segments", "route", "source", "notes"}),
}


class ScenarioError(HzCircleError, ValueError):
    """A scenario file is unreadable or invalid; the message lists every problem found."""



# ------------------------------------------------------------------------------------------
# the scenario and its validation
# ------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    """A parsed, validated scenario."""

    name: str
    modifications: list[dict]
    description: str = ""
    source: str = ""
    hypothetical: bool = False
    path: str = "<scenario>"


def _slug(name: str) -> str:
    return "scn_" + re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")
