"""Headways from train counts (layers/scripts/derive_timetables.py, ``HEADWAY_COUNTS``).

The counting and the headway arithmetic on synthetic station timetables, and the consistency of
the counted headways written to layers/services.csv (offline: no third-party checkout needed).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from tests.helpers import load_script

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dt():
    return load_script("derive_timetables")


def _t(calls: dict[str, tuple[int | None, int | None]], typ: str = "高速动车") -> dict:
    return {st: (a, d, typ) for st, (a, d) in calls.items()}


def _ab(dep: int, minutes: int, typ: str = "高速动车") -> dict:
    return _t({"A": (None, dep), "B": (dep + minutes, None)}, typ)


def _ba(dep: int, minutes: int, typ: str = "高速动车") -> dict:
    return _t({"B": (None, dep), "A": (dep + minutes, None)}, typ)


def test_direction_runs_directions_departures_and_types(dt):
    trains = {"G1": _ab(7 * 60, 30), "G2": _ba(8 * 60, 32), "K1": _ab(9 * 60, 80, "快速"),
              "G3": _t({"A": (None, 600)})}  # never reaches B: not counted
    runs = dt.direction_runs(trains, ("A",), ("B",), dt.HSR_TYPES)
    assert runs == [(0, 420, 30, "G1"), (1, 480, 32, "G2")]
    assert len(dt.direction_runs(trains, ("A",), ("B",), None)) == 3


def test_direction_runs_counts_a_train_once_over_alternative_stations(dt):
    # a K train calling at both A and A2 (two stations of one city) and at B is one train
    k = _t({"A": (None, 600), "A2": (620, 625), "B": (700, None)}, "快速")
    runs = dt.direction_runs({"K1": k}, ("A", "A2"), ("B",), dt.CONV_TYPES)
    assert [(d, no) for d, _dep, _m, no in runs] == [(0, "K1")]


def test_select_kind_partitions_the_on_route_trains(dt):
    runs = sorted([(0, 400 + i, m, f"G{i}") for i, m in enumerate([30, 31, 33, 40, 45, 50, 70])],
                  key=lambda r: (r[2], r[1]))
    fast = dt.select_kind(runs, "fast")
    assert [r[2] for r in fast] == [30, 31]
    # the service's own time in the layers widens the fast pattern: up to 33 + 2
    assert [r[2] for r in dt.select_kind(runs, "fast", 33)] == [30, 31, 33]
    stopping = dt.select_kind(runs, "stopping")
    assert [r[2] for r in stopping] == [33, 40, 45, 50]  # 70 > 2 x 30: another route
    allr = dt.select_kind(runs, "all")
    fh, sh = dt.select_kind(runs, "faster_half"), dt.select_kind(runs, "slower_half")
    assert fh + sh == allr and len(fh) == len(allr) // 2
    assert max(r[2] for r in fh) <= min(r[2] for r in sh)
    assert [r[3] for r in dt.select_kind(runs, "train:G3,G9")] == ["G3"]


def test_headway_at_the_peak_is_60_over_trains_per_hour(dt):
    # 6 departures 07:00-09:00 one way, 4 the other: 5 per 2 h per direction = 2.5 an hour
    runs = [(0, 420 + 20 * i, 30, f"G{i}") for i in range(6)]
    runs += [(1, 430 + 30 * i, 30, f"H{i}") for i in range(4)]
    runs += [(0, 1000, 30, "G99")]  # outside the window: not a peak train
    hw, how = dt.headway_from_runs(runs, runs)
    assert hw == 24 and "peak" in how


def test_headway_off_peak_is_the_operating_day_over_the_trains(dt):
    # one train each way at the peak (too few): the line runs 06:00-22:00 both ways
    line = [(0, 360, 30, "L0"), (0, 1320, 30, "L1"), (1, 360, 30, "M0"), (1, 1320, 30, "M1")]
    runs = [(0, 450, 30, "G1"), (0, 900, 30, "G2"), (1, 480, 30, "H1"), (1, 1000, 30, "H2")]
    hw, how = dt.headway_from_runs(runs, line + runs)
    assert hw == round(2 * 960 / 4) and "operating day" in how
    # a train a day each way on a line with nothing else: one a day
    one = [(0, 600, 200, "T1"), (1, 800, 200, "T2")]
    assert dt.headway_from_runs(one, one)[0] == 1440
    assert dt.headway_from_runs([], line) is None


def test_derive_headway_counts_end_to_end(dt, monkeypatch):
    trains = {f"G{i}": _t({"P": (None, 420 + 15 * i), "Q": (460 + 15 * i, None)}) for i in range(8)}
    trains |= {f"H{i}": _t({"Q": (None, 425 + 15 * i), "P": (465 + 15 * i, None)}) for i in range(8)}
    monkeypatch.setattr(dt, "HEADWAY_COUNTS",
                        {"s": (("P",), ("Q",), dt.HSR_TYPES, "all", "test trains")})
    out = dt.derive_headway_counts(trains)
    hw, basis = out["s"]
    assert hw == "15" and basis.startswith("DERIVED 2021-01") and "-> 15 min" in basis


def _services() -> list[dict]:
    with open(ROOT / "layers" / "services.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_counted_headways_in_services_csv_are_consistent(dt):
    rows = {r["id"]: r for r in _services()}
    counted = [r for r in rows.values() if "train counts in the station timetables" in r["headway_basis"]]
    assert {r["id"] for r in counted} == set(dt.HEADWAY_COUNTS)
    for r in counted:
        basis = r["headway_basis"]
        assert basis.startswith("DERIVED 2021-01"), r["id"]
        # the value is the one the basis computes
        assert re.search(r"-> (\d+) min", basis).group(1) == r["headway_minutes"], r["id"]
        # a 2021-01 count only for services that ran in 2021-01
        assert int(r["opened"]) <= 2021 and not r.get("closed"), r["id"]
        assert r["class"] in ("hsr", "conventional"), r["id"]


def test_a_train_a_day_is_one_scheduled_trip_in_the_gtfs_export(real_layers):
    # counted headways can exceed gtfs_kit's int16 headway_secs (9.1 h): such a service is
    # exported as one scheduled trip each way, every other service keeps its frequency
    from network.gtfs.export import MAX_HEADWAY_SECS, feed_tables

    t = feed_tables(real_layers, year=2025)
    trips = set(t["trips.txt"]["trip_id"])
    freq = t["frequencies.txt"].set_index("trip_id")["headway_secs"]
    hw = real_layers.services.set_index("id")["headway_minutes"]
    long_ = {s for s in hw.index if hw[s] * 60 >= MAX_HEADWAY_SECS}
    assert long_, "the shipped layers have a service of a train a day or fewer"
    for trip in trips:
        sid = trip.rsplit(":", 1)[0]
        if sid in long_:
            assert trip not in freq.index
        else:
            assert freq[trip] == round(hw[sid] * 60)
    assert int(freq.max()) < MAX_HEADWAY_SECS
