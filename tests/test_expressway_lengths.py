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


# --- session s22: published sections (stake differences), re-estimation, more corridor totals ---

def test_reestimate_follows_a_moved_node_point_once(dx):
    pos = {"A": (120.0, 30.0), "B": (120.0 + 20 / 96.3, 30.0)}  # about 20 km apart
    rows = [_seg("s1", "A", "B", 12.5)]
    rows[0]["source"] = "ESTIMATE length: straight-line 10.0 km x 1.25 between node points ; a page"
    assert dx.reestimate(rows, pos) == ["s1"]
    crow = dx.crow_km(pos["A"], pos["B"])
    assert float(rows[0]["length_km"]) == pytest.approx(crow * 1.25, abs=0.05)
    assert "was 10.0 km" in rows[0]["source"] and rows[0]["source"].endswith("a page")
    assert dx.reestimate(rows, pos) == []  # the recorded straight line now matches: idempotent
    # rows that are not estimates are never touched
    rows[0].update(provenance="official", source="straight-line 1.0 km x 1.25")
    assert dx.reestimate(rows, pos) == []


def test_published_section_sets_joined_rows_and_makes_whole_rows_official_or_derived(dx, monkeypatch):
    monkeypatch.setattr(dx, "SECTIONS", {"q": (15.0, "official", "stakes K10+000 - K25+000"),
                                         "r": (5.0, "official", "a page")})
    rows = [_seg("p", "A", "B", 10.0), _seg("p~q", "A", "C", 30.0), _seg("q", "B", "C", 20.0),
            _seg("q~r", "B", "D", 26.0)]
    changed = dx.fix_sections(rows)
    by = {r["id"]: r for r in rows}
    assert sorted(changed) == ["p~q", "q", "q~r"]
    assert by["q"]["provenance"] == "official" and float(by["q"]["length_km"]) == 15.0
    assert by["q"]["source"].startswith("stakes K10+000 - K25+000")
    assert by["q~r"]["provenance"] == "derived" and float(by["q~r"]["length_km"]) == 20.0
    assert "DERIVED" in by["q~r"]["source"]
    # p~q keeps its estimated p and takes the published q: 30 - (20 - 15)
    assert by["p~q"]["provenance"] == "estimate" and float(by["p~q"]["length_km"]) == pytest.approx(25.0)
    assert "q = 15 km published" in by["p~q"]["source"]
    assert dx.fix_sections(rows) == []  # idempotent
    assert by["p"]["length_km"] == "10.0" and by["p"]["provenance"] == "estimate"


def test_corridor_total_counts_published_sections_as_fixed(dx, monkeypatch):
    pos = {"A": (120.0, 30.0), "B": (120.0 + 10 / 96.3, 30.0), "C": (120.0 + 20 / 96.3, 30.0),
           "D": (120.0 + 30 / 96.3, 30.0)}
    rows = [_seg("s1", "A", "B", 12.5), _seg("s2", "B", "C", 12.5), _seg("s3", "C", "D", 12.0)]
    rows[2].update(provenance="official", estimate="0", source="a page")
    monkeypatch.setattr(dx, "SECTIONS", {"s3": (12.0, "official", "a page")})
    monkeypatch.setattr(dx, "CORRIDORS", {"T": (34.0, ["s1", "s2", "s3"], "test total")})
    ok, report, new = dx.scale_corridor(rows, pos, "T")
    # 34 - 12 (fixed) = 22 over the two estimated sections
    assert ok and new == pytest.approx({"s1": 11.0, "s2": 11.0}) and "12 km of it fixed" in report


def test_section_stakes_agree_with_their_lengths(dx, monkeypatch):
    assert dx.check_stakes() == []
    monkeypatch.setattr(dx, "STAKES", {"rs_s14_04": ("S14", 76.0, 96.0)})
    assert dx.check_stakes() and "20.000" in dx.check_stakes()[0]


def test_shipped_corridors_add_up_to_their_official_totals(dx):
    rows = _rows()
    parts = dx.section_lengths(rows)
    for name, (total, sections, source) in dx.CORRIDORS.items():
        assert source and "http" in source, name  # every total carries its source
        if name in dx.CHAINS:  # the segments a vehicle drives along it, end to end
            current, target = dx.chain_km(rows, name)
            assert current == pytest.approx(target, abs=0.5), name
        else:
            assert sum(parts[p] for p in sections) == pytest.approx(total, abs=0.5), name


def test_chain_scaling_targets_the_driven_segments_and_checks_the_cover(dx, monkeypatch):
    pos = {"A": (120.0, 30.0), "B": (120.0 + 10 / 96.3, 30.0), "C": (120.0 + 20 / 96.3, 30.0)}
    # a-b and b-c also exist joined (a~b, estimated end to end at 28, longer than 12.5 + 12.5)
    rows = [_seg("a", "A", "B", 12.5), _seg("b", "B", "C", 12.5), _seg("a~b", "A", "C", 28.0)]
    monkeypatch.setattr(dx, "CORRIDORS", {"T": (24.0, ["a", "b"], "test total")})
    monkeypatch.setattr(dx, "CHAINS", {"T": ["a~b"]})
    ok, _report, new = dx.scale_corridor(rows, pos, "T")
    assert ok and new["a~b"] == pytest.approx(24.0)  # the driven segment meets the total
    dx.apply_corridor(rows, "T", new)
    assert dx.chain_km(rows, "T") == pytest.approx((24.0, 24.0), abs=0.05)
    monkeypatch.setattr(dx, "CHAINS", {"T": ["a"]})  # does not cover b
    with pytest.raises(ValueError, match="cover"):
        dx.chain_km(rows, "T")


def test_shipped_published_section_is_in_every_row_that_contains_it():
    rows = {r["id"]: r for r in _rows()}
    joined = [r for i, r in rows.items() if "rs_s14_04" in i.split("~")]
    assert len(joined) == 3
    assert all("rs_s14_04 = 19 km published" in r["source"] for r in joined)


def test_rerunning_the_script_leaves_the_shipped_layer_unchanged(dx, tmp_path, monkeypatch, capsys):
    copy = tmp_path / "expressways.csv"
    shutil.copy(ROOT / "layers" / "expressways.csv", copy)
    monkeypatch.setattr(dx, "EXPRESSWAYS", copy)
    assert dx.main([]) == 0
    assert copy.read_bytes() == (ROOT / "layers" / "expressways.csv").read_bytes()
    out = capsys.readouterr().out
    assert "re-estimated (node point moved): 0" in out and "NOT applied" not in out
