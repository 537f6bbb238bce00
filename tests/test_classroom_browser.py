"""A class in real browsers: `wargame classroom classroom_45min` on a free loopback port, an instructor and
two students in three separate Chromium contexts (Playwright). Screenshots go to out/ui-screens/ (or
$WARGAME_SCREENSHOTS). Skipped, with the reason, where no Chromium is installed."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser_support import CHROMIUM, NO_CHROMIUM, SHOTS, WAIT, chromium, free_port, served
from wargame.language.exercise import read_exercise

pytestmark = pytest.mark.slow

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """The server and the links it printed: {"facilitator": url, "russia": url, ...}."""
    port = free_port()
    saves = tmp_path_factory.mktemp("classroom-saves")
    out = saves / "server.out"
    args = ["classroom", "classroom_45min", "--port", str(port), "--save-dir", str(saves)]
    with served(args, port, out):
        text = out.read_text()
        links = {"facilitator": re.search(r"^\s+(http://\S+)$", text, re.M).group(1)}
        links.update(dict(re.findall(r"^\s+(\w+)\s+(http://\S+)$", text, re.M)))
        yield links, saves, out


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as b:
        yield b


def _open(browser, url: str, ready: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.get_by_text(ready).first.wait_for(timeout=WAIT)
    return context, page


def _status(page) -> str:
    try:
        return page.locator(".class-status").first.inner_text(timeout=10_000)
    except playwright.TimeoutError:
        page.screenshot(path=str(SHOTS / "c0-status-missing.png"), full_page=True)
        raise


def _act(page, why: str) -> bool:
    """Do what the seat is asked (make the offer shown, accept, or end the turn); False if nothing."""
    for button in ("Make this offer", "Accept", "End my turn"):
        target = page.get_by_role("button", name=button)
        if target.count() and target.first.is_visible():
            page.get_by_label(re.compile(r"^(why|your turn)")).first.fill(why)
            target.first.click()
            page.wait_for_timeout(700)
            return True
    return False


def test_an_instructor_and_two_students_play_two_turns_and_review(browser, classroom):
    links, saves, _ = classroom
    fac_ctx, fac = _open(browser, links["facilitator"], "The seats")
    ru_ctx, ru = _open(browser, links["russia"], "You are Russian Federation")
    tr_ctx, tr = _open(browser, links["turkey"], "You are Republic of Turkey")
    # two students: the instructor hands the third seat to the model
    fac.get_by_label("reason (kept in the game's history)").fill("two students today")
    fac.get_by_role("button", name="Hand sna to the model").click()
    fac.get_by_role("button", name="Give sna back to the student").wait_for(timeout=WAIT)
    _ = fac.get_by_text("Turn 1 of 4").first.wait_for(timeout=WAIT)

    # turn 1: the students make and answer offers, then end the turn
    made = {"offer": 0, "turns": 0}
    for _ in range(40):
        if "Turn 2 of 4" in _status(ru):
            break
        acted = False
        for page, who in ((ru, "russia"), (tr, "turkey")):
            offer = page.get_by_role("button", name="Make this offer")
            if offer.count() and offer.first.is_visible():
                made["offer"] += 1
            acted = _act(page, f"{who}: a reason for the debrief") or acted
        if not acted:
            ru.wait_for_timeout(500)
    ru.screenshot(path=str(SHOTS / "c1-russia-turn-2.png"), full_page=True)
    assert "Turn 2 of 4" in _status(ru), _status(ru)
    assert made["offer"] >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    ru.screenshot(path=str(SHOTS / "c1-russia-turn-2.png"), full_page=True)

    # the instructor fires an inject and forces turn 2
    fac.get_by_label("reason (kept in the game's history)").fill("the control cell: a town falls")
    fac.get_by_role("button", name="Fire this inject").click()
    fac.wait_for_timeout(700)
    fac.get_by_role("button", name="Force the turn").click()
    fac.get_by_text("Turn 3 of 4").first.wait_for(timeout=WAIT)
    tr.get_by_text("Turn 3 of 4").first.wait_for(
        timeout=WAIT
    )  # every page follows the class's game
    assert "PAUSED" not in _status(tr)
    fac.screenshot(path=str(SHOTS / "c2-facilitator.png"), full_page=True)

    # a reloaded tab rejoins its seat, where the class is
    ru.reload()
    ru.get_by_text("You are Russian Federation").wait_for(timeout=WAIT)
    assert "Turn 3 of 4" in _status(ru)

    # the after-action review
    fac.get_by_role("button", name="After-action review").click()
    frame = fac.frame_locator("iframe.aar")
    frame.get_by_text("Where the class's path sits").wait_for(timeout=120_000)
    assert frame.get_by_text("What really happened after the start date").count() == 1
    assert (
        frame.get_by_text("a reason for the debrief").count() >= 1
    )  # the students' justifications
    fac.screenshot(path=str(SHOTS / "c3-after-action-review.png"), full_page=True)
    (saved,) = saves.glob("classroom_45min-*.json")  # saved as it went, in the game's own file
    assert json.loads(saved.read_text())["turn"] == 3
    for ctx in (fac_ctx, ru_ctx, tr_ctx):
        ctx.close()


def test_a_token_opens_only_its_own_seat(browser, classroom):
    links, _, server_out = classroom
    exercise = read_exercise("classroom_45min")
    ru_ctx, ru = _open(browser, links["russia"], "You are Russian Federation")
    text = ru.locator("body").inner_text()
    assert exercise.seat("russia").briefing.role[:60] in text
    for other in ("turkey", "sna"):  # another seat's private briefing never reaches this page
        assert exercise.seat(other).briefing.role[:60] not in text
        assert exercise.seat(other).briefing.knows[0][:60] not in text
    assert ru.get_by_role("button", name="Force the turn").count() == 0  # no facilitator control
    assert ru.get_by_text("join link").count() == 0 and links["turkey"].split("t=")[1] not in text
    base = links["russia"].split("?")[0]
    for bad in (
        "",
        "?t=",
        "?t=" + links["russia"].split("t=")[1][:-1],
        "?t=" + links["russia"].split("t=")[1] + "x",
    ):
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(base + bad)
        page.get_by_text("This link opens nothing").wait_for(timeout=WAIT)
        assert page.get_by_text("You are").count() == 0
        ctx.close()
    # the server printed each link once, at start; the requests since are not logged with their tokens
    printed = server_out.read_text()
    for role, url in links.items():
        assert printed.count(url.split("t=")[1]) == 1, role
    ru_ctx.close()
