#!/usr/bin/env python3
"""Expressway lengths: the ``provenance`` of every segment and official corridor totals.

Patches ``layers/expressways.csv`` in place:

- an ``estimate`` row whose source records a straight line (``straight-line X km x 1.25``) that
  no longer matches the straight line between its node points (a node point was moved onto the
  road) is re-estimated from the current points before anything else;
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
  seat points, not the interchanges) are then too far off the road for the official length;
- each section of ``SECTIONS`` (a published length of one section between two nodes, or the
  difference of two official stake numbers ``K123+456`` on one route) is set to that length in
  every segment containing it; a segment made only of such sections becomes ``official`` (one
  section) or ``derived`` (a sum); a corridor total counts them as fixed and scales only the
  remaining estimated sections;
- a corridor with a driven chain in ``CHAINS`` (the segments a vehicle drives along it, end to
  end) is scaled so that this chain adds up to the official total, not the least-squares sum of
  its sections (a segment joined through a junction without coordinates is estimated end to
  end, so the two differ).

The report ends with the network km (each section once) by how its length is known
(:func:`network_km`).

Usage::

    python layers/scripts/derive_expressway_lengths.py          # patch and report
    python layers/scripts/derive_expressway_lengths.py --check  # report only
"""

from __future__ import annotations

import argparse
import csv
import re
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
    "S14 Hangchang phase 2, Zijingang–Ancheng": (
        65.946, ["rs_s14_01", "rs_s14_02", "rs_s14_03"],
        "phase 2 from the ring north section K87+360 (Zijingang) to Ancheng, 65.946 km (43.381 km "
        "in Hangzhou, 22.565 km in Anji); Huzhou Communications Investment Group project page, "
        "mirrored at http://miaoshashuxue.com/1534815547495604225.html; zh.wikipedia 杭長宜高速公路"),
    "G9903 west ring, Xinshi–Zhibu": (
        149.0, [f"rs_g9903w_0{i}" for i in range(1, 6)],
        "杭州绕城西复线 Xinshi junction – Zhibu junction 全长149 km, zh.wikipedia "
        "杭州都市圈環線高速公路 (https://zh.wikipedia.org/zh-mo/%E6%9D%AD%E5%B7%9E%E9%83%BD%E5%B8%82"
        "%E5%9C%88%E7%8E%AF%E7%BA%BF%E9%AB%98%E9%80%9F%E5%85%AC%E8%B7%AF)"),
    "S13 Lianhang, Lianshi–Chongxian": (
        52.0, ["rs_s13_01", "rs_s13_02"],
        "练杭高速 Lianshi junction – Chongxian junction (Hangzhou ring) 全长52公里, "
        "https://qwjyg.com/shxbk/7qo5my.html"),
    "G25 Hangqian main line, Yuanpu–Shouchang": (
        132.0, ["rs_g25_01", "rs_g25_02", "rs_g25_03", "rs_g25_04", "rs_g25_05"],
        "杭千高速 main line 杭州袁浦 – 建德寿昌 长132公里 (encyclopedia entry 杭千高速 whose address the "
        "search tool did not return); 杭新景高速 杭州市境内约为132公里, "
        "https://www.lzhsoft.com.cn/resources/51422.html"),
    "G56 Hanghui/Huihang, Hangzhou ring (Liuxia)–Tunxi": (
        230.0, [f"rs_g56_0{i}" for i in range(1, 8)],
        "Tunxi – Hangzhou ring 230 km in all (Anhui section 81.7 km; the Zhejiang/Anhui split is not "
        "applied because the only segment across Yulingguan joins both sides), opening reports "
        "cited on the G56 rows: http://www.hs171.com/News/Show.asp?id=163; "
        "http://qjwb.thehour.cn/html/2006-01/12/content_4373.htm; "
        "http://news.sina.com.cn/c/2004-10-02/11153824211s.shtml"),
    "G60 Hangjinqu, Hongken (K0) – Yiwu (K103+195)": (
        103.195, ["rs_g60hjq_01", "rs_g60hjq_02", "rs_g60hjq_03"],
        "stake difference: Hangjinqu starts at Hongken at K0+000 (cbi360: K0+000 - K290+535) and the "
        "Yiwu port expressway leaves it at K103+195 next to the Yiwu exit (2016 item cited on "
        "rs_g60hjq_04), https://www.cbi360.net/hyjd/20160912/51244.html; the Yiwu end is "
        "approximate (an exit 'near' a stake)"),
}


#: the segments a vehicle drives along a corridor, end to end (each section once): where given, the
#: corridor is scaled so that these add up to the official total (segments joined through a
#: junction without coordinates are estimated end to end, so their sum can differ from the
#: least-squares sum of the sections)
CHAINS: dict[str, list[str]] = {
    "G2504 Hangzhou ring": ["rs_g2504_01", "rs_g2504_02", "rs_g2504_03", "rs_g2504_04~rs_g2504_05",
                            "rs_g2504_06", "rs_g2504_07", "rs_g2504_08"],
    "G60 Shanghai–Hangzhou, Zhejiang section Fengjing–Pengbu": [
        "rs_g60_02", "rs_g60_03", "rs_g60_04~rs_g60_05", "rs_g60_06", "rs_s2_01"],
    "S14 Hangchang phase 2, Zijingang–Ancheng": ["rs_s14_01~rs_s14_02", "rs_s14_03~rs_s14_04"],
    "G9903 west ring, Xinshi–Zhibu": ["rs_g9903w_01", "rs_g9903w_02~rs_g9903w_03~rs_g9903w_04",
                                      "rs_g9903w_05"],
    "S13 Lianhang, Lianshi–Chongxian": ["rs_s13_01", "rs_s13_02"],
    "G25 Hangqian main line, Yuanpu–Shouchang": ["rs_g25_01", "rs_g25_02", "rs_g25_03~rs_g25_04",
                                                 "rs_g25_05"],
    "G56 Hanghui/Huihang, Hangzhou ring (Liuxia)–Tunxi": [
        "rs_g56_01~rs_g56_02", "rs_g56_03", "rs_g56_04~rs_g56_05", "rs_g56_06", "rs_g56_07"],
}

#: sections with a published length or a stake difference: section id -> (km, provenance, source)
SECTIONS: dict[str, tuple[float, str, str]] = {
    "rs_s14_04": (
        19.0, "official",
        "S14 Hangchang phase 1 Ancheng (stake K76+000) - Si'an junction with G50 (stake K95+000), "
        "19 km; Huzhou Communications Investment Group project page, mirrored at "
        "http://miaoshashuxue.com/1534815547495604225.html; also zh.wikipedia 杭長宜高速公路 "
        "(一期安吉安城至長興泗安段全長19公里)"),
}

#: the km posts of the sections above, to check them: section id -> (route, from stake km, to stake km)
STAKES: dict[str, tuple[str, float, float]] = {
    "rs_s14_04": ("S14 phase 1", 76.0, 95.0),
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
    """Straight-line km between two (lon, lat) points (the package's great circle)."""
    from network.geo import haversine_km

    return haversine_km(*p, *q)


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
    fixed = sum(SECTIONS[p][0] for p in sections if p in SECTIONS)
    free = [p for p in sections if p not in SECTIONS]
    s = sum(old[p] for p in free)
    f = (total - fixed) / s
    what = f"sections sum to {s + fixed:.1f} km"
    if name in CHAINS:
        current, target = chain_km(rows, name)
        f = 1 + (target - current) / s
        what = f"the segments a vehicle drives along it sum to {current:.1f} km (target {target:g})"
    if abs(f - 1) < SETTLED:
        return True, f"{name}: {what}, official {total:g} km: already applied", {}
    new: dict[str, float] = {}
    short = []
    for r in rows:
        parts = r["id"].split("~")
        if not set(parts) & set(free):
            continue
        km = float(r["length_km"]) + sum(old[p] * (f - 1) for p in parts if p in free)
        new[r["id"]] = km
        if r["from_node"] in pos and r["to_node"] in pos:
            c = crow_km(pos[r["from_node"]], pos[r["to_node"]])
            if km < MIN_CROW_SHARE * c:
                short.append(f"{r['id']} {km:.1f} km < straight line {c:.1f} km")
    crow = sum(crow_km(pos[a], pos[b]) for a, b in _chain(rows, sections, pos))
    report = (f"{name}: {what}, official {total:g} km "
              f"({fixed:g} km of it fixed sections; factor {f:.3f} on the others); "
              f"straight lines of the segments wholly on it {crow:.1f} km")
    if short:
        report += "; NOT applied, node points off the road: " + "; ".join(short)
    return not short, report, new


def chain_km(rows: list[dict], name: str) -> tuple[float, float]:
    """(current km, target km) of the segments of ``CHAINS[name]``: the corridor's official total
    plus the published sections the chain's joined segments carry beyond the corridor."""
    total, sections, _src = CORRIDORS[name]
    by = {r["id"]: r for r in rows}
    parts = [p for i in CHAINS[name] for p in i.split("~")]
    extra = [p for p in parts if p not in sections]
    if (len(parts) != len(set(parts)) or not set(sections) <= set(parts)
            or any(p not in SECTIONS for p in extra)):
        raise ValueError(f"CHAINS[{name!r}] must cover each section of the corridor once "
                         "(plus published sections only)")
    current = sum(float(by[i]["length_km"]) for i in CHAINS[name])
    return current, total + sum(SECTIONS[p][0] for p in extra)


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
        old_src = (r["source"].split("x 1.25 estimates ; ", 1)[1] if r["source"].startswith(tag)
                   else r["source"])
        r["length_km"] = km
        r["source"] = (f"{tag} ({src}); each section keeps its share of the straight-line x 1.25 "
                       f"estimates ; {old_src}")
        n += 1
    return n


_STRAIGHT = re.compile(r"straight-line (\d+(?:\.\d+)?) km x 1\.25")


def _base_source(source: str) -> str:
    """A row's source without the ``ESTIMATE length: ...`` chunks (the references only)."""
    return " ; ".join(c for c in source.split(" ; ")
                      if not c.startswith("ESTIMATE length") and "each section keeps its share" not in c)


def reestimate(rows: list[dict], pos: dict) -> list[str]:
    """Re-estimate (straight line x 1.25) every ``estimate`` row whose recorded straight line no
    longer matches its node points; returns the ids changed."""
    changed = []
    for r in rows:
        if r["provenance"] != "estimate" or r["from_node"] not in pos or r["to_node"] not in pos:
            continue
        found = _STRAIGHT.findall(r["source"])
        crow = crow_km(pos[r["from_node"]], pos[r["to_node"]])
        if not found or abs(float(found[-1]) - crow) < 0.05:
            continue
        r["length_km"] = f"{crow * 1.25:.1f}"
        r["source"] = (f"ESTIMATE length: straight-line {crow:.1f} km x 1.25 between node points "
                       f"(re-estimated: node point moved, was {found[-1]} km) ; {_base_source(r['source'])}")
        changed.append(r["id"])
    return changed


def check_stakes() -> list[str]:
    """Sections whose stake difference disagrees with their length (must be empty)."""
    return [f"{p}: stakes give {b - a:.3f} km, section {SECTIONS[p][0]:g} km"
            for p, (_route, a, b) in STAKES.items() if abs((b - a) - SECTIONS[p][0]) > 0.001]


def fix_sections(rows: list[dict]) -> list[str]:
    """Set the sections of ``SECTIONS`` in every ``estimate`` row containing them; returns the ids
    changed. A row made only of such sections takes their (summed) length and becomes ``official``
    (one section) or ``derived`` (several); a row with other sections too stays an estimate and
    moves by the difference between the published and the estimated section."""
    old = section_lengths(rows)
    changed = []
    for r in rows:
        parts = r["id"].split("~")
        fixed = [p for p in parts if p in SECTIONS]
        if not fixed or r["provenance"] != "estimate":
            continue
        if len(fixed) == len(parts):
            km = sum(SECTIONS[p][0] for p in parts)
            refs = " ; ".join(SECTIONS[p][2] for p in parts)
            if len(parts) == 1:
                r["provenance"] = SECTIONS[parts[0]][1]
                r["source"] = f"{refs} ; {_base_source(r['source'])}"
            else:
                r["provenance"] = "derived"
                r["source"] = (f"DERIVED: sum of the published sections {' + '.join(parts)} ; {refs} ; "
                               f"{_base_source(r['source'])}")
            r["length_km"] = f"{km:g}"
            changed.append(r["id"])
            continue
        tag = ("ESTIMATE length: section(s) " + ", ".join(f"{p} = {SECTIONS[p][0]:g} km" for p in fixed)
               + " published, the rest estimated")
        if tag in r["source"]:
            continue
        km = float(r["length_km"]) + sum(SECTIONS[p][0] - old[p] for p in fixed)
        r["length_km"] = f"{km:.1f}"
        refs = " ; ".join(SECTIONS[p][2] for p in fixed)
        r["source"] = f"{tag} ({refs}) ; {r['source']}"
        changed.append(r["id"])
    return changed


def network_km(rows: list[dict]) -> dict[str, float]:
    """Network km (each section once, joined segments split by :func:`section_lengths`) by how
    its length is known: ``official`` / ``derived`` (a section of ``SECTIONS`` or of a row with
    that provenance), ``estimate, sourced corridor total`` (a section of ``CORRIDORS``: its own
    length is an estimate, the corridor's sum is published) or ``estimate``."""
    sections = {**section_lengths(rows), **{p: v[0] for p, v in SECTIONS.items()}}
    known: dict[str, str] = {p: v[1] for p, v in SECTIONS.items()}
    for r in rows:
        if r["provenance"] != "estimate":
            for p in r["id"].split("~"):
                known.setdefault(p, r["provenance"])
    in_corridor = {p for _t, secs, _s in CORRIDORS.values() for p in secs}
    out: dict[str, float] = {}
    for p, km in sections.items():
        cls = known.get(p) or ("estimate, sourced corridor total" if p in in_corridor else "estimate")
        out[cls] = out.get(cls, 0.0) + km
    return {k: round(v, 1) for k, v in sorted(out.items())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="report only, write nothing")
    args = ap.parse_args(argv)
    rows, cols, pos = read()
    if "provenance" not in cols:
        cols.insert(cols.index("estimate") + 1, "provenance")
    for r in rows:
        r["provenance"] = provenance(r)
    bad = check_stakes()
    if bad:
        raise SystemExit("stake differences disagree with SECTIONS: " + "; ".join(bad))
    moved_ids = reestimate(rows, pos)
    print(f"re-estimated (node point moved): {len(moved_ids)} {moved_ids}")
    fixed_ids = fix_sections(rows)
    print(f"published sections set: {len(fixed_ids)} {fixed_ids}")
    changed = len(moved_ids) + len(fixed_ids)
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
    net = network_km(rows)
    print("network km (each section once) by how it is known:", net, f"total {sum(net.values()):.1f}")
    if not args.check:
        from network._io import write_atomic

        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
                w.writeheader()
                w.writerows(rows)

        write_atomic(EXPRESSWAYS, write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
