"""The point surface's shortcuts give the same numbers as the general path: an overlay of new
rows only (routing._append_rows) equals padding and adding, and a one-way overlay (no edges
into the origin point of a forward search, none out of the target of a reverse one) gives the
same node times as the overlay with every connector."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network import Network
from network.routing import _append_rows, _pad, csr_min, shortest_times
from network.surface import _attach_all, travel_time_surface


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), k=st.integers(1, 4),
       m=st.integers(0, 120))
def test_appended_rows_equal_pad_and_add(seed, n, k, m):
    rng = np.random.default_rng(seed)
    base = csr_min(rng.integers(0, n, m), rng.integers(0, n, m), rng.uniform(1e-9, 9, m), n)
    e = int(rng.integers(1, 30))
    u, v, w = rng.integers(0, k, e), rng.integers(0, n + k, e), rng.uniform(1e-9, 9, e)
    got = _append_rows(base, csr_min(u, v, w, (k, n + k)))
    want = _pad(base, n + k) + csr_min(u + n, v, w, n + k)
    assert got.shape == want.shape and got.has_sorted_indices
    assert (got != want).nnz == 0 and got.nnz == want.nnz


@pytest.mark.parametrize("modes", ["rail", "any"])
def test_one_way_overlay_gives_the_same_times(real_layers, modes):
    net = Network(real_layers, year=2025, modes=modes)
    rng = np.random.default_rng(3)
    nb = net.compiled.n_base
    for _ in range(4):
        pts = [net.place(f"{rng.uniform(119.6, 120.7):.4f},{rng.uniform(29.6, 30.7):.4f}")
               for _ in range(2)]
        extra = [net.place("120.30,30.30"), net.place("Jiaxing")]
        for role in ("from", "to"):
            full, src, dst = _attach_all(net, pts, extra, (role,))
            lean, src2, dst2 = _attach_all(net, pts, extra, (role,), one_way=True)
            assert (src, dst) == (src2, dst2)
            assert lean.matrix.nnz < full.matrix.nnz  # the other direction was left out
            ends = src if role == "from" else dst
            a = shortest_times(full, ends, reverse=role == "to", min_only=True)
            b = shortest_times(lean, ends, reverse=role == "to", min_only=True)
            keep = [*range(nb), *(lean.index[x.origin] for x in extra if x.kind == "point")]
            assert np.array_equal(a[keep], b[keep])
        s = travel_time_surface(net, pts[0])
        assert np.isfinite(s.minutes).any()
