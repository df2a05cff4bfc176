"""Applying a scenario to the layers: pure, returns new layers."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from network.assumptions import DEFAULT, Assumptions
from network.geo import CRS_WGS84, haversine_km
from network.years import FIRST_YEAR

if TYPE_CHECKING:
    import pandas as pd

    from network.layers import Layers
from network.scenarios.spec import Scenario, _slug

# applying (pure: returns new layers)
# ------------------------------------------------------------------------------------------




def apply(layers: Layers, scenario: Scenario, *, assumptions: Assumptions = DEFAULT) -> Layers:
    """Return new layers with the scenario's modifications applied (inputs are not modified).

    ``assumptions`` gives the track circuity and extension speed used where a modification
    states a speed rather than minutes.
    """
    import geopandas as gpd

    frames = {name: getattr(layers, name).copy() for name in
              ("stations", "services", "service_stops", "road_nodes", "expressways")}
    for m in scenario.modifications:
        _APPLY[m["type"]](frames, m, scenario, assumptions)
    for name in ("stations", "road_nodes"):
        f = frames[name]
        if not isinstance(f, gpd.GeoDataFrame):
            frames[name] = gpd.GeoDataFrame(f, geometry="geometry", crs=CRS_WGS84)
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
    new = gpd.GeoDataFrame([row], geometry="geometry", crs=CRS_WGS84)
    frames["stations"] = pd.concat([frames["stations"], new], ignore_index=True)
    return sid


def _pos(frames: dict) -> dict[str, tuple[float, float]]:
    s = frames["stations"]
    return dict(zip(s["id"], zip(s["lon"], s["lat"], strict=True), strict=True))


def line_rows(m: dict, ids: list[str], pos: dict, scenario: Scenario,
              a: Assumptions = DEFAULT) -> tuple[dict, list[dict]]:
    """The service row and stop rows of an ``add_line`` (shared by layers and graph level)."""
    if "hop_minutes" in m:
        runs = [float(h) for h in m["hop_minutes"]]
        dwell = float(m.get("dwell_minutes", 0.0))
    else:
        speed = float(m["speed_kmh"])
        runs = [max(1.0, haversine_km(*pos[u], *pos[v]) * a.rail_circuity / speed * 60.0)
                for u, v in itertools.pairwise(ids)]
        dwell = float(m.get("dwell_minutes", 2.0))
    year = int(m.get("open_year", FIRST_YEAR))
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


def _apply_add_line(frames: dict, m: dict, scenario: Scenario, a: Assumptions) -> None:
    import pandas as pd

    ids = [_add_station_row(frames, st, m["class"], scenario) for st in m["stops"]]
    service, rows = line_rows(m, ids, _pos(frames), scenario, a)
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


def _apply_add_station(frames: dict, m: dict, scenario: Scenario, a: Assumptions) -> None:
    rows = _service_rows(frames, m["service"]).to_dict("records")
    sid = _add_station_row(frames, m["station"], "hsr", scenario)
    pos = _pos(frames)
    k = next(i for i, r in enumerate(rows) if r["station_id"] == m["after"])
    if k == len(rows) - 1:  # after the last stop: extend the line
        km = haversine_km(*pos[rows[k]["station_id"]], *pos[sid]) * a.rail_circuity
        run = km / a.scenario_extension_speed_kmh * 60
        rows.append({**rows[k], "station_id": sid, "run_minutes": max(1.0, run)})
    else:
        nxt = rows[k + 1]
        p0, p1 = pos[rows[k]["station_id"]], pos[nxt["station_id"]]
        d1, d2 = haversine_km(*p0, *pos[sid]), haversine_km(*pos[sid], *p1)
        total = float(nxt["run_minutes"]) + float(m["added_minutes"])
        share = d1 / (d1 + d2) if d1 + d2 else 0.5
        new = {**nxt, "station_id": sid, "run_minutes": total * share, "dwell_minutes": 0.0,
               "source": f"scenario {scenario.name}"}
        nxt["run_minutes"] = total * (1 - share)
        rows.insert(k + 1, new)
    _replace_stops(frames, m["service"], rows)


def _apply_adjust_speed(frames: dict, m: dict, scenario: Scenario, a: Assumptions) -> None:
    rows = _service_rows(frames, m["service"]).to_dict("records")
    hops = set(m.get("hops") or [])
    for prev, r in itertools.pairwise(rows):
        key = f"{prev['station_id']}-{r['station_id']}"
        if "factor" in m and (not hops or key in hops):
            r["run_minutes"] = float(r["run_minutes"]) / float(m["factor"])
        elif "hop_minutes" in m and key in m["hop_minutes"]:
            r["run_minutes"] = float(m["hop_minutes"][key])
    _replace_stops(frames, m["service"], rows)


def _apply_adjust_headway(frames: dict, m: dict, scenario: Scenario, a: Assumptions) -> None:
    sv = frames["services"]
    sv.loc[sv["id"] == m["service"], "headway_minutes"] = float(m["headway_minutes"])


def _apply_remove_stops(frames: dict, m: dict, scenario: Scenario, a: Assumptions) -> None:
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


def _apply_remove_line(frames: dict, m: dict, scenario: Scenario, a: Assumptions) -> None:
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
        new = gpd.GeoDataFrame([row], geometry="geometry", crs=CRS_WGS84)
        frames["road_nodes"] = pd.concat([frames["road_nodes"], new], ignore_index=True)
    return rid


def _apply_add_road(frames: dict, m: dict, scenario: Scenario, a: Assumptions) -> None:
    import pandas as pd

    u, v = _road_node(frames, m["from"], scenario), _road_node(frames, m["to"], scenario)
    year = int(m.get("open_year", FIRST_YEAR))
    row = {"id": m.get("id", f"scn_road_{u}_{v}"), "route": m.get("route", "scenario"),
           "name": m.get("name", f"{u}-{v}"), "name_zh": None, "from_node": u, "to_node": v,
           "length_km": float(m["length_km"]), "speed_kmh": float(m["speed_kmh"]),
           "opened": str(year), "estimate": False, "count_share": 1.0,
           "source": m.get("source") or f"scenario {scenario.name}", "notes": None,
           "open_year": year}
    frames["expressways"] = pd.concat([frames["expressways"], pd.DataFrame([row])],
                                      ignore_index=True)


def _apply_modify_road(frames: dict, m: dict, scenario: Scenario, a: Assumptions) -> None:
    ex = frames["expressways"]
    sel = ex["id"].isin(m["segments"]) if "segments" in m else ex["route"] == m["route"]
    ex.loc[sel, "speed_kmh"] = np.minimum(ex.loc[sel, "speed_kmh"].astype(float)
                                          * float(m["speed_factor"]), 120.0)


_APPLY = {"add_line": _apply_add_line, "add_station": _apply_add_station,
          "adjust_speed": _apply_adjust_speed, "adjust_headway": _apply_adjust_headway,
          "remove_stops": _apply_remove_stops, "remove_line": _apply_remove_line,
          "add_road": _apply_add_road, "modify_road": _apply_modify_road}


# ------------------------------------------------------------------------------------------
