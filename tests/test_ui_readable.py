"""The page's charts and story read at any width, without a browser: figures that leave their width to
the column and make room for their labels, the talks chart's whole rounds and its note, the data table
behind each chart, plotly's options, and the story oldest day first under dated headings. The same in
Chromium: tests/test_ui_readable_browser.py."""

from __future__ import annotations

import datetime as dt
import re

import plotly.graph_objects as go
import pytest
import solara

from viz.charts import NO_OFFER, figures_figure, side_by_side_figure, talks_figure, whole_step
from viz.common import PLOTLY_CONFIG, ROWS_SHOWN, Chart, data_table_html, safe_markdown
from viz.geography import map_figure
from viz.run_view import story_markdown
from viz.workspace import Workspace
from wargame.session import Game


@pytest.fixture(scope="module")
def played() -> Game:
    g = Game("syria_dec2024", seed=7)
    while g.day < 12:
        g.advance()
    return g


def _names(g: Game) -> dict[str, str]:
    return {a.actor_id: a.name for a in g.model.actor_list}


def _pictures(g: Game, upto: int | None = None) -> list[dict]:
    return [g.snapshot(d) for d in range((g.day if upto is None else upto) + 1)]


def _axes(fig: go.Figure):
    return [fig.layout[k] for k in fig.layout if k.startswith(("xaxis", "yaxis"))]


@pytest.fixture(scope="module")
def one_run_figures(played) -> dict[str, go.Figure]:
    pics = _pictures(played)
    return {
        "map": map_figure(pics[-1], _names(played)),
        "talks": talks_figure(pics, "passage", _names(played)),
        "personnel": figures_figure(pics),
    }


@pytest.fixture(scope="module")
def two_sets():
    ws = Workspace("syria_dec2024", workers=1)
    return ws.run_batch(30).results, ws.run_batch(30).results


def test_the_charts_of_one_run_leave_their_width_to_the_column(one_run_figures) -> None:
    for name, fig in one_run_figures.items():
        assert fig.layout.width is None, name
        assert fig.layout.autosize is True, name
        assert fig.layout.height, name  # a chart says its height; the column says its width
        if name != "map":  # the map's axes are hidden
            assert all(axis.automargin for axis in _axes(fig)), name


def test_a_map_drawn_outside_the_page_may_still_ask_for_a_width(played) -> None:
    fig = map_figure(played.snapshot(3), width=520, height=480)
    assert (fig.layout.width, fig.layout.autosize) == (520, False)


def test_the_talks_chart_counts_rounds_in_whole_numbers(played, one_run_figures) -> None:
    x = one_run_figures["talks"].layout.xaxis
    assert x.tickmode == "linear" and x.tick0 == 1 and x.tickformat == "d"
    assert isinstance(x.dtick, int) and x.dtick >= 1
    assert [whole_step(n) for n in (1, 3, 10, 11, 25, 60, 150, 400)] == [1, 1, 1, 2, 5, 10, 20, 50]


def test_the_talks_note_is_there_only_while_no_offer_has_been_made(played) -> None:
    names = _names(played)
    empty = talks_figure(_pictures(played, 0), "passage", names)
    assert [a.text for a in empty.layout.annotations] == [NO_OFFER["text"]]
    busy = talks_figure(_pictures(played), "passage", names)
    assert not busy.layout.annotations


def test_the_talks_legend_names_each_actor_once(played, one_run_figures) -> None:
    fig = one_run_figures["talks"]
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend and len(legend) == len(set(legend))
    assert set(legend) <= set(_names(played).values())


def test_the_side_by_side_chart_shows_whole_labels_and_keeps_its_legend_off_the_title(
    two_sets,
) -> None:
    left, right = two_sets
    fig = side_by_side_figure(left, right, "as it stands", "with <b>no</b> guarantees")
    assert fig.layout.width is None and fig.layout.autosize is True
    assert fig.layout.yaxis.automargin and fig.layout.xaxis.automargin
    labels = {**left.outcome_labels, **right.outcome_labels}
    for tick in fig.data[0].y:
        assert "…" not in tick
        assert tick.replace("<br>", " ") in {
            v.replace("&", "&amp;").replace("'", "&#x27;") for v in labels.values()
        }
    legend = fig.layout.legend
    assert (
        legend.yref == "container" and legend.y == 0 and legend.yanchor == "bottom"
    )  # at the foot
    assert fig.data[1].name == "with &lt;b&gt;no&lt;/b&gt; guarantees"  # what was typed, as text


def _points(trace) -> int:
    return sum(1 for x, y in zip(trace.x, trace.y, strict=True) if x is not None or y is not None)


def test_the_data_table_has_a_row_for_each_point_of_each_trace(one_run_figures) -> None:
    for name, fig in one_run_figures.items():
        table = data_table_html(fig)
        assert table.startswith('<details class="chart-data"><summary>The data behind this chart')
        shown = dict(re.findall(r'data-trace="(\d+)" data-rows="(\d+)"', table))
        assert shown, name
        for i, rows in shown.items():
            trace = fig.data[int(i)]
            assert int(rows) == _points(trace), (name, trace.name)
        # the outline of the country and the legend's empty lines are no data
        drawn = {int(i) for i in shown}
        for i, trace in enumerate(fig.data):
            if i not in drawn:
                assert trace.hoverinfo == "skip", (name, trace.name)


def test_the_data_table_is_capped_and_escapes_what_it_shows() -> None:
    fig = go.Figure(go.Scatter(x=list(range(500)), y=list(range(500)), name="<script>x</script>"))
    table = data_table_html(fig)
    assert table.count("<tr>") == ROWS_SHOWN + 1  # the header and the rows shown
    assert "the first 200 of 500 rows" in table
    assert "<script>" not in table and "&lt;script&gt;" not in table  # tags are not data: dropped


def test_plotlys_options_upload_nothing_and_show_no_logo() -> None:
    assert PLOTLY_CONFIG["responsive"] is True
    assert PLOTLY_CONFIG["displaylogo"] is False and PLOTLY_CONFIG["showSendToCloud"] is False
    assert "sendDataToCloud" in PLOTLY_CONFIG["modeBarButtonsToRemove"]
    assert PLOTLY_CONFIG["toImageButtonOptions"]["format"] == "png"


def _plot_widgets(rc):
    from plotly.graph_objs import FigureWidget

    return [w for w in rc.find(FigureWidget).widgets]


def test_a_chart_takes_the_page_options_its_columns_width_and_drops_what_the_last_figure_had(
    played, monkeypatch
) -> None:
    """A chart redrawn in place loses what the figure before it had and the new one lacks: plotly's
    relayout sets only what it is given, so the talks chart kept its "no offer" note over real offers."""
    names = _names(played)
    day = solara.reactive(0)

    @solara.component
    def Host():
        Chart(
            lambda: talks_figure(_pictures(played, day.value), "passage", names),
            key=(day.value,),
            caption="what the chart shows",
        )
        Chart(lambda: map_figure(played.snapshot(3), names, width=520), key=(0,))

    box, rc = solara.render(Host(), handle_error=False)
    talks, ground = _plot_widgets(rc)
    assert talks._config == PLOTLY_CONFIG and ground._config == PLOTLY_CONFIG
    assert ground.layout.width is None  # the builder asked for 520: on the page the column decides
    sent: list[dict] = []
    monkeypatch.setattr(talks, "_send_relayout_msg", lambda data, **kw: sent.append(dict(data)))
    day.set(played.day)
    assert {"annotations": None} in sent
    assert not talks.layout.annotations
    rc.close()


def test_each_chart_is_named_by_its_title_with_its_caption_and_its_data_under_it(played) -> None:
    from solara.widgets import HTML

    @solara.component
    def Host():
        Chart(lambda: figures_figure(_pictures(played)), key=(0,), caption="people, day by day")

    box, rc = solara.render(Host(), handle_error=False)
    import ipyvue

    frame = rc.find(ipyvue.Html, tag="figure").widget
    assert frame.attributes["aria-label"] == "Personnel"
    html = "\n".join(w.unsafe_innerHTML or "" for w in rc.find(HTML).widgets)
    assert "people, day by day" in html and "The data behind this chart" in html
    rc.close()


def test_the_story_is_told_oldest_day_first_under_dated_headings() -> None:
    lines = [
        (4, "round", "Russia offers; Turkey says no."),
        (3, "event", "Manbij falls."),
        (4, "signed", "A deal is signed."),
    ]
    start = dt.date(2024, 12, 8)
    text = story_markdown(lines, 3, 5, lambda d: start + dt.timedelta(days=d))
    page = safe_markdown(text)
    headings = re.findall(r"<h4>(.*?)</h4>", page)
    assert headings == ["Day 3 · 11 Dec 2024", "Day 4 · 12 Dec 2024", "Day 5 · 13 Dec 2024"]
    days = re.split(r"<h4>.*?</h4>", page)[1:]
    items = [re.findall(r"<li>(.*?)</li>", d) for d in days]
    assert items == [
        ["⚑ Manbij falls."],
        ["⇄ Russia offers; Turkey says no.", "✓ A deal is signed."],
        ["nothing reported"],
    ]
    assert "<p>" not in page  # no day runs on as a paragraph
