#!/usr/bin/env python3
"""Derive each county's GHSL urban-centre population share into ``layers/src/zones.csv``.

Writes two columns of ``layers/src/zones.csv`` (the other columns are kept as they are):

- ``urban_centre_share``: the share of the county's population living in GHS-SMOD "urban
  centre" cells (Degree of Urbanisation class 30: contiguous 1 km cells of at least 1,500
  inhabitants/km² with at least 50,000 inhabitants), from GHS-POP/GHS-SMOD R2023A as tabulated
  per county (column ``GHSL_POP_30``);
- ``urban_centre_source``: where the value comes from, with the county codes it combines.

``network.grid`` places that share of the county's census population at the county seat and
spreads the rest (see docs/method.md, "Population within a county").

Source (a third-party checkout, read with ``git show``; nothing of it is copied here but the 44
derived numbers): ``thebamboogrove/tudigong`` (MIT) ``input/ghsl.csv``: per county (2020
codes) GHSL population ``GHSL_POP`` and its shares by Degree of Urbanisation class
(``GHSL_POP_30`` urban centre, ``_23`` dense urban cluster, ``_22`` semi-dense urban cluster,
``_21`` suburban, ``_13`` rural cluster, ``_12``/``_11`` rural, ``_10`` water).

The GHSL table uses the county codes before Hangzhou's 2021 district reform; the six districts
formed then take the ``GHSL_POP``-weighted share of the old districts they came from
(``REFORMED``; an approximation: Qiantang, for example, took only parts of old Jianggan and
Xiaoshan).

Usage::

    python layers/scripts/derive_urban_shares.py --tudigong /work/.mirror/thebamboogrove+tudigong/repo
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from pathlib import Path

LAYERS = Path(__file__).resolve().parent.parent
ZONES = LAYERS / "src" / "zones.csv"
URL = ("https://github.com/thebamboogrove/tudigong input/ghsl.csv (MIT; GHS-POP/GHS-SMOD R2023A, "
       "2020, per county: GHSL_POP_30 = share of the population in urban-centre cells)")

#: Hangzhou districts of the 2021 reform -> the pre-2021 county codes of the GHSL table
#: (https://en.hangzhou.com.cn/News/content/2021-04/12/content_7945352.html)
REFORMED = {
    "330102": ("330102", "330104"),  # new Shangcheng = old Shangcheng + old Jianggan (most)
    "330105": ("330103", "330105"),  # new Gongshu = old Xiacheng + old Gongshu
    "330110": ("330110",),           # new Yuhang: the western part of old Yuhang
    "330113": ("330110",),           # Linping: the eastern part of old Yuhang
    "330114": ("330104", "330109"),  # Qiantang: Xiasha/Baiyang (old Jianggan) + Xiaoshan towns
    "330109": ("330109",),           # Xiaoshan without the towns given to Qiantang
}


def load_ghsl(gitdir: str) -> dict[str, tuple[float, float]]:
    """county code -> (GHSL_POP, GHSL_POP_30)."""
    raw = subprocess.run(["git", "--git-dir", gitdir, "show", "HEAD:input/ghsl.csv"],
                         capture_output=True, check=True).stdout.decode("utf-8-sig")
    out = {}
    for r in csv.DictReader(io.StringIO(raw)):
        try:  # a few counties elsewhere have no value (#DIV/0!)
            out[r["CODE"]] = (float(r["GHSL_POP"]), float(r["GHSL_POP_30"]))
        except ValueError:
            continue
    return out


def urban_centre_share(code: str, ghsl: dict[str, tuple[float, float]]) -> tuple[float, str]:
    """The GHSL_POP-weighted urban-centre share of the county (or its pre-2021 parts)."""
    parts = REFORMED.get(code, (code,))
    missing = [p for p in parts if p not in ghsl]
    if missing:
        raise SystemExit(f"zone {code}: no GHSL row for {missing}")
    pop = sum(ghsl[p][0] for p in parts)
    share = sum(ghsl[p][0] * ghsl[p][1] for p in parts) / pop
    how = (f"code {code}" if parts == (code,) else
           f"pre-2021 codes {'+'.join(parts)} weighted by GHSL_POP (2021 district reform; "
           f"approximate)")
    return share, f"{URL} ; {how}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tudigong", required=True, help="git dir of thebamboogrove/tudigong")
    args = ap.parse_args(argv)
    ghsl = load_ghsl(args.tudigong)
    with open(ZONES, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        cols = list(reader.fieldnames or [])
        rows = list(reader)
    for c in ("urban_centre_share", "urban_centre_source"):
        if c not in cols:
            cols.insert(cols.index("population_source") + 1, c)
    for r in rows:
        share, src = urban_centre_share(r["code"], ghsl)
        r["urban_centre_share"], r["urban_centre_source"] = f"{share:.4f}", src
    with open(ZONES, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote urban_centre_share for {len(rows)} zones", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
