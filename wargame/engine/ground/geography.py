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
        site = cls(
            s.id,
            s.name,
            s.kind,
            s.lat,
            s.lon,
            s.personnel,
            s.equipment_t,
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
        # A base's residual garrison stays; the rest of its people (and equipment) wait to be lifted out.
        if s.residual is not None and s.residual < s.personnel:
            site.personnel, site.waiting = s.residual, s.personnel - s.residual
        if s.residual_t is not None and s.residual_t < s.equipment_t:
            site.equipment_t, site.waiting_t = s.residual_t, s.equipment_t - s.residual_t
        return site

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

    @classmethod
    def from_spec(cls, r: RoadSpec) -> Road:
        return cls(r.id, r.from_, r.to, r.km, r.held_by, r.base_risk)


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

    def __getstate__(self) -> dict:  # a saved run keeps the ground, not what was worked out from it
        state = self.__dict__.copy()
        state["_routes"], state["_between"] = {}, {}
        return state

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
        attack, km) along the safest way there. One multi-source Dijkstra (networkx) from the targets,
        remembered until the roads, their holders or the holders' hostility change."""
        key = (targets, mover, self.road_revision, tuple(sorted(hostile.items())))
        cached = self._routes.get(key)
        if cached is not None:
            return cached
        risk, weight = {}, {}
        for r in self.roads.values():
            risk[r.id] = p = self.segment_risk(r, mover, hostile)
            weight[r.id] = -math.log1p(-min(p, 0.999999)) + 1e-6 * r.km

        if not self._between:  # the road ids joining each pair of sites, read once from the graph
            for u, near in self.graph.adj.items():
                for v, keys in near.items():
                    self._between[u, v] = tuple(keys)
        # the safest of the roads between each pair of sites, worked out once for the search
        safest = {
            pair: weight[keys[0]] if len(keys) == 1 else min(weight[k] for k in keys)
            for pair, keys in self._between.items()
        }

        def hop(u, v, _roads) -> float:
            return safest[u, v]

        paths = {}
        if targets:
            _, paths = nx.multi_source_dijkstra(self.graph, sorted(targets), weight=hop)
        out = Routes(paths, targets, risk, self._between, self.roads)
        if len(self._routes) > 256:
            self._routes.clear()
        self._routes[key] = out
        return out
