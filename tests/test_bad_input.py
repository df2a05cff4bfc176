"""Bad input: one-line error naming the problem and the fix, exit code 2, no traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import TINY


def run(*args: str, layers=TINY) -> subprocess.CompletedProcess:
    env = {**os.environ, "HZCIRCLE_LAYERS": str(layers)}
    return subprocess.run([sys.executable, "-m", "network", *args], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["travel-time", "Nowhere", "Two", "--year", "2020"], "unknown place 'Nowhere'"),
        (["travel-time", "Bravoo", "Two", "--year", "2020"], "Closest matches: Bravo"),
        (["travel-time", "One", "Two", "--modes", "boat"], "invalid choice: 'boat'"),
        (["matrix", "--level", "street", "-o", "x.csv"], "invalid choice: 'street'"),
        (["travel-time", "One", "Two", "--year", "1990"], "year 1990 is outside"),
        (["travel-time", "One", "Two", "--year", "2090"], "year 2090 is outside"),
        (["travel-time", "One", "一区", "--year", "2020"], "same place"),
        (["travel-time", "116.4,39.9", "Two", "--year", "2020"], "outside the Hangzhou"),
        (["matrix", "--year", "2020", "-o", "/nonexistent-dir/m.csv"], "does not exist"),
        (["matrix", "--year", "2020", "-o", "m.txt"], "must end in .csv or .parquet"),
        (["isochrone", "One", "--minutes", "0,30", "-o", "i.geojson"], "positive numbers"),
        (["isochrone", "One", "--minutes", "45,30", "-o", "i.geojson"], "increasing"),
        (["isochrone", "One", "--minutes", "30,30", "-o", "i.geojson"], "without repeats"),
        (["isochrone", "One", "--minutes", "abc", "-o", "i.geojson"], "numbers separated"),
        (["isochrone", "One", "--cell-km", "0.001", "-o", "i.geojson"], "use a larger --cell-km"),
        (["isochrone", "One", "-o", "i.txt"], "must end in .geojson"),
        (["isochrone", "One", "-o", "/nonexistent-dir/i.geojson"], "does not exist"),
        (["commute-circle", "--core", "116.4,39.9"], "outside the Hangzhou"),
        (["commute-circle", "--years", "2019,1999"], "year 1999 is outside"),
        (["commute-circle", "--years", "20x9"], "give years separated"),
        (["targets", "--year", "1990"], "year 1990 is outside"),
    ],
)
def test_bad_arguments(args, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run(*args)
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr
    # one line names the problem (argparse prints its usage lines before it)
    assert needle in r.stderr.strip().splitlines()[-1]


def test_unwritable_output(tmp_path):
    # /proc refuses new files even to root, so this holds for any user on Linux
    r = run("matrix", "--year", "2020", "-o", "/proc/hzcircle-m.csv")
    assert r.returncode == 2
    assert "cannot write /proc/hzcircle-m.csv" in r.stderr and "Traceback" not in r.stderr


def test_output_is_a_folder(tmp_path):
    r = run("matrix", "--year", "2020", "-o", str(tmp_path))
    assert r.returncode == 2 and "is a folder" in r.stderr


@pytest.mark.parametrize(
    ("filename", "content", "needle"),
    [
        ("stations.geojson", '{"type": "FeatureCollection", "features": [', "cannot be read as GeoJSON"),
        ("services.csv", "id,line_id\n\"unterminated", "cannot be read as CSV"),
        ("services.csv", "id,line_id\nx,y\n", "missing column(s) name"),
        ("service_stops.csv", b"\xff\xfe\x00bad", "not UTF-8"),
        ("services.csv", None, "file not found"),
    ],
)
def test_corrupt_layer_file(tmp_path, filename, content, needle):
    layers = tmp_path / "layers"
    shutil.copytree(TINY, layers)
    target = layers / filename
    if content is None:
        target.unlink()
    elif isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    r = run("travel-time", "One", "Two", "--year", "2020", layers=layers)
    assert r.returncode == 2
    assert needle in r.stderr and filename in r.stderr
    assert "Traceback" not in r.stderr
