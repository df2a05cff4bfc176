"""Invariants on random small networks (hypothesis)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import Network, load_layers
from tests.helpers import service, station, stops, write_layers, zone

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

coords = st.tuples(st.floats(120.0, 120.8), st.floats(29.8, 30.4))


@st.composite
def networks(draw):
    n = draw(st.integers(3, 6))
    pts = draw(st.lists(coords, min_size=n, max_size=n))
    stations_ = [station(f"s{i}", x, y, opened=str(draw(st.integers(2010, 2022))))
                 for i, (x, y) in enumerate(pts)]
    services_, stops_ = [], []
    for k in range(draw(st.integers(1, 4))):
        ids = draw(st.lists(st.sampled_from([s["id"] for s in stations_]), min_size=2,
                            max_size=n, unique=True))
        runs = draw(st.lists(st.floats(3, 40), min_size=len(ids) - 1, max_size=len(ids) - 1))
        sid = f"v{k}"
        services_.append(service(sid, headway=draw(st.floats(4, 60)),
                                 opened=draw(st.integers(2010, 2022))))
        stops_ += stops(sid, ids, runs, dwell=draw(st.floats(0, 3)))
    zpts = draw(st.lists(coords, min_size=3, max_size=4))
    zones_ = [zone(str(100 + i), x, y) for i, (x, y) in enumerate(zpts)]
    return stations_, services_, stops_, zones_


def _matrix(folder, year, modes="rail"):
    m = Network(load_layers(folder), year=year, modes=modes).matrix()
    return m.set_index(["origin_code", "destination_code"])["minutes"]


@SETTINGS
@given(networks())
def test_triangle_inequality(tmp_path_factory, net):
    stations_, services_, stops_, zones_ = net
    folder = write_layers(tmp_path_factory.mktemp("n"), stations=stations_, services=services_,
                          stops=stops_, zones=zones_)
    t = _matrix(folder, 2022).to_dict()
    codes = [z["code"] for z in zones_]
    for a, b, c in itertools.permutations(codes, 3):
        if all(np.isfinite(t.get(k, np.nan)) for k in ((a, b), (b, c))):
            assert t[(a, c)] <= t[(a, b)] + t[(b, c)] + 0.11  # matrix rounds to 0.1


@SETTINGS
@given(networks(), st.data())
def test_adding_a_service_never_slows_a_trip(tmp_path_factory, net, data):
    stations_, services_, stops_, zones_ = net
    base = write_layers(tmp_path_factory.mktemp("b"), stations=stations_, services=services_,
                        stops=stops_, zones=zones_)
    ids = data.draw(st.lists(st.sampled_from([s["id"] for s in stations_]), min_size=2,
                             max_size=3, unique=True))
    runs = data.draw(st.lists(st.floats(2, 30), min_size=len(ids) - 1, max_size=len(ids) - 1))
    more = write_layers(tmp_path_factory.mktemp("m"), stations=stations_,
                        services=[*services_, service("extra", headway=data.draw(st.floats(4, 60)))],
                        stops=stops_ + stops("extra", ids, runs), zones=zones_)
    before, after = _matrix(base, 2022), _matrix(more, 2022)
    assert (after.fillna(np.inf) <= before.fillna(np.inf) + 1e-9).all()


@SETTINGS
@given(networks(), st.integers(2010, 2021))
def test_later_year_never_slower_when_only_openings(tmp_path_factory, net, year):
    stations_, services_, stops_, zones_ = net
    folder = write_layers(tmp_path_factory.mktemp("y"), stations=stations_, services=services_,
                          stops=stops_, zones=zones_)
    early, late = _matrix(folder, year), _matrix(folder, year + 1)
    assert (late.fillna(np.inf) <= early.fillna(np.inf) + 1e-9).all()
