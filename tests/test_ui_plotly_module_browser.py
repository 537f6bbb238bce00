"""plotly's code (~5 MB: plotly.js and its widget) reaches a page once, not once per chart, and a later page
of the same browser takes it from its cache (viz/plotly_module.py): in a real Chromium against `wargame
ui` on a free loopback port, the One run tab's three charts drawn with no websocket message over 1 MB
(each chart used to bring its own 5 MB copy), plotly's module fetched once per page, from the network the
first time and from the cache the next; and a chart still answers the mouse: a hover draws plotly's
label and reaches Python as the widget's synced hover event (what viz/tree_clicks.py reads, for clicks).

Skipped, with the reason, where no Chromium is installed."""

from __future__ import annotations

import pytest

from tests.browser_support import CHROMIUM, NO_CHROMIUM, WAIT, chromium, free_port, served

pytestmark = pytest.mark.slow

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

BIG = 1_000_000  # bytes: one websocket message; plotly's bundle alone is ~5 MB
QUIET = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
MODULE = "/static/wargame/plotly-widget-"  # viz.plotly_module.path(), whatever its hash


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    out = tmp_path_factory.mktemp("ui-plotly-module") / "server.out"
    with served(["ui", "--port", str(port)], port, out, QUIET) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as b:
        yield b


def _watched(context):
    """A new page of `context`, and the sizes of the websocket messages it receives and the text of those
    it sends, from its first."""
    page = context.new_page()
    frames: dict[str, list] = {"received": [], "sent": []}

    def follow(ws):
        ws.on("framereceived", lambda f: frames["received"].append(len(f)))
        ws.on("framesent", lambda f: frames["sent"].append(f if isinstance(f, str) else ""))

    page.on("websocket", follow)
    return page, frames


def _one_run(page, url: str) -> None:
    page.goto(url)
    page.get_by_text("Key assumptions").wait_for(timeout=WAIT)
    page.get_by_role("tab", name="One run").click()
    playwright.expect(page.get_by_role("button", name="Step", exact=True)).to_be_enabled(
        timeout=WAIT
    )


def _fetches_of_the_module(page) -> list[dict]:
    """The page's loads of plotly's module: transferSize 0 when the browser's cache answered."""
    return page.evaluate(
        f"""() => performance.getEntriesByType('resource')
              .filter((e) => e.name.includes({MODULE!r}))
              .map((e) => ({{name: e.name, transferSize: e.transferSize,
                             decodedBodySize: e.decodedBodySize}}))"""
    )


def test_plotlys_code_crosses_the_wire_once_and_the_next_page_takes_it_from_the_cache(
    browser, server
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        for visit in ("first", "second"):
            page, frames = _watched(context)
            _one_run(page, server)
            charts = page.locator("figure.chart:visible")
            charts.nth(2).locator(".main-svg").first.wait_for(timeout=WAIT)
            assert charts.count() >= 3
            for i in range(charts.count()):  # each chart drawn by plotly
                assert charts.nth(i).locator(".js-plotly-plot .main-svg").count() > 0, i
            big = [n for n in frames["received"] if n > BIG]
            assert not big, f"{visit} page: websocket messages over 1 MB: {big}"
            fetched = _fetches_of_the_module(page)
            assert len(fetched) == 1, fetched  # one module for every chart
            assert fetched[0]["decodedBodySize"] > BIG  # the bundle itself, not a stub
            if visit == "first":
                assert fetched[0]["transferSize"] > 0, fetched  # from the server
            else:
                assert fetched[0]["transferSize"] == 0, fetched  # from the browser's cache
            page.close()
    finally:
        context.close()


def test_a_chart_answers_a_hover_on_the_page_and_in_python(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page, frames = _watched(context)
        _one_run(page, server)
        for day in (1, 2, 3):
            page.get_by_role("button", name="Step", exact=True).click()
            page.get_by_text(f"played to day {day} of").wait_for(timeout=WAIT)
        chart = page.locator('figure.chart[aria-label="Personnel"]')
        chart.locator(".main-svg").first.wait_for(timeout=WAIT)
        chart.scroll_into_view_if_needed()
        # the last point of the first line, where plotly draws it on the screen
        x, y = chart.locator(".js-plotly-plot").evaluate(
            """(gd) => {
  const t = gd._fullData[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.getBoundingClientRect(), k = t.x.length - 1;
  return [box.left + xa._offset + xa.c2p(xa.d2c(t.x[k])),
          box.top + ya._offset + ya.c2p(ya.d2c(t.y[k]))];
}"""
        )
        before = len(frames["sent"])
        page.mouse.move(x - 4, y - 4)
        page.mouse.move(x, y)
        chart.locator(".hoverlayer .hovertext").first.wait_for(timeout=WAIT)
        hovers: list[str] = []
        for _ in range(50):  # the widget's hover event, on its way to Python
            hovers = [s for s in frames["sent"][before:] if '"plotly_hover"' in s]
            if hovers:
                break
            page.wait_for_timeout(100)
        assert hovers and "_js2py_pointsCallback" in hovers[0], frames["sent"][before:][:3]
    finally:
        context.close()
