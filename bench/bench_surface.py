"""Benchmarks of surfaces, isochrones and the scorecard on the shipped layers (on demand).

    python bench/bench_surface.py [--year 2025] [--modes any] [--repeat 10]

Reports warm medians of:
- one origin's surface over the whole circle at 1 km cells plus four isochrone polygons
  (30/45/60/90 min), goal <= 50 ms;
- the commute-circle scorecard for one year, goal <= 200 ms;
and, side by side, the osmnx-style recipe on the same graph (networkx ``ego_graph`` by time
from the origin, then a union of buffered reached nodes), with the agreement (IoU) of each
method's 60-minute polygon against a fine-grid reference (our method at 0.25 km cells).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def osmnx_style(net, origin_node: str, minutes: float, buffer_m: float = 500.0):
    """The common osmnx isochrone recipe: ego graph by travel time, buffered node union."""
    import geopandas as gpd
    import networkx as nx
    import shapely

    from network.geo import CRS_METRIC, CRS_WGS84

    sub = nx.ego_graph(net.G, origin_node, radius=minutes, distance="minutes")
    pts = [(d["x"], d["y"]) for _, d in sub.nodes(data=True)]
    series = gpd.GeoSeries(shapely.points(pts), crs=CRS_WGS84).to_crs(CRS_METRIC)
    return shapely.union_all(series.buffer(buffer_m).values)


def iou(a, b) -> float:
    inter = a.intersection(b).area
    union = a.union(b).area
    return inter / union if union else 1.0

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_ms  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--modes", default="any")
    parser.add_argument("--place", default="Xihu")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)

    from network import Network, load_layers
    from network.geo import CRS_METRIC
    from network.scorecard import scorecard
    from network.surface import travel_time_surface

    layers = load_layers()
    net = Network(layers, year=args.year, modes=args.modes)
    grid = net.grid(1.0)
    fine = net.grid(0.25)
    origin = net.resolve(args.place)
    travel_time_surface(net, origin, grid=grid)  # warm the cell-node pairs

    def ours():
        return travel_time_surface(net, origin, grid=grid).isochrones([30, 45, 60, 90])

    rail = Network(layers, year=args.year, modes="rail")
    rows = [
        (f"surface + 4 isochrones, {grid.size:,} cells of 1 km ({args.modes})",
         median_ms(ours, args.repeat)),
        ("commute-circle scorecard, one year (rail)",
         median_ms(lambda: scorecard(rail), args.repeat)),
        ("osmnx-style recipe, one 60-min polygon (ego_graph + 500 m node buffers)",
         median_ms(lambda: osmnx_style(net, origin.origin, 60.0), max(3, args.repeat // 3))),
    ]
    ref = travel_time_surface(net, origin, grid=fine).isochrones([60]).to_crs(
        CRS_METRIC).geometry.iloc[0]
    mine = ours().to_crs(CRS_METRIC).geometry.iloc[2]
    recipe = osmnx_style(net, origin.origin, 60.0)
    width = max(len(r[0]) for r in rows)
    for name, ms in rows:
        print(f"{name:<{width}}  {ms:9.1f} ms")
    print(f"60-min polygon IoU vs 0.25 km reference: ours (1 km) {iou(mine, ref):.3f}, "
          f"osmnx-style {iou(recipe, ref):.3f}")
    print(f"areas: reference {ref.area / 1e6:,.0f} km2, ours {mine.area / 1e6:,.0f} km2, "
          f"osmnx-style {recipe.area / 1e6:,.0f} km2")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
