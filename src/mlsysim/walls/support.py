"""Small helpers shared by wall functions: reading spec fields under broadcasting, regimes."""

from __future__ import annotations

import numpy as np

from mlsysim.errors import InvalidInputError
from mlsysim.walls.declaration import Constraint


def per_spec(function, *args):
    """Apply `function` to spec objects (or names/precisions), elementwise when any is an array.

    Registry specs are Python objects, so an array of them (a sweep over hardware) is mapped
    point by point; the results are floats that then broadcast with everything else.
    """
    if not any(isinstance(a, np.ndarray) and a.dtype == object for a in args):
        return function(*args)
    return np.vectorize(function, otypes=[float])(*args)


def choose(condition, if_true: str, if_false: str):
    """A regime name, or an array of them, picked by a boolean (array)."""
    if np.ndim(condition) == 0:
        return if_true if bool(condition) else if_false
    return np.where(condition, if_true, if_false).astype(object)


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
