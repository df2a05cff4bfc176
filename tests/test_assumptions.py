"""Assumptions are data: typed, validated, passed explicitly, recorded, and process-safe."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import pytest

from network import Assumptions, InputError, Network
from network.assumptions import DEFAULT, NAMES, describe, read_assumptions, sampled_names


def test_frozen_hashable_and_pickles_intact():
    a = Assumptions().replace(wait_cap_minutes=7.5)
    with pytest.raises(AttributeError):
        a.wait_cap_minutes = 3  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(a)) == a
    assert hash(a) == hash(Assumptions(wait_cap_minutes=7.5))
    assert a != DEFAULT and a.changed() == {"wait_cap_minutes": 7.5}
    assert a.digest() != DEFAULT.digest()


def test_every_field_has_unit_range_and_rationale():
    for row in describe():
        assert row["unit"] and row["why"] and row["source"], row["name"]
        assert row["low"] <= row["default"] <= row["high"], row["name"]
    assert "wait_cap_minutes" in sampled_names() and "max_cells" not in sampled_names()


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"no_such": 1}, "unknown assumption 'no_such'"),
    ({"wait_cap_minutes": -1}, "outside"),
    ({"wait_cap_minutes": float("nan")}, "outside"),
    ({"connector_min_count": 2.5}, "whole number"),
    ({"detour_factor": "1.3"}, "must be a number"),
])
def test_bad_values_are_one_line_errors(changes, fragment):
    with pytest.raises(InputError, match=fragment) as exc:
        Assumptions().replace(**changes)
    assert "\n" not in str(exc.value)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(InputError) as exc:
        DEFAULT.with_settings(["wait_cap=5"])
    assert "wait_cap_minutes" in str(exc.value) and "detour_factor" in str(exc.value)


def test_read_yaml_and_toml(tmp_path):
    y = tmp_path / "a.yaml"
    y.write_text("wait_cap_minutes: 10\ndetour_factor: 1.25\n", encoding="utf-8")
    t = tmp_path / "a.toml"
    t.write_text("wait_cap_minutes = 10\ndetour_factor = 1.25\n", encoding="utf-8")
    assert read_assumptions(y) == read_assumptions(t) == DEFAULT.replace(
        wait_cap_minutes=10, detour_factor=1.25)
    bad = tmp_path / "b.yaml"
    bad.write_text("wait_cap_minutes: [1, 2]\n", encoding="utf-8")
    with pytest.raises(InputError, match="must be a name and a number"):
        read_assumptions(bad)


def test_passed_explicitly_changes_the_answer(real_layers):
    base = Network(real_layers, year=2025, modes="rail")
    low = Network(real_layers, year=2025, modes="rail",
                  assumptions=DEFAULT.replace(wait_cap_minutes=5))
    j0 = base.travel_time("Hangzhou East", "Shaoxing North")
    j1 = low.travel_time("Hangzhou East", "Shaoxing North")
    w0 = sum(leg.minutes for leg in j0.legs if leg.kind == "wait")
    w1 = sum(leg.minutes for leg in j1.legs if leg.kind == "wait")
    assert w1 == pytest.approx(5.0) and w0 > w1
    assert base.G.graph["assumptions"] == DEFAULT.digest()
    assert low.G.graph["assumptions"] != base.G.graph["assumptions"]


def test_same_answer_in_a_worker_process_as_in_process(real_layers):
    from concurrent.futures import ProcessPoolExecutor

    from network.scenarios import Scenario, evaluate_many

    a = DEFAULT.replace(wait_cap_minutes=6, local_transit_speed_kmh=22)
    sc = [Scenario("headway", [{"type": "adjust_headway", "service": "hsr_hangzhou_ningbo_allstop",
                                "headway_minutes": 10}])]
    serial = evaluate_many(real_layers, sc, year=2025, modes="rail", assumptions=a)
    pooled = evaluate_many(real_layers, sc + sc, year=2025, modes="rail", assumptions=a, workers=2)
    default = evaluate_many(real_layers, sc, year=2025, modes="rail")
    assert pooled[0].population_within_hour == serial[0].population_within_hour
    assert (pooled[0].matrix == serial[0].matrix).all()
    assert (default[0].matrix != serial[0].matrix).any()  # the assumptions did travel
    with ProcessPoolExecutor(1) as pool:
        assert pool.submit(pickle.loads, pickle.dumps(a)).result() == a


def test_cli_set_and_json_record(tmp_path):
    def run(*extra):
        out = subprocess.run([sys.executable, "-m", "network", "travel-time", "Hangzhou East",
                              "Shaoxing North", "--json", *extra],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    base, low = run(), run("--set", "wait_cap_minutes=5")
    assert base["assumptions"]["values"]["wait_cap_minutes"] == 15
    assert low["assumptions"]["changed"] == {"wait_cap_minutes": 5.0}
    wait = [leg["minutes"] for leg in low["legs"] if leg["kind"] == "wait"]
    assert wait == [5.0] and low["minutes"] < base["minutes"]
    assert base["provenance"]["data_year"] == 2026


@pytest.mark.parametrize("bad", ["nope=1", "wait_cap_minutes=abc", "wait_cap_minutes"])
def test_cli_bad_set_is_exit_2(bad):
    out = subprocess.run([sys.executable, "-m", "network", "travel-time", "Hangzhou East",
                          "Shaoxing North", "--set", bad], capture_output=True, text=True)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_all_names_are_settable():
    for name in NAMES:
        value = getattr(DEFAULT, name)
        assert DEFAULT.with_settings([f"{name}={value}"]) == DEFAULT
