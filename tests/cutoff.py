"""Dates after a scenario's information cut-off, found in its texts: reusable by any bundled case.

A bundled real case is a forecast from its cut-off (`information_cutoff`, or its `start_date` when it
has none): its files, comments included, may cite only what was public by then. `post_cutoff(line,
cutoff)` lists what in one line of text names a day after the cut-off; `violations(paths, cutoff)` does it
for whole files; `case_files(scenario)` names the files a case is made of (the scenario, its actor
profiles and the exercises that play it).

How a mention is judged, for a cut-off C in month M of year Y:

- A year on its own (1900-2099) later than Y, or an ISO date after C, is a violation. A number that is a
  YAML value (`km: 2100`) is a quantity, not a year.
- A date with its year ("13 December 2024", "Dec 13, 2024", "late December 2024", "January 2025") is a
  violation when it names a day after C. A range of days ("8-9 Dec") is judged by its last day, since all
  its days are claimed; a vague span (early, mid, late, end of a month) by its first, since it is a
  violation only when it cannot fall on or before C (early = from the 1st, mid = from the 11th, late = from
  the 21st, end = from the 24th).
- A date without a year is read in the scenario's own year when its month is C's month: "12 Dec",
  "Dec 13", "13 December", "mid-December" and "late December" are violations for a cut-off of 9 Dec 2024,
  "9 Dec", "8-9 Dec" and "early Dec" are not. Write the year to mean another December.
- Any other month without a year is ambiguous: "January" in a forecast from December is more likely the
  January to come than the one gone by, and for a cut-off in spring an unqualified "May" may be this
  May, after C. So a yearless month other than C's is a violation unless the same line carries a year on
  or before Y, taken to be the year it refers to ("28 Nov" fails, "28 Nov (Reuters, 28 Nov 2024)" and
  "the Nov-Dec 2024 offensive" pass). The line-level reading is a deliberate simplification: when in
  doubt, write the year beside the date.
- Month names count only capitalised (the verb "march" is not a month), and "May" only beside a day or a
  year (the verb "May" starts sentences).
- A line that points to the dated record of later history (a path with "records/") is a pointer, not a
  value, and is not judged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

MONTHS: dict[str, int] = {}
for _n in range(1, 13):
    MONTHS[calendar.month_name[_n]] = _n
    MONTHS[calendar.month_abbr[_n]] = _n
MONTHS["Sept"] = 9
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)\b"
_DAYS = r"(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?(?:\s*[-–]\s*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?)?"
_SPAN = r"(?P<span>early|mid|late|end of|the end of|beginning of|start of)"
SPAN_FIRST_DAY = {"early": 1, "beginning of": 1, "start of": 1, "mid": 11, "late": 21, "end of": 24}

PATTERNS = [
    # 13 December 2024, 8-9 Dec, 28 Nov
    re.compile(rf"\b{_DAYS}\s+{_MONTH}(?:,?\s+{_YEAR})?"),
    # Dec 13, 2024 / December 13-14 / Dec 13
    re.compile(rf"\b{_MONTH}\s+{_DAYS}(?![\d,]\d)\b(?:,?\s+{_YEAR})?"),
    # late December 2024, mid-Dec, the end of January
    re.compile(rf"(?i:\b{_SPAN})[\s-]+{_MONTH}(?:,?\s+{_YEAR})?"),
    # January 2025, Dec 2024
    re.compile(rf"\b{_MONTH}\s+{_YEAR}"),
    # a month on its own
    re.compile(rf"\b{_MONTH}"),
]
ISO_DATE = re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")
YEAR = re.compile(r"(?<![\w.])(?:19|20)\d\d(?![\w.])")
YAML_NUMBER = re.compile(r"(?<=:)\s*-?\d[\d_.]*\s*(?=$|#|,|\})")


def cutoff_of(spec) -> dt.date:
    """A scenario's information cut-off: its `information_cutoff`, else its start date."""
    return spec.information_cutoff or spec.start_date


def _years(text: str) -> list[int]:
    return [int(y) for y in YEAR.findall(ISO_DATE.sub(" ", text))]


def post_cutoff(line: str, cutoff: dt.date) -> list[str]:
    """What in one line of text names a day after `cutoff`, by the rules of the module's docstring."""
    if "records/" in line:
        return []
    text = YAML_NUMBER.sub(" ", line)
    found: list[str] = []
    for m in ISO_DATE.finditer(text):
        try:
            day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
        if day > cutoff:
            found.append(m[0])
    text = ISO_DATE.sub(" ", text)
    found += [str(y) for y in _years(text) if y > cutoff.year]
    years_on_line = [y for y in _years(text) if y <= cutoff.year]
    taken = [False] * len(text)
    for pattern in PATTERNS:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            groups = m.groupdict()
            month = MONTHS[groups["month"]]
            d1, d2 = groups.get("d1"), groups.get("d2")
            if groups["month"] == "May" and not (d1 or groups.get("year")):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            span = (groups.get("span") or "").lower().removeprefix("the ")
            if d1:
                days = [int(d1), int(d2 or d1)]
                if not all(1 <= d <= 31 for d in days):
                    continue
                day = max(days)  # a range claims all its days
            else:
                day = SPAN_FIRST_DAY.get(span, 1)  # a vague span: its first day
            if groups.get("year"):
                year = int(groups["year"])
            elif month == cutoff.month:
                year = cutoff.year  # read in the scenario's own year
            elif years_on_line:
                continue  # the line says which (earlier) year it means
            else:
                found.append(m[0].strip())  # ambiguous: may be a month to come
                continue
            day = min(day, calendar.monthrange(year, month)[1])
            if dt.date(year, month, day) > cutoff:
                found.append(m[0].strip())
    return found


def violations(paths: Iterable[Path], cutoff: dt.date) -> list[str]:
    """Every line of the files, comments included, that names a day after `cutoff`: 'file:line: text'."""
    out = []
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            hits = post_cutoff(line, cutoff)
            if hits:
                out.append(f"{Path(path).name}:{number}: {hits} in {line.strip()}")
    return out


def case_files(scenario) -> list[Path]:
    """The files a bundled case is made of: the scenario, its actor profiles, and the exercises that play
    it (their briefings and injects are handed out as of the cut-off)."""
    root = scenario.path.parents[1]
    files = [scenario.path, *(root / "actors" / f"{a.id}.yaml" for a in scenario.actors)]
    name = scenario.spec.id
    for exercise in sorted((root / "scenarios" / "exercises").glob("*.yaml")):
        text = exercise.read_text(encoding="utf-8")
        if re.search(rf"^scenario:\s*{re.escape(name)}\s*$", text, re.M):
            files.append(exercise)
    return [f for f in files if f.exists()]
