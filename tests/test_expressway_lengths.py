"""Expressway lengths: provenance and official corridor totals (layers/scripts/derive_expressway_lengths.py).

Offline: the script's arithmetic on synthetic segments, the shipped layer's consistency, and the
``layers check`` rule for the ``provenance`` column.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from network.layers import load_layers
from network.validate import check_layers
from tests.conftest import TINY
from tests.helpers import load_script

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dx():
    return load_script("derive_expressway_lengths")


def _rows() -> list[dict]:
    with open(ROOT / "layers" / "expressways.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_provenance_from_the_estimate_flag_and_the_stated_method(dx):
    assert dx.provenance({"estimate": "1", "source": "DERIVED x"}) == "estimate"
    assert dx.provenance({"estimate": "0", "source": "a page", "notes": ""}) == "official"
    assert dx.provenance({"estimate": "0", "source": "a page", "notes": "DERIVED from km posts"}) == "derived"


def test_section_lengths_split_joined_segments(dx):
    # a-b (10) and b-c (20) were joined through b into "p~q"; p also appears alone
    rows = [{"id": "p", "length_km": "10"}, {"id": "p~q", "length_km": "30"}]
    assert dx.section_lengths(rows) == pytest.approx({"p": 10.0, "q": 20.0})


def _seg(sid: str, a: str, b: str, km: float) -> dict:
    return {"id": sid, "from_node": a, "to_node": b, "length_km": str(km), "estimate": "1",
            "provenance": "estimate", "source": "ESTIMATE length: straight-line", "notes": ""}


def test_corridor_scaled_to_the_official_total_unless_it_cuts_a_straight_line(dx, monkeypatch):
    # three nodes 10 km apart on a line; estimates 12.5 + 12.5; official total 22 km
    pos = {"A": (120.0, 30.0), "B": (120.0 + 10 / 96.3, 30.0), "C": (120.0 + 20 / 96.3, 30.0)}
    rows = [_seg("s1", "A", "B", 12.5), _seg("s2", "B", "C", 12.5)]
    monkeypatch.setattr(dx, "CORRIDORS", {"T": (22.0, ["s1", "s2"], "test total")})
    ok, report, new = dx.scale_corridor(rows, pos, "T")
    assert ok and new == pytest.approx({"s1": 11.0, "s2": 11.0})
    assert dx.apply_corridor(rows, "T", new) == 2
    assert sum(float(r["length_km"]) for r in rows) == pytest.approx(22.0)
    assert all("official 22 km" in r["source"] and r["provenance"] == "estimate" for r in rows)
    assert dx.apply_corridor(rows, "T", new) == 0  # idempotent
    # an official total below the straight lines between the node points is refused
    monkeypatch.setattr(dx, "CORRIDORS", {"T": (15.0, ["s1", "s2"], "test total")})
    ok, report, _new = dx.scale_corridor(rows, pos, "T")
    assert not ok and "NOT applied" in report


def test_shipped_expressways_provenance_is_consistent():
    rows = _rows()
    assert rows and all(r["provenance"] in ("official", "derived", "estimate") for r in rows)
    assert all((r["estimate"] == "1") == (r["provenance"] == "estimate") for r in rows)
    # every estimate says how it was made
    assert all(r["source"].startswith("ESTIMATE") for r in rows if r["provenance"] == "estimate")


def test_shipped_ring_adds_up_to_its_official_length(dx):
    total, sections, _src = dx.CORRIDORS["G2504 Hangzhou ring"]
    parts = dx.section_lengths(_rows())
    assert sum(parts[p] for p in sections) == pytest.approx(total, abs=0.5)


def test_layers_check_rejects_a_provenance_that_disagrees_with_estimate(tmp_path):
    layers = tmp_path / "layers"
    shutil.copytree(TINY, layers)
    path = layers / "expressways.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    cols = [*rows[0].keys(), "provenance"]
    for r in rows:
        r["provenance"] = "official" if r["estimate"] == "0" else "estimate"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    assert not [p for p in check_layers(load_layers(layers)) if p.layer == "expressways"]
    rows[0]["provenance"] = "estimate"  # but estimate=0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    problems = [p for p in check_layers(load_layers(layers)) if p.layer == "expressways"]
    assert [p.field for p in problems] == ["estimate"]
