"""Readings of the one-hour circle, combined-frequency waits, uncertainty and sensitivity."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import Network
from network._errors import InputError
from network.graph import common_line_strategy
from network.readings import (
    INNER_RING,
    INNER_RING_SOURCE,
    READINGS,
    county_stations,
    evaluate,
    reading_names,
    verdict_table,
    write_scorecard,
)
from network.scorecard import scorecard
from network.uncertainty import _evaluator, sample, sensitivity
from tests.test_properties import networks

# ------------------------------------------------------------------------------ registry


def test_every_reading_quotes_its_source():
    assert set(READINGS) == {"station", "core", "county", "population", "province"}
    for r in READINGS.values():
        assert r.quote and r.measures and r.source
        assert "http" in r.source or "hangzhou.com.cn" in r.source
    assert len(INNER_RING) == 9 and "http" in INNER_RING_SOURCE


def test_unknown_reading_lists_the_valid_ones():
    assert reading_names("all") == list(READINGS)
    assert reading_names("county,station") == ["county", "station"]
    with pytest.raises(InputError, match="station, core, county"):
        reading_names("door")


# ------------------------------------------------------------------------------ common lines


def test_common_line_strategy_by_hand():
    # two equal services every 30 min: the first to come, every 15 min on average -> 7.5 min
    wait, ride, used = common_line_strategy([("a", 30, 20), ("b", 30, 20)], 15)
    assert (wait, ride, sorted(used)) == (7.5, 20.0, ["a", "b"])
    # a much slower service is not worth boarding: wait for the fast one (capped 15 + 20)
    wait, ride, used = common_line_strategy([("a", 30, 20), ("b", 30, 60)], 15)
    assert (wait, ride, used) == (15.0, 20.0, ["a"])
    # 20 and 60 min services, rides 17 and 18: f = 1/20 + 1/60 -> wait 7.5, ride 17.25
    wait, ride, used = common_line_strategy([("a", 20, 17), ("b", 60, 18)], 15)
    assert wait == pytest.approx(7.5) and ride == pytest.approx(17.25) and len(used) == 2


lines = st.lists(st.tuples(st.sampled_from("abcdefgh"), st.floats(2, 120), st.floats(1, 90)),
                 min_size=1, max_size=6, unique_by=lambda x: x[0])


@settings(max_examples=200, deadline=None)
@given(lines, st.tuples(st.just("z"), st.floats(2, 120), st.floats(1, 90)), st.floats(5, 30))
def test_adding_a_line_never_raises_the_common_line_cost(base, extra, cap):
    w0, r0, _ = common_line_strategy(base, cap)
    w1, r1, _ = common_line_strategy([*base, extra], cap)
    assert w1 + r1 <= w0 + r0 + 1e-9
    assert w1 <= cap + 1e-12
    # never worse than boarding any single line on its own
    assert w0 + r0 <= min(min(h / 2, cap) + r for _, h, r in base) + 1e-9


# ------------------------------------------------------------------------------ real layers


@pytest.fixture(scope="module")
def net2025(real_layers):
    return Network(real_layers, year=2025)


@pytest.fixture(scope="module")
def card2025(net2025):
    return scorecard(net2025)


@pytest.fixture(scope="module")
def readings2025(net2025, card2025):
    return evaluate(net2025, card=card2025)


def test_hangzhou_east_to_shaoxing_north_waits_at_most_8_min(net2025):
    j = net2025.travel_time("Hangzhou East", "Shaoxing North")
    waits = [leg.minutes for leg in j.legs if leg.kind == "wait"]
    assert len(waits) == 1 and waits[0] <= 8.0
    # one service at a time waits longer (13.5 min on the Hangzhou-Taizhou service)
    single = Network(net2025.layers, year=2025,
                     assumptions=net2025.assumptions.replace(common_lines=0))
    j1 = single.travel_time("Hangzhou East", "Shaoxing North")
    assert sum(leg.minutes for leg in j1.legs if leg.kind == "wait") > waits[0]
    assert j.minutes <= j1.minutes


def test_readings_agree_with_the_scorecard_and_each_other(readings2025, card2025, net2025):
    county = {v.id: v for v in readings2025.of("county", "county")}
    for z in card2025.zones:
        if z.kind == "county":
            assert county[z.id].met == z.within_hour
    # the station reading leaves out access, egress and the station process: never slower than
    # door to door, unless the door-to-door trip avoids the county's own stations (Xiuning: its
    # conventional station is slower than the road to Huangshan North and the HSR there)
    own = county_stations(net2025)
    for v in readings2025.of("station", "county"):
        door = county[v.id].minutes
        if v.minutes is not None and door is not None and v.minutes > door + 1e-9:
            for a, b in ((v.name, card2025.core_place), (card2025.core_place, v.name)):
                j = net2025.travel_time(a, b)
                rode = {s for leg in j.legs if leg.kind == "ride" for s in (leg.from_, leg.to)}
                assert not rode & set(own[v.id]), (v.name, v.minutes, door)
    # every reading answers for every city
    for r in READINGS:
        assert {v.city for v in readings2025.of(r, "city")} == set(card2025_cities(card2025))
    groups = readings2025.groups("county")
    assert sum(b for _, b in groups.values()) == len(county)


def card2025_cities(card):
    return {c.city for c in card.cities}


def test_verdict_table_and_outputs(readings2025, net2025, card2025, tmp_path):
    import geopandas as gpd
    import pandas as pd

    frame = verdict_table([readings2025])
    assert set(frame["reading"]) == set(READINGS)
    assert frame["inner_ring"].sum() > 0
    csv = write_scorecard([readings2025], tmp_path / "s.csv", nets={2025: net2025},
                          cards=[card2025])
    back = pd.read_csv(csv, comment="#")
    assert len(back) == len(frame) and {"minutes", "met", "legs", "source"} <= set(back.columns)
    gpkg = write_scorecard([readings2025], tmp_path / "s.gpkg", nets={2025: net2025},
                           cards=[card2025])
    g = gpd.read_file(gpkg)
    assert len(g) == len(frame) and g.crs.to_epsg() == 4326


@pytest.mark.slow
def test_a_new_line_never_worsens_a_verdict(real_layers, readings2025):
    from network.scenarios import Scenario, apply

    sc = Scenario("fast", [{"type": "add_line", "id": "x", "name": "x", "class": "hsr",
                            "stops": ["huzhou", "hangzhou_east", "shaoxing_north"],
                            "speed_kmh": 250, "headway_minutes": 10}])
    after = evaluate(Network(apply(real_layers, sc), year=2025))
    before = {(v.reading, v.level, v.id): v for v in readings2025.verdicts}
    changed = 0
    for v in after.verdicts:
        b = before[(v.reading, v.level, v.id)]
        if b.met:
            assert v.met, (v.reading, v.name)
        if b.minutes is not None and v.minutes is not None:
            assert v.minutes <= b.minutes + 0.1
            changed += v.minutes < b.minutes - 0.1
        if b.share is not None and v.share is not None and v.reading == "population":
            assert v.share >= b.share - 1e-9
    assert changed > 0  # the line does shorten trips


# ------------------------------------------------------------------------------ uncertainty


@pytest.mark.slow
def test_repricing_at_the_network_values_reproduces_the_scorecard(net2025, card2025):
    ev = _evaluator(net2025, card2025)
    minutes, pop = ev.run(net2025.assumptions)
    for z, m in zip(card2025.zones, minutes, strict=True):
        ref = None if z.minutes_to_core is None else max(z.minutes_to_core, z.minutes_from_core)
        assert (ref is None and not np.isfinite(m)) or abs(round(m, 1) - ref) < 0.06
    assert pop == pytest.approx(card2025.population_within_hour)
    # and a changed assumption matches a network built with it
    a = net2025.assumptions.replace(local_transit_speed_kmh=25, entry_hsr_minutes=6,
                                    wait_cap_minutes=27, entry_exempt_minutes=2)
    m2, p2 = ev.run(a)
    other = scorecard(Network(net2025.layers, year=2025, assumptions=a))
    for z, m in zip(other.zones, m2, strict=True):
        if z.minutes_to_core is not None:
            assert abs(m - max(z.minutes_to_core, z.minutes_from_core)) < 0.06
    assert p2 == pytest.approx(other.population_within_hour)


def test_uncertainty_is_seeded_and_ordered(net2025, card2025):
    u1 = sample(net2025, n=12, seed=3, card=card2025)
    u2 = sample(net2025, n=12, seed=3, card=card2025)
    u3 = sample(net2025, n=12, seed=4, card=card2025)
    assert u1.as_dict() == u2.as_dict()
    assert not np.array_equal(u1.samples, u3.samples)
    for r in u1.rows:
        q = [r["p5"], r["p50"], r["p95"]]
        if None not in q:
            assert q[0] <= q[1] <= q[2]
        assert 0.0 <= r["p_within"] <= 1.0
    p = u1.population
    assert p["p5"] <= p["p50"] <= p["p95"]
    probs = [u1.p_within(t) for t in (20, 40, 60, 80, 120, 240)]
    for lo, hi in itertools.pairwise(probs):
        assert (hi >= lo).all()


def test_sensitivity_lists_real_flips(net2025, card2025):
    s = sensitivity(net2025, card=card2025)
    t = s.table
    names = {r["parameter"] for r in s.rows}
    assert {"estimated run times", "estimated headways", "wait_cap_minutes"} <= names
    for r in s.rows:
        rows = t[t["parameter"] == r["parameter"]]
        flipped = rows[(rows["within_low"] != rows["within_base"])
                       | (rows["within_high"] != rows["within_base"])]
        assert set(flipped["id"]) == {f["id"] for f in r["flips"]}
    json.dumps(s.as_dict())


# ------------------------------------------------------------------------------ station process


def test_security_exemption_at_hangzhou_east_from_2019(real_layers):
    from network.graph import SECURITY_EXEMPT

    assert SECURITY_EXEMPT["hangzhou_east"][0] == 2019 and "http" in SECURITY_EXEMPT["hangzhou_east"][1]

    def change_minutes(year):
        G = Network(real_layers, year=year).G
        return min(d["minutes"] for d in G.get_edge_data("hangzhou_east|arr", "hzm_hangzhou_east").values())

    a = Network(real_layers, year=2019).assumptions
    assert change_minutes(2018) == pytest.approx(5 + a.entry_metro_minutes)
    assert change_minutes(2019) == pytest.approx(5 + a.entry_exempt_minutes)


# ------------------------------------------------------------------------------ core sets


def test_core_set_modes_bracket_the_single_core(real_layers, net2025, card2025, tmp_path):
    from network.scorecard import CoreSet, read_core_set

    f = tmp_path / "core.csv"
    # Wulin Square (cities.csv core point) and Hangzhou East (stations layer), weights 2:1
    f.write_text("name,lon,lat,weight,source\nWulin Square,120.158889,30.273056,2,cities.csv\n"
                 "Hangzhou East,120.2125,30.290139,1,stations.geojson\n", encoding="utf-8")
    cards = {m: scorecard(net2025, core=read_core_set(real_layers, str(f), mode=m))
             for m in ("nearest", "weighted", "all")}
    assert cards["weighted"].core_set.weights == (2.0, 1.0)

    def slow(z):
        return np.inf if z.minutes_to_core is None else max(z.minutes_to_core, z.minutes_from_core)

    for i, z in enumerate(card2025.zones):
        n, w, a = (slow(cards[m].zones[i]) for m in ("nearest", "weighted", "all"))
        assert n <= slow(z) + 0.11 and n <= w + 0.11 and w <= a + 0.11
    pops = [cards[m].population_within_hour for m in ("nearest", "weighted", "all")]
    assert pops[0] >= pops[2] and pops[0] >= card2025.population_within_hour - 1
    with pytest.raises(InputError, match="core mode"):
        CoreSet(cards["all"].core_set.places, (1.0, 1.0), "median")
    with pytest.raises(InputError, match="not found"):
        read_core_set(real_layers, str(tmp_path / "missing.csv"))
    with pytest.raises(InputError, match="one core place"):
        sample(net2025, n=2, card=cards["nearest"])


# ------------------------------------------------------------------------------ CLI (tiny layers)


def test_cli_reading_all_json_and_outputs(monkeypatch, tmp_path, capsys):
    import geopandas as gpd
    import pandas as pd

    from network.cli import main
    from tests.conftest import TINY

    monkeypatch.setenv("HZCIRCLE_LAYERS", str(TINY))
    gpkg = tmp_path / "card.gpkg"
    args = ["commute-circle", "--year", "2020", "--core", "One", "--reading", "all", "--json",
            "--uncertainty", "4", "--seed", "7", "--sensitivity", "-o", str(gpkg)]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    readings = out["years"][0]["readings"]
    assert set(readings) == set(READINGS)
    for r in readings.values():
        assert r["source"] and r["quote"] and r["cities"]
    assert len(readings["county"]["counties"]) == 3
    assert out["uncertainty"][0]["n"] == 4 and out["sensitivity"][0]["parameters"]
    assert "provenance" in out and "assumptions" in out
    g = gpd.read_file(gpkg)
    assert set(g["reading"]) == set(READINGS) and g.crs.to_epsg() == 4326
    assert main([*args[:-2], "-o", str(tmp_path / "card.csv")]) == 0
    capsys.readouterr()
    frame = pd.read_csv(tmp_path / "card.csv", comment="#")
    assert frame["probability"].notna().any()
    tornado = pd.read_csv(tmp_path / "card_sensitivity_2020.csv", comment="#")
    assert {"parameter", "minutes_low", "minutes_high", "within_base"} <= set(tornado.columns)
    # same seed, same answer
    assert main(args[:-2]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["uncertainty"] == out["uncertainty"]


@pytest.mark.parametrize("extra", [["--reading", "door"], ["--uncertainty", "0"],
                                   ["--core", "One;Two", "--core-mode", "median"]])
def test_cli_bad_commute_circle_input_exits_2(monkeypatch, extra, capsys):
    from network.cli import main
    from tests.conftest import TINY

    monkeypatch.setenv("HZCIRCLE_LAYERS", str(TINY))
    with pytest.raises(SystemExit) as exc:
        code = main(["commute-circle", "--year", "2020", "--core", "One", *extra])
        raise SystemExit(code)
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


# ------------------------------------------------------------------------------ property


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(networks(), st.data())
def test_no_verdict_worsens_when_a_line_is_added(tmp_path_factory, net, data):
    from network import load_layers
    from tests.helpers import service, stops, write_layers

    stations_, services_, stops_, zones_ = net
    city = [{"id": "hangzhou", "name": "Testcity", "name_zh": "测试", "province": "Test",
             "population_2020": 400, "core_zone": zones_[0]["code"], "source": "test"}]
    ids = data.draw(st.lists(st.sampled_from([s["id"] for s in stations_]), min_size=2,
                             max_size=3, unique=True))
    runs = data.draw(st.lists(st.floats(2, 30), min_size=len(ids) - 1, max_size=len(ids) - 1))
    extra = service("extra", headway=data.draw(st.floats(4, 60)))
    results = []
    for name, svcs, stps in (("b", services_, stops_),
                             ("m", [*services_, extra], stops_ + stops("extra", ids, runs))):
        folder = write_layers(tmp_path_factory.mktemp(name), stations=stations_, services=svcs,
                              stops=stps, zones=zones_, cities=city)
        results.append(evaluate(Network(load_layers(folder), year=2022)))
    before = {(v.reading, v.level, v.id): v for v in results[0].verdicts}
    for v in results[1].verdicts:
        b = before[(v.reading, v.level, v.id)]
        if b.met:
            assert v.met, (v.reading, v.level, v.name)
        if b.minutes is not None:
            assert v.minutes is not None and v.minutes <= b.minutes + 0.1
        if b.share is not None and v.reading == "population":
            assert v.share >= b.share - 1e-9


def test_flips_and_legs_name_common_line_services(real_layers, net2025, card2025):
    from network.scorecard import flips, legs_to_core

    legs = legs_to_core(net2025, card2025)
    assert any("first of " in text for text in legs.values())
    net19 = Network(real_layers, year=2019)
    changes = flips(real_layers, [scorecard(net19), card2025], {2019: net19, 2025: net2025})
    for f in changes:
        assert all("+" not in s for s in f.new_services)


@pytest.mark.slow
def test_repricing_matches_a_rebuild_with_any_mode(real_layers):
    net = Network(real_layers, year=2025, modes="any")
    card = scorecard(net)
    a = net.assumptions.replace(local_car_speed_kmh=28, expressway_speed_factor=0.75,
                                detour_factor=1.35, entry_hsr_minutes=15, exit_hsr_minutes=6)
    minutes, pop = _evaluator(net, card).run(a)
    other = scorecard(Network(real_layers, year=2025, modes="any", assumptions=a))
    for m, z in zip(minutes, other.zones, strict=True):
        if z.minutes_to_core is not None:
            assert abs(m - max(z.minutes_to_core, z.minutes_from_core)) < 0.06
    assert pop == pytest.approx(other.population_within_hour)
