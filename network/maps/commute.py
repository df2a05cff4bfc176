"""The commute-circle map: counties by minutes to and from the core, one layer per year and
reading, an exclusive year slider (and reading selector) kept apart from the basemaps."""

from __future__ import annotations

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
    from network.scorecard import Scorecard

COMMUTE_STEPS = [("#1a9850", "≤ 45 (within)"), ("#91cf60", "45-60 (within)"),
                 ("#fdae61", "60-90"), ("#d73027", "90-150"), ("#7f0000", "> 150"),
                 ("#bbbbbb", "not reached")]


def _reading(card: Any) -> str:
    return str(getattr(card, "reading", None) or "county seat to core, both ways")


def _fmt(v: float | None) -> str:
    return "not reached" if v is None else f"{v:.0f} min"


def _feature(geom: Any, code: str, zh: str, city: str, z: Any, card: Any, legs: str,
             probability: float | None) -> dict:
    worst = None if z is None or z.minutes_to_core is None else max(
        z.minutes_to_core, z.minutes_from_core or 0)
    within = bool(z and z.within_hour)
    verdict = (f"within {card.minutes:g} min both ways" if within else
               f"not within {card.minutes:g} min")
    props = {"county": text(f"{z.name} {z.name_zh}" if z else zh), "city": text(city),
             "to_core": text(_fmt(z.minutes_to_core if z else None)),
             "from_core": text(_fmt(z.minutes_from_core if z else None)),
             "verdict": text(verdict), "legs": text(legs or "-"),
             "minutes": None if worst is None else round(worst), "within": within}
    if probability is not None:
        props["probability"] = text(f"{probability:.0%}")
    return {"type": "Feature", "geometry": geom.__geo_interface__, "properties": props}


def commute_map(cards: list[Scorecard], *, layers: Layers,
                legs: dict[tuple[int, str], str] | None = None, tiles: str = "none",
                assumptions: Assumptions = DEFAULT,
                probabilities: dict[tuple[int, str, str], float] | None = None) -> Any:
    """Counties coloured by minutes to the core, pass/fail distinct, one layer per year/reading.

    Parameters
    ----------
    cards
        Scorecards, one per year (and per reading: a card's ``reading`` attribute, when it has
        one, names it; cards without one share the default reading).
    layers
        The layers (boundaries, labels, rail).
    legs
        ``(year, county code) -> legs text`` (see :func:`network.scorecard.legs_to_core`).
    tiles
        A basemap of :data:`network.maps.TILES`; it stays when the year changes.
    assumptions
        Recorded in the footer.
    probabilities
        Optional ``(year, reading, county code) -> probability within the hour`` (from the
        uncertainty runs); a zone's own ``probability`` attribute is used when present.
    """
    f = folium()
    m = base_map(region_bounds(layers), tiles)
    legs, probabilities = legs or {}, probabilities or {}
    b = simplified_boundaries(layers)
    years = sorted({c.year for c in cards})
    readings = list(dict.fromkeys(_reading(c) for c in cards))
    limit = cards[0].minutes
    groups: dict[tuple[int, ...], Any] = {}
    for card in cards:
        key = (years.index(card.year), readings.index(_reading(card)))
        by_id = {z.id: z for z in card.zones if z.kind == "county"}
        feats = []
        for code, zh, city, geom in zip(b["code"], b["name_zh"], b["city"], b.geometry,
                                        strict=True):
            z = by_id.get(code)
            p = getattr(z, "probability", None)
            p = probabilities.get((card.year, _reading(card), code), p)
            feats.append(_feature(geom, code, zh, city, z, card, legs.get((card.year, code), ""),
                                  p))
        fields = ["county", "city", "to_core", "from_core", "verdict"]
        aliases = ["county", "city", "to the core", "from the core", "verdict"]
        if any("probability" in ft["properties"] for ft in feats):
            for ft in feats:
                ft["properties"].setdefault("probability", "-")
            fields.append("probability")
            aliases.append("probability within")
        fg = f.FeatureGroup(name=text(f"{card.year} {_reading(card)}"), control=False,
                            show=False)
        f.GeoJson(
            {"type": "FeatureCollection", "features": feats},
            style_function=lambda feat, limit=limit: _commute_style(feat["properties"], limit),
            tooltip=f.GeoJsonTooltip(fields=["county", "to_core", "from_core", "verdict"],
                                     aliases=["county", "to", "from", ""]),
            popup=f.GeoJsonPopup(fields=[*fields, "legs"], aliases=[*aliases, "fastest trip"],
                                 max_width=380),
        ).add_to(fg)
        m.add_child(fg)
        groups[key] = fg
    start = (len(years) - 1, 0)
    m.add_child(labels_layer(layers))
    for g in rail_layers(layers, years[-1], show=False):
        m.add_child(g)
    core = cards[0].core_place
    if core is not None:
        f.Marker([core.lat, core.lon], tooltip=text(f"core: {core.name}"),
                 icon=f.Icon(color="black", icon="star")).add_to(m)
    dims = [("year", [str(y) for y in years], "range")]
    if len(readings) > 1:
        dims.append(("reading", readings, "select"))
    switcher(m, "Commute circle 通勤圈", dims,
             {k if len(readings) > 1 else k[:1]: g for k, g in groups.items()},
             start if len(readings) > 1 else start[:1])
    f.LayerControl(collapsed=False).add_to(m)
    title(m, f"One-hour commute circle 一小时通勤圈: {cards[0].core}",
          f"years {', '.join(str(y) for y in years)}; modes {cards[0].modes}; within = both ways "
          f"≤ {limit:g} min; click a county for minutes both ways and the trip")
    legend(m, "Minutes to the core (slower way)", list(COMMUTE_STEPS),
           extra=_city_panel(cards))
    attribution(m, footer_line(layers, assumptions, reading=" / ".join(readings)))
    return m


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
    within = bool(p.get("within"))
    return {"fillColor": colour, "fillOpacity": 0.65, "color": "#006837" if within else "#444",
            "weight": 3 if within else 1, "dashArray": None if within else "3 3"}


def _city_panel(cards: list[Scorecard]) -> str:
    """Per city and card: counties within the hour and people within the hour (millions)."""
    several = len({_reading(c) for c in cards}) > 1
    heads = "".join(f"<th>{card.year}" + (f"<br>{text(_reading(card))}" if several else "")
                    + "</th>" for card in cards)
    cities = [c.city for c in cards[0].cities]
    body = []
    for i, city in enumerate(cities):
        cells = []
        for card in cards:
            c = card.cities[i] if i < len(card.cities) else None
            cells.append("<td>-</td>" if c is None else
                         f"<td>{'★ ' if c.core_within_hour else ''}{c.counties_within_hour}/"
                         f"{c.counties} · {c.population_within_hour / 1e6:.2f} M</td>")
        body.append(f"<tr><td>{text(city)}</td>{''.join(cells)}</tr>")
    total = "".join(
        f"<td><b>{card.population_within_hour / 1e6:.2f} M "
        f"({(card.population_within_hour / card.population_total if card.population_total else 0):.0%})"
        f"</b></td>" for card in cards)
    return (f"<div id='hz-city-panel' style='margin-top:6px'>counties within / people within "
            f"the hour (★ city core within)<table style='font-size:11px'><tr><th>city</th>{heads}"
            f"</tr>{''.join(body)}<tr><td><b>circle</b></td>{total}</tr></table></div>")
