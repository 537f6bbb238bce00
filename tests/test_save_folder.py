"""A class's record is never lost: one file per game, written whole or not at all, backups by the minute,
two classes and a restart in one folder each keep every earlier save, and a folder where nothing can be
written is refused before a class starts."""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from wargame.cli import main
from wargame.language.errors import ScenarioError
from wargame.session.classroom import Classroom
from wargame.session.save_folder import BACKUP_EVERY_S, SaveFailed, SaveFolder, check_writable

ROOT = Path(__file__).resolve().parent.parent


def test_two_classes_and_a_restart_each_keep_their_own_file(tmp_path):
    first = Classroom("classroom_45min")
    second = Classroom("classroom_45min")
    a = SaveFolder(tmp_path, "classroom_45min")
    b = SaveFolder(tmp_path, "classroom_45min", started=a.started)  # the same second, even
    assert a.path != b.path and a.path.name.startswith("classroom_45min-")
    a.write(first.save())
    b.write(second.save())
    first.hand_over("sna", "the class has two students")  # the first class moves on
    a.write(first.save())
    kept = {p: p.read_bytes() for p in (a.path, b.path)}
    assert json.loads(kept[a.path])["game"]["history"]  # the move is in the first class's file ...
    assert not json.loads(kept[b.path])["game"]["history"]  # ... and not in the second's
    # the server restarts (without --load): a new file, the earlier games' files untouched
    restarted = SaveFolder(tmp_path, "classroom_45min")
    restarted.write(Classroom("classroom_45min").save())
    for path, data in kept.items():
        assert path.read_bytes() == data
    assert len(list(tmp_path.glob("classroom_45min-*.json"))) == 3
    # each save reloads to the game it was
    assert Classroom.load(a.path).digest() == first.digest()


def test_a_failed_save_leaves_the_last_good_one_whole_and_says_so(tmp_path):
    room = Classroom("classroom_45min")
    saves = SaveFolder(tmp_path, "classroom_45min")
    saves.write(room.save())
    good = saves.path.read_bytes()
    # the file's place is taken by a non-empty folder: no rename can replace it, not even as root
    saves.path.unlink()
    saves.path.mkdir()
    (saves.path / "in-the-way").write_text("x")
    with pytest.raises(SaveFailed, match=saves.path.name):
        saves.write(room.save())
    assert not list(tmp_path.glob(".*.tmp"))  # no half-written file left behind
    (saves.path / "in-the-way").unlink()
    saves.path.rmdir()
    saves.path.write_bytes(good)
    saves.write(room.save())
    assert json.loads(saves.path.read_text())["format"] == "wargame-classroom/1"


def test_backups_are_kept_by_the_minute(tmp_path):
    room = Classroom("classroom_45min")
    saves = SaveFolder(tmp_path, "classroom_45min", started=1_000_000.0)
    for now in (
        1_000_000.0,
        1_000_010.0,
        1_000_000.0 + BACKUP_EVERY_S,
        1_000_000.0 + 3 * BACKUP_EVERY_S,
    ):
        saves.write(room.save(), now=now)
    backups = sorted((tmp_path / "backups").glob(f"{saves.name}@*.json"))
    assert len(backups) == 3  # the second save came ten seconds after the first: no copy
    assert saves.saves == 4
    for b in backups:
        assert json.loads(b.read_text())["exercise_id"] == "classroom_45min"


def _as_nobody():
    """The child without root's power to write where the permissions say no (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH dropped from its bounding set), so a read-only folder is read-only to it too."""
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop():
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


def _read_only_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="wargame-ro-", dir="/tmp"))
    folder.chmod(0o555)
    return folder


def test_a_read_only_save_folder_is_refused_before_the_class_starts(tmp_path):
    ro = _read_only_folder()
    writable = Path(tempfile.mkdtemp(prefix="wargame-rw-", dir="/tmp"))
    writable.chmod(0o777)
    try:
        probe = "from wargame.session.save_folder import check_writable; import sys; check_writable(sys.argv[1])"
        for folder, refused in ((ro, True), (writable, False)):
            done = subprocess.run(
                [sys.executable, "-c", probe, str(folder)], cwd=ROOT, capture_output=True,
                text=True, timeout=60, preexec_fn=_as_nobody(),
            )  # fmt: skip
            assert (done.returncode != 0) == refused, done.stderr
            if refused:
                assert "cannot be saved here" in done.stderr
        # the whole command: exit 2 naming the folder, before any link is printed or server started
        try:
            done = subprocess.run(
                [str(Path(sys.executable).with_name("wargame")), "classroom", "classroom_45min",
                 "--save-dir", str(ro), "--port", "8799"],
                cwd=ROOT, capture_output=True, text=True, timeout=60, preexec_fn=_as_nobody(),
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail("the classroom started in a read-only save folder")
        assert done.returncode == 2, done.stderr
        assert str(ro) in done.stderr and "cannot be saved here" in done.stderr
        assert "?t=" not in done.stdout and "Traceback" not in done.stderr
    finally:
        for folder in (ro, writable):
            folder.chmod(0o755)
            for child in folder.iterdir():
                child.unlink()
            folder.rmdir()


def test_a_save_folder_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(ScenarioError, match="cannot be saved here"):
        check_writable(blocker)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(["classroom", "classroom_45min", "--save-dir", str(blocker / "sub")])
    assert rc == 2 and "cannot be saved here" in err.getvalue()
