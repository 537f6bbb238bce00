"""What a table is about, and whether any of it is left to bargain over.

A table's objects are the things its terms would change that can go away: the sites whose people it would
move (or whose future it decides), the air routes it would open, and the evacuating side's people away from
its bases that its roads and sieges concern. A scenario may name the sites and routes (TableSpec.about);
otherwise they are read from the agenda's effects: a siege, a withdrawal, casualties or a site's role name a
site; an overflight names an air route; a road's risk, holder or opening concerns the people on the
roads. Issues with no effect on the ground (money, recognition, votes) are the currency of a deal, not its
object. A table with no objects (a pure division, a legislature) always has its reason to meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wargame.engine.bargaining.agenda import Issue
    from wargame.engine.bargaining.tables import Table
    from wargame.engine.model import WargameModel
    from wargame.language.schema import TableSpec


@dataclass(frozen=True)
class TableObjects:
    sites: tuple[str, ...] = ()  # there while anyone of a participant's garrison is there
    routes: tuple[str, ...] = ()  # needed while an evacuating participant has anyone left to move
    people: bool = (
        False  # the evacuating participants' people away from their bases, and on the roads
    )

    def __bool__(self) -> bool:
        return bool(self.sites or self.routes or self.people)


def objects_of(spec: TableSpec, agenda: list[Issue]) -> TableObjects | None:
    """The table's objects as the scenario names them, or as its agenda's effects imply; None when it has
    none that can go away."""
    if spec.about is not None:
        found = TableObjects(tuple(spec.about.sites), tuple(spec.about.routes))
        return found or None
    sites: list[str] = []
    routes: list[str] = []
    people = False
    for issue in agenda:
        for level in issue.spec.levels or []:
            for eff in level.effects:
                for named in (eff.siege, eff.withdraw, eff.casualties, eff.site_role):
                    if named is not None and named.site not in sites:
                        sites.append(named.site)
                if eff.overflight is not None and eff.overflight.route not in routes:
                    routes.append(eff.overflight.route)
                people = people or any(
                    e is not None for e in (eff.road_risk, eff.road_holder, eff.road_open)
                )
    found = TableObjects(tuple(sites), tuple(routes), people)
    return found or None


def objects_left(m: WargameModel, table: Table) -> bool:
    """Whether anything the table is about is still there: a named site still holds some of a
    participant's garrison; or an evacuating participant still has people to move (away from its bases or
    on the road, for a table about the roads; waiting anywhere, for a table that opens an air route)."""
    objects = table.objects
    if objects is None:
        return True
    seated = {a.actor_id for a in table.participants}
    for site_id in objects.sites:
        site = m.ground.sites.get(site_id)
        if site is not None and site.garrison in seated and site.personnel + site.waiting > 0:
            return True
    movers = seated & m.evacuating
    if not movers or not (objects.people or objects.routes):
        return False
    if any(c.owner in movers for c in m.convoys):
        return True
    for site in m.ground.sites.values():
        if site.garrison not in movers or site.exit:
            continue
        if site.waiting > 0 and objects.routes:
            return True
        if objects.people and site.role != "base" and site.personnel + site.waiting > 0:
            return True
    return False
