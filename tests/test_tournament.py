"""Tests generated from the strategy registry, after the Axelrod library's habit: every strategy plays
every other on the textbook tables, with outside options drawn at random for every seat, and each is
held to what it declares (deterministic ones repeat exactly; stochastic ones vary with the seed) and to
what every strategy owes: nobody, proposer or responder, signs below its outside option, and a table that
ends without a deal shows why (every offer had a participant it was worth less to than it needed)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from wargame import WargameModel, load_scenario
from wargame.engine.bargaining.strategies import REGISTRY

# scripted replays written moves and may sign anything by design; every other strategy reasons
PLAYERS = sorted(set(REGISTRY) - {"scripted"})
BILATERAL = "textbook_rubinstein"
LEGISLATURE = "textbook_baron_ferejohn"


def outside_options(pair_index: int, n: int, high: float = 0.8) -> list[float]:
    rng = np.random.default_rng(1000 + pair_index)
    return [round(float(x), 3) for x in rng.uniform(0.0, high, n)]


def bilateral(a: str, b: str, index: int):
    ra, rb = outside_options(index, 2)
    return load_scenario(
        BILATERAL,
        {
            "actors.player_a.strategy": {"name": a},
            "actors.player_b.strategy": {"name": b},
            "actors.player_a.priors.reservation.value": ra,
            "actors.player_b.priors.reservation.value": rb,
        },
    )


def legislature(a: str, b: str, index: int):
    overrides = {"actors.legislator_1.strategy": {"name": a}}
    for k, r in zip((1, 2, 3), outside_options(index, 3, high=0.5), strict=True):
        if k > 1:
            overrides[f"actors.legislator_{k}.strategy"] = {"name": b}
        overrides[f"actors.legislator_{k}.outside_option"] = r
    return load_scenario(LEGISLATURE, overrides)


def played(sc, seed: int) -> WargameModel:
    m = WargameModel(sc, rng=seed)
    m.run()
    return m


def check_owed(m: WargameModel) -> None:
    """Nobody signs below its outside option; a table without a deal shows why."""
    table = next(iter(m.tables.values()))
    rounds = [d for kind, d in ((r.kind, r.to_dict()) for r in m.records) if kind == "round"]
    space = table.space
    for d in rounds:
        offer = space.offer_of(d["offer"])
        values = {
            a.actor_id: float(space.utility[table.row(a.actor_id), offer])
            for a in table.participants
        }
        if d["passed"]:
            for actor, ok in d["answers"].items():
                if ok:
                    assert values[actor] >= d["reservations"][actor] - 1e-9, (actor, d)
    if not m.agreements:
        for d in rounds:
            said_no = [a for a, ok in d["answers"].items() if not ok]
            assert said_no, d
            # each refusal is explained: its value was below what it asked (or its own floor)
            assert any(
                d["reasons"].get(a, (0.0, 1.0))[0] < d["reasons"].get(a, (0.0, 1.0))[1] + 1e-9
                or a == d["proposer"]
                for a in said_no
            ), d


@pytest.mark.parametrize(("a", "b"), list(itertools.product(PLAYERS, PLAYERS)))
def test_every_pair_on_the_bilateral_table(a, b):
    index = PLAYERS.index(a) * len(PLAYERS) + PLAYERS.index(b)
    sc = bilateral(a, b, index)
    first, again = played(sc, 3), played(sc, 3)
    assert first.result().to_dict() == again.result().to_dict()  # the same seed repeats exactly
    check_owed(first)
    if not (REGISTRY[a].stochastic or REGISTRY[b].stochastic):
        # deterministic strategies at a table that recognises proposers in turn: the seed changes nothing
        assert played(sc, 11).result().agreements == first.result().agreements


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (a, b)
        for a in PLAYERS
        for b in PLAYERS
        if not REGISTRY[a].bilateral_only and not REGISTRY[b].bilateral_only
    ],
)
def test_every_pair_in_the_legislature(a, b):
    index = PLAYERS.index(a) * len(PLAYERS) + PLAYERS.index(b)
    sc = legislature(a, b, index)
    first, again = played(sc, 5), played(sc, 5)
    assert first.result().to_dict() == again.result().to_dict()
    check_owed(first)


@pytest.mark.parametrize("name", [n for n in PLAYERS if REGISTRY[n].stochastic])
def test_a_stochastic_strategy_varies_with_the_seed(name):
    """What a strategy declares stochastic draws from the run's generator: the same proposer, in the same
    position, plays differently as the seed changes (the Baron-Ferejohn proposer draws its partner among
    equally cheap members)."""
    sc = load_scenario(
        LEGISLATURE, {f"actors.legislator_{k}.strategy": {"name": name} for k in (1, 2, 3)}
    )
    first_offers = set()
    for seed in range(30):
        rounds = [
            d
            for kind, d in ((r.kind, r.to_dict()) for r in played(sc, seed).records)
            if kind == "round"
        ]
        if rounds and rounds[0]["proposer"] == "legislator_1":
            first_offers.add(tuple(sorted(rounds[0]["offer"].items())))
    assert len(first_offers) > 1


@pytest.mark.parametrize("name", [n for n in PLAYERS if not REGISTRY[n].bilateral_only])
def test_every_strategy_in_a_legislature_divided_to_the_cent(name):
    """The seven-member legislature dividing a dollar to the cent (its offers made as needed, not
    listed): every strategy builds its offers there, repeats under a seed and signs nothing below its
    outside option."""
    sc = load_scenario(
        "textbook_baron_ferejohn_7",
        {f"actors.legislator_{k}.strategy": {"name": name} for k in range(1, 8)},
    )
    first, again = played(sc, 2), played(sc, 2)
    assert first.result().to_dict() == again.result().to_dict()
    check_owed(first)  # a division, or every refusal explained
