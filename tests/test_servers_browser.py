"""Both servers under hostile use, in a real Chromium against real servers on loopback: a student's text on
the facilitator's page is text (no live link, image or script from it, checked in the DOM), every page
carries the Content-Security-Policy, a link's token leaves the address bar for an HttpOnly cookie, the
facilitator sees at once when the game cannot be saved, two classes and a restart keep every earlier
save, and the analyst's page beyond this machine opens only with its printed link."""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.browser_support import CHROMIUM, NO_CHROMIUM, SHOTS, WAIT, chromium, free_port, served

pytestmark = pytest.mark.slow

if CHROMIUM is None:
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

HOSTILE = (
    "[our terms](javascript:window.pwnedByLink=1) ![seen](http://evil.example/beacon.png) "
    "<img src=http://evil.example/img.png onerror=window.pwnedByImg=1> "
    "<script>window.pwnedByScript=1</script>"
)


def _links(text: str) -> dict[str, str]:
    links = {"facilitator": re.search(r"^\s+(https?://\S+)$", text, re.M).group(1)}
    links.update(dict(re.findall(r"^\s+(\w+)\s+(https?://\S+)$", text, re.M)))
    return links


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright) as b:
        yield b


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    port = free_port()
    saves = tmp_path_factory.mktemp("saves")
    out = saves.parent / "classroom.out"
    args = ["classroom", "classroom_45min", "--port", str(port), "--save-dir", str(saves)]
    with served(args, port, out):
        yield _links(out.read_text()), saves


def _open(browser, url: str, ready: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    response = page.goto(url)
    page.get_by_text(ready).first.wait_for(timeout=WAIT)
    return context, page, response


def test_a_students_text_is_never_markup_on_the_facilitators_page(browser, classroom):
    links, _ = classroom
    fac_ctx, fac, response = _open(browser, links["facilitator"], "The seats")
    # the token is out of the address bar, in an HttpOnly, SameSite cookie
    assert "t=" not in fac.url
    (cookie,) = [c for c in fac_ctx.cookies() if c["name"] == "wargame-token"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["value"] == links["facilitator"].split("t=")[1]
    # the page's response carries the policy: no inline script without the nonce, no foreign image
    csp = response.all_headers()["content-security-policy"]
    assert "'unsafe-inline'" not in re.search(r"script-src ([^;]+)", csp).group(1)
    assert re.search(r"img-src ([^;]+)", csp).group(1).split() == ["'self'", "data:", "blob:"]

    ru_ctx, ru, _ = _open(browser, links["russia"], "You are Russian Federation")
    ru.get_by_text("A unilateral step").click()
    ru.get_by_label("why", exact=True).fill(HOSTILE)
    ru.get_by_role("button", name="Take this step").click()
    ru.get_by_text("A unilateral step").wait_for(timeout=WAIT)
    # the turn is played on (the day's log reaches the facilitator's page when the day ends), and the
    # facilitator's log shows the justification, as text
    fac.get_by_label("reason (kept in the game's history)").fill("play the turn out")
    fac.get_by_role("button", name="Force the turn").click()
    shown = fac.get_by_text("window.pwnedByScript=1", exact=False).first
    shown.wait_for(timeout=WAIT)
    dom = fac.evaluate(
        """() => ({
            jsLinks: [...document.querySelectorAll('a[href]')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
            anyLinkToEvil: [...document.querySelectorAll('[href], [src]')].filter(e => /evil\\.example/.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
            images: [...document.querySelectorAll('.prose img')].length,
            scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('pwned')).length,
            pwned: [window.pwnedByLink, window.pwnedByImg, window.pwnedByScript].filter(Boolean).length,
        })"""
    )
    assert dom == {"jsLinks": 0, "anyLinkToEvil": 0, "images": 0, "scripts": 0, "pwned": 0}, dom
    # clicking the words that were a link does nothing either
    fac.get_by_text("our terms").first.click()
    assert fac.evaluate("() => window.pwnedByLink") is None
    fac.screenshot(path=str(SHOTS / "s1-student-text-as-text.png"), full_page=True)
    for ctx in (fac_ctx, ru_ctx):
        ctx.close()


def test_a_link_that_opens_nothing(browser, classroom):
    links, _ = classroom
    base = links["facilitator"].split("?")[0]
    context = browser.new_context()
    page = context.new_page()
    for url in (base, base + "?t=not-a-token"):
        response = page.goto(url)
        assert response.status == 403
        page.get_by_text("This link opens nothing").wait_for(timeout=WAIT)
        assert not [c for c in context.cookies() if c["name"] == "wargame-token"]
    context.close()


def test_the_facilitator_sees_at_once_when_the_game_cannot_be_saved(browser, classroom):
    links, saves = classroom
    fac_ctx, fac, _ = _open(browser, links["facilitator"], "The seats")
    (saved,) = saves.glob("classroom_45min-*.json")
    good = saved.read_bytes()
    # the save's place is taken by a folder that no rename can replace (not even as root)
    saved.unlink()
    saved.mkdir()
    (saved / "in-the-way").write_text("x")
    try:
        fac.get_by_role("button", name="Pause").click()
        banner = fac.locator(".save-failure")
        banner.wait_for(timeout=WAIT)
        assert "could not be saved" in banner.inner_text()
        fac.screenshot(path=str(SHOTS / "s2-save-failed.png"), full_page=True)
    finally:
        (saved / "in-the-way").unlink()
        saved.rmdir()
        saved.write_bytes(good)
    fac.get_by_role("button", name="Resume").click()
    banner.wait_for(state="detached", timeout=WAIT)
    assert json.loads(saved.read_text())["paused"] is False  # saved again, with the latest state
    fac_ctx.close()


def test_two_classes_and_a_restart_keep_every_earlier_save(tmp_path):
    saves = tmp_path / "saves"
    first, second = free_port(), free_port()

    def args(port: int) -> list[str]:
        return ["classroom", "classroom_45min", "--port", str(port), "--save-dir", str(saves)]

    # two classes of one exercise at once, in one save folder
    with (
        served(args(first), first, tmp_path / "a.out"),
        served(args(second), second, tmp_path / "b.out"),
    ):
        both = sorted(saves.glob("classroom_45min-*.json"))
        assert len(both) == 2
        kept = {f: f.read_bytes() for f in both}
    # the first class's server is started again, without --load: a new file, nothing overwritten
    with served(args(first), first, tmp_path / "a2.out"):
        files = sorted(saves.glob("classroom_45min-*.json"))
        assert len(files) == 3
        for f, data in kept.items():
            assert f.read_bytes() == data
            assert json.loads(data)["format"] == "wargame-classroom/1"


def test_the_analysts_page_beyond_this_machine_opens_only_with_its_link(browser, tmp_path):
    port = free_port()
    out = tmp_path / "ui.out"
    with served(["ui", "--host", "0.0.0.0", "--port", str(port)], port, out) as url:
        text = out.read_text()
        assert "WARNING" in text and "unencrypted" in text
        link = re.search(r"wargame ui: (http://\S+\?t=\S+)", text).group(1)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)
        assert refused.value.code == 403
        context = browser.new_context()
        page = context.new_page()
        page.goto(url.rstrip("/") + "/?" + link.split("?")[1])
        page.get_by_text("Key assumptions").wait_for(timeout=WAIT)
        assert "t=" not in page.url
        context.close()


def test_https_where_configured(tmp_path):
    """With --tls-cert and --tls-key the server speaks HTTPS, the cookie is Secure, and no warning about
    tokens in clear text is printed."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    port = free_port()
    out = tmp_path / "ui.out"
    args = [
        "ui",
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
        "--tls-cert",
        str(cert),
        "--tls-key",
        str(key),
    ]
    with served(args, port, out, tls=True) as url:
        text = out.read_text()
        assert "unencrypted" not in text
        link = re.search(r"wargame ui: (https://\S+\?t=\S+)", text).group(1)
        unverified = ssl._create_unverified_context()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPSHandler(context=unverified)
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(url.rstrip("/") + "/?" + link.split("?")[1], timeout=10)
        assert answer.value.code == 303
        cookie = answer.value.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert "max-age" in answer.value.headers["strict-transport-security"]
