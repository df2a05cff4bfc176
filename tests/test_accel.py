"""The contraction-hierarchy engine (network.accel) equals Dijkstra: on random graphs with
parallel, one-way, zero-weight edges and unreachable pairs, on overlays with temporary nodes,
and on the real network through Network.travel_time and Network.matrix."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from network import Network, accel
from network.graph import Edge
from network.routing import compile_graph, overlay, route, shortest_times

TOL = accel.TOLERANCE


def _random_graph(seed: int, n: int, m: int, zero_share: float = 0.1) -> nx.MultiDiGraph:
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(year=2025, modes="road")
    for i in range(n):
        G.add_node(f"n{i}", x=float(rng.uniform(119.9, 120.5)), y=float(rng.uniform(30.0, 30.5)),
                   name=f"n{i}")
    for _ in range(m):
        a, b = (int(x) for x in rng.integers(0, n, 2))
        if a == b:
            continue
        minutes = 0.0 if rng.random() < zero_share else float(rng.uniform(0.01, 40.0))
        G.add_edge(f"n{a}", f"n{b}", mode="road", minutes=minutes, length_km=1.0,
                   source="test", service=None, open_year=None)
        if rng.random() < 0.5:  # two-way roads, sometimes with a different time back
            G.add_edge(f"n{b}", f"n{a}", mode="road", minutes=minutes * float(rng.uniform(1, 2)),
                       length_km=1.0, source="test", service=None, open_year=None)
    return G


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), density=st.floats(0.5, 4.0))
def test_matrix_equals_dijkstra_on_random_graphs(seed, n, density):
    G = _random_graph(seed, n, int(n * density))
    c = compile_graph(G)
    h = accel.Hierarchy(c)
    names = list(c.nodes)
    want = dijkstra(c.matrix, indices=np.arange(n))
    got = accel.matrix_times(h, c, names, names)
    assert np.array_equal(np.isfinite(got), np.isfinite(want))  # unreachable pairs agree
    fin = np.isfinite(want)
    assert np.all(np.abs(got[fin] - want[fin]) <= TOL / 2 + 1e-9)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), density=st.floats(0.5, 4.0))
def test_route_equals_dijkstra_on_random_graphs(seed, n, density):
    G = _random_graph(seed, n, int(n * density))
    c = compile_graph(G)
    h = accel.Hierarchy(c)
    rng = np.random.default_rng(seed)
    want = dijkstra(c.matrix, indices=np.arange(n))
    for _ in range(10):
        s, t = (int(x) for x in rng.integers(0, n, 2))
        if s == t:
            continue
        got = accel.route(h, c, c.nodes[s], c.nodes[t])
        if not np.isfinite(want[s, t]):
            assert got is None  # left to Dijkstra, which reports it unreachable
            continue
        if got is None:  # allowed only where the bound was not certified; never here
            pytest.fail(f"no certified route {s}->{t}")
        assert abs(got.minutes - want[s, t]) <= TOL
        # the path is real: its edges exist and sum to the minutes
        total = sum(min(d["minutes"] for d in G[a][b].values()) for a, b in
                    zip(_path_nodes(c, got), _path_nodes(c, got)[1:], strict=False))
        assert abs(total - got.minutes) <= 1e-6


def _path_nodes(c, journey) -> list[str]:
    # a route's legs merge edges; re-route with Dijkstra-free node reading via the hierarchy
    h = accel.Hierarchy(c)
    found = accel._route_nodes(h, c, c.index[journey.origin], c.index[journey.destination], TOL)
    assert found is not None
    return [c.nodes[i] for i in found[0]]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(3, 40), k=st.integers(1, 6))
def test_overlay_route_equals_dijkstra(seed, n, k):
    """Temporary nodes with edges both ways (a point can be a shortcut in the middle of a
    path), temporary-to-temporary edges, origins and destinations on either side."""
    G = _random_graph(seed, n, 2 * n)
    c = compile_graph(G)
    h = accel.Hierarchy(c)
    rng = np.random.default_rng(seed + 1)
    edges, nodes = [], {}
    for j in range(k):
        p = f"p{j}"
        nodes[p] = {"x": 120.0, "y": 30.2, "kind": "point", "name": p}
        for b in rng.choice(n, size=min(n, 3), replace=False):
            edges.append(Edge(p, f"n{b}", "walk", float(rng.uniform(0, 15)), 0.0, "test"))
            if rng.random() < 0.6:
                edges.append(Edge(f"n{b}", p, "walk", float(rng.uniform(0, 15)), 0.0, "test"))
        if j and rng.random() < 0.5:
            edges.append(Edge(f"p{j - 1}", p, "walk", float(rng.uniform(0, 5)), 0.0, "test"))
    over = overlay(c, edges, nodes)
    light = accel.light_overlay(c, edges, nodes)
    assert light is not None and list(light.nodes) == list(over.nodes)
    ends = list(nodes) + [f"n{i}" for i in rng.choice(n, size=min(n, 4), replace=False)]
    for s in ends:
        for t in ends:
            if s == t:
                continue
            want = shortest_times(over, [s])[0, over.index[t]]
            got = accel.route(h, over, s, t)
            if not np.isfinite(want):
                assert got is None
                continue
            assert got is not None and abs(got.minutes - want) <= TOL
            ref = route(over, s, t)
            assert abs(ref.minutes - got.minutes) <= TOL
            fast = accel.route(h, light, s, t)  # no CSR merge: same answer and legs
            assert fast is not None and fast.minutes == got.minutes
            assert [leg.as_dict() for leg in fast.legs] == [leg.as_dict() for leg in got.legs]


def test_engine_names_are_checked(real_layers):
    from network._errors import InputError

    net = Network(real_layers, year=2025, modes="rail")
    with pytest.raises(InputError, match="unknown engine"):
        net.matrix(engine="fast")
    # auto on a small graph never builds the hierarchy
    net.matrix(engine="auto")
    assert not any(k[0] == "cch" for k in net.cache if isinstance(k, tuple))


@pytest.mark.slow
def test_network_matrix_and_travel_time_equal_dijkstra_on_the_real_network(real_layers):
    net = Network(real_layers, year=2025, modes="any")
    want = net.matrix(engine="dijkstra")
    got = net.matrix(engine="cch")
    assert (want["origin"] == got["origin"]).all()
    diff = np.abs(want["minutes"].to_numpy() - got["minutes"].to_numpy())
    # rounded to 0.1 min: equal, or one rounding step apart at a .x5 boundary
    assert np.nanmax(diff) <= 0.1 + 1e-9
    assert (want["minutes"].isna() == got["minutes"].isna()).all()
    raw = shortest_times(net.compiled, list(net.zones("county")["node"]))
    nodes = list(net.zones("county")["node"])
    exact = accel.matrix_times(net.accelerate(), net.compiled, nodes, nodes)
    ref = raw[:, net.compiled.node_ids(nodes)]
    fin = np.isfinite(ref)
    assert np.array_equal(fin, np.isfinite(exact))
    assert np.max(np.abs(exact[fin] - ref[fin])) <= TOL / 2 + 1e-9
    pairs = [("Hangzhou East", "Shaoxing North"), ("120.21,30.29", "Huzhou"),
             ("120.10,30.20", "120.30,30.30"), ("Jiaxing South", "120.58,30.01")]
    for a, b in pairs:
        j1, j2 = net.travel_time(a, b, engine="dijkstra"), net.travel_time(a, b, engine="cch")
        assert abs(j1.minutes - j2.minutes) <= TOL, (a, b)
        assert j2.legs and sum(leg.minutes for leg in j2.legs) == pytest.approx(j2.minutes)
