"""``hzcircle layers stats``: counts and shares of facts and estimates."""

from __future__ import annotations

import json

import pandas as pd

from network.cli import main
from network.layerstats import headway_provenance, hop_provenance, layer_stats


def test_headway_provenance_keywords():
    assert headway_provenance("ASSUMPTION: 60 min") == "assumption"
    assert headway_provenance("Derived (estimate): 56 trains") == "derived"
    assert headway_provenance("TIMETABLE 2021-01: 4 trains 07-09h") == "timetable"
    assert headway_provenance("12306 counts, official") == "official"
    assert headway_provenance(None) == "unstated"


def test_hop_provenance_falls_back_on_estimate():
    stops = pd.DataFrame({"estimate": [True, False, False], "provenance": ["", None, "timetable"]})
    assert list(hop_provenance(stops)) == ["estimate", "unclassified", "timetable"]
    assert list(hop_provenance(stops.drop(columns="provenance"))) == [
        "estimate", "unclassified", "unclassified"]


def test_tiny_layers_minutes_include_dwell_but_not_at_the_terminus(tiny_layers):
    s = layer_stats(tiny_layers)
    hsr = s["rail"]["hsr"]
    stops = tiny_layers.service_stops
    s1 = stops[stops["service_id"] == "s1"].sort_values("seq")
    # two hops of s1: 20 + 2 (dwell at b) and 20 (c is the terminus)
    assert hsr["hops"] == len(s1) - 1
    assert hsr["minutes"] == float(s1["run_minutes"].sum()) + 2.0
    assert abs(sum(hsr["hop_shares"].values()) - 1.0) < 1e-3


def test_real_layers_stats_are_consistent(real_layers):
    s = layer_stats(real_layers)
    for cls, r in s["rail"].items():
        assert r["hops"] == sum(r["hops_by_provenance"].values()), cls
        assert abs(r["minutes"] - sum(r["minutes_by_provenance"].values())) < 1.0, cls
    assert s["population"]["city_total"] == int(real_layers.cities["population_2020"].sum())
    ex = s["expressways"]
    assert abs(ex["km"] - sum(ex["km_by_provenance"].values())) < 1.0


def test_cli_layers_stats_text_and_json(capsys):
    assert main(["layers", "stats"]) == 0
    out = capsys.readouterr().out
    assert "hsr" in out and "expressways:" in out and "population 2020" in out
    assert main(["layers", "stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"rail", "headways", "expressways", "population", "provenance", "assumptions"}
    assert set(data["rail"]) == {"hsr", "conventional", "intercity", "metro"}


def test_census_2020_total_of_the_six_cities(real_layers):
    # 7th census: the six cities' published totals sum to 29,582,183; every county has a figure
    p = layer_stats(real_layers)["population"]
    assert p["missing"] == []
    assert p["county_sum"] == p["city_total"] == 29_582_183
