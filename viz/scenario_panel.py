"""The scenario panel: pick a bundled scenario or load a file; read its actors, tables and key assumptions;
change the uncertain ones, each shown with its source and the range the schema allows."""

from __future__ import annotations

import html

import solara

from viz.assumptions import assumptions
from viz.common import Desk, FieldError, Prose
from viz.words import tip
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
            names = {a["id"]: a.get("name") or a["id"] for a in resolved.get("actors", [])}
            issues = {i["id"]: i.get("label") or i["id"] for i in resolved.get("issues", [])}
            rows = []
            for t in resolved.get("tables", []):
                agenda = "; ".join(
                    tip(issues.get(i, i), i) for i in (t.get("agenda") or t.get("issues") or [])
                )
                cells = [
                    f"<b>{tip(t.get('label') or t['id'], t['id'])}</b>",
                    ", ".join(tip(names.get(p, p), p) for p in t["participants"]),
                    html.escape(str(t.get("opens_day", ""))),
                    html.escape(str(t.get("deadline_day", "") or "")),
                    agenda,
                ]
                rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            head = "".join(
                f"<th>{h}</th>"
                for h in ("table", "participants", "opens (day)", "deadline (day)", "issues")
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<table class='scenario-tables'><tr>{head}</tr>{''.join(rows)}</table>",
                classes=["prose"],
            )
    AssumptionControls(desk, resolved)


@solara.component
def AssumptionControls(desk: Desk, resolved: dict):
    """The uncertain values, one group (an actor, a table, the events) at a time. A refused value goes
    back to the value in force, with the reason beside it; a prior's ends and mode share one source line;
    each changed value can be put back to the scenario's own."""
    ws = desk.ws
    shown = solara.use_reactive("")
    found = assumptions(resolved)
    groups: dict[str, list] = {}
    for a in found:
        groups.setdefault(a.group, []).append(a)
    with solara.Card("Key assumptions (uncertain values: change them, the runs use them)"):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                "Reset all assumptions",
                on_click=lambda: desk.act(ws.reset_assumptions),
                outlined=True,
                disabled=not ws.overrides,
            )
            if ws.overrides:
                solara.Text(
                    f"{len(ws.overrides)} changed from the scenario",
                    style={"font-size": "0.9em", "color": "#555"},
                )
        # one group's fields at a time: a page of two hundred fields is slow to build and to read
        names = list(groups)
        chosen = shown.value if shown.value in groups else (names[0] if names else None)
        if names:
            solara.ToggleButtonsSingle(
                value=chosen,
                values=names,
                on_value=shown.set,
                style={"flex-wrap": "wrap", "height": "auto"},
                classes=["assumption-groups"],
            )
        families: dict[str, list] = {}
        for a in groups.get(chosen, []):
            families.setdefault(a.family or a.path, []).append(a)
        for family, members in families.items():
            with solara.Column(gap="0px", style={"margin-bottom": "12px"}, classes=["assumption"]):
                if members[0].family:
                    solara.Text(family, style={"font-weight": "bold"})
                with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
                    for a in members:
                        AssumptionField(desk, a)
                solara.Text(
                    f"source: {members[0].source or 'none given'}",
                    style={"font-size": "0.85em", "color": "#555"},
                    classes=["assumption-source"],
                )


@solara.component
def AssumptionField(desk: Desk, a):
    ws = desk.ws
    changed = a.path in ws.overrides
    refusal = desk.error_of(a.path)
    label = a.part or a.label
    with solara.Column(gap="0px", style={"min-width": "220px", "flex": "1 1 220px"}):
        # Keyed by the value in force and the refusal: a refused entry is drawn again from the value in
        # force (the field never shows a number the runs do not use).
        solara.InputFloat(
            f"{label} [{a.low:g} to {a.high:g}]" + (" · changed" if changed else ""),
            value=a.value,
            on_value=lambda v: desk.act(lambda: ws.assume(a.path, v)),
            continuous_update=False,
            classes=[f"assume-{a.path.replace('.', '-')}"],
        ).key(f"{a.path}|{a.value!r}|{refusal or ''}|{desk.version.value if refusal else 0}")
        if changed:
            solara.Button(
                "back to the scenario's value",
                text=True,
                small=True,
                on_click=lambda: desk.act(lambda: ws.reset_assumption(a.path)),
                classes=[f"reset-{a.path.replace('.', '-')}"],
            )
        FieldError(desk, a.path)
