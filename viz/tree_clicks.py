"""A click on a box of the branch icicle, told to the server whichever box it is.

plotly's FigureWidget reports clicks through the same synced value as hovers, and a click on a box that
has boxes beneath it also zooms the icicle, which at once reports an unhover and a hover: the changes go
out in one message, the last one wins, and the server never hears of the click (only a click on a box
with nothing beneath it, which does not zoom, gets through). This wrapper hears the click in the browser
and sends the clicked box's index in the figure's data on a value of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipyvuetify as vy
import ipywidgets as widgets
import solara
import traitlets

TEMPLATE = """
<template>
  <div class="tree-clicks"><jupyter-widget v-for="child in children" :key="child" :widget="child">
  </jupyter-widget></div>
</template>
<script>
module.exports = {
  mounted() {
    // a click on a box, heard on its way down to it (plotly's own listeners go with each redraw of the
    // chart; this wrapper stays): the box's point in the figure's data is on the box, from plotly
    this.$el.addEventListener('click', (event) => {
      const box = event.target && event.target.closest && event.target.closest('g.slice');
      const point = box && box.__data__ && box.__data__.data && box.__data__.data.data;
      if (point && Number.isInteger(point.i)) {
        this.clicked = {point: point.i, id: String(point.id || ''), at: Date.now()};
      }
    }, true);
  },
}
</script>
"""


class TreeClicksWidget(vy.VuetifyTemplate):
    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    children = traitlets.List().tag(sync=True, **widgets.widget_serialization)
    clicked = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)


@solara.component
def TreeClicks(chart, on_point: Callable[[int], Any]):
    """`chart` (an element drawing a plotly figure) with each click on it reported as `on_point(index)`,
    the clicked point's index in the figure's data."""

    def heard(value: dict | None) -> None:
        if value and isinstance(value.get("point"), int):
            on_point(value["point"])

    return TreeClicksWidget.element(children=[chart], on_clicked=heard)
