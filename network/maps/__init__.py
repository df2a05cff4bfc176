"""Folium HTML maps: the network, isochrones, the commute circle and scenario comparisons.

Every map is readable without web tiles: county boundaries, city and county labels in Chinese
and English, rail lines (metro in their operators' colours), a north arrow and a metric scale,
a title, a legend and a footer with the data year, the reading and the assumptions.
:func:`save_map` writes atomically and, by default, inlines Leaflet/folium so the file makes no
network request at all; ``tiles="light"|"osm"`` adds web tiles and ``cdn=True`` loads the
libraries from their CDNs. Every layer- or user-supplied string is escaped for its context
(see :mod:`network.maps._html`) and element ids are stable: identical runs give identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from network._io import write_text_atomic
from network.maps._base import CLASS_COLOURS, LINE_COLOURS, SOURCES, TILES, check_tiles, line_colour
from network.maps._html import render_html, text
from network.maps.commute import commute_map
from network.maps.isochrone import BAND_COLOURS, isochrone_map, round_coords
from network.maps.network import network_map
from network.maps.scenario import ScenarioView, comparison_map, gain_colour, scenario_map

__all__ = ["BAND_COLOURS", "CLASS_COLOURS", "LINE_COLOURS", "SOURCES", "TILES", "ScenarioView",
           "check_tiles", "commute_map", "comparison_map", "gain_colour", "isochrone_map",
           "line_colour", "network_map", "render_html", "round_coords", "save_map",
           "scenario_map", "text"]


def save_map(m: Any, path: Any, *, cdn: bool = False, offline: bool | None = None) -> int:
    """Write the map atomically (a failed render leaves any existing file untouched).

    Parameters
    ----------
    m
        A folium map.
    path
        The output file.
    cdn
        Load Leaflet/folium from their CDNs (default: inline them; no network request).
    offline
        Deprecated spelling: ``offline=False`` is ``cdn=True``.

    Returns
    -------
    int
        The file size in bytes.
    """
    page = render_html(m, cdn=cdn, offline=offline)
    write_text_atomic(path, page)
    return Path(path).stat().st_size
