"""The scenario played when none is named (`wargame ui` with no argument, `wargame.run()`, a WargameModel
or a desk made without one) is named in the bundled scenarios folder's default.txt, never in the code."""

from __future__ import annotations

import shutil

import pytest

import wargame.language.scenario as language
from wargame.cli import main
from wargame.engine.scenarios import resolve_scenario
from wargame.language.errors import ScenarioError
from wargame.language.scenario import data_dir, default_scenario, list_scenarios


@pytest.fixture
def bundle(tmp_path, monkeypatch):
    """A bundled scenarios folder of two scenarios, to write a default.txt into."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("bilateral_split", "textbook_nash"):
        shutil.copy(data_dir("scenarios") / f"{name}.yaml", folder)
    real = language.data_dir
    monkeypatch.setattr(
        language, "data_dir", lambda kind: folder if kind == "scenarios" else real(kind)
    )
    return folder


def test_the_bundled_default_is_a_bundled_scenario_and_what_is_played_without_a_name():
    assert (data_dir("scenarios") / "default.txt").is_file()
    assert default_scenario() in list_scenarios()
    assert resolve_scenario(None).id == default_scenario()


def test_the_default_is_the_name_in_default_txt(bundle):
    (bundle / "default.txt").write_text("# which one\n\ntextbook_nash\n", encoding="utf-8")
    assert default_scenario() == "textbook_nash"


def test_without_default_txt_the_first_bundled_scenario_is_played(bundle):
    assert default_scenario() == "bilateral_split"


def test_a_default_that_is_not_bundled_is_named_at_its_line(bundle):
    (bundle / "default.txt").write_text("# which one\ntextbook_nas\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        default_scenario()
    error = caught.value
    assert error.file.endswith("default.txt") and error.line == 2 and error.found == "textbook_nas"
    assert error.suggestion == "textbook_nash" and "bilateral_split" in error.expected


def test_wargame_ui_without_a_scenario_checks_the_default(bundle, capsys):
    (bundle / "default.txt").write_text("no_such_case\n", encoding="utf-8")
    assert main(["ui"]) == 2
    err = capsys.readouterr().err
    assert "default.txt:1: the default scenario is not bundled" in err and "Traceback" not in err
