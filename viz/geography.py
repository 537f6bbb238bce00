"""The map of one day: the country's outline, the sites with their state, the roads coloured by who holds
them, the air and sea routes, the convoys on the move.

The outline is approximate (about 40 points traced from the borders, good to a few kilometres: enough to
place the sites, not to survey by); the sites' and roads' positions come from the scenario.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

# Syria's border, clockwise from the coast at the Turkish border (lon, lat). Approximate.
SYRIA_OUTLINE = (
    (35.92, 35.92), (36.17, 35.82), (36.35, 36.00), (36.38, 36.22), (36.58, 36.23), (36.68, 36.58),
    (36.60, 36.83), (37.05, 36.65), (37.45, 36.64), (38.03, 36.84), (38.35, 36.90), (38.75, 36.70),
    (39.22, 36.66), (40.05, 36.82), (40.75, 37.10), (41.21, 37.07), (42.00, 37.23), (42.36, 37.11),
    (42.35, 36.94), (41.85, 36.60), (41.40, 36.52), (41.29, 36.36), (41.24, 35.80), (41.00, 34.60),
    (40.95, 34.42), (40.45, 34.18), (38.79, 33.37), (37.35, 32.95), (36.84, 32.31), (36.40, 32.38),
    (35.78, 32.74), (35.83, 33.10), (35.82, 33.30), (36.06, 33.55), (36.35, 33.82), (36.28, 34.00),
    (36.62, 34.20), (36.42, 34.48), (36.45, 34.63), (35.98, 34.64), (35.90, 35.20), (35.77, 35.60),
    (35.92, 35.92),
)  # fmt: skip

# Colour-blind-safe (Okabe & Ito 2008) colours, by role.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
STATE_COLOURS = {
    "held": "#0072B2",
    "cut off": "#D55E00",
    "evacuating": "#E69F00",
    "empty": "#999999",
    "lost": "#000000",
    "none": "#BBBBBB",
}
STATE_SYMBOLS = {
    "held": "circle",
    "cut off": "x",
    "evacuating": "triangle-up",
    "empty": "circle-open",
    "lost": "square",
    "none": "diamond-open",
}


def actor_colours(actor_ids: list[str]) -> dict[str, str]:
    """One colour-blind-safe colour per actor, in the scenario's order; grey for nobody."""
    out = {a: OKABE_ITO[i % len(OKABE_ITO)] for i, a in enumerate(actor_ids)}
    out[""] = "#AAAAAA"
    return out


def _label(name: str) -> str:
    """A site's name as written beside it: without its aside, cut at a word (with "…") if long."""
    return textwrap.shorten(name.split(" (")[0].split(",")[0], 24, placeholder="…")


def map_figure(
    picture, names: dict[str, str] | None = None, height: int = 600, width: int | None = None
) -> go.Figure:
    """The ground on the picture's day, as wide as its container (`width` fixes it, for a picture drawn
    outside a page: on the page, viz.common.Chart lets the column decide)."""
    names = names or {a["id"]: a["name"] for a in picture["actors"]}
    colours = actor_colours([a["id"] for a in picture["actors"]])
    sites = {s["id"]: s for s in picture["sites"]}
    fig = go.Figure(layout={"template": "none"})
    lon, lat = zip(*SYRIA_OUTLINE, strict=True)
    fig.add_trace(
        go.Scatter(
            x=lon, y=lat, mode="lines", line={"color": "#888", "width": 1.2}, fill="toself",
            fillcolor="rgba(240,236,226,0.6)", hoverinfo="skip", name="Syria (approx.)", showlegend=False,
        )
    )  # fmt: skip
    # roads, one trace per holder so that the legend names them
    by_holder: dict[str, list] = {}
    for r in picture["roads"]:
        a, b = sites.get(r["from"]), sites.get(r["to"])
        if a is None or b is None or a["lon"] is None or b["lon"] is None:
            continue
        by_holder.setdefault(r["holder"] or "", []).append((a, b, r))
    for holder, roads in by_holder.items():
        xs, ys, text = [], [], []
        for a, b, r in roads:
            risk = max(r["risk_to"].values(), default=r["risk"])
            hover = f"{r['id']}: {a['name']} – {b['name']}, {r['km']:.0f} km<br>held by {names.get(holder, holder or 'nobody')}<br>daily risk to a convoy {risk:.0%}"
            xs += [a["lon"], b["lon"], None]
            ys += [a["lat"], b["lat"], None]
            text += [hover, hover, None]
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", line={"color": colours.get(holder, "#AAA"), "width": 3},
                name=f"road held by {names.get(holder, holder or 'nobody')}", text=text, hoverinfo="text",
                legendgroup="roads",
            )
        )  # fmt: skip
    # air and sea routes leaving the country, drawn as short strokes off the coast (one trace: cheap)
    for is_open, colour, label in (
        (True, "#0072B2", "route out, open"),
        (False, "#BBBBBB", "route out, shut"),
    ):
        xs, ys, text = [], [], []
        for route in picture["air_routes"]:
            s_ = sites.get(route["from"])
            if s_ is None or s_["lon"] is None or bool(route["open"]) != is_open:
                continue
            xs += [s_["lon"], s_["lon"] - 0.55, None]
            ys += [s_["lat"], s_["lat"] + 0.25, None]
            words = f"{route['id']}: {route['from']} to {route['to']}, {route['km']:.0f} km, {'open' if is_open else 'shut'}"
            text += [words, words, None]
        if xs:
            fig.add_trace(
                go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": 1.5, "dash": "dot"},
                           name=label, text=text, hoverinfo="text")
            )  # fmt: skip
    # convoys: a marker half way along their first road
    conv_x, conv_y, conv_t = [], [], []
    for c in picture["convoys"]:
        a, b = sites.get(c["from"]), sites.get(c["to"])
        if a is None or b is None:
            continue
        conv_x.append((a["lon"] + b["lon"]) / 2)
        conv_y.append((a["lat"] + b["lat"]) / 2)
        conv_t.append(
            f"convoy of {names.get(c['owner'], c['owner'])}: {c['personnel']} personnel, {c['equipment_t']:.0f} t<br>{a['name']} → {b['name']}, arrives day {c['arrives_day']}"
        )
    if conv_x:
        fig.add_trace(
            go.Scatter(
                x=conv_x, y=conv_y, mode="markers", marker={"symbol": "arrow-right", "size": 16, "color": "#CC79A7",
                                                            "line": {"color": "black", "width": 1}},
                name="convoy on the move", text=conv_t, hoverinfo="text",
            )
        )  # fmt: skip
    # sites, one trace per state
    by_state: dict[str, list] = {}
    for s in picture["sites"]:
        if s["lon"] is None or s["lat"] is None:
            continue
        by_state.setdefault(s["state"], []).append(s)
    for state in STATE_COLOURS:
        group = by_state.get(state, [])
        if not group:
            continue
        text = []
        for s in group:
            people = s["personnel"] + s["waiting"]
            lines = [f"<b>{s['name']}</b> ({s['kind']})", f"state: {state}"]
            if s["garrison"]:
                lines.append(
                    f"garrison of {names.get(s['garrison'], s['garrison'])}: {people} people ({s['waiting']} waiting to leave), {s['equipment_t']:.0f} t"
                )
                if s["role"]:
                    lines.append(f"role: {s['role']}")
            if s["controller"]:
                lines.append(f"area held by {names.get(s['controller'], s['controller'])}")
            if s["besieged_by"]:
                lines.append(
                    f"cut off by {names.get(s['besieged_by'], s['besieged_by'])}, supply for {s['supply_left']} days"
                )
            text.append("<br>".join(lines))
        fig.add_trace(
            go.Scatter(
                x=[s["lon"] for s in group], y=[s["lat"] for s in group], mode="markers+text",
                marker={"size": [10 + min(14, (s["personnel"] + s["waiting"]) ** 0.5 / 4) for s in group],
                        "color": STATE_COLOURS[state], "symbol": STATE_SYMBOLS[state],
                        "line": {"color": "white", "width": 1}},
                text=[_label(s["name"]) if s["garrison"] else "" for s in group],
                textposition="top center", textfont={"size": 10}, hovertext=text, hoverinfo="text",
                name=f"site {state}", cliponaxis=False,  # a coastal site's name may reach over the edge
            )
        )  # fmt: skip
    # the titles are not drawn (the axes are hidden) but name the columns of the chart's data table
    fig.update_xaxes(
        range=[34.8, 42.6], showgrid=False, zeroline=False, visible=False, title="longitude"
    )
    fig.update_yaxes(
        range=[32.1, 37.5],
        showgrid=False,
        zeroline=False,
        visible=False,
        scaleanchor="x",
        scaleratio=1.22,
        title="latitude",
    )
    fig.update_layout(
        autosize=width is None,
        height=height,
        width=width,
        margin={"l": 4, "r": 4, "t": 36, "b": 4},
        title={"text": f"Day {picture['day']} ({picture['date']})", "font": {"size": 14}},
        plot_bgcolor="#d8e8f3",
        legend={"font": {"size": 10}, "orientation": "h", "x": 0.0, "y": -0.01, "yanchor": "top"},
        hoverlabel={"align": "left"},
        template="none",  # plotly's default template costs a widget ~30 ms to check at every redraw
    )  # fmt: skip
    return fig
