"""Hand-computed answers on the tiny fixture (tests/data/tiny).

Fixture: stations a(120.0,30.0) b(120.5,30.0) c(121.0,30.0) hsr, d(120.5,30.05) intercity
opened 2020. s1 a-b-c, headway 20, runs 20 + 20, dwell 2 at b. s2 b-d from 2020, headway 10,
run 10. Zones One at a, Two at c, Three at d. Road r1 (120.0,30.01) - r2 (121.0,30.01), 100 km
at 120 km/h.

Hand arithmetic with the default settings:
- entry at an hsr station 10, exit 4; intercity exit 2; hsr transfer 8.
- wait s1 = 20/2 = 10; wait s2 = 10/2 = 5.
- b -> Three: 0.05 deg of latitude = 6371.0088 * 0.05 * pi/180 = 5.559746 km; x1.3 = 7.227670
  km > 1.5 km walk limit, so local transit: 5 + 7.227670/18*60 = 29.092233 min.
- car One -> r1: 0.01 deg = 1.111949 km; x1.3 / 35 km/h = 2.478058 min, + 3 terminal.
- expressway: 100 km / (120 * 0.85) * 60 = 58.823529 min.
"""

from __future__ import annotations

import pytest

from network import InputError, Network, UnknownPlaceError, build, load_layers
from tests.conftest import TINY
from tests.helpers import service, station, stops, write_layers, zone


def test_rail_through_service_with_dwell(tiny_layers):
    j = Network(tiny_layers, year=2015, modes="rail").travel_time("One", "Two")
    # entry 10 + wait 10 + ride 20 + dwell 2 + ride 20 + exit 4
    assert j.minutes == pytest.approx(66.0)
    assert j.in_vehicle_minutes == pytest.approx(42.0)
    kinds = [leg.kind for leg in j.legs]
    assert kinds == ["access", "wait", "ride", "egress"]
    assert sum(leg.minutes for leg in j.legs) == pytest.approx(j.minutes)


def test_year_filter_opens_the_branch(tiny_layers):
    before = Network(tiny_layers, year=2015, modes="rail").travel_time("One", "Three")
    after = Network(tiny_layers, year=2020, modes="rail").travel_time("One", "Three")
    # 2015: 10 + 10 + 20 + exit 4 + local transit 29.092233
    assert before.minutes == pytest.approx(73.092233, abs=1e-4)
    # 2020: 10 + 10 + 20 + transfer 8 + wait 5 + ride 10 + exit 2 (walk 0)
    assert after.minutes == pytest.approx(65.0)
    assert [leg.kind for leg in after.legs] == [
        "access", "wait", "ride", "transfer", "wait", "ride", "egress"]
    rides = [leg for leg in after.legs if leg.kind == "ride"]
    assert [(r.from_, r.to) for r in rides] == [("a", "b"), ("b", "d")]


def test_station_not_open_is_not_in_graph(tiny_layers):
    assert "d" not in build(tiny_layers, year=2015, modes="rail")
    assert "d" in build(tiny_layers, year=2020, modes="rail")


def test_road_mode_uses_expressway(tiny_layers):
    j = Network(tiny_layers, year=2015, modes="road").travel_time("One", "Two")
    assert j.minutes == pytest.approx(2 * (3 + 2.478058) + 58.823529, abs=1e-4)
    assert {leg.mode for leg in j.legs} == {"car", "expressway"}


def test_mode_filter_keeps_modes_apart(tiny_layers):
    rail = build(tiny_layers, year=2020, modes="rail")
    road = build(tiny_layers, year=2020, modes="road")
    rail_modes = {d["mode"] for _, _, d in rail.edges(data=True)}
    road_modes = {d["mode"] for _, _, d in road.edges(data=True)}
    assert "expressway" not in rail_modes and "car" not in rail_modes
    assert "rail" not in road_modes and "wait" not in road_modes


def test_any_is_the_best_of_both(tiny_layers):
    rail = Network(tiny_layers, year=2015, modes="rail").travel_time("One", "Two").minutes
    road = Network(tiny_layers, year=2015, modes="road").travel_time("One", "Two").minutes
    both = Network(tiny_layers, year=2015, modes="any").travel_time("One", "Two").minutes
    assert both == pytest.approx(min(rail, road))


def test_station_to_station_has_no_entry_or_exit(tiny_layers):
    j = Network(tiny_layers, year=2015, modes="rail").travel_time("a", "c")
    assert j.minutes == pytest.approx(10 + 42)  # wait + ride incl. dwell


def test_wait_is_capped(tmp_path):
    folder = write_layers(
        tmp_path / "l",
        stations=[station("p", 120.0, 30.0), station("q", 120.3, 30.0)],
        services=[service("slow", headway=120)],
        stops=stops("slow", ["p", "q"], [30]),
        zones=[zone("1", 120.0, 30.0), zone("2", 120.3, 30.0)],
    )
    j = Network(load_layers(folder), year=2020, modes="rail").travel_time("p", "q")
    assert j.minutes == pytest.approx(15 + 30)  # wait capped at 15, not 60


def test_interchange_between_stations(tmp_path):
    folder = write_layers(
        tmp_path / "l",
        stations=[station("p", 120.0, 30.0), station("q", 120.3, 30.0),
                  station("m", 120.301, 30.0, kind="metro"), station("n", 120.4, 30.0, kind="metro")],
        services=[service("hs", headway=20), service("mt", headway=6, klass="metro")],
        stops=stops("hs", ["p", "q"], [15]) + stops("mt", ["m", "n"], [9]),
        zones=[zone("1", 120.0, 30.0), zone("2", 120.4, 30.0)],
        interchanges=[{"from_station": "q", "to_station": "m", "walk_minutes": 6,
                       "same_complex": 1, "source": "test"}],
    )
    net = Network(load_layers(folder), year=2020, modes="rail")
    j = net.travel_time("p", "n")
    # wait 10 + ride 15 + walk 6 + metro entry 3 + wait 3 + ride 9
    assert j.minutes == pytest.approx(46.0)
    assert [leg.kind for leg in j.legs] == ["wait", "ride", "transfer", "wait", "ride"]
    # starting at q, the metro station of the same complex is one walk away: 6 + 3 + 3 + 9
    j = net.travel_time("q", "n")
    assert j.minutes == pytest.approx(21.0)
    assert [leg.kind for leg in j.legs] == ["access", "wait", "ride"]
    # ending at q from n: ride 9 after a 3-minute wait, then the walk of 6 (no entry)
    assert net.travel_time("n", "q").minutes == pytest.approx(3 + 9 + 6)


def test_unreachable_pair_is_reported(tmp_path):
    from network import UnreachableError

    folder = write_layers(
        tmp_path / "l",
        stations=[station("p", 120.0, 30.0), station("q", 120.3, 30.0)],
        services=[service("s", headway=20)],
        stops=stops("s", ["p", "q"], [15]),
        zones=[zone("1", 120.0, 30.0), zone("2", 121.0, 30.0)],
    )
    # no road nodes and the seats are 96 km apart (beyond the local-road radius)
    with pytest.raises(UnreachableError, match="no path from"):
        Network(load_layers(folder), year=2020, modes="road").travel_time("Z1", "Z2")


def test_names_resolve(tiny_layers):
    net = Network(tiny_layers, year=2020, modes="any")
    assert net.resolve("Bravo").origin == "b"
    assert net.resolve("乙站").origin == "b"
    assert net.resolve("Old Alpha").origin == "a"  # former name
    assert net.resolve("二县").origin == "zone:100002"
    assert net.resolve("Testcity").origin == "zone:100001"  # city -> its core zone
    assert net.resolve("120.2,30.1").kind == "point"


def test_unknown_place_lists_closest(tiny_layers):
    with pytest.raises(UnknownPlaceError, match="Bravo"):
        Network(tiny_layers, year=2020, modes="any").travel_time("Bravoo", "One")


def test_same_place_is_an_error(tiny_layers):
    with pytest.raises(InputError, match="same place"):
        Network(tiny_layers, year=2020, modes="any").travel_time("One", "一区")


def test_point_outside_region(tiny_layers):
    with pytest.raises(UnknownPlaceError, match="outside"):
        Network(tiny_layers, year=2020, modes="any").travel_time("116.4,39.9", "One")


def test_matrix_is_complete_and_consistent(tiny_layers):
    net = Network(tiny_layers, year=2020, modes="any")
    m = net.matrix(level="county")
    assert len(m) == 3 * 2
    one_two = m[(m.origin == "One") & (m.destination == "Two")]["minutes"].item()
    assert one_two == pytest.approx(round(net.travel_time("One", "Two").minutes, 1))
    cities = net.matrix(level="city")
    assert set(cities["origin"]) == {"Testcity", "Othercity"}


def test_build_is_pure(tiny_layers):
    before = tiny_layers.services.copy()
    build(tiny_layers, year=2020, modes="any")
    assert tiny_layers.services.equals(before)


def test_fixture_path_exists():
    assert (TINY / "stations.geojson").exists()
