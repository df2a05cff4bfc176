"""Validation of every modification before anything is applied."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    from network.layers import Layers
import itertools

from network._errors import shorten
from network.scenarios.spec import CLASSES, FIELDS, TYPES, _slug
from network.validate import ID_RESERVED_RE, markup_problem
from network.years import FIRST_YEAR

#: Plausible bounds of the numbers a scenario gives (inclusive upper bounds): beyond them a
#: value is a typo (1e308 km/h, a headway of a year), refused with the range.
BOUNDS: dict[str, tuple[float, float]] = {
    "headway_minutes": (0.0, 1440.0),   # at most one train a day
    "hop_minutes": (0.0, 1440.0),
    "speed_kmh": (0.0, 600.0),          # above any maglev in service
    "dwell_minutes": (0.0, 60.0),
    "added_minutes": (0.0, 120.0),
    "factor": (0.0, 10.0),
    "speed_factor": (0.0, 10.0),
    "seconds_saved": (0.0, 3600.0),
    "length_km": (0.0, 3000.0),         # longer than the circle's widest span many times over
}
#: Latest opening year a scenario may give.
LAST_OPEN_YEAR = 2100


@dataclass
class _Check:
    where: str
    layers: Layers
    errors: list[str] = field(default_factory=list)
    item_lines: list[int] = field(default_factory=list)  # line of each modification

    def err(self, m: dict, key: str | None, msg: str, index: int | None = None) -> None:
        line = (getattr(m, "key_lines", {}).get(key) if key else None) or getattr(m, "line", 0)
        loc = f"modifications[{index}]." if index is not None else ""
        self.errors.append(f"{self.where}:{line}: {loc}{key or 'entry'}: {msg}")


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _positive(c: _Check, m: dict, key: str, i: int) -> None:
    lo, hi = BOUNDS.get(key, (0.0, float("inf")))
    if key in m and not (_is_num(m[key]) and lo < m[key] <= hi):
        c.err(m, key, f"{shorten(m[key], 40)} must be a positive number up to {hi:g}", i)


def _at_least_zero(c: _Check, m: dict, key: str, i: int) -> None:
    _lo, hi = BOUNDS[key]
    if key in m and not (_is_num(m[key]) and 0 <= m[key] <= hi):
        c.err(m, key, f"{shorten(m[key], 40)} must be a number from 0 to {hi:g}", i)


def _check_text(c: _Check, m: dict, key: str, i: int | None, *, is_id: bool = False) -> bool:
    """``m[key]`` (if present) is text without markup (and, for ids, reserved characters)."""
    if key not in m:
        return True
    v = m[key]
    if not isinstance(v, str) or not v.strip():
        c.err(m, key, f"must be non-empty text, not {shorten(v, 40)}", i)
        return False
    why = markup_problem(v)
    if why:
        c.err(m, key, f"{shorten(v, 40)} {why}", i)
        return False
    if is_id and ID_RESERVED_RE.search(v):
        c.err(m, key, f"id {shorten(v, 40)} holds a reserved character (':', '|', ';' or a "
                      "space); use letters, digits, '_' or '-'", i)
        return False
    return True


def _check_year(c: _Check, m: dict, i: int) -> None:
    v = m.get("open_year")
    if "open_year" in m and not (isinstance(v, int) and not isinstance(v, bool)
                                 and FIRST_YEAR <= v <= LAST_OPEN_YEAR):
        c.err(m, "open_year", f"{shorten(v, 40)} must be a whole year from {FIRST_YEAR} to "
                              f"{LAST_OPEN_YEAR}", i)


def _check_common(c: _Check, m: dict, i: int) -> None:
    for key in ("source", "notes"):
        if key in m and not isinstance(m[key], str):
            c.err(m, key, "must be text", i)


def _new_station(c: _Check, m: dict, key: str, st: Any, i: int, seen: set[str]) -> None:
    from network.geo import in_region

    if not isinstance(st, dict) or "name" not in st or "lon" not in st or "lat" not in st:
        c.err(m, key, f"a new station needs name, lon and lat; got {shorten(st, 60)}", i)
        return
    if not (_check_text(c, st, "name", i) and _check_text(c, st, "name_zh", i)):
        return
    unknown = sorted(set(st) - {"name", "name_zh", "lon", "lat", "kind", "external", "city"})
    if unknown:
        c.err(st, unknown[0], "unknown field of a new station; allowed: name, name_zh, lon, lat, "
                              "kind, external, city", i)
    if "external" in st and not isinstance(st["external"], bool):
        c.err(st, "external", "must be true or false", i)
    for fld in ("kind", "city"):
        _check_text(c, st, fld, i)
    if not (_is_num(st["lon"]) and _is_num(st["lat"])
            and -180 <= st["lon"] <= 180 and -90 <= st["lat"] <= 90):
        c.err(m, key, f"station {shorten(st['name'], 40)}: lon/lat must be numbers (WGS-84 "
                      "degrees)", i)
        return
    if not in_region(c.layers, st["lon"], st["lat"]) and not st.get("external"):
        c.err(m, key, f"station {st['name']!r} at {st['lon']},{st['lat']} lies outside the "
                      "six cities; fix the coordinate (lon, lat order) or set external: true", i)
    if _slug(st["name"]) in seen:
        c.err(m, key, f"duplicate station {st['name']!r} in this scenario", i)
    seen.add(_slug(st["name"]))


def _check_stop_ref(c: _Check, m: dict, key: str, st: Any, i: int, stations: set[str],
                    seen: set[str]) -> None:
    if isinstance(st, str):
        why = markup_problem(st) or (" holds a reserved character" if ID_RESERVED_RE.search(st)
                                     else None)
        if why:
            c.err(m, key, f"station id {shorten(st, 40)} {why.strip()}", i)
            return
        if st not in stations and st not in seen and _slug(st) not in seen:
            c.err(m, key, f"unknown station id {st!r}; use an id from 'hzcircle stations' or "
                          "give a new station {name, lon, lat}", i)
    else:
        _new_station(c, m, key, st, i, seen)


def _check_add_line(c: _Check, m: dict, i: int, state: dict) -> None:
    if not isinstance(m.get("class"), str) or m.get("class") not in CLASSES:
        c.err(m, "class", f"{shorten(m.get('class'), 40)} is not one of {', '.join(CLASSES)}", i)
    _positive(c, m, "headway_minutes", i)
    _check_year(c, m, i)
    ok = _check_text(c, m, "id", i, is_id=True) & _check_text(c, m, "name", i)
    ok &= _check_text(c, m, "name_zh", i)
    if ok and m.get("id") in state["services"]:
        c.err(m, "id", f"service {m['id']!r} already exists; choose a new id", i)
    stops = m.get("stops")
    if not isinstance(stops, list) or len(stops) < 2:
        c.err(m, "stops", "give a list of at least two stops", i)
        return
    if not all(isinstance(s, str | dict) for s in stops):
        c.err(m, "stops", "each stop is a station id or a new station {name, lon, lat}", i)
        return
    ids = [s if isinstance(s, str) else _slug(s.get("name", "")) for s in stops]
    if len(set(map(str, ids))) != len(ids):
        c.err(m, "stops", "a stop appears twice in the same line", i)
    for st in stops:
        _check_stop_ref(c, m, "stops", st, i, state["stations"], state["new"])
    has_hops, has_speed = "hop_minutes" in m, "speed_kmh" in m
    if has_hops == has_speed:
        c.err(m, "hop_minutes", "give either hop_minutes (one per hop) or speed_kmh", i)
    elif has_hops:
        hops = m["hop_minutes"]
        if not isinstance(hops, list) or len(hops) != len(stops) - 1:
            n = len(hops) if isinstance(hops, list) else "no list"
            c.err(m, "hop_minutes", f"{n} hop minutes for {len(stops)} stops; "
                                    f"give {len(stops) - 1}", i)
        elif not all(_is_num(h) and 0 < h <= BOUNDS["hop_minutes"][1] for h in hops):
            c.err(m, "hop_minutes", "every hop must take a positive number of minutes, up to "
                                    f"{BOUNDS['hop_minutes'][1]:g}", i)
    else:
        _positive(c, m, "speed_kmh", i)
    _at_least_zero(c, m, "dwell_minutes", i)
    if not ok:
        return
    state["services"].add(m.get("id"))
    state["stops"][m.get("id")] = [s if isinstance(s, str) else _slug(s.get("name", ""))
                                   for s in stops if isinstance(s, str | dict)]


def _check_service(c: _Check, m: dict, i: int, state: dict) -> bool:
    v = m.get("service")
    if not isinstance(v, str) or v not in state["services"]:
        c.err(m, "service", f"unknown service {shorten(v, 60)}; use an id from "
                            "'hzcircle lines'", i)
        return False
    return True


def _str_list(c: _Check, m: dict, key: str, i: int) -> list[str]:
    """``m[key]`` as a list of texts (an error and [] if it is not one)."""
    v = m.get(key)
    if key in m and (not isinstance(v, list) or not all(isinstance(x, str) for x in v)):
        c.err(m, key, f"give a list of ids, e.g. [a, b]; got {shorten(v, 40)}", i)
        return []
    return list(v or [])


def _check_modification(c: _Check, m: Any, i: int, state: dict) -> None:
    if not isinstance(m, dict):
        lines = getattr(c, "item_lines", None) or []
        line = f":{lines[i]}" if i < len(lines) else ""
        c.errors.append(f"{c.where}{line}: modifications[{i}]: each modification must be a "
                        f"mapping of type and fields, not {shorten(m, 40)}")
        return
    t = m.get("type")
    if not isinstance(t, str) or t not in TYPES:
        c.err(m, "type", f"unknown type {shorten(t, 40)}; allowed: {', '.join(TYPES)}", i)
        return
    required, optional = FIELDS[t]
    for key in sorted(required - set(m)):
        c.err(m, None, f"missing field {key!r} for {t}", i)
    for key in sorted(set(m) - required - optional):
        allowed = ", ".join(sorted(required | optional))
        c.err(m, key, f"unknown field for {t}; allowed: {allowed}", i)
    _check_common(c, m, i)
    _CHECKS[t](c, m, i, state)


def _check_add_station(c: _Check, m: dict, i: int, state: dict) -> None:
    if _check_service(c, m, i, state) and (
            not isinstance(m.get("after"), str)
            or m.get("after") not in state["stops"].get(m["service"], [])):
        c.err(m, "after", f"{shorten(m.get('after'), 40)} is not a stop of {m['service']}", i)
    _check_stop_ref(c, m, "station", m.get("station"), i, state["stations"], state["new"])
    _at_least_zero(c, m, "added_minutes", i)


def _check_adjust_speed(c: _Check, m: dict, i: int, state: dict) -> None:
    known = _check_service(c, m, i, state)
    if ("factor" in m) == ("hop_minutes" in m):
        c.err(m, "factor", "give either factor or hop_minutes", i)
    _positive(c, m, "factor", i)
    hi = BOUNDS["hop_minutes"][1]
    if "hop_minutes" in m and (not isinstance(m["hop_minutes"], dict) or not all(
            _is_num(v) and 0 < v <= hi for v in m["hop_minutes"].values())):
        c.err(m, "hop_minutes", f'give a mapping "A-B": minutes with minutes in (0, {hi:g}]', i)
        return
    hops = _str_list(c, m, "hops", i)
    if not known:
        return
    stops = state["stops"].get(m["service"], [])
    valid = {f"{a}-{b}" for a, b in itertools.pairwise(stops)}
    for key in [*hops, *(m.get("hop_minutes") or {})]:
        if key not in valid:
            c.err(m, "hops" if key in hops else "hop_minutes",
                  f"{shorten(key, 40)} is not a hop of {m['service']}; give A-B with consecutive "
                  "stop ids", i)
            break


def _check_adjust_headway(c: _Check, m: dict, i: int, state: dict) -> None:
    _check_service(c, m, i, state)
    _positive(c, m, "headway_minutes", i)


def _check_remove_stops(c: _Check, m: dict, i: int, state: dict) -> None:
    if not _check_service(c, m, i, state):
        return
    stops = state["stops"].get(m["service"], [])
    for st in _str_list(c, m, "stops", i):
        if st not in stops:
            c.err(m, "stops", f"{shorten(st, 40)} is not a stop of {m['service']}", i)
    _at_least_zero(c, m, "seconds_saved", i)


def _check_remove_line(c: _Check, m: dict, i: int, state: dict) -> None:
    if ("service" in m) == ("line" in m):
        c.err(m, "service", "give either service or line", i)
    elif "service" in m:
        _check_service(c, m, i, state)
    elif not isinstance(m["line"], str) or m["line"] not in state["lines"]:
        c.err(m, "line", f"unknown line {shorten(m['line'], 40)}", i)


def _check_add_road(c: _Check, m: dict, i: int, state: dict) -> None:
    for key in ("from", "to"):
        v = m.get(key)
        if isinstance(v, str):
            if v not in state["road_nodes"]:
                c.err(m, key, f"unknown road node {shorten(v, 40)}", i)
        elif v is not None:
            _new_station(c, m, key, v, i, set())
    _positive(c, m, "length_km", i)
    _check_year(c, m, i)
    _check_text(c, m, "id", i, is_id=True)
    _check_text(c, m, "name", i)
    if "speed_kmh" in m and not (_is_num(m["speed_kmh"]) and 0 < m["speed_kmh"] <= 120):
        c.err(m, "speed_kmh", f"{shorten(m['speed_kmh'], 40)} must be in (0, 120] km/h", i)


def _check_modify_road(c: _Check, m: dict, i: int, state: dict) -> None:
    _positive(c, m, "speed_factor", i)
    if ("segments" in m) == ("route" in m):
        c.err(m, "segments", "give either segments (ids) or route", i)
    for sid in _str_list(c, m, "segments", i):
        if sid not in state["segments"]:
            c.err(m, "segments", f"unknown expressway segment {shorten(sid, 40)}", i)
    if "route" in m and (not isinstance(m["route"], str) or m["route"] not in state["routes"]):
        c.err(m, "route", f"no expressway segment has route {shorten(m['route'], 40)}", i)


_CHECKS = {"add_line": _check_add_line, "add_station": _check_add_station,
           "adjust_speed": _check_adjust_speed, "adjust_headway": _check_adjust_headway,
           "remove_stops": _check_remove_stops, "remove_line": _check_remove_line,
           "add_road": _check_add_road, "modify_road": _check_modify_road}


def _state(layers: Layers) -> dict:
    stops = {}
    for sid, grp in layers.service_stops.sort_values("seq").groupby("service_id"):
        stops[sid] = list(grp["station_id"])
    return {"stations": set(layers.stations["id"]), "services": set(layers.services["id"]),
            "lines": set(layers.services["line_id"]), "stops": stops, "new": set(),
            "road_nodes": set(layers.road_nodes["id"]), "segments": set(layers.expressways["id"]),
            "routes": set(layers.expressways["route"])}
