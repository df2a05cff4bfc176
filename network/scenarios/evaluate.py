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
        for sid in touched:
            if sid not in services:
                continue
            sv = SimpleNamespace(**services[sid])
            if not is_open(sv.opened, self.year, sv.closed):
                continue
            kept = stops_open_in(pd.DataFrame(stops[sid]), self.open_stations, self.year)
            if len(kept) >= 2:
                edges.extend(service_edges(sv, kept, self.pos, self.assumptions))
        return touched, edges

    def evaluate(self, scenario: Scenario) -> Evaluation:
        """County matrix and population within the hour of one scenario."""
        if not self.fast(scenario):
            return self._rebuild(scenario)
        touched, edges = self._service_edges(scenario)
        keep = ~np.isin(self.svc, list(touched)) if touched else np.ones(len(self.u), bool)
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
