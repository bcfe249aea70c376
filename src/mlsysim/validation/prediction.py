"""What an expresser returns for one record: the predicted value and the mlsysim calls behind it.

An expresser is `express(record) -> Prediction` in a module of `validation.categories`. It
builds the scenario from the record's own configuration, calls walls and registries, and
returns the value in the record's unit. When the project lacks the physics or data the record
needs, it raises `NotExpressible(reason)` naming what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class NotExpressible(Exception):
    """The record cannot be predicted; the message says which physics or data is missing."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Call:
    """One mlsysim call that contributed: what was called, its inputs, outputs and explanation."""

    what: str
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    explanation: str = ""

    @classmethod
    def of(cls, result, outputs=None, inputs=None) -> Call:
        """From a wall result; `outputs` and `inputs` pick the ones worth showing (default: all given)."""
        wall = result.wall
        label = f"Wall {wall.number} {wall.slug}" if wall.number is not None else wall.slug
        shown_inputs = inputs or [k for k, v in result.inputs.items() if v is not None]
        shown_outputs = outputs or [k for k, v in result.outputs.items() if v is not None]
        return cls(what=f"ms.wall({wall.slug!r})",
                   inputs={k: result.fmt(k) for k in shown_inputs},
                   outputs={k: result.fmt(k) for k in shown_outputs},
                   explanation=f"{label}: {result.explain()}")

    def to_dict(self) -> dict:
        return {"what": self.what, "inputs": dict(self.inputs), "outputs": dict(self.outputs),
                "explanation": self.explanation}


@dataclass(frozen=True)
class Prediction:
    """A predicted value in the record's unit, how it was obtained, and whether it is circular.

    `group` names a subgroup of the category with its own target (e.g. "carbon_energy/arithmetic").
    `circular` is set when an input was itself taken from this record's source, so agreement
    proves nothing; such rows are reported but not counted as validation.
    """

    value: float
    unit: str
    explanation: str
    calls: tuple[Call, ...] = ()
    group: str | None = None
    circular: str | None = None
