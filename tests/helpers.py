"""Test helpers: write small layer folders from plain Python records."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from types import ModuleType

COLUMNS = {
    "services.csv": "id line_id name name_zh class pattern headway_minutes headway_basis opened "
                    "closed source notes",
    "service_stops.csv": "service_id seq station_id run_minutes dwell_minutes opened estimate source",
    "expressways.csv": "id route name name_zh from_node to_node length_km speed_kmh opened estimate "
                       "source notes",
    "cities.csv": "id name name_zh province population_2020 core_zone source notes",
    "interchanges.csv": "from_station to_station walk_minutes same_complex source notes",
}


def _points(records: list[dict]) -> dict:
    feats = []
    for r in records:
        props = {k: v for k, v in r.items() if k not in ("lon", "lat")}
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]}})
    return {"type": "FeatureCollection", "features": feats}


def write_layers(folder: Path, *, stations: list[dict], services: list[dict], stops: list[dict],
                 zones: list[dict], road_nodes: list[dict] | None = None,
                 expressways: list[dict] | None = None, cities: list[dict] | None = None,
                 interchanges: list[dict] | None = None, data_year: int | None = 2026) -> Path:
    """Write a layers folder; records are dicts keyed by column name. ``data_year`` goes to
    metadata.json (None: no metadata file)."""
    folder.mkdir(parents=True, exist_ok=True)
    if data_year is not None:
        (folder / "metadata.json").write_text(json.dumps({"data_year": data_year}), encoding="utf-8")
    for name, records in (("stations.geojson", stations), ("zones.geojson", zones),
                          ("road_nodes.geojson", road_nodes or [])):
        if not records and name != "stations.geojson":  # optional layer: leave the file out
            continue
        (folder / name).write_text(json.dumps(_points(records), ensure_ascii=False), encoding="utf-8")
    for name, records in (("services.csv", services), ("service_stops.csv", stops),
                          ("expressways.csv", expressways or []), ("cities.csv", cities or []),
                          ("interchanges.csv", interchanges or [])):
        cols = COLUMNS[name].split()
        if not records and name not in ("services.csv", "service_stops.csv"):
            continue
        with open(folder / name, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            for r in records:
                w.writerow({c: r.get(c, "") for c in cols})
    return folder


def station(sid: str, lon: float, lat: float, *, kind: str = "hsr", opened: str = "2010") -> dict:
    return {"id": sid, "name": sid.upper(), "name_zh": sid, "city": "Testcity", "county": "T",
            "kind": kind, "opened": opened, "former_names": "", "external": 0, "source": "test",
            "lon": lon, "lat": lat}


def zone(code: str, lon: float, lat: float, *, pop: int = 100) -> dict:
    return {"code": code, "name": f"Z{code}", "name_zh": f"区{code}", "city": "Testcity",
            "kind": "district", "population_2020": pop, "population_source": "test",
            "source": "test", "lon": lon, "lat": lat}


def service(sid: str, *, headway: float = 20, opened: int = 2010, klass: str = "hsr") -> dict:
    return {"id": sid, "line_id": "l", "name": sid, "name_zh": sid, "class": klass,
            "pattern": "allstop", "headway_minutes": headway, "opened": opened, "source": "test"}


def stops(sid: str, station_ids: list[str], runs: list[float], *, dwell: float = 0) -> list[dict]:
    out = []
    for i, st in enumerate(station_ids):
        out.append({"service_id": sid, "seq": i + 1, "station_id": st,
                    "run_minutes": runs[i - 1] if i else "", "dwell_minutes": dwell if i else "",
                    "estimate": 0, "source": "test"})
    return out


SCRIPTS = Path(__file__).resolve().parent.parent / "layers" / "scripts"


def load_script(name: str) -> ModuleType:
    """A fresh module of ``layers/scripts/<name>.py`` (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
