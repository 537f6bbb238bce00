"""plotly's chart code (plotly.js and its widget, ~5 MB) sent to the browser once, not once per chart.

plotly's FigureWidget is an anywidget: its `_esm` trait is the whole of plotly's widget bundle, synced with
every chart made, and the browser loads each copy as a module of its own (plotly/plotly.py#5143). A page
of three charts took three 5 MB websocket messages and three module loads before any of them was drawn.

Behind our server (viz.server) a chart's `_esm` is instead a few lines that import the bundle from this
server by an address named after its content (`PATH`): the browser fetches and compiles it once per page
(a module is loaded once per address), keeps it in its HTTP cache for later pages (the address changes
whenever the bundle does), and every chart still gets a widget of its own (the bundle's default export
makes one per call). Same-origin, so the page's Content-Security-Policy ('self') allows it; no CDN.

Anywhere else (a notebook, `solara.render` in a test) the charts keep plotly's own `_esm`: nothing serves
the address there."""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
from pathlib import Path

PREFIX = "/static/wargame/"  # under the guard's static prefix: no token needed, no secret in it
_serving = False


def serve() -> None:
    """Called by the server that answers `path()`: charts made from now on import the bundle from it."""
    global _serving
    _serving = True


def served() -> bool:
    return _serving


@functools.cache
def bundle_file() -> Path:
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("plotly is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data" / "widgetbundle.js"


@functools.cache
def bundle() -> bytes:
    return bundle_file().read_bytes()


@functools.cache
def digest() -> str:
    return hashlib.sha256(bundle()).hexdigest()[:16]


@functools.cache
def path() -> str:
    """The bundle's address on our server: its content's hash in its name, so it may be cached for ever."""
    return f"{PREFIX}plotly-widget-{digest()}.js"


@functools.cache
def gzipped() -> bytes:
    """The bundle compressed (about a third of its size), made once, for browsers that accept gzip."""
    return gzip.compress(bundle(), compresslevel=6, mtime=0)


def esm() -> str:
    """A chart's `_esm` behind our server: a module that hands on the bundle's default export (a factory
    anywidget calls once per chart). It runs from a blob: URL, against which no path resolves, hence the
    page's own address as the base."""
    return (
        "// plotly's widget, loaded once per page from this server (viz/plotly_module.py)\n"
        f'const url = new URL("{path()}", window.location.href).href;\n'
        "const plotly = await import(url);\n"
        "export default plotly.default;\n"
    )
