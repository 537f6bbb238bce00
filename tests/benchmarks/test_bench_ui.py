"""The browser page's redraws, measured on the rendered page without a browser (solara.render): the server's
share of a Step and of a scrub (goal: 100 ms each; the browser's own drawing comes on top)."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara

import viz.app

pytestmark = pytest.mark.slow  # 30 redraws each (13 s): measured by make bench and make test-all


@pytest.fixture
def page(monkeypatch):
    made = []
    original = viz.app.first_desk

    def keep():
        desk = original()
        made.append(desk[0])
        return desk

    monkeypatch.setattr(viz.app, "first_desk", keep)
    box, rc = solara.render(viz.app.Page(), handle_error=False)
    rc.find(v.Tabs).widget.v_model = 1  # the "One run" tab, where a user steps and scrubs
    yield rc, made[0]
    rc.close()


def _median(benchmark):
    return benchmark.stats.stats.median if benchmark.stats else None


def _goal(benchmark_goal, median):
    benchmark_goal(
        "median <= 100 ms",
        None if median is None else f"median {median * 1e3:.0f} ms",
        None if median is None else median <= 0.1,
    )


def test_bench_a_step_redraws_the_page(benchmark, benchmark_goal, page):
    rc, ws = page
    step = rc.find(v.Btn, children=["Step"])
    benchmark.pedantic(lambda: step.widget.click(), rounds=30, iterations=1)
    assert ws.last_day == 30  # every click played one day and the page drew it
    _goal(benchmark_goal, _median(benchmark))


def test_bench_a_scrub_redraws_the_page(benchmark, benchmark_goal, page):
    rc, ws = page
    step = rc.find(v.Btn, children=["Step"])
    for _ in range(20):
        step.widget.click()
    days = iter([d % 20 for d in range(10**6)])
    slider = rc.find(v.Slider, label="day shown")

    def scrub():
        slider.widget.v_model = next(days)

    benchmark.pedantic(scrub, rounds=30, iterations=1)
    assert ws.last_day == 20 and ws.day != 20  # scrubbing moved the day shown, not the run
    _goal(benchmark_goal, _median(benchmark))
