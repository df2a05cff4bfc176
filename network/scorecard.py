"""The one-hour commute circle (一小时通勤圈) scorecard, across years.

Definition (configurable): the core is the Hangzhou city core of the layers (``--core`` to
change it). For every county seat and every city core, door-to-door minutes are computed to the
core and from it. A place is **within the hour** when both directions take at most
``Assumptions.commute_minutes`` (60). Per city: whether the city core is within the hour, the share
of its counties within the hour, and the population within the hour: the population of the grid
cells whose travel time to the core and from it are both within the hour (surfaces, see
:mod:`network.surface`). For the whole circle: that population and its share of the total.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import HzCircleError, InputError
from network.places import Place, resolve
from network.years import is_open

if TYPE_CHECKING:
    from network.layers import Layers
    from network.queries import Network


@dataclass
class ZoneResult:
    id: str
    name: str
    name_zh: str
    city: str
    kind: str  # county | city_core
    population: float | None
    minutes_to_core: float | None
    minutes_from_core: float | None
    within_hour: bool


@dataclass
class CityResult:
    city: str
    core: str
    core_within_hour: bool
    counties: int
    counties_within_hour: int
    share_counties_within_hour: float
    population_within_hour: float
    population_total: float


@dataclass
class Scorecard:
    year: int
    modes: str
    core: str
    minutes: float
    zones: list[ZoneResult] = field(default_factory=list)
    cities: list[CityResult] = field(default_factory=list)
    population_within_hour: float = 0.0
    population_total: float = 0.0
    population_unknown_zones: list[str] = field(default_factory=list)
    core_place: Place | None = field(default=None, repr=False)
    #: grid cells within the threshold both ways (the population test), for later readings
    within_cells: Any = field(default=None, repr=False)
    #: the core set, when the core is several places (``core_place`` is then None)
    core_set: CoreSet | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("core_place", None)
        d.pop("within_cells", None)
        d["core_set"] = self.core_set.as_dict() if self.core_set else None
        d["share_within_hour"] = (round(self.population_within_hour / self.population_total, 4)
                                  if self.population_total else None)
        return d

    def zone(self, name: str) -> ZoneResult:
        return next(z for z in self.zones if z.name == name or z.id == name)


#: How a set of core places is read: the nearest centre (the same one both ways), the
#: weighted mean over the centres, or every centre (the slowest).
CORE_MODES = ("nearest", "weighted", "all")


@dataclass(frozen=True)
class CoreSet:
    """Several core places (e.g. a city's job centres) with weights and a reading mode."""

    places: tuple[Place, ...]
    weights: tuple[float, ...]
    mode: str = "nearest"
    source: str = ""

    def __post_init__(self) -> None:
        if self.mode not in CORE_MODES:
            raise InputError(f"unknown core mode {self.mode!r}; use one of {', '.join(CORE_MODES)}")
        if not self.places or len(self.weights) != len(self.places):
            raise InputError("a core set needs at least one place and one weight per place")
        if any(not (w >= 0) for w in self.weights) or not sum(self.weights) > 0:
            raise InputError(f"core weights must be non-negative with a positive sum, got {self.weights}")

    @property
    def name(self) -> str:
        return f"{self.mode} of " + "; ".join(p.name for p in self.places)

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "source": self.source,
                "places": [{"name": p.name, "lon": p.lon, "lat": p.lat, "weight": w}
                           for p, w in zip(self.places, self.weights, strict=True)]}


def read_core_set(layers: Layers, spec: str, *, mode: str = "nearest") -> CoreSet:
    """A core set from a CSV file (columns ``name``, ``lon``, ``lat``, optional ``weight`` and
    ``source``; WGS-84) or from place names separated by ``;`` (equal weights).

    Raises
    ------
    InputError
        If the file is missing or malformed, or a place does not resolve.
    """
    import dataclasses
    from pathlib import Path

    if spec.lower().endswith(".csv"):
        import pandas as pd

        path = Path(spec)
        if not path.is_file():
            raise InputError(f"core file {path} not found; give a CSV with name, lon, lat[, weight]")
        try:
            frame = pd.read_csv(path, comment="#")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InputError(f"core file {path}: cannot read it as CSV ({exc})") from None
        missing = {"name", "lon", "lat"} - set(frame.columns)
        if missing or not len(frame):
            raise InputError(f"core file {path}: needs rows and the columns name, lon, lat "
                             f"(missing: {', '.join(sorted(missing)) or 'rows'})")
        places = []
        for r in frame.itertuples():
            p = resolve(layers, f"{float(r.lon)},{float(r.lat)}")
            places.append(dataclasses.replace(p, name=str(r.name)))
        weights = (tuple(float(w) for w in frame["weight"]) if "weight" in frame.columns
                   else (1.0,) * len(places))
        source = "; ".join(sorted({str(x) for x in frame["source"].dropna()})) \
            if "source" in frame.columns else str(path)
        return CoreSet(tuple(places), weights, mode, source)
    names = [n.strip() for n in spec.split(";") if n.strip()]
    return CoreSet(tuple(resolve(layers, n) for n in names), (1.0,) * len(names), mode,
                   "places named on the command line (equal weights)")


def hangzhou_core(layers: Layers) -> Place:
    """The default core: the Hangzhou city core of the layers."""
    try:
        return resolve(layers, "city:hangzhou")
    except LookupError:
        raise InputError(
            "the layers define no Hangzhou city core (cities.csv, id 'hangzhou'); give --core"
        ) from None


def city_cores(layers: Layers) -> list[Place]:
    from network.places import city_core

    return [city_core(layers, cid) for cid in layers.cities["id"]]


def _clean(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 1)


def _centre_times(net: Network, place: Place, cores: list[Place]) -> tuple:
    """Per unit (city cores, then county zones): minutes to and from ``place``; and the
    slower-direction minutes of every grid cell (inf where not reached both ways)."""
    from network.surface import node_times, surface_from_times

    fwd, rev, compiled = node_times(net, [place], also=cores, both=True)
    units = []
    for c in cores:
        same = c.origin == place.origin
        i = compiled.index[c.origin]
        units.append((0.0, 0.0) if same else (rev[i], fwd[i]))
    for z in net.layers.zones.itertuples():
        node = f"zone:{z.code}"
        if node == place.origin:
            units.append((0.0, 0.0))
            continue
        i = compiled.index.get(node)
        units.append((np.inf, np.inf) if i is None else (rev[i], fwd[i]))
    f = surface_from_times(net, fwd).minutes
    r = surface_from_times(net, rev, reverse=True).minutes
    cells = np.maximum(np.where(np.isnan(f), np.inf, f), np.where(np.isnan(r), np.inf, r))
    return np.array(units, dtype=float), cells


def _combine(core: CoreSet, per: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Units' (to, from) minutes and cells' minutes of a core set, per its mode."""
    units = np.stack([u for u, _ in per])  # centres x units x 2
    cells = np.stack([c for _, c in per])  # centres x cells
    slow = units.max(axis=2)
    if core.mode == "nearest":
        best = np.argmin(slow, axis=0)
        return units[best, np.arange(units.shape[1])], cells.min(axis=0)
    if core.mode == "all":
        return units.max(axis=0), cells.max(axis=0)
    w = np.asarray(core.weights, float)
    w = w / w.sum()
    with np.errstate(invalid="ignore"):
        return np.tensordot(w, units, axes=1), np.tensordot(w, cells, axes=1)


def scorecard(net: Network, *, core: str | Place | CoreSet | None = None,
              minutes: float | None = None) -> Scorecard:
    """The commute-circle scorecard of one network (one year and mode set).

    ``core`` is a place (name, id, ``lon,lat`` or :class:`~network.places.Place`) or a
    :class:`CoreSet` of several places read as ``nearest``, ``weighted`` or ``all``.

    Raises
    ------
    InputError
        If the core is not a place of the circle or the threshold is not positive.
    """
    layers = net.layers
    limit = net.assumptions.commute_minutes if minutes is None else float(minutes)
    if not limit > 0:
        raise InputError(f"the commute threshold must be a positive number of minutes, got {limit}")
    cores = [c for c in city_cores(layers) if c is not None]
    if isinstance(core, CoreSet):
        units, cells = _combine(core, [_centre_times(net, p, cores) for p in core.places])
        card = Scorecard(net.year, net.modes, core.name, limit, core_set=core)
    else:
        core_place = hangzhou_core(layers) if core is None else (
            core if isinstance(core, Place) else net.resolve(core))
        units, cells = _centre_times(net, core_place, cores)
        card = Scorecard(net.year, net.modes, core_place.name, limit, core_place=core_place)
    pops = dict(zip(layers.zones["code"], layers.zones["population_2020"], strict=True))
    for c, (to_c, from_c) in zip(cores, units[:len(cores)], strict=True):
        card.zones.append(ZoneResult(f"core:{c.query.lower()}", c.name, c.name_zh, c.query,
                                     "city_core", None, _clean(to_c), _clean(from_c),
                                     bool(max(to_c, from_c) <= limit)))
    for z, (to_c, from_c) in zip(layers.zones.itertuples(), units[len(cores):], strict=True):
        pop = pops.get(z.code)
        card.zones.append(ZoneResult(z.code, z.name, z.name_zh, z.city, "county",
                                     None if pop is None or pop != pop else float(pop),
                                     _clean(to_c), _clean(from_c),
                                     bool(max(to_c, from_c) <= limit)))
    within = cells <= limit
    grid = net.grid()
    card.within_cells = within
    _city_summaries(card, layers, within, grid)
    card.population_within_hour = float(np.nansum(grid.population[within]))
    card.population_total = float(np.nansum(grid.population))
    card.population_unknown_zones = [z.name for z in card.zones
                                     if z.kind == "county" and z.population is None]
    return card


def _city_summaries(card: Scorecard, layers: Layers, within: np.ndarray, grid: Any) -> None:
    cores = {z.city: z for z in card.zones if z.kind == "city_core"}
    for c in layers.cities.itertuples():
        zs = [z for z in card.zones if z.city == c.name and z.kind == "county"]
        core_zone = cores.get(c.name)
        in_city = grid.city == c.name
        n_ok = sum(z.within_hour for z in zs)
        card.cities.append(CityResult(
            c.name, core_zone.name if core_zone else "", bool(core_zone and core_zone.within_hour),
            len(zs), n_ok, round(n_ok / len(zs), 3) if zs else 0.0,
            float(np.nansum(grid.population[within & in_city])),
            float(np.nansum(grid.population[in_city]))))


def format_scorecard(card: Scorecard) -> str:
    """A readable table of a scorecard."""
    lines = [f"One-hour commute circle, {card.year}, modes {card.modes}, core {card.core} "
             f"(within = both directions <= {card.minutes:g} min)", ""]
    lines.append(f"  {'county / city core':<31}{'city':<11}{'to core':>8}{'from core':>10}  within")
    for z in sorted(card.zones, key=lambda z: (z.city, z.kind != "city_core", z.name)):
        t = "-" if z.minutes_to_core is None else f"{z.minutes_to_core:.0f}"
        f = "-" if z.minutes_from_core is None else f"{z.minutes_from_core:.0f}"
        name = f"[core] {z.name}" if z.kind == "city_core" else z.name
        lines.append(f"  {name[:30]:<31}{z.city:<11}{t:>8}{f:>10}  {'yes' if z.within_hour else 'no'}")
    lines.append("")
    lines.append(f"  {'city':<11}{'core ok':>8}{'counties':>10}{'pop within hour':>18}")
    for c in card.cities:
        lines.append(f"  {c.city:<11}{'yes' if c.core_within_hour else 'no':>8}"
                     f"{c.counties_within_hour:>5}/{c.counties:<4}"
                     f"{c.population_within_hour / 1e6:>11.2f} M of {c.population_total / 1e6:.2f} M")
    share = card.population_within_hour / card.population_total if card.population_total else 0
    lines.append("")
    lines.append(f"  Whole circle: {card.population_within_hour / 1e6:.2f} M of "
                 f"{card.population_total / 1e6:.2f} M residents within the hour ({share:.1%})")
    if card.population_unknown_zones:
        lines.append(f"  (no 2020 population for: {', '.join(card.population_unknown_zones)})")
    return "\n".join(lines)


@dataclass
class Flip:
    zone: str
    city: str
    from_year: int
    to_year: int
    now_within: bool
    minutes_before: float | None
    minutes_after: float | None
    new_services: list[str]


def flips(layers: Layers, cards: list[Scorecard], nets: dict[int, Network]) -> list[Flip]:
    """Counties whose verdict changed between consecutive years, and the new services used.

    The services named are those on the new year's fastest trip to the core that were not
    open in the earlier year (from the journey's legs).
    """
    out = []
    opened = dict(zip(layers.services["id"], layers.services["opened"], strict=True))
    names = dict(zip(layers.services["id"], layers.services["name"], strict=True))
    for a, b in itertools.pairwise(cards):
        for za, zb in zip(a.zones, b.zones, strict=True):
            if za.within_hour == zb.within_hour:
                continue
            net = nets[b.year]
            new: list[str] = []
            try:
                origin = f"zone:{za.id}" if za.kind == "county" else f"city:{za.city.lower()}"
                j = net.travel_time(origin, b.core_place or b.core)
                ids = {s for leg in j.legs if leg.service for s in leg.service.split("+")}
                new = sorted({names[s] for s in ids if s in opened and not is_open(opened[s], a.year)})
            except HzCircleError:  # an unreachable trip simply names no service
                new = []
            before = None if za.minutes_to_core is None else max(za.minutes_to_core,
                                                                  za.minutes_from_core or 0)
            after = None if zb.minutes_to_core is None else max(zb.minutes_to_core,
                                                                 zb.minutes_from_core or 0)
            out.append(Flip(zb.name, zb.city, a.year, b.year, zb.within_hour, before, after, new))
    return out


def legs_to_core(net: Network, card: Scorecard) -> dict[tuple[int, str], str]:
    """A short leg-by-leg text of each county's fastest trip to the core (for map tooltips).

    All trips share the core as destination, so they come from one reverse search
    (:meth:`Network.journeys_to`).
    """
    out: dict[tuple[int, str], str] = {}
    core = card.core_place or card.core
    zones = [z for z in card.zones
             if z.kind == "county" and z.minutes_to_core is not None and z.minutes_to_core != 0]
    if not zones:
        return out
    try:
        journeys = net.journeys_to([f"zone:{z.id}" for z in zones], core)
    except HzCircleError:
        return out
    names = dict(zip(net.layers.services["id"], net.layers.services["name"], strict=True))
    for z, j in zip(zones, journeys, strict=True):
        if j is None:
            continue
        parts = []
        for leg in j.legs:
            what = leg.service_name if leg.kind == "ride" and leg.service_name else leg.kind
            if leg.kind == "ride" and leg.service and "+" in leg.service:  # common lines
                what = "first of " + " / ".join(names.get(x, x) for x in leg.service.split("+"))
            parts.append(f"{what} {leg.minutes:.0f}")
        out[(card.year, z.id)] = " · ".join(parts) + f" = {j.minutes:.0f} min"
    return out


def format_years(cards: list[Scorecard], changes: list[Flip]) -> str:
    """The scorecards of several years side by side, with the counties that changed."""
    years = [c.year for c in cards]
    head = f"  {'county / city core':<31}{'city':<11}" + "".join(f"{y:>9}" for y in years)
    lines = [f"One-hour commute circle by year, modes {cards[0].modes}, core {cards[0].core} "
             f"(minutes = slower of to/from the core; * = within {cards[0].minutes:g})", "", head]
    for i, z in enumerate(cards[0].zones):
        cells = []
        for c in cards:
            zz = c.zones[i]
            m = None if zz.minutes_to_core is None else max(zz.minutes_to_core, zz.minutes_from_core or 0)
            cells.append("-" if m is None else f"{m:.0f}{'*' if zz.within_hour else ' '}")
        name = f"[core] {z.name}" if z.kind == "city_core" else z.name
        lines.append(f"  {name[:30]:<31}{z.city:<11}" + "".join(f"{v:>9}" for v in cells))
    lines.append("")
    lines.append("  population within the hour: " + ", ".join(
        f"{c.year}: {c.population_within_hour / 1e6:.2f} M "
        f"({c.population_within_hour / c.population_total:.1%})" for c in cards))
    if changes:
        lines.append("")
        lines.append("  changes:")
        for f in changes:
            what = "now within the hour" if f.now_within else "no longer within the hour"
            why = f" - new: {', '.join(f.new_services)}" if f.new_services else ""
            lines.append(f"    {f.from_year}->{f.to_year} {f.zone} ({f.city}) {what}: "
                         f"{f.minutes_before} -> {f.minutes_after} min{why}")
    return "\n".join(lines)
