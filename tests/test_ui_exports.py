"""The analyst's answers and exports without a browser: each export of a batch parses back to its runs
(Parquet and CSV one row per run, the tree's root holds every run and each node's children add up to it,
the HTML report has its sections), and the pair table's numbers (a share's Wilson interval, the
difference in points, Fisher's exact p) are those computed here independently, on two small hand-made
sets of runs and on published examples."""

from __future__ import annotations

import io
import json
import math

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats

from viz.exports import (
    EXPORTS,
    MANIFEST_KEY,
    export_name,
    report_html,
    runs_csv,
    runs_parquet,
    tree_json,
)
from viz.pairs import Share, milestone_pairs, outcome_pairs, pair_figure, pair_table_html
from viz.words import Words, short_seed
from viz.workspace import Workspace
from wargame.analysis.results import Results

RUNS = 24


@pytest.fixture(scope="module")
def batch():
    ws = Workspace("syria_dec2024", workers=1)
    b = ws.run_batch(RUNS, seed=5)
    assert b.done == RUNS and b.error is None
    return b


# ---------------------------------------------------------------- the exports


def test_the_parquet_export_is_one_row_per_run_with_the_manifest(batch) -> None:
    table = pq.read_table(io.BytesIO(runs_parquet(batch)))
    assert table.num_rows == RUNS
    assert table.column("run_id").to_pylist() == list(range(RUNS))
    assert table.column("seed").to_pylist() == batch.results.runs["seed"].tolist()
    manifest = json.loads(table.schema.metadata[MANIFEST_KEY])
    assert manifest["scenario_id"] == "syria_dec2024"
    assert manifest["plan"]["seed"] == 5


def test_the_csv_export_is_one_row_per_run_and_keeps_weekly_series(batch) -> None:
    frame = pd.read_csv(io.BytesIO(runs_csv(batch)))
    assert len(frame) == RUNS
    expected = batch.results.runs
    assert list(frame.columns) == list(pa.concat_tables(batch.tables).column_names)
    assert frame["outcome"].tolist() == expected["outcome"].tolist()
    # a list column is a JSON list in its cell
    assert json.loads(frame["evacuated_by_week"][3]) == list(expected["evacuated_by_week"][3])
    assert json.loads(frame["milestone_path"][3]) == list(expected["milestone_path"][3])


def test_the_tree_export_holds_every_run_and_each_node_is_its_childrens_sum(batch) -> None:
    root = json.loads(tree_json(batch))
    assert root["runs"] == RUNS and root["name"] == "all runs"
    labels = batch.results.milestone_labels
    seen = 0

    def check(node: dict) -> None:
        nonlocal seen
        seen += 1
        assert set(node) >= {"label", "runs", "children"}
        if node["children"]:
            assert sum(c["runs"] for c in node["children"]) == node["runs"], node["path"]
        if node["label"] in labels:
            assert node["name"] == labels[node["label"]]  # the milestone in words beside its id
        for c in node["children"]:
            check(c)

    check(root)
    assert seen > 3


def test_the_html_report_is_the_report_of_these_runs(batch) -> None:
    page = report_html(batch).decode()
    assert page.startswith("<!DOCTYPE html>")
    for section in (
        "Outcomes",
        "Branches",
        "Over time",
        "Milestones",
        "Drivers",
        "How to read this",
    ):
        assert f">{section}</h2>" in page, section
    assert f"Monte Carlo report · {RUNS} runs" in page
    assert "<script src=" not in page  # offline: plotly.js is inline


def test_each_export_is_named_for_what_it_holds(batch) -> None:
    names = [export_name(batch, what, ext) for what, ext, *_ in EXPORTS]
    assert names == [
        f"syria_dec2024-{RUNS}-runs-seed-5-runs.csv",
        f"syria_dec2024-{RUNS}-runs-seed-5-runs.parquet",
        f"syria_dec2024-{RUNS}-runs-seed-5-branch-tree.json",
        f"syria_dec2024-{RUNS}-runs-seed-5-report.html",
    ]


# ---------------------------------------------------------------- the pair table's numbers

LABELS = {"deal": "A deal is signed", "no_deal": "No deal, the talks are frozen"}
MANIFEST = {
    "resolved_scenario": {
        "outcomes": [{"id": k, "label": v} for k, v in LABELS.items()],
        "milestones": [{"id": "met", "label": "The parties meet"}],
    }
}


def _results(deals: int, n: int, met: int) -> Results:
    """n runs: `deals` end in a deal, the rest without; `met` of them reach the milestone."""
    table = pa.table(
        {
            "run_id": list(range(n)),
            "seed": [1000 + i for i in range(n)],
            "outcome": ["deal"] * deals + ["no_deal"] * (n - deals),
            "day_met": [3] * met + [None] * (n - met),
        }
    )
    return Results.from_table(table, MANIFEST)


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson's score interval written out from Wilson (1927), z for 95%."""
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _fisher_two_sided(k1: int, n1: int, k2: int, n2: int) -> float:
    """Fisher's exact test from the hypergeometric distribution: the chance, with the margins fixed, of
    a table no more likely than the one seen."""
    total, successes = n1 + n2, k1 + k2
    dist = stats.hypergeom(total, successes, n1)
    seen = dist.pmf(k1)
    tables = range(max(0, successes - n2), min(n1, successes) + 1)
    return float(sum(dist.pmf(x) for x in tables if dist.pmf(x) <= seen * (1 + 1e-7)))


def test_the_pair_rows_hold_each_share_its_interval_the_difference_and_the_test() -> None:
    a, b = _results(deals=3, n=20, met=5), _results(deals=12, n=20, met=15)
    rows = {r.id: r for r in outcome_pairs(a, b)}
    assert set(rows) == {"deal", "no_deal"}
    deal = rows["deal"]
    assert deal.label == LABELS["deal"]
    assert (deal.a.k, deal.a.n, deal.b.k, deal.b.n) == (3, 20, 12, 20)
    assert deal.a.interval == pytest.approx(_wilson(3, 20), abs=1e-9)
    assert deal.b.interval == pytest.approx(_wilson(12, 20), abs=1e-9)
    assert deal.difference == pytest.approx(45.0)
    p = _fisher_two_sided(3, 20, 12, 20)
    assert deal.p_value == pytest.approx(p, rel=1e-6)
    assert deal.p_value == pytest.approx(stats.fisher_exact([[3, 17], [12, 8]]).pvalue, rel=1e-9)
    assert p < 0.05 and deal.verdict() == f"larger than chance (p = {p:.3f})"
    assert deal.difference_text() == "+45.0 points"
    assert rows["no_deal"].difference_text() == "−45.0 points"

    (met,) = milestone_pairs(a, b)
    assert (met.label, met.a.k, met.b.k) == ("The parties meet", 5, 15)
    assert met.p_value == pytest.approx(_fisher_two_sided(5, 20, 15, 20), rel=1e-6)


def test_a_small_difference_is_said_to_be_within_chance() -> None:
    a, b = _results(deals=9, n=20, met=0), _results(deals=11, n=20, met=0)
    deal = next(r for r in outcome_pairs(a, b) if r.id == "deal")
    p = _fisher_two_sided(9, 20, 11, 20)
    assert p > 0.05 and deal.verdict() == f"within chance (p = {p:.3f})"
    assert milestone_pairs(a, b) == []  # reached in neither: no row


def test_the_numbers_match_published_examples() -> None:
    """Newcombe (1998), Statistics in Medicine 17: 857-872, table I: 81 of 263 has the Wilson interval
    0.2553 to 0.3662. Fisher (1935), the lady tasting tea: 3 of 4 right against 1 of 4, p = 0.4857."""
    assert Share(81, 263).interval == pytest.approx((0.2553, 0.3662), abs=5e-5)
    from viz.pairs import two_proportion_p

    assert two_proportion_p(Share(3, 4), Share(1, 4)) == pytest.approx(0.4857, abs=5e-5)


def test_the_pair_table_and_chart_name_outcomes_by_their_labels_uncut() -> None:
    a, b = _results(deals=3, n=20, met=5), _results(deals=12, n=20, met=15)
    rows = outcome_pairs(a, b)
    page = pair_table_html(rows, "A: as it stands", "B: changed")
    for r in rows:
        assert f'title="{r.id}">{r.label}</td>' in page  # the label shown, the id in a tooltip
    assert "…" not in page
    assert "15.0% (5.2 – 36.0%)" in page  # 3 of 20 with its interval
    fig = pair_figure(rows, "A: as it stands", "B: changed", "Outcomes side by side")
    assert (
        fig.layout.width is None and fig.layout.yaxis.automargin is True
    )  # sized by its container
    shown = {y.replace("<br>", " ") for trace in fig.data for y in trace.y}
    assert shown == set(LABELS.values())
    assert [t.name for t in fig.data] == ["A: as it stands", "B: changed"]


# ---------------------------------------------------------------- words, not ids


def test_the_tabs_words_are_the_scenarios_labels(batch) -> None:
    words = Words.of(batch.results.scenario)
    assert words.force("collapse:passage") == (
        "the talks collapse at “Safe passage: Russia, Turkey, the SNA and the authorities”"
    )
    assert words.force("breach:bases:russia").startswith("Russian Federation breaks the agreement")
    round_ = {"kind": "round", "day": 1, "table": "passage", "proposer": "turkey",
              "offer": {"kurdish_file": "acquiesce", "northern_corridor": "escorted"},
              "answers": {"turkey": True, "russia": False}, "passed": False}  # fmt: skip
    from wargame.presentation.narrative import Names

    said = words.record(round_, Names(words.actors))
    assert "kurdish_file" not in said and "acquiesce" not in said
    assert "Russia's stance on Turkish and SNA operations against the SDF: Acquiesce" in said
    assert short_seed(4215923173971654960) == "…654960" and short_seed(42) == "42"
