"""Bad input: one-line error naming the problem and the fix, exit code 2, no traceback.

Every case of :data:`CASES` runs the real command line in a scratch folder holding a copy of the
tiny layers (``layers/``), a valid scenario (``s.yaml``) and whatever the case sets up, and
asserts: exit 2, no traceback, exactly one ``hzcircle: error:`` line and it names the problem,
and every file under the scratch folder is byte-identical before and after (no input changed,
no partial or temporary output left behind).

Most cases call :func:`network.cli.main` in-process (:func:`run_main`: the same argv, layers
folder, working folder and exit code; an exception escaping ``main`` fails the test, as a
traceback would). The cases in :data:`SUBPROCESS_CASES` (one of every class, and every FIFO or
device, which must never block) and a few of the other tests run ``python -m network`` in a
fresh interpreter (:func:`run`), proving the real entry point prints no traceback either.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DATA, TINY

GOOD_SCENARIO = """\
name: Test line
modifications:
  - type: add_line
    id: x1
    name: X line
    class: hsr
    headway_minutes: 30
    hop_minutes: [15]
    stops: [a, c]
"""


def run(*args: str, layers=TINY, cwd: Path | None = None, env: dict | None = None,
        **kw) -> subprocess.CompletedProcess:
    full = {**os.environ, "HZCIRCLE_LAYERS": str(layers), "PYTHONDONTWRITEBYTECODE": "1",
            **(env or {})}
    return subprocess.run([sys.executable, "-m", "network", *args], capture_output=True,
                          text=True, env=full, cwd=cwd, **kw,
                          timeout=int(os.environ.get("HZ_TEST_TIMEOUT", "180")))


@dataclass
class Result:
    """What :func:`run_main` saw: the shape of :class:`subprocess.CompletedProcess`."""

    returncode: int
    stdout: str
    stderr: str


def run_main(*args: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             layers=TINY, cwd: Path | None = None) -> Result:
    """Call :func:`network.cli.main` in-process as :func:`run` calls it in a subprocess:
    ``HZCIRCLE_LAYERS`` set, in ``cwd``; argparse's ``SystemExit`` becomes the exit code. Any
    other exception propagates (and fails the test), as it would print a traceback."""
    from network.cli import main

    monkeypatch.setenv("HZCIRCLE_LAYERS", str(layers))
    if cwd is not None:
        monkeypatch.chdir(cwd)
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return Result(code, out.out, out.err)


def snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` (files, folders, FIFOs, links) -> a hash of its content."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_fifo():
            out[rel] = "fifo"
        elif p.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# ------------------------------------------------------------------------------------------
# helpers that spoil a copy of the tiny layers
# ------------------------------------------------------------------------------------------


def _csv_set(path: Path, row_id: str, column: str, value: str) -> None:
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    key = 0
    for r in rows[1:]:
        if r[key] == row_id or f"{r[0]}#{r[1]}" == row_id:
            r[head.index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def _geo_edit(path: Path, fid: str, fn: Callable[[dict], None]) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    for feat in doc["features"]:
        if feat["properties"].get("id", feat["properties"].get("code")) == fid:
            fn(feat)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def prop(layer: str, fid: str, key: str, value) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        _geo_edit(root / "layers" / layer, fid, lambda f: f["properties"].__setitem__(key, value))
    return setup


def geom(layer: str, fid: str, geometry: dict) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        _geo_edit(root / "layers" / layer, fid, lambda f: f.__setitem__("geometry", geometry))
    return setup


def cell(layer: str, row_id: str, column: str, value: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        _csv_set(root / "layers" / layer, row_id, column, value)
    return setup


def append(layer: str, text: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        with open(root / "layers" / layer, "a", encoding="utf-8") as f:
            f.write(text)
    return setup


def scenario(text: str, name: str = "bad.yaml") -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        (root / "work" / name).write_text(text, encoding="utf-8")
    return setup


def scen_mod(extra: str) -> Callable[[Path], None]:
    """The good scenario's add_line with ``extra`` fields replacing or adding lines."""
    base = GOOD_SCENARIO
    for line in extra.strip("\n").splitlines():
        key = line.split(":")[0].strip()
        if f"    {key}:" in base:
            base = "\n".join(line if ln.startswith(f"    {key}:") else ln
                             for ln in base.splitlines()) + "\n"
        else:
            base += line + "\n"
    return scenario(base)


def fifo(layer: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        (root / "layers" / layer).unlink()
        os.mkfifo(root / "layers" / layer)
    return setup


def device(layer: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        (root / "layers" / layer).unlink()
        (root / "layers" / layer).symlink_to("/dev/zero")
    return setup


def link(name: str, target: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        (root / "work" / name).symlink_to(root / target)
    return setup


def two_names(root: Path) -> None:
    """Two stations both named 'Bravo': the name is ambiguous."""
    _geo_edit(root / "layers" / "stations.geojson", "d",
              lambda f: f["properties"].update(name="Bravo", name_zh="乙"))


def nothing(root: Path) -> None:
    pass


def mkdir_layers_maps(root: Path) -> None:
    (root / "layers" / "maps").mkdir()


def file_as_dir(root: Path) -> None:
    (root / "work" / "notadir").write_text("x", encoding="utf-8")


L = "../layers"
TT = ["travel-time", "Alpha", "Charlie", "--year", "2020"]
YAML_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
) + "name: boom\nmodifications: []\n"

#: (class, id, setup, args, needle): ``needle`` must appear in the one error line.
CASES: list[tuple[str, str, Callable[[Path], None], list[str], str]] = [
    # -- 1. markup in names (validators reject them before any map can be made) -------------
    ("markup", "station-script", prop("stations.geojson", "a", "name", "<script>alert(1)</script>"),
     TT, "markup"),
    ("markup", "station-template", prop("stations.geojson", "b", "name", "Bravo ${alert(1)}"),
     TT, "markup"),
    ("markup", "zone-backtick", prop("zones.geojson", "100001", "name_zh", "一`区"), TT, "markup"),
    ("markup", "service-img", cell("services.csv", "s1", "name", "<img src=x onerror=alert(1)>"),
     TT, "markup"),
    ("markup", "scenario-line-name", scen_mod("    name: <img src=x onerror=alert(1)>"),
     ["scenario", "check", "bad.yaml"], "markup"),
    ("markup", "scenario-new-station", scen_mod(
        "    stops: [a, {name: '${alert(1)}', lon: 120.2, lat: 30.0}]"),
     ["scenario", "check", "bad.yaml"], "markup"),
    ("markup", "scenario-name", scenario(GOOD_SCENARIO.replace("Test line", "'<b>x</b>'")),
     ["scenario", "check", "bad.yaml"], "markup"),
    ("markup", "scenario-id", scen_mod('    id: "x`1"'), ["scenario", "check", "bad.yaml"],
     "id"),
    # -- 2. outputs that would overwrite inputs ---------------------------------------------
    ("overwrite", "matrix-over-layer", nothing,
     ["matrix", "--year", "2020", "-o", f"{L}/cities.csv"], "input"),
    ("overwrite", "isochrone-over-layer", nothing,
     ["isochrone", "Alpha", "--year", "2020", "-o", f"{L}/stations.geojson"], "input"),
    ("overwrite", "new-file-in-layers", nothing,
     ["matrix", "--year", "2020", "-o", f"{L}/new.csv"], "layers folder"),
    ("overwrite", "cells-into-layers", nothing,
     ["isochrone", "Alpha", "--year", "2020", "--cells", "-o", f"{L}/zones.parquet"],
     "layers folder"),
    ("overwrite", "compare-map-over-scenario", scenario(GOOD_SCENARIO, "s.html"),
     ["scenario", "compare", "s.html", "--year", "2020", "--map", "s.html"], "input"),
    ("overwrite", "map-over-scenario-link", link("out.html", "work/s.yaml"),
     ["scenario", "compare", "s.yaml", "--year", "2020", "--map", "out.html"], "input"),
    ("overwrite", "matrix-via-symlink", link("m.csv", "layers/services.csv"),
     ["matrix", "--year", "2020", "-o", "m.csv"], "input"),
    ("overwrite", "report-into-layers", nothing, ["report", "--years", "2020", "-o", L],
     "layers folder"),
    ("overwrite", "report-maps-into-layers", mkdir_layers_maps,
     ["report", "--years", "2020", "--maps-dir", f"{L}/maps"], "layers folder"),
    ("overwrite", "map-scenario-over-itself", scenario(GOOD_SCENARIO, "s2.html"),
     ["map", "scenario", "s2.html", "--year", "2020", "-o", "s2.html"], "input"),
    ("overwrite", "osm-import-over-input", lambda r: shutil.copy(DATA / "osm" / "small.osm",
                                                                 r / "work" / "roads.graphml"),
     ["osm", "import", "roads.graphml", "-o", "roads.graphml"], "input"),
    ("overwrite", "compare-map-suffix", nothing,
     ["scenario", "compare", "s.yaml", "--year", "2020", "--map", "m.txt"], "must end in .html"),
    ("overwrite", "map-over-assumptions", lambda r: (r / "work" / "a.html").write_text(
        "wait_cap_minutes: 10\n", encoding="utf-8"),
     ["map", "network", "--assumptions", "a.html", "-o", "a.html"], "input"),
    # -- 3. YAML ---------------------------------------------------------------------------
    ("yaml", "alias-bomb", scenario(YAML_BOMB), ["scenario", "check", "bad.yaml"], "alias"),
    ("yaml", "deep-nesting", scenario("name: x\nmodifications: " + "[" * 5000 + "]" * 5000 + "\n"),
     ["scenario", "check", "bad.yaml"], "deep"),
    ("yaml", "huge-file", scenario("name: x\nmodifications: []\n# " + "x" * 3_000_000 + "\n"),
     ["scenario", "check", "bad.yaml"], "too large"),
    ("yaml", "list-as-key", scenario("name: x\n[a, b]: 1\nmodifications: []\n"),
     ["scenario", "check", "bad.yaml"], "bad.yaml:2"),
    ("yaml", "number-as-stops", scen_mod("    stops: 5"), ["scenario", "check", "bad.yaml"],
     "bad.yaml:9"),
    ("yaml", "hops-number", scenario(GOOD_SCENARIO +
                                     "  - type: adjust_speed\n    service: s1\n    factor: 2\n"
                                     "    hops: 5\n"),
     ["scenario", "check", "bad.yaml"], "bad.yaml:13"),
    ("yaml", "open-year-text", scen_mod("    open_year: soon"), ["scenario", "check", "bad.yaml"],
     "open_year"),
    ("yaml", "open-year-far", scen_mod("    open_year: 99999"), ["scenario", "check", "bad.yaml"],
     "open_year"),
    ("yaml", "name-a-list", scenario(GOOD_SCENARIO.replace("name: Test line", "name: [1, 2]")),
     ["scenario", "check", "bad.yaml"], "bad.yaml:1"),
    ("yaml", "top-level-list", scenario("- a\n- b\n"), ["scenario", "check", "bad.yaml"],
     "mapping"),
    ("yaml", "modification-not-mapping", scenario("name: x\nmodifications:\n  - 5\n"),
     ["scenario", "check", "bad.yaml"], "bad.yaml:3"),
    ("yaml", "empty-file", scenario(""), ["scenario", "check", "bad.yaml"], "bad.yaml:1"),
    ("yaml", "duplicate-key", scenario(GOOD_SCENARIO + "name: again\n"),
     ["scenario", "check", "bad.yaml"], "bad.yaml:10"),
    ("yaml", "python-tag", scenario("name: !!python/object/apply:os.system [id]\nmodifications: []\n"),
     ["scenario", "check", "bad.yaml"], "bad.yaml:1"),
    ("yaml", "binary", lambda r: (r / "work" / "bad.yaml").write_bytes(b"\xff\xfe\x00\x01"),
     ["scenario", "check", "bad.yaml"], "UTF-8"),
    ("yaml", "compare-checks-too", scen_mod("    open_year: soon"),
     ["scenario", "compare", "bad.yaml", "--year", "2020"], "open_year"),
    ("yaml", "scenario-fifo", lambda r: os.mkfifo(r / "work" / "bad.yaml"),
     ["scenario", "check", "bad.yaml"], "regular file"),
    ("yaml", "station-name-number", scen_mod("    stops: [a, {name: 5, lon: 120.2, lat: 30.0}]"),
     ["scenario", "check", "bad.yaml"], "name"),
    ("yaml", "huge-speed", scenario(GOOD_SCENARIO.replace("    hop_minutes: [15]\n",
                                                          "    speed_kmh: 1e308\n")),
     ["scenario", "check", "bad.yaml"], "speed_kmh"),
    ("yaml", "huge-headway", scen_mod("    headway_minutes: 1e300"),
     ["scenario", "check", "bad.yaml"], "headway_minutes"),
    # -- 4. layers that 'layers check' rejects ----------------------------------------------
    ("layers", "duplicate-id", prop("stations.geojson", "d", "id", "c"), TT, "duplicate id"),
    ("layers", "stop-missing-station", cell("service_stops.csv", "s1#3", "station_id", "zz"), TT,
     "unknown station 'zz'"),
    ("layers", "negative-run", cell("service_stops.csv", "s1#2", "run_minutes", "-488"), TT,
     "run_minutes"),
    ("layers", "nan-run", cell("service_stops.csv", "s1#2", "run_minutes", "nan"), TT,
     "run_minutes"),
    ("layers", "zero-headway", cell("services.csv", "s1", "headway_minutes", "0"), TT,
     "headway_minutes"),
    ("layers", "swapped-lonlat", geom("stations.geojson", "b",
                                      {"type": "Point", "coordinates": [30.0, 120.5]}), TT,
     "geometry"),
    ("layers", "impossible-date", prop("stations.geojson", "a", "opened", "2018-99-99"), TT,
     "2018-99-99"),
    ("layers", "fifo-layer", fifo("services.csv"), TT, "not a regular file"),
    ("layers", "device-layer", device("service_stops.csv"), TT, "not a regular file"),
    ("layers", "multipoint-station", geom("stations.geojson", "a", {
        "type": "MultiPoint", "coordinates": [[120.0, 30.0], [120.1, 30.0]]}), TT, "MultiPoint"),
    ("layers", "colon-in-id", prop("stations.geojson", "d", "id", "d:x"), TT, "d:x"),
    ("layers", "infinite-headway", cell("services.csv", "s1", "headway_minutes", "inf"), TT,
     "headway_minutes"),
    ("layers", "huge-speed-road", cell("expressways.csv", "e1", "speed_kmh", "1e308"),
     ["travel-time", "One", "Two", "--modes", "road"], "speed_kmh"),
    ("layers", "fifo-metadata", lambda r: ((r / "layers" / "metadata.json").unlink(),
                                          os.mkfifo(r / "layers" / "metadata.json")),
     TT, "not a regular file"),
    ("layers", "layers-is-file", nothing, [*TT, "--layers", "s.yaml"], "not a folder"),
    # -- 5. numeric options, names, long input ----------------------------------------------
    ("numbers", "minutes-inf", nothing,
     ["isochrone", "Alpha", "--minutes", "30,inf", "-o", "i.geojson"], "--minutes"),
    ("numbers", "minutes-huge", nothing,
     ["isochrone", "Alpha", "--minutes", "1e12", "-o", "i.geojson"], "--minutes"),
    ("numbers", "minutes-nan", nothing,
     ["isochrone", "Alpha", "--minutes", "nan", "-o", "i.geojson"], "--minutes"),
    ("numbers", "cell-huge", nothing,
     ["isochrone", "Alpha", "--cell-km", "1e9", "-o", "i.geojson"], "--cell-km"),
    ("numbers", "cell-nan", nothing,
     ["isochrone", "Alpha", "--cell-km", "nan", "-o", "i.geojson"], "--cell-km"),
    ("numbers", "cell-negative", nothing,
     ["isochrone", "Alpha", "--cell-km", "-1", "-o", "i.geojson"], "--cell-km"),
    ("numbers", "circle-minutes-inf", nothing, ["commute-circle", "--minutes", "inf"], "--minutes"),
    ("numbers", "circle-minutes-zero", nothing, ["commute-circle", "--minutes", "0"], "--minutes"),
    ("numbers", "years-comma", nothing, ["commute-circle", "--years", ","], "--years"),
    ("numbers", "years-duplicate", nothing, ["commute-circle", "--years", "2020,2020"], "repeated"),
    ("numbers", "years-report-comma", nothing, ["report", "--years", ","], "--years"),
    ("numbers", "year-huge", nothing, [*TT[:3], "--year", "99999999999999999999999"], "year"),
    ("numbers", "compare-years-comma", nothing,
     ["scenario", "compare", "s.yaml", "--year", "2020", "--years", ","], "--years"),
    ("numbers", "bbox-three", nothing, ["osm", "download", "--bbox", "120,30,121", "-o", "r.graphml"],
     "--bbox"),
    ("numbers", "bbox-inf", nothing,
     ["osm", "download", "--bbox", "120,30,inf,31", "-o", "r.graphml"], "--bbox"),
    ("numbers", "bbox-swapped", nothing,
     ["osm", "download", "--bbox", "121,30,120,31", "-o", "r.graphml"], "--bbox"),
    ("numbers", "ambiguous-name", two_names, ["travel-time", "Bravo", "Alpha", "--year", "2020"],
     "ambiguous"),
    ("numbers", "long-name", nothing, ["travel-time", "x" * 100_000, "Alpha", "--year", "2020"],
     "unknown place"),
    ("numbers", "set-inf", nothing, [*TT, "--set", "wait_cap_minutes=inf"], "wait_cap_minutes"),
    ("numbers", "long-choice", nothing, ["travel-time", "Alpha", "Bravo", "--modes", "y" * 100_000],
     "invalid choice"),
    ("numbers", "long-set-name", nothing, [*TT, "--set", "z" * 100_000 + "=1"],
     "unknown assumption"),
    ("layers", "roads-fifo", lambda r: os.mkfifo(r / "work" / "r.graphml"),
     [*TT, "--roads", "r.graphml"], "regular file"),
    ("layers", "assumptions-fifo", lambda r: os.mkfifo(r / "work" / "a.yaml"),
     [*TT, "--assumptions", "a.yaml"], "regular file"),
    ("layers", "osm-fifo", lambda r: os.mkfifo(r / "work" / "x.osm"),
     ["osm", "import", "x.osm", "-o", "r.graphml"], "regular file"),
    # -- 6. writes -------------------------------------------------------------------------
    ("writes", "report-maps-unwritable", nothing,
     ["report", "--years", "2020", "-o", "out", "--maps-dir", "/proc/hz-maps"], "/proc/hz-maps"),
    ("writes", "report-maps-is-file", file_as_dir,
     ["report", "--years", "2020", "-o", "out", "--maps-dir", "notadir"], "notadir"),
    ("writes", "report-out-is-file", file_as_dir, ["report", "--years", "2020", "-o", "notadir"],
     "notadir"),
    ("writes", "report-out-under-file", file_as_dir,
     ["report", "--years", "2020", "-o", "notadir/sub"], "notadir"),
    ("writes", "map-unwritable", nothing, ["map", "network", "-o", "/proc/hz.html"], "/proc/hz.html"),
    ("writes", "osm-unwritable", nothing,
     ["osm", "import", str(DATA / "osm" / "small.osm"), "-o", "/proc/hz.graphml"], "/proc/hz.graphml"),
    ("writes", "osm-suffix", nothing,
     ["osm", "import", str(DATA / "osm" / "small.osm"), "-o", "r.csv"], ".graphml"),
]


#: Cases run as a real ``python -m network`` subprocess (the rest run in-process): at least one of
#: every class, and every FIFO or device input (a subprocess has a timeout if reading blocks).
SUBPROCESS_CASES = {
    "station-script", "scenario-fifo", "fifo-layer", "device-layer", "fifo-metadata",
    "roads-fifo", "assumptions-fifo", "osm-fifo", "matrix-over-layer", "alias-bomb",
    "long-name", "map-unwritable",
}


@pytest.mark.parametrize(("klass", "case", "setup", "args", "needle"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_bad_input_case(klass, case, setup, args, needle, tmp_path, monkeypatch, capsys):
    root = tmp_path
    shutil.copytree(TINY, root / "layers")
    (root / "work").mkdir()
    (root / "work" / "s.yaml").write_text(GOOD_SCENARIO, encoding="utf-8")
    setup(root)
    before = snapshot(root)
    if case in SUBPROCESS_CASES:
        r = run(*args, layers=root / "layers", cwd=root / "work")
    else:
        r = run_main(*args, layers=root / "layers", cwd=root / "work", monkeypatch=monkeypatch,
                     capsys=capsys)
    assert r.returncode == 2, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert "Traceback" not in r.stderr and "Warning" not in r.stderr, r.stderr[-3000:]
    errors = [ln for ln in r.stderr.splitlines() if "error:" in ln]
    assert len(errors) == 1, r.stderr[-3000:]
    assert needle in errors[0], errors[0][:2000]
    assert len(errors[0]) < 1000, errors[0][:2000]  # long inputs are shortened
    assert snapshot(root) == before


def test_at_least_sixty_cases():
    assert len(CASES) >= 60
    classes = {c[0] for c in CASES}
    assert classes >= {"markup", "overwrite", "yaml", "layers", "numbers", "writes"}
    # every class keeps a real subprocess case; every FIFO/device case is one
    by_id = {c[1]: c for c in CASES}
    assert set(by_id) >= SUBPROCESS_CASES
    assert {by_id[c][0] for c in SUBPROCESS_CASES} == classes
    assert {c[1] for c in CASES if "fifo" in c[1] or "device" in c[1]} <= SUBPROCESS_CASES


#: test_bad_arguments cases run as a real subprocess (a library error and an argparse error).
SUBPROCESS_ARGUMENTS = {"unknown place 'Nowhere'", "invalid choice: 'boat'"}


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
def test_bad_arguments(args, needle, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    if needle in SUBPROCESS_ARGUMENTS:
        r = run(*args)
    else:
        r = run_main(*args, monkeypatch=monkeypatch, capsys=capsys)
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr
    # one line names the problem (argparse prints its usage lines before it)
    assert needle in r.stderr.strip().splitlines()[-1]


def test_unwritable_output(tmp_path):
    # /proc refuses new files even to root, so this holds for any user on Linux
    r = run("matrix", "--year", "2020", "-o", "/proc/hzcircle-m.csv")
    assert r.returncode == 2
    assert "cannot write /proc/hzcircle-m.csv" in r.stderr and "Traceback" not in r.stderr


def test_output_is_a_folder(tmp_path, monkeypatch, capsys):
    r = run_main("matrix", "--year", "2020", "-o", str(tmp_path), monkeypatch=monkeypatch,
                 capsys=capsys)
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
def test_corrupt_layer_file(tmp_path, filename, content, needle, monkeypatch, capsys):
    layers = tmp_path / "layers"
    shutil.copytree(TINY, layers)
    target = layers / filename
    if content is None:
        target.unlink()
    elif isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    r = run_main("travel-time", "One", "Two", "--year", "2020", layers=layers,
                 monkeypatch=monkeypatch, capsys=capsys)
    assert r.returncode == 2
    assert needle in r.stderr and filename in r.stderr
    assert "Traceback" not in r.stderr
