"""Fast evaluation of many scenarios at the graph level, and in worker processes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from network.assumptions import DEFAULT, Assumptions
from network.graph import DEFAULT_MODES
from network.years import is_open

if TYPE_CHECKING:

    from network.layers import Layers
from network.scenarios.apply import apply, line_rows
from network.scenarios.spec import Scenario

# ------------------------------------------------------------------------------------------
# fast evaluation at the graph level (many variants)
# ------------------------------------------------------------------------------------------

#: Modification types the graph-level evaluator handles (others fall back to a rebuild).
FAST_TYPES = {"add_line", "adjust_headway", "remove_line"}


@dataclass
class Evaluation:
    """The headline numbers of one scenario: county matrix and population within the hour."""

    name: str
    matrix: np.ndarray  # county x county minutes (zones in layers order), inf if unreachable
    population_within_hour: float


class FastEvaluator:
    """Evaluate many scenarios against one baseline without rebuilding the graph.

    The baseline graph (with the core attached) is compiled to edge arrays once. A scenario
    made only of ``add_line`` (on existing stations), ``adjust_headway`` and ``remove_line``
    is applied at the graph level: the affected services' edges are dropped and rebuilt from
    the same row builder the layer-level :func:`apply` uses, new route nodes are appended, and
    the county matrix and the population within the hour are recomputed on the new arrays.
    Results are identical to a full rebuild (tested); other scenarios fall back to one.
    """

    def __init__(self, layers: Layers, *, year: int, modes: str = DEFAULT_MODES,
                 core: Any = None, grid: Any = None, assumptions: Assumptions = DEFAULT) -> None:
        from network.queries import Network
        from network.scorecard import hangzhou_core
        from network.surface import cell_pairs

        self.layers, self.year, self.modes = layers, year, modes
        self.assumptions = assumptions
        self.net = Network(layers, year=year, modes=modes, assumptions=assumptions)
        if core is None:
            self.core = hangzhou_core(layers)
        else:
            self.core = self.net.resolve(core) if isinstance(core, str) else core
        node, edges, nodes = self.net.attach(self.core, "from")
        G = self.net.G.copy()
        G.add_nodes_from(nodes.items())
        from network.graph import add_edges

        add_edges(G, edges)
        self.core_node = node
        self.names = list(G.nodes)
        self.index = {n: i for i, n in enumerate(self.names)}
        rows = [(self.index[a], self.index[b], d["minutes"], d.get("service") or "")
                for a, b, d in G.edges(data=True)]
        self.u = np.array([r[0] for r in rows], dtype=np.int64)
        self.v = np.array([r[1] for r in rows], dtype=np.int64)
        self.w = np.array([max(r[2], 1e-9) for r in rows])
        self.svc = np.array([r[3] for r in rows], dtype=object)
        #: common-line sets of the baseline, and which edges they made (rebuilt when a
        #: scenario touches a service: see network.graph.common_line_edges)
        self.common = self.net.G.graph.get("common_lines") if assumptions.common_lines else None
        self.is_common = np.array(["+" in s for s in self.svc], dtype=bool)
        self.zone_idx = np.array([self.index[f"zone:{c}"] for c in layers.zones["code"]])
        self.grid = grid if grid is not None else self.net.grid()
        self.pairs_f = cell_pairs(self.net, self.grid, False)
        self.pairs_r = cell_pairs(self.net, self.grid, True)
        st = layers.stations
        self.pos = dict(zip(st["id"], zip(st["lon"], st["lat"], strict=True), strict=True))
        self.open_stations = {n for n, d in self.net.G.nodes(data=True)
                              if d.get("kind") == "station"}
        self.services = {r["id"]: r for r in layers.services.to_dict("records")}
        self.stops = {sid: g.sort_values("seq").to_dict("records")
                      for sid, g in layers.service_stops.groupby("service_id")}

    def fast(self, scenario: Scenario) -> bool:
        """Whether the scenario can be evaluated at the graph level."""
        for m in scenario.modifications:
            if m["type"] not in FAST_TYPES:
                return False
            if m["type"] == "add_line" and not all(isinstance(s, str) for s in m["stops"]):
                return False
        return True

    def _common_edges(self, touched: set[str], kept: dict[str, tuple[float, list]]) -> list:
        """All common-line edges again, without the touched services' old stop pairs and with
        their new ones (as a rebuild would make them)."""
        from network.graph import add_common_line_entries, common_line_edges

        groups = {k: [x for x in v if x[0] not in touched] for k, v in (self.common or {}).items()}
        for sid, (headway, stops) in kept.items():
            add_common_line_entries(groups, sid, headway, stops)
        return common_line_edges(groups, self.pos, self.assumptions)[0]

    def _service_edges(self, scenario: Scenario) -> tuple[set[str], list]:
        from types import SimpleNamespace

        import pandas as pd

        from network.graph import service_edges, stops_open_in

        services = dict(self.services)
        stops = dict(self.stops)
        touched: set[str] = set()
        for m in scenario.modifications:
            if m["type"] == "add_line":
                service, rows = line_rows(m, list(m["stops"]), self.pos, scenario,
                                          self.assumptions)
                services[m["id"]], stops[m["id"]] = service, rows
                touched.add(m["id"])
            elif m["type"] == "adjust_headway":
                services[m["service"]] = {**services[m["service"]],
                                          "headway_minutes": float(m["headway_minutes"])}
                touched.add(m["service"])
            elif m["type"] == "remove_line":
                ids = {m["service"]} if "service" in m else {
                    k for k, v in services.items() if v["line_id"] == m["line"]}
                for k in ids:
                    services.pop(k, None)
                touched |= ids
        edges = []
        kept_by: dict[str, tuple[float, list]] = {}
        for sid in touched:
            if sid not in services:
                continue
            sv = SimpleNamespace(**services[sid])
            if not is_open(sv.opened, self.year, sv.closed):
                continue
            rows = stops[sid]
            kept = stops_open_in(_Records(rows) if sid not in self.stops else pd.DataFrame(rows),
                                 self.open_stations, self.year)
            if len(kept) >= 2:
                edges.extend(service_edges(sv, kept, self.pos, self.assumptions))
                kept_by[sid] = (float(sv.headway_minutes), kept)
        if self.common is not None and touched:
            edges.extend(self._common_edges(touched, kept_by))
        return touched, edges

    def incremental(self, scenario: Scenario) -> bool:
        """Whether the scenario only adds lines (on existing stations, with new service ids),
        so it can be evaluated against the cached baseline times (:meth:`evaluate_added`)."""
        return bool(scenario.modifications) and all(
            m["type"] == "add_line" and all(isinstance(s, str) for s in m["stops"])
            and m["id"] not in self.services for m in scenario.modifications)

    def evaluate(self, scenario: Scenario, *, incremental: bool = True) -> Evaluation:
        """County matrix and population within the hour of one scenario.

        Added lines are evaluated incrementally against the cached baseline (equal to a
        rebuild, tested); other graph-level edits re-run the searches on edited arrays; the
        rest falls back to a rebuild. ``incremental=False`` skips the first path (reference).
        """
        if incremental and self.incremental(scenario):
            return self.evaluate_added(scenario)
        if not self.fast(scenario):
            return self._rebuild(scenario)
        touched, edges = self._service_edges(scenario)
        keep = ~np.isin(self.svc, list(touched)) if touched else np.ones(len(self.u), bool)
        if touched and self.common is not None:
            keep &= ~self.is_common
        index = dict(self.index)
        nu, nv, nw = [], [], []
        for e in edges:
            for n in (e.u, e.v):
                if n not in index:
                    index[n] = len(index)
            nu.append(index[e.u])
            nv.append(index[e.v])
            nw.append(max(e.minutes, 1e-9))
        u = np.concatenate([self.u[keep], np.array(nu, dtype=np.int64)])
        v = np.concatenate([self.v[keep], np.array(nv, dtype=np.int64)])
        w = np.concatenate([self.w[keep], np.array(nw, dtype=float)])
        return self._measure(scenario.name, _csr(u, v, w, len(index)))

    # -- incremental: lines added to a cached baseline ------------------------------------

    def _baseline(self) -> dict:
        """Baseline times, computed once: from every station's arrival side to every node,
        from every node to every station, between zones, and from and to the core."""
        if getattr(self, "_base", None) is not None:
            return self._base
        from scipy.sparse.csgraph import dijkstra

        matrix = _csr(self.u, self.v, self.w, len(self.index))
        rev = matrix.T.tocsr()
        stations = sorted(self.open_stations)
        core = self.index[self.core_node]
        arr = np.array([self.index[f"{s}|arr"] for s in stations])
        dep = np.array([self.index[s] for s in stations])
        self._base = {
            "pos": {s: i for i, s in enumerate(stations)},
            "from_arr": dijkstra(matrix, directed=True, indices=arr),  # S x N
            "to_dep": dijkstra(rev, directed=True, indices=dep),  # S x N (node -> station)
            "od": dijkstra(matrix, directed=True, indices=self.zone_idx)[:, self.zone_idx],
            "fwd": dijkstra(matrix, directed=True, indices=core),
            "rev": dijkstra(rev, directed=True, indices=core),
        }
        return self._base

    def _line_closure(self, edges: list, stops: list[str], base: dict) -> np.ndarray:
        """``C[i, j]``: fastest from station ``stops[i]`` to the arrival side of ``stops[j]``
        ending on an added line, where between rides any baseline path may be taken.

        One ride (``ride[i, j]``) follows the line's chain of route nodes from a boarding
        station (a walk over the edges, each weighted as in the CSR); rides are then chained
        through the baseline (arrival side of ``j`` -> station ``i'``) to a fixed point.
        """
        out: dict[str, list[tuple[str, float]]] = {}
        for e in edges:
            out.setdefault(e.u, []).append((e.v, max(e.minutes, 1e-9)))
        at = {s: i for i, s in enumerate(stops)}
        k = len(stops)
        ride = np.full((k, k), np.inf)
        for i, s in enumerate(stops):
            todo = list(out.get(s, ()))
            while todo:  # the route nodes form chains: a walk, no queue needed
                node, t = todo.pop()
                if node.endswith("|arr") and node[:-4] in at:
                    j = at[node[:-4]]
                    ride[i, j] = min(ride[i, j], t)
                    continue
                todo.extend((v, t + w) for v, w in out.get(node, ()))
        k_idx = [base["pos"][s] for s in stops]
        hop = base["from_arr"][np.ix_(k_idx, [self.index[s] for s in stops])]
        closure = ride
        for _ in range(k):
            more = np.minimum(closure, _min_plus(_min_plus(closure, hop), ride))
            if np.array_equal(more, closure):
                break
            closure = more
        return closure

    def evaluate_added(self, scenario: Scenario) -> Evaluation:
        """Evaluate a scenario that only adds lines against the cached baseline times.

        Any trip that uses an added line boards it at one of its stops and last leaves it at
        another, so its time is (baseline to a boarding stop) + (closure over the line's stops,
        :meth:`_line_closure`) + (baseline from the alighting stop). Each time is the minimum
        of that and the baseline: the same as a Dijkstra on the rebuilt graph (tested).
        """
        base = self._baseline()
        _, edges = self._service_edges(scenario)
        stops = sorted({e.u for e in edges if e.mode == "wait"}
                       | {e.v.removesuffix("|arr") for e in edges if e.mode == "alight"})
        if not stops:
            return self._finish(scenario.name, base["od"], base["fwd"], base["rev"])
        k = [base["pos"][s] for s in stops]
        closure = self._line_closure(edges, stops, base)  # boarding stop x alighting stop
        to_dep = base["to_dep"][k]  # stop x node: node -> station
        from_arr = base["from_arr"][k]  # stop x node: arrival side -> node
        core = self.index[self.core_node]
        z = self.zone_idx
        board = _min_plus(to_dep[:, z].T, closure)  # zone x alighting stop
        od = np.minimum(base["od"], _min_plus(board, from_arr[:, z]))
        via = _min_plus(to_dep[:, [core]].T, closure)  # 1 x alighting stop
        fwd = np.minimum(base["fwd"], _min_plus(via, from_arr)[0])
        to_core = _min_plus(closure, from_arr[:, [core]])  # boarding stop x 1
        rev = np.minimum(base["rev"], _min_plus(to_dep.T, to_core)[:, 0])
        return self._finish(scenario.name, od, fwd, rev)

    def _cells(self, times: np.ndarray, reverse: bool) -> np.ndarray:
        """Cell minutes (``inf`` unreached) from node times that are never above the
        baseline's: the baseline cells, lowered only where a node's time improved (exact:
        the minimum over a cell's pairs is the same)."""
        base = self._base
        key = "cells_r" if reverse else "cells_f"
        pairs = self.pairs_r if reverse else self.pairs_f
        if key not in base:
            from network.surface import surface_from_times

            ref = base["rev" if reverse else "fwd"]
            minutes = surface_from_times(self.net, ref, grid=self.grid, reverse=reverse).minutes
            ends = np.append(pairs.starts[1:], len(pairs.node))
            pair_cell = np.repeat(pairs.cells, ends - pairs.starts)
            by_node = np.argsort(pairs.node, kind="stable")  # pairs grouped by node
            bounds = np.searchsorted(pairs.node[by_node], np.arange(len(self.index) + 1))
            base[key] = (np.where(np.isnan(minutes), np.inf, minutes), pair_cell, by_node,
                         bounds)
        minutes, pair_cell, by_node, bounds = base[key]
        old = base["rev" if reverse else "fwd"]
        better = np.flatnonzero(times[: len(old)] < old)
        out = minutes.copy()
        counts = bounds[better + 1] - bounds[better]
        if counts.sum():
            # the pairs of the improved nodes: ranges of by_node, concatenated
            first = np.repeat(bounds[better] - np.cumsum(counts) + counts, counts)
            sel = by_node[first + np.arange(counts.sum())]
            np.minimum.at(out, pair_cell[sel], times[pairs.node[sel]] + pairs.cost[sel])
        return out

    def _finish(self, name: str, od: np.ndarray, fwd: np.ndarray, rev: np.ndarray) -> Evaluation:
        within = np.fmax(self._cells(fwd, False), self._cells(rev, True)) \
            <= self.assumptions.commute_minutes
        return Evaluation(name, od, float(np.nansum(self.grid.population[within])))

    def _measure(self, name: str, matrix: Any) -> Evaluation:
        from scipy.sparse.csgraph import dijkstra

        from network.surface import surface_from_times

        d = dijkstra(matrix, directed=True, indices=self.zone_idx)
        od = d[:, self.zone_idx]
        core = self.index[self.core_node]
        fwd = dijkstra(matrix, directed=True, indices=core)
        rev = dijkstra(matrix.T.tocsr(), directed=True, indices=core)
        sf = surface_from_times(self.net, fwd, grid=self.grid)
        sr = surface_from_times(self.net, rev, grid=self.grid, reverse=True)
        within = np.fmax(sf.minutes, sr.minutes) <= self.assumptions.commute_minutes
        return Evaluation(name, od, float(np.nansum(self.grid.population[within])))

    def _rebuild(self, scenario: Scenario) -> Evaluation:
        other = FastEvaluator(apply(self.layers, scenario, assumptions=self.assumptions),
                              year=self.year, modes=self.modes, core=self.core, grid=self.grid,
                              assumptions=self.assumptions)
        return other._measure(scenario.name, _csr(other.u, other.v, other.w, len(other.index)))


class _Records(list):
    """Stop rows of a new line as a list of dicts, with the two DataFrame methods
    :func:`network.graph.stops_open_in` uses (avoids building a DataFrame per variant)."""

    def sort_values(self, key: str) -> _Records:
        return _Records(sorted(self, key=lambda r: r[key]))

    def to_dict(self, orient: str) -> list[dict]:
        assert orient == "records"
        return list(self)


def _min_plus(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``out[i, j] = min_k left[i, k] + right[k, j]`` (small dense matrices, chunked rows)."""
    out = np.empty((left.shape[0], right.shape[1]))
    step = max(1, 2_000_000 // max(1, left.shape[1] * right.shape[1]))
    for a in range(0, left.shape[0], step):
        out[a:a + step] = (left[a:a + step, :, None] + right[None, :, :]).min(axis=1)
    return out


def _csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> Any:
    """CSR of minutes with parallel edges reduced to the cheapest (as compile_graph does)."""
    from scipy.sparse import coo_matrix

    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return coo_matrix((w[first], (u[first], v[first])), shape=(n, n)).tocsr()


_WORKER: dict[str, FastEvaluator] = {}


def _init_worker(layers: Layers, year: int, modes: str, core: Any, assumptions: Assumptions) -> None:
    _WORKER["ev"] = FastEvaluator(layers, year=year, modes=modes, core=core,
                                  assumptions=assumptions)


def _evaluate_in_worker(scenario: Scenario) -> Evaluation:
    return _WORKER["ev"].evaluate(scenario)


def evaluate_many(layers: Layers, scenarios: list[Scenario], *, year: int,
                  modes: str = DEFAULT_MODES, core: Any = None, workers: int = 1,
                  assumptions: Assumptions = DEFAULT) -> list[Evaluation]:
    """Evaluate many scenarios; with ``workers > 1`` in that many processes (one evaluator
    each, built once, with the same ``assumptions``), results in the order given."""
    if workers <= 1:
        ev = FastEvaluator(layers, year=year, modes=modes, core=core, assumptions=assumptions)
        return [ev.evaluate(s) for s in scenarios]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, initializer=_init_worker,
                             initargs=(layers, year, modes, core, assumptions)) as pool:
        return list(pool.map(_evaluate_in_worker, scenarios, chunksize=16))


def evaluate_full(layers: Layers, scenario: Scenario, *, year: int, modes: str = DEFAULT_MODES,
                  core: Any = None, grid: Any = None,
                  assumptions: Assumptions = DEFAULT) -> Evaluation:
    """The same numbers as :meth:`FastEvaluator.evaluate`, by a full rebuild (for checks)."""
    ev = FastEvaluator(apply(layers, scenario, assumptions=assumptions), year=year, modes=modes,
                       core=core, grid=grid, assumptions=assumptions)
    return ev._measure(scenario.name, _csr(ev.u, ev.v, ev.w, len(ev.index)))
