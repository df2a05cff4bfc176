"""Validation of every modification before anything is applied."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    from network.layers import Layers
from network.scenarios.spec import CLASSES, FIELDS, TYPES, _slug


@dataclass
class _Check:
    where: str
    layers: Layers
    errors: list[str] = field(default_factory=list)

    def err(self, m: dict, key: str | None, msg: str, index: int | None = None) -> None:
        line = (getattr(m, "key_lines", {}).get(key) if key else None) or getattr(m, "line", 0)
        loc = f"modifications[{index}]." if index is not None else ""
        self.errors.append(f"{self.where}:{line}: {loc}{key or 'entry'}: {msg}")


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _positive(c: _Check, m: dict, key: str, i: int) -> None:
    if key in m and not (_is_num(m[key]) and m[key] > 0):
        c.err(m, key, f"{m[key]!r} must be a positive number", i)


def _new_station(c: _Check, m: dict, key: str, st: Any, i: int, seen: set[str]) -> None:
    from network.geo import in_region

    if not isinstance(st, dict) or "name" not in st or "lon" not in st or "lat" not in st:
        c.err(m, key, f"a new station needs name, lon and lat; got {st!r}", i)
        return
    if not (_is_num(st["lon"]) and _is_num(st["lat"])):
        c.err(m, key, f"station {st['name']!r}: lon/lat must be numbers (WGS-84)", i)
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
        if st not in stations and st not in seen and _slug(st) not in seen:
            c.err(m, key, f"unknown station id {st!r}; use an id from 'hzcircle stations' or "
                          "give a new station {name, lon, lat}", i)
    else:
        _new_station(c, m, key, st, i, seen)


def _check_add_line(c: _Check, m: dict, i: int, state: dict) -> None:
    if m.get("class") not in CLASSES:
        c.err(m, "class", f"{m.get('class')!r} is not one of {', '.join(CLASSES)}", i)
    _positive(c, m, "headway_minutes", i)
    if m.get("id") in state["services"]:
        c.err(m, "id", f"service {m['id']!r} already exists; choose a new id", i)
    stops = m.get("stops")
    if not isinstance(stops, list) or len(stops) < 2:
        c.err(m, "stops", "give a list of at least two stops", i)
        return
    ids = [s if isinstance(s, str) else _slug(s.get("name", "")) if isinstance(s, dict) else s
           for s in stops]
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
        elif not all(_is_num(h) and h > 0 for h in hops):
            c.err(m, "hop_minutes", "every hop must take a positive number of minutes", i)
    else:
        _positive(c, m, "speed_kmh", i)
    if "dwell_minutes" in m and not (_is_num(m["dwell_minutes"]) and m["dwell_minutes"] >= 0):
        c.err(m, "dwell_minutes", "must be a number >= 0", i)
    state["services"].add(m.get("id"))
    state["stops"][m.get("id")] = [s if isinstance(s, str) else _slug(s.get("name", ""))
                                   for s in stops if isinstance(s, str | dict)]


def _check_service(c: _Check, m: dict, i: int, state: dict) -> bool:
    if m.get("service") not in state["services"]:
        c.err(m, "service", f"unknown service {m.get('service')!r}; use an id from "
                            "'hzcircle lines'", i)
        return False
    return True


def _check_modification(c: _Check, m: Any, i: int, state: dict) -> None:
    if not isinstance(m, dict):
        c.errors.append(f"{c.where}: modifications[{i}]: each modification must be a mapping")
        return
    t = m.get("type")
    if t not in TYPES:
        c.err(m, "type", f"unknown type {t!r}; allowed: {', '.join(TYPES)}", i)
        return
    required, optional = FIELDS[t]
    for key in sorted(required - set(m)):
        c.err(m, None, f"missing field {key!r} for {t}", i)
    for key in sorted(set(m) - required - optional):
        allowed = ", ".join(sorted(required | optional))
        c.err(m, key, f"unknown field for {t}; allowed: {allowed}", i)
    _CHECKS[t](c, m, i, state)


def _check_add_station(c: _Check, m: dict, i: int, state: dict) -> None:
    if _check_service(c, m, i, state) and m.get("after") not in state["stops"].get(m["service"], []):
        c.err(m, "after", f"{m.get('after')!r} is not a stop of {m['service']}", i)
    _check_stop_ref(c, m, "station", m.get("station"), i, state["stations"], state["new"])
    if "added_minutes" in m and not (_is_num(m["added_minutes"]) and m["added_minutes"] >= 0):
        c.err(m, "added_minutes", "must be a number >= 0", i)


def _check_adjust_speed(c: _Check, m: dict, i: int, state: dict) -> None:
    _check_service(c, m, i, state)
    if ("factor" in m) == ("hop_minutes" in m):
        c.err(m, "factor", "give either factor or hop_minutes", i)
    _positive(c, m, "factor", i)
    if "hop_minutes" in m and (not isinstance(m["hop_minutes"], dict) or not all(
            _is_num(v) and v > 0 for v in m["hop_minutes"].values())):
        c.err(m, "hop_minutes", 'give a mapping "A-B": minutes with positive minutes', i)


def _check_adjust_headway(c: _Check, m: dict, i: int, state: dict) -> None:
    _check_service(c, m, i, state)
    _positive(c, m, "headway_minutes", i)


def _check_remove_stops(c: _Check, m: dict, i: int, state: dict) -> None:
    if not _check_service(c, m, i, state):
        return
    stops = state["stops"].get(m["service"], [])
    for st in m.get("stops") or []:
        if st not in stops:
            c.err(m, "stops", f"{st!r} is not a stop of {m['service']}", i)
    if "seconds_saved" in m and not (_is_num(m["seconds_saved"]) and m["seconds_saved"] >= 0):
        c.err(m, "seconds_saved", "must be a number >= 0", i)


def _check_remove_line(c: _Check, m: dict, i: int, state: dict) -> None:
    if ("service" in m) == ("line" in m):
        c.err(m, "service", "give either service or line", i)
    elif "service" in m:
        _check_service(c, m, i, state)
    elif m["line"] not in state["lines"]:
        c.err(m, "line", f"unknown line {m['line']!r}", i)


def _check_add_road(c: _Check, m: dict, i: int, state: dict) -> None:
    for key in ("from", "to"):
        v = m.get(key)
        if isinstance(v, str):
            if v not in state["road_nodes"]:
                c.err(m, key, f"unknown road node {v!r}", i)
        elif v is not None:
            _new_station(c, m, key, v, i, set())
    _positive(c, m, "length_km", i)
    if "speed_kmh" in m and not (_is_num(m["speed_kmh"]) and 0 < m["speed_kmh"] <= 120):
        c.err(m, "speed_kmh", f"{m['speed_kmh']!r} must be in (0, 120] km/h", i)


def _check_modify_road(c: _Check, m: dict, i: int, state: dict) -> None:
    _positive(c, m, "speed_factor", i)
    if ("segments" in m) == ("route" in m):
        c.err(m, "segments", "give either segments (ids) or route", i)
    for sid in m.get("segments") or []:
        if sid not in state["segments"]:
            c.err(m, "segments", f"unknown expressway segment {sid!r}", i)
    if "route" in m and m["route"] not in state["routes"]:
        c.err(m, "route", f"no expressway segment has route {m['route']!r}", i)


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
