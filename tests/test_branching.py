"""The prefix tree of milestone sequences: exact counts on hand-built tables, agreement with a
brute-force count, folding, Wilson intervals, and the children-sum-to-parent invariant on a real
Monte Carlo sample."""

from __future__ import annotations

import json
import statistics

import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import binomtest

from wargame.analysis.branching import (
    BranchNode,
    branch_tree,
    render_tree,
    runs_beneath,
)
from wargame.analysis.statistics import wilson_interval

MILESTONES = ("a", "b", "c")


def runs_table(rows: list[tuple], run_ids: list[int] | None = None) -> pa.Table:
    """rows: (path or None, outcome, {milestone: day}); days not given are null."""
    ids = list(range(len(rows))) if run_ids is None else run_ids
    cols = {
        "run_id": pa.array(ids, type=pa.int64()),
        "outcome": pa.array([r[1] for r in rows], type=pa.string()),
        "milestone_path": pa.array([r[0] for r in rows], type=pa.list_(pa.string())),
    }
    for m in MILESTONES:
        cols[f"day_{m}"] = pa.array([r[2].get(m) for r in rows], type=pa.int32())
    return pa.table(cols)


# run 0..6: three runs go a > b, one stops after a, two take b alone, one reaches nothing
SMALL = [
    (["a", "b"], "X", {"a": 1, "b": 5}),
    (["a", "b"], "Y", {"a": 3, "b": 7}),
    (["a"], "X", {"a": 2}),
    (["b"], "Y", {"b": 4}),
    (["b"], "Y", {}),  # day unknown: left out of the median
    (["a", "b"], "X", {"a": 5, "b": 9}),
    ([], "Z", {}),
]


def labels(node: BranchNode) -> list[str]:
    return [c.label for c in node.children]


def check_invariants(node: BranchNode, total: int) -> int:
    """Assert the tree's invariants at every node; return the number of nodes."""
    count = 1
    assert sum(node.outcomes.values()) == node.runs
    assert node.share == pytest.approx(node.runs / total)
    assert node.ci_low <= node.share <= node.ci_high
    assert node.examples == sorted(node.examples)
    if node.children:
        assert sum(c.runs for c in node.children) == node.runs, node.path
        keys = [(-c.runs, c.label) for c in node.children]
        assert keys == sorted(keys)
        assert len({c.label for c in node.children}) == len(node.children)
        for c in node.children:
            assert c.share_of_parent == pytest.approx(c.runs / node.runs)
            if c.label in ("(end)", "other"):
                assert c.path == node.path and not c.children and c.median_day is None
            else:
                assert c.path == (*node.path, c.label)
            count += check_invariants(c, total)
    return count


def test_exact_counts_prefixes_and_end_children():
    tree = branch_tree(runs_table(SMALL))
    assert (tree.label, tree.path, tree.runs, tree.share) == ("all runs", (), 7, 1.0)
    assert tree.outcomes == {"X": 3, "Y": 3, "Z": 1}
    assert labels(tree) == ["a", "b", "(end)"]
    a, b, end = tree.children
    assert (a.runs, a.path, a.outcomes, a.examples) == (4, ("a",), {"X": 3, "Y": 1}, [0, 1, 2])
    assert a.share == pytest.approx(4 / 7) and a.share_of_parent == pytest.approx(4 / 7)
    assert a.median_day == 2.5  # days 1, 3, 2, 5
    assert labels(a) == ["b", "(end)"]
    ab, a_end = a.children
    assert (ab.runs, ab.path, ab.median_day, ab.examples) == (3, ("a", "b"), 7.0, [0, 1, 5])
    assert ab.children == []  # every run stops here: a leaf, not an "(end)" child of 100%
    assert (a_end.runs, a_end.outcomes, a_end.examples, a_end.path) == (1, {"X": 1}, [2], ("a",))
    assert (b.runs, b.median_day, b.outcomes, b.children) == (2, 4.0, {"Y": 2}, [])
    assert (end.runs, end.path, end.outcomes, end.examples, end.median_day) == (
        1,
        (),
        {"Z": 1},
        [6],
        None,
    )
    assert check_invariants(tree, 7) == 6


def test_ties_sort_by_label_and_examples_are_the_smallest_ids():
    rows = [(["c"], "X", {}), (["b"], "X", {}), (["c"], "Y", {}), (["b"], "Y", {})]
    tree = branch_tree(runs_table(rows, run_ids=[40, 30, 10, 20]), examples=1)
    assert labels(tree) == ["b", "c"]
    assert [c.examples for c in tree.children] == [[20], [10]]
    assert tree.children[0].outcomes == {"X": 1, "Y": 1}
    assert list(tree.children[0].outcomes) == ["X", "Y"]  # tied counts: by name


def test_rows_in_any_order_give_the_same_tree():
    table = runs_table(SMALL)
    shuffled = table.take(pa.array([4, 6, 0, 3, 5, 1, 2]))
    assert branch_tree(shuffled).to_dict() == branch_tree(table).to_dict()


def test_pandas_and_arrow_give_the_same_tree():
    table = runs_table(SMALL)
    assert branch_tree(table.to_pandas()).to_dict() == branch_tree(table).to_dict()


def test_rare_children_fold_into_other():
    tree = branch_tree(runs_table(SMALL), min_share=0.3, examples=2)
    # b (2/7) and (end) (1/7) fall under 0.3 of all runs; a (4/7) stays
    assert labels(tree) == ["a", "other"]
    other = tree.children[1]
    assert (other.runs, other.outcomes, other.examples, other.children) == (
        3,
        {"Y": 2, "Z": 1},
        [3, 4],
        [],
    )
    assert other.share == pytest.approx(3 / 7) and other.median_day is None
    # under a: a>b has 3/7 and stays; a's (end) has 1/7 and folds alone
    assert labels(tree.children[0]) == ["b", "other"]
    check_invariants(tree, 7)


def test_a_child_at_exactly_min_share_is_kept():
    tree = branch_tree(runs_table(SMALL), min_share=2 / 7)
    assert labels(tree) == ["a", "b", "other"]  # b has 2/7 of all runs; (end) 1/7 folds
    assert labels(tree.children[0]) == ["b", "other"]


def test_max_depth_makes_leaves():
    tree = branch_tree(runs_table(SMALL), max_depth=1)
    assert labels(tree) == ["a", "b", "(end)"]
    assert all(c.children == [] for c in tree.children)
    assert branch_tree(runs_table(SMALL), max_depth=0).children == []


def test_missing_path_counts_as_empty_and_missing_columns_are_tolerated():
    rows = [(None, "X", {}), (["a"], "X", {"a": 3}), ([], "Y", {})]
    tree = branch_tree(runs_table(rows))
    assert labels(tree) == ["(end)", "a"]
    assert tree.children[0].runs == 2
    bare = branch_tree(pa.table({"milestone_path": pa.array([["a"], ["a", "b"]])}))
    assert bare.children[0].median_day is None and bare.children[0].examples == [0, 1]
    assert bare.outcomes == {"(none)": 2}


def test_empty_table_is_a_bare_root():
    tree = branch_tree(runs_table([]))
    assert (tree.runs, tree.children, tree.share) == (0, [], 0.0)


def brute_force(rows: list[tuple], path: tuple[str, ...]) -> tuple[int, dict, float | None, list]:
    """Runs through `path`, their outcomes, median day of its last milestone and run ids."""
    under = [(i, r) for i, r in enumerate(rows) if tuple(r[0] or ())[: len(path)] == path]
    outcomes: dict[str, int] = {}
    for _, r in under:
        outcomes[r[1]] = outcomes.get(r[1], 0) + 1
    days = [r[2][path[-1]] for _, r in under if path and r[2].get(path[-1]) is not None]
    return len(under), outcomes, (statistics.median(days) if days else None), [i for i, _ in under]


def test_every_node_matches_a_brute_force_count():
    rng = np.random.default_rng(7)
    rows = []
    for _ in range(600):
        path = list(rng.permutation(MILESTONES)[: rng.integers(0, 4)])
        days = {m: int(rng.integers(1, 60)) for m in path if rng.random() < 0.9}
        rows.append((path, str(rng.choice(["X", "Y", "Z"], p=[0.5, 0.3, 0.2])), days))
    tree = branch_tree(runs_table(rows), examples=4)
    seen = 0
    for node in tree.walk():
        if node.label in ("(end)", "other"):
            continue
        runs, outcomes, median, ids = brute_force(rows, node.path)
        assert node.runs == runs
        assert node.outcomes == outcomes
        assert node.median_day == (None if node.label == "all runs" else median)
        assert node.examples == ids[:4]
        seen += 1
    assert seen == 1 + 3 + 6 + 6  # every ordered prefix of 3 distinct milestones is reached
    check_invariants(tree, 600)


def test_wilson_interval_matches_newcombe_1998_and_scipy():
    """Newcombe, R. G. (1998), 'Two-sided confidence intervals for the single proportion:
    comparison of seven methods', Statistics in Medicine 17, 857-872, Table II, method 3 (score
    interval without continuity correction): 81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605,
    0/20 -> 0-0.1611, 1/29 -> 0.0061-0.1718, 29/29 -> 0.8830-1."""
    published = {
        (81, 263): (0.2553, 0.3662),
        (15, 148): (0.0624, 0.1605),
        (0, 20): (0.0, 0.1611),
        (1, 29): (0.0061, 0.1718),
        (29, 29): (0.8830, 1.0),
    }
    for (k, n), (low, high) in published.items():
        ours = wilson_interval(k, n)
        assert ours == pytest.approx((low, high), abs=5e-5)
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert ours == pytest.approx((ci.low, ci.high), abs=1e-12)
    # by hand: 5/10, z = 1.959964: centre 0.5, half-width 0.2628 (rounded)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=5e-5)


def test_node_interval_is_the_wilson_interval_of_its_share():
    rows = [(["a"], "X", {})] * 81 + [(["b"], "X", {})] * (263 - 81)
    a = branch_tree(runs_table(rows)).find(("a",))
    assert (a.runs, round(a.ci_low, 4), round(a.ci_high, 4)) == (81, 0.2553, 0.3662)


def test_json_round_trip():
    tree = branch_tree(runs_table(SMALL), min_share=0.2)
    data = tree.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["children"][0]["path"] == ["a"] and data["children"][0]["median_day"] == 2.5


def test_runs_beneath():
    table = runs_table(SMALL)
    assert runs_beneath(table, ("a",)).tolist() == [True, True, True, False, False, True, False]
    assert runs_beneath(table, ("a", "b")).sum() == 3
    assert runs_beneath(table, ()).all()
    assert not runs_beneath(table, ("zzz",)).any()


def test_render_tree_is_aligned_and_shows_the_figures():
    tree = branch_tree(runs_table(SMALL))
    lines = render_tree(tree, width=20)
    assert len(lines) == 6
    assert lines[0].startswith("all runs")
    a = next(line for line in lines if "─ a " in line)
    assert "57.1% [25.0-84.2]" in a  # Wilson 4/7
    assert "n=4" in a and "day 2.5" in a and "-> X 75%, Y 25%" in a
    # labels are padded to the longest ("│  └─ (end)"), so every bar starts in column 13
    assert lines[3].startswith("│  └─ (end)  ")
    for line in lines:
        assert set(line[13:33]) <= set(" ▏▎▍▌▋▊▉█") and line[11:13] == "  "
    assert lines[0][13:33] == "█" * 20
    assert a[13:33].rstrip() == "███████████▍"  # 4/7 of 20 cells, in eighths
    shares = [line.index("%") for line in lines]
    assert len(set(shares)) == 1  # the share column is right-aligned
    assert len(render_tree(tree, max_depth=1)) == 4


@pytest.fixture(scope="module")
def real_sample(tmp_path_factory) -> pa.Table:
    import pyarrow.parquet as pq

    from wargame.batch.montecarlo import Plan, monte_carlo
    from wargame.language.scenario import find_scenario

    out = tmp_path_factory.mktemp("mc")
    plan = Plan(scenario=str(find_scenario("syria_dec2024")), runs=100, seed=3)
    monte_carlo(plan, out, workers=1, progress=False)
    return pq.read_table(out / "runs.parquet")


def test_children_sum_to_parent_on_a_real_sample(real_sample):
    paths = [tuple(p) for p in real_sample.column("milestone_path").to_pylist()]
    for min_share in (0.0, 0.03, 0.2):
        tree = branch_tree(real_sample, min_share=min_share)
        assert tree.runs == 100
        nodes = check_invariants(tree, 100)
        assert nodes > 1
        for node in tree.walk():
            if node.label not in ("(end)", "other", "all runs"):
                assert node.runs == sum(p[: len(node.path)] == node.path for p in paths)
                assert node.share >= min_share
    assert json.loads(json.dumps(tree.to_dict())) == tree.to_dict()
    assert render_tree(tree)
