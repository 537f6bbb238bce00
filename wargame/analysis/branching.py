"""The prefix tree of milestone sequences: how many runs took each branch, with a Wilson interval,
the outcome mix beneath it and the median day it was reached. Pure functions over the runs table
(pyarrow Table or pandas DataFrame) of a Monte Carlo; nothing here starts a model.

The tree is built level by level with numpy: every run gets a node number at each depth from
(its node one level up, its milestone at this depth), so the cost grows with runs x depth, not with
runs x depth x Python calls. Python objects are made only for the nodes that are shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from wargame.analysis.statistics import wilson_interval

ROOT = "all runs"
END = "(end)"
OTHER = "other"
BLOCKS = " ▏▎▍▌▋▊▉█"  # eighths of a character cell, for bars


# ---------------------------------------------------------------- the node


@dataclass
class BranchNode:
    """One branch: the runs whose milestones began with `path`.

    "(end)" and "other" children carry their parent's path: "(end)" holds the runs whose path stops
    at the parent, "other" the rare branches folded together.
    """

    label: str
    path: tuple[str, ...]
    runs: int
    share: float  # of all runs
    share_of_parent: float
    ci_low: float  # 95% Wilson interval of `share`
    ci_high: float
    outcomes: dict[str, int]  # outcome -> runs beneath, most frequent first
    median_day: float | None  # day this node's milestone was reached (None for root, end, other)
    examples: list[int]  # smallest run ids beneath
    children: list[BranchNode] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready, nested; `path` becomes a list."""
        return {
            "label": self.label,
            "path": list(self.path),
            "runs": self.runs,
            "share": self.share,
            "share_of_parent": self.share_of_parent,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "outcomes": dict(self.outcomes),
            "median_day": self.median_day,
            "examples": list(self.examples),
            "children": [c.to_dict() for c in self.children],
        }

    def walk(self):
        """This node and every node beneath it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, path: tuple[str, ...]) -> BranchNode | None:
        """The milestone node at `path` (not an "(end)" or "other" child), if it is in the tree."""
        node = self
        for step in path:
            node = next(
                (c for c in node.children if c.label == step and c.label not in (END, OTHER)), None
            )
            if node is None:
                return None
        return node


# ---------------------------------------------------------------- reading the runs table


def as_arrow(runs, columns: list[str]) -> pa.Table:
    """The named columns (those present) of a pyarrow Table or a pandas DataFrame, as Arrow."""
    if isinstance(runs, pa.Table):
        return runs.select([c for c in columns if c in runs.column_names])
    import pandas as pd  # here, so that Arrow-only callers never pay for importing pandas

    if isinstance(runs, pd.DataFrame):
        return pa.Table.from_pandas(
            runs[[c for c in columns if c in runs.columns]], preserve_index=False
        )
    raise TypeError(
        f"expected a pyarrow Table or a pandas DataFrame of runs, got {type(runs).__name__}"
    )


def column_names(runs) -> list[str]:
    """The column names of a pyarrow Table or a pandas DataFrame."""
    if isinstance(runs, pa.Table):
        return list(runs.column_names)
    return [str(c) for c in runs.columns]


@dataclass
class Paths:
    """Every run's milestone path as integer codes: run i's are codes[starts[i]:starts[i] + lengths[i]],
    and the runs' paths lie end to end in `codes`."""

    labels: list[str]  # code -> milestone id
    codes: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray

    def beneath(self, node: tuple[str, ...]) -> np.ndarray:
        """A boolean mask of the runs whose path starts with `node`."""
        mask = self.lengths >= len(node)
        index = {label: code for code, label in enumerate(self.labels)}
        for j, step in enumerate(node):
            if step not in index:
                return np.zeros_like(mask)
            mask &= self.codes[np.where(mask, self.starts + j, 0)] == index[step]
        return mask


def milestone_paths(table: pa.Table) -> Paths:
    """The milestone_path column as codes (a missing path counts as an empty one)."""
    if "milestone_path" not in table.column_names:
        raise KeyError("the runs table has no 'milestone_path' column")
    arr = table.column("milestone_path").combine_chunks()
    if pa.types.is_large_list(arr.type):
        arr = arr.cast(pa.list_(arr.type.value_type))
    if arr.null_count:  # a missing path counts as an empty one
        arr = pc.fill_null(arr, pa.scalar([], type=arr.type))
    offsets = arr.offsets.to_numpy()
    values = arr.values.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
    encoded = pc.dictionary_encode(values.cast(pa.string()))
    return Paths(
        labels=[str(s) for s in encoded.dictionary.to_pylist()],
        codes=encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
        starts=(offsets[:-1] - offsets[0]).astype(np.int64),
        lengths=np.diff(offsets).astype(np.int64),
    )


def runs_beneath(runs, node: tuple[str, ...] | list[str]) -> np.ndarray:
    """A boolean mask: which runs' milestone paths start with `node` (all runs for an empty node)."""
    return milestone_paths(as_arrow(runs, ["milestone_path"])).beneath(tuple(node))


def _strings(table: pa.Table, name: str, missing: str) -> tuple[list[str], np.ndarray]:
    """A string column as (labels, codes); nulls become `missing`."""
    col = pc.fill_null(table.column(name).cast(pa.string()), missing)
    encoded = pc.dictionary_encode(col).combine_chunks()
    return [str(s) for s in encoded.dictionary.to_pylist()], encoded.indices.to_numpy(
        zero_copy_only=False
    ).astype(np.int64)


def _floats(table: pa.Table, name: str) -> np.ndarray:
    """A numeric column as float64, nulls as NaN."""
    col = table.column(name).cast(pa.float64())
    return pc.fill_null(col, float("nan")).to_numpy()


# ---------------------------------------------------------------- statistics of groups of runs


class _Groups:
    """Counts, outcome mix, smallest run ids and median day of runs grouped by an integer id.

    `rows` are the runs (in run-id order) and `group` their group ids; every statistic is computed
    for all groups at once, then looked up per group.
    """

    def __init__(
        self,
        rows: np.ndarray,
        group: np.ndarray,
        n_groups: int,
        outcome: np.ndarray,
        n_outcomes: int,
        run_id: np.ndarray,
        examples: int,
        day: np.ndarray | None,
    ):
        self.count = np.bincount(group, minlength=n_groups)
        self.n_outcomes = n_outcomes
        key = group * n_outcomes + outcome[rows]
        if n_groups * n_outcomes <= 4 * len(rows) + 1024:  # dense counts are cheaper than a sort
            dense = np.bincount(key, minlength=n_groups * n_outcomes)
            self.outcome_keys = np.flatnonzero(dense)
            self.outcome_counts = dense[self.outcome_keys]
        else:
            self.outcome_keys, self.outcome_counts = np.unique(key, return_counts=True)
        self.example_group = self.example_id = np.zeros(0, dtype=np.int64)
        if examples > 0 and len(rows):
            # rows are in run-id order, so each group's first `examples` rows have its smallest ids
            position = np.arange(len(rows))
            left = np.ones(len(rows), dtype=bool)
            picked = []
            for _ in range(examples):
                first = np.full(n_groups, len(rows))
                np.minimum.at(first, group[left], position[left])
                first = first[first < len(rows)]
                if not len(first):
                    break
                picked.append(first)
                left[first] = False
            at = np.concatenate(picked) if picked else position[:0]
            at = at[np.lexsort((at, group[at]))]
            self.example_group, self.example_id = group[at], run_id[rows[at]]
        self.median = None
        if day is not None:
            ok = ~np.isnan(day)
            values, rank = np.unique(day[ok], return_inverse=True)
            g = group[ok]
            n = np.bincount(g, minlength=n_groups)
            ranks = np.sort(g * max(len(values), 1) + rank.reshape(-1)) % max(len(values), 1)
            first = np.cumsum(n) - n
            self.median = np.full(n_groups, np.nan)
            has = n > 0
            lo = values[ranks[first[has] + (n[has] - 1) // 2]]
            hi = values[ranks[first[has] + n[has] // 2]]
            self.median[has] = (lo + hi) / 2

    def outcomes(self, i: int) -> dict[int, int]:
        a, b = np.searchsorted(self.outcome_keys, [i * self.n_outcomes, (i + 1) * self.n_outcomes])
        return {
            int(k % self.n_outcomes): int(c)
            for k, c in zip(self.outcome_keys[a:b], self.outcome_counts[a:b], strict=True)
        }

    def example_ids(self, i: int) -> list[int]:
        a, b = np.searchsorted(self.example_group, [i, i + 1])
        return [int(x) for x in self.example_id[a:b]]

    def median_day(self, i: int) -> float | None:
        if self.median is None or math.isnan(self.median[i]):
            return None
        return float(self.median[i])


@dataclass
class _Level:
    """The nodes at one depth of the tree (depth d: paths of d milestones)."""

    parent: np.ndarray  # node index at depth d-1
    code: np.ndarray  # milestone code
    nodes: _Groups  # runs through each node
    ends: _Groups  # runs whose path stops at each node
    child_order: np.ndarray | None = None  # children at depth d+1 sorted by parent
    child_parent: np.ndarray | None = None


# ---------------------------------------------------------------- the tree


def branch_tree(
    runs, min_share: float = 0.0, max_depth: int | None = None, examples: int = 3
) -> BranchNode:
    """The prefix tree of the runs' milestone paths.

    Every node's children sum exactly to its runs: an "(end)" child holds the runs whose path stops
    there, and children whose share of all runs is below `min_share` are folded into one "other"
    child (which merges their outcomes and examples and is not opened further). Nodes at
    `max_depth` milestones are leaves. Children are sorted by runs, most first, then by label.
    """
    names = column_names(runs)
    days = [c for c in names if c.startswith("day_")]
    table = as_arrow(runs, ["milestone_path", "outcome", "run_id", *days])
    n = table.num_rows
    paths = milestone_paths(table)
    if "outcome" in table.column_names:
        outcome_labels, outcome = _strings(table, "outcome", "(none)")
    else:
        outcome_labels, outcome = ["(none)"], np.zeros(n, dtype=np.int64)
    run_id = (
        table.column("run_id").cast(pa.int64()).to_numpy()
        if "run_id" in table.column_names
        else np.arange(n, dtype=np.int64)
    )
    n_out = max(len(outcome_labels), 1)

    # the day each path entry was reached, from day_<milestone>; NaN where unknown
    day_of = {c[len("day_") :]: c for c in days}
    entry_day = None
    if any(label in day_of for label in paths.labels):
        entry_run = np.repeat(np.arange(n), paths.lengths)
        entry_day = np.full(len(paths.codes), np.nan)
        for code, label in enumerate(paths.labels):
            if label in day_of:
                at = np.flatnonzero(paths.codes == code)
                entry_day[at] = _floats(table, day_of[label])[entry_run[at]]

    deepest = int(paths.lengths.max()) if n else 0
    limit = deepest if max_depth is None else min(max_depth, deepest)
    n_labels = max(len(paths.labels), 1)
    # rows in run-id order (the examples rely on it); `node` is each row's node at this depth
    in_order = n < 2 or bool(np.all(run_id[1:] >= run_id[:-1]))
    rows = np.arange(n) if in_order else np.argsort(run_id, kind="stable")
    node = np.zeros(n, dtype=np.int64)
    stop = paths.lengths[rows] == 0
    levels = [
        _Level(
            np.zeros(1, dtype=np.int64),
            np.full(1, -1),
            _Groups(rows, node, 1, outcome, n_out, run_id, examples, None),
            _Groups(rows[stop], node[stop], 1, outcome, n_out, run_id, examples, None),
        )
    ]
    for depth in range(1, limit + 1):
        alive = paths.lengths[rows] >= depth
        rows, parent = rows[alive], node[alive]
        entry = paths.starts[rows] + depth - 1
        key = parent * n_labels + paths.codes[entry]
        keys, node = _number(key, len(levels[-1].parent) * n_labels)
        day = entry_day[entry] if entry_day is not None else None
        stop = paths.lengths[rows] == depth
        level = _Level(
            keys // n_labels,
            keys % n_labels,
            _Groups(rows, node, len(keys), outcome, n_out, run_id, examples, day),
            _Groups(rows[stop], node[stop], len(keys), outcome, n_out, run_id, examples, None),
        )
        prev = levels[-1]
        prev.child_order = np.argsort(level.parent, kind="stable")
        prev.child_parent = level.parent[prev.child_order]
        levels.append(level)

    return _Builder(levels, paths.labels, outcome_labels, n, min_share, examples).node(0, 0, (), n)


def _number(key: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct keys 0..k-1 in key order: (the distinct keys, each key's number)."""
    if bound <= 4 * len(key) + 1024:  # a dense table beats sorting
        present = np.bincount(key, minlength=bound) > 0
        number = np.cumsum(present) - 1
        return np.flatnonzero(present), number[key]
    keys, inverse = np.unique(key, return_inverse=True)
    return keys, inverse.reshape(-1)


class _Builder:
    """Makes BranchNode objects for the nodes that are shown, folding the rare ones."""

    def __init__(self, levels, labels, outcome_labels, total, min_share, examples):
        self.levels, self.labels, self.outcome_labels = levels, labels, outcome_labels
        self.total, self.min_share, self.examples = total, min_share, examples

    def _outcomes(self, counts: dict[int, int]) -> dict[str, int]:
        items = sorted(
            ((self.outcome_labels[k], c) for k, c in counts.items()), key=lambda kv: (-kv[1], kv[0])
        )
        return dict(items)

    def _make(self, label, path, runs, parent_runs, outcomes, median_day, examples) -> BranchNode:
        total = self.total
        low, high = wilson_interval(runs, total) if total else (0.0, 0.0)
        return BranchNode(
            label=label,
            path=path,
            runs=int(runs),
            share=runs / total if total else 0.0,
            share_of_parent=runs / parent_runs if parent_runs else 0.0,
            ci_low=low,
            ci_high=high,
            outcomes=self._outcomes(outcomes),
            median_day=median_day,
            examples=examples,
        )

    def node(self, depth: int, i: int, path: tuple[str, ...], parent_runs: int) -> BranchNode:
        level = self.levels[depth]
        runs = int(level.nodes.count[i])
        label = ROOT if depth == 0 else self.labels[level.code[i]]
        me = self._make(
            label,
            path,
            runs,
            parent_runs,
            level.nodes.outcomes(i),
            level.nodes.median_day(i),
            level.nodes.example_ids(i),
        )
        ends = int(level.ends.count[i])
        if ends == runs or depth + 1 >= len(self.levels):
            return me  # every run stops here, or max_depth: a leaf
        # candidates: (runs, label, kind, index) with kind "node" or "end"
        nxt = self.levels[depth + 1]
        a, b = np.searchsorted(level.child_parent, [i, i + 1])
        candidates = [
            (int(nxt.nodes.count[j]), self.labels[nxt.code[j]], "node", int(j))
            for j in level.child_order[a:b]
        ]
        if ends:
            candidates.append((ends, END, "end", i))
        shown, folded = [], []
        for cand in candidates:
            (folded if cand[0] / self.total < self.min_share else shown).append(cand)
        children = []
        for count, lab, kind, j in shown:
            if kind == "node":
                children.append(self.node(depth + 1, j, (*path, lab), runs))
            else:
                children.append(
                    self._make(
                        END,
                        path,
                        count,
                        runs,
                        level.ends.outcomes(j),
                        None,
                        level.ends.example_ids(j),
                    )
                )
        if folded:
            outcomes: dict[int, int] = {}
            ids: list[int] = []
            for _, _, kind, j in folded:
                groups = self.levels[depth + 1].nodes if kind == "node" else level.ends
                for k, c in groups.outcomes(j).items():
                    outcomes[k] = outcomes.get(k, 0) + c
                ids.extend(groups.example_ids(j))
            count = sum(c[0] for c in folded)
            children.append(
                self._make(OTHER, path, count, runs, outcomes, None, sorted(ids)[: self.examples])
            )
        children.sort(key=lambda c: (-c.runs, c.label))
        me.children = children
        return me


# ---------------------------------------------------------------- text


def _bar(fraction: float, width: int) -> str:
    """A left-aligned bar of `width` cells filled to `fraction`, in eighths."""
    eighths = int(round(max(0.0, min(1.0, fraction)) * width * 8))
    full, part = divmod(eighths, 8)
    bar = "█" * full + (BLOCKS[part] if part else "")
    return bar.ljust(width)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def render_tree(
    node: BranchNode, width: int = 30, max_depth: int | None = None, outcomes: int = 2
) -> list[str]:
    """An indented text tree: label, a bar of the share of the parent, the share of all runs with
    its 95% Wilson interval, runs, median day, and the most frequent outcomes beneath."""
    rows: list[tuple[str, BranchNode]] = []

    def visit(n: BranchNode, prefix: str, tail: str, depth: int) -> None:
        rows.append((prefix + tail + n.label, n))
        if max_depth is not None and depth >= max_depth:
            return
        inner = prefix + ("   " if tail == "└─ " else "│  " if tail else "")
        for k, child in enumerate(n.children):
            visit(child, inner, "└─ " if k == len(n.children) - 1 else "├─ ", depth + 1)

    visit(node, "", "", 0)
    label_w = max(len(text) for text, _ in rows)
    # the share right-aligned on its "%", then its interval
    intervals = [f"[{_pct(n.ci_low)}-{_pct(n.ci_high)}]" for _, n in rows]
    interval_w = max(len(s) for s in intervals)
    shares = [
        f"{_pct(n.share):>5}% {ci.ljust(interval_w)}"
        for (_, n), ci in zip(rows, intervals, strict=True)
    ]
    runs_w = max(len(str(n.runs)) for _, n in rows)
    days = [f"day {n.median_day:g}" if n.median_day is not None else "" for _, n in rows]
    day_w = max(len(d) for d in days)
    lines = []
    for (text, n), share, day in zip(rows, shares, days, strict=True):
        mix = (
            ", ".join(
                f"{k} {100 * c / n.runs:.0f}%" for k, c in list(n.outcomes.items())[:outcomes]
            )
            if n.runs
            else ""
        )
        columns = [
            text.ljust(label_w),
            _bar(n.share_of_parent, width),
            share,
            f"n={str(n.runs).rjust(runs_w)}",
            *([day.ljust(day_w)] if day_w else []),
            f"-> {mix}",
        ]
        lines.append("  ".join(columns).rstrip())
    return lines
