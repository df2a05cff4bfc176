"""hzcircle: transport-network analyzer for the Hangzhou metropolitan circle.

The public API is listed in ``__all__``. Heavy modules (geopandas, scipy, networkx) load on
first use, so ``import network`` and ``hzcircle --help`` stay fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from network._errors import (
    HzCircleError,
    InputError,
    LayerError,
    OutputError,
    UnknownPlaceError,
    UnreachableError,
)

__version__ = "0.1.0"

_LAZY = {
    "load_layers": "network.layers",
    "Layers": "network.layers",
    "default_layers_path": "network.layers",
    "check_layers": "network.validate",
    "require_valid": "network.validate",
    "Problem": "network.validate",
    "build": "network.graph",
    "MODES": "network.graph",
    "resolve": "network.places",
    "Place": "network.places",
    "Network": "network.queries",
    "travel_time": "network.queries",
    "od_matrix": "network.queries",
    "Journey": "network.routing",
    "Leg": "network.routing",
    "compile_graph": "network.routing",
    "overlay": "network.routing",
    "routes_to": "network.routing",
    "Hierarchy": "network.accel",
    "Points": "network.points",
    "read_points": "network.points",
    "point_times": "network.points",
    "Measure": "network.accessibility",
    "point_accessibility": "network.accessibility",
    "grid_accessibility": "network.accessibility",
    "Assumptions": "network.assumptions",
    "read_assumptions": "network.assumptions",
    "DEFAULT_MODES": "network.graph",
    "default_year": "network.years",
    "is_open": "network.years",
    "Grid": "network.grid",
    "make_grid": "network.grid",
    "provenance": "network.provenance",
    "READINGS": "network.readings",
    "evaluate_readings": "network.readings",
    "sample_uncertainty": "network.uncertainty",
    "sensitivity": "network.uncertainty",
    "run_report": "network.report",
    "build_map": "network.report",
    "export_gtfs": "network.gtfs",
    "import_gtfs": "network.gtfs",
    "validate_feed": "network.gtfs",
    "write_raster": "network.raster",
    "journey_frame": "network.journeys",
    "to_osmnx": "network.interop",
    "arrival_node": "network.interop",

    "report_html": "network.report",
    "network_map": "network.maps",
    "isochrone_map": "network.maps",
    "commute_map": "network.maps",
    "scenario_map": "network.maps",
    "comparison_map": "network.maps",
    "save_map": "network.maps",
    "scorecard_figure": "network.figures",
    "population_curve_figure": "network.figures",
    "scenario_gain_figure": "network.figures",
    "tornado_figure": "network.figures",
    "save_figure": "network.figures",
    "save_figures": "network.figures",
}

__all__ = [
    "HzCircleError",
    "InputError",
    "LayerError",
    "OutputError",
    "UnknownPlaceError",
    "UnreachableError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'network' has no attribute {name!r}")
