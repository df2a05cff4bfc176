"""The command line, through its real entry points."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from network.cli import main
from tests.conftest import TINY


@pytest.fixture
def tiny_env(monkeypatch):
    monkeypatch.setenv("HZCIRCLE_LAYERS", str(TINY))


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HZCIRCLE_LAYERS": str(TINY)}
    return subprocess.run([sys.executable, "-m", "network", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_module_entry_point_travel_time_json():
    r = run("travel-time", "One", "Two", "--year", "2015", "--modes", "rail", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["minutes"] == pytest.approx(66.0)
    assert out["in_vehicle_minutes"] == pytest.approx(42.0)
    assert {"mode", "from", "to", "minutes"} <= set(out["legs"][0])
    ride = next(leg for leg in out["legs"] if leg["kind"] == "ride")
    assert ride["service"] == "s1" and ride["service_name"] == "Alpha-Charlie HSR"


@pytest.mark.skipif(shutil.which("hzcircle") is None, reason="console script not installed")
def test_console_script_help_lists_commands():
    r = subprocess.run(["hzcircle", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    for cmd in ("travel-time", "matrix", "layers", "stations", "lines"):
        assert cmd in r.stdout


def test_travel_time_text(tiny_env, capsys):
    assert main(["travel-time", "One", "Three", "--year", "2020", "--modes", "rail"]) == 0
    out = capsys.readouterr().out
    assert "door to door 65.0 min" in out
    assert "transfer" in out and "Bravo-Delta intercity" in out


def test_matrix_csv_and_parquet(tiny_env, tmp_path, capsys):
    for name in ("m.csv", "m.parquet"):
        out = tmp_path / name
        assert main(["matrix", "--year", "2020", "--level", "county", "-o", str(out)]) == 0
        frame = pd.read_csv(out) if name.endswith(".csv") else pd.read_parquet(out)
        assert len(frame) == 6 and frame["minutes"].notna().all()
    assert "6 OD pairs" in capsys.readouterr().out


def test_stations_and_lines_json(tiny_env, capsys):
    assert main(["stations", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "wait_cap_minutes" in out["assumptions"]["values"]  # every --json records them
    stations = out["results"]
    assert {"id", "name", "name_zh", "city", "kind", "lon", "lat", "opened", "source"} <= set(stations[0])
    assert main(["lines", "--json"]) == 0
    lines = json.loads(capsys.readouterr().out)["results"]
    s1 = next(x for x in lines if x["id"] == "s1")
    assert s1["stops"] == ["a", "b", "c"] and s1["run_minutes"] == [20.0, 20.0]
    assert s1["class"] == "hsr" and s1["headway_minutes"] == 20.0


def test_layers_check_clean(tiny_env, capsys):
    assert main(["layers", "check"]) == 0
    assert "layers OK" in capsys.readouterr().out


def test_isochrone_outputs_by_extension(tiny_env, tmp_path, capsys):
    import geopandas as gpd

    for name in ("iso.geojson", "iso.gpkg", "iso.parquet"):
        out = tmp_path / name
        assert main(["isochrone", "One", "--year", "2020", "--minutes", "30,60", "--cell-km",
                     "2", "-o", str(out)]) == 0
        frame = gpd.read_parquet(out) if name.endswith("parquet") else gpd.read_file(out)
        assert list(frame["minutes"]) == [30, 60]
        assert {"area_km2", "population"} <= set(frame.columns)
        assert frame.crs.to_epsg() == 4326
    assert "people" in capsys.readouterr().out


def test_commute_circle_json_and_years(tiny_env, capsys):
    assert main(["commute-circle", "--year", "2020", "--core", "One", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"year", "core", "modes", "zones", "cities", "population_within_hour",
            "population_total"} <= set(out)
    z = next(z for z in out["zones"] if z["name"] == "Two")
    assert {"id", "name", "city", "minutes_to_core", "minutes_from_core", "within_hour"} <= set(z)
    assert main(["commute-circle", "--years", "2015,2020", "--core", "One", "--minutes", "70"]) == 0
    text = capsys.readouterr().out
    assert "2015" in text and "2020" in text
    assert "Three (Testcity) now within the hour" in text
    assert "Bravo-Delta intercity" in text  # the new service that made it flip


def test_report_writes_outputs(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", "-o", str(out), "--maps-dir", str(tmp_path / "maps")]) == 0
    assert (out / "report.txt").exists()
    assert (tmp_path / "maps" / "commute_circle.html").exists()
    assert (tmp_path / "maps" / "network_2025.html").exists()
    assert (out / "isochrones_hangzhou_core_2025_rail.geojson").exists()
    text = capsys.readouterr().out
    assert "One-hour commute circle, 2020" in text and "Targets tracker" in text


def test_targets_json(capsys):
    assert main(["targets", "--year", "2025", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["km"]["hsr_km"] > 500
    assert {t["id"] for t in out["targets"]} >= {"plan_2025_hsr_km", "plan_2025_rail_km"}
