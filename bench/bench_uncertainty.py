"""Uncertainty draws on the shipped layers (on demand, not in the tests).

    python bench/bench_uncertainty.py [--n 200] [--rebuilds 3] [--year 2025] [--seed 1]

Times one uncertainty draw by re-pricing the compiled graph by edge category
(:mod:`network.uncertainty`: county minutes both ways and the population within the hour on the
1 km grid) against its peer, the same answer by rebuilding the network and its scorecard with
the drawn assumptions (``--rebuilds`` times), in the same run; and the whole ``--n`` run and a
full sensitivity run. Checks that both ways give the same minutes for the drawn assumptions.
"""

from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--rebuilds", type=int, default=3)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    import numpy as np

    from network import Network, load_layers
    from network.scorecard import scorecard
    from network.uncertainty import _evaluator, sample, sensitivity

    layers = load_layers()
    t0 = time.perf_counter()
    net = Network(layers, year=args.year)
    card = scorecard(net)
    ev = _evaluator(net, card)
    setup = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    draws = [net.assumptions.replace(local_transit_speed_kmh=float(rng.uniform(12, 25)),
                                     entry_hsr_minutes=float(rng.uniform(5, 20)),
                                     wait_cap_minutes=float(rng.uniform(10, 30)))
             for _ in range(args.rebuilds)]
    t0 = time.perf_counter()
    fast = [ev.run(a) for a in draws]
    t_fast = (time.perf_counter() - t0) / len(draws)
    t0 = time.perf_counter()
    slow = [scorecard(Network(layers, year=args.year, assumptions=a)) for a in draws]
    t_slow = (time.perf_counter() - t0) / len(draws)
    worst = 0.0
    for (mins, _), c in zip(fast, slow, strict=True):
        for m, z in zip(mins, c.zones, strict=True):
            if z.minutes_to_core is not None:
                worst = max(worst, abs(m - max(z.minutes_to_core, z.minutes_from_core)))
    t0 = time.perf_counter()
    sample(net, n=args.n, seed=args.seed, card=card)
    t_n = time.perf_counter() - t0
    t0 = time.perf_counter()
    sensitivity(net, card=card)
    t_sens = time.perf_counter() - t0
    print(f"setup (network, scorecard, edge arrays, cell pairs): {setup:.1f} s")
    print(f"one draw re-priced: {t_fast * 1000:.0f} ms; rebuilt (peer): {t_slow * 1000:.0f} ms; "
          f"ratio {t_slow / t_fast:.0f}x; largest difference {worst:.3f} min")
    print(f"{args.n} draws: {t_n:.1f} s; sensitivity (every input at low and high): {t_sens:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
