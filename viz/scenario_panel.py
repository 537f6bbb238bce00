"""The scenario panel: pick a bundled scenario or load a file; read its actors, tables and key assumptions;
change the uncertain ones, each shown with its source and the range the schema allows."""

from __future__ import annotations

import solara

from viz.assumptions import assumptions
from viz.common import Desk, FieldError, Prose
from viz.workspace import bundled_scenarios


@solara.component
def ScenarioPanel(desk: Desk):
    ws = desk.ws
    sc = ws.scenario
    resolved = sc.resolved()
    path = solara.use_reactive("")
    with solara.Card("Scenario", style={"margin-bottom": "12px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            choices = bundled_scenarios()
            current = ws.source if ws.source in choices else None
            solara.Select(
                label="bundled scenario",
                values=choices,
                value=current,
                on_value=lambda name: desk.act(lambda: ws.load(name)),
                style={"min-width": "260px"},
            )
            solara.InputText(
                "or a scenario file on this machine (path)",
                value=path,
                style={"min-width": "340px"},
            )
            solara.Button(
                "Load file",
                on_click=lambda: desk.act(lambda: ws.load(path.value.strip())),
                outlined=True,
            )
        solara.FileDrop(
            label="…or drop a scenario YAML file here",
            on_file=lambda f: desk.act(lambda: ws.upload(f["name"], f["size"], f["file_obj"])),
            lazy=True,  # the size is known before the file is sent: a huge one is never transferred
        )
        FieldError(desk, "scenario")
        Prose(f"### {resolved.get('title') or sc.id}")
        if resolved.get("description"):
            Prose(resolved["description"])
        solara.Text(
            f"starts {resolved.get('start_date')}, {resolved.get('horizon_days')} days; "
            f"{len(resolved.get('actors', []))} actors, {len(resolved.get('tables', []))} tables, "
            f"{len(resolved.get('sites', []))} sites, {len(resolved.get('events', []))} events"
            + (
                f"; changed: {', '.join(f'{k}={v}' for k, v in ws.overrides.items())}"
                if ws.overrides
                else ""
            )
        )
    with solara.Columns([1, 1]):
        with solara.Card("Actors"):
            rows = []
            for a in resolved.get("actors", []):
                strategy = (a.get("strategy") or {}).get("name", "")
                rows.append(
                    f"| **{a.get('name') or a['id']}** | {strategy} | {a.get('time_pressure', '')} | "
                    f"{'yes' if a.get('evacuates') else ''} |"
                )
            Prose(
                "| actor | strategy | time pressure | evacuates |\n|---|---|---|---|\n"
                + "\n".join(rows)
            )
        with solara.Card("Tables"):
            rows = []
            for t in resolved.get("tables", []):
                issues = ", ".join(t.get("agenda") or t.get("issues") or [])
                rows.append(
                    f"| **{t['id']}** | {', '.join(t['participants'])} | {t.get('opens_day', '')} | "
                    f"{t.get('deadline_day', '')} | {issues} |"
                )
            Prose(
                "| table | participants | opens | deadline | issues |\n|---|---|---|---|---|\n"
                + "\n".join(rows)
            )
    AssumptionControls(desk, resolved)


@solara.component
def AssumptionControls(desk: Desk, resolved: dict):
    ws = desk.ws
    shown = solara.use_reactive("")
    found = assumptions(resolved)
    groups: dict[str, list] = {}
    for a in found:
        groups.setdefault(a.group, []).append(a)
    with solara.Card("Key assumptions (uncertain values: change them, the runs use them)"):
        with solara.Row():
            solara.Button(
                "Reset assumptions",
                on_click=lambda: desk.act(ws.reset_assumptions),
                outlined=True,
                disabled=not ws.overrides,
            )
        # one group's fields at a time: a page of two hundred fields is slow to build and to read
        names = list(groups)
        chosen = shown.value if shown.value in groups else (names[0] if names else None)
        if names:
            solara.ToggleButtonsSingle(value=chosen, values=names, on_value=shown.set)
        for a in groups.get(chosen, []):
            with solara.Column(gap="0px", style={"margin-bottom": "10px"}):
                solara.InputFloat(
                    f"{a.label} [{a.low:g} to {a.high:g}]",
                    value=a.value,
                    on_value=lambda v, a=a: desk.act(lambda: ws.assume(a.path, v)),
                    continuous_update=False,
                    classes=[f"assume-{a.path.replace('.', '-')}"],
                )
                solara.Text(
                    f"source: {a.source or 'none given'}",
                    style={"font-size": "0.85em", "color": "#555"},
                )
                FieldError(desk, a.path)
