"""The `wargame` command: run a scenario with a narrative, validate scenario files, list what is bundled."""

from __future__ import annotations

import argparse
import json
import os
import sys

from .errors import ScenarioError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wargame", description="Strategic scenario wargame (Syria, December 2024)."
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
        help="override a scenario value, e.g. actors.russia.time_pressure=0.9 (repeatable)",
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

    sub.add_parser("list", help="list the bundled scenarios")
    return p


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
    except Exception as exc:  # a bug: say so in one line; WARGAME_DEBUG=1 shows the traceback
        if os.environ.get("WARGAME_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (a bug in wargame; set WARGAME_DEBUG=1 to see where)",
            file=sys.stderr,
        )
        return 1


def _dispatch(args) -> int:
    from .scenario import list_scenarios, load_scenario

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
    if args.command == "analyze":
        from .analysis import analyze, report

        analyses = analyze(load_scenario(args.scenario, args.overrides), seed=args.seed)
        if args.json:
            print(json.dumps([a.to_dict() for a in analyses], sort_keys=True, indent=1))
        else:
            print("\n".join(report(analyses)))
        return 0
    if args.command == "run":
        if args.days is not None and args.days < 1:
            raise ScenarioError(
                "--days",
                "value out of range",
                expected="a whole number of days >= 1",
                found=str(args.days),
            )
        from .model import WargameModel
        from .narrative import ending, story

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
        for line in story(model):
            print(line)
        print()
        for line in ending(model):
            print(line)
        return 0
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
