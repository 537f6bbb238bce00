"""The ground: sites with garrisons, the road network and who holds each segment, air routes and overflight.

Everything here is plain mutable state the model owns, so a run can be saved and restored by value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx

from wargame.language.schema import AircraftSpec, AirRouteSpec, RoadSpec, ScenarioSpec, SiteSpec

BASE_KINDS = ("air_base", "naval_base")
# What is left of a road's risk for a column its holder has agreed to let pass: spoilers, cells the holder
# does not control, accidents (an estimate).
SAFE_CONDUCT_RISK = 0.25
# What a load delivered to a third country is worth beside the same load home, where a scenario does not
# say (the language's default: people and equipment are wanted home first).
THIRD_COUNTRY_VALUE = 0.5


@dataclass(slots=True)
class Site:
    id: str
    name: str
    kind: str
    lat: float
    lon: float
    personnel: int  # garrison staying put
    equipment_t: float
    garrison: str | None
    controller: str | None
    besieged_by: str | None
    supply_left: int
    airfield: bool
    exit: bool
    waiting: int = 0  # evacuees here waiting for a lift or a convoy
    waiting_t: float = 0.0
    withdrawing: bool = False
    surrendered: bool = False  # its garrison gave up to the besiegers
    # outpost (to leave when not worth its risk) | hub | base: the owner's choice
    role: str = "outpost"
    role_by_terms: bool = False  # a signed or imposed term set the role: the owner does not undo it
    value: float = (
        0.0  # what holding it is worth to its garrison's owner (drawn where a prior gives it)
    )
    port: bool = False
    # a base whose owner decides when to draw down to its residual garrison (surplus_value given): the
    # residual and what keeping the rest is worth; None once drawn down, or where there is no choice
    residual: int | None = None
    residual_t: float | None = None
    surplus_value: float | None = None

    @classmethod
    def from_spec(cls, s: SiteSpec) -> Site:
        """The site as the scenario sets it; a count given as a prior is its mean until the run draws it
        (WargameModel.__init__ calls `place` with the draw)."""
        personnel, tonnes = (
            v if isinstance(v, float | int) else v.mean() for v in (s.personnel, s.equipment_t)
        )
        site = cls(
            s.id,
            s.name,
            s.kind,
            s.lat,
            s.lon,
            int(round(personnel)),
            tonnes,
            s.garrison,
            s.controller,
            s.besieged_by,
            s.supply_days,
            s.airfield,
            s.exit,
            role=s.role or ("base" if s.kind in BASE_KINDS else "outpost"),
            value=s.value if isinstance(s.value, float | int) else s.value.mean(),
            port=s.port,
        )
        if s.surplus_value is not None and (s.residual is not None or s.residual_t is not None):
            # The owner chooses when to draw down to the residual (garrisons.review_bases).
            site.residual, site.residual_t = s.residual, s.residual_t
            site.surplus_value = (
                s.surplus_value
                if isinstance(s.surplus_value, float | int)
                else s.surplus_value.mean()
            )
            return site
        site.place(s, site.personnel, site.equipment_t)
        return site

    def place(self, s: SiteSpec, personnel: int, equipment_t: float) -> None:
        """Its people and equipment at the start. A base's residual garrison stays (unless its owner
        chooses when to draw down to it); the rest of its people and equipment wait to be lifted out."""
        self.personnel, self.equipment_t, self.waiting, self.waiting_t = (
            personnel,
            equipment_t,
            0,
            0.0,
        )
        if self.surplus_value is not None:
            return
        if s.residual is not None and s.residual < personnel:
            self.personnel, self.waiting = s.residual, personnel - s.residual
        if s.residual_t is not None and s.residual_t < equipment_t:
            self.equipment_t, self.waiting_t = s.residual_t, equipment_t - s.residual_t

    @property
    def is_base(self) -> bool:
        return self.kind in BASE_KINDS


@dataclass(slots=True)
class Road:
    id: str
    a: str
    b: str
    km: float
    holder: str
    risk: float
    open: bool = True  # a shut road is on no route (a column already on it goes on)
    capacity: int | None = None  # the most people that can pass along it in a day

    @classmethod
    def from_spec(cls, r: RoadSpec) -> Road:
        return cls(r.id, r.from_, r.to, r.km, r.held_by, r.base_risk, r.open, r.capacity_per_day)

    def __setstate__(self, state) -> None:
        # a run saved before roads could be shut or limited: its roads are open, with no limit
        self.open, self.capacity = True, None
        for name, value in (state[1] if isinstance(state, tuple) else state).items():
            setattr(self, name, value)


@dataclass(slots=True)
class AirRoute:
    id: str
    origin: str
    destination: str
    km: float
    grants: dict[str, bool]
    mode: str = "air"  # air | sea
    leads_to: str = "home"  # home | third_country
    # what a full load of people / of equipment delivered there is worth to the operator (drawn per run
    # where the scenario gives a prior)
    value_personnel: float = 1.0
    value_equipment: float = 1.0

    @classmethod
    def from_spec(cls, r: AirRouteSpec) -> AirRoute:
        grants = {g.by: g.open for g in r.overflight}
        default = 1.0 if r.destination == "home" else THIRD_COUNTRY_VALUE
        people = equipment = default
        if r.value is not None:
            people, equipment = (
                v if isinstance(v, float | int) else v.mean()
                for v in (r.value.personnel, r.value.equipment)
            )
        return cls(r.id, r.from_, r.to, r.km, grants, r.mode, r.destination, people, equipment)

    @property
    def usable(self) -> bool:
        return all(self.grants.values())


@dataclass(slots=True)
class Fleet:
    type: str
    operator: str
    count: int
    payload_personnel: int
    payload_t: float
    sorties_per_day: dict[str, float]
    mode: str = "air"  # aircraft, or ships on sea lanes
    # when each craft now away on a trip is back (a day and a fraction of it); the others are home
    away: list[float] = field(default_factory=list)

    @classmethod
    def from_spec(cls, a: AircraftSpec) -> Fleet:
        return cls(
            a.type,
            a.operator,
            a.count,
            a.payload_personnel,
            a.payload_t,
            dict(a.sorties_per_day),
            a.mode,
        )


class Routes:
    """The safest way out from each site, as routes_out found them: `get(site)` gives (destination, road
    ids, chance of at least one attack, km), or None where no road leads out. Each is put together from
    the search's paths the first time it is asked for."""

    def __init__(self, paths: dict, targets, risk: dict, between: dict, roads: dict) -> None:
        self.paths = paths  # networkx's path from a target to each site it reaches
        self.targets = targets
        self.risk = risk  # road id -> chance of an attack on it
        self.between = between  # (site, site) -> road ids joining them
        self.roads = roads
        self.found: dict[str, tuple | None] = {}
        self.safest: dict[tuple[str, str], str] = {}

    def get(self, origin: str) -> tuple | None:
        if origin in self.found:
            return self.found[origin]
        path = self.paths.get(origin)
        route = None
        if path is not None and origin not in self.targets:
            risk, safest = self.risk, self.safest
            nodes = path[::-1]
            roads, survive, km = [], 1.0, 0.0
            for u, v in zip(nodes, nodes[1:], strict=False):
                road = safest.get((u, v))
                if road is None:
                    road = safest[u, v] = min(self.between[u, v], key=lambda k: (risk[k], k))
                roads.append(road)
                survive *= 1.0 - risk[road]
                km += self.roads[road].km
            route = (nodes[-1], roads, 1.0 - survive, km)
        self.found[origin] = route
        return route


@dataclass
class Ground:
    sites: dict[str, Site]
    roads: dict[str, Road]
    air_routes: dict[str, AirRoute]
    fleets: dict[str, Fleet]
    graph: nx.MultiGraph = field(repr=False)
    _routes: dict = field(default_factory=dict, repr=False)
    _between: dict = field(default_factory=dict, repr=False)
    # Bumped by the model's one door whenever roads, air routes or aircraft change (WargameModel.changed).
    road_revision: int = 0
    # Quiet local arrangements: (road, mover) -> (the holder who agreed, the last day it lets the mover's
    # columns pass). An arrangement binds only the holder who made it.
    safe_conduct: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    # Whether any road limits how many can pass along it a day; and, where one does, the people booked
    # onto each such road for each day (road, day) -> people (logistics.dispatch_convoys).
    limited: bool = False
    booked: dict[tuple[str, int], int] = field(default_factory=dict)

    def __getstate__(self) -> dict:  # a saved run keeps the ground, not what was worked out from it
        state = self.__dict__.copy()
        state["_routes"], state["_between"] = {}, {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({"booked": {}, **state})  # (a run saved before roads had limits)

    @staticmethod
    def road_graph(spec: ScenarioSpec) -> nx.MultiGraph:
        """Sites joined by roads (keyed by road id). Never changed by a run, so runs may share one."""
        graph = nx.MultiGraph()
        graph.add_nodes_from(s.id for s in spec.sites)
        for r in spec.roads:
            graph.add_edge(r.from_, r.to, key=r.id)
        return graph

    @classmethod
    def from_spec(cls, spec: ScenarioSpec, graph: nx.MultiGraph | None = None) -> Ground:
        sites = {s.id: Site.from_spec(s) for s in spec.sites}
        roads = {r.id: Road.from_spec(r) for r in spec.roads}
        if graph is None:
            graph = cls.road_graph(spec)
        return cls(
            sites=sites,
            roads=roads,
            air_routes={r.id: AirRoute.from_spec(r) for r in spec.air_routes},
            fleets={a.type: Fleet.from_spec(a) for a in spec.aircraft},
            graph=graph,
            limited=any(r.capacity is not None for r in roads.values()),
        )

    def segment_risk(self, road: Road, mover: str, hostile: dict[str, float]) -> float:
        """Chance a convoy of `mover` is attacked on this segment: none on its own ground."""
        if road.holder == mover:
            return 0.0
        risk = min(1.0, road.risk * hostile.get(road.holder, 1.0))
        arranged = self.safe_conduct.get((road.id, mover))
        if arranged is not None and arranged[0] == road.holder:
            risk *= SAFE_CONDUCT_RISK
        return risk

    def routes_out(self, targets: frozenset[str], mover: str, hostile: dict[str, float]) -> Routes:
        """For every site that can reach one of `targets`: (destination, road ids, chance of at least one
        attack, km) along the safest way there, on open roads only. One multi-source Dijkstra (networkx)
        from the targets, remembered until the roads (open or shut), their holders or the holders'
        hostility change."""
        key = (targets, mover, self.road_revision, tuple(sorted(hostile.items())))
        cached = self._routes.get(key)
        if cached is not None:
            return cached
        risk, weight = {}, {}
        for r in self.roads.values():
            if r.open:
                risk[r.id] = p = self.segment_risk(r, mover, hostile)
                weight[r.id] = -math.log1p(-min(p, 0.999999)) + 1e-6 * r.km
            else:  # shut: never the safest road between its two sites, and no way at all alone
                risk[r.id] = weight[r.id] = math.inf

        if not self._between:  # the road ids joining each pair of sites, read once from the graph
            for u, near in self.graph.adj.items():
                for v, keys in near.items():
                    self._between[u, v] = tuple(keys)
        # the safest of the open roads between each pair of sites, worked out once for the search (a
        # pair joined by shut roads alone is left out: the search does not cross it)
        safest = {}
        for pair, keys in self._between.items():
            w = weight[keys[0]] if len(keys) == 1 else min(weight[k] for k in keys)
            if w < math.inf:
                safest[pair] = w

        def hop(u, v, _roads) -> float | None:
            return safest.get((u, v))  # None hides the pair from networkx's search

        paths = {}
        if targets:
            _, paths = nx.multi_source_dijkstra(self.graph, sorted(targets), weight=hop)
        out = Routes(paths, targets, risk, self._between, self.roads)
        if len(self._routes) > 256:
            self._routes.clear()
        self._routes[key] = out
        return out
