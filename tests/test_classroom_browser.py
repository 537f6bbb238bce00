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
    """The server and the links it printed: {"facilitator": url, "russia": url, ...}. The bundled 45-minute
    exercise with one-minute turns, so that a turn's time runs out within the test."""
    port = free_port()
    saves = tmp_path_factory.mktemp("classroom-saves")
    source = read_exercise("classroom_45min").path
    text = source.read_text(encoding="utf-8").replace("turn_minutes: 7", "turn_minutes: 1")
    text = text.replace("record: ../records/", f"record: {source.parent.parent / 'records'}/")
    exercise = saves / "classroom_45min.yaml"
    exercise.write_text(text, encoding="utf-8")
    out = saves / "server.out"
    args = ["classroom", str(exercise), "--port", str(port), "--save-dir", str(saves)]
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


def _clock(page) -> int | None:
    """The seconds left that the page's clock shows (None when it shows none, e.g. time up)."""
    found = re.search(r"(\d+):(\d\d) left", _status(page))
    return None if found is None else int(found.group(1)) * 60 + int(found.group(2))


def _saved(saves) -> dict:
    (path,) = saves.glob("classroom_45min-*.json")
    return json.loads(path.read_text())


def _reason(fac, text: str) -> None:
    fac.get_by_label("reason (kept in the game's history)").fill(text)


def _asked(page) -> str | None:
    """What the page asks of its seat now: "propose", "answer" or None."""
    if page.get_by_role("button", name="Review this offer").count():
        return "propose"
    if page.get_by_role("button", name="Accept").count():
        return "answer"
    return None


def test_an_instructor_runs_the_class_from_the_screen(browser, classroom):
    links, saves, _ = classroom
    SHOTS.mkdir(parents=True, exist_ok=True)
    fac_ctx, fac = _open(browser, links["facilitator"], "The seats")
    ru_ctx, ru = _open(browser, links["russia"], "You are Russian Federation")
    tr_ctx, tr = _open(browser, links["turkey"], "You are Republic of Turkey")
    pages = (fac, ru, tr)
    # two students: the instructor hands the third seat to the model, with a reason
    _reason(fac, "two students today")
    fac.get_by_role("button", name="Hand sna to the model").click()
    fac.get_by_role("button", name="Give sna back to the student").wait_for(timeout=WAIT)

    # the clock: pausing stops it on every page, at the server's figure
    _reason(fac, "a question from the floor")
    fac.get_by_role("button", name="Pause").click()
    for page in pages:
        page.get_by_text("PAUSED by the facilitator").first.wait_for(timeout=2_000)
    clock = _saved(saves)["clock"]
    assert clock["running"] is False
    server_left = clock["allowed"] - clock["spent"]
    held = [_clock(p) for p in pages]
    assert all(abs(x - server_left) <= 1.5 for x in held), (held, server_left)
    fac.wait_for_timeout(2_500)
    assert [_clock(p) for p in pages] == held  # nothing runs while paused
    fac.get_by_role("button", name="Resume").click()
    ru.wait_for_timeout(1_200)
    first = _clock(ru)
    ru.wait_for_timeout(3_000)
    second = _clock(ru)
    assert first is not None and second is not None and 2 <= first - second <= 4, (first, second)

    # an inject fired while a day waits for a seat shows at once on the facilitator's page and in the
    # seats' news, before the day ends
    assert _asked(ru) or _asked(tr), "a day is open, waiting for a seat"
    day_before = _saved(saves)["game"]["day"]
    _reason(fac, "the control cell: a town falls")
    fac.locator(".v-select", has_text="an event from the deck").first.click()
    fac.locator(".v-menu__content .v-list-item", has_text="Manbij").first.click()
    fac.get_by_role("button", name="Fire this inject").click()
    fac.locator(".injects-done").get_by_text("the control cell: a town falls").wait_for(
        timeout=2_000
    )
    for page in (ru, tr):
        page.locator(".news").get_by_text(re.compile("EVENT manbij")).first.wait_for(timeout=2_000)
    assert _saved(saves)["game"]["day"] == day_before  # the day had not ended
    fac.screenshot(path=str(SHOTS / "c1-facilitator-inject.png"), full_page=True)

    # an untouched offer form cannot be sent without a confirm, and sends what its summary showed
    for _ in range(20):
        if _asked(ru) == "propose" or _asked(tr) == "propose":
            break
        for page in (ru, tr):
            if _asked(page) == "answer":
                page.get_by_label("why (a line for the debrief)").fill("we answer")
                page.get_by_role("button", name="Reject").click()
                page.wait_for_timeout(800)
    seat = ru if _asked(ru) == "propose" else tr
    assert _asked(seat) == "propose"
    assert seat.get_by_role("button", name="Send this offer").count() == 0
    seat.get_by_label("why (a line for the debrief)").fill("our first terms")
    seat.get_by_role("button", name="Review this offer").click()
    summary = seat.locator(".offer-summary").inner_text(timeout=5_000)
    seat.get_by_role("button", name="Send this offer").click()
    seat.wait_for_timeout(1_000)
    sent = [h for h in _saved(saves)["game"]["history"] if h["kind"] == "decision"][-1]
    assert sent["role"] == "propose" and sent["note"] == "our first terms"
    spec = read_exercise("classroom_45min").scenario.spec
    for issue in spec.issues:
        if issue.id in sent["move"]:
            level = next(lv for lv in issue.levels if lv.id == sent["move"][issue.id])
            assert f"{issue.label}: {level.label}" in summary, (summary, sent["move"])

    # forcing takes what is pending, by the model; the seats stay seated and are asked again
    for _ in range(20):
        if _saved(saves)["game"] and (_asked(ru) or _asked(tr)):
            break
        fac.wait_for_timeout(500)
    _reason(fac, "the class is slow")
    fac.get_by_role("button", name="Force the turn").click()
    fac.wait_for_timeout(1_000)
    history = _saved(saves)["game"]["history"]
    forced = [h for h in history if h["kind"] == "decision" and h["owner"] == "model"]
    assert forced and all(h["note"] == "the class is slow" for h in forced)
    assert not [h for h in history if h["kind"] == "hand_over" and h["actor"] != "sna"]
    for page in (ru, tr):
        assert page.get_by_text("handed your seat to the model").count() == 0

    # time up shows on every page; the facilitator ends the turn and the class plays on in turn 2
    for page in pages:
        page.get_by_text("TIME IS UP").first.wait_for(timeout=75_000)
    fac.get_by_text("Time is up for this turn").wait_for(timeout=2_000)
    fac.screenshot(path=str(SHOTS / "c2-time-up.png"), full_page=True)
    _reason(fac, "time is up")
    fac.get_by_role("button", name="End the turn", exact=True).click()
    for page in pages:
        page.get_by_text("Turn 2 of 4").first.wait_for(timeout=3_000)
    assert _clock(ru) is not None and _clock(ru) > 50
    seated = fac.locator(".seats").inner_text()
    assert seated.count("the model") == 1  # only sna, handed over at the start
    # turn 2 is played by the class at its seats: a student is asked again
    for _ in range(20):
        if _asked(ru) or _asked(tr):
            break
        ru.wait_for_timeout(500)
    asked = ru if _asked(ru) else tr
    assert _asked(asked), "a seat is asked something in turn 2"
    # a seat answers the rest of the turn in one go: a standing order answers what it is asked
    asked.get_by_text("Standing orders: answer the turn's decisions in one go").click()
    asked.get_by_label("why (a line for the debrief)").last.fill("we take anything decent")
    asked.get_by_role("button", name="Set the orders").click()
    asked.locator(".standing-now").get_by_text("accept offers worth at least 0.50").wait_for(
        timeout=3_000
    )

    # the board for the projector: no private figure, no join link
    fac.get_by_role("button", name="Board (for the projector)").click()
    fac.locator(".board").wait_for(timeout=5_000)
    board = fac.locator("body").inner_text()
    assert "?t=" not in board and "privately" not in board and "TIME IS UP" not in board
    fac.screenshot(path=str(SHOTS / "c3-board.png"), full_page=True)
    fac.get_by_role("button", name="Back to the controls").click()

    # a reloaded tab rejoins its seat, where the class is
    ru.reload()
    ru.get_by_text("You are Russian Federation").wait_for(timeout=WAIT)
    assert "Turn 2 of 4" in _status(ru)

    # the end: every page says so, controls no longer apply, a seat sees the ending and the review
    _reason(fac, "the bell rang")
    fac.get_by_role("button", name="End the game", exact=True).click()
    for page in pages:
        page.get_by_text("The exercise is over").first.wait_for(timeout=3_000)
    assert fac.get_by_role("button", name="Force the turn").is_disabled()
    assert ru.get_by_role("button", name="Review this offer").count() == 0
    try:
        ru.locator(".ending").get_by_text("How it ended").wait_for(timeout=15_000)
    except playwright.TimeoutError:
        ru.screenshot(path=str(SHOTS / "c9-no-ending.png"), full_page=True)
        raise
    fac.get_by_role("button", name="After-action review").click()
    frame = fac.frame_locator("iframe.aar")
    frame.get_by_text("Where the class's path sits").wait_for(timeout=120_000)
    review = frame.locator("body").inner_text()
    assert "two students today" in review and "the bell rang" in review
    assert "the class is slow" in review and "our first terms" in review
    assert "True" not in review and "False" not in review and "{" not in review
    assert re.search(r"Syrian National Army[^\n]*the model", review), "the handed seat's player"
    fac.screenshot(path=str(SHOTS / "c4-after-action-review.png"), full_page=True)
    seat_frame = ru.frame_locator("iframe.aar")
    seat_frame.get_by_text("Where the class's path sits").wait_for(timeout=10_000)
    seat_review = seat_frame.locator("body").inner_text()
    exercise = read_exercise("classroom_45min")
    assert exercise.seat("turkey").briefing.wants[0][:50] not in seat_review
    ru.screenshot(path=str(SHOTS / "c5-seat-ending.png"), full_page=True)
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


@pytest.mark.parametrize(
    ("name", "seat"), [("kabul_aug2021", "us_kabul2021"), ("niger_2023", "france_niger2023")]
)
def test_each_bundled_case_is_served_to_a_class(browser, tmp_path, name, seat):
    """`wargame classroom` serves each further bundled case: the instructor's page lists its seats, and a
    seat's link opens that seat's briefing, written as of the case's cut-off."""
    port = free_port()
    out = tmp_path / "server.out"
    exercise = read_exercise(name)
    args = ["classroom", name, "--port", str(port), "--save-dir", str(tmp_path)]
    with served(args, port, out):
        text = out.read_text()
        facilitator = re.search(r"^\s+(http://\S+)$", text, re.M).group(1)
        links = dict(re.findall(r"^\s+(\w+)\s+(http://\S+)$", text, re.M))
        assert set(links) == set(exercise.seated)
        fac_ctx, fac = _open(browser, facilitator, "The seats")
        assert fac.get_by_text(exercise.spec.title).first.is_visible()
        seat_name = next(a.name for a in exercise.scenario.actors if a.id == seat)
        ctx, page = _open(browser, links[seat], f"You are {seat_name}")
        page.screenshot(path=str(SHOTS / f"c-case-{name}-seat.png"), full_page=True)
        ctx.close()
        fac_ctx.close()
