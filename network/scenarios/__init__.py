"""What-if scenarios: read, validate and apply YAML modifications to the layers; compare.

A scenario file (YAML, UTF-8)::

    name: New Shanghai-Hangzhou HSR
    description: ...
    source: https://...            # where the proposal comes from
    hypothetical: false            # true for an invented what-if
    modifications:
      - type: add_line
        ...

Modifications are applied **in the order of the file** (as Conveyal R5 does), each to the
result of the previous one. Types and their fields (``?`` optional):

``add_line``
    ``id``, ``name``, ``name_zh?``, ``class`` (hsr/conventional/intercity/metro),
    ``headway_minutes``, ``open_year?``, ``stops`` (each an existing station id, or a new
    station ``{name, name_zh?, lon, lat, kind?}`` in WGS-84), and either ``hop_minutes`` (one per
    hop) or ``speed_kmh`` (average between stops, on the straight line x 1.15) with
    ``dwell_minutes?`` (default 2). Runs in both directions.
``add_station``
    ``service``, ``after`` (a stop of the service), ``station`` (id or new station),
    ``added_minutes`` (extra time for stopping; the run is split by distance).
``adjust_speed``
    ``service``, ``factor`` (> 1 is faster: run minutes / factor) or ``hop_minutes``
    (``{"A-B": minutes}``), ``hops?`` (``["A-B", ...]`` to scale only some hops).
``adjust_headway``
    ``service``, ``headway_minutes``.
``remove_stops``
    ``service``, ``stops`` (ids), ``seconds_saved?`` per removed stop (default: its dwell).
``remove_line``
    ``service`` (or ``line`` to remove all its services).
``add_road``
    ``id?``, ``from``, ``to`` (road node ids, or ``{name, lon, lat}``), ``length_km``,
    ``speed_kmh``, ``open_year?``.
``modify_road``
    ``segments`` (ids) or ``route`` (e.g. ``G60``), ``speed_factor``.

The whole file is validated before anything is applied; every error names the file, the line
and the field (:class:`ScenarioError`).
"""

from network.scenarios.apply import apply
from network.scenarios.compare import Comparison, compare, compare_files, format_comparison
from network.scenarios.evaluate import Evaluation, FastEvaluator, evaluate_full, evaluate_many
from network.scenarios.reader import check_file, parse_scenario, read_scenario
from network.scenarios.spec import CLASSES, FIELDS, TYPES, Scenario, ScenarioError

__all__ = [
    "CLASSES",
    "FIELDS",
    "TYPES",
    "Comparison",
    "Evaluation",
    "FastEvaluator",
    "Scenario",
    "ScenarioError",
    "apply",
    "check_file",
    "compare",
    "compare_files",
    "evaluate_full",
    "evaluate_many",
    "format_comparison",
    "parse_scenario",
    "read_scenario",
]
