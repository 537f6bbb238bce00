"""The map of one day: the outline of the scenario's country or region (its `map:`, when it has one),
the sites with their state, the roads coloured by who holds them, the air and sea routes, the convoys on
the move.

The outline and the sites' and roads' positions come from the scenario; a scenario without an outline is
drawn over its sites' extent alone.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

import plotly.graph_objects as go

if TYPE_CHECKING:
    from wargame.language.schema import MapSpec

LAND = "rgba(240,236,226,0.6)"  # inside the outline (everywhere, without one)
AROUND = "#e4eaef"  # outside the outline: neither sea nor land, only not the scenario's

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


class Extent:
    """What the map spans: the outline and every placed site, with a margin, in degrees."""

    def __init__(self, points: list[tuple[float, float]]) -> None:
        lons, lats = [p[0] for p in points] or [0.0], [p[1] for p in points] or [0.0]
        # at least a degree across, so that one site (or none) still makes a map
        width, height = max(max(lons) - min(lons), 1.0), max(max(lats) - min(lats), 1.0)
        mid_lon, mid_lat = (max(lons) + min(lons)) / 2, (max(lats) + min(lats)) / 2
        self.span = max(width, height)
        self.lon = (mid_lon - width / 2, mid_lon + width / 2)
        self.lat = (mid_lat - height / 2, mid_lat + height / 2)
        # a degree of longitude is shorter than one of latitude away from the equator
        self.aspect = 1 / max(math.cos(math.radians(mid_lat)), 0.2)

    def padded(self, left: float, right: float, bottom: float, top: float):
        """The axes' ranges with margins, as shares of the larger side (room for strokes and names)."""
        s = self.span
        return (
            [self.lon[0] - left * s, self.lon[1] + right * s],
            [self.lat[0] - bottom * s, self.lat[1] + top * s],
        )


def map_figure(
    picture,
    names: dict[str, str] | None = None,
    height: int = 600,
    width: int | None = None,
    area: MapSpec | None = None,
) -> go.Figure:
    """The ground on the picture's day, as wide as its container (`width` fixes it, for a picture drawn
    outside a page: on the page, viz.common.Chart lets the column decide). `area` is the scenario's
    `map:` (its outline and label); without it the map spans the sites alone."""
    names = names or {a["id"]: a["name"] for a in picture["actors"]}
    colours = actor_colours([a["id"] for a in picture["actors"]])
    sites = {s["id"]: s for s in picture["sites"]}
    placed = [
        (s["lon"], s["lat"])
        for s in picture["sites"]
        if s["lon"] is not None and s["lat"] is not None
    ]
    outline = [tuple(p) for p in area.outline] if area is not None else []
    extent = Extent(outline + placed)
    stroke = (-0.07 * extent.span, 0.032 * extent.span)  # a route out, drawn off its site
    fig = go.Figure(layout={"template": "none"})
    if outline:
        lon, lat = zip(*outline, outline[0], strict=True)
        fig.add_trace(
            go.Scatter(
                x=lon, y=lat, mode="lines", line={"color": "#888", "width": 1.2}, fill="toself",
                fillcolor=LAND, hoverinfo="skip", name=area.label or "outline", showlegend=False,
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
            if r.get("open") is False:
                hover += "<br>shut: no column sets out along it"
            if r.get("capacity_per_day"):
                hover += f"<br>lets {r['capacity_per_day']:,} people a day through"
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
    # air and sea routes out, drawn as short strokes off the site they leave from (one trace: cheap)
    for is_open, colour, label in (
        (True, "#0072B2", "route out, open"),
        (False, "#BBBBBB", "route out, shut"),
    ):
        xs, ys, text = [], [], []
        for route in picture["air_routes"]:
            s_ = sites.get(route["from"])
            if s_ is None or s_["lon"] is None or bool(route["open"]) != is_open:
                continue
            xs += [s_["lon"], s_["lon"] + stroke[0], None]
            ys += [s_["lat"], s_["lat"] + stroke[1], None]
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
    # the titles are not drawn (the axes are hidden) but name the columns of the chart's data table;
    # the margins leave room for the routes' strokes (to the left) and the sites' names (above)
    x_range, y_range = extent.padded(left=0.12, right=0.03, bottom=0.03, top=0.05)
    fig.update_xaxes(
        range=x_range, showgrid=False, zeroline=False, visible=False, title="longitude"
    )
    fig.update_yaxes(
        range=y_range,
        showgrid=False,
        zeroline=False,
        visible=False,
        scaleanchor="x",
        scaleratio=round(extent.aspect, 3),
        title="latitude",
    )
    fig.update_layout(
        autosize=width is None,
        height=height,
        width=width,
        margin={"l": 4, "r": 4, "t": 36, "b": 4},
        title={"text": f"Day {picture['day']} ({picture['date']})", "font": {"size": 14}},
        plot_bgcolor=AROUND if outline else LAND,
        legend={"font": {"size": 10}, "orientation": "h", "x": 0.0, "y": -0.01, "yanchor": "top"},
        hoverlabel={"align": "left"},
        template="none",  # plotly's default template costs a widget ~30 ms to check at every redraw
    )  # fmt: skip
    return fig
