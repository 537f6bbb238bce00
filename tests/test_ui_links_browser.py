"""The address is the page's state, in a real browser: a `wargame ui` server on a free loopback port driven
by Debian's Chromium through Playwright (as tests/test_ui_browser.py). A reload, and the copied link
opened in a fresh browser, bring back the assumption, the seed, the day and the tab; a pasted link runs
its 200 runs again and selects its branch; a bad link is left out with a sentence, never a traceback, and
no token is ever written into a link. The Start here card, the glossary, the light/dark toggle, the page's
language and its width at 1024 px. Screenshots go to out/ui-screens/ (or $WARGAME_SCREENSHOTS).

Skipped, with the reason, where no Chromium is installed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import CHROMIUM, NO_CHROMIUM, WAIT, chromium, free_port, served

pytestmark = pytest.mark.slow

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from tests.test_ui_browser import _choose, _shot, _step, _tab  # noqa: E402  (after the skip: it needs Chromium)

TIME_PRESSURE = "actors.russia.time_pressure"
RUNS_DONE = 120_000  # ms: 200 runs and the page drawn again, on a busy 2-core machine


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    out = tmp_path_factory.mktemp("ui-links-server") / "server.out"
    with served(["ui", "--port", str(port)], port, out, {"WARGAME_UI_MAX_RUNS": "5000"}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as b:
        yield b


def _open(browser, url: str, width: int = 1280, **context):
    """A fresh browser context (no cookie, no history) at `url`, once the page is drawn."""
    ctx = browser.new_context(viewport={"width": width, "height": 900}, **context)
    page = ctx.new_page()
    page.goto(url)
    page.locator(".v-tab").first.wait_for(timeout=WAIT)
    return ctx, page


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _wait_for_address(page, **expected: str | None) -> None:
    """Until the address bar says each `name=value`, or leaves out each `name=None` (the page writes
    it once the server has heard of a change)."""
    for _ in range(100):
        q = _query(page)
        if all(q.get(k) == ([v] if v is not None else None) for k, v in expected.items()):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the address {page.url} never said {expected}")


def _selected_tab(page) -> str:
    return page.locator(".v-tab--active").first.inner_text().strip().lower()


def _assumption(page):
    return page.locator(f".assume-{TIME_PRESSURE.replace('.', '-')} input").first


def _shows_the_view(page, label: str) -> None:
    """The One run tab open at seed 11, played to day 3, in Russia's seat; on the Scenario tab, time
    pressure 0.3."""
    page.get_by_text("played to day 3 of").wait_for(timeout=WAIT)
    assert _selected_tab(page) == "one run"
    page.get_by_text("seed 11 · day 3").first.wait_for(timeout=WAIT)
    assert page.get_by_label("seed", exact=True).first.input_value() == "11"
    page.get_by_text("You are Russian Federation").wait_for(timeout=WAIT)
    _shot(page, f"links-{label}-one-run")
    _tab(page, "Scenario")
    _assumption(page).wait_for(timeout=WAIT)
    assert float(_assumption(page).input_value()) == pytest.approx(0.3)
    _wait_for_address(page, tab=None)  # the Scenario tab, the first, goes without saying
    _tab(page, "One run")
    _wait_for_address(page, tab="run")


def test_a_reload_and_the_copied_link_bring_back_the_assumption_seed_day_tab_and_seat(
    browser, server
):
    ctx, page = _open(browser, server, permissions=["clipboard-read", "clipboard-write"])
    field = _assumption(page)
    field.wait_for(timeout=WAIT)
    assert float(field.input_value()) != pytest.approx(0.3)
    field.fill("0.3")
    field.press("Enter")
    _wait_for_address(page, set=f"{TIME_PRESSURE}=0.3")
    _tab(page, "One run")
    page.get_by_text("played to day 0 of").wait_for(timeout=WAIT)
    seed = page.get_by_label("seed", exact=True).first
    seed.fill("11")
    seed.press("Enter")
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text("seed 11 · day 0").first.wait_for(timeout=WAIT)
    for day in (1, 2, 3):
        _step(page, day)
    _choose(page, "your seat", "russia")
    page.get_by_text("You are Russian Federation").wait_for(timeout=WAIT)
    _wait_for_address(page, seed="11", day="3", tab="run", seat="russia")

    page.reload()
    page.locator(".v-tab").first.wait_for(timeout=WAIT)
    _shows_the_view(page, "reloaded")

    page.locator(".copy-link").click()
    shown = page.locator(".copy-link-field input")
    shown.wait_for(timeout=WAIT)
    page.get_by_text("Copied to the clipboard.").wait_for(timeout=WAIT)
    link = shown.input_value()
    assert link == page.evaluate("navigator.clipboard.readText()")
    assert urlsplit(link).netloc == urlsplit(server).netloc and "t" not in parse_qs(
        urlsplit(link).query
    )
    _shot(page, "links-copy-link")
    ctx.close()

    fresh, other = _open(browser, link)  # another browser: no cookie, no history, only the link
    _shows_the_view(other, "opened-from-the-link")
    fresh.close()


def _a_branch_two_milestones_deep(runs: int, seed: int) -> tuple[tuple[str, ...], dict[str, str]]:
    """The most common path of two milestones in `runs` runs from root seed `seed`, worked out here (the
    same plan gives the same runs and the same tree as on the page), and the milestones' labels."""
    from viz.workspace import Workspace
    from wargame.analysis.branching import END, OTHER

    ws = Workspace(workers=1)
    tree = ws.run_batch(runs, seed).tree
    deep = [
        grandchild
        for child in tree.children
        for grandchild in child.children
        if child.label not in (END, OTHER) and grandchild.label not in (END, OTHER)
    ]
    best = max(deep, key=lambda n: n.runs)
    return tuple(best.path), {m.id: m.label for m in ws.scenario.spec.milestones}


def test_a_pasted_link_runs_its_runs_again_and_selects_its_branch(browser, server):
    branch, labels = _a_branch_two_milestones_deep(200, 1)
    link = f"{server}?tab=runs&runs=200&runs_seed=1&branch={'/'.join(branch)}"
    ctx, page = _open(browser, link)
    page.get_by_text("Running 200 runs from the link").wait_for(timeout=WAIT)  # in the background
    assert _selected_tab(page) == "many runs"
    page.locator(".page-busy").wait_for(state="detached", timeout=RUNS_DONE)
    page.get_by_text("runs: 200 of 200 runs (done)").wait_for(timeout=WAIT)
    detail = page.locator(".branch-detail")
    detail.wait_for(timeout=WAIT)
    text = detail.inner_text()
    for b in branch:
        assert labels[b] in text, (labels[b], text[:300])
    _wait_for_address(page, runs="200", runs_seed="1", branch="/".join(branch))
    _shot(page, "links-branch-from-a-link")
    ctx.close()


def test_a_bad_or_hostile_link_is_left_out_with_a_sentence(browser, server):
    bad = (
        "?scenario=/etc/passwd&seed=abc&day=3&tab=%3Cscript%3Ealert(1)%3C/script%3E"
        "&seat=nobody&set=actors.russia.time_pressure=7&colour=red"
    )
    ctx, page = _open(browser, server + bad)
    notes = page.locator(".link-notes")
    notes.wait_for(timeout=WAIT)
    said = notes.inner_text()
    for part in ("/etc/passwd", "only from", "seed", "tab", "nobody", "time_pressure", "colour"):
        assert part in said, (part, said)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "root:" not in body
    assert page.get_by_text("Syria, December 2024").first.is_visible()  # the server's scenario
    _wait_for_address(page, scenario="syria_dec2024", day="3")  # what was good stays, the rest goes
    q = _query(page)
    assert "seat" not in q and "colour" not in q and "set" not in q and q["seed"] == ["7"]
    _shot(page, "links-bad-link")
    ctx.close()


def test_a_token_in_the_address_is_never_written_into_a_link(browser, server):
    ctx, page = _open(browser, server + "?t=NOT-A-SECRET-REALLY&seed=11&tab=run")
    page.get_by_text("seed 11 · day 0").first.wait_for(timeout=WAIT)
    _wait_for_address(page, seed="11", tab="run")
    assert "t" not in _query(page) and "NOT-A-SECRET" not in page.url
    page.locator(".copy-link").click()  # no clipboard permission here: the field shows the link
    page.locator(".copy-link-field input").wait_for(timeout=WAIT)
    assert "seed=11" in page.locator(".copy-link-field input").input_value()
    assert "NOT-A-SECRET" not in page.locator(".copy-link-field input").input_value()
    assert page.locator(".copy-link-status").inner_text().strip()  # copied, or how to copy it
    ctx.close()


def test_the_start_card_shows_once_and_not_after_a_reload_once_put_away(browser, server):
    ctx, page = _open(browser, server)
    card = page.locator(".start-here")
    card.wait_for(timeout=WAIT)
    assert "Play one run day by day" in card.text_content()
    page.get_by_role("button", name="Put this away").click()
    card.wait_for(state="detached", timeout=WAIT)
    for _ in range(100):  # the browser keeps the choice for its session
        if "wargame-start=put-away" in page.evaluate("document.cookie"):
            break
        page.wait_for_timeout(100)
    page.reload()
    page.locator(".v-tab").first.wait_for(timeout=WAIT)
    page.get_by_text("Key assumptions").first.wait_for(timeout=WAIT)
    assert page.locator(".start-here").count() == 0
    page.locator(".start-open").click()  # and it comes back when asked for
    card.wait_for(timeout=WAIT)
    page.get_by_role("button", name="Play one run day by day").click()  # which does what it says
    page.get_by_text("played to day 1 of").wait_for(timeout=WAIT)
    assert _selected_tab(page) == "one run"
    ctx.close()

    other, again = _open(browser, server)  # a new browser: shown again
    again.locator(".start-here").wait_for(timeout=WAIT)
    other.close()


def test_the_glossary_opens_with_the_page_s_terms(browser, server):
    ctx, page = _open(browser, server)
    drawer = page.locator(".glossary-terms")
    assert drawer.count() == 0
    page.locator(".glossary-open").click()
    drawer.wait_for(timeout=WAIT)
    text = drawer.inner_text()
    for term in ("outside option", "resolve", "breach temptation", "Wilson interval", "what-if"):
        assert term in text, term
    _shot(page, "links-glossary")
    page.locator(".glossary-close").click()
    drawer.wait_for(state="detached", timeout=WAIT)
    ctx.close()


def _background(page) -> str:
    return page.evaluate(
        "getComputedStyle(document.querySelector('.v-application')).backgroundColor"
    )


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_page_follows_the_system_theme_and_the_toggle_changes_it(browser, server, width):
    ctx, page = _open(browser, server, width=width, color_scheme="light")
    page.get_by_text("Key assumptions").first.wait_for(timeout=WAIT)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    _shot(page, f"links-light-{width}")
    light = _background(page)
    page.locator("header .mdi-brightness-auto").click()  # auto -> dark
    for _ in range(50):
        if _background(page) != light:
            break
        page.wait_for_timeout(100)
    assert _background(page) != light
    _shot(page, f"links-dark-{width}")
    ctx.close()

    ctx, page = _open(browser, server, width=width, color_scheme="dark")  # the system's choice
    page.get_by_text("Key assumptions").first.wait_for(timeout=WAIT)
    for _ in range(50):
        if _background(page) != light:
            break
        page.wait_for_timeout(100)
    assert _background(page) != light
    ctx.close()
