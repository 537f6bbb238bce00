"""A plain `pip install .` (a built wheel) run from another folder finds the bundled actors and scenarios."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (path,) = out.glob("wargame-*.whl")
    return path


def test_wheel_bundles_every_actor_and_scenario(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for kind in ("actors", "scenarios"):
        for f in (ROOT / kind).glob("*.yaml"):
            assert f"wargame/_bundled/{kind}/{f.name}" in names
    assert "wargame/_bundled/scenarios/syria_dec2024.yaml" in names


def test_installed_wheel_runs_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import wargame, wargame.language.scenario as s;"
        "print(wargame.__file__); print(s.data_dir('scenarios'));"
        "r = wargame.run('syria_dec2024', seed=1, days=5); print(r.days)"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    module_file, data, days = proc.stdout.split()
    assert module_file.startswith(str(target)), (
        "the installed copy, not the checkout, must be imported"
    )
    assert data == str(target / "wargame" / "_bundled" / "scenarios")
    assert days == "5"
