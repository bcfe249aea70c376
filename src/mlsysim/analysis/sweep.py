"""Sweeps: evaluate a wall (or scenario) over the Cartesian grid of list-valued inputs, in one call.

Every list, tuple or 1-D array given as an input becomes an axis; the grid is flattened, so
a sweep of 1,000 × 1,000 points is one broadcast evaluation of a million-element array, not a
Python loop. Spec inputs (hardware names) are axes too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from mlsysim.errors import InvalidInputError


def _is_axis(value) -> bool:
    return isinstance(value, (list, tuple, range)) or (isinstance(value, np.ndarray) and value.ndim == 1)


def grid(inputs: dict[str, Any]) -> tuple[dict[str, Any], tuple[int, ...]]:
    """Expand list-valued inputs into flattened grid columns; other inputs stay as they are."""
    axes = {name: list(value) for name, value in inputs.items() if _is_axis(value)}
    for name, values in axes.items():
        if not values:
            raise InvalidInputError(f"{name}: an empty list gives nothing to sweep", parameter=name)
    shape = tuple(len(v) for v in axes.values())
    index = np.indices(shape).reshape(len(shape), -1) if shape else np.zeros((0, 1), dtype=int)
    expanded = dict(inputs)
    for axis, (name, values) in enumerate(axes.items()):
        numeric = all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values)
        column = np.asarray(values, dtype=float) if numeric else _object_array(values)
        expanded[name] = column[index[axis]]
    return expanded, shape


def _object_array(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def sweep(target, invalid: str = "raise", **inputs) -> SweepResult:
    """Evaluate `target` (a wall or scenario) over the grid of list-valued `inputs`."""
    expanded, shape = grid(inputs)
    result = target(invalid=invalid, **expanded)
    size = int(np.prod(shape)) if shape else 1
    columns = {name: _column(result.inputs.get(name), size) for name in inputs}
    outputs = {name: _column(value, size) for name, value in result.outputs.items() if value is not None}
    valid = np.ones(size, dtype=bool) if result.valid is None else np.broadcast_to(result.valid, (size,)).copy()
    reasons = (np.full(size, "", dtype=object) if result.reasons is None
               else np.broadcast_to(result.reasons, (size,)).copy())
    return SweepResult(target, columns, outputs, valid, reasons, shape)


def _column(value, size: int) -> np.ndarray:
    if isinstance(value, np.ndarray) and value.dtype == object:
        return np.broadcast_to(value, (size,)).copy()
    if isinstance(value, (np.ndarray, float, int, np.number)):
        return np.broadcast_to(np.asarray(value, dtype=float), (size,)).copy()
    column = np.empty(size, dtype=object)
    column[:] = [value] * size
    return column


class SweepResult:
    """A flat table: one column per input and output, one row per grid point."""

    def __init__(self, target, columns, outputs, valid, reasons, shape):
        self.target, self.columns, self.outputs = target, columns, outputs
        self.valid, self.reasons, self.shape = valid, reasons, shape

    def __len__(self) -> int:
        return len(self.valid)

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self.outputs:
            return self.outputs[name]
        return self.columns[name]

    def table(self) -> dict[str, np.ndarray]:
        return {**self.columns, **self.outputs}

    def rows(self) -> Iterator[dict[str, Any]]:
        names = list(self.table())
        data = self.table()
        for i in range(len(self)):
            yield {name: _cell(data[name][i]) for name in names}

    def best(self, output: str, n: int = 5, *, minimize: bool = True) -> list[dict[str, Any]]:
        """The `n` valid rows with the lowest (or highest) `output`."""
        if output not in self.outputs:
            from mlsysim.errors import UnknownNameError

            raise UnknownNameError("output", output, self.outputs, parameter="output")
        values = np.asarray(self.outputs[output], dtype=float)
        keyed = np.where(self.valid & np.isfinite(values), values if minimize else -values, np.inf)
        order = np.argsort(keyed, kind="stable")[:n]
        data = self.table()
        return [{name: _cell(data[name][i]) for name in data} for i in order if np.isfinite(keyed[i])]

    def to_dataframe(self):
        """A pandas DataFrame of the sweep (needs the `dataframe` extra)."""
        try:
            import pandas as pd
        except ImportError:
            raise InvalidInputError("to_dataframe needs pandas: pip install 'mlsysim[dataframe]'") from None
        frame = pd.DataFrame({k: [_cell(v) for v in col] if col.dtype == object else col
                              for k, col in self.table().items()})
        frame["valid"] = self.valid
        if not self.valid.all():
            frame["reason"] = self.reasons
        return frame

    def __repr__(self) -> str:
        name = getattr(self.target, "slug", type(self.target).__name__)
        return f"<SweepResult {name}: {len(self)} points, {int(self.valid.sum())} valid>"

    def _repr_html_(self) -> str:
        from mlsysim.walls.html import sweep_table

        return sweep_table(self)


def _cell(value):
    if isinstance(value, np.generic):
        return value.item()
    key = getattr(value, "key", None)
    return key if key is not None else value
