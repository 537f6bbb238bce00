"""The page read in Chromium at a laptop's width (1280x800, and 1024x768 where it must stay usable): every
chart as wide as its column and no wider, the story a list oldest day first under dated headings, the
talks chart in whole rounds without its "no offer" note once offers are made, plotly's buttons without
a cloud upload and out of the tab order, and the data behind each chart in a table with a row for each
point drawn. A real `wargame ui` server on a free loopback port; screenshots to out/ui-screens/.

The same figures without a browser: tests/test_ui_readable.py."""

from __future__ import annotations

import contextlib
import re

import pytest

from tests.browser_support import CHROMIUM, NO_CHROMIUM, SHOTS, WAIT, chromium, free_port, served

pytestmark = pytest.mark.slow

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

LAPTOP = (1280, 800)
SMALL = (1024, 768)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    out = tmp_path_factory.mktemp("ui-readable") / "server.out"
    with served(["ui", "--port", str(port)], port, out) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as b:
        yield b


@pytest.fixture
def page(browser, server, request):
    """The page at a size (LAPTOP unless the test is parametrized with `size`)."""
    width, height = getattr(request, "param", LAPTOP)
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.goto(server)
    pg.get_by_text("Key assumptions").wait_for(timeout=WAIT)
    yield pg
    context.close()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def _step_to(page, day: int) -> None:
    page.get_by_text("played to day 0 of").wait_for(timeout=WAIT)
    for d in range(1, day + 1):
        page.get_by_role("button", name="Step", exact=True).click()
        page.get_by_text(f"played to day {d} of").wait_for(timeout=WAIT)


def _one_run_at_day(page, day: int) -> None:
    _tab(page, "One run")
    _step_to(page, day)
    page.locator("figure.chart .js-plotly-plot .main-svg").nth(2).wait_for(timeout=WAIT)


# Each chart shown: the plot's box, its column's (the figure's parent), and plotly's drawing (.main-svg).
MEASURE = """() => [...document.querySelectorAll('figure.chart')].filter(f => f.offsetParent !== null).map(f => {
    const gd = f.querySelector('.js-plotly-plot');
    const box = (el) => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width}; };
    return {name: f.getAttribute('aria-label'), column: box(f.parentElement), plot: box(gd),
            svg: box(gd.querySelector('.main-svg'))};
})"""


def _settled(page, timeout_ms: int = 8000) -> list[dict]:
    """The charts' boxes once plotly has fitted each to its column (or as they are after the timeout:
    the assertions then say which is wrong)."""
    with contextlib.suppress(playwright.TimeoutError):
        page.wait_for_function(
            f"() => ({MEASURE})().every(c => Math.abs(c.svg.width - c.plot.width) <= 1)",
            timeout=timeout_ms,
        )
    page.wait_for_timeout(300)
    return page.evaluate(MEASURE)


def _assert_fitted(charts: list[dict], width: int) -> None:
    assert charts
    for c in charts:
        name = c["name"]
        assert c["plot"]["right"] <= c["column"]["right"] + 1, (
            f"{name}: the plot runs past its column"
        )
        assert c["svg"]["right"] <= c["plot"]["right"] + 1, (
            f"{name}: the drawing is cut off at the right"
        )
        assert c["svg"]["width"] >= c["plot"]["width"] - 1, (
            f"{name}: the drawing does not fill its plot"
        )
        assert c["plot"]["right"] <= width, f"{name}: past the window's edge"
        assert c["plot"]["width"] >= 250, f"{name}: too narrow to read"


def _texts(locator) -> list[str]:
    """The text of each element (an SVG's text has no inner text)."""
    return locator.evaluate_all("els => els.map(e => e.textContent)")


def _shot(page, name: str) -> None:
    """The active tab's panel, whole: the page scrolls inside itself, so the window is made tall for the
    picture (as wide as it was: the layout is the same), then put back."""
    size = page.viewport_size
    page.mouse.move(0, 0)  # no tooltip in the picture
    page.set_viewport_size({"width": size["width"], "height": 3000})
    page.wait_for_timeout(600)
    page.locator(".v-window-item--active").first.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size(size)


@pytest.mark.parametrize("page", [LAPTOP, SMALL], indirect=True, ids=["1280x800", "1024x768"])
def test_the_charts_of_one_run_fill_their_columns_and_nothing_is_cut_off(page) -> None:
    width = page.viewport_size["width"]
    _one_run_at_day(page, 5)
    charts = _settled(page)
    assert {c["name"] for c in charts} >= {
        "Day 5 (2024-12-13)",
        "Talks at the passage table",
        "Personnel",
    }
    _assert_fitted(charts, width)
    # the column changes (a wider window, then back): each chart follows it, not only when first drawn
    before = {c["name"]: c["plot"]["width"] for c in charts}
    page.set_viewport_size({"width": width + 160, "height": page.viewport_size["height"]})
    wider = _settled(page)
    _assert_fitted(wider, width + 160)
    assert all(c["plot"]["width"] > before[c["name"]] for c in wider if c["name"] in before)
    page.set_viewport_size({"width": width, "height": page.viewport_size["height"]})
    _assert_fitted(_settled(page), width)
    # the axis labels are whole: the personnel chart reaches the day shown
    personnel = page.locator('figure.chart[aria-label="Personnel"]')
    ticks = _texts(personnel.locator(".xtick text"))
    assert ticks and ticks[-1] == "5", ticks
    _shot(page, f"readable-one-run-{width}")


def test_the_charts_of_many_runs_fill_their_columns(page) -> None:
    _tab(page, "Many runs")
    runs = page.get_by_label("runs (at most 5,000)")
    runs.fill("60")
    runs.press("Enter")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("runs: 60 of 60 runs (done)").wait_for(timeout=120_000)
    page.locator("figure.chart .iciclelayer").first.wait_for(timeout=WAIT)
    charts = _settled(page)
    assert any(c["name"].startswith("Branches") for c in charts)
    assert any(c["name"].startswith("Outcomes of 60 runs") for c in charts)
    _assert_fitted(charts, LAPTOP[0])
    _shot(page, "readable-many-runs-1280")


def test_the_story_is_a_list_oldest_day_first_under_dated_headings(page) -> None:
    _one_run_at_day(page, 5)
    story = page.locator(".story-box")
    story.locator("h4").first.wait_for(timeout=WAIT)
    headings = story.locator("h4").all_inner_texts()
    assert headings == ["Day 3 · 11 Dec 2024", "Day 4 · 12 Dec 2024", "Day 5 · 13 Dec 2024"]
    shape = story.evaluate(
        """box => [...box.querySelectorAll('h4')].map(h => {
            const list = h.nextElementSibling;
            return [list && list.tagName, list ? list.querySelectorAll(':scope > li').length : 0];
        })"""
    )
    assert all(tag == "UL" and items >= 1 for tag, items in shape), shape
    assert story.locator("p").count() == 0  # no day runs on as one paragraph
    # the box opens on the newest day: its heading is in view
    newest = story.locator("h4").last
    assert newest.evaluate(
        """h => { const b = h.closest('.story-box').getBoundingClientRect(), r = h.getBoundingClientRect();
                  return r.top >= b.top - 1 && r.bottom <= b.bottom + 1; }"""
    )


def test_the_talks_chart_counts_whole_rounds_says_what_it_shows_and_drops_its_note(page) -> None:
    _tab(page, "One run")
    talks = page.locator('figure.chart[aria-label="Talks at the passage table"]')
    talks.locator(".main-svg").first.wait_for(timeout=WAIT)
    note = talks.locator(".annotation-text", has_text="no offer made at this table yet")
    assert note.count() == 1  # day 0: nothing offered yet
    assert "Each round of talks at this table" in talks.locator("figcaption").inner_text()
    _step_to(page, 5)
    page.wait_for_function(
        """() => { const f = document.querySelector('figure.chart[aria-label="Talks at the passage table"]');
                   const gd = f && f.querySelector('.js-plotly-plot');
                   return gd && gd.data.length > 0 && gd.data[0].x.length >= 2; }""",
        timeout=WAIT,
    )
    page.wait_for_timeout(500)
    assert note.count() == 0, "the 'no offer' note stays over real offers"
    ticks = _texts(talks.locator(".xtick text"))
    assert len(ticks) >= 2 and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
    numbers = [int(t) for t in ticks]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1, numbers


def test_plotlys_buttons_upload_nothing_save_png_and_svg_and_stay_out_of_the_tab_order(
    page,
) -> None:
    _one_run_at_day(page, 2)
    charts = page.locator("figure.chart")
    assert charts.count() >= 3
    for i in range(charts.count()):
        chart = charts.nth(i)
        titles = chart.locator(".modebar-btn").evaluate_all(
            "bs => bs.map(b => b.getAttribute('data-title') || '')"
        )
        name = chart.get_attribute("aria-label")
        assert not [t for t in titles if "Share" in t or "Produced with Plotly" in t], (
            name,
            titles,
        )
        assert chart.locator('.modebar-btn[data-attr="sendDataToCloud"]').count() == 0
        assert "Download plot as a PNG" in titles and "Download plot as SVG" in titles, (
            name,
            titles,
        )
        focusable = chart.locator(".js-plotly-plot").evaluate(
            "gd => [...gd.querySelectorAll('*')].filter(e => e.tabIndex >= 0).length"
        )
        assert focusable == 0, f"{name}: {focusable} tab stops inside the chart"
    # the SVG is plotly's own drawing, made in the browser
    personnel = page.locator('figure.chart[aria-label="Personnel"]')
    personnel.hover()
    with page.expect_download(timeout=WAIT) as got:
        personnel.locator('.modebar-btn[data-title="Download plot as SVG"]').click()
    download = got.value
    assert download.suggested_filename == "personnel.svg"
    assert download.path().read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_each_chart_is_named_and_has_its_data_in_a_table_row_for_row(page) -> None:
    _one_run_at_day(page, 5)
    _settled(page)
    found = page.evaluate(
        """() => [...document.querySelectorAll('figure.chart')].map(f => {
            const gd = f.querySelector('.js-plotly-plot');
            const title = ((gd.layout.title || {}).text || '').replace(/<[^>]*>/g, ' ').trim();
            const details = f.querySelector('details.chart-data');
            const tables = [...f.querySelectorAll('table.chart-data')].map(t => {
                const trace = gd.data[+t.dataset.trace];
                const points = trace.labels ? trace.labels.length
                    : trace.x.filter((x, k) => x !== null || trace.y[k] !== null).length;
                return {name: trace.name, caption: t.querySelector('caption').textContent,
                        rows: t.querySelectorAll('tbody tr').length, points: points,
                        all: +t.dataset.rows};
            });
            return {label: f.getAttribute('aria-label'), title: title, open: details && details.open,
                    summary: details && details.querySelector('summary').textContent, tables: tables};
        })"""
    )
    assert len(found) >= 3
    for chart in found:
        assert chart["label"] == chart["title"] and chart["label"] != "chart"
        assert chart["summary"] == "The data behind this chart" and chart["open"] is False
        assert chart["tables"], chart["label"]
        for t in chart["tables"]:
            assert t["caption"] == t["name"], t
            assert t["all"] == t["points"], (chart["label"], t)
            assert t["rows"] == min(t["points"], 200), (chart["label"], t)
    talks = next(c for c in found if c["label"].startswith("Talks"))
    assert all(t["points"] == 5 for t in talks["tables"])  # a row for each of the 5 rounds
    # opened, the table is read as a table
    page.locator('figure.chart[aria-label="Personnel"] summary').click()
    table = page.get_by_role("table", name="evacuated")
    assert table.is_visible()
    assert table.get_by_role("columnheader").all_inner_texts() == ["day", "personnel"]
