"""Exact accelerated shortest paths on large compiled graphs (customizable contraction hierarchies).

On a graph with a 10^6-edge road network spliced in, a Dijkstra from each of 44 zones costs
seconds. A contraction hierarchy answers a point-to-point query in well under a millisecond
after a one-off preprocessing, but works on integer weights. This module uses RoutingKit's
customizable contraction hierarchy (``pyroutingkit``) and keeps every answer exact:

1. weights are scaled to integer units of ``unit`` minutes and rounded **down**, so every
   hierarchy distance times ``unit`` is a *lower bound* ``L`` of the true minutes;
2. the hierarchy's path for the pair is read back and its length summed from the *float*
   weights of its arcs: ``F``, the minutes of a real path, an *upper bound*;
3. the answer ``F`` is accepted only when ``F - L <= tolerance`` (default
   :data:`TOLERANCE`); otherwise that pair is answered by a plain Dijkstra.

So an accepted answer is the length of a real path and within ``tolerance`` of the optimum
(in practice it is the same path Dijkstra finds, to the last float bits). Unreachable pairs
and pairs whose integer distance comes near the 32-bit range are answered by Dijkstra.

Temporary nodes of an overlay (:func:`network.routing.overlay`: points, station complexes)
are handled exactly without rebuilding the hierarchy: every path through the overlay splits
into temporary edges and base-graph segments between the base nodes the temporary edges
touch, so one many-to-many among those boundary nodes plus a small Dijkstra over the
temporary edges gives the lower bound, and the segments' paths give the real path.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.routing import Journey, _journey

if TYPE_CHECKING:
    from network.graph import Edge
    from network.routing import Compiled

#: Compiled graphs with at least this many edges use the hierarchy under ``engine="auto"``.
#: Not a model assumption: both engines give the same minutes (within :data:`TOLERANCE`).
AUTO_NNZ = 200_000

#: Under ``engine="auto"`` a saved hierarchy (``--hierarchy FILE.cch``) is loaded only for at
#: least this many shortest-path searches: loading it (topology and customisation) and the
#: upper-bound customisation of a matrix cost about as much as this many Dijkstra single-source
#: searches on the same graph (spliced 10^6-edge graph: 2.4-2.7 s + 1.7-1.9 s against 55-62 ms
#: a search; docs/benchmarks.md). Not a model assumption: both engines give the same minutes.
LOAD_PAYS_FROM = 75


def load_pays(searches: int) -> bool:
    """Whether loading a saved hierarchy pays for ``searches`` shortest-path searches (see
    :data:`LOAD_PAYS_FROM`)."""
    return searches >= LOAD_PAYS_FROM


#: Largest accepted gap (minutes) between the certified lower bound and the returned path.
TOLERANCE = 1e-3

#: Engines a caller can ask for.
ENGINES = ("auto", "dijkstra", "cch")

# integer distances are kept below 2**30 units (RoutingKit's infinity is 2**31 - 1)
_SPAN = float(2**30)

#: Format name and version of a saved hierarchy (:meth:`Hierarchy.save`, ``hzcircle accel build``).
FORMAT = "hzcircle-cch"
VERSION = 1

#: Suffix of a saved hierarchy file.
SUFFIX = ".cch"


def check_engine(engine: str) -> str:
    """``engine`` if it is one of :data:`ENGINES`, else a one-line InputError."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    return engine


def chosen(cache: dict, compiled: Compiled, engine: str) -> Hierarchy | None:
    """The hierarchy to use for ``compiled`` under ``engine``, or ``None`` for Dijkstra.

    ``"cch"`` builds the hierarchy if it is not in ``cache`` yet (a one-off preprocessing of
    tens of seconds on a 10^6-edge graph); ``"auto"`` uses it only when it was already built
    (:meth:`network.Network.accelerate`) and the graph has at least :data:`AUTO_NNZ` edges,
    so a single query never pays the preprocessing; ``"dijkstra"`` never.
    """
    check_engine(engine)
    if engine == "dijkstra":
        return None
    base = compiled.root if compiled.root is not None else compiled
    if engine == "cch":
        return hierarchy(cache, base)
    hit = cache.get(("cch", id(base)))
    if hit is None or hit[0] is not base or base.matrix.nnz < AUTO_NNZ:
        return None
    return hit[1]


class Hierarchy:
    """A customizable contraction hierarchy of a compiled base graph, with float weights kept.

    Build once per compiled graph (the node order by nested dissection from the node
    coordinates, then one customisation with the weights rounded down) and keep it (e.g. in
    ``Network.cache``), or :meth:`save` it to a file and :meth:`load` it in a later process:
    loading skips the ordering (the expensive part) and customises the graph's current weights.
    The metric with the weights rounded up (upper bounds, for matrices) is customised on first
    use.

    Attributes
    ----------
    unit
        Minutes per integer unit.
    digest
        :func:`graph_digest` of the graph the hierarchy was built for.
    seconds
        Preprocessing time: ``{"unit": ..., "order": ..., "customize": ...}`` (``"load"``
        instead of ``"order"`` when loaded; ``"customize_upper"`` once the upper metric is made).
    source
        The file it was loaded from (``None`` when built).
    """

    def __init__(self, compiled: Compiled) -> None:
        import time

        from pyroutingkit import CCHTopology

        self._arrays(compiled)
        t0 = time.perf_counter()
        self.unit = _unit(compiled.matrix, self.w)
        lat = np.zeros(self.n, dtype=np.float32)
        lon = np.zeros(self.n, dtype=np.float32)
        for i, name in enumerate(compiled.nodes):
            d = compiled.node_data(name)
            lat[i], lon[i] = d.get("y", 0.0) or 0.0, d.get("x", 0.0) or 0.0
        t1 = time.perf_counter()
        self.topology = CCHTopology()
        self.topology.build(self.tail, self.head, lat, lon, self.n)
        t2 = time.perf_counter()
        self.seconds = {"unit": t1 - t0, "order": t2 - t1}
        self._customize()

    def _arrays(self, compiled: Compiled) -> None:
        if compiled.root is not None:
            raise ValueError("build the hierarchy on a compiled base graph, not an overlay")
        m = compiled.matrix
        self.n = m.shape[0]
        self.tail = np.repeat(np.arange(self.n, dtype=np.uint32), np.diff(m.indptr))
        self.head = m.indices.astype(np.uint32)
        self.w = np.asarray(m.data, dtype=float)
        self.digest = graph_digest(compiled)
        graph = getattr(compiled.G, "graph", None) or {}
        #: what the graph says it is (year, modes), kept in a saved file's metadata
        self.facts = {k: graph[k] for k in ("year", "modes") if graph.get(k) is not None}
        self.source: Path | None = None
        self._upper = None

    def _customize(self) -> None:
        self.metric = self._metric(upper=False, key="customize")

    def _metric(self, *, upper: bool, key: str) -> Any:
        """A metric of the weights in integer ``unit``s, rounded down (lower bounds) or up
        (upper bounds); the float division is guarded so the rounding never goes the wrong
        way. Its customisation time goes into ``seconds[key]``."""
        import time

        from pyroutingkit import CCHMetric

        t0 = time.perf_counter()
        if upper:
            q = np.ceil(self.w / self.unit)
            q = np.where(q * self.unit < self.w, q + 1, q)
        else:
            q = np.floor(self.w / self.unit)
            q = np.maximum(np.where(q * self.unit > self.w, q - 1, q), 0)
        metric = CCHMetric(self.topology)
        metric.customize(q.astype(np.uint32))
        self.seconds[key] = time.perf_counter() - t0
        return metric

    @property
    def upper(self) -> Any:
        """The metric with the weights rounded up: its distances are upper bounds (customised
        on first use)."""
        if self._upper is None:
            self._upper = self._metric(upper=True, key="customize_upper")
        return self._upper

    def save(self, path: str | os.PathLike[str], *, metadata: dict[str, Any] | None = None
             ) -> Path:
        """Write the hierarchy's node order to ``path`` (atomically), keyed to the graph by
        :func:`graph_digest`; ``metadata`` (e.g. :func:`network.provenance.provenance` and the
        options the network was made with; the graph's year and modes by default) is kept in
        the file and named when it is refused.
        Returns the path written."""
        import tempfile

        from network._io import write_atomic

        with tempfile.TemporaryDirectory(prefix="hzcircle-cch-") as d:
            self.topology.save(d)
            order = np.fromfile(Path(d) / "order", dtype=np.uint32)
        head = {"format": FORMAT, "version": VERSION, "graph": self.digest, "nodes": self.n,
                "arcs": len(self.tail), "weights": _weights_digest(self.w), "unit": self.unit,
                "order_sha256": hashlib.sha256(order.tobytes()).hexdigest(),
                "seconds": self.seconds, "metadata": {**self.facts, **(metadata or {})}}

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as f:
                np.savez(f, head=np.array(json.dumps(head, default=str)), order=order)

        return write_atomic(path, write)

    @classmethod
    def load(cls, path: str | os.PathLike[str], compiled: Compiled) -> Hierarchy:
        """The hierarchy saved by :meth:`save` at ``path``, for the base graph ``compiled``.

        The file must have been built for this graph (same nodes and arcs, by
        :func:`graph_digest`); otherwise, or when it is unreadable or damaged, an
        :class:`~network._errors.InputError` names the fix (rebuild it). The weights may have
        changed (other assumptions): the hierarchy is customised with the graph's current
        weights, so the answers stay exact and certified.
        """
        import tempfile
        import time

        from pyroutingkit import CCHTopology

        t0 = time.perf_counter()
        head, order = _read(path)
        self = cls.__new__(cls)
        self._arrays(compiled)
        if head["graph"] != self.digest:
            raise InputError(f"{path}: hierarchy built for another graph ({_built_for(head)}; "
                             f"this network has {self.n:,} nodes and {len(self.tail):,} arcs); "
                             "rebuild it for this network with 'hzcircle accel build' and the "
                             "same --layers, --year, --modes, --roads, --gtfs options")
        if len(order) != self.n or np.any(np.bincount(order, minlength=self.n) != 1):
            raise InputError(f"{path}: damaged hierarchy file (its node order is not a "
                             "permutation of the nodes); rebuild it with 'hzcircle accel build'")
        rank = np.empty(self.n, dtype=np.uint32)
        rank[order] = np.arange(self.n, dtype=np.uint32)
        self.topology = CCHTopology()
        with tempfile.TemporaryDirectory(prefix="hzcircle-cch-") as d:
            # RoutingKit's saved topology: raw little-endian uint32 vectors, one file each
            for name, arr in (("node_count", np.array([self.n], np.uint32)), ("tail", self.tail),
                              ("head", self.head), ("order", order), ("rank", rank)):
                arr.astype("<u4").tofile(Path(d) / name)
            self.topology.load(d)
        t1 = time.perf_counter()
        same = head["weights"] == _weights_digest(self.w)
        self.unit = float(head["unit"]) if same else _unit(compiled.matrix, self.w)
        self.seconds = {"load": t1 - t0, "unit": time.perf_counter() - t1}
        self.source = Path(path)
        self._customize()
        return self

    def _lower(self, d: np.ndarray) -> np.ndarray:
        """Integer distances -> minutes (lower bounds); ``nan`` where not trusted (unreachable
        or beyond the integer span)."""
        d = np.asarray(d, dtype=float)
        return np.where(d < _SPAN, d * self.unit, np.nan)

    def lower_bounds(self, sources: np.ndarray, targets: np.ndarray, *, upper: bool = False
                     ) -> np.ndarray:
        """Lower bounds (minutes) of the distances sources x targets (base node indices), or
        upper bounds with ``upper=True``; ``nan`` where the hierarchy cannot certify
        (unreachable, or too far)."""
        if not len(sources) or not len(targets):
            return np.zeros((len(sources), len(targets)))
        metric = self.upper if upper else self.metric
        d = metric.distances_many_to_many(np.asarray(sources, np.uint32),
                                          np.asarray(targets, np.uint32))
        return self._lower(d)

    def path(self, s: int, t: int) -> tuple[float, list[int], float]:
        """``(lower bound, node path, float minutes of that path)`` from ``s`` to ``t``;
        the bound is ``nan`` where not certified."""
        if s == t:
            return 0.0, [s], 0.0
        dist, nodes, arcs = self.metric.query(int(s), int(t))
        low = float(self._lower(np.array([dist]))[0])
        if not np.isfinite(low) or not len(nodes):
            return np.nan, [], np.nan
        # summed in path order, as Dijkstra does
        minutes = float(np.cumsum(self.w[np.asarray(arcs, dtype=np.int64)])[-1])
        return low, [int(x) for x in nodes], minutes


def graph_digest(compiled: Compiled) -> str:
    """SHA-256 of a compiled base graph's arcs (node count, CSR row pointers and heads, in
    order): what a saved hierarchy is keyed to. The weights are left out: a hierarchy stays
    valid when only they change (it is customised with the current ones on load)."""
    m = compiled.matrix
    h = hashlib.sha256(f"{FORMAT} arcs {m.shape[0]} {m.nnz}".encode())
    h.update(np.ascontiguousarray(m.indptr, dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(m.indices, dtype="<i8").tobytes())
    return h.hexdigest()


def _weights_digest(w: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(w, dtype="<f8").tobytes()).hexdigest()


def _unit(m: Any, w: np.ndarray) -> float:
    """Minutes per integer unit: the largest distance through the best-connected node (out and
    back in) fits in 2**30 units; larger integer distances are sent to Dijkstra."""
    from scipy.sparse.csgraph import dijkstra

    n = m.shape[0]
    hub = int(np.argmax(np.diff(m.indptr))) if n else 0
    fwd = dijkstra(m, indices=hub)
    bwd = dijkstra(m.T.tocsr(), indices=hub)
    reach = float(np.max(fwd[np.isfinite(fwd)], initial=0.0)
                  + np.max(bwd[np.isfinite(bwd)], initial=0.0))
    return max(reach, 4.0 * float(w.max(initial=0.0)), 1e-3) / _SPAN


def _read(path: str | os.PathLike[str]) -> tuple[dict[str, Any], np.ndarray]:
    """The header and node order of a saved hierarchy; InputError when it is missing,
    unreadable, of another format or damaged."""
    fix = "rebuild it with 'hzcircle accel build'"
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such hierarchy file; make it with 'hzcircle accel build'")
    try:
        with open(path, "rb") as f:
            z = np.load(f, allow_pickle=False)
            if not isinstance(z, np.lib.npyio.NpzFile):
                raise ValueError("not an archive")
            with z:
                head = json.loads(str(z["head"][()]))
                order = np.asarray(z["order"])
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            raise ValueError("not a hierarchy")
        if head.get("version") != VERSION:
            raise InputError(f"{path}: hierarchy file of version {head.get('version')!r}, this "
                             f"hzcircle reads version {VERSION}; {fix}")
        for key, kind in (("graph", str), ("weights", str), ("order_sha256", str),
                          ("unit", float), ("nodes", int), ("arcs", int)):
            if not isinstance(head.get(key), kind):
                raise ValueError(f"no {key}")
        if order.dtype != np.uint32 or order.ndim != 1:
            raise ValueError("order")
        if hashlib.sha256(order.tobytes()).hexdigest() != head["order_sha256"]:
            raise ValueError("checksum")
    except InputError:
        raise
    except (OSError, ValueError, KeyError, EOFError, TypeError, zipfile.BadZipFile) as exc:
        what = "damaged" if isinstance(exc, ValueError) and str(exc) == "checksum" else \
            "not a readable hierarchy file"
        raise InputError(f"{path}: {what} (expected a file written by 'hzcircle accel build'); "
                         f"{fix}") from None
    if not (np.isfinite(head["unit"]) and head["unit"] > 0):
        raise InputError(f"{path}: damaged hierarchy file (bad integer unit); {fix}")
    return head, order


def _built_for(head: dict[str, Any]) -> str:
    """What a saved hierarchy was built for, in words (from its header and metadata)."""
    meta = head.get("metadata") or {}
    facts = [f"{head['nodes']:,} nodes and {head['arcs']:,} arcs"]
    for key in ("year", "modes", "roads"):
        if isinstance(meta, dict) and meta.get(key) not in (None, ""):
            facts.append(f"{key} {meta[key]}")
    return ", ".join(facts)


def hierarchy(cache: dict, compiled: Compiled, *,
              path: str | os.PathLike[str] | None = None) -> Hierarchy:
    """The hierarchy of ``compiled`` (its base graph), built once and kept in ``cache``; with
    ``path``, loaded from that file (:meth:`Hierarchy.load`) instead, replacing a kept one."""
    base = compiled.root if compiled.root is not None else compiled
    key = ("cch", id(base))
    hit = cache.get(key)
    if path is not None:
        hit = (base, Hierarchy.load(path, base))
        cache[key] = hit
    elif hit is None or hit[0] is not base:
        hit = (base, Hierarchy(base))
        cache[key] = hit
    return hit[1]


def matrix_times(h: Hierarchy, base: Compiled, sources: list[str], targets: list[str], *,
                 tolerance: float = TOLERANCE) -> np.ndarray:
    """Minutes sources x targets on the base graph, each within ``tolerance / 2`` of the
    optimum: the midpoint of the certified interval [rounded-down, rounded-up hierarchy
    distance] where it is at most ``tolerance`` wide; Dijkstra rows for the sources with any
    pair it cannot certify (unreachable or too far)."""
    from network.routing import shortest_times

    si, ti = base.node_ids(sources), base.node_ids(targets)
    low = h.lower_bounds(si, ti)
    high = h.lower_bounds(si, ti, upper=True)
    ok = np.isfinite(low) & np.isfinite(high) & (high - low <= tolerance)
    out = np.where(ok, 0.5 * (low + high), np.nan)
    redo = np.flatnonzero(np.isnan(out).any(axis=1))
    if len(redo):
        rows = shortest_times(base, [sources[r] for r in redo])[:, ti]
        out[redo] = rows
    return out


def _boundary(c: Compiled) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The temporary edges of an overlay as index arrays (``None`` when one joins two base
    nodes, which the hierarchy does not model)."""
    if c.root is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    if c._temp_uvw is None:
        return None
    u, v, w = c._temp_uvw
    return np.asarray(u, np.int64), np.asarray(v, np.int64), np.asarray(w, float)


def light_overlay(base: Compiled, edges: list[Edge], nodes: dict[str, dict]) -> Compiled | None:
    """``base`` with temporary nodes and edges for :func:`route` only: like
    :func:`network.routing.overlay` but without merging the edges into a new CSR (an O(edges)
    copy on a large graph); its ``matrix`` is the base one and must not be searched.
    ``None`` when an edge joins two base nodes or names an unknown node."""
    from network.routing import _EPS, Compiled, _Index, _Names

    if base.root is not None:
        raise ValueError("light_overlay needs a compiled base graph, not an overlay")
    if not edges:
        return base
    names = [n for n in dict.fromkeys([*nodes, *(x for e in edges for x in (e.u, e.v))])
             if n not in base.index]
    if any(n not in nodes for n in names):
        return None
    index = _Index(base.index, {n: base.n_base + i for i, n in enumerate(names)})
    u = np.array([index[e.u] for e in edges], dtype=np.int64)
    v = np.array([index[e.v] for e in edges], dtype=np.int64)
    w = np.maximum(np.array([e.minutes for e in edges], dtype=float), _EPS)
    if ((u < base.n_base) & (v < base.n_base)).any():
        return None
    out = Compiled(base.G, _Names(base.nodes, names), index, base.matrix,
                   {k: nodes[k] for k in names}, {}, base.n_base, root=base,
                   temp_edges=list(edges), part=base.part)
    out._temp_uvw = (u, v, w)
    return out


def route(h: Hierarchy, compiled: Compiled, origin: str, destination: str, *,
          tolerance: float = TOLERANCE) -> Journey | None:
    """Fastest path between two nodes of a compiled graph or overlay, through the hierarchy.

    Returns ``None`` where the answer cannot be certified within ``tolerance`` (the caller
    then runs Dijkstra): unreachable, too far for the integer span, or an overlay edge
    between two base nodes.
    """
    found = _route_nodes(h, compiled, compiled.index[origin], compiled.index[destination],
                         tolerance)
    if found is None:
        return None
    path, minutes = found
    return _journey(compiled, [compiled.nodes[i] for i in path], minutes)


def _route_nodes(h: Hierarchy, c: Compiled, s: int, t: int, tolerance: float
                 ) -> tuple[list[int], float] | None:
    from scipy.sparse.csgraph import dijkstra

    from network.routing import csr_min

    temp = _boundary(c)
    if temp is None:
        return None
    u, v, w = temp
    nb = c.n_base
    # a shortest path never re-enters its origin nor leaves its destination (weights > 0):
    # dropping those edges keeps it exact and shrinks the boundary (a point's connectors go
    # both ways)
    keep = (v != s) & (u != t)
    u, v, w = u[keep], v[keep], w[keep]
    if s < nb and t < nb and not len(u):
        low, path, minutes = h.path(s, t)
        ok = np.isfinite(low) and minutes - low <= tolerance
        return (path, minutes) if ok else None
    # small graph: temporary nodes, entry copies E of base nodes, exit copies X of base nodes
    entries = np.unique(np.concatenate([v[(u >= nb) & (v < nb)], [s] if s < nb else []]))
    exits = np.unique(np.concatenate([u[(u < nb) & (v >= nb)], [t] if t < nb else []]))
    entries, exits = entries.astype(np.int64), exits.astype(np.int64)
    n_temp = len(c.nodes) - nb
    e_at = {int(x): n_temp + k for k, x in enumerate(entries)}
    x_at = {int(x): n_temp + len(entries) + k for k, x in enumerate(exits)}
    size = n_temp + len(entries) + len(exits)

    def small(i: int, side: dict) -> int:
        return i - nb if i >= nb else side[i]

    rows, cols, ws = [], [], []
    for a, b, x in zip(u.tolist(), v.tolist(), w.tolist(), strict=True):
        rows.append(small(a, x_at))  # a base tail is left from its exit copy
        cols.append(small(b, e_at))  # a base head is entered at its entry copy
        ws.append(x)
    low = h.lower_bounds(entries, exits)  # (0, k) or (k, 0) when a side is empty
    same = entries[:, None] == exits[None, :]
    low = np.where(same, 0.0, low)
    ei, xi = np.nonzero(np.isfinite(low))
    tiny = 1e-12  # csgraph drops zero weights; subtracted again below to keep the bound
    rows += (n_temp + ei).tolist()
    cols += (n_temp + len(entries) + xi).tolist()
    ws += (low[ei, xi] + tiny).tolist()
    g = csr_min(np.array(rows, np.int64), np.array(cols, np.int64),
                np.maximum(np.array(ws, float), tiny), size)
    start, end = small(s, e_at), small(t, x_at)
    dist, pred = dijkstra(g, indices=start, return_predecessors=True)
    if not np.isfinite(dist[end]):
        return None  # unreachable, or a segment the hierarchy did not certify: Dijkstra decides
    seq = [end]
    while seq[-1] != start:
        seq.append(int(pred[seq[-1]]))
    seq.reverse()
    bound = float(dist[end]) - tiny * len(seq)
    back = {**{k: ("e", x) for x, k in e_at.items()}, **{k: ("x", x) for x, k in x_at.items()}}
    path: list[int] = []
    minutes = 0.0
    for a, b in itertools.pairwise(seq):
        if a in back and b in back and back[a][0] == "e" and back[b][0] == "x":
            _, seg, m = h.path(back[a][1], back[b][1])
            if not seg:
                return None
            path += seg[1:] if path and path[-1] == seg[0] else seg
            minutes += m
            continue
        ga = back[a][1] if a in back else a + nb
        gb = back[b][1] if b in back else b + nb
        if not path or path[-1] != ga:
            path.append(ga)
        path.append(gb)
        minutes += float(g[a, b])
    if not path:
        path = [s]
    if minutes - bound > tolerance:
        return None
    return path, minutes


__all__ = ["AUTO_NNZ", "ENGINES", "FORMAT", "SUFFIX", "TOLERANCE", "VERSION", "Hierarchy",
           "check_engine", "chosen", "graph_digest", "hierarchy", "light_overlay", "matrix_times",
           "route"]
