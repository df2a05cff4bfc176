"""GTFS export: the rail services of a year as a frequency-based feed, and its validation."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.assumptions import DEFAULT, Assumptions
from network.graph import stops_open_in
from network.gtfs._common import (
    DEFAULT_SERVICE_DAY,
    ROUTE_TYPES,
    URL_RE,
    format_clock,
    parse_window,
)
from network.places import station_complexes
from network.years import check_year, is_open

if TYPE_CHECKING:
    import pandas as pd

    from network.layers import Layers


# ------------------------------------------------------------------------------------------
# export
# ------------------------------------------------------------------------------------------


@dataclass
class ExportSummary:
    """What :func:`export_gtfs` wrote."""

    path: Path
    year: int
    routes: int
    trips: int
    stops: int
    parent_stations: int
    stop_times: int


def _agency_of(service: Any) -> str:
    return "china_railway" if service["class"] in ("hsr", "conventional") or \
        str(service["id"]).startswith("conv_") else "urban_rail"


def _trip_times(kept: list[dict], start: int) -> list[tuple[str, int, int]]:
    """(station, arrival, departure) seconds for the forward and the reverse trip of a service,
    from the hop minutes the graph uses (forward run before stop i; reverse run after it)."""
    out = []
    t = float(start)
    for i, stop in enumerate(kept):
        if i:
            t += stop["run"] * 60.0
        arr = t
        if 0 < i < len(kept) - 1:
            t += stop["dwell"] * 60.0
        out.append((stop["station_id"], round(arr), round(t)))
    return out


def _reverse_times(kept: list[dict], start: int) -> list[tuple[str, int, int]]:
    seq = kept[::-1]
    out = []
    t = float(start)
    for i, stop in enumerate(seq):
        if i:
            t += seq[i - 1]["run"] * 60.0  # the run recorded at the stop just left
        arr = t
        if 0 < i < len(seq) - 1:
            t += stop["dwell"] * 60.0
        out.append((stop["station_id"], round(arr), round(t)))
    return out


#: The longest headway written to frequencies.txt: gtfs_kit reads ``headway_secs`` as int16
#: (9.1 h); a service with a longer headway (a train or two a day) is one scheduled trip.
MAX_HEADWAY_SECS = 32767


def feed_tables(layers: Layers, *, year: int, service_day: str = DEFAULT_SERVICE_DAY,
                assumptions: Assumptions = DEFAULT,
                publisher_url: str = "https://example.invalid/hzcircle") -> dict[str, pd.DataFrame]:
    """The GTFS tables (file name -> DataFrame) of the rail services open in ``year``."""
    import pandas as pd

    from network.provenance import VERSION

    year = check_year(layers, year)
    day_start, day_end = parse_window(service_day, "service day")
    st = layers.stations
    open_st = st[[is_open(y, year) for y in st["open_year"]]]
    open_ids = set(open_st["id"])
    groups = dict(tuple(layers.service_stops.groupby("service_id")))
    routes, trips, times, freqs, attributions = [], [], [], [], []
    used: set[str] = set()
    for s in layers.services.to_dict("records"):
        if not is_open(s["opened"], year, s["closed"]) or s["id"] not in groups:
            continue
        kept = stops_open_in(groups[s["id"]], open_ids, year)
        if len(kept) < 2:
            continue
        routes.append({"route_id": s["id"], "agency_id": _agency_of(s), "route_short_name": "",
                       "route_long_name": s["name"], "route_desc": f"{s['name_zh']} ({s['class']})",
                       "route_type": ROUTE_TYPES[s["class"]]})
        for url in dict.fromkeys(URL_RE.findall(str(s["source"] or ""))):
            attributions.append({"attribution_id": f"{s['id']}:{len(attributions)}",
                                 "route_id": s["id"], "organization_name": url.split("/")[2],
                                 "is_authority": 1, "attribution_url": url})
        for direction, rows in ((0, _trip_times(kept, day_start)), (1, _reverse_times(kept, day_start))):
            trip = f"{s['id']}:{'f' if direction == 0 else 'r'}"
            trips.append({"route_id": s["id"], "service_id": f"daily_{year}", "trip_id": trip,
                          "trip_headsign": rows[-1][0], "direction_id": direction})
            for seq, (sid, arr, dep) in enumerate(rows, 1):
                times.append({"trip_id": trip, "arrival_time": format_clock(arr),
                              "departure_time": format_clock(dep), "stop_id": sid,
                              "stop_sequence": seq, "timepoint": 1})
                used.add(sid)
            headway_secs = round(float(s["headway_minutes"]) * 60)
            if headway_secs < min(day_end - day_start, MAX_HEADWAY_SECS):
                freqs.append({"trip_id": trip, "start_time": format_clock(day_start),
                              "end_time": format_clock(day_end),
                              "headway_secs": headway_secs, "exact_times": 0})
            # else a train a day or fewer: the trip runs once, at the start of the service day,
            # as a scheduled trip (no frequencies.txt row)
    if not routes:
        raise InputError(f"no rail service is open in {year}; choose a later --year")
    parents = {s: f"complex:{root}" for s, root in station_complexes(layers, used).items()}
    stops = []
    for r in open_st[open_st["id"].isin(used)].itertuples():
        stops.append({"stop_id": r.id, "stop_name": r.name, "stop_desc": r.name_zh,
                      "stop_lat": round(r.lat, 7), "stop_lon": round(r.lon, 7), "location_type": 0,
                      "parent_station": parents.get(r.id, "")})
    for pid in sorted(set(parents.values())):
        members = [p for p in stops if p["parent_station"] == pid]
        names = [m["stop_name"] for m in members]
        stops.append({"stop_id": pid, "stop_name": min(names, key=len),
                      "stop_desc": "station complex: " + ", ".join(sorted(m["stop_id"] for m in members)),
                      "stop_lat": round(float(np.mean([m["stop_lat"] for m in members])), 7),
                      "stop_lon": round(float(np.mean([m["stop_lon"] for m in members])), 7),
                      "location_type": 1, "parent_station": ""})
    agencies = [
        {"agency_id": "china_railway", "agency_name": "China Railway (national rail services)",
         "agency_url": "https://www.12306.cn/", "agency_timezone": "Asia/Shanghai", "agency_lang": "zh"},
        {"agency_id": "urban_rail", "agency_name": "Urban and intercity rail of the circle "
                                                   "(metro operators; grouped by hzcircle)",
         "agency_url": publisher_url, "agency_timezone": "Asia/Shanghai", "agency_lang": "zh"},
    ]
    used_agencies = {r["agency_id"] for r in routes}
    feed_info = [{"feed_publisher_name": "hzcircle (generated from its data layers)",
                  "feed_publisher_url": publisher_url, "feed_lang": "en",
                  "feed_start_date": f"{year}0101", "feed_end_date": f"{year}1231",
                  "feed_version": (f"hzcircle {VERSION}; network of {year}; layers data year "
                                   f"{layers.data_year} ({layers.data_date}); frequency model, "
                                   f"service day {service_day} (convention); assumptions "
                                   f"{assumptions.digest()}")}]
    calendar = [{"service_id": f"daily_{year}", "monday": 1, "tuesday": 1, "wednesday": 1,
                 "thursday": 1, "friday": 1, "saturday": 1, "sunday": 1,
                 "start_date": f"{year}0101", "end_date": f"{year}1231"}]
    return {"agency.txt": pd.DataFrame([a for a in agencies if a["agency_id"] in used_agencies]),
            "stops.txt": pd.DataFrame(stops), "routes.txt": pd.DataFrame(routes),
            "trips.txt": pd.DataFrame(trips), "stop_times.txt": pd.DataFrame(times),
            "frequencies.txt": pd.DataFrame(freqs), "calendar.txt": pd.DataFrame(calendar),
            "feed_info.txt": pd.DataFrame(feed_info),
            "attributions.txt": pd.DataFrame(attributions)}


def export_gtfs(layers: Layers, path: str | Path, *, year: int,
                service_day: str = DEFAULT_SERVICE_DAY, assumptions: Assumptions = DEFAULT,
                publisher_url: str = "https://example.invalid/hzcircle") -> ExportSummary:
    """Write the rail services open in ``year`` as a GTFS zip (atomically).

    Parameters
    ----------
    layers
        The layers.
    path
        The ``.zip`` to write.
    year
        The network year.
    service_day
        ``HH:MM-HH:MM``: the span of the frequencies (the layers record headways, not
        operating hours, so this is a stated convention).
    assumptions
        Recorded in ``feed_info.txt`` (the fingerprint).
    publisher_url
        ``feed_publisher_url`` (and the URL of the urban-rail agency): give your own.

    Raises
    ------
    InputError
        For a bad year or service day, or no service open in the year.
    OutputError
        If the file cannot be written.
    """
    from network._io import check_suffix, write_atomic

    target = check_suffix(path, (".zip",))
    tables = feed_tables(layers, year=year, service_day=service_day, assumptions=assumptions,
                         publisher_url=publisher_url)

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name, frame in tables.items():
                z.writestr(name, frame.to_csv(index=False, lineterminator="\n"))

    write_atomic(target, write)
    stops = tables["stops.txt"]
    return ExportSummary(target, year, len(tables["routes.txt"]), len(tables["trips.txt"]),
                         int((stops["location_type"] == 0).sum()),
                         int((stops["location_type"] == 1).sum()), len(tables["stop_times.txt"]))


def validate_feed(path: str | Path) -> pd.DataFrame:
    """Validate a feed with gtfs-kit (``Feed.validate``, errors and warnings).

    Returns gtfs-kit's problem table: columns ``type`` (``error``/``warning``), ``message``,
    ``table``, ``rows``; empty when gtfs-kit finds nothing.
    """
    import warnings

    try:
        import gtfs_kit as gk
    except ImportError:  # pragma: no cover - a declared dependency
        raise InputError("validating GTFS needs gtfs-kit 9 (pip install 'gtfs-kit<10' pytz)") from None
    if not hasattr(gk.Feed, "validate"):
        raise InputError("this gtfs-kit has no validator (removed in gtfs-kit 10); install "
                         "'gtfs-kit<10' and pytz, as hzcircle declares")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecations inside gtfs-kit
        feed = gk.read_feed(Path(path), dist_units="km")
        return feed.validate()
