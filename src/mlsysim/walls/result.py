"""What a wall returns: its inputs and outputs in SI, the regime that binds, and its own explanation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from mlsysim.units import format_quantity, si_unit

if TYPE_CHECKING:
    from mlsysim.walls.core import Wall


class WallResult:
    """The outcome of evaluating one wall.

    `outputs` holds SI floats (or arrays when inputs were arrays); `inputs` holds the parsed
    inputs; `regime` names the binding regime where the law has one ("memory-bound", …);
    `valid` and `reasons` are set when the wall was called with `invalid="nan"`.
    """

    __slots__ = ("wall", "inputs", "outputs", "valid", "reasons")

    def __init__(self, wall: Wall, inputs: dict, outputs: dict, valid=None, reasons=None):
        self.wall, self.inputs, self.outputs = wall, inputs, outputs
        self.valid, self.reasons = valid, reasons

    def __getattr__(self, name: str):
        outputs = object.__getattribute__(self, "outputs")
        if name in outputs:
            return outputs[name]
        raise AttributeError(f"{type(self).__name__} of wall '{self.wall.slug}' has no output {name!r}; "
                             f"outputs: {', '.join(self.wall.outputs)}")

    def __getitem__(self, name: str):
        return self.outputs[name]

    @property
    def regime(self):
        value = self.outputs.get("regime")
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return str(value)
        return value

    def explain(self) -> str:
        """One or two sentences with the numbers filled in."""
        template = self.wall.explain_template
        if callable(template):
            return template(self)
        return template.format(**render_values(self.wall, {**self.inputs, **self.outputs}))

    def fmt(self, name: str) -> str:
        """One input or output formatted with its unit."""
        return render_values(self.wall, {**self.inputs, **self.outputs})[name]

    def units(self) -> dict[str, str]:
        return {name: _unit(o.dimension) for name, o in self.wall.outputs.items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: wall, slug, inputs (SI), outputs (SI), units, explanation."""
        data = {
            "wall": self.wall.number,
            "slug": self.wall.slug,
            "inputs": {k: to_json(v) for k, v in self.inputs.items()},
            "outputs": {k: to_json(v) for k, v in self.outputs.items()},
            "units": self.units(),
            "explanation": self.explain(),
        }
        if self.valid is not None:
            data["valid"] = to_json(self.valid)
            data["reasons"] = to_json(self.reasons)
        return data

    def __repr__(self) -> str:
        shown = render_values(self.wall, self.outputs)
        body = ", ".join(f"{k}={shown[k]}" for k in self.wall.outputs if k in shown)
        return f"<{self.wall.slug}: {body}>"

    def _repr_html_(self) -> str:
        from mlsysim.walls.html import result_table

        return result_table(self)


def _unit(dimension: str) -> str:
    return "" if dimension in ("text", "flag", "data") else si_unit(dimension)


def to_json(value):
    """Convert numpy scalars/arrays and spec objects into JSON-ready Python values."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return [to_json(v) for v in value.tolist()]
        if value.dtype.kind in "fc":
            return np.where(np.isfinite(value), value, None).tolist() if value.ndim else to_json(float(value))
        return value.tolist()
    if isinstance(value, np.generic):
        return to_json(value.item())
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    key = getattr(value, "key", None)
    return key if key is not None else str(value)


def render_values(wall: Wall, values: dict, mask=None) -> dict[str, str]:
    """Format each value with its declared unit; arrays become 'lo … hi' ranges."""
    dims = {name: spec.dimension for name, spec in wall.inputs.items()}
    dims.update({name: out.dimension for name, out in wall.outputs.items()})
    return {name: _render(value, dims.get(name, "number"), mask) for name, value in values.items()}


def _render(value, dimension: str, mask=None) -> str:
    if value is None:
        return "—"
    if isinstance(value, np.ndarray) and value.ndim > 0:
        if mask is not None and np.shape(mask) == value.shape and mask.any():
            value = value[mask]
        flat = value.ravel()
        if flat.dtype == object or flat.dtype.kind in "USO":
            names = list(dict.fromkeys(_render(v, dimension) for v in flat))
            return ", ".join(names[:4]) + (" …" if len(names) > 4 else "")
        finite = flat[np.isfinite(flat)]
        if finite.size == 0:
            return _render(float(flat[0]), dimension)
        lo, hi = finite.min(), finite.max()
        if lo == hi:
            return _render(float(lo), dimension)
        return f"{_render(float(lo), dimension)} … {_render(float(hi), dimension)}"
    if isinstance(value, (str, np.str_)):
        return str(value)
    if dimension == "flag":
        return "yes" if value else "no"
    if dimension == "data":
        return _render_data(value)
    if dimension == "text" or not isinstance(value, (int, float, np.number)):
        return getattr(value, "name", str(value))
    return format_quantity(value, dimension)


def _render_data(value, shown: int = 3) -> str:
    """A nested breakdown in one short line: its first few entries and how many there are
    (the whole of it is in `--json`), so a table cell never holds a page of Python repr."""
    if isinstance(value, Mapping):
        items = [f"{k} {v:.3g}" if isinstance(v, (int, float, np.number)) else f"{k} {v}"
                 for k, v in value.items()]
    elif isinstance(value, (list, tuple)):
        items = [str(v.get("name", v)) if isinstance(v, Mapping) else str(v) for v in value]
    else:
        return str(value)
    if not items:
        return "none"
    more = f", … ({len(items)} in all; --json has every one)" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more
