"""Tests generated over the whole strategy registry (after the Axelrod library), plus each family's own."""

from __future__ import annotations

import numpy as np
import pytest

from wargame import WargameModel, load_scenario
from wargame.engine.bargaining.agenda import Issue, OfferSpace
from wargame.engine.bargaining.strategies import REGISTRY, Turn, make_strategy
from wargame.language.schema import ActorProfile, IssueSpec

from .conftest import MINI

ISSUES = [
    Issue.from_spec(
        IssueSpec(id="a", kind="ordinal", levels=[{"id": "x"}, {"id": "y"}, {"id": "z"}])
    ),
    Issue.from_spec(IssueSpec(id="b", kind="continuous", range=(0, 10), steps=5)),
]


def profile(pid: str, ideal_a: str, ideal_b: float) -> ActorProfile:
    return ActorProfile(
        id=pid,
        name=pid,
        capabilities={"military": 0.5, "economic": 0.5, "diplomatic": 0.5},
        time_pressure=0.5,
        outside_option=0.3,
        interests={
            "a": {"ideal": ideal_a, "salience": 0.6},
            "b": {"ideal": ideal_b, "salience": 0.4},
        },
    )


def params_for(name: str) -> dict:
    if name == "scripted":
        return {
            "offers": [{"day": 2, "terms": {"a": "y", "b": 5}}],
            "answers": [{"day": 3, "accept": False}],
        }
    return {}


def spaces(name: str):
    cls = REGISTRY[name]
    players = [profile("p1", "x", 0), profile("p2", "z", 10)]
    if not cls.bilateral_only:
        players.append(profile("p3", "y", 5))
    return OfferSpace(ISSUES, players)


def make_turn(
    space: OfferSpace, rng, me=0, progress=0.3, reservation=0.3, keep=None, day=2
) -> Turn:
    n = space.utility.shape[0]
    return Turn(
        space,
        me,
        progress,
        reservation,
        np.full(n, 0.3),
        rng,
        None,
        keep=keep,
        discounts=np.full(n, 0.9),
        history=[],
        day=day,
        table="t",
        actor=f"p{me + 1}",
    )


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_offers_are_inside_the_agenda(name):
    space = spaces(name)
    rng = np.random.default_rng(0)
    for me in range(space.utility.shape[0]):
        for progress in np.linspace(0, 1, 6):
            offer = make_strategy(name, params_for(name)).propose(
                make_turn(space, rng, me, progress)
            )
            assert 0 <= offer < len(space)
            terms = space.describe(offer)
            assert terms["a"] in ("x", "y", "z") and 0 <= float(terms["b"]) <= 10


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_deterministic_under_a_seed(name):
    space = spaces(name)

    def play(seed):
        rng = np.random.default_rng(seed)
        strategy = make_strategy(name, params_for(name))
        out = []
        for day, progress in enumerate(np.linspace(0, 1, 8)):
            turn = make_turn(space, rng, 0, progress, day=day)
            offer = strategy.propose(turn)
            out.append(
                (offer, strategy.respond(make_turn(space, rng, 1, progress, day=day), offer))
            )
        return out

    assert play(3) == play(3)


@pytest.mark.parametrize("name", sorted(set(REGISTRY) - {"scripted", "seat"}))
def test_never_accepts_below_its_reservation_without_noise(name):
    """Scripted and seat moves come from outside and may accept anything; every reasoning strategy may not."""
    space = spaces(name)
    rng = np.random.default_rng(1)
    for reservation in (0.2, 0.5, 0.8):
        for progress in (0.0, 0.5, 1.0):
            strategy = make_strategy(name, params_for(name))
            turn = make_turn(space, rng, 1, progress, reservation)
            for offer in range(len(space)):
                if strategy.respond(turn, offer):
                    assert turn.value[offer] >= reservation - 1e-9


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_metadata(name):
    cls = REGISTRY[name]
    assert cls.name == name and cls.description and isinstance(cls.stochastic, bool) and cls.needs


def test_time_dependent_family_orders_by_concession():
    """At mid-deadline a Conceder (e > 1) asks for less than Linear, which asks for less than Boulware."""
    space = spaces("linear")
    rng = np.random.default_rng(0)
    targets = [
        make_strategy(n).target(make_turn(space, rng, 0, 0.5))
        for n in ("boulware", "linear", "conceder")
    ]
    assert targets[0] > targets[1] > targets[2]


def test_guarantee_risk_lowers_the_value_of_an_offer():
    """An offer the others may break is worth less than the same offer kept for sure."""
    space = spaces("linear")
    rng = np.random.default_rng(0)
    sure = make_turn(space, rng, 0, 0.5, keep=np.ones(len(space)))
    shaky = make_turn(space, rng, 0, 0.5, keep=np.full(len(space), 0.5))
    best = int(np.argmax(space.utility[0]))
    assert shaky.value[best] < sure.value[best]


def test_noise_makes_answers_vary_with_the_seed():
    """With logit noise a marginal offer is sometimes accepted, sometimes not (McKelvey and Palfrey 1995)."""
    space = spaces("linear")
    answers = set()
    for seed in range(40):
        turn = make_turn(space, np.random.default_rng(seed), 0, 0.5)
        turn.rationality = 5.0
        offer = int(np.argsort(np.abs(turn.value - 0.5))[0])
        answers.add(make_strategy("linear").respond(turn, offer))
    assert answers == {True, False}


def test_an_unheld_seat_plays_its_fallback():
    """Nobody at the seat (a batch run): the seat strategy plays exactly as its fallback would."""
    seat = load_scenario(MINI, {"actors.blue.strategy.name": "seat"})
    linear = load_scenario(MINI, {"actors.blue.strategy.name": "linear"})
    a, b = WargameModel(seat, rng=4).run(), WargameModel(linear, rng=4).run()
    assert a.to_dict() == b.to_dict()


def test_scripted_strategy_replays_its_script():
    sc = load_scenario(
        MINI,
        {
            "actors.red.strategy.name": "scripted",
            "actors.red.strategy.params": {
                "offers": [{"day": 1, "terms": {"route": "escorted", "price": 25}}]
            },
        },
    )
    m = WargameModel(sc, rng=0)
    m.step()
    first = m.tables["deal"].rounds[0]
    assert first.proposer == "red" and m.tables["deal"].space.describe(first.offer) == {
        "route": "escorted",
        "price": "25",
    }


def test_single_text_mediation_reaches_agreement_in_the_mini_scenario():
    """The mediator's first text is the Nash solution over its beliefs; it amends towards refusers. (The
    outpost holds out past the deadline, so that the table still has people to move when the parties
    reach their floors: a table whose outpost is empty stops meeting.)"""
    sc = load_scenario(
        MINI,
        {
            "tables.deal.protocol": "single_text",
            "tables.deal.mediator": "blue",
            "sites.outpost.supply_days": 60,
        },
    )
    reached = 0
    for seed in range(10):
        m = WargameModel(sc, rng=seed)
        m.run()
        rounds = m.tables["deal"].rounds
        assert all(r.proposer == "blue" for r in rounds)
        # The text moves one step on one issue at a time.
        for a, b in zip(rounds, rounds[1:], strict=False):
            diff = np.abs(
                m.tables["deal"].space.offers[a.offer] - m.tables["deal"].space.offers[b.offer]
            ).sum()
            assert diff <= 1
        reached += any(a.table == "deal" for a in m.agreements)
    assert reached >= 3


def test_searching_the_frontier_gives_the_same_runs_as_searching_every_offer(monkeypatch):
    """Strategies search only the Pareto frontier (OfferSpace.frontier explains why nothing is lost);
    a full search over every offer must give identical runs."""
    from wargame import run
    from wargame.engine.bargaining.agenda import OfferSpace

    seeds = range(12)
    scenario = load_scenario("syria_dec2024")
    frontier = [run(scenario, seed=s).to_dict() for s in seeds]
    monkeypatch.setattr(OfferSpace, "frontier", property(lambda self: np.arange(len(self.offers))))
    everything = load_scenario(
        "syria_dec2024", {"horizon_days": 90}
    )  # a fresh scenario: fresh spaces
    assert [run(everything, seed=s).to_dict() for s in seeds] == frontier


def test_a_turn_makes_its_beliefs_only_when_read_and_once():
    space = spaces("linear")
    calls = []

    def believe():
        calls.append(1)
        return np.full(space.utility.shape[0], 0.3)

    turn = make_turn(space, np.random.default_rng(0))
    lazy = Turn(space, 0, 0.3, 0.3, believe, np.random.default_rng(0), None)
    assert calls == []
    assert make_strategy("linear").respond(lazy, 0) == make_strategy("linear").respond(turn, 0)
    assert calls == []  # answering never needs the beliefs about others
    assert make_strategy("linear").propose(lazy) == make_strategy("linear").propose(turn)
    assert lazy.believed is lazy.believed and calls == [1]
