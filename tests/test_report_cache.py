"""A warm report builds nothing twice and writes the same report (issue 17): the network cache
of :mod:`network.report`, branca's rendered pieces kept literal (no Jinja re-compiling, no
template evaluation of names), and the same ``report.html`` from a second run."""

from __future__ import annotations

import re

import jinja2
import pytest

from network import maps
from network.assumptions import DEFAULT
from network.maps._html import Literal
from network.report import NETWORK_CACHE_SIZE, cached_network, clear_network_cache


@pytest.fixture
def fresh_cache():
    clear_network_cache()
    yield
    clear_network_cache()


def test_same_key_reuses_the_network(real_layers, fresh_cache):
    a = cached_network(real_layers, year=2025, modes="rail")
    assert cached_network(real_layers, year=2025, modes="rail", assumptions=DEFAULT) is a
    assert cached_network(real_layers, year=2025, modes="rail",
                          assumptions=DEFAULT.replace()) is a  # equal values, same digest
    assert cached_network(real_layers, year=2020, modes="rail") is not a
    assert cached_network(real_layers, year=2025, modes="any") is not a


def test_a_changed_assumption_gives_another_network_and_other_numbers(real_layers, fresh_cache):
    base = cached_network(real_layers, year=2025, modes="rail")
    slow = DEFAULT.with_settings(["entry_hsr_minutes=30"])
    other = cached_network(real_layers, year=2025, modes="rail", assumptions=slow)
    assert other is not base
    assert other.assumptions.digest() == slow.digest() != base.assumptions.digest()
    t0 = base.travel_time("city:hangzhou", "city:shaoxing").minutes
    t1 = other.travel_time("city:hangzhou", "city:shaoxing").minutes
    assert t1 > t0
    # and back: the default key still gives the first network, untouched
    assert cached_network(real_layers, year=2025, modes="rail") is base
    assert base.travel_time("city:hangzhou", "city:shaoxing").minutes == t0


def test_other_layers_or_roads_objects_are_other_keys(real_layers, fresh_cache):
    import networkx as nx

    a = cached_network(real_layers, year=2025, modes="rail")
    copy = real_layers.replace()  # equal frames, another (immutable) layers object
    assert cached_network(copy, year=2025, modes="rail") is not a
    roads = nx.MultiDiGraph()
    b = cached_network(real_layers, year=2025, modes="rail", roads=roads)
    assert b is not a
    assert cached_network(real_layers, year=2025, modes="rail", roads=roads) is b


def test_the_cache_is_bounded_and_drops_the_least_recently_used(real_layers, fresh_cache):
    from network import report

    first = cached_network(real_layers, year=2025, modes="rail")
    for i in range(NETWORK_CACHE_SIZE):
        cached_network(real_layers, year=2025, modes="rail",
                       assumptions=DEFAULT.replace(walk_speed_kmh=3.0 + 0.1 * i))
    assert len(report._NETWORKS) == NETWORK_CACHE_SIZE
    assert cached_network(real_layers, year=2025, modes="rail") is not first  # was dropped


@pytest.mark.parametrize("source", [
    "", "a", "a\n", "a\n\n", "a\r\nb\r\n", "a\rb", "<div>x</div>\n  ", "  \n", "{ x } {a:1}",
    "ü 杭州 }} %} #}", "var x = {\"a\": [1, 2]};\n",
])
def test_literal_renders_like_jinja_for_text_without_template_syntax(source):
    assert Literal(source).render(this=None, kwargs={}) == jinja2.Template(source).render()


@pytest.mark.parametrize("payload", ["{{ 7*7 }}", "{% for i in range(3) %}x{% endfor %}",
                                     "{# c #}", "{{ cycler.__init__.__globals__ }}"])
def test_template_syntax_in_names_is_never_evaluated(payload):
    import folium

    from network.maps._base import base_map, title

    m = base_map((118.0, 29.0, 121.0, 31.0), "none")
    title(m, f"T {payload}", f"S {payload}")

    folium.Marker([30.0, 120.0], tooltip=maps.text(f"M {payload}")).add_to(m)
    page = maps.render_html(m, cdn=True)
    for where in ("T", "S", "M"):
        assert f"{where} {payload}" in page
    assert not re.search(r"[TSM] (49|xxx|<function)", page)


@pytest.mark.slow
def test_a_warm_report_writes_the_same_report(real_layers, tmp_path, fresh_cache):
    from network.report import run_report

    def run() -> dict[str, bytes]:  # the same folders both times (the text names them)
        run_report(real_layers, years=[2020, 2025], output_dir=tmp_path / "out",
                   maps_dir=tmp_path / "maps")
        return {p.relative_to(tmp_path).as_posix(): p.read_bytes()
                for p in tmp_path.rglob("*") if p.is_file()}

    cold = run()
    warm = run()
    assert sorted(cold) == sorted(warm)
    assert "out/report.html" in cold and any(k.startswith("maps/") for k in cold)
    for name in cold:
        assert cold[name] == warm[name], name


def test_cells_geojson_is_the_rounded_geo_interface(real_layers):
    import json

    from network.maps.isochrone import cells_geojson, round_coords
    from network.surface import travel_time_surface

    net = cached_network(real_layers, year=2025, modes="rail")
    cells = travel_time_surface(net, "city:hangzhou").cells()
    c = cells.loc[cells["minutes"] <= 90, ["minutes", "geometry"]].copy()
    c["minutes"] = c["minutes"].round(0)
    assert len(c) > 100
    fast = cells_geojson(c)
    assert json.dumps(fast) == json.dumps(round_coords(c.__geo_interface__))
    other = c.assign(extra=1)  # another column: the general path, same result as before
    assert json.dumps(cells_geojson(other)) == json.dumps(round_coords(other.__geo_interface__))


def test_sensitivity_is_computed_once_per_network_and_returned_as_a_copy(real_layers, fresh_cache):
    from network.scorecard import scorecard
    from network.uncertainty import _sensitivity, sensitivity

    net = cached_network(real_layers, year=2025, modes="rail")
    card = scorecard(net)
    first = sensitivity(net, card=card)
    keys = [k for k in net.cache if k[0] == "sensitivity"]
    assert len(keys) == 1
    first.rows[0]["population_low"] = -1.0  # a caller changing its copy...
    first.table.loc[:, "minutes_low"] = -1.0
    second = sensitivity(net, card=card)
    fresh = _sensitivity(net, card)  # ...changes neither the cached result nor the next answer
    assert second.rows == fresh.rows and second.base_population == fresh.base_population
    assert second.table.equals(fresh.table)
    # other assumptions are another network, so another (uncached) evaluation
    other = cached_network(real_layers, year=2025, modes="rail",
                           assumptions=DEFAULT.with_settings(["wait_cap_minutes=30"]))
    assert not [k for k in other.cache if k[0] == "sensitivity"]


def test_tracker_is_computed_once_per_layers_and_year(real_layers, fresh_cache, monkeypatch):
    from network import report, targets

    calls = []
    real_track = targets.track

    def counting(layers, *, year):
        calls.append(year)
        return real_track(layers, year=year)

    monkeypatch.setattr(targets, "track", counting)
    a = report.cached_tracker(real_layers, year=2025)
    b = report.cached_tracker(real_layers, year=2025)
    assert calls == [2025] and a == b == real_track(real_layers, year=2025)
    b.km["hsr_km"] = -1.0
    assert report.cached_tracker(real_layers, year=2025) == a  # a copy each time
    report.cached_tracker(real_layers, year=2020)
    report.cached_tracker(real_layers.replace(), year=2025)  # other layers object: computed
    assert calls == [2025, 2020, 2025]


@pytest.mark.parametrize("name", ["Map", "GeoJson", "GeoJsonTooltip", "CircleMarker",
                                  "LayerControl", "TileLayer", "FeatureGroup", "HTMLMap", "x"])
def test_remembered_camelify_is_branca_s_and_is_only_swapped_in_while_rendering(name):
    import branca.element as be
    from branca.utilities import _camelify

    from network.maps import _html

    assert _html._camelify(name) == _camelify(name)
    before = be._camelify
    with _html._literal_templates():
        assert be._camelify is _html._camelify
    assert be._camelify is before


def test_legs_to_core_are_kept_per_network_and_card(real_layers, fresh_cache):
    from network.report import _cached_legs
    from network.scorecard import legs_to_core, scorecard

    net = cached_network(real_layers, year=2025, modes="rail")
    card = scorecard(net)
    legs = _cached_legs(net, card)
    assert legs == legs_to_core(net, card) and len(legs) > 10
    legs.clear()  # the caller's copy
    assert _cached_legs(net, card) == legs_to_core(net, card)
    assert len([k for k in net.cache if k[0] == "legs_to_core"]) == 1
    scorecard_45 = scorecard(net, minutes=45)
    _cached_legs(net, scorecard_45)  # another threshold: another entry
    assert len([k for k in net.cache if k[0] == "legs_to_core"]) == 2
