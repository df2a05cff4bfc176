"""Travel-time surfaces as GeoTIFF rasters (rasterio), for QGIS, GDAL and raster tools.

The surface grid (:mod:`network.grid`) is a regular lattice of cell centres in the metric CRS
(:data:`network.geo.CRS_METRIC`, EPSG:4549), so it maps one to one onto raster pixels: the
raster covers the grid's bounding box, pixel size = ``cell_km``, one band of float32 minutes.
Cells not reached, and pixels outside the six cities, hold the nodata value
:data:`NODATA`. The provenance (tool, data year, year, modes, origin, assumptions) is written
in the dataset tags under ``hzcircle``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network.geo import CRS_METRIC

if TYPE_CHECKING:
    from network.surface import Surface

#: The nodata value of written rasters (minutes are never negative).
NODATA = -9999.0


def surface_array(surface: Surface) -> tuple[np.ndarray, Any]:
    """The surface as a 2-D float32 array (row 0 at the north) and its affine transform."""
    from rasterio.transform import Affine

    g = surface.grid
    size = g.cell_km * 1000.0
    x0, y1 = float(g.x.min()), float(g.y.max())
    cols = np.rint((g.x - x0) / size).astype(np.int64)
    rows = np.rint((y1 - g.y) / size).astype(np.int64)
    out = np.full((int(rows.max()) + 1, int(cols.max()) + 1), NODATA, dtype=np.float32)
    reached = np.isfinite(surface.minutes)
    out[rows[reached], cols[reached]] = surface.minutes[reached].astype(np.float32)
    # north-up: x = c + a * col, y = f + e * row (Affine directly: rasterio's from_origin
    # multiplies affines with a deprecated operator)
    return out, Affine(size, 0.0, x0 - size / 2, 0.0, -size, y1 + size / 2)


def write_raster(surface: Surface, path: str | Path, *,
                 metadata: dict[str, Any] | None = None) -> Path:
    """Write a surface as a single-band GeoTIFF of minutes in EPSG:4549, atomically.

    Parameters
    ----------
    surface
        From :func:`network.surface.travel_time_surface`.
    path
        A ``.tif`` or ``.tiff`` file.
    metadata
        The provenance to record in the tags (``hzcircle`` tag, JSON).

    Raises
    ------
    OutputError
        For a wrong suffix or an unwritable path.
    """
    import rasterio

    from network._io import check_suffix, write_atomic

    target = check_suffix(path, (".tif", ".tiff"))
    data, transform = surface_array(surface)
    tags = {"hzcircle": json.dumps(metadata or {}, ensure_ascii=False, sort_keys=True),
            "units": "minutes", "origin": surface.origin, "year": str(surface.year),
            "modes": surface.modes, "direction": "to" if surface.reverse else "from"}

    def write(tmp: Path) -> None:
        with rasterio.open(tmp, "w", driver="GTiff", height=data.shape[0], width=data.shape[1],
                           count=1, dtype="float32", crs=CRS_METRIC, transform=transform,
                           nodata=NODATA, compress="deflate") as dst:
            dst.write(data, 1)
            dst.update_tags(**tags)
            dst.set_band_description(1, "travel time (minutes)")

    return write_atomic(target, write)


def read_raster_metadata(path: str | Path) -> dict[str, Any]:
    """The provenance recorded by :func:`write_raster`."""
    import rasterio

    with rasterio.open(path) as src:
        return json.loads(src.tags().get("hzcircle", "{}"))
