"""The pieces a wall is declared from: inputs, outputs, constraints and worked examples.

A wall file states *what* its law is (these declarations) and *how* to compute it (one plain
function on SI floats or numpy arrays); parsing, validation, broadcasting, explanation, the
command line and the docs are generated from the declarations by `walls.core`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlsysim.errors import InvalidInputError
from mlsysim.units import DIMENSIONS


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
# Inputs whose values name registry entries rather than quantities.
SPEC_KINDS = ("hardware", "model", "storage", "cpu", "network", "grid")
# Outputs that are not SI quantities: a name ("text"), a yes/no ("flag"), a nested breakdown ("data").
NON_NUMERIC_OUTPUTS = ("text", "flag", "data")


@dataclass(frozen=True)
class Input:
    """One declared input: its name, dimension, meaning, default and valid range.

    `dimension` is a unit dimension from `units.DIMENSIONS`, a registry kind from `SPEC_KINDS`
    (the value may then be a name or a spec object), "precision" (a numeric format such as
    "bf16", aliases accepted), "choice" (one of `choices`) or "text" (a free string).
    `low`/`high` bound the valid range (inclusive unless `*_open`); `typical` is the range worth
    exploring in sweeps, property tests and sliders.
    """

    name: str
    dimension: str
    meaning: str
    default: Any = REQUIRED
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False
    choices: tuple[str, ...] = ()
    typical: tuple[float, float] | None = None
    keywords: tuple[tuple[str, Any], ...] = ()  # words that stand for a value, e.g. ("chinchilla", None)
    aliases: tuple[str, ...] = ()  # other names accepted for this input, e.g. "weight_precision"
    # Whether values are quantities (set once: parsing asks on every call of a wall).
    numeric: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self):
        object.__setattr__(self, "numeric", self.dimension in DIMENSIONS)
        known = self.dimension in DIMENSIONS or self.dimension in SPEC_KINDS or self.dimension in (
            "choice", "precision", "text")
        if not known:
            raise ValueError(f"input {self.name}: unknown dimension {self.dimension!r}")
        if self.dimension == "choice" and not self.choices:
            raise ValueError(f"input {self.name}: a choice needs its choices")

    @property
    def is_numeric(self) -> bool:
        return self.numeric

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def flags(self) -> list[str]:
        """The command-line flag and one per alias."""
        return [self.flag, *("--" + alias.replace("_", "-") for alias in self.aliases)]

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def range_text(self) -> str:
        """The valid range in words, e.g. '> 0' or 'in [0, 1)'."""
        from mlsysim.units import format_quantity

        def q(x):
            return format_quantity(x, self.dimension)

        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            return f"in {'(' if self.low_open else '['}{q(lo)}, {q(hi)}{')' if self.high_open else ']'}"
        if lo is not None:
            return f"{'>' if self.low_open else '≥'} {q(lo)}"
        if hi is not None:
            return f"{'<' if self.high_open else '≤'} {q(hi)}"
        return "any finite value"


@dataclass(frozen=True)
class Output:
    """One declared output: name, dimension (for its unit, or "text", "flag", "data") and meaning."""

    name: str
    dimension: str
    meaning: str

    def __post_init__(self):
        if self.dimension not in DIMENSIONS and self.dimension not in NON_NUMERIC_OUTPUTS:
            raise ValueError(f"output {self.name}: unknown dimension {self.dimension!r}")


@dataclass(frozen=True)
class Constraint:
    """A condition across inputs that a valid point must meet.

    `holds(values)` gets the parsed inputs (a dict of floats, arrays or spec objects) and
    returns a boolean or boolean array; `message` is formatted with the same values (already
    rendered with units) when it fails. `error` is the exception class to raise: an invalid
    combination or an infeasible one (an unstable queue).
    """

    holds: Callable[[Mapping[str, Any]], Any]
    message: str
    parameter: str
    error: type = InvalidInputError


@dataclass(frozen=True)
class Example:
    """A worked example: inputs, the outputs it must produce (SI) and where they come from."""

    inputs: Mapping[str, Any]
    expect: Mapping[str, float] = field(default_factory=dict)
    rtol: float = 0.01
    source: str = ""
    note: str = ""
