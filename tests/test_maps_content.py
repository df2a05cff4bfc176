"""What the maps contain, read from the rendered page (the browser tests check the drawing)."""

from __future__ import annotations

import copy
import json
import re

import pytest

from network import Network, maps
from network.maps._base import LINE_COLOURS, line_colour
from network.maps.scenario import gain_colour
from network.scorecard import scorecard


@pytest.fixture(scope="module")
def cards(real_layers):
    return [scorecard(Network(real_layers, year=y, modes="rail")) for y in (2020, 2025)]


def _dims(page: str) -> list[dict]:
    return json.loads(re.search(r"var dims = (\[.*?\]);", page).group(1))


def test_commute_map_has_one_group_per_year_and_reading(real_layers, cards):
    other = []
    for c in cards:
        c2 = copy.copy(c)
        c2.reading = "station to station"
        other.append(c2)
    probs = {(2025, "station to station", cards[0].zones[10].id): 0.42}
    page = maps.render_html(maps.commute_map(cards + other, layers=real_layers,
                                             probabilities=probs))
    dims = _dims(page)
    assert [d["title"] for d in dims] == ["year", "reading"]
    assert dims[0]["labels"] == ["2020", "2025"] and dims[0]["widget"] == "range"
    assert dims[1]["labels"] == ["county seat to core, both ways", "station to station"]
    keys = re.search(r"var layers = \{(.*?)\};", page, flags=re.S).group(1)
    assert sorted(re.findall(r'"(\d\|\d)"', keys)) == ["0|0", "0|1", "1|0", "1|1"]
    assert "probability within" in page and "42%" in page
    # years are switched by our control, not offered as basemaps of the layer control
    assert '"2020 county seat' not in page.split("L.control.layers")[-1]


def test_single_reading_has_only_the_year_slider(real_layers, cards):
    page = maps.render_html(maps.commute_map(cards, layers=real_layers))
    assert [d["title"] for d in _dims(page)] == ["year"]
    assert "probability" not in page


def test_metro_lines_take_their_operator_colours():
    assert line_colour("hzm_line1", "metro") == LINE_COLOURS["hz1"] == "#e8384a"
    assert line_colour("hzm_line6_fuyang", "intercity") == LINE_COLOURS["hz6"]
    assert line_colour("sxm_line2", "metro") == LINE_COLOURS["sx2"]
    assert line_colour("ic_hangzhou_haining", "intercity") == LINE_COLOURS["hz_haining"]
    assert line_colour("hsr_hangzhou_ningbo", "hsr") == maps.CLASS_COLOURS["hsr"]


def test_network_map_draws_every_open_metro_line_in_its_colour(real_layers):
    page = maps.render_html(maps.network_map(real_layers, year=2025))
    for lid, status in zip(real_layers.lines["id"], real_layers.lines["status"], strict=True):
        if lid.startswith("hzm_line") and status == "open":
            assert f'"color": "{line_colour(lid, "metro")}"' in page, lid


def test_gain_colours_diverge_blue_for_gains_red_for_losses():
    assert gain_colour(None) == "#bbbbbb"
    assert gain_colour(0) == gain_colour(0.5) == gain_colour(-0.4) == "#f7f7f7"
    assert gain_colour(25) == "#2166ac" and gain_colour(7) == "#92c5de"
    assert gain_colour(-25) == "#b2182b" and gain_colour(-7) == "#f4a582"
