"""Model assumptions as data: one frozen, typed object passed to every computation.

An :class:`Assumptions` holds every value of the model that is a judgement rather than a fact of
the layers: waits, transfer and station times, access speeds, circuities, caps, grid sizes and
the commute threshold. Each field carries its unit, default, plausible range ``(low, high)`` and
a one-line rationale with its source in the field metadata (:func:`describe`). The object is
immutable and hashable, so caches key on it and it crosses process boundaries intact (it
pickles as plain data); every output records it (:meth:`Assumptions.record`).

Change values with :meth:`Assumptions.replace`, a file (:func:`read_assumptions`, YAML or TOML)
or ``--set NAME=VALUE`` on the command line (:meth:`Assumptions.with_settings`). The plausible
ranges are what uncertainty and sensitivity runs sample; where a range is a judgement and not
a published spread, :func:`describe` says so (``judgement``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network._errors import InputError

#: Station kinds with their own transfer, entry and exit minutes.
STATION_KINDS = ("hsr", "conventional", "intercity", "airport-rail", "metro")


#: Hard upper bounds by unit, for fields that give no domain of their own: wide enough for any
#: sensitivity run, finite so that 1e308 is refused with a message.
_UNIT_MAX = {"min": 1440.0, "km": 1000.0, "km/h": 1000.0, "ratio": 10.0, "count": 1000.0}


def _a(default: float, unit: str, low: float, high: float, why: str, source: str = "",
       *, judgement: bool = True, domain: tuple[float, float] | None = None,
       group: str = "model") -> Any:
    """A field with its metadata: unit, plausible range, rationale, source, hard domain."""
    if domain is None:
        domain = (0.0, _UNIT_MAX.get(unit, 1e9))
    meta = {"unit": unit, "low": low, "high": high, "why": why, "source": source,
            "judgement": judgement, "domain": domain, "group": group}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Assumptions:
    """Every model assumption, with its default. Immutable; compare, hash and pickle freely.

    Examples
    --------
    >>> from network import Assumptions
    >>> a = Assumptions().replace(wait_cap_minutes=10)
    >>> a.wait_cap_minutes
    10.0
    """

    # --- rail: waits and transfers (frequency-based: half the headway, as R5 and peartree) ---
    wait_cap_minutes: float = _a(
        15.0, "min", 10.0, 30.0,
        "Expected wait is headway/2, capped: on long-headway intercity lines passengers time "
        "their arrival to the timetable, so a random-arrival wait of 30+ min overstates it.",
        "Common practice in regional accessibility studies (cap 10-20 min); no Zhejiang survey.")
    common_lines: int = _a(
        1, "switch", 1, 1,
        "1: a boarding waits for the first useful service among all those that serve the trip's "
        "next stop (combined frequency, the common-lines problem); 0: one service at a time.",
        "Chriqui & Robillard (1975), Transportation Science 9(2); Spiess & Florian (1989), "
        "Transportation Research B 23(2); Conveyal R5 frequency routing. Model structure.",
        group="structure", domain=(0, 1))
    transfer_hsr_minutes: float = _a(
        8.0, "min", 5.0, 15.0,
        "Change between services at an HSR station, platform to platform in the paid area.",
        "Judgement for large Chinese HSR hubs; timed same-station transfers need no re-check.")
    transfer_conventional_minutes: float = _a(
        8.0, "min", 5.0, 15.0, "As for HSR stations.", "Judgement.")
    transfer_intercity_minutes: float = _a(
        5.0, "min", 3.0, 8.0, "Same-hall change on an intercity (metro-style) line.", "Judgement.")
    transfer_airport_rail_minutes: float = _a(
        5.0, "min", 3.0, 8.0, "Same-hall change at an airport rail station.", "Judgement.")
    transfer_metro_minutes: float = _a(
        4.0, "min", 2.0, 7.0, "Cross-platform or short-corridor metro transfer.", "Judgement.")
    entry_hsr_minutes: float = _a(
        10.0, "min", 5.0, 20.0,
        "Entrance to platform at a national station: security screening and ticket gates "
        "(every passenger is screened in China).", "Judgement; CR advises arriving well ahead.")
    entry_conventional_minutes: float = _a(
        10.0, "min", 5.0, 20.0, "As for HSR stations.", "Judgement.")
    entry_intercity_minutes: float = _a(
        3.0, "min", 2.0, 6.0, "Metro-style entry with a security check.", "Judgement.")
    entry_airport_rail_minutes: float = _a(
        3.0, "min", 2.0, 6.0, "Metro-style entry with a security check.", "Judgement.")
    entry_metro_minutes: float = _a(
        3.0, "min", 2.0, 6.0, "Metro entry with a security check.", "Judgement.")
    entry_exempt_minutes: float = _a(
        1.0, "min", 0.5, 2.0,
        "Metro entry for rail passengers changing in a one-way security-exempt corridor "
        "(Hangzhou East since 2019-09-25, Hangzhou West since 2024-09, Hangzhou station since "
        "2025-05-26): ticket gates only, no second screening.",
        "Judgement for the gates; the exemptions: 浙江在线 2019-09-23, 余杭区政府 2024-09-10, "
        "都市快报 2025-05-28 (sources in network.graph.SECURITY_EXEMPT).")
    exit_hsr_minutes: float = _a(
        4.0, "min", 3.0, 8.0, "Platform to street at a large national station.", "Judgement.")
    exit_conventional_minutes: float = _a(
        4.0, "min", 3.0, 8.0, "As for HSR stations.", "Judgement.")
    exit_intercity_minutes: float = _a(
        2.0, "min", 1.0, 4.0, "Platform to street at a metro-style station.", "Judgement.")
    exit_airport_rail_minutes: float = _a(
        2.0, "min", 1.0, 4.0, "Platform to street at a metro-style station.", "Judgement.")
    exit_metro_minutes: float = _a(
        2.0, "min", 1.0, 4.0, "Platform to street at a metro station.", "Judgement.")
    # --- access and egress (sketch connectors: crow-fly distance x detour / speed) ---
    detour_factor: float = _a(
        1.3, "ratio", 1.2, 1.4,
        "Network distance over straight-line distance for local trips.",
        "Circuity of urban road networks is typically 1.2-1.4 (e.g. Giacomin & Levinson 2015).",
        judgement=False, domain=(1.0, 3.0))
    walk_speed_kmh: float = _a(
        4.8, "km/h", 4.0, 5.4, "Planning walking speed.", "Usual planning value (4-5.4 km/h).",
        judgement=False, domain=(0.5, 10.0))
    walk_max_km: float = _a(
        1.5, "km", 1.0, 2.0, "Longest walk for access or egress; beyond it, local transit.",
        "Judgement.", domain=(0.0, 10.0))
    local_transit_speed_kmh: float = _a(
        18.0, "km/h", 12.0, 25.0,
        "Door-to-door speed of local public transport (bus or metro not modelled explicitly).",
        "Urban buses in Chinese cities average 15-20 km/h in service; range widened for metro.",
        domain=(1.0, 120.0))
    local_transit_wait_minutes: float = _a(
        5.0, "min", 2.0, 10.0, "Initial wait for local transit: half a typical 10-min headway.",
        "Judgement.")
    local_car_speed_kmh: float = _a(
        35.0, "km/h", 25.0, 50.0,
        "Car speed on local (non-expressway) roads: urban arterials 25-35 km/h in the peak, "
        "county roads 40-60.", "Judgement.", domain=(1.0, 120.0))
    car_terminal_minutes: float = _a(
        3.0, "min", 2.0, 6.0, "Walk to the car and park, at each end.", "Judgement.")
    connector_radius_km: float = _a(
        30.0, "km", 30.0, 30.0,
        "Zone seats connect to stations, road nodes and airports within this radius.",
        "Model structure, not sampled.", group="structure", domain=(1.0, 200.0))
    connector_min_count: int = _a(
        2, "count", 2, 2, "...and always to at least this many of the nearest of each kind.",
        "Model structure, not sampled.", group="structure", domain=(1, 20))
    station_road_radius_km: float = _a(
        15.0, "km", 15.0, 15.0,
        "Stations link to expressway nodes within this radius (always the nearest one).",
        "Model structure, not sampled.", group="structure", domain=(1.0, 100.0))
    local_road_radius_km: float = _a(
        35.0, "km", 35.0, 35.0,
        "Zone seats closer than this get a direct local-road link.",
        "Model structure, not sampled.", group="structure", domain=(1.0, 200.0))
    osm_snap_max_km: float = _a(
        2.0, "km", 2.0, 2.0,
        "With an OSM road graph, places farther than this from every OSM node keep their "
        "sketch connectors.", "Model structure, not sampled.", group="structure",
        domain=(0.01, 50.0))
    gtfs_join_max_km: float = _a(
        0.2, "km", 0.2, 0.2,
        "A stop of an imported GTFS feed joins the nearest layer station within this distance "
        "(a platform or entrance of the same station); farther stops become new stations.",
        "Model structure, not sampled: platforms of one station lie within about 200 m of its "
        "OpenStreetMap point.", group="structure", domain=(0.0, 5.0))
    # --- road ---
    expressway_speed_factor: float = _a(
        0.85, "ratio", 0.7, 0.95,
        "Expressway travel speed = legal limit x this: trucks, ramps, tolls and peak congestion "
        "near Hangzhou keep average speeds below the limit.", "Judgement, not a measurement.",
        domain=(0.1, 1.2))
    # --- scenarios ---
    rail_circuity: float = _a(
        1.15, "ratio", 1.05, 1.3,
        "Track length over straight-line distance, for scenario lines given as speed_kmh.",
        "Judgement; the same factor the layers' estimated run times use.", domain=(1.0, 3.0))
    scenario_extension_speed_kmh: float = _a(
        80.0, "km/h", 60.0, 160.0,
        "Average speed of a line extended past its last stop by add_station (no minutes given).",
        "Judgement; state hop minutes in the scenario to avoid it.", domain=(1.0, 400.0))
    # --- surfaces and the commute circle ---
    egress_max_km: float = _a(
        10.0, "km", 10.0, 10.0,
        "Longest straight-line egress from a reached node to a grid cell: 10 km of local "
        "transit or car is already 35-45 min, so farther cells cannot change a 90-min isochrone.",
        "Model structure, not sampled.", group="structure", domain=(0.5, 100.0))
    urban_centre_density: float = _a(
        1500.0, "inhabitants/km²", 1500.0, 10000.0,
        "Density of a county's urban centre when its GHSL urban-centre share of the population "
        "is placed on the cells around the county seat: the disc holding that share has the area "
        "share x population / this density. The default is the definition's minimum, so the "
        "disc is the largest an urban centre of that population can be (the conservative "
        "choice); higher values concentrate it more.",
        "GHSL Degree of Urbanisation (Eurostat/UN-Habitat et al. 2021, methodological manual): "
        "urban-centre 1 km cells have at least 1,500 inhabitants per km²; the upper end of the "
        "range is a judgement for Chinese city cores.", domain=(100.0, 100000.0))
    cell_km: float = _a(
        1.0, "km", 1.0, 1.0, "Default grid cell of surfaces (about 54,000 cells).",
        "Resolution, not sampled.", group="resolution", domain=(0.1, 50.0))
    max_cells: int = _a(
        2_500_000, "cells", 2_500_000, 2_500_000,
        "Grids above this are refused with an estimate (about 100 bytes per cell of memory).",
        "Resource limit, not sampled.", group="limit", domain=(1, 50_000_000))
    commute_minutes: float = _a(
        60.0, "min", 60.0, 60.0, "The threshold of the plan's one-hour commute circle.",
        "Hangzhou metropolitan circle plan: 一小时通勤圈.", judgement=False,
        group="definition", domain=(1.0, 600.0))

    # --- uncertainty of the layers' estimated values (ranges sampled by network.uncertainty) ---
    run_time_estimate_spread: float = _a(
        0.15, "ratio", 0.15, 0.15,
        "Run minutes flagged as estimates in service_stops (route km at an assumed block speed) "
        "are drawn per service within x(1 - s, 1 + s), triangular around the recorded value.",
        "Judgement: the layers' own notes call several urban-section estimates too short; "
        "published HSR timetables differ from km/block-speed estimates by about 10-20 %.",
        group="uncertainty", domain=(0.0, 0.9))
    headway_assumed_spread: float = _a(
        0.5, "ratio", 0.5, 0.5,
        "Headways recorded as ASSUMPTION (no published count) are drawn per service within "
        "x(1 - s, 1 + s).", "Judgement: an assumed headway may be half or one and a half times "
        "the real one.", group="uncertainty", domain=(0.0, 0.9))
    headway_derived_spread: float = _a(
        0.25, "ratio", 0.25, 0.25,
        "Headways derived from daily train counts (basis 'derived'/'estimate') are drawn per "
        "service within x(1 - s, 1 + s).", "Judgement: counts over an operating day hide the "
        "peak/off-peak split.", group="uncertainty", domain=(0.0, 0.9))
    province_coverage: float = _a(
        0.95, "share", 0.95, 0.95,
        "The province reading: a city's 1-hour circle is met when at least this share of its "
        "residents live in counties within the threshold of the city's core.",
        "Zhejiang Department of Transport, 2022-07-25: 到2025年,浙江省3个“1小时交通圈”人口覆盖率"
        "达到95%以上.", judgement=False, group="definition", domain=(0.0, 1.0))
    population_share_met: float = _a(
        0.5, "share", 0.5, 0.5,
        "The population reading: a county or city is met when at least this share of its "
        "residents' grid cells reach Hangzhou's core and are reached from it within the "
        "threshold. No plan states a share for the commute circle; half is a stated judgement.",
        "Judgement (a majority); see docs/method.md.", group="definition", domain=(0.0, 1.0))

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            kind = int if f.type in ("int", int) else float
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"assumption {f.name}={value!r} must be a number ({f.metadata['unit']})")
            if kind is int and float(value) != int(value):
                raise InputError(f"assumption {f.name}={value!r} must be a whole number")
            value = kind(value)
            lo, hi = f.metadata["domain"]
            if not (math.isfinite(value) and lo <= value <= hi):
                raise InputError(f"assumption {f.name}={value:g} is outside {lo:g}-{hi:g} "
                                 f"{f.metadata['unit']}; give a value in that range")
            object.__setattr__(self, f.name, value)

    # -- lookups by station kind ------------------------------------------------------------

    def _by_kind(self, what: str, kind: str | None, default: float) -> float:
        if kind is None:
            return default
        return float(getattr(self, f"{what}_{kind.replace('-', '_')}_minutes", default))

    def transfer_minutes(self, kind: str | None) -> float:
        """Minimum minutes to change between services at a station of ``kind``."""
        return self._by_kind("transfer", kind, self.transfer_hsr_minutes)

    def entry_minutes(self, kind: str | None) -> float:
        """Minutes from a station's entrance to its platform (security, gates)."""
        return self._by_kind("entry", kind, 0.0)

    def exit_minutes(self, kind: str | None) -> float:
        """Minutes from a station's platform to the street."""
        return self._by_kind("exit", kind, 0.0)

    # -- changing and recording --------------------------------------------------------------

    def replace(self, **changes: Any) -> Assumptions:
        """A copy with some values changed; unknown names are a one-line InputError."""
        _check_names(changes, "replace()")
        return dataclasses.replace(self, **changes)

    def with_settings(self, settings: list[str] | tuple[str, ...]) -> Assumptions:
        """A copy with ``NAME=VALUE`` strings applied (the CLI's ``--set``)."""
        changes: dict[str, Any] = {}
        for item in settings:
            name, sep, text = item.partition("=")
            name = name.strip()
            if not sep or not name:
                raise InputError(f"--set {item!r}: write NAME=VALUE, e.g. --set wait_cap_minutes=10")
            _check_names({name: None}, "--set")
            try:
                changes[name] = float(text)
            except ValueError:
                raise InputError(f"--set {item!r}: {text.strip()!r} is not a number") from None
        return self.replace(**changes)

    def as_dict(self) -> dict[str, float | int]:
        """Every value by name."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def changed(self) -> dict[str, float | int]:
        """The values that differ from the defaults."""
        base = DEFAULT.as_dict()
        return {k: v for k, v in self.as_dict().items() if base[k] != v}

    def digest(self) -> str:
        """A short, stable fingerprint of every value (for file names and cache keys)."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def record(self) -> dict[str, Any]:
        """What an output records: the fingerprint, the changed values and every value."""
        return {"digest": self.digest(), "changed": self.changed(), "values": self.as_dict()}


def _check_names(changes: dict[str, Any], where: str) -> None:
    valid = NAMES
    for name in changes:
        if name not in valid:
            from network._errors import shorten

            raise InputError(f"{where}: unknown assumption {shorten(name, 60)}; valid names: "
                             f"{_compact(valid)}")


def _compact(names: tuple[str, ...]) -> str:
    """The names, with each by-station-kind family written once: ``entry_{hsr|...}_minutes``."""
    kinds = [k.replace("-", "_") for k in STATION_KINDS]
    out: list[str] = []
    for name in names:
        family = next((f for f in ("transfer", "entry", "exit")
                       if name in {f"{f}_{k}_minutes" for k in kinds}), None)
        if family is None:
            out.append(name)
        elif f"{family}_{{" not in " ".join(out):
            out.append(f"{family}_{{{'|'.join(kinds)}}}_minutes")
    return ", ".join(out)


#: Names of every assumption, in declaration order.
NAMES = tuple(f.name for f in dataclasses.fields(Assumptions))

#: The defaults.
DEFAULT = Assumptions()


def describe() -> list[dict[str, Any]]:
    """One row per assumption: name, default, unit, low, high, group, judgement, why, source."""
    return [{"name": f.name, "default": f.default, "unit": f.metadata["unit"],
             "low": f.metadata["low"], "high": f.metadata["high"], "group": f.metadata["group"],
             "judgement": f.metadata["judgement"], "why": f.metadata["why"],
             "source": f.metadata["source"]} for f in dataclasses.fields(Assumptions)]


def sampled_names() -> tuple[str, ...]:
    """The assumptions an uncertainty run samples: model values with a non-empty range."""
    return tuple(r["name"] for r in describe() if r["group"] == "model" and r["low"] < r["high"])


def read_assumptions(path: str | Path, base: Assumptions | None = None) -> Assumptions:
    """Read assumptions from a YAML (``.yaml``/``.yml``) or TOML (``.toml``) file.

    The file is a flat mapping ``name: value``; names not given keep ``base``'s values
    (defaults). An unknown name, a non-number or a value outside its domain is a one-line
    InputError naming the file.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"assumptions file {p} not found; give a YAML or TOML file of name: value")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"assumptions file {p}: cannot read it as UTF-8 text ({exc})") from None
    data = _parse(p, text)
    if not isinstance(data, dict):
        raise InputError(f"assumptions file {p}: must be a mapping of name: value, "
                         "e.g. wait_cap_minutes: 10")
    for k, v in data.items():
        if not isinstance(k, str) or isinstance(v, bool) or not isinstance(v, int | float):
            raise InputError(f"assumptions file {p}: {k!r}: {v!r} must be a name and a number")
    try:
        return (base or DEFAULT).replace(**data)
    except InputError as exc:
        raise InputError(f"assumptions file {p}: {exc}") from None


def _parse(p: Path, text: str) -> Any:
    if p.suffix.lower() == ".toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"assumptions file {p}: not valid TOML ({exc})") from None
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        if len(text) > 100_000:
            raise InputError(f"assumptions file {p}: larger than 100 kB; a flat name: value list is expected")
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"assumptions file {p}: not valid YAML ({str(exc).splitlines()[0]})") from None
    raise InputError(f"assumptions file {p}: use a .yaml, .yml or .toml file")


def table_markdown() -> str:
    """The assumptions table of ``docs/method.md`` (generated; a test checks it is current)."""
    rows = ["| name | default | unit | plausible range | rationale | source |",
            "|---|---|---|---|---|---|"]
    for r in describe():
        rng = (f"{r['low']:g}–{r['high']:g}" if r["low"] < r["high"] else f"fixed ({r['group']})")
        if r["low"] < r["high"] and r["judgement"]:
            rng += " (judgement)"
        rows.append(f"| `{r['name']}` | {r['default']:g} | {r['unit']} | {rng} | {r['why']} | "
                    f"{r['source']} |")
    return "\n".join(rows)
