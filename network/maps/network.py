"""The network map: rail by class (metro in line colours), stations, expressways, airports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from network import years as _years
from network.assumptions import DEFAULT, Assumptions
from network.maps._base import (
    CLASS_COLOURS,
    attribution,
    base_map,
    boundaries_layer,
    class_legend_items,
    footer_line,
    labels_layer,
    legend,
    metro_legend_items,
    rail_layers,
    region_bounds,
    title,
)
from network.maps._html import folium, text

if TYPE_CHECKING:
    from network.layers import Layers


def _services_at(layers: Layers) -> dict[str, list[str]]:
    names = dict(zip(layers.services["id"], layers.services["name"], strict=True))
    out: dict[str, list[str]] = {}
    for sid, st in zip(layers.service_stops["service_id"], layers.service_stops["station_id"],
                       strict=True):
        out.setdefault(st, [])
        if names.get(sid) and names[sid] not in out[st]:
            out[st].append(names[sid])
    return out


def network_map(layers: Layers, *, year: int | None = None, tiles: str = "none",
                assumptions: Assumptions = DEFAULT) -> Any:
    """The network as it stood at the end of ``year`` (everything recorded if None).

    Parameters
    ----------
    layers
        The layers.
    year
        The network year; ``None`` draws every open line and station.
    tiles
        A basemap of :data:`network.maps.TILES` (``none``: no network request).
    assumptions
        Recorded in the footer.
    """
    f = folium()

    def is_open(y: Any) -> bool:
        return year is None or _years.is_open(y, year)

    m = base_map(region_bounds(layers), tiles)
    m.add_child(boundaries_layer(layers))
    rail = rail_layers(layers, year)
    for g in rail:
        m.add_child(g)
    n_lines = sum(len(g._children) for g in rail)
    services = _services_at(layers)
    st_group = f.FeatureGroup(name="Stations")
    n_st = 0
    for s in layers.stations.itertuples():
        if not is_open(s.open_year):
            continue
        popup = (f"<b>{text(s.name)}</b> {text(s.name_zh)}<br>{text(s.kind)}, "
                 f"opened {text(s.opened)}<br>{text(s.city)}"
                 + (f"<br>former: {text(s.former_names)}" if s.former_names else "")
                 + "<br>services: " + text("; ".join(services.get(s.id, [])[:6]) or "-"))
        f.CircleMarker([round(s.lat, 5), round(s.lon, 5)], radius=3 if s.kind == "metro" else 4,
                       color=CLASS_COLOURS.get(s.kind, "#444"), fill=True, fill_opacity=0.9,
                       weight=1, popup=f.Popup(popup, max_width=300),
                       tooltip=text(f"{s.name} {s.name_zh}")).add_to(st_group)
        n_st += 1
    m.add_child(st_group)
    m.add_child(_expressway_layer(layers, is_open))
    ap = f.FeatureGroup(name="Airports")
    for a in layers.airports.itertuples():
        if is_open(a.open_year):
            f.CircleMarker([a.lat, a.lon], radius=7, color="#542788", fill=True,
                           fill_opacity=0.8, tooltip=text(f"{a.name} ({a.iata or a.id})"),
                           popup=f.Popup(f"{text(a.name)} {text(a.name_zh)}<br>"
                                         f"status {text(a.status)}")).add_to(ap)
    m.add_child(ap)
    m.add_child(labels_layer(layers))
    f.LayerControl(collapsed=False).add_to(m)
    label = f"end of {year}" if year else "all recorded"
    title(m, "Hangzhou metropolitan circle: rail and expressway network 杭州都市圈轨道与高速网络",
          f"network {label}; {n_lines} rail lines, {n_st} stations")
    legend(m, "Network", class_legend_items(layers, year) + metro_legend_items(layers, year)
           + [("#555555", "expressway"), ("#542788", "airport")], columns=2)
    attribution(m, footer_line(layers, assumptions, year=year))
    return m


def _expressway_layer(layers: Layers, is_open: Any) -> Any:
    f = folium()
    fg = f.FeatureGroup(name="Expressways")
    rn = layers.road_nodes
    at = dict(zip(rn["id"], zip(rn["lat"].tolist(), rn["lon"].tolist(), strict=True), strict=True))
    for r in layers.expressways.itertuples():
        if not is_open(r.open_year):
            continue
        f.PolyLine([at[r.from_node], at[r.to_node]], color="#555555", weight=2,
                   opacity=0.6, dash_array="4 4",
                   tooltip=text(f"{r.route} {r.name}: {r.length_km:g} km"
                                f"{' (estimate)' if r.estimate else ''}")).add_to(fg)
    return fg
