"""Fast shortest paths on the built graph: compile to a sparse matrix, run Dijkstra, read legs.

networkx is kept for inspection and interop; routing uses ``scipy.sparse.csgraph`` on a CSR
matrix where parallel edges are reduced to their minimum.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import UnreachableError
from network.graph import RIDE_MODES

if TYPE_CHECKING:
    import networkx as nx
    from scipy.sparse import csr_matrix

#: Zero-cost edges (alighting) get this tiny weight: csgraph would drop explicit zeros.
_EPS = 1e-9


@dataclass
class Compiled:
    """A graph compiled for routing: node order, CSR weights (minutes), and the source graph."""

    G: nx.MultiDiGraph
    nodes: list[str]
    index: dict[str, int]
    matrix: csr_matrix

    def node_ids(self, names: list[str]) -> np.ndarray:
        return np.array([self.index[n] for n in names], dtype=np.int64)


def compile_graph(G: nx.MultiDiGraph) -> Compiled:
    """Compile ``G`` to a CSR matrix of minutes, keeping the cheapest of parallel edges."""
    from scipy.sparse import coo_matrix

    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    m = G.number_of_edges()
    u = np.empty(m, dtype=np.int64)
    v = np.empty(m, dtype=np.int64)
    w = np.empty(m, dtype=float)
    for k, (a, b, d) in enumerate(G.edges(data="minutes")):
        u[k], v[k], w[k] = index[a], index[b], max(d, _EPS)
    # reduce parallel edges to their minimum: sort by (u, v, w) and keep the first of each pair
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    n = len(nodes)
    matrix = coo_matrix((w[first], (u[first], v[first])), shape=(n, n)).tocsr()
    return Compiled(G, nodes, index, matrix)


def shortest_times(compiled: Compiled, origins: list[str], *, reverse: bool = False,
                   predecessors: bool = False) -> Any:
    """Minutes from each origin to every node (``inf`` where unreachable).

    With ``reverse=True`` the times are *to* each origin from every node.
    """
    from scipy.sparse.csgraph import dijkstra

    matrix = compiled.matrix.T.tocsr() if reverse else compiled.matrix
    return dijkstra(matrix, directed=True, indices=compiled.node_ids(origins),
                    return_predecessors=predecessors)


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


def _best_edge(G: nx.MultiDiGraph, a: str, b: str) -> dict:
    return min(G[a][b].values(), key=lambda d: d["minutes"])


def _station_of(G: nx.MultiDiGraph, node: str) -> str:
    d = G.nodes[node]
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


def legs_of_path(G: nx.MultiDiGraph, path: list[str]) -> list[Leg]:
    """Group the edges of a node path into legs (consecutive edges of one kind merge)."""
    legs: list[Leg] = []
    seen_ride = False
    for a, b in itertools.pairwise(path):
        d = _best_edge(G, a, b)
        kind = _leg_kind(d["mode"], seen_ride)
        if kind is None:
            continue
        seen_ride = seen_ride or kind in ("ride", "drive")
        src, dst = _station_of(G, a), _station_of(G, b)
        last = legs[-1] if legs else None
        if last and last.kind == kind and (kind != "ride" or last.service == d["service"]) \
                and kind != "wait":
            last.to, last.to_name = dst, G.nodes[dst].get("name", dst) if dst in G else dst
            last.minutes += d["minutes"]
            if kind == "drive" and last.mode != d["mode"]:
                last.mode = "road"
            continue
        legs.append(Leg(kind, d["mode"], src, dst, d["minutes"],
                        d["service"] if kind in ("ride", "wait") else None,
                        G.nodes[src].get("name", src) if src in G else src,
                        G.nodes[dst].get("name", dst) if dst in G else dst))
    # drop empty legs (a zero wait, or a zero-length walk within one station complex)
    return [leg for leg in legs if leg.minutes > 0 or leg.kind == "ride"]


def route(compiled: Compiled, origin: str, destination: str) -> Journey:
    """Fastest path between two nodes of a compiled graph, with its legs.

    Raises
    ------
    UnreachableError
        If no path exists, with the reason.
    """
    times, pred = shortest_times(compiled, [origin], predecessors=True)
    j = compiled.index[destination]
    if not np.isfinite(times[0, j]):
        G = compiled.G
        raise UnreachableError(
            f"no path from {origin} to {destination} in the {G.graph.get('modes')} network of "
            f"{G.graph.get('year')}: the destination has no open link in that year and mode; "
            "try --modes any or a later --year"
        )
    path = [destination]
    i = j
    while pred[0, i] >= 0:
        i = pred[0, i]
        path.append(compiled.nodes[i])
    path.reverse()
    legs = legs_of_path(compiled.G, path)
    in_vehicle = sum(leg.minutes for leg in legs if leg.kind in ("ride", "drive")
                     or (leg.mode in RIDE_MODES and leg.kind in ("access", "egress")))
    G = compiled.G
    return Journey(origin, destination, float(times[0, j]), float(in_vehicle), legs,
                   G.graph.get("year"), G.graph.get("modes"))
