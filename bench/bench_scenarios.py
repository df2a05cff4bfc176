"""Scenario throughput on the shipped layers (on demand, not in the tests).

    python bench/bench_scenarios.py [--n 1000] [--year 2025] [--workers 2] [--seed 1]

Evaluates ``--n`` random ``add_line`` variants (2-5 random open stations, speed 80-300 km/h,
headway 5-60 min): apply the scenario at the graph level, recompute the county x county
door-to-door matrix and the population within the hour of the Hangzhou core (rail). Reports the
throughput warm in one process and with ``--workers`` processes, and checks a sample against a
full rebuild.
"""

from __future__ import annotations

import argparse
import random
import time


def variants(layers, n: int, year: int, seed: int):
    from network.scenarios import Scenario

    rng = random.Random(seed)
    st = layers.stations
    open_ids = sorted(s for s, y in zip(st["id"], st["open_year"], strict=True)
                      if y is None or y <= year)
    out = []
    for i in range(n):
        stops = rng.sample(open_ids, rng.randint(2, 5))
        out.append(Scenario(f"variant {i}", [{
            "type": "add_line", "id": f"bench_{i}", "name": f"variant {i}", "class": "hsr",
            "headway_minutes": rng.uniform(5, 60), "speed_kmh": rng.uniform(80, 300),
            "stops": stops}]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    import numpy as np

    from network import load_layers
    from network.scenarios import FastEvaluator, Scenario, evaluate_full, evaluate_many

    layers = load_layers()
    scenarios = variants(layers, args.n, args.year, args.seed)
    t0 = time.perf_counter()
    ev = FastEvaluator(layers, year=args.year, modes="rail")
    setup = time.perf_counter() - t0
    ev.evaluate(scenarios[0])  # warm
    t0 = time.perf_counter()
    results = [ev.evaluate(s) for s in scenarios]
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    many = evaluate_many(layers, scenarios, year=args.year, modes="rail", workers=args.workers)
    multi = time.perf_counter() - t0
    same = all(np.array_equal(a.matrix, b.matrix) for a, b in zip(results, many, strict=True))
    checks = [evaluate_full(layers, s, year=args.year, grid=ev.grid) for s in scenarios[:5]]
    exact = all(np.allclose(c.matrix, r.matrix) and abs(c.population_within_hour
                                                         - r.population_within_hour) < 1e-6
                for c, r in zip(checks, results, strict=False))
    base = ev.evaluate(Scenario("baseline", []))
    gains = [r.population_within_hour - base.population_within_hour for r in results]
    print(f"evaluator setup (build, grid, pairs): {setup:.2f} s")
    print(f"{args.n} add_line variants, 1 process : {args.n / one:6.1f} scenarios/s "
          f"({one / args.n * 1000:.1f} ms each, warm)")
    print(f"{args.n} add_line variants, {args.workers} processes: {args.n / multi:6.1f} scenarios/s "
          f"(including starting the workers)")
    print(f"parallel results identical to serial: {same}; first 5 identical to a full rebuild: "
          f"{exact}")
    print(f"population within the hour across variants: min {min(gains) / 1e3:+.0f} k, "
          f"max {max(gains) / 1e3:+.0f} k people relative to the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
