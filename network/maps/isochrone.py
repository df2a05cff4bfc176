"""The isochrone map: threshold bands, optional surface cells, rail, the origin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from network.assumptions import DEFAULT, Assumptions
from network.maps._base import (
    attribution,
    base_map,
    boundaries_layer,
    footer_line,
    labels_layer,
    legend,
    rail_layers,
    region_bounds,
    title,
)
from network.maps._html import folium, text

if TYPE_CHECKING:
    import geopandas as gpd

    from network.layers import Layers

BAND_COLOURS = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027", "#a50026"]


def isochrone_map(iso: gpd.GeoDataFrame, *, layers: Layers, origin: Any,
                  cells: gpd.GeoDataFrame | None = None, tiles: str = "none",
                  assumptions: Assumptions = DEFAULT) -> Any:
    """Threshold bands with a graduated legend, rail lines, the origin marker and tooltips.

    Parameters
    ----------
    iso
        Isochrones (``minutes``, ``area_km2``, ``population``, ``year``, ``modes``).
    layers
        The layers (boundaries, labels, rail).
    origin
        The origin place (``name``, ``lat``, ``lon``).
    cells
        Optional surface cells (``minutes``) drawn as a hidden layer.
    tiles
        A basemap of :data:`network.maps.TILES`.
    assumptions
        Recorded in the footer.
    """
    f = folium()
    first = iso.iloc[0] if len(iso) else {}
    year = first.get("year") if len(iso) else None
    m = base_map(tuple(float(v) for v in iso.total_bounds) if len(iso)
                 else region_bounds(layers), tiles)
    m.add_child(boundaries_layer(layers))
    if cells is not None and len(cells):
        fg = f.FeatureGroup(name="Surface cells (minutes)", show=False)
        top = float(iso["minutes"].max())
        c = cells.loc[cells["minutes"] <= top, ["minutes", "geometry"]].copy()
        c["minutes"] = c["minutes"].round(0)
        f.GeoJson(cells_geojson(c), style_function=lambda feat: {
            "fillColor": _band_colour(feat["properties"]["minutes"], top), "weight": 0,
            "fillOpacity": 0.5}, tooltip=f.GeoJsonTooltip(fields=["minutes"])).add_to(fg)
        m.add_child(fg)
    bands = iso.sort_values("minutes", ascending=False)
    colours = BAND_COLOURS[: len(iso)]
    fg = f.FeatureGroup(name="Isochrones")
    for (_, r), col in zip(bands.iterrows(), colours[::-1], strict=True):
        f.GeoJson(
            {"type": "Feature",
             "geometry": round_coords(r.geometry.simplify(0.001).__geo_interface__),
             "properties": {"minutes": float(r["minutes"]), "area_km2": float(r["area_km2"]),
                            "population": int(r["population"])}},
            style_function=lambda feat, col=col: {"fillColor": col, "color": col, "weight": 1,
                                                  "fillOpacity": 0.45},
            tooltip=f.GeoJsonTooltip(fields=["minutes", "area_km2", "population"],
                                     aliases=["within minutes", "area km²", "people"]),
        ).add_to(fg)
    m.add_child(fg)
    for g in rail_layers(layers, int(year) if year is not None else None):
        m.add_child(g)
    m.add_child(labels_layer(layers))
    f.Marker([origin.lat, origin.lon], tooltip=text(f"origin: {origin.name}"),
             icon=f.Icon(color="black", icon="info-sign")).add_to(m)
    f.LayerControl(collapsed=False).add_to(m)
    direction = "to" if len(iso) and first.get("direction") == "to" else "from"
    title(m, f"Travel time {direction} {origin.name}",
          f"year {year}, modes {first.get('modes') if len(iso) else ''}")
    legend(m, "Minutes", [(c, f"≤ {t:g} min") for c, t in zip(colours, iso["minutes"],
                                                                strict=True)])
    attribution(m, footer_line(layers, assumptions, year=year))
    return m


def _band_colour(minutes: float, top: float) -> str:
    i = min(int(minutes / max(top, 1) * (len(BAND_COLOURS) - 1)), len(BAND_COLOURS) - 1)
    return BAND_COLOURS[i]


def cells_geojson(cells: gpd.GeoDataFrame, ndigits: int = 5) -> dict:
    """``round_coords(cells.__geo_interface__)`` built from the coordinate arrays at once.

    The same dictionary, key for key (ids, properties, rounded rings, bounding boxes), for a
    frame of simple polygons with a ``minutes`` column; anything else takes the general path.
    """
    import numpy as np
    import shapely

    geoms = np.asarray(cells.geometry.values, dtype=object)
    if (list(cells.columns) != ["minutes", "geometry"] or not len(cells)
            or not bool(np.all(shapely.get_type_id(geoms) == 3))
            or bool(np.any(shapely.get_num_interior_rings(geoms)))
            or not np.all(np.isfinite(cells["minutes"].to_numpy(float)))):
        return round_coords(cells.__geo_interface__, ndigits)
    rings = shapely.get_exterior_ring(geoms)
    xy = [[round(x, ndigits), round(y, ndigits)]
          for x, y in shapely.get_coordinates(rings).tolist()]
    ends = np.cumsum(shapely.get_num_coordinates(rings)).tolist()
    bounds = [[round(v, ndigits) for v in b] for b in shapely.bounds(geoms).tolist()]
    features, start = [], 0
    for key, minutes, end, bbox in zip(cells.index, cells["minutes"].tolist(), ends, bounds,
                                       strict=True):
        features.append({"id": str(key), "type": "Feature",
                         "properties": {"minutes": round(float(minutes), ndigits)},
                         "geometry": {"type": "Polygon", "coordinates": [xy[start:end]]},
                         "bbox": bbox})
        start = end
    return {"type": "FeatureCollection", "features": features,
            "bbox": [round(float(v), ndigits) for v in cells.total_bounds]}


def round_coords(obj: Any, ndigits: int = 5) -> Any:
    """Round every coordinate of a GeoJSON-like object (smaller files)."""
    import numpy as np

    if isinstance(obj, float | np.floating):
        return round(float(obj), ndigits)
    if isinstance(obj, list | tuple):
        return [round_coords(o, ndigits) for o in obj]
    if isinstance(obj, dict):
        return {k: round_coords(v, ndigits) for k, v in obj.items()}
    return obj
