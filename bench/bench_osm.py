"""Road-graph scale: synthetic planar road-like graphs at 10^4, 10^5 and 10^6 edges (on demand).

    python bench/bench_osm.py [--sizes 10000,100000,1000000] [--nx-size 100000]

No regional OSM extract is available offline, so ``network.osm.synthetic_roads`` makes a
jittered grid with 10 % missing links, 150-400 m links and a mix of urban speeds (average degree
about 3.6, like an OSM drive graph). For each size: build (compile to CSR, parallel edges
reduced), single-source Dijkstra to every node, CSR memory and peak memory of the run; and for
one size the same single-source query with networkx's Dijkstra for the ratio.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--nx-size", type=int, default=100000)
    args = parser.parse_args(argv)

    import networkx as nx
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    from network.osm import synthetic_roads
    from network.scenarios.evaluate import _csr

    print(f"{'edges':>10} {'nodes':>9} {'compile s':>10} {'1-source s':>11} {'CSR MB':>8} "
          f"{'peak RSS MB':>12}")
    for size in (int(s) for s in args.sizes.split(",")):
        u, v, w, n = synthetic_roads(size)
        t0 = time.perf_counter()
        m = _csr(u, v, w, n)
        compile_s = time.perf_counter() - t0
        runs = []
        for src in (0, n // 2, n - 1):
            t0 = time.perf_counter()
            d = dijkstra(m, directed=True, indices=src)
            runs.append(time.perf_counter() - t0)
        assert np.isfinite(d).mean() > 0.9
        mb = (m.data.nbytes + m.indices.nbytes + m.indptr.nbytes) / 1e6
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{len(u):>10,} {n:>9,} {compile_s:>10.3f} {statistics.median(runs):>11.3f} "
              f"{mb:>8.1f} {rss:>12.0f}")
    u, v, w, n = synthetic_roads(args.nx_size)
    m = _csr(u, v, w, n)
    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist(), strict=True))
    t0 = time.perf_counter()
    ref = nx.single_source_dijkstra_path_length(G, 0)
    t_nx = time.perf_counter() - t0
    t0 = time.perf_counter()
    d = dijkstra(m, directed=True, indices=0)
    t_sp = time.perf_counter() - t0
    assert all(abs(d[k] - val) < 1e-6 for k, val in list(ref.items())[:1000])
    print(f"networkx single-source at {len(u):,} edges: {t_nx:.3f} s vs scipy CSR {t_sp:.3f} s "
          f"(x{t_nx / t_sp:.0f}); same distances")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
