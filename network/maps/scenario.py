"""The scenario map: Conveyal-style difference colouring of counties (gain blue, loss red),
new or changed services highlighted by name, several scenarios switchable on one map."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from network.assumptions import DEFAULT, Assumptions
from network.maps._base import (
    attribution,
    base_map,
    footer_line,
    labels_layer,
    legend,
    rail_layers,
    region_bounds,
    simplified_boundaries,
    title,
)
from network.maps._html import folium, switcher, text

if TYPE_CHECKING:
    from network.layers import Layers
    from network.scenarios import Comparison

#: Diverging classes (minutes gained; negative = slower), blue for gains and red for losses
#: as in Conveyal Analysis' difference maps (ColorBrewer RdBu).
GAIN_CLASSES = [(-20, "#b2182b", "loss > 20"), (-10, "#d6604d", "loss 10-20"),
                (-5, "#f4a582", "loss 5-10"), (-0.5, "#fddbc7", "loss 0.5-5"),
                (0.5, "#f7f7f7", "no change (±0.5)"), (5, "#d1e5f0", "gain 0.5-5"),
                (10, "#92c5de", "gain 5-10"), (20, "#4393c3", "gain 10-20"),
                (float("inf"), "#2166ac", "gain > 20")]
HIGHLIGHT = "#e7298a"


def gain_colour(g: float | None) -> str:
    """The class colour of a gain in minutes (grey when unknown)."""
    if g is None:
        return "#bbbbbb"
    for upper, colour, _ in GAIN_CLASSES:
        if g < upper or (upper == 0.5 and g <= 0.5):
            return colour
    return GAIN_CLASSES[-1][1]


@dataclass
class ScenarioView:
    """What one scenario layer shows (built from a Comparison by :func:`comparison_map`)."""

    name: str
    scenario: Layers
    zones: list[dict] = field(default_factory=list)  # id, minutes_before/after, within_*
    changed_services: set[str] = field(default_factory=set)
    population_gain: float | None = None


def _zone_layer(view: ScenarioView, base: Layers) -> Any:
    f = folium()
    b = simplified_boundaries(base)
    by_id = {z["id"]: z for z in view.zones}
    feats = []
    for code, name, zh, city, geom in zip(b["code"], b["name"], b["name_zh"], b["city"],
                                          b.geometry, strict=True):
        z = by_id.get(code, {})
        m0, m1 = z.get("minutes_before"), z.get("minutes_after")
        gain = None if m0 is None or m1 is None else round(m0 - m1, 1)
        flip = ""
        if z.get("within_before") is not None and z.get("within_before") != z.get("within_after"):
            flip = "now within the hour" if z.get("within_after") else "no longer within the hour"
        feats.append({"type": "Feature", "geometry": geom.__geo_interface__, "properties": {
            "county": text(f"{name} {zh}".strip()), "city": text(city),
            "before": text("not reached" if m0 is None else f"{m0:.0f} min"),
            "after": text("not reached" if m1 is None else f"{m1:.0f} min"),
            "change": text("-" if gain is None else f"{gain:+.1f} min"),
            "flip": text(flip or "-"), "gain": gain}})
    if not feats:  # layers without county boundaries: nothing to shade (folium's tooltip needs fields)
        return None
    return f.GeoJson({"type": "FeatureCollection", "features": feats},
                     style_function=lambda feat: {
                         "fillColor": gain_colour(feat["properties"]["gain"]),
                         "fillOpacity": 0.7, "color": "#666", "weight": 1},
                     tooltip=f.GeoJsonTooltip(
                         fields=["county", "city", "before", "after", "change", "flip"],
                         aliases=["county", "city", "before", "after", "gained", "flip"]))


def _service_layer(view: ScenarioView, fg: Any) -> int:
    f = folium()
    sc = view.scenario
    pos = {s.id: (round(s.lat, 5), round(s.lon, 5)) for s in sc.stations.itertuples()}
    st_names = dict(zip(sc.stations["id"], sc.stations["name"], strict=True))
    sv_names = dict(zip(sc.services["id"], sc.services["name"], strict=True))
    stops = sc.service_stops.sort_values(["service_id", "seq"])
    n = 0
    for sid, grp in stops.groupby("service_id", sort=True):
        if sid not in view.changed_services:
            continue
        coords = [pos[s] for s in grp["station_id"] if s in pos]
        name = sv_names.get(sid) or sid
        f.PolyLine(coords, color=HIGHLIGHT, weight=5, opacity=0.9,
                   tooltip=text(f"new or changed: {name}")).add_to(fg)
        for c, st in zip(coords, grp["station_id"], strict=False):
            f.CircleMarker(c, radius=4, color=HIGHLIGHT, fill=True,
                           tooltip=text(f"{st_names.get(st) or st} ({name})")).add_to(fg)
        n += 1
    return n


def scenario_map(*, base: Layers, scenario: Layers | None = None, name: str = "scenario",
                 gains: dict[str, float] | None = None,
                 changed_services: set[str] | None = None, year: int, modes: str,
                 tiles: str = "none", views: list[ScenarioView] | None = None,
                 assumptions: Assumptions = DEFAULT) -> Any:
    """Counties by minutes gained (blue) or lost (red), new or changed services by name.

    Either one scenario (``scenario``, ``name``, ``gains`` = county code -> minutes gained,
    ``changed_services``) or several ``views``, switchable on the map.
    """
    f = folium()
    if views is None:
        zones = [{"id": k, "minutes_before": float(v), "minutes_after": 0.0}
                 for k, v in (gains or {}).items()]
        views = [ScenarioView(name, scenario if scenario is not None else base, zones,
                              set(changed_services or ()))]
    m = base_map(region_bounds(base), tiles)
    for g in rail_layers(base, year, colour="#8c8c8c"):
        g.layer_name = text(f"Baseline {g.layer_name}")
        m.add_child(g)
    groups = {}
    for i, view in enumerate(views):
        fg = f.FeatureGroup(name=text(view.name), control=False, show=False)
        zones = _zone_layer(view, base)
        if zones is not None:
            zones.add_to(fg)
        _service_layer(view, fg)
        m.add_child(fg)
        groups[(i,)] = fg
    m.add_child(labels_layer(base))
    switcher(m, "Scenario 情景", [("scenario", [v.name for v in views], "select")], groups, (0,))
    f.LayerControl(collapsed=False).add_to(m)
    names = "; ".join(v.name for v in views)
    title(m, f"What-if: {names}" if len(views) == 1 else f"What-if: {len(views)} scenarios",
          f"minutes gained to/from the core (slower way, as in the scorecard); year {year}, "
          f"modes {modes}")
    legend(m, "Minutes gained (slower way to/from the core)",
           [(c, label) for _, c, label in GAIN_CLASSES]
           + [(HIGHLIGHT, "new or changed service"), ("#8c8c8c", "baseline rail"),
              ("#bbbbbb", "not reached")],
           extra=_summary(views))
    attribution(m, footer_line(base, assumptions, year=year))
    return m


def _summary(views: list[ScenarioView]) -> str:
    rows = "".join(
        f"<div>{text(v.name)}: "
        + ("" if v.population_gain is None else f"{v.population_gain / 1e6:+.2f} M people "
           "within the hour")
        + "</div>" for v in views)
    return f"<div id='hz-scenario-summary' style='margin-top:6px'>{rows}</div>"


def comparison_map(c: Comparison | list[Comparison], *, tiles: str = "none",
                   assumptions: Assumptions | None = None) -> Any:
    """The map of one scenario comparison or of several (same baseline, year and modes)."""
    comps = c if isinstance(c, list) else [c]
    first = comps[0]
    views = [ScenarioView(x.scenario.name, x.after.layers, list(x.zones), x.changed_services(),
                          x.population_within_hour_after - x.population_within_hour_before)
             for x in comps]
    a = assumptions or getattr(first.base, "assumptions", None) or DEFAULT
    return scenario_map(base=first.base.layers, year=first.year, modes=first.modes,
                        tiles=tiles, views=views, assumptions=a)
