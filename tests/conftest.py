"""Shared fixtures: the small test scenario (tests/data) copied where a test can break it."""

from __future__ import annotations

import contextlib
import shutil
import signal
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


class Timeout(Exception):
    """A test's block took longer than it may."""


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
