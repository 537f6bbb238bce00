"""The wargame as a Mesa model: one step is one day of the crisis.

A day runs in this order (documented in the README):
  1. events      - the deck in scenario order; each whose conditions hold fires with its daily hazard;
  2. posts       - each evacuating side chooses what each of its sites is: outpost to leave, hub, base;
  3. bargaining  - each table in scenario order holds its talks (a round; or it opens, freezes, thaws);
  4. unilateral  - sieges run down, convoys arrive; each evacuating side arranges safe conduct locally,
                   sends convoys and flies or ships people and equipment out;
  5. compliance  - each party to each agreement in force keeps or breaks it;
  6. milestones  - each milestone whose conditions first hold is recorded with the day.
At the horizon the first outcome whose conditions hold names the ending.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import pickle
import random
from collections.abc import Generator, Iterable
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from wargame.engine import interventions, records
from wargame.engine.actors import ActorAgent
from wargame.engine.bargaining import outside_options, talks
from wargame.engine.bargaining.agenda import Issue
from wargame.engine.bargaining.tables import Table
from wargame.engine.choice import Tastes
from wargame.engine.commitment import agreements as compliance
from wargame.engine.commitment.agreements import Agreement
from wargame.engine.ground import garrisons, logistics, people, safe_conduct
from wargame.engine.ground.geography import Ground
from wargame.engine.memory import Memory
from wargame.engine.outcomes import RunResult, actor_utilities
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

    # The choices taken so far, for the decision audit: (decision, option) -> the first day taken; None
    # (the default) collects nothing. A class attribute, so that a state saved before it existed loads.
    audit: dict[tuple[str, str], int] | None = None

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        rng: Any = None,
        overrides: dict | None = None,
        days: int | None = None,
        narrate: bool = True,
        seats: Iterable[str] = (),
        scheduled: Iterable[tuple[int, str]] = (),
    ) -> None:
        super().__init__(rng=rng)
        # Actors whose moves come from outside (a person or a program, through wargame.session.Game).
        self.seats: set[str] = set(seats)
        self.memory = Memory()
        self.seed = rng if isinstance(rng, int | np.integer) else None
        self.situation = resolve_scenario(scenario, overrides)
        spec = self.situation.spec
        self.horizon = int(days or spec.horizon_days)
        self.start_date: dt.date = spec.start_date
        self.narrate = narrate
        self.records: list[records.Record] = []
        self.in_day = False  # between two days, what happens belongs to the next
        self.day = 0

        self.issues, self._events, self._milestones, self._outcomes = self.compiled()
        self._live_events = list(self._events)
        self.asked_safe_conduct: dict[
            tuple[str, str], int
        ] = {}  # (road or site, mover) -> day asked
        self.actor_list = [ActorAgent(self, profile) for profile in self.situation.actors]
        self._actors = {a.actor_id: a for a in self.actor_list}
        for a in self.actor_list:
            a.init_beliefs(self.actor_list)
        # Each table's signing costs, drawn after the actors' own private values (a scenario without
        # any draws nothing more, so its runs are what they were).
        for t in spec.tables:
            for actor_id, prior in t.signing_costs.items():
                self._actors[actor_id].set_signing_cost(t.id, prior.sample(self.rng))
        # Then each table's alternatives (a scenario that lists none draws nothing more).
        for t in spec.tables:
            for actor_id, listed in t.alternatives.items():
                drawn = outside_options.draw_alternatives(listed, self.rng)
                self._actors[actor_id].alternatives[t.id] = drawn
        self.evacuators = [a for a in self.actor_list if a.profile.evacuates]
        # Events that happen on a given day whatever the dice say (an exercise's injects), fired at the
        # start of that day; no random draw is made for them, so a run without any is what it was.
        self.scheduled: dict[int, list[str]] = {}
        for day, event_id in scheduled:
            interventions.event_by_id(self, event_id)  # refused at once if the scenario lacks it
            self.scheduled.setdefault(int(day), []).append(event_id)

        self.ground = Ground.from_spec(spec, self._shared("road_graph", Ground.road_graph))
        # What each site is worth to its owner, drawn where the scenario gives a prior (site order);
        # and the tastes of the owners' recurring choices (choice.py), drawn as they are first needed.
        for s in spec.sites:
            site = self.ground.sites[s.id]
            if not isinstance(s.value, float | int):
                site.value = s.value.sample(self.rng)
            if site.surplus_value is not None and not isinstance(s.surplus_value, float | int):
                site.surplus_value = s.surplus_value.sample(self.rng)
        # Destinations' worth to their operators and grantors' consent, drawn where the scenario gives a
        # prior or a chance (route order, then grant order; a grantor's consent is drawn once).
        consent: dict[str, bool] = {}
        for r in spec.air_routes:
            route = self.ground.air_routes[r.id]
            if r.value is not None:
                for attr, v in (
                    ("value_personnel", r.value.personnel),
                    ("value_equipment", r.value.equipment),
                ):
                    if not isinstance(v, float | int):
                        setattr(route, attr, v.sample(self.rng))
            for g in r.overflight:
                if g.chance is not None:  # one decision of the grantor's, for all its routes
                    if g.by not in consent:
                        consent[g.by] = bool(self.rng.random() < g.chance)
                    route.grants[g.by] = consent[g.by]
        # How many people and how much equipment are at each site, drawn where the scenario gives a
        # prior (site order, people before equipment): after every other draw, so that a scenario that
        # gives none draws what it drew before.
        for s in spec.sites:
            if isinstance(s.personnel, int) and isinstance(s.equipment_t, float | int):
                continue
            site = self.ground.sites[s.id]
            personnel, tonnes = site.personnel + site.waiting, site.equipment_t + site.waiting_t
            if not isinstance(s.personnel, int):
                personnel = int(round(s.personnel.sample(self.rng)))
            if not isinstance(s.equipment_t, float | int):
                tonnes = s.equipment_t.sample(self.rng)
            site.place(s, personnel, tonnes)
        self.tastes = Tastes()
        self.evacuating = frozenset(a.actor_id for a in self.evacuators)
        self.initial_personnel = sum(s.personnel + s.waiting for s in self.ground.sites.values())
        self.initial_t = sum(s.equipment_t + s.waiting_t for s in self.ground.sites.values())

        self.tables = {
            t.id: Table.build(
                t, self._actors, self.issues, self.horizon, self.situation.offer_spaces
            )
            for t in spec.tables
        }
        self.agreements: list[Agreement] = []
        self.convoys: list[logistics.Convoy] = []
        self.occurrences: dict[str, int] = {}
        self.milestones: dict[str, int] = {}
        self.fired: set[str] = set()
        self.evacuated = self.lost = self.captured = 0
        self.evacuated_t = self.lost_t = 0.0
        self.third_country, self.third_country_t = 0, 0.0  # of those evacuated, not sent home
        self.outcome: str | None = None
        self.refusals: set[tuple[str, str]] = set()  # (actor, table) forced to refuse everything
        self._guarantees = {
            t.id: [g for g in spec.guarantees if g.table == t.id] for t in spec.tables
        }

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
            self._settle(self._day())

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
                self._settle(self._day())
        finally:
            schedule.resume()
        return self.result()

    def play_day(self) -> Generator[list, dict, None]:
        """The next day, as a generator for a session: it yields the decisions the seats must take (a list of
        tables.Decision) and takes back their moves ({actor: offer index or yes/no}) by `send`."""
        self.steps += 1
        self.time += 1
        yield from self._day()

    def _settle(self, day: Generator) -> None:
        for decisions in day:
            waiting = ", ".join(f"{d.actor} ({d.role} at {d.table})" for d in decisions)
            raise RuntimeError(
                f"day {self.day} waits for seats played from outside: {waiting}; "
                "play seats through wargame.session.Game"
            )

    def _day(self) -> Generator[list, dict, None]:
        self.day += 1
        self.in_day = True
        day = self.day
        self.changed("day")
        for event_id in self.scheduled.get(day, ()):
            planned = interventions.event_by_id(self, event_id)
            if planned.once and event_id in self.fired:
                continue  # it has happened already (by chance, or fired early): once is once
            interventions.fire_event(self, planned, scheduled=True)
        self._play_events(day)
        for agent in self.evacuators:
            garrisons.review_posts(self, agent, day)
        for table in self.tables.values():
            yield from self._bargain(table, day)
        logistics.run_sieges(self, day)
        logistics.arrive_convoys(self, day)
        for agent in self.evacuators:
            safe_conduct.arrange(self, agent, day)
            logistics.dispatch_convoys(self, agent, day)
            logistics.fly_airlift(self, agent.actor_id, day)
        compliance.review(self, day)
        self._check_milestones(day)
        self.datacollector.collect(self)
        if day >= self.horizon:
            self._finish()
        self.in_day = False

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
            interventions.fire_event(self, event)
        self._live_events = live

    def _bargain(self, table: Table, day: int) -> Generator[list, dict, None]:
        rnd = yield from talks.hold_talks(self, table, day)
        if rnd is None:
            return
        if self.narrate:
            self._narrate_round(table, rnd, day)
        talks.settle(self, table, rnd, day)

    def _narrate_round(self, table: Table, rnd, day: int) -> None:
        self.record(
            records.RoundHeld(
                day,
                table=table.id,
                proposer=rnd.proposer,
                offer=table.space.describe(rnd.offer),
                answers=dict(rnd.answers),
                passed=rnd.passed,
                reasons=dict(table.reasons),
                reservations={a.actor_id: self.reservation(a, table) for a in table.participants},
                parties=talks.parties_of(table),
            )
        )
        # Observers who drew the same lesson are told in one line.
        lessons: dict[tuple, list[str]] = {}
        for observer, about, old, new in rnd.belief_shifts:
            lessons.setdefault((about, round(old, 2), round(new, 2)), []).append(observer)
        for (about, old, new), observers in lessons.items():
            self.record(
                records.BeliefShift(day, tuple(observers), about, table.id, old=old, new=new)
            )

    def _check_milestones(self, day: int) -> None:
        reached = self.milestones
        for m, test in self._milestones:
            if m.id in reached or day < test.first_day or day > test.last_day:
                continue
            if test.holds(self):
                self.milestones[m.id] = day
                self.record(records.MilestoneReached(day, milestone=m.id, label=m.label))

    def _finish(self) -> None:
        self.running = False
        for outcome, test in self._outcomes:
            if test.holds(self):
                self.outcome = outcome.id
                break
        label = next((o.label for o in self.situation.spec.outcomes if o.id == self.outcome), None)
        self.record(records.Ending(self.day, outcome=self.outcome, label=label))

    # ------------------------------------------------------------ the one door, and what is remembered

    def changed(self, *aspects: str) -> None:
        """Every change of the world comes through here (see memory.Memory): effects, events, signatures,
        breaches, convoys, losses, and a facilitator's inject, override or direct edit (no aspect named:
        everything may have changed)."""
        self.memory.changed(*aspects)
        if not aspects or "routes" in aspects:
            self.ground.road_revision += 1

    def reservation(self, agent: ActorAgent, table: Table) -> float:
        """The actor's outside option at this table today (outside_options.reservation, remembered)."""
        return self.memory.recall(
            outside_options.store_of(agent, table),
            (agent.actor_id, table.id),
            outside_options.reservation,
            self,
            agent,
            table,
        )

    def unilateral_safety(self, agent: ActorAgent) -> float:
        """outside_options.unilateral_safety, remembered: it is read by every table the side sits at."""
        return self.memory.recall(
            "safety", agent.actor_id, outside_options.unilateral_safety, self, agent
        )

    def way_out_today(self, owner: str) -> logistics.WayOut:
        return self.memory.recall("way_out", owner, logistics.way_out, self, owner)

    def deterrence_today(self, table: Table, party: str, guarantees) -> float:
        return self.memory.recall(
            "deterrence", (table.id, party), compliance.deterrence, self, table, party, guarantees
        )

    def keep_terms_today(self, table: Table, observer: ActorAgent) -> tuple:
        return self.memory.recall(
            "keep_terms",
            (table.id, observer.actor_id),
            compliance.keep_terms,
            self,
            table,
            observer,
        )

    def break_chance_today(self, table: Table, agreement: Agreement, party: str) -> tuple:
        key = (table.id, agreement.signed_day, party)
        return self.memory.recall(
            "break_chance", key, compliance.break_chance, self, table, agreement, party
        )

    def guarantees_at(self, table_id: str):
        return self._guarantees[table_id]

    def sign(self, table: Table, offer: int, day: int) -> Agreement:
        return compliance.sign(self, table, offer, day)

    def agreement_in_force(self, table_id: str) -> Agreement | None:
        """The latest agreement of a table that stands (in force, or completed), if any."""
        return self.memory.recall(
            "deals", ("table", table_id), compliance.standing_agreement, self, table_id
        )

    def agreed_level(self, issue_id: str) -> int | None:
        """The level of an issue in the latest agreement that stands and settles it, if any."""
        return self.memory.recall(
            "deals", ("level", issue_id), compliance.agreed_level, self, issue_id
        )

    def has_deal_between(self, a: str | None, b: str | None) -> bool:
        if a is None or b is None:
            return False
        return self.memory.recall("deals", ("pair", a, b), compliance.deal_between, self, a, b)

    # ------------------------------------------------------------ the ground

    def actor(self, actor_id: str) -> ActorAgent:
        return self._actors[actor_id]

    @property
    def present(self) -> int:
        return people.present(self)

    @property
    def agreements_in_force(self) -> int:
        return sum(1 for a in self.agreements if a.status == "in_force")

    def record_occurrence(self, name: str) -> None:
        """An occurrence a scenario's own effect declares (the engine's own come with their records)."""
        self.occurrences[name] = self.occurrences.get(name, 0) + 1

    def record(self, rec: records.Record) -> None:
        """What happened: counted as the occurrence it is (always: conditions read them), and kept for the
        story and the pictures when the run is narrated."""
        if not self.in_day:
            # made between two days (an inject, an override, a what-if): it happens at the start of
            # the next, and is told with that day's news (the day that ended is pictured already)
            rec = dataclasses.replace(rec, day=self.day + 1)
        name = rec.occurrence()
        if name is not None:
            self.occurrences[name] = self.occurrences.get(name, 0) + 1
        if self.audit is not None:
            item = rec.audit_item()
            if item is not None and item not in self.audit:
                self.audit[item] = rec.day
        if self.narrate:
            self.records.append(rec)

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

    def save_state(self, shared: bool = False) -> bytes:
        """The whole state of the run, generators included: `load_state` continues it exactly.

        shared=True leaves out what the run shares with every run of its scenario (the Scenario, its
        offer spaces and compiled deck, nine tenths of the bytes): such a state is loaded only with
        that same Scenario object (`load_state(state, self.situation)`, in this process), and then
        costs a tenth of the time to load, which is what a batch of forks from one day needs."""
        if not shared:
            return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
        keys = _shared_parts(self.situation)
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.persistent_id = lambda obj: keys.get(id(obj))
        pickler.dump(self)
        return buffer.getvalue()

    @staticmethod
    def load_state(state: bytes, situation: Scenario | None = None) -> WargameModel:
        """A run from `save_state`; a state saved with shared=True needs the Scenario it shares."""
        unpickler = pickle.Unpickler(io.BytesIO(state))
        if situation is not None:
            parts = {key: obj for obj, key in _shared_objects(situation)}

            def shared_part(key):
                if key not in parts:
                    raise TypeError("a state saved with another scenario's shared parts")
                return parts[key]

            unpickler.persistent_load = shared_part
        model = unpickler.load()
        if not isinstance(model, WargameModel):
            raise TypeError("not a saved WargameModel state")
        return model

    def reseed(self, seed: int) -> None:
        """Give the rest of the run a new random stream (for many continuations of one saved day)."""
        self.rng = np.random.default_rng(seed)
        self.random = random.Random(seed)

    def force(self, spec: str) -> None:
        """Impose an event or a decision now, for what-if forks (interventions.force): event:ID,
        collapse:TABLE, refuse:ACTOR:TABLE or breach:TABLE:ACTOR."""
        interventions.force(self, spec)

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
            personnel_third_country=self.third_country,
            equipment_third_country_t=round(self.third_country_t, 3),
        )


def _shared_objects(situation: Scenario) -> list[tuple[Any, tuple]]:
    """What every run of a scenario shares (never changed by a run), each with a key that names it in
    a state saved with shared=True: the scenario, its offer spaces, its compiled deck."""
    tag = (situation.id, repr(sorted((situation.overrides or {}).items())))  # whose parts they are
    out: list[tuple[Any, tuple]] = [(situation, ("situation",))]
    out += [(space, ("space", table)) for table, space in situation.offer_spaces.items()]
    for name, made in situation.compiled.items():
        out.append((made, ("compiled", name)))
        if name == "deck":
            issues, *decks = made
            out += [(issue, ("issue", key)) for key, issue in issues.items()]
            for d, items in enumerate(decks):
                for i, (item, test) in enumerate(items):
                    out.append((item, ("deck", d, i, 0)))
                    out.append((test, ("deck", d, i, 1)))
    return [(obj, (*tag, *key)) for obj, key in out]


def _shared_parts(situation: Scenario) -> dict[int, tuple]:
    return {id(obj): key for obj, key in _shared_objects(situation)}
