"""Travel-time queries: door to door between places, and OD matrices between zones."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from network import graph as _graph
from network._errors import InputError
from network.assumptions import DEFAULT, Assumptions
from network.graph import DEFAULT_MODES
from network.grid import Grid, make_grid
from network.places import Place, resolve
from network.routing import (
    Compiled,
    Journey,
    compile_graph,
    overlay,
    route,
    routes_to,
    shortest_times,
    splice_arrays,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    import networkx as nx
    import pandas as pd

    from network.accel import Hierarchy
    from network.layers import Layers
    from network.osm import RoadArrays, SplicedRoads

#: Above this many compiled edges, single queries use a bounded, widening search.
_BOUNDED_NNZ = 200_000

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
        OSM roads (:class:`network.osm.RoadArrays`, or an osmnx graph from
        :func:`network.osm.import_osm`) that replace the sketch road model within their extent
        (modes ``road`` and ``any``). They are appended to the compiled arrays, not to ``G``:
        ``G`` is the network without them (its replaced sketch edges removed), and
        :meth:`combined_graph` gives the networkx graph with them.
    assumptions
        The model assumptions (:class:`network.Assumptions`); the defaults if omitted. They are
        fixed for the life of the network: build another one to change them.

    Examples
    --------
    >>> net = Network(load_layers(), year=2025, modes="rail")  # doctest: +SKIP
    >>> net.travel_time("Hangzhou East", "Shaoxing North").minutes  # doctest: +SKIP
    """

    def __init__(self, layers: Layers, *, year: int, modes: str = DEFAULT_MODES,
                 roads: nx.MultiDiGraph | RoadArrays | None = None,
                 assumptions: Assumptions = DEFAULT) -> None:
        if not isinstance(assumptions, Assumptions):
            raise InputError(f"assumptions must be an Assumptions object, not {type(assumptions).__name__}")
        self.layers = layers
        self.modes = _graph.check_mode(modes)
        self.assumptions = assumptions
        self.G: nx.MultiDiGraph = _graph.build(layers, year=year, modes=modes,
                                               assumptions=assumptions)
        self.year: int = self.G.graph["year"]
        self.snaps: list = []
        self.roads: SplicedRoads | None = None
        if roads is not None:
            from network.osm import splice_arrays as prepare

            self.roads = prepare(self.G, roads, layers, assumptions)
        self.compiled: Compiled = compile_graph(self.G)
        if self.roads is not None:
            self.snaps = self.roads.snaps
            self.compiled = splice_arrays(self.compiled, self.roads)
        #: Products derived from this network by later stages (grids, surface pairs), keyed
        #: by their makers; valid for the network's life since its inputs are fixed.
        self.cache: dict = {}

    def combined_graph(self) -> nx.MultiDiGraph:
        """The network as one networkx graph, OSM roads included (a copy; for osmnx and
        networkx interop: slow and large for big road graphs). Without roads, ``G`` itself."""
        if self.roads is None:
            return self.G
        G = self.G.copy()
        self.roads.add_to(G)
        return G

    def node_items(self) -> Iterator[tuple[str, dict]]:
        """Every node as ``(name, data)``, OSM roads included, without building
        :meth:`combined_graph` (a copy of the graph)."""
        yield from self.G.nodes(data=True)
        if self.roads is not None:
            yield from self.roads.node_items()

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

    def attach(self, p: Place, role: str) -> tuple[str, list[_graph.Edge], dict[str, dict]]:
        """The node a trip starts (``role="from"``) or ends (``"to"``) at for place ``p``.

        Returns the node and the temporary edges and nodes it needs: a point gets sketch
        connectors; a station also reaches the stations it shares a complex with (interchange
        walk), so "from Hangzhou West" may start on the metro.
        """
        edges: list = []
        nodes: dict[str, dict] = {}
        node = p.origin if role == "from" else p.destination
        if p.kind == "point":
            targets = self._connector_targets()
            nodes[p.origin] = {"x": p.lon, "y": p.lat, "kind": "point", "name": p.name,
                               "name_zh": ""}
            edges += _graph.place_connectors(p.origin, p.lon, p.lat, targets, self.modes,
                                             self.assumptions)
        if p.kind != "station":
            return node, edges, nodes
        partners = self._station_partners(p.origin)
        tag = f"{role}:{p.origin}"
        nodes[tag] = {"x": p.lon, "y": p.lat, "kind": "place", "name": p.name,
                      "name_zh": p.name_zh}
        for other, walk in [(p.origin, 0.0), *partners]:
            kind = self.G.nodes[other]["station_kind"]
            if role == "from":
                cost = walk + (self.assumptions.entry_minutes(kind) if walk else 0.0)
                edges.append(_graph.Edge(tag, other, "walk", cost, 0.0, "interchanges.csv"))
            else:
                edges.append(_graph.Edge(f"{other}|arr", tag, "walk", walk, 0.0,
                                         "interchanges.csv"))
        edges += self._direct(p.origin, tag, role)
        return tag, edges, nodes

    def _direct(self, station: str, tag: str, role: str, extra: list | None = None) -> list:
        """Edges that leave (``role="from"``) or reach (``"to"``) ``station`` without a train.

        A trip starts on the departure side of a station, where boarding begins, and ends on
        its arrival side, where rides alight: neither is joined to the roads and local transit
        the other way, so without these edges a trip from a station to a town beside it (or
        from the town to the station) had to ride a train out and back. They copy the
        station's road and local-transit connectors (from the compiled graph, and ``extra``:
        a point's temporary connectors) to start at or end on ``tag``, less the station's
        exit minutes (leaving) or entry minutes (arriving): those are for alighting and
        boarding, which such a trip does not do. With ``extra`` given, only those are copied.
        """
        c, a = self.compiled, self.assumptions
        kind = self.G.nodes[station]["station_kind"]
        out: list = []
        if role == "from":
            i, mat, skip = c.index[f"{station}|arr"], c.matrix, a.exit_minutes(kind)
            pairs = [(f"{station}|arr", c.nodes[j]) for j in mat.indices[mat.indptr[i]:mat.indptr[i + 1]]]
            modes = {"egress": skip, "car": skip, "walk": 0.0}
        else:
            i, mat, skip = c.index[station], c.reverse_matrix(), a.entry_minutes(kind)
            pairs = [(c.nodes[j], station) for j in mat.indices[mat.indptr[i]:mat.indptr[i + 1]]]
            modes = {"access": skip, "car": skip, "walk": skip}
        if extra is None:
            found = [(u, v, d["mode"], d["minutes"], d.get("length_km", 0.0), d.get("source", ""))
                     for u, v in pairs for d in c.edge_data(u, v) if d.get("mode") in modes]
        else:
            end = 0 if role == "from" else 1
            name = f"{station}|arr" if role == "from" else station
            found = [(e.u, e.v, e.mode, e.minutes, e.length_km, e.source) for e in extra
                     if e.mode in modes and (e.u, e.v)[end] == name]
        for u, v, mode, minutes, km, source in found:
            end = (tag, v) if role == "from" else (u, tag)
            out.append(_graph.Edge(*end, mode, max(0.0, float(minutes) - modes[mode]), km, source))
        return out

    def _point_links(self, ends: list[tuple[Place, str, str]], edges: list,
                     nodes: dict[str, dict]) -> list:
        """The temporary connectors of the points among ``nodes`` reach (and leave) the
        station ends of a trip too: their copies (:meth:`_direct`) for each station among
        ``ends``, given as (place, attached node, role)."""
        points = {n for n, d in nodes.items() if d.get("kind") == "point"}
        point_edges = [e for e in edges if e.u in points or e.v in points]
        out: list = []
        done: set[tuple[str, str]] = set()
        for p, node, role in ends:
            if point_edges and p.kind == "station" and (role, p.origin) not in done:
                done.add((role, p.origin))
                out += self._direct(p.origin, node, role, extra=point_edges)
        return out

    def _connector_targets(self) -> dict:
        """What points connect to (:func:`network.graph.connector_targets`), made once."""
        key = ("connector_targets",)
        if key not in self.cache:
            self.cache[key] = _graph.connector_targets(self.G, self.layers)
        return self.cache[key]

    def _terminals(self, a: Place, b: Place) -> tuple[str, str, list, dict]:
        src, e1, n1 = self.attach(a, "from")
        dst, e2, n2 = self.attach(b, "to")
        if a.kind == "point" and b.kind == "point" and a.origin == b.origin:
            e2 = []
        edges, nodes = e1 + e2, {**n1, **n2}
        edges += self._point_links([(a, src, "from"), (b, dst, "to")], edges, nodes)
        return src, dst, edges, nodes

    def grid(self, cell_km: float | None = None) -> Grid:
        """The grid of this network's layers (cached per cell size)."""
        key = ("grid", self.assumptions.cell_km if cell_km is None else float(cell_km))
        if key not in self.cache:
            self.cache[key] = make_grid(self.layers, key[1], assumptions=self.assumptions)
        return self.cache[key]

    def augmented(self, edges: list[_graph.Edge], nodes: dict[str, dict]) -> Compiled:
        """The compiled network with temporary nodes and edges (from :meth:`attach`) added;
        the network itself is left unchanged.

        The result is an overlay on the compiled arrays (:func:`network.routing.overlay`):
        the networkx graph is not copied, and base nodes keep their indices.
        """
        return overlay(self.compiled, edges, nodes)

    def _check_in_network(self, p: Place) -> None:
        if p.kind != "point" and p.origin not in self.G:
            raise InputError(
                f"{p.name} is not in the {self.modes} network of {self.year} (not open yet, "
                "or not reachable in this mode); try a later --year or --modes any"
            )

    def place(self, p: str | Place) -> Place:
        """``p`` resolved (a :class:`Place` is returned as is)."""
        return p if isinstance(p, Place) else self.resolve(p)

    def _service_names(self) -> dict[str, str]:
        key = ("service_names",)
        if key not in self.cache:
            sv = self.layers.services
            self.cache[key] = dict(zip(sv["id"], sv["name"], strict=True))
        return self.cache[key]

    def _named(self, journey: Journey, a: Place, b: Place) -> Journey:
        journey.origin, journey.destination = a.name, b.name
        names = self._service_names()
        for leg in journey.legs:
            if leg.service:
                leg.service_name = names.get(leg.service, leg.service)
        return journey

    def accelerate(self, path: str | os.PathLike[str] | None = None) -> Hierarchy:
        """Build (once) and return the exact contraction hierarchy of this network's compiled
        graph (:class:`network.accel.Hierarchy`), so that ``engine="auto"`` queries and
        matrices use it. Worth it only for many queries on a large (road) graph: the
        preprocessing takes tens of seconds at 10^6 edges.

        With ``path``, load the hierarchy saved there (:meth:`network.accel.Hierarchy.save`,
        ``hzcircle accel build``) instead of building it: seconds instead of a minute at 10^6
        edges. A file built for another graph (other layers, year, modes or roads) is refused
        with an :class:`~network._errors.InputError`."""
        from network import accel

        return accel.hierarchy(self.cache, self.compiled, path=path)

    def travel_time(self, origin: str | Place, destination: str | Place, *,
                    engine: str = "auto") -> Journey:
        """Fastest door-to-door journey between two places, with its legs.

        ``engine``: ``"dijkstra"``, ``"cch"`` (the exact contraction hierarchy of
        :mod:`network.accel`, built if needed) or ``"auto"`` (the hierarchy when
        :meth:`accelerate` has built it and the graph is large, else Dijkstra). The minutes
        agree within :data:`network.accel.TOLERANCE`; where paths tie, the legs may differ.

        Raises
        ------
        UnknownPlaceError
            If a place cannot be resolved.
        InputError
            If origin and destination are the same place.
        UnreachableError
            If no path exists in this year and mode.
        """
        a, b = self.place(origin), self.place(destination)
        if a.origin == b.origin:
            raise InputError(
                f"origin and destination are the same place ({a.name}); give two different places"
            )
        for p in (a, b):
            self._check_in_network(p)
        from network import accel

        hier = accel.chosen(self.cache, self.compiled, engine)
        src, dst, edges, nodes = self._terminals(a, b)
        light = accel.light_overlay(self.compiled, edges, nodes) if hier is not None else None
        if hier is not None and light is not None:
            found = accel.route(hier, light, src, dst)
            if found is not None:
                return self._named(found, a, b)
        # on a large (road) graph the search is bounded and widened until it arrives: exact
        limit = 30.0 if self.compiled.matrix.nnz > _BOUNDED_NNZ else None
        journey = route(self.augmented(edges, nodes), src, dst, limit=limit)
        return self._named(journey, a, b)

    def journeys_to(self, origins: list[str | Place], destination: str | Place
                    ) -> list[Journey | None]:
        """Fastest journeys from many places to one, from one reverse search.

        Returns one journey per origin, ``None`` where unreachable or where the origin is the
        destination. Minutes equal :meth:`travel_time`'s; where paths tie, the legs may be
        either.
        """
        b = self.place(destination)
        places = [self.place(o) for o in origins]
        for p in (b, *places):
            self._check_in_network(p)
        dst, edges, nodes = self.attach(b, "to")
        sources = []
        for a in places:
            if a.origin == b.origin:
                sources.append(None)
                continue
            src, e, n = self.attach(a, "from")
            edges, nodes = edges + e, {**nodes, **n}
            sources.append(src)
        compiled = self.augmented(edges, nodes)
        wanted = [s for s in sources if s is not None]
        found = iter(routes_to(compiled, wanted, dst))
        out: list[Journey | None] = []
        for a, s in zip(places, sources, strict=True):
            j = next(found) if s is not None else None
            out.append(None if j is None else self._named(j, a, b))
        return out

    def times(self, origins: list[str | Place], destinations: list[str | Place]) -> np.ndarray:
        """Door-to-door minutes between many places: an origins x destinations array
        (``inf`` where unreachable, 0 on the diagonal of a place with itself).

        All places are attached to one overlay and the searches run from the side with fewer
        places (forward from the origins, or backward from the destinations).
        """
        srcs = [self.place(p) for p in origins]
        dsts = [self.place(p) for p in destinations]
        for p in (*srcs, *dsts):
            self._check_in_network(p)
        edges: list = []
        nodes: dict = {}
        seen: set[tuple[str, str]] = set()
        ends: dict[str, list[str]] = {"from": [], "to": []}
        for role, group in (("from", srcs), ("to", dsts)):
            for p in group:
                node, e, n = self.attach(p, role)
                ends[role].append(node)
                # a point's connectors go both ways: attached once it serves both roles
                key = ("point", p.origin) if p.kind == "point" else (role, p.origin)
                if key in seen:
                    continue
                seen.add(key)
                edges += e
                nodes.update(n)
        trip_ends = [(p, node, role) for role, group in (("from", srcs), ("to", dsts))
                     for p, node in zip(group, ends[role], strict=True)]
        edges += self._point_links(trip_ends, edges, nodes)
        compiled = self.augmented(edges, nodes)
        return od_times(compiled, ends["from"], ends["to"],
                        same=[[a.origin == b.origin for b in dsts] for a in srcs])

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

    def matrix(self, *, level: str = "county", engine: str = "auto") -> pd.DataFrame:
        """Door-to-door minutes between all zones (long form: one row per OD pair).

        ``engine`` as in :meth:`travel_time`: with the contraction hierarchy each pair is
        certified within :data:`network.accel.TOLERANCE` minutes of Dijkstra's.

        Returns
        -------
        pandas.DataFrame
            Columns ``origin``, ``origin_zh``, ``origin_code``, ``destination``,
            ``destination_zh``, ``destination_code``, ``minutes`` (NaN where unreachable).
        """
        import pandas as pd

        zones = self.zones(level)
        nodes = list(zones["node"])
        from network import accel

        hier = accel.chosen(self.cache, self.compiled, engine)
        if hier is not None:
            times = accel.matrix_times(hier, self.compiled, nodes, nodes)
        else:
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


def od_times(compiled: Compiled, sources: list[str], targets: list[str], *,
             same: list[list[bool]] | None = None) -> np.ndarray:
    """Minutes from each source node to each target node (sources x targets), searching from
    the smaller side; ``same[i][j]`` marks pairs that are one place (set to 0)."""
    if not sources or not targets:
        return np.zeros((len(sources), len(targets)))
    if len(sources) <= len(targets):
        uniq = list(dict.fromkeys(sources))
        rows = shortest_times(compiled, uniq)
        at = {n: i for i, n in enumerate(uniq)}
        out = rows[[at[s] for s in sources]][:, compiled.node_ids(targets)]
    else:
        uniq = list(dict.fromkeys(targets))
        cols = shortest_times(compiled, uniq, reverse=True)
        at = {n: i for i, n in enumerate(uniq)}
        out = cols[[at[t] for t in targets]][:, compiled.node_ids(sources)].T
    out = np.array(out, dtype=float)
    if same is not None:
        out[np.asarray(same, dtype=bool).reshape(out.shape)] = 0.0
    return out


def travel_time(layers: Layers, origin: str, destination: str, *, year: int,
                modes: str = DEFAULT_MODES, assumptions: Assumptions = DEFAULT) -> Journey:
    """Fastest door-to-door journey between two places (builds the network for ``year``)."""
    net = Network(layers, year=year, modes=modes, assumptions=assumptions)
    return net.travel_time(origin, destination)


def od_matrix(layers: Layers, *, year: int, modes: str = DEFAULT_MODES, level: str = "county",
              assumptions: Assumptions = DEFAULT) -> pd.DataFrame:
    """Door-to-door minutes between all zones of ``level`` (see :meth:`Network.matrix`)."""
    return Network(layers, year=year, modes=modes, assumptions=assumptions).matrix(level=level)
