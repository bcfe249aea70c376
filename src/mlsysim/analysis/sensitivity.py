"""Sensitivity (Wall 21's engine): which input binds an output, by normalized elasticities.

The elasticity ε = ∂ln(output)/∂ln(input) says what a 1 % change of an input does to the
output in %: ε = −1 means "twice the bandwidth, half the time"; ε ≈ 0 means the input does not
matter here. Each is a central difference in log space; all 2k+1 perturbed points are evaluated
in one broadcast call. The input with the largest |ε| is the binding constraint.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from mlsysim.errors import InvalidInputError, UnknownNameError


def sensitivity(target, output: str | None = None, params: Sequence[str] | None = None,
                step: float = 0.01, at: dict | None = None, **inputs) -> SensitivityResult:
    """Elasticities of `output` (default: the headline) to each numeric input in `params`.

    The point is given as keyword inputs, or as `at={...}` when an input's name collides with
    an argument here (the complexity wall has an input called `params`).
    """
    inputs = {**(at or {}), **inputs}
    output = output or target.headline
    if output not in target.outputs:
        raise UnknownNameError("output", output, target.outputs, parameter="output")
    base = target(**inputs)
    params = list(params) if params is not None else _default_params(target, base)
    values = {p: _base_value(target, base, p) for p in params}
    count = 2 * len(params) + 1
    arrays = {}
    for i, name in enumerate(params):
        column = np.full(count, values[name], dtype=float)
        up, down = _steps(target.inputs[name], values[name], step)
        column[2 * i + 1], column[2 * i + 2] = up, down
        arrays[name] = column
    given = {k: v for k, v in inputs.items() if k not in arrays}
    result = target(invalid="nan", **given, **arrays)
    y = np.broadcast_to(np.asarray(result.outputs[output], dtype=float), (count,))
    elasticities = {}
    for i, name in enumerate(params):
        elasticities[name] = _elasticity(y[0], y[2 * i + 1], y[2 * i + 2],
                                         values[name], arrays[name][2 * i + 1], arrays[name][2 * i + 2])
    return SensitivityResult(target, output, float(y[0]), values, elasticities)


def _default_params(target, base) -> list[str]:
    names = []
    for name, spec in target.inputs.items():
        if spec.is_numeric and not spec.integer:
            value = _base_value(target, base, name, strict=False)
            if value is not None and value > 0:
                names.append(name)
    return names


def _base_value(target, base, name: str, strict: bool = True):
    if name not in target.inputs:
        raise UnknownNameError(f"input of {getattr(target, 'slug', 'target')}", name, target.inputs,
                               parameter="params")
    value = base.inputs.get(name)
    if value is None:
        value = base.outputs.get(name)  # a value the evaluation derived (e.g. bandwidth from hardware)
    if value is None or np.ndim(value) > 0:
        if strict:
            raise InvalidInputError(f"params: {name} has no scalar value at this point; give it explicitly",
                                    parameter="params")
        return None
    return float(value)


def _steps(spec, value: float, step: float) -> tuple[float, float]:
    if spec.integer:
        return value + 1, max(value - 1, spec.low if spec.low is not None else value - 1)
    return value * (1 + step), value * (1 - step)


def _elasticity(y0, y_up, y_down, x0, x_up, x_down):
    """Central difference of ln y against ln x, one-sided where a side left the valid range."""
    if not (y0 > 0 and np.isfinite(y0)):
        return None
    points = [(x, y) for x, y in ((x_up, y_up), (x_down, y_down)) if np.isfinite(y) and y > 0 and x > 0]
    if len(points) == 2:
        (xa, ya), (xb, yb) = points
    elif len(points) == 1:
        (xa, ya), (xb, yb) = points[0], (x0, y0)
    else:
        return None
    if xa == xb:
        return 0.0
    return (math.log(ya) - math.log(yb)) / (math.log(xa) - math.log(xb))


class SensitivityResult:
    """Elasticities of one output, ranked by magnitude; `binding` is the largest."""

    def __init__(self, target, output, value, base, elasticities):
        self.target, self.output, self.value, self.base = target, output, value, base
        ranked = sorted(elasticities.items(), key=lambda kv: -abs(kv[1]) if kv[1] is not None else 1.0)
        self.elasticities = dict(ranked)

    @property
    def binding(self) -> str | None:
        defined = [k for k, v in self.elasticities.items() if v is not None]
        return defined[0] if defined else None

    def explain(self) -> str:
        if self.binding is None:
            return f"{self.output} does not respond to any of the inputs varied here."
        e = self.elasticities[self.binding]
        direction = "more" if e > 0 else "less"
        lines = [f"{self.output} is bound by {self.binding} (elasticity {e:+.2f}: 1% more {self.binding} "
                 f"gives {abs(e):.2f}% {direction} {self.output})."]
        quiet = [k for k, v in self.elasticities.items() if v is not None and abs(v) < 0.05]
        if quiet:
            lines.append(f"Nearly irrelevant here: {', '.join(quiet)}.")
        return " ".join(lines)

    def to_dict(self) -> dict:
        return {"output": self.output, "value": self.value, "binding": self.binding,
                "elasticities": self.elasticities, "at": self.base, "explanation": self.explain()}

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:+.3f}" if v is not None else f"{k}=undefined"
                          for k, v in self.elasticities.items())
        return f"<Sensitivity of {self.output}: {shown}>"

    def _repr_html_(self) -> str:
        from mlsysim.walls.html import sensitivity_table

        return sensitivity_table(self)
