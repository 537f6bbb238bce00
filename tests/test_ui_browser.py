"""The browser UI end to end: a real `wargame ui` server on a free loopback port, driven by Debian's
Chromium through Playwright. Screenshots of each screen go to out/ui-screens/ (or $WARGAME_SCREENSHOTS).

Skipped, with the reason, where no Chromium is installed (`apt-get install chromium`; CI installs it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM, NO_CHROMIUM, SHOTS, WAIT, chromium, free_port, served

pytestmark = pytest.mark.slow

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def scenario_folder(tmp_path_factory):
    """The folder the page may open files from besides the bundled scenarios (`--scenarios DIR`)."""
    return tmp_path_factory.mktemp("ui-scenarios")


@pytest.fixture(scope="module")
def server(tmp_path_factory, scenario_folder):
    port = free_port()
    out = tmp_path_factory.mktemp("ui-server") / "server.out"
    args = ["ui", "--port", str(port), "--scenarios", str(scenario_folder)]
    with served(args, port, out, {"WARGAME_UI_MAX_RUNS": "5000"}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as b:
        yield b


def _page(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(server)
    page.get_by_text("Key assumptions").wait_for(timeout=WAIT)
    return context, page


def _shot(page, name: str) -> None:
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def _step(page, to_day: int) -> None:
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text(f"played to day {to_day} of").wait_for(timeout=WAIT)


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the Vuetify select labelled `label`."""
    page.locator(".v-select", has_text=label).first.click()
    page.locator(".v-menu__content .v-list-item", has_text=option).first.click()


def test_page_renders_the_seed_scenario(browser, server):
    context, page = _page(browser, server)
    assert page.get_by_text("Syria, December 2024").first.is_visible()
    assert page.get_by_text("Russian Federation").first.is_visible()
    _shot(page, "1-scenario")
    context.close()


def test_a_step_advances_and_scrubbing_shows_an_earlier_day(browser, server):
    context, page = _page(browser, server)
    _tab(page, "One run")
    page.get_by_text("played to day 0 of").wait_for(timeout=WAIT)
    for day in (1, 2, 3):
        _step(page, day)
    page.get_by_text("seed 7 · day 3 (2024-12-11)").wait_for(timeout=WAIT)
    _shot(page, "2-one-run-day-3")
    # scrub back with the keyboard on the day slider's thumb
    page.locator(".v-input", has_text="day shown").first.locator(
        ".v-slider__thumb-container"
    ).focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.get_by_text("seed 7 · day 1 (2024-12-09)").wait_for(timeout=WAIT)
    assert page.get_by_text("played to day 3 of").is_visible()  # scrubbing replays nothing
    _shot(page, "3-one-run-scrubbed-to-day-1")
    context.close()


def test_a_seated_actor_answers_an_offer(browser, server):
    context, page = _page(browser, server)
    _tab(page, "One run")
    _choose(page, "your seat", "russia")
    page.get_by_text("You are Russian Federation").wait_for(timeout=WAIT)
    accept = page.get_by_role("button", name="Accept")
    propose = page.get_by_role("button", name="Propose")
    for _ in range(10):
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_timeout(500)
        if accept.count() or propose.count():
            break
    _shot(page, "4-seat-decision")
    if accept.count():
        page.get_by_label("why (kept with the decision)").first.fill("testing the seat")
        accept.first.click()
    else:
        propose.first.click()
    page.get_by_text("Your decisions so far").wait_for(timeout=WAIT)
    decided = page.locator(".seat-decisions").inner_text()
    assert "day 1" in decided or "day 2" in decided
    _shot(page, "5-seat-decided")
    context.close()


def test_monte_carlo_progress_branch_click_and_what_if(browser, server):
    context, page = _page(browser, server)
    _tab(page, "Many runs")
    runs = page.get_by_label("runs (at most 5,000)")
    runs.fill("200")
    runs.press("Enter")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("of 200 runs (running)").first.wait_for(timeout=WAIT)  # progress shown
    page.get_by_text("runs: 200 of 200 runs (done)").wait_for(timeout=120_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT)
    _shot(page, "6-many-runs")
    # click the first branch box to the right of the root
    icicle = page.locator(".js-plotly-plot", has=page.locator(".iciclelayer")).first
    box = icicle.locator("g.slice").nth(1)
    box.click()
    page.get_by_text("how the runs beneath end").wait_for(timeout=WAIT)
    detail = page.locator(".branch-detail")
    assert "of 200 runs" in detail.inner_text()
    _shot(page, "7-branch-detail")
    page.get_by_role("button", name="Fork and compare").click()
    page.get_by_text("Outcomes side by side").wait_for(timeout=120_000)
    _shot(page, "8-what-if")
    context.close()


def test_a_monte_carlo_can_be_cancelled(browser, server):
    context, page = _page(browser, server)
    _tab(page, "Many runs")
    runs = page.get_by_label("runs (at most 5,000)")
    runs.fill("5000")
    runs.press("Enter")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("of 5,000 runs (running)").first.wait_for(timeout=WAIT)
    # the Many runs card's Cancel: once the first runs are in, the branch panel's what-if has its own
    # (disabled while no what-if runs)
    page.locator(".v-card", has_text="Many runs").get_by_role("button", name="Cancel").first.click()
    page.get_by_text("of 5,000 runs (cancelled)").wait_for(timeout=WAIT)
    _shot(page, "9-cancelled")
    context.close()


def test_two_browser_contexts_keep_separate_state(browser, server):
    a, page_a = _page(browser, server)
    b, page_b = _page(browser, server)
    _tab(page_a, "One run")
    _step(page_a, 1)
    _step(page_a, 2)
    _tab(page_b, "One run")
    page_b.get_by_text("played to day 0 of").wait_for(timeout=WAIT)
    _step(page_b, 1)
    assert page_a.get_by_text("played to day 2 of").is_visible()
    a.close()
    b.close()


def test_a_malformed_scenario_file_shows_its_error_on_the_page(browser, server, scenario_folder):
    bad = scenario_folder / "broken.yaml"
    bad.write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    context, page = _page(browser, server)
    page.get_by_label("or a scenario file on this machine (path)").fill(str(bad))
    page.get_by_role("button", name="Load file").click()
    error = page.locator(".v-alert", has_text="broken.yaml")
    error.wait_for(timeout=WAIT)
    assert re.search(r"broken\.yaml:\d+: YAML syntax error", error.inner_text())  # file, line, what
    assert page.get_by_text("Traceback").count() == 0
    assert page.get_by_text("Syria, December 2024").first.is_visible()  # the desk kept its scenario
    _shot(page, "10-malformed-file")
    context.close()


def test_the_path_box_never_shows_a_file_outside_the_scenario_folders(browser, server):
    """A visitor types the server's secrets into the path box: each is refused by where it is, before a
    byte is read, and nothing of it reaches the page."""
    context, page = _page(browser, server)
    first_line = Path("/etc/passwd").read_text().splitlines()[0].strip()
    box = page.get_by_label("or a scenario file on this machine (path)")
    for path in ("/etc/passwd", "/etc/shadow", "../../../../etc/passwd", "/proc/self/environ"):
        box.fill(path)
        page.get_by_role("button", name="Load file").click()
        error = page.locator(".v-alert", has_text=path)
        error.wait_for(timeout=WAIT)
        assert "only from" in error.inner_text()
        body = page.locator("body").inner_text()
        assert first_line not in body and "root:" not in body and "WARGAME_" not in body
    assert page.get_by_text("Syria, December 2024").first.is_visible()  # the desk kept its scenario
    _shot(page, "11-path-refused")
    context.close()


@pytest.mark.parametrize(
    ("case", "title", "actor", "day_one"),
    [
        ("kabul_aug2021", "Kabul, August 2021", "United States (leading", "2021-08-16"),
        ("niger_2023", "France leaves Niger, 2023", "French Republic (forces", "2023-09-25"),
    ],
)
def test_each_bundled_case_is_picked_from_the_list_and_played(
    browser, server, case, title, actor, day_one
):
    """A person picks a bundled case in the scenario list: its title and its actors replace the seed's,
    and its first day is played on its own calendar."""
    context, page = _page(browser, server)
    _choose(page, "bundled scenario", case)
    page.get_by_text(title).first.wait_for(timeout=WAIT)
    page.get_by_text("Syria, December 2024").first.wait_for(state="hidden", timeout=WAIT)
    assert page.get_by_text(actor).first.is_visible()
    _tab(page, "One run")
    page.get_by_text("played to day 0 of").wait_for(timeout=WAIT)
    _step(page, 1)
    page.get_by_text(f"day 1 ({day_one})").first.wait_for(timeout=WAIT)
    _shot(page, f"case-{case}-day-1")
    context.close()
