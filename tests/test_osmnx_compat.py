"""The built graph follows osmnx conventions: osmnx and networkx functions work on it."""

from __future__ import annotations

import networkx as nx
import osmnx as ox
import pytest

from network import Network, build


def test_graph_to_gdfs_and_shortest_path(tiny_layers):
    G = build(tiny_layers, year=2020, modes="any")
    assert G.graph["crs"] == "EPSG:4326"
    nodes, edges = ox.graph_to_gdfs(G)
    assert len(nodes) == G.number_of_nodes() and len(edges) == G.number_of_edges()
    assert nodes.crs.to_epsg() == 4326
    assert {"length", "travel_time", "minutes", "mode"} <= set(edges.columns)
    # our node ids are strings, so pass origins and destinations as lists (osmnx would iterate
    # over the characters of a bare string)
    [path] = ox.shortest_path(G, ["zone:100001"], ["zone:100002"], weight="travel_time")
    assert path[0] == "zone:100001" and path[-1] == "zone:100002"
    assert "svc:s1:f:0:a:dep" in path  # the rail route, not the slower road


def test_networkx_agrees_with_compiled_routing(tiny_layers):
    net = Network(tiny_layers, year=2020, modes="any")
    for a, b in (("zone:100001", "zone:100002"), ("zone:100003", "zone:100001")):
        nx_minutes = nx.shortest_path_length(net.G, a, b, weight="minutes")
        ours = net.travel_time(a.replace("zone:", ""), b.replace("zone:", "")).minutes
        assert ours == pytest.approx(nx_minutes)


def test_travel_time_seconds_match_minutes(tiny_layers):
    G = build(tiny_layers, year=2020, modes="rail")
    for _, _, d in G.edges(data=True):
        assert d["travel_time"] == pytest.approx(d["minutes"] * 60)
        assert d["length"] == pytest.approx(d["length_km"] * 1000)
