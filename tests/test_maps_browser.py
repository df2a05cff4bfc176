"""Every map kind rendered in a real headless Chromium (Debian's package, driven by Playwright).

CDN-based maps are served their assets locally by intercepting the CDN requests (the same files
folium-offline bundles); offline maps are loaded with every request blocked. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from network import Network, maps
from network.scorecard import legs_to_core, scorecard
from network.surface import travel_time_surface

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

COUNT_JS = """() => {
  const found = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map);
  if (found.length !== 1) return {maps: found.length};
  const map = window[found[0]];
  const c = {maps: 1, circles: 0, polylines: 0, polygons: 0, markers: 0};
  map.eachLayer(l => {
    if (l instanceof L.CircleMarker) c.circles++;
    else if (l instanceof L.Polygon) c.polygons++;
    else if (l instanceof L.Polyline) c.polylines++;
    else if (l instanceof L.Marker) c.markers++;
  });
  c.overlays = document.querySelectorAll('.leaflet-control-layers-overlays label').length;
  c.bases = document.querySelectorAll('.leaflet-control-layers-base label').length;
  return c;
}"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: apt-get install chromium")
        pytest.skip("Chromium not installed (apt-get install chromium); browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path, *, offline: bool):
    from offlinefolium.elements import _res as assets

    page = browser.new_page(viewport={"width": 1200, "height": 850})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def handle(route):
        url = route.request.url
        if url.startswith("file://"):
            return route.continue_()
        if not offline and url in assets:  # the CDN, served locally
            ctype = "text/css" if url.endswith(".css") else "application/javascript"
            return route.fulfill(status=200, body=assets[url], content_type=ctype)
        return route.abort()  # tiles and anything else: no network

    page.route("**/*", handle)
    page.goto(path.as_uri())
    page.wait_for_function("() => typeof L !== 'undefined'", timeout=15000)
    page.wait_for_timeout(500)
    errors = [e for e in errors if "net::ERR_FAILED" not in e]  # aborted tile requests
    return page, errors


def _check(browser, m, name: str, tmp_path: Path, *, offline: bool):
    path = tmp_path / f"{name}.html"
    size = maps.save_map(m, path, offline=offline)
    page, errors = _open(browser, path, offline=offline)
    assert errors == []
    counts = page.evaluate(COUNT_JS)
    assert counts["maps"] == 1
    assert page.locator("#hz-legend").is_visible()
    assert page.locator("#hz-title").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.close()
    return counts, size


@pytest.mark.parametrize("offline", [False, True])
def test_network_map(browser, real_layers, tmp_path, offline):
    m = maps.network_map(real_layers, year=2025, tiles="none" if offline else "light")
    counts, size = _check(browser, m, f"network{'_offline' if offline else ''}", tmp_path,
                          offline=offline)
    open_stations = sum(1 for y in real_layers.stations["open_year"] if y is None or y <= 2025)
    assert counts["circles"] == open_stations + len(real_layers.airports)
    assert counts["polylines"] > 30  # rail lines and expressways
    assert counts["overlays"] >= 8  # boundaries, 4 rail classes, stations, expressways, airports
    assert size < 3_000_000


@pytest.mark.parametrize("offline", [False, True])
def test_isochrone_map(browser, real_layers, tmp_path, offline):
    net = Network(real_layers, year=2025, modes="rail")
    surface = travel_time_surface(net, "city:hangzhou")
    iso = surface.isochrones([30, 45, 60, 90])
    m = maps.isochrone_map(iso, layers=real_layers, origin=net.resolve("city:hangzhou"),
                           cells=surface.cells(), tiles="none" if offline else "osm")
    counts, size = _check(browser, m, f"isochrone{'_offline' if offline else ''}", tmp_path,
                          offline=offline)
    assert counts["polygons"] >= 4 + 44  # bands (may be multipart) and counties
    assert counts["markers"] == 1  # the origin
    assert size < 2_000_000


def test_commute_circle_map(browser, real_layers, tmp_path):
    cards, legs = [], {}
    for y in (2020, 2025):
        net = Network(real_layers, year=y, modes="rail")
        cards.append(scorecard(net))
        legs.update(legs_to_core(net, cards[-1]))
    m = maps.commute_map(cards, layers=real_layers, legs=legs, tiles="none")
    counts, _ = _check(browser, m, "commute_circle_offline", tmp_path, offline=True)
    assert counts["polygons"] >= 44  # the shown year's counties
    assert counts["bases"] == 2  # one layer per year
    assert any(v for k, v in legs.items() if k[0] == 2025)


def test_scenario_map(browser, real_layers, tmp_path):
    from network.scenarios import compare, read_scenario

    sc = read_scenario(ROOT / "scenarios" / "shanghai_hangzhou_hsr2.yaml", real_layers)
    result = compare(real_layers, sc, year=2025, modes="rail")
    m = maps.comparison_map(result, tiles="none")
    counts, _ = _check(browser, m, "scenario_offline", tmp_path, offline=True)
    assert "scn_hsr_shanghai_hangzhou_2" in result.changed_services()
    assert counts["polygons"] >= 44  # counties coloured by gain
    assert counts["circles"] == 7  # the new line's stops
