"""Network history and provenance of the real layers (issue 13): termini by real opening dates,
the vintage of a service in force in a year, the Hangzhou–Quzhou HSR, metro end-to-end times
without the dwell counted twice."""

from __future__ import annotations

import pytest

from network import Network


@pytest.fixture(scope="module")
def nets(real_layers):
    return {y: Network(real_layers, year=y, modes="rail") for y in (2011, 2012, 2013, 2026)}


def test_2011_shanghai_hsr_ends_at_hangzhou_station(nets):
    # official 2010 fastest Hongqiao–Hangzhou (城站) 45 min; the 2010 all-stop 61 min
    j = nets[2011].travel_time("shanghai_hongqiao", "hangzhou")
    assert 45 <= j.in_vehicle_minutes <= 55
    rides = {leg.service for leg in j.legs if leg.kind == "ride"}
    assert rides <= {"hsr_shanghai_hangzhou_fast_2010", "hsr_shanghai_hangzhou_allstop_2010"}


def test_hangzhou_east_opens_in_2013(nets):
    assert "hangzhou_east" not in nets[2012].G
    assert "hangzhou_east" in nets[2013].G
    # from 2013 the Hangzhou East pattern is in force, not the 2010 vintage
    services = {d.get("service") for _, _, d in nets[2013].G.edges(data=True)}
    assert "hsr_shanghai_hangzhou_allstop" in services
    assert "hsr_shanghai_hangzhou_allstop_2010" not in services
    services_2012 = {d.get("service") for _, _, d in nets[2012].G.edges(data=True)}
    assert "hsr_shanghai_hangzhou_allstop_2010" in services_2012
    assert "hsr_shanghai_hangzhou_allstop" not in services_2012


def test_2026_hangzhou_west_to_quzhou_west(nets):
    # Xinhua 2025-12-26: fastest 73 min
    j = nets[2026].travel_time("hangzhou_west", "quzhou_west")
    assert 65 <= j.in_vehicle_minutes <= 85


@pytest.mark.parametrize(("service", "published"), [
    ("hzm_line2_allstop", 77),           # tellmechina 2017: Chaoyang–Liangzhu 77 min
    ("hzm_line9_allstop", 53),           # hznews 2022-04-01
    ("ic_hangzhou_haining_allstop", 39),  # ezhejiang 2021-06-29
])
def test_metro_end_to_end_counts_stops_once(nets, real_layers, service, published):
    stops = real_layers.service_stops
    s = stops[stops["service_id"] == service].sort_values("seq")
    j = nets[2026].travel_time(s["station_id"].iloc[0], s["station_id"].iloc[-1])
    assert abs(j.in_vehicle_minutes - published) <= 0.06 * published


def test_provenance_is_consistent(real_layers):
    s = real_layers.service_stops
    assert set(s["provenance"]) <= {"timetable", "official", "derived", "estimate"}
    assert (s["estimate"].astype(bool) == (s["provenance"] == "estimate")).all()
    later = s[s["seq"] > 1]
    derived = later[later["provenance"].isin(["timetable", "derived"])]
    assert derived["vintage"].str.match(r"^\d{4}-\d{2}$").all()
    assert derived["source"].str.contains("TIMETABLE|DERIVED|as ").all()


def test_plan_2025_targets_are_quoted_from_the_article(real_layers):
    t = real_layers.targets.set_index("id")
    for tid, figure in (("plan_2025_rail_km", "700公里"), ("plan_2025_hsr_km", "1700公里"),
                        ("plan_2025_expressway_km", "3500公里"),
                        ("plan_2025_intl_air_routes", "150个以上")):
        assert bool(t.loc[tid, "verified"]), tid
        assert figure in t.loc[tid, "quote_zh"], tid
        assert "content_7859291" in t.loc[tid, "source"], tid


def test_huangshan_has_rail_from_2015_by_the_hefei_fuzhou_hsr(real_layers):
    from network import InputError

    with pytest.raises(InputError):
        Network(real_layers, year=2014, modes="rail").travel_time("hangzhou_east", "huangshan_north")
    j = Network(real_layers, year=2016, modes="rail").travel_time("hangzhou_east", "huangshan_north")
    rides = [leg.service for leg in j.legs if leg.kind == "ride"]
    assert "hsr_hefei_fuzhou_allstop" in rides  # via Shangrao before the Hangzhou–Huangshan HSR
    assert 120 <= j.in_vehicle_minutes <= 200
