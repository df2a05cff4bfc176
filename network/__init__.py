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
    "Assumptions": "network.assumptions",
    "read_assumptions": "network.assumptions",
    "DEFAULT_MODES": "network.graph",
    "default_year": "network.years",
    "is_open": "network.years",
    "Grid": "network.grid",
    "make_grid": "network.grid",
    "provenance": "network.provenance",
    "run_report": "network.report",
    "build_map": "network.report",
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
