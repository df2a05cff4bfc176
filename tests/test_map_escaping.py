"""Layer- and user-supplied strings are escaped for their context in every map (issue 18.1),
and maps are byte-identical across identical runs (issue 18.6).

The browser half (no script runs, the map still renders) is in tests/test_maps_browser.py.
"""

from __future__ import annotations

import html
import itertools
import re

import pytest

from network import maps
from network.maps import text

#: Hostile names: a template-literal expression, markup with an event handler, a backtick,
#: quotes, a script end tag, a backslash before a backtick, an HTML comment end, newlines.
PAYLOADS = [
    "${window.__pwned=1}",
    '<img src=x onerror="window.__pwned=2">',
    "`;window.__pwned=3;`",
    "'\"><b onmouseover=window.__pwned=4>q",
    "</script><script>window.__pwned=5</script>",
    "\\`${window.__pwned=6}",
    "-->\n<svg onload=window.__pwned=7>",
    "${alert(1)}",
    "<img src=x onerror=alert(1)>",
]


def hostile_layers(layers):
    """``layers`` with every displayed name replaced by a hostile payload (ids unchanged)."""
    cycle = itertools.cycle(PAYLOADS)

    def rename(frame, *cols):
        out = frame.copy()
        for col in cols:
            if col in out.columns:
                out[col] = [f"{next(cycle)} {i}" for i in range(len(out))]
        return out

    return layers.replace(
        stations=rename(layers.stations, "name", "name_zh", "former_names"),
        services=rename(layers.services, "name", "name_zh"),
        zones=rename(layers.zones, "name", "name_zh"),
        boundaries=rename(layers.boundaries, "name_zh"),
        cities=rename(layers.cities, "name", "name_zh"),
        lines=rename(layers.lines, "name", "name_zh"),
        airports=rename(layers.airports, "name", "name_zh"),
        expressways=rename(layers.expressways, "name", "route"),
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_is_inert_in_every_context_and_round_trips(payload):
    out = text(payload)
    assert not set(out) & set("<>\"'`$\\\n")
    assert html.unescape(out) == payload


def test_text_of_none_and_numbers():
    assert text(None) == ""
    assert text(12.5) == "12.5"


def _script_bodies(page: str) -> str:
    return "\n".join(re.findall(r"<script>(.*?)</script>", page, flags=re.S))


_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def test_network_map_carries_no_raw_payload(real_layers):
    bad = hostile_layers(real_layers)
    page = maps.render_html(maps.network_map(bad, year=2025), cdn=True)
    assert "window.__pwned" in page  # the names are there, escaped
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    code = _JSON_STRING.sub('""', _script_bodies(page))  # JSON strings are inert data
    for part in (markup, code):
        for p in PAYLOADS:
            assert p not in part, p
        for needle in ("<img src=x", "${window", "${alert", "<svg onload", "<b onmouseover"):
            assert needle not in part, needle


def test_labels_travel_as_json_not_markup(real_layers):
    bad = hostile_layers(real_layers)
    page = maps.render_html(maps.network_map(bad, year=2025), cdn=True)
    # labels are data read with textContent: escaped JSON, never an HTML string
    assert "\\u003cimg src=x onerror=" in page
    assert "textContent" in page


def test_identical_runs_give_identical_files(real_layers, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    maps.save_map(maps.network_map(real_layers, year=2020), a)
    maps.save_map(maps.network_map(real_layers, year=2020), b)
    assert a.read_bytes() == b.read_bytes()
    assert not re.search(r"_[0-9a-f]{32}\b", a.read_text(encoding="utf-8").replace(
        "_" + "0" * 24, "_"))  # no random 128-bit ids left


def test_default_map_is_self_contained(real_layers):
    page = maps.render_html(maps.network_map(real_layers, year=2025))
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", page)
    assert "L.tileLayer" not in page  # no basemap tiles unless asked for
    cdn = maps.render_html(maps.network_map(real_layers, year=2025, tiles="osm"), cdn=True)
    assert re.search(r"<script src=\"https://", cdn) and "tile.openstreetmap.org" in cdn


def test_report_html_escapes_names_and_sandboxes_maps(real_layers):
    from network import Network
    from network.report import report_html
    from network.scorecard import scorecard

    bad = hostile_layers(real_layers)
    cards = [scorecard(Network(bad, year=2025, modes="rail"))]
    page = report_html(bad, cards, maps={"m.html": '<p id="x">"</p><script>alert(1)</script>'},
                       tracker=["<b>${alert(2)}</b>"], text="</pre><script>alert(3)</script>")
    markup = re.sub(r"srcdoc=\"[^\"]*\"", "", page)
    assert "<script" not in markup and "<img src=x" not in markup
    assert "&lt;img src=x onerror=" in page  # county names, as text
    srcdoc = re.search(r"srcdoc=\"([^\"]*)\"", page).group(1)
    assert html.unescape(srcdoc) == '<p id="x">"</p><script>alert(1)</script>'
    assert "sandbox='allow-scripts'" in page  # the map runs without the report's origin
