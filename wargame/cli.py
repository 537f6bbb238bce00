"""The `wargame` command: run a scenario with a narrative, validate scenario files, list what is bundled."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import signal
import sys
from pathlib import Path

from wargame.language.errors import ScenarioError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wargame",
        description="Strategic scenario wargame: actors bargain over bases, safe passage and guarantees "
        "on a modelled ground; each case is a scenario file (`wargame list`).",
    )
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="play one run and print its day-by-day narrative and ending")
    run.add_argument("scenario", help="a bundled scenario name (see `wargame list`) or a YAML path")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument(
        "--days",
        type=int,
        default=None,
        help="stop after this many days (default: the scenario's horizon)",
    )
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a scenario value, e.g. actors.ACTOR.time_pressure=0.9 (repeatable)",
    )
    run.add_argument(
        "--json", action="store_true", help="print milestones, outcome and figures as JSON"
    )

    val = sub.add_parser("validate", help="check a scenario and its actor profiles")
    val.add_argument("scenario")
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")

    ana = sub.add_parser(
        "analyze", help="Pareto frontier, Nash and Kalai-Smorodinsky solutions, ZOPA of each table"
    )
    ana.add_argument("scenario")
    ana.add_argument(
        "--seed", type=int, default=0, help="seed whose private values are used (default 0)"
    )
    ana.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    ana.add_argument("--json", action="store_true")

    mc = sub.add_parser(
        "mc", help="Monte Carlo: many runs to Parquet, locally or on a Dask cluster"
    )
    mc.add_argument("scenario", nargs="?", help="scenario name or path (not needed with --resume)")
    mc.add_argument("--runs", type=int, help="runs (per sweep point)")
    mc.add_argument("--seed", type=int, help="root seed (default 0)")
    mc.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="local processes (default: all cores)",
    )
    mc.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    mc.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="PATH=LOW:HIGH:COUNT",
        help="sweep a setting (repeatable); N runs at each point",
    )
    mc.add_argument("--design", choices=["grid", "lhs"], help="sweep design (default grid)")
    mc.add_argument(
        "--points", type=int, help="Latin hypercube points (default: the largest COUNT)"
    )
    mc.add_argument("--days", type=int, help="stop each run after this many days")
    mc.add_argument(
        "--from-day", type=int, help="fork: continue run --seed from this day, many times"
    )
    mc.add_argument(
        "--force",
        action="append",
        default=[],
        metavar="DECISION",
        help="with --from-day: event:ID, collapse:TABLE, refuse:ACTOR:TABLE or breach:TABLE:ACTOR",
    )
    mc.add_argument(
        "--chunk-size", type=int, help="runs per task (default: chosen from runs and workers)"
    )
    mc.add_argument(
        "--scheduler", help="tcp://HOST:PORT of a Dask scheduler (default: local processes)"
    )
    mc.add_argument("--out", help="results folder (new or empty)")
    mc.add_argument(
        "--resume", metavar="DIR", help="finish the missing runs of an interrupted Monte Carlo"
    )
    mc.add_argument("--no-progress", action="store_true")

    aud = sub.add_parser(
        "audit",
        help="decision audit: how often each choice, table ending, milestone and outcome comes, "
        "flagging the (nearly) certain ones; key questions' answers",
    )
    aud.add_argument("scenario", help="a bundled scenario name (see `wargame list`) or a YAML path")
    aud.add_argument("--runs", type=int, help="runs to play")
    aud.add_argument("--seed", type=int, help="root seed (default 0)")
    aud.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="local processes (default: all cores); the shares are the same for any number",
    )
    aud.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    aud.add_argument("--json", metavar="FILE", help="also write the audit as JSON to FILE")

    prof = sub.add_parser(
        "profile",
        help="where a run's time goes: its median time, shares by phase of the day, the costliest "
        "functions (one process, one core)",
    )
    prof.add_argument(
        "scenario", help="a bundled scenario name (see `wargame list`) or a YAML path"
    )
    prof.add_argument(
        "--runs", type=int, default=100, help="runs to time and to profile (default 100)"
    )
    prof.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    prof.add_argument("--top", type=int, default=20, help="functions to list (default 20)")
    prof.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")

    tree = sub.add_parser("tree", help="the branch tree of a Monte Carlo's milestone paths")
    tree.add_argument("folder", help="a results folder made by `wargame mc`")
    tree.add_argument(
        "--min-share",
        type=float,
        default=0.02,
        help="fold branches rarer than this share (default 0.02)",
    )
    tree.add_argument("--depth", type=int, help="show at most this many milestones deep")
    tree.add_argument("--json", action="store_true", help="the whole tree as JSON")

    drv = sub.add_parser(
        "drivers", help="which drawn values and swept settings move an outcome or a branch"
    )
    drv.add_argument("folder")
    drv.add_argument("--outcome", help="an outcome id")
    drv.add_argument(
        "--node", help="a branch, milestones joined by '>' (e.g. passage_agreed>outposts_cleared)"
    )
    drv.add_argument("--top", type=int, default=10)
    drv.add_argument("--json", action="store_true")

    rep = sub.add_parser("report", help="a self-contained offline HTML report of a Monte Carlo")
    rep.add_argument("folder")
    rep.add_argument("--html", required=True, help="file to write")
    rep.add_argument("--min-share", type=float, default=0.01)

    sub.add_parser("list", help="list the bundled scenarios")

    cls = sub.add_parser(
        "classroom", help="serve a teaching exercise: a link per seat and one for the facilitator"
    )
    cls.add_argument("exercise", help="a bundled exercise (see `wargame exercises`) or a YAML path")
    cls.add_argument("--port", type=int, default=8766)
    cls.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: this machine only)"
    )
    cls.add_argument("--load", help="continue a saved game (the JSON a classroom saves)")
    cls.add_argument(
        "--save-dir",
        default="out/classroom",
        help="where the game is saved as it goes (one file per game, never overwritten)",
    )
    _tls_arguments(cls)
    sub.add_parser("exercises", help="list the bundled teaching exercises")
    brf = sub.add_parser("briefings", help="printable role briefings of an exercise (HTML)")
    brf.add_argument("exercise")
    brf.add_argument("--html", required=True, help="file to write")
    deb = sub.add_parser("debrief", help="the after-action review of a saved classroom game (HTML)")
    deb.add_argument("saved", help="the game's JSON (a classroom's save or autosave)")
    deb.add_argument("--html", required=True, help="file to write")
    deb.add_argument(
        "--exercise",
        help="the exercise the game was played in, if it is not a bundled one (a YAML path)",
    )
    deb.add_argument(
        "--runs",
        type=int,
        help="simulated games to set the class against (default: the exercise's)",
    )

    ui = sub.add_parser("ui", help="serve the browser UI (offline; one desk per browser session)")
    ui.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="a bundled scenario name or a YAML path (default: the one scenarios/default.txt names)",
    )
    ui.add_argument("--port", type=int, default=8765)
    ui.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: this machine only)"
    )
    ui.add_argument(
        "--scenarios",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder whose scenario files the page may open by path (repeatable; the bundled "
        "scenarios always)",
    )
    _tls_arguments(ui)
    return p


def _tls_arguments(parser) -> None:
    parser.add_argument(
        "--tls-cert", metavar="FILE", help="serve HTTPS with this certificate (PEM)"
    )
    parser.add_argument("--tls-key", metavar="FILE", help="the certificate's private key (PEM)")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address people reach the server at, as the links' base (a DNS name, a reverse "
        "proxy: https://wargame.example.edu); default: this machine's address on --host",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show the server's own log (startup, requests with their tokens hidden, libraries' "
        "warnings); by default it prints only what goes wrong",
    )


ANY_ADDRESS = ("0.0.0.0", "::")  # listen on every interface of this machine


def _is_loopback(host: str | None) -> bool:
    if not host or host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _beyond_this_machine(args) -> bool:
    """Whether people elsewhere reach the pages: the server listens beyond loopback, or a proxy or a DNS
    name (--public-url) leads to it."""
    return not _is_loopback(args.host) or bool(args.public_url)


def _check_serving(args) -> None:
    """The port, the HTTPS files, --public-url and the address itself, checked before anything is printed
    or started."""
    if not 1 <= args.port <= 65535:
        raise ScenarioError("--port", "not a port", expected="1 to 65535", found=str(args.port))
    if bool(args.tls_cert) != bool(args.tls_key):
        raise ScenarioError(
            "--tls-cert" if not args.tls_cert else "--tls-key",
            "HTTPS needs both a certificate and its key",
            expected="--tls-cert FILE --tls-key FILE",
            found="only one of them",
        )
    for flag, path in (("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key)):
        if path and not Path(path).is_file():
            raise ScenarioError(flag, "no such file", expected="a PEM file", found=path)
    args.public_url = _public_url(args.public_url)
    _check_listening(args)


def _public_url(raw: str | None) -> str | None:
    """--public-url, checked: http(s), a host, at most a port; returned without a trailing slash."""
    if raw is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(raw)
        _ = parts.port  # a port that is not a number raises here
    except ValueError as exc:
        problem = f"not a URL ({exc})"
    else:
        wrong = [
            (parts.scheme.lower() not in ("http", "https"), "its scheme is not http or https"),
            (not parts.hostname, "it names no host"),
            (any(c.isspace() for c in raw), "it has a space in it"),
            ("?" in raw, "it has a query (?...): the links add their own"),
            ("#" in raw, "it has a fragment (#...)"),
            ("@" in parts.netloc, "it has a user or password in it"),
            (parts.path not in ("", "/"), "it has a path: the pages are served at the root"),
        ]
        problem = next((why for bad, why in wrong if bad), "")
    if problem:
        raise ScenarioError(
            "--public-url",
            f"not an address the links can start with: {problem}",
            expected="http:// or https://, a host and at most a port, e.g. https://wargame.example.edu",
            found=raw,
        )
    return f"{parts.scheme.lower()}://{parts.netloc}"


def _check_listening(args) -> None:
    """Listen where the server will, for a moment: a port in use or an address this machine does not
    have is an exit-2 message before any link is printed, not the server's error after them."""
    import errno
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            args.host, args.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError):
        raise ScenarioError(
            "--host",
            "not an address of this machine, nor a name it can resolve",
            expected="an address of this machine (127.0.0.1, 0.0.0.0 for every interface, ::)",
            found=args.host,
        ) from None
    with socket.socket(family, kind, proto) as probe:
        if os.name == "posix":  # as the server does (a port left in TIME_WAIT is free)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if args.host == "::":  # the server listens on IPv4 and IPv6 there
            with contextlib.suppress(OSError, AttributeError):
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ScenarioError(
                    "--port",
                    f"already in use on {args.host} (another server, or a class still running?)",
                    expected="a free port",
                    found=str(args.port),
                ) from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise ScenarioError(
                    "--port",
                    "not one this user may listen on",
                    expected="a port above 1023",
                    found=str(args.port),
                ) from None
            raise ScenarioError(
                "--host",
                f"cannot listen there: {exc.strerror or exc}",
                expected="an address of this machine (127.0.0.1, 0.0.0.0 for every interface, ::)",
                found=args.host,
            ) from None


def _server(args, page: str, env: dict, tokens: list[str] | None) -> int:
    """Hand over to the guarded server (viz.server) of `page`: it takes this process's place, so a signal
    to `wargame ui` / `wargame classroom` (Ctrl-C, a test's terminate()) reaches the server itself. It
    prints nothing more unless something goes wrong (--verbose: its log), so the links stay the last
    lines on the screen."""
    env = {
        **os.environ,
        **env,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "WARGAME_ACCESS_TOKENS": json.dumps(tokens) if tokens else "",
    }
    cmd = [sys.executable, "-m", "viz.server", page, "--host", args.host, "--port", str(args.port)]
    if args.tls_cert:
        cmd += ["--tls-cert", str(Path(args.tls_cert).resolve())]
        cmd += ["--tls-key", str(Path(args.tls_key).resolve())]
    if args.verbose:
        cmd.append("--verbose")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, cmd, env)
    return 0  # not reached


def _machine_address(ipv6: bool = False) -> str | None:
    """This machine's address on the network (never loopback), or None when it has none: the interface
    of the default route (connecting a UDP socket only picks it: no packet is sent), else the first
    interface that is up with an address."""
    import socket

    family = socket.AF_INET6 if ipv6 else socket.AF_INET
    candidates = []
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.connect(("2001:db8::1", 9) if ipv6 else ("192.0.2.1", 9))  # documentation addresses
        candidates.append(probe.getsockname()[0])
    candidates += _interface_addresses(family)
    with contextlib.suppress(OSError):
        candidates += [
            info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, family)
        ]
    return next((a for a in candidates if _reachable(a)), None)


def _interface_addresses(family) -> list[str]:
    """The addresses of the interfaces that are up, link-local ones last (psutil comes with Dask)."""
    try:
        import psutil

        up = {name for name, stats in psutil.net_if_stats().items() if stats.isup}
        found = [
            a.address
            for name, addresses in psutil.net_if_addrs().items()
            if name in up
            for a in addresses
            if a.family == family
        ]
    except Exception:  # no psutil, or a platform it cannot read: the other ways remain
        return []
    return sorted(found, key=lambda a: not _reachable(a) or ipaddress.ip_address(a).is_link_local)


def _reachable(address: str) -> bool:
    """An address another machine can use in a link: not loopback, not 'any', not an IPv6 link-local
    one (a browser cannot take its zone)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # fe80::1%eth0
        return False
    if ip.is_loopback or ip.is_unspecified or ip.is_multicast:
        return False
    return not (ip.version == 6 and ip.is_link_local)


def _base_url(args) -> str:
    """The links' base: --public-url as given, else this machine's address on --host (for 0.0.0.0 its
    address on the network, or 127.0.0.1 when it has none: see _say_before_links)."""
    if args.public_url:
        return args.public_url
    host = args.host
    if host == "0.0.0.0":
        host = _machine_address() or "127.0.0.1"
    elif host == "::":  # the server listens on both families there: an IPv4 address, if any
        host = _machine_address() or _machine_address(ipv6=True) or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    scheme = "https" if args.tls_cert else "http"
    return f"{scheme}://{host}:{args.port}"


def _say_before_links(args, base: str, who: str, advice: str) -> None:
    """What the person serving must know, on stderr before the links (which stay the last lines)."""
    from urllib.parse import urlsplit

    if not _is_loopback(args.host):
        print(
            f"note: serving on {args.host}, not only this machine: {who} on the network reach it at "
            f"{base}; {advice}",
            file=sys.stderr,
        )
    elif args.public_url:
        print(
            f"note: the links lead through {base} (--public-url) to this server on "
            f"{args.host}:{args.port}: whoever reaches that address reaches it; {advice}",
            file=sys.stderr,
        )
    if args.host in ANY_ADDRESS and not args.public_url and _is_loopback(urlsplit(base).hostname):
        print(
            f"note: this machine has no network address but loopback, so these links open only on "
            f"this machine: for {who} elsewhere, give --public-url URL (the address they reach this "
            "machine at) or --host with the machine's address",
            file=sys.stderr,
        )
    if base.startswith("http:") and _beyond_this_machine(args):
        print(
            f"WARNING: serving beyond this machine over plain HTTP ({base}): the links' tokens and "
            "everything on the pages travel unencrypted, and anyone who can watch this network can "
            "take them. Use it on a network you trust, or give --tls-cert and --tls-key (or an "
            "https --public-url of a proxy that encrypts).",
            file=sys.stderr,
        )
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the environment (a path, a permission, a full disk), not a bug
        where = exc.filename or "wargame"
        print(
            f"error: {where}: {exc.strerror or exc} (check the path and its permissions)",
            file=sys.stderr,
        )
        return 2
    except Exception as exc:  # a bug: say so in one line; WARGAME_DEBUG=1 shows the traceback
        if os.environ.get("WARGAME_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (a bug in wargame; set WARGAME_DEBUG=1 to see where)",
            file=sys.stderr,
        )
        return 1


def _classroom(args) -> int:
    """Teaching exercises: list them, print their briefings, review a saved game, or serve a class."""
    from wargame.language.exercise import list_exercises, read_exercise

    if args.command == "exercises":
        for name in list_exercises():
            ex = read_exercise(name)
            print(
                f"{name:24s} {ex.spec.title} ({ex.spec.minutes} min; seats: {', '.join(ex.seated)})"
            )
        return 0
    if args.command == "briefings":
        from wargame.presentation.debrief import briefings_html

        Path(args.html).write_text(briefings_html(read_exercise(args.exercise)), encoding="utf-8")
        print(f"wrote {args.html}")
        return 0
    from wargame.session.classroom import Classroom, ClassroomError, new_tokens

    if args.command == "debrief":
        from wargame.presentation.debrief import debrief_html, review

        if args.runs is not None and not 50 <= args.runs <= 20000:
            raise ScenarioError(
                "--runs", "out of range", expected="50 to 20,000", found=str(args.runs)
            )
        try:  # read within bounds, checked field by field and replayed: a fault names the field
            exercise = read_exercise(args.exercise) if args.exercise else None
            room = Classroom.load(Path(args.saved), exercise=exercise)
        except ScenarioError:
            raise
        except ClassroomError as exc:
            raise ScenarioError(args.saved, f"not a saved classroom game: {exc}") from None
        Path(args.html).write_text(
            debrief_html(review(room, args.runs, workers=2), room.notes), encoding="utf-8"
        )
        print(f"wrote {args.html}")
        return 0
    exercise = read_exercise(args.exercise)
    if args.load:
        try:  # a game of the exercise served, checked and replayed here, before anything is served
            Classroom.load(Path(args.load), exercise=exercise)
        except ScenarioError:
            raise
        except ClassroomError as exc:
            raise ScenarioError(args.load, f"not a saved classroom game: {exc}") from None
    from wargame.session.save_folder import check_writable

    _check_serving(args)
    save_dir = check_writable(args.save_dir)  # a class never starts where its record cannot be kept
    tokens = new_tokens(exercise.seated)
    base = _base_url(args)
    _say_before_links(args, base, "students", "give each only their own link")
    print(f"{exercise.spec.title}: the facilitator's link (keep it to yourself):")
    print(f"  {base}/?t={tokens['facilitator']}")
    print("The seats' links (give each student only theirs):")
    for actor in exercise.seated:
        print(f"  {actor:14s} {base}/?t={tokens[actor]}")
    print(
        f"Each game is saved, as it goes, to its own file in {save_dir}/ (never overwritten); "
        "Ctrl-C stops the server.",
        flush=True,
    )
    env = {
        "WARGAME_CLASSROOM_EXERCISE": str(exercise.path.resolve()),
        "WARGAME_CLASSROOM_TOKENS": json.dumps(tokens),
        "WARGAME_CLASSROOM_LOAD": str(Path(args.load).resolve()) if args.load else "",
        "WARGAME_CLASSROOM_SAVE_DIR": str(save_dir.resolve()),
        "WARGAME_CLASSROOM_BASE": base,
    }
    return _server(args, "viz.classroom_app", env, list(tokens.values()))


def _serve_ui(args) -> int:
    """Check the scenario and the folders here (a bad file is an exit-2 error, not a broken page), then
    hand over to the guarded server with the page module `viz.app`, offline and without telemetry. Beyond
    this machine the page needs a token: the link printed here carries it."""
    import secrets

    from wargame.engine.scenarios import load_scenario
    from wargame.language.scenario import default_scenario

    if args.scenario is None:
        args.scenario = default_scenario()
    load_scenario(args.scenario)
    _check_serving(args)
    for folder in args.scenarios:
        if not Path(folder).is_dir():
            raise ScenarioError(
                "--scenarios", "not a folder", expected="a folder of scenario files", found=folder
            )
    token = secrets.token_urlsafe(32) if _beyond_this_machine(args) else None
    env = {
        "WARGAME_UI_SCENARIO": str(Path(args.scenario).resolve())
        if Path(args.scenario).is_file()
        else args.scenario,
        "WARGAME_UI_SCENARIOS": os.pathsep.join(str(Path(f).resolve()) for f in args.scenarios),
    }
    base = _base_url(args)
    _say_before_links(
        args,
        base,
        "others",
        "the page opens only with this link (its token); give it only to those who may use the desk",
    )
    link = f"{base}/?t={token}" if token else f"{base}/"
    print(f"wargame ui: {link} (Ctrl-C stops it)", flush=True)
    return _server(args, "viz.app", env, [token] if token else None)


def _check_design(args, ranges, overrides: dict) -> None:
    """Options that would be ignored, or overridden without a word, are refused."""
    if args.points is not None and (args.design or "grid") != "lhs":
        raise ScenarioError(
            "--points",
            "--points counts Latin hypercube points",
            expected="--design lhs --points P",
            found=f"--points {args.points} without --design lhs",
        )
    if args.design == "lhs" and not ranges:
        raise ScenarioError(
            "--design",
            "a Latin hypercube needs something to sweep",
            expected="--design lhs with --sweep PATH=LOW:HIGH:COUNT",
            found="no --sweep",
        )
    both = sorted({r.path for r in ranges} & set(overrides))
    if both:
        raise ScenarioError(
            "--sweep",
            f"'{both[0]}' is both swept and --set (the sweep would override the --set)",
            expected="one of the two",
            found=both[0],
        )


def _check_ranges(args) -> None:
    """Numbers on the command line that would be accepted and then misbehave are refused up front."""
    # the upper bounds keep a typing slip from filling memory before anything runs
    checks = [
        ("--seed", getattr(args, "seed", None), 0, 2**63 - 1, "a whole number >= 0"),
        ("--days", getattr(args, "days", None), 1, 3650, "a whole number of days from 1 to 3650"),
        (
            "--runs",
            getattr(args, "runs", None),
            1,
            100_000_000,
            "a whole number from 1 to 100,000,000",
        ),
        ("--workers", getattr(args, "workers", None), 1, 1024, "a whole number from 1 to 1024"),
        ("--chunk-size", getattr(args, "chunk_size", None), 1, 10_000_000, "a whole number >= 1"),
        ("--points", getattr(args, "points", None), 1, 100_000, "a whole number from 1 to 100,000"),
        ("--from-day", getattr(args, "from_day", None), 0, 3650, "a day from 0 to 3650"),
        ("--top", getattr(args, "top", None), 1, 10_000, "a whole number >= 1"),
        ("--depth", getattr(args, "depth", None), 1, 10_000, "a whole number >= 1"),
    ]
    for flag, value, lowest, highest, expected in checks:
        if value is not None and not lowest <= value <= highest:
            raise ScenarioError(flag, "value out of range", expected=expected, found=str(value))
    cores = os.cpu_count() or 1
    workers = getattr(args, "workers", None)
    if workers is not None and workers > cores and not getattr(args, "scheduler", None):
        # more processes than cores only share the cores and each costs an engine's import and memory;
        # the results are the same for any number of workers
        print(
            f"note: --workers {workers} capped at this machine's {cores} cores",
            file=sys.stderr,
        )
        args.workers = cores
    share = getattr(args, "min_share", None)
    if share is not None and not 0 <= share < 1:  # also NaN
        raise ScenarioError(
            "--min-share", "value out of range", expected="a share in [0, 1)", found=str(share)
        )


def _dispatch(args) -> int:
    from wargame.engine.scenarios import load_scenario
    from wargame.language.scenario import list_scenarios

    _check_ranges(args)
    if args.command == "list":
        for name in list_scenarios():
            sc = load_scenario(name)
            print(f"{name:24s} {sc.spec.title}")
        return 0
    if args.command == "validate":
        sc = load_scenario(args.scenario, args.overrides)
        spec = sc.spec
        print(
            f"{sc.path}: ok: '{spec.title}', {len(sc.actors)} actors, {len(spec.issues)} issues, "
            f"{len(spec.sites)} sites, {len(spec.roads)} roads, {len(spec.tables)} tables, "
            f"{len(spec.events)} events, {len(spec.milestones)} milestones, {len(spec.outcomes)} outcomes"
        )
        return 0
    if args.command == "mc":
        return _monte_carlo(args)
    if args.command == "audit":
        return _audit(args)
    if args.command == "profile":
        return _profile(args)
    if args.command == "ui":
        return _serve_ui(args)
    if args.command in ("classroom", "exercises", "briefings", "debrief"):
        return _classroom(args)
    if args.command in ("tree", "drivers"):
        runs = _read_runs(args.folder)
        if args.command == "tree":
            from wargame.analysis.branching import branch_tree, render_tree

            if not 0 <= args.min_share < 1:
                raise ScenarioError(
                    "--min-share",
                    "value out of range",
                    expected="a share in [0, 1)",
                    found=str(args.min_share),
                )
            root = branch_tree(runs, min_share=args.min_share, max_depth=args.depth)
            if args.json:
                print(json.dumps(root.to_dict(), indent=1))
            else:
                print("\n".join(render_tree(root, max_depth=args.depth)))
            return 0
        from wargame.analysis.drivers import drivers, render_drivers

        if not args.outcome and not args.node:
            raise ScenarioError(
                "wargame drivers",
                "say what to explain",
                expected="--outcome NAME or --node A>B",
                found="neither",
            )
        node = tuple(args.node.split(">")) if args.node else None
        found = drivers(runs, outcome=args.outcome, node=node, top=args.top)
        if args.json:
            print(json.dumps([d.to_dict() for d in found], indent=1))
        else:
            what = f"outcome {args.outcome}" if args.outcome else f"branch {args.node}"
            print(f"What moves the chance of {what} ({runs.num_rows} runs):")
            print("\n".join(render_drivers(found)))
        return 0
    if args.command == "report":
        from wargame.analysis.results import load_results
        from wargame.presentation.report import write_report

        results = load_results(args.folder)
        if not results.complete:
            print(f"note: {args.folder} is unfinished; using its finished chunks", file=sys.stderr)
        try:
            path = write_report(results, args.html, min_share=args.min_share)
        except OSError as exc:
            raise ScenarioError(
                "--html",
                "cannot write the report",
                expected="a file path in a folder you can write to",
                found=f"{args.html} ({exc.strerror or exc})",
            ) from None
        print(
            f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, self-contained: open it in any browser)"
        )
        return 0
    if args.command == "analyze":
        from wargame.analysis.bargaining import analyze, report

        analyses = analyze(load_scenario(args.scenario, args.overrides), seed=args.seed)
        if args.json:
            print(json.dumps([a.to_dict() for a in analyses], sort_keys=True, indent=1))
        else:
            print("\n".join(report(analyses)))
        return 0
    if args.command == "run":
        from wargame.engine.model import WargameModel
        from wargame.presentation.narrative import Names, ending, story

        sc = load_scenario(args.scenario, args.overrides)
        model = WargameModel(sc, rng=args.seed, days=args.days, narrate=not args.json)
        result = model.run()
        if args.json:
            print(json.dumps(result.to_dict(), sort_keys=True, indent=1))
            return 0
        spec = sc.spec
        print(
            f"{spec.title} - seed {args.seed}, {model.horizon} days from {spec.start_date:%d %b %Y}"
        )
        print("actors: " + ", ".join(a.name for a in model.actor_list))
        entries = [rec.to_dict() for rec in model.records]
        for line in story(entries, Names.of_scenario(sc), spec.start_date):
            print(line)
        print()
        for line in ending(result):
            print(line)
        return 0
    raise AssertionError(args.command)


def _audit(args) -> int:
    """Play the runs, print the audit; 1 when a share or a key question is flagged without a reason."""
    from wargame.analysis.audit import audit_runs, render_audit
    from wargame.engine.scenarios import load_scenario
    from wargame.language.scenario import parse_set

    if not args.runs:
        raise ScenarioError(
            "wargame audit", "missing arguments", expected="SCENARIO --runs N", found="no --runs"
        )
    overrides = parse_set(args.overrides)
    load_scenario(args.scenario, overrides)  # bad input stops here, before any work
    if args.json:
        _check_writable_file("--json", args.json)
    seed = 0 if args.seed is None else args.seed
    audit = audit_runs(args.scenario, args.runs, seed, overrides, workers=args.workers)
    if args.json:  # written first, so that the verdict stays the last line
        Path(args.json).write_text(json.dumps(audit.to_dict(), indent=1), encoding="utf-8")
        print(f"wrote {args.json}")
    for line in render_audit(audit):
        print(line)
    return 1 if audit.defects else 0


def _profile(args) -> int:
    from wargame.analysis.profiling import profile_runs, render_profile
    from wargame.engine.scenarios import load_scenario
    from wargame.language.scenario import parse_set

    for flag, value in (("--runs", args.runs), ("--top", args.top)):
        if value < 1:
            raise ScenarioError(flag, "value out of range", expected="at least 1", found=str(value))
    overrides = parse_set(args.overrides)
    load_scenario(args.scenario, overrides)  # bad input stops here, before any work
    found = profile_runs(args.scenario, args.runs, args.seed, overrides, top=args.top)
    print("\n".join(render_profile(found)))
    return 0


def _check_writable_file(flag: str, path: str) -> None:
    """A file the command will write at the end: its folder must exist (found before the runs)."""
    target = Path(path)
    if target.is_dir() or not target.resolve().parent.is_dir():
        raise ScenarioError(
            flag,
            "cannot write there",
            expected="a file path in an existing folder",
            found=path,
        )


def _read_runs(folder: str):
    from wargame.batch.results_folder import read_runs

    runs, complete = read_runs(folder)
    if not complete:
        print(f"note: {folder} is unfinished; using its finished chunks", file=sys.stderr)
    return runs


# What `mc --resume` takes from the folder's manifest, so may not be given again.
PLAN_OPTIONS = {
    "scenario": "SCENARIO",
    "runs": "--runs",
    "seed": "--seed",
    "overrides": "--set",
    "sweep": "--sweep",
    "design": "--design",
    "points": "--points",
    "days": "--days",
    "from_day": "--from-day",
    "force": "--force",
    "chunk_size": "--chunk-size",
    "out": "--out",
}


def _second_ctrl_c_exits(message: str):
    """The first Ctrl-C stops the Monte Carlo in order (workers stopped, manifest marked); a second
    one, while that runs, exits at once with `message` and no traceback (chunks are written
    atomically and the workers exit when their parent is gone, so nothing is left half-done).
    Returns the handler it replaced and a list that is non-empty once Ctrl-C was pressed (None
    when not in the main thread)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    pressed: list[bool] = []

    def on_sigint(signum, frame):
        if pressed:
            os.write(2, f"{message}\n".encode())
            os._exit(130)
        pressed.append(True)
        raise KeyboardInterrupt

    return signal.signal(signal.SIGINT, on_sigint), pressed


def _monte_carlo(args) -> int:
    from pathlib import Path

    from wargame.batch.montecarlo import Plan, monte_carlo
    from wargame.batch.results_folder import MANIFEST, read_manifest
    from wargame.batch.sweeps import design_points, parse_sweep
    from wargame.engine.scenarios import load_scenario
    from wargame.language.scenario import find_scenario, parse_set

    if args.resume:
        given = [
            flag for name, flag in PLAN_OPTIONS.items() if getattr(args, name) not in (None, [])
        ]
        if given:
            raise ScenarioError(
                "--resume",
                "a resumed Monte Carlo keeps the settings in its manifest",
                expected="--resume DIR with only --workers, --scheduler, --no-progress",
                found=", ".join(given),
            )
        manifest = read_manifest(args.resume)
        try:
            plan = Plan.from_description(manifest["plan"])
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ScenarioError(
                str(Path(args.resume) / MANIFEST),
                "the manifest is damaged: its plan cannot be read",
                expected="the plan `wargame mc` wrote (run it again into a new --out folder)",
                found=f"{type(exc).__name__}: {exc}",
            ) from None
        for (
            point
        ) in plan.points:  # its settings must still make a scenario, before any worker starts
            try:
                load_scenario(plan.scenario, {**dict(plan.overrides), **dict(point)})
            except ScenarioError as exc:
                raise ScenarioError(
                    str(Path(args.resume) / MANIFEST),
                    "the manifest is damaged: its settings do not make a valid scenario",
                    expected="the plan `wargame mc` wrote (run it again into a new --out folder)",
                    found=str(exc).splitlines()[0][:300],
                ) from None
        out = Path(args.resume)
    else:
        if not args.scenario or not args.runs or not args.out:
            raise ScenarioError(
                "wargame mc",
                "missing arguments",
                expected="SCENARIO --runs N --out DIR (or --resume DIR)",
                found=" ".join(x for x in (args.scenario, args.out) if x) or "nothing",
            )
        seed = 0 if args.seed is None else args.seed
        overrides = parse_set(args.overrides)
        sc = load_scenario(args.scenario, overrides)  # bad input stops here, before any work
        ranges = [parse_sweep(s) for s in args.sweep]
        _check_design(args, ranges, overrides)
        points = design_points(ranges, args.design or "grid", args.points, seed)
        total = len(points) * args.runs
        if total > 100_000_000:
            raise ScenarioError(
                "--runs",
                "too many runs for one plan",
                expected="at most 100,000,000 runs in all (runs x sweep points)",
                found=f"{total:,}",
            )
        for point in points:  # every sweep point must make a valid scenario
            try:
                load_scenario(sc.path, {**overrides, **point})
            except ScenarioError as exc:  # the --set values alone were fine: blame the sweep
                if exc.file.startswith("--set"):
                    exc.file = "--sweep" + exc.file[len("--set") :]
                    exc.args = (str(exc),)
                raise
        if args.force and args.from_day is None:
            raise ScenarioError(
                "--force",
                "--force needs --from-day",
                expected="--from-day D --force ...",
                found=" ".join(args.force),
            )
        if args.from_day is not None:
            from wargame.engine.model import WargameModel

            horizon = args.days or sc.spec.horizon_days
            if args.from_day >= horizon:
                raise ScenarioError(
                    "--from-day",
                    "value out of range",
                    expected=f"a day before the horizon ({horizon})",
                    found=str(args.from_day),
                )
            probe = WargameModel(sc, rng=seed, narrate=False)
            probe.run(until=args.from_day)
            for spec in args.force:
                try:
                    probe.force(spec)
                except ValueError as exc:
                    raise ScenarioError("--force", str(exc), found=spec) from None
        plan = Plan(
            scenario=str(find_scenario(args.scenario).resolve()),
            runs=args.runs,
            seed=seed,
            overrides=tuple(sorted(overrides.items())),
            points=tuple(tuple(sorted(p.items())) for p in points),
            days=args.days,
            fork_day=args.from_day,
            force=tuple(args.force),
        )
        out = Path(args.out)
    hint = f"finished chunks are kept in {out}; continue with: wargame mc --resume {out}"
    previous = _second_ctrl_c_exits(f"interrupted again: stopped at once; {hint}")
    try:
        result = monte_carlo(
            plan,
            out,
            workers=args.workers,
            chunk_size=args.chunk_size,
            scheduler=args.scheduler,
            resume=bool(args.resume),
            progress=not args.no_progress,
        )
    except KeyboardInterrupt:
        print(f"interrupted: {hint}", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            handler, pressed = previous
            # After a Ctrl-C the process is on its way out: a further one must not kill it halfway
            # through exiting (Python resets its own handlers to the default while it finalizes).
            signal.signal(signal.SIGINT, signal.SIG_IGN if pressed else handler)
    import pyarrow.parquet as pq

    table = pq.read_table(result.runs_file, columns=["outcome"])
    counts = {}
    for value in table.column("outcome").to_pylist():
        counts[value] = counts.get(value, 0) + 1
    rate = result.computed / result.seconds if result.seconds else 0.0
    print(
        f"{result.total} runs in {result.out}/runs.parquet ({result.computed} computed now, "
        f"{result.seconds:.1f} s, {rate:.0f} runs/s)"
    )
    for outcome, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {outcome:32s} {n:8d}  {n / result.total:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
