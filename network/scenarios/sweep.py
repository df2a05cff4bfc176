"""Sweeps: a family of candidate scenarios expanded from one spec and evaluated in chunks.

A sweep file (YAML, UTF-8)::

    name: Huzhou - Hangzhou - Shaoxing express
    year: 2025            # optional; the layers' data year if omitted
    modes: rail           # optional
    chunk_size: 100       # variants per chunk (one task, one Parquet part)
    line:                 # an add_line modification (see network.scenarios)
      id: sweep_express
      name: Sweep express
      class: intercity
      stops: [huzhou, hangzhou_east, shaoxing_north]
      headway_minutes: 15
      speed_kmh: 160
    vary:                 # every combination of these values (the Cartesian product)
      headway_minutes: [5, 10, 15, 20, 30]
      speed_kmh: [120, 160, 200, 250]
      stops:
        - [huzhou, hangzhou_east, shaoxing_north]
        - [huzhou, deqing, hangzhou_east, shaoxing_north]

Each variant is the ``line`` with one combination of the ``vary`` values, validated as a
scenario modification; it is evaluated with :class:`~network.scenarios.FastEvaluator` (added
lines incrementally against the cached baseline). Results go to ``OUT/part-NNNNN.parquet``
one chunk at a time, each written atomically with the sweep's fingerprint, so a rerun skips
the chunks already written (an interrupted run resumes). Chunks run in this process, on a
local Dask cluster or at a scheduler address (:mod:`network._cluster`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.assumptions import DEFAULT, Assumptions
from network.graph import DEFAULT_MODES
from network.scenarios._yaml import _load_yaml
from network.scenarios.checks import _Check, _check_modification, _state
from network.scenarios.spec import Scenario, ScenarioError

if TYPE_CHECKING:
    import pandas as pd

    from network.layers import Layers

_KEYS = {"name", "description", "year", "modes", "chunk_size", "line", "vary"}


@dataclass
class Sweep:
    """A parsed sweep: the base line, the values varied, and the expanded variants."""

    name: str
    line: dict
    vary: dict[str, list]
    year: int | None = None
    modes: str = DEFAULT_MODES
    chunk_size: int = 100
    path: str = "<sweep>"
    description: str = ""
    variants: list[dict] = field(default_factory=list)

    def scenarios(self, rows: range | list[int]) -> list[Scenario]:
        return [Scenario(f"{self.name} #{i}", [self.variants[i]], hypothetical=True)
                for i in rows]

    def chunks(self) -> list[tuple[int, int]]:
        n, k = len(self.variants), self.chunk_size
        return [(a, min(a + k, n)) for a in range(0, n, k)]


def parse_sweep(text: str, layers: Layers, *, where: str = "<sweep>") -> Sweep:
    """Parse, expand and validate a sweep; raise :class:`ScenarioError` listing problems."""
    data = _load_yaml(text, where)
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a sweep is a mapping with name, line and vary")
    c = _Check(where, layers)
    for key in ("name", "line", "vary"):
        if key not in data:
            c.errors.append(f"{where}:{getattr(data, 'line', 1)}: missing field {key!r}")
    for key in sorted(set(data) - _KEYS):
        c.err(data, key, f"unknown field; allowed: {', '.join(sorted(_KEYS))}")
    line, vary = data.get("line") or {}, data.get("vary") or {}
    if not isinstance(line, dict):
        c.err(data, "line", "must be an add_line modification (a mapping)")
        line = {}
    if not isinstance(vary, dict) or not vary or not all(
            isinstance(v, list) and v for v in vary.values()):
        c.err(data, "vary", "must map field names to non-empty lists of values")
        vary = {}
    chunk = data.get("chunk_size", 100)
    if not isinstance(chunk, int) or chunk < 1:
        c.err(data, "chunk_size", "must be a positive whole number of variants")
    if c.errors:
        raise ScenarioError("\n".join(c.errors))
    base = {**{k: v for k, v in line.items()}, "type": "add_line"}
    names = list(vary)
    variants = [{**base, **dict(zip(names, combo, strict=True))}
                for combo in itertools.product(*(vary[n] for n in names))]
    state = _state(layers)
    seen: set[str] = set()
    for i, m in enumerate(variants):
        key = json.dumps(m, sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        # each variant is checked on its own against the layers (the checks record ids)
        fresh = {k: v.copy() if hasattr(v, "copy") else v for k, v in state.items()}
        _check_modification(c, _located(m, line), i, fresh)
        if len(c.errors) > 20:
            break
    if c.errors:
        raise ScenarioError("\n".join(c.errors))
    return Sweep(str(data["name"]).strip(), dict(base), {k: list(v) for k, v in vary.items()},
                 data.get("year"), str(data.get("modes", DEFAULT_MODES)), int(chunk), where,
                 str(data.get("description", "")).strip(), variants)


def _located(m: dict, line: Any) -> Any:
    """``m`` as a mapping that reports the ``line`` block's line numbers in errors."""
    from network.scenarios._yaml import _Map

    out = _Map(m)
    out.line = getattr(line, "line", 0)
    out.key_lines = dict(getattr(line, "key_lines", {}))
    return out


def read_sweep(path: str | Path, layers: Layers) -> Sweep:
    """Read a sweep file (UTF-8 YAML)."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"{p}: sweep file not found")
    return parse_sweep(p.read_text(encoding="utf-8"), layers, where=str(p))


# ------------------------------------------------------------------------------------------
# running
# ------------------------------------------------------------------------------------------


@dataclass
class SweepJob:
    """What a worker needs to evaluate chunks of a sweep; pickles to the workers."""

    layers: Layers
    sweep: Sweep
    year: int
    modes: str
    assumptions: Assumptions
    fingerprint: str


#: Per-process evaluator of a sweep, by fingerprint (built once per worker).
_EVALUATORS: dict[str, Any] = {}


def _evaluator(job: SweepJob) -> Any:
    ev = _EVALUATORS.get(job.fingerprint)
    if ev is None:
        from network.scenarios.evaluate import FastEvaluator

        _EVALUATORS.clear()
        ev = FastEvaluator(job.layers, year=job.year, modes=job.modes,
                           assumptions=job.assumptions)
        ev.baseline_eval = ev.evaluate(Scenario("baseline", []), incremental=False)
        _EVALUATORS[job.fingerprint] = ev
    return ev


def sweep_chunk(job: SweepJob, rows: tuple[int, int]) -> pd.DataFrame:
    """Evaluate variants ``rows[0]:rows[1]`` of a sweep (a task; runs on any worker)."""
    import pandas as pd

    ev = _evaluator(job)
    base = ev.baseline_eval
    out = []
    for i, sc in zip(range(*rows), job.sweep.scenarios(range(*rows)), strict=True):
        r = ev.evaluate(sc)
        saved = base.matrix - r.matrix
        fin = np.isfinite(base.matrix) & np.isfinite(r.matrix)
        row = {"variant": i}
        for k in job.sweep.vary:
            v = job.sweep.variants[i][k]
            row[k] = " ".join(map(str, v)) if isinstance(v, list) else v
        row.update({
            "population_within_hour": r.population_within_hour,
            "population_gain": r.population_within_hour - base.population_within_hour,
            "od_pairs_faster": int((saved[fin] > 1e-9).sum()),
            "od_pairs_newly_connected": int((np.isfinite(r.matrix)
                                             & ~np.isfinite(base.matrix)).sum()),
            "mean_minutes_saved": float(saved[fin].mean()) if fin.any() else 0.0,
            "max_minutes_saved": float(saved[fin].max()) if fin.any() else 0.0,
        })
        out.append(row)
    return pd.DataFrame(out)


def fingerprint(sweep: Sweep, year: int, modes: str, assumptions: Assumptions,
                layers: Layers) -> str:
    """What the results depend on: variants, year, modes, assumptions and the layers' date."""
    text = json.dumps({"variants": sweep.variants, "year": year, "modes": modes,
                       "chunk": sweep.chunk_size, "assumptions": assumptions.digest(),
                       "layers": [str(layers.path), layers.data_date]}, sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _part(out: Path, i: int) -> Path:
    return out / f"part-{i:05d}.parquet"


def _done_parts(out: Path, n: int, fp: str) -> list[int]:
    from network._io import read_metadata

    done = []
    for i in range(n):
        p = _part(out, i)
        if p.is_file():
            meta = read_metadata(p)
            if meta.get("sweep_fingerprint") != fp:
                raise InputError(f"{p} holds results of another sweep (or other assumptions); "
                                 "give a new output folder, or delete it to start over")
            done.append(i)
    return done


def run_sweep(sweep: Sweep, layers: Layers, out: str | Path, *, year: int | None = None,
              modes: str | None = None, assumptions: Assumptions = DEFAULT,
              scheduler: str | None = None, workers: int | None = 1, quiet: bool = True,
              metadata: dict | None = None) -> dict[str, Any]:
    """Evaluate every variant of ``sweep`` into ``out/part-*.parquet``, resuming a run.

    Returns a summary: variants, chunks, chunks run now, chunks found done, the folder.
    """
    from network._cluster import run_chunks
    from network._io import write_table
    from network.years import check_year, default_year

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file; give a folder for the sweep's Parquet parts")
    out.mkdir(parents=True, exist_ok=True)
    year = check_year(layers, year or sweep.year or default_year(layers))
    modes = modes or sweep.modes
    fp = fingerprint(sweep, year, modes, assumptions, layers)
    chunks = sweep.chunks()
    done = _done_parts(out, len(chunks), fp)
    meta = {**(metadata or {}), "sweep": sweep.name, "sweep_fingerprint": fp}

    def save(i: int, frame: pd.DataFrame) -> None:
        write_table(frame, _part(out, i), metadata={**meta, "chunk": i,
                                                    "variants": list(chunks[i])})

    job = SweepJob(layers, sweep, year, modes, assumptions, fp)
    ran = run_chunks(sweep_chunk, job, chunks, on_result=save, scheduler=scheduler,
                     workers=workers, label="sweep chunks", quiet=quiet, done=done)
    return {"variants": len(sweep.variants), "chunks": len(chunks), "ran": ran,
            "resumed": len(done), "folder": str(out), "year": year, "modes": modes}


def read_results(out: str | Path) -> pd.DataFrame:
    """All parts of a sweep folder as one table, by variant."""
    import pandas as pd

    parts = sorted(Path(out).glob("part-*.parquet"))
    if not parts:
        raise InputError(f"{out}: no sweep results (part-*.parquet) here")
    return pd.concat([pd.read_parquet(p) for p in parts]).sort_values("variant") \
        .reset_index(drop=True)


__all__ = ["Sweep", "parse_sweep", "read_results", "read_sweep", "run_sweep"]
