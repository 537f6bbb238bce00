"""Where the people and the equipment are: at the sites (staying or waiting to leave), on the roads, out of
the country, or lost. Every change of these counts goes through here and tells the model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.engine import records

if TYPE_CHECKING:
    from wargame.engine.model import WargameModel


def present(m: WargameModel) -> int:
    """Personnel still in the country: at the sites (staying or waiting) and on the roads."""
    total = 0
    for s in m.ground.sites.values():
        total += s.personnel + s.waiting
    for c in m.convoys:
        total += c.personnel
    return total


def stranded(m: WargameModel, owner: str) -> list:
    """Sites where `owner`'s people wait to leave and cannot simply board an aircraft or cross out:
    the places a convoy (or a deal) must get them out of."""
    return [s for s in m.ground.sites.values() if s.waiting and s.garrison == owner and not s.exit]


def interior_cleared(m: WargameModel) -> bool:
    """No column on the road and nobody of an evacuating side left at an outpost: hubs and bases may
    still hold people (consolidating in a hub is not being stranded)."""
    if m.convoys:
        return False
    for s in m.ground.sites.values():  # noqa: SIM110 - a loop costs less than all() over a generator
        if s.role == "outpost" and (s.waiting or s.personnel) and s.garrison in m.evacuating:
            return False
    return True


def evacuate(m: WargameModel, personnel: int, tonnes: float, destination: str = "home") -> None:
    """People and equipment leave the country, for home or for a third country."""
    count_out(m, personnel, tonnes, destination)
    m.changed("people")
    if personnel:
        check_completed(m)


def count_out(m: WargameModel, personnel: int, tonnes: float, destination: str = "home") -> None:
    """Count people and equipment out of the country, and nothing more: a caller that moves many loads
    at once (the day's airlift) says what changed (`m.changed("people")`) and `check_completed` once
    after the last of them, as `evacuate` does after each."""
    m.evacuated += personnel
    m.evacuated_t += tonnes
    if destination == "third_country":
        m.third_country += personnel
        m.third_country_t += tonnes


def check_completed(m: WargameModel) -> None:
    """The withdrawal is complete once people have left and nobody is left in the country."""
    if m.evacuators and present(m) == 0:
        by = tuple(a.actor_id for a in m.evacuators)
        m.record(records.WithdrawalCompleted(m.day, by=by))


def inflict_losses(
    m: WargameModel, site_id: str, personnel: int, tonnes: float, cause: str, captured: bool = False
) -> None:
    site = m.ground.sites[site_id]
    from_waiting = min(site.waiting, personnel)
    site.waiting -= from_waiting
    from_garrison = min(site.personnel, personnel - from_waiting)
    site.personnel -= from_garrison
    taken = from_waiting + from_garrison
    t_waiting = min(site.waiting_t, tonnes)
    site.waiting_t -= t_waiting
    t_garrison = min(site.equipment_t, tonnes - t_waiting)
    site.equipment_t -= t_garrison
    m.lost += taken
    m.lost_t += t_waiting + t_garrison
    if captured:
        m.captured += taken
    m.changed("people")
    if taken:
        m.record(
            records.Losses(
                m.day,
                owner=site.garrison,
                site=site_id,
                personnel=taken,
                cause=cause,
                captured=captured,
            )
        )


def to_waiting(m: WargameModel, site, personnel: int, tonnes: float) -> None:
    """Of a site's garrison, these people and this equipment stop staying and wait to be taken out."""
    site.personnel -= personnel
    site.equipment_t -= tonnes
    site.waiting += personnel
    site.waiting_t += tonnes
    m.changed("people")


def start_withdrawal(m: WargameModel, site_id: str, cause: str) -> None:
    site = m.ground.sites[site_id]
    if site.withdrawing:
        return
    site.withdrawing = True
    to_waiting(m, site, site.personnel, site.equipment_t)
    m.record(records.WithdrawalStarted(m.day, owner=site.garrison, site=site_id, cause=cause))
