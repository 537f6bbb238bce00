"""What the browser suites share: Debian's Chromium (or $CHROMIUM), its quiet flags, where screenshots
go, and a real server started on a free loopback port and stopped after."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("WARGAME_SCREENSHOTS") or ROOT / "out" / "ui-screens")
CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
NO_CHROMIUM = (
    "no Chromium found (apt-get install chromium, or set CHROMIUM=/path): browser tests skipped"
)
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
WAIT = 60_000  # ms: the first page of a cold server imports the engine and Solara


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(
    args: list[str],
    port: int,
    output: Path,
    env: dict | None = None,
    tls: bool = False,
    command: list[str] | None = None,
) -> Iterator[str]:
    """`wargame ARGS` (or the whole `command`) running until the block ends, its output in `output`;
    yields its base URL once it answers (the test fails, with the output's tail, if it never does)."""
    wargame = Path(sys.executable).with_name("wargame")
    with open(output, "w") as sink:
        proc = subprocess.Popen(
            command or [str(wargame), *args], cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/"
    unverified = (
        ssl._create_unverified_context() if tls else None
    )  # a test's self-signed certificate
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2, context=unverified) as r:
                if r.status == 200:
                    break
        except urllib.error.HTTPError:
            break  # it answers (a page that needs a token says so with 403)
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"wargame {args[0]} did not start on {url}: {output.read_text()[-2000:]}")
        time.sleep(0.3)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chromium(playwright) -> Iterator:
    """A headless Chromium for a module's tests."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield b
        finally:
            b.close()
