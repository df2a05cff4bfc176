"""``hzcircle isochrone``: the travel-time surface of a place as isochrones, cells and a
GeoTIFF."""

from __future__ import annotations

import argparse
import math
from typing import Any

from network._errors import HzCircleError
from network.cli._common import add_common, build_network, provenance_of, read_layers, thresholds, year_of

#: Bounds of --cell-km (km): finer than the grid module allows is refused there; coarser than
#: this leaves a handful of cells over the whole circle.
MAX_CELL_KM = 20.0


def _cell_km(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and 0 < value <= MAX_CELL_KM):
        raise HzCircleError(f"--cell-km {value:g}: give a cell size in km above 0 and up to "
                            f"{MAX_CELL_KM:g}, e.g. 1")
    return value


def cmd_isochrone(args: argparse.Namespace) -> int:
    from network._io import VECTOR_SUFFIXES, check_suffix, check_writable, staged, write_vector
    from network.surface import travel_time_surface

    out = check_suffix(check_writable(args.output), VECTOR_SUFFIXES)
    if args.raster:
        check_suffix(check_writable(args.raster), (".tif", ".tiff"))
    if args.cells:
        check_writable(out.with_name(out.stem + "_cells" + out.suffix))
    minutes = thresholds(args.minutes)
    cell_km = _cell_km(args.cell_km)
    layers = read_layers(args)
    net = build_network(args, layers, year_of(args, layers), args.modes)
    grid = net.grid(cell_km)
    from network.places import with_crs

    surface = travel_time_surface(net, with_crs(args.place, args.crs), reverse=args.reverse,
                                  grid=grid)
    frame = surface.isochrones(minutes)
    meta = provenance_of(args, layers, year=net.year, modes=net.modes, origin=surface.origin,
                         reverse=args.reverse, cell_km=grid.cell_km)
    with staged() as stage:  # the isochrones, their cells and the raster: all or none
        write_vector(frame, stage.path(out), metadata=meta)
        if args.cells:
            cells_out = out.with_name(out.stem + "_cells" + out.suffix)
            write_vector(surface.cells(), stage.path(cells_out), metadata=meta)
        if args.raster:
            from network.raster import write_raster

            write_raster(surface, stage.path(check_writable(args.raster)), metadata=meta)
    if args.raster:
        print(f"wrote {args.raster}: GeoTIFF of minutes, EPSG:4549, {grid.cell_km:g} km pixels")
    if args.cells:
        print(f"wrote {cells_out}")
    for r in frame.itertuples():
        print(f"  {r.minutes:>5g} min  {r.area_km2:>9,.0f} km2  {r.population:>12,} people")
    print(f"wrote {out}: isochrones {'to' if args.reverse else 'from'} {surface.origin}, "
          f"{net.year}, {net.modes}, {grid.cell_km:g} km cells")
    return 0


def add_parsers(sub: Any) -> None:
    """Add the ``isochrone`` command to the parser (``sub``)."""
    p_iso = sub.add_parser("isochrone", help="isochrone polygons from (or to) a place")
    p_iso.add_argument("place", metavar="PLACE", help="station, county, city, airport or lon,lat")
    add_common(p_iso, year=True, modes=True)
    p_iso.add_argument("--minutes", default="30,45,60,90",
                       help="increasing thresholds in minutes (default 30,45,60,90)")
    p_iso.add_argument("--cell-km", type=float, default=None,
                       help="grid cell size in km (default 1)")
    p_iso.add_argument("--reverse", action="store_true",
                       help="time to reach PLACE from everywhere, instead of from PLACE")
    p_iso.add_argument("--cells", action="store_true",
                       help="also write the surface cells with their minutes (FILE_cells.EXT)")
    p_iso.add_argument("--crs", choices=("wgs84", "gcj02", "bd09"), default="wgs84",
                       help="coordinate system of a lon,lat PLACE (Amap: gcj02, Baidu: bd09)")
    p_iso.add_argument("--raster", default=None, metavar="SURFACE.tif",
                       help="also write the travel-time surface as a GeoTIFF (minutes, EPSG:4549, "
                            "nodata where not reached)")
    p_iso.add_argument("-o", "--output", required=True, metavar="FILE",
                       help="output .geojson, .gpkg or .parquet (written atomically)")
    p_iso.set_defaults(func=cmd_isochrone)
