"""Trips that start or end at a station reach it without a train when that is faster.

A station is two nodes: the departure side (boarding) and the arrival side (alighting). A trip
to a station used to end only on the arrival side, so from a town beside it the route rode a
train out and back (Huangshan core -> Huangshan North: to the station by road, a train to
Shexian North, a train back: 103.5 min); from a station the same held the other way.
"""

from __future__ import annotations

import pytest

from network import Network


@pytest.fixture(scope="module")
def net(real_layers):
    return Network(real_layers, year=2026, modes="rail")


def _connector(net, u, v, mode):
    return min(d["minutes"] for d in net.compiled.edge_data(u, v) if d["mode"] == mode)


def _rides(journey):
    return [leg for leg in journey.legs if leg.kind == "ride"]


def test_town_to_the_station_beside_it_is_the_connector_without_entry(net):
    zone = "zone:341002"  # Tunxi, Huangshan's core district
    j = net.travel_time(zone, "Huangshan North")
    assert not _rides(j)
    access = _connector(net, zone, "huangshan_north", "access")
    assert j.minutes == pytest.approx(access - net.assumptions.entry_minutes("hsr"))
    assert j.legs[-1].to_name == "Huangshan North"


def test_station_to_the_town_beside_it_is_the_connector_without_exit(net):
    zone = "zone:341002"
    j = net.travel_time("Huangshan North", zone)
    assert not _rides(j)
    egress = _connector(net, "huangshan_north|arr", zone, "egress")
    assert j.minutes == pytest.approx(egress - net.assumptions.exit_minutes("hsr"))


def test_a_point_reaches_and_leaves_a_station_directly(net):
    here = "118.3,29.8"
    to = net.travel_time(here, "Huangshan North")
    back = net.travel_time("Huangshan North", here)
    assert not _rides(to) and not _rides(back)
    assert 0 < to.minutes < 60 and back.minutes == pytest.approx(to.minutes, abs=1e-9)
    # the batched matrix agrees with the single queries, both ways
    m = net.times([here, "Huangshan North"], ["Huangshan North", here])
    assert m[0, 0] == pytest.approx(to.minutes) and m[1, 1] == pytest.approx(back.minutes)


def test_no_trip_between_towns_and_stations_rides_out_and_back(net):
    """No journey boards at its destination station or alights at its origin station."""
    # Tunxi, She, Tonglu, Deqing, Haining, Keqiao, Longyou, and the Huangshan city core point
    seats = ["zone:341002", "zone:341021", "zone:330122", "zone:330521", "zone:330481",
             "zone:330603", "zone:330825", "Huangshan"]
    stations = ["huangshan_north", "shexian_north", "tonglu_east", "haining_west",
                "shaoxing_north", "longyou_north"]
    checked = 0
    for s in seats:
        for st in stations:
            for a, b in ((s, st), (st, s)):
                j = net.travel_time(a, b)
                rides = _rides(j)
                boards = {leg.from_.removesuffix("|arr") for leg in j.legs if leg.kind == "wait"}
                alights = {leg.to.removesuffix("|arr") for leg in rides}
                if b == st:
                    assert st not in boards, (a, b, [x.as_dict() for x in j.legs])
                else:
                    assert st not in alights, (a, b, [x.as_dict() for x in j.legs])
                checked += 1
    assert checked == 2 * len(seats) * len(stations)


def test_matrix_to_stations_equals_single_queries(net):
    places = ["Huangshan", "Shexian North", "zone:330122", "Hangzhou East", "zone:330521"]
    m = net.times(places, places)
    for i, a in enumerate(places):
        for k, b in enumerate(places):
            if i != k:
                assert m[i, k] == pytest.approx(net.travel_time(a, b).minutes, abs=1e-6), (a, b)
