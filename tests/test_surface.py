"""Surfaces, isochrones and the commute-circle scorecard."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from network import Assumptions, InputError, Network, load_layers
from network.geo import CRS_METRIC
from network.scorecard import scorecard
from network.surface import check_thresholds, travel_time_surface
from tests.helpers import write_layers, zone


@pytest.fixture
def one_zone(tmp_path):
    folder = write_layers(tmp_path / "l", stations=[], services=[], stops=[],
                          zones=[zone("1", 120.0, 30.0)])
    return load_layers(folder)


def test_single_node_gives_a_disc(one_zone):
    # from the seat by local transit: T = 5 + r * 1.3 / 18 * 60  ->  r = (T - 5) * 18 / 60 / 1.3
    net = Network(one_zone, year=2020, modes="rail")
    surface = travel_time_surface(net, "Z1", grid=net.grid(0.25))
    iso = surface.isochrones([20, 30])
    for t, area in zip([20, 30], iso["area_km2"], strict=True):
        a = net.assumptions
        r = (t - a.local_transit_wait_minutes) * a.local_transit_speed_kmh / 60 / a.detour_factor
        assert area == pytest.approx(math.pi * r * r, rel=0.06)


def test_bands_nest_and_population_grows(tiny_layers):
    net = Network(tiny_layers, year=2020, modes="any")
    iso = travel_time_surface(net, "One").isochrones([30, 45, 60, 90])
    geoms = list(iso.to_crs(CRS_METRIC).geometry)
    for small, big in itertools.pairwise(geoms):
        assert small.difference(big).area < 1.0  # m2: contained up to rounding
    assert list(iso["population"]) == sorted(iso["population"])
    assert iso["population"].iloc[2] <= iso["population"].iloc[3]


def test_surface_monotone_in_year_with_only_openings(tiny_layers):
    early = Network(tiny_layers, year=2015, modes="rail")
    late = Network(tiny_layers, year=2020, modes="rail")
    a = travel_time_surface(early, "One").minutes
    b = travel_time_surface(late, "One").minutes
    assert np.all(np.nan_to_num(b, nan=np.inf) <= np.nan_to_num(a, nan=np.inf) + 1e-9)
    assert np.nanmin(a - b) >= 0 and np.nanmax(a - b) > 0  # the 2020 branch helps some cells


def test_reverse_equals_forward_on_a_symmetric_network(tiny_layers):
    a = Assumptions()
    same = a.replace(**{f"exit_{k.replace('-', '_')}_minutes": a.entry_minutes(k)
                        for k in ("hsr", "conventional", "intercity", "airport-rail", "metro")})
    net = Network(tiny_layers, year=2020, modes="rail", assumptions=same)
    fwd = travel_time_surface(net, "One").minutes
    rev = travel_time_surface(net, "One", reverse=True).minutes
    np.testing.assert_allclose(fwd, rev, equal_nan=True)


def test_scorecard_by_hand(tiny_layers):
    # core = Testcity's core zone One. Two: 10 + 10 + 42 + 4 = 66 both ways -> outside.
    # Three (2020): from the core 65 (see test_graph_tiny); to the core: entry 3 + wait 5 +
    # ride 10 + transfer 8 + wait 10 + ride 20 + exit 4 = 60.
    card = scorecard(Network(tiny_layers, year=2020, modes="rail"), core="One")
    two, three = card.zone("Two"), card.zone("Three")
    assert (two.minutes_to_core, two.minutes_from_core, two.within_hour) == (66.0, 66.0, False)
    assert (three.minutes_to_core, three.minutes_from_core) == (60.0, 65.0)
    assert not three.within_hour
    card70 = scorecard(Network(tiny_layers, year=2020, modes="rail"), core="One", minutes=70)
    assert card70.zone("Three").within_hour and card70.zone("Two").within_hour
    assert card70.population_within_hour >= card.population_within_hour


@pytest.mark.parametrize("bad", [[0, 30], [-5], [45, 30], [30, 30], []])
def test_bad_thresholds(bad):
    with pytest.raises(InputError):
        check_thresholds(bad)


def test_grid_too_fine_is_refused_with_an_estimate(real_layers):
    net = Network(real_layers, year=2025, modes="rail")
    with pytest.raises(InputError, match="cells"):
        net.grid(0.05)


def test_real_scorecard_bands(real_layers):
    card = scorecard(Network(real_layers, year=2025, modes="rail"))
    # the core's own district and its neighbours are within the hour by metro ...
    for name in ("Shangcheng", "Xihu", "Gongshu"):
        assert card.zone(name).within_hour, name
    # ... the Huangshan counties, 200+ km away behind 80+ minutes of HSR, are not
    assert not any(z.within_hour for z in card.zones if z.city == "Huangshan")
    assert 0 < card.population_within_hour < card.population_total
    hz = next(c for c in card.cities if c.city == "Hangzhou")
    assert hz.core_within_hour and 0 < hz.share_counties_within_hour < 1
