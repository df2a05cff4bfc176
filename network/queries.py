"""Travel-time queries: door to door between places, and OD matrices between zones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from network import graph as _graph
from network import settings
from network._errors import InputError
from network.places import Place, resolve
from network.routing import Compiled, Journey, compile_graph, route, shortest_times

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from network.layers import Layers
    from network.surface import Grid

#: Aggregation levels of an OD matrix.
LEVELS = ("county", "city")


class Network:
    """The network of one year and mode set, built and compiled for routing.

    Parameters
    ----------
    layers
        The layers (from :func:`network.load_layers` or a scenario).
    year
        Network as it stood at the end of this year.
    modes
        ``rail``, ``road`` or ``any``.
    roads
        An OSM road graph (:func:`network.osm.import_osm`) that replaces the sketch road model
        within its extent (modes ``road`` and ``any``).

    Examples
    --------
    >>> net = Network(load_layers(), year=2025, modes="rail")  # doctest: +SKIP
    >>> net.travel_time("Hangzhou East", "Shaoxing North").minutes  # doctest: +SKIP
    """

    def __init__(self, layers: Layers, *, year: int, modes: str = "any",
                 roads: nx.MultiDiGraph | None = None) -> None:
        self.layers = layers
        self.year = year
        self.modes = modes
        self.G: nx.MultiDiGraph = _graph.build(layers, year=year, modes=modes)
        self.snaps: list = []
        if roads is not None:
            from network.osm import splice

            self.snaps = splice(self.G, roads, layers)
        self.compiled: Compiled = compile_graph(self.G)
        self._grids: dict[float, Grid] = {}
        self._pairs: dict[tuple[int, bool], object] = {}

    def resolve(self, query: str) -> Place:
        """Resolve a place name against this network's layers (see :func:`network.resolve`)."""
        return resolve(self.layers, query)

    def _station_partners(self, station: str) -> list[tuple[str, float]]:
        """Stations linked to ``station`` by an interchange walk, with the walk minutes."""
        ic = self.layers.interchanges
        out = []
        for r in ic.itertuples():
            for x, y in ((r.from_station, r.to_station), (r.to_station, r.from_station)):
                if x == station and self.G.nodes.get(y, {}).get("kind") == "station":
                    out.append((y, float(r.walk_minutes)))
        return out

    def _attach(self, p: Place, role: str) -> tuple[str, list, dict[str, dict]]:
        """The node a trip starts (``role="from"``) or ends (``"to"``) at for place ``p``.

        Returns the node and the temporary edges and nodes it needs: a point gets sketch
        connectors; a station also reaches the stations it shares a complex with (interchange
        walk), so "from Hangzhou West" may start on the metro.
        """
        edges: list = []
        nodes: dict[str, dict] = {}
        node = p.origin if role == "from" else p.destination
        if p.kind == "point":
            targets = _graph.connector_targets(self.G, self.layers)
            nodes[p.origin] = {"x": p.lon, "y": p.lat, "kind": "point", "name": p.name,
                               "name_zh": ""}
            edges += _graph._place_connectors(p.origin, p.lon, p.lat, targets, self.modes)
        partners = self._station_partners(p.origin) if p.kind == "station" else []
        if not partners:
            return node, edges, nodes
        tag = f"{role}:{p.origin}"
        nodes[tag] = {"x": p.lon, "y": p.lat, "kind": "place", "name": p.name,
                      "name_zh": p.name_zh}
        for other, walk in [(p.origin, 0.0), *partners]:
            kind = self.G.nodes[other]["station_kind"]
            if role == "from":
                cost = walk + (_graph._entry(kind) if walk else 0.0)
                edges.append(_graph._Edge(tag, other, "walk", cost, 0.0, "interchanges.csv"))
            else:
                edges.append(_graph._Edge(f"{other}|arr", tag, "walk", walk, 0.0,
                                          "interchanges.csv"))
        return tag, edges, nodes

    def _terminals(self, a: Place, b: Place) -> tuple[str, str, list, dict]:
        src, e1, n1 = self._attach(a, "from")
        dst, e2, n2 = self._attach(b, "to")
        if a.kind == "point" and b.kind == "point" and a.origin == b.origin:
            e2 = []
        return src, dst, e1 + e2, {**n1, **n2}

    def grid(self, cell_km: float | None = None) -> Grid:
        """The grid of this network's layers (cached per cell size)."""
        from network.surface import make_grid

        key = settings.cell_km if cell_km is None else float(cell_km)
        if key not in self._grids:
            self._grids[key] = make_grid(self.layers, key)
        return self._grids[key]

    def surface_pairs(self, grid: Grid, reverse: bool) -> object:
        """Cell-node egress (or access) pairs of a grid, cached."""
        from network.surface import _pairs

        key = (id(grid), reverse)
        if key not in self._pairs:
            self._pairs[key] = _pairs(self, grid, reverse)
        return self._pairs[key]

    def _augmented(self, edges: list, nodes: dict[str, dict]) -> Compiled:
        if not edges:
            return self.compiled
        G = self.G.copy()
        G.add_nodes_from(nodes.items())
        _graph.add_edges(G, edges)
        return compile_graph(G)

    def travel_time(self, origin: str | Place, destination: str | Place) -> Journey:
        """Fastest door-to-door journey between two places, with its legs.

        Raises
        ------
        UnknownPlaceError
            If a place cannot be resolved.
        InputError
            If origin and destination are the same place.
        UnreachableError
            If no path exists in this year and mode.
        """
        a = origin if isinstance(origin, Place) else self.resolve(origin)
        b = destination if isinstance(destination, Place) else self.resolve(destination)
        if a.origin == b.origin:
            raise InputError(
                f"origin and destination are the same place ({a.name}); give two different places"
            )
        for p in (a, b):
            if p.kind != "point" and p.origin not in self.G:
                raise InputError(
                    f"{p.name} is not in the {self.modes} network of {self.year} (not open yet, "
                    "or not reachable in this mode); try a later --year or --modes any"
                )
        src, dst, edges, nodes = self._terminals(a, b)
        journey = route(self._augmented(edges, nodes), src, dst)
        journey.origin, journey.destination = a.name, b.name
        names = dict(zip(self.layers.services["id"], self.layers.services["name"], strict=True))
        for leg in journey.legs:
            if leg.service:
                leg.service_name = names.get(leg.service, leg.service)
        return journey

    def zones(self, level: str = "county") -> pd.DataFrame:
        """The zones of a matrix level: code, name, name_zh, city, node, population."""
        import pandas as pd

        if level not in LEVELS:
            raise InputError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
        z = self.layers.zones
        frame = pd.DataFrame({"code": z["code"], "name": z["name"], "name_zh": z["name_zh"],
                              "city": z["city"], "population": z["population_2020"]})
        if level == "city":
            if not len(self.layers.cities):
                raise InputError("level 'city' needs layers/cities.csv with each city's core_zone")
            cores = dict(zip(self.layers.cities["core_zone"], self.layers.cities["name"], strict=True))
            frame = frame[frame["code"].isin(cores)].copy()
            frame["name"] = [cores[c] for c in frame["code"]]
            names_zh = dict(zip(self.layers.cities["name"], self.layers.cities["name_zh"], strict=True))
            frame["name_zh"] = [names_zh[n] for n in frame["name"]]
        frame["node"] = [f"zone:{c}" for c in frame["code"]]
        return frame.reset_index(drop=True)

    def matrix(self, *, level: str = "county") -> pd.DataFrame:
        """Door-to-door minutes between all zones (long form: one row per OD pair).

        Returns
        -------
        pandas.DataFrame
            Columns ``origin``, ``origin_zh``, ``origin_code``, ``destination``,
            ``destination_zh``, ``destination_code``, ``minutes`` (NaN where unreachable).
        """
        import pandas as pd

        zones = self.zones(level)
        nodes = list(zones["node"])
        times = shortest_times(self.compiled, nodes)[:, self.compiled.node_ids(nodes)]
        n = len(nodes)
        oi, di = np.divmod(np.arange(n * n), n)
        keep = oi != di
        minutes = times.ravel()[keep]
        minutes = np.where(np.isfinite(minutes), np.round(minutes, 1), np.nan)
        return pd.DataFrame({
            "origin": zones["name"].to_numpy()[oi[keep]],
            "origin_zh": zones["name_zh"].to_numpy()[oi[keep]],
            "origin_code": zones["code"].to_numpy()[oi[keep]],
            "destination": zones["name"].to_numpy()[di[keep]],
            "destination_zh": zones["name_zh"].to_numpy()[di[keep]],
            "destination_code": zones["code"].to_numpy()[di[keep]],
            "minutes": minutes,
        })


def travel_time(layers: Layers, origin: str, destination: str, *, year: int,
                modes: str = "any") -> Journey:
    """Fastest door-to-door journey between two places (builds the network for ``year``)."""
    return Network(layers, year=year, modes=modes).travel_time(origin, destination)


def od_matrix(layers: Layers, *, year: int, modes: str = "any", level: str = "county") -> pd.DataFrame:
    """Door-to-door minutes between all zones of ``level`` (see :meth:`Network.matrix`)."""
    return Network(layers, year=year, modes=modes).matrix(level=level)
