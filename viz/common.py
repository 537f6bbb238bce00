"""What every panel shares: the desk of this browser session, a way to redraw after a change, and a way
to run a request so that a refusal or a fault is shown on the page, never a traceback."""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipyvuetify
import markdown
import reacton.ipyvuetify as rv
import solara
import traitlets
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from viz import plotly_module
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


# plotly's options for every chart on the page: as wide as its column (and redrawn when the column changes),
# images made in the browser (a PNG, and an SVG added by ChartKeys), no cloud upload, no logo, no selection
# tools (nothing on the page reads a selection).
PLOTLY_CONFIG = {
    "responsive": True,
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio", "select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
ROWS_SHOWN = 200  # at most, per trace, in a chart's data table


def chart_label(fig) -> str:
    """A chart's name for a screen reader: its title as text."""
    title = fig.layout.title.text if fig.layout.title else None
    return _plain(title) or "chart"


def _plain(text: Any) -> str:
    """Plotly's text (a subset of HTML: <br>, <b>, entities) as plain text."""
    if text is None:
        return ""
    return html.unescape(re.sub(r"<[^>]*>", " ", str(text))).replace("  ", " ").strip()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return "" if value != value else f"{value:,.3f}".rstrip("0").rstrip(".")
    return _plain(value)


def _axis_title(fig, axis: str, fallback: str) -> str:
    title = getattr(fig.layout, axis).title
    return _plain(title.text if title else None) or fallback


def _is_backdrop(trace) -> bool:
    """A trace drawn for looks or to make a legend entry: an outline, a band's hidden edge, text beside
    bars, an empty legend line. The table leaves it out."""
    points = [*(getattr(trace, "x", None) or ()), *(getattr(trace, "y", None) or ())]
    if hasattr(trace, "x") and not any(p is not None for p in points):
        return True
    return trace.hoverinfo == "skip" and (
        trace.showlegend is False or getattr(trace, "mode", None) == "text"
    )


def trace_rows(fig, trace) -> tuple[list[str], list[list[str]]]:
    """The columns and rows of one trace: x and y (the category first on a horizontal bar chart) and a
    point's text where it has one; a tree's labels, parents and values. Gaps between lines (None) are no
    rows."""
    if hasattr(trace, "labels") and getattr(trace, "values", None) is not None:
        cols = ["label", "inside", "value"]
        rows = zip(
            trace.labels or (),
            trace.parents or [""] * len(trace.values),
            trace.values,
            strict=False,
        )
        return cols, [[_cell(c) for c in r] for r in rows]
    xs, ys = list(getattr(trace, "x", None) or ()), list(getattr(trace, "y", None) or ())
    n = max(len(xs), len(ys))
    xs, ys = xs + [None] * (n - len(xs)), ys + [None] * (n - len(ys))
    x_name, y_name = _axis_title(fig, "xaxis", "x"), _axis_title(fig, "yaxis", "y")
    texts = getattr(trace, "text", None)
    texts = list(texts) + [None] * (n - len(texts)) if isinstance(texts, (list, tuple)) else None
    if texts is not None and not any(_plain(t) for t in texts):
        texts = None
    flipped = getattr(trace, "orientation", None) == "h"
    cols = [y_name, x_name] if flipped else [x_name, y_name]
    rows = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if x is None and y is None:
            continue
        row = [_cell(y), _cell(x)] if flipped else [_cell(x), _cell(y)]
        rows.append(row + ([_cell(texts[i])] if texts is not None else []))
    return cols + (["label"] if texts is not None else []), rows


def data_table_html(fig, limit: int = ROWS_SHOWN) -> str:
    """The figure's data as HTML tables, one per trace (named by its caption), in a closed <details>: what
    a screen reader reads instead of the picture, and what anyone can copy. A trace's index in the figure
    is its table's data-trace."""
    tables = []
    for i, trace in enumerate(fig.data):
        if _is_backdrop(trace):
            continue
        cols, rows = trace_rows(fig, trace)
        shown = rows[:limit]
        more = f" (the first {limit:,} of {len(rows):,} rows)" if len(rows) > limit else ""
        head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in shown
        )
        name = html.escape(_plain(trace.name) or f"series {i + 1}")
        tables.append(
            f'<table class="chart-data" data-trace="{i}" data-rows="{len(rows)}">'
            f"<caption>{name}{html.escape(more)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
    if not tables:
        return ""
    return (
        '<details class="chart-data"><summary>The data behind this chart</summary>'
        + "".join(tables)
        + "</details>"
    )


class ChartKeys(ipyvuetify.VuetifyTemplate):
    """What plotly's bar of buttons lacks, done in the browser for the chart around it: its buttons and
    links out of the tab order (the data table is the keyboard's and the screen reader's way in), a
    "Download plot as SVG" button beside the PNG one (plotly's own export, offline), image files named
    after the chart, and the chart redrawn to its container's width whenever that changes (a tab shown
    again, a column resized), not only when the window does."""

    template = traitlets.Unicode(
        """
<template><span class="chart-keys" style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    const frame = this.$el.closest("figure") || this.$el.parentElement;
    const fileName = (gd) => {
      const title = (gd.layout && gd.layout.title && gd.layout.title.text) || "chart";
      return title.replace(/<[^>]*>/g, " ").trim().replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase() || "chart";
    };
    const tidy = () => {
      // out of the tab order: plotly's buttons (the data table below is the keyboard's way in)
      const gd = frame.querySelector(".js-plotly-plot");
      if (!gd) return;
      gd.querySelectorAll("a, button, input, select, [tabindex]").forEach((el) => {
        if (el.getAttribute("tabindex") !== "-1") el.setAttribute("tabindex", "-1");
      });
      if (gd._context && gd._context.toImageButtonOptions) {
        gd._context.toImageButtonOptions.filename = fileName(gd);
      }
      const png = gd.querySelector('.modebar-btn[data-title^="Download plot"]:not([data-svg])');
      if (png && !gd.querySelector(".modebar-btn[data-svg]") && window.Plotly) {
        const svg = png.cloneNode(true);
        svg.setAttribute("data-title", "Download plot as SVG");
        svg.setAttribute("data-svg", "1");
        svg.setAttribute("tabindex", "-1");
        svg.addEventListener("click", (ev) => {
          ev.preventDefault();
          window.Plotly.downloadImage(gd, { format: "svg", filename: fileName(gd) });
        });
        png.after(svg);
      }
    };
    // plotly measures its container when it first draws, which may be before the chart is on the page
    // (it then takes 700 px); and it follows the window's size, not its column's
    const fit = () => {
      const gd = frame.querySelector(".js-plotly-plot");
      if (!gd || !gd._fullLayout || !window.Plotly || gd.clientWidth === 0) return;
      if (Math.abs(gd._fullLayout.width - gd.clientWidth) <= 1) return;
      delete gd.layout.width;
      window.Plotly.Plots.resize(gd);
    };
    tidy();
    this.changes = new MutationObserver(() => { tidy(); fit(); });
    this.changes.observe(frame, { childList: true, subtree: true });
    this.resizes = new ResizeObserver(fit);
    this.resizes.observe(frame);
  },
  destroyed() {
    if (this.changes) this.changes.disconnect();
    if (this.resizes) this.resizes.disconnect();
  },
};
</script>
"""
    ).tag(sync=True)


@functools.cache
def _page_plot(served: bool = False):
    """plotly's FigureWidget with the page's options: a trait the browser reads once, when it first draws
    the chart, which FigureWidget(...) neither takes as an argument nor keeps as a default. `served`:
    behind our server, whose charts import plotly's code from it once per page rather than each carrying
    a 5 MB copy of it (viz/plotly_module.py)."""
    from plotly.graph_objs import FigureWidget

    class PagePlot(FigureWidget):
        if served:
            _esm = plotly_module.esm()

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._config = dict(PLOTLY_CONFIG)

    return PagePlot


@solara.component
def Plot(fig, on_click: Callable[[Any], None] | None = None):
    """solara.FigurePlotly with the page's plotly options (PLOTLY_CONFIG), which it cannot take; and a
    figure drawn in place of another loses what the other had and it lacks (a note, a width), where
    FigurePlotly would keep it: plotly's relayout only sets what it is given."""

    def on_points(data):
        if data and data.get("event_type") == "plotly_click" and on_click:
            on_click(data)

    element = _page_plot(plotly_module.served()).element(on__js2py_pointsCallback=on_points)

    def draw():
        widget = solara.get_widget(element)
        stale = set(widget._layout) - set(fig.layout._props) - {"template"}
        if stale:  # removed while the widget still has them, or plotly sees nothing to remove
            widget.plotly_relayout({k: None for k in stale})
        widget.layout = fig.layout
        old = len(widget.data)
        widget.add_traces(fig.data)
        widget.data = list(widget.data)[old:]

    solara.use_effect(draw, [id(fig)])
    return element


@solara.component
def Chart(
    build: Callable[[], Any],
    key: tuple,
    on_click: Callable[[Any], None] | None = None,
    caption: str | None = None,
):
    """A plotly chart made by `build()` once per `key` (cheap values that say when it changes), as wide as
    its column; named by its title for a screen reader, `caption` under it, and the data behind it in a
    table that opens under it. The page redraws often (every chunk of runs, every step); a figure rebuilt
    each time would be compared with the last one by value, which for a big branch tree costs seconds."""

    def made():
        fig = build()
        # the column decides the width; the figure says its height
        fig.update_layout(autosize=True, width=None)
        return fig

    fig = solara.use_memo(made, dependencies=list(key))
    table = solara.use_memo(lambda: data_table_html(fig), dependencies=[id(fig)])
    with rv.Html(
        tag="figure",
        class_="chart",
        attributes={"aria-label": chart_label(fig)},
        style_="margin: 0 0 8px 0; width: 100%; min-width: 0",
    ):
        Plot(fig, on_click=on_click)
        ChartKeys.element()
        if caption:
            solara.HTML(
                tag="figcaption",
                unsafe_innerHTML=html.escape(caption),
                style="font-size: 0.85em; opacity: 0.85; margin: 2px 4px 4px",
            )
        if table:
            solara.HTML(tag="div", unsafe_innerHTML=table, style="font-size: 0.85em; margin: 0 4px")


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
