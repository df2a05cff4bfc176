"""The shipped layers: they pass the validator and give answers in plausible bands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from network import Network, build, check_layers

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_layers_are_clean(real_layers):
    assert check_layers(real_layers) == []


def test_geojson_is_built_from_src():
    r = subprocess.run([sys.executable, str(ROOT / "layers/scripts/build_layers.py"), "--check"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_coverage(real_layers):
    assert len(real_layers.zones) == 44
    assert set(real_layers.zones["city"]) == {"Hangzhou", "Huzhou", "Jiaxing", "Shaoxing",
                                               "Quzhou", "Huangshan"}
    assert len(real_layers.boundaries) == 44
    assert (real_layers.stations["source"].str.len() > 0).all()
    assert len(real_layers.services) >= 30


def test_hangzhou_east_shaoxing_north_in_timetable_range(real_layers):
    # published non-stop and stopping G trains take about 17-20 minutes
    j = Network(real_layers, year=2025, modes="rail").travel_time("Hangzhou East", "Shaoxing North")
    assert 14 <= j.in_vehicle_minutes <= 25
    assert j.minutes < 45


@pytest.mark.parametrize("modes", ["rail", "road", "any"])
def test_every_county_reachable_from_the_hangzhou_core(real_layers, modes):
    net = Network(real_layers, year=2025, modes=modes)
    m = net.matrix(level="county")
    from_core = m[m["origin"] == "Shangcheng"]
    assert from_core["minutes"].notna().all()
    assert (from_core["minutes"] < 6 * 60).all()


def test_any_is_never_slower_than_rail_or_road(real_layers):
    mats = {m: Network(real_layers, year=2025, modes=m).matrix()["minutes"].to_numpy()
            for m in ("rail", "road", "any")}
    assert np.all(mats["any"] <= np.fmin(mats["rail"], mats["road"]) + 1e-6)


def test_year_filter_on_real_lines(real_layers):
    assert "hangzhou_west" not in build(real_layers, year=2019, modes="rail")
    assert "hangzhou_west" in build(real_layers, year=2023, modes="rail")


def test_wulin_square_to_hangzhou_east_is_a_metro_trip(real_layers):
    """Wulin Square -> Hangzhou East by rail rides Hangzhou Metro Line 1.

    Band: Hangzhou Metro runs at about 33 km/h scheduled average including stops (Line 9: 53
    minutes for 29.5 km, the figure published at its 2022 opening, see layers/services.csv);
    allowing 25-45 km/h on the straight line x 1.15 gives the in-vehicle band below.
    """
    from network.geo import haversine_km

    net = Network(real_layers, year=2025, modes="rail")
    j = net.travel_time("hzm_wulin_guangchang", "Hangzhou East")
    rides = [leg for leg in j.legs if leg.kind == "ride"]
    assert rides and all(leg.service.startswith("hzm_") for leg in rides)
    a, b = net.resolve("hzm_wulin_guangchang"), net.resolve("hangzhou_east")
    km = haversine_km(a.lon, a.lat, b.lon, b.lat) * 1.15
    assert km / 45 * 60 <= j.in_vehicle_minutes <= km / 25 * 60
    assert j.minutes < 40
