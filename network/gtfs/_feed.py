"""Reading GTFS feeds: files and columns checked, service days, stop patterns and departures."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.gtfs._common import TIME_RE

if TYPE_CHECKING:
    import pandas as pd

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


def seconds(values: Any, where: str) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None or str(v).strip() == "":
            continue
        m = TIME_RE.match(str(v))
        if not m:
            raise InputError(f"{where}: time {v!r} is not HH:MM:SS")
        out[i] = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
    return out


def service_dates(tables: dict[str, pd.DataFrame]) -> dict[str, set]:
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
class Pattern:
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


def stop_patterns(tables: dict[str, pd.DataFrame], window: tuple[int, int],
              source: str) -> tuple[list[Pattern], Any]:
    """Stop patterns of the busiest day's trips, with departures in the window."""
    import pandas as pd

    dates = service_dates(tables)
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
    st["_arr"] = seconds(st.get("arrival_time", pd.Series([""] * len(st))).tolist(), "stop_times.txt")
    st["_dep"] = seconds(st.get("departure_time", pd.Series([""] * len(st))).tolist(), "stop_times.txt")
    st["_arr"] = st["_arr"].fillna(st["_dep"])
    st["_dep"] = st["_dep"].fillna(st["_arr"])
    st = st.sort_values(["trip_id", "_seq"])
    freq = frequency_departures(tables, source)
    route_of = dict(zip(trips["trip_id"], trips["route_id"], strict=True))
    w0, w1 = window
    found: dict[tuple, Pattern] = {}
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
            found[key] = Pattern(key[0], key[1], runs, dwells, [])
            first_dep[key] = np.inf
        p = found[key]
        p.departures += in_window
        earliest = min(in_window, default=np.inf)
        if earliest < first_dep[key]:  # hop minutes from the first trip of the window
            first_dep[key] = earliest
            p.runs = [0.0, *((arr[1:] - dep[:-1]) / 60.0)]
            p.dwells = list((dep - arr) / 60.0)
    return [p for p in found.values() if p.departures], day


def frequency_departures(tables: dict[str, pd.DataFrame], source: str) -> dict[str, list[float]]:
    """trip_id -> first-stop departures expanded from frequencies.txt."""
    fr = tables.get("frequencies.txt")
    out: dict[str, list[float]] = {}
    if fr is None or not len(fr):
        return out
    for r in fr.to_dict("records"):
        s = seconds([r.get("start_time", "")], "frequencies.txt")[0]
        e = seconds([r.get("end_time", "")], "frequencies.txt")[0]
        try:
            h = float(r.get("headway_secs", ""))
        except ValueError:
            h = float("nan")
        if not (np.isfinite(s) and np.isfinite(e) and h > 0):
            raise InputError(f"GTFS feed {source}: frequencies.txt: trip {r.get('trip_id')}: give "
                             "start_time, end_time and a positive headway_secs")
        out.setdefault(r["trip_id"], []).extend(np.arange(s, e, h).tolist())
    return out
