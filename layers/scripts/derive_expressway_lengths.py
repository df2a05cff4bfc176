#!/usr/bin/env python3
"""Expressway lengths: the ``provenance`` of every segment and official corridor totals.

Patches ``layers/expressways.csv`` in place:

- every row gets ``provenance``: ``official`` (a published length of that section),
  ``derived`` (computed from published figures by a stated method: km posts, sums or
  differences of published lengths; the row's source or notes say ``DERIVED``), or
  ``estimate`` (anything else, e.g. straight-line distance × 1.25); ``estimate`` is kept equal
  to ``provenance == "estimate"``;
- for each corridor of ``CORRIDORS`` with an official total length, the estimated sections
  are scaled so that the corridor adds up to the official total (each section keeps its share
  of the estimates, so it stays an ``estimate``; its source says so). Segments that join two
  sections through a junction without coordinates (ids ``a~b``) are split into their sections
  by least squares over all the segments that share them. A corridor is applied only when no
  scaled segment becomes shorter than 0.95 × the straight line between its node points (the
  ``layers check`` rule); otherwise it is reported and left as it is: the node points (town or
  seat points, not the interchanges) are then too far off the road for the official length.

Usage::

    python layers/scripts/derive_expressway_lengths.py          # patch and report
    python layers/scripts/derive_expressway_lengths.py --check  # report only
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

import numpy as np

LAYERS = Path(__file__).resolve().parent.parent
EXPRESSWAYS = LAYERS / "expressways.csv"
NODES = LAYERS / "src" / "road_nodes.csv"
#: the ``layers check`` rule: a segment is at least this share of the straight line
MIN_CROW_SHARE = 0.95
#: a corridor within this share of its official total is left as it is (least-squares drift and
#: lengths rounded to 0.1 km)
SETTLED = 0.003

#: corridors with a published total length: name -> (km, sections in order, source)
CORRIDORS: dict[str, tuple[float, list[str], str]] = {
    "G2504 Hangzhou ring": (
        123.0, [f"rs_g2504_0{i}" for i in range(1, 9)],
        "whole ring 123 km, https://www.163.com/dy/article/KEQ58LM80552C5PL.html"),
    "G60 Shanghai–Hangzhou, Zhejiang section Fengjing–Pengbu": (
        103.0, ["rs_g60_02", "rs_g60_03", "rs_g60_04", "rs_g60_05", "rs_g60_06", "rs_s2_01"],
        "Zhejiang section 103 km, https://zh.wikipedia.org/zh-mo/%E6%B2%AA%E6%9D%AD%E9%AB%98%E9%80%9F"
        "%E5%85%AC%E8%B7%AF"),
    "G92 Hangzhou–Ningbo, Hongken–Guzhu": (
        44.0, ["rs_g92_03", "rs_g92_04", "rs_g92_05", "rs_g92_06"],
        "Hongken–Guzhu 44 km (8-lane widening phase 1), http://www.jytf.net/team/204.html"),
    "G92 Hangzhou–Ningbo, Guzhu–Ningbo (Dazhujia)": (
        80.82, ["rs_g92_07", "rs_g92_08"],
        "Guzhu–Ningbo 80.82 km (8-lane widening phase 3, completed 2007-12-06; its Ningbo end taken "
        "as the line end at Dazhujia), https://newton.com.tw/wiki/%E6%9D%AD%E5%B7%9E%E2%80%94%E5%AF"
        "%A7%E6%B3%A2%E9%AB%98%E9%80%9F/53305505 ; http://www.jytf.net/team/204.html"),
    "G92 Hangzhou–Ningbo, Pengbu–Hongken": (
        20.88, ["rs_g92_01", "rs_g92_02"],
        "derived: the whole line Pengbu–Dazhujia 145.7 km minus Hongken–Guzhu 44 km minus "
        "Guzhu–Ningbo 80.82 km, https://newton.com.tw/wiki/%E6%9D%AD%E5%B7%9E%E2%80%94%E5%AF%A7"
        "%E6%B3%A2%E9%AB%98%E9%80%9F/53305505"),
}


def read() -> tuple[list[dict], list[str], dict[str, tuple[float, float]]]:
    with open(EXPRESSWAYS, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows, cols = list(reader), list(reader.fieldnames or [])
    sys.path.insert(0, str(LAYERS.parent))
    from network.coords import to_wgs84
    with open(NODES, encoding="utf-8", newline="") as f:
        pos = {r["id"]: to_wgs84(float(r["lon"]), float(r["lat"]), r["crs"])
               for r in csv.DictReader(f) if r["lon"] and r["lat"]}
    return rows, cols, pos


def crow_km(p: tuple[float, float], q: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*p, *q))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 6371.0088 * 2 * math.asin(math.sqrt(h))


def provenance(row: dict) -> str:
    """official / derived / estimate of one segment row (see the module docstring)."""
    if row.get("estimate") == "1":
        return "estimate"
    text = f"{row.get('source', '')} {row.get('notes', '')}"
    return "derived" if "DERIVED" in text else "official"


def section_lengths(rows: list[dict]) -> dict[str, float]:
    """Section id -> km: each segment's length is the sum of its ``~``-joined sections."""
    parts = sorted({p for r in rows for p in r["id"].split("~")})
    ix = {p: i for i, p in enumerate(parts)}
    a = np.zeros((len(rows), len(parts)))
    for k, r in enumerate(rows):
        for p in r["id"].split("~"):
            a[k, ix[p]] = 1.0
    b = np.array([float(r["length_km"]) for r in rows])
    x = np.linalg.lstsq(a, b, rcond=None)[0]
    return {p: float(x[ix[p]]) for p in parts}


def scale_corridor(rows: list[dict], pos: dict, name: str) -> tuple[bool, str, dict[str, float]]:
    """(applicable, report, new lengths by segment id) for one corridor of ``CORRIDORS``."""
    total, sections, _src = CORRIDORS[name]
    old = section_lengths(rows)
    s = sum(old[p] for p in sections)
    f = total / s
    if abs(f - 1) < SETTLED:
        return True, f"{name}: sections sum to {s:.1f} km, official {total:g} km: already applied", {}
    new: dict[str, float] = {}
    short = []
    for r in rows:
        parts = r["id"].split("~")
        if not set(parts) & set(sections):
            continue
        km = float(r["length_km"]) + sum(old[p] * (f - 1) for p in parts if p in sections)
        new[r["id"]] = km
        if r["from_node"] in pos and r["to_node"] in pos:
            c = crow_km(pos[r["from_node"]], pos[r["to_node"]])
            if km < MIN_CROW_SHARE * c:
                short.append(f"{r['id']} {km:.1f} km < straight line {c:.1f} km")
    crow = sum(crow_km(pos[a], pos[b]) for a, b in _chain(rows, sections, pos))
    report = (f"{name}: sections sum to {s:.1f} km, official {total:g} km (factor {f:.3f}); "
              f"straight lines of the segments wholly on it {crow:.1f} km")
    if short:
        report += "; NOT applied, node points off the road: " + "; ".join(short)
    return not short, report, new


def _chain(rows: list[dict], sections: list[str], pos: dict) -> list[tuple[str, str]]:
    """The node pairs of the segments wholly on a corridor (for the report)."""
    return [(r["from_node"], r["to_node"]) for r in rows
            if set(r["id"].split("~")) <= set(sections) and r["from_node"] in pos and r["to_node"] in pos]


def apply_corridor(rows: list[dict], name: str, new: dict[str, float]) -> int:
    total, _sections, src = CORRIDORS[name]
    n = 0
    for r in rows:
        if r["id"] not in new or r["provenance"] != "estimate":
            continue
        km = f"{new[r['id']]:.1f}"
        tag = f"ESTIMATE length: scaled so that the corridor {name} adds up to the official {total:g} km"
        if km == r["length_km"] and tag in r["source"]:
            continue
        old_src = r["source"].split(" ; ", 1)[1] if r["source"].startswith(tag) else r["source"]
        r["length_km"] = km
        r["source"] = (f"{tag} ({src}); each section keeps its share of the straight-line x 1.25 "
                       f"estimates ; {old_src}")
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="report only, write nothing")
    args = ap.parse_args(argv)
    rows, cols, pos = read()
    if "provenance" not in cols:
        cols.insert(cols.index("estimate") + 1, "provenance")
    for r in rows:
        r["provenance"] = provenance(r)
    changed = 0
    # corridors share joined segments, so one pass can move another corridor's total a little:
    # repeat until every corridor is settled
    for _pass in range(10):
        moved = 0
        for name in CORRIDORS:
            ok, report, new = scale_corridor(rows, pos, name)
            if _pass == 0 or new:
                print(report)
            if ok and not args.check:
                moved += apply_corridor(rows, name, new)
        changed += moved
        if not moved:
            break
    for r in rows:
        r["estimate"] = "1" if r["provenance"] == "estimate" else "0"
    km: dict[str, float] = {}
    for r in rows:
        km[r["provenance"]] = km.get(r["provenance"], 0.0) + float(r["length_km"])
    print("km by provenance:", {k: round(v, 1) for k, v in sorted(km.items())},
          f"total {sum(km.values()):.1f}; segments rescaled: {changed}")
    if not args.check:
        with open(EXPRESSWAYS, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
