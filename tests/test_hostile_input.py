"""Hostile and careless input: every bad file is a clear error (exit 2, file and line), nothing hangs or
eats memory, and a property test hunts for inputs that would still end in an internal error."""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import MINI, within
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


# ---------------------------------------------------------------- YAML that only a hostile hand writes


def line_with(text: str, needle: str) -> int:
    """The 1-based line of the first line of `text` that contains `needle`."""
    return next(i for i, row in enumerate(text.splitlines(), 1) if needle in row)


@pytest.mark.parametrize(
    ("old", "new", "field", "said"),
    [
        ("horizon_days: 30", "horizon_days: !!bool maybe", "horizon_days", "a value of type bool, found 'maybe'"),
        ("start_date: 2024-12-08", "start_date: !!timestamp soon", "start_date", "a value of type timestamp, found 'soon'"),
        ("start_date: 2024-12-08", "start_date: !!timestamp 99999-01-01", "start_date", "a value of type timestamp"),
        ("horizon_days: 30", "horizon_days: !!int abc", "horizon_days", "a value of type int, found 'abc'"),
        ("hazard: 0.1", "hazard: !!float x", "events[0].hazard", "a value of type float, found 'x'"),
        ("title: Mini test crisis", "title: !!null x", "title", "a value of type null, found 'x'"),
        ("horizon_days: 30", "horizon_days: !<tag:yaml.org,2002:bool> maybe", "horizon_days", "a value of type bool, found 'maybe'"),
        ("title: Mini test crisis", "title: !!str {a: 1}", "title", "a value of type str, found a mapping"),
        ("horizon_days: 30", "horizon_days: !!int [1]", "horizon_days", "a value of type int, found a list"),
        ("agenda: [route, price]", "agenda: !!map [route, price]", "tables[0].agenda", "a mapping, found a list"),
        ("sorties_per_day: {home: 0.5}", "sorties_per_day: !!seq {home: 0.5}", "aircraft[0].sorties_per_day", "a list, found a mapping"),
        ("title: Mini test crisis", "title: !!map x", "title", "a mapping, found 'x'"),
        ("levels:\n", "levels: !!null\n", "issues[0].levels", "a value of type null, found a list"),
        ("title: Mini test crisis", "title: !!binary aGk=", "title", "plain data"),
    ],
)  # fmt: skip
def test_an_explicit_tag_that_does_not_fit_its_value(workspace, old, new, field, said):
    """`!!bool maybe`, `!!timestamp soon`, a scalar tag on a mapping or list: refused at their line and
    field, never an internal error."""
    text = mini_text()
    assert old in text, old
    text = text.replace(old, new, 1)
    rc, err = validate(write(workspace, text))
    line = line_with(text, new.splitlines()[0])
    assert rc == 2 and "internal error" not in err, err
    assert f"scenario.yaml:{line}:" in err and f"(field '{field}')" in err and said in err, err


def test_a_tagged_set_value_is_refused_as_the_flag(workspace):
    rc, err = validate(workspace / "scenario.yaml", "--set", "horizon_days=!!bool maybe")
    assert rc == 2 and "--set horizon_days" in err and "type bool, found 'maybe'" in err, err


@pytest.mark.parametrize(
    ("char", "said"),
    [
        ("\x00", "a control character (NUL, U+0000) YAML does not allow"),
        ("\x07", "a control character (BEL, U+0007) YAML does not allow"),
        ("\x1b", "a control character (ESC, U+001B) YAML does not allow"),
        ("\x86", "a control character (U+0086) YAML does not allow"),
        ("\ufffe", "a character (U+FFFE) YAML does not allow"),
    ],
)
def test_a_character_yaml_refuses_is_named_with_its_line(workspace, char, said):
    text = mini_text().replace("narrative: A raid", f"narrative: A{char} raid", 1)
    rc, err = validate(write(workspace, text))
    line = line_with(text, "narrative: A")
    assert rc == 2 and said in err and f"scenario.yaml:{line}:" in err, err


def test_a_control_character_after_windows_line_ends_is_on_its_line(workspace):
    text = mini_text().replace("narrative: A raid", "narrative: A\x00 raid", 1)
    line = line_with(text, "narrative: A")
    rc, err = validate(write(workspace, text.replace("\n", "\r\n")))
    assert rc == 2 and "NUL, U+0000" in err and f"scenario.yaml:{line}:" in err, err


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("id: x\ntitle: " + "[" * 100_000 + "\n", 2, "title" + "[0]" * MAX_DEPTH),
        ("id: x\ntitle: " + "{a: " * 100_000 + "\n", 2, "title" + ".a" * (MAX_DEPTH - 1)),
        (
            "id: x\n" + "".join("  " * i + f"k{i}:\n" for i in range(500)) + "  " * 500 + "x\n",
            MAX_DEPTH + 2,  # the key k40, whose mapping (the field) is 40 deep
            ".".join(f"k{i}" for i in range(MAX_DEPTH)),
        ),
        ("- " * 5000 + "x\n", 1, "[0]" * (MAX_DEPTH + 1)),
    ],
    ids=["flow lists", "flow mappings", "block mappings", "block lists"],
)
def test_nesting_too_deep_is_named_where_it_passes_the_limit(workspace, text, line, field):
    """Deep nesting stops where it passes MAX_DEPTH, at that line and field: not by running out of stack
    (which named no line), and at once."""
    with within(5):
        rc, err = validate(write(workspace, text))
    assert rc == 2 and "nested too deeply" in err, err
    assert f"scenario.yaml:{line}:" in err and f"(field '{field}')" in err, err


def test_nesting_just_at_the_limit_is_read(tmp_path):
    from wargame.language.yaml_source import read_yaml

    path = tmp_path / "deep.yaml"
    path.write_text("x: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1) + "\n")
    data, _ = read_yaml(path)
    for _ in range(MAX_DEPTH - 1):
        data = data["x"] if isinstance(data, dict) else data[0]
    assert data == [1]
    path.write_text("x: " + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH + "\n")
    with pytest.raises(Exception, match="nested too deeply"):
        read_yaml(path)


# ---------------------------------------------------------------- an exercise's record


RECORDS = Path(__file__).parents[1] / "scenarios" / "records"
EXERCISES = Path(__file__).parents[1] / "scenarios" / "exercises"


def exercise_with_record(tmp_path: Path) -> tuple[Path, Path]:
    """The 45-minute exercise copied to tmp_path/exercises/, its record to tmp_path/records/."""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "records").mkdir()
    exercise = tmp_path / "exercises" / "classroom_45min.yaml"
    exercise.write_text((EXERCISES / "classroom_45min.yaml").read_text())
    record = tmp_path / "records" / "syria_dec2024_history.yaml"
    record.write_text((RECORDS / "syria_dec2024_history.yaml").read_text())
    return exercise, record


def alias_bomb() -> str:
    lines = ['- &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(8):
        prev, cur = chr(97 + i), chr(98 + i)
        lines.append(f"- &{cur} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_exercise_carries_its_record_read_and_checked():
    from wargame.language.exercise import read_exercise

    ex = read_exercise("classroom_45min")
    written = (ex.path.parent / ex.spec.record).read_text(encoding="utf-8")
    assert len(ex.record) == written.count("\n- date: ") >= 17  # every dated entry of the file
    assert all(set(e) == {"date", "what", "source"} for e in ex.record)
    assert ex.record[0]["date"] == "2024-12-10" and "al-Bashir" in ex.record[0]["what"]


@pytest.mark.parametrize(
    ("make", "said", "line"),
    [
        (lambda p: p.write_text(alias_bomb()), f"at most {MAX_NODES:,} values", 1),
        (lambda p: p.write_text("- date: 2024-12-10\n  what: " + "[" * 5000 + "\n"), "nested too deeply", 2),
        (lambda p: p.write_text("- {date: 2024-12-10, what: x, source: y}\n- {date: soon, what: x, source: y}\n"), "date", 2),
        (lambda p: p.write_text("- {date: 2024-12-10, what: x, source: y}\n- {date: 2024-12-11, wat: x, source: y}\n"), "unknown key 'wat'", 2),
        (lambda p: p.write_text("- {date: 2024-12-10, what: x, source: y}\n- just a line\n"), "dated entry", 2),
        (lambda p: p.write_text("date: 2024-12-10\nwhat: x\n"), "a list of dated entries", 1),
        (lambda p: p.write_text("- {date: !!bool maybe, what: x, source: y}\n"), "type bool, found 'maybe'", 1),
        (lambda p: p.write_text("- {date: 2024-12-10, what: x\x00, source: y}\n"), "NUL, U+0000", 1),
        (lambda p: p.write_text("# " + "x" * MAX_BYTES + "\n"), "file too large", None),
        (lambda p: (p.unlink(), p.mkdir()), "is a directory", None),
        (lambda p: (p.unlink(), os.mkfifo(p)), "not a regular file", None),
        (lambda p: (p.unlink(), p.symlink_to(p)), "cannot be read", None),
    ],
    ids=["alias bomb", "deep nesting", "bad date", "unknown key", "not a mapping", "not a list",
         "tag", "NUL", "huge", "directory", "FIFO", "loop of links"],
)  # fmt: skip
def test_a_hostile_record_is_refused_when_the_exercise_is_read(tmp_path, make, said, line):
    """The record is read by the bounded reader with the exercise (not later, by the debrief): a fault in
    it names the record's file and line."""
    from wargame.language.errors import ScenarioError
    from wargame.language.exercise import read_exercise

    exercise, record = exercise_with_record(tmp_path)
    make(record)
    with within(10), pytest.raises(ScenarioError) as caught:
        read_exercise(exercise)
    err = caught.value
    assert err.file == str(record) and err.line == line and said in str(err), str(err)
    rc, printed = cli("briefings", str(exercise), "--html", str(tmp_path / "b.html"))
    assert rc == 2 and str(record) in printed and said in printed, printed


@pytest.mark.parametrize("field", ["record", "scenario"])
def test_a_nul_in_a_path_the_exercise_names(tmp_path, field):
    from wargame.language.errors import ScenarioError
    from wargame.language.exercise import read_exercise

    exercise, _ = exercise_with_record(tmp_path)
    text = exercise.read_text()
    old = {"record": "../records/syria_dec2024_history.yaml", "scenario": "classroom_passage"}[
        field
    ]
    exercise.write_text(text.replace(f"{field}: {old}", f'{field}: "a\\0.yaml"'))
    with pytest.raises(ScenarioError) as caught:
        read_exercise(exercise)
    assert "NUL" in str(caught.value) or "no such record" in str(caught.value), str(caught.value)


# ---------------------------------------------------------------- --set on a list


@pytest.mark.parametrize(
    ("item", "said"),
    [
        ("sites[99].personnel=1", "index 99 is out of range: the list has 4 items (0 to 3)"),
        ("sites.99.personnel=1", "index 99 is out of range: the list has 4 items (0 to 3)"),
        ("tables.deal.agenda[5]=price", "index 5 is out of range: the list has 2 items (0 to 1)"),
        (
            "tables.deal.participants.7=red",
            "index 7 is out of range: the list has 3 items (0 to 2)",
        ),
        ("tables.deal.participants.x=red", "a list of values: name an item by its index, 0 to 2"),
        ("sites[x].personnel=1", "not a path"),
        ("sites..personnel=1", "an empty name"),
    ],
)
def test_a_set_on_a_list_says_what_the_list_holds(workspace, item, said):
    rc, err = validate(workspace / "scenario.yaml", "--set", item)
    field = item.partition("=")[0]
    assert rc == 2 and said in err and f"(field '{field}')" in err, err
    assert "one of: ," not in err and "one of: \n" not in err


def test_a_set_by_index_reaches_the_item():
    from wargame.language.scenario import read_scenario

    sc = read_scenario(
        MINI, ["sites[1].personnel=50", "tables.deal.agenda.1=price", "actors[0].time_pressure=0.1"]
    )
    assert sc.spec.sites[1].personnel == 50 and sc.spec.sites[1].id == "outpost"
    assert sc.actor("red").time_pressure == 0.1


def test_a_set_on_an_empty_list(workspace):
    old = "guarantees:\n  - {id: blue_word, guarantor: blue, beneficiary: red, table: deal, stake: 0.3, enforcement: 0.5}\n"
    assert old in mini_text()
    path = write(workspace, mini_text().replace(old, "guarantees: []\n"))
    rc, err = validate(path, "--set", "guarantees.blue_word.stake=0.5")
    assert rc == 2 and "the list is empty" in err and "guarantees.blue_word.stake" in err, err


# ---------------------------------------------------------------- an actor's overrides


def test_a_misspelt_interest_in_an_actor_override(workspace):
    """An override names the scenario's issues: a misspelt one would add an interest nothing reads."""
    text = mini_text().replace(
        "  - profile: red\n",
        "  - profile: red\n    overrides:\n      interests: {rout: {ideal: open, salience: 0.5}}\n",
        1,
    )
    rc, err = validate(write(workspace, text))
    line = line_with(text, "interests: {rout")
    assert rc == 2 and f"scenario.yaml:{line}:" in err, err
    assert "(field 'actors[0].overrides.interests.rout')" in err, err
    assert "one of: route, price" in err and "did you mean 'route'?" in err, err


def test_a_misspelt_interest_in_a_set_override_blames_the_set(workspace):
    rc, err = validate(
        workspace / "scenario.yaml", "--set", "actors.red.interests.rout.salience=0.5"
    )
    assert rc == 2 and "--set actors.red.interests.rout.salience" in err, err
    assert "did you mean 'route'?" in err, err


def test_an_override_of_a_known_interest_or_a_new_issue_is_accepted(workspace):
    from wargame.language.scenario import read_scenario

    green = workspace / "actors" / "green.yaml"
    green.write_text(green.read_text().replace("  price: {ideal: 100, salience: 0.2}\n", ""))
    text = mini_text().replace(
        "  - profile: green\n",
        "  - profile: green\n    overrides:\n      interests: {route: {salience: 0.5}, price: {ideal: 90, salience: 0.2}}\n",
        1,
    )
    sc = read_scenario(write(workspace, text))
    assert sc.actor("green").interests["route"].salience == 0.5
    assert sc.actor("green").interests["price"].ideal == 90


# ---------------------------------------------------------------- more hostile YAML


@pytest.mark.parametrize(
    ("old", "new", "said", "needle"),
    [
        ("horizon_days: 30", "horizon_days: 30\n? [a]\n: 1", "mapping key must be text", "? [a]"),
        ("horizon_days: 30", "horizon_days: 30\n{a: 1}: 2", "mapping key must be text", "{a: 1}: 2"),
        ("hazard: 0.1", "hazard: 1.0e+99999", "not a finite number", "hazard: 1.0e+99999"),
        ("hazard: 0.1", "hazard: -.inf", "not a finite number", "hazard: -.inf"),
        ("horizon_days: 30", "horizon_days: " + "9" * 5000, "more than 4,300 digits", "horizon_days: 999"),
        ("horizon_days: 30", "horizon_days: 30\n---\nb: 2", "another document", "---"),
        ("horizon_days: 30", "horizon_days: 30\nx:\n\tb: 2", "YAML syntax error", "\tb: 2"),
        ("horizon_days: 30", "horizon_days: *nowhere", "undefined alias", "horizon_days: *nowhere"),
        ("title: Mini test crisis", "title: !!python/object/apply:os.system [ls]", "YAML tag not allowed", "title:"),
        ("title: Mini test crisis", "title: !!set {a: null}", "YAML tag not allowed", "title:"),
        ("horizon_days: 30", "horizon_days: 30\nno: 1", "unknown key 'no'", "no: 1"),
    ],
)  # fmt: skip
def test_more_hostile_yaml_is_a_clear_error_at_its_line(workspace, old, new, said, needle):
    text = mini_text()
    assert old in text
    text = text.replace(old, new, 1)
    with within(10):
        rc, err = validate(write(workspace, text))
    assert rc == 2 and said in err and "internal error" not in err, err
    assert f"scenario.yaml:{line_with(text, needle)}:" in err, err


def test_a_number_as_a_key_in_a_profile(workspace):
    blue = workspace / "actors" / "blue.yaml"
    text = blue.read_text()
    assert "trust: {red: 0.2}" in text
    blue.write_text(text.replace("trust: {red: 0.2}", "trust: {red: 0.2, 1.5: 0.1}"))
    rc, err = validate(workspace / "scenario.yaml")
    line = line_with(text, "trust:")
    assert rc == 2 and "mapping key must be text" in err and f"blue.yaml:{line}:" in err, err
    assert "(field 'trust')" in err and "found 1.5" in err, err


def test_a_list_as_a_key_names_its_field(workspace):
    text = mini_text().replace("  - {id: home, from: hub", "  - {id: home, [x]: 1, from: hub", 1)
    rc, err = validate(write(workspace, text))
    assert rc == 2 and "mapping key must be text" in err and "(field 'air_routes[0]')" in err, err
    assert "found a list" in err, err


@pytest.mark.parametrize(
    "change",
    [
        lambda t: "\ufeff" + t,  # a byte order mark
        lambda t: t.replace("\n", "\r\n"),  # Windows line ends
        lambda t: t.replace("\n", "\r"),  # old Mac line ends
        lambda t: "%YAML 1.1\n---\n" + t + "...\n",  # a directive and document markers
    ],
    ids=["BOM", "CRLF", "CR", "directive"],
)
def test_harmless_variants_of_a_file_are_read(workspace, change):
    rc, err = validate(write(workspace, change(mini_text())))
    assert rc == 0, err


def test_a_line_end_variant_still_names_the_right_line(workspace):
    text = mini_text().replace("horizon_days: 30", "horizon_days: !!bool maybe", 1)
    line = line_with(text, "horizon_days")
    for end in ("\r\n", "\r"):
        rc, err = validate(write(workspace, text.replace("\n", end)))
        assert rc == 2 and f"scenario.yaml:{line}:" in err, (end, err)


@pytest.mark.parametrize(
    ("file", "old", "new", "said"),
    [
        ("actors/red.yaml", "price: {ideal: 0,", "price: {ideal: " + "9" * 400 + ",", "outside its range"),
        ("actors/red.yaml", "price: {ideal: 0,", "price: {ideal: -" + "9" * 400 + ",", "outside its range"),
        ("actors/red.yaml", "trust: {blue: 0.0", "trust: {blue: nan", "not a finite number"),
        ("actors/red.yaml", "low: 0.2, high: 0.8", "low: -inf, high: 0.8", "not a finite number"),
        ("scenario.yaml", "hazard: 0.1", "hazard: nan", "not a finite number"),
        ("scenario.yaml", "km: 100,", "km: 1e999,", "not a finite number"),
        ("scenario.yaml", "range: [0, 100]", "range: [0, inf]", "not a finite number"),
    ],
)  # fmt: skip
def test_numbers_a_float_cannot_hold_or_text_that_reads_as_one(workspace, file, old, new, said):
    """A whole number too large for a float (compared, not converted), and text that pydantic would read
    as infinity or NaN (`nan`, `1e999`: YAML leaves them text): refused at their line, short."""
    path = workspace / file
    text = path.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text)
    rc, err = validate(workspace / "scenario.yaml")
    assert rc == 2 and said in err and f"{path.name}:{line_with(text, new)}:" in err, err
    assert "Warning" not in err and len(err) < 600, err


def test_a_profile_is_a_name_never_a_path(workspace):
    """A scenario (one dropped on the browser page, say) cannot make the reader open a file outside the
    actors/ folders by naming it as a profile: a profile is a name."""
    secret = workspace / "secret.yaml"
    secret.write_text("id: secret\npassword: hunter2\n")
    text = mini_text()
    first = re.search(r"profile: (\w+)", text).group(1)
    path = write(workspace, text.replace(f"profile: {first}", "profile: ../secret", 1))
    rc, err = validate(path)
    assert rc == 2 and "actors[0].profile" in err
    assert "hunter2" not in err and "secret.yaml:" not in err  # the file was never opened
