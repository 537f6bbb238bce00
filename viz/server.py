"""The web server of both pages (`wargame ui`, `wargame classroom`): Solara's server behind a guard.

The guard promises, for every response:
- a Content-Security-Policy: scripts only from this server, or inline ones carrying this response's
  nonce (so no `javascript:` link, inline handler or injected `<script>` runs); images only from this
  server (no off-origin image can report who looked at a page); no plugins; the page framed only by
  itself; no Referer leaves the page.
- a link's token (`/?t=TOKEN`) is exchanged on first visit for an HttpOnly, SameSite=Strict cookie and
  taken out of the address bar (a redirect to the same page without it), so it is neither in the history
  nor on the screen nor in a Referer.
- where the server has tokens (the classroom always; the browser UI when it listens beyond this machine),
  nothing but the page's static library files is served, and no live connection opened, without a valid
  token: the page says so in a line.

Run as `python -m viz.server PAGE_MODULE --host H --port P [--tls-cert F --tls-key F] [--verbose]`; the
accepted tokens come from the environment (WARGAME_ACCESS_TOKENS, a JSON list), never from the command
line, where any user of the machine could read them. It prints nothing while all is well (the command that
started it printed the links, which stay the last lines on the screen): no startup lines, no access log,
no library warnings; errors go to stderr. --verbose shows uvicorn's log (startup, every request) and the
libraries' warnings, tokens hidden.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import html
import json
import logging
import os
import re
import secrets
import socket
import sys
import warnings
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from viz import plotly_module

TOKENS_ENV = "WARGAME_ACCESS_TOKENS"
COOKIE = "wargame-token"
# Solara's library files: the same for everyone, no secret in them (the page needs them to say "no").
STATIC = ("/static/", "/_solara/cdn/", "/jupyter/nbextensions/")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


def content_security_policy(nonce: str) -> str:
    """The page's policy. 'unsafe-eval' because Vue compiles the widgets' templates in the browser; blob:
    because plotly's charts are anywidgets whose module is loaded from a blob URL (a few lines that import
    plotly's bundle from this server, viz/plotly_module.py: 'self'). Neither lets text from
    a person run: inline script needs the nonce, and `javascript:` URLs count as inline."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval' blob:",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self'",
            "frame-ancestors 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def token_of(cookie_header: str) -> str:
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:  # a malformed Cookie header is no token
        return ""
    return jar[COOKIE].value if COOKIE in jar else ""


_SCRIPT = re.compile(rb"<script(?=[\s>])")


class Guard:
    """ASGI middleware around Solara's app (see the module's docstring for what it promises)."""

    def __init__(self, app, tokens: list[str] | None, secure: bool = False) -> None:
        self.app = app
        self.tokens = [t.encode() for t in tokens] if tokens else None
        self.secure = secure

    def valid(self, token: str) -> bool:
        """Constant-time comparison with every token, whatever matches."""
        if not token:
            return False
        given = token.encode()
        found = False
        for known in self.tokens or []:
            found |= hmac.compare_digest(given, known)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        token = token_of(headers.get("cookie", ""))
        allowed = self.tokens is None or self.valid(token)
        if kind == "websocket":
            if not allowed:
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "/")
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [v for k, v in query if k == "t"]
        if given:
            await self._exchange(scope, send, path, query, given[0])
            return
        static = path.startswith(STATIC)
        if not allowed and not static:
            await _plain_page(
                send,
                403,
                "This link opens nothing",
                "This page needs its link with a token. Ask whoever runs the server for yours "
                "(in a class, each seat has its own).",
                self._headers(secrets.token_urlsafe(16)),
            )
            return
        nonce = secrets.token_urlsafe(16)
        if path.startswith(plotly_module.PREFIX) and path == plotly_module.path():
            await self._plotly_module(scope, send, headers, nonce)
            return
        if static:
            await self.app(scope, receive, self._with_headers(send, nonce, rewrite=False))
            return
        # The page itself: uncompressed, so that its inline scripts can be given the nonce.
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        await self.app(scope, receive, self._with_headers(send, nonce, rewrite=True))

    async def _plotly_module(self, scope, send, request_headers: dict, nonce: str) -> None:
        """plotly's widget bundle (viz/plotly_module.py): its address names its content, so the browser
        may keep it for a year without asking again; gzipped where the browser takes it (a third of the
        size, for a classroom's Wi-Fi), compressed once, off the event loop."""
        headers = self._headers(nonce)
        method = scope.get("method", "GET")
        if method not in ("GET", "HEAD"):
            headers += [(b"allow", b"GET, HEAD"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 405, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        etag = f'"{plotly_module.digest()}"'.encode()
        headers += [
            (b"content-type", b"text/javascript; charset=utf-8"),
            (b"cache-control", b"public, max-age=31536000, immutable"),
            (b"etag", etag),
            (b"vary", b"accept-encoding"),
        ]
        if etag in request_headers.get("if-none-match", "").encode("latin-1"):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        accepted = request_headers.get("accept-encoding", "").lower()
        if re.search(r"\bgzip\b", accepted):
            body = await asyncio.to_thread(plotly_module.gzipped)
            headers.append((b"content-encoding", b"gzip"))
        else:
            body = plotly_module.bundle()
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    async def _exchange(self, scope, send, path: str, query, token: str) -> None:
        """`?t=TOKEN`: a cookie for a valid token, and the same page without it in the address."""
        rest = [(k, v) for k, v in query if k != "t"]
        location = path + ("?" + urlencode(rest) if rest else "")
        headers = self._headers(secrets.token_urlsafe(16))
        if self.tokens is not None and not self.valid(token):
            await _plain_page(
                send,
                403,
                "This link opens nothing",
                "Its token is not one this server gave out (a server started again gives new "
                "links). Ask whoever runs the server for yours.",
                headers,
            )
            return
        flags = "HttpOnly; SameSite=Strict; Path=/" + ("; Secure" if self.secure else "")
        headers += [
            (b"location", location.encode("latin-1")),
            (b"set-cookie", f"{COOKIE}={token}; {flags}".encode("latin-1")),
            (b"cache-control", b"no-store"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    def _headers(self, nonce: str) -> list[tuple[bytes, bytes]]:
        out = [
            (b"content-security-policy", content_security_policy(nonce).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"SAMEORIGIN"),
        ]
        if self.secure:
            out.append((b"strict-transport-security", b"max-age=31536000"))
        return out

    def _with_headers(self, send: Send, nonce: str, rewrite: bool) -> Send:
        extra = self._headers(nonce)
        names = {k for k, _ in extra}
        state: dict[str, Any] = {"html": False, "start": None, "body": []}

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                encoded = any(k.lower() == b"content-encoding" for k, _ in headers)
                if rewrite and ctype.startswith(b"text/html") and not encoded:
                    state["html"] = True
                    state["start"] = {**message, "headers": headers + extra}
                    return
                await send({**message, "headers": headers + extra})
                return
            if message["type"] == "http.response.body" and state["html"]:
                state["body"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = _SCRIPT.sub(f'<script nonce="{nonce}"'.encode(), b"".join(state["body"]))
                start = state["start"]
                start["headers"] = [
                    (k, v) for k, v in start["headers"] if k.lower() != b"content-length"
                ] + [(b"content-length", str(len(body)).encode())]
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        return sending


async def _plain_page(send: Send, status: int, title: str, text: str, headers) -> None:
    body = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body style='font-family: sans-serif; "
        f"margin: 3em'><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                *headers,
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def accepted_tokens() -> list[str] | None:
    raw = os.environ.get(TOKENS_ENV)
    return list(json.loads(raw)) if raw else None


# a token in a request's address (?t=...) or in a cookie (wargame-token=..., 'wargame-token': '...')
_TOKEN = re.compile(r"([?&]t=|wargame-token['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9_\-]+")


def hide_tokens(text: str) -> str:
    return _TOKEN.sub(r"\1[hidden]", text)


class HideTokens(logging.Filter):
    """A token never reaches a log: `?t=...` in a logged request, a cookie in a logged header, read
    `[hidden]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            # its formatter reads the arguments (client, method, path, version, status)
            record.args = tuple(hide_tokens(a) if isinstance(a, str) else a for a in record.args)
            return True
        text = record.getMessage()
        hidden = hide_tokens(text)
        if hidden != text:
            record.msg, record.args = hidden, ()
            record.__dict__.pop("color_message", None)
        return True


def logging_config(verbose: bool) -> dict:
    """Quiet by default: the command that started the server printed the links, and they stay the last
    lines on the screen; only our own warnings and errors, and the libraries' errors (a port taken, a
    page that fails), reach stderr. Verbose: uvicorn's log (startup, shutdown, every request), the
    libraries' warnings and our own notes, tokens hidden. Everything goes to stderr."""
    server = "INFO" if verbose else "ERROR"
    libraries = "WARNING" if verbose else "ERROR"  # Solara's INFO is a trace of every render
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"tokens": {"()": HideTokens}},
        "formatters": {
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
                "use_colors": None,
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
        },
        "handlers": {
            "default": {
                "formatter": "default",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["tokens"],
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["tokens"],
            },
        },
        # any other library: its errors (and, verbose, its warnings)
        "root": {"handlers": ["default"], "level": libraries},
        "loggers": {
            "uvicorn": {"level": server},
            "uvicorn.error": {"level": server},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "solara": {"level": libraries},
            "reacton": {"level": libraries},
            "viz": {"level": "INFO" if verbose else "WARNING"},
            "wargame": {"level": "INFO" if verbose else "WARNING"},
        },
    }


def quiet_warnings() -> None:
    """The libraries' Python warnings (deprecations, Solara's and ipywidgets' advice) stay out of the
    terminal; ours are shown. A -W or PYTHONWARNINGS given by the user is left as it is."""
    if sys.warnoptions:
        return
    warnings.filterwarnings("ignore")
    warnings.filterwarnings("default", module=r"(wargame|viz|__main__)(\.|$)")


def dual_stack_socket(port: int) -> socket.socket:
    """`--host ::` listens on IPv6 and IPv4 both (asyncio alone would listen on IPv6 only, and the links
    printed for it name the machine's IPv4 address when it has one)."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    if os.name == "posix":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", port))
    return sock


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m viz.server")
    p.add_argument("page", help="the page's module (viz.app, viz.classroom_app)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--verbose", action="store_true", help="the server's own log on stderr")
    args = p.parse_args(argv)
    os.environ.setdefault(
        "WARGAME_WARM_POOL", "1"
    )  # the pages share a pool of workers, started once
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")  # nothing over the page's corner
    os.environ["SOLARA_APP"] = args.page
    os.environ["SERVER_NAME"] = args.host
    os.environ["SERVER_PORT"] = str(args.port)
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    if not args.verbose:
        quiet_warnings()
    # Solara warns at every page load that its session cookie cannot be SameSite=None over plain HTTP:
    # the page is never embedded elsewhere, so that is what we want, not news for the console.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import uvicorn
    from solara.server import settings
    from solara.server.starlette import app as solara_app

    settings.main.mode = "production"
    plotly_module.serve()  # the charts import plotly's code from this server (Guard._plotly_module)
    secure = bool(args.tls_cert)
    config = uvicorn.Config(
        Guard(solara_app, accepted_tokens(), secure=secure),
        host=args.host,
        port=args.port,
        log_config=logging_config(args.verbose),
        access_log=args.verbose,
        ssl_certfile=args.tls_cert,
        ssl_keyfile=args.tls_key,
    )  # its logging is configured here, before anything can go wrong
    sockets = None
    if args.host == "::":
        try:
            sockets = [dual_stack_socket(args.port)]
        except OSError as exc:
            logging.getLogger("uvicorn.error").error(exc)
            return 3  # uvicorn's code for a server that could not start
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn has shut down, as uvicorn.run
        server.run(sockets=sockets)
    return 0 if server.started else 3


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C while it starts: stopped, not a traceback
        sys.exit(130)
