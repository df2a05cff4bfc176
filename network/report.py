"""The main job and the map dispatcher: the pipelines the command line calls.

:func:`run_report` builds the scorecards of several years, the change between them, the targets
tracker, isochrones from the Hangzhou core and the maps, and writes them to two folders.
:func:`build_map` makes any of the four map kinds from the same arguments as the command line,
honouring an OSM road graph and the assumptions like every other command.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from network._errors import InputError
from network._io import Staging, check_not_input, check_writable, staged, write_text_atomic, write_vector
from network.assumptions import DEFAULT, Assumptions
from network.graph import DEFAULT_MODES
from network.provenance import footer, provenance

if TYPE_CHECKING:
    import folium
    import networkx as nx

    from network.layers import Layers
    from network.queries import Network

#: Isochrone thresholds of the report and of maps when none are given (minutes).
REPORT_MINUTES = (30.0, 45.0, 60.0, 90.0)
#: Map kinds :func:`build_map` makes.
MAP_KINDS = ("network", "isochrone", "commute-circle", "scenario")


def _quiet(message: str) -> None:
    """A progress callback that prints nothing."""


#: How many built networks :func:`cached_network` keeps (least recently used dropped first).
NETWORK_CACHE_SIZE = 8
_NETWORKS: OrderedDict[tuple, tuple[tuple, Network]] = OrderedDict()
_TRACKERS: OrderedDict[tuple, tuple[tuple, Any]] = OrderedDict()
_NETWORKS_LOCK = threading.Lock()


def _kept(cache: OrderedDict, key: tuple, owners: tuple, make: Callable[[], Any]) -> Any:
    """``make()``, kept in ``cache`` under ``key`` (least recently used dropped first, at most
    :data:`NETWORK_CACHE_SIZE` entries). ``key`` may hold the ``id`` of the objects in
    ``owners``; the entry holds them, so an identity is never reused by another object while
    the entry lives, and a hit must be for the same objects."""
    with _NETWORKS_LOCK:
        hit = cache.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], owners, strict=True)):
            cache.move_to_end(key)
            return hit[1]
    value = make()
    with _NETWORKS_LOCK:
        cache[key] = (owners, value)
        cache.move_to_end(key)
        while len(cache) > NETWORK_CACHE_SIZE:
            cache.popitem(last=False)
    return value


def cached_network(layers: Layers, *, year: int, modes: str = DEFAULT_MODES,
                   roads: nx.MultiDiGraph | None = None,
                   assumptions: Assumptions = DEFAULT) -> Network:
    """The network of ``layers`` in ``year`` with ``modes``, built once per process.

    The key is everything that determines the graph: the layers object (``Layers`` are
    immutable: scenarios make new ones), the year, the mode set, the road graph object and the
    digest of the assumptions, so a ``--set`` change builds another network. The cache keeps
    the last :data:`NETWORK_CACHE_SIZE` networks and holds their layers and roads, so an
    identity in a key is never reused by another object while its entry lives. A network is
    treated as read-only by everything that uses it (what-ifs and re-pricing work on copies).
    :func:`clear_network_cache` empties it.
    """
    from network.queries import Network

    key = (id(layers), int(year), modes, id(roads), assumptions.digest())
    return _kept(_NETWORKS, key, (layers, roads),
                 lambda: Network(layers, year=year, modes=modes, roads=roads,
                                 assumptions=assumptions))


def clear_network_cache() -> None:
    """Forget every network :func:`cached_network` built (and the trackers of
    :func:`cached_tracker`)."""
    with _NETWORKS_LOCK:
        _NETWORKS.clear()
        _TRACKERS.clear()


def cached_tracker(layers: Layers, *, year: int) -> Any:
    """:func:`network.targets.track` of ``layers`` in ``year``, computed once per process.

    The tracker depends only on the layers (immutable; the entry holds them, so their identity
    is not reused while it lives) and the year. Kept like the networks: the last
    :data:`NETWORK_CACHE_SIZE` (layers, year) pairs; a deep copy is returned.
    """
    import copy

    from network.targets import track

    tracker = _kept(_TRACKERS, (id(layers), int(year)), (layers,),
                    lambda: track(layers, year=year))
    return copy.deepcopy(tracker)


@dataclass
class Networks:
    """Each (year, modes) network of one roads graph and one set of assumptions, taken from
    :func:`cached_network` (so a second report in the same process builds nothing)."""

    layers: Layers
    roads: nx.MultiDiGraph | None = None
    assumptions: Assumptions = DEFAULT
    built: dict[tuple[int, str], Network] = field(default_factory=dict)

    def get(self, year: int, modes: str) -> Network:
        key = (year, modes)
        if key not in self.built:
            self.built[key] = cached_network(self.layers, year=year, modes=modes,
                                             roads=self.roads, assumptions=self.assumptions)
        return self.built[key]


@dataclass
class Report:
    """What :func:`run_report` wrote: the text and every file."""

    text: str
    files: list[Path]


def run_report(layers: Layers, *, years: list[int], output_dir: str | Path,
               maps_dir: str | Path, modes: str = DEFAULT_MODES,
               roads: nx.MultiDiGraph | None = None, assumptions: Assumptions = DEFAULT,
               offline: bool | None = None, progress: Callable[[str], None] = _quiet,
               cdn: bool = False, tiles: str = "none", scenarios: list[str] | None = None,
               sensitivity: Any = None, sensitivity_base: float | None = None,
               figures_dir: str | Path | None = None) -> Report:
    """The main job: scorecards for ``years``, their changes, the targets tracker, isochrones
    from the Hangzhou core (rail and any mode, last year), maps, figures and ``report.html``.

    Writes ``report.txt``, ``report.html`` and the isochrone GeoJSON files to ``output_dir``,
    the HTML maps to ``maps_dir`` and the figures (PNG and SVG) to ``figures_dir`` (default
    ``output_dir/figures``); each file records its provenance. ``report.html`` is one
    self-contained page (maps in sandboxed frames, figures inline). The report is all or
    nothing: every file is staged and moved into place only once all were written; on any
    error no file is left and folders the run created are removed.

    Parameters
    ----------
    offline
        Deprecated: ``offline=False`` is ``cdn=True``. Maps are self-contained by default.
    cdn
        Load Leaflet/folium from their CDNs in the maps (smaller files, needs the network).
    tiles
        Basemap of the maps (``none``: no network request; ``light`` or ``osm``: web tiles).
    scenarios
        Scenario files to compare in the last year: adds the scenario map (all scenarios as
        layers) and the population-weighted gain histogram.
    sensitivity
        Optional ``(assumption, low_minutes, high_minutes)`` rows (e.g. from the uncertainty
        runs) drawn as a tornado around ``sensitivity_base``.
    """
    from network import maps

    if offline is not None:
        cdn = not offline
    maps.check_tiles(tiles)
    figures = figures_dir if figures_dir is not None else Path(output_dir) / "figures"
    with _output_folders(output_dir, maps_dir, figures) as (outdir, mapdir, figdir), \
            staged() as stage:
        options = {"cdn": cdn, "tiles": tiles, "scenarios": scenarios,
                   "sensitivity": sensitivity, "sensitivity_base": sensitivity_base}
        return _run_report(layers, years=years, dirs=(outdir, mapdir, figdir), stage=stage,
                           modes=modes, roads=roads, assumptions=assumptions, options=options,
                           progress=progress)


def _run_report(layers: Layers, *, years: list[int], dirs: tuple[Path, Path, Path],
                stage: Staging, modes: str, roads: nx.MultiDiGraph | None,
                assumptions: Assumptions, options: dict[str, Any],
                progress: Callable[[str], None]) -> Report:
    """The body of :func:`run_report`: every file goes to ``stage.path(final)``."""
    from network.scorecard import flips, format_scorecard, format_years, scorecard
    from network.surface import travel_time_surface
    from network.targets import format_tracker

    outdir, mapdir, figdir = dirs
    nets = Networks(layers, roads, assumptions)
    t0 = time.perf_counter()

    def step(what: str) -> None:
        progress(f"[{time.perf_counter() - t0:5.1f}s] {what}")

    head = (f"hzcircle report: data year {layers.data_year} (data date {layers.data_date}); "
            f"{footer(assumptions)}")
    sections, cards, files = [head], [], []
    for y in years:
        step(f"scorecard {y} ({modes})...")
        cards.append(scorecard(nets.get(y, modes)))
        sections.append(format_scorecard(cards[-1]))
    if len(cards) > 1:
        byyear = {c.year: nets.get(c.year, modes) for c in cards}
        sections.append(format_years(cards, flips(layers, cards, byyear)))
    tracker = [format_tracker(cached_tracker(layers, year=y)) for y in years]
    sections += tracker
    last = years[-1]
    for m in dict.fromkeys((modes, "any")):
        step(f"isochrones {last} {m}...")
        net = nets.get(last, m)
        frame = travel_time_surface(net, "city:hangzhou").isochrones(list(REPORT_MINUTES))
        path = outdir / f"isochrones_hangzhou_core_{last}_{m}.geojson"
        write_vector(frame, stage.path(path), metadata=provenance(
            assumptions, layers=layers, year=last, modes=m, origin="city:hangzhou"))
        files.append(path)
        sections.append(f"wrote {path}")
    comparisons = []
    if options["scenarios"]:
        from network.scenarios import compare_files

        step(f"scenarios {last} ({len(options['scenarios'])})...")
        comparisons = compare_files(list(options["scenarios"]), layers=layers, year=last,
                                    modes=modes, roads=roads, assumptions=assumptions)
    pages = _write_report_maps(layers, cards, nets, modes, stage=stage, mapdir=mapdir,
                               options=options, assumptions=assumptions, comparisons=comparisons,
                               files=files, sections=sections, step=step)
    sens, sens_base, what = options["sensitivity"], options["sensitivity_base"], None
    if sens is None:
        from network.uncertainty import sensitivity

        step(f"sensitivity {last} ({modes})...")
        swing = sensitivity(nets.get(last, modes), card=cards[-1])
        sections.append(swing.format())
        sens = [(r["parameter"], r["population_low"] / 1e6, r["population_high"] / 1e6)
                for r in swing.rows]
        sens_base, what = swing.base_population / 1e6, "people within the hour (millions)"
    step("figures...")
    figs = _report_figures(layers, cards, nets, modes, comparisons, sens, sens_base, what)
    fig_files = _write_figures(figs, stage=stage, figdir=figdir, files=files, sections=sections)
    text = "\n\n".join(sections)
    write_text_atomic(stage.path(outdir / "report.txt"), text + "\n")
    html_path = outdir / "report.html"
    write_text_atomic(stage.path(html_path), report_html(
        layers, cards, assumptions=assumptions, maps=pages,
        figures={stem: (fig_files[stem], figs[stem][1]) for stem in figs},
        tracker=tracker, text=text, comparisons=comparisons))
    files += [outdir / "report.txt", html_path]
    step(f"done; report in {outdir / 'report.txt'} and {html_path}")
    return Report(text, files)


def _write_report_maps(layers: Layers, cards: list, nets: Networks, modes: str, *,
                       stage: Staging, mapdir: Path, options: dict[str, Any],
                       assumptions: Assumptions, comparisons: list, files: list[Path],
                       sections: list[str], step: Callable[[str], None]) -> dict[str, str]:
    from network import maps

    step("maps...")
    pages: dict[str, str] = {}
    for name, m in _report_maps(layers, cards, nets, modes, tiles=options["tiles"],
                                assumptions=assumptions, comparisons=comparisons).items():
        path = mapdir / name
        pages[name] = maps.render_html(m, cdn=options["cdn"])
        write_text_atomic(stage.path(path), pages[name])
        files.append(path)
        sections.append(f"wrote {path} ({len(pages[name].encode('utf-8')) / 1e6:.2f} MB)")
    return pages


def _write_figures(figs: dict, *, stage: Staging, figdir: Path, files: list[Path],
                   sections: list[str]) -> dict[str, list[Path]]:
    """Each figure as PNG and SVG through the stage; returns the staged paths (readable now).

    :func:`network.figures.save_figures` writes half of them in a forked process when a core
    is free."""
    from network.figures import save_figures

    stems: dict[str, Path] = {}
    for stem in figs:
        finals = [figdir / f"{stem}.{fmt}" for fmt in ("png", "svg")]
        staged = [stage.path(final) for final in finals]  # registers both moves
        stems[stem] = staged[0].with_suffix("")
        files += finals
        sections.append(f"wrote {figdir / stem}.png, .svg")
    return save_figures({stem: fig for stem, (fig, _caption) in figs.items()}, stems,
                        formats=["png", "svg"])


@contextlib.contextmanager
def _output_folders(*paths: str | Path) -> Iterator[list[Path]]:
    """Check and create the output folders; on an error remove the ones this run created."""
    created: list[Path] = []
    folders = [Path(p) for p in paths]
    try:
        for folder in folders:
            check_not_input(folder)
            missing = [d for d in [folder, *folder.parents] if not d.exists()]
            if folder.exists() and not folder.is_dir():
                raise InputError(f"output folder {folder} is a file; choose a folder")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot create folder {folder}: {exc.strerror or exc}; "
                                 "choose a writable place") from None
            created += reversed(missing)
            check_writable(folder / "probe")
        yield folders
    except BaseException:
        for d in reversed(created):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise


def _report_maps(layers: Layers, cards: list, nets: Networks, modes: str, *,
                 tiles: str = "none", assumptions: Assumptions = DEFAULT,
                 comparisons: list | None = None) -> dict[str, Any]:
    from network import maps
    from network.surface import travel_time_surface

    last = cards[-1].year
    net = nets.get(last, modes)
    surface = travel_time_surface(net, "city:hangzhou")
    legs: dict = {}
    for card in cards:
        legs.update(_cached_legs(nets.get(card.year, modes), card))
    out = {
        f"network_{last}.html": maps.network_map(layers, year=last, tiles=tiles,
                                                 assumptions=assumptions),
        f"isochrones_hangzhou_core_{last}_{modes}.html": maps.isochrone_map(
            surface.isochrones(list(REPORT_MINUTES)), layers=layers,
            origin=net.resolve("city:hangzhou"), cells=surface.cells(), tiles=tiles,
            assumptions=assumptions),
        "commute_circle.html": maps.commute_map(cards, layers=layers, legs=legs, tiles=tiles,
                                                assumptions=assumptions),
    }
    if comparisons:
        out[f"scenarios_{last}.html"] = maps.comparison_map(comparisons, tiles=tiles,
                                                            assumptions=assumptions)
    return out


def _cached_legs(net: Network, card: Any) -> dict[tuple[int, str], str]:
    """:func:`network.scorecard.legs_to_core` of ``net`` and ``card``, kept in ``net.cache``.

    The key holds what the trips depend on beyond the network: the core, the threshold and
    each zone with its minutes to the core (which counties get a trip)."""
    from network.scorecard import legs_to_core

    key = ("legs_to_core", card.core, card.minutes,
           tuple((z.id, z.kind, z.minutes_to_core) for z in card.zones))
    if key not in net.cache:
        net.cache[key] = legs_to_core(net, card)
    return dict(net.cache[key])


def _report_figures(layers: Layers, cards: list, nets: Networks, modes: str,
                    comparisons: list, sensitivity: Any, sensitivity_base: float | None,
                    what: str | None = None) -> dict[str, tuple[Any, str]]:
    """Figure stem -> (matplotlib figure, caption)."""
    from network import figures
    from network.surface import travel_time_surface

    out = {"scorecard_by_year": (figures.scorecard_figure(cards),
                                 "People and counties within the hour of the core, by year.")}
    surfaces = {str(c.year): travel_time_surface(nets.get(c.year, modes), "city:hangzhou")
                for c in cards}
    out["population_by_minutes"] = (
        figures.population_curve_figure(surfaces, limit=cards[0].minutes),
        f"Cumulative population reached from the core within N minutes ({modes}), by year.")
    if comparisons:
        pops = {str(k): float(v) for k, v in zip(layers.zones["code"],
                                                 layers.zones["population_2020"], strict=True)
                if v is not None and v == v}
        out["scenario_gains"] = (
            figures.scenario_gain_figure(comparisons, populations=pops),
            "Population-weighted histogram of the minutes gained per county (slower way to or "
            "from the core) in each scenario.")
    if sensitivity is not None:
        if sensitivity_base is None:
            raise InputError("a sensitivity table needs its base value (sensitivity_base)")
        out["sensitivity_tornado"] = (
            figures.tornado_figure(sensitivity, base_minutes=sensitivity_base,
                                   what=what or "minutes to the core"),
            f"{(what or 'Result').capitalize()} with each input (assumptions, estimated run "
            "times and headways) at the low and high end of its plausible range, the others at "
            "their values.")
    return out


def build_map(kind: str, layers: Layers, *, place: str | list[str] | None = None, year: int,
              years: list[int] | None = None, modes: str | None = None, core: str | None = None,
              minutes: list[float] | None = None, reverse: bool = False, cells: bool = False,
              tiles: str = "none", roads: nx.MultiDiGraph | None = None,
              assumptions: Assumptions = DEFAULT,
              progress: Callable[[str], None] = _quiet) -> folium.Map:
    """One map of ``kind`` (see :data:`MAP_KINDS`), as ``hzcircle map`` makes it.

    ``place`` is the origin of an isochrone or the scenario file of a scenario map; ``years``
    gives the commute-circle map one layer per year. Every kind uses ``roads`` and
    ``assumptions`` where it builds a network.
    """
    from network import maps

    maps.check_tiles(tiles)
    modes = modes or DEFAULT_MODES
    nets = Networks(layers, roads, assumptions)
    if kind == "network":
        return maps.network_map(layers, year=year, tiles=tiles, assumptions=assumptions)
    if kind == "isochrone":
        from network.surface import travel_time_surface

        if not place:
            raise InputError("map isochrone needs a PLACE, e.g. hzcircle map isochrone Hangzhou")
        net = nets.get(year, modes)
        surface = travel_time_surface(net, place, reverse=reverse)
        iso = surface.isochrones(list(minutes or REPORT_MINUTES))
        return maps.isochrone_map(iso, layers=layers, origin=net.resolve(place),
                                  cells=surface.cells() if cells else None, tiles=tiles,
                                  assumptions=assumptions)
    if kind == "commute-circle":
        from network.scorecard import legs_to_core, scorecard

        cards, legs = [], {}
        for y in years or [year]:
            progress(f"scorecard {y} ({modes})...")
            net = nets.get(y, modes)
            cards.append(scorecard(net, core=core))
            legs.update(legs_to_core(net, cards[-1]))
        return maps.commute_map(cards, layers=layers, legs=legs, tiles=tiles,
                                assumptions=assumptions)
    if kind == "scenario":
        from network.scenarios import compare_files

        if not place:
            raise InputError("map scenario needs a scenario FILE, e.g. hzcircle map scenario "
                             "scenarios/nantong_ningbo_hsr.yaml")
        files = place if isinstance(place, list) else [place]
        results = compare_files(files, layers=layers, year=year, modes=modes, core=core,
                                roads=roads, assumptions=assumptions)
        return maps.comparison_map(results, tiles=tiles, assumptions=assumptions)
    raise InputError(f"unknown map kind {kind!r}; use one of {', '.join(MAP_KINDS)}")


# ------------------------------------------------------------------------------------------
# report.html
# ------------------------------------------------------------------------------------------

_CSS = """body{font:14px/1.45 'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;
max-width:1200px;margin:0 auto;padding:16px;color:#222}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;margin-top:28px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}
tr.within td.y{background:#e5f5e0}.meta{color:#555;font-size:12px}
figure{margin:12px 0}figure img{max-width:100%;border:1px solid #eee}
iframe{width:100%;height:620px;border:1px solid #ccc}
pre{font-size:11px;overflow:auto;background:#f7f7f7;padding:8px}
"""


def _e(value: Any) -> str:
    import html

    return html.escape("" if value is None else str(value), quote=True)


def _summary_table(cards: list) -> str:
    rows = []
    for c in cards:
        share = c.population_within_hour / c.population_total if c.population_total else 0
        counties = [z for z in c.zones if z.kind == "county"]
        cores = [z for z in c.zones if z.kind == "city_core"]
        rows.append(f"<tr><td>{c.year}</td><td>{c.population_within_hour / 1e6:.2f} M</td>"
                    f"<td>{share:.1%}</td><td>{sum(z.within_hour for z in counties)}/"
                    f"{len(counties)}</td><td>{sum(z.within_hour for z in cores)}/"
                    f"{len(cores)}</td></tr>")
    return ("<table id='summary'><tr><th>year</th><th>people within the hour</th><th>share</th>"
            "<th>counties within</th><th>city cores within</th></tr>" + "".join(rows)
            + "</table>")


def _county_table(cards: list) -> str:
    head = "".join(f"<th>{c.year}</th>" for c in cards)
    rows = []
    for i, z in enumerate(cards[0].zones):
        cells = []
        for c in cards:
            zz = c.zones[i]
            m = None if zz.minutes_to_core is None else max(zz.minutes_to_core,
                                                            zz.minutes_from_core or 0)
            mark = " ✓" if zz.within_hour else ""
            cells.append(f"<td class='y'>{'-' if m is None else f'{m:.0f}'}{mark}</td>")
        cls = " class='within'" if cards[-1].zones[i].within_hour else ""
        rows.append(f"<tr{cls}><td>{_e(z.name)} {_e(z.name_zh)}</td><td>{_e(z.city)}</td>"
                    f"{''.join(cells)}</tr>")
    return (f"<table id='counties'><tr><th>county / city core</th><th>city</th>{head}</tr>"
            + "".join(rows) + "</table>")


def _scenario_table(comparisons: list) -> str:
    rows = "".join(
        f"<tr><td>{_e(c.scenario.name)}{' (hypothetical)' if c.scenario.hypothetical else ''}"
        f"</td><td>{c.population_within_hour_before / 1e6:.2f} M</td>"
        f"<td>{c.population_within_hour_after / 1e6:.2f} M</td><td>{len(c.flipped)}</td>"
        f"<td>{float(c.od_gains['gain'].max()):.0f}</td></tr>" for c in comparisons)
    return ("<table id='scenarios'><tr><th>scenario</th><th>people within the hour before</th>"
            "<th>after</th><th>counties flipped</th><th>best county-to-county gain (min)</th>"
            "</tr>" + rows + "</table>")


def report_html(layers: Layers, cards: list, *, assumptions: Assumptions = DEFAULT,
                maps: dict[str, str] | None = None,
                figures: dict[str, tuple[list[Path], str]] | None = None,
                tracker: list[str] | None = None, text: str = "",
                comparisons: list | None = None) -> str:
    """One self-contained page: summary and county tables, figures (inline SVG images), maps
    (each a sandboxed frame holding the whole self-contained map), targets and the text report.

    Every name is HTML-escaped; a map's page goes into an escaped ``srcdoc`` attribute and
    figures into ``data:`` images, so nothing in them can run in the report's own context.
    """
    import base64

    from network.provenance import VERSION

    parts = [f"<h1>Hangzhou metropolitan circle: one-hour commute circle report "
             f"杭州都市圈一小时通勤圈报告</h1><p class='meta'>hzcircle {_e(VERSION)}; data year "
             f"{_e(layers.data_year)} (data date {_e(layers.data_date)}); core "
             f"{_e(cards[0].core)}; modes {_e(cards[0].modes)}; within = both ways ≤ "
             f"{cards[0].minutes:g} min; {_e(footer(assumptions))}</p>",
             "<p>Contents: <a href='#s-summary'>summary</a> · <a href='#s-figures'>figures</a> · "
             "<a href='#s-maps'>maps</a> · <a href='#s-counties'>counties</a> · "
             "<a href='#s-targets'>targets</a> · <a href='#s-text'>text report</a></p>",
             "<h2 id='s-summary'>Summary</h2>", _summary_table(cards)]
    if comparisons:
        parts += ["<h3>Scenarios</h3>", _scenario_table(comparisons)]
    if figures:
        parts.append("<h2 id='s-figures'>Figures</h2>")
        for stem, (paths, caption) in figures.items():
            svg = next((p for p in paths if p.suffix == ".svg"), None)
            if svg is None:
                continue
            data = base64.b64encode(svg.read_bytes()).decode("ascii")
            links = " ".join(f"<a href='figures/{_e(p.name)}'>{_e(p.suffix[1:].upper())}</a>"
                             for p in paths)
            parts.append(f"<figure id='fig-{_e(stem)}'><img alt='{_e(caption)}' "
                         f"src='data:image/svg+xml;base64,{data}'><figcaption>{_e(caption)} "
                         f"{links}</figcaption></figure>")
    if maps:
        parts.append("<h2 id='s-maps'>Maps</h2>")
        for name, page in maps.items():
            parts.append(f"<h3>{_e(name)}</h3><iframe class='hz-map' title='{_e(name)}' "
                         f"sandbox='allow-scripts' srcdoc=\"{_e(page)}\">"
                         f"</iframe>")
    parts += ["<h2 id='s-counties'>Counties and city cores: minutes to/from the core (slower "
              "way; ✓ within the hour)</h2>", _county_table(cards)]
    if tracker:
        parts += ["<h2 id='s-targets'>Targets</h2>"] + [f"<pre>{_e(t)}</pre>" for t in tracker]
    if text:
        parts.append(f"<h2 id='s-text'>Full text report</h2><details><summary>report.txt</summary>"
                     f"<pre>{_e(text)}</pre></details>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>hzcircle report</title><style>" + _CSS + "</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
