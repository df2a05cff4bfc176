"""Shared parts of the GTFS modules: route types, defaults, clock times."""

from __future__ import annotations

import re

from network._errors import InputError

#: GTFS route_type by service class (basic types: 2 rail, 1 subway/metro).
ROUTE_TYPES = {"hsr": 2, "conventional": 2, "intercity": 2, "metro": 1}
#: Station kind given to a new stop by its route_type (basic and extended types).
KIND_OF_ROUTE_TYPE = {0: "metro", 1: "metro", 2: "conventional", 101: "hsr", 102: "conventional",
                       103: "conventional", 106: "conventional", 109: "intercity", 400: "metro",
                       401: "metro", 402: "metro"}
#: Service class given to an imported pattern by its route_type.
CLASS_OF_ROUTE_TYPE = {0: "metro", 1: "metro", 2: "conventional", 101: "hsr", 102: "conventional",
                        103: "conventional", 106: "conventional", 109: "intercity", 400: "metro",
                        401: "metro", 402: "metro"}
#: The service day of exported frequencies when none is given (a convention: the layers record
#: headways, not operating hours).
DEFAULT_SERVICE_DAY = "06:00-23:00"
#: The departure window of imported headways when none is given (the morning peak).
DEFAULT_WINDOW = "07:00-09:00"

URL_RE = re.compile(r"https?://[^\s;,)]+")
TIME_RE = re.compile(r"^\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*$")


# ------------------------------------------------------------------------------------------
# times
# ------------------------------------------------------------------------------------------


def parse_clock(text: str, what: str = "time") -> int:
    """``H:MM`` or ``HH:MM:SS`` (hours may pass 24, as GTFS allows) -> seconds after midnight."""
    m = TIME_RE.match(str(text))
    if not m:
        raise InputError(f"{what} {text!r} is not a time; write HH:MM or HH:MM:SS, e.g. 07:30")
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)


def parse_window(text: str, what: str = "--window") -> tuple[int, int]:
    """``HH:MM-HH:MM`` -> (start, end) seconds after midnight, end after start."""
    start, sep, end = str(text).partition("-")
    if not sep or not TIME_RE.match(start) or not TIME_RE.match(end):
        raise InputError(f"{what} {text!r}: write START-END as HH:MM-HH:MM, e.g. 07:00-09:00")
    s, e = parse_clock(start, what), parse_clock(end, what)
    if e <= s:
        raise InputError(f"{what} {text!r}: the end must come after the start, e.g. 07:00-09:00")
    return s, e


def format_clock(seconds: float) -> str:
    """Seconds after midnight -> ``HH:MM:SS`` (hours may pass 24)."""
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
