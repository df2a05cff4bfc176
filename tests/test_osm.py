"""OSM road graphs: import, speeds, pruning, snapping, hand-checked times, the seam, bad input."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import networkx as nx
import osmnx as ox
import pytest

from network import InputError, LayerError, Network
from network import osm as hzosm
from tests.conftest import DATA, TINY

SMALL = DATA / "osm" / "small.osm"
R = 6_371_009.0  # osmnx's earth radius (m)


def great_circle_m(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * R * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def roads():
    return hzosm.import_osm(SMALL)


def _edge(G, u, v):
    return min(G[u][v].values(), key=lambda d: d["travel_time"])


def test_import_prunes_fragment_and_footways(roads):
    assert set(roads.nodes) == {1, 2, 3, 4, 5, 6, 7, 8, 9}  # 20-21 fragment gone
    assert nx.is_strongly_connected(roads)
    assert roads.graph["crs"].lower() == "epsg:4326"
    assert all(d["highway"] != "footway" for _, _, d in roads.edges(data=True))


def test_speeds_use_maxspeed_then_china_fallbacks(roads):
    assert _edge(roads, 1, 2)["speed_kph"] == 120.0  # tagged
    assert _edge(roads, 5, 6)["speed_kph"] == 100.0  # motorway without maxspeed
    assert _edge(roads, 2, 7)["speed_kph"] == 80.0  # trunk fallback
    assert _edge(roads, 9, 7)["speed_kph"] == 60.0  # tagged primary
    assert _edge(roads, 9, 8)["speed_kph"] == 30.0  # residential fallback
    assert _edge(roads, 9, 6)["speed_kph"] == 40.0  # tertiary fallback
    assert 1 not in roads[2]  # one-way eastbound: no 2 -> 1


def test_travel_time_by_hand(roads):
    # primary 9 -> 7: 0.015 deg of longitude at 30.0 N at 60 km/h
    length = great_circle_m(120.0, 30.0, 120.015, 30.0)
    e = _edge(roads, 9, 7)
    assert e["length"] == pytest.approx(length, rel=1e-6)
    assert e["travel_time"] == pytest.approx(length / 1000 / 60 * 3600, rel=1e-3)


def test_main_filter_keeps_main_roads(tmp_path):
    G = hzosm.import_osm(SMALL, filter="main")
    classes = {d["highway"] for _, _, d in G.edges(data=True)}
    assert classes <= hzosm.MAIN_CLASSES and "residential" not in classes


def test_seam_and_snapping_by_hand(tiny_layers, roads):
    net = Network(tiny_layers, year=2015, modes="road", roads=roads)
    snaps = {s.place: s for s in net.snaps}
    assert snaps["zone:100001"].km == pytest.approx(0.0, abs=1e-6)  # One sits on node 9
    r1 = great_circle_m(119.995, 30.01, 120.0, 30.01) / 1000
    assert snaps["r1"].km == pytest.approx(r1, abs=0.002)
    assert "zone:100002" not in snaps  # Two lies outside the extent: sketch connectors
    j = net.travel_time("One", "Two")
    # One -> node 9 (3 min terminal), tertiary 9 -> 6 at 40, link 6 -> 1 at 40,
    # snap 1 -> r1 at 35 km/h x 1.3, expressway r1 -> r2, car r2 -> Two
    t96 = great_circle_m(120.0, 30.0, 119.995, 30.0104) / 1000 / 40 * 60
    t61 = great_circle_m(119.995, 30.0104, 119.995, 30.01) / 1000 / 40 * 60
    snap = r1 * 1.3 / 35 * 60
    expressway = 100 / (120 * 0.85) * 60
    two = 3 + great_circle_m(121.0, 30.0, 121.0, 30.01) / 1000 * 1.3 / 35 * 60
    assert j.minutes == pytest.approx(3 + t96 + t61 + snap + expressway + two, abs=0.05)
    modes = [leg.mode for leg in j.legs]
    assert "road" in modes and "expressway" in modes  # OSM inside, sketch outside
    # sketch car links between places both inside the extent are gone
    inside = [(u, v) for u, v, d in net.G.edges(data=True)
              if d["mode"] == "car" and {u, v} == {"zone:100001", "r1"}]
    assert inside == []


def test_osmnx_functions_work_on_the_combined_graph(tiny_layers, roads, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    net = Network(tiny_layers, year=2015, modes="road", roads=roads)
    G = net.combined_graph()
    _nodes, edges = ox.graph_to_gdfs(G)
    assert len(edges) == G.number_of_edges() == net.G.number_of_edges() + roads.number_of_edges() \
        + 2 * len(net.snaps)
    [path] = ox.shortest_path(G, ["zone:100001"], ["zone:100002"], weight="travel_time")
    assert any(str(n).startswith("osm:") for n in path)
    _fig, _ax = ox.plot_graph(G, show=False, close=True, save=True,
                            filepath=str(tmp_path / "g.png"))
    assert (tmp_path / "g.png").stat().st_size > 1000


def test_save_and_load_round_trip(roads, tmp_path):
    path = hzosm.save(roads, tmp_path / "roads.graphml")
    G = hzosm.load(path)
    assert G.number_of_edges() == roads.number_of_edges()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("<osm><node id='1' lat='30' lon='120'>", "not valid OSM XML"),
        ("<?xml version='1.0'?><osm version='0.6'></osm>", "no ways or nodes"),
        ("<osm version='0.6'><node id='1' lat='30' lon='120'/><node id='2' lat='30.01' lon='120'/>"
         "<way id='9'><nd ref='1'/><nd ref='2'/><tag k='highway' v='footway'/></way></osm>",
         "no drivable ways"),
    ],
)
def test_bad_extracts(tmp_path, content, needle):
    f = tmp_path / "bad.osm"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=needle):
        hzosm.import_osm(f)


def test_roads_in_another_crs_are_refused(roads, tmp_path):
    projected = ox.project_graph(roads, to_crs="EPSG:4549")
    ox.save_graphml(projected, tmp_path / "p.graphml")
    with pytest.raises(LayerError, match="expected EPSG:4326"):
        hzosm.load(tmp_path / "p.graphml")


def test_cli_import_and_use(tmp_path):
    env = {**os.environ, "HZCIRCLE_LAYERS": str(TINY)}
    out = tmp_path / "roads.graphml"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "network", *args], capture_output=True,
                              text=True, env=env, timeout=120)

    r = run("osm", "import", str(SMALL), "-o", str(out))
    assert r.returncode == 0 and "9 nodes" in r.stdout
    r = run("travel-time", "One", "Two", "--year", "2015", "--modes", "road", "--roads", str(out))
    assert r.returncode == 0 and "road" in r.stdout and "snapped" in r.stderr
    r = run("osm", "import", str(tmp_path / "missing.osm"), "-o", str(out))
    assert r.returncode == 2 and "not found" in r.stderr
