"""Population within a county: the GHSL urban-centre share at the seat, the rest spread."""

from __future__ import annotations

import math

import numpy as np
import pytest

from network import Assumptions, load_layers
from network.grid import make_grid
from tests.helpers import write_layers, zone


def _grid(tmp_path, share, *, pop=1_000_000, density=1500.0, cell_km=1.0):
    z = zone("1", 120.0, 30.0, pop=pop)
    if share is not None:
        z["urban_centre_share"] = share
    layers = load_layers(write_layers(tmp_path / "l", stations=[], services=[], stops=[],
                                      zones=[z]))
    a = Assumptions().replace(urban_centre_density=density)
    return make_grid(layers, cell_km, assumptions=a), a


def _dist_km(g):
    # the single zone's seat is the grid's reference point: distance of each cell to it
    import geopandas as gpd
    from shapely.geometry import Point

    from network.geo import CRS_METRIC, CRS_WGS84

    seat = gpd.GeoSeries([Point(120.0, 30.0)], crs=CRS_WGS84).to_crs(CRS_METRIC).iloc[0]
    return np.hypot(g.x - seat.x, g.y - seat.y) / 1000.0


def test_uniform_without_a_share(tmp_path):
    g, _ = _grid(tmp_path, None)
    assert np.nansum(g.population) == pytest.approx(1_000_000)
    assert np.allclose(g.population, g.population[0])


def test_urban_centre_share_at_the_seat_and_total_kept(tmp_path):
    # the fixture region is the seat's 10 km buffer; a 6.5 km disc holds the urban centre
    g, a = _grid(tmp_path, 0.2)
    d = _dist_km(g)
    radius = math.sqrt(1_000_000 * 0.2 / (math.pi * a.urban_centre_density))
    core, rest = d <= radius, d > radius
    assert core.any() and rest.any()
    assert np.nansum(g.population) == pytest.approx(1_000_000)  # the county total is exact
    spread = 1_000_000 * 0.8 / g.size
    assert np.allclose(g.population[rest], spread)
    assert np.allclose(g.population[core], spread + 200_000 / core.sum())
    # the disc holds the share plus its part of the spread
    assert g.population[core].sum() == pytest.approx(200_000 + spread * core.sum())


def test_denser_centre_is_smaller_and_a_tiny_disc_takes_the_nearest_cell(tmp_path):
    g1, _ = _grid(tmp_path / "a", 0.5)
    g2, _ = _grid(tmp_path / "b", 0.5, density=10_000.0)
    assert g2.population.max() > g1.population.max()
    g3, _ = _grid(tmp_path / "c", 0.5, pop=1000, cell_km=2.0)  # disc of 0.4 km < a 2 km cell
    assert np.nansum(g3.population) == pytest.approx(1000)
    top = int(np.argmax(g3.population))
    assert top == int(np.argmin(_dist_km(g3)))
    assert g3.population[top] == pytest.approx(500 + 500 / g3.size)


def test_real_layers_county_totals_exact_and_seats_denser(real_layers):
    g = make_grid(real_layers, 2.0)
    zones = real_layers.zones.set_index("code")
    for code, row in zones.iterrows():
        cells = g.zone == code
        assert g.population[cells].sum() == pytest.approx(row["population_2020"], rel=1e-9), code
    assert np.nansum(g.population) == pytest.approx(29_582_183, rel=1e-9)
    # Chun'an (22 % urban centre per GHSL): the seat's cells hold far more than the average
    chunan = g.zone == "330127"
    assert g.population[chunan].max() > 10 * g.population[chunan].mean()
