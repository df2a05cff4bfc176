"""The ``hzcircle`` command line: parse arguments, call the library, print.

Nothing in the library imports this package. Heavy imports happen inside the command functions
so that ``hzcircle --help`` stays fast.

One module per concern, each adding its commands to the parser (``add_parsers``) in the order
``hzcircle --help`` lists them (:data:`network.cli._main.COMMANDS`):

- :mod:`~network.cli.layers`: ``layers check|stats``, ``stations``, ``lines``
- :mod:`~network.cli.route`: ``travel-time``, ``matrix``, ``accel build``
- :mod:`~network.cli.batch`: ``accessibility``, ``sweep`` (Dask)
- :mod:`~network.cli.surface`: ``isochrone``
- :mod:`~network.cli.scorecard`: ``commute-circle``, ``targets``
- :mod:`~network.cli.osm`: ``osm import|download``
- :mod:`~network.cli.scenario`: ``scenario check|compare``
- :mod:`~network.cli.report`: ``map``, ``report``
- :mod:`~network.cli.gtfs`: ``gtfs export|validate``

:mod:`~network.cli._common` holds what they share (options, layers and network from the
arguments, JSON with provenance); :mod:`~network.cli._main` the parser and the entry point.
"""

from network.cli._common import DEFAULT_MODES, LEVELS, MAX_MINUTES, MODES
from network.cli._common import print_json as _print_json
from network.cli._main import build_parser, main, reference_markdown
from network.cli.batch import cmd_accessibility, cmd_sweep
from network.cli.gtfs import cmd_gtfs_export, cmd_gtfs_validate
from network.cli.layers import cmd_layers_check, cmd_layers_stats, cmd_lines, cmd_stations
from network.cli.osm import cmd_osm_download, cmd_osm_import
from network.cli.report import cmd_map, cmd_report
from network.cli.route import cmd_accel_build, cmd_matrix, cmd_travel_time
from network.cli.scenario import cmd_scenario_check, cmd_scenario_compare
from network.cli.scorecard import cmd_commute_circle, cmd_targets
from network.cli.surface import MAX_CELL_KM, cmd_isochrone

__all__ = [
    "DEFAULT_MODES",
    "LEVELS",
    "MAX_CELL_KM",
    "MAX_MINUTES",
    "MODES",
    "_print_json",
    "build_parser",
    "cmd_accel_build",
    "cmd_accessibility",
    "cmd_commute_circle",
    "cmd_gtfs_export",
    "cmd_gtfs_validate",
    "cmd_isochrone",
    "cmd_layers_check",
    "cmd_layers_stats",
    "cmd_lines",
    "cmd_map",
    "cmd_matrix",
    "cmd_osm_download",
    "cmd_osm_import",
    "cmd_report",
    "cmd_scenario_check",
    "cmd_scenario_compare",
    "cmd_stations",
    "cmd_sweep",
    "cmd_targets",
    "cmd_travel_time",
    "main",
    "reference_markdown",
]
