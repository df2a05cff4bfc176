"""The targets tracker: network kilometres in the six cities against the plan's 2025 targets.

Counting rule (stated in every output):
- rail: the schematic geometry of each line open by the end of the year (straight segments
  between consecutive stations of ``lines.geojson``) is clipped to the six cities' boundaries
  and measured in the metric CRS. Straight segments under-measure curving track, so these are
  lower bounds. "City-region + urban rail" counts classes ``intercity`` and ``metro``; "HSR"
  counts class ``hsr``; conventional lines are reported but not targeted.
- expressway: each open segment's ``length_km`` times the share of its straight line between
  nodes that lies inside the six cities, times its ``count_share``: a link that joins k
  segments through a junction without coordinates overlaps k-1 other links, so it counts
  1/(k-1) of its length (approximate).
A line that opened in stages counts whole from its first opening (``lines.opened``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from network.geo import CRS_METRIC, CRS_WGS84
from network.years import is_open, line_is_open

if TYPE_CHECKING:
    from network.layers import Layers

RULE = ("rail: schematic line geometry (straight segments between stations) of lines open by "
        "the end of the year, clipped to the six cities and measured in EPSG:4549 (a lower bound "
        "of track length); city-region + urban rail = intercity + metro classes. Expressway: "
        "segment length x share of its straight line inside the six cities x count_share (links "
        "joined through a junction without coordinates share their length; approximate).")

#: target id in targets.csv -> indicator key of the tracker
TARGET_KEYS = {"plan_2025_rail_km": "city_region_urban_rail_km", "plan_2025_hsr_km": "hsr_km",
               "plan_2025_expressway_km": "expressway_km"}


@dataclass
class Tracker:
    year: int
    rule: str
    km: dict[str, float] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # ids of the rail lines counted

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def track(layers: Layers, *, year: int) -> Tracker:
    """Kilometres of network inside the six cities at the end of ``year`` vs the targets."""
    import geopandas as gpd
    import shapely

    from network.geo import region as six_cities

    region = six_cities(layers, metric=True)
    lines = layers.lines[[line_is_open(st, y, year)
                          for st, y in zip(layers.lines["status"], layers.lines["open_year"], strict=True)]]
    metric = lines.to_crs(CRS_METRIC)
    inside = metric.geometry.intersection(region).length / 1000.0
    by_class = inside.groupby(metric["class"]).sum().to_dict()
    km = {"hsr_km": by_class.get("hsr", 0.0),
          "conventional_km": by_class.get("conventional", 0.0),
          "city_region_urban_rail_km": by_class.get("intercity", 0.0) + by_class.get("metro", 0.0)}
    nodes = layers.road_nodes.set_index("id")
    exp_km = 0.0
    for r in layers.expressways.itertuples():
        if not is_open(r.open_year, year):
            continue
        a, b = nodes.loc[r.from_node], nodes.loc[r.to_node]
        seg = gpd.GeoSeries([shapely.LineString([(a.lon, a.lat), (b.lon, b.lat)])],
                            crs=CRS_WGS84).to_crs(CRS_METRIC).iloc[0]
        share = seg.intersection(region).length / seg.length if seg.length else 0.0
        exp_km += r.length_km * share * (r.count_share if r.count_share is not None else 1.0)
    km["expressway_km"] = exp_km
    km = {k: round(v, 1) for k, v in km.items()}
    tr = Tracker(year, RULE, km, lines=sorted(lines["id"]))
    for t in layers.targets.itertuples():
        key = TARGET_KEYS.get(t.id)
        if key is None:
            continue
        target = float(t.value) if t.value else None
        tr.targets.append({"id": t.id, "indicator": t.indicator, "target_year": t.year,
                           "target": target, "unit": t.unit, "verified": bool(t.verified),
                           "network": km[key],
                           "share": round(km[key] / target, 3) if target else None})
    return tr


def format_tracker(tr: Tracker) -> str:
    lines = [f"Targets tracker, network at the end of {tr.year} (inside the six cities)"]
    labels = {"city_region_urban_rail_km": "city-region + urban rail", "hsr_km": "high-speed rail",
              "conventional_km": "conventional rail", "expressway_km": "expressway"}
    targets = {TARGET_KEYS[t["id"]]: t for t in tr.targets}
    for key, label in labels.items():
        t = targets.get(key)
        goal = ""
        if t and t["target"]:
            flag = "" if t["verified"] else " (target unverified)"
            goal = f"  target {t['target']:,.0f} km by {t['target_year']}: {t['share']:.0%}{flag}"
        lines.append(f"  {label:<26}{tr.km[key]:>8,.0f} km{goal}")
    lines.append(f"  Counting rule: {tr.rule}")
    return "\n".join(lines)
