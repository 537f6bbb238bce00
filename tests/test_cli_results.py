"""The results commands end to end on a real Monte Carlo folder: tree, drivers, report."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from wargame.batch.montecarlo import Plan, monte_carlo
from wargame.engine.scenarios import load_scenario


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("mc") / "syria"
    plan = Plan(scenario=str(load_scenario("syria_dec2024").path), runs=60, seed=4)
    monte_carlo(plan, out, workers=2, progress=False)
    return out


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "wargame.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_tree_prints_and_its_json_children_sum_to_parents(results):
    text = cli("tree", str(results), "--min-share", "0.05")
    assert text.returncode == 0, text.stderr
    first = text.stdout.splitlines()[0]
    assert first.startswith("all runs") and "100.0%" in first and "n=60" in first.replace(" ", "")
    data = json.loads(cli("tree", str(results), "--json").stdout)

    def check(node):
        if node["children"]:
            assert sum(c["runs"] for c in node["children"]) == node["runs"]
        for c in node["children"]:
            check(c)

    assert data["runs"] == 60
    check(data)


def test_drivers_names_inputs_and_refuses_a_misspelt_outcome(results):
    top = json.loads(
        cli("drivers", str(results), "--outcome", "bases_kept_orderly_exit", "--json").stdout
    )
    assert top and all(d["name"].startswith(("draw_", "set_")) for d in top)
    bad = cli("drivers", str(results), "--outcome", "bases_kept_orderly_exti")
    assert bad.returncode == 2 and "did you mean 'bases_kept_orderly_exit'?" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_report_writes_one_offline_file(results, tmp_path):
    out = tmp_path / "report.html"
    proc = cli("report", str(results), "--html", str(out))
    assert proc.returncode == 0, proc.stderr
    html = out.read_text()
    assert "<script src" not in html and "Branches" in html


def test_results_commands_on_a_folder_without_results(tmp_path):
    proc = cli("tree", str(tmp_path))
    assert proc.returncode == 2 and "no Monte Carlo results here" in proc.stderr


def test_report_on_runs_without_a_manifest_is_a_clear_error(results, tmp_path):
    (tmp_path / "runs.parquet").write_bytes((results / "runs.parquet").read_bytes())
    proc = cli("report", str(tmp_path), "--html", str(tmp_path / "report.html"))
    assert proc.returncode == 2 and "not a Monte Carlo results folder" in proc.stderr
    assert "internal error" not in proc.stderr and not (tmp_path / "report.html").exists()


def test_resume_refuses_settings_it_would_ignore(results):
    before = (results / "manifest.json").read_text()
    proc = cli("mc", "--resume", str(results), "--runs", "500", "--seed", "0", "--no-progress")
    assert proc.returncode == 2 and "--resume" in proc.stderr
    assert "--runs, --seed" in proc.stderr and "Traceback" not in proc.stderr
    assert (results / "manifest.json").read_text() == before
