"""What-if scenarios: read, validate and apply YAML modifications to the layers; compare.

A scenario file (YAML, UTF-8)::

    name: New Shanghai-Hangzhou HSR
    description: ...
    source: https://...            # where the proposal comes from
    hypothetical: false            # true for an invented what-if
    modifications:
      - type: add_line
        ...

Modifications are applied **in the order of the file** (as Conveyal R5 does), each to the
result of the previous one. Types and their fields (``?`` optional):

``add_line``
    ``id``, ``name``, ``name_zh?``, ``class`` (hsr/conventional/intercity/metro),
    ``headway_minutes``, ``open_year?``, ``stops`` (each an existing station id, or a new
    station ``{name, name_zh?, lon, lat, kind?}`` in WGS-84), and either ``hop_minutes`` (one per
    hop) or ``speed_kmh`` (average between stops, on the straight line x 1.15) with
    ``dwell_minutes?`` (default 2). Runs in both directions.
``add_station``
    ``service``, ``after`` (a stop of the service), ``station`` (id or new station),
    ``added_minutes`` (extra time for stopping; the run is split by distance).
``adjust_speed``
    ``service``, ``factor`` (> 1 is faster: run minutes / factor) or ``hop_minutes``
    (``{"A-B": minutes}``), ``hops?`` (``["A-B", ...]`` to scale only some hops).
``adjust_headway``
    ``service``, ``headway_minutes``.
``remove_stops``
    ``service``, ``stops`` (ids), ``seconds_saved?`` per removed stop (default: its dwell).
``remove_line``
    ``service`` (or ``line`` to remove all its services).
``add_road``
    ``id?``, ``from``, ``to`` (road node ids, or ``{name, lon, lat}``), ``length_km``,
    ``speed_kmh``, ``open_year?``.
``modify_road``
    ``segments`` (ids) or ``route`` (e.g. ``G60``), ``speed_factor``.

The whole file is validated before anything is applied; every error names the file, the line
and the field (:class:`ScenarioError`).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network import settings
from network._errors import HzCircleError
from network.validate import haversine_km

if TYPE_CHECKING:
    import pandas as pd

    from network.layers import Layers

RAIL_CIRCUITY = 1.15  # straight line -> track, for speed_kmh (same assumption as the layers)
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
# reading YAML with line numbers
# ------------------------------------------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


def _load_yaml(text: str, where: str) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> _Map:
        loader.flatten_mapping(node)
        m = _Map()
        m.line = node.start_mark.line + 1
        m.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            m[key] = loader.construct_object(value_node, deep=True)
            m.key_lines[key] = key_node.start_mark.line + 1
        return m

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{where}{line}: not valid YAML ({problem}); fix the syntax") from None


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
    from network.places import in_region

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


def parse_scenario(text: str, layers: Layers, *, where: str = "<scenario>") -> Scenario:
    """Parse and validate a scenario; raise :class:`ScenarioError` listing every problem."""
    data = _load_yaml(text, where)
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a scenario is a mapping with name and modifications")
    c = _Check(where, layers)
    for key in ("name", "modifications"):
        if key not in data:
            c.errors.append(f"{where}:{getattr(data, 'line', 1)}: missing field {key!r}")
    for key in set(data) - {"name", "description", "source", "hypothetical", "modifications"}:
        c.err(data, key, "unknown field; allowed: name, description, source, hypothetical, "
                         "modifications")
    mods = data.get("modifications") or []
    if not isinstance(mods, list):
        c.err(data, "modifications", "must be a list")
        mods = []
    state = _state(layers)
    for i, m in enumerate(mods):
        _check_modification(c, m, i, state)
    if c.errors:
        raise ScenarioError("\n".join(c.errors))
    return Scenario(str(data.get("name", "")).strip(), list(mods),
                    str(data.get("description", "")).strip(), str(data.get("source", "")).strip(),
                    bool(data.get("hypothetical", False)), where)


def read_scenario(path: str | Path, layers: Layers) -> Scenario:
    """Read and validate a scenario file (UTF-8 YAML)."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"{p}: scenario file not found")
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{p}: not UTF-8 text (byte {exc.start}); save the file as "
                            "UTF-8") from None
    return parse_scenario(text, layers, where=str(p))


# ------------------------------------------------------------------------------------------
# applying (pure: returns new layers)
# ------------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return "scn_" + re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")


def apply(layers: Layers, scenario: Scenario) -> Layers:
    """Return new layers with the scenario's modifications applied (inputs are not modified)."""
    import geopandas as gpd

    frames = {name: getattr(layers, name).copy() for name in
              ("stations", "services", "service_stops", "road_nodes", "expressways")}
    for m in scenario.modifications:
        _APPLY[m["type"]](frames, m, scenario)
    for name in ("stations", "road_nodes"):
        f = frames[name]
        if not isinstance(f, gpd.GeoDataFrame):
            frames[name] = gpd.GeoDataFrame(f, geometry="geometry", crs=settings.CRS_WGS84)
    frames["service_stops"] = frames["service_stops"].reset_index(drop=True)
    frames["services"] = frames["services"].reset_index(drop=True)
    return layers.replace(**frames)


def _add_station_row(frames: dict, st: Any, kind: str, scenario: Scenario) -> str:
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    if isinstance(st, str):
        return st
    sid = _slug(st["name"])
    if sid in set(frames["stations"]["id"]):
        return sid
    row = {"id": sid, "name": st["name"], "name_zh": st.get("name_zh", st["name"]),
           "city": st.get("city", ""), "county": None, "kind": st.get("kind", kind),
           "opened": "2010", "former_names": None, "external": bool(st.get("external", False)),
           "source": f"scenario {scenario.name}", "notes": "new station of a scenario",
           "coord_crs_source": None, "lon": float(st["lon"]), "lat": float(st["lat"]),
           "open_year": None, "geometry": Point(float(st["lon"]), float(st["lat"]))}
    new = gpd.GeoDataFrame([row], geometry="geometry", crs=settings.CRS_WGS84)
    frames["stations"] = pd.concat([frames["stations"], new], ignore_index=True)
    return sid


def _pos(frames: dict) -> dict[str, tuple[float, float]]:
    s = frames["stations"]
    return dict(zip(s["id"], zip(s["lon"], s["lat"], strict=True), strict=True))


def _line_rows(m: dict, ids: list[str], pos: dict, scenario: Scenario) -> tuple[dict, list[dict]]:
    """The service row and stop rows of an ``add_line`` (shared by layers and graph level)."""
    if "hop_minutes" in m:
        runs = [float(h) for h in m["hop_minutes"]]
        dwell = float(m.get("dwell_minutes", 0.0))
    else:
        speed = float(m["speed_kmh"])
        runs = [max(1.0, haversine_km(*pos[a], *pos[b]) * RAIL_CIRCUITY / speed * 60.0)
                for a, b in itertools.pairwise(ids)]
        dwell = float(m.get("dwell_minutes", 2.0))
    year = int(m.get("open_year", settings.first_year))
    src = m.get("source") or scenario.source or f"scenario {scenario.name}"
    service = {"id": m["id"], "line_id": m["id"], "name": m["name"],
               "name_zh": m.get("name_zh", m["name"]), "class": m["class"], "pattern": "allstop",
               "headway_minutes": float(m["headway_minutes"]),
               "headway_basis": f"scenario {scenario.name}", "opened": year, "closed": None,
               "source": src, "notes": None}
    rows = [{"service_id": m["id"], "seq": i + 1, "station_id": sid,
             "run_minutes": runs[i - 1] if i else None,
             "dwell_minutes": dwell if 0 < i < len(ids) - 1 else None,
             "opened": year, "estimate": "hop_minutes" not in m, "source": src}
            for i, sid in enumerate(ids)]
    return service, rows


def _apply_add_line(frames: dict, m: dict, scenario: Scenario) -> None:
    import pandas as pd

    ids = [_add_station_row(frames, st, m["class"], scenario) for st in m["stops"]]
    service, rows = _line_rows(m, ids, _pos(frames), scenario)
    frames["services"] = pd.concat([frames["services"], pd.DataFrame([service])],
                                   ignore_index=True)
    frames["service_stops"] = pd.concat([frames["service_stops"], pd.DataFrame(rows)],
                                        ignore_index=True)


def _service_rows(frames: dict, service: str) -> pd.DataFrame:
    st = frames["service_stops"]
    return st[st["service_id"] == service].sort_values("seq")


def _replace_stops(frames: dict, service: str, rows: list[dict]) -> None:
    import pandas as pd

    st = frames["service_stops"]
    for i, r in enumerate(rows):
        r["seq"] = i + 1
        if i == 0:
            r["run_minutes"], r["dwell_minutes"] = None, None
        if i == len(rows) - 1:
            r["dwell_minutes"] = None
    frames["service_stops"] = pd.concat([st[st["service_id"] != service], pd.DataFrame(rows)],
                                        ignore_index=True)


def _apply_add_station(frames: dict, m: dict, scenario: Scenario) -> None:
    rows = _service_rows(frames, m["service"]).to_dict("records")
    sid = _add_station_row(frames, m["station"], "hsr", scenario)
    pos = _pos(frames)
    k = next(i for i, r in enumerate(rows) if r["station_id"] == m["after"])
    if k == len(rows) - 1:  # after the last stop: extend the line
        run = haversine_km(*pos[rows[k]["station_id"]], *pos[sid]) * RAIL_CIRCUITY / 80 * 60
        rows.append({**rows[k], "station_id": sid, "run_minutes": max(1.0, run)})
    else:
        nxt = rows[k + 1]
        a, b = pos[rows[k]["station_id"]], pos[nxt["station_id"]]
        d1, d2 = haversine_km(*a, *pos[sid]), haversine_km(*pos[sid], *b)
        total = float(nxt["run_minutes"]) + float(m["added_minutes"])
        share = d1 / (d1 + d2) if d1 + d2 else 0.5
        new = {**nxt, "station_id": sid, "run_minutes": total * share, "dwell_minutes": 0.0,
               "source": f"scenario {scenario.name}"}
        nxt["run_minutes"] = total * (1 - share)
        rows.insert(k + 1, new)
    _replace_stops(frames, m["service"], rows)


def _apply_adjust_speed(frames: dict, m: dict, scenario: Scenario) -> None:
    rows = _service_rows(frames, m["service"]).to_dict("records")
    hops = set(m.get("hops") or [])
    for prev, r in itertools.pairwise(rows):
        key = f"{prev['station_id']}-{r['station_id']}"
        if "factor" in m and (not hops or key in hops):
            r["run_minutes"] = float(r["run_minutes"]) / float(m["factor"])
        elif "hop_minutes" in m and key in m["hop_minutes"]:
            r["run_minutes"] = float(m["hop_minutes"][key])
    _replace_stops(frames, m["service"], rows)


def _apply_adjust_headway(frames: dict, m: dict, scenario: Scenario) -> None:
    sv = frames["services"]
    sv.loc[sv["id"] == m["service"], "headway_minutes"] = float(m["headway_minutes"])


def _apply_remove_stops(frames: dict, m: dict, scenario: Scenario) -> None:
    rows = _service_rows(frames, m["service"]).to_dict("records")
    drop = set(m["stops"])
    kept: list[dict] = []
    carry = 0.0
    for i, r in enumerate(rows):
        run = float(r["run_minutes"] or 0.0) if i else 0.0
        if r["station_id"] in drop and 0 < i < len(rows) - 1:
            dwell = float(r["dwell_minutes"] or 0.0)
            saved = m["seconds_saved"] / 60.0 if "seconds_saved" in m else dwell
            carry += run + dwell - saved
            continue
        if r["station_id"] in drop:  # a terminus: the line is cut short
            if i == 0:
                continue
            break
        r = dict(r)
        if kept:
            r["run_minutes"] = max(0.5, run + carry)
        carry = 0.0
        kept.append(r)
    _replace_stops(frames, m["service"], kept)


def _apply_remove_line(frames: dict, m: dict, scenario: Scenario) -> None:
    sv = frames["services"]
    ids = {m["service"]} if "service" in m else set(sv.loc[sv["line_id"] == m["line"], "id"])
    frames["services"] = sv[~sv["id"].isin(ids)]
    st = frames["service_stops"]
    frames["service_stops"] = st[~st["service_id"].isin(ids)]


def _road_node(frames: dict, v: Any, scenario: Scenario) -> str:
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    if isinstance(v, str):
        return v
    rid = "rn_" + _slug(v["name"])
    if rid not in set(frames["road_nodes"]["id"]):
        row = {"id": rid, "name": v["name"], "name_zh": v.get("name_zh", v["name"]), "city": "",
               "county": None, "kind": "interchange", "external": False,
               "source": f"scenario {scenario.name}", "notes": None, "coord_crs_source": None,
               "lon": float(v["lon"]), "lat": float(v["lat"]),
               "geometry": Point(float(v["lon"]), float(v["lat"]))}
        new = gpd.GeoDataFrame([row], geometry="geometry", crs=settings.CRS_WGS84)
        frames["road_nodes"] = pd.concat([frames["road_nodes"], new], ignore_index=True)
    return rid


def _apply_add_road(frames: dict, m: dict, scenario: Scenario) -> None:
    import pandas as pd

    a, b = _road_node(frames, m["from"], scenario), _road_node(frames, m["to"], scenario)
    year = int(m.get("open_year", settings.first_year))
    row = {"id": m.get("id", f"scn_road_{a}_{b}"), "route": m.get("route", "scenario"),
           "name": m.get("name", f"{a}-{b}"), "name_zh": None, "from_node": a, "to_node": b,
           "length_km": float(m["length_km"]), "speed_kmh": float(m["speed_kmh"]),
           "opened": str(year), "estimate": False, "count_share": 1.0,
           "source": m.get("source") or f"scenario {scenario.name}", "notes": None,
           "open_year": year}
    frames["expressways"] = pd.concat([frames["expressways"], pd.DataFrame([row])],
                                      ignore_index=True)


def _apply_modify_road(frames: dict, m: dict, scenario: Scenario) -> None:
    ex = frames["expressways"]
    sel = ex["id"].isin(m["segments"]) if "segments" in m else ex["route"] == m["route"]
    ex.loc[sel, "speed_kmh"] = np.minimum(ex.loc[sel, "speed_kmh"].astype(float)
                                          * float(m["speed_factor"]), 120.0)


_APPLY = {"add_line": _apply_add_line, "add_station": _apply_add_station,
          "adjust_speed": _apply_adjust_speed, "adjust_headway": _apply_adjust_headway,
          "remove_stops": _apply_remove_stops, "remove_line": _apply_remove_line,
          "add_road": _apply_add_road, "modify_road": _apply_modify_road}


# ------------------------------------------------------------------------------------------
# comparing
# ------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """A scenario against the baseline, for one year, mode set and core."""

    scenario: Scenario
    year: int
    modes: str
    core: str
    population_within_hour_before: float
    population_within_hour_after: float
    zones: list[dict]
    flipped: list[dict]
    od_gains: Any  # DataFrame: origin, destination, minutes_before, minutes_after, gain
    isochrones: list[dict]
    base: Any = field(repr=False, default=None)
    after: Any = field(repr=False, default=None)

    def as_dict(self) -> dict[str, Any]:
        top = self.od_gains.head(20).to_dict("records")
        return {"scenario": self.scenario.name, "hypothetical": self.scenario.hypothetical,
                "source": self.scenario.source, "year": self.year, "modes": self.modes,
                "core": self.core,
                "population_within_hour_before": round(self.population_within_hour_before),
                "population_within_hour_after": round(self.population_within_hour_after),
                "population_within_hour_gain": round(self.population_within_hour_after
                                                     - self.population_within_hour_before),
                "zones": self.zones, "flipped": self.flipped, "top_od_gains": top,
                "isochrones": self.isochrones}

    def changed_services(self) -> set[str]:
        """Services whose stops, run minutes or headway differ from the baseline."""
        def pattern(frame: Any) -> dict[str, tuple]:
            out = {}
            for sid, grp in frame.sort_values("seq").groupby("service_id"):
                runs = tuple(round(float(v), 3) if v is not None and v == v else None
                             for v in grp["run_minutes"])
                out[sid] = (tuple(grp["station_id"]), runs)
            return out

        before = pattern(self.base.layers.service_stops)
        after = pattern(self.after.layers.service_stops)
        out = {sid for sid, p in after.items() if before.get(sid) != p}
        sv = self.base.layers.services
        hb = dict(zip(sv["id"], sv["headway_minutes"], strict=True))
        for sid, h in zip(self.after.layers.services["id"],
                          self.after.layers.services["headway_minutes"], strict=True):
            if hb.get(sid) is not None and float(hb[sid]) != float(h):
                out.add(sid)
        return out

    def map(self, *, tiles: str = "light") -> Any:
        from network import maps

        gains = {z["id"]: (z["minutes_before"] or 0) - (z["minutes_after"] or 0)
                 for z in self.zones if z["minutes_before"] is not None}
        return maps.scenario_map(base=self.base.layers, scenario=self.after.layers,
                                 name=self.scenario.name, gains=gains,
                                 changed_services=self.changed_services(), year=self.year,
                                 modes=self.modes, tiles=tiles)


def compare(base: Layers, scenario: Scenario, *, year: int, modes: str = "rail",
            core: str | None = None, base_net: Any = None, roads: Any = None) -> Comparison:
    """Compare a scenario with the baseline: OD gains, scorecard flips, isochrone change."""
    from network.queries import Network
    from network.scorecard import scorecard

    before = base_net or Network(base, year=year, modes=modes, roads=roads)
    after = Network(apply(base, scenario), year=year, modes=modes, roads=roads)
    m0, m1 = before.matrix(level="county"), after.matrix(level="county")
    od = m0[["origin", "destination"]].copy()
    od["minutes_before"], od["minutes_after"] = m0["minutes"], m1["minutes"]
    od["gain"] = (od["minutes_before"] - od["minutes_after"]).round(1)
    od = od.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)
    c0, c1 = scorecard(before, core=core), scorecard(after, core=core)
    zones, flipped = [], []
    for z0, z1 in zip(c0.zones, c1.zones, strict=True):
        slow0, slow1 = _slower(z0), _slower(z1)
        zones.append({"id": z0.id, "name": z0.name, "city": z0.city, "kind": z0.kind,
                      "minutes_before": slow0, "minutes_after": slow1,
                      "within_before": z0.within_hour, "within_after": z1.within_hour})
        if z0.within_hour != z1.within_hour:
            flipped.append({"id": z0.id, "name": z0.name, "city": z0.city,
                            "now_within": z1.within_hour})
    iso = _iso_change(before, after, c0.core_place)
    return Comparison(scenario, year, modes, c0.core, c0.population_within_hour,
                      c1.population_within_hour, zones, flipped, od, iso, before, after)


def _slower(z: Any) -> float | None:
    if z.minutes_to_core is None:
        return None
    return max(z.minutes_to_core, z.minutes_from_core or 0)


def _iso_change(before: Any, after: Any, core: Any) -> list[dict]:
    from network.surface import travel_time_surface

    out = []
    a = travel_time_surface(before, core).isochrones([30, 45, 60, 90])
    b = travel_time_surface(after, core).isochrones([30, 45, 60, 90])
    for r0, r1 in zip(a.itertuples(), b.itertuples(), strict=True):
        out.append({"minutes": r0.minutes, "area_km2_before": r0.area_km2,
                    "area_km2_after": r1.area_km2, "population_before": r0.population,
                    "population_after": r1.population})
    return out


def compare_files(paths: list[str], *, layers: Layers, year: int, modes: str = "rail",
                  core: str | None = None, roads: Any = None) -> list[Comparison]:
    """Validate every file first, then compare each against one shared baseline."""
    from network.graph import check_mode, check_year
    from network.queries import Network

    check_mode(modes)
    check_year(layers, year)
    scenarios = [read_scenario(p, layers) for p in paths]
    base_net = Network(layers, year=year, modes=modes, roads=roads)
    return [compare(layers, s, year=year, modes=modes, core=core, base_net=base_net, roads=roads)
            for s in scenarios]


def format_comparison(c: Comparison, *, top: int = 10) -> str:
    lines = [f"Scenario: {c.scenario.name}{' (HYPOTHETICAL)' if c.scenario.hypothetical else ''}",
             f"  {c.year}, modes {c.modes}, core {c.core}"]
    if c.scenario.source:
        lines.append(f"  source: {c.scenario.source}")
    gain = c.population_within_hour_after - c.population_within_hour_before
    lines.append(f"  population within the hour: {c.population_within_hour_before / 1e6:.2f} M -> "
                 f"{c.population_within_hour_after / 1e6:.2f} M ({gain / 1e6:+.2f} M)")
    for f in c.flipped:
        lines.append(f"  flips: {f['name']} ({f['city']}) "
                     f"{'now within the hour' if f['now_within'] else 'no longer within'}")
    for r in c.isochrones:
        lines.append(f"  {r['minutes']:g}-min isochrone from the core: "
                     f"{r['area_km2_before']:,.0f} -> {r['area_km2_after']:,.0f} km2, "
                     f"{r['population_before'] / 1e6:.2f} -> {r['population_after'] / 1e6:.2f} M")
    lines.append("  largest county-to-county gains (minutes):")
    for r in c.od_gains.head(top).itertuples():
        if not r.gain or r.gain <= 0:
            break
        lines.append(f"    {r.origin:<12} -> {r.destination:<12} {r.minutes_before:6.1f} -> "
                     f"{r.minutes_after:6.1f}  ({r.gain:+.1f})")
    return "\n".join(lines)


def check_file(path: str, layers: Layers) -> Scenario:
    """Validate only (``hzcircle scenario check``)."""
    return read_scenario(path, layers)


# ------------------------------------------------------------------------------------------
# fast evaluation at the graph level (many variants)
# ------------------------------------------------------------------------------------------

#: Modification types the graph-level evaluator handles (others fall back to a rebuild).
FAST_TYPES = {"add_line", "adjust_headway", "remove_line"}


@dataclass
class Evaluation:
    """The headline numbers of one scenario: county matrix and population within the hour."""

    name: str
    matrix: np.ndarray  # county x county minutes (zones in layers order), inf if unreachable
    population_within_hour: float


class FastEvaluator:
    """Evaluate many scenarios against one baseline without rebuilding the graph.

    The baseline graph (with the core attached) is compiled to edge arrays once. A scenario
    made only of ``add_line`` (on existing stations), ``adjust_headway`` and ``remove_line``
    is applied at the graph level: the affected services' edges are dropped and rebuilt from
    the same row builder the layer-level :func:`apply` uses, new route nodes are appended, and
    the county matrix and the population within the hour are recomputed on the new arrays.
    Results are identical to a full rebuild (tested); other scenarios fall back to one.
    """

    def __init__(self, layers: Layers, *, year: int, modes: str = "rail",
                 core: Any = None, grid: Any = None) -> None:
        from network.queries import Network
        from network.scorecard import hangzhou_core

        self.layers, self.year, self.modes = layers, year, modes
        self.net = Network(layers, year=year, modes=modes)
        if core is None:
            self.core = hangzhou_core(layers)
        else:
            self.core = self.net.resolve(core) if isinstance(core, str) else core
        node, edges, nodes = self.net._attach(self.core, "from")
        G = self.net.G.copy()
        G.add_nodes_from(nodes.items())
        from network.graph import add_edges

        add_edges(G, edges)
        self.core_node = node
        self.names = list(G.nodes)
        self.index = {n: i for i, n in enumerate(self.names)}
        rows = [(self.index[a], self.index[b], d["minutes"], d.get("service") or "")
                for a, b, d in G.edges(data=True)]
        self.u = np.array([r[0] for r in rows], dtype=np.int64)
        self.v = np.array([r[1] for r in rows], dtype=np.int64)
        self.w = np.array([max(r[2], 1e-9) for r in rows])
        self.svc = np.array([r[3] for r in rows], dtype=object)
        self.zone_idx = np.array([self.index[f"zone:{c}"] for c in layers.zones["code"]])
        self.grid = grid if grid is not None else self.net.grid()
        self.pairs_f = self.net.surface_pairs(self.grid, False)
        self.pairs_r = self.net.surface_pairs(self.grid, True)
        st = layers.stations
        self.pos = dict(zip(st["id"], zip(st["lon"], st["lat"], strict=True), strict=True))
        self.open_stations = {n for n, d in self.net.G.nodes(data=True)
                              if d.get("kind") == "station"}
        self.services = {r["id"]: r for r in layers.services.to_dict("records")}
        self.stops = {sid: g.sort_values("seq").to_dict("records")
                      for sid, g in layers.service_stops.groupby("service_id")}

    def fast(self, scenario: Scenario) -> bool:
        """Whether the scenario can be evaluated at the graph level."""
        for m in scenario.modifications:
            if m["type"] not in FAST_TYPES:
                return False
            if m["type"] == "add_line" and not all(isinstance(s, str) for s in m["stops"]):
                return False
        return True

    def _service_edges(self, scenario: Scenario) -> tuple[set[str], list]:
        from types import SimpleNamespace

        import pandas as pd

        from network.graph import _rail_service_edges, _service_stops

        services = dict(self.services)
        stops = dict(self.stops)
        touched: set[str] = set()
        for m in scenario.modifications:
            if m["type"] == "add_line":
                service, rows = _line_rows(m, list(m["stops"]), self.pos, scenario)
                services[m["id"]], stops[m["id"]] = service, rows
                touched.add(m["id"])
            elif m["type"] == "adjust_headway":
                services[m["service"]] = {**services[m["service"]],
                                          "headway_minutes": float(m["headway_minutes"])}
                touched.add(m["service"])
            elif m["type"] == "remove_line":
                ids = {m["service"]} if "service" in m else {
                    k for k, v in services.items() if v["line_id"] == m["line"]}
                for k in ids:
                    services.pop(k, None)
                touched |= ids
        edges = []
        for sid in touched:
            if sid not in services:
                continue
            sv = SimpleNamespace(**services[sid])
            if sv.opened is not None and int(sv.opened) > self.year:
                continue
            if sv.closed is not None and sv.closed == sv.closed and int(sv.closed) <= self.year:
                continue
            kept = _service_stops(pd.DataFrame(stops[sid]), self.open_stations, self.year)
            if len(kept) >= 2:
                edges.extend(_rail_service_edges(sv, kept, self.pos))
        return touched, edges

    def evaluate(self, scenario: Scenario) -> Evaluation:
        """County matrix and population within the hour of one scenario."""
        if not self.fast(scenario):
            return self._rebuild(scenario)
        touched, edges = self._service_edges(scenario)
        keep = ~np.isin(self.svc, list(touched)) if touched else np.ones(len(self.u), bool)
        index = dict(self.index)
        nu, nv, nw = [], [], []
        for e in edges:
            for n in (e.u, e.v):
                if n not in index:
                    index[n] = len(index)
            nu.append(index[e.u])
            nv.append(index[e.v])
            nw.append(max(e.minutes, 1e-9))
        u = np.concatenate([self.u[keep], np.array(nu, dtype=np.int64)])
        v = np.concatenate([self.v[keep], np.array(nv, dtype=np.int64)])
        w = np.concatenate([self.w[keep], np.array(nw, dtype=float)])
        return self._measure(scenario.name, _csr(u, v, w, len(index)))

    def _measure(self, name: str, matrix: Any) -> Evaluation:
        from scipy.sparse.csgraph import dijkstra

        from network.surface import surface_from_times

        d = dijkstra(matrix, directed=True, indices=self.zone_idx)
        od = d[:, self.zone_idx]
        core = self.index[self.core_node]
        fwd = dijkstra(matrix, directed=True, indices=core)
        rev = dijkstra(matrix.T.tocsr(), directed=True, indices=core)
        sf = surface_from_times(self.net, fwd, grid=self.grid)
        sr = surface_from_times(self.net, rev, grid=self.grid, reverse=True)
        within = np.fmax(sf.minutes, sr.minutes) <= settings.commute_minutes
        return Evaluation(name, od, float(np.nansum(self.grid.population[within])))

    def _rebuild(self, scenario: Scenario) -> Evaluation:
        other = FastEvaluator(apply(self.layers, scenario), year=self.year, modes=self.modes,
                              core=self.core, grid=self.grid)
        return other._measure(scenario.name, _csr(other.u, other.v, other.w, len(other.index)))


def _csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> Any:
    """CSR of minutes with parallel edges reduced to the cheapest (as compile_graph does)."""
    from scipy.sparse import coo_matrix

    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return coo_matrix((w[first], (u[first], v[first])), shape=(n, n)).tocsr()


_WORKER: dict[str, FastEvaluator] = {}


def _init_worker(layers: Layers, year: int, modes: str, core: Any) -> None:
    _WORKER["ev"] = FastEvaluator(layers, year=year, modes=modes, core=core)


def _evaluate_in_worker(scenario: Scenario) -> Evaluation:
    return _WORKER["ev"].evaluate(scenario)


def evaluate_many(layers: Layers, scenarios: list[Scenario], *, year: int, modes: str = "rail",
                  core: Any = None, workers: int = 1) -> list[Evaluation]:
    """Evaluate many scenarios; with ``workers > 1`` in that many processes (one evaluator
    each, built once), results in the order given."""
    if workers <= 1:
        ev = FastEvaluator(layers, year=year, modes=modes, core=core)
        return [ev.evaluate(s) for s in scenarios]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, initializer=_init_worker,
                             initargs=(layers, year, modes, core)) as pool:
        return list(pool.map(_evaluate_in_worker, scenarios, chunksize=16))


def evaluate_full(layers: Layers, scenario: Scenario, *, year: int, modes: str = "rail",
                  core: Any = None, grid: Any = None) -> Evaluation:
    """The same numbers as :meth:`FastEvaluator.evaluate`, by a full rebuild (for checks)."""
    ev = FastEvaluator(apply(layers, scenario), year=year, modes=modes, core=core, grid=grid)
    return ev._measure(scenario.name, _csr(ev.u, ev.v, ev.w, len(ev.index)))


__all__ = [
    "Comparison",
    "Evaluation",
    "FastEvaluator",
    "Scenario",
    "ScenarioError",
    "apply",
    "compare",
    "compare_files",
    "evaluate_full",
    "evaluate_many",
    "format_comparison",
    "parse_scenario",
    "read_scenario",
]
