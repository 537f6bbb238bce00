"""Serving a room: `wargame classroom` and `wargame ui` print links that people elsewhere can open (this
machine's address on the network for --host 0.0.0.0, or --public-url as given), refuse a bad --public-url
or a port in use before printing any, and the server then keeps quiet (no uvicorn or Solara startup lines;
--verbose shows its log, tokens hidden), so the links stay the last lines on the screen."""

from __future__ import annotations

import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser_support import ROOT, free_port
from tests.conftest import within
from wargame import cli

WARGAME = Path(sys.executable).with_name("wargame")
LINK = re.compile(r"https?://\S+")
LAST_LINE = "Ctrl-C stops the server."
STARTUP_NOISE = (
    "Uvicorn running",
    "Started server process",
    "Waiting for application startup",
    "Application startup complete",
    "Solara server is starting",
    "INFO:",
)


def machine_ipv4() -> set[str]:
    """This machine's IPv4 addresses other than loopback (psutil comes with Dask)."""
    import psutil

    return {
        a.address
        for addresses in psutil.net_if_addrs().values()
        for a in addresses
        if a.family == socket.AF_INET and not ipaddress.ip_address(a.address).is_loopback
    }


NO_NETWORK = "this machine has no IPv4 address but loopback: no link could name another one"


@contextmanager
def started(args: list[str], **streams):
    """`wargame ARGS` in its own process group, stopped (Ctrl-C, then kill) when the block ends."""
    proc = subprocess.Popen(
        [str(WARGAME), *args], cwd=ROOT, start_new_session=True, text=True, **streams
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def links_printed(proc) -> list[str]:
    """The links a starting command prints, read from its stdout up to its last line."""
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if LAST_LINE in line or line.startswith("wargame ui:"):
            break
    return LINK.findall("".join(lines))


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # a page that needs a token says so with 403
    except OSError:
        return False


def wait_until_it_answers(proc, url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not answers(url):
        assert proc.poll() is None, f"the server stopped (exit {proc.returncode})"
        assert time.monotonic() < deadline, f"the server never answered on {url}"
        time.sleep(0.2)


@pytest.fixture
def served_nothing(monkeypatch):
    """The command runs in this process up to where it would start the server; what it hands over is
    kept here instead."""
    handed: dict = {}

    def server(args, page, env, tokens):
        handed.update(page=page, env=env, tokens=tokens, args=args)
        return 0

    monkeypatch.setattr(cli, "_server", server)
    return handed


# --- the links' address --------------------------------------------------------------------------


def test_links_for_every_interface_name_this_machines_address_not_loopback(tmp_path):
    addresses = machine_ipv4()
    if not addresses:
        pytest.skip(NO_NETWORK)
    port = free_port()
    args = ["classroom", "classroom_45min", "--host", "0.0.0.0", "--port", str(port)]
    with (
        within(60),
        started([*args, "--save-dir", str(tmp_path)], stdout=subprocess.PIPE) as proc,
    ):
        links = links_printed(proc)
    assert len(links) == 4  # the facilitator and three seats
    for link in links:
        url = urllib.parse.urlsplit(link)
        host = ipaddress.ip_address(url.hostname)
        assert not host.is_loopback and not host.is_unspecified, link
        assert url.hostname in addresses and url.port == port, link
        assert re.fullmatch(r"t=[\w-]{40,}", url.query), link


def test_without_a_default_route_the_links_still_name_an_interfaces_address(monkeypatch):
    """No route out (a classroom's own network, no gateway): the address comes from the interfaces."""
    addresses = machine_ipv4()
    if not addresses:
        pytest.skip(NO_NETWORK)

    def unreachable(self, address):
        raise OSError(101, "Network is unreachable")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    assert cli._machine_address() in addresses


def test_a_given_address_is_the_links_address(served_nothing, capsys, tmp_path):
    port = str(free_port())
    assert cli.main(["ui", "--host", "127.0.0.1", "--port", port]) == 0
    assert (
        capsys.readouterr().out.strip() == f"wargame ui: http://127.0.0.1:{port}/ (Ctrl-C stops it)"
    )
    if socket.has_ipv6 and cli.main(["ui", "--host", "::1", "--port", port]) == 0:
        assert f"http://[::1]:{port}/" in capsys.readouterr().out


def test_with_no_network_address_a_note_says_what_students_need(
    served_nothing, capsys, monkeypatch, tmp_path
):
    monkeypatch.setattr(cli, "_machine_address", lambda ipv6=False: None)
    port = str(free_port())
    args = ["classroom", "classroom_45min", "--host", "0.0.0.0", "--port", port]
    assert cli.main([*args, "--save-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "no network address but loopback" in err and "--public-url" in err
    assert all(link.startswith(f"http://127.0.0.1:{port}/?t=") for link in LINK.findall(out))


# --- --public-url ---------------------------------------------------------------------------------


def test_public_url_is_the_links_base(served_nothing, capsys, tmp_path):
    port = str(free_port())
    args = ["classroom", "classroom_45min", "--host", "0.0.0.0", "--port", port]
    public = "https://wargame.example.edu/"
    assert cli.main([*args, "--save-dir", str(tmp_path), "--public-url", public]) == 0
    out, err = capsys.readouterr()
    links = LINK.findall(out)
    assert len(links) == 4
    assert all(re.fullmatch(r"https://wargame\.example\.edu/\?t=[\w-]{40,}", x) for x in links)
    # the facilitator's page shows the seats' links with the same base
    assert served_nothing["env"]["WARGAME_CLASSROOM_BASE"] == "https://wargame.example.edu"
    assert "WARNING" not in err  # the links are https: nothing travels in clear to the proxy


def test_public_url_in_front_of_a_loopback_server_still_needs_the_token(served_nothing, capsys):
    """Behind a proxy the server listens on loopback, but the world reaches it: the page needs a link."""
    port = str(free_port())
    args = ["ui", "--port", port, "--public-url", "http://wargame.example.edu:8080"]
    assert cli.main(args) == 0
    out, err = capsys.readouterr()
    (link,) = LINK.findall(out)
    assert link.startswith("http://wargame.example.edu:8080/?t=")
    assert served_nothing["tokens"] == [link.split("t=")[1]]
    assert "WARNING" in err and "unencrypted" in err  # plain HTTP beyond this machine


@pytest.mark.parametrize(
    "bad, why",
    [
        ("wargame.example.edu", "scheme"),
        ("ftp://wargame.example.edu", "scheme"),
        ("https://", "no host"),
        ("https://wargame.example.edu/?room=1", "query"),
        ("https://wargame.example.edu/#seats", "fragment"),
        ("https://wargame.example.edu:99999", "Port"),
        ("https://wargame example.edu", "space"),
        ("https://teacher:secret@wargame.example.edu", "password"),
        ("https://wargame.example.edu/class", "path"),
    ],
)
def test_a_bad_public_url_is_refused_before_any_link(served_nothing, capsys, bad, why):
    assert cli.main(["ui", "--port", str(free_port()), "--public-url", bad]) == 2
    out, err = capsys.readouterr()
    assert out == "" and not served_nothing
    assert err.startswith("error: --public-url: ") and why in err
    assert "expected http:// or https://" in err and f"found {bad}" in err


def test_a_bad_public_url_from_the_command_line_is_exit_2_without_traceback(tmp_path):
    with within(60):
        proc = subprocess.run(
            [str(WARGAME), "classroom", "classroom_45min", "--public-url", "wargame.example.edu/x?y",
             "--port", str(free_port()), "--save-dir", str(tmp_path)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == ""
    assert "--public-url" in proc.stderr and "expected" in proc.stderr
    assert "found wargame.example.edu/x?y" in proc.stderr and "Traceback" not in proc.stderr


def test_a_port_in_use_is_refused_before_any_link(served_nothing, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["ui", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--port" in err and "already in use" in err and not served_nothing


# --- a quiet server -------------------------------------------------------------------------------


def _serve_and_stop(tmp_path: Path, *extra: str) -> tuple[str, str]:
    """A class served on every interface until its page has been opened with a link; its stdout and
    stderr after Ctrl-C."""
    port = free_port()
    out, err = tmp_path / "out", tmp_path / "err"
    args = ["classroom", "classroom_45min", "--host", "0.0.0.0", "--port", str(port)]
    args += ["--save-dir", str(tmp_path / "saves"), *extra]
    with within(120), open(out, "w") as o, open(err, "w") as e:
        with started(args, stdout=o, stderr=e) as proc:
            wait_until_it_answers(proc, f"http://127.0.0.1:{port}/")
            link = LINK.findall(out.read_text())[0]
            local = urllib.parse.urlsplit(link)._replace(netloc=f"127.0.0.1:{port}").geturl()
            browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
            with browser.open(local, timeout=30) as page:  # the token for a cookie, then the page
                assert page.status == 200 and "<html" in page.read().decode().lower()
            time.sleep(2)  # anything the server would print after its start
            assert proc.poll() is None
        assert proc.returncode == 0
    return out.read_text(), err.read_text()


@pytest.mark.slow
def test_after_the_links_the_server_prints_nothing(tmp_path):
    out, err = _serve_and_stop(tmp_path)
    assert out.rstrip().endswith(LAST_LINE)  # nothing after the links on stdout
    for noise in STARTUP_NOISE:
        assert noise not in out and noise not in err, noise
    # stderr holds only what the command said before the links
    assert [line.split(":")[0] for line in err.splitlines()] == ["note", "WARNING"], err


@pytest.mark.slow
def test_verbose_shows_the_servers_log_without_tokens(tmp_path):
    out, err = _serve_and_stop(tmp_path, "--verbose")
    assert out.rstrip().endswith(LAST_LINE)
    assert "Uvicorn running" in err and "GET /?t=[hidden]" in err
    for token in re.findall(r"t=([\w-]{40,})", out):
        assert token not in err
