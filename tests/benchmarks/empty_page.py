"""The reference page of tests/benchmarks/test_bench_ui_browser.py: one line of text, served through the
same guarded server as the wargame page (`python -m viz.server tests.benchmarks.empty_page`), so what
the wargame page costs beyond it is its own."""

from __future__ import annotations

import solara

TEXT = "an empty Solara page"


@solara.component
def Page():
    solara.Text(TEXT, classes=["empty-page"])
