"""Scale paths equal their references: overlays, batched queries, point matrices, added-line
what-ifs evaluated against a cached baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import Network
from network.scenarios import FastEvaluator, Scenario, evaluate_full

# ------------------------------------------------------------------------------ overlay


def test_overlay_leaves_the_network_unchanged_and_equals_a_copy(real_layers):
    from network import graph as _graph
    from network.routing import compile_graph, shortest_times

    net = Network(real_layers, year=2025, modes="any")
    edges_before = net.G.number_of_edges()
    p = net.resolve("120.21,30.29")
    node, edges, nodes = net.attach(p, "from")
    over = net.augmented(edges, nodes)
    assert net.G.number_of_edges() == edges_before and node not in net.G
    G = net.G.copy()
    G.add_nodes_from(nodes.items())
    _graph.add_edges(G, edges)
    ref = compile_graph(G)
    got = shortest_times(over, [node])[0]
    want = shortest_times(ref, [node])[0]
    order = ref.node_ids(list(over.nodes))
    np.testing.assert_array_equal(got, want[order])
    back = shortest_times(over, [node], reverse=True)[0]
    np.testing.assert_array_equal(back, shortest_times(ref, [node], reverse=True)[0][order])


def test_bounded_route_equals_unbounded(real_layers):
    from network.routing import route

    net = Network(real_layers, year=2025, modes="rail")
    src, dst, edges, nodes = net._terminals(net.resolve("Keqiao"), net.resolve("Tonglu"))
    c = net.augmented(edges, nodes)
    full = route(c, src, dst)
    for limit in (1.0, 5.0, 30.0):
        j = route(c, src, dst, limit=limit)
        assert j.minutes == full.minutes
        assert [leg.kind for leg in j.legs] == [leg.kind for leg in full.legs]


def test_journeys_to_equal_single_queries(real_layers):
    net = Network(real_layers, year=2025, modes="rail")
    origins = ["Keqiao", "Tonglu", "Huzhou", "120.6,30.0", "Hangzhou East"]
    batch = net.journeys_to(origins, "Hangzhou East")
    assert batch[-1] is None  # the destination itself
    for o, j in zip(origins[:-1], batch[:-1], strict=True):
        one = net.travel_time(o, "Hangzhou East")
        assert j is not None and j.minutes == pytest.approx(one.minutes, abs=1e-9)
        assert j.origin == one.origin and j.destination == one.destination


def test_times_equal_single_queries(real_layers):
    net = Network(real_layers, year=2025, modes="any")
    places = ["Keqiao", "120.6,30.0", "Huzhou", "Tonglu"]
    m = net.times(places, places)
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            want = 0.0 if i == j else net.travel_time(a, b).minutes
            assert m[i, j] == pytest.approx(want, abs=1e-9)


# ------------------------------------------------------------------------------ points


def _points(lons, lats):
    from network.points import Points

    return Points(np.array([str(i) for i in range(len(lons))]), np.asarray(lons, float),
                  np.asarray(lats, float), pd.DataFrame())


@pytest.mark.parametrize("modes", ["rail", "road", "any"])
def test_point_times_equal_travel_time(real_layers, modes):
    from network.geo import in_region
    from network.points import point_times

    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(119.3, 121.0, 40), rng.uniform(29.2, 30.9, 40)
    keep = [in_region(real_layers, x, y) for x, y in zip(lon, lat, strict=True)]
    lon, lat = lon[keep][:7], lat[keep][:7]
    assert len(lon) >= 4
    net = Network(real_layers, year=2025, modes=modes)
    pts = _points(lon, lat)
    m = point_times(net, pts, pts)
    for i in range(len(lon)):
        assert m[i, i] == 0.0
        for j in range(len(lon)):
            if i != j:
                want = net.travel_time(f"{lon[i]},{lat[i]}", f"{lon[j]},{lat[j]}").minutes
                assert m[i, j] == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("modes", ["rail", "any"])
def test_point_times_with_the_hierarchy_equal_dijkstra(real_layers, modes):
    """The station-to-station part answered by the contraction hierarchy (``engine="cch"``,
    and ``"auto"`` once the hierarchy is built on a graph at least ``AUTO_NNZ`` large): the
    same minutes as Dijkstra within the certified tolerance, the same unreachable pairs, and
    the ``limit`` applied to both."""
    from network import accel
    from network.points import point_times

    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(119.4, 120.9, 25), rng.uniform(29.4, 30.8, 25)
    net = Network(real_layers, year=2025, modes=modes)
    from network.geo import in_region
    keep = [in_region(real_layers, x, y) for x, y in zip(lon, lat, strict=True)]
    pts = _points(lon[keep][:9], lat[keep][:9])
    want = point_times(net, pts, pts, engine="dijkstra")
    got = point_times(net, pts, pts, engine="cch")
    assert np.array_equal(np.isfinite(got), np.isfinite(want))
    np.testing.assert_allclose(got[np.isfinite(want)], want[np.isfinite(want)],
                               atol=2 * accel.TOLERANCE)
    limit = 20.0  # on the network part (access node to egress node): cuts some pairs
    lim_d = point_times(net, pts, pts, engine="dijkstra", limit=limit)
    lim_c = point_times(net, pts, pts, engine="cch", limit=limit)
    assert np.isinf(lim_d).any() and np.array_equal(np.isfinite(lim_c), np.isfinite(lim_d))
    # auto: Dijkstra on a small graph even with the hierarchy built, so the result is Dijkstra's
    assert net.compiled.matrix.nnz < accel.AUTO_NNZ
    assert np.array_equal(point_times(net, pts, pts, engine="auto"), want)


def test_connectors_equal_place_connectors(real_layers):
    from network import graph as _graph
    from network.points import connectors

    net = Network(real_layers, year=2025, modes="any")
    lon, lat = np.array([120.21, 119.9]), np.array([30.29, 30.6])
    acc, egr = connectors(net, lon, lat, "from"), connectors(net, lon, lat, "to")
    for k in range(2):
        want_a, want_e = {}, {}
        for e in _graph.place_connectors("p", lon[k], lat[k], net._connector_targets(),
                                         net.modes, net.assumptions):
            if e.u == "p":
                want_a[e.v] = min(want_a.get(e.v, np.inf), e.minutes)
            else:
                want_e[e.u] = min(want_e.get(e.u, np.inf), e.minutes)
        row = acc.getrow(k)
        got_a = {net.compiled.nodes[i]: x for i, x in zip(row.indices, row.data, strict=True)}
        col = egr.getcol(k).tocoo()
        got_e = {net.compiled.nodes[i]: x for i, x in zip(col.row, col.data, strict=True)}
        assert got_a.keys() == want_a.keys() and got_e.keys() == want_e.keys()
        for n, x in want_a.items():
            assert got_a[n] == pytest.approx(max(x, 1e-9), abs=1e-12)
        for n, x in want_e.items():
            assert got_e[n] == pytest.approx(max(x, 1e-9), abs=1e-12)


# ------------------------------------------------------------------------------ what-ifs


@pytest.fixture(scope="module")
def real_evaluator(real_layers):
    return FastEvaluator(real_layers, year=2025)


def _open_stations(layers, year=2025):
    st_ = layers.stations
    return sorted(s for s, y in zip(st_["id"], st_["open_year"], strict=True)
                  if y is None or y <= year)


def _assert_same(a, b):
    assert (np.isfinite(a.matrix) == np.isfinite(b.matrix)).all()
    fin = np.isfinite(a.matrix)
    np.testing.assert_allclose(a.matrix[fin], b.matrix[fin], rtol=0, atol=1e-9)
    assert a.population_within_hour == pytest.approx(b.population_within_hour, rel=1e-12)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), n_lines=st.integers(1, 2), speed=st.floats(60, 350),
       headway=st.floats(3, 60), open_year=st.sampled_from([2020, 2025, 2030]))
def test_added_lines_incremental_equals_full_rebuild(real_layers, real_evaluator, data, n_lines,
                                                      speed, headway, open_year):
    ids = _open_stations(real_layers)
    mods = []
    for k in range(n_lines):
        stops = data.draw(st.lists(st.sampled_from(ids), min_size=2, max_size=6, unique=True))
        mods.append({"type": "add_line", "id": f"x{k}", "name": f"x{k}", "class": "hsr",
                     "stops": stops, "speed_kmh": speed, "headway_minutes": headway,
                     "open_year": open_year})
    sc = Scenario("v", mods)
    assert real_evaluator.incremental(sc)
    inc = real_evaluator.evaluate(sc)
    ref = real_evaluator.evaluate(sc, incremental=False)
    _assert_same(inc, ref)
    full = evaluate_full(real_layers, sc, year=2025, grid=real_evaluator.grid)
    _assert_same(inc, full)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stops=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=2, max_size=4, unique=True),
       hops=st.lists(st.floats(0.5, 90), min_size=3, max_size=3), headway=st.floats(2, 60))
def test_added_line_incremental_on_tiny_layers(tiny_layers, stops, hops, headway):
    ev = FastEvaluator(tiny_layers, year=2020, core="One")
    sc = Scenario("v", [{"type": "add_line", "id": "x", "name": "x", "class": "hsr",
                         "stops": stops, "hop_minutes": hops[: len(stops) - 1],
                         "headway_minutes": headway}])
    assert ev.incremental(sc)
    _assert_same(ev.evaluate(sc), evaluate_full(tiny_layers, sc, year=2020, core="One",
                                                grid=ev.grid))


def test_other_edits_are_not_incremental(real_evaluator):
    sc = Scenario("v", [{"type": "adjust_headway", "service": real_evaluator.layers.services["id"][0],
                         "headway_minutes": 5}])
    assert not real_evaluator.incremental(sc)
