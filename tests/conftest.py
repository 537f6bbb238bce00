"""Shared fixtures: the small test scenario (tests/data) copied where a test can break it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
MINI = DATA / "scenarios" / "mini.yaml"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder with the test actors in actors/ and the mini scenario as scenario.yaml."""
    shutil.copytree(DATA / "actors", tmp_path / "actors")
    shutil.copy(MINI, tmp_path / "scenario.yaml")
    return tmp_path


def told(m) -> list[str]:
    """A narrated model's story, as `wargame run` tells it (names from its scenario)."""
    from wargame.presentation.narrative import Names, story

    entries = [rec.to_dict() for rec in m.records]
    return story(entries, Names.of_scenario(m.situation), m.date_of(0))
