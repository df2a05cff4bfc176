"""Property-based fuzzing of every reader of user input: for any input, a result or a one-line
error of this package, never another exception (a traceback for the user).

- the scenario reader (any text; any YAML built from the format's own keys and odd values);
  and what it accepts, ``apply`` and the graph build accept too (``scenario check`` catches
  everything ``compare`` would fail on);
- the layer loader and validator (one field of the tiny layers set to any value);
- the place parser (any text);
- the OSM XML import (random nodes, ways and tags; random bytes).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network._errors import HzCircleError
from tests.conftest import DATA, TINY

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _one_line_error(exc: BaseException) -> None:
    assert isinstance(exc, HzCircleError), f"{type(exc).__name__}: {exc}"
    first = str(exc).splitlines()[0] if str(exc) else ""
    assert first.strip(), "empty message"
    assert len(first) < 1000, first[:300]


# ------------------------------------------------------------------------------------------
# scenarios
# ------------------------------------------------------------------------------------------

KEYS = ["type", "id", "name", "name_zh", "class", "headway_minutes", "stops", "hop_minutes",
        "speed_kmh", "dwell_minutes", "open_year", "service", "after", "station",
        "added_minutes", "factor", "hops", "seconds_saved", "line", "from", "to", "length_km",
        "segments", "route", "speed_factor", "source", "notes", "lon", "lat", "external"]
TYPES = ["add_line", "add_station", "adjust_speed", "adjust_headway", "remove_stops",
         "remove_line", "add_road", "modify_road"]
IDS = ["a", "b", "c", "d", "s1", "s2", "l1", "r1", "r2", "e1", "G99", "a-b", "b-c", "x1"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(IDS + TYPES),
    st.sampled_from(["hsr", "metro", "soon", "", "<b>", "${x}", "2020", "120.2", "30.0"]),
    st.text(max_size=12))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=12)
station = st.fixed_dictionaries({"name": st.one_of(st.text(max_size=8), scalars),
                                 "lon": st.one_of(st.floats(119, 122), scalars),
                                 "lat": st.one_of(st.floats(29, 31), scalars)})
modification = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), values, max_size=8),
    st.builds(lambda t, extra: {"type": t, **extra}, st.sampled_from(TYPES),
              st.dictionaries(st.sampled_from(KEYS),
                              st.one_of(values, station, st.lists(st.sampled_from(IDS) | station,
                                                                  max_size=4)),
                              max_size=8)))
documents = st.one_of(
    values,
    st.builds(lambda name, mods, extra: {"name": name, "modifications": mods, **extra},
              st.one_of(st.text(max_size=10), scalars), st.lists(modification, max_size=3),
              st.dictionaries(st.sampled_from(["description", "source", "hypothetical", "x"]),
                              scalars, max_size=2)))


def _parse_and_apply(text: str, layers) -> None:
    from network.graph import build
    from network.scenarios import apply, parse_scenario

    try:
        s = parse_scenario(text, layers, where="fuzz.yaml")
    except Exception as exc:
        _one_line_error(exc)
        return
    # accepted by the check: applying it and building the graph must work
    new = apply(layers, s)
    for year in (2020, 2026):
        build(new, year=year, modes="any")


@FUZZ
@given(documents)
def test_scenario_documents(tiny_layers, doc):
    text = yaml.safe_dump(doc, allow_unicode=True)
    _parse_and_apply(text, tiny_layers)


@FUZZ
@given(st.text(max_size=300))
def test_scenario_any_text(tiny_layers, text):
    _parse_and_apply(text, tiny_layers)


@FUZZ
@given(st.sampled_from(["name: x\nmodifications: [", "a: &a [1]\nb: *a\n", "? [a]\n: 1\n",
                        "name: !!python/object:os.system x\n", "{a: 1, a: 2}", "- - - - -",
                        "name: x\nmodifications:\n  - type: add_line\n    <<: *m\n", "%YAML 9\n",
                        "name: 2020-99-99\nmodifications: []\n"]),
       st.text(max_size=40))
def test_scenario_hostile_yaml(tiny_layers, head, tail):
    _parse_and_apply(head + tail, tiny_layers)


# ------------------------------------------------------------------------------------------
# layers
# ------------------------------------------------------------------------------------------

FIELDS = [("stations.geojson", "a", k) for k in ("id", "name", "name_zh", "kind", "opened",
                                                 "external", "former_names")] + \
         [("zones.geojson", "100001", k) for k in ("code", "name", "population_2020", "kind")] + \
         [("services.csv", "s1", k) for k in ("id", "headway_minutes", "opened", "closed",
                                              "class", "line_id")] + \
         [("service_stops.csv", "s1#2", k) for k in ("seq", "station_id", "run_minutes",
                                                     "dwell_minutes", "estimate")] + \
         [("expressways.csv", "e1", k) for k in ("from_node", "length_km", "speed_kmh",
                                                 "opened")] + \
         [("cities.csv", "testcity", k) for k in ("population_2020", "core_zone")]
cell_values = st.one_of(st.text(max_size=20), st.sampled_from(
    ["nan", "inf", "-inf", "1e308", "-5", "0", "2018-99-99", "2020-02-30", "9999", "1.5", "",
     "a:b", "<script>", "${x}", "true", "x" * 500]),
    st.integers(-10**12, 10**12).map(str), st.floats().map(repr))
geometries = st.one_of(
    st.none(),
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]},
              st.floats(-200, 200), st.floats(-100, 100)),
    st.sampled_from([{"type": "MultiPoint", "coordinates": [[120, 30], [120.1, 30]]},
                     {"type": "LineString", "coordinates": [[120, 30], [120.1, 30]]},
                     {"type": "Point", "coordinates": []}, {"type": "Point"}]))


def _set_csv(path: Path, row_id: str, column: str, value: str) -> None:
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    col = rows[0].index(column)
    for r in rows[1:]:
        if r[0] == row_id or f"{r[0]}#{r[1]}" == row_id:
            r[col] = value
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def _load_and_check(folder: Path) -> None:
    from network.layers import load_layers
    from network.validate import require_valid

    try:
        require_valid(load_layers(folder), cache=False)
    except Exception as exc:
        _one_line_error(exc)


@FUZZ
@given(st.sampled_from(FIELDS), cell_values)
def test_layer_field(field, value):
    filename, fid, column = field
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "layers"
        shutil.copytree(TINY, folder)
        path = folder / filename
        if filename.endswith(".csv"):
            _set_csv(path, fid, column, value)
        else:
            doc = json.loads(path.read_text(encoding="utf-8"))
            for feat in doc["features"]:
                if fid in (feat["properties"].get("id"), feat["properties"].get("code")):
                    feat["properties"][column] = value
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        _load_and_check(folder)


@FUZZ
@given(geometries, st.sampled_from(["a", "b"]))
def test_layer_geometry(geometry, fid):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "layers"
        shutil.copytree(TINY, folder)
        path = folder / "stations.geojson"
        doc = json.loads(path.read_text(encoding="utf-8"))
        for feat in doc["features"]:
            if feat["properties"]["id"] == fid:
                feat["geometry"] = geometry
        path.write_text(json.dumps(doc), encoding="utf-8")
        _load_and_check(folder)


@FUZZ
@given(st.sampled_from(["stations.geojson", "services.csv", "service_stops.csv",
                        "metadata.json", "zones.geojson"]), st.binary(max_size=200))
def test_layer_file_bytes(filename, content):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "layers"
        shutil.copytree(TINY, folder)
        (folder / filename).write_bytes(content)
        _load_and_check(folder)


# ------------------------------------------------------------------------------------------
# places
# ------------------------------------------------------------------------------------------


@FUZZ
@given(st.one_of(st.text(max_size=60), st.sampled_from(
    ["120.2,30.1", "120,30", "1e308,30", "nan,nan", "-0,-0", "120.0 , 30.0", "station:a",
     "zone:100001", "city:testcity", "Alpha station", "甲站", "x" * 5000])))
def test_place_parser(tiny_layers, text):
    from network.places import Place, resolve

    try:
        assert isinstance(resolve(tiny_layers, text), Place)
    except Exception as exc:
        _one_line_error(exc)
        assert len(str(exc)) < 600


# ------------------------------------------------------------------------------------------
# OSM import
# ------------------------------------------------------------------------------------------

HIGHWAYS = ["motorway", "trunk", "primary", "residential", "footway", "", "motorway_link"]
tag = st.tuples(st.sampled_from(["highway", "maxspeed", "oneway", "name", "lanes", "junk"]),
                st.one_of(st.sampled_from([*HIGHWAYS, "50", "none", "-1", "yes", "1e9", "80 mph",
                                           "<&>", "30;50"]),
                          st.text(alphabet=st.characters(codec="utf-8",
                                                         exclude_categories=["Cs", "Cc"]),
                                  max_size=8)))


@st.composite
def osm_documents(draw) -> str:
    from xml.sax.saxutils import quoteattr

    n = draw(st.integers(0, 6))
    nodes = [(i + 1, draw(st.floats(119.5, 121.5)), draw(st.floats(29.5, 31)))
             for i in range(n)]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    parts += [f'<node id="{i}" lat="{lat}" lon="{lon}"/>' for i, lon, lat in nodes]
    for w in range(draw(st.integers(0, 3))):
        refs = draw(st.lists(st.integers(0, n + 1), max_size=5))
        tags = draw(st.lists(tag, max_size=3))
        parts.append(f'<way id="{100 + w}">' + "".join(f'<nd ref="{r}"/>' for r in refs)
                     + "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags)
                     + "</way>")
    parts.append("</osm>")
    return "\n".join(parts)


def _import(text: str | bytes) -> None:
    from network.osm import import_osm

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.osm"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        try:
            G = import_osm(path)
        except Exception as exc:
            _one_line_error(exc)
            return
        assert G.number_of_edges() > 0


@pytest.mark.slow
@FUZZ
@given(osm_documents(), st.sampled_from(["drive", "main"]))
def test_osm_import_documents(doc, filt):
    _import(doc)


@FUZZ
@given(st.one_of(st.binary(max_size=120), st.sampled_from(
    [b"", b"<osm/>", b"<osm><node/></osm>", b"<osm><way id='1'><nd ref='9'/></way></osm>",
     (DATA / "osm" / "small.osm").read_bytes()[:400]])))
def test_osm_import_bytes(content):
    _import(content)
