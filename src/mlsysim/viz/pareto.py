"""Plots of sweeps: the Pareto front of two outputs, and an output against one swept input.

A point is on the Pareto front when no other point is at least as good on both outputs and
better on one (lower cost *and* lower time, by default). The front is found in O(n log n):
sort by the first output, keep the points that improve on the best second output seen so far.
"""

from __future__ import annotations

import numpy as np

from mlsysim.errors import InvalidInputError, UnknownNameError
from mlsysim.units import format_quantity
from mlsysim.viz import _backend as b


def pareto_mask(x, y, minimize=(True, True)) -> np.ndarray:
    """Boolean mask of the non-dominated points among the finite ones."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    sx, sy = (x if minimize[0] else -x), (y if minimize[1] else -y)
    ok = np.isfinite(sx) & np.isfinite(sy)
    order = np.nonzero(ok)[0][np.lexsort((sy[ok], sx[ok]))]
    best_before = np.minimum.accumulate(np.concatenate(([np.inf], sy[order])))[:-1]
    mask = np.zeros(x.shape, dtype=bool)
    mask[order] = sy[order] < best_before
    return mask


def _output(sweep, name):
    if name not in sweep.outputs:
        raise UnknownNameError("output", name, sweep.outputs, parameter="plot")
    return np.where(sweep.valid, np.asarray(sweep.outputs[name], dtype=float), np.nan)


def _dimension(sweep, name) -> str:
    spec = sweep.target.outputs.get(name) or sweep.target.inputs.get(name)
    return getattr(spec, "dimension", "number")


def varying(sweep) -> list[str]:
    """The input columns that take more than one value in the sweep."""
    return [n for n, c in sweep.columns.items() if len({getattr(v, "key", v) for v in c.tolist()}) > 1]


def _point_label(sweep, i: int, names) -> str:
    parts = []
    for name in names:
        value = sweep.columns[name][i]
        spec = sweep.target.inputs.get(name)
        numeric = spec is not None and spec.is_numeric
        text = format_quantity(value, spec.dimension) if numeric else str(getattr(value, "key", value))
        parts.append(f"{name}={text}" if numeric else text)
    return ", ".join(parts)


def pareto(sweep, x: str, y: str, path=None, *, minimize=(True, True), annotate: int = 10):
    """Scatter every valid point of `sweep` by outputs `x` and `y`, the front highlighted."""
    xs, ys = _output(sweep, x), _output(sweep, y)
    front = pareto_mask(xs, ys, minimize)
    if not front.any():
        raise InvalidInputError(f"pareto: no valid point has finite {x} and {y}", parameter="plot")
    (dx, ux), (dy, uy) = (b.scale(_dimension(sweep, n), np.nanmax(np.abs(v))) for n, v in ((x, xs), (y, ys)))
    fig, ax = b.figure()
    ax.scatter(xs / dx, ys / dy, s=12, color=b.MUTED, alpha=0.5, label="swept points")
    order = np.nonzero(front)[0][np.argsort(xs[front])]
    ax.plot(xs[order] / dx, ys[order] / dy, "o-", color=b.HIGHLIGHT, ms=6, drawstyle="steps-post" if
            minimize[1] else "default", label="Pareto front")
    names = varying(sweep)
    if len(order) <= annotate:
        for i in order:
            ax.annotate(_point_label(sweep, i, names), (xs[i] / dx, ys[i] / dy), xytext=(5, 4),
                        textcoords="offset points", fontsize=7)
    for axis, values in (("x", xs), ("y", ys)):
        if b.wide_range(values):
            b.log_axis(ax, axis)
    ax.set_xlabel(b.label(x, ux))
    ax.set_ylabel(b.label(y, uy))
    goal = " and ".join(f"{'lower' if m else 'higher'} {n}" for n, m in ((x, minimize[0]), (y, minimize[1])))
    ax.set_title(f"{b.target_label(sweep.target)}: Pareto front of {y} vs {x}\n{int(front.sum())} of "
                 f"{int(np.isfinite(xs).sum())} points non-dominated ({goal} is better)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return b.finish(fig, path)


def sweep_plot(sweep, output: str, path=None, *, x: str | None = None, lines: int = 12):
    """`output` against one swept numeric input, one line per combination of the other axes."""
    names = varying(sweep)
    numeric = [n for n in names if sweep.target.inputs[n].is_numeric]
    x = x or (numeric[0] if numeric else None)
    if x is None:
        raise InvalidInputError("sweep plot: sweep at least one numeric input over several values",
                                parameter="plot")
    ys, xs = _output(sweep, output), np.asarray(sweep.columns[x], dtype=float)
    others = [n for n in names if n != x]
    keys = [_point_label(sweep, i, others) for i in range(len(sweep))]
    groups = list(dict.fromkeys(keys))
    if len(groups) > lines:
        raise InvalidInputError(f"sweep plot: {len(groups)} lines are too many to read; sweep fewer values of "
                                f"{', '.join(others)} (at most {lines} combinations)", parameter="plot")
    (dx, ux), (dy, uy) = b.scale(_dimension(sweep, x), np.nanmax(np.abs(xs))), b.scale(
        _dimension(sweep, output), np.nanmax(np.abs(ys)) if np.isfinite(ys).any() else np.nan)
    fig, ax = b.figure()
    for group in groups:
        rows = np.array([k == group for k in keys])
        order = np.argsort(xs[rows])
        ax.plot(xs[rows][order] / dx, ys[rows][order] / dy, "o-", ms=3, label=group or output)
    for axis, values in (("x", xs), ("y", ys)):
        if b.wide_range(values):
            b.log_axis(ax, axis)
    ax.set_xlabel(b.label(x, ux))
    ax.set_ylabel(b.label(output, uy))
    regime = _regimes(sweep)
    ax.set_title(f"{b.target_label(sweep.target)}: {output} vs {x}" + (f"\n{regime}" if regime else ""), fontsize=10)
    if len(groups) > 1:
        ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return b.finish(fig, path)


def _regimes(sweep) -> str:
    """'binding: memory-bound (40 points), compute-bound (8)' from a regime output, if any."""
    column = sweep.outputs.get("regime")
    if column is None:
        return ""
    names, counts = np.unique(np.asarray([str(v) for v in column[sweep.valid]]), return_counts=True)
    ranked = sorted(zip(counts, names), reverse=True)
    return "binding regime: " + ", ".join(f"{n} ({c} points)" for c, n in ranked)
