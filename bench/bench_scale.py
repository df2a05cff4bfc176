"""Scale benchmarks of issue 17 (run on demand, not in the tests).

    python bench/bench_scale.py [--only surface,points,whatif,access,spliced,accel,curve]
                                [--road-edges 1000000] [--curve 10000,100000,1000000,3000000]
                                [--repeat 10]

Every figure is printed next to a peer measured in the same run on the same graph: a bare
``scipy.sparse.csgraph.dijkstra``, igraph's ``distances`` and networkx's Dijkstra (networkx
only up to 10^5 edges), or the reference path the figure replaces (copying the graph, the
graph-level what-if, a full rebuild). Sections:

surface  point surface warm (a lon,lat origin, rail, 54,108 cells of 1 km)
points   1,000 x 1,000 point matrix (random points in the Hangzhou area)
report   run_report warm (3 runs, wall and CPU), figures in one process and forked, and the
         legs-to-core step one by one against one reverse search
whatif   add-line what-ifs per second: incremental, graph-level reference, full rebuild
access   every one of the 54,108 cells as an origin (county seats x population), one process
spliced  a synthetic road graph of --road-edges edges spliced in: build time and peak memory,
         a point-to-point road query, the 44 x 44 county matrix
accel    the exact contraction hierarchy (network.accel) on that spliced graph: preprocessing,
         44 x 44 matrix and --queries random point queries, against Dijkstra in the same run
curve    single-source Dijkstra from 10^4 to 3 x 10^6 edges: scipy, igraph, networkx
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_ms


def _row(name: str, value: str, peer: str = "") -> None:
    print(f"  {name:<58} {value:>16}  {peer}")


def _igraph(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int):
    import igraph as ig

    g = ig.Graph(n=n, edges=np.column_stack([u, v]).tolist(), directed=True)
    g.es["w"] = w.tolist()
    return g


def _csr_parts(matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coo = matrix.tocoo()
    return coo.row, coo.col, coo.data


def surface(args: argparse.Namespace, layers) -> None:
    import networkx as nx
    from scipy.sparse.csgraph import dijkstra

    from network import Network
    from network import graph as _graph
    from network.routing import compile_graph
    from network.surface import surface_from_times, travel_time_surface

    print("point surface, warm (origin 120.21,30.29; rail; 54,108 cells)")
    net = Network(layers, year=2025, modes="rail")
    p = net.resolve("120.21,30.29")
    ours = median_ms(lambda: travel_time_surface(net, p), args.repeat)

    def copy_path():  # what Network.augmented did before: copy the graph, recompile
        node, edges, nodes = net.attach(p, "from")
        G = net.G.copy()
        G.add_nodes_from(nodes.items())
        _graph.add_edges(G, edges)
        c = compile_graph(G)
        t = dijkstra(c.matrix, indices=c.index[node], min_only=True)
        return surface_from_times(net, t)

    old = median_ms(copy_path, args.repeat)

    def both_ways():  # the code before the one-way overlay: connectors both ways, pad + add
        from network.routing import shortest_times
        from network.surface import _attach_all

        c, src, _ = _attach_all(net, [p], [], ("from",), one_way=False)
        return surface_from_times(net, shortest_times(c, src, min_only=True))

    both = median_ms(both_ways, args.repeat)
    again = median_ms(lambda: travel_time_surface(net, p), args.repeat)
    m = net.compiled.matrix
    src = net.compiled.index["hangzhou_east"]
    sp = median_ms(lambda: dijkstra(m, indices=src), args.repeat)
    g = _igraph(*_csr_parts(m), m.shape[0])
    ig_ms = median_ms(lambda: g.distances(source=[src], weights="w", mode="out"), args.repeat)
    H = nx.DiGraph()
    H.add_weighted_edges_from(zip(*(x.tolist() for x in _csr_parts(m)), strict=True))
    nx_ms = median_ms(lambda: nx.single_source_dijkstra_path_length(H, src), args.repeat)
    _row("point surface (attach + overlay + Dijkstra + cells)", f"{ours:.1f} ms",
         f"copying the graph: {old:.1f} ms (x{old / ours:.1f})")
    _row("  again, after the peers (same code)", f"{again:.1f} ms",
         f"both connector directions, padded overlay (before): {both:.1f} ms (x{both / again:.1f})")
    _row("  peers, one single-source search on the same graph", "",
         f"scipy {sp:.2f} ms, igraph {ig_ms:.2f} ms, networkx {nx_ms:.2f} ms "
         f"(ours = x{ours / sp:.1f} scipy)")


def _random_points(layers, n: int, seed: int):
    import pandas as pd

    from network.geo import in_region
    from network.points import Points

    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(119.8, 120.6, 3 * n), rng.uniform(29.9, 30.5, 3 * n)
    keep = np.array([in_region(layers, x, y) for x, y in zip(lon, lat, strict=True)])
    lon, lat = lon[keep][:n], lat[keep][:n]
    return Points(np.arange(len(lon)).astype(str), lon, lat, pd.DataFrame())


def points(args: argparse.Namespace, layers) -> None:
    from scipy.sparse.csgraph import dijkstra

    from network import Network
    from network.points import point_times

    print("1,000 x 1,000 point matrix (rail)")
    net = Network(layers, year=2025, modes="rail")
    pts = _random_points(layers, 1000, 1)
    t0 = time.perf_counter()
    out = point_times(net, pts, pts)
    ours = time.perf_counter() - t0
    sample = []
    for i in range(10):
        a, b = f"{pts.lon[i]},{pts.lat[i]}", f"{pts.lon[i + 10]},{pts.lat[i + 10]}"
        t0 = time.perf_counter()
        j = net.travel_time(a, b)
        sample.append(time.perf_counter() - t0)
        assert abs(j.minutes - out[i, i + 10]) < 1e-9
    per_pair = statistics.median(sample)
    m = net.compiled.matrix
    t0 = time.perf_counter()
    dijkstra(m, indices=np.arange(1000) % m.shape[0])
    sp = time.perf_counter() - t0
    _row("1,000 x 1,000 points (connectors, Dijkstra, min-plus)", f"{ours:.2f} s",
         f"one travel_time per pair: {per_pair * 1e3:.1f} ms/pair -> "
         f"{per_pair * 1e6 / 60:.0f} min for 10^6 pairs (estimate)")
    _row("  peer: 1,000 bare scipy single-source searches", f"{sp:.2f} s", "")


def whatif(args: argparse.Namespace, layers) -> None:
    from bench_scenarios import variants

    from network.scenarios import FastEvaluator, evaluate_full

    print("add-line what-ifs, one process (rail, 2025, 300 random variants)")
    sc = variants(layers, 300, 2025, 1)
    t0 = time.perf_counter()
    ev = FastEvaluator(layers, year=2025, modes="rail")
    ev._baseline()
    setup = time.perf_counter() - t0
    ev.evaluate(sc[0])
    t0 = time.perf_counter()
    inc = [ev.evaluate(s) for s in sc]
    rate_inc = len(sc) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    ref = [ev.evaluate(s, incremental=False) for s in sc[:100]]
    rate_ref = 100 / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    full = [evaluate_full(layers, s, year=2025, grid=ev.grid) for s in sc[:5]]
    rate_full = 5 / (time.perf_counter() - t0)
    same = all(np.allclose(a.matrix, b.matrix, rtol=0, atol=1e-9, equal_nan=True)
               and a.population_within_hour == b.population_within_hour
               for a, b in zip(inc, ref, strict=False))
    same_full = all(np.allclose(a.matrix, b.matrix, rtol=0, atol=1e-9, equal_nan=True)
                    for a, b in zip(inc, full, strict=False))
    _row("setup (evaluator + baseline times from every station)", f"{setup:.2f} s", "")
    _row("incremental against the cached baseline", f"{rate_inc:.0f} /s",
         f"graph-level reference {rate_ref:.1f} /s (x{rate_inc / rate_ref:.1f}); "
         f"full rebuild {rate_full:.2f} /s (x{rate_inc / rate_full:.0f})")
    _row("  equal to the reference (100) and to full rebuilds (5)", f"{same and same_full}", "")


def access(args: argparse.Namespace, layers) -> None:
    from scipy.sparse.csgraph import dijkstra

    from network import Network
    from network.accessibility import Measure, cell_access, grid_accessibility
    from network.points import Points

    print("accessibility from every cell (54,108 cells of 1 km; opportunities = 44 county "
          "seats x population; rail; one process)")
    z = layers.zones
    opp = Points(z["code"].astype(str).to_numpy(), z["lon"].to_numpy(float),
                 z["lat"].to_numpy(float), None)
    w = np.nan_to_num(z["population_2020"].to_numpy(float))
    t0 = time.perf_counter()
    frame = grid_accessibility(layers, opp, w, Measure([30, 45, 60], 0.05), year=2025,
                               modes="rail")
    ours = time.perf_counter() - t0
    net = Network(layers, year=2025, modes="rail")
    acc = cell_access(net, net.grid())
    origins = int((np.diff(acc.indptr) > 0).sum())
    m = net.compiled.matrix
    one = median_ms(lambda: dijkstra(m, indices=0), args.repeat) / 1e3
    _row(f"all {len(frame):,} cells ({origins:,} with access to the network)", f"{ours:.1f} s",
         f"one scipy single-source search per cell: {one * 1e3:.2f} ms x {origins:,} = "
         f"{one * origins:.1f} s (estimate, kernel only)")


def _spliced_roads(n_edges: int):
    """A synthetic road graph as arrays (:class:`network.osm.RoadArrays`), never networkx."""
    from network.osm import RoadArrays, synthetic_roads

    u, v, w, n = synthetic_roads(n_edges)
    side = int(np.sqrt(n))
    # synthetic positions over the Hangzhou urban area (benchmark only, not data)
    lon = 119.95 + (np.arange(n) % side) / side * 0.5
    lat = 30.05 + (np.arange(n) // side) / side * 0.4
    return RoadArrays(np.arange(n, dtype=np.int64), lon, lat, u.astype(np.int32),
                      v.astype(np.int32), w * 60.0, np.full(len(u), 300.0),
                      np.full(len(u), -1, dtype=np.int32), np.array([], dtype=str),
                      "synthetic benchmark roads")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _networkx_splice(layers, R) -> float:
    """The reference networkx splice (roads graph, osm._splice_networkx, compile): seconds."""
    from network.graph import build
    from network.osm import _splice_networkx
    from network.routing import compile_graph

    t0 = time.perf_counter()
    G = build(layers, year=2025, modes="road")
    _splice_networkx(G, R.to_graph(), layers)
    compile_graph(G)
    return time.perf_counter() - t0


def spliced(args: argparse.Namespace, layers) -> None:
    from scipy.sparse.csgraph import dijkstra

    from network import Network
    from network.routing import csr_min

    print(f"road graph of ~{args.road_edges:,} synthetic edges spliced in (modes road)")
    rss0 = _rss_mb()
    roads = _spliced_roads(args.road_edges)
    rss1 = _rss_mb()
    t0 = time.perf_counter()
    net = Network(layers, year=2025, modes="road", roads=roads)
    build = time.perf_counter() - t0
    rss2 = _rss_mb()
    m = net.compiled.matrix
    t0 = time.perf_counter()
    bare = csr_min(roads.u.astype(np.int64), roads.v.astype(np.int64), roads.travel_time / 60.0,
                   roads.number_of_nodes())
    bare_s = time.perf_counter() - t0
    del bare
    small = _spliced_roads(100_000)
    t0 = time.perf_counter()
    Network(layers, year=2025, modes="road", roads=small)
    arrays_small = time.perf_counter() - t0
    nx_small = _networkx_splice(layers, small)
    t0 = time.perf_counter()
    Network(layers, year=2025, modes="road")
    plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    Network(layers, year=2025, modes="road", roads=roads)
    warm = time.perf_counter() - t0
    a, b = "120.10,30.20", "120.30,30.30"
    q = median_ms(lambda: net.travel_time(a, b), max(3, args.repeat // 2))
    sp = median_ms(lambda: dijkstra(m, indices=0), 3)
    mx = median_ms(lambda: net.matrix(level="county"), 3)
    zones = net.compiled.node_ids(list(net.zones("county")["node"]))
    sp44 = median_ms(lambda: dijkstra(m, indices=zones), 3)
    g = _igraph(*_csr_parts(m), m.shape[0])
    ig1 = median_ms(lambda: g.distances(source=[0], weights="w", mode="out"), 3)
    _row(f"build with roads as arrays ({m.nnz:,} CSR edges)", f"{build:.2f} s",
         f"peak RSS {rss0:.0f} MB -> {rss1:.0f} MB (road arrays) -> {rss2:.0f} MB (network)")
    _row("  again, warm (imports and layer caches made)", f"{warm:.2f} s",
         f"without roads {plain:.2f} s; bare csr_min of the road edges {bare_s:.2f} s")
    _row(f"  at {small.number_of_edges():,} road edges: array splice", f"{arrays_small:.2f} s",
         f"networkx splice (reference) {nx_small:.2f} s (x{nx_small / arrays_small:.1f})")
    _row("point-to-point road query (bounded, widening search)", f"{q:.0f} ms",
         f"scipy single-source {sp:.0f} ms, igraph {ig1:.0f} ms")
    _row("44 x 44 county matrix", f"{mx:.0f} ms", f"bare scipy 44 sources {sp44:.0f} ms")


def accel(args: argparse.Namespace, layers) -> None:
    """The exact contraction hierarchy (network.accel) on the spliced graph, against Dijkstra
    and bare scipy on the same graph in the same run."""
    import os

    from scipy.sparse.csgraph import dijkstra

    from network import Network
    from network import accel as _accel

    print(f"exact contraction hierarchy on ~{args.road_edges:,} synthetic road edges spliced in "
          f"(modes road); load {os.getloadavg()[0]:.1f}")
    net = Network(layers, year=2025, modes="road", roads=_spliced_roads(args.road_edges))
    m = net.compiled.matrix
    t0 = time.perf_counter()
    built = net.accelerate()
    prep = time.perf_counter() - t0
    s = built.seconds
    _row(f"preprocessing, once ({m.nnz:,} CSR edges)", f"{prep:.1f} s",
         f"unit bound {s['unit']:.1f} s, nested-dissection order {s['order']:.1f} s, "
         f"customisation {s['customize']:.1f} s")
    # saved and loaded into a fresh network of the same roads (a later CLI run, --hierarchy)
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        path = built.save(Path(d) / "roads.cch")
        saved = time.perf_counter() - t0
        size = path.stat().st_size / 1e6
        del built
        net.cache.clear()
        net = Network(layers, year=2025, modes="road", roads=_spliced_roads(args.road_edges))
        m = net.compiled.matrix
        t0 = time.perf_counter()
        h = net.accelerate(path=path)
        load = time.perf_counter() - t0
    s = h.seconds
    _row("  saved (hzcircle accel build -o FILE.cch)", f"{saved * 1e3:.0f} ms", f"{size:.1f} MB")
    _row("  loaded into a fresh network (--hierarchy FILE.cch)", f"{load:.1f} s",
         f"build {prep:.1f} s (x{prep / load:.0f}); topology from the order {s['load']:.1f} s, "
         f"customisation {s['customize']:.1f} s")
    t0 = time.perf_counter()
    net.matrix(level="county", engine="cch")  # the loaded hierarchy; customises the upper-bound metric
    first = time.perf_counter() - t0
    zones = net.compiled.node_ids(list(net.zones("county")["node"]))
    mx = median_ms(lambda: net.matrix(level="county", engine="cch"), 3)
    dj = median_ms(lambda: net.matrix(level="county", engine="dijkstra"), 3)
    _row("  one-off run: load + first 44 x 44 matrix", f"{load + first:.1f} s",
         f"first matrix {first:.1f} s (upper-bound metric {s['customize_upper']:.1f} s); "
         f"Dijkstra engine matrix {dj / 1e3:.1f} s (x{dj / 1e3 / (load + first):.1f})")
    sp44 = median_ms(lambda: dijkstra(m, indices=zones), 3)
    a_ = net.matrix(level="county", engine="cch")["minutes"].to_numpy()
    d_ = net.matrix(level="county", engine="dijkstra")["minutes"].to_numpy()
    nodes = list(net.zones("county")["node"])
    exact = _accel.matrix_times(h, net.compiled, nodes, nodes)
    ref = dijkstra(m, indices=zones)[:, zones]
    gap = float(np.max(np.abs(exact - ref)[np.isfinite(ref)]))
    _row("44 x 44 county matrix, hierarchy", f"{mx:.0f} ms",
         f"Dijkstra engine {dj:.0f} ms (x{dj / mx:.1f}); bare scipy 44 sources {sp44:.0f} ms "
         f"(x{sp44 / mx:.1f})")
    _row("  largest |hierarchy - scipy| over the 1,892 pairs (min)", f"{gap:.1e}",
         f"rounded outputs differ in {int(np.sum(np.abs(a_ - d_) > 1e-9))} pairs")
    _points_engines(net, layers)
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(120.0, 120.4, (2, args.queries)), rng.uniform(30.1, 30.4, (2, args.queries))
    pairs = [(f"{lon[0, k]:.5f},{lat[0, k]:.5f}", f"{lon[1, k]:.5f},{lat[1, k]:.5f}")
             for k in range(args.queries)]
    ours, worst = [], 0.0
    for a, b in pairs:
        t0 = time.perf_counter()
        net.travel_time(a, b, engine="cch")
        ours.append(time.perf_counter() - t0)
    base = []
    for a, b in pairs[:args.repeat]:
        t0 = time.perf_counter()
        j = net.travel_time(a, b, engine="dijkstra")
        base.append(time.perf_counter() - t0)
        worst = max(worst, abs(j.minutes - net.travel_time(a, b, engine="cch").minutes))
    sp = median_ms(lambda: dijkstra(m, indices=0), 3)
    q, qd = statistics.median(ours) * 1e3, statistics.median(base) * 1e3
    _row(f"point-to-point travel_time, median of {len(ours):,} random point pairs", f"{q:.1f} ms",
         f"Dijkstra engine (bounded search) {qd:.0f} ms over {len(base)} (x{qd / q:.1f}); "
         f"scipy single-source {sp:.0f} ms")
    _row(f"  largest |hierarchy - Dijkstra| over {len(base)} pairs (min)", f"{worst:.1e}", "")
    _row("  one-off run: load + one travel_time", f"{load + q / 1e3:.2f} s",
         f"Dijkstra engine {qd / 1e3:.2f} s (x{qd / 1e3 / (load + q / 1e3):.2f})")


def _points_engines(net, layers) -> None:
    """A 100 x 100 point matrix (``hzcircle matrix --origins/--destinations``) on the spliced
    graph: the hierarchy against Dijkstra's one search per access node, in the same run."""
    from network import accel as _accel
    from network.points import point_times

    pts = _random_points(layers, 100, 3)
    t0 = time.perf_counter()
    got = point_times(net, pts, pts, engine="cch")
    tc = time.perf_counter() - t0
    t0 = time.perf_counter()
    want = point_times(net, pts, pts, engine="dijkstra")
    td = time.perf_counter() - t0
    ok = np.isfinite(want)
    assert np.array_equal(np.isfinite(got), ok)
    gap = float(np.max(np.abs(got - want)[ok])) if ok.any() else 0.0
    assert gap <= 2 * _accel.TOLERANCE
    _row(f"{len(pts)} x {len(pts)} point matrix, hierarchy", f"{tc:.2f} s",
         f"Dijkstra engine {td:.2f} s (x{td / tc:.1f}); {int(ok.sum()):,} pairs reached; "
         f"largest difference {gap:.1e} min")


def curve(args: argparse.Namespace, layers) -> None:
    import networkx as nx
    from scipy.sparse.csgraph import dijkstra

    from network.osm import synthetic_roads
    from network.routing import csr_min

    print("scale curve: single-source Dijkstra on synthetic road graphs (median of 3)")
    print(f"  {'edges':>10} {'compile':>9} {'scipy':>9} {'igraph':>9} {'networkx':>10}")
    for size in (int(s) for s in args.curve.split(",")):
        u, v, w, n = synthetic_roads(size)
        t0 = time.perf_counter()
        m = csr_min(u, v, w, n)
        comp = time.perf_counter() - t0
        sp = median_ms(lambda m=m: dijkstra(m, indices=0), 3)
        g = _igraph(u, v, w, n)
        ig_ms = median_ms(lambda g=g: g.distances(source=[0], weights="w", mode="out"), 3)
        nx_ms = float("nan")
        if len(u) <= 200_000:
            H = nx.DiGraph()
            H.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist(), strict=True))
            nx_ms = median_ms(lambda H=H: nx.single_source_dijkstra_path_length(H, 0), 3)
        print(f"  {len(u):>10,} {comp * 1e3:>7.0f}ms {sp:>7.1f}ms {ig_ms:>7.1f}ms {nx_ms:>8.1f}ms")
        del g


def _cpu() -> float:
    """CPU seconds of this process and its finished children (a forked figure process)."""
    import os

    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def report(args: argparse.Namespace, layers) -> None:
    import os
    import tempfile

    from network import Network, figures
    from network.report import clear_network_cache, run_report
    from network.scorecard import legs_to_core, scorecard

    print("report (years 2020,2025, rail), warm: later runs in the same process "
          f"(load average {os.getloadavg()[0]:.1f}, {len(os.sched_getaffinity(0))} cores)")
    steps: list[str] = []
    auto = figures._a_core_is_free
    with tempfile.TemporaryDirectory() as tmp:
        def once(progress=lambda s: None, fork: bool | None = None) -> tuple[float, float, float]:
            figures._a_core_is_free = auto if fork is None else (lambda: fork)
            load = os.getloadavg()[0]
            c0, t0 = _cpu(), time.perf_counter()
            try:
                run_report(layers, years=[2020, 2025], output_dir=f"{tmp}/out",
                           maps_dir=f"{tmp}/maps", progress=progress)
            finally:
                figures._a_core_is_free = auto
            return time.perf_counter() - t0, _cpu() - c0, load

        first = once()
        clear_network_cache()  # the peer: the same run with every network (and result) again
        rebuilt = once()
        warm = [once(steps.append if i == 0 else (lambda s: None)) for i in range(3)]
        serial, forked = once(fork=False), once(fork=True)
    _row("run_report first run in the process", f"{first[0]:.1f} s", f"CPU {first[1]:.1f} s")
    _row("run_report, networks built again (cache cleared)", f"{rebuilt[0]:.1f} s",
         f"CPU {rebuilt[1]:.1f} s")
    for line in steps:
        print(f"    {line}")
    net = Network(layers, year=2025, modes="rail")
    card = scorecard(net)
    legs = median_ms(lambda: legs_to_core(net, card), 3)
    counties = [f"zone:{z.id}" for z in card.zones if z.kind == "county"]
    batch = median_ms(lambda: net.journeys_to(counties, card.core_place), 3)
    best = min(warm)
    for i, (wall, cpu, load) in enumerate(warm):
        _row(f"run_report warm #{i + 1} (load {load:.1f})", f"{wall:.1f} s",
             f"CPU {cpu:.1f} s; networks built again: {rebuilt[0]:.1f} s "
             f"(x{rebuilt[0] / wall:.1f})")
    _row(f"  warm, figures in one process (load {serial[2]:.1f})", f"{serial[0]:.1f} s",
         f"CPU {serial[1]:.1f} s")
    _row(f"  warm, half the figures forked (load {forked[2]:.1f})", f"{forked[0]:.1f} s",
         f"CPU {forked[1]:.1f} s (both processes); x{serial[0] / forked[0]:.2f} the one-process run")
    _row("  best warm run", f"{best[0]:.1f} s", f"CPU {best[1]:.1f} s")
    _row("  legs to the core, 44 counties: one travel_time each", f"{legs:.0f} ms",
         f"one reverse search (Network.journeys_to): {batch:.0f} ms (x{legs / batch:.1f})")


SECTIONS = {"report": report, "surface": surface, "points": points, "whatif": whatif, "access": access,
            "spliced": spliced, "accel": accel, "curve": curve}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS))  # comma-separated sections
    parser.add_argument("--road-edges", type=int, default=1_000_000)
    parser.add_argument("--curve", default="10000,100000,1000000,3000000")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--queries", type=int, default=1000)  # point queries of --only accel
    args = parser.parse_args(argv)
    from network import load_layers

    layers = load_layers()
    for name in args.only.split(","):
        SECTIONS[name](args, layers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
