"""Read typed, unit-bearing fields out of YAML records, with errors naming the record and field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mlsysim.errors import InvalidInputError
from mlsysim.units import parse


def quantity(key: str, record: Mapping[str, Any], field: str, dimension: str, *,
             required: bool = False, positive: bool = True) -> float | None:
    """The SI value of `record[field]` (a number or a string with a unit), or None if absent."""
    raw = record.get(field)
    if raw is None:
        if required:
            raise InvalidInputError(f"{key}: missing required field {field!r}", parameter=field)
        return None
    try:
        value = parse(raw, dimension, name=f"{key}.{field}")
    except InvalidInputError as error:
        raise InvalidInputError(str(error), parameter=field) from None
    if not math.isfinite(value) or (positive and value <= 0) or value < 0:
        raise InvalidInputError(f"{key}.{field}: {raw!r} must be a finite, positive value", parameter=field)
    return value


def integer(key: str, record: Mapping[str, Any], field: str, *, required: bool = False,
            default: int | None = None, minimum: int = 0) -> int | None:
    raw = record.get(field, default)
    if raw is None:
        if required:
            raise InvalidInputError(f"{key}: missing required field {field!r}", parameter=field)
        return None
    value = quantity(key, {field: raw}, field, "count", positive=False)
    if value != int(value) or value < minimum:
        raise InvalidInputError(f"{key}.{field}: {raw!r} must be a whole number ≥ {minimum}", parameter=field)
    return int(value)


def table(key: str, record: Mapping[str, Any], field: str, dimension: str, *,
          keys=None) -> dict[str, float]:
    """A mapping of name -> quantity (e.g. peak FLOP/s per precision)."""
    raw = record.get(field) or {}
    if not isinstance(raw, Mapping):
        raise InvalidInputError(f"{key}.{field}: expected a mapping, got {raw!r}", parameter=field)
    out = {}
    for name, value in raw.items():
        name = keys(name) if keys else str(name)
        out[name] = quantity(f"{key}.{field}", {name: value}, name, dimension, required=True)
    return out


def text(key: str, record: Mapping[str, Any], field: str, *, default: str = "", choices=None) -> str:
    raw = record.get(field, default)
    value = "" if raw is None else str(raw)
    if choices is not None and value not in choices:
        raise InvalidInputError(f"{key}.{field}: {value!r} is not one of {', '.join(choices)}", parameter=field)
    return value


def check_keys(key: str, record: Mapping[str, Any], allowed) -> None:
    """Unknown fields in a record are a load error, so typos cannot hide."""
    if not isinstance(record, Mapping):
        raise InvalidInputError(f"{key}: expected a mapping of fields, got {record!r}")
    unknown = sorted(set(record) - set(allowed))
    if unknown:
        from mlsysim.errors import suggest

        hint = suggest(unknown[0], allowed)
        raise InvalidInputError(f"{key}: unknown field {unknown[0]!r}"
                                + (f"; did you mean {hint[0]!r}?" if hint else ""), parameter=unknown[0])
