"""How much of the layers is fact and how much is estimate: counts and shares by provenance.

``layer_stats(layers)`` summarises, per class of rail line (hsr, conventional, intercity,
metro):

- **hops** (consecutive stops of a service, ``service_stops`` rows after the first) and their
  **in-vehicle minutes** (``run_minutes`` plus the dwell at the stop reached, when recorded),
  by the ``provenance`` of the row (``timetable``, ``official``, ``derived``, ``estimate``);
  only hops with at least one end inside the six cities (a station with ``external=0``) count;
- **headways** of the services, by the provenance their ``headway_basis`` states (a basis
  starting ``TIMETABLE``, ``OFFICIAL``, ``DERIVED``/``Derived`` or ``ASSUMPTION``; any other
  sourced basis counts as ``official``);

and, for the road and the people:

- **expressway lengths** (km) by provenance (``estimate=1`` rows are ``estimate``; otherwise
  the ``provenance`` column when present, else ``official``);
- **population coverage**: the counties with a 2020 census figure, their sum and the sum of
  the published city totals.

Layers without a ``provenance`` column on ``service_stops`` are classified from ``estimate``
alone (``estimate`` or ``unclassified``), so the figures of older layers can be compared.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from network.layers import Layers

PROVENANCES = ("timetable", "official", "derived", "estimate")
RAIL_CLASSES = ("hsr", "conventional", "intercity", "metro")


def hop_provenance(stops: pd.DataFrame) -> pd.Series:
    """The provenance of each service_stops row: its ``provenance`` value, else from ``estimate``."""
    est = stops["estimate"].astype(bool)
    fallback = est.map({True: "estimate", False: "unclassified"})
    if "provenance" not in stops.columns:
        return fallback
    prov = stops["provenance"].where(stops["provenance"].notna() & (stops["provenance"] != ""))
    return prov.fillna(fallback).astype(str)


def headway_provenance(basis: Any) -> str:
    """Classify a ``headway_basis`` text by its leading keyword."""
    if basis is None or (isinstance(basis, float) and basis != basis) or not str(basis).strip():
        return "unstated"
    head = str(basis).strip().upper()
    for key, name in (("TIMETABLE", "timetable"), ("OFFICIAL", "official"),
                      ("DERIVED", "derived"), ("ASSUMPTION", "assumption"),
                      ("ESTIMATE", "estimate")):
        if head.startswith(key):
            return name
    return "official"


def _shares(counts: dict[str, float]) -> dict[str, float]:
    total = sum(counts.values())
    return {k: (round(v / total, 4) if total else 0.0) for k, v in counts.items()}


def _rail(layers: Layers) -> dict[str, Any]:
    st = layers.stations
    inside = set(st.loc[~st["external"].astype(bool), "id"])
    stops = layers.service_stops.sort_values(["service_id", "seq"]).copy()
    stops["prov"] = hop_provenance(stops)
    stops["prev"] = stops.groupby("service_id")["station_id"].shift(1)
    hops = stops[stops["prev"].notna()].copy()
    hops = hops[hops["station_id"].isin(inside) | hops["prev"].isin(inside)]
    classes = dict(zip(layers.services["id"], layers.services["class"], strict=True))
    hops["class"] = hops["service_id"].map(classes)
    run = pd.to_numeric(hops["run_minutes"], errors="coerce").fillna(0.0)
    dwell = pd.to_numeric(hops["dwell_minutes"], errors="coerce").fillna(0.0)
    # the dwell at the stop reached is in-vehicle time too, except at the last stop
    last = hops.groupby("service_id")["seq"].transform("max") == hops["seq"]
    hops["minutes"] = run + dwell.where(~last, 0.0)
    out: dict[str, Any] = {}
    for cls in RAIL_CLASSES:
        h = hops[hops["class"] == cls]
        n = h.groupby("prov").size().to_dict()
        m = h.groupby("prov")["minutes"].sum().round(1).to_dict()
        out[cls] = {"hops": len(h), "hops_by_provenance": {k: int(v) for k, v in n.items()},
                    "hop_shares": _shares(n), "minutes": round(float(h["minutes"].sum()), 1),
                    "minutes_by_provenance": m, "minute_shares": _shares(m)}
    return out


def _headways(layers: Layers) -> dict[str, Any]:
    sv = layers.services.copy()
    sv["prov"] = sv["headway_basis"].map(headway_provenance)
    out: dict[str, Any] = {}
    for cls in RAIL_CLASSES:
        n = sv[sv["class"] == cls].groupby("prov").size().to_dict()
        out[cls] = {"services": int(sum(n.values())),
                    "by_provenance": {k: int(v) for k, v in n.items()}, "shares": _shares(n)}
    return out


def _expressways(layers: Layers) -> dict[str, Any]:
    ex = layers.expressways
    if ex is None or not len(ex):
        return {"segments": 0, "km": 0.0, "km_by_provenance": {}, "km_shares": {}}
    prov = ex["estimate"].astype(bool).map({True: "estimate", False: "official"})
    if "provenance" in ex.columns:
        given = ex["provenance"].where(ex["provenance"].notna() & (ex["provenance"] != ""))
        prov = given.fillna(prov)
    km = ex.groupby(prov)["length_km"].sum().round(1).to_dict()
    n = ex.groupby(prov).size().to_dict()
    return {"segments": len(ex), "km": round(float(ex["length_km"].sum()), 1),
            "segments_by_provenance": {k: int(v) for k, v in n.items()},
            "km_by_provenance": km, "km_shares": _shares(km)}


def _population(layers: Layers) -> dict[str, Any]:
    z = layers.zones
    pop = pd.to_numeric(z["population_2020"], errors="coerce")
    cities_total = int(layers.cities["population_2020"].sum()) if layers.cities is not None else 0
    missing = sorted(z.loc[pop.isna(), "name"].astype(str))
    return {"counties": len(z), "with_census": int(pop.notna().sum()),
            "missing": missing, "county_sum": int(pop.sum()), "city_total": cities_total,
            "coverage": round(float(pop.sum()) / cities_total, 4) if cities_total else 0.0}


def layer_stats(layers: Layers) -> dict[str, Any]:
    """Counts and shares by provenance (see the module docstring)."""
    return {"rail": _rail(layers), "headways": _headways(layers),
            "expressways": _expressways(layers), "population": _population(layers)}


def format_stats(stats: dict[str, Any]) -> str:
    """A plain-text table of :func:`layer_stats`."""
    lines = ["rail hops and in-vehicle minutes inside the six cities, by provenance"]
    for cls, r in stats["rail"].items():
        parts = ", ".join(
            f"{k} {r['hops_by_provenance'][k]} hops ({r['hop_shares'][k]:.0%}) "
            f"{r['minutes_by_provenance'].get(k, 0):.0f} min ({r['minute_shares'].get(k, 0):.0%})"
            for k in sorted(r["hops_by_provenance"]))
        lines.append(f"  {cls:<12} {r['hops']:>4} hops {r['minutes']:>7.0f} min: {parts}")
    lines.append("headways by provenance")
    for cls, h in stats["headways"].items():
        parts = ", ".join(f"{k} {v}" for k, v in sorted(h["by_provenance"].items()))
        lines.append(f"  {cls:<12} {h['services']:>4} services: {parts}")
    e = stats["expressways"]
    parts = ", ".join(f"{k} {v:.0f} km ({e['km_shares'][k]:.0%})"
                      for k, v in sorted(e["km_by_provenance"].items()))
    lines.append(f"expressways: {e['segments']} segments, {e['km']:.0f} km: {parts}")
    p = stats["population"]
    lines.append(f"population 2020: {p['with_census']} of {p['counties']} counties with a census "
                 f"figure, {p['county_sum']:,} of {p['city_total']:,} ({p['coverage']:.2%})"
                 + (f"; missing: {', '.join(p['missing'])}" if p["missing"] else ""))
    return "\n".join(lines)
