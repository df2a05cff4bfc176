"""The contraction-hierarchy engine (network.accel) equals Dijkstra: on random graphs with
parallel, one-way, zero-weight edges and unreachable pairs, on overlays with temporary nodes,
and on the real network through Network.travel_time and Network.matrix."""

from __future__ import annotations

import json
from pathlib import Path

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


# ------------------------------------------------------------------------------------------
# the hierarchy on disk (Hierarchy.save / Hierarchy.load, hzcircle accel build, --hierarchy)
# ------------------------------------------------------------------------------------------


def _reweighted(G: nx.MultiDiGraph, seed: int) -> nx.MultiDiGraph:
    """``G`` with the same arcs and new minutes (other assumptions, same network)."""
    rng = np.random.default_rng(seed)
    H = G.copy()
    for _, _, d in H.edges(data=True):
        d["minutes"] = float(rng.uniform(0.01, 60.0))
    return H


def _assert_exact(h: accel.Hierarchy, c) -> None:
    names = list(c.nodes)
    want = dijkstra(c.matrix, indices=np.arange(len(names)))
    got = accel.matrix_times(h, c, names, names)
    assert np.array_equal(np.isfinite(got), np.isfinite(want))
    fin = np.isfinite(want)
    assert np.all(np.abs(got[fin] - want[fin]) <= TOL / 2 + 1e-9)
    for s in range(0, len(names), 7):
        for t in range(1, len(names), 5):
            if s == t:
                continue
            j = accel.route(h, c, names[s], names[t])
            if np.isfinite(want[s, t]):
                assert j is not None and abs(j.minutes - want[s, t]) <= TOL
            else:
                assert j is None


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), density=st.floats(0.5, 4.0))
def test_saved_hierarchy_loads_and_equals_dijkstra(tmp_path_factory, seed, n, density):
    G = _random_graph(seed, n, int(n * density))
    c = compile_graph(G)
    built = accel.Hierarchy(c)
    path = built.save(tmp_path_factory.mktemp("cch") / "g.cch", metadata={"year": 2025})
    fresh = compile_graph(G)  # another process would compile the same graph again
    loaded = accel.Hierarchy.load(path, fresh)
    assert "order" not in loaded.seconds and "load" in loaded.seconds  # no ordering on load
    assert loaded.source == path and loaded.unit == built.unit
    _assert_exact(loaded, fresh)
    # the same node order as the built hierarchy: same distances, integer for integer
    ids = np.arange(fresh.matrix.shape[0], dtype=np.uint32)
    assert np.array_equal(loaded.metric.distances_many_to_many(ids, ids),
                          built.metric.distances_many_to_many(ids, ids))


def test_changed_weights_are_customised_on_load(tmp_path):
    """Same arcs, other minutes (e.g. other assumptions): the order still fits, the metric is
    customised with the new weights (and a new integer unit), the answers are exact."""
    G = _random_graph(5, 50, 150)
    path = accel.Hierarchy(compile_graph(G)).save(tmp_path / "g.cch")
    c2 = compile_graph(_reweighted(G, 9))
    loaded = accel.Hierarchy.load(path, c2)
    assert loaded.unit == accel.Hierarchy(c2).unit
    _assert_exact(loaded, c2)


def test_hierarchy_of_another_graph_is_refused(tmp_path):
    from network._errors import InputError

    G = _random_graph(11, 40, 120)
    path = accel.Hierarchy(compile_graph(G)).save(tmp_path / "g.cch", metadata={"year": 2025})
    more = G.copy()
    more.add_node("extra", x=120.0, y=30.2, name="extra")  # one node more
    with pytest.raises(InputError, match=r"built for another graph .*40 nodes.*year 2025") as e:
        accel.Hierarchy.load(path, compile_graph(more))
    assert "\n" not in str(e.value) and "hzcircle accel build" in str(e.value)
    other = G.copy()  # same nodes, one arc more
    a, b = next((a, b) for a in other for b in other if a != b and not other.has_edge(a, b))
    other.add_edge(a, b, mode="road", minutes=1.0, length_km=1.0, source="test", service=None,
                   open_year=None)
    with pytest.raises(InputError, match="built for another graph"):
        accel.Hierarchy.load(path, compile_graph(other))
    rewired = nx.relabel_nodes(G, {"n0": "n1", "n1": "n0"})  # same counts, arcs elsewhere
    if accel.graph_digest(compile_graph(rewired)) != accel.graph_digest(compile_graph(G)):
        with pytest.raises(InputError, match="built for another graph"):
            accel.Hierarchy.load(path, compile_graph(rewired))


def _forged(path, order: np.ndarray, **head_changes) -> None:
    """Rewrite a saved hierarchy with another order (checksum made to match) or header."""
    import hashlib
    import json

    with np.load(path) as z:
        head = json.loads(str(z["head"][()]))
    head["order_sha256"] = hashlib.sha256(order.tobytes()).hexdigest()
    head.update(head_changes)
    with open(path, "wb") as f:
        np.savez(f, head=np.array(json.dumps(head)), order=order)


def test_damaged_or_foreign_files_are_refused_cleanly(tmp_path):
    from network._errors import InputError

    G = _random_graph(13, 40, 120)
    c = compile_graph(G)
    good = accel.Hierarchy(c).save(tmp_path / "g.cch")
    data = good.read_bytes()
    cases = {"missing.cch": None, "empty.cch": b"", "cut.cch": data[: len(data) // 2],
             "text.cch": b"id,lon,lat\n1,120.1,30.2\n", "zeros.cch": bytes(len(data))}
    for name, content in cases.items():
        p = tmp_path / name
        if content is not None:
            p.write_bytes(content)
        with pytest.raises(InputError, match=r"hzcircle accel build") as e:
            accel.Hierarchy.load(p, c)
        assert "\n" not in str(e.value) and name in str(e.value)
    with np.load(good) as z:  # one bit of the order flipped: the checksum catches it
        order = np.array(z["order"])
    flipped = tmp_path / "flipped.cch"
    flipped.write_bytes(data)
    raw = bytearray(data)
    at = raw.find(order.tobytes()) + 4 * (len(order) // 2)
    raw[at] ^= 1
    flipped.write_bytes(bytes(raw))
    with pytest.raises(InputError, match=r"flipped\.cch: "):
        accel.Hierarchy.load(flipped, c)
    for bad in (order[:-1], np.where(order == order[0], order[1], order).astype(np.uint32)):
        p = tmp_path / "forged.cch"
        p.write_bytes(data)
        _forged(p, bad)  # a checksum that fits, an order that is not a permutation
        with pytest.raises(InputError, match="not a permutation"):
            accel.Hierarchy.load(p, c)
    p = tmp_path / "future.cch"
    p.write_bytes(data)
    _forged(p, order, version=accel.VERSION + 1)
    with pytest.raises(InputError, match="version"):
        accel.Hierarchy.load(p, c)
    p.write_bytes(data)
    _forged(p, order, format="something-else")
    with pytest.raises(InputError, match="not a readable hierarchy file"):
        accel.Hierarchy.load(p, c)
    assert good.read_bytes() == data  # inputs never modified
    _assert_exact(accel.Hierarchy.load(good, c), c)


def _same_rounded(got, want):
    """Two matrix tables alike but for the rounding to 0.1 min: times equal within TOL can
    round to neighbouring tenths (98.05 - 1e-9 and 98.05 + 1e-9)."""
    other = [c for c in got.columns if c != "minutes"]
    assert got[other].equals(want[other])
    g, w = got["minutes"].to_numpy(float), want["minutes"].to_numpy(float)
    assert (np.isnan(g) == np.isnan(w)).all()
    assert np.nanmax(np.abs(g - w)) <= 0.1 + 1e-9


def test_network_accelerate_loads_and_queries_use_the_loaded_hierarchy(real_layers, tmp_path,
                                                                      monkeypatch):
    net = Network(real_layers, year=2025, modes="road")
    path = net.accelerate().save(tmp_path / "road.cch")
    fresh = Network(real_layers, year=2025, modes="road")
    h = fresh.accelerate(path=path)
    assert h.source == path and fresh.accelerate() is h

    def no_build(self, compiled):
        raise AssertionError("the hierarchy was rebuilt instead of loaded")

    monkeypatch.setattr(accel.Hierarchy, "__init__", no_build)
    _same_rounded(fresh.matrix(engine="cch"), fresh.matrix(engine="dijkstra"))
    j = fresh.travel_time("Huzhou", "Quzhou", engine="cch")
    assert abs(j.minutes - fresh.travel_time("Huzhou", "Quzhou", engine="dijkstra").minutes) <= TOL
    rail = Network(real_layers, year=2025, modes="rail")
    from network._errors import InputError

    with pytest.raises(InputError, match="modes road"):
        rail.accelerate(path=path)


def test_cli_accel_build_and_hierarchy_round_trip(tmp_path, capsys, monkeypatch):
    import pandas as pd

    from network.cli import main

    monkeypatch.delenv("HZCIRCLE_LAYERS", raising=False)
    cch = tmp_path / "road.cch"
    assert main(["accel", "build", "--modes", "road", "--year", "2025", "-o", str(cch)]) == 0
    assert f"wrote {cch}" in capsys.readouterr().out
    assert cch.is_file() and not [p for p in tmp_path.iterdir() if p != cch]  # atomic, no leftovers
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    common = ["--modes", "road", "--year", "2025"]
    assert main(["matrix", *common, "--engine", "cch", "--hierarchy", str(cch), "-o", str(a)]) == 0
    assert "loaded in" in capsys.readouterr().err
    assert main(["matrix", *common, "--engine", "dijkstra", "-o", str(b)]) == 0
    _same_rounded(pd.read_csv(a), pd.read_csv(b))
    capsys.readouterr()
    assert main(["travel-time", "Huzhou", "Quzhou", *common, "--engine", "cch", "--hierarchy",
                 str(cch), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert main(["travel-time", "Huzhou", "Quzhou", *common, "--engine", "dijkstra", "--json"]) == 0
    want = json.loads(capsys.readouterr().out)
    assert abs(got["minutes"] - want["minutes"]) <= TOL
    # --engine auto loads the file only when the searches pay for it: one travel_time and a
    # 44-zone matrix do not (accel.LOAD_PAYS_FROM), and answer by Dijkstra
    assert not accel.load_pays(1) and not accel.load_pays(44) and accel.load_pays(accel.LOAD_PAYS_FROM)
    assert main(["travel-time", "Huzhou", "Quzhou", *common, "--hierarchy", str(cch), "--json"]) == 0
    out = capsys.readouterr()
    assert "not loaded: 1 search" in out.err and "loaded in" not in out.err
    assert json.loads(out.out)["minutes"] == want["minutes"]
    assert main(["matrix", *common, "--hierarchy", str(cch), "-o", str(a)]) == 0
    assert "not loaded: 44 search" in capsys.readouterr().err
    assert pd.read_csv(a).equals(pd.read_csv(b))
    # a points matrix (origin and destination files) uses the loaded hierarchy too
    points = Path(__file__).resolve().parent.parent / "scenarios" / "points"
    files = ["--origins", str(points / "county_seats.csv"), "--destinations",
             str(points / "hsr_stations.csv")]
    assert main(["matrix", *files, *common, "--engine", "cch", "--hierarchy", str(cch),
                 "-o", str(a)]) == 0
    assert "loaded in" in capsys.readouterr().err
    assert main(["matrix", *files, *common, "--engine", "dijkstra", "-o", str(b)]) == 0
    _same_rounded(pd.read_csv(a), pd.read_csv(b))
    capsys.readouterr()
    before = cch.read_bytes()
    cch_ = ["--engine", "cch", "--hierarchy"]
    for argv, words in (
            (["matrix", "--modes", "road", "--year", "2015", *cch_, str(cch), "-o", str(a)],
             "built for another graph"),
            (["matrix", *common, "--modes", "rail", *cch_, str(cch), "-o", str(a)],
             "modes road"),
            (["travel-time", "Huzhou", "Quzhou", *common, "--engine", "dijkstra", "--hierarchy",
              str(cch)], "--engine dijkstra"),
            (["matrix", *common, *cch_, str(a), "-o", str(b)], "not a readable hierarchy"),
            (["accel", "build", *common, "-o", str(tmp_path / "road.txt")], ".cch")):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1 and "Traceback" not in err, (argv, err)
    assert cch.read_bytes() == before
