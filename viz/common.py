"""What every panel shares: the desk of this browser session, a way to redraw after a change, and a way
to run a request so that a refusal or a fault is shown on the page, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import markdown
import solara
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from viz.workspace import DeskError, Workspace

log = logging.getLogger("viz")


@dataclass(
    eq=False
)  # a new Desk each time the page draws, never equal to the last: the panels redraw
class Desk:
    """The session's workspace with the page's means to redraw and to report."""

    ws: Workspace
    version: solara.Reactive[int]
    message: solara.Reactive[str]  # the last refusal or fault, shown at the top of the page
    field_errors: solara.Reactive[dict]  # field -> message, shown beside the field

    def redraw(self) -> None:
        self.version.set(self.version.value + 1)

    def act(self, fn: Callable[[], Any]) -> Any:
        """Run a request and redraw; a refusal is shown beside the field it blames (FieldError)."""
        try:
            out = fn()
        except DeskError as exc:
            self.field_errors.set({exc.where: exc.message})
            self.message.set("")
            self.redraw()
            return None
        except (
            Exception
        ) as exc:  # a fault of ours: said on the page, logged for the server's console
            log.exception("request failed")
            self.message.set(f"Something went wrong: {type(exc).__name__}: {exc}")
            self.redraw()
            return None
        self.field_errors.set({})
        self.message.set("")
        self.redraw()
        return out

    def error_of(self, field: str) -> str | None:
        return self.field_errors.value.get(field) or self.ws.errors.get(field)


@solara.component
def FieldError(desk: Desk, field: str):
    """The refusal of a request about `field`, shown beside it."""
    msg = desk.error_of(field)
    if msg:
        solara.Error(
            msg,
            dense=True,
            style={"white-space": "pre-wrap"},
            classes=[f"error-{field.replace('.', '-')}"],
        )


class _TextOnly(Treeprocessor):
    """Links become their text and images their alt text: text drawn here may be a person's (a student's
    justification, a facilitator's reason, an uploaded scenario's names), and a link or an image in it
    would act for its writer on another's page (a `javascript:` link, an image that reports its readers)."""

    def run(self, root):
        for element in root.iter():
            if element.tag in ("a", "img"):
                alt = element.get("alt", "") if element.tag == "img" else None
                element.tag = "span"
                element.attrib.clear()
                if alt is not None:
                    element.text = alt


class _TextOnlyExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_TextOnly(md), "text_only", 0)


def safe_markdown(text: str) -> str:
    """Markdown to HTML with every HTML tag in the text shown as text (never markup), and links and images
    reduced to their text: what a person typed can format itself, never act."""
    return markdown.markdown(
        str(text).replace("&", "&amp;").replace("<", "&lt;"),
        extensions=["tables", _TextOnlyExtension()],
    )


@solara.component
def Prose(text: str, style: dict | None = None, classes: list[str] | None = None):
    """Markdown drawn on the server into HTML (solara.Markdown asks a CDN for KaTeX, which an offline
    classroom does not have), through `safe_markdown`: names from a scenario file and what a person typed
    are shown, never run."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=safe_markdown(text),
        style=style or {},
        classes=["prose", *(classes or [])],
    )


@solara.component
def Chart(build: Callable[[], Any], key: tuple, on_click: Callable[[Any], None] | None = None):
    """A plotly chart made by `build()` once per `key` (cheap values that say when it changes). The page
    redraws often (every chunk of runs, every step); a figure rebuilt each time would be compared with the
    last one by value, which for a big branch tree costs seconds."""
    fig = solara.use_memo(build, dependencies=list(key))
    solara.FigurePlotly(fig, on_click=on_click, dependencies=[id(fig)])


@solara.component
def Guarded(draw: Callable[[], Any]):
    """Draws what `draw()` draws; a fault while drawing it is said in one line with a way to try again,
    never shown as a traceback (the fault goes to the server's log). `draw` rather than children: children
    would be compared element by element at every redraw, which costs a whole page's worth of time."""
    exc, clear = solara.use_exception()
    if exc is not None:
        log.error("a panel failed to draw: %r", exc)
        with solara.Column(classes=["panel-fault"]):
            solara.Error(f"This part of the page could not be drawn ({type(exc).__name__}: {exc}).")
            solara.Button("Try again", on_click=clear, outlined=True)
        return
    draw()
