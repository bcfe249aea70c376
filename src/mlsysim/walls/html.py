"""HTML tables for Jupyter: results, sweeps, sensitivities and solves show as tables in notebooks.

Each object's `_repr_html_` calls one of these. Values are formatted with their units, as on the
command line; everything from a declaration or a value is escaped.
"""

from __future__ import annotations

from html import escape

import numpy as np

from mlsysim.units import format_quantity
from mlsysim.walls.result import _render  # one value with its unit; arrays as 'lo … hi'

STYLE = "border-collapse:collapse;font-size:0.9em"
CELL = "padding:2px 10px;text-align:left;border-bottom:1px solid #ddd"


def _table(headers, rows, caption: str = "") -> str:
    head = "".join(f'<th style="{CELL}">{escape(str(h))}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<td style="{CELL}">{escape(str(c))}</td>' for c in row) + "</tr>"
                   for row in rows)
    title = f"<caption style='text-align:left;font-weight:bold'>{escape(caption)}</caption>" if caption else ""
    return f'<table style="{STYLE}">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _label(target) -> str:
    number = getattr(target, "number", None)
    name = getattr(target, "slug", None) or getattr(target, "name", None) or type(target).__name__
    return f"Wall {number} · {name}" if number is not None else str(name)


def _unit(dimension: str) -> str:
    from mlsysim.units import DIMENSIONS, si_unit

    return si_unit(dimension) if dimension in DIMENSIONS else ""


def result_table(result) -> str:
    """Inputs and outputs of a wall (or scenario) result, with units, and its explanation."""
    target = getattr(result, "wall", None) or getattr(result, "scenario", None)
    rows = []
    for kind, declared, values in (("input", target.inputs, result.inputs), ("output", target.outputs, result.outputs)):
        for name, spec in declared.items():
            value = values.get(name)
            if value is not None:
                rows.append([kind, name, _render(value, spec.dimension), _unit(spec.dimension),
                             getattr(spec, "meaning", "")])
    question = getattr(target, "question", "")
    table = _table(["", "name", "value", "SI unit", "meaning"], rows, f"{_label(target)}: {question}")
    return f"<div>{table}<p>{escape(result.explain())}</p></div>"


def sweep_table(sweep, rows: int = 20) -> str:
    """The first `rows` rows of a sweep, formatted with units, and how many there are."""
    from mlsysim.analysis.sweep import _cell

    data = sweep.table()
    names = list(data)
    specs = {**sweep.target.inputs, **sweep.target.outputs}
    shown = min(rows, len(sweep))
    body = [[_format(_cell(data[n][i]), specs[n].dimension if n in specs else "number") for n in names]
            + ([sweep.reasons[i] or "✓"] if not sweep.valid.all() else []) for i in range(shown)]
    headers = names + (["valid"] if not sweep.valid.all() else [])
    caption = (f"{_label(sweep.target)}: sweep of {len(sweep):,} points ({int(sweep.valid.sum()):,} valid)"
               + (f", first {shown}" if shown < len(sweep) else ""))
    return _table(headers, body, caption)


def _format(value, dimension: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_quantity(value, dimension) if np.isfinite(value) else "—"
    return str(value)


def sensitivity_table(sensitivity) -> str:
    """Elasticities, ranked, with the value of each input at the point."""
    target = sensitivity.target
    rows = []
    for name, e in sensitivity.elasticities.items():
        base = sensitivity.base.get(name)
        value = format_quantity(base, target.inputs[name].dimension) if base is not None else "—"
        mark = "◀ binding" if name == sensitivity.binding else ""
        rows.append([name, value, "undefined" if e is None else f"{e:+.3f}", mark])
    shown = format_quantity(sensitivity.value, target.outputs[sensitivity.output].dimension)
    table = _table(["input", "at", "elasticity", ""], rows,
                   f"{_label(target)}: sensitivity of {sensitivity.output} = {shown}")
    return f"<div>{table}<p>{escape(sensitivity.explain())}</p></div>"


def solve_table(solution) -> str:
    """The solved input, the output reached and the target, and how it was found."""
    subject = solution.subject
    unit = subject.outputs[solution.output].dimension
    rows = [[solution.vary, format_quantity(solution.value, subject.inputs[solution.vary].dimension), "solved"],
            [solution.output, format_quantity(solution.achieved, unit), "achieved"],
            [solution.output, format_quantity(solution.goal, unit), "target"]]
    table = _table(["name", "value", ""], rows, f"{_label(subject)}: solved by {solution.method}")
    return f"<div>{table}<p>{escape(solution.explain())}</p></div>"
