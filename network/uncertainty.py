"""Uncertainty and sensitivity of the commute-circle verdicts.

Every estimated input gets a range and is drawn, seeded:

- each assumption of :func:`network.assumptions.sampled_names` from a triangular
  distribution over its plausible range (``describe()``), with its mode at the network's value;
- run minutes flagged as estimates in ``service_stops`` (``estimate = 1``): one factor per
  service within ``1 ± Assumptions.run_time_estimate_spread``;
- headways whose basis is an ``ASSUMPTION`` (``1 ± headway_assumed_spread``) or derived from
  train counts (``1 ± headway_derived_spread``): one factor per service.

Nothing is rebuilt per draw. The network's graph, with Hangzhou's core and the city cores
attached, is compiled once into edge arrays; each edge is priced by its category (ride, wait,
transfer, interchange, access, egress, drive) with the same public functions the graph builder
uses (:func:`network.graph.transit_access_minutes_array`, ``Assumptions.entry_minutes``...):
an edge's minutes are its built minutes minus its formula at the network's assumptions plus its
formula at the drawn ones. A draw at the network's own values reproduces the scorecard exactly
(tested). Common-line edges are rebuilt for every stop pair served by two or more services and
their best set of services is chosen again for each draw (drawn headways, wait cap and run
factors; a run factor scales a service's whole ride between the pair).

:func:`sample` returns per county and city core the probability of being within the threshold
and the 5/50/95 % minutes (slower direction), and the population within the hour as a range.
:func:`sensitivity` swings each input one at a time to the ends of its range and lists the
counties that flip, by how many minutes (a tornado table, :attr:`Sensitivity.table`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.assumptions import STATION_KINDS, describe, sampled_names
from network.graph import car_access_minutes_array, transit_access_minutes_array

if TYPE_CHECKING:
    from network.assumptions import Assumptions
    from network.queries import Network
    from network.scorecard import Scorecard

#: Pseudo-parameters of the layers' estimated values (swung by :func:`sensitivity`).
RUN_TIMES = "estimated run times"
HEADWAYS = "estimated headways"


def headway_class(basis: Any) -> str:
    """``assumed``, ``derived`` or ``published`` from a service's ``headway_basis`` text."""
    text = str(basis or "").lower()
    if text.startswith("assumption"):
        return "assumed"
    if text.startswith("derived") or "(estimate)" in text:
        return "derived"
    return "published"


# ------------------------------------------------------------------------------------------
# the priced edge arrays
# ------------------------------------------------------------------------------------------


@dataclass
class EdgeModel:
    """The compiled graph as edge arrays with what each edge's minutes depend on."""

    n: int
    u: np.ndarray
    v: np.ndarray
    base: np.ndarray  # minutes as built
    cat: np.ndarray  # category per edge (object array of str)
    kind_u: np.ndarray  # station kind code of u (0: none)
    kind_v: np.ndarray  # station kind code of v (0: none)
    crow_km: np.ndarray  # straight-line km of access/egress/car edges
    svc: np.ndarray  # service index per edge (-1 none)
    est: np.ndarray  # ride edge with an estimated run time
    services: list[str]
    headway: np.ndarray  # per service
    hclass: np.ndarray  # per service: assumed | derived | published
    index: dict[str, int]
    a0: Assumptions
    order: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, int))
    first: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, bool))
    f0: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, float))
    #: common lines: per stop pair served by two or more services, its wait and ride edges
    #: and its services sorted by ride (padded with -1), with their ride minutes
    group_wait_edges: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, int))
    group_ride_edges: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, int))
    group_members: np.ndarray = field(repr=False, default_factory=lambda: np.empty((0, 0), int))
    group_rides: np.ndarray = field(repr=False, default_factory=lambda: np.empty((0, 0), float))


def _station_of(node: str) -> str:
    if node.startswith("svc:"):
        return node.split(":")[4]
    return node.removesuffix("|arr")


def edge_model(net: Network, edges: list, nodes: dict) -> EdgeModel:
    """Edge arrays of ``net`` with the temporary ``edges``/``nodes`` (from ``attach``) added."""
    from network.graph import add_edges
    from network.routing import compile_graph

    # a full graph with the temporary nodes and edges (the overlay of Network.augmented does
    # not carry them in a networkx graph, and every edge is re-priced here by its attributes)
    G = net.G.copy() if net.roads is None else net.combined_graph()  # a copy either way
    G.add_nodes_from(nodes.items())
    add_edges(G, edges)
    compiled = compile_graph(G)
    layers = net.layers
    svc_ids = list(layers.services["id"])
    sidx = {s: i for i, s in enumerate(svc_ids)}
    est_flag = {(r.service_id, r.station_id): bool(r.estimate)
                for r in layers.service_stops.itertuples()}
    kinds = {n: d.get("station_kind", "") for n, d in G.nodes(data=True)}
    rows = []
    for a, b, d in G.edges(data=True):
        mode = d["mode"]
        service = d.get("service") or ""
        if "+" in service:  # common-line edges: rebuilt below for every multi-service pair
            continue
        si, est = sidx.get(service, -1), False
        cat = mode
        if mode == "interchange" and str(d.get("source", "")).startswith("security exemption"):
            cat = "interchange_exempt"
        if mode == "rail" and a.startswith("svc:"):
            direction = a.split(":")[2]
            st = _station_of(b) if direction == "f" else _station_of(a)
            est = est_flag.get((service, st), False)
        ku = kinds.get(a.removesuffix("|arr"), "") or ""
        kv = kinds.get(b, "") or ""
        rows.append((compiled.index[a], compiled.index[b], d["minutes"], cat, ku, kv,
                     d["length_km"] / net.assumptions.detour_factor, si, est))
    index = dict(compiled.index)
    members, rides, first_group = [], [], len(rows)
    common = G.graph.get("common_lines") or {} if net.assumptions.common_lines else {}
    for (s, t), lines in common.items():
        if len({x[0] for x in lines}) < 2:
            continue
        node = f"cl:{s}>{t}"
        index.setdefault(node, len(index))
        rows.append((index[s], index[node], 0.0, "group_wait", "", "", 0.0, -1, False))
        rows.append((index[node], index[f"{t}|arr"], 0.0, "group_ride", "", "", 0.0, -1, False))
        ordered = sorted(lines, key=lambda x: (x[2], x[1], x[0]))
        members.append([sidx[x[0]] for x in ordered])
        rides.append([x[2] for x in ordered])
    cols = list(zip(*rows, strict=True))
    hw = layers.services["headway_minutes"].to_numpy(float)
    model = EdgeModel(
        len(index), np.array(cols[0], np.int64), np.array(cols[1], np.int64),
        np.array(cols[2], float), np.array(cols[3], object), _codes(cols[4]),
        _codes(cols[5]), np.array(cols[6], float), np.array(cols[7], np.int64),
        np.array(cols[8], bool), svc_ids, hw,
        np.array([headway_class(b) for b in layers.services["headway_basis"]], object),
        index, net.assumptions)
    width = max((len(m) for m in members), default=0)
    model.group_members = np.array([m + [-1] * (width - len(m)) for m in members], np.int64)
    model.group_rides = np.array([r + [0.0] * (width - len(r)) for r in rides], float)
    model.group_wait_edges = np.arange(first_group, len(rows), 2, dtype=np.int64)
    model.group_ride_edges = model.group_wait_edges + 1
    ones = np.ones(len(svc_ids))
    # the common-line edges are priced entirely by the strategy: base = formula at a0
    model.f0 = _formula(model, model.a0, ones, ones)
    model.base[first_group:] = model.f0[first_group:]
    model.order = np.lexsort((model.v, model.u))
    su, sv = model.u[model.order], model.v[model.order]
    model.first = np.ones(len(su), bool)
    model.first[1:] = (su[1:] != su[:-1]) | (sv[1:] != sv[:-1])
    return model


def _strategy(m: EdgeModel, a: Assumptions, run: np.ndarray, head: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`network.graph.common_line_strategy` for every pair: the best prefix of
    the services sorted by ride (at the recorded run times; a drawn run factor scales a
    service's whole ride). Returns the wait and the ride per pair."""
    valid = m.group_members >= 0
    idx = np.where(valid, m.group_members, 0)
    f = np.where(valid, 1.0 / (m.headway[idx] * head[idx]), 0.0)
    r = m.group_rides * run[idx]
    F = np.cumsum(f, axis=1)
    W = np.cumsum(f * r, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.minimum(0.5 / F, a.wait_cap_minutes)
        ride = W / F
    cost = np.where(valid, wait + ride, np.inf)
    k = np.argmin(cost, axis=1)
    rows = np.arange(len(k))
    return wait[rows, k], ride[rows, k]


#: Station kinds by integer code (0: not a station).
_KINDS = ("", *STATION_KINDS)
_KIND_CODE = {k: i for i, k in enumerate(_KINDS)}


def _codes(kinds: list[str]) -> np.ndarray:
    return np.array([_KIND_CODE.get(k or "", 0) for k in kinds], np.int64)


def _by_kind(a: Assumptions, what: str, codes: np.ndarray) -> np.ndarray:
    """Per-kind minutes (``transfer``, ``entry``, ``exit``) looked up for kind codes."""
    fn = getattr(a, f"{what}_minutes")
    table = np.array([fn(k) if k else 0.0 for k in _KINDS])
    return table[codes]


def _formula(m: EdgeModel, a: Assumptions, run: np.ndarray, head: np.ndarray) -> np.ndarray:
    """The assumption-dependent part of every edge's minutes (0 where none)."""
    f = np.zeros(len(m.base))
    cat = m.cat
    svc = m.svc
    wait = cat == "wait"
    f[wait] = np.minimum(m.headway[svc[wait]] * head[svc[wait]] / 2.0, a.wait_cap_minutes)
    ride = (cat == "rail") & m.est
    f[ride] = m.base[ride] * (run[svc[ride]] - 1.0)
    tr = cat == "transfer"
    f[tr] = _by_kind(a, "transfer", m.kind_u[tr])
    ic = cat == "interchange"
    f[ic] = _by_kind(a, "entry", m.kind_v[ic])
    f[cat == "interchange_exempt"] = a.entry_exempt_minutes
    acc = cat == "access"
    km = m.crow_km
    f[acc] = transit_access_minutes_array(km[acc], a) + _by_kind(a, "entry", m.kind_v[acc])
    eg = cat == "egress"
    f[eg] = transit_access_minutes_array(km[eg], a) + _by_kind(a, "exit", m.kind_u[eg])
    car = (cat == "car") | (cat == "local_road")
    f[car] = (car_access_minutes_array(km[car], a) + _by_kind(a, "entry", m.kind_v[car])
              + _by_kind(a, "exit", m.kind_u[car]))  # car to/from a station: its entry/exit
    ex = cat == "expressway"
    f[ex] = m.base[ex] * (m.a0.expressway_speed_factor / a.expressway_speed_factor)
    if len(m.group_wait_edges):
        f[m.group_wait_edges], f[m.group_ride_edges] = _strategy(m, a, run, head)
    return f


def weights(m: EdgeModel, a: Assumptions, run: np.ndarray | None = None,
            head: np.ndarray | None = None) -> np.ndarray:
    """Every edge's minutes under assumptions ``a`` and per-service run/headway factors."""
    ones = np.ones(len(m.services))
    run = ones if run is None else run
    head = ones if head is None else head
    return np.maximum(m.base - m.f0 + _formula(m, a, run, head), 1e-9)


def _csr(m: EdgeModel, w: np.ndarray) -> Any:
    from scipy.sparse import csr_matrix

    ws = w[m.order]
    starts = np.flatnonzero(m.first)
    data = np.minimum.reduceat(ws, starts)
    return csr_matrix((data, (m.u[m.order][m.first], m.v[m.order][m.first])), shape=(m.n, m.n))


# ------------------------------------------------------------------------------------------
# the cells (population within the hour)
# ------------------------------------------------------------------------------------------


@dataclass
class _Cells:
    cells: np.ndarray
    starts: np.ndarray
    node: np.ndarray
    km: np.ndarray
    kind: np.ndarray  # station kind code of the node (0 for zones)
    road: np.ndarray  # node left by car only


def _cell_pairs(net: Network, m: EdgeModel, reverse: bool) -> _Cells:
    """Cell-node pairs within the egress cap, with their straight-line km (as
    :mod:`network.surface` pairs them; kept here with the km so the cost can be re-priced)."""
    from scipy.spatial import cKDTree

    from network.geo import to_metric

    a = net.assumptions
    grid = net.grid()
    wanted = ({"station"} if reverse else {"arrival"}) | {"zone", "road", "osm"}
    pts = [(m.index[n], d["x"], d["y"], d.get("station_kind") or "", d.get("kind"))
           for n, d in net.node_items() if d.get("kind") in wanted]
    idx, lons, lats, kinds, nkind = (list(c) for c in zip(*pts, strict=True))
    nx_, ny_ = to_metric(np.asarray(lons, float), np.asarray(lats, float))
    sdm = cKDTree(np.column_stack([grid.x, grid.y])).sparse_distance_matrix(
        cKDTree(np.column_stack([nx_, ny_])), a.egress_max_km * 1000.0, output_type="coo_matrix")
    order = np.argsort(sdm.row, kind="stable")
    rows, cols, km = sdm.row[order], sdm.col[order], sdm.data[order] / 1000.0
    cells, starts = np.unique(rows, return_index=True)
    return _Cells(cells, starts, np.asarray(idx)[cols], km, _codes(kinds)[cols],
                  np.isin(np.asarray(nkind, object)[cols], ["road", "osm"]))


def _cell_cost(c: _Cells, modes: str, a: Assumptions, reverse: bool) -> np.ndarray:
    transit = transit_access_minutes_array(c.km, a)
    car = car_access_minutes_array(c.km, a)
    cost = transit if modes == "rail" else car if modes == "road" else np.minimum(transit, car)
    cost = np.where(c.road, car, cost)
    return cost + _by_kind(a, "entry" if reverse else "exit", c.kind)


def _cell_minutes(c: _Cells, times: np.ndarray, cost: np.ndarray, size: int) -> np.ndarray:
    out = np.full(size, np.inf)
    if len(cost):
        out[c.cells] = np.minimum.reduceat(times[c.node] + cost, c.starts)
    return out


# ------------------------------------------------------------------------------------------
# one evaluation
# ------------------------------------------------------------------------------------------


class Evaluator:
    """Re-prices the compiled graph and answers the county reading for one set of inputs."""

    def __init__(self, net: Network, card: Scorecard) -> None:
        from network.scorecard import city_cores

        self.net, self.card = net, card
        core = card.core_place
        if core is None:
            raise InputError("uncertainty and sensitivity runs take one core place, not a core set; "
                             "give --core PLACE")
        edges, nodes, seen = [], {}, set()
        self.src, _, _ = net.attach(core, "from")
        self.dst, _, _ = net.attach(core, "to")
        for p in [core, *[c for c in city_cores(net.layers) if c is not None]]:
            for role in ("from", "to"):
                node, e, n = net.attach(p, role)
                if (node, role) in seen:
                    continue
                seen.add((node, role))
                edges += e
                nodes.update(n)
        self.model = edge_model(net, edges, nodes)
        idx = self.model.index
        self.units = [(z.id, z.name, z.city, z.kind,
                       f"zone:{z.id}" if z.kind == "county" else None) for z in card.zones]
        cores = {f"core:{c.query.lower()}": c.origin for c in city_cores(net.layers) if c is not None}
        self.unit_nodes = np.array([idx[n if n else cores[i]] for i, _, _, _, n in self.units])
        self.same = np.array([(n or cores.get(i)) == core.origin for i, _, _, _, n in self.units])
        self.cells_f = _cell_pairs(net, self.model, False)
        self.cells_r = _cell_pairs(net, self.model, True)
        grid = net.grid()
        self.pop = np.nan_to_num(grid.population)
        self.size = grid.size

    def run(self, a: Assumptions, run: np.ndarray | None = None,
            head: np.ndarray | None = None, *, population: bool = True) -> tuple[np.ndarray, float]:
        """Slower-direction minutes per unit (card order) and the population within the hour."""
        from scipy.sparse.csgraph import dijkstra

        m = self.model
        mat = _csr(m, weights(m, a, run, head))
        fwd = dijkstra(mat, directed=True, indices=m.index[self.src])
        rev = dijkstra(mat.T.tocsr(), directed=True, indices=m.index[self.dst])
        mins = np.maximum(fwd[self.unit_nodes], rev[self.unit_nodes])
        mins[self.same] = 0.0
        if not population:
            return mins, float("nan")
        cf = _cell_minutes(self.cells_f, fwd, _cell_cost(self.cells_f, self.net.modes, a, False),
                           self.size)
        cr = _cell_minutes(self.cells_r, rev, _cell_cost(self.cells_r, self.net.modes, a, True),
                           self.size)
        within = np.maximum(cf, cr) <= self.card.minutes
        return mins, float(self.pop[within].sum())


def _evaluator(net: Network, card: Scorecard) -> Evaluator:
    key = ("uncertainty_evaluator", card.core, card.minutes)
    if key not in net.cache:
        net.cache[key] = Evaluator(net, card)
    return net.cache[key]


# ------------------------------------------------------------------------------------------
# sampling
# ------------------------------------------------------------------------------------------


def _ranges(a: Assumptions) -> list[tuple[str, float, float, float]]:
    """(name, low, mode, high) of each sampled assumption; the mode is ``a``'s value, kept in
    the range."""
    out = []
    rows = {r["name"]: r for r in describe()}
    for name in sampled_names():
        r = rows[name]
        lo, hi = float(r["low"]), float(r["high"])
        out.append((name, lo, float(min(max(getattr(a, name), lo), hi)), hi))
    return out


def _service_spreads(m: EdgeModel, a: Assumptions) -> tuple[np.ndarray, np.ndarray]:
    run = np.full(len(m.services), a.run_time_estimate_spread)
    head = np.where(m.hclass == "assumed", a.headway_assumed_spread,
                    np.where(m.hclass == "derived", a.headway_derived_spread, 0.0))
    return run, head


def _tri(rng: np.random.Generator, lo: np.ndarray | float, mode: np.ndarray | float,
         hi: np.ndarray | float, size: Any = None) -> Any:
    lo, mode, hi = np.asarray(lo, float), np.asarray(mode, float), np.asarray(hi, float)
    wide = hi > lo
    draw = rng.triangular(np.where(wide, lo, 0.0), np.where(wide, mode, 0.5),
                          np.where(wide, hi, 1.0), size=size)
    return np.where(wide, draw, mode)


@dataclass
class Uncertainty:
    """The result of :func:`sample`."""

    year: int
    modes: str
    core: str
    minutes: float
    n: int
    seed: int
    rows: list[dict[str, Any]]  # per unit: id, name, city, kind, p_within, p5, p50, p95
    population: dict[str, float]  # p5, p50, p95, base
    samples: np.ndarray = field(repr=False)  # n x units minutes
    population_samples: np.ndarray = field(repr=False)
    sampled: list[str] = field(default_factory=list)

    def p_within(self, threshold: float) -> np.ndarray:
        """P(slower direction <= ``threshold``) per unit, from the samples."""
        return (self.samples <= threshold).mean(axis=0)

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "modes": self.modes, "core": self.core,
                "minutes": self.minutes, "n": self.n, "seed": self.seed,
                "sampled": self.sampled, "units": self.rows, "population_within_hour": self.population}

    def format(self) -> str:
        lines = [f"Uncertainty, {self.year}, {self.n} draws (seed {self.seed}), core {self.core}: "
                 f"P(within {self.minutes:g} min) and 5/50/95 % minutes (slower direction)", "",
                 f"  {'county / city core':<31}{'city':<11}{'P':>6}{'p5':>7}{'p50':>7}{'p95':>7}"]
        for r in sorted(self.rows, key=lambda r: (r["city"], r["kind"] != "city_core", r["name"])):
            name = f"[core] {r['name']}" if r["kind"] == "city_core" else r["name"]
            q = [("-" if x is None else f"{x:.0f}") for x in (r["p5"], r["p50"], r["p95"])]
            lines.append(f"  {name[:30]:<31}{r['city']:<11}{r['p_within']:>6.2f}"
                         + "".join(f"{x:>7}" for x in q))
        p = self.population
        lines.append("")
        lines.append(f"  population within the hour: {p['p50'] / 1e6:.2f} M "
                     f"(5-95 %: {p['p5'] / 1e6:.2f}-{p['p95'] / 1e6:.2f} M; "
                     f"at the defaults {p['base'] / 1e6:.2f} M)")
        lines.append(f"  sampled: {', '.join(self.sampled)}")
        return "\n".join(lines)


def _q(x: np.ndarray, q: float) -> float | None:
    finite = x[np.isfinite(x)]
    if len(finite) < len(x) * (1 - q / 100):  # the quantile itself is unreachable
        return None
    v = float(np.percentile(x, q, method="inverted_cdf"))
    return round(v, 1) if np.isfinite(v) else None


def sample(net: Network, *, n: int = 200, seed: int = 0, card: Scorecard | None = None,
           minutes: float | None = None) -> Uncertainty:
    """Draw ``n`` seeded samples of every estimated input and summarise the county reading.

    Parameters
    ----------
    net
        The network (its assumptions are the modes of the draws).
    n
        Number of draws (>= 1).
    seed
        Seed of :class:`numpy.random.Generator`; the same seed gives the same result.
    card
        The network's scorecard (core and threshold); computed if omitted.
    minutes
        The threshold when ``card`` is omitted.

    Raises
    ------
    InputError
        If ``n`` is below 1.
    """
    from network.scorecard import scorecard

    if int(n) < 1:
        raise InputError(f"the number of samples must be at least 1, got {n}")
    card = card or scorecard(net, minutes=minutes)
    ev = _evaluator(net, card)
    m = ev.model
    a0 = net.assumptions
    rng = np.random.default_rng(seed)
    ranges = _ranges(a0)
    run_s, head_s = _service_spreads(m, a0)
    mins = np.empty((n, len(ev.units)))
    pops = np.empty(n)
    for i in range(n):
        vals = {name: float(_tri(rng, lo, mode, hi)) for name, lo, mode, hi in ranges}
        run = _tri(rng, 1 - run_s, 1.0, 1 + run_s)
        head = _tri(rng, 1 - head_s, 1.0, 1 + head_s)
        mins[i], pops[i] = ev.run(a0.replace(**vals), run, head)
    _, base_pop = ev.run(a0)
    rows = []
    for j, (uid, name, city, kind, _) in enumerate(ev.units):
        x = mins[:, j]
        rows.append({"id": uid, "name": name, "city": city, "kind": kind,
                     "p_within": round(float((x <= card.minutes).mean()), 3),
                     "p5": _q(x, 5), "p50": _q(x, 50), "p95": _q(x, 95)})
    pop = {"p5": float(np.percentile(pops, 5)), "p50": float(np.percentile(pops, 50)),
           "p95": float(np.percentile(pops, 95)), "base": base_pop}
    return Uncertainty(card.year, card.modes, card.core, card.minutes, int(n), int(seed), rows,
                       pop, mins, pops, [*[r[0] for r in ranges], RUN_TIMES, HEADWAYS])


# ------------------------------------------------------------------------------------------
# sensitivity
# ------------------------------------------------------------------------------------------


@dataclass
class Sensitivity:
    """One-at-a-time swings: per input, its low and high end, the population within the hour
    at each, the largest change of any unit's minutes and the units that flip."""

    year: int
    core: str
    minutes: float
    base_population: float
    rows: list[dict[str, Any]]
    table: Any = field(repr=False)  # pandas DataFrame: parameter x unit (tornado data)

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "core": self.core, "minutes": self.minutes,
                "base_population_within_hour": self.base_population, "parameters": self.rows}

    def format(self) -> str:
        lines = [f"Sensitivity, {self.year}, core {self.core}: each input at the ends of its range, "
                 "others at their values (sorted by the swing in population within the hour)", "",
                 f"  {'input':<34}{'low':>8}{'high':>8}{'pop low':>10}{'pop high':>10}"
                 f"{'max dmin':>10}  flips (minutes at low/high)"]
        for r in self.rows:
            flips = "; ".join(f"{f['name']} {f['low']}/{f['high']}" for f in r["flips"]) or "-"
            lines.append(f"  {r['parameter']:<34}{r['low']:>8g}{r['high']:>8g}"
                         f"{r['population_low'] / 1e6:>9.2f}M{r['population_high'] / 1e6:>9.2f}M"
                         f"{r['max_change_minutes']:>10.1f}  {flips}")
        lines.append(f"\n  population within the hour at the values: {self.base_population / 1e6:.2f} M")
        return "\n".join(lines)


def _swings(m: EdgeModel, a0: Assumptions) -> list[tuple[str, float, float, dict, dict]]:
    """(parameter, low, high, inputs at low, inputs at high); inputs are kwargs of run()."""
    out = []
    for name, lo, _mode, hi in _ranges(a0):
        out.append((name, lo, hi, {"a": a0.replace(**{name: lo})}, {"a": a0.replace(**{name: hi})}))
    run_s, head_s = _service_spreads(m, a0)
    out.append((RUN_TIMES, -a0.run_time_estimate_spread, a0.run_time_estimate_spread,
                {"a": a0, "run": 1 - run_s}, {"a": a0, "run": 1 + run_s}))
    out.append((HEADWAYS, -a0.headway_derived_spread, a0.headway_derived_spread,
                {"a": a0, "head": 1 - head_s}, {"a": a0, "head": 1 + head_s}))
    return out


def sensitivity(net: Network, *, card: Scorecard | None = None,
                minutes: float | None = None) -> Sensitivity:
    """Swing each sampled assumption, the estimated run times and the estimated headways to
    the ends of their ranges, one at a time; list the counties that flip and by how much.

    The run-time and headway rows report the spread (a ratio) as their low/high.

    The result is a computed model result of ``net`` and is kept in ``net.cache``, keyed by
    the core, the threshold, the units of the scorecard and the digest of the network's
    assumptions (the inputs it depends on beyond the network itself): a second call (e.g. a
    second report in the same process) returns an equal copy without the 2 x (inputs) + 1
    evaluations.
    """
    import copy

    from network.scorecard import scorecard

    card = card or scorecard(net, minutes=minutes)
    key = ("sensitivity", card.core, card.minutes, tuple(z.id for z in card.zones),
           net.assumptions.digest())
    if key not in net.cache:
        net.cache[key] = _sensitivity(net, card)
    hit = net.cache[key]
    return Sensitivity(hit.year, hit.core, hit.minutes, hit.base_population,
                       copy.deepcopy(hit.rows), hit.table.copy())


def _sensitivity(net: Network, card: Scorecard) -> Sensitivity:
    """The body of :func:`sensitivity` (not cached)."""
    import pandas as pd

    ev = _evaluator(net, card)
    base, base_pop = ev.run(net.assumptions)
    limit = card.minutes
    rows, table = [], []
    for name, lo, hi, at_lo, at_hi in _swings(ev.model, net.assumptions):
        m_lo, p_lo = ev.run(**at_lo)
        m_hi, p_hi = ev.run(**at_hi)
        flips = []
        for j, (uid, uname, city, kind, _) in enumerate(ev.units):
            ok = [bool(x <= limit) for x in (base[j], m_lo[j], m_hi[j])]
            table.append({"parameter": name, "id": uid, "name": uname, "city": city, "kind": kind,
                          "minutes_low": _r(m_lo[j]), "minutes_base": _r(base[j]),
                          "minutes_high": _r(m_hi[j]), "within_low": ok[1], "within_base": ok[0],
                          "within_high": ok[2]})
            if len(set(ok)) > 1:
                flips.append({"id": uid, "name": uname, "city": city, "base": _r(base[j]),
                              "low": _r(m_lo[j]), "high": _r(m_hi[j])})
        change = np.abs(np.concatenate([m_lo - base, m_hi - base]))
        change = change[np.isfinite(change)]
        rows.append({"parameter": name, "low": lo, "high": hi, "population_low": p_lo,
                     "population_high": p_hi,
                     "max_change_minutes": round(float(change.max()) if len(change) else 0.0, 1),
                     "flips": flips})
    rows.sort(key=lambda r: -abs(r["population_high"] - r["population_low"]))
    return Sensitivity(card.year, card.core, limit, base_pop, rows, pd.DataFrame(table))


def _r(x: float) -> float | None:
    return round(float(x), 1) if np.isfinite(x) else None


#: Public alias (``network.sample_uncertainty``).
sample_uncertainty = sample
