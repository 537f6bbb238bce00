"""The information cut-off check (tests/cutoff.py): the date finder on examples, a planted later date
caught in a copy of the seed scenario, and every bundled case with a cut-off checked against its own."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cutoff import case_files, cutoff_of, post_cutoff, violations
from wargame import load_scenario
from wargame.language.scenario import list_scenarios

CUTOFF = dt.date(2024, 12, 9)


@pytest.mark.parametrize(
    "text",
    [
        "12 Dec",
        "ships left on 12 Dec (Reuters)",
        "Dec 13 2024",
        "Dec 13, 2024",
        "13 December 2024",
        "13 December",
        "December 13",
        "9-12 Dec",
        "late December",
        "mid-December",
        "by the end of December",
        "January 2025",
        "January",
        "the talks resume in Feb",
        "28 Nov",
        "a meeting of 2025",
        "announced 2025-01-21",
        "1 May 2025",
        "Reuters, 14 Dec 2024 (via UAWire)",
    ],
)
def test_the_finder_flags_a_day_after_the_cut_off(text):
    assert post_cutoff(text, CUTOFF), text


@pytest.mark.parametrize(
    "text",
    [
        "9 Dec",
        "8-9 Dec",
        "Peskov (9 Dec): too early to say",
        "2022",
        "since April 2022",
        "early Dec",
        "December",
        "the Nov-Dec 2024 offensive",
        "28 Nov (Turkish local reports, 28 Nov 2024)",
        "Tartus agreement of 18 Jan 2017 (49 years)",
        "Dec 2019",
        "RT via Youm7, 5 Dec 2019",
        "US AFRICOM, 26 May 2020",
        "a Russian column may be stopped",
        "start_date: 2024-12-08",
        "  km: 2100        # estimate: ~2,000 km great-circle",
        "count: 2025",
        "transits 2015-2024 (OSINT)",
        "An-124 RA-82040 left Hmeimim",
        "later facts are in scenarios/records/syria_dec2024_history.yaml (13 Dec, January 2025)",
    ],
)
def test_the_finder_passes_what_was_public_by_the_cut_off(text):
    assert not post_cutoff(text, CUTOFF), (text, post_cutoff(text, CUTOFF))


def test_the_cut_off_is_the_scenario_s_own():
    """A case with no `information_cutoff` is a forecast from its start date; the same words pass or fail
    by each case's own cut-off."""
    assert cutoff_of(load_scenario("syria_dec2024").spec) == CUTOFF
    assert (
        cutoff_of(load_scenario("textbook_nash").spec)
        == load_scenario("textbook_nash").spec.start_date
    )
    spring = dt.date(2022, 3, 15)
    assert post_cutoff("talks on 20 March", spring) and not post_cutoff("talks on 10 March", spring)
    assert post_cutoff("in May 2022", spring) and post_cutoff("April", spring)
    assert not post_cutoff("Jan 2022", spring) and not post_cutoff(
        "14 Feb (TASS, 14 Feb 2022)", spring
    )


@pytest.mark.parametrize(
    "planted",
    [
        "# ships left Tartus on 12 Dec",
        "# the EU's line of 16 December (Politico)",
        "# Dec 13 2024: imagery shows two An-124s",
        '    narrative: "By late December the Russians are loading at Tartus."',
        "# the contract was cancelled in January",
    ],
)
def test_a_planted_later_date_fails_the_check(tmp_path, planted):
    sc = load_scenario("syria_dec2024")
    files = case_files(sc)
    copy = tmp_path / sc.path.name
    lines = sc.path.read_text(encoding="utf-8").splitlines()
    lines.insert(len(lines) // 2, planted)
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not violations(files, cutoff_of(sc.spec))
    found = violations([copy, *files[1:]], cutoff_of(sc.spec))
    assert len(found) == 1 and planted.strip() in found[0], found


def test_every_bundled_case_with_a_cut_off_keeps_to_it():
    """Every bundled scenario that declares `information_cutoff` (a forecast from that day): no line of
    it, its actor profiles or the exercises that play it names a later day."""
    cases = [load_scenario(name) for name in list_scenarios()]
    cases = [sc for sc in cases if sc.spec.information_cutoff is not None]
    assert {sc.spec.id for sc in cases} >= {"syria_dec2024", "classroom_passage"}
    for sc in cases:
        found = violations(case_files(sc), cutoff_of(sc.spec))
        assert not found, "\n".join(found)
