"""GTFS in and out: export the rail services as a frequency-based feed, import a feed's services.

Export (:func:`export_gtfs`) writes the services open in a year as a GTFS feed that R5, OTP,
UrbanAccess or gtfs-kit can load: one route per service (``route_type`` 2 for national and
intercity rail, 1 for metro), one frequency-based trip per direction (``frequencies.txt``,
``exact_times=0``, ``headway_secs`` = the service's ``headway_minutes``) over a stated service
day, stop times from the recorded hop minutes (run between stops, dwell at intermediate stops,
exactly as :func:`network.graph.stops_open_in` keeps them for the year), stops with parent
stations for the station complexes of ``interchanges.csv`` (``same_complex``), an all-days
calendar for the year, ``feed_info.txt`` (data year, network year, assumptions fingerprint) and
``attributions.txt`` (each service's source URLs).

Import (:func:`import_gtfs`) is a pure function ``Layers -> Layers`` like a scenario: the
feed's stop patterns become services, stops join the nearest layer station within
``Assumptions.gtfs_join_max_km`` or become new stations, hop minutes come from the first trip
of a pattern in the window, and headways from the departures in the window
(the mean interval between consecutive departures, as UrbanAccess computes headways).
Broken feeds raise one-line :class:`~network.InputError`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.assumptions import DEFAULT, Assumptions
from network.geo import haversine_km
from network.graph import stops_open_in
from network.years import check_year, is_open

if TYPE_CHECKING:
    import pandas as pd

    from network.layers import Layers

#: GTFS route_type by service class (basic types: 2 rail, 1 subway/metro).
ROUTE_TYPES = {"hsr": 2, "conventional": 2, "intercity": 2, "metro": 1}
#: Station kind given to a new stop by its route_type (basic and extended types).
_KIND_OF_ROUTE_TYPE = {0: "metro", 1: "metro", 2: "conventional", 101: "hsr", 102: "conventional",
                       103: "conventional", 106: "conventional", 109: "intercity", 400: "metro",
                       401: "metro", 402: "metro"}
#: Service class given to an imported pattern by its route_type.
_CLASS_OF_ROUTE_TYPE = {0: "metro", 1: "metro", 2: "conventional", 101: "hsr", 102: "conventional",
                        103: "conventional", 106: "conventional", 109: "intercity", 400: "metro",
                        401: "metro", 402: "metro"}
#: The service day of exported frequencies when none is given (a convention: the layers record
#: headways, not operating hours).
DEFAULT_SERVICE_DAY = "06:00-23:00"
#: The departure window of imported headways when none is given (the morning peak).
DEFAULT_WINDOW = "07:00-09:00"

_URL = re.compile(r"https?://[^\s;,)]+")
_TIME = re.compile(r"^\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*$")


# ------------------------------------------------------------------------------------------
# times
# ------------------------------------------------------------------------------------------


def parse_clock(text: str, what: str = "time") -> int:
    """``H:MM`` or ``HH:MM:SS`` (hours may pass 24, as GTFS allows) -> seconds after midnight."""
    m = _TIME.match(str(text))
    if not m:
        raise InputError(f"{what} {text!r} is not a time; write HH:MM or HH:MM:SS, e.g. 07:30")
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)


def parse_window(text: str, what: str = "--window") -> tuple[int, int]:
    """``HH:MM-HH:MM`` -> (start, end) seconds after midnight, end after start."""
    start, sep, end = str(text).partition("-")
    if not sep or not _TIME.match(start) or not _TIME.match(end):
        raise InputError(f"{what} {text!r}: write START-END as HH:MM-HH:MM, e.g. 07:00-09:00")
    s, e = parse_clock(start, what), parse_clock(end, what)
    if e <= s:
        raise InputError(f"{what} {text!r}: the end must come after the start, e.g. 07:00-09:00")
    return s, e


def format_clock(seconds: float) -> str:
    """Seconds after midnight -> ``HH:MM:SS`` (hours may pass 24)."""
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


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


def _complexes(layers: Layers, stations: set[str]) -> dict[str, str]:
    """Station -> parent id for the station complexes (same_complex interchanges, transitive)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    ic = layers.interchanges
    for r in ic.itertuples():
        if r.same_complex and r.from_station in stations and r.to_station in stations:
            a, b = find(r.from_station), find(r.to_station)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for s in stations:
        groups.setdefault(find(s), []).append(s)
    return {s: f"complex:{root}" for root, members in groups.items() if len(members) > 1
            for s in members}


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
        for url in dict.fromkeys(_URL.findall(str(s["source"] or ""))):
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
            freqs.append({"trip_id": trip, "start_time": format_clock(day_start),
                          "end_time": format_clock(day_end),
                          "headway_secs": round(float(s["headway_minutes"]) * 60), "exact_times": 0})
    if not routes:
        raise InputError(f"no rail service is open in {year}; choose a later --year")
    parents = _complexes(layers, used)
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


# ------------------------------------------------------------------------------------------
# import
# ------------------------------------------------------------------------------------------

_REQUIRED = {
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
}


def read_feed(path: str | Path) -> dict[str, pd.DataFrame]:
    """Read a GTFS feed (zip or folder) into tables of text, checking files and columns.

    Raises
    ------
    InputError
        For a missing or unreadable feed, a missing file or column, or no calendar.
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise InputError(f"GTFS feed {p} not found; give a .zip or a folder of .txt files")
    files: dict[str, bytes] = {}
    if p.is_dir():
        files = {f.name: f.read_bytes() for f in p.glob("*.txt")}
    else:
        try:
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    if name.endswith(".txt"):
                        files[Path(name).name] = z.read(name)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"GTFS feed {p}: not a zip file ({exc}); give a GTFS .zip or a "
                             "folder of .txt files") from None
    tables: dict[str, pd.DataFrame] = {}
    for name, data in files.items():
        try:
            text = data.decode("utf-8-sig")
            tables[name] = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"GTFS feed {p}: {name} is not UTF-8 CSV "
                             f"({type(exc).__name__}: {str(exc).splitlines()[0][:100]})") from None
        tables[name].columns = [c.strip() for c in tables[name].columns]
    for name, cols in _REQUIRED.items():
        if name not in tables:
            raise InputError(f"GTFS feed {p}: {name} is missing; a feed needs stops, routes, "
                             "trips and stop_times")
        missing = [c for c in cols if c not in tables[name].columns]
        if missing:
            raise InputError(f"GTFS feed {p}: {name} lacks column(s) {', '.join(missing)}")
    if "calendar.txt" not in tables and "calendar_dates.txt" not in tables:
        raise InputError(f"GTFS feed {p}: neither calendar.txt nor calendar_dates.txt; a feed "
                         "needs one to say when it runs")
    return tables


def _seconds(values: Any, where: str) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None or str(v).strip() == "":
            continue
        m = _TIME.match(str(v))
        if not m:
            raise InputError(f"{where}: time {v!r} is not HH:MM:SS")
        out[i] = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
    return out


def _service_dates(tables: dict[str, pd.DataFrame]) -> dict[str, set]:
    """service_id -> the dates it runs (calendar.txt weekdays in range, then calendar_dates)."""
    import pandas as pd

    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    out: dict[str, set] = {}
    cal = tables.get("calendar.txt")
    if cal is not None and len(cal):
        for r in cal.to_dict("records"):
            try:
                dates = pd.date_range(pd.to_datetime(r["start_date"], format="%Y%m%d"),
                                      pd.to_datetime(r["end_date"], format="%Y%m%d"))
            except (ValueError, KeyError) as exc:
                raise InputError(f"calendar.txt: service {r.get('service_id')!r}: bad start_date/"
                                 f"end_date ({exc}); use YYYYMMDD") from None
            on = [str(r.get(d, "0")).strip() == "1" for d in days]
            out[r["service_id"]] = {d.date() for d in dates if on[d.weekday()]}
    cd = tables.get("calendar_dates.txt")
    if cd is not None and len(cd):
        for r in cd.to_dict("records"):
            try:
                d = pd.to_datetime(r["date"], format="%Y%m%d").date()
            except (ValueError, KeyError) as exc:
                raise InputError(f"calendar_dates.txt: bad date ({exc}); use YYYYMMDD") from None
            s = out.setdefault(r["service_id"], set())
            (s.add if str(r.get("exception_type")).strip() == "1" else s.discard)(d)
    return out


@dataclass
class _Pattern:
    route_id: str
    stops: tuple[str, ...]
    runs: list[float]  # minutes before each stop (0 for the first)
    dwells: list[float]
    departures: list[float]

    def headway_minutes(self, window: tuple[int, int]) -> float:
        """Mean interval between consecutive departures in the window (UrbanAccess's
        definition); the window's length when there is one departure."""
        d = sorted(self.departures)
        if len(d) < 2:
            return (window[1] - window[0]) / 60.0
        return (d[-1] - d[0]) / (len(d) - 1) / 60.0


def _patterns(tables: dict[str, pd.DataFrame], window: tuple[int, int],
              source: str) -> tuple[list[_Pattern], Any]:
    """Stop patterns of the busiest day's trips, with departures in the window."""
    import pandas as pd

    dates = _service_dates(tables)
    trips = tables["trips.txt"]
    per_day: dict = {}
    for sid, ds in dates.items():
        n = int((trips["service_id"] == sid).sum())
        for d in ds:
            per_day[d] = per_day.get(d, 0) + n
    if not per_day:
        raise InputError(f"GTFS feed {source}: its calendar has no day with service")
    day = max(sorted(per_day), key=lambda d: per_day[d])
    active = {sid for sid, ds in dates.items() if day in ds}
    trips = trips[trips["service_id"].isin(active)]
    st = tables["stop_times.txt"]
    st = st[st["trip_id"].isin(set(trips["trip_id"]))].copy()
    if not len(st):
        raise InputError(f"GTFS feed {source}: no stop_times for the trips running on {day}")
    try:
        st["_seq"] = st["stop_sequence"].astype(int)
    except ValueError:
        raise InputError(f"GTFS feed {source}: stop_times.txt: stop_sequence must be whole "
                         "numbers") from None
    st["_arr"] = _seconds(st.get("arrival_time", pd.Series([""] * len(st))).tolist(), "stop_times.txt")
    st["_dep"] = _seconds(st.get("departure_time", pd.Series([""] * len(st))).tolist(), "stop_times.txt")
    st["_arr"] = st["_arr"].fillna(st["_dep"])
    st["_dep"] = st["_dep"].fillna(st["_arr"])
    st = st.sort_values(["trip_id", "_seq"])
    freq = _frequency_departures(tables, source)
    route_of = dict(zip(trips["trip_id"], trips["route_id"], strict=True))
    w0, w1 = window
    found: dict[tuple, _Pattern] = {}
    first_dep: dict[tuple, float] = {}
    for trip, g in st.groupby("trip_id", sort=False):
        if g["_arr"].isna().any():
            bad = int(g.loc[g["_arr"].isna(), "_seq"].iloc[0])
            raise InputError(f"GTFS feed {source}: stop_times.txt: trip {trip} has no time at "
                             f"stop_sequence {bad}; give arrival and departure times at every "
                             "stop (interpolation is not supported)")
        arr, dep = g["_arr"].to_numpy(), g["_dep"].to_numpy()
        if (np.diff(arr) < 0).any() or (dep < arr).any():
            raise InputError(f"GTFS feed {source}: stop_times.txt: trip {trip}: times go backwards")
        starts = freq.get(trip, [dep[0]])
        offset = [s - dep[0] for s in starts] if trip in freq else [0.0]
        in_window = [dep[0] + o for o in offset if w0 <= dep[0] + o < w1]
        key = (route_of[trip], tuple(g["stop_id"]))
        if key not in found:
            runs = [0.0, *((arr[1:] - dep[:-1]) / 60.0)]
            dwells = list((dep - arr) / 60.0)
            found[key] = _Pattern(key[0], key[1], runs, dwells, [])
            first_dep[key] = np.inf
        p = found[key]
        p.departures += in_window
        earliest = min(in_window, default=np.inf)
        if earliest < first_dep[key]:  # hop minutes from the first trip of the window
            first_dep[key] = earliest
            p.runs = [0.0, *((arr[1:] - dep[:-1]) / 60.0)]
            p.dwells = list((dep - arr) / 60.0)
    return [p for p in found.values() if p.departures], day


def _frequency_departures(tables: dict[str, pd.DataFrame], source: str) -> dict[str, list[float]]:
    """trip_id -> first-stop departures expanded from frequencies.txt."""
    fr = tables.get("frequencies.txt")
    out: dict[str, list[float]] = {}
    if fr is None or not len(fr):
        return out
    for r in fr.to_dict("records"):
        s = _seconds([r.get("start_time", "")], "frequencies.txt")[0]
        e = _seconds([r.get("end_time", "")], "frequencies.txt")[0]
        try:
            h = float(r.get("headway_secs", ""))
        except ValueError:
            h = float("nan")
        if not (np.isfinite(s) and np.isfinite(e) and h > 0):
            raise InputError(f"GTFS feed {source}: frequencies.txt: trip {r.get('trip_id')}: give "
                             "start_time, end_time and a positive headway_secs")
        out.setdefault(r["trip_id"], []).extend(np.arange(s, e, h).tolist())
    return out


def _feed_tag(path: Path) -> str:
    stem = path.name.removesuffix(".zip")
    return re.sub(r"[^A-Za-z0-9]+", "_", stem).strip("_").lower() or "feed"


def _first_year(tables: dict[str, pd.DataFrame], day: Any) -> int:
    years = []
    cal = tables.get("calendar.txt")
    if cal is not None and len(cal):
        years += [int(str(v)[:4]) for v in cal["start_date"] if str(v)[:4].isdigit()]
    cd = tables.get("calendar_dates.txt")
    if cd is not None and len(cd) and "date" in cd:
        years += [int(str(v)[:4]) for v in cd["date"] if str(v)[:4].isdigit()]
    return min(years) if years else day.year


def import_gtfs(layers: Layers, feed: str | Path, *, window: str = DEFAULT_WINDOW,
                assumptions: Assumptions = DEFAULT) -> Layers:
    """New layers with a GTFS feed's services added (the input layers are not changed).

    Each stop pattern of a route running on the feed's busiest day becomes a service (both
    directions, as every service of the model; a pattern and its exact reverse become one
    service). Its hop minutes (run, dwell) come from the first trip of the pattern departing in
    ``window``; its headway is the mean interval between its consecutive departures in the window
    (the window's length for a single departure) (trips of
    ``frequencies.txt`` expanded). Patterns without a departure in the window are left out.
    Stops join the nearest layer station within ``assumptions.gtfs_join_max_km`` (a stop with
    a parent station is placed at its own coordinates); other stops become new stations whose
    kind follows the route type. Services open from the year the feed's calendar starts.

    Raises
    ------
    InputError
        For a broken feed (missing file or column, unknown stop, bad time), a bad window, or a
        feed with no departure in the window.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from network.geo import CRS_WGS84

    p = Path(feed)
    w = parse_window(window)
    tables = read_feed(p)
    patterns, day = _patterns(tables, w, str(p))
    if not patterns:
        raise InputError(f"GTFS feed {p}: no departure in the window {window} on its busiest day "
                         f"({day}); choose another --window")
    tag = _feed_tag(p)
    stops = tables["stops.txt"].set_index("stop_id", drop=False)
    routes = tables["routes.txt"].set_index("route_id", drop=False)
    year = _first_year(tables, day)
    # reverse pairs become one service
    index = {(q.route_id, q.stops): i for i, q in enumerate(patterns)}
    keep = []
    for i, q in enumerate(patterns):
        j = index.get((q.route_id, q.stops[::-1]))
        if j is not None and j < i:
            continue
        keep.append(q)
    mapping, new_stations = _join_stops(layers, stops, {s for q in keep for s in q.stops}, routes,
                                        keep, assumptions, tag, str(p), year)
    svc_rows, stop_rows, line_rows = [], [], []
    src = f"GTFS feed {p.name}"
    for n, q in enumerate(keep):
        r = routes.loc[q.route_id] if q.route_id in routes.index else None
        if r is None:
            raise InputError(f"GTFS feed {p}: trips.txt names route {q.route_id!r}, not in routes.txt")
        rtype = _route_type(r["route_type"], str(p))
        sid = f"gtfs_{tag}_{_slug(q.route_id)}_{n}"
        name = str(r.get("route_long_name") or r.get("route_short_name") or q.route_id)
        svc_rows.append({"id": sid, "line_id": f"gtfs_{tag}_{_slug(q.route_id)}", "name": name,
                         "name_zh": str(r.get("route_short_name") or name), "class":
                         _CLASS_OF_ROUTE_TYPE.get(rtype, "metro"), "pattern": "allstop",
                         "headway_minutes": round(q.headway_minutes(w), 3),
                         "headway_basis": f"mean interval of {len(q.departures)} departure(s) in "
                                          f"{window} on {day} ({src})",
                         "opened": year, "closed": None, "source": src, "notes": None})
        for k, stop in enumerate(q.stops):
            stop_rows.append({"service_id": sid, "seq": k + 1, "station_id": mapping[stop],
                              "run_minutes": round(q.runs[k], 4) if k else None,
                              "dwell_minutes": round(q.dwells[k], 4) if k > 0 else None,
                              "opened": None, "estimate": False, "source": src})
        line_rows.append((f"gtfs_{tag}_{_slug(q.route_id)}", name, svc_rows[-1]["class"],
                          [mapping[s] for s in q.stops]))
    stations = layers.stations
    if new_stations:
        add = gpd.GeoDataFrame(pd.DataFrame(new_stations, dtype=object),
                               geometry=[shapely.Point(s["lon"], s["lat"]) for s in new_stations],
                               crs=CRS_WGS84)
        stations = pd.concat([stations, add], ignore_index=True)
    lines = _add_lines(layers, stations, line_rows, src, year)
    services = pd.concat([layers.services, pd.DataFrame(svc_rows, dtype=object)], ignore_index=True)
    sstops = pd.concat([layers.service_stops, pd.DataFrame(stop_rows, dtype=object)],
                       ignore_index=True)
    return layers.replace(stations=stations, services=services, service_stops=sstops, lines=lines)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", str(text)).strip("_").lower() or "x"


def _route_type(value: Any, source: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(f"GTFS feed {source}: routes.txt: route_type {value!r} is not a "
                         "number") from None


def _join_stops(layers: Layers, stops: pd.DataFrame, used: set[str], routes: pd.DataFrame,
                patterns: list[_Pattern], a: Assumptions, tag: str, source: str,
                year: int) -> tuple[dict[str, str], list[dict]]:
    """GTFS stop -> layer station id (nearest within the join distance, else a new station)."""
    st = layers.stations
    lons, lats = st["lon"].to_numpy(float), st["lat"].to_numpy(float)
    ids = st["id"].to_numpy()
    kind_of: dict[str, str] = {}
    for q in patterns:
        rt = _route_type(routes.loc[q.route_id, "route_type"], source) if q.route_id in routes.index else 2
        for s in q.stops:
            kind_of.setdefault(s, _KIND_OF_ROUTE_TYPE.get(rt, "metro"))
    mapping: dict[str, str] = {}
    new: list[dict] = []
    zones = layers.zones
    for s in sorted(used):
        if s not in stops.index:
            raise InputError(f"GTFS feed {source}: stop_times.txt names stop {s!r}, not in stops.txt")
        row = stops.loc[s]
        try:
            lon, lat = float(row["stop_lon"]), float(row["stop_lat"])
        except ValueError:
            raise InputError(f"GTFS feed {source}: stops.txt: stop {s}: stop_lon/stop_lat are not "
                             "numbers") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"GTFS feed {source}: stops.txt: stop {s}: {lon},{lat} is not a "
                             "WGS-84 lon/lat")
        d = _haversine_many(lon, lat, lons, lats)
        if len(d) and d.min() <= a.gtfs_join_max_km:
            mapping[s] = str(ids[int(np.argmin(d))])
            continue
        zi = int(np.argmin(_haversine_many(lon, lat, zones["lon"].to_numpy(float),
                                           zones["lat"].to_numpy(float))))
        nid = f"gtfs_{tag}_{_slug(s)}"
        name = str(row.get("stop_name") or s)
        new.append({"id": nid, "name": name, "name_zh": name, "city": zones["city"].iloc[zi],
                    "county": zones["name"].iloc[zi], "kind": kind_of[s], "opened": str(year),
                    "former_names": None, "external": False,
                    "source": f"GTFS feed {Path(source).name}, stop {s}", "notes": None,
                    "coord_crs_source": "wgs84 (GTFS)", "lon": lon, "lat": lat, "open_year": year})
        mapping[s] = nid
    return mapping, new


def _haversine_many(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    from network.geo import EARTH_RADIUS_KM

    p1, p2 = np.radians(lat), np.radians(lats)
    h = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def _add_lines(layers: Layers, stations: Any, rows: list[tuple[str, str, str, list[str]]],
               source: str, year: int) -> Any:
    """A schematic line per imported route (straight between its stops) so services resolve."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from network.geo import CRS_WGS84

    pos = dict(zip(stations["id"], zip(stations["lon"], stations["lat"], strict=True), strict=True))
    seen: dict[str, dict] = {}
    for lid, name, klass, sids in rows:
        if lid in seen:
            continue
        coords = [pos[s] for s in sids]
        km = sum(haversine_km(*coords[i], *coords[i + 1]) for i in range(len(coords) - 1))
        seen[lid] = {"id": lid, "name": name, "name_zh": name, "class": klass,
                     "station_ids": ";".join(sids), "length_km": round(km, 3),
                     "length_source": "straight lines between the feed's stops", "opened": str(year),
                     "status": "open", "expected_year": None, "design_speed_kmh": None,
                     "schematic": True, "source": source, "notes": None, "open_year": year,
                     "geometry": shapely.LineString(coords)}
    if not seen:
        return layers.lines
    add = gpd.GeoDataFrame(pd.DataFrame(list(seen.values()), dtype=object), geometry="geometry",
                           crs=CRS_WGS84)
    return pd.concat([layers.lines, add], ignore_index=True)


def import_feeds(layers: Layers, feeds: list[str] | tuple[str, ...], *, window: str = DEFAULT_WINDOW,
                 assumptions: Assumptions = DEFAULT) -> Layers:
    """:func:`import_gtfs` for several feeds in turn."""
    for f in feeds:
        layers = import_gtfs(layers, f, window=window, assumptions=assumptions)
    return layers
