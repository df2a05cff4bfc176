"""GTFS export (valid per gtfs-kit, re-imports to the same travel times) and import (joins,
new stops, headways from a window, clear errors for broken feeds)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from network import InputError, Network, check_layers
from network.gtfs import export_gtfs, import_gtfs, read_feed, validate_feed
from tests.conftest import DATA

SMALL = DATA / "gtfs" / "small_bus"


@pytest.fixture(scope="module")
def feed_2025(tmp_path_factory, real_layers):
    path = tmp_path_factory.mktemp("gtfs") / "rail_2025.zip"
    export_gtfs(real_layers, path, year=2025)
    return path


def test_export_is_valid_for_gtfs_kit(feed_2025):
    report = validate_feed(feed_2025)
    assert not (report["type"] == "error").any(), report.to_string()


def test_export_tables(feed_2025, real_layers):
    t = read_feed(feed_2025)
    assert {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt",
            "frequencies.txt", "calendar.txt", "feed_info.txt"} <= set(t)
    routes = t["routes.txt"].set_index("route_id")
    assert routes.loc["hzm_line1_allstop", "route_type"] == "1"
    assert routes.loc["hsr_shanghai_hangzhou_allstop", "route_type"] == "2"
    fr = t["frequencies.txt"].set_index("trip_id")
    assert fr.loc["hzm_line2_allstop:f", "headway_secs"] == "270"  # 4.5 min
    stops = t["stops.txt"].set_index("stop_id")
    # Hangzhou East's complex: the HSR station and both metro stations share one parent
    parent = stops.loc["hangzhou_east", "parent_station"]
    assert parent and stops.loc[parent, "location_type"] == "1"
    assert stops.loc["hzm_hangzhou_east", "parent_station"] == parent
    info = t["feed_info.txt"].iloc[0]
    assert f"data year {real_layers.data_year}" in info["feed_version"]
    assert "network of 2025" in info["feed_version"]
    # stop times from the hop minutes: Hangzhou East -> Shaoxing North on the all-stop service
    st = t["stop_times.txt"]
    trip = st[st["trip_id"] == "hsr_hangzhou_ningbo_allstop:f"].set_index("stop_id")
    secs = [sum(int(x) * m for x, m in zip(v.split(":"), (3600, 60, 1), strict=True))
            for v in (trip.loc["hangzhou_east", "departure_time"],
                      trip.loc["shaoxing_north", "arrival_time"])]
    ss = real_layers.service_stops
    rows = ss[ss["service_id"] == "hsr_hangzhou_ningbo_allstop"].sort_values("seq")
    runs = rows["run_minutes"].tolist()[1:3]
    dwell = rows["dwell_minutes"].tolist()[1]
    assert (secs[1] - secs[0]) / 60 == pytest.approx(sum(runs) + dwell)


def test_round_trip_gives_the_same_travel_times(feed_2025, real_layers):
    empty = real_layers.replace(services=real_layers.services.iloc[0:0],
                                service_stops=real_layers.service_stops.iloc[0:0])
    # the whole service day: a service every 480 min has no departure between 07:00 and 09:00
    back = import_gtfs(empty, feed_2025, window="06:00-23:00")
    assert len(back.services) == len(read_feed(feed_2025)["routes.txt"])
    assert len(back.stations) == len(real_layers.stations)  # every stop joined its station
    a = Network(real_layers, year=2025).matrix()
    b = Network(back, year=2025).matrix()
    assert a["minutes"].notna().all()
    assert (a["minutes"] - b["minutes"]).abs().max() == pytest.approx(0.0, abs=0.051)
    for o, d in (("Hangzhou East", "Shaoxing North"), ("Wulin Square", "Hangzhou East"),
                 ("Huzhou", "Jiaxing")):
        assert Network(back, year=2025).travel_time(o, d).minutes == pytest.approx(
            Network(real_layers, year=2025).travel_time(o, d).minutes, abs=0.051)


def test_small_feed_joins_and_adds_stops(real_layers):
    out = import_gtfs(real_layers, SMALL)
    assert len(real_layers.services) + 1 == len(out.services)  # reverse pattern merged
    svc = out.services.iloc[-1]
    assert svc["headway_minutes"] == pytest.approx(15.0)  # 8 departures 07:00-08:45
    stops = out.service_stops[out.service_stops["service_id"] == svc["id"]].sort_values("seq")
    assert stops["station_id"].iloc[0] == "hangzhou_east"  # 55 m away: joined
    assert stops["run_minutes"].tolist()[1:] == [10.0, 8.0]
    assert stops["dwell_minutes"].tolist()[1] == 1.0
    new = out.stations[out.stations["id"].str.startswith("gtfs_small_bus")]
    assert sorted(new["name"]) == ["Fixture Stop B", "Fixture Stop C"]
    assert len(real_layers.stations) + 2 == len(out.stations)
    assert "gtfs_small_bus_b" not in set(real_layers.stations["id"])  # input unchanged
    assert check_layers(out) == []  # the new layers pass the layer checks
    # Hangzhou East -> B: half the 15-min headway, then 10 min riding
    j = Network(out, year=2025).travel_time("Hangzhou East", "Fixture Stop B")
    assert j.minutes == pytest.approx(7.5 + 10.0)
    assert j.legs[-1].service_name == "Fixture bus R1"


def test_window_changes_the_headway(real_layers):
    out = import_gtfs(real_layers, SMALL, window="09:30-11:00")  # the single 10:00 trip
    assert out.services.iloc[-1]["headway_minutes"] == pytest.approx(90.0)
    with pytest.raises(InputError, match="no departure in the window"):
        import_gtfs(real_layers, SMALL, window="12:00-13:00")


def _broken(tmp_path, name, edit):
    d = tmp_path / "feed"
    shutil.copytree(SMALL, d)
    edit(d / name)
    return d


@pytest.mark.parametrize(("name", "edit", "match"), [
    ("stops.txt", lambda p: p.unlink(), "stops.txt is missing"),
    ("stops.txt", lambda p: p.write_text("stop_id,stop_name\nA,x\n"), "lacks column"),
    ("stop_times.txt", lambda p: p.write_text(p.read_text().replace(",C,3", ",Z,3")),
     "stop 'Z', not in stops.txt"),
    ("stop_times.txt", lambda p: p.write_text(p.read_text().replace("07:10:00", "7h10")),
     "not HH:MM:SS"),
    ("calendar.txt", lambda p: p.unlink(), "neither calendar.txt"),
    ("stop_times.txt", lambda p: p.write_text(p.read_text().replace("f0,07:10:00,07:11:00", "f0,,")),
     "no time at stop_sequence 2"),
    ("routes.txt", lambda p: p.write_text("route_id,route_type\nR1,bus\n"), "route_type 'bus'"),
])
def test_broken_feeds_give_one_line_errors(tmp_path, real_layers, name, edit, match):
    feed = _broken(tmp_path, name, edit)
    with pytest.raises(InputError, match=match) as e:
        import_gtfs(real_layers, feed)
    assert "\n" not in str(e.value)


def test_not_a_zip(tmp_path, real_layers):
    bad = tmp_path / "feed.zip"
    bad.write_text("not a zip")
    with pytest.raises(InputError, match="not a zip"):
        import_gtfs(real_layers, bad)


def test_cli_export_validate_and_import(tmp_path):
    feed = tmp_path / "rail.zip"
    run = [sys.executable, "-m", "network"]
    r = subprocess.run([*run, "gtfs", "export", "-o", str(feed), "--validate"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "gtfs-kit validation: 0 error(s)" in r.stdout
    with zipfile.ZipFile(feed) as z:
        assert "frequencies.txt" in z.namelist()
    r = subprocess.run([*run, "travel-time", "Hangzhou East", "Fixture Stop C", "--year", "2025",
                        "--gtfs", str(SMALL), "--json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Fixture bus R1" in r.stdout
    r = subprocess.run([*run, "travel-time", "Hangzhou East", "Hangzhou", "--gtfs", str(tmp_path / "no.zip")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "not found" in r.stderr


def test_frequencies_expand_departures(tmp_path, real_layers):
    d = tmp_path / "freq"
    shutil.copytree(SMALL, d)
    st = pd.read_csv(d / "stop_times.txt", dtype=str)
    st[st["trip_id"].isin(["f0", "r0"])].to_csv(d / "stop_times.txt", index=False)
    tr = pd.read_csv(d / "trips.txt", dtype=str)
    tr[tr["trip_id"].isin(["f0", "r0"])].to_csv(d / "trips.txt", index=False)
    (d / "frequencies.txt").write_text("trip_id,start_time,end_time,headway_secs\n"
                                       "f0,07:00:00,09:00:00,600\nr0,07:00:00,09:00:00,600\n")
    out = import_gtfs(real_layers, d)
    assert out.services.iloc[-1]["headway_minutes"] == pytest.approx(10.0)
