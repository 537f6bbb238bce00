"""Hostile and careless input: every bad file is a clear error (exit 2, file and line), nothing hangs or
eats memory, and a property test hunts for inputs that would still end in an internal error."""

from __future__ import annotations

import contextlib
import io
import os
import random
import signal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import MINI
from wargame.cli import main
from wargame.language.yaml_source import MAX_BYTES, MAX_DEPTH, MAX_NODES


def validate(path: Path | str, *extra: str) -> tuple[int, str]:
    err = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        rc = main(["validate", str(path), *extra])
    return rc, err.getvalue()


def mini_text() -> str:
    return MINI.read_text()


def write(workspace: Path, text: str) -> Path:
    path = workspace / "scenario.yaml"
    path.write_text(text)
    return path


class Timeout(Exception):
    pass


@contextlib.contextmanager
def within(seconds: int):
    """Fail the test if the block takes longer (nothing may hang)."""

    def stop(signum, frame):
        raise Timeout(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_an_alias_bomb_is_stopped_at_the_node_limit(workspace):
    """A few hundred bytes of nested aliases would expand to 9^9 values."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    path = write(workspace, "\n".join(lines) + "\n")
    assert len(path.read_bytes()) < 600
    with within(10):
        rc, err = validate(path)
    assert rc == 2 and f"at most {MAX_NODES:,} values" in err and "scenario.yaml:1" in err


def test_an_alias_that_contains_itself(workspace):
    rc, err = validate(write(workspace, "a: &a [*a]\n"))
    assert rc == 2 and "an alias that contains itself" in err


@pytest.mark.parametrize("depth", [MAX_DEPTH + 5, 5000])
def test_nesting_too_deep(workspace, depth):
    rc, err = validate(write(workspace, "x: " + "[" * depth + "]" * depth + "\n"))
    assert rc == 2 and "nested too deeply" in err


def test_a_file_too_large(workspace):
    path = write(workspace, "# " + "x" * MAX_BYTES + "\n")
    rc, err = validate(path)
    assert rc == 2 and "file too large" in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_not_read():
    with within(10):
        rc, err = validate("/dev/zero")
    assert rc == 2 and "not a regular file" in err


def test_a_pipe_is_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with within(10):
        rc, err = validate(fifo)
    assert rc == 2 and "not a regular file" in err


def test_a_dangling_link_and_a_loop_of_links(tmp_path):
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "nowhere.yaml")
    rc, err = validate(dangling)
    assert rc == 2 and "a link to nothing" in err
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.symlink_to(b)
    b.symlink_to(a)
    rc, err = validate(a)
    assert rc == 2 and "cannot be read" in err


def test_a_broken_profile_link_is_not_replaced_by_the_bundled_profile(workspace):
    red = workspace / "actors" / "red.yaml"
    red.unlink()
    red.symlink_to(workspace / "actors" / "gone.yaml")
    rc, err = validate(workspace / "scenario.yaml")
    assert rc == 2 and "red.yaml" in err and "a link to nothing" in err


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("start_date: 2024-12-08", "start_date: 2024-02-30", "not a valid value"),
        ("horizon_days: 30", "horizon_days: !!int abc", "not a valid value"),
        ("hazard: 0.1", "hazard: .nan", "not a finite number"),
        ("base_risk: 0.3}", "base_risk: .inf}", "not a finite number"),
        (
            "personnel: 100, equipment_t: 20",
            "personnel: 100000000000000000000, equipment_t: 20",
            "personnel",
        ),
        ("sorties_per_day: {home: 0.5}", "sorties_per_day: {home: .inf}", "not a finite number"),
        ("sorties_per_day: {home: 0.5}", "sorties_per_day: {home: 500}", "sorties_per_day"),
        ("participants: [red, blue, green]", "participants: [red, red, green]", "sits at it twice"),
        (
            "    deadline_day: 20\n",
            "    opens_day: 5\n    deadline_day: 2\n",
            "deadline is before the talks open",
        ),
        (
            "when: [{interior_cleared: true}]}",
            "when: [{level: {issue: route, at_least: 7}}]}",
            "level",
        ),
    ],
)
def test_each_careless_value_is_a_clear_error(workspace, old, new, message):
    text = mini_text()
    assert old in text, old
    rc, err = validate(write(workspace, text.replace(old, new, 1)))
    assert rc == 2 and message in err and "scenario.yaml:" in err and "Traceback" not in err


def test_a_value_map_is_checked(workspace):
    red = workspace / "actors" / "red.yaml"
    text = red.read_text().replace(
        "route: {ideal: open, salience: 0.7}",
        "route: {ideal: open, salience: 0.7, values: {open: 1.0, escortd: 0.5}}",
    )
    red.write_text(text)
    rc, err = validate(workspace / "scenario.yaml")
    assert rc == 2 and "'escortd', which is no level of 'route'" in err and "escorted" in err
    red.write_text(text.replace("escortd: 0.5", "escorted: 1.5"))
    rc, err = validate(workspace / "scenario.yaml")
    assert rc == 2 and "values.escorted" in err


def test_trust_towards_an_actor_with_no_profile(workspace):
    blue = workspace / "actors" / "blue.yaml"
    blue.write_text(blue.read_text().replace("trust: {red: 0.2}", "trust: {red: 0.2, rde: 0.1}"))
    rc, err = validate(workspace / "scenario.yaml")
    assert (
        rc == 2 and "trust towards 'rde', who has no profile" in err and "did you mean 'red'" in err
    )


# ---------------------------------------------------------------- a property test that hunts


def leaves(data, path=()):
    """Every (path, value) of a nested structure, in a fixed order."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from leaves(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from leaves(v, (*path, i))
    yield path, data


def put(data, path, value):
    target = data
    for part in path[:-1]:
        target = target[part]
    if isinstance(target, dict | list):
        target[path[-1]] = value


HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(
        ["red", "blue", "green", "nobody", "outpost", "hub", "deal", "route", "open", ""]
    ),
)


SET_PATHS = [
    "horizon_days",
    "convoy_km_per_day",
    "tables.deal.deadline_day",
    "tables.deal.discount",
    "tables.deal.rule",
    "actors.red.time_pressure",
    "actors.blue.strategy.name",
    "sites.outpost.personnel",
    "sites.hub.residual",
    "aircraft.lifter.count",
    "events.raid.hazard",
    "guarantees",
]


def mutate(data, seed: int, value, delete: bool) -> None:
    places = [p for p, _ in leaves(data) if p]
    path = random.Random(seed).choice(places)
    if delete and isinstance(path[-1], str):
        target = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]
    else:
        put(data, path, value)


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.sampled_from(["scenario", "profile", "set"]),
    seed=st.integers(min_value=0, max_value=10**9),
    value=HOSTILE,
    delete=st.booleans(),
)
def test_mutated_input_is_accepted_or_refused_clearly(workspace, target, seed, value, delete):
    """Hypothesis mutates the input: one field of the scenario or of a profile replaced by a value of any
    type (or deleted), or a `--set` of any value on a real path. validate either accepts it, and then a run
    of it works, or refuses it with exit 2, naming the file or the flag; never exit 1 (an internal error),
    within seconds."""
    scenario = workspace / "scenario.yaml"
    # the workspace outlives one example: start each from the original files
    scenario.write_text(mini_text())
    red = workspace / "actors" / "red.yaml"
    red.write_text((MINI.parents[1] / "actors" / "red.yaml").read_text())
    extra: list[str] = []
    try:
        if target == "set":
            text = (
                yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
            )
            extra = ["--set", f"{random.Random(seed).choice(SET_PATHS)}={text}"]
        else:
            file = scenario if target == "scenario" else workspace / "actors" / "red.yaml"
            data = yaml.safe_load(file.read_text())
            mutate(data, seed, value, delete)
            file.write_text(yaml.safe_dump(data, allow_unicode=True))
    except (ValueError, yaml.YAMLError):
        return  # not writable as YAML at all
    with within(20):
        rc, err = validate(scenario, *extra)
        assert rc in (0, 2), err
        if rc == 2:
            assert "scenario.yaml" in err or "red.yaml" in err or "--set" in err, err
            assert "internal error" not in err and "Traceback" not in err
        else:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()) as e,
            ):
                run_rc = main(["run", str(scenario), "--seed", "1", "--days", "5", *extra])
            assert run_rc == 0, e.getvalue()


def test_the_same_sweep_path_twice(tmp_path):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(
            [
                "mc", "classroom_passage", "--runs", "2", "--out", str(tmp_path / "mc"),
                "--sweep", "tables.passage.deadline_day=10:20:2",
                "--sweep", "tables.passage.deadline_day=10:20:2",
            ]
        )  # fmt: skip
    assert rc == 2 and "swept twice" in err.getvalue()
    assert not (tmp_path / "mc").exists()


def cli(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(list(argv))
    return rc, err.getvalue()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mc", str(MINI), "--runs", "1000000000000", "--out", "{tmp}/a"], "--runs"),
        (
            [
                "mc",
                str(MINI),
                "--runs",
                "1",
                "--sweep",
                "actors.red.time_pressure=0:1:1000000000",
                "--out",
                "{tmp}/b",
            ],
            "COUNT from 1 to 100,000",
        ),
        (
            ["mc", str(MINI), "--runs", "2", "--points", "5", "--out", "{tmp}/c"],
            "--points counts Latin hypercube points",
        ),
        (
            ["mc", str(MINI), "--runs", "2", "--design", "lhs", "--out", "{tmp}/d"],
            "needs something to sweep",
        ),
        (
            ["mc", str(MINI), "--runs", "2", "--sweep", "horizon_days=1:2:4", "--out", "{tmp}/e"],
            "more whole-number points",
        ),
        (
            [
                "mc",
                str(MINI),
                "--runs",
                "2",
                "--sweep",
                "horizon_days=10:20:2",
                "--set",
                "horizon_days=15",
                "--out",
                "{tmp}/f",
            ],
            "both swept and --set",
        ),
        (
            ["validate", str(MINI), "--set", "horizon_days=5", "--set", "horizon_days=9"],
            "set twice",
        ),
        (["run", str(MINI), "--days", "100000000000"], "--days"),
        (["validate", str(MINI), "--set", "start_date=2024-02-30"], "--set start_date"),
        (
            ["validate", str(MINI), "--set", "start_date=9999-12-31"],
            "start date between 1900 and 2200",
        ),
        (["validate", str(MINI), "--set", "title=" + "[" * 5000], "nested too deeply"),
        (["report", "{tmp}", "--html", "{tmp}/r.html", "--min-share", "nan"], "--min-share"),
    ],
)
def test_the_command_line_refuses_what_would_fill_memory_or_be_ignored(tmp_path, argv, message):
    """A typing slip that would fill memory before anything runs, an option that would be ignored or
    overridden without a word, or a bad value in --set: each an exit 2 naming the flag, nothing made."""
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    with within(20):
        rc, err = cli(*argv)
    assert rc == 2 and message in err and "internal error" not in err, err
    assert not any(p.name in "abcdef" for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "outcomes:\n",
            "outcomes:\n  - {id: any, label: Any}\n",
            "has no conditions but is not the last",
        ),
        ("agenda: [route, price]", "agenda: [route, price, route]", "'route' is listed twice"),
    ],
)
def test_scenario_mistakes_that_would_change_results_silently(workspace, old, new, message):
    rc, err = validate(write(workspace, mini_text().replace(old, new, 1)))
    assert rc == 2 and message in err


def test_profile_mistakes_that_would_change_results_silently(workspace):
    blue = workspace / "actors" / "blue.yaml"
    original = blue.read_text()
    blue.write_text(
        original.replace(
            "priors:\n", "priors:\n  resolve: {dist: uniform, low: 5, high: 9, source: test}\n"
        )
    )
    rc, err = validate(workspace / "scenario.yaml")
    assert rc == 2 and "priors.resolve must lie in [0, 1]" in err
    blue.write_text(original)
    red = workspace / "actors" / "red.yaml"
    red.write_text(
        red.read_text().replace(
            "route: {ideal: open, salience: 0.7}",
            "route: {ideal: open, salience: 0.7, values: {open: 1.0}}",
        )
    )
    rc, err = validate(workspace / "scenario.yaml")
    assert rc == 2 and "leaves out closed, escorted" in err


def test_an_overflight_effect_names_a_grantor_of_the_route(tmp_path):
    source = Path(__file__).parents[1] / "scenarios" / "syria_dec2024.yaml"
    text = source.read_text()
    assert "overflight: {route: qamishli_route, open: false}" in text
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        text.replace(
            "overflight: {route: qamishli_route, open: false}",
            "overflight: {route: qamishli_route, open: false, by: irak}",
            1,
        )
    )
    (tmp_path / "actors").symlink_to(source.parents[1] / "actors")
    rc, err = validate(scenario)
    assert rc == 2 and "overflight grantor 'irak'" in err and "did you mean 'iraq'" in err


def test_a_damaged_manifest_or_runs_table_is_a_clear_error(tmp_path):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "mc"
    assert cli("mc", str(MINI), "--runs", "4", "--out", str(out), "--no-progress")[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    for field, value in (
        ("runs", "many"),
        ("days", -3),
        ("points", [{"horizon_days": "x"}, 1]),
        ("points", [{"horizon_days": "x"}]),
    ):
        edited = json.loads(json.dumps(manifest))
        edited["plan"][field] = value
        (out / "manifest.json").write_text(json.dumps(edited))
        rc, err = cli("mc", "--resume", str(out), "--no-progress")
        assert rc == 2 and "manifest is damaged" in err, (field, err)
    pq.write_table(pa.table({"x": [1, 2]}), out / "runs.parquet")
    for argv in (["tree", str(out)], ["report", str(out), "--html", str(tmp_path / "r.html")]):
        rc, err = cli(*argv)
        assert rc == 2 and "not a Monte Carlo results table" in err, err
