"""Comparing a scenario with the baseline: OD gains, scorecard flips, isochrones."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    from network.layers import Layers
from network.assumptions import DEFAULT, Assumptions
from network.graph import DEFAULT_MODES
from network.scenarios.apply import apply
from network.scenarios.reader import read_scenario
from network.scenarios.spec import Scenario

# comparing
# ------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """A scenario against the baseline, for one year, mode set and core."""

    scenario: Scenario
    year: int
    modes: str
    core: str
    population_within_hour_before: float
    population_within_hour_after: float
    zones: list[dict]
    flipped: list[dict]
    od_gains: Any  # DataFrame: origin, destination, minutes_before, minutes_after, gain
    isochrones: list[dict]
    base: Any = field(repr=False, default=None)
    after: Any = field(repr=False, default=None)

    def as_dict(self) -> dict[str, Any]:
        top = self.od_gains.head(20).to_dict("records")
        return {"scenario": self.scenario.name, "hypothetical": self.scenario.hypothetical,
                "source": self.scenario.source, "year": self.year, "modes": self.modes,
                "core": self.core,
                "population_within_hour_before": round(self.population_within_hour_before),
                "population_within_hour_after": round(self.population_within_hour_after),
                "population_within_hour_gain": round(self.population_within_hour_after
                                                     - self.population_within_hour_before),
                "zones": self.zones, "flipped": self.flipped, "top_od_gains": top,
                "isochrones": self.isochrones}

    def changed_services(self) -> set[str]:
        """Services whose stops, run minutes or headway differ from the baseline."""
        def pattern(frame: Any) -> dict[str, tuple]:
            out = {}
            for sid, grp in frame.sort_values("seq").groupby("service_id"):
                runs = tuple(round(float(v), 3) if v is not None and v == v else None
                             for v in grp["run_minutes"])
                out[sid] = (tuple(grp["station_id"]), runs)
            return out

        before = pattern(self.base.layers.service_stops)
        after = pattern(self.after.layers.service_stops)
        out = {sid for sid, p in after.items() if before.get(sid) != p}
        sv = self.base.layers.services
        hb = dict(zip(sv["id"], sv["headway_minutes"], strict=True))
        for sid, h in zip(self.after.layers.services["id"],
                          self.after.layers.services["headway_minutes"], strict=True):
            if hb.get(sid) is not None and float(hb[sid]) != float(h):
                out.add(sid)
        return out


def compare(base: Layers, scenario: Scenario, *, year: int, modes: str = DEFAULT_MODES,
            core: str | None = None, base_net: Any = None, roads: Any = None,
            assumptions: Assumptions = DEFAULT) -> Comparison:
    """Compare a scenario with the baseline: OD gains, scorecard flips, isochrone change."""
    from network.queries import Network
    from network.scorecard import scorecard

    a = assumptions if base_net is None else base_net.assumptions
    before = base_net or Network(base, year=year, modes=modes, roads=roads, assumptions=a)
    after = Network(apply(base, scenario, assumptions=a), year=year, modes=modes, roads=roads,
                    assumptions=a)
    m0, m1 = before.matrix(level="county"), after.matrix(level="county")
    od = m0[["origin", "destination"]].copy()
    od["minutes_before"], od["minutes_after"] = m0["minutes"], m1["minutes"]
    od["gain"] = (od["minutes_before"] - od["minutes_after"]).round(1)
    od = od.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)
    c0, c1 = scorecard(before, core=core), scorecard(after, core=core)
    zones, flipped = [], []
    for z0, z1 in zip(c0.zones, c1.zones, strict=True):
        slow0, slow1 = _slower(z0), _slower(z1)
        zones.append({"id": z0.id, "name": z0.name, "city": z0.city, "kind": z0.kind,
                      "minutes_before": slow0, "minutes_after": slow1,
                      "within_before": z0.within_hour, "within_after": z1.within_hour})
        if z0.within_hour != z1.within_hour:
            flipped.append({"id": z0.id, "name": z0.name, "city": z0.city,
                            "now_within": z1.within_hour})
    iso = _iso_change(before, after, c0.core_place)
    return Comparison(scenario, year, modes, c0.core, c0.population_within_hour,
                      c1.population_within_hour, zones, flipped, od, iso, before, after)


def _slower(z: Any) -> float | None:
    if z.minutes_to_core is None:
        return None
    return max(z.minutes_to_core, z.minutes_from_core or 0)


def _iso_change(before: Any, after: Any, core: Any) -> list[dict]:
    from network.surface import travel_time_surface

    out = []
    a = travel_time_surface(before, core).isochrones([30, 45, 60, 90])
    b = travel_time_surface(after, core).isochrones([30, 45, 60, 90])
    for r0, r1 in zip(a.itertuples(), b.itertuples(), strict=True):
        out.append({"minutes": r0.minutes, "area_km2_before": r0.area_km2,
                    "area_km2_after": r1.area_km2, "population_before": r0.population,
                    "population_after": r1.population})
    return out


def compare_files(paths: list[str], *, layers: Layers, year: int, modes: str = DEFAULT_MODES,
                  core: str | None = None, roads: Any = None,
                  assumptions: Assumptions = DEFAULT) -> list[Comparison]:
    """Validate every file first, then compare each against one shared baseline."""
    from network.graph import check_mode
    from network.queries import Network
    from network.years import check_year

    check_mode(modes)
    check_year(layers, year)
    scenarios = [read_scenario(p, layers) for p in paths]
    base_net = Network(layers, year=year, modes=modes, roads=roads, assumptions=assumptions)
    return [compare(layers, s, year=year, modes=modes, core=core, base_net=base_net, roads=roads)
            for s in scenarios]


def format_comparison(c: Comparison, *, top: int = 10) -> str:
    lines = [f"Scenario: {c.scenario.name}{' (HYPOTHETICAL)' if c.scenario.hypothetical else ''}",
             f"  {c.year}, modes {c.modes}, core {c.core}"]
    if c.scenario.source:
        lines.append(f"  source: {c.scenario.source}")
    gain = c.population_within_hour_after - c.population_within_hour_before
    lines.append(f"  population within the hour: {c.population_within_hour_before / 1e6:.2f} M -> "
                 f"{c.population_within_hour_after / 1e6:.2f} M ({gain / 1e6:+.2f} M)")
    for f in c.flipped:
        lines.append(f"  flips: {f['name']} ({f['city']}) "
                     f"{'now within the hour' if f['now_within'] else 'no longer within'}")
    for r in c.isochrones:
        lines.append(f"  {r['minutes']:g}-min isochrone from the core: "
                     f"{r['area_km2_before']:,.0f} -> {r['area_km2_after']:,.0f} km2, "
                     f"{r['population_before'] / 1e6:.2f} -> {r['population_after'] / 1e6:.2f} M")
    lines.append("  largest county-to-county gains (minutes):")
    for r in c.od_gains.head(top).itertuples():
        if not r.gain or r.gain <= 0:
            break
        lines.append(f"    {r.origin:<12} -> {r.destination:<12} {r.minutes_before:6.1f} -> "
                     f"{r.minutes_after:6.1f}  ({r.gain:+.1f})")
    return "\n".join(lines)
