"""What the servers promise, checked without a browser: a person's text is drawn as text (never a link, an
image or a script); the guard in front of both servers sets the Content-Security-Policy, exchanges a
link's token for an HttpOnly cookie, and opens nothing without a valid token; the analyst's page opens
scenario files only from its folders."""

from __future__ import annotations

import asyncio
import gzip
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from viz import plotly_module
from viz.common import _page_plot, safe_markdown
from viz.server import COOKIE, Guard, content_security_policy
from viz.workspace import DeskError, Workspace
from wargame.language.scenario import data_dir

HOSTILE = (
    "[click me](javascript:alert(document.cookie)) ![tracker](http://evil.example/t.png) "
    "<img src=http://evil.example/i.png onerror=alert(1)> <script>window.pwned=1</script> "
    "[ref][1] <http://evil.example/auto>\n\n[1]: javascript:alert(2)"
)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]


def test_a_persons_text_is_drawn_as_text():
    out = safe_markdown(HOSTILE + "\n\n**bold** and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    parsed = _Elements()
    parsed.feed(out)
    assert not {"a", "img", "script"} & set(parsed.tags), parsed.tags
    assert not {"href", "src", "onerror"} & set(parsed.attributes), parsed.attributes
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in out  # shown, as text
    assert "click me" in out and "tracker" in out  # what was written stays readable
    assert "<strong>bold</strong>" in out and "<td>1</td>" in out  # Markdown still formats


# ---------------------------------------------------------------- the guard (ASGI, no server)


PAGE = (
    b"<html><head><script>var config = 1;</script><script src='/static/x.js'></script>"
    b"<script type='x-template' id='t'></script></head><body>hi</body></html>"
)


async def _fake_app(scope, receive, send):
    """Stands for Solara's app: a page, and it notes what it was asked."""
    _fake_app.seen.append(scope)
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"9")],
        }
    )
    half = len(PAGE) // 2  # in two parts, as a server may send it
    await send({"type": "http.response.body", "body": PAGE[:half], "more_body": True})
    await send({"type": "http.response.body", "body": PAGE[half:]})


def _call(guard, path="/", query="", cookie="", kind="http", encoding="gzip"):
    _fake_app.seen = []
    headers = [(b"accept-encoding", encoding.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    scope = {"type": kind, "path": path, "query_string": query.encode(), "headers": headers}
    sent = []

    async def receive():
        return {"type": "websocket.connect"} if kind == "websocket" else {"type": "http.request"}

    async def send(message):
        sent.append(message)

    asyncio.run(guard(scope, receive, send))
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode().lower(): v.decode() for k, v in (start or {}).get("headers", [])}
    return start, headers, body, sent


def test_every_page_carries_a_policy_that_forbids_inline_script_and_foreign_images():
    start, headers, body, _ = _call(Guard(_fake_app, None))
    csp = headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert (
        "'unsafe-inline'" not in script_src
    )  # so javascript: links and inline handlers do not run
    assert re.search(r"img-src ([^;]+)", csp).group(1).split() == ["'self'", "data:", "blob:"]
    assert "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert (
        headers["referrer-policy"] == "no-referrer"
        and headers["x-content-type-options"] == "nosniff"
    )
    # the page's own inline scripts carry this response's nonce, and the length is the new one
    assert body.count(f'<script nonce="{nonce}"'.encode()) == 3
    assert int(headers["content-length"]) == len(body)
    # the page was asked for uncompressed (a gzipped page could not be given its nonce)
    asked = dict(_fake_app.seen[0]["headers"])
    assert b"accept-encoding" not in asked
    # a fresh nonce for every response
    _, again, _, _ = _call(Guard(_fake_app, None))
    assert again["content-security-policy"] != csp
    assert content_security_policy("n") == content_security_policy("n")


def test_a_links_token_becomes_an_httponly_cookie_and_leaves_the_address_bar():
    guard = Guard(_fake_app, ["secret-token-of-a-seat", "another"])
    start, headers, _, _ = _call(guard, "/", "t=secret-token-of-a-seat&tab=2")
    assert start["status"] == 303 and _fake_app.seen == []
    assert headers["location"] == "/?tab=2"  # the token is out of the address, the rest kept
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=secret-token-of-a-seat;")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    _, tls, _, _ = _call(Guard(_fake_app, ["t1"], secure=True), "/", "t=t1")
    assert "Secure" in tls["set-cookie"] and "strict-transport-security" in tls


def test_without_a_valid_token_nothing_opens():
    guard = Guard(_fake_app, ["secret-token-of-a-seat"])
    for query, cookie in (("", ""), ("t=wrong", ""), ("", f"{COOKIE}=wrong"), ("t=", "")):
        start, headers, body, _ = _call(guard, "/", query, cookie)
        assert start["status"] == 403, (query, cookie)
        assert "set-cookie" not in headers and _fake_app.seen == []
        assert b"opens nothing" in body and b"secret" not in body
        assert "content-security-policy" in headers
    # the live connection is refused too (a page could otherwise be driven without one)
    _, _, _, sent = _call(guard, "/jupyter/api/kernels/k/channels", kind="websocket")
    assert sent == [{"type": "websocket.close", "code": 1008}] and _fake_app.seen == []
    # Solara's library files are the same for everyone and open without a token
    start, _, _, _ = _call(guard, "/static/assets/app.js")
    assert start["status"] == 200 and len(_fake_app.seen) == 1
    # with the cookie, the page and its connection open
    start, _, _, _ = _call(guard, "/", cookie=f"{COOKIE}=secret-token-of-a-seat")
    assert start["status"] == 200
    _, _, _, sent = _call(
        guard, "/jupyter/api/kernels/k/channels", cookie=f"{COOKIE}=secret-token-of-a-seat",
        kind="websocket",
    )  # fmt: skip
    assert sent == [{"type": "websocket.accept"}]


# ---------------------------------------------------------------- what the analyst's page may open


@pytest.fixture
def desk(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    return Workspace(openable=[data_dir("scenarios"), folder]), folder


def test_the_page_opens_only_scenarios_from_its_folders(desk, tmp_path):
    ws, folder = desk
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    env = tmp_path / "mine" / ".env"
    env.write_text("API_KEY=hunter2\n")
    (folder / "link.yaml").symlink_to(secret)  # a link inside that leads out
    (folder / "shadow.yaml").symlink_to("/etc/shadow")
    for path in ("/etc/passwd", "/etc/shadow", str(secret), str(env), str(folder / "link.yaml"),
                 str(folder / "shadow.yaml"), str(folder / ".." / "secret.yaml"),
                 str(data_dir("scenarios") / ".." / ".." / "pyproject.toml"), "/nonexistent/x.yaml"):  # fmt: skip
        with pytest.raises(DeskError) as refused:
            ws.load(path)
        message = refused.value.message
        assert "only from" in message, (path, message)
        assert "hunter2" not in message and "root:" not in message
    before = ws.scenario.id
    assert ws.scenario.id == before  # nothing changed on the desk
    # a scenario in an openable folder opens
    mine = folder / "mine.yaml"
    mine.write_text((data_dir("scenarios") / "bilateral_split.yaml").read_text())
    ws.load(str(mine))
    assert ws.scenario.path.resolve() == mine.resolve()


def test_a_dropped_file_is_refused_by_its_size_before_it_is_read(desk):
    ws, _ = desk

    class Unread:
        def read(self, n=-1):
            raise AssertionError("the file was read")

    with pytest.raises(DeskError, match="too large"):
        ws.upload("big.yaml", 50_000_000, Unread())
    text = (data_dir("scenarios") / "bilateral_split.yaml").read_bytes()

    class Small:
        def read(self, n=-1):
            return text

    ws.upload("dropped.yaml", len(text), Small())
    assert ws.scenario.spec.id == "bilateral_split"


def test_a_notebook_desk_opens_any_path(tmp_path):
    mine = tmp_path / "anywhere.yaml"
    mine.write_text((data_dir("scenarios") / "bilateral_split.yaml").read_text())
    ws = Workspace(str(mine))
    assert Path(ws.scenario.path).resolve() == mine.resolve() and os.path.exists(mine)


def test_plotlys_code_is_served_by_its_content_cached_for_a_year_and_gzipped():
    """viz/plotly_module.py: every chart imports plotly's bundle from one address named by its content."""
    guard = Guard(_fake_app, ["secret-token-of-a-seat"])  # a library file: no token needed
    start, headers, body, _ = _call(guard, plotly_module.path())
    assert start["status"] == 200 and _fake_app.seen == []
    assert headers["content-type"].startswith("text/javascript")
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-security-policy" in headers and headers["vary"] == "accept-encoding"
    assert headers["content-encoding"] == "gzip" and len(body) < len(plotly_module.bundle()) / 2
    assert gzip.decompress(body) == plotly_module.bundle()
    start, headers, body, _ = _call(guard, plotly_module.path(), encoding="identity")
    assert "content-encoding" not in headers and body == plotly_module.bundle()
    # another name there is not ours: passed on to Solara (which has nothing by that name)
    _call(guard, plotly_module.PREFIX + "plotly-widget-0000000000000000.js")
    assert len(_fake_app.seen) == 1
    # a chart's module is a few lines that import the bundle; plotly's own chart carries all of it
    assert plotly_module.path() in plotly_module.esm() and len(plotly_module.esm()) < 500
    assert _page_plot(served=True)()._esm == plotly_module.esm()
    assert len(_page_plot(served=False)()._esm) > 1_000_000
