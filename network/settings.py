"""Model assumptions, each a named module-level setting read at call time.

Every value here is an assumption of the model, not a fact from a source. Each carries its
rationale; docs/method.md repeats them in a table. Change them for a sensitivity run with, e.g.,
``network.settings.wait_cap_minutes = 10`` before calling :func:`network.build`.
"""

from __future__ import annotations

#: EPSG code of the data at rest (WGS-84 lon/lat).
CRS_WGS84 = "EPSG:4326"
#: The one projected CRS for metric work in the whole region: CGCS2000 / 3-degree Gauss-Kruger
#: CM 120E. All six cities lie within about 2.5 degrees of 120E, so scale error stays small.
CRS_METRIC = "EPSG:4549"

# ---------------------------------------------------------------------------------------------
# Rail: waits and transfers (frequency-based, as in Conveyal R5 / peartree: half the headway)
# ---------------------------------------------------------------------------------------------
#: Expected wait at boarding is headway / 2, capped here. Rationale: on long-headway intercity
#: lines passengers time their arrival to the timetable, so a random-arrival wait of 30+ minutes
#: overstates the burden; 15 minutes is the cap used by several regional accessibility studies
#: and keeps hourly services from dominating the result.
wait_cap_minutes: float = 15.0

#: Minimum minutes to change between services at a station, by station kind. Rationale:
#: national stations (hsr/conventional) need a walk between platforms plus ticket/security
#: checks on re-entry only when leaving the paid area, which timed same-station transfers avoid;
#: 8 minutes is a middle value for large Chinese HSR hubs. Metro cross-platform or
#: same-hall transfers take 3-5 minutes.
transfer_minutes: dict[str, float] = {
    "hsr": 8.0,
    "conventional": 8.0,
    "intercity": 5.0,
    "airport-rail": 5.0,
    "metro": 4.0,
}
#: Used for a station kind missing above.
transfer_minutes_default: float = 8.0

#: Minutes added when leaving the rail network at a national station to reach the street
#: (exit the paid area). Rationale: large HSR stations need 3-5 minutes from the platform to the
#: street; metro stations about 2.
exit_minutes: dict[str, float] = {"hsr": 4.0, "conventional": 4.0, "intercity": 2.0,
                                  "airport-rail": 2.0, "metro": 2.0}
#: Minutes from the station entrance to the platform, including security and ticket checks
#: (China's national stations screen every passenger). Rationale: CR recommends arriving
#: well ahead; 10 minutes is the minimum realistic margin at an HSR station, 3 at a metro.
entry_minutes: dict[str, float] = {"hsr": 10.0, "conventional": 10.0, "intercity": 3.0,
                                   "airport-rail": 3.0, "metro": 3.0}

# ---------------------------------------------------------------------------------------------
# Access and egress (sketch connectors: crow-fly distance x detour / speed)
# ---------------------------------------------------------------------------------------------
#: Ratio of network distance to straight-line distance for local trips. Rationale: circuity
#: factors of 1.2-1.4 are typical of urban road networks; 1.3 is the usual midpoint.
detour_factor: float = 1.3
#: Walking speed (km/h).
walk_speed_kmh: float = 4.8
#: Longest walk considered for access or egress (km of network distance). Beyond this, local
#: transit is used.
walk_max_km: float = 1.5
#: Door-to-door speed of local public transport (bus or metro not modelled explicitly), km/h,
#: on network distance. Rationale: urban buses in Chinese cities average 15-20 km/h in service.
local_transit_speed_kmh: float = 18.0
#: Expected initial wait for local transit (minutes): half of a typical 10-minute bus headway.
local_transit_wait_minutes: float = 5.0
#: Car speed on local (non-expressway) roads, km/h, on network distance. Rationale: mixed urban
#: and county roads; urban arterials in peak run 25-35 km/h, county roads 40-60.
local_car_speed_kmh: float = 35.0
#: Minutes to start and end a car trip (walk to car, park). Rationale: a commonly used terminal
#: time of 2-3 minutes at each end.
car_terminal_minutes: float = 3.0
#: Zone seats connect to stations, road nodes and airports within this straight-line radius.
connector_radius_km: float = 30.0
#: ... and always to at least this many of the nearest of each kind, even beyond the radius.
connector_min_count: int = 2
#: Zone seats within this straight-line distance of each other get a direct local-road link.
local_road_radius_km: float = 35.0

# ---------------------------------------------------------------------------------------------
# Road
# ---------------------------------------------------------------------------------------------
#: Expressway travel speed = legal limit x this factor. Rationale: average free-flow speeds on
#: Chinese expressways sit below the limit (trucks, toll plazas, ramps); peak congestion near
#: Hangzhou lowers them further. 0.85 is a stated assumption, not a measurement.
expressway_speed_factor: float = 0.85

# ---------------------------------------------------------------------------------------------
# Air
# ---------------------------------------------------------------------------------------------
#: Minutes from the airport curb to the gate (check-in, security, boarding), used as the cost
#: of entering an airport node before a flight.
airport_departure_minutes: float = 60.0
#: Minutes from landing to the curb (deplaning, baggage).
airport_arrival_minutes: float = 20.0

# ---------------------------------------------------------------------------------------------
# Surfaces and isochrones
# ---------------------------------------------------------------------------------------------
#: Default grid cell size (km) of travel-time surfaces.
cell_km: float = 1.0
#: Longest straight-line egress from a reached node to a grid cell (km). Beyond it a cell counts
#: as not reached: 10 km of local transit or car is already 35-45 minutes, so farther cells would
#: not change a 90-minute isochrone, and capping keeps the computation local.
egress_max_km: float = 10.0
#: Refuse grids with more cells than this (about 100 bytes of working memory per cell and node
#: block); at the region's 54,000 km2 this allows cells down to about 0.15 km.
max_cells: int = 2_500_000

# ---------------------------------------------------------------------------------------------
# One-hour commute circle
# ---------------------------------------------------------------------------------------------
#: The threshold of the plan's "one-hour commute circle" (minutes).
commute_minutes: float = 60.0

# ---------------------------------------------------------------------------------------------
# Years
# ---------------------------------------------------------------------------------------------
#: Earliest year the layers describe. The layers record opening dates back to the first HSR
#: line of the region (2010); timetables and lines closed before then are not recorded, so
#: earlier years are refused rather than answered wrongly.
first_year: int = 2010
