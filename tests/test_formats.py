"""Rasters, journeys as GeoDataFrames, osmnx interop, PBF import and Chinese coordinates on
input, each on the real layers (PBF on a fixture made here from the OSM XML fixture)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pytest

from network import InputError, Network, UnknownPlaceError
from network import osm as hzosm
from network.coords import gcj_offset
from network.geo import CRS_METRIC
from network.interop import arrival_node, node_ids, place_nodes, to_osmnx
from network.journeys import journey_frame
from network.places import resolve, with_crs
from network.raster import NODATA, read_raster_metadata, surface_array, write_raster
from network.surface import travel_time_surface
from tests.conftest import DATA

RUN = [sys.executable, "-m", "network"]


@pytest.fixture(scope="module")
def net(real_layers):
    return Network(real_layers, year=2026)


# -- rasters ------------------------------------------------------------------------------


def test_raster_matches_the_surface(net, tmp_path):
    import rasterio

    surface = travel_time_surface(net, "Hangzhou")
    path = write_raster(surface, tmp_path / "s.tif", metadata={"year": 2026, "origin": "x"})
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 4549 and CRS_METRIC.endswith("4549")
        assert src.res == (1000.0, 1000.0)
        assert src.nodata == NODATA
        band = src.read(1)
        # every grid cell lands on the pixel containing its centre, with its minutes
        g = surface.grid
        t = src.transform
        rows = np.floor((t.f - g.y) / -t.e).astype(int)
        cols = np.floor((g.x - t.c) / t.a).astype(int)
        got = band[rows, cols]
    reached = np.isfinite(surface.minutes)
    assert np.allclose(got[reached], surface.minutes[reached], atol=1e-3)
    assert (got[~reached] == NODATA).all()
    assert (band != NODATA).sum() == reached.sum()
    assert read_raster_metadata(path) == {"year": 2026, "origin": "x"}


def test_raster_cli(tmp_path):
    tif = tmp_path / "s.tif"
    r = subprocess.run([*RUN, "isochrone", "Hangzhou", "--minutes", "30,60", "-o",
                        str(tmp_path / "iso.geojson"), "--raster", str(tif)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    meta = read_raster_metadata(tif)
    assert meta["year"] == 2026 and meta["assumptions"]["digest"]
    r = subprocess.run([*RUN, "isochrone", "Hangzhou", "-o", str(tmp_path / "i.geojson"),
                        "--raster", str(tmp_path / "s.png")], capture_output=True, text=True)
    assert r.returncode == 2 and "must end in .tif" in r.stderr


def test_surface_array_shape(net):
    surface = travel_time_surface(net, "Huzhou")
    data, transform = surface_array(surface)
    assert data.dtype == np.float32
    assert transform.a == 1000.0 and transform.e == -1000.0


# -- journeys -----------------------------------------------------------------------------


def test_journey_frame_legs_and_clock_times(net):
    j = net.travel_time("Hangzhou East", "Shaoxing North")
    f = journey_frame(net, j, departure="07:30")
    assert f.crs.to_epsg() == 4326
    assert f["minutes"].sum() == pytest.approx(j.minutes, abs=0.05)
    assert list(f["kind"]) == [leg.kind for leg in j.legs]
    ride = f[f["kind"] == "ride"].iloc[0]
    assert ride["service_name"] and ride.geometry.geom_type == "LineString"
    start = f["depart"].iloc[0]
    assert start == "07:30"
    end = int(7 * 60 + 30 + j.minutes + 0.5)  # half a minute rounds up
    assert f["arrive"].iloc[-1] == f"{end // 60:02d}:{end % 60:02d}"
    assert (f["clock_basis"] == "expected").any()  # after the modelled wait


def test_ride_follows_the_line_geometry(net, real_layers):
    j = net.travel_time("Hangzhou East", "Ningbo")
    straight = journey_frame(net, j, geometry="straight")
    along = journey_frame(net, j, geometry="line")
    r_s = straight[straight["kind"] == "ride"].geometry.iloc[0]
    r_l = along[along["kind"] == "ride"].geometry.iloc[0]
    assert r_l.coords[0] == r_s.coords[0] and r_l.coords[-1] == r_s.coords[-1]
    assert len(r_l.coords) > 2 and r_l.length > r_s.length  # through the intermediate points


def test_travel_time_geojson_cli(tmp_path):
    out = tmp_path / "j.geojson"
    r = subprocess.run([*RUN, "travel-time", "Hangzhou East", "Shaoxing North", "--departure",
                        "08:00", "--geojson", str(out), "--json"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    legs = json.loads(r.stdout)["legs"]
    assert legs[0]["depart"] == "08:00"
    doc = json.loads(out.read_text())
    assert len(doc["features"]) == len(legs) and doc["hzcircle"]["departure"] == "08:00"
    r = subprocess.run([*RUN, "travel-time", "Hangzhou East", "Shaoxing North", "--departure",
                        "25h"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "not a time" in r.stderr


# -- osmnx interop ------------------------------------------------------------------------


def test_arrival_node_convention(net):
    ours = net.travel_time("Hangzhou East", "Shaoxing North").minutes
    to_arrival = nx.shortest_path_length(net.G, "hangzhou_east",
                                         arrival_node(net, "shaoxing_north"), weight="minutes")
    to_departure = nx.shortest_path_length(net.G, "hangzhou_east", "shaoxing_north",
                                           weight="minutes")
    assert to_arrival == pytest.approx(ours)
    # the departure side adds the change-of-train minutes of the station's kind
    assert to_departure == pytest.approx(ours + net.assumptions.transfer_minutes("hsr"))


def test_osmnx_functions_on_the_integer_copy(net, tmp_path):
    import geopandas as gpd

    H = to_osmnx(net)
    ids = node_ids(H)
    assert set(ids) == set(net.G.nodes) and all(isinstance(i, int) for i in ids.values())
    assert net.G.number_of_edges() == H.number_of_edges()
    path = ox.shortest_path(H, ids["hangzhou_east"], ids["shaoxing_north|arr"], weight="travel_time")
    minutes = sum(min(d["minutes"] for d in H[a][b].values()) for a, b in itertools.pairwise(path))
    assert minutes == pytest.approx(net.travel_time("Hangzhou East", "Shaoxing North").minutes)
    ox.save_graph_geopackage(H, tmp_path / "g.gpkg")
    nodes = gpd.read_file(tmp_path / "g.gpkg", layer="nodes")
    assert "osmid" in nodes.columns and "hzcircle_id" in nodes.columns
    near = ox.nearest_nodes(place_nodes(H), 120.2125, 30.290139)  # scikit-learn (unprojected)
    assert H.nodes[near]["hzcircle_id"] == "hangzhou_east"
    # the string-id graph: a bare string is taken as a sequence of origins, so osmnx refuses it
    with pytest.raises(ValueError):
        ox.shortest_path(net.G, "hangzhou_east", "shaoxing_north|arr")


def test_explore_with_a_classification_scheme(net):
    iso = travel_time_surface(net, "Hangzhou").isochrones([30, 60])
    m = iso.explore(column="minutes", scheme="EqualInterval", k=2)  # needs mapclassify
    assert "folium" in type(m).__module__


# -- PBF ----------------------------------------------------------------------------------


def _xml_to_pbf(src, dst):
    writer = osmium.SimpleWriter(str(dst), overwrite=True)
    try:
        for obj in osmium.FileProcessor(str(src)):
            writer.add(obj)
    finally:
        writer.close()
    return dst


def test_pbf_import_equals_the_xml_import(tmp_path):
    xml = DATA / "osm" / "small.osm"
    pbf = _xml_to_pbf(xml, tmp_path / "small.osm.pbf")
    a, b = hzosm.import_osm(xml), hzosm.import_osm(pbf)
    assert set(a.nodes) == set(b.nodes)

    def edges(G):
        return sorted((u, v, round(d["travel_time"], 6), d["highway"]) for u, v, d in G.edges(data=True))

    assert edges(a) == edges(b)
    assert b.graph["hzcircle_source"].startswith("OSM PBF")


def test_pbf_cli_and_bad_file(tmp_path):
    pbf = _xml_to_pbf(DATA / "osm" / "small.osm", tmp_path / "small.osm.pbf")
    out = tmp_path / "roads.graphml"
    r = subprocess.run([*RUN, "osm", "import", str(pbf), "-o", str(out)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert hzosm.load(out).number_of_nodes() == 9
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a pbf" * 20)
    with pytest.raises(InputError, match="not a readable OSM PBF"):
        hzosm.import_osm(bad)


# -- Chinese coordinates on input -----------------------------------------------------------


def test_gcj02_and_bd09_places(real_layers):
    lon, lat = 120.1551, 30.2741  # WGS-84
    dlon, dlat = gcj_offset(np.array([lon]), np.array([lat]))
    gcj = f"{lon + dlon[0]:.7f},{lat + dlat[0]:.7f}"
    p = resolve(real_layers, gcj + "@gcj02")
    assert (p.lon, p.lat) == pytest.approx((lon, lat), abs=1e-6)
    assert resolve(real_layers, gcj + "@GCJ02").lon == pytest.approx(lon, abs=1e-6)
    bd = resolve(real_layers, f"{lon},{lat}@bd09")
    assert abs(bd.lon - lon) > 0.004  # BD-09 input is shifted back by roughly 0.0065 deg
    assert resolve(real_layers, f"{lon},{lat}@wgs84").lon == lon
    with pytest.raises(UnknownPlaceError, match="unknown coordinate system"):
        resolve(real_layers, f"{lon},{lat}@mars")
    assert with_crs("120.1,30.2", "gcj02") == "120.1,30.2@gcj02"
    assert with_crs("120.1,30.2@bd09", "gcj02") == "120.1,30.2@bd09"
    assert with_crs("Hangzhou East", "gcj02") == "Hangzhou East"


def test_crs_option_on_the_cli():
    base = [*RUN, "travel-time", "120.1600,30.2700", "Hangzhou East", "--json"]
    plain = subprocess.run(base, capture_output=True, text=True, timeout=300)
    gcj = subprocess.run([*base, "--crs", "gcj02"], capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0 and gcj.returncode == 0, gcj.stderr
    a, b = json.loads(plain.stdout)["from"], json.loads(gcj.stdout)["from"]
    lon_a, lat_a = map(float, a.split(","))
    lon_b, lat_b = map(float, b.split(","))
    assert -0.0065 < lon_b - lon_a < -0.0035 and 0.0015 < lat_b - lat_a < 0.0035
