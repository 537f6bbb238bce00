"""Guarantees as objects: stake, enforcement, cost and reputation decide whether a promise deters."""

from __future__ import annotations

import pytest

from wargame import WargameModel, load_scenario
from wargame.engine.commitment.agreements import deterrence

from .conftest import MINI


def deterrence_of_green(overrides: dict) -> float:
    m = WargameModel(load_scenario(MINI, overrides), rng=0)
    table = m.tables["deal"]
    return deterrence(m, table, "green", m.guarantees_at("deal"))


def test_a_guarantee_deters_more_with_more_at_stake():
    base = deterrence_of_green({"guarantees": []})
    weak = deterrence_of_green({"guarantees.blue_word.stake": 0.1})
    strong = deterrence_of_green({"guarantees.blue_word.stake": 0.6})
    assert base < weak < strong


def test_a_costly_signal_already_paid_adds_to_deterrence():
    plain = deterrence_of_green({})
    signalled = deterrence_of_green({"guarantees.blue_word.signal_paid": 0.3})
    assert signalled > plain


def test_an_empty_threat_does_not_deter():
    """A guarantor whose punishing would cost more than its stake, signal and reputation is not believed."""
    base = deterrence_of_green({"guarantees": []})
    empty = deterrence_of_green(
        {"guarantees.blue_word.cost": 1.0, "guarantees.blue_word.stake": 0.1}
    )
    assert empty == pytest.approx(base)


def test_a_broken_deal_is_punished_or_costs_the_guarantor_its_reputation():
    from wargame.engine.commitment.agreements import breach

    enforced = unenforced = 0
    for seed in range(30):
        m = WargameModel(load_scenario(MINI), rng=seed)
        table = m.tables["deal"]
        agreement = m.sign(table, 0, day=1)
        blue_rep = m.actor("blue").reputation
        green_mil = m.actor("green").capabilities["military"]
        breach(m, table, agreement, "green", 2, 0.5, 0.1, m.guarantees_at("deal"))
        if m.occurrences.get("guarantee_enforced"):
            enforced += 1
            assert m.actor("green").capabilities["military"] < green_mil
        else:
            unenforced += 1
            assert m.actor("blue").reputation < blue_rep
    assert enforced and unenforced  # enforcement 0.5: both happen over 30 seeds


def test_a_guarantee_never_deters_or_punishes_its_own_beneficiary():
    m = WargameModel(load_scenario(MINI), rng=0)
    table = m.tables["deal"]
    with_guarantee = deterrence(m, table, "red", m.guarantees_at("deal"))
    assert with_guarantee == pytest.approx(deterrence(m, table, "red", []))
