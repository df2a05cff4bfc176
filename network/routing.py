"""Fast shortest paths on the built graph: compile to a sparse matrix, run Dijkstra, read legs.

networkx is kept for inspection and interop; routing uses ``scipy.sparse.csgraph`` on a CSR
matrix where parallel edges are reduced to their minimum.

Temporary places (points, station complexes) are attached with :func:`overlay`: their few
edges are merged into the compiled arrays of the base graph, and the networkx graph is never
copied. Leg reading looks up edge data in the overlay first, then in the base graph.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import UnreachableError
from network.graph import RIDE_MODES

if TYPE_CHECKING:
    import networkx as nx
    from scipy.sparse import csr_matrix

    from network.graph import Edge

#: Zero-cost edges (alighting) get this tiny weight: csgraph would drop explicit zeros.
_EPS = 1e-9


class _Index(Mapping):
    """Node name -> index of an overlay: the base index, then the temporary nodes."""

    def __init__(self, base: Mapping[str, int], extra: dict[str, int]) -> None:
        self.base, self.extra = base, extra

    def __getitem__(self, key: str) -> int:
        hit = self.extra.get(key)
        return self.base[key] if hit is None else hit

    def __contains__(self, key: object) -> bool:
        return key in self.extra or key in self.base

    def __iter__(self) -> Iterator[str]:
        yield from self.base
        yield from self.extra

    def __len__(self) -> int:
        return len(self.base) + len(self.extra)


class _Names(Sequence):
    """Index -> node name of an overlay: the base names, then the temporary nodes."""

    def __init__(self, base: Sequence[str], extra: list[str]) -> None:
        self.base, self.extra = base, extra

    def __getitem__(self, i):  # type: ignore[override]
        n = len(self.base)
        return self.base[i] if i < n else self.extra[i - n]

    def __len__(self) -> int:
        return len(self.base) + len(self.extra)


class _PartIndex(Mapping):
    """Node name -> index of a graph with appended arrays (:func:`splice_arrays`): the base
    index, then the part's nodes (looked up by the part, no dict of its names)."""

    def __init__(self, base: Mapping[str, int], part: Any, n0: int) -> None:
        self.base, self.part, self.n0 = base, part, n0

    def __getitem__(self, key: str) -> int:
        hit = self.base.get(key)
        if hit is not None:
            return hit
        i = self.part.local(key)
        if i is None:
            raise KeyError(key)
        return self.n0 + i

    def __contains__(self, key: object) -> bool:
        return key in self.base or self.part.local(key) is not None

    def __iter__(self) -> Iterator[str]:
        yield from self.base
        for i in range(self.part.n_nodes):
            yield self.part.name(i)

    def __len__(self) -> int:
        return len(self.base) + self.part.n_nodes


class _PartNames(Sequence):
    """Index -> node name of a graph with appended arrays; part names made on demand."""

    def __init__(self, base: Sequence[str], part: Any) -> None:
        self.base, self.part = base, part

    def __getitem__(self, i):  # type: ignore[override]
        n = len(self.base)
        return self.base[i] if i < n else self.part.name(i - n)

    def __len__(self) -> int:
        return len(self.base) + self.part.n_nodes


@dataclass
class Compiled:
    """A graph compiled for routing: node order, CSR weights (minutes), and the source graph.

    An overlay (from :func:`overlay`) shares the base graph ``G`` and carries its temporary
    nodes and edges in ``extra_nodes`` and ``extra_edges``; ``n_base`` is the number of base
    nodes (their indices are the same in the overlay). ``part`` holds nodes and edges
    appended as arrays (:func:`splice_arrays`, e.g. OSM roads) that are not in ``G``; their
    node and edge data come from it.
    """

    G: nx.MultiDiGraph
    nodes: Sequence[str]
    index: Mapping[str, int]
    matrix: csr_matrix
    extra_nodes: dict[str, dict] = field(default_factory=dict)
    extra_edges: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    n_base: int = -1
    root: Compiled | None = field(default=None, repr=False)
    temp_edges: list = field(default_factory=list, repr=False)
    _reverse: Any = field(default=None, repr=False)
    _temp_uvw: Any = field(default=None, repr=False)
    part: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.n_base < 0:
            self.n_base = len(self.nodes)

    def node_ids(self, names: list[str]) -> np.ndarray:
        return np.array([self.index[n] for n in names], dtype=np.int64)

    def reverse_matrix(self) -> csr_matrix:
        """The transposed CSR (times *to* a node), computed once per compiled graph; an
        overlay pads its root's and adds its own temporary edges reversed."""
        if self._reverse is None:
            uvw = self._temp_uvw
            if self.root is not None and uvw is not None:
                n = len(self.nodes)
                self._reverse = _pad(self.root.reverse_matrix(), n) + csr_min(uvw[1], uvw[0],
                                                                                uvw[2], n)
            else:
                self._reverse = self.matrix.T.tocsr()
        return self._reverse

    def node_data(self, n: str) -> dict:
        """The attributes of a node of the base graph or of the overlay."""
        hit = self.extra_nodes.get(n)
        if hit is None and self.part is not None:
            hit = self.part.node_data(n)
        return hit if hit is not None else self.G.nodes[n]

    def has_node(self, n: str) -> bool:
        return n in self.extra_nodes or n in self.G or (
            self.part is not None and self.part.local(n) is not None)

    def edge_data(self, a: str, b: str) -> list[dict]:
        """The parallel edges ``a -> b`` (overlay edges first)."""
        if self.temp_edges and not self.extra_edges:
            for e in self.temp_edges:
                self.extra_edges.setdefault((e.u, e.v), []).append(_edge_attrs(e))
        out = list(self.extra_edges.get((a, b), ()))
        if self.part is not None:
            out += self.part.edge_data(a, b)
        if a in self.G and b in self.G[a]:
            out += list(self.G[a][b].values())
        return out


def compile_graph(G: nx.MultiDiGraph) -> Compiled:
    """Compile ``G`` to a CSR matrix of minutes, keeping the cheapest of parallel edges."""
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    m = G.number_of_edges()
    u = np.empty(m, dtype=np.int64)
    v = np.empty(m, dtype=np.int64)
    w = np.empty(m, dtype=float)
    for k, (a, b, d) in enumerate(G.edges(data="minutes")):
        u[k], v[k], w[k] = index[a], index[b], max(d, _EPS)
    return Compiled(G, nodes, index, csr_min(u, v, w, len(nodes)))


def splice_arrays(base: Compiled, part: Any) -> Compiled:
    """``base`` with the nodes and edges of ``part`` appended as arrays (no networkx).

    ``part`` (e.g. :class:`network.osm.SplicedRoads`) gives ``n_nodes``, ``arrays()`` (edges
    as local node indices and minutes), ``links`` (:class:`network.graph.Edge` between base
    and part nodes, by name), ``name(i)``, ``local(name)``, ``node_data(name)`` and
    ``edge_data(a, b)``. Part nodes are numbered after the base nodes, in their order; the
    CSR is that of compiling the whole graph at once (cheapest of parallel edges).
    """
    if base.root is not None or base.part is not None:
        raise ValueError("splice_arrays needs a compiled networkx graph, not an overlay or splice")
    n0 = base.n_base
    names = _PartNames(base.nodes, part)
    index = _PartIndex(base.index, part, n0)
    pu, pv, pw = part.arrays()
    links = part.links
    lu = np.fromiter((index[e.u] for e in links), dtype=np.int64, count=len(links))
    lv = np.fromiter((index[e.v] for e in links), dtype=np.int64, count=len(links))
    lw = np.fromiter((e.minutes for e in links), dtype=float, count=len(links))
    coo = base.matrix.tocoo()
    u = np.concatenate([coo.row.astype(np.int64), np.asarray(pu, np.int64) + n0, lu])
    v = np.concatenate([coo.col.astype(np.int64), np.asarray(pv, np.int64) + n0, lv])
    w = np.concatenate([coo.data, np.maximum(np.asarray(pw, float), _EPS), np.maximum(lw, _EPS)])
    del coo, pu, pv, pw
    matrix = csr_min(u, v, w, n0 + part.n_nodes)
    return Compiled(base.G, names, index, matrix, part=part)


def csr_min(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int | tuple[int, int]) -> csr_matrix:
    """CSR of ``n`` x ``n`` (or of shape ``n``) with parallel edges reduced to the cheapest.

    One sort on the ``(u, v)`` key, the minimum of each run of equal keys, and the CSR arrays
    written directly (no COO conversion).
    """
    from scipy.sparse import csr_matrix

    shape = (n, n) if isinstance(n, int | np.integer) else tuple(n)
    # one int64 key per edge, sorted: fewer arrays alive at once than sorting u and v (the
    # peak memory of a 10^6-edge splice)
    key = np.asarray(u, dtype=np.int64) * shape[1] + np.asarray(v, dtype=np.int64)
    order = np.argsort(key)
    key = key[order]
    ws = np.asarray(w, dtype=float)[order]
    del order
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    del first
    data = np.minimum.reduceat(ws, starts) if len(ws) else ws
    del ws
    rows, cols = np.divmod(key[starts], shape[1])
    del key
    index_type = np.int32 if max(len(data), *shape) < 2**31 - 1 else np.int64
    indptr = np.zeros(shape[0] + 1, dtype=index_type)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return csr_matrix((data, cols.astype(index_type), indptr), shape=shape)


def _pad(matrix: csr_matrix, n: int) -> csr_matrix:
    """``matrix`` grown to ``n`` x ``n`` with empty rows, sharing its data and indices."""
    from scipy.sparse import csr_matrix

    extra = n - matrix.shape[0]
    indptr = np.concatenate([matrix.indptr, np.full(extra, matrix.indptr[-1],
                                                    dtype=matrix.indptr.dtype)])
    return csr_matrix((matrix.data, matrix.indices, indptr), shape=(n, n), copy=False)


def _append_rows(matrix: csr_matrix, rows: csr_matrix) -> csr_matrix:
    """The square CSR of ``matrix`` with ``rows`` (its new last rows, as wide as the result)
    appended: the same entries as padding and adding, by concatenating the arrays."""
    from scipy.sparse import csr_matrix

    n = rows.shape[1]
    kind = np.int32 if max(matrix.nnz + rows.nnz, n) < 2**31 - 1 else np.int64
    indptr = np.concatenate([matrix.indptr.astype(kind, copy=False),
                             (rows.indptr[1:] + matrix.nnz).astype(kind, copy=False)])
    indices = np.concatenate([matrix.indices.astype(kind, copy=False),
                              rows.indices.astype(kind, copy=False)])
    return csr_matrix((np.concatenate([matrix.data, rows.data]), indices, indptr), shape=(n, n),
                      copy=False)


def overlay(base: Compiled, edges: list[Edge], nodes: dict[str, dict]) -> Compiled:
    """``base`` with temporary nodes and edges added, without copying its networkx graph.

    Temporary nodes get indices after the base nodes. The CSR of the result is the base CSR
    (padded) plus a sparse matrix of the temporary edges, so the cost is one pass over the
    base arrays; an edge between two base nodes is merged keeping the cheaper of the two. An
    overlay of an overlay is made on the root with both sets of temporary edges.
    """
    if not edges:
        return base
    if base.root is not None:
        return overlay(base.root, [*base.temp_edges, *edges], {**base.extra_nodes, **nodes})
    names = [n for n in dict.fromkeys([*nodes, *(x for e in edges for x in (e.u, e.v))])
             if n not in base.index]
    missing = [n for n in names if n not in nodes]
    if missing:
        raise KeyError(f"temporary edges name nodes that are neither in the graph nor given: "
                       f"{missing[:3]}")
    index = _Index(base.index, {n: base.n_base + i for i, n in enumerate(names)})
    n = base.n_base + len(names)
    look = {**{e.u: 0 for e in edges}, **{e.v: 0 for e in edges}}
    for k in look:
        look[k] = index[k]
    u = np.fromiter((look[e.u] for e in edges), dtype=np.int64, count=len(edges))
    v = np.fromiter((look[e.v] for e in edges), dtype=np.int64, count=len(edges))
    w = np.maximum(np.fromiter((e.minutes for e in edges), dtype=float, count=len(edges)), _EPS)
    inner = (u < base.n_base) & (v < base.n_base)
    matrix = _pad(base.matrix, n)
    if (~inner).any():
        matrix = matrix + csr_min(u[~inner], v[~inner], w[~inner], n)
    if inner.any():  # rare: a temporary edge between two base nodes
        coo = matrix.tocoo()
        matrix = csr_min(np.concatenate([coo.row, u[inner]]), np.concatenate([coo.col, v[inner]]),
                         np.concatenate([coo.data, w[inner]]), n)
    out = Compiled(base.G, _Names(base.nodes, names), index, matrix,
                   {k: nodes[k] for k in names}, {}, base.n_base, root=base,
                   temp_edges=list(edges), part=base.part)
    if not inner.any():
        out._temp_uvw = (u, v, w)
    return out


def overlay_arrays(base: Compiled, nodes: dict[str, dict], u: np.ndarray, v: np.ndarray,
                   w: np.ndarray) -> Compiled:
    """``base`` with temporary nodes and edges given as index arrays (no Edge objects).

    ``nodes`` are the new nodes, numbered after the base nodes in their order; ``u``/``v``
    index the base nodes and then those. For searches only: the legs of a path through these
    edges cannot be read (use :func:`overlay` for routes).
    """
    if base.root is not None:
        raise ValueError("overlay_arrays needs a compiled base graph, not an overlay")
    names = list(nodes)
    index = _Index(base.index, {n: base.n_base + i for i, n in enumerate(names)})
    n = base.n_base + len(names)
    w = np.maximum(np.asarray(w, float), _EPS)
    inner = (u < base.n_base) & (v < base.n_base)
    if inner.any():
        raise ValueError("overlay_arrays: every temporary edge must touch a temporary node")
    if (u >= base.n_base).all():  # edges out of the new nodes only: their rows appended
        matrix = _append_rows(base.matrix, csr_min(u - base.n_base, v, w, (len(names), n)))
    else:
        matrix = _pad(base.matrix, n) + csr_min(u, v, w, n)
    out = Compiled(base.G, _Names(base.nodes, names), index, matrix, dict(nodes), {},
                   base.n_base, root=base, part=base.part)
    out._temp_uvw = (u, v, w)
    return out


def _edge_attrs(e: Edge) -> dict:
    return {"mode": e.mode, "minutes": float(e.minutes), "length_km": float(e.length_km),
            "length": float(e.length_km) * 1000.0, "travel_time": float(e.minutes) * 60.0,
            "open_year": e.open_year, "source": e.source, "service": e.service}


def shortest_times(compiled: Compiled, origins: list[str], *, reverse: bool = False,
                   predecessors: bool = False, limit: float = np.inf,
                   min_only: bool = False) -> Any:
    """Minutes from each origin to every node (``inf`` where unreachable or beyond ``limit``).

    With ``reverse=True`` the times are *to* each origin from every node. ``limit`` bounds
    the search (exact below it); ``min_only`` returns one row, the minimum over the origins.
    """
    from scipy.sparse.csgraph import dijkstra

    matrix = compiled.reverse_matrix() if reverse else compiled.matrix
    return dijkstra(matrix, directed=True, indices=compiled.node_ids(origins),
                    return_predecessors=predecessors, limit=limit, min_only=min_only)


@dataclass
class Leg:
    """One leg of a journey."""

    kind: str  # access | wait | ride | transfer | egress | drive
    mode: str
    from_: str
    to: str
    minutes: float
    service: str | None = None
    from_name: str = ""
    to_name: str = ""
    service_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["from"] = d.pop("from_")
        d["minutes"] = round(self.minutes, 1)
        return d


@dataclass
class Journey:
    """A door-to-door journey: total minutes, in-vehicle minutes and its legs."""

    origin: str
    destination: str
    minutes: float
    in_vehicle_minutes: float
    legs: list[Leg] = field(default_factory=list)
    year: int | None = None
    modes: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.origin, "to": self.destination, "year": self.year,
                "modes": self.modes, "minutes": round(self.minutes, 1),
                "in_vehicle_minutes": round(self.in_vehicle_minutes, 1),
                "legs": [leg.as_dict() for leg in self.legs]}


class _View:
    """Read-only access to nodes and edges of a graph or of a compiled overlay."""

    def __init__(self, source: Any) -> None:
        self.c = source if isinstance(source, Compiled) else None
        self.G = source.G if self.c is not None else source

    def edges(self, a: str, b: str) -> list[dict]:
        if self.c is not None:
            return self.c.edge_data(a, b)
        return list(self.G[a][b].values())

    def node(self, n: str) -> dict:
        return self.c.node_data(n) if self.c is not None else self.G.nodes[n]

    def has(self, n: str) -> bool:
        return self.c.has_node(n) if self.c is not None else n in self.G

    def name(self, n: str) -> str:
        return self.node(n).get("name", n) if self.has(n) else n


def _station_of(view: _View, node: str) -> str:
    d = view.node(node)
    return d.get("station", node).removesuffix("|arr")


_LEG_OF_MODE = {"wait": "wait", "rail": "ride", "dwell": "ride", "transfer": "transfer",
                "interchange": "transfer", "expressway": "drive", "local_road": "drive",
                "road": "drive"}


def _leg_kind(mode: str, seen_ride: bool) -> str | None:
    if mode == "alight":
        return None
    if mode in _LEG_OF_MODE:
        return _LEG_OF_MODE[mode]
    return "egress" if seen_ride else "access"


def legs_of_path(source: nx.MultiDiGraph | Compiled, path: list[str]) -> list[Leg]:
    """Group the edges of a node path into legs (consecutive edges of one kind merge).

    ``source`` is the graph, or a compiled graph (whose overlay edges are then read too).
    """
    view = _View(source)
    legs: list[Leg] = []
    seen_ride = False
    for a, b in itertools.pairwise(path):
        d = min(view.edges(a, b), key=lambda d: d["minutes"])
        kind = _leg_kind(d["mode"], seen_ride)
        if kind is None:
            continue
        seen_ride = seen_ride or kind in ("ride", "drive")
        src, dst = _station_of(view, a), _station_of(view, b)
        last = legs[-1] if legs else None
        if last and last.kind == kind and (kind != "ride" or last.service == d["service"]) \
                and kind != "wait":
            last.to, last.to_name = dst, view.name(dst)
            last.minutes += d["minutes"]
            if kind == "drive" and last.mode != d["mode"]:
                last.mode = "road"
            continue
        legs.append(Leg(kind, d["mode"], src, dst, d["minutes"],
                        d["service"] if kind in ("ride", "wait") else None,
                        view.name(src), view.name(dst)))
    # drop empty legs (a zero wait, or a zero-length walk within one station complex)
    return [leg for leg in legs if leg.minutes > 0 or leg.kind == "ride"]


def _unreachable(compiled: Compiled, origin: str, destination: str) -> UnreachableError:
    G = compiled.G
    return UnreachableError(
        f"no path from {origin} to {destination} in the {G.graph.get('modes')} network of "
        f"{G.graph.get('year')}: the destination has no open link in that year and mode; "
        "try --modes any or a later --year"
    )


def _journey(compiled: Compiled, path: list[str], minutes: float) -> Journey:
    legs = legs_of_path(compiled, path)
    in_vehicle = sum(leg.minutes for leg in legs if leg.kind in ("ride", "drive")
                     or (leg.mode in RIDE_MODES and leg.kind in ("access", "egress")))
    G = compiled.G
    return Journey(path[0], path[-1], float(minutes), float(in_vehicle), legs,
                   G.graph.get("year"), G.graph.get("modes"))


def route(compiled: Compiled, origin: str, destination: str, *,
          limit: float | None = None) -> Journey:
    """Fastest path between two nodes of a compiled graph, with its legs.

    With ``limit`` (minutes) the search is bounded: it starts at ``limit`` and doubles it
    until the destination is reached or the whole graph is searched, so the result is exact
    and a short trip on a large road graph touches only the nodes near it.

    Raises
    ------
    UnreachableError
        If no path exists, with the reason.
    """
    j = compiled.index[destination]
    bound = np.inf if limit is None else float(limit)
    while True:
        times, pred = shortest_times(compiled, [origin], predecessors=True, limit=bound)
        if np.isfinite(times[0, j]) or not np.isfinite(bound):
            break
        reached = np.isfinite(times[0])
        if not (~reached[compiled.matrix[np.flatnonzero(reached)].indices]).any():
            break  # no edge leaves the reached set: the destination is unreachable
        bound *= 2.0
    if not np.isfinite(times[0, j]):
        raise _unreachable(compiled, origin, destination)
    path = [destination]
    i = j
    while pred[0, i] >= 0:
        i = pred[0, i]
        path.append(compiled.nodes[i])
    path.reverse()
    return _journey(compiled, path, times[0, j])


def routes_to(compiled: Compiled, origins: list[str], destination: str) -> list[Journey | None]:
    """Fastest paths from many origins to one destination, from one reverse search.

    Returns one journey per origin (``None`` where unreachable). The minutes equal
    :func:`route`'s; where two paths tie, the legs may be either.
    """
    times, pred = shortest_times(compiled, [destination], reverse=True, predecessors=True)
    out: list[Journey | None] = []
    for o in origins:
        i = compiled.index[o]
        if not np.isfinite(times[0, i]):
            out.append(None)
            continue
        path = [o]
        while pred[0, i] >= 0:  # in the reversed graph the predecessor is the next hop
            i = pred[0, i]
            path.append(compiled.nodes[i])
        out.append(_journey(compiled, path, times[0, compiled.index[o]]))
    return out
