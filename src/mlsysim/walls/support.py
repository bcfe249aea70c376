"""Small helpers shared by wall functions: reading spec fields under broadcasting, regimes."""

from __future__ import annotations

import math

import numpy as np

from mlsysim.arrays import scalar
from mlsysim.errors import InvalidInputError
from mlsysim.walls.declaration import Constraint


def per_spec(function, *args):
    """Apply `function` to spec objects (or names/precisions), elementwise when any is an array.

    Registry specs are Python objects, so an array of them (a sweep over hardware) is mapped
    point by point; the results are floats that then broadcast with everything else.
    """
    for a in args:  # a plain loop: any() over a generator costs a microsecond on every scalar call
        if isinstance(a, np.ndarray) and a.dtype == object:
            return np.vectorize(function, otypes=[float])(*args)
    return function(*args)


def choose(condition, if_true: str, if_false: str):
    """A regime name, or an array of them, picked by a boolean (array)."""
    if scalar(condition):
        return if_true if bool(condition) else if_false
    return np.where(condition, if_true, if_false).astype(object)


def equals(value, name: str):
    """`value == name` for a choice or an array of choices: a numpy bool (so `~` negates it) or
    a boolean array; a plain choice skips building a 0-d object array."""
    if isinstance(value, np.ndarray):
        return np.asarray(value, dtype=object) == name
    return np.bool_(value == name)


def where(condition, if_true, if_false):
    """`np.where`, but plain Python when nothing is an array: a ufunc on scalars costs about a
    microsecond, and a scalar wall call has 20 µs in all (DESIGN.md, performance budgets)."""
    if type(condition) is np.ndarray or type(if_true) is np.ndarray or type(if_false) is np.ndarray:
        return np.where(condition, if_true, if_false)
    return if_true if condition else if_false


def maximum(a, b):
    """`np.maximum` (NaN wins), but plain Python when neither is an array (see `where`)."""
    if type(a) is np.ndarray or type(b) is np.ndarray:
        return np.maximum(a, b)
    return a if a >= b or math.isnan(a) else b


def either(values, name: str, alternative: str, derive):
    """`values[name]` if given, else `derive()` from `alternative`; a clear error if neither."""
    if values.get(name) is not None:
        return values[name]
    if values.get(alternative) is None:
        raise InvalidInputError(f"{name}: give {name} or {alternative}", parameter=name)
    return derive()


def peak_flops_of(hardware, precision, sparse: bool = False):
    """Peak FLOP/s of hardware at a precision (broadcasting over arrays of either)."""
    return per_spec(lambda h, p: h.peak_flops(p, sparse=sparse), hardware, precision)


def field_of(spec, attribute: str, parameter: str):
    """A numeric field of a spec (or array of specs); an error naming the spec if it is missing."""
    def read(item):
        value = getattr(item, attribute)
        if value is None:
            raise InvalidInputError(f"{parameter}: {item.name} has no published {attribute.replace('_', ' ')}; "
                                    f"give it as a number", parameter=parameter)
        return value

    return per_spec(read, spec)


def spec_or_fields(wall: str, spec: str, *fields: str) -> Constraint:
    """A constraint: give the spec (e.g. hardware), or every field it would have supplied."""
    return Constraint(lambda v: v[spec] is not None or all(v[f] is not None for f in fields),
                      f"{wall}: give {spec}, or {' and '.join(fields)}", spec)
