"""OSM roads spliced into the compiled arrays equal the networkx splice (the reference):
same node order and CSR, same times, same OD matrix, same legs, same node and edge data."""

from __future__ import annotations

import os
import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from network import LayerError, Network
from network import osm as hzosm
from network.graph import build
from network.routing import compile_graph, route, shortest_times
from tests.conftest import DATA, TINY

SMALL = DATA / "osm" / "small.osm"


@pytest.fixture(scope="module")
def roads():
    return hzosm.import_osm(SMALL)


def synthetic(n_edges: int, seed: int = 3) -> hzosm.RoadArrays:
    """A jittered grid road graph around zone One and r1 of the tiny layers (test data)."""
    u, v, w, n = hzosm.synthetic_roads(n_edges, seed=seed)
    side = int(np.sqrt(n))
    rng = np.random.default_rng(seed)
    x = 119.97 + (np.arange(n) % side) / side * 0.06 + rng.uniform(0, 1e-4, n)
    y = 29.98 + (np.arange(n) // side) / side * 0.05 + rng.uniform(0, 1e-4, n)
    ids = 1_000_000 + rng.permutation(n).astype(np.int64) * 7  # unsorted OSM-like ids
    names = np.array(["Wenyi Road", "Tianmushan Road"])
    code = rng.integers(-1, 2, len(u)).astype(np.int32)
    return hzosm.RoadArrays(ids, x, y, u.astype(np.int32), v.astype(np.int32), w * 60.0,
                            w / 60.0 * 40.0 * 1000.0, code, names, "synthetic test roads")


def reference(layers, year: int, modes: str, roads_nx) -> Network:
    """A Network whose graph and compiled arrays come from the networkx splice."""
    net = Network(layers, year=year, modes=modes)
    G = build(layers, year=year, modes=modes)
    net.snaps = hzosm._splice_networkx(G, roads_nx, layers)
    net.G, net.compiled = G, compile_graph(G)
    net.cache.clear()
    return net


CASES = [("road", 2015), ("any", 2015), ("any", 2020)]


def check_equal(new: Network, ref: Network, places: list[str]) -> None:
    a, b = new.compiled, ref.compiled
    assert list(a.nodes) == list(b.nodes)
    assert all(a.index[n] == b.index[n] for n in b.nodes)
    assert a.matrix.shape == b.matrix.shape and (a.matrix != b.matrix).nnz == 0
    origins = [n for n in b.nodes if n.startswith(("zone:", "osm:"))][:40]
    np.testing.assert_array_equal(shortest_times(a, origins), shortest_times(b, origins))
    np.testing.assert_array_equal(shortest_times(a, origins, reverse=True),
                                  shortest_times(b, origins, reverse=True))
    pd.testing.assert_frame_equal(new.matrix(), ref.matrix())
    assert [(s.place, s.osm_node, s.km) for s in new.snaps] == \
        [(s.place, s.osm_node, s.km) for s in ref.snaps]
    for p in places:
        for q in places:
            if p != q:
                assert new.travel_time(p, q).as_dict() == ref.travel_time(p, q).as_dict()
    # a path between two OSM nodes: legs read through the array lookups
    osm = [n for n in b.nodes if n.startswith("osm:")]
    for o, d in ((osm[0], osm[-1]), (osm[-1], osm[len(osm) // 2])):
        ja, jb = route(a, o, d), route(b, o, d)
        assert ja.as_dict() == jb.as_dict() and ja.legs and ja.legs[0].mode == "road"
        assert ja.legs[0].from_name == f"OSM {o[4:]}"
    # node and edge data of every node and edge of the reference graph
    for n, d in ref.G.nodes(data=True):
        assert a.has_node(n) and a.node_data(n) == d
    for u, v in set(ref.G.edges()):
        assert a.edge_data(u, v) == list(ref.G[u][v].values())
    assert not a.has_node("osm:999999999") and "osm:999999999" not in a.index


@pytest.mark.parametrize(("modes", "year"), CASES)
def test_osm_fixture_splice_equals_networkx(tiny_layers, roads, modes, year):
    ref = reference(tiny_layers, year, modes, roads)
    places = ["One", "Two", "120.01,30.005", "119.996,30.0102"]
    for given in (roads, hzosm.RoadArrays.from_graph(roads)):
        new = Network(tiny_layers, year=year, modes=modes, roads=given)
        check_equal(new, ref, places)
    if modes == "road":  # the drive uses the OSM roads (legs read from the arrays)
        assert "road" in [leg.mode for leg in new.travel_time("One", "Two").legs]


@pytest.mark.parametrize(("modes", "year"), CASES)
def test_synthetic_roads_splice_equals_networkx(tiny_layers, modes, year):
    R = synthetic(3000)
    ref = reference(tiny_layers, year, modes, R.to_graph())
    new = Network(tiny_layers, year=year, modes=modes, roads=R)
    assert new.compiled.matrix.shape[0] == new.G.number_of_nodes() + R.number_of_nodes()
    assert not any(str(n).startswith("osm:") for n in new.G)  # roads are not in networkx
    check_equal(new, ref, ["One", "Two", "119.99,29.99", "120.02,30.02"])
    if modes == "road":  # One drives to r1 over the synthetic streets
        assert "road" in [leg.mode for leg in new.travel_time("One", "Two").legs]


def test_rail_ignores_roads(tiny_layers, roads):
    net = Network(tiny_layers, year=2015, modes="rail", roads=roads)
    assert net.roads is None and net.snaps == []
    assert (net.compiled.matrix != Network(tiny_layers, year=2015,
                                           modes="rail").compiled.matrix).nnz == 0


def test_arrays_round_trip_graph_and_npz(roads, tmp_path):
    R = hzosm.RoadArrays.from_graph(roads)
    assert R.number_of_nodes() == roads.number_of_nodes()
    assert R.number_of_edges() == roads.number_of_edges()
    assert R.u.dtype == np.int32 and R.node_id.dtype == np.int64
    back = hzosm.RoadArrays.from_graph(R.to_graph())
    path = hzosm.save(R, tmp_path / "roads.npz")
    loaded = hzosm.load(path)
    assert isinstance(loaded, hzosm.RoadArrays)
    for other in (back, loaded, hzosm.load(hzosm.save(roads, tmp_path / "g.npz"))):
        for k in ("node_id", "x", "y", "u", "v", "travel_time", "length", "name_code", "names"):
            np.testing.assert_array_equal(getattr(other, k), getattr(R, k))
        assert other.source == R.source
    # arrays also save as GraphML for osmnx users
    G = hzosm.load(hzosm.save(R, tmp_path / "r.graphml"))
    assert isinstance(G, nx.MultiDiGraph) and G.number_of_edges() == R.number_of_edges()


def test_bad_npz_files(roads, tmp_path):
    f = tmp_path / "junk.npz"
    f.write_bytes(b"not a zip file")
    with pytest.raises(LayerError, match="cannot be read as a roads file"):
        hzosm.load(f)
    g = tmp_path / "other.npz"
    np.savez(g, a=np.arange(3))
    with pytest.raises(LayerError, match="not a roads file"):
        hzosm.load(g)
    R = hzosm.RoadArrays.from_graph(roads)
    with pytest.raises(LayerError, match="names a node"):
        hzosm.RoadArrays(R.node_id, R.x, R.y, R.u, R.v + 100, R.travel_time, R.length,
                         R.name_code, R.names)


def test_cli_import_npz_and_use(tmp_path):
    env = {**os.environ, "HZCIRCLE_LAYERS": str(TINY)}
    out = tmp_path / "roads.npz"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "network", *args], capture_output=True,
                              text=True, env=env, timeout=120)

    r = run("osm", "import", str(SMALL), "-o", str(out))
    assert r.returncode == 0 and "9 nodes" in r.stdout, r.stderr
    r = run("travel-time", "One", "Two", "--year", "2015", "--modes", "road", "--roads", str(out),
            "--json")
    assert r.returncode == 0, r.stderr
    assert "snapped" in r.stderr and '"road"' in r.stdout


def test_csr_min_keeps_the_cheapest_parallel_edge():
    from scipy.sparse import coo_matrix

    from network.routing import csr_min

    rng = np.random.default_rng(5)
    u, v = rng.integers(0, 30, 2000), rng.integers(0, 40, 2000)  # many parallel edges
    w = rng.uniform(0.1, 9.0, 2000)
    m = csr_min(u, v, w, (30, 40))
    best = {}
    for a, b, x in zip(u.tolist(), v.tolist(), w.tolist(), strict=True):
        best[a, b] = min(x, best.get((a, b), np.inf))
    keys = list(best)
    ref = coo_matrix(([best[k] for k in keys], ([k[0] for k in keys], [k[1] for k in keys])),
                     shape=(30, 40)).tocsr()
    assert m.shape == (30, 40) and m.nnz == len(best) and m.has_sorted_indices
    assert (m != ref).nnz == 0
    assert csr_min(u[:0], v[:0], w[:0], 5).nnz == 0


@pytest.mark.parametrize("modes", ["road", "any"])
def test_surface_and_journey_positions_with_roads(tiny_layers, roads, modes):
    from network.journeys import _position
    from network.surface import travel_time_surface

    ref = reference(tiny_layers, 2015, modes, roads)
    new = Network(tiny_layers, year=2015, modes=modes, roads=roads)
    for p in ("One", "120.01,30.005"):
        a, b = travel_time_surface(new, new.resolve(p)), travel_time_surface(ref, ref.resolve(p))
        assert np.isfinite(a.minutes).any()
        np.testing.assert_array_equal(a.minutes, b.minutes)
    j = new.travel_time("One", "Two")
    assert _position(new, "osm:9", j) == (120.0, 30.0) == _position(ref, "osm:9", j)


def test_uncertainty_edge_model_with_roads(tiny_layers, roads):
    from network.uncertainty import edge_model

    ref = reference(tiny_layers, 2015, "road", roads)
    new = Network(tiny_layers, year=2015, modes="road", roads=roads)
    a, b = edge_model(new, [], {}), edge_model(ref, [], {})
    assert a.n == b.n == ref.G.number_of_nodes()
    for k in ("u", "v", "base", "cat", "crow_km"):
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k))


def test_to_osmnx_includes_the_roads(tiny_layers, roads):
    from network.interop import to_osmnx

    net = Network(tiny_layers, year=2015, modes="road", roads=roads)
    H = to_osmnx(net)
    assert H.number_of_nodes() == len(net.compiled.nodes)
    assert {d["hzcircle_id"] for _, d in H.nodes(data=True)} >= {f"osm:{n}" for n in roads.nodes}


@pytest.mark.parametrize("modes", ["road", "any"])
def test_contraction_hierarchy_on_spliced_roads_equals_dijkstra(tiny_layers, modes):
    """The exact accelerator (network.accel) on a graph with roads appended as arrays: same
    matrix and same journeys (legs through OSM nodes read from the arrays) as Dijkstra."""
    net = Network(tiny_layers, year=2020, modes=modes, roads=synthetic(3000))
    assert net.compiled.part is not None
    want, got = net.matrix(engine="dijkstra"), net.matrix(engine="cch")
    assert (want["minutes"].isna() == got["minutes"].isna()).all()
    np.testing.assert_allclose(got["minutes"].fillna(-1), want["minutes"].fillna(-1), atol=0.1 + 1e-9)
    for a, b in (("One", "Two"), ("120.01,30.005", "119.996,30.0102"), ("Two", "119.99,30.02")):
        j1, j2 = net.travel_time(a, b, engine="dijkstra"), net.travel_time(a, b, engine="cch")
        assert abs(j1.minutes - j2.minutes) <= 1e-3, (a, b)
        assert [leg.mode for leg in j2.legs] and \
            sum(leg.minutes for leg in j2.legs) == pytest.approx(j2.minutes)


def test_node_items_are_the_combined_graph_nodes(tiny_layers, roads):
    """``Network.node_items`` (which the uncertainty cell pairs read) gives the same nodes and
    data as the networkx copy ``combined_graph`` without making the copy."""
    from network.uncertainty import _cell_pairs, edge_model

    net = Network(tiny_layers, year=2015, modes="road", roads=roads)
    items = dict(net.node_items())
    assert items == dict(net.combined_graph().nodes(data=True))
    assert any(n.startswith("osm:") for n in items)
    m = edge_model(net, [], {})
    for reverse in (False, True):
        c = _cell_pairs(net, m, reverse)
        assert len(c.node) and c.road.any()
