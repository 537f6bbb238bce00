"""The decision audit (`wargame audit`): its counts against the records of the same runs, its intervals
against published values, its flags at the bounds, `certain:` reasons, key questions, exit statuses and
determinism across worker counts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from wargame.analysis.audit import tally
from wargame.batch.plan import run_seed
from wargame.engine.decisions import catalogue
from wargame.engine.model import WargameModel
from wargame.engine.records import Decision
from wargame.engine.scenarios import load_scenario

DATA = Path(__file__).parent / "data"
MINI = (DATA / "scenarios" / "mini.yaml").read_text()

QUESTIONS = """
key_questions:
  - id: deal
    question: Is a deal signed?
    yes_if: [{milestone: deal_signed}]
  - id: raided
    question: Is the hub raided?
    yes_if: [{occurred: raid}]
"""


def scenario(tmp_path: Path, extra: str = QUESTIONS, name: str = "audited") -> Path:
    """The mini test scenario with `extra` sections, in a folder beside the test actors."""
    folder = tmp_path / "scenarios"
    folder.mkdir(exist_ok=True)
    actors = tmp_path / "actors"
    if not actors.exists():
        actors.symlink_to(DATA / "actors")
    path = folder / f"{name}.yaml"
    path.write_text(MINI + extra)
    return path


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "wargame.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def audit_json(path: Path, runs: int, *more) -> tuple[subprocess.CompletedProcess, dict]:
    out = path.with_suffix(f".{runs}.json")
    done = cli("audit", path, "--runs", runs, "--json", out, *more)
    assert done.returncode in (0, 1), done.stderr
    return done, json.loads(out.read_text())


def shares_of(data: dict) -> dict[str, dict]:
    return {s["id"]: s for g in data["groups"] for s in g["shares"]}


# ---------------------------------------------------------------- the counts


def test_counts_are_those_of_the_runs_own_records(tmp_path):
    """Each share counts the runs whose narrated records hold that choice (once a run), the tables'
    endings, milestones and outcomes of the same runs, replayed one by one from their seeds."""
    path = scenario(tmp_path)
    runs, seed = 30, 7
    _, data = audit_json(path, runs, "--seed", seed, "--workers", 1)
    sc = load_scenario(path)
    taken: Counter[str] = Counter()
    never_left = 0
    for i in range(runs):
        model = WargameModel(sc, rng=run_seed(seed, i), narrate=True)
        result = model.run()
        items = {
            f"{d} / {o}" for rec in model.records if (item := rec.audit_item()) for d, o in [item]
        }
        for table in model.tables.values():
            ending = {"agreed": "signed", "open": "open at the end"}.get(table.status)
            if table.status == "waiting":
                ending = "open at the end" if table.opened_day else "never opened"
            items.add(f"table {table.id} / {ending or table.status}")
        items |= {f"milestone {m}" for m, _ in result.milestones}
        items.add(f"outcome {result.outcome}")
        never_left += "post outpost (red) / leave" not in items
        taken.update(items)
    shares = shares_of(data)
    assert data["runs"] == runs
    for item, s in shares.items():
        if item == "post outpost (red) / held to the end":
            assert s["runs"] == never_left
        elif not item.endswith(("never sent", "never asked", "never let go", "never broken",
                                "never called on", "never flown", "never signed")):  # fmt: skip
            assert s["runs"] == taken[item], item
    # every option a run took is one the scenario's catalogue foresaw, and shows
    assert {i for i in taken if " / " in i} <= set(shares)
    assert all(g["foreseen"] for g in data["groups"])


def test_an_option_no_run_took_shows_at_zero(tmp_path):
    """A post's 'held to the end' shows though every run left it (and is flagged)."""
    path = scenario(tmp_path)
    _, data = audit_json(path, 20, "--workers", 1)
    held = shares_of(data)["post outpost (red) / held to the end"]
    leave = shares_of(data)["post outpost (red) / leave"]
    assert held["runs"] + leave["runs"] == 20
    assert held["runs"] == 0 and held["share"] == 0.0 and held["flagged"]
    assert held["high"] == pytest.approx(0.1611, abs=1e-4)  # Wilson 0/20 (Newcombe 1998)


# ---------------------------------------------------------------- intervals and flags


DECISION = {
    "post p (x)": Decision(("leave",), otherwise="held to the end", otherwise_of=("leave",))
}


def synthetic(k: int, n: int) -> list[dict]:
    """n runs, k of which left post p."""
    return [
        {
            "outcome": "o",
            "audit_items": ["post p (x) / leave"] * (i < k),
            "audit_days": [3] * (i < k),
        }
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "k, n, low, high",
    [  # Newcombe (1998), Statistics in Medicine 17, 857-872, Table II, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_shares_carry_the_wilson_interval(k, n, low, high):
    audit = tally(synthetic(k, n), DECISION, [], [("o", "O")])
    leave, held = audit.groups[0].shares
    assert (leave.runs, round(leave.low, 4), round(leave.high, 4)) == (k, low, high)
    assert held.runs == n - k  # the complement: the runs that never left
    assert leave.first_day == (3 if k else None)


@pytest.mark.parametrize(
    "k, flagged",
    [(100, True), (99, True), (98, False), (50, False), (2, False), (1, True), (0, True)],
)
def test_flags_at_or_beyond_99_and_1_percent(k, flagged):
    audit = tally(synthetic(k, 100), DECISION, [], [("o", "O")])
    leave, held = audit.groups[0].shares
    assert leave.flagged is flagged and held.flagged is flagged
    assert (leave in audit.defects) is flagged


def test_a_reason_replaces_the_flag_for_an_option_and_its_complement():
    certain = {"post p (x) / leave": "the post is indefensible"}
    audit = tally(synthetic(100, 100), DECISION, [], [("o", "O")], certain)
    leave, held = audit.groups[0].shares
    assert leave.flagged and leave.reason == "the post is indefensible" and not leave.defect
    assert held.reason == "the post is indefensible"
    whole = tally(synthetic(0, 100), DECISION, [], [("o", "O")], {"post p (x)": "never left"})
    assert all(s.reason == "never left" for s in whole.groups[0].shares)
    assert not [d for d in whole.defects if d.id.startswith("post")]
    assert [d.id for d in whole.defects] == ["outcome o"]  # every run ends in o: 100%


# ---------------------------------------------------------------- key questions


class Q:
    def __init__(self, qid, yes_if, certain=None):
        self.id, self.question, self.yes_if, self.certain = qid, f"{qid}?", yes_if, certain


def test_key_questions_count_runs_where_any_answer_holds():
    runs = [
        {"outcome": "a", "audit_items": [], "audit_days": [], "day_m": 4},
        {"outcome": "b", "audit_items": ["occurred e"], "audit_days": [-1], "day_m": None},
        {"outcome": "b", "audit_items": [], "audit_days": [], "day_m": None},
        {"outcome": "c", "audit_items": [], "audit_days": [], "day_m": None},
    ] * 5
    questions = [
        Q("m_or_e", [{"milestone": "m"}, {"occurred": "e"}]),
        Q("b", [{"outcome": "b"}]),
        Q("never", [{"outcome": "z"}]),
        Q("never_but_why", [{"outcome": "z"}], certain="z cannot happen here"),
    ]
    audit = tally(runs, {}, [("m", "M")], [("a", "A"), ("b", "B"), ("c", "C")], {}, questions)
    got = {q.id: (q.yes, q.total, q.flagged, q.defect) for q in audit.questions}
    assert got == {
        "m_or_e": (10, 20, False, False),
        "b": (10, 20, False, False),
        "never": (0, 20, True, True),
        "never_but_why": (0, 20, True, False),
    }


def test_the_key_question_table_is_printed(tmp_path):
    path = scenario(tmp_path)
    done, data = audit_json(path, 20, "--workers", 1)
    text = done.stdout
    assert "Key questions" in text and "deal: Is a deal signed?" in text
    assert "yes if: milestone deal_signed" in text and "yes if: occurred raid" in text
    deal = next(q for q in data["key_questions"] if q["id"] == "deal")
    reached = shares_of(data)["milestone deal_signed"]["runs"]
    assert deal["yes"] == reached and deal["share_no"] == pytest.approx(1 - reached / 20)


# ---------------------------------------------------------------- certain: and exit statuses


def test_certain_reasons_show_and_exit_0_when_every_flag_has_one(tmp_path):
    path = scenario(tmp_path, name="first")
    done, data = audit_json(path, 20, "--workers", 1)
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1].startswith("FLAGGED WITHOUT A REASON")
    defects = [s["id"] for g in data["groups"] for s in g["shares"] if s["flagged"]]
    flagged_questions = {q["id"] for q in data["key_questions"] if q["flagged"]}
    assert defects
    questions = QUESTIONS
    for qid in flagged_questions:
        questions = questions.replace(
            f"  - id: {qid}\n", f"  - id: {qid}\n    certain: one answer only, here\n"
        )
    certain = "\ncertain:\n" + "".join(f'  "{i}": reason {n}\n' for n, i in enumerate(defects))
    calm = scenario(tmp_path, questions + certain, name="explained")
    done, data = audit_json(calm, 20, "--workers", 1)
    assert done.returncode == 0, done.stdout[-800:]
    assert "Nothing flagged without a reason." in done.stdout
    line = next(ln for ln in done.stdout.splitlines() if ln.strip().startswith("leave "))
    assert "certain: reason" in line and "!" not in line


def test_a_certain_id_that_names_no_audit_item_is_refused(tmp_path):
    path = scenario(tmp_path, QUESTIONS + '\ncertain:\n  "post outpost (red) / leav": typo\n')
    done = cli("audit", path, "--runs", 5)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "names no item of the decision audit" in done.stderr
    assert "certain.post outpost (red) / leav" in done.stderr
    assert "did you mean 'post outpost (red) / leave'?" in done.stderr
    assert cli("validate", path).returncode == 2  # the same check when validating


def test_a_key_question_must_name_what_exists(tmp_path):
    bad = QUESTIONS.replace("{milestone: deal_signed}", "{milestone: deal_sign}")
    done = cli("validate", scenario(tmp_path, bad))
    assert done.returncode == 2 and "undefined milestone 'deal_sign'" in done.stderr
    bad = QUESTIONS.replace("{occurred: raid}", "{occurred: raids}")
    done = cli("validate", scenario(tmp_path, bad))
    assert done.returncode == 2 and "did you mean 'raid'" in done.stderr


@pytest.mark.parametrize(
    "args, says",
    [
        (["--workers", "1"], "--runs"),
        (["--runs", "0"], "--runs"),
        (["--runs", "5", "--set", "horizon_days=-3"], "horizon_days"),
        (["--runs", "5", "--json", "/nonexistent/folder/a.json"], "--json"),
    ],
)
def test_bad_input_exits_2_without_a_traceback(tmp_path, args, says):
    done = cli("audit", scenario(tmp_path), *args)
    assert done.returncode == 2, done.stdout
    assert says in done.stderr and "Traceback" not in done.stderr


def test_the_same_shares_for_any_worker_count(tmp_path):
    path = scenario(tmp_path)
    one, a = audit_json(path, 24, "--seed", 5, "--workers", 1)
    two, b = audit_json(path, 24, "--seed", 5, "--workers", 2)
    assert a == b and one.stdout == two.stdout


def test_the_catalogue_foresees_what_the_seed_scenario_takes():
    """Every choice a few runs of the seed scenario make is one its catalogue lists (so `certain:`
    can name it before any run)."""
    sc = load_scenario("syria_dec2024")
    known = {
        f"{name} / {o}" for name, d in catalogue(sc).items() for o in (*d.options, d.otherwise)
    }
    for seed in range(3):
        model = WargameModel(sc, rng=seed, narrate=True)
        model.run()
        taken = {f"{d} / {o}" for r in model.records if (item := r.audit_item()) for d, o in [item]}
        assert taken <= known, taken - known


@pytest.mark.slow
def test_the_seed_scenario_has_no_certainty_without_a_reason():
    done = cli("audit", "syria_dec2024", "--runs", 500)
    assert done.returncode == 0, "\n".join(
        ln for ln in done.stdout.splitlines() if ln.endswith("!")
    )
    assert done.stdout.splitlines()[-1] == "Nothing flagged without a reason."


def test_an_override_may_take_away_what_a_certain_reason_names():
    """`certain:` is checked on the scenario as written; `--set guarantees=[]` removes the guarantees
    its reasons speak of, and the scenario still loads (the Compare of 'no guarantee at all')."""
    from wargame import load_scenario

    sc = load_scenario("syria_dec2024", {"guarantees": []})
    assert sc.spec.guarantees == [] and any("guarantee" in k for k in sc.spec.certain)
