"""Numbers and names in words, as the charts and the report write them: shares as percentages, run
counts, p values, text escaped for HTML and wrapped for plotly, result columns and drivers named from the
scenario."""

from __future__ import annotations

import html
import math
import textwrap
from typing import Any

from wargame.analysis.results import Results


def wrap(text: str, width: int = 38) -> str:
    """Wrapped with <br> for plotly's text (not escaped)."""
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def wrap_escaped(text: str, width: int = 38) -> str:
    """Escaped for plotly's HTML-like text, then wrapped with <br> (which must stay a tag)."""
    return "<br>".join(html.escape(line) for line in textwrap.wrap(str(text), width)) or esc(text)


def pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage, "–" for none."""
    return (
        "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{digits}f}%"
    )


def runs_text(k: int) -> str:
    """ "1 run", "1,234 runs"."""
    return f"{k:,} run" + ("" if k == 1 else "s")


def pvalue(p: float | None) -> str:
    """A p or q value, "<0.001" below that, "–" for none."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def esc(x: Any) -> str:
    """Escaped for HTML, quotes included."""
    return html.escape(str(x), quote=True)


def pretty_name(res: Results, name: str) -> str:
    """A driver or column name in words: draw_ACTOR_resolve -> 'ACTOR's name: resolve (drawn)'."""
    if name.startswith("set_"):
        return f"setting {name[4:]}"
    if name.startswith("draw_"):
        rest = name[5:]
        for aid in sorted(res.actor_names, key=len, reverse=True):
            if rest.startswith(aid + "_"):
                return f"{res.actor_names[aid]}: {rest[len(aid) + 1 :].replace('_', ' ')} (drawn)"
    if name.startswith("day_") and name[4:] in res.milestone_labels:
        return f"day of: {res.milestone_labels[name[4:]]}"
    if name.startswith("reached_") and name[8:] in res.milestone_labels:
        return f"reached: {res.milestone_labels[name[8:]]}"
    if name in res.milestone_labels:
        return res.milestone_labels[name]
    if name.startswith("utility_") and name[8:] in res.actor_names:
        return f"utility of {res.actor_names[name[8:]]}"
    return name


def driver_label(res: Results, d) -> str:
    """A driver (drivers.Driver) named in words."""
    return pretty_name(res, str(d.name))


def driver_group(d, side: str) -> str:
    """How a driver's low or high group was chosen, e.g. "≤ 0.31, 100 runs"."""
    value, count = getattr(d, f"{side}_value", None), getattr(d, f"{side}_n", None)
    if value is None:
        return ""
    text = f"{'≤' if side == 'low' else '≥'} {value:.3g}"
    return f"{text}, {runs_text(count)}" if count is not None else text
