"""GTFS in and out: export the rail services as a frequency-based feed, import a feed's services.

Export (:func:`export_gtfs`) writes the services open in a year as a GTFS feed that R5, OTP,
UrbanAccess or gtfs-kit can load: one route per service (``route_type`` 2 for national and
intercity rail, 1 for metro), one frequency-based trip per direction (``frequencies.txt``,
``exact_times=0``, ``headway_secs`` = the service's ``headway_minutes``) over a stated service
day, stop times from the recorded hop minutes (run between stops, dwell at intermediate stops,
exactly as :func:`network.graph.stops_open_in` keeps them for the year), stops with parent
stations for the station complexes of ``interchanges.csv`` (``same_complex``), an all-days
calendar for the year, ``feed_info.txt`` (data year, network year, assumptions fingerprint) and
``attributions.txt`` (each service's source URLs).

Import (:func:`import_gtfs`) is a pure function ``Layers -> Layers`` like a scenario: the
feed's stop patterns become services, stops join the nearest layer station within
``Assumptions.gtfs_join_max_km`` or become new stations, hop minutes come from the first trip
of a pattern in the window, and headways from the departures in the window
(the mean interval between consecutive departures, as UrbanAccess computes headways).
Broken feeds raise one-line :class:`~network.InputError`.
"""


from network.gtfs._common import (
    DEFAULT_SERVICE_DAY,
    DEFAULT_WINDOW,
    ROUTE_TYPES,
    format_clock,
    parse_clock,
    parse_window,
)
from network.gtfs._feed import read_feed
from network.gtfs.export import ExportSummary, export_gtfs, feed_tables, validate_feed
from network.gtfs.importer import import_feeds, import_gtfs

__all__ = ["DEFAULT_SERVICE_DAY", "DEFAULT_WINDOW", "ROUTE_TYPES", "ExportSummary", "export_gtfs",
           "feed_tables", "format_clock", "import_feeds", "import_gtfs", "parse_clock",
           "parse_window", "read_feed", "validate_feed"]
