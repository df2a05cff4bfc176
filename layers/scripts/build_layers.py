#!/usr/bin/env python3
"""Build the point and line GeoJSON layers from the curated tables in ``layers/src/``.

The tables in ``layers/src/`` are what people edit: one row per feature, coordinates as the
source published them, with their coordinate system in the ``crs`` column (``wgs84``,
``gcj02`` for Amap/Gaode and most Chinese web maps, ``bd09`` for Baidu). This script converts
every coordinate to WGS-84 (:mod:`network.coords`) and writes, atomically:

- ``stations.geojson``, ``road_nodes.geojson``, ``airports.geojson``, ``zones.geojson``
  (points; ``zones`` are the county seats);
- ``lines.geojson``: one LineString per rail line through its ordered ``station_ids``
  (straight segments between stations, marked ``schematic``).

The tables without geometry (services, service_stops, interchanges, expressways, cities,
targets) live directly in ``layers/`` and need no build step.

Usage::

    python layers/scripts/build_layers.py           # rebuild
    python layers/scripts/build_layers.py --check   # exit 1 if a GeoJSON is out of date
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

LAYERS = Path(__file__).resolve().parent.parent
SRC = LAYERS / "src"
sys.path.insert(0, str(LAYERS.parent))
from network.coords import to_wgs84  # noqa: E402

#: Point layers: source table -> (output file, columns copied as properties)
POINTS = {
    "stations": ("stations.geojson",
                 "id name name_zh city county kind opened former_names external source notes"),
    "road_nodes": ("road_nodes.geojson",
                   "id name name_zh city county kind external source notes"),
    "airports": ("airports.geojson",
                 "id iata icao name name_zh city county opened status status_year "
                 "processing_minutes processing_basis source notes"),
    "zones": ("zones.geojson",
              "code name name_zh city kind seat_name_zh population_2020 population_source "
              "urban_centre_share urban_centre_source source notes"),
}
LINE_PROPS = ("id name name_zh class station_ids length_km length_source opened status "
              "expected_year design_speed_kmh source notes")
INT_FIELDS = {"external", "population_2020", "status_year", "expected_year"}
FLOAT_FIELDS = {"length_km", "design_speed_kmh", "processing_minutes", "urban_centre_share"}


def _read(name: str) -> list[dict[str, str]]:
    with open(SRC / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _typed(key: str, value: str):
    if value == "":
        return None
    if key in INT_FIELDS:
        return int(value)
    if key in FLOAT_FIELDS:
        return float(value)
    return value


def _point(row: dict[str, str], props: str, where: str) -> dict:
    try:
        lon, lat = to_wgs84(float(row["lon"]), float(row["lat"]), row.get("crs", "wgs84"))
    except ValueError as exc:
        raise SystemExit(f"{where}: bad coordinate ({exc}); fix lon/lat/crs") from None
    properties = {k: _typed(k, row.get(k, "")) for k in props.split()}
    if row.get("crs", "wgs84") not in ("", "wgs84"):
        properties["coord_crs_source"] = row["crs"]
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}}


def build_points(name: str) -> dict:
    props = POINTS[name][1]
    feats = [_point(r, props, f"layers/src/{name}.csv row {i + 2}")
             for i, r in enumerate(_read(name))]
    return {"type": "FeatureCollection", "name": name, "features": feats}


def build_lines(stations: dict) -> dict:
    pos = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in stations["features"]}
    feats = []
    for i, r in enumerate(_read("lines")):
        ids = [s.strip() for s in r["station_ids"].split(";") if s.strip()]
        missing = [s for s in ids if s not in pos]
        if missing:
            raise SystemExit(f"layers/src/lines.csv row {i + 2} ({r['id']}): unknown stations "
                             f"{missing}; add them to layers/src/stations.csv")
        props = {k: _typed(k, r.get(k, "")) for k in LINE_PROPS.split()}
        props["schematic"] = 1
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "LineString", "coordinates": [pos[s] for s in ids]}})
    return {"type": "FeatureCollection", "name": "lines", "features": feats}


def outputs() -> dict[str, str]:
    """Every output file name -> its text."""
    out = {}
    layers = {name: build_points(name) for name in POINTS}
    layers["lines"] = build_lines(layers["stations"])
    for name, fc in layers.items():
        filename = POINTS[name][0] if name in POINTS else "lines.geojson"
        text = json.dumps(fc, ensure_ascii=False, indent=None, separators=(",", ":"))
        out[filename] = text.replace('},{"type":"Feature"', '},\n{"type":"Feature"') + "\n"
    return out


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if any GeoJSON differs from a fresh build")
    args = parser.parse_args(argv)
    stale = []
    for filename, text in outputs().items():
        path = LAYERS / filename
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(filename)
        else:
            _write_atomic(path, text)
            print(f"wrote layers/{filename}")
    if stale:
        print("out of date (run python layers/scripts/build_layers.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
