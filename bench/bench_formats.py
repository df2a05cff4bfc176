"""Formats benchmark: GTFS export/import/validation, GeoTIFF, PBF, each against a peer
measured in the same run.

    python bench/bench_formats.py --year 2026 --repeat 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._timing import median_ms  # noqa: E402


def _xml_to_pbf(xml: Path, pbf: Path) -> None:
    import osmium

    writer = osmium.SimpleWriter(str(pbf), overwrite=True)
    try:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    finally:
        writer.close()


def main() -> None:
    from network import Network, load_layers
    from network import osm as hzosm
    from network._io import write_vector
    from network.gtfs import export_gtfs, import_gtfs, validate_feed
    from network.raster import write_raster
    from network.surface import travel_time_surface

    ap = argparse.ArgumentParser()
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    layers = load_layers()
    tmp = Path(tempfile.mkdtemp(prefix="bench-formats-"))
    feed = tmp / "rail.zip"
    empty = layers.replace(services=layers.services.iloc[0:0],
                           service_stops=layers.service_stops.iloc[0:0])
    rows = []
    build = median_ms(lambda: Network(layers, year=args.year), args.repeat)
    rows.append(("build Network (peer)", build, 1.0))
    t = median_ms(lambda: export_gtfs(layers, feed, year=args.year), args.repeat)
    rows.append(("GTFS export (write zip)", t, t / build))
    t = median_ms(lambda: import_gtfs(empty, feed), args.repeat)
    rows.append(("GTFS import of the export (layers -> layers)", t, t / build))
    t = median_ms(lambda: validate_feed(feed), max(1, args.repeat // 2))
    problems = validate_feed(feed)
    rows.append((f"gtfs-kit validate ({len(problems)} problem(s))", t, t / build))
    net = Network(layers, year=args.year)
    surface = travel_time_surface(net, "Hangzhou")
    cells = surface.cells()
    vec = median_ms(lambda: write_vector(cells, tmp / "cells.gpkg"), args.repeat)
    rows.append(("surface cells as GeoPackage (peer)", vec, 1.0))
    t = median_ms(lambda: write_raster(surface, tmp / "s.tif"), args.repeat)
    rows.append(("surface as GeoTIFF", t, t / vec))
    xml = ROOT / "tests" / "data" / "osm" / "small.osm"
    pbf = tmp / "small.osm.pbf"
    _xml_to_pbf(xml, pbf)
    tx = median_ms(lambda: hzosm.import_osm(xml), args.repeat)
    rows.append(("OSM XML import, fixture (peer)", tx, 1.0))
    t = median_ms(lambda: hzosm.import_osm(pbf), args.repeat)
    rows.append(("OSM PBF import, same fixture", t, t / tx))
    print(f"| what (year {args.year}) | median ms | ratio to its peer |")
    print("|---|---|---|")
    for what, ms, ratio in rows:
        print(f"| {what} | {ms:,.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
