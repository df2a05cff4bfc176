"""The one-hour commute circle under each of its readings, side by side.

"Is the one-hour circle met?" has no single official metric. This module keeps a registry of
the readings found in the plans and official statements (:data:`READINGS`), each with its
quoted definition and its source, and answers each one per county and per city from one
network (:func:`evaluate`):

``station``
    Main rail station to main rail station: wait + in-vehicle + transfers, from a county's
    national-rail stations to Hangzhou's main stations and back (no access, no station
    process). This is how officials report progress (「半小时高铁圈」).
``core``
    City centre to city centre, door to door, both ways (each city's core point to
    Hangzhou's core).
``county``
    Every county seat to Hangzhou's core and back, door to door (the scorecard of
    :mod:`network.scorecard`).
``population``
    The share of each county's and city's residents whose grid cell reaches Hangzhou's core
    and is reached from it within the threshold.
``province``
    Zhejiang's "1-hour traffic circles": Hangzhou to each prefecture city, and each city to
    its own counties, with at least 95 % of the population covered.

The plan's inner ring (:data:`INNER_RING`, the counties the Hangzhou master plan links to
Hangzhou by suburban rail) is summarised apart from Quzhou and Huangshan
(:data:`OUTER_CITIES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError

if TYPE_CHECKING:
    from network.places import Place
    from network.queries import Network
    from network.scorecard import Scorecard


@dataclass(frozen=True)
class Reading:
    """One reading of the one-hour circle: what is measured, the quoted text and its source."""

    name: str
    title: str
    measures: str
    quote: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "measures": self.measures,
                "quote": self.quote, "source": self.source}


_NDRC = ("NDRC, 《国家发展改革委关于培育发展现代化都市圈的指导意见》 (发改规划〔2019〕328号, "
         "2019-02-19); text via http://jumpstarthappiness.com/doc/60420.html and "
         "http://www.ccud.org.cn/article/25898.html")
_PLAN = ("「持续推进这“七个圈”!杭州都市圈要打造国际化大都市圈」, 杭州网 杭网议事厅 2020-11-23, "
         "reporter 钟一菲, on the circle's 14th five-year goals (site hwyst.hangzhou.com.cn; the "
         "article's own address was not recorded)")
_HSR = ("Hangzhou metropolitan circle press conference, 杭州网 2018-10-24, "
        "http://hznews.hangzhou.com.cn/chengshi/content/2018-10/24/content_7086482.htm")
_ZJ = ("Zhejiang Department of Transport at the Ministry of Transport press conference, "
       "2022-07-25 (CCTV news; copy at http://m.av069.com/news/guonei/2022-07-25/1354036.html); "
       "《浙江省综合运输发展"
       "“十四五”规划》 (http://ltjtw.wti.ac.cn/wti/ghtbjtw/5308.jhtml)")

#: The readings, by name.
READINGS: dict[str, Reading] = {r.name: r for r in (
    Reading("station", "station to station (rail)",
            "wait + in-vehicle + transfer minutes from the county's national-rail stations to "
            "Hangzhou's main stations and back (the slower direction, the best station pair)",
            "都市圈高铁实现了杭州市区至湖、嘉、绍三地市区“半小时高铁圈”,德清、桐乡等地可15分钟"
            "进入杭州市区。", _HSR),
    Reading("core", "city core to city core (door to door)",
            "door-to-door minutes between each city's core point and Hangzhou's core, both ways",
            "形成以“市域轨道+城市轨道”为重点的“一小时通勤圈”", _PLAN),
    Reading("county", "county seat to Hangzhou's core (door to door)",
            "door-to-door minutes between each county seat and Hangzhou's core, both ways",
            "都市圈是城市群内部以超大特大城市或辐射带动功能强的大城市为中心、以1小时通勤圈为"
            "基本范围的城镇化空间形态。", _NDRC),
    Reading("population", "residents within the hour (grid)",
            "share of residents (2020 census, spread over 1 km cells) whose cell reaches "
            "Hangzhou's core and is reached from it within the threshold; met when the share "
            "is at least Assumptions.population_share_met",
            "都市圈是城市群内部以超大特大城市或辐射带动功能强的大城市为中心、以1小时通勤圈为"
            "基本范围的城镇化空间形态。", _NDRC),
    Reading("province", "Zhejiang's 1-hour traffic circles (95 % coverage)",
            "city: its core within the threshold of Hangzhou's core both ways, and at least "
            "Assumptions.province_coverage of its residents in counties whose seat is within "
            "the threshold of the city's own core both ways; county: its seat within the "
            "threshold of its city's core both ways (Hangzhou's counties: of Hangzhou's core)",
            "加快实现杭州至地级市、地级市至所辖县(市)、城市主城区3个“1小时交通圈”……到2025年,"
            "浙江省3个“1小时交通圈”人口覆盖率达到95%以上", _ZJ),
)}

#: The counties the Hangzhou master plan links to Hangzhou by suburban rail (「一心八射」).
INNER_RING = ("Haining", "Tongxiang", "Deqing", "Anji", "Lin'an", "Fuyang", "Tonglu", "Zhuji",
              "Keqiao")
INNER_RING_SOURCE = ("《杭州市城市总体规划(2001-2020年)》(2016年修订), approved by the State "
                     "Council: 「以杭州城市轨道交通网为中心,形成连接海宁、桐乡、德清、安吉、临安、"
                     "富阳—桐庐、诸暨、柯桥的“一心八射”8条线路」 (湖州日报 2016-02-01, "
                     "http://cnbridge.cn/html/2016/news_0201/125792.html)")
#: Cities of the circle outside the plan's commuting core, scored apart.
OUTER_CITIES = ("Quzhou", "Huangshan")
#: Hangzhou's main national-rail stations (the other end of the ``station`` reading).
HANGZHOU_MAIN_STATIONS = ("hangzhou_east", "hangzhou", "hangzhou_west", "hangzhou_south")
#: Station kinds counted as a county's "main rail stations".
MAIN_STATION_KINDS = ("hsr", "conventional")


def get_reading(name: str) -> Reading:
    """The reading called ``name``; an unknown name lists the valid ones."""
    if name not in READINGS:
        raise InputError(f"unknown reading {name!r}; use one of {', '.join(READINGS)} or all")
    return READINGS[name]


def reading_names(spec: str) -> list[str]:
    """``all`` or a comma-separated list of reading names, checked."""
    if spec == "all":
        return list(READINGS)
    names = [s.strip() for s in spec.split(",") if s.strip()]
    for n in names:
        get_reading(n)
    if not names:
        raise InputError("--reading: give a reading name or all")
    return names


@dataclass
class Verdict:
    """One reading's answer for one county or city."""

    reading: str
    level: str  # county | city
    id: str
    name: str
    city: str
    minutes: float | None  # the measured minutes (the slower direction), if the reading has one
    share: float | None  # the share of residents (population, province readings)
    met: bool | None  # None: the reading cannot judge this unit (e.g. no rail station)
    note: str = ""


@dataclass
class ReadingsResult:
    """Every reading's verdicts for one network (year, modes) and core."""

    year: int
    modes: str
    core: str
    minutes: float
    readings: list[str]
    verdicts: list[Verdict] = field(default_factory=list)

    def of(self, reading: str, level: str | None = None) -> list[Verdict]:
        return [v for v in self.verdicts if v.reading == reading and (level is None or v.level == level)]

    def get(self, reading: str, name: str) -> Verdict:
        return next(v for v in self.verdicts if v.reading == reading and (v.name == name or v.id == name))

    def groups(self, reading: str) -> dict[str, tuple[int, int]]:
        """Counties met / judged in the inner ring, the other counties of the four near cities,
        and Quzhou + Huangshan."""
        out = {"inner ring": [0, 0], "other near counties": [0, 0], "Quzhou + Huangshan": [0, 0]}
        for v in self.of(reading, "county"):
            if v.met is None:
                continue
            g = ("inner ring" if v.name in INNER_RING else
                 "Quzhou + Huangshan" if v.city in OUTER_CITIES else "other near counties")
            out[g][0] += bool(v.met)
            out[g][1] += 1
        return {k: (a, b) for k, (a, b) in out.items()}

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {
            "year": self.year, "modes": self.modes, "core": self.core, "minutes": self.minutes,
            "inner_ring": {"counties": list(INNER_RING), "source": INNER_RING_SOURCE},
            "readings": {
                r: {**READINGS[r].as_dict(),
                    "cities": [asdict(v) for v in self.of(r, "city")],
                    "counties": [asdict(v) for v in self.of(r, "county")],
                    "groups": {k: {"met": a, "judged": b} for k, (a, b) in self.groups(r).items()}}
                for r in self.readings},
        }


# ------------------------------------------------------------------------------------------
# evaluation
# ------------------------------------------------------------------------------------------


def _slower(a: float, b: float) -> float:
    return float(max(a, b))


def _clean(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 1)


def _zone_of_points(grid: Any, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The zone code of the grid cell nearest each point ("" beyond one cell)."""
    from scipy.spatial import cKDTree

    from network.geo import to_metric

    x, y = to_metric(np.asarray(lon, float), np.asarray(lat, float))
    d, i = cKDTree(np.column_stack([grid.x, grid.y])).query(np.column_stack([x, y]))
    return np.where(d <= grid.cell_km * 1000.0, grid.zone[i], "")


def county_stations(net: Network) -> dict[str, list[str]]:
    """Each zone's open national-rail stations (hsr or conventional), by zone code."""
    st = net.layers.stations
    st = st[st["kind"].isin(MAIN_STATION_KINDS)]
    st = st[[n in net.compiled.index and f"{n}|arr" in net.compiled.index for n in st["id"]]]
    zones = _zone_of_points(net.grid(), st["lon"].to_numpy(float), st["lat"].to_numpy(float))
    out: dict[str, list[str]] = {}
    for sid, z in zip(st["id"], zones, strict=True):
        if z:
            out.setdefault(str(z), []).append(str(sid))
    return out


def station_minutes(net: Network) -> dict[str, float]:
    """The ``station`` reading's minutes per zone code: min over station pairs of the slower
    direction between the zone's main stations and Hangzhou's main stations (0 for a zone that
    holds one of Hangzhou's main stations)."""
    from network.routing import shortest_times

    hz = [s for s in HANGZHOU_MAIN_STATIONS if s in net.compiled.index]
    if not hz:
        return {}
    c = net.compiled
    dep = shortest_times(c, hz)  # from Hangzhou's stations (departure side)
    arr = shortest_times(c, [f"{s}|arr" for s in hz], reverse=True)  # to Hangzhou's stations
    out = {}
    for code, stations in county_stations(net).items():
        best = np.inf
        for s in stations:
            if s in hz:
                best = 0.0
                break
            i_dep, i_arr = c.index[s], c.index[f"{s}|arr"]
            for k in range(len(hz)):
                best = min(best, _slower(dep[k, i_arr], arr[k, i_dep]))
        out[code] = best
    return out


def _own_core_minutes(net: Network, card: Scorecard) -> dict[str, float]:
    """Slower direction between each county seat and its own city's core (province reading)."""
    from network.places import city_core
    from network.surface import node_times

    out: dict[str, float] = {}
    zones = net.layers.zones
    for c in net.layers.cities.itertuples():
        core = card.core_place if c.name == "Hangzhou" and card.core_place else city_core(net.layers, c.id)
        if core is None:
            continue
        fwd, rev, compiled = node_times(net, [core], both=True)
        for z in zones[zones["city"] == c.name].itertuples():
            node = f"zone:{z.code}"
            if node == core.origin:
                out[z.code] = 0.0
            elif node in compiled.index:
                i = compiled.index[node]
                out[z.code] = _slower(fwd[i], rev[i])
    return out


def evaluate(net: Network, *, readings: list[str] | None = None, core: str | Place | None = None,
             minutes: float | None = None, card: Scorecard | None = None) -> ReadingsResult:
    """Answer each reading per county and per city for one network.

    Parameters
    ----------
    net
        The network (year, modes, assumptions).
    readings
        Names from :data:`READINGS` (all if omitted).
    core
        Hangzhou's core (default: the layers' Hangzhou city core).
    minutes
        The threshold (default ``Assumptions.commute_minutes``).
    card
        A scorecard of ``net`` already computed with the same core and threshold (saves work).

    Raises
    ------
    InputError
        If a reading name, the core or the threshold is invalid.
    """
    from network.scorecard import scorecard

    names = list(READINGS) if readings is None else [get_reading(r).name for r in readings]
    card = card or scorecard(net, core=core, minutes=minutes)
    res = ReadingsResult(card.year, card.modes, card.core, card.minutes, names)
    for r in names:
        res.verdicts.extend(_READERS[r](net, card))
    return res


def _county_rows(card: Scorecard) -> list[Any]:
    return [z for z in card.zones if z.kind == "county"]


def _slow_of(z: Any) -> float:
    if z.minutes_to_core is None or z.minutes_from_core is None:
        return np.inf
    return max(z.minutes_to_core, z.minutes_from_core)


def _read_county(net: Network, card: Scorecard) -> list[Verdict]:
    out = []
    by_city: dict[str, list[bool]] = {}
    for z in _county_rows(card):
        m = _slow_of(z)
        out.append(Verdict("county", "county", z.id, z.name, z.city, _clean(m), None,
                           bool(z.within_hour)))
        by_city.setdefault(z.city, []).append(bool(z.within_hour))
    for city, oks in by_city.items():
        out.append(Verdict("county", "city", city.lower(), city, city, None,
                           round(sum(oks) / len(oks), 3), all(oks),
                           f"{sum(oks)}/{len(oks)} counties within; met = all counties"))
    return out


def _read_core(net: Network, card: Scorecard) -> list[Verdict]:
    return [Verdict("core", "city", z.id, z.city, z.city, _clean(_slow_of(z)), None,
                    bool(z.within_hour), z.name)
            for z in card.zones if z.kind == "city_core"]


def _read_station(net: Network, card: Scorecard) -> list[Verdict]:
    mins = station_minutes(net)
    limit = card.minutes
    out = []
    cores = dict(zip(net.layers.cities["name"], net.layers.cities["core_zone"], strict=True))
    for z in _county_rows(card):
        m = mins.get(z.id)
        if m is None:
            out.append(Verdict("station", "county", z.id, z.name, z.city, None, None, None,
                               "no national-rail station in the county"))
        else:
            out.append(Verdict("station", "county", z.id, z.name, z.city, _clean(m), None,
                               bool(m <= limit)))
    for city, code in cores.items():
        m = mins.get(str(code))
        out.append(Verdict("station", "city", city.lower(), city, city,
                           None if m is None else _clean(m), None,
                           None if m is None else bool(m <= limit),
                           "stations of the city's core county"))
    return out


def _zone_shares(net: Network, card: Scorecard) -> tuple[dict[str, float], dict[str, float]]:
    """Share of residents within the hour per zone code and per city (the scorecard's grid
    test)."""
    within = card.within_cells
    grid = net.grid()
    pop = np.nan_to_num(grid.population)
    zs, cs = {}, {}
    for code in np.unique(grid.zone):
        m = grid.zone == code
        tot = pop[m].sum()
        if code and tot > 0:
            zs[str(code)] = float(pop[m & within].sum() / tot)
    for city in np.unique(grid.city):
        m = grid.city == city
        tot = pop[m].sum()
        if city and tot > 0:
            cs[str(city)] = float(pop[m & within].sum() / tot)
    return zs, cs


def _read_population(net: Network, card: Scorecard) -> list[Verdict]:
    zs, cs = _zone_shares(net, card)
    need = net.assumptions.population_share_met
    out = []
    for z in _county_rows(card):
        s = zs.get(z.id)
        out.append(Verdict("population", "county", z.id, z.name, z.city, None,
                           None if s is None else round(s, 3), None if s is None else s >= need,
                           "" if s is not None else "no population"))
    for city, s in cs.items():
        out.append(Verdict("population", "city", city.lower(), city, city, None, round(s, 3),
                           s >= need))
    return out


def _read_province(net: Network, card: Scorecard) -> list[Verdict]:
    own = _own_core_minutes(net, card)
    limit, need = card.minutes, net.assumptions.province_coverage
    out = []
    covered: dict[str, list[float]] = {}
    for z in _county_rows(card):
        m = own.get(z.id, np.inf)
        ok = bool(m <= limit)
        out.append(Verdict("province", "county", z.id, z.name, z.city, _clean(m), None, ok,
                           "seat to its own city's core"))
        pop = z.population or 0.0
        c = covered.setdefault(z.city, [0.0, 0.0])
        c[0] += pop if ok else 0.0
        c[1] += pop
    cores = {z.city: z for z in card.zones if z.kind == "city_core"}
    for city, (ok_pop, tot) in covered.items():
        share = ok_pop / tot if tot else 0.0
        core_ok = bool(cores[city].within_hour) if city in cores else False
        note = "outside Zhejiang: the province's test applied for comparison" \
            if city in ("Huangshan",) else ""
        out.append(Verdict("province", "city", city.lower(), city, city,
                           _clean(_slow_of(cores[city])) if city in cores else None,
                           round(share, 3), core_ok and share >= need, note))
    return out


_READERS = {"county": _read_county, "core": _read_core, "station": _read_station,
            "population": _read_population, "province": _read_province}


def _mark(v: Verdict | None) -> str:
    if v is None or v.met is None:
        return "-"
    val = (f"{v.minutes:.0f}" if v.minutes is not None else
           f"{v.share:.0%}" if v.share is not None else "")
    return f"{val}{'*' if v.met else ' '}"


def format_readings(res: ReadingsResult) -> str:
    """The readings side by side: one column per reading, counties then cities."""
    names = res.readings
    idx = {(v.reading, v.level, v.name): v for v in res.verdicts}
    head = f"  {'county / city':<22}{'city':<11}" + "".join(f"{n:>12}" for n in names)
    lines = [f"One-hour commute circle by reading, {res.year}, modes {res.modes}, core {res.core} "
             f"(* = met; minutes or share of residents; threshold {res.minutes:g} min)", "", head]
    counties = sorted({(v.city, v.name) for v in res.verdicts if v.level == "county"})
    for city, name in counties:
        tag = " [ring]" if name in INNER_RING else ""
        lines.append(f"  {(name + tag)[:21]:<22}{city:<11}" + "".join(
            f"{_mark(idx.get((n, 'county', name))):>12}" for n in names))
    lines.append("")
    for city in sorted({v.city for v in res.verdicts if v.level == "city"}):
        lines.append(f"  {'[city] ' + city:<22}{city:<11}" + "".join(
            f"{_mark(idx.get((n, 'city', city))):>12}" for n in names))
    lines.append("")
    for n in names:
        g = res.groups(n)
        lines.append(f"  {n:<11} counties met: " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in g.items()))
    lines.append("")
    for n in names:
        r = READINGS[n]
        lines.append(f"  {n}: {r.measures}.")
        lines.append(f"    「{r.quote}」 {r.source}")
    lines.append(f"  [ring] = the plan's inner ring: {INNER_RING_SOURCE}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------
# change by year and outputs
# ------------------------------------------------------------------------------------------


@dataclass
class Gain:
    """Minutes gained by one county (door to door, slower direction) between two years."""

    zone: str
    city: str
    from_year: int
    to_year: int
    minutes_before: float | None
    minutes_after: float | None
    gained: float | None  # None when unreachable in either year
    openings: list[str]


def gains(cards: list[Scorecard], nets: dict[int, Network], *, min_gain: float = 0.5) -> list[Gain]:
    """Minutes gained per county between consecutive years, with the openings responsible:
    the services on the later year's fastest trip to the core that were not open earlier."""
    import itertools

    from network._errors import HzCircleError
    from network.years import is_open

    out = []
    for a, b in itertools.pairwise(cards):
        layers = nets[b.year].layers
        opened = dict(zip(layers.services["id"], layers.services["opened"], strict=True))
        names = dict(zip(layers.services["id"], layers.services["name"], strict=True))
        for za, zb in zip(a.zones, b.zones, strict=True):
            if za.kind != "county":
                continue
            before, after = _slow_of(za), _slow_of(zb)
            gained = before - after if np.isfinite(before) and np.isfinite(after) else None
            if gained is not None and gained < min_gain:
                continue
            if gained is None and not np.isfinite(after):
                continue
            new: list[str] = []
            try:
                j = nets[b.year].travel_time(f"zone:{zb.id}", b.core_place or b.core)
                ids = {s for leg in j.legs if leg.service for s in leg.service.split("+")}
                new = sorted(names[s] for s in ids if s in opened and not is_open(opened[s], a.year))
            except HzCircleError:
                new = []
            out.append(Gain(zb.name, zb.city, a.year, b.year, _clean(before), _clean(after),
                            None if gained is None else round(gained, 1), new))
    return out


def format_gains(cards: list[Scorecard], nets: dict[int, Network]) -> str:
    """Counties that gained minutes between consecutive years, and the openings on the way."""
    rows = gains(cards, nets)
    lines = ["  minutes gained (county reading, slower direction), with the openings used:"]
    for g in sorted(rows, key=lambda g: (g.from_year, -(g.gained or 1e9))):
        what = f"{g.gained:+.0f} min" if g.gained is not None else "newly reachable"
        why = f" - {', '.join(g.openings)}" if g.openings else " - (no new service on the trip)"
        lines.append(f"    {g.from_year}->{g.to_year} {g.zone} ({g.city}): {what} "
                     f"({g.minutes_before} -> {g.minutes_after}){why}")
    return "\n".join(lines)


def verdict_table(results: list[ReadingsResult], *, probabilities: dict | None = None,
                  legs: dict | None = None) -> Any:
    """One row per unit x year x reading: minutes, share, verdict, probability, legs.

    ``probabilities`` maps (year, unit id) to P(within the hour) from an uncertainty run;
    ``legs`` maps (year, zone code) to the leg text of the county reading's trip.
    """
    import pandas as pd

    rows = []
    for res in results:
        for v in res.verdicts:
            p = (probabilities or {}).get((res.year, v.id)) if v.reading == "county" else None
            rows.append({"id": v.id, "name": v.name, "city": v.city, "level": v.level,
                         "year": res.year, "reading": v.reading, "minutes": v.minutes,
                         "share": v.share, "met": v.met, "probability": p,
                         "inner_ring": v.name in INNER_RING,
                         "legs": (legs or {}).get((res.year, v.id)) if v.reading == "county" else None,
                         "note": v.note, "source": READINGS[v.reading].source})
    return pd.DataFrame(rows)


def write_scorecard(results: list[ReadingsResult], path: Any, *, nets: dict[int, Network],
                    cards: list[Scorecard] | None = None,
                    uncertainty: list | None = None, layers: Any = None,
                    assumptions: Any = None) -> Any:
    """Write the verdicts (county x year x reading) to CSV/Parquet or a GeoPackage/GeoJSON
    (points: county seats and city cores), with the provenance."""
    from pathlib import Path

    import geopandas as gpd

    from network._io import TABLE_SUFFIXES, VECTOR_SUFFIXES, check_suffix, write_table, write_vector
    from network.geo import CRS_WGS84
    from network.provenance import provenance
    from network.scorecard import legs_to_core

    probs = {}
    for u in uncertainty or []:
        for r in u.rows:
            probs[(u.year, r["id"])] = r["p_within"]
    legs: dict = {}
    for card in cards or []:
        legs.update(legs_to_core(nets[card.year], card))
    frame = verdict_table(results, probabilities=probs, legs=legs)
    meta = provenance(assumptions or nets[results[0].year].assumptions, layers=layers,
                      readings={r: READINGS[r].as_dict() for r in results[0].readings})
    target = Path(path)
    if target.suffix.lower() in TABLE_SUFFIXES:
        return write_table(frame, target, metadata=meta)
    check_suffix(target, VECTOR_SUFFIXES + TABLE_SUFFIXES)
    lay = layers if layers is not None else nets[results[0].year].layers
    pts = {str(z.code): (z.lon, z.lat) for z in lay.zones.itertuples()}
    for c in lay.cities.itertuples():
        pts[c.id] = (c.core_lon, c.core_lat)
        pts[f"core:{c.id}"] = (c.core_lon, c.core_lat)
    xy = [pts.get(i, (np.nan, np.nan)) for i in frame["id"]]
    geo = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy([p[0] for p in xy], [p[1] for p in xy]),
                           crs=CRS_WGS84)
    return write_vector(geo, target, metadata=meta)


#: Public alias (``network.evaluate_readings``).
evaluate_readings = evaluate
