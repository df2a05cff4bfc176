"""Conventional lines made routable (issue 13 item 3): the Xuancheng–Hangzhou railway K trains.

The service ``conv_xuancheng_hangzhou_local`` rests on the 2021-01 station timetables of 宣城
and 杭州 (thaddywu/RailwayVIS) split by the official km posts of 宣杭线 (data.h); see
docs/research/conventional.md. The derivation itself is tested offline on a synthetic timetable.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from network import Network
from network.coords import to_wgs84
from network.geo import haversine_km
from network.years import FIRST_YEAR
from tests.helpers import load_script

SERVICE = "conv_xuancheng_hangzhou_local"


@pytest.fixture(scope="module")
def dt():
    return load_script("derive_timetables")


@pytest.fixture(scope="module")
def net_first(real_layers):
    return Network(real_layers, year=FIRST_YEAR, modes="rail")


@pytest.fixture(scope="module")
def net_2026(real_layers):
    return Network(real_layers, year=2026, modes="rail")


def _stops(real_layers):
    s = real_layers.service_stops
    return s[s["service_id"] == SERVICE].sort_values("seq")


def _rides(j) -> set[str]:
    return {leg.service for leg in j.legs if leg.kind == "ride"}


def test_service_calls_at_the_established_stops_and_passes_huzhou(real_layers):
    stops = _stops(real_layers)
    assert list(stops["station_id"]) == ["xuancheng", "guangde", "changxing_south", "deqing_west",
                                         "hangzhou"]
    # Huzhou's Xuancheng–Hangzhou platforms take no passengers: on the line, not a stop
    line = real_layers.lines.set_index("id").loc["conv_xuancheng_hangzhou", "station_ids"]
    assert "huzhou" in line.split(";") and "deqing_west" in line.split(";")
    later = stops[stops["seq"] > 1]
    assert set(later["provenance"]) == {"derived"} and set(later["vintage"]) == {"2021-01"}


@pytest.mark.parametrize("year", [FIRST_YEAR, 2026])
@pytest.mark.parametrize(("origin", "dest"), [("changxing_south", "hangzhou"),
                                              ("deqing_west", "hangzhou"),
                                              ("xuancheng", "changxing_south")])
def test_routable_from_the_first_modelled_year(real_layers, net_first, net_2026, year, origin,
                                               dest):
    # the line carried passenger trains long before 2010 (whole line 1988), so every modelled year
    net = net_first if year == FIRST_YEAR else net_2026
    j = net.travel_time(origin, dest)
    assert SERVICE in _rides(j)
    assert j.in_vehicle_minutes > 0


def test_end_to_end_is_the_median_timetable_train(real_layers):
    # the hops plus the recorded dwells reproduce T_slow, the median 宣城–杭州 K/T/Z train of the
    # 2021-01 timetable named in the rows' source (a check that the split adds up)
    stops = _stops(real_layers)
    median = {int(m) for m in stops["source"].str.extract(r"median (\d+) min")[0].dropna()}
    fastest = {int(m) for m in stops["source"].str.extract(r"fastest (\d+) min")[0].dropna()}
    assert len(median) == 1 and len(fastest) == 1
    run = stops["run_minutes"].fillna(0).astype(float).sum()
    dwell = stops["dwell_minutes"].iloc[1:-1].fillna(0).astype(float).sum()
    assert run + dwell == pytest.approx(median.pop(), abs=1.0)
    assert run > fastest.pop() - dwell  # never faster than the fastest train


def test_xuancheng_is_open_before_the_hsr(net_first):
    # the conventional station opened in 1975; the HSR (2020) does not decide when it exists
    assert "xuancheng" in net_first.G
    j = net_first.travel_time("xuancheng", "hangzhou")
    assert _rides(j) == {SERVICE}
    assert 150 <= j.in_vehicle_minutes <= 175  # 2021-01: fastest 142, median 162 min


def test_deqing_west_coordinate_is_the_converted_gcj02_point(real_layers):
    # layers/src keeps the GCJ-02 value of the heywhale table; the built layer is WGS-84 and
    # lands within 0.1 km of the WGS-84 column the same table gives (119.953559, 30.537951)
    st = real_layers.stations.set_index("id").loc["deqing_west"]
    assert haversine_km(st["lon"], st["lat"], 119.953559, 30.537951) < 0.1
    lon, lat = to_wgs84(119.958167, 30.535432, "gcj02")
    assert haversine_km(st["lon"], st["lat"], lon, lat) < 0.01


def test_conv_km_method_splits_the_median_train_by_official_km(dt, monkeypatch):
    # A(km 0) - X(km 30, a stop) - P(km 50, passed: not a stop) - B(km 90). K/T trains of 60, 66,
    # 70, 72 and 80 min and a G train of 40 (not counted). Median 70: loss = (70-60)/1 - 2 = 8
    def train(a, b, typ="快速"):
        return {"A": (None, a, typ), "B": (b, None, typ)}

    trains = {"K1": train(600, 660), "K2": train(700, 766), "K3": train(800, 870),
              "T1": train(900, 972, "特快"), "K4": train(1000, 1080), "G1": train(610, 650, "高速动车")}
    km_lines = {"L": [(0, "A"), (30, "X"), (50, "P"), (90, "B")]}
    monkeypatch.setattr(dt, "CONV_KM_ROUTES", {"s": ([("L", "A", "B")], 10)})
    rows = [{"service_id": "s", "seq": str(k + 1), "station_id": sid, "dwell_minutes": d,
             "run_minutes": "", "provenance": "", "source": "", "vintage": "", "estimate": "1"}
            for k, (sid, d) in enumerate([("a", ""), ("x", "2"), ("b", "")])]
    zh = {"a": "A", "x": "X", "b": "B"}
    counts: Counter = Counter()
    dt._run_conv_km(rows, {"s": [0, 1, 2]}, zh, km_lines, trains, {"A", "B"}, counts)
    run1, run2 = float(rows[1]["run_minutes"]), float(rows[2]["run_minutes"])
    assert run1 == pytest.approx(60 * 30 / 90 + 8 / 2, abs=0.25)
    assert run2 == pytest.approx(60 * 60 / 90 + 8 / 2, abs=0.25)
    assert run1 + run2 + 2 == pytest.approx(70, abs=0.5)
    assert counts["rail derived"] == 2
    for r in rows[1:]:
        assert r["provenance"] == "derived" and r["vintage"] == "2021-01" and r["estimate"] == "0"
        assert re.search(r"median 70 min of all 5 K/T/Z trains, 1 intermediate stop", r["source"])
        assert "plausible range ±10 min" in r["source"]
