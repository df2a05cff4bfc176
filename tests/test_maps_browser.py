"""Every map kind and report.html rendered in a real headless Chromium (Debian's package, driven
by Playwright), with every request that leaves the file intercepted.

- Default maps are self-contained: any request other than the file itself fails the test.
- Labels, legend, north arrow, scale, footer and data layers render, with no console errors.
- The commute-circle map switches years without losing the basemap.
- Maps built from hostile names run no script (no dialog, no window flag) and still render.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest

from network import Network, maps
from network.scorecard import legs_to_core, scorecard
from network.surface import travel_time_surface
from tests.test_map_escaping import hostile_layers

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: A 1x1 grey PNG served for web tiles in the tile tests.
TILE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mN48ODBfwAI"
                        "KwNPd2KbhwAAAABJRU5ErkJggg==")

FIND_MAP = """Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map)"""
COUNT_JS = """() => {
  const found = FINDMAP;
  if (found.length !== 1) return {maps: found.length};
  const map = window[found[0]];
  const c = {maps: 1, circles: 0, polylines: 0, polygons: 0, markers: 0, tiles: 0};
  map.eachLayer(l => {
    if (l instanceof L.TileLayer) c.tiles++;
    else if (l instanceof L.CircleMarker) c.circles++;
    else if (l instanceof L.Polygon) c.polygons++;
    else if (l instanceof L.Polyline) c.polylines++;
    else if (l instanceof L.Marker) c.markers++;
  });
  c.labels = document.querySelectorAll('.hz-label').length;
  c.overlays = document.querySelectorAll('.leaflet-control-layers-overlays label').length;
  c.bases = document.querySelectorAll('.leaflet-control-layers-base label').length;
  c.shown = map.getContainer().getAttribute('data-hz-shown');
  return c;
}""".replace("FINDMAP", FIND_MAP)
OPEN_ALL_JS = """() => {
  const map = window[FINDMAP[0]];
  let n = 0;
  map.eachLayer(l => {
    if (l instanceof L.LayerGroup || l instanceof L.TileLayer) return;
    const ll = l.getLatLng ? l.getLatLng() : (l.getBounds ? l.getBounds().getCenter() : null);
    if (!ll) return;
    if (l.getTooltip && l.getTooltip()) { l.openTooltip(ll); n++; }
    if (l.getPopup && l.getPopup()) { l.openPopup(ll); n++; }
    if (l.feature) { l.fire('mouseover', {latlng: ll}, true); l.fire('click', {latlng: ll}, true); n++; }
  });
  return n;
}""".replace("FINDMAP", FIND_MAP)

CLICK_JS = """(name) => {
  const map = window[FINDMAP[0]];
  let done = false;
  map.eachLayer(l => {
    if (done || !l.feature || !String(l.feature.properties.county).includes(name)) return;
    l.fire('click', {latlng: l.getBounds().getCenter()}, true);
    done = true;
  });
  return done;
}""".replace("FINDMAP", FIND_MAP)


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


class Page:
    """A page with every request recorded: file:// continues, tiles get a grey PNG when
    ``tiles`` is set, CDN assets are served from folium-offline when ``cdn`` is set, anything
    else is aborted and recorded as external."""

    def __init__(self, browser, path: Path, *, tiles: bool = False, cdn: bool = False,
                 wait: str = "() => typeof L !== 'undefined'"):
        from offlinefolium.elements import _res as assets

        self.page = browser.new_page(viewport={"width": 1200, "height": 850})
        self.errors: list[str] = []
        self.external: list[str] = []
        self.tiles: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console",
                     lambda m: self.errors.append(m.text) if m.type == "error" else None)

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)

        def handle(route):
            url = route.request.url
            if url.startswith(("file://", "data:", "about:")):
                return route.continue_()
            if tiles and ("tile" in url or "arcgisonline" in url):
                self.tiles.append(url)
                return route.fulfill(status=200, body=TILE, content_type="image/png")
            if cdn and url in assets:
                ctype = "text/css" if url.endswith(".css") else "application/javascript"
                return route.fulfill(status=200, body=assets[url], content_type=ctype)
            self.external.append(url)
            return route.abort()

        self.page.context.route("**/*", handle)
        self.page.goto(path.as_uri())
        self.page.wait_for_function(wait, timeout=20000)
        self.page.wait_for_timeout(600)

    def counts(self) -> dict:
        return self.page.evaluate(COUNT_JS)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module")
def built(real_layers):
    """Each map kind built once on the real layers."""
    cards, legs = [], {}
    for y in (2020, 2025):
        net = Network(real_layers, year=y, modes="rail")
        cards.append(scorecard(net))
        legs.update(legs_to_core(net, cards[-1]))
    net = Network(real_layers, year=2025, modes="rail")
    surface = travel_time_surface(net, "city:hangzhou")
    from network.scenarios import compare_files

    comps = compare_files([str(ROOT / "scenarios" / "shanghai_hangzhou_hsr2.yaml"),
                           str(ROOT / "scenarios" / "nantong_ningbo_hsr.yaml")],
                          layers=real_layers, year=2025)
    return {"cards": cards, "legs": legs, "surface": surface, "net": net, "comps": comps}


def _kind(name, real_layers, built, tiles="none"):
    if name == "network":
        return maps.network_map(real_layers, year=2025, tiles=tiles)
    if name == "isochrone":
        s = built["surface"]
        return maps.isochrone_map(s.isochrones([30, 45, 60, 90]), layers=real_layers,
                                  origin=built["net"].resolve("city:hangzhou"), cells=s.cells(),
                                  tiles=tiles)
    if name == "commute":
        return maps.commute_map(built["cards"], layers=real_layers, legs=built["legs"],
                                tiles=tiles)
    return maps.comparison_map(built["comps"], tiles=tiles)


def _rendered(p: Page, c: dict) -> None:
    assert p.errors == []
    assert p.external == []
    assert c["maps"] == 1
    assert c["labels"] == 44  # 38 county labels (city cores are labelled by city) + 6 cities
    for box in ("#hz-legend", "#hz-title", "#hz-north", "#hz-footer", ".leaflet-control-scale"):
        assert p.page.locator(box).first.is_visible(), box
    footer = p.page.locator("#hz-footer").inner_text()
    assert "data year 2026" in footer and "assumptions" in footer
    label_text = " ".join(p.page.locator(".hz-label").all_inner_texts())
    assert "杭州市" in label_text and "Hangzhou" in label_text and "桐庐县" in label_text


@pytest.mark.parametrize("kind", ["network", "isochrone", "commute", "scenario"])
def test_default_map_is_self_contained_and_complete(browser, real_layers, built, tmp_path, kind):
    path = tmp_path / f"{kind}.html"
    size = maps.save_map(_kind(kind, real_layers, built), path)
    p = Page(browser, path)
    c = p.counts()
    _rendered(p, c)
    assert c["tiles"] == 0
    if kind == "network":
        open_stations = sum(1 for y in real_layers.stations["open_year"]
                            if y is None or y <= 2025)
        assert c["circles"] == open_stations + len(real_layers.airports)
        assert c["polylines"] > 30
        legend = p.page.locator("#hz-legend").inner_text()
        assert "Hangzhou Metro 1" in legend and "Shaoxing Metro 1" in legend
    elif kind == "isochrone":
        assert c["polygons"] >= 4 + 44 and c["markers"] >= 1 + 44
        assert c["polylines"] > 30  # the rail layer
    elif kind == "commute":
        assert c["polygons"] >= 44 and c["shown"] == "1"  # the last year
        assert c["bases"] == 0  # years are not basemaps
    else:
        assert c["polygons"] >= 44 and c["shown"] == "0"
        assert c["circles"] == 7  # the first scenario's new line stops
        options = p.page.locator("#hz-switcher select option").all_inner_texts()
        assert options == [x.scenario.name for x in built["comps"]]
    assert size < 3_500_000
    p.shot(f"map_{kind}")
    p.close()


def test_commute_map_switches_years_and_keeps_the_basemap(browser, real_layers, built, tmp_path):
    path = tmp_path / "commute_osm.html"
    maps.save_map(_kind("commute", real_layers, built, tiles="osm"), path)
    p = Page(browser, path, tiles=True)
    before = p.counts()
    assert p.errors == [] and p.external == []
    assert before["tiles"] == 1 and before["shown"] == "1" and p.tiles
    year = p.page.locator("#hz-switcher .hz-switcher-value")
    assert year.inner_text() == "2025"
    p.shot("commute_2025_tiles")
    p.page.locator("#hz-switcher .hz-prev").click()
    p.page.wait_for_timeout(300)
    p.shot("commute_2020_tiles")
    after = p.counts()
    assert after["shown"] == "0" and year.inner_text() == "2020"
    assert after["tiles"] == 1  # the basemap stayed
    assert after["polygons"] == before["polygons"] and after["labels"] == before["labels"]
    # the slider itself also switches
    p.page.locator("#hz-switcher input[type=range]").fill("1")
    p.page.wait_for_timeout(200)
    assert p.counts()["shown"] == "1"
    # a county's popup: minutes both ways, verdict and the trip's legs, wrapped
    p.page.evaluate(CLICK_JS, "Tonglu")
    p.page.wait_for_timeout(300)
    popup = p.page.locator(".leaflet-popup-content").last
    text = popup.inner_text()
    assert "Tonglu" in text and "to the core" in text and "from the core" in text
    assert "fastest trip" in text and " min" in text and "within" in text
    box = popup.bounding_box()
    assert 250 <= box["width"] <= 400 and box["height"] < 500  # legs wrap onto lines
    p.shot("commute_2025_popup")
    assert p.errors == []
    p.close()


def test_cdn_mode_loads_leaflet_from_the_cdn(browser, real_layers, built, tmp_path):
    path = tmp_path / "network_cdn.html"
    maps.save_map(_kind("network", real_layers, built, tiles="light"), path, cdn=True)
    assert "https://cdn.jsdelivr.net" in path.read_text(encoding="utf-8")
    p = Page(browser, path, tiles=True, cdn=True)
    c = p.counts()
    assert p.errors == [] and p.external == []
    assert c["maps"] == 1 and c["tiles"] == 1 and c["labels"] == 44
    p.shot("network_cdn_light_tiles")
    p.close()


@pytest.fixture(scope="module")
def hostile(real_layers):
    from network.maps.scenario import ScenarioView

    bad = hostile_layers(real_layers)
    cards, legs = [], {}
    for y in (2020, 2025):
        net = Network(bad, year=y, modes="rail")
        cards.append(scorecard(net))
        legs.update(legs_to_core(net, cards[-1]))
    net = Network(bad, year=2025, modes="rail")
    s = travel_time_surface(net, "city:hangzhou")
    origin = net.resolve("city:hangzhou")
    assert "pwned" in origin.name or "alert" in origin.name  # the city core got a hostile name
    sid = bad.services["id"].iloc[0]
    zones = [{"id": z.id, "minutes_before": z.minutes_to_core, "minutes_after":
              None if z.minutes_to_core is None else z.minutes_to_core - 3}
             for z in cards[-1].zones if z.kind == "county"]
    views = [ScenarioView("${window.__pwned=8}<img src=x onerror=alert(8)>`'\"", bad, zones,
                          {sid}, 1e5)]
    return {
        "network": maps.network_map(bad, year=2025),
        "isochrone": maps.isochrone_map(s.isochrones([30, 60]), layers=bad, origin=origin),
        "commute": maps.commute_map(cards, layers=bad, legs=legs),
        "scenario": maps.scenario_map(base=bad, year=2025, modes="rail", views=views),
    }


@pytest.mark.parametrize("kind", ["network", "isochrone", "commute", "scenario"])
def test_hostile_names_run_no_script(browser, hostile, tmp_path, kind):
    path = tmp_path / f"hostile_{kind}.html"
    maps.save_map(hostile[kind], path)
    p = Page(browser, path)
    opened = p.page.evaluate(OPEN_ALL_JS)
    p.page.wait_for_timeout(500)
    assert opened > 10
    assert p.page.evaluate("() => window.__pwned === undefined")
    assert p.dialogs == []
    assert p.errors == [] and p.external == []
    c = p.counts()
    assert c["maps"] == 1 and c["labels"] == 44 and c["polygons"] >= 44 - (kind == "network") * 44
    # the names are shown as text, exactly
    shown = " ".join(p.page.locator(".leaflet-tooltip, .leaflet-popup-content, .hz-label, "
                                    "#hz-title, #hz-switcher").all_inner_texts())
    assert "${window.__pwned=" in shown or "${alert(1)}" in shown
    assert "<img src=x onerror=" in shown
    p.shot(f"hostile_{kind}")
    p.close()


def test_report_html_is_self_contained(browser, real_layers, tmp_path):
    from network.report import run_report

    out = tmp_path / "out"
    run_report(real_layers, years=[2020, 2025], output_dir=out, maps_dir=tmp_path / "maps",
               scenarios=[str(ROOT / "scenarios" / "nantong_ningbo_hsr.yaml")],
               sensitivity=[("wait_cap_minutes", 51.0, 56.0), ("walk_speed_kmh", 52.5, 54.0)],
               sensitivity_base=53.5)
    path = out / "report.html"
    p = Page(browser, path, wait="() => document.readyState === 'complete'")
    p.page.wait_for_timeout(2000)
    assert p.errors == [] and p.external == []
    imgs = p.page.evaluate("() => [...document.images].map(i => i.naturalWidth)")
    assert len(imgs) == 4 and all(w > 100 for w in imgs)  # scorecard, curve, gains, tornado
    frames = [f for f in p.page.frames if f != p.page.main_frame]
    assert len(frames) == 4  # network, isochrone, commute circle, scenarios
    for f in frames:
        assert f.evaluate(f"() => {FIND_MAP}.length") == 1
        assert f.evaluate("() => document.querySelectorAll('.hz-label').length") == 44
    assert p.page.locator("#summary").is_visible() and p.page.locator("#counties").is_visible()
    p.page.screenshot(path=str(ARTIFACTS / "report_html.png"), full_page=False)
    p.close()
