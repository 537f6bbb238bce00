"""Where to start and what the words mean: the "Start here" card a first visit shows (what the page is,
and three things to try, each a button that does it), and the glossary of the terms the page uses, in
the words of README's model section, for a student."""

from __future__ import annotations

import html
from collections.abc import Callable

import solara

from viz.common import Prose

INTRO = (
    "This page plays a crisis as a negotiation game: actors bargain at tables, each weighing every offer "
    "against its outside option (what it can get without a deal), while events happen by chance and "
    "the ground changes the bargain. One run tells one story day by day; many runs show how often each "
    "path and ending comes up under the assumptions you set."
)

# (term, explanation), in the order a newcomer meets them on the page
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "scenario",
        "The situation as data: its actors, the tables where they negotiate, the sites and roads, "
        "the events that may happen, the milestones and the endings. Every uncertain value in it has a "
        "source or a reasoned estimate.",
    ),
    (
        "actor",
        "A party to the crisis (a state, an authority, an armed group), played by the model or by you "
        "from a seat. Each cares about issues: an ideal point and a salience (how much it matters) for "
        "each.",
    ),
    (
        "table",
        "Where some actors negotiate over an agenda of issues, under a decision rule (everyone must "
        "agree, or a weighted majority with vetoes). A table may meet every day or every few days.",
    ),
    (
        "offer, utility",
        "An offer names a level for each issue on the table's agenda. Its utility to an actor, from 0 "
        "to 1, is how close the terms come to what the actor wants, weighted by how much each issue "
        "matters to it, net of the risk the deal is broken.",
    ),
    (
        "outside option (reservation value)",
        "What an actor can get at a table without a deal. An offer worth less to it than this is "
        "refused. It starts from the actor's private reservation value and falls with time, faster the "
        "more time pressure and the less resolve it has; the ground moves it too (an ambush on a road "
        "out, a siege).",
    ),
    (
        "resolve",
        "A private value drawn for each actor in each run: how little time wears it down. With more "
        "resolve an actor's outside option falls more slowly, so it can hold out for better terms.",
    ),
    (
        "time pressure",
        "The cost of each day without a deal (stranded troops make delay costly). More time pressure, "
        "earlier concessions.",
    ),
    (
        "breach temptation",
        "A private value: how readily an actor breaks a promise. Each day a party weighs what it would "
        "gain by reneging (its shortfall from its best offer, times its temptation) against what it "
        "expects to lose: the guarantors' punishment and its reputation.",
    ),
    (
        "priors",
        "The ranges private values (resolve, reservation, breach temptation, a signing cost) are drawn "
        "from at the start of every run. Nobody knows the others' draws; each actor starts believing "
        "the means and learns from what it sees.",
    ),
    (
        "guarantee",
        "A third party's promise to punish whoever breaks an agreement. A credible guarantee makes "
        "keeping a deal more likely, so guaranteed deals are worth bargaining for: removing the "
        "guarantees is a question the Compare tab can ask.",
    ),
    (
        "status quo",
        "What holds at a table while nothing is signed (say, a foreign force keeps its base on the terms "
        "it already has). Nothing signed is an outcome too.",
    ),
    (
        "enforcer",
        "Who could force a change at a table, and at what cost (say, a host government could order a "
        "foreign force out, at a cost that grows with that force's strength where it stands). If forcing "
        "pays, the enforcer's terms, not the status quo, are what each side gets without a deal.",
    ),
    (
        "agreement, breach",
        "A signed offer creates obligations for a number of days. A breach takes back what the deal "
        "granted on the ground and costs the breaker trust and reputation; its guarantor punishes or "
        "loses face.",
    ),
    (
        "event",
        "Something that may happen on a day with a daily chance when its conditions hold (a strike, a "
        "town falling, conditions on aid), with effects on the world and a line in the story.",
    ),
    (
        "day",
        "One step of the game: day 0 is the scenario's start date, and a run goes on to its horizon. "
        "Each day runs events, choices of where to be, the talks, action on the ground, keeping or "
        "breaking agreements, then milestones, in that order.",
    ),
    (
        "run",
        "One play of the scenario from day 0 to the horizon with its own random draws (private values, "
        "events, noisy answers). Two runs of the same scenario can end very differently.",
    ),
    (
        "seed",
        "The number that fixes a run's random draws: the same scenario and seed always give the same "
        "run. Many runs take their seeds from one root seed, so they can be run again exactly.",
    ),
    (
        "seat",
        "Playing one actor yourself: the page shows what that actor knows (its own private values, its "
        "beliefs about the others) and asks for its decisions; the model plays everyone else.",
    ),
    (
        "milestone",
        "A moment worth marking in a run (passage agreed, convoy attacked, base deal signed), recorded "
        "the first day its conditions hold. The order a run reaches its milestones is its path.",
    ),
    (
        "branch (the tree)",
        "Runs grouped by their path: the first box holds all runs, each box beneath it the runs that "
        "reached those milestones in that order. '(end)' holds the runs that reached no further "
        "milestone, 'other' the rare branches folded together.",
    ),
    (
        "outcome",
        "How a run ends: the first of the scenario's endings whose conditions hold at the horizon (for "
        "example, a deal kept and everyone out with light losses).",
    ),
    (
        "share, Wilson interval",
        "A branch's share is the fraction of runs in it. Its 95% Wilson interval is the range the share "
        "would most likely fall in with endlessly many runs: narrow with many runs, wide with few.",
    ),
    (
        "median day",
        "Half the runs in a branch reached its milestone by this day, half after.",
    ),
    (
        "what-if",
        "Take a sample run of a branch, go back to the day it reached the branch, and play 200 "
        "continuations as they were and 200 with one thing forced (an event, talks collapsing, a party "
        "refusing everything, a breach): the two sets of endings side by side.",
    ),
    (
        "assumption",
        "An uncertain value of the scenario you may change (a prior's range, a time pressure, an "
        "event's daily chance), shown with its source and the range allowed. The runs use it at once.",
    ),
    (
        "compare",
        "The scenario as it stands against the same with one assumption changed, the same number of "
        "runs each: how the endings and each milestone's share move.",
    ),
)


def glossary_html() -> str:
    """The glossary as a definition list (our own text, escaped all the same)."""
    return "".join(
        f'<dt style="font-weight: 700; margin-top: 10px">{html.escape(term)}</dt>'
        f'<dd style="margin: 2px 0 0 0">{html.escape(text)}</dd>'
        for term, text in GLOSSARY
    )


@solara.component
def StartHere(
    on_play: Callable[[], None],
    on_many: Callable[[], None],
    on_guarantees: Callable[[], None] | None,
    on_close: Callable[[], None],
):
    """The first visit's card: what the page is, and three things to try."""
    with solara.Card("Start here", classes=["start-here"], style={"margin-bottom": "12px"}):
        Prose(INTRO)
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px", "align-items": "center"}):
            solara.Button("Play one run day by day", on_click=on_play, color="primary")
            solara.Button(
                "Run 1,000 runs and see how outcomes branch", on_click=on_many, color="primary"
            )
            if on_guarantees is not None:
                solara.Button(
                    "Ask what removing the guarantees does", on_click=on_guarantees, color="primary"
                )
        Prose(
            "Step through one run and read each day's story; or watch the branch tree grow as the runs "
            "come in and click a box to see what lies beneath it; or compare the scenario with its "
            "guarantees and without them, 500 runs each. **Glossary** (top right) explains the terms; "
            "**Copy link** keeps what you are looking at.",
            style={"font-size": "0.9em", "margin-top": "8px"},
        )
        with solara.Row(justify="end"):
            solara.Button("Put this away", on_click=on_close, text=True, classes=["start-close"])


@solara.component
def Glossary(shown: solara.Reactive[bool]):
    """The terms the page uses, in a drawer from the right."""
    with (
        solara.v.NavigationDrawer(
            v_model=shown.value,
            on_v_model=shown.set,
            right=True,
            temporary=True,
            fixed=True,
            width=420,
            class_="glossary",
            style_="z-index: 20; max-width: 92vw",
        ),
        solara.Column(style={"padding": "12px 16px"}),
    ):
        with solara.Row(style={"align-items": "center"}, justify="space-between"):
            solara.HTML(tag="h2", unsafe_innerHTML="Glossary", style={"margin": 0})
            solara.Button(
                icon_name="mdi-close",
                icon=True,
                on_click=lambda: shown.set(False),
                classes=["glossary-close"],
            )
        if shown.value:  # drawn when opened: the page redraws often
            solara.HTML(tag="dl", unsafe_innerHTML=glossary_html(), classes=["glossary-terms"])
