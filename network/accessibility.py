"""Accessibility: opportunities (jobs, schools, any weighted points) reachable from origins.

For each origin, the opportunities are summed over those reached within each threshold
(cumulative counts), and optionally weighted by a negative-exponential decay of the travel
time, ``sum w * exp(-beta * minutes)`` (the Hansen measure with an exponential impedance).

Origins are points (:func:`network.points.read_points`) or every cell of the grid. A point
origin and every opportunity join the network as places do (see :mod:`network.points`); a
grid cell joins it as in a reverse surface (:func:`network.surface.cell_pairs`): by the nodes
within ``Assumptions.egress_max_km`` of its centre, at the street cost of reaching them. Times
are composed exactly from one Dijkstra per distinct access node, so all 54,108 cells of the
1-km grid take a few minutes on one core; the cells are split into chunks that run on Dask
(:mod:`network._cluster`) when given ``workers`` or a ``scheduler``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from network._errors import InputError
from network.assumptions import DEFAULT, Assumptions

if TYPE_CHECKING:
    import geopandas as gpd
    from scipy.sparse import csr_matrix

    from network.layers import Layers
    from network.points import Points
    from network.queries import Network

#: Origin cells per chunk of a grid run.
CHUNK_CELLS = 2048


@dataclass
class Measure:
    """What to sum: opportunity weights, thresholds (minutes) and an optional decay rate."""

    thresholds: list[float]
    decay_per_minute: float | None = None

    def check(self) -> Measure:
        from network.surface import check_thresholds

        check_thresholds(list(self.thresholds))
        b = self.decay_per_minute
        if b is not None and not (np.isfinite(b) and b > 0):
            raise InputError(f"--decay must be a positive rate per minute (e.g. 0.05); got {b}")
        return self

    @property
    def horizon(self) -> float:
        """Times beyond this do not count (the largest threshold; unbounded with a decay)."""
        return np.inf if self.decay_per_minute is not None else float(max(self.thresholds))


def _sums(minutes: np.ndarray, weights: np.ndarray, measure: Measure) -> dict[str, np.ndarray]:
    """Per origin row: the cumulative sums at each threshold and the decayed sum."""
    out = {}
    for t in measure.thresholds:
        out[f"within_{t:g}"] = (minutes <= t).astype(float) @ weights
    if measure.decay_per_minute is not None:
        with np.errstate(over="ignore"):
            out["decayed"] = np.exp(-measure.decay_per_minute * minutes) @ weights
    return out


def _egress(net: Network, opportunities: Points) -> tuple[np.ndarray, csr_matrix]:
    """The base nodes opportunities are reached from, and an opportunities x those-nodes
    matrix of egress minutes."""
    from network.points import connectors

    egr = connectors(net, opportunities.lon, opportunities.lat, "to").tocsc()
    ys = np.unique(egr.indices) if egr.nnz else np.zeros(0, dtype=np.int64)
    return ys, egr.tocsr()[ys].T.tocsr()


def _reach(net: Network, access: csr_matrix, ys: np.ndarray, egress: csr_matrix,
           weights: np.ndarray, measure: Measure, same: np.ndarray | None = None
           ) -> dict[str, np.ndarray]:
    from network.points import _min_plus_sparse, access_times

    t_y = access_times(net, access, ys, limit=measure.horizon)
    minutes = _min_plus_sparse(egress, t_y.T).T  # origins x opportunities
    if same is not None:
        minutes[same] = 0.0  # an opportunity at the origin itself
    return _sums(minutes, weights, measure)


def point_accessibility(net: Network, origins: Points, opportunities: Points,
                        weights: np.ndarray, measure: Measure) -> gpd.GeoDataFrame:
    """Opportunities reached from each origin point (one row per origin, EPSG:4326)."""
    import geopandas as gpd

    from network.points import connectors

    measure.check()
    ys, egress = _egress(net, opportunities)
    acc = connectors(net, origins.lon, origins.lat, "from")
    cols: dict[str, list] = {}
    step = 2048
    for a in range(0, len(origins), step):
        same = (origins.lon[a:a + step, None] == opportunities.lon[None, :]) & \
            (origins.lat[a:a + step, None] == opportunities.lat[None, :])
        part = _reach(net, acc[a:a + step], ys, egress, weights, measure, same)
        for k, v in part.items():
            cols.setdefault(k, []).append(v)
    frame = gpd.GeoDataFrame({"id": origins.ids, **{k: np.concatenate(v) for k, v in cols.items()}},
                             geometry=gpd.points_from_xy(origins.lon, origins.lat), crs="EPSG:4326")
    return frame


# ------------------------------------------------------------------------------------------
# every grid cell as an origin, in chunks (in process or on Dask)
# ------------------------------------------------------------------------------------------


@dataclass
class GridJob:
    """What a worker needs to compute a chunk of grid origins; pickles to the workers."""

    layers: Layers
    year: int
    modes: str
    assumptions: Assumptions
    opp_lon: np.ndarray
    opp_lat: np.ndarray
    weights: np.ndarray
    measure: Measure
    cell_km: float | None = None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


#: Per-process state of grid jobs (network, access and egress matrices), by job token.
_STATE: dict[str, tuple] = {}


def _state(job: GridJob) -> tuple:
    hit = _STATE.get(job.token)
    if hit is None:
        from network.points import Points
        from network.queries import Network

        _STATE.clear()
        net = Network(job.layers, year=job.year, modes=job.modes, assumptions=job.assumptions)
        opp = Points(np.arange(len(job.opp_lon)).astype(str), job.opp_lon, job.opp_lat, None)
        ys, egress = _egress(net, opp)
        hit = (net, cell_access(net, net.grid(job.cell_km)), ys, egress)
        _STATE[job.token] = hit
    return hit


def cell_access(net: Network, grid: Any) -> csr_matrix:
    """Cells x base nodes: the street minutes from each cell centre to the nodes near it (the
    pairs of a reverse surface)."""
    from scipy.sparse import csr_matrix

    from network.surface import cell_pairs

    pairs = cell_pairs(net, grid, True)
    indptr = np.zeros(grid.size + 1, dtype=np.int64)
    ends = np.append(pairs.starts[1:], len(pairs.node))
    indptr[pairs.cells + 1] = ends - pairs.starts
    indptr = np.cumsum(indptr)
    matrix = csr_matrix((np.maximum(pairs.cost, 1e-9), pairs.node, indptr),
                        shape=(grid.size, net.compiled.n_base))
    matrix.sum_duplicates()
    return matrix


def grid_chunk(job: GridJob, rows: tuple[int, int]) -> dict[str, np.ndarray]:
    """The sums of origin cells ``rows[0]:rows[1]`` (a task; runs on any worker)."""
    net, access, ys, egress = _state(job)
    return _reach(net, access[rows[0]:rows[1]], ys, egress, job.weights, job.measure)


def grid_accessibility(layers: Layers, opportunities: Points, weights: np.ndarray,
                       measure: Measure, *, year: int, modes: str,
                       assumptions: Assumptions = DEFAULT, cell_km: float | None = None,
                       scheduler: str | None = None, workers: int | None = 1, quiet: bool = True,
                       chunk_cells: int = CHUNK_CELLS) -> gpd.GeoDataFrame:
    """Opportunities reached from every cell of the grid (one row per cell, EPSG:4326).

    Runs in this process, or on Dask (``workers`` local processes or the cluster at
    ``scheduler``), in chunks of ``chunk_cells`` origin cells, with a progress bar unless
    ``quiet``.
    """
    from network._cluster import run_chunks

    measure.check()
    job = GridJob(layers, year, modes, assumptions, opportunities.lon, opportunities.lat,
                  np.asarray(weights, float), measure, cell_km)
    net = _state(job)[0]
    grid = net.grid(cell_km)
    chunks = [(a, min(a + chunk_cells, grid.size)) for a in range(0, grid.size, chunk_cells)]
    parts: dict[int, dict] = {}
    run_chunks(grid_chunk, job, chunks, on_result=parts.__setitem__, scheduler=scheduler,
               workers=workers, label="origin cells", quiet=quiet)
    frame = grid.cells()
    for k in parts[0]:
        frame[k] = np.concatenate([parts[i][k] for i in range(len(chunks))])
    frame.insert(0, "cell", np.arange(grid.size))
    return frame


__all__ = ["Measure", "cell_access", "grid_accessibility", "point_accessibility"]
