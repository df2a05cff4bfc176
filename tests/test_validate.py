"""The layer validator on the clean tiny fixture and on deliberately broken copies."""

from __future__ import annotations

import json
import shutil

import pytest

from network import check_layers, load_layers
from tests.conftest import TINY


def test_tiny_fixture_is_clean(tiny_layers):
    assert check_layers(tiny_layers) == []


def _broken(tmp_path, filename, edit):
    folder = tmp_path / "layers"
    shutil.copytree(TINY, folder)
    path = folder / filename
    if filename.endswith(".geojson"):
        data = json.loads(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return load_layers(folder)


def _set_prop(i, key, value):
    def edit(data):
        data["features"][i]["properties"][key] = value
    return edit


def _move(i, lon, lat):
    def edit(data):
        data["features"][i]["geometry"]["coordinates"] = [lon, lat]
    return edit


@pytest.mark.parametrize(
    ("filename", "edit", "layer", "feature", "field", "needle"),
    [
        ("stations.geojson", _set_prop(1, "id", "a"), "stations", "a", "id", "duplicate id"),
        ("stations.geojson", _set_prop(0, "kind", "maglev"), "stations", "a", "kind", "not one of"),
        ("stations.geojson", _move(2, 116.4, 39.9), "stations", "c", "geometry", "outside the six cities"),
        ("service_stops.csv", lambda s: s.replace("s1,2,b,20", "s1,2,zz,20"),
         "service_stops", "s1#2", "station_id", "unknown station 'zz'"),
        ("service_stops.csv", lambda s: s.replace("s1,2,b,20", "s1,2,b,1"),
         "service_stops", "s1#2", "run_minutes", "implies 2"),
        ("service_stops.csv", lambda s: s.replace("s1,3,c,20", "s1,4,c,20"),
         "service_stops", "s1", "seq", "without gaps"),
        ("services.csv", lambda s: s.replace("hsr,allstop,20", "hsr,allstop,0"),
         "services", "s1", "headway_minutes", "must be > 0"),
        ("cities.csv", lambda s: s.replace("Test,1500", "Test,9999"),
         "cities", "testcity", "population_2020", "sum to 1,500"),
        ("expressways.csv", lambda s: s.replace(",100,120,", ",50,120,"),
         "expressways", "e1", "length_km", "shorter than the straight line"),
        ("stations.geojson", _set_prop(0, "opened", "1492"), "stations", "a", "opened", "outside 1870"),
        ("zones.geojson", _set_prop(0, "urban_centre_share", 1.5), "zones", "100001",
         "urban_centre_share", "not a share between 0 and 1"),
    ],
)
def test_broken_fixture_is_reported(tmp_path, filename, edit, layer, feature, field, needle):
    problems = check_layers(_broken(tmp_path, filename, edit))
    match = [p for p in problems if (p.layer, p.feature, p.field) == (layer, feature, field)]
    assert match, problems
    assert needle in match[0].message
    assert str(match[0]).startswith(f"layers/{filename}: feature {feature}")


def test_bad_type_is_rejected_at_load(tmp_path):
    from network import LayerError

    with pytest.raises(LayerError, match=r"services.csv: feature s1: field 'headway_minutes'"):
        _broken(tmp_path, "services.csv", lambda s: s.replace("hsr,allstop,20", "hsr,allstop,often"))


def test_disconnected_service_is_reported(tmp_path):
    def add_island(text):
        return text + "s3,l3,Island,岛,hsr,allstop,20,test,2010,,test fixture,\n"

    def add_stops(text):
        return text + "s3,1,x,,,2010,0,test fixture\ns3,2,y,10,,2010,0,test fixture\n"

    folder = tmp_path / "layers"
    shutil.copytree(TINY, folder)
    st = json.loads((folder / "stations.geojson").read_text(encoding="utf-8"))
    for sid, lon in (("x", 120.2), ("y", 120.3)):
        st["features"].append({"type": "Feature", "geometry": {"type": "Point",
                               "coordinates": [lon, 30.3]},
                               "properties": {"id": sid, "name": sid, "name_zh": sid, "city": "T",
                                              "kind": "hsr", "opened": "2010", "external": 0,
                                              "source": "test"}})
    (folder / "stations.geojson").write_text(json.dumps(st), encoding="utf-8")
    for name, edit in (("services.csv", add_island), ("service_stops.csv", add_stops)):
        path = folder / name
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    problems = check_layers(load_layers(folder))
    assert [(p.feature, p.field) for p in problems] == [("s3", "id")]
    assert "not connected to the main rail network" in problems[0].message
