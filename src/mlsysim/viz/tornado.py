"""Sensitivity tornado: one bar per input, its elasticity on the output, the binding one on top.

An elasticity ε = ∂ln(output)/∂ln(input) reads "1 % more of this input changes the output by
ε %" (see `mlsysim.analysis.sensitivity`); the longest bar is the constraint that binds.
"""

from __future__ import annotations

import numpy as np

from mlsysim.errors import InvalidInputError
from mlsysim.units import format_quantity
from mlsysim.viz import _backend as b


def tornado(sensitivity, path=None, *, top: int = 12):
    """Draw a `SensitivityResult` as a tornado; save to `path` (.png/.svg) if given."""
    defined = [(name, e) for name, e in sensitivity.elasticities.items() if e is not None][:top]
    if not defined:
        raise InvalidInputError(f"tornado: {sensitivity.output} responds to none of the inputs varied",
                                parameter="plot")
    target = sensitivity.target
    names = [_input_label(target, name, sensitivity.base.get(name)) for name, _ in defined][::-1]
    values = np.array([e for _, e in defined][::-1])
    colours = [b.HIGHLIGHT if name == sensitivity.binding else b.MUTED for name, _ in defined][::-1]
    fig, ax = b.figure(7.5, 1.2 + 0.45 * len(defined))
    ax.barh(range(len(values)), values, color=colours)
    ax.axvline(0, color="black", lw=0.8)
    for row, value in enumerate(values):
        ax.annotate(f"{value:+.2f}", (value, row), xytext=(4 if value >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if value >= 0 else "right", va="center", fontsize=8)
    ax.set_yticks(range(len(values)), names, fontsize=9)
    span = max(1.0, float(np.max(np.abs(values)))) * 1.25
    ax.set_xlim(-span, span)
    output = target.outputs[sensitivity.output]
    ax.set_xlabel(f"elasticity of {sensitivity.output}: % change per +1 % of the input (unitless)")
    shown = format_quantity(sensitivity.value, output.dimension)
    ax.set_title(f"{b.target_label(target)}: {sensitivity.output} = {shown}\n"
                 f"binding: {sensitivity.binding} (ε = {sensitivity.elasticities[sensitivity.binding]:+.2f})",
                 fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    return b.finish(fig, path)


def _input_label(target, name: str, value) -> str:
    spec = target.inputs.get(name)
    if spec is None or value is None:
        return name
    return f"{name} = {format_quantity(value, spec.dimension)}"
