"""Turn raw wall inputs into checked SI values, or say exactly which input is wrong and why.

Two modes share one code path: "raise" stops at the first bad input with a one-line error;
"nan" (for sweeps) returns a boolean mask of the bad points and a reason for each, so one bad
corner does not kill a million-point sweep.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mlsysim.errors import InvalidInputError
from mlsysim.units import format_quantity, parse
from mlsysim.walls.declaration import REQUIRED, Input


class Problems:
    """Collects invalid points in "nan" mode; raises at once in "raise" mode."""

    def __init__(self, mode: str):
        if mode not in ("raise", "nan"):
            raise InvalidInputError(f"invalid: {mode!r} is not a mode; expected 'raise' or 'nan'",
                                    parameter="invalid")
        self.mode = mode
        self.masks: list[tuple[Any, str]] = []

    def report(self, bad, message: str, error: type = InvalidInputError, parameter: str | None = None):
        """`bad` is True or a boolean array of failing points."""
        if self.mode == "raise":
            raise error(message, parameter=parameter)
        self.masks.append((bad, message))


def parse_input(spec: Input, raw: Any, wall_slug: str, problems: Problems):
    """Parse and range-check one input; returns an SI float/array, a spec object, or a string."""
    if spec.numeric and (type(raw) is float or type(raw) is int):  # the common case: an SI number
        value = float(raw)
        _check_range(spec, value, problems)
        return value
    if raw is REQUIRED:
        from mlsysim.units import DIMENSIONS

        hint = DIMENSIONS[spec.dimension].example if spec.is_numeric else spec.dimension
        raise InvalidInputError(
            f"{wall_slug}: missing required input {spec.name} ({spec.meaning}; e.g. {hint!r})",
            parameter=spec.name)
    if spec.keywords and isinstance(raw, str):
        word = raw.strip().lower()
        for keyword, value in spec.keywords:
            if word == keyword:
                return value
    if raw is None:
        return None
    if spec.is_numeric:
        value = parse(raw, spec.dimension, name=spec.name)
        _check_range(spec, value, problems)
        return value
    if spec.dimension == "choice":
        return _check_choice(spec, raw)
    if spec.dimension == "precision":
        return _check_precision(spec, raw)
    if spec.dimension == "text":
        return str(raw)
    return _resolve_spec(spec, raw)


def _check_range(spec: Input, value, problems: Problems) -> None:
    if type(value) is float:
        if not math.isfinite(value):
            problems.report(True, f"{spec.name}: {value} is not a finite number; expected "
                            f"{spec.range_text()}", parameter=spec.name)
        elif not _in_range(spec, value):
            problems.report(True, _out_of_range(spec, value), parameter=spec.name)
        elif spec.integer and value != int(value):
            problems.report(True, f"{spec.name}: {value:g} is not a whole number", parameter=spec.name)
        return
    finite = np.isfinite(value)
    with np.errstate(invalid="ignore"):
        bad = ~finite | ~_in_range(spec, value)
        if spec.integer:
            bad |= finite & (value != np.round(value))
    if bad.any():
        first = value[bad].flat[0]
        count = f" ({int(bad.sum())} of {bad.size} values)" if bad.size > 1 else ""
        message = (_out_of_range(spec, first) if math.isfinite(first)
                   else f"{spec.name}: {first} is not a finite number")
        problems.report(bad, message + count, parameter=spec.name)


def _in_range(spec: Input, value):
    ok = True
    if spec.low is not None:
        ok = (value > spec.low) if spec.low_open else (value >= spec.low)
    if spec.high is not None:
        ok = ok & ((value < spec.high) if spec.high_open else (value <= spec.high))
    return ok


def _out_of_range(spec: Input, value: float) -> str:
    shown = format_quantity(value, spec.dimension)
    return f"{spec.name}: {shown} is out of range; expected {spec.range_text()}"


def _check_choice(spec: Input, raw):
    if isinstance(raw, (list, tuple, np.ndarray)):
        values = [_check_choice(spec, r) for r in np.ravel(np.asarray(raw, dtype=object))]
        return np.array(values, dtype=object).reshape(np.shape(raw))
    key = str(raw).strip().lower().replace("_", "-")
    for choice in spec.choices:
        if key == choice.lower().replace("_", "-"):
            return choice
    from mlsysim.errors import UnknownNameError

    raise UnknownNameError(spec.name, raw, spec.choices, parameter=spec.name)


def _check_precision(spec: Input, raw):
    from mlsysim.precision import canonical

    if isinstance(raw, (list, tuple, np.ndarray)):
        values = [canonical(r, parameter=spec.name) for r in np.ravel(np.asarray(raw, dtype=object))]
        return np.array(values, dtype=object).reshape(np.shape(raw))
    return canonical(raw, parameter=spec.name)


def _resolve_spec(spec: Input, raw):
    from mlsysim.specs import lookup

    if isinstance(raw, (list, tuple, np.ndarray)):
        items = np.ravel(np.asarray(raw, dtype=object))
        resolved = [lookup(spec.dimension, r, parameter=spec.name) for r in items]
        out = np.empty(len(resolved), dtype=object)
        out[:] = resolved
        return out.reshape(np.shape(raw))
    return lookup(spec.dimension, raw, parameter=spec.name)
