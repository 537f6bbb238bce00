"""The page's charts of one run: what a seat's talks chart shows is what that seat knows."""

from __future__ import annotations

from viz.charts import talks_figure
from viz.geography import map_figure
from wargame.session import Game


def _played(days: int = 5) -> Game:
    g = Game("syria_dec2024", seed=7, seats={"russia": "you"})
    while g.day < days or g.in_day:
        for p in g.advance():
            move = "reject" if p.role == "answer" else {k: v[-1] for k, v in p.options.items()}
            g.submit("russia", move)
    return g


def test_a_seats_talks_chart_shows_its_own_values_and_its_beliefs_never_the_others_truth() -> None:
    g = _played()
    names = {a.actor_id: a.name for a in g.model.actor_list}
    mine = [g.snapshot(d, viewer="russia") for d in range(g.day + 1)]
    fig = talks_figure(mine, "passage", names, viewer="russia")
    by_name = {t.name: t for t in fig.data}
    assert "Russian Federation: offer's worth" in by_name
    assert not any(
        n.startswith("Republic of Turkey: offer") for n in by_name
    )  # Turkey's worth is Turkey's
    believed = by_name["Republic of Turkey: outside option as you believe it"]
    last = mine[-1]
    russia = next(a for a in last["actors"] if a["id"] == "russia")
    assert believed.y[-1] == russia["beliefs"]["turkey"]["reservation"]
    whole = g.snapshot(g.day)
    truth = next(t for t in whole["tables"] if t["id"] == "passage")["reservations"]["turkey"]
    assert truth not in [y for t in fig.data for y in (t.y or []) if y is not None]
    # the analyst sees every participant's outside option and the others' beliefs about it
    analyst = talks_figure([g.snapshot(d) for d in range(g.day + 1)], "passage", names)
    assert "Republic of Turkey: outside option as the others believe it" in {
        t.name for t in analyst.data
    }


def test_the_map_shows_every_garrisoned_site_in_its_state() -> None:
    g = _played(3)
    pic = g.snapshot(3)
    fig = map_figure(pic)
    shown = {t.name: len(t.x) for t in fig.data if t.name and t.name.startswith("site ")}
    states: dict[str, int] = {}
    for s in pic["sites"]:
        states[s["state"]] = states.get(s["state"], 0) + 1
    assert shown == {f"site {k}": n for k, n in states.items()}


def test_the_map_draws_the_scenarios_outline_or_else_the_sites_extent_alone() -> None:
    """The outline is the scenario's `map:` (none is written in the code): with it the map is drawn
    round the country, named by its label; without it, round the sites alone, with no country."""
    g = _played(1)
    pic = g.snapshot(1)
    area = g.scenario.spec.map
    assert area is not None and area.label
    drawn = map_figure(pic, area=area)
    outline = drawn.data[0]
    assert outline.name == area.label and outline.fill == "toself"
    assert list(zip(outline.x, outline.y, strict=True))[:-1] == [tuple(p) for p in area.outline]
    bare = map_figure(pic)
    assert all(t.fill != "toself" for t in bare.data)
    assert area.label not in {t.name for t in bare.data}
    lons = [s["lon"] for s in pic["sites"]]
    lats = [s["lat"] for s in pic["sites"]]
    for fig in (drawn, bare):  # every site inside the axes, and a degree of longitude drawn shorter
        (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
        assert x0 < min(lons) and max(lons) < x1 and y0 < min(lats) and max(lats) < y1
        assert fig.layout.yaxis.scaleratio > 1
    # the bare map spans the sites, not the country (the seed case's sites stop short of its east)
    width = [f.layout.xaxis.range[1] - f.layout.xaxis.range[0] for f in (bare, drawn)]
    assert width[0] < width[1]
