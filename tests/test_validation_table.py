"""Routed in-vehicle minutes against independent published times.

``layers/validation/published_times.csv`` holds published times (with sources) that are kept
apart from the values the layers are built from: none of them is a run time in
``service_stops.csv``. Each pair is routed by rail in the year of its source and the in-vehicle
minutes are compared with the published figure. The test prints the error distribution (run
``pytest -s tests/test_validation_table.py`` to see it) and asserts bounds measured on the
layers of issue 13: median absolute error 6 % (bound 10 %), every pair within 25 %.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from network import Network

TABLE = Path(__file__).resolve().parent.parent / "layers" / "validation" / "published_times.csv"


@pytest.fixture(scope="module")
def errors(real_layers):
    table = pd.read_csv(TABLE)
    nets: dict[int, Network] = {}
    rows = []
    for r in table.itertuples():
        net = nets.setdefault(r.year, Network(real_layers, year=int(r.year), modes="rail"))
        j = net.travel_time(r.origin, r.destination)
        err = (j.in_vehicle_minutes - r.published_minutes) / r.published_minutes
        rows.append({"pair": f"{r.origin}->{r.destination}", "year": r.year, "class": r._5,
                     "published": r.published_minutes,
                     "routed": round(j.in_vehicle_minutes, 1), "error": err})
    return pd.DataFrame(rows)


def test_table_is_sourced_and_independent(real_layers):
    table = pd.read_csv(TABLE)
    assert len(table) >= 8
    assert table["source"].str.startswith("http").all()
    st = set(real_layers.stations["id"])
    assert set(table["origin"]) <= st and set(table["destination"]) <= st
    # independence: no published figure is the source of a run time in the layers
    stops = real_layers.service_stops
    used = " ".join(stops.loc[stops["seq"] > 1, "source"].astype(str))  # rows with a run time
    for url in table["source"]:
        assert url not in used, url


def test_error_distribution(errors):
    with pd.option_context("display.width", 140):
        print("\n" + errors.assign(error=errors["error"].map("{:+.1%}".format)).to_string(index=False))
    a = errors["error"].abs()
    print(f"absolute error: median {a.median():.1%}, mean {a.mean():.1%}, max {a.max():.1%}; "
          f"within 10 %: {(a <= 0.10).mean():.0%}, within 15 %: {(a <= 0.15).mean():.0%}")
    assert a.median() <= 0.10
    assert a.max() <= 0.25
