"""Iron Law waterfall: from the ideal time to the achieved time, one multiplicative term at a time.

Time = FLOPs / (N × Peak × MFU × η_scaling × Goodput). The ideal time is FLOPs / (N × Peak);
each efficiency term then divides it (a factor of 0.5 doubles the time). Because the terms
multiply, the bars are drawn on a log axis, where each step's length is its exact share of the
gap (ln T = ln T_ideal − Σ ln factor). The term with the smallest factor binds.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mlsysim.errors import InvalidInputError
from mlsysim.units import format_quantity
from mlsysim.viz import _backend as b


def normalize_terms(terms) -> list[tuple[str, float, object]]:
    """(name, factor, wall) triples from a mapping or a sequence, in order.

    Accepted: {name: factor}, {name: (factor, wall)}, {name: {"factor": f, "wall": w}},
    [(name, factor), (name, factor, wall), …], or objects with `name`, `factor` (or `value`)
    and `wall` attributes.
    """
    items = terms.items() if isinstance(terms, Mapping) else [(None, t) for t in terms]
    out = []
    for name, term in items:
        if isinstance(term, Mapping):
            factor, wall = term.get("factor", term.get("value")), term.get("wall")
        elif isinstance(term, (tuple, list)):
            if name is None:
                name, *term = term
            factor, wall = term[0], term[1] if len(term) > 1 else None
        elif hasattr(term, "factor") or hasattr(term, "value"):
            name = name or term.name
            factor, wall = getattr(term, "factor", getattr(term, "value", None)), getattr(term, "wall", None)
        else:
            factor, wall = term, None
        factor = float(np.ravel(factor)[0]) if factor is not None else float("nan")
        if not (np.isfinite(factor) and factor > 0):
            raise InvalidInputError(f"waterfall: term {name}: factor {factor} must be a positive number",
                                    parameter="terms")
        out.append((str(name), factor, wall))
    if not out:
        raise InvalidInputError("waterfall: no terms given", parameter="terms")
    return out


# Terms already inside the ideal time FLOPs / (N × Peak), left out of the steps.
IDEAL_TERMS = ("N", "peak", "devices", "flops")


def waterfall(terms, ideal=None, path=None, *, title: str = ""):
    """Draw ideal → achieved time through `terms` (see `normalize_terms`), or from a result.

    A result (e.g. of the training scenario) supplies its `terms` output; a breakdown of the
    form {"ideal_time": s, "values": {name: factor}, "walls": {name: wall}} gives both the
    ideal time and the terms (N and peak, already in the ideal time, are left out).
    """
    if hasattr(terms, "outputs"):
        result = terms
        title = title or b.target_label(getattr(result, "wall", None) or result)
        terms = result.outputs.get("terms")
        if terms is None:
            raise InvalidInputError(f"waterfall: {title} results have no Iron Law terms", parameter="terms")
    if isinstance(terms, Mapping) and "values" in terms:
        ideal = ideal if ideal is not None else terms.get("ideal_time")
        walls = terms.get("walls") or {}
        terms = [(k, v, walls.get(k)) for k, v in terms["values"].items() if k not in IDEAL_TERMS]
    if ideal is None:
        raise InvalidInputError("waterfall: give the ideal time (FLOPs / (N × Peak))", parameter="ideal")
    ideal = float(np.ravel(ideal)[0])
    steps = normalize_terms(terms)
    times = [ideal]
    for _, factor, _ in steps:
        times.append(times[-1] / factor)
    binding = min(range(len(steps)), key=lambda i: steps[i][1])
    divisor, unit = b.scale("time", max(times))
    fig, ax = b.figure(max(7.5, 1.4 * (len(steps) + 2)), 5)
    ax.bar(0, ideal / divisor, color=b.ACCENT)
    for i, (name, factor, wall) in enumerate(steps, start=1):
        low, high = sorted((times[i - 1], times[i]))
        colour = b.HIGHLIGHT if i - 1 == binding else (b.MUTED if factor < 1 else b.GOOD)
        ax.bar(i, (high - low) / divisor, bottom=low / divisor, color=colour)
        ax.annotate(f"× {1 / factor:.3g}", (i, high / divisor), xytext=(0, 3), textcoords="offset points",
                    ha="center", fontsize=8)
    ax.bar(len(steps) + 1, times[-1] / divisor, color=b.ACCENT)
    names = ["ideal"] + [_tick(name, factor, wall) for name, factor, wall in steps] + ["achieved"]
    ax.set_xticks(range(len(names)), names, fontsize=8)
    b.log_axis(ax, "y", minor=True)
    ax.set_ylim(min(times) / divisor / 2, max(times) / divisor * 1.6)
    ax.set_ylabel(b.label("time", unit))
    name, factor, wall = steps[binding]
    where = f", {b.wall_label(wall)}" if b.wall_label(wall) else ""
    ax.set_title(f"{title + ': ' if title else ''}Iron Law, {format_quantity(ideal, 'time')} ideal → "
                 f"{format_quantity(times[-1], 'time')} achieved\nbinding term: {name} = {factor:.3g}{where}",
                 fontsize=10)
    ax.grid(True, axis="y", alpha=0.3)
    return b.finish(fig, path)


def _tick(name: str, factor: float, wall) -> str:
    label = b.wall_label(wall)
    return f"{name}\n{factor:.3g}" + (f"\n{label}" if label else "")
