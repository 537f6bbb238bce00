"""`wargame ui` and `wargame classroom` check what they are given before they serve anything: a bad
scenario, exercise, saved game or port is an exit-2 message naming it, and no server starts."""

from __future__ import annotations

from wargame.cli import main


def test_ui_refuses_a_broken_scenario_file_and_a_bad_port(tmp_path, capsys):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    assert main(["ui", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml:" in err and "Traceback" not in err
    assert main(["ui", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


def test_classroom_refuses_an_unknown_exercise_a_bad_save_and_a_bad_port(tmp_path, capsys):
    assert main(["classroom", "no_such_exercise"]) == 2
    assert "no such exercise" in capsys.readouterr().err
    save = tmp_path / "game.json"
    save.write_text('{"format": "something else"}', encoding="utf-8")
    assert main(["classroom", "classroom_45min", "--load", str(save)]) == 2
    assert "not a saved classroom" in capsys.readouterr().err
    assert main(["classroom", "classroom_45min", "--port", "0"]) == 2
    assert "--port" in capsys.readouterr().err
