"""The analyst's answers in a real browser at 1280x800: 200 runs, a click on a branch shows that branch, a
what-if answers as labelled pairs (each outcome by the scenario's label, two shares with their intervals, the
difference and whether it is larger than chance), and each export of the batch downloads and parses.
A real `wargame ui` server driven by Debian's Chromium (tests/test_ui_browser.py's server and browser);
screenshots in out/ui-screens/.

Skipped, with the reason, where no Chromium is installed."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from tests.browser_support import CHROMIUM, NO_CHROMIUM, WAIT

pytestmark = pytest.mark.slow

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from tests.test_ui_browser import _shot, _tab, browser, scenario_folder, server  # noqa: E402, F401
from wargame.language.scenario import find_scenario  # noqa: E402

RUNS = 200
SHARE = r"\d{1,3}\.\d% \(\d{1,3}\.\d – \d{1,3}\.\d%\)"  # "41.5% (34.9 – 48.4%)"


def _outcome_labels() -> set[str]:
    scenario = yaml.safe_load(find_scenario("syria_dec2024").read_text(encoding="utf-8"))
    return {o["label"] for o in scenario["outcomes"]}


@pytest.fixture(scope="module")
def many(browser, server):  # noqa: F811
    """One page at 1280x800 with 200 runs done on its Many runs tab (the tests below go on from it)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.goto(server)
    page.get_by_text("Key assumptions").wait_for(timeout=WAIT)
    _tab(page, "Many runs")
    runs = page.get_by_label("runs (at most 5,000)")
    runs.fill(str(RUNS))
    runs.press("Enter")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text(f"runs: {RUNS} of {RUNS} runs (done)").wait_for(timeout=180_000)
    page.locator(".branch-path").wait_for(timeout=WAIT)
    yield page
    context.close()


def _icicle(page):
    return page.locator(".js-plotly-plot", has=page.locator(".iciclelayer")).first


def test_the_branch_chart_shows_its_title_and_every_count_whole(many) -> None:
    page = many
    icicle = _icicle(page)
    icicle.locator(".updatemenu-header-group").wait_for(timeout=WAIT)
    title = icicle.locator(".gtitle").bounding_box()
    menu = icicle.locator(".updatemenu-header-group").bounding_box()
    apart = title["y"] + title["height"] <= menu["y"] or menu["y"] + menu["height"] <= title["y"]
    assert apart or title["x"] + title["width"] <= menu["x"], (
        title,
        menu,
    )  # the menu hides no title
    outcomes = page.locator(".js-plotly-plot", has=page.locator(".gtitle", has_text="Outcomes of"))
    svg = outcomes.first.locator("svg.main-svg").first.bounding_box()
    counts = outcomes.first.locator("g.textpoint text")
    assert counts.count() >= 2
    for i in range(counts.count()):
        box = counts.nth(i).bounding_box()
        assert box["x"] + box["width"] <= svg["x"] + svg["width"] + 0.5, counts.nth(
            i
        ).text_content()
    _shot(page, "answers-1-many-runs")


def _label_of(box) -> tuple[str, str]:
    """A box's label and its share of all runs, as the icicle writes them on it."""
    lines = box.locator("text.slicetext").get_attribute("data-unformatted").split("<br>")
    return " ".join(lines[:-1]), lines[-1]


def _click_and_see(page, box) -> str:
    """Click a box; wait until the branch panel names another branch; the name it shows."""
    path = page.locator(".branch-path")
    before = path.inner_text().strip()
    box.click()
    page.wait_for_function(
        "before => document.querySelector('.branch-path').innerText.trim() !== before",
        arg=before,
        timeout=WAIT,
    )
    return path.inner_text().strip()


def test_a_clicked_branch_is_the_branch_shown(many) -> None:
    page = many
    detail = page.locator(".branch-detail")
    # a box with boxes beneath it (clicking it also zooms the chart): the largest right of "All runs"
    box = _icicle(page).locator("g.slice").nth(1)
    label, percent = _label_of(box)
    assert label and label not in detail.inner_text()  # not text the panel showed already
    shown = _click_and_see(page, box)
    assert shown == label, (shown, label)
    assert f"of {RUNS} runs: {percent}" in detail.inner_text()
    _shot(page, "answers-2-branch-clicked")
    # then a box deeper down, in the zoomed chart: the panel follows it
    page.wait_for_timeout(1000)  # the zoom's animation
    slices = _icicle(page).locator("g.slice", has=page.locator("text.slicetext"))
    deeper = next(
        s for s in (slices.nth(i) for i in range(slices.count()))
        if _label_of(s)[0] not in (label, "All runs", "", "no further milestone", "other (rarer branches)")
        and "%" in _label_of(s)[1]
    )  # fmt: skip
    label2, percent2 = _label_of(deeper)
    shown = _click_and_see(page, deeper)
    assert shown.split(" → ")[-1] == label2 and shown.startswith(label), (shown, label2)
    assert f"of {RUNS} runs: {percent2}" in detail.inner_text()


def test_a_what_if_answers_with_labelled_pairs(many) -> None:
    page = many
    page.get_by_role("button", name="Fork and compare").click()
    answer = page.locator(".whatif-answer")
    answer.locator(".pair-row").first.wait_for(timeout=180_000)
    labels = _outcome_labels()
    rows = answer.locator(".pair-row")
    assert rows.count() >= 1
    for i in range(rows.count()):
        row = rows.nth(i)
        label = row.locator(".pair-label").inner_text().strip()
        assert label in labels and "…" not in label, label
        assert re.fullmatch(SHARE, row.locator(".pair-a").inner_text().strip())
        assert re.fullmatch(SHARE, row.locator(".pair-b").inner_text().strip())
        assert re.fullmatch(r"[+−]\d+\.\d points", row.locator(".pair-diff").inner_text().strip())
        assert re.fullmatch(
            r"(larger than chance|within chance) \(p [<=] [\d.]+\)",
            row.locator(".pair-verdict").inner_text().strip(),
        )
    # the chart names the same outcomes on its axis, whole, and fits its card
    chart = answer.locator(".js-plotly-plot").first
    chart.locator(".ytick").first.wait_for(timeout=WAIT)
    ticks = chart.locator(".ytick text")
    named = set()
    for i in range(ticks.count()):
        lines = ticks.nth(i).locator("tspan.line").all_text_contents()
        named.add(" ".join(lines) if lines else ticks.nth(i).text_content())
    assert named and named <= labels, named - labels
    card, drawn = answer.bounding_box(), chart.bounding_box()
    assert drawn["x"] + drawn["width"] <= card["x"] + card["width"] + 1
    answer.scroll_into_view_if_needed()
    _shot(page, "answers-3-what-if")


@pytest.mark.parametrize(
    "button, ending",
    [
        ("runs (CSV)", "runs.csv"),
        ("runs (Parquet)", "runs.parquet"),
        ("branch tree (JSON)", "branch-tree.json"),
        ("report (HTML)", "report.html"),
    ],
)
def test_each_export_downloads_and_parses(many, button: str, ending: str) -> None:
    page = many
    with page.expect_download(timeout=120_000) as fetched:
        page.get_by_role("button", name=button).click()
    download = fetched.value
    assert download.suggested_filename == f"syria_dec2024-{RUNS}-runs-seed-1-{ending}"
    path = download.path()
    if ending.endswith(".parquet"):
        table = pq.read_table(path)
        assert table.num_rows == RUNS
        assert sorted(table.column("run_id").to_pylist()) == list(range(RUNS))
    elif ending.endswith(".csv"):
        assert len(pd.read_csv(path)) == RUNS
    elif ending.endswith(".json"):
        root = json.loads(path.read_text(encoding="utf-8"))
        assert root["runs"] == RUNS
        assert sum(child["runs"] for child in root["children"]) == RUNS
    else:
        page_text = path.read_text(encoding="utf-8")
        assert f"Monte Carlo report · {RUNS} runs" in page_text
        for section in ("Outcomes", "Branches", "Over time", "Milestones", "Drivers"):
            assert f">{section}</h2>" in page_text
