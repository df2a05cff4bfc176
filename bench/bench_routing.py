"""Benchmarks of the foundation on the shipped layers (run on demand, not in the tests).

    python bench/bench_routing.py [--year 2025] [--repeat 20]

Reports warm timings (median of ``--repeat`` runs after one warm-up):
- graph build for one year (``network.build``) and compile to CSR;
- a single door-to-door query (``Network.travel_time``);
- the county x county door-to-door matrix (``Network.matrix``), goal <= 20 ms;
- ``hzcircle --help`` wall time in a fresh process, goal <= 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--modes", default="any")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    from network import Network, build, load_layers
    from network.routing import compile_graph

    t0 = time.perf_counter()
    layers = load_layers()
    load_ms = (time.perf_counter() - t0) * 1000.0
    net = Network(layers, year=args.year, modes=args.modes)
    G = net.G
    rows = [
        ("load layers (cold, once)", load_ms),
        (f"build graph {args.year} {args.modes} ({G.number_of_nodes()} nodes, "
         f"{G.number_of_edges()} edges)",
         median_ms(lambda: build(layers, year=args.year, modes=args.modes), args.repeat)),
        ("compile to CSR", median_ms(lambda: compile_graph(G), args.repeat)),
        ("single query Keqiao -> Tonglu",
         median_ms(lambda: net.travel_time("Keqiao", "Tonglu"), args.repeat)),
        ("county x county matrix (44 x 44)",
         median_ms(lambda: net.matrix(level="county"), args.repeat)),
    ]
    helps = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "network", "--help"], check=True,
                       capture_output=True)
        helps.append((time.perf_counter() - t0) * 1000.0)
    rows.append(("hzcircle --help (fresh process, median of 5)", statistics.median(helps)))
    width = max(len(name) for name, _ in rows)
    for name, ms in rows:
        print(f"{name:<{width}}  {ms:9.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
