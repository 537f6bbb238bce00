"""The wargame as a Mesa model: one step is one day of the crisis.

A day runs in this order (documented in the README):
  1. events      - the deck in scenario order; each whose conditions hold fires with its daily hazard;
  2. bargaining  - each open table in scenario order plays one round (proposal, answers, maybe a deal);
  3. unilateral  - sieges run down, convoys arrive, new convoys leave, aircraft fly (evacuating actors);
  4. compliance  - each party to each agreement in force keeps or breaks it;
  5. milestones  - each milestone whose conditions first hold is recorded with the day.
At the horizon the first outcome whose conditions hold names the ending.
"""

from __future__ import annotations

import datetime as dt
import pickle
import random
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from wargame.engine.actors import ActorAgent
from wargame.engine.bargaining.agenda import Issue
from wargame.engine.bargaining.tables import Table
from wargame.engine.commitment import agreements as compliance
from wargame.engine.commitment.agreements import Agreement
from wargame.engine.ground import logistics
from wargame.engine.ground.geography import Ground
from wargame.engine.outcomes import RunResult, actor_utilities
from wargame.engine.rules import effects
from wargame.engine.rules.conditions import compile_conditions
from wargame.engine.scenarios import resolve_scenario
from wargame.language.scenario import Scenario


class DailyFigures(mesa.DataCollector):
    """Mesa's DataCollector for the model's daily figures, with a collect that reads them directly
    (Mesa's generic collect copies every value defensively: ten times the cost for five integers)."""

    FIGURES = ("day", "present", "evacuated", "lost", "agreements_in_force")

    def __init__(self) -> None:
        super().__init__(model_reporters={name: name for name in self.FIGURES})

    def collect(self, model: WargameModel) -> None:
        self._collection_steps.append(model.time)
        values = self.model_vars
        values["day"].append(model.day)
        values["present"].append(model.present)
        values["evacuated"].append(model.evacuated)
        values["lost"].append(model.lost)
        values["agreements_in_force"].append(model.agreements_in_force)


class WargameModel(mesa.Model):
    """One run of a scenario. `rng` seeds everything; `overrides` are --set style {path: value}."""

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        rng: Any = None,
        overrides: dict | None = None,
        days: int | None = None,
        narrate: bool = True,
    ) -> None:
        super().__init__(rng=rng)
        self.seed = rng if isinstance(rng, int | np.integer) else None
        self.situation = resolve_scenario(scenario, overrides)
        spec = self.situation.spec
        self.horizon = int(days or spec.horizon_days)
        self.start_date: dt.date = spec.start_date
        self.narrate = narrate
        self.records: list[tuple[int, str, dict]] = []
        self.day = 0

        self.issues, self._events, self._milestones, self._outcomes = self.compiled()
        self._live_events = list(self._events)
        self.actor_list = [ActorAgent(self, profile) for profile in self.situation.actors]
        self._actors = {a.actor_id: a for a in self.actor_list}
        for a in self.actor_list:
            a.init_beliefs(self.actor_list)
        self.evacuators = [a for a in self.actor_list if a.profile.evacuates]

        self.ground = Ground.from_spec(spec, self._shared("road_graph", Ground.road_graph))
        evacuating = {a.actor_id for a in self.evacuators}
        for site in self.ground.sites.values():
            if site.garrison in evacuating and not site.is_base:
                site.waiting, site.personnel = (
                    site.personnel,
                    0,
                )  # interior garrisons are all to come out
                site.waiting_t, site.equipment_t = site.equipment_t, 0.0
        self.initial_personnel = sum(s.personnel + s.waiting for s in self.ground.sites.values())
        self.initial_t = sum(s.equipment_t + s.waiting_t for s in self.ground.sites.values())

        self.tables = {
            t.id: Table.build(
                t, self._actors, self.issues, self.horizon, self.situation.offer_spaces
            )
            for t in spec.tables
        }
        self.agreements: list[Agreement] = []
        # answers read from the agreements (see deals_changed)
        self._deals: dict[tuple, object] = {}
        self.convoys: list[logistics.Convoy] = []
        self.occurrences: dict[str, int] = {}
        self.milestones: dict[str, int] = {}
        self.fired: set[str] = set()
        self.evacuated = self.lost = self.captured = 0
        self.evacuated_t = self.lost_t = 0.0
        self.outcome: str | None = None
        self._reservations: dict[tuple[str, str], float] = {}
        self._deterrence: dict[tuple[str, str], float] = {}
        self._keep_terms: dict[tuple[str, str], tuple] = {}
        self._break_chances: dict[tuple, tuple[float, float, float]] = {}
        self.refusals: set[tuple[str, str]] = set()  # (actor, table) forced to refuse everything
        self.inbox: dict[
            tuple[str, str, int, str], object
        ] = {}  # moves queued for seats played from outside
        self._guarantees = {
            t.id: [g for g in spec.guarantees if g.table == t.id] for t in spec.tables
        }
        self._safety: dict[str, float] = {}
        self._ways_out: dict[str, logistics.WayOut] = {}

        self.datacollector = DailyFigures()
        self.datacollector.collect(self)

    def _shared(self, name: str, make):
        """Something made from the scenario alone, made once and shared by all its runs."""
        cache = self.situation.compiled
        if name not in cache:
            cache[name] = make(self.situation.spec)
        return cache[name]

    def compiled(self) -> tuple:
        """The scenario's issues and its events, milestones and outcomes with their conditions read into
        tests: made once per scenario and shared by its runs (none of it changes during a run)."""

        def deck(spec) -> tuple:
            issues = {i.id: Issue.from_spec(i) for i in spec.issues}
            return (
                issues,
                *(
                    tuple((item, compile_conditions(item.when, issues)) for item in items)
                    for items in (spec.events, spec.milestones, spec.outcomes)
                ),
            )

        return self._shared("deck", deck)

    # ------------------------------------------------------------ the day

    def step(self) -> None:
        """One day (Mesa's step: `model.step()` advances Mesa's clock and plays the day)."""
        if self.running:
            self._play_day()

    def run(self, until: int | None = None) -> RunResult:
        """Play the days up to `until` (default: the end of the run) and return the result so far.

        The days are played directly rather than through Mesa's event list (whose bookkeeping costs more
        than a quiet day does); Mesa's step counter and clock advance exactly as `step()` would move them."""
        last = self.horizon if until is None else min(int(until), self.horizon)
        schedule = self._default_schedule
        schedule.pause()
        try:
            while self.running and self.day < last:
                self.steps += 1
                self.time += 1
                self._play_day()
        finally:
            schedule.resume()
        return self.result()

    def _play_day(self) -> None:
        self.day += 1
        day = self.day
        self.forget()
        self._play_events(day)
        self.forget()
        for table in self.tables.values():
            self._bargain(table, day)
        logistics.run_sieges(self, day)
        logistics.arrive_convoys(self, day)
        for agent in self.evacuators:
            logistics.dispatch_convoys(self, agent, day)
            logistics.fly_airlift(self, agent.actor_id, day)
        self.forget()
        compliance.review(self, day)
        self._check_milestones(day)
        self.datacollector.collect(self)
        if day >= self.horizon:
            self._finish()

    def _play_events(self, day: int) -> None:
        live = []  # the deck from tomorrow on: without events fired once and events past their days
        for event, test in self._live_events:
            if day > test.last_day or (event.once and event.id in self.fired):
                continue
            live.append((event, test))
            if day < test.first_day or (test.checks and not test.holds(self)):
                continue
            if self.rng.random() >= event.hazard:
                continue
            self.fired.add(event.id)
            self.record_occurrence(event.id)
            self.log(day, "event", event=event.id, text=event.narrative)
            for eff in event.effects:
                effects.apply(self, eff, event.id)
        self._live_events = live

    def _bargain(self, table: Table, day: int) -> None:
        if table.status == "waiting":
            if day < max(table.spec.opens_day, table.reopens):
                return
            table.status = "open"
            self.log(day, "opened", table=table.id)
        if table.status != "open":
            return
        if day > table.deadline:
            table.status = "failed"
            self.record_occurrence(f"talks_failed_{table.id}")
            self.log(day, "failed", table=table.id)
            return
        rnd = table.play_round(self, day)
        if self.narrate:
            self._narrate_round(table, rnd, day)
        if rnd.passed:
            self.sign(table, rnd.offer, day)

    def _narrate_round(self, table: Table, rnd, day: int) -> None:
        self.log(
            day,
            "round",
            table=table.id,
            proposer=rnd.proposer,
            offer=table.space.describe(rnd.offer),
            answers=rnd.answers,
            passed=rnd.passed,
            reasons=dict(table.reasons),
            reservations={a.actor_id: self.reservation(a, table) for a in table.participants},
        )
        # Observers who drew the same lesson are told in one line.
        lessons: dict[tuple, list[str]] = {}
        for observer, about, old, new in rnd.belief_shifts:
            lessons.setdefault((about, round(old, 2), round(new, 2)), []).append(observer)
        for (about, old, new), observers in lessons.items():
            self.log(
                day, "belief", observers=observers, about=about, table=table.id, old=old, new=new
            )

    def _check_milestones(self, day: int) -> None:
        reached = self.milestones
        for m, test in self._milestones:
            if m.id in reached or day < test.first_day or day > test.last_day:
                continue
            if test.holds(self):
                self.milestones[m.id] = day
                self.log(day, "milestone", milestone=m.id, label=m.label)

    def _finish(self) -> None:
        self.running = False
        for outcome, test in self._outcomes:
            if test.holds(self):
                self.outcome = outcome.id
                break
        self.log(self.day, "ending", outcome=self.outcome)

    # ------------------------------------------------------------ bargaining support

    def reservation(self, agent: ActorAgent, table: Table) -> float:
        """The actor's outside option at this table today, from its private value and the ground.

        Every actor's falls as time passes, faster the more time pressure it feels and the less
        resolve it has. The evacuating side's also depends on how safely it could get its people
        out alone: the riskier the roads and the more people besieged, the lower.
        """
        key = (agent.actor_id, table.id)
        cached = self._reservations.get(key)
        if cached is not None:
            return cached
        base = agent.private["reservation"] + agent.outside_option_shift
        if table.no_deal_offer is not None:
            # The outside option is the no-deal outcome imposed by force, less its cost, which grows with the
            # military capability of the others at the table (Fearon 1995: war's costs bound the bargain).
            row = table.row(agent.actor_id)
            others = [a.capabilities["military"] for a in table.participants if a is not agent]
            cost = table.spec.no_deal_cost.get(agent.actor_id, 0.0) * (
                sum(others) / max(len(others), 1)
            )
            base += (
                float(table.space.utility[row, table.no_deal_offer])
                - cost
                - agent.profile.outside_option
            )
        progress = self.day / self.horizon
        wear = (1.0 - agent.resolve) * agent.time_pressure * progress
        if agent.profile.evacuates and table.moves_people:
            value = base * (0.5 + 0.5 * self.unilateral_safety(agent)) - wear
        else:
            value = base - 0.5 * wear
        value = min(max(value, 0.0), 1.0)
        self._reservations[key] = value
        return value

    def unilateral_safety(self, agent: ActorAgent) -> float:
        """Share of the evacuating side's stranded people who could get out today without a deal, risk-weighted
        (worked out once a day: it is read by every table the side sits at)."""
        return self._remembered(self._safety, agent.actor_id, self._unilateral_safety, agent)

    def _unilateral_safety(self, agent: ActorAgent) -> float:
        owner = agent.actor_id
        stranded = [s for s in self.ground.sites.values() if s.waiting and s.garrison == owner]
        if not stranded:
            return 1.0
        view = self.way_out_today(owner)
        stranded = [s for s in stranded if s.id not in view.targets]
        if not stranded:
            return 1.0
        routes = view.routes
        total = safe = 0.0
        for site in stranded:
            total += site.waiting
            if site.besieged_by is not None:
                continue
            route = routes.get(site.id)
            if route is not None:
                safe += site.waiting * (1.0 - route[2])
        return safe / total

    def sign(self, table: Table, offer: int, day: int) -> Agreement:
        levels = {
            issue.id: int(table.space.offers[offer, k])
            for k, issue in enumerate(table.space.issues)
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
            spec = self.issues[issue_id].spec
            if spec.levels:
                for eff in spec.levels[level].effects:
                    agreement.undo.extend(effects.apply(self, eff, f"agreement:{table.id}"))
        self.agreements.append(agreement)
        self.deals_changed()
        self.forget()
        table.status = "agreed"
        self.record_occurrence("agreement_signed")
        self.log(day, "signed", table=table.id, terms=agreement.labels)
        return agreement

    # ------------------------------------------------------------ remembered values
    # Each is worked out by a function of its module, remembered here, and forgotten when what it reads
    # may have changed.

    @staticmethod
    def _remembered(store: dict, key, work_out, *args):
        value = store.get(key)
        if value is None:
            value = store[key] = work_out(*args)
        return value

    def forget(self) -> None:
        """Drop the remembered outside options, safety and ways out: the world they were read from has
        changed (a new day, a phase of the day done, a deal signed or broken)."""
        self._reservations.clear()
        self._safety.clear()
        self._ways_out.clear()

    def standing_changed(self) -> None:
        """Drop what was read from the actors' standing: someone's trust, reputation, capabilities or
        belief about a breach changed (the actors' methods that change them call this)."""
        self._deterrence.clear()
        self._keep_terms.clear()
        self._break_chances.clear()
        self._ways_out.clear()  # hostility on the roads follows trust

    def forget_all(self) -> None:
        """Drop every remembered value. The engine changes the world through effects and the actors'
        methods, which say what they changed; whoever edits the state directly (a notebook, an
        instructor's console) calls this afterwards, so that the next day reads the world afresh."""
        self.forget()
        self.standing_changed()
        self.deals_changed()
        self.ground.road_revision += 1

    def deterrence_today(self, table: Table, party: str, guarantees) -> float:
        """agreements.deterrence, remembered until an actor's standing changes."""
        return self._remembered(
            self._deterrence,
            (table.id, party),
            compliance.deterrence,
            self,
            table,
            party,
            guarantees,
        )

    def keep_terms_today(self, table: Table, observer: ActorAgent) -> tuple:
        """agreements.keep_terms, remembered until an actor's standing changes."""
        return self._remembered(
            self._keep_terms,
            (table.id, observer.actor_id),
            compliance.keep_terms,
            self,
            table,
            observer,
        )

    def break_chance_today(self, table: Table, agreement: Agreement, party: str) -> tuple:
        """agreements.break_chance, remembered until an actor's standing changes (the gain from breaking
        is fixed by the terms; only the deterrence moves)."""
        key = (table.id, agreement.signed_day, party)
        return self._remembered(
            self._break_chances, key, compliance.break_chance, self, table, agreement, party
        )

    def way_out_today(self, owner: str) -> logistics.WayOut:
        """logistics.way_out, remembered for a phase of the day, or until trust changes."""
        return self._remembered(self._ways_out, owner, logistics.way_out, self, owner)

    def guarantees_at(self, table_id: str):
        return self._guarantees[table_id]

    # ------------------------------------------------------------ seats played from outside

    def submit_offer(
        self, actor_id: str, table_id: str, terms: dict, day: int | None = None
    ) -> None:
        """Queue the offer a seat makes at a table on a day (default: the next day to be played)."""
        self._check_seat(actor_id, table_id)
        self.tables[table_id].space.offer_of(terms)  # refuse terms that are not an offer now
        self.inbox[(actor_id, table_id, day or self.day + 1, "offer")] = dict(terms)

    def submit_answer(
        self, actor_id: str, table_id: str, accept: bool, day: int | None = None
    ) -> None:
        """Queue a seat's yes or no to whatever is put to it at a table on a day (default: the next day)."""
        self._check_seat(actor_id, table_id)
        self.inbox[(actor_id, table_id, day or self.day + 1, "answer")] = bool(accept)

    def _check_seat(self, actor_id: str, table_id: str) -> None:
        if table_id not in self.tables:
            raise ValueError(f"no table '{table_id}' (tables: {', '.join(self.tables)})")
        if actor_id not in [a.actor_id for a in self.tables[table_id].participants]:
            raise ValueError(f"'{actor_id}' does not sit at the '{table_id}' table")

    def deals_changed(self) -> None:
        """An agreement was signed, completed or broken: forget the answers read from the list."""
        self._deals.clear()

    def agreement_in_force(self, table_id: str) -> Agreement | None:
        """The latest agreement of a table that stands (in force, or completed), if any."""
        key = ("table", table_id)
        deals = self._deals
        if key in deals:
            return deals[key]
        found = None
        for a in reversed(self.agreements):
            if a.table == table_id and a.status in ("in_force", "completed"):
                found = a
                break
        deals[key] = found
        return found

    def agreed_level(self, issue_id: str) -> int | None:
        key = ("level", issue_id)
        deals = self._deals
        if key in deals:
            return deals[key]
        found = None
        for a in reversed(self.agreements):
            if a.status in ("in_force", "completed") and issue_id in a.levels:
                found = a.levels[issue_id]
                break
        deals[key] = found
        return found

    def has_deal_between(self, a: str | None, b: str | None) -> bool:
        if a is None or b is None:
            return False
        key = ("pair", a, b)
        deals = self._deals
        if key not in deals:
            deals[key] = any(
                ag.status in ("in_force", "completed") and a in ag.parties and b in ag.parties
                for ag in self.agreements
            )
        return deals[key]

    # ------------------------------------------------------------ the ground

    def actor(self, actor_id: str) -> ActorAgent:
        return self._actors[actor_id]

    @property
    def present(self) -> int:
        """Personnel still in the country: at the sites (staying or waiting) and on the roads."""
        total = 0
        for s in self.ground.sites.values():
            total += s.personnel + s.waiting
        for c in self.convoys:
            total += c.personnel
        return total

    @property
    def agreements_in_force(self) -> int:
        return sum(1 for a in self.agreements if a.status == "in_force")

    def interior_cleared(self) -> bool:
        if self.convoys:
            return False
        for s in self.ground.interior:  # noqa: SIM110 - a loop costs less than all() over a generator
            if s.waiting:
                return False
        return True

    def evacuate(self, personnel: int, tonnes: float) -> None:
        self.evacuated += personnel
        self.evacuated_t += tonnes
        if self.evacuators and personnel and self.present == 0:
            self.record_occurrence("withdrawal_completed")

    def inflict_losses(
        self, site_id: str, personnel: int, tonnes: float, cause: str, captured: bool = False
    ) -> None:
        site = self.ground.sites[site_id]
        from_waiting = min(site.waiting, personnel)
        site.waiting -= from_waiting
        from_garrison = min(site.personnel, personnel - from_waiting)
        site.personnel -= from_garrison
        taken = from_waiting + from_garrison
        t_waiting = min(site.waiting_t, tonnes)
        site.waiting_t -= t_waiting
        t_garrison = min(site.equipment_t, tonnes - t_waiting)
        site.equipment_t -= t_garrison
        self.lost += taken
        self.lost_t += t_waiting + t_garrison
        if captured:
            self.captured += taken
        if taken:
            self.log(
                self.day, "losses", site=site_id, personnel=taken, cause=cause, captured=captured
            )

    def start_withdrawal(self, site_id: str, cause: str) -> None:
        site = self.ground.sites[site_id]
        if site.withdrawing:
            return
        site.withdrawing = True
        site.waiting += site.personnel
        site.waiting_t += site.equipment_t
        site.personnel, site.equipment_t = 0, 0.0
        self.record_occurrence("withdrawal_started")
        self.log(self.day, "withdrawal", site=site_id, cause=cause)

    def record_occurrence(self, name: str) -> None:
        self.occurrences[name] = self.occurrences.get(name, 0) + 1

    def log(self, day: int, kind: str, **data) -> None:
        if self.narrate:
            self.records.append((day, kind, data))

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    # ------------------------------------------------------------ results

    def _weekly(self, name: str) -> list[int]:
        series = self.datacollector.model_vars[name]
        picks = list(range(0, len(series), 7))
        if picks[-1] != len(series) - 1:
            picks.append(len(series) - 1)
        return [int(series[i]) for i in picks]

    # ------------------------------------------------------------ save, restore, fork

    def save_state(self) -> bytes:
        """The whole state of the run, generators included: `load_state` continues it exactly."""
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def load_state(state: bytes) -> WargameModel:
        model = pickle.loads(state)
        if not isinstance(model, WargameModel):
            raise TypeError("not a saved WargameModel state")
        return model

    def reseed(self, seed: int) -> None:
        """Give the rest of the run a new random stream (for many continuations of one saved day)."""
        self.rng = np.random.default_rng(seed)
        self.random = random.Random(seed)

    def force(self, spec: str) -> None:
        """Impose an event or a decision now, for what-if forks. Forms:
        event:ID (fire a scenario event), collapse:TABLE (talks end without a deal),
        refuse:ACTOR:TABLE (the actor says no to everything there from now on),
        breach:TABLE:ACTOR (the actor breaks the agreement in force at that table)."""
        kind, _, rest = spec.partition(":")
        parts = rest.split(":") if rest else []
        if kind == "event" and len(parts) == 1:
            event = next((e for e in self.situation.spec.events if e.id == parts[0]), None)
            if event is None:
                raise ValueError(
                    f"no event '{parts[0]}' (events: {', '.join(e.id for e in self.situation.spec.events)})"
                )
            self.fired.add(event.id)
            self.record_occurrence(event.id)
            self.log(self.day, "event", event=event.id, text=f"(forced) {event.narrative}")
            for eff in event.effects:
                effects.apply(self, eff, event.id)
        elif kind == "collapse" and len(parts) == 1:
            table = self._table(parts[0])
            table.status = "failed"
            self.record_occurrence(f"talks_failed_{table.id}")
            self.log(self.day, "failed", table=table.id)
        elif kind == "refuse" and len(parts) == 2:
            table = self._table(parts[1])
            if parts[0] not in [a.actor_id for a in table.participants]:
                raise ValueError(f"'{parts[0]}' does not sit at the '{table.id}' table")
            self.refusals.add((parts[0], table.id))
        elif kind == "breach" and len(parts) == 2:
            table = self._table(parts[0])
            agreement = self.agreement_in_force(table.id)
            if agreement is None or agreement.status != "in_force":
                raise ValueError(
                    f"no agreement in force at the '{table.id}' table on day {self.day}"
                )
            if parts[1] not in agreement.parties:
                raise ValueError(f"'{parts[1]}' is not a party to the '{table.id}' agreement")
            compliance.breach(
                self, table, agreement, parts[1], self.day, 0.0, 0.0, self.guarantees_at(table.id)
            )
        else:
            raise ValueError(
                f"cannot force '{spec}': expected event:ID, collapse:TABLE, refuse:ACTOR:TABLE or breach:TABLE:ACTOR"
            )

    def _table(self, table_id: str) -> Table:
        if table_id not in self.tables:
            raise ValueError(f"no table '{table_id}' (tables: {', '.join(self.tables)})")
        return self.tables[table_id]

    def result(self) -> RunResult:
        return RunResult(
            scenario=self.situation.id,
            seed=None if self.seed is None else int(self.seed),
            days=self.day,
            outcome=self.outcome,
            outcome_label=next(
                (o.label for o in self.situation.spec.outcomes if o.id == self.outcome), None
            ),
            milestones=[(k, v) for k, v in self.milestones.items()],
            personnel_initial=self.initial_personnel,
            personnel_evacuated=self.evacuated,
            personnel_lost=self.lost,
            personnel_captured=self.captured,
            personnel_present=self.present,
            equipment_initial_t=round(self.initial_t, 3),
            equipment_out_t=round(self.evacuated_t, 3),
            equipment_lost_t=round(self.lost_t, 3),
            agreements=[
                {
                    "table": a.table,
                    "day": a.signed_day,
                    "terms": a.labels,
                    "status": a.status,
                    "broken_by": a.broken_by,
                    "broken_day": a.broken_day,
                }
                for a in self.agreements
            ],
            occurrences=dict(sorted(self.occurrences.items())),
            utilities=actor_utilities(self),
            evacuated_by_week=self._weekly("evacuated"),
            lost_by_week=self._weekly("lost"),
            private={
                a.actor_id: {k: round(v, 6) for k, v in a.private.items()} for a in self.actor_list
            },
        )
