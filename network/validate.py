"""Deep checks of the data layers: references, ranges, coordinates, implied speeds, totals.

:func:`check_layers` returns a list of :class:`Problem`; an empty list means the layers are
clean. ``hzcircle layers check`` prints them and exits non-zero when there are any.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from network._errors import LayerError, shorten
from network.geo import BOUNDARY_SLACK_KM, REGION_BBOX, haversine_km, region
from network.layers import SCHEMAS, Layers

#: Allowed values of enumerated fields, by (layer, field).
ENUMS: dict[tuple[str, str], set[str]] = {
    ("stations", "kind"): {"hsr", "conventional", "intercity", "metro", "airport-rail"},
    ("lines", "class"): {"hsr", "conventional", "intercity", "metro"},
    ("lines", "status"): {"open", "under_construction", "planned"},
    ("services", "class"): {"hsr", "conventional", "intercity", "metro"},
    ("services", "pattern"): {"allstop", "limited", "nonstop"},
    ("zones", "kind"): {"district", "county", "county_city"},
    ("road_nodes", "kind"): {"interchange", "junction", "city_node"},
    ("airports", "status"): {"open", "under_construction", "planned", "closed"},
}

#: Where a run time comes from (service_stops.provenance); ``estimate`` iff estimate=1.
STOP_PROVENANCES = {"timetable", "official", "derived", "estimate"}

#: Where an expressway length comes from (expressways.provenance); ``estimate`` iff estimate=1.
ROAD_PROVENANCES = {"official", "derived", "estimate"}

#: Plausible band of implied speed (km/h, straight-line distance over scheduled minutes)
#: between consecutive stops, per service class. Straight-line distance understates track
#: distance, so the lower bounds are loose; the upper bounds are the top design speeds.
SPEED_BANDS_KMH: dict[str, tuple[float, float]] = {
    "hsr": (15.0, 350.0),
    "conventional": (15.0, 200.0),
    "intercity": (15.0, 200.0),
    "metro": (15.0, 120.0),
}

#: Relative tolerance for county populations summing to the published city total. Census
#: bulletins round nothing, so the sum should match exactly; 0.5 % allows for a bulletin
#: that publishes a city total revised after the county figures.
POPULATION_TOLERANCE = 0.005

#: Text that would act as markup or script if a map showed it unescaped: angle brackets,
#: quotes, backticks, backslashes, template ``${``, control characters. Names never need them.
MARKUP_RE = re.compile(r'[<>"`\\]|\$\{|[\x00-\x1f\x7f]')
#: Characters an id may not hold: the graph builds node names as ``station:<id>`` and
#: ``<id>|arr``, and ``station_ids`` lists ids separated by ``;``.
ID_RESERVED_RE = re.compile(r"[:|;\s]")
#: Fields that hold names or ids (shown in maps and messages), checked for markup.
NAME_FIELDS = ("id", "code", "name", "name_zh", "former_names", "city", "county", "core_name",
               "core_name_zh", "route", "seat_name_zh", "line_id", "service_id", "station_id",
               "from_station", "to_station", "from_node", "to_node", "station_ids", "iata",
               "icao", "core_zone", "province", "class", "kind", "pattern", "status")


def markup_problem(text: str) -> str | None:
    """Why ``text`` may not be a name (markup or script characters), or None if it is fine."""
    m = MARKUP_RE.search(text)
    if m is None:
        return None
    return (f"contains markup or script characters ({m.group()!r}); names may not hold "
            '< > " ` \\ ${ or control characters: remove them')


@dataclass(frozen=True)
class Problem:
    """One failed check: where it is and how to fix it."""

    layer: str
    feature: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{SCHEMAS[self.layer].path_hint}: feature {self.feature}: field '{self.field}'"
        return f"{where}: {self.message}"


def _unique_ids(layers: Layers) -> Iterator[Problem]:
    for name, schema in SCHEMAS.items():
        frame = getattr(layers, name)
        if not schema.id_field or schema.id_field not in frame:
            continue
        seen: set[str] = set()
        for v in frame[schema.id_field]:
            if v in seen:
                yield Problem(name, str(v), schema.id_field, "duplicate id; make ids unique")
            seen.add(v)


def _names(layers: Layers) -> Iterator[Problem]:
    """Names and ids hold no markup; ids hold none of the characters the graph reserves."""
    for name, schema in SCHEMAS.items():
        frame = getattr(layers, name)
        if not len(frame):
            continue
        id_field = schema.id_field
        fids = ([str(v) for v in frame[id_field]] if id_field and id_field in frame
                else [f"row {i + 1}" for i in range(len(frame))])
        for fld in NAME_FIELDS:
            if fld not in frame:
                continue
            for fid, v in zip(fids, frame[fld], strict=True):
                if not isinstance(v, str):
                    continue
                why = markup_problem(v)
                if why:
                    yield Problem(name, shorten(fid, 60)[1:-1], fld, why)
                elif fld == id_field and ID_RESERVED_RE.search(v):
                    yield Problem(name, shorten(fid, 60)[1:-1], fld,
                                  f"id {shorten(v, 60)} holds a reserved character (':', '|', ';' "
                                  "or a space); use letters, digits, '_', '-' or '~'")


def _enums(layers: Layers) -> Iterator[Problem]:
    for (name, fld), allowed in ENUMS.items():
        frame = getattr(layers, name)
        id_field = SCHEMAS[name].id_field or fld
        for fid, v in zip(frame[id_field], frame[fld], strict=True):
            if v is not None and v not in allowed:
                yield Problem(name, str(fid), fld, f"{v!r} is not one of {sorted(allowed)}")


def _unknown(layer: str, feature: str, fld: str, what: str, value: str) -> Problem:
    return Problem(layer, feature, fld, f"unknown {what} {shorten(value, 60)}; use an existing id "
                                        "or add it")


def _rail_refs(layers: Layers) -> Iterator[Problem]:
    stations = set(layers.stations["id"])
    lines = set(layers.lines["id"])
    for lid, ids in zip(layers.lines["id"], layers.lines["station_ids"], strict=True):
        for sid in str(ids).split(";"):
            if sid.strip() not in stations:
                yield _unknown("lines", lid, "station_ids", "station", sid)
    if lines:
        for sid, lid in zip(layers.services["id"], layers.services["line_id"], strict=True):
            if lid not in lines:
                yield _unknown("services", sid, "line_id", "line", lid)
    services = set(layers.services["id"])
    for row in layers.service_stops.itertuples():
        fid = f"{row.service_id}#{row.seq}"
        if row.service_id not in services:
            yield _unknown("service_stops", fid, "service_id", "service", row.service_id)
        if row.station_id not in stations:
            yield _unknown("service_stops", fid, "station_id", "station", row.station_id)
    places = stations | set(layers.airports["id"])
    for row in layers.interchanges.itertuples():
        for fld in ("from_station", "to_station"):
            if getattr(row, fld) not in places:
                yield _unknown("interchanges", f"{row.from_station}->{row.to_station}", fld,
                               "station", getattr(row, fld))


def _other_refs(layers: Layers) -> Iterator[Problem]:
    nodes = set(layers.road_nodes["id"])
    for row in layers.expressways.itertuples():
        for fld in ("from_node", "to_node"):
            if getattr(row, fld) not in nodes:
                yield _unknown("expressways", row.id, fld, "road node", getattr(row, fld))
    zones = set(layers.zones["code"])
    for cid, core in zip(layers.cities["id"], layers.cities["core_zone"], strict=True):
        if core not in zones:
            yield _unknown("cities", cid, "core_zone", "zone code", core)


def _stop_sequences(layers: Layers) -> Iterator[Problem]:
    stops = layers.service_stops
    for sid in layers.services["id"]:
        rows = stops[stops["service_id"] == sid].sort_values("seq")
        seqs = list(rows["seq"])
        if len(seqs) < 2:
            yield Problem("services", sid, "id",
                          "a service needs at least two stops in service_stops.csv")
            continue
        if seqs != list(range(1, len(seqs) + 1)):
            yield Problem("service_stops", sid, "seq", f"sequence {seqs} must run 1, 2, 3... without gaps")
        for row in rows.iloc[1:].itertuples():
            if row.run_minutes is None or not row.run_minutes > 0:
                yield Problem("service_stops", f"{sid}#{row.seq}", "run_minutes",
                              "must be a positive number of minutes for every stop after the first")
            prov = getattr(row, "provenance", None)
            if prov is None:
                continue
            if prov not in STOP_PROVENANCES:
                yield Problem("service_stops", f"{sid}#{row.seq}", "provenance",
                              f"{prov!r} is not one of {sorted(STOP_PROVENANCES)}")
            elif bool(row.estimate) != (prov == "estimate"):
                yield Problem("service_stops", f"{sid}#{row.seq}", "estimate",
                              f"estimate={int(row.estimate)} disagrees with provenance {prov!r} "
                              "(estimate=1 exactly when provenance is 'estimate')")


def _numbers(layers: Layers) -> Iterator[Problem]:
    for row in layers.services.itertuples():
        if not row.headway_minutes > 0:
            yield Problem("services", row.id, "headway_minutes", f"{row.headway_minutes} must be > 0")
        if row.closed is not None and row.closed < row.opened:
            yield Problem("services", row.id, "closed", "closed before it opened")
    for row in layers.interchanges.itertuples():
        if not 0 <= row.walk_minutes <= 30:
            yield Problem("interchanges", f"{row.from_station}->{row.to_station}", "walk_minutes",
                          f"{row.walk_minutes} outside 0-30 minutes")
    for row in layers.expressways.itertuples():
        if not 40 <= row.speed_kmh <= 120:
            yield Problem("expressways", row.id, "speed_kmh",
                          f"{row.speed_kmh} outside 40-120 km/h (China's expressway limits)")
        if not row.length_km > 0:
            yield Problem("expressways", row.id, "length_km", "must be > 0")
        yield from _road_provenance(row)


def _road_provenance(row) -> Iterator[Problem]:
    prov = getattr(row, "provenance", None)
    if prov is None:
        return
    if prov not in ROAD_PROVENANCES:
        yield Problem("expressways", row.id, "provenance",
                      f"{prov!r} is not one of {sorted(ROAD_PROVENANCES)}")
    elif bool(row.estimate) != (prov == "estimate"):
        yield Problem("expressways", row.id, "estimate",
                      f"estimate={int(row.estimate)} disagrees with provenance {prov!r} "
                      "(estimate=1 exactly when provenance is 'estimate')")


def _dates(layers: Layers, last_year: int) -> Iterator[Problem]:
    for name in ("stations", "lines", "airports", "expressways"):
        frame = getattr(layers, name)
        for fid, year in zip(frame["id"], frame["open_year"], strict=True):
            if year is not None and not 1870 <= year <= last_year:
                yield Problem(name, fid, "opened", f"year {year} outside 1870-{last_year}")
    for row in layers.lines.itertuples():
        if row.status != "open" and row.expected_year is None:
            yield Problem("lines", row.id, "expected_year", f"status {row.status} needs an expected_year")


def _point_problems(layer: str, frame, region, ids: Iterable[str]) -> Iterator[Problem]:
    slack_deg = BOUNDARY_SLACK_KM / 111.0
    for fid, geom, ext in zip(ids, frame.geometry, frame["external"], strict=True):
        if region is not None:
            inside = region.distance(geom) <= slack_deg
        else:
            x0, y0, x1, y1 = REGION_BBOX
            inside = x0 <= geom.x <= x1 and y0 <= geom.y <= y1
        if not inside and not ext:
            yield Problem(layer, fid, "geometry",
                          f"({geom.x:.5f}, {geom.y:.5f}) lies outside the six cities; "
                          "fix the coordinate (WGS-84 lon, lat) or set external=1")
        elif inside and ext and region is not None and region.contains(geom):
            yield Problem(layer, fid, "external",
                          "flagged external but lies inside the six cities; set external=0")


def _coordinates(layers: Layers) -> Iterator[Problem]:
    area = region(layers)
    yield from _point_problems("stations", layers.stations, area, layers.stations["id"])
    yield from _point_problems("road_nodes", layers.road_nodes, area, layers.road_nodes["id"])
    for layer, frame, ids in (("zones", layers.zones, layers.zones["code"]),
                              ("airports", layers.airports, layers.airports["id"])):
        if len(frame):
            flagged = frame.assign(external=[False] * len(frame))
            yield from _point_problems(layer, flagged, area, ids)


def _implied_speeds(layers: Layers) -> Iterator[Problem]:
    pos = {r.id: (r.lon, r.lat) for r in layers.stations.itertuples()}
    klass = dict(zip(layers.services["id"], layers.services["class"], strict=True))
    stops = layers.service_stops.sort_values(["service_id", "seq"])
    prev = None
    for row in stops.itertuples():
        if prev is not None and prev.service_id == row.service_id and row.run_minutes:
            a, b = pos.get(prev.station_id), pos.get(row.station_id)
            lo, hi = SPEED_BANDS_KMH.get(klass.get(row.service_id, ""), (15.0, 350.0))
            if a and b:
                kmh = haversine_km(*a, *b) / (row.run_minutes / 60.0)
                if not lo <= kmh <= hi:
                    yield Problem("service_stops", f"{row.service_id}#{row.seq}", "run_minutes",
                                  f"{row.run_minutes} min from {prev.station_id} to {row.station_id} "
                                  f"implies {kmh:.0f} km/h straight-line, outside {lo:.0f}-{hi:.0f} "
                                  "for this class; check the minutes and both coordinates")
        prev = row


def _connected(layers: Layers) -> Iterator[Problem]:
    """Every service is linked to the main rail network (shared stations or interchanges),
    unless its part of the network reaches an external station (it continues outside)."""
    import networkx as nx

    g = nx.Graph()
    for _, grp in layers.service_stops.sort_values("seq").groupby("service_id"):
        ids = list(grp["station_id"])
        g.add_nodes_from(ids)
        g.add_edges_from(itertools.pairwise(ids))
    for r in layers.interchanges.itertuples():
        g.add_edge(r.from_station, r.to_station)
    if not g.number_of_nodes():
        return
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    external = set(layers.stations.loc[layers.stations["external"].astype(bool), "id"])
    for comp in comps[1:]:
        if comp & external:
            continue
        services = sorted(set(layers.service_stops.loc[
            layers.service_stops["station_id"].isin(comp), "service_id"]))
        for sid in services:
            yield Problem("services", sid, "id",
                          f"not connected to the main rail network (stations {sorted(comp)[:4]}...); "
                          "add the interchange or shared station that links it")


def _road_lengths(layers: Layers) -> Iterator[Problem]:
    pos = {r.id: (r.lon, r.lat) for r in layers.road_nodes.itertuples()}
    for row in layers.expressways.itertuples():
        a, b = pos.get(row.from_node), pos.get(row.to_node)
        if a and b:
            crow = haversine_km(*a, *b)
            if row.length_km < 0.95 * crow:
                yield Problem("expressways", row.id, "length_km",
                              f"{row.length_km} km is shorter than the straight line ({crow:.1f} km) "
                              "between its nodes; check the length and node coordinates")


def _population(layers: Layers) -> Iterator[Problem]:
    for row in layers.cities.itertuples():
        pops = list(layers.zones.loc[layers.zones["city"] == row.name, "population_2020"])
        total = sum(int(p) for p in pops if p is not None)
        if None in pops:  # a documented gap: the known counties must leave room for the rest
            if total >= row.population_2020:
                yield Problem("cities", row.id, "population_2020",
                              f"zones of {row.name} with figures already sum to {total:,}, not "
                              f"below the city total {row.population_2020:,}")
            continue
        if abs(total - row.population_2020) > POPULATION_TOLERANCE * row.population_2020:
            yield Problem("cities", row.id, "population_2020",
                          f"zones of {row.name} sum to {total:,}, city total is "
                          f"{row.population_2020:,} (tolerance {POPULATION_TOLERANCE:.1%}); "
                          "correct the zone or city figures")
    if "urban_centre_share" in layers.zones.columns:
        for code, share in zip(layers.zones["code"], layers.zones["urban_centre_share"],
                               strict=True):
            if share is not None and share == share and not 0.0 <= float(share) <= 1.0:
                yield Problem("zones", code, "urban_centre_share",
                              f"{share} is not a share between 0 and 1; fix the zone row")


def check_layers(layers: Layers) -> list[Problem]:
    """Run every check on loaded layers.

    Parameters
    ----------
    layers
        Layers from :func:`network.load_layers`.

    Returns
    -------
    list of Problem
        Empty when the layers are clean.
    """
    last_year = layers.last_year()
    problems: list[Problem] = []
    for check in (_names, _unique_ids, _enums, _rail_refs, _other_refs, _stop_sequences, _numbers,
                  _coordinates,
                  _implied_speeds, _road_lengths, _population, _connected):
        problems.extend(check(layers))
    problems.extend(_dates(layers, last_year))
    return problems


#: Environment variable naming the folder where clean layer checks are remembered (by content
#: hash); default ``$XDG_CACHE_HOME/hzcircle`` or ``~/.cache/hzcircle``.
CACHE_ENV = "HZCIRCLE_CACHE"


def _cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hzcircle"


def layers_digest(layers: Layers) -> str | None:
    """SHA-256 over the layer files (names and bytes) and the rules of this module, or None
    when the layers did not come from a folder."""
    if layers.path is None:
        return None
    from network.layers import META_FILE

    h = hashlib.sha256(Path(__file__).read_bytes())
    for name in sorted([s.filename for s in SCHEMAS.values()] + [META_FILE]):
        p = Path(layers.path) / name
        h.update(name.encode() + b"\0")
        try:
            h.update(p.read_bytes())
        except FileNotFoundError:
            h.update(b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def require_valid(layers: Layers, *, cache: bool = True) -> Layers:
    """Return ``layers`` if :func:`check_layers` finds no problem, else raise a LayerError
    naming the first problem and how many there are.

    Every command runs this on the layers it loads (the same rules as ``hzcircle layers
    check``). A clean result is remembered by the content hash of the layer files (see
    :data:`CACHE_ENV`), so unchanged layers are checked once.

    Raises
    ------
    LayerError
        If any check fails.
    """
    digest = layers_digest(layers) if cache else None
    marker = _cache_dir() / "checked" / digest if digest else None
    if marker is not None and marker.is_file():
        return layers
    problems = check_layers(layers)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise LayerError(f"{problems[0]}{more}; run 'hzcircle layers check' for the full list")
    if marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:  # a read-only home: check again next time
            pass
    return layers
