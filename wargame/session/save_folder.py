"""Where a class's games are kept on disk, so that a class's record is never lost.

One file per game, named for the exercise, the moment the server started and a random game id
(`EXERCISE-20261203-101500-3f9c2a1b.json`), created exclusively: a new server, a second class of
the same exercise or a game continued with `--load` each write their own file and never another's. Each
save is written whole to a temporary file, flushed to the disk (fsync) and renamed over the game's file
(then the folder is flushed too), under an exclusive lock on the folder, so a crash, a power cut or two
servers at once leave the last good save, never half of one. Every minute at most, the save is also
copied to `backups/` under its time, so a mistake the class made can be undone from an earlier copy.

A folder where nothing can be written is refused before the class starts (`check_writable`), and a save
that fails later is an error the facilitator's page shows at once (the class plays on only knowingly).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import time
from pathlib import Path

from wargame.language.errors import ScenarioError

BACKUP_EVERY_S = 60.0
LOCK_NAME = ".wargame-saves.lock"


class SaveFailed(OSError):
    """A save that could not be written (the folder became read-only, the disk is full ...)."""


def check_writable(folder: str | Path) -> Path:
    """The folder (created if need be) once a file has really been written, flushed and removed there;
    a ScenarioError naming it otherwise (the class must not start where its record cannot be kept)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}-{secrets.token_hex(4)}"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"{}")
            os.fsync(fd)
        finally:
            os.close(fd)
            probe.unlink(missing_ok=True)
    except OSError as exc:
        raise ScenarioError(
            str(folder),
            "the class's games cannot be saved here",
            expected="a folder this server can write to (--save-dir DIR)",
            found=exc.strerror or str(exc),
        ) from None
    return folder


class SaveFolder:
    """The save file of one game (and its backups) in a folder shared with other games."""

    def __init__(self, folder: str | Path, exercise_id: str, started: float | None = None) -> None:
        self.folder = check_writable(folder)
        self.started = time.time() if started is None else started
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self.started))
        while True:  # a name nobody has used: the file is created here, exclusively
            self.game_id = secrets.token_hex(4)
            self.name = f"{exercise_id}-{stamp}-{self.game_id}"
            self.path = self.folder / f"{self.name}.json"
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                break
            except FileExistsError:
                continue
            except OSError as exc:
                raise ScenarioError(
                    str(self.folder),
                    "the class's games cannot be saved here",
                    expected="a folder this server can write to (--save-dir DIR)",
                    found=exc.strerror or str(exc),
                ) from None
        self.backups = self.folder / "backups"
        self.last_backup = 0.0
        self.saves = 0

    def write(self, text: str, now: float | None = None) -> Path:
        """The game's file replaced, whole, by `text` (and a timestamped backup if the last is a minute
        old); SaveFailed if it could not be (the previous save is then still whole)."""
        now = time.time() if now is None else now
        data = text.encode("utf-8")
        try:
            with self._locked():
                _write_atomically(self.path, data)
                if now - self.last_backup >= BACKUP_EVERY_S:
                    self.backups.mkdir(exist_ok=True)
                    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
                    _write_atomically(self.backups / f"{self.name}@{stamp}.json", data)
                    self.last_backup = now
        except OSError as exc:
            raise SaveFailed(f"{self.path}: {exc.strerror or exc}") from None
        self.saves += 1
        return self.path

    @contextlib.contextmanager
    def _locked(self):
        """An exclusive lock on the folder while a save is written (two servers never interleave)."""
        fd = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
