"""The Monte Carlo report: one self-contained HTML page, charts whose data add up, and a page that a
real browser renders (when Chromium is installed)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.offline
import pytest
from scipy import stats

from wargame.analysis.results import load_results
from wargame.analysis.statistics import fan_quantiles, milestone_day_stats, week_days, wilson
from wargame.batch.montecarlo import Plan, monte_carlo
from wargame.language.scenario import find_scenario
from wargame.presentation.report import build_report, figures, write_report

SCENARIO = str(find_scenario("syria_dec2024"))
ORDER = ("p10", "p25", "p50", "p75", "p90")


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    """60 runs over a two-point sweep of the horizon (so runs end on different days)."""
    out = tmp_path_factory.mktemp("mc") / "swept"
    points = ((("horizon_days", 45),), (("horizon_days", 90),))
    monte_carlo(Plan(scenario=SCENARIO, runs=30, seed=3, points=points), out, progress=False)
    return out


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> Path:
    """Runs cut at day 4: every one ends in the same outcome."""
    out = tmp_path_factory.mktemp("mc") / "single"
    monte_carlo(Plan(scenario=SCENARIO, runs=12, seed=3, days=4), out, progress=False)
    return out


@pytest.fixture(scope="module")
def swept_html(swept) -> str:
    return build_report(swept)


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


# ---------------------------------------------------------------- the page


def test_page_is_self_contained(swept_html):
    bundle = plotly.offline.get_plotlyjs()
    assert swept_html.count(bundle) == 1  # plotly.js inline, once
    page = swept_html.replace(bundle, "").lower()  # the bundle itself names web sites in strings
    assert page.startswith("<!doctype html>")
    assert "<script src" not in page and not re.search(r"<script[^>]*\ssrc\s*=", page)
    assert "<link" not in page  # no stylesheet, font or icon from anywhere
    assert "@import" not in page and "url(" not in page
    assert "http://" not in page and "https://" not in page  # nothing outside points at the web
    assert "cdn" not in page


def test_page_names_every_outcome_and_the_run(swept, swept_html):
    m = manifest(swept)
    for outcome in m["resolved_scenario"]["outcomes"]:
        assert html.escape(outcome["label"]) in swept_html
    assert m["resolved_scenario"]["title"] in html.unescape(swept_html)
    assert "syria_dec2024" in swept_html
    assert m["package_version"] in swept_html
    assert "horizon_days" in swept_html  # the sweep
    assert "How to read this" in swept_html
    for div in ("fig-outcomes", "fig-tree", "fig-evacuated", "fig-lost", "fig-milestone-days"):
        assert f'id="{div}"' in swept_html


def test_write_report(swept, tmp_path):
    path = write_report(swept, tmp_path / "sub" / "report.html")
    assert path.exists() and path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ---------------------------------------------------------------- the charts' data


def test_outcome_bars_count_every_run(swept):
    res = load_results(swept)
    bars = figures(swept)["outcomes"].data[0]
    assert sum(bars.x) == pytest.approx(100.0)
    assert len(bars.x) == len(res.outcome_labels)  # outcomes no run reached are shown too
    counts = res.runs["outcome"].value_counts()
    assert [c[1] for c in bars.customdata if c[1]] == sorted(counts.tolist())


def test_icicle_values_add_up(swept):
    res = load_results(swept)
    for min_share in (0.0, 0.05):
        tree = figures(res, min_share=min_share)["tree"].data[0]
        ids, parents, values = list(tree.ids), list(tree.parents), list(tree.values)
        assert len(set(ids)) == len(ids)
        assert tree.branchvalues == "total"
        assert parents.count("") == 1 and values[parents.index("")] == len(res.runs)
        assert set(parents) - {""} <= set(ids)
        value = dict(zip(ids, values, strict=True))
        children: dict[str, int] = {}
        for p, v in zip(parents, values, strict=True):
            if p:
                children[p] = children.get(p, 0) + v
        for node, total in children.items():
            assert total == value[node], node  # "(end)" and "other" make the sum exact
        assert len(tree.marker.colors) == len(ids)
        assert all(0.0 <= c <= 1.0 for c in tree.marker.colors)


def test_icicle_is_embedded_in_the_page(swept, swept_html):
    tree = figures(swept)["tree"].data[0]
    start = re.search(r'Plotly\.newPlot\(\s*"fig-tree"', swept_html).start()
    chunk = swept_html[start : swept_html.index("</script>", start)]
    decoder = json.JSONDecoder()
    embedded = {}
    for key in ("ids", "parents", "values"):
        at = chunk.index(f'"{key}":') + len(key) + 3
        embedded[key] = decoder.raw_decode(chunk, at)[0]
    assert embedded["ids"] == list(tree.ids)
    assert embedded["parents"] == list(tree.parents)
    assert embedded["values"] == list(tree.values)


def test_fans_are_ordered(swept):
    res = load_results(swept)
    figs = figures(res)
    for name, column in (("evacuated", "evacuated_by_week"), ("lost", "lost_by_week")):
        fan = fan_quantiles(res.runs[column], res.runs["days"])
        assert fan.runs == len(res.runs)
        assert fan.days == sorted(set(fan.days)) and fan.days[0] == 0 and fan.days[-1] == 90
        assert 45 in fan.days  # the shorter horizon's last day
        q = np.array([fan.quantiles[k] for k in ORDER])
        assert (np.diff(q, axis=0) >= 0).all()
        # the figure draws the same numbers: bands p10/p90, p25/p75, then the median
        traces = figs[name].data
        drawn = {
            "p10": traces[0].y,
            "p90": traces[1].y,
            "p25": traces[2].y,
            "p75": traces[3].y,
            "p50": traces[4].y,
        }
        for k in ORDER:
            assert list(drawn[k]) == pytest.approx(fan.quantiles[k])
        assert list(traces[4].x) == fan.days


def test_fan_keeps_a_finished_run_at_its_last_value():
    fan = fan_quantiles([[0, 5, 7], [0, 2, 4, 6, 8]], [10, 28])
    assert fan.days == [0, 7, 10, 14, 21, 28]
    # day 10: the first run has ended at 7, the second is still at its day-7 value 2
    assert fan.quantiles["p50"] == pytest.approx([0, 3.5, 4.5, 5.5, 6.5, 7.5])
    assert fan_quantiles([], []).days == []


def test_week_days():
    assert week_days(14, 90) == [0, 7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 90]
    assert week_days(3, 14) == [0, 7, 14]
    assert week_days(2, 4) == [0, 4]
    assert week_days(1, 0) == [0]


def test_milestone_boxes(swept):
    res = load_results(swept)
    stats_ = milestone_day_stats(res)
    box = figures(res)["milestone_days"].data[0]
    assert len(box.q1) == len(stats_) > 0
    for lo, q1, med, q3, hi in zip(
        box.lowerfence, box.q1, box.median, box.q3, box.upperfence, strict=True
    ):
        assert lo <= q1 <= med <= q3 <= hi
    reached = {
        c[4:] for c in res.runs.columns if c.startswith("day_") and res.runs[c].notna().any()
    }
    assert {s["id"] for s in stats_} == reached  # only milestones some run reaches
    for s in stats_:
        assert 0 < s["share"] <= 1
        assert s["p10"] <= s["p25"] <= s["p50"] <= s["p75"] <= s["p90"]


def test_sweep_gets_outcomes_by_point(swept):
    fig = figures(swept)["outcomes_by_point"]
    assert list(fig.data[0].x) == ["horizon_days=45", "horizon_days=90"]
    totals = np.sum([t.y for t in fig.data], axis=0)
    assert totals == pytest.approx([100.0, 100.0])


def test_drivers_for_the_most_frequent_outcome(swept, swept_html):
    res = load_results(swept)
    top = res.runs["outcome"].value_counts().index[0]
    fig = figures(res).get("drivers")
    assert fig is not None and fig.data
    assert html.escape(res.outcome_labels[top]) in swept_html
    assert 'id="fig-drivers"' in swept_html


def test_single_outcome(single):
    res = load_results(single)
    assert res.runs["outcome"].nunique() == 1
    page = build_report(single)
    figs = figures(single)
    assert "drivers" not in figs and "outcomes_by_point" not in figs
    assert "nothing for inputs to explain" in page
    assert html.escape(res.outcome_labels[res.runs["outcome"].iloc[0]]) in page
    tree = figs["tree"].data[0]
    assert tree.values[list(tree.parents).index("")] == len(res.runs)


def test_unfinished_monte_carlo_reads_its_chunks(swept, tmp_path):
    """A folder whose merge never happened: the report shows the finished chunks, with a warning."""
    folder = tmp_path / "partial"
    (folder / "chunks").mkdir(parents=True)
    runs = pd.read_parquet(swept / "runs.parquet").iloc[:20]
    runs.to_parquet(folder / "chunks" / "runs-0000000000-0000000020.parquet")
    m = manifest(swept)
    m["status"] = "interrupted"
    (folder / "manifest.json").write_text(json.dumps(m))
    res = load_results(folder)
    assert not res.complete and len(res.runs) == 20
    assert "not complete" in build_report(folder)


def test_wilson_matches_scipy():
    for k, n in ((0, 10), (3, 10), (10, 10), (163, 300)):
        ci = stats.binomtest(k, n).proportion_ci(method="wilson")
        assert wilson(k, n) == pytest.approx((ci.low, ci.high))


# ---------------------------------------------------------------- a real browser

CHROMIUM = next(
    (
        p
        for p in (
            "/usr/bin/chromium",
            shutil.which("chromium") or "",
            shutil.which("chromium-browser") or "",
        )
        if p and Path(p).exists()
    ),
    None,
)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_page_renders_in_chromium(swept, tmp_path):
    page = write_report(swept, tmp_path / "report.html")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    errors = [
        line
        for line in done.stderr.splitlines()
        if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)
    ]
    assert not errors, errors
    n_figures = len(figures(swept))
    assert dom.count('class="plot-container plotly"') == n_figures  # plotly drew every chart
    assert dom.count('class="main-svg"') >= n_figures
