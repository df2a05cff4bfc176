"""What-if scenarios: validation, purity, invariants, graph-level equivalence, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import Network, load_layers
from network.scenarios import (
    FastEvaluator,
    Scenario,
    ScenarioError,
    apply,
    evaluate_full,
    parse_scenario,
)
from tests.conftest import TINY
from tests.helpers import write_layers
from tests.test_properties import networks

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

ADD = """name: test
modifications:
  - type: add_line
    id: new1
    name: New line
    class: hsr
    headway_minutes: {headway}
    hop_minutes: [10, 10]
    stops: [a, {{name: Mid, lon: 120.5, lat: 30.2}}, c]
"""


def matrix(layers, year=2020, modes="rail"):
    m = Network(layers, year=year, modes=modes).matrix()
    return m.set_index(["origin_code", "destination_code"])["minutes"].fillna(np.inf)


# ------------------------------------------------------------------------------ validation

@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (ADD.format(headway=-5), ":7: modifications[0].headway_minutes: -5 must be a positive"),
        (ADD.format(headway=0), "headway_minutes: 0 must be a positive"),
        (ADD.format(headway=10).replace("[a,", "[zz,"), "unknown station id 'zz'"),
        (ADD.format(headway=10).replace("hop_minutes: [10, 10]", "hop_minutes: [10]"),
         "1 hop minutes for 3 stops; give 2"),
        (ADD.format(headway=10).replace("lon: 120.5, lat: 30.2", "lon: 116.4, lat: 39.9"),
         "lies outside the six cities"),
        (ADD.format(headway=10).replace(", c]", ", {name: Mid, lon: 120.6, lat: 30.2}]"),
         "duplicate station 'Mid'"),
        (ADD.format(headway=10).replace("type: add_line", "type: add_tram"),
         "unknown type 'add_tram'"),
        (ADD.format(headway=10).replace("class: hsr", "class: hsr\n    colour: red"),
         "colour: unknown field for add_line"),
        ("name: x\nmodifications: [\n", "not valid YAML"),
        ("name: x\nmodifications:\n  - type: adjust_headway\n    service: nope\n"
         "    headway_minutes: 5\n", ":4: modifications[0].service: unknown service 'nope'"),
    ],
)
def test_validation_errors_name_line_and_field(tiny_layers, text, needle):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, tiny_layers, where="s.yaml")
    assert needle in str(exc.value)
    assert str(exc.value).startswith("s.yaml")


def test_every_problem_is_reported_at_once(tiny_layers):
    text = ADD.format(headway=-1).replace("[a,", "[zz,").replace("[10, 10]", "[10]")
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, tiny_layers, where="s.yaml")
    assert len(str(exc.value).splitlines()) == 3


def run_cli(*args):
    env = {**os.environ, "HZCIRCLE_LAYERS": str(TINY)}
    return subprocess.run([sys.executable, "-m", "network", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_cli_exit_2_on_bad_and_non_utf8_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(ADD.format(headway=-5), encoding="utf-8")
    r = run_cli("scenario", "check", str(bad))
    assert r.returncode == 2 and "headway_minutes" in r.stderr and "Traceback" not in r.stderr
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9\nmodifications: []\n".encode("latin-1"))
    r = run_cli("scenario", "check", str(latin))
    assert r.returncode == 2 and "not UTF-8" in r.stderr


# ------------------------------------------------------------------------------ applying

def test_apply_is_pure_and_adds_the_line(tiny_layers, tmp_path):
    before = {n: getattr(tiny_layers, n).copy() for n in ("stations", "services", "service_stops")}
    files = {p.name: p.read_bytes() for p in TINY.iterdir()}
    out = apply(tiny_layers, parse_scenario(ADD.format(headway=10), tiny_layers))
    for name, frame in before.items():
        assert getattr(tiny_layers, name).equals(frame)
    assert {p.name: p.read_bytes() for p in TINY.iterdir()} == files
    assert "new1" in set(out.services["id"]) and "scn_mid" in set(out.stations["id"])
    rows = out.service_stops[out.service_stops["service_id"] == "new1"]
    assert list(rows["station_id"]) == ["a", "scn_mid", "c"]


def test_empty_scenario_changes_nothing(tiny_layers):
    out = apply(tiny_layers, Scenario("empty", []))
    assert matrix(out).equals(matrix(tiny_layers))


def test_same_scenario_twice_is_identical(tiny_layers):
    sc = parse_scenario(ADD.format(headway=10), tiny_layers)
    assert matrix(apply(tiny_layers, sc)).equals(matrix(apply(tiny_layers, sc)))


# ------------------------------------------------------------------------------ invariants

@st.composite
def with_change(draw):
    stations_, services_, stops_, zones_ = draw(networks())
    ids = [s["id"] for s in stations_]
    kind = draw(st.sampled_from(["add_line", "speed", "headway", "remove_line", "remove_stops"]))
    svc = draw(st.sampled_from([s["id"] for s in services_]))
    if kind == "add_line":
        stops = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=4, unique=True))
        mod = {"type": "add_line", "id": "added", "name": "added", "class": "hsr",
               "headway_minutes": draw(st.floats(4, 60)), "stops": stops,
               "hop_minutes": draw(st.lists(st.floats(2, 30), min_size=len(stops) - 1,
                                            max_size=len(stops) - 1))}
    elif kind == "speed":
        mod = {"type": "adjust_speed", "service": svc, "factor": draw(st.floats(1.0, 2.0))}
    elif kind == "headway":
        old = next(s["headway_minutes"] for s in services_ if s["id"] == svc)
        mod = {"type": "adjust_headway", "service": svc,
               "headway_minutes": draw(st.floats(1.0, old))}
    elif kind == "remove_line":
        mod = {"type": "remove_line", "service": svc}
    else:
        on = [r["station_id"] for r in stops_ if r["service_id"] == svc]
        mod = {"type": "remove_stops", "service": svc, "seconds_saved": 0,
               "stops": draw(st.lists(st.sampled_from(on), min_size=1, max_size=2, unique=True))}
    return (stations_, services_, stops_, zones_), kind, mod


@SETTINGS
@given(with_change())
def test_improvements_never_slow_and_removals_never_speed(tmp_path_factory, case):
    (stations_, services_, stops_, zones_), kind, mod = case
    layers = load_layers(write_layers(tmp_path_factory.mktemp("s"), stations=stations_,
                                      services=services_, stops=stops_, zones=zones_))
    before = matrix(layers, year=2022)
    after = matrix(apply(layers, Scenario("x", [mod])), year=2022)
    if kind in ("remove_line", "remove_stops"):
        assert (after >= before - 1e-9).all()
    else:
        assert (after <= before + 1e-9).all()


# ------------------------------------------------------------------------------ equivalence

@pytest.fixture(scope="module")
def tiny_evaluator(tiny_layers):
    return FastEvaluator(tiny_layers, year=2020, core="One")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stops=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=2, max_size=4, unique=True),
       speed=st.floats(40, 300), headway=st.floats(2, 60), h1=st.floats(2, 40),
       drop=st.booleans())
def test_graph_level_equals_full_rebuild(tiny_layers, tiny_evaluator, stops, speed, headway,
                                         h1, drop):
    mods = [{"type": "add_line", "id": "x", "name": "x", "class": "hsr", "stops": stops,
             "speed_kmh": speed, "headway_minutes": headway},
            {"type": "adjust_headway", "service": "s1", "headway_minutes": h1}]
    if drop:
        mods.append({"type": "remove_line", "service": "s2"})
    sc = Scenario("v", mods)
    assert tiny_evaluator.fast(sc)
    fast = tiny_evaluator.evaluate(sc)
    full = evaluate_full(tiny_layers, sc, year=2020, core="One", grid=tiny_evaluator.grid)
    np.testing.assert_allclose(fast.matrix, full.matrix)
    assert fast.population_within_hour == pytest.approx(full.population_within_hour)


def test_graph_level_on_real_layers(real_layers):
    ev = FastEvaluator(real_layers, year=2025)
    sc = Scenario("v", [{"type": "add_line", "id": "x", "name": "x", "class": "hsr",
                         "stops": ["huzhou", "hangzhou_east", "shaoxing_north"],
                         "speed_kmh": 200, "headway_minutes": 10}])
    fast, full = ev.evaluate(sc), evaluate_full(real_layers, sc, year=2025, grid=ev.grid)
    np.testing.assert_allclose(fast.matrix, full.matrix)
    assert fast.population_within_hour == pytest.approx(full.population_within_hour)


# ------------------------------------------------------------------------------ shipped examples

def test_shipped_examples_compare(tmp_path):
    from network.cli import main

    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 4
    env_before = os.environ.pop("HZCIRCLE_LAYERS", None)
    try:
        out = tmp_path / "scn.html"
        r = subprocess.run([sys.executable, "-m", "network", "scenario", "compare", *files,
                            "--year", "2026", "--json", "--map", str(out), "--tiles", "none"],
                           capture_output=True, text=True, timeout=600)
    finally:
        if env_before is not None:
            os.environ["HZCIRCLE_LAYERS"] = env_before
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["assumptions"]["changed"] == {}
    data = data["results"]
    assert len(data) == len(files)
    for d in data:
        assert {"population_within_hour_before", "population_within_hour_after", "zones",
                "flipped"} <= set(d)
        assert {"id", "minutes_before", "minutes_after"} <= set(d["zones"][0])
        # a what-if only ever adds or improves service in these examples: nobody is slower
        assert all(z["minutes_after"] <= z["minutes_before"] + 1e-9 for z in d["zones"]
                   if z["minutes_before"] is not None)
    assert any(d["hypothetical"] for d in data)
    assert out.stat().st_size > 10_000
    assert main is not None


def test_compare_map_on_layers_without_boundaries(tmp_path, capsys):
    """Layers without county boundaries (the tiny ones) still get a scenario map, not a crash."""
    from network.cli import main

    spec = tmp_path / "s.yaml"
    spec.write_text(ADD.format(headway=10), encoding="utf-8")
    out = tmp_path / "cmp.html"
    code = main(["scenario", "compare", "--layers", str(TINY), "--year", "2020", "--core", "One",
                 "--map", str(out), str(spec)])
    assert code == 0 and "New line" in out.read_text(encoding="utf-8")
