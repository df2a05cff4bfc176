"""The main job and the map dispatcher: the pipelines the command line calls.

:func:`run_report` builds the scorecards of several years, the change between them, the targets
tracker, isochrones from the Hangzhou core and the maps, and writes them to two folders.
:func:`build_map` makes any of the four map kinds from the same arguments as the command line,
honouring an OSM road graph and the assumptions like every other command.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from network._errors import InputError
from network._io import check_writable, write_text_atomic, write_vector
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


@dataclass
class Networks:
    """Builds each (year, modes) network once, with one roads graph and one set of assumptions."""

    layers: Layers
    roads: nx.MultiDiGraph | None = None
    assumptions: Assumptions = DEFAULT
    built: dict[tuple[int, str], Network] = field(default_factory=dict)

    def get(self, year: int, modes: str) -> Network:
        from network.queries import Network

        key = (year, modes)
        if key not in self.built:
            self.built[key] = Network(self.layers, year=year, modes=modes, roads=self.roads,
                                      assumptions=self.assumptions)
        return self.built[key]


@dataclass
class Report:
    """What :func:`run_report` wrote: the text and every file."""

    text: str
    files: list[Path]


def run_report(layers: Layers, *, years: list[int], output_dir: str | Path,
               maps_dir: str | Path, modes: str = DEFAULT_MODES,
               roads: nx.MultiDiGraph | None = None, assumptions: Assumptions = DEFAULT,
               offline: bool = False, progress: Callable[[str], None] = _quiet) -> Report:
    """The main job: scorecards for ``years``, their changes, the targets tracker, isochrones
    from the Hangzhou core (rail and any mode, last year) and three maps.

    Writes ``report.txt`` and the isochrone GeoJSON files to ``output_dir`` and the HTML maps
    to ``maps_dir``; each file is written atomically and records its provenance.
    """
    from network.scorecard import flips, format_scorecard, format_years, scorecard
    from network.surface import travel_time_surface
    from network.targets import format_tracker, track

    outdir, mapdir = _folder(output_dir), _folder(maps_dir)
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
    sections += [format_tracker(track(layers, year=y)) for y in years]
    last = years[-1]
    for m in dict.fromkeys((modes, "any")):
        step(f"isochrones {last} {m}...")
        net = nets.get(last, m)
        frame = travel_time_surface(net, "city:hangzhou").isochrones(list(REPORT_MINUTES))
        path = outdir / f"isochrones_hangzhou_core_{last}_{m}.geojson"
        files.append(write_vector(frame, check_writable(path), metadata=provenance(
            assumptions, layers=layers, year=last, modes=m, origin="city:hangzhou")))
        sections.append(f"wrote {path}")
    step("maps...")
    for name, m in _report_maps(layers, cards, nets, modes).items():
        path = check_writable(mapdir / name)
        from network import maps

        size = maps.save_map(m, path, offline=offline)
        files.append(path)
        sections.append(f"wrote {path} ({size / 1e6:.2f} MB)")
    text = "\n\n".join(sections)
    files.append(write_text_atomic(outdir / "report.txt", text + "\n"))
    step(f"done; report in {outdir / 'report.txt'}")
    return Report(text, files)


def _folder(path: str | Path) -> Path:
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create folder {folder}: {exc.strerror or exc}; "
                         "choose a writable place") from None
    check_writable(folder / "probe")
    return folder


def _report_maps(layers: Layers, cards: list, nets: Networks, modes: str) -> dict[str, Any]:
    from network import maps
    from network.scorecard import legs_to_core
    from network.surface import travel_time_surface

    last = cards[-1].year
    net = nets.get(last, modes)
    surface = travel_time_surface(net, "city:hangzhou")
    legs: dict = {}
    for card in cards:
        legs.update(legs_to_core(nets.get(card.year, modes), card))
    return {
        f"network_{last}.html": maps.network_map(layers, year=last),
        f"isochrones_hangzhou_core_{last}_{modes}.html": maps.isochrone_map(
            surface.isochrones(list(REPORT_MINUTES)), layers=layers,
            origin=net.resolve("city:hangzhou"), cells=surface.cells()),
        "commute_circle.html": maps.commute_map(cards, layers=layers, legs=legs),
    }


def build_map(kind: str, layers: Layers, *, place: str | None = None, year: int,
              years: list[int] | None = None, modes: str | None = None, core: str | None = None,
              minutes: list[float] | None = None, reverse: bool = False, cells: bool = False,
              tiles: str = "light", roads: nx.MultiDiGraph | None = None,
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
        return maps.network_map(layers, year=year, tiles=tiles)
    if kind == "isochrone":
        from network.surface import travel_time_surface

        if not place:
            raise InputError("map isochrone needs a PLACE, e.g. hzcircle map isochrone Hangzhou")
        net = nets.get(year, modes)
        surface = travel_time_surface(net, place, reverse=reverse)
        iso = surface.isochrones(list(minutes or REPORT_MINUTES))
        return maps.isochrone_map(iso, layers=layers, origin=net.resolve(place),
                                  cells=surface.cells() if cells else None, tiles=tiles)
    if kind == "commute-circle":
        from network.scorecard import legs_to_core, scorecard

        cards, legs = [], {}
        for y in years or [year]:
            progress(f"scorecard {y} ({modes})...")
            net = nets.get(y, modes)
            cards.append(scorecard(net, core=core))
            legs.update(legs_to_core(net, cards[-1]))
        return maps.commute_map(cards, layers=layers, legs=legs, tiles=tiles)
    if kind == "scenario":
        from network.scenarios import compare_files

        if not place:
            raise InputError("map scenario needs a scenario FILE, e.g. hzcircle map scenario "
                             "scenarios/nantong_ningbo_hsr.yaml")
        result = compare_files([place], layers=layers, year=year, modes=modes, core=core,
                               roads=roads, assumptions=assumptions)[0]
        return maps.comparison_map(result, tiles=tiles)
    raise InputError(f"unknown map kind {kind!r}; use one of {', '.join(MAP_KINDS)}")
