"""Batch work end to end: points matrix, accessibility (points and grid), sweeps (serial,
resumed, and on a 2-worker Dask LocalCluster)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from network import Network

ROOT = Path(__file__).resolve().parent.parent
SEATS = ROOT / "scenarios" / "points" / "county_seats.csv"
HSR = ROOT / "scenarios" / "points" / "hsr_stations.csv"
SMALL = ROOT / "scenarios" / "sweeps" / "hangzhou_shaoxing_small.yaml"


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "network", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


# ------------------------------------------------------------------------------ points


def test_points_matrix_cli_equals_travel_time(tmp_path, real_layers):
    from network.points import read_points

    r = _cli("matrix", "--origins", SEATS, "--destinations", HSR, "--year", 2025, "-o",
             tmp_path / "m.parquet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    frame = pd.read_parquet(tmp_path / "m.parquet")
    seats, hsr = read_points(SEATS), read_points(HSR)
    assert len(frame) == len(seats) * len(hsr)
    net = Network(real_layers, year=2025)
    for row in frame.sample(6, random_state=1).itertuples():
        i = list(seats.ids).index(row.origin)
        j = list(hsr.ids).index(row.destination)
        want = net.travel_time(f"{seats.lon[i]},{seats.lat[i]}", f"{hsr.lon[j]},{hsr.lat[j]}")
        assert row.minutes == pytest.approx(round(want.minutes, 1))
    wide = _cli("matrix", "--origins", SEATS, "--destinations", HSR, "--year", 2025, "--wide",
                "-o", tmp_path / "w.csv", cwd=tmp_path)
    assert wide.returncode == 0, wide.stderr
    w = pd.read_csv(tmp_path / "w.csv", dtype={"origin": str})
    assert list(w.columns[1:]) == list(hsr.ids) and len(w) == len(seats)


def test_point_files_geojson_polygons_and_gcj02(tmp_path, real_layers):
    import geopandas as gpd
    import shapely

    from network.coords import gcj_offset
    from network.points import read_points

    seats = read_points(SEATS)
    # polygons around three seats: their representative point lies inside each polygon
    polys = gpd.GeoDataFrame({"id": seats.ids[:3]},
                             geometry=shapely.buffer(shapely.points(seats.lon[:3], seats.lat[:3]),
                                                     0.01), crs="EPSG:4326")
    polys.to_file(tmp_path / "p.geojson")
    got = read_points(tmp_path / "p.geojson")
    assert list(got.ids) == list(seats.ids[:3])
    assert shapely.contains_xy(polys.geometry.to_numpy(), got.lon, got.lat).all()
    # GCJ-02 input comes back to the WGS-84 positions
    dlon, dlat = gcj_offset(seats.lon[:5], seats.lat[:5])
    pd.DataFrame({"id": seats.ids[:5], "lon": seats.lon[:5] + dlon,
                  "lat": seats.lat[:5] + dlat}).to_csv(tmp_path / "g.csv", index=False)
    back = read_points(tmp_path / "g.csv", crs="gcj02")
    np.testing.assert_allclose(back.lon, seats.lon[:5], atol=1e-6)
    np.testing.assert_allclose(back.lat, seats.lat[:5], atol=1e-6)


@pytest.mark.parametrize(("text", "needle"), [
    ("id,x,y\n1,120.2,30.3\n", "needs columns"),
    ("id,lon,lat\n1,120.2,abc\n", "row 1 has no valid lon,lat"),
    ("id,lon,lat\n1,120.2,30.3\n1,120.3,30.3\n", "repeated"),
    ("id,lon,lat\n1,116.4,39.9\n", "outside"),
])
def test_bad_point_files_are_one_line_errors(tmp_path, text, needle):
    (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    r = _cli("matrix", "--origins", tmp_path / "bad.csv", "--destinations", HSR, "-o",
             tmp_path / "m.csv", cwd=tmp_path)
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "m.csv").exists()


# ------------------------------------------------------------------------------ accessibility


def test_point_accessibility_equals_brute_force(tmp_path, real_layers):
    import geopandas as gpd

    from network.points import point_times, read_points

    r = _cli("accessibility", "--origins", HSR, "--opportunities", SEATS, "--column",
             "population_2020", "--minutes", "30,60", "--decay", "0.05", "--year", 2025,
             "-o", tmp_path / "a.gpkg", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    got = gpd.read_file(tmp_path / "a.gpkg")
    net = Network(real_layers, year=2025)
    hsr, seats = read_points(HSR), read_points(SEATS)
    w = np.nan_to_num(seats.data["population_2020"].to_numpy(float))
    t = point_times(net, hsr, seats)
    np.testing.assert_allclose(got["within_60"], ((t <= 60) * w).sum(axis=1))
    np.testing.assert_allclose(got["within_30"], ((t <= 30) * w).sum(axis=1))
    np.testing.assert_allclose(got["decayed"], (np.exp(-0.05 * t) * w).sum(axis=1))
    assert (got["within_60"] >= got["within_30"]).all() and got["within_60"].max() > 0


def test_grid_accessibility_equals_reverse_surfaces(real_layers):
    from network.accessibility import Measure, grid_accessibility
    from network.points import read_points
    from network.surface import travel_time_surface

    seats = read_points(SEATS)
    one = type(seats)(seats.ids[:1], seats.lon[:1], seats.lat[:1], seats.data.iloc[:1])
    frame = grid_accessibility(real_layers, one, np.ones(1), Measure([60.0], 0.01), year=2025,
                               modes="rail", cell_km=4.0, chunk_cells=300)
    with np.errstate(divide="ignore"):
        minutes = -np.log(frame["decayed"].to_numpy()) / 0.01
    net = Network(real_layers, year=2025)
    surf = travel_time_surface(net, f"{one.lon[0]},{one.lat[0]}", reverse=True,
                               grid=net.grid(4.0))
    reached = np.isfinite(surf.minutes)
    assert reached.sum() > 100
    np.testing.assert_allclose(minutes[reached], surf.minutes[reached], atol=1e-6)
    assert (frame["decayed"].to_numpy()[~reached] == 0).all()
    np.testing.assert_array_equal(frame["within_60"].to_numpy(), (surf.minutes <= 60) * 1.0)


# ------------------------------------------------------------------------------ sweeps


def test_sweep_expands_validates_and_resumes(tmp_path, real_layers):
    from network.scenarios.sweep import read_results, read_sweep, run_sweep

    sweep = read_sweep(SMALL, real_layers)
    assert len(sweep.variants) == 6 and len(sweep.chunks()) == 3
    out = tmp_path / "run"
    first = run_sweep(sweep, real_layers, out)
    assert first["ran"] == 3
    full = read_results(out)
    (out / "part-00001.parquet").unlink()
    again = run_sweep(sweep, real_layers, out)
    assert again["ran"] == 1 and again["resumed"] == 2
    pd.testing.assert_frame_equal(read_results(out), full)
    # faster lines at the same headway never bring fewer people within the hour
    g = full.set_index(["headway_minutes", "speed_kmh"])["population_within_hour"]
    for h in (5, 10, 20):
        assert g[(h, 200)] >= g[(h, 120)] - 1e-6
    # each variant equals its own scenario evaluated by a full rebuild
    from network.scenarios import evaluate_full

    ev = evaluate_full(real_layers, sweep.scenarios([4])[0], year=2025)
    assert full.loc[4, "population_within_hour"] == pytest.approx(ev.population_within_hour)
    # a different sweep in the same folder is refused
    other = read_sweep(SMALL, real_layers)
    other.variants = other.variants[:5]
    with pytest.raises(ValueError, match="another sweep"):
        run_sweep(other, real_layers, out)


@pytest.mark.parametrize(("text", "needle"), [
    ("name: x\nline: {id: a, name: a, class: hsr, stops: [nowhere, huzhou], "
     "headway_minutes: 5, speed_kmh: 100}\nvary: {speed_kmh: [100]}\n", "nowhere"),
    ("name: x\nline: {id: a, name: a, class: hsr, stops: [huzhou, deqing], "
     "headway_minutes: 5, speed_kmh: 100}\nvary: {speed_kmh: []}\n", "vary"),
    ("name: x\nlines: 3\nline: {}\nvary: {a: [1]}\n", "unknown field"),
])
def test_bad_sweep_files(real_layers, text, needle):
    from network.scenarios import ScenarioError
    from network.scenarios.sweep import parse_sweep

    with pytest.raises(ScenarioError, match=needle):
        parse_sweep(text, real_layers)


def test_sweep_cli(tmp_path):
    r = _cli("sweep", SMALL, "-o", tmp_path / "out", "--top", 2, "--workers", 1, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "6 variants in 3 chunks (3 run now" in r.stdout
    assert len(list((tmp_path / "out").glob("part-*.parquet"))) == 3


@pytest.mark.slow
def test_sweep_on_a_local_cluster_equals_serial(tmp_path, real_layers):
    from distributed import Client, LocalCluster

    from network.assumptions import DEFAULT
    from network.scenarios.sweep import read_results, read_sweep, run_sweep

    a = DEFAULT.replace(wait_cap_minutes=12.0)  # non-default assumptions must reach workers
    sweep = read_sweep(SMALL, real_layers)
    run_sweep(sweep, real_layers, tmp_path / "serial", assumptions=a)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        summary = run_sweep(sweep, real_layers, tmp_path / "dask", assumptions=a,
                            scheduler=cluster.scheduler_address)
    assert summary["ran"] == 3
    pd.testing.assert_frame_equal(read_results(tmp_path / "dask"),
                                  read_results(tmp_path / "serial"))
    default = read_results(tmp_path / "serial")
    run_sweep(sweep, real_layers, tmp_path / "default")
    assert not read_results(tmp_path / "default").equals(default)


def _die_once(marker: str, chunk: int) -> int:
    """A task that kills its worker process the first time it runs (to test retries)."""
    import os

    path = Path(marker)
    if chunk == 1 and not path.exists():
        path.write_text("died", encoding="utf-8")
        os._exit(1)
    return chunk * 10


@pytest.mark.slow
def test_killed_worker_task_is_retried_and_grid_on_dask_equals_serial(tmp_path, real_layers):
    from distributed import LocalCluster

    from network._cluster import run_chunks
    from network.accessibility import Measure, grid_accessibility
    from network.points import read_points

    got: dict[int, int] = {}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        ran = run_chunks(_die_once, str(tmp_path / "marker"), [0, 1, 2, 3],
                         on_result=got.__setitem__, scheduler=cluster.scheduler_address)
        assert ran == 4 and got == {0: 0, 1: 10, 2: 20, 3: 30}
        assert (tmp_path / "marker").read_text(encoding="utf-8") == "died"
        seats = read_points(SEATS)
        w = np.nan_to_num(seats.data["population_2020"].to_numpy(float))
        kw = {"year": 2025, "modes": "rail", "cell_km": 5.0, "chunk_cells": 500}
        on_dask = grid_accessibility(real_layers, seats, w, Measure([30, 60], 0.05),
                                     scheduler=cluster.scheduler_address, **kw)
    serial = grid_accessibility(real_layers, seats, w, Measure([30, 60], 0.05), **kw)
    pd.testing.assert_frame_equal(pd.DataFrame(on_dask.drop(columns="geometry")),
                                  pd.DataFrame(serial.drop(columns="geometry")))
    assert serial["within_60"].max() > 0
