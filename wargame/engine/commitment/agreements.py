"""Signed agreements, the obligations they create, and each party's daily choice to keep or break them.

A party breaks when what it gains by reneging outweighs what it expects to lose: the guarantors'
punishment (their capability to enforce times what they have staked) and its own reputation, weighed
by how much the others trust it. A broken agreement takes back what it granted on the ground.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from wargame.engine import records
from wargame.engine.rules import effects
from wargame.language.schema import GuaranteeSpec

if TYPE_CHECKING:
    from wargame.engine.actors import ActorAgent
    from wargame.engine.bargaining.tables import Table
    from wargame.engine.model import WargameModel

BREAK_RATE = 0.5  # daily chance of breaking per unit of net temptation
MAX_DAILY_BREAK = 0.25
REPUTATION_WEIGHT = 0.15
REPUTATION_RECOVERY = 0.01  # per day kept, back towards 1
REOPEN_AFTER_BREACH = 3  # days before a table whose deal was broken sits again


@dataclass
class Agreement:
    table: str
    offer: int
    levels: dict[str, int]
    labels: dict[str, str]
    signed_day: int
    expires_day: int
    parties: list[str]
    undo: list = field(default_factory=list)
    status: str = "in_force"  # in_force -> completed | broken
    broken_by: str | None = None
    broken_day: int | None = None


TEMPTATION_SCALE = 4.0


def daily_break_chance(gain: float, cost: float) -> float:
    """The chance that a party breaks a deal on a given day: in proportion to how far what it would gain
    exceeds what deters it, capped (`keep_probability` applies the same rule to arrays of offers)."""
    return min(max((gain - cost) * BREAK_RATE, 0.0), MAX_DAILY_BREAK)


def temptation(shortfall, breach_temptation: float):
    """What a party gains by reneging: its shortfall from its best offer, scaled by its temptation to break."""
    return shortfall * breach_temptation * TEMPTATION_SCALE


def deterrence(m: WargameModel, table: Table, party: str, guarantees: list[GuaranteeSpec]) -> float:
    """Expected loss from breaking: guarantors' punishment plus reputation lost with the other parties."""
    punishment = 0.0
    for g in guarantees:
        if party == g.guarantor or party == g.beneficiary:
            continue  # a guarantee protects its beneficiary, never binds it
        guarantor = m.actor(g.guarantor)
        if g.stake + g.signal_paid + REPUTATION_WEIGHT * guarantor.reputation < g.cost:
            continue  # an empty threat: punishing would cost the guarantor more than looking away
        power = guarantor.capabilities["military"]
        punishment += (
            g.enforcement * power * (g.stake + g.signal_paid) * (0.5 + 0.5 * guarantor.reputation)
        )
    trust, others = 0, 0
    for other in table.participants:
        if other.actor_id != party:
            trust += other.trust.get(party, 0.0)
            others += 1
    trust_in_party = trust / max(others, 1)
    reputation = REPUTATION_WEIGHT * m.actor(party).reputation * (1.0 + trust_in_party)
    return punishment + reputation


def keep_terms(
    m: WargameModel, table: Table, observer: ActorAgent
) -> tuple[tuple[int, float, float], ...]:
    """What the observer believes of each other party that might break a deal here: (row, believed
    temptation, deterrence it faces). Empty when it expects every offer to be kept."""
    guarantees = m.guarantees_at(table.id)
    terms = []
    for row, other in enumerate(table.participants):
        if other is observer:
            continue
        believed = observer.beliefs[other.actor_id]["breach_temptation"]
        if believed > 0:
            terms.append((row, believed, m.deterrence_today(table, other.actor_id, guarantees)))
    return tuple(terms)


def keep_probability(space, terms: tuple, days: int, offers) -> np.ndarray | float:
    """For the given offers (an index or an index array): the chance that every other party keeps the deal
    for the whole obligation period, by the same rule `review` applies each day with the true values."""
    if isinstance(offers, int | np.integer):
        return keep_probability_of(space, terms, days, int(offers))
    keep = 1.0
    for row, believed, cost in terms:
        gain = space.shortfall[row, offers] * (believed * TEMPTATION_SCALE)
        # daily_break_chance, offer by offer
        p = np.minimum(np.maximum((gain - cost) * BREAK_RATE, 0.0), MAX_DAILY_BREAK)
        keep = keep * (1.0 - p) ** days
    return keep


def keep_probability_of(space, terms: tuple, days: int, offer: int) -> float:
    """keep_probability of one offer, in plain floats (the same arithmetic, a tenth of numpy's cost)."""
    keep = 1.0
    shortfall = space.shortfall_rows
    for row, believed, cost in terms:
        gain = shortfall[row][offer] * (believed * TEMPTATION_SCALE)
        keep = keep * (1.0 - daily_break_chance(gain, cost)) ** days
    return keep


def sign(m: WargameModel, table: Table, offer: int, day: int) -> Agreement:
    """The offer becomes an agreement: what its levels grant on the ground happens now (and is taken back
    if the agreement is broken)."""
    levels = {
        issue.id: int(table.space.offers[offer, k]) for k, issue in enumerate(table.space.issues)
    }
    agreement = Agreement(
        table=table.id,
        offer=offer,
        levels=levels,
        labels=table.space.describe(offer),
        signed_day=day,
        expires_day=day + table.spec.obligation_days,
        parties=[a.actor_id for a in table.participants],
    )
    for issue_id, level in levels.items():
        spec = m.issues[issue_id].spec
        if spec.levels:
            for eff in spec.levels[level].effects:
                agreement.undo.extend(effects.apply(m, eff, f"agreement:{table.id}"))
    m.agreements.append(agreement)
    m.changed("deals")
    table.status = "agreed"
    m.record(
        records.Signed(
            day, table=table.id, terms=dict(agreement.labels), parties=tuple(agreement.parties)
        )
    )
    return agreement


def impose(m: WargameModel, table: Table, offer: int, by: str, day: int) -> None:
    """Terms forced on the others when talks freeze or fail: what their levels do on the ground happens,
    with no agreement to keep or break (nothing is signed)."""
    for k, issue in enumerate(table.space.issues):
        spec = m.issues[issue.id].spec
        if spec.levels:
            for eff in spec.levels[int(table.space.offers[offer, k])].effects:
                effects.apply(m, eff, f"imposed:{table.id}")
    table.status = "imposed"
    m.record(records.Imposed(day, table=table.id, by=by, terms=table.space.describe(offer)))


def impose_if_forced(m: WargameModel, table: Table, day: int) -> None:
    """When talks stall or end, an enforcer that can and will force its terms does so (Table.disagreement)."""
    if table.status_quo is None or m.agreement_in_force(table.id) is not None:
        return
    offer, forced_by = table.disagreement(m)
    if forced_by is not None:
        impose(m, table, offer, forced_by, day)


STANDING = ("in_force", "completed")  # an agreement that stands: in force, or carried out


def standing_agreement(m: WargameModel, table_id: str) -> Agreement | None:
    """The latest agreement of a table that stands, if any."""
    for a in reversed(m.agreements):
        if a.table == table_id and a.status in STANDING:
            return a
    return None


def agreed_level(m: WargameModel, issue_id: str) -> int | None:
    """The level of an issue in the latest agreement that stands and settles it, if any."""
    for a in reversed(m.agreements):
        if a.status in STANDING and issue_id in a.levels:
            return a.levels[issue_id]
    return None


def deal_between(m: WargameModel, a: str, b: str) -> bool:
    return any(ag.status in STANDING and a in ag.parties and b in ag.parties for ag in m.agreements)


def review(m: WargameModel, day: int) -> None:
    """Each party to each agreement in force keeps or breaks it today (agreements in signing order)."""
    for actor in m.actor_list:
        if actor.reputation < 1.0:
            actor.set_reputation(min(1.0, actor.reputation + REPUTATION_RECOVERY))
    for agreement in list(m.agreements):
        if agreement.status != "in_force":
            continue
        if day > agreement.expires_day:
            agreement.status = "completed"
            m.changed("deals")
            m.record(records.Completed(day, table=agreement.table))
            continue
        table = m.tables[agreement.table]
        guarantees = m.guarantees_at(agreement.table)
        for party in agreement.parties:
            gain, cost, p_break = m.break_chance_today(table, agreement, party)
            if p_break > 0 and m.rng.random() < p_break:
                breach(m, table, agreement, party, day, gain, cost, guarantees)
                break


def break_chance(
    m: WargameModel, table: Table, agreement: Agreement, party: str
) -> tuple[float, float, float]:
    """(gain from breaking, deterrence, daily chance of breaking) for one party to an agreement."""
    shortfall = table.space.shortfall_rows[table.row(party)][agreement.offer]
    gain = float(temptation(shortfall, m.actor(party).private["breach_temptation"]))
    cost = m.deterrence_today(table, party, m.guarantees_at(table.id))
    return gain, cost, daily_break_chance(gain, cost)


def breach(
    m,
    table,
    agreement: Agreement,
    party: str,
    day: int,
    gain: float,
    cost: float,
    guarantees,
    forced_because: str | None = None,
) -> None:
    """`party` breaks the agreement: by its own reckoning (what breaking gains it against what it expects
    to lose), or `forced_because` a person made it (an override), told as such with the person's reason."""
    agreement.status = "broken"
    agreement.broken_by = party
    agreement.broken_day = day
    m.changed("deals")
    effects.undo(m, agreement.undo)
    breaker = m.actor(party)
    breaker.set_reputation(max(0.0, breaker.reputation - 0.3))
    for other in agreement.parties:
        if other == party:
            continue
        observer = m.actor(other)
        observer.shift_trust(party, -0.4)
        belief = observer.beliefs[party]
        belief["breach_temptation"] = min(1.0, belief["breach_temptation"] + 0.2)
        m.changed("standing")
    m.record(
        records.Breach(
            day,
            table=table.id,
            by=party,
            gain=gain,
            cost=cost,
            withdrawn=len(agreement.undo),
            others=tuple(p for p in agreement.parties if p != party),
            reopens=day + REOPEN_AFTER_BREACH if _talks_go_on(table, day) else None,
            forced=forced_because is not None,
            reason=forced_because,
        )
    )
    for g in guarantees:
        if party in (g.guarantor, g.beneficiary):
            continue
        guarantor = m.actor(g.guarantor)
        # The guarantor punishes when what it would lose by looking away (its stake, the signal it paid and
        # its reputation) outweighs what punishing costs it; then it succeeds with its enforcement capability.
        willing = g.stake + g.signal_paid + REPUTATION_WEIGHT * guarantor.reputation >= g.cost
        if willing and m.rng.random() < g.enforcement:
            breaker.shift("military", -0.1 * g.enforcement)
            breaker.shift_trust(g.guarantor, -0.2)
            guarantor.shift("economic", -g.cost)
            m.record(records.Enforced(day, guarantee=g.id, guarantor=g.guarantor, against=party))
        else:
            guarantor.set_reputation(max(0.0, guarantor.reputation - g.stake))
            m.actor(g.beneficiary).shift_trust(g.guarantor, -0.3)
            m.record(records.Unenforced(day, guarantee=g.id, guarantor=g.guarantor, against=party))
    if not _talks_go_on(table, day):
        table.status = "failed"  # past a hard deadline: the talks are over, and someone may impose
        m.record(records.TalksFailed(day, table=table.id))
        impose_if_forced(m, table, day)
    else:
        table.status = "waiting"  # talks resume after a cooling-off period
        table.reopens = day + REOPEN_AFTER_BREACH


def _talks_go_on(table: Table, day: int) -> bool:
    """After a breach the talks resume unless a hard deadline has passed."""
    return not (table.spec.hard_deadline and day > table.deadline)
