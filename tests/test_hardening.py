"""Robustness of outputs and of the command line: full disks, killed runs, interrupted runs,
identical runs, protected inputs, markup flagged by the validators."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from network._errors import OutputError
from network._io import (
    check_writable,
    clean_stale,
    protected,
    staged,
    write_table,
    write_text_atomic,
    write_vector,
)
from tests.conftest import DATA, TINY
from tests.test_bad_input import GOOD_SCENARIO, run, snapshot


def _small_disk() -> None:
    """In the child: files may not grow past 64 bytes (EFBIG, like a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


# every output format, written on a "full disk": one line, exit 2, nothing left behind
FULL_DISK = [
    ("csv", ["matrix", "--year", "2020", "-o", "m.csv"]),
    ("parquet-table", ["matrix", "--year", "2020", "-o", "m.parquet"]),
    ("geojson", ["isochrone", "Alpha", "--year", "2020", "-o", "i.geojson"]),
    ("gpkg", ["isochrone", "Alpha", "--year", "2020", "-o", "i.gpkg"]),
    ("parquet-vector", ["isochrone", "Alpha", "--year", "2020", "-o", "i.parquet"]),
    ("cells", ["isochrone", "Alpha", "--year", "2020", "--cells", "-o", "i.geojson"]),
    ("html", ["map", "network", "-o", "n.html"]),
    ("graphml", ["osm", "import", str(DATA / "osm" / "small.osm"), "-o", "r.graphml"]),
]


@pytest.mark.parametrize(("fmt", "args"), FULL_DISK, ids=[f[0] for f in FULL_DISK])
def test_full_disk_every_format(fmt, args, tmp_path):
    (tmp_path / "s.yaml").write_text(GOOD_SCENARIO, encoding="utf-8")
    before = snapshot(tmp_path)
    r = run(*args, cwd=tmp_path, preexec_fn=_small_disk,
            env={"HZCIRCLE_CACHE": str(tmp_path.parent / f"{tmp_path.name}-cache")})
    assert r.returncode == 2, (r.stdout[-500:], r.stderr[-2000:])
    errors = [ln for ln in r.stderr.splitlines() if "error:" in ln]
    assert len(errors) == 1 and "cannot write" in errors[0], r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    assert snapshot(tmp_path) == before  # no partial file, no temporary file


def _medium_disk() -> None:
    """In the child: files may not grow past 100 kB (the isochrones fit, their cells do not)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_isochrone_and_cells_both_or_neither(tmp_path):
    r = run("isochrone", "Alpha", "--year", "2020", "--cells", "-o", "i.geojson", cwd=tmp_path,
            preexec_fn=_medium_disk,
            env={"HZCIRCLE_CACHE": str(tmp_path.parent / f"{tmp_path.name}-cache")})
    assert r.returncode == 2 and "i_cells.geojson" in r.stderr, r.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []  # the isochrones were written, then withdrawn
    r = run("isochrone", "Alpha", "--year", "2020", "--cells", "-o", "i.geojson", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.geojson", "i_cells.geojson"]
    assert (tmp_path / "i.geojson").stat().st_size < 100_000 < (tmp_path / "i_cells.geojson"
                                                                  ).stat().st_size


def test_permission_error_one_line(tmp_path, monkeypatch):
    def deny(tmp):
        raise PermissionError(13, "Permission denied")

    from network import _io

    with pytest.raises(OutputError, match=r"cannot write .*Permission denied"):
        _io.write_atomic(tmp_path / "x.csv", deny)
    assert list(tmp_path.iterdir()) == []


def test_stale_temporaries_of_killed_runs_are_cleaned(tmp_path):
    # a run killed while writing leaves its temporary file (and a staging folder) behind
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    child.kill()
    child.wait()
    dead = child.pid
    stale = tmp_path / f".m.csv.{dead}.abc123.tmp.csv"
    stale.write_text("partial", encoding="utf-8")
    stage_dir = tmp_path / f".hzcircle-stage.{dead}.xyz.tmp"
    stage_dir.mkdir()
    (stage_dir / "report.txt").write_text("partial", encoding="utf-8")
    live = tmp_path / f".m.csv.{os.getpid()}.def456.tmp.csv"  # a run still going: kept
    live.write_text("in progress", encoding="utf-8")
    write_text_atomic(tmp_path / "m.csv", "a,b\n")
    assert not stale.exists() and live.exists()
    with staged() as stage:
        write_text_atomic(stage.path(tmp_path / "r.txt"), "x\n")
    assert not stage_dir.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, "m.csv", "r.txt"])
    assert clean_stale(tmp_path, "m.csv") == []


def test_staged_is_all_or_nothing(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(RuntimeError), staged() as stage:
        write_text_atomic(stage.path(tmp_path / "a" / "one.txt"), "1\n")
        write_text_atomic(stage.path(tmp_path / "b" / "two.txt"), "2\n")
        raise RuntimeError("a later step failed")
    assert snapshot(tmp_path) == {"a": "dir", "b": "dir"}
    with staged() as stage:
        write_text_atomic(stage.path(tmp_path / "a" / "one.txt"), "1\n")
        write_text_atomic(stage.path(tmp_path / "b" / "two.txt"), "2\n")
        assert not (tmp_path / "a" / "one.txt").exists()  # not before the end
    assert (tmp_path / "a" / "one.txt").read_text() == "1\n"
    assert sorted(snapshot(tmp_path)) == ["a", "a/one.txt", "b", "b/two.txt"]


def test_protected_inputs_refused_in_library(tmp_path):
    layer = tmp_path / "layers"
    shutil.copytree(TINY, layer)
    other = tmp_path / "s.yaml"
    other.write_text("x", encoding="utf-8")
    hard = tmp_path / "hard.csv"
    os.link(layer / "cities.csv", hard)
    with protected([other], [layer]):
        for path in (layer / "cities.csv", layer / "sub" / "x.csv", other, hard):
            with pytest.raises(OutputError, match=r"input|layers folder"):
                check_writable(path)
        check_writable(tmp_path / "fine.csv")
    check_writable(other)  # outside the block nothing is protected


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet"])
def test_vector_outputs_byte_identical(tmp_path, suffix):
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame({"minutes": [30.0, 60.0], "name": ["甲", "b"]},
                             geometry=[Point(120, 30).buffer(0.1), Point(120, 30).buffer(0.2)],
                             crs=4326)
    meta = {"year": 2020}
    a = write_vector(frame, tmp_path / f"a{suffix}", metadata=meta)
    digest = _digest(a)
    time.sleep(1.1)  # a timestamp written into the file would now differ
    assert _digest(write_vector(frame, a, metadata=meta)) == digest
    assert b".tmp" not in a.read_bytes()
    table = frame.drop(columns="geometry")
    t = write_table(table, tmp_path / "t.parquet", metadata=meta)
    td = _digest(t)
    time.sleep(1.1)
    assert _digest(write_table(table, t, metadata=meta)) == td


def test_cli_outputs_byte_identical(tmp_path):
    outs = []
    for run_dir in ("one", "two"):
        d = tmp_path / run_dir
        d.mkdir()
        for args in (["matrix", "--year", "2020", "-o", "m.csv"],
                     ["isochrone", "Alpha", "--year", "2020", "-o", "i.gpkg"],
                     ["isochrone", "Alpha", "--year", "2020", "-o", "i.geojson"]):
            r = run(*args, cwd=d)
            assert r.returncode == 0, r.stderr
        outs.append({p.name: _digest(p) for p in sorted(d.iterdir())})
        time.sleep(1.1)
    assert outs[0] == outs[1]


def test_ctrl_c_exits_130_with_one_line(tmp_path):
    # a long command (the real layers' report), interrupted once it is computing
    env = {k: v for k, v in os.environ.items() if k != "HZCIRCLE_LAYERS"}
    p = subprocess.Popen([sys.executable, "-m", "network", "report", "--years", "2020,2026",
                          "-o", "out", "--maps-dir", "maps"], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    line = ""
    while time.time() < deadline and "scorecard" not in line:  # computing: past the imports
        line = p.stderr.readline()
    p.send_signal(signal.SIGINT)
    _out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "hzcircle: interrupted; no output was written"
    assert not (tmp_path / "out").exists() and not (tmp_path / "maps").exists()


def test_no_python_warning_reaches_the_user(tmp_path):
    # GDAL warns (through pyogrio) about a point with one coordinate; the user sees only the
    # one-line error about the geometry
    layers = tmp_path / "layers"
    shutil.copytree(TINY, layers)
    text = (layers / "stations.geojson").read_text(encoding="utf-8")
    (layers / "stations.geojson").write_text(text.replace("[120.0, 30.0]", "[120.0]", 1),
                                             encoding="utf-8")
    r = run("stations", layers=layers, env={"PYTHONWARNINGS": "default"})
    assert r.returncode == 2
    assert "Warning" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "geometry" in r.stderr


@pytest.mark.parametrize(("where", "value"), [("name", "<script>x</script>"),
                                              ("name_zh", "${alert(1)}"),
                                              ("former_names", "旧:`x`:2012"),
                                              ("id", "b:x")])
def test_layers_check_flags_markup_and_reserved_ids(tmp_path, where, value):
    import json

    layers = tmp_path / "layers"
    shutil.copytree(TINY, layers)
    doc = json.loads((layers / "stations.geojson").read_text(encoding="utf-8"))
    doc["features"][3]["properties"][where] = value
    (layers / "stations.geojson").write_text(json.dumps(doc), encoding="utf-8")
    r = run("layers", "check", layers=layers)
    assert r.returncode == 1
    assert f"field '{where}'" in r.stdout and ("markup" in r.stdout or "reserved" in r.stdout)


def test_ambiguous_station_lists_candidates(real_layers):
    from network._errors import UnknownPlaceError
    from network.places import resolve

    with pytest.raises(UnknownPlaceError) as info:
        resolve(real_layers, "Linping station")
    msg = str(info.value)
    assert "ambiguous" in msg and "station:linping" in msg and "station:hzm_linping" in msg
    assert resolve(real_layers, "station:linping").origin == "linping"
    assert resolve(real_layers, "Linping").kind == "zone"  # the county wins, as documented


def test_layers_checked_once_per_content(tmp_path):
    from network.layers import load_layers
    from network.validate import _cache_dir, layers_digest, require_valid

    os.environ["HZCIRCLE_CACHE"] = str(tmp_path / "cache")
    try:
        layers = load_layers(TINY)
        require_valid(layers)
        marker = _cache_dir() / "checked" / layers_digest(layers)
        assert marker.is_file()
        copy = tmp_path / "l"
        shutil.copytree(TINY, copy)
        with open(copy / "services.csv", "a", encoding="utf-8") as f:
            f.write("s3,l3,X,X,hsr,allstop,0,test,2010,,t,\n")
        changed = load_layers(copy)
        assert layers_digest(changed) != layers_digest(layers)
        with pytest.raises(ValueError, match="feature s3"):
            require_valid(changed)
    finally:
        del os.environ["HZCIRCLE_CACHE"]


@pytest.mark.slow
def test_report_is_all_or_nothing(real_layers, tmp_path, monkeypatch):
    """A report whose last step fails leaves no file and no folder it created; one that
    succeeds writes every file and no staging folder."""
    from network import report as report_mod

    def broken_maps(*args, **kwargs):
        raise OutputError("cannot write maps: simulated failure after the isochrones")

    out, maps_dir = tmp_path / "out" / "deep", tmp_path / "maps"
    monkeypatch.setattr(report_mod, "_report_maps", broken_maps)
    with pytest.raises(OutputError, match="simulated"):
        report_mod.run_report(real_layers, years=[2026], output_dir=out, maps_dir=maps_dir)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    rep = report_mod.run_report(real_layers, years=[2026], output_dir=out, maps_dir=maps_dir)
    assert all(p.is_file() for p in rep.files) and len(rep.files) >= 5
    names = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(tmp_path)) for p in rep.files)
    assert not [p for p in tmp_path.rglob(".*")]  # no staging folder or temporary left
