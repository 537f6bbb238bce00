"""Bad scenario and profile files: one clear message (file, line, field, expected, found), exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wargame.cli import main


def validate(path: Path, capsys, *extra: str) -> tuple[int, str]:
    rc = main(["validate", str(path), *extra])
    err = capsys.readouterr().err
    return rc, err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"test fixture lacks {old!r}"
    path.write_text(text.replace(old, new, 1))


def test_the_fixture_itself_is_valid(workspace, capsys):
    rc = main(["validate", str(workspace / "scenario.yaml")])
    assert rc == 0
    assert "ok" in capsys.readouterr().out


def test_yaml_syntax_error_names_file_and_line(workspace, capsys):
    edit(workspace / "scenario.yaml", "agenda: [route, price]", "agenda: [route, price")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2
    assert "scenario.yaml:" in err and "YAML syntax error" in err
    assert "Traceback" not in err


def test_empty_file(workspace, capsys):
    (workspace / "scenario.yaml").write_text("")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "scenario.yaml:1: file is empty" in err


def test_missing_file(tmp_path, capsys):
    rc, err = validate(tmp_path / "absent.yaml", capsys)
    assert rc == 2 and "absent.yaml: file not found" in err


def test_top_level_not_a_mapping(workspace, capsys):
    (workspace / "scenario.yaml").write_text("- one\n- two\n")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "top level must be a mapping" in err and "found a list" in err


def test_unknown_key_suggests_the_near_miss(workspace, capsys):
    edit(workspace / "scenario.yaml", "horizon_days: 30", "horizon_dayz: 30")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2
    assert "scenario.yaml:5: unknown key 'horizon_dayz'" in err
    assert "did you mean 'horizon_days'?" in err


def test_unknown_key_inside_a_profile_names_the_profile_file(workspace, capsys):
    edit(workspace / "actors" / "blue.yaml", "time_pressure: 0.3", "time_presure: 0.3")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2
    assert (
        "blue.yaml:7: unknown key 'time_presure'" in err and "did you mean 'time_pressure'?" in err
    )


def test_wrong_type(workspace, capsys):
    edit(workspace / "scenario.yaml", "horizon_days: 30", "horizon_days: thirty")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2
    assert "scenario.yaml:5: wrong type (field 'horizon_days')" in err and "found 'thirty'" in err


def test_value_out_of_range(workspace, capsys):
    edit(workspace / "scenario.yaml", "base_risk: 0.05", "base_risk: 1.5")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2
    assert "value out of range (field 'roads[1].base_risk')" in err and "found 1.5" in err
    assert "scenario.yaml:28" in err


@pytest.mark.parametrize(
    ("old", "new", "kind", "field", "suggestion"),
    [
        (
            "held_by: blue, base_risk: 0.05",
            "held_by: blu, base_risk: 0.05",
            "actor",
            "roads[1].held_by",
            "blue",
        ),
        ("from: town, to: hub", "from: town, to: hubb", "site", "roads[1].to", "hub"),
        (
            "agenda: [route, price]",
            "agenda: [route, prize]",
            "issue",
            "tables[0].agenda[1]",
            "price",
        ),
        (
            "participants: [red, blue, green]",
            "participants: [red, blue, gren]",
            "actor",
            "tables[0].participants[2]",
            "green",
        ),
    ],
)
def test_reference_to_undefined_thing(workspace, capsys, old, new, kind, field, suggestion):
    edit(workspace / "scenario.yaml", old, new)
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2
    assert f"reference to undefined {kind}" in err and f"(field '{field}')" in err
    assert f"did you mean '{suggestion}'?" in err


def test_undefined_actor_profile(workspace, capsys):
    edit(workspace / "scenario.yaml", "- profile: green", "- profile: gren")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "no actor profile 'gren'" in err and "did you mean 'green'?" in err


def test_duplicate_id(workspace, capsys):
    edit(workspace / "scenario.yaml", "{id: r2,", "{id: r1,")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "duplicate id 'r1' in roads" in err and "scenario.yaml:28" in err


def test_duplicate_yaml_key(workspace, capsys):
    edit(workspace / "scenario.yaml", "horizon_days: 30", "horizon_days: 30\nhorizon_days: 40")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "duplicate key" in err and "first on line 5" in err


def test_object_constructing_tag_is_refused(workspace, capsys):
    edit(
        workspace / "scenario.yaml",
        "title: Mini test crisis",
        "title: !!python/object/apply:os.system ['echo pwned']",
    )
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "YAML tag not allowed" in err and "python/object" in err


def test_distribution_with_impossible_bounds(workspace, capsys):
    edit(workspace / "actors" / "red.yaml", "low: 0.2, high: 0.8", "low: 0.9, high: 0.8")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "red.yaml:14: impossible bounds" in err and "priors.resolve" in err


def test_normal_prior_with_no_mass_in_bounds(workspace, capsys):
    edit(workspace / "actors" / "blue.yaml", "mean: 0.3, sd: 0.1", "mean: 5.0, sd: 0.1")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "impossible bounds" in err and "holds no mass" in err


def test_misspelt_distribution(workspace, capsys):
    edit(workspace / "actors" / "red.yaml", "dist: uniform", "dist: unifrom")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "unknown distribution" in err and "did you mean 'uniform'?" in err


def test_bad_override_is_blamed_on_set(workspace, capsys):
    rc, err = validate(workspace / "scenario.yaml", capsys, "--set", "actors.red.time_pressure=2")
    assert rc == 2 and err.startswith("error: --set actors.red.time_pressure: value out of range")


def test_override_of_unknown_item(workspace, capsys):
    rc, err = validate(workspace / "scenario.yaml", capsys, "--set", "sites.hubb.personnel=3")
    assert rc == 2 and "no item 'hubb' in 'sites'" in err and "did you mean 'hub'?" in err


def test_unknown_scenario_name(capsys):
    rc = main(["run", "syria_dec2042"])
    err = capsys.readouterr().err
    assert rc == 2 and "no such scenario" in err and "did you mean 'syria_dec2024'?" in err


def test_real_process_exits_2_without_traceback(workspace):
    edit(workspace / "scenario.yaml", "horizon_days: 30", "horizon_days: [")
    proc = subprocess.run(
        [sys.executable, "-m", "wargame.cli", "run", str(workspace / "scenario.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "scenario.yaml:" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "personnel: 500, equipment_t: 100, garrison: red",
            "personnel: 500, residual: 900, equipment_t: 100, garrison: red",
            "the residual is more than is there",
        ),
        (
            "personnel: 100, equipment_t: 20, garrison: red",
            "personnel: 100, residual: 50, equipment_t: 20, garrison: red",
            "only a base keeps a residual garrison",
        ),
        (
            "{id: home, from: hub, to: home, km: 4000}",
            "{id: home, from: hub, to: home, km: 4000, mode: sea}",
            "leaves from a site that is no port",
        ),
        (
            "    deadline_day: 20\n",
            "    deadline_day: 20\n    deadlines: {red: 0}\n",
            "a deadline before the talks open",
        ),
        (
            "    deadline_day: 20\n",
            "    deadline_day: 20\n    enforcers: [{actor: blue, imposes: {route: closed}, cost: 0.5}]\n",
            "enforcers force a change from a status quo",
        ),
        (
            "    deadline_day: 20\n",
            "    deadline_day: 20\n    status_quo: {route: closed}\n"
            "    enforcers: [{actor: blue, imposes: {route: closed}, cost: 0.5},"
            " {actor: blue, imposes: {route: open}, cost: 0.1}]\n",
            "'blue' is an enforcer twice",
        ),
        (
            "    deadline_day: 20\n",
            "    deadline_day: 20\n    signing_costs: {gren: {dist: fixed, value: 0.1, source: test}}\n",
            "reference to undefined participant",
        ),
        (
            "    deadline_day: 20\n",
            "    deadline_day: 20\n"
            "    signing_costs: {blue: {dist: uniform, low: 0.2, high: 1.4, source: test}}\n",
            "signing_costs.blue must lie in [0, 1]",
        ),
        (
            "personnel: 500, equipment_t: 100, garrison: red",
            "personnel: {dist: uniform, low: -50, high: 500, source: test}, equipment_t: 100, "
            "garrison: red",
            "the prior of personnel (a count of people) reaches outside [0, 1,000,000]",
        ),
        (
            "personnel: 500, equipment_t: 100, garrison: red",
            "personnel: {dist: uniform, low: 300, high: 900, source: test}, residual: 400, "
            "equipment_t: 100, garrison: red",
            "the residual is more than is there in some runs (personnel is drawn from 300 up)",
        ),
        (
            "personnel: 500, equipment_t: 100, garrison: red",
            "personnel: {dist: unifrom, low: 300, high: 900, source: test}, equipment_t: 100, "
            "garrison: red",
            "unknown distribution (field 'sites[0].personnel')",
        ),
        (
            "base_risk: 0.05}",
            "base_risk: 0.05, capacity_per_day: 0}",
            "value out of range (field 'roads[1].capacity_per_day')",
        ),
        (
            "{trust: {from: red, to: green, delta: -0.1}}",
            "{road_open: {segment: r22, open: true}}",
            "reference to undefined road 'r22' (field 'events[0].effects[1].road_open.segment')",
        ),
    ],
)
def test_the_ground_and_talks_fields_used_wrongly(workspace, capsys, old, new, message):
    """A residual garrison where none can be, a sea lane from no port, a deadline before the talks open,
    enforcers without a status quo or twice, a signing cost for someone not at the table or beyond [0, 1],
    a count drawn from a prior that is no count (or below the residual), a road that lets nobody through,
    a road_open effect on a road that is not there: each a clear error at validation, never later."""
    edit(workspace / "scenario.yaml", old, new)
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and message in err and "scenario.yaml:" in err and "Traceback" not in err


def test_a_fleet_on_a_route_of_the_other_mode(workspace, capsys):
    edit(
        workspace / "scenario.yaml",
        "{type: lifter, operator: red,",
        "{type: lifter, mode: sea, operator: red,",
    )
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "cannot use air route 'home'" in err


def test_terms_beyond_the_budget(tmp_path, capsys):
    """A status quo that spends more than the table's budget is refused by validate, not by the run."""
    source = Path(__file__).parents[1] / "scenarios" / "textbook_baron_ferejohn.yaml"
    text = source.read_text().replace(
        "    discount: 0.9\n",
        "    discount: 0.9\n    status_quo: {share_1: 0.8, share_2: 0.8, share_3: 0}\n",
    )
    scenario = tmp_path / "bf.yaml"
    scenario.write_text(text)
    (tmp_path / "actors").symlink_to(source.parents[1] / "actors")
    rc, err = validate(scenario, capsys)
    assert rc == 2 and "spend more than the budget" in err and "bf.yaml:" in err


def test_an_agenda_too_large_to_list_is_refused_by_validate(tmp_path, capsys):
    """An agenda with more offers than a table lists, and no budget split to make them as needed, is a
    clear error at validation (file, line, size), never an internal error when a run starts."""
    source = Path(__file__).parents[1] / "scenarios" / "textbook_baron_ferejohn.yaml"
    text = source.read_text().replace("steps: 21", "steps: 1001")
    text = text.replace("    budget: {issues: [share_1, share_2, share_3], total: 1.0}\n", "")
    scenario = tmp_path / "fine.yaml"
    scenario.write_text(text)
    (tmp_path / "actors").symlink_to(source.parents[1] / "actors")
    rc, err = validate(scenario, capsys)
    assert rc == 2 and "too many offers to list" in err and "fine.yaml:" in err
    assert "1,003,003,001" in err and "Traceback" not in err


def test_a_fine_budget_split_with_a_mediator_is_refused(tmp_path, capsys):
    """A budget split too fine to list has no steps for a mediator's text to move along."""
    source = Path(__file__).parents[1] / "scenarios" / "textbook_baron_ferejohn.yaml"
    text = source.read_text().replace("steps: 21", "steps: 1001")
    text = text.replace(
        "    proposer: capability\n",
        "    proposer: capability\n    protocol: single_text\n    mediator: legislator_1\n",
    )
    scenario = tmp_path / "mediated.yaml"
    scenario.write_text(text)
    (tmp_path / "actors").symlink_to(source.parents[1] / "actors")
    rc, err = validate(scenario, capsys)
    assert rc == 2 and "a mediator amends a text" in err and "mediated.yaml:" in err


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    deadline_day: 20\n",
            "    deadline_day: 20\n    no_deal_cost: {red: 0.2}\n",
            "no_deal_cost without a no_deal outcome",
        ),
        (
            "    deadline_day: 20\n",
            "    deadline_day: 20\n    mediator: blue\n",
            "a mediator drafts texts only under single_text",
        ),
        (
            "    deadline_day: 20\n",
            "    hard_deadline: true\n",
            "a hard deadline needs a deadline_day",
        ),
    ],
)
def test_a_field_the_model_would_ignore_is_an_error(workspace, capsys, old, new, message):
    edit(workspace / "scenario.yaml", old, new)
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and message in err and "Traceback" not in err


def test_an_outside_option_written_two_ways_is_an_error(workspace, capsys):
    """A profile with both a known outside option and a prior for it: one of them would be ignored."""
    red = workspace / "actors" / "red.yaml"
    red.write_text(red.read_text() + "outside_option: 0.4\n")
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "written one way" in err and "red.yaml" in err


def test_a_strategy_parameter_it_does_not_take(workspace, capsys):
    rc, err = validate(
        workspace / "scenario.yaml", capsys, "--set", "actors.red.strategy.params.exponent=3"
    )
    assert rc == 2 and "takes no parameter exponent" in err


def test_a_two_party_strategy_at_a_larger_table(workspace, capsys):
    rc, err = validate(
        workspace / "scenario.yaml", capsys, "--set", "actors.red.strategy.name=rubinstein"
    )
    assert rc == 2 and "is for two-party tables" in err and "'deal' seats 3" in err


def test_set_reaches_aircraft_by_their_type(workspace, capsys):
    """Aircraft are named by their type, as actors by their profile and the rest by id."""
    rc = main(["validate", str(workspace / "scenario.yaml"), "--set", "aircraft.lifter.count=3"])
    assert rc == 0
    capsys.readouterr()
    rc, err = validate(workspace / "scenario.yaml", capsys, "--set", "aircraft.liftr.count=3")
    assert rc == 2 and "expected one of: lifter" in err and "did you mean 'lifter'" in err


def test_an_override_in_the_scenario_is_blamed_on_the_scenario(workspace, capsys):
    edit(
        workspace / "scenario.yaml",
        "  - profile: red\n",
        "  - profile: red\n    overrides: {time_pressure: 7}\n",
    )
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "scenario.yaml:" in err and "red.yaml" not in err and "time_pressure" in err


MAP = "map:\n  label: Mini land\n  outline: [[35.5, 35.0], [37.5, 35.0], [37.5, 36.5], [35.5, 36.5]]\nsites:\n"


def test_a_map_outline_is_optional_checked_and_plays_no_part_in_a_run(workspace, capsys):
    """The map is the pages' (the model never reads it): a scenario with one plays as one without, and
    its resolved hash (saves, resumed Monte Carlos) is the same."""
    from wargame.engine.scenarios import load_scenario
    from wargame.language.scenario import resolved_hash

    plain = load_scenario(workspace / "scenario.yaml")
    edit(workspace / "scenario.yaml", "sites:\n", MAP)
    rc, _ = validate(workspace / "scenario.yaml", capsys)
    assert rc == 0
    drawn = load_scenario(workspace / "scenario.yaml")
    assert drawn.spec.map.label == "Mini land" and len(drawn.spec.map.outline) == 4
    assert "map" not in plain.resolved() and "map" in drawn.resolved()
    assert resolved_hash(drawn) == resolved_hash(plain)


@pytest.mark.parametrize(
    "outline, message",
    [
        (  # written as [latitude, longitude]: the usual slip, said as such
            "[[35.0, 35.5], [35.0, 37.5], [36.5, 37.5], [36.5, 35.5]]",
            "no site lies inside the map's outline (read as [latitude, longitude] pairs, it holds",
        ),
        ("[[5, 5], [6, 5], [6, 6]]", "no site lies inside the map's outline (field 'map.outline')"),
        ("[[35.5, 35.0], [37.5, 35.0]]", "List should have at least 3 items"),
        ("[[35.5, 35.0], [37.5, 35.0], [37.5, 36.5, 0]]", "(field 'map.outline[2]')"),
        ("[[35.5, 35.0], [37.5, 95.0], [37.5, 36.5]]", "(field 'map.outline[1][1]')"),
        ("[[35.0, 35.0], [36.0, 36.0], [37.0, 37.0]]", "its 3 points lie on one line"),
    ],
)
def test_a_bad_map_outline_is_named_at_its_line(workspace, capsys, outline, message):
    edit(
        workspace / "scenario.yaml",
        "sites:\n",
        f"map:\n  label: Mini land\n  outline: {outline}\nsites:\n",
    )
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and message in err and "Traceback" not in err, err
    assert "scenario.yaml:23:" in err  # the outline's line


def test_a_misspelt_map_key_suggests_the_near_miss(workspace, capsys):
    edit(workspace / "scenario.yaml", "sites:\n", MAP.replace("label:", "lable:"))
    rc, err = validate(workspace / "scenario.yaml", capsys)
    assert rc == 2 and "unknown key 'lable' (field 'map.lable')" in err
    assert "did you mean 'label'?" in err
