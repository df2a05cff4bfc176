"""The arithmetic of layers/scripts/derive_timetables.py on synthetic timetables (offline)."""

from __future__ import annotations

import pytest

from tests.helpers import load_script


@pytest.fixture(scope="module")
def dt():
    return load_script("derive_timetables")


def _train(calls: dict[str, tuple[int | None, int | None]], typ: str = "高速动车") -> dict:
    return {st: (a, d, typ) for st, (a, d) in calls.items()}


@pytest.fixture
def trains():
    # A(km 0) - X(km 30) - B(km 90): five non-stop trains of 30 min, one stopping train of 37,
    # trains of 45 and 90 min (more than 8 min a stop slower: another route or held; left out)
    t = {f"G{i}": _train({"A": (None, 600 + 10 * i), "B": (630 + 10 * i, None)}) for i in range(5)}
    t["G9"] = _train({"A": (None, 700), "B": (737, None)})
    t["G8"] = _train({"A": (None, 750), "B": (795, None)})
    t["K1"] = _train({"A": (None, 800), "B": (890, None)}, typ="快速")
    return t


def test_route_km_chains_pieces_and_drops_junctions(dt):
    km = {"L1": [(0, "A"), (10, "J所"), (30, "X")], "L2": [(100, "X"), (160, "B")]}
    assert dt.route_km([("L1", "A", "X"), ("L2", "X", "B")], km) == [(0, "A"), (30, "X"), (90, "B")]


def test_pair_times_both_directions_and_types(dt, trains):
    assert [t for t, _ in dt.pair_times(trains, "A", "B", None)] == [30] * 5 + [37, 45, 90]
    assert [t for t, _ in dt.pair_times(trains, "A", "B", dt.HSR_TYPES)] == [30] * 5 + [37, 45]
    back = {"G7": _train({"B": (None, 900), "A": (925, None)})}
    assert [t for t, _ in dt.pair_times(back, "A", "B", None)] == [25]


def test_stopping_service_split_by_km_adds_up_to_the_slow_train(dt, trains):
    zh = {"a": "A", "x": "X", "b": "B"}
    stops = [{"station_id": "a", "dwell_minutes": ""}, {"station_id": "x", "dwell_minutes": "2"},
             {"station_id": "b", "dwell_minutes": ""}]
    route = [(0, "A"), (30, "X"), (90, "B")]
    out = dt.derive_sections("s", stops, zh, route, trains, {"A", "B"}, None, "all")
    run1, run2 = (float(out[k][0]) for k in (1, 2))
    assert {out[1][1], out[2][1]} == {"derived"}
    # fastest 30 split 1:2 by km, plus half the stop loss (37-30)/1 - 2 = 5 on each side of X
    assert run1 == pytest.approx(30 * 30 / 90 + 2.5, abs=0.25)
    assert run2 == pytest.approx(30 * 60 / 90 + 2.5, abs=0.25)
    assert run1 + run2 + 2 == pytest.approx(37, abs=0.5)  # the 45 and 90-min trains left out


def test_hop_between_timetable_stations_is_the_most_common_time(dt, trains):
    zh = {"a": "A", "b": "B"}
    stops = [{"station_id": "a", "dwell_minutes": ""}, {"station_id": "b", "dwell_minutes": ""}]
    out = dt.derive_sections("s", stops, zh, [(0, "A"), (90, "B")], trains, {"A", "B"},
                             dt.HSR_TYPES, "G/D/C")
    assert out[1][:2] == ("30", "timetable")


def test_conventional_typical_uses_the_median_of_all_k_t_z_trains(dt, trains):
    # typical=True (conventional services): no train is left out and T_slow is the median of the
    # K/T/Z trains; the G trains are not counted
    zh = {"a": "A", "x": "X", "b": "B"}
    stops = [{"station_id": "a", "dwell_minutes": ""}, {"station_id": "x", "dwell_minutes": "2"},
             {"station_id": "b", "dwell_minutes": ""}]
    route = [(0, "A"), (30, "X"), (90, "B")]
    k_only = {k: v for k, v in trains.items() if k == "K1"} | {
        "T1": _train({"A": (None, 900), "B": (960, None)}, typ="特快"),
        "T2": _train({"A": (None, 1000), "B": (1070, None)}, typ="特快"),
        "T3": _train({"A": (None, 1100), "B": (1165, None)}, typ="特快"),
        "Z1": _train({"A": (None, 1200), "B": (1280, None)}, typ="直达特快")}
    out = dt.derive_sections("s", stops, zh, route, k_only, {"A", "B"}, dt.CONV_TYPES, "K/T/Z",
                             "proxy km", "src", typical=True)
    run1, run2 = (float(out[k][0]) for k in (1, 2))
    assert run1 + run2 + 2 == pytest.approx(70, abs=0.5)  # median of 60, 65, 70, 80, 90
    assert "median 70 min of all 5 K/T/Z trains" in out[1][2] and "proxy km" in out[1][2]
    assert run1 == pytest.approx(60 * 30 / 90 + (70 - 60 - 2) / 2, abs=0.25)


def test_sparse_line_needs_its_own_minimum_and_states_the_wider_range(dt):
    # two trains only (as T151/T152 on the Anhui–Jiangxi railway): the default minimum of
    # MIN_TRAINS leaves the hops alone; min_trains=2 splits the fastest train by km
    zh = {"a": "A", "x": "X", "b": "B"}
    stops = [{"station_id": "a", "dwell_minutes": ""}, {"station_id": "x", "dwell_minutes": "2"},
             {"station_id": "b", "dwell_minutes": ""}]
    route = [(0, "A"), (40, "X"), (100, "B")]
    two = {"T1": _train({"A": (None, 600), "B": (720, None)}, typ="特快"),
           "T2": _train({"B": (None, 900), "A": (1023, None)}, typ="特快")}
    assert dt.MIN_TRAINS > 2
    assert dt.derive_sections("s", stops, zh, route, two, {"A", "B"}, None, "all") == {}
    out = dt.derive_sections("s", stops, zh, route, two, {"A", "B"}, None, "all",
                             min_trains=2, plausible=15)
    run1, run2 = (float(out[k][0]) for k in (1, 2))
    # fastest 120 min split 40:60; the 123-min train costs (123-120)/1 - 2 = 1 min at X
    assert run1 == pytest.approx(120 * 40 / 100 + 0.5, abs=0.25)
    assert run2 == pytest.approx(120 * 60 / 100 + 0.5, abs=0.25)
    assert out[1][1] == "derived" and "plausible range ±15 min" in out[1][2]


def test_extra_km_posts_extend_a_data_h_line(dt, monkeypatch):
    # a synthetic data.h: 皖赣线 ends at 贵溪 (km 550); EXTRA_KM_POSTS adds 鹰潭 at 570 with
    # its source, sorted by km, and only where the station is not in data.h already
    data_h = ('station STATION[] = {{"芜湖","WHH",1,1},{"贵溪","GXG",1,1}};\n'
              'stationlist line7[] = {{0,1},{550,2}};\n'
              'line LINES[] = {{"皖赣线", "x", line7, 2}};\n').encode("gb18030")
    monkeypatch.setattr(dt, "git_show", lambda gitdir, path: data_h)
    assert dt.load_km_posts("unused")["皖赣线"] == [(0, "芜湖"), (550, "贵溪"), (570, "鹰潭")]
    for _line, _km, _station, src in dt.EXTRA_KM_POSTS:
        assert "http" in src


def test_official_split_shares_the_published_time_by_km(dt):
    # A(0) - X(30) - Y(40) - B(90), 92 min A–B published with the stops; the recorded dwells
    # (1 + 1) come off first, the remaining 90 min are shared 30:10:50 by km; only the hops
    # arriving at the named seqs are returned (the last one rests on another source)
    zh = {"a": "A", "x": "X", "y": "Y", "b": "B"}
    stops = [{"station_id": s, "seq": str(i + 1), "dwell_minutes": d}
             for i, (s, d) in enumerate([("a", ""), ("x", "1"), ("y", "1"), ("b", "")])]
    route = [(0, "A"), (30, "X"), (40, "Y"), (90, "B")]
    spec = {"minutes": 92, "seqs": (2, 3), "plausible": 5, "vintage": "2023-08",
            "source": "src-of-time"}
    out = dt.derive_official_split(stops, zh, route, spec, "src-of-km")
    assert set(out) == {1, 2}
    assert [float(out[k][0]) for k in (1, 2)] == [30.0, 10.0]
    assert {out[k][1] for k in out} == {"derived"}
    assert "src-of-time" in out[1][2] and "src-of-km" in out[1][2] and "±5 min" in out[1][2]
    # all hops: they add up to the published time with the dwells
    out = dt.derive_official_split(stops, zh, route, spec | {"seqs": (2, 3, 4)}, "k")
    assert sum(float(v[0]) for v in out.values()) + 2 == pytest.approx(92)
    # a stop off the km-post route, or ends that are not the published ones: nothing
    assert dt.derive_official_split(stops, zh | {"y": "Z"}, route, spec, "k") == {}
    assert dt.derive_official_split(stops[:3], zh, route, spec, "k") == {}


def test_s_train_hops_in_the_layers_follow_the_official_split(dt):
    # the rows written by the script: 120 min Hangzhou South–Ningbo, official fare km (data.h
    # 杭甬线: 杭州南 27, 绍兴 63, 宁波 171; 迪荡 68.7 from EXTRA_KM_POSTS), dwells 4 × 0.5
    import csv

    spec = dt.OFFICIAL_SPLITS["conv_xiaoshan_ningbo_intercity"]
    didang = [km for line, km, st, _ in dt.EXTRA_KM_POSTS if (line, st) == ("杭甬线", "迪荡")]
    assert didang == [68.7]
    with open(dt.STOPS, encoding="utf-8", newline="") as f:
        rows = {int(r["seq"]): r for r in csv.DictReader(f)
                if r["service_id"] == "conv_xiaoshan_ningbo_intercity"}
    rate = (spec["minutes"] - sum(float(rows[s]["dwell_minutes"]) for s in (2, 3, 4, 5))) / 144
    for seq, km in ((2, 63 - 27), (3, 68.7 - 63)):
        assert rows[seq]["provenance"] == "derived" and rows[seq]["vintage"] == spec["vintage"]
        assert float(rows[seq]["run_minutes"]) == pytest.approx(rate * km, abs=0.25)
