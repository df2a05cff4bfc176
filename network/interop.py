"""osmnx interop: an integer-id copy of the graph, and the node conventions osmnx users need.

Our graphs follow osmnx's attribute conventions (``x``/``y``, ``crs``, ``length`` in m,
``travel_time`` in s) but their node ids are strings (``hangzhou_east``,
``svc:<service>:f:3:<station>:dep``...). Several osmnx functions assume OSM's integer ids:
``ox.shortest_path`` treats a bare string as a list of origins, ``ox.nearest_nodes`` casts ids
to ``int``. :func:`to_osmnx` returns a copy with integer ids ``0..n-1`` in a stable order
(osmnx's ``graph_to_gdfs`` and ``save_graph_geopackage`` name them ``osmid``), each node
keeping its string id as ``hzcircle_id``; :func:`node_ids` gives the mapping.

The arrival-node convention
---------------------------
A rail station is two nodes: ``<station>`` where trips *board* (departure side) and
``<station>|arr`` where rides *alight* (arrival side). Changing trains costs the transfer
minutes on the edge ``<station>|arr -> <station>``. A trip *to* a station therefore ends at
``<station>|arr``: a plain ``networkx.shortest_path_length(G, "hangzhou_east",
"shaoxing_north")`` routes to the departure side and adds a transfer (38.5 min in the 2026
layers) where ``hzcircle travel-time`` answers 30.5; ask for ``"shaoxing_north|arr"`` (or
:func:`arrival_node`) to get the tool's answer. Zones, airports and points are single nodes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from network._errors import InputError

if TYPE_CHECKING:
    import networkx as nx


def _graph(net_or_graph: Any) -> nx.MultiDiGraph:
    return getattr(net_or_graph, "G", net_or_graph)


def arrival_node(G: Any, node: str) -> str:
    """The node a trip *to* ``node`` ends at: ``<station>|arr`` for a station, else ``node``."""
    G = _graph(G)
    if node not in G:
        raise InputError(f"node {node!r} is not in the graph; give a station id such as "
                         "hangzhou_east, a zone (zone:330102) or an airport id")
    return f"{node}|arr" if G.nodes[node].get("kind") == "station" else node


def to_osmnx(net_or_graph: Any) -> nx.MultiDiGraph:
    """A copy of the graph with integer node ids, for osmnx functions that expect OSM ids.

    Node ``i`` is the i-th node of the original graph; it keeps every attribute plus
    ``hzcircle_id`` (the string id). osmnx exports the integer id as ``osmid`` (the index of
    ``graph_to_gdfs``), so no node attribute of that name is added (it would clash).
    Edges and graph attributes are copied
    unchanged. The original graph is not modified.
    """
    import networkx as nx

    # a Network with OSM roads keeps them as arrays: its combined graph holds them
    combined = getattr(net_or_graph, "combined_graph", None)
    G = combined() if combined is not None else _graph(net_or_graph)
    mapping = {n: i for i, n in enumerate(G.nodes)}
    H = nx.relabel_nodes(G, mapping, copy=True)
    for n, i in mapping.items():
        H.nodes[i]["hzcircle_id"] = n
    H.graph["hzcircle_ids"] = "node attribute hzcircle_id holds the original string id"
    return H


def node_ids(H: nx.MultiDiGraph) -> dict[str, int]:
    """``hzcircle_id -> integer id`` of a graph from :func:`to_osmnx`."""
    out = {d["hzcircle_id"]: n for n, d in H.nodes(data=True) if "hzcircle_id" in d}
    if not out:
        raise InputError("this graph has no hzcircle_id node attributes; make it with "
                         "network.interop.to_osmnx")
    return out


def place_nodes(H: nx.MultiDiGraph, kinds: tuple[str, ...] = ("station", "zone", "airport")) -> Any:
    """The subgraph of nodes a trip can start at (``kind`` in ``kinds``), e.g. for
    ``ox.nearest_nodes`` (route and arrival nodes share their station's coordinates)."""
    return H.subgraph([n for n, d in H.nodes(data=True) if d.get("kind") in kinds])
