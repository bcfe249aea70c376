"""The Wall: one declared law, with evaluation, freezing, sweeps, sensitivity and inverses for free.

A wall file declares inputs, outputs, constraints and worked examples and supplies one function
on SI floats or numpy arrays. Everything generic lives here, once: parsing strings with units,
range checks that name the bad input, broadcasting, the NaN-mask mode for sweeps, and the
entry points to sweeps, sensitivity and solving (in `mlsysim.analysis`). This mirrors the way
scipy.stats puts ~130 distributions behind one interface.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from mlsysim.errors import InvalidInputError, UnknownNameError
from mlsysim.walls.declaration import (NON_NUMERIC_OUTPUTS, REQUIRED, SPEC_KINDS, Constraint, Example, Input,
                                      Output)
from mlsysim.walls.result import WallResult, render_values
from mlsysim.walls.validate import Problems, parse_input

_UNPARSED = object()
DOMAINS = ("node", "data", "algorithm", "fleet", "operations", "meta", "composition")


class Wall:
    """A law of ML systems, declared once; see `mlsysim.walls.memory` for a small example."""

    def __init__(self, *, number: int | None, slug: str, title: str, domain: str, question: str,
                 equation: str, latex: str, explanation: str, inputs: Sequence[Input],
                 outputs: Sequence[Output], evaluate: Callable[..., dict], explain,
                 examples: Sequence[Example], headline: str, constraints: Sequence[Constraint] = (),
                 inverses: Mapping[tuple[str, str], Callable[..., Any]] | None = None,
                 regimes: Sequence[str] = (), caveats: str = "", sources: Sequence[str] = ()):
        if domain not in DOMAINS:
            raise ValueError(f"wall {slug}: unknown domain {domain!r}")
        self.number, self.slug, self.title, self.domain = number, slug, title, domain
        self.question, self.equation, self.latex, self.explanation = question, equation, latex, explanation
        self.inputs = {i.name: i for i in inputs}
        self._defaults: dict[str, Any] = {}
        self.aliases = {alias: i.name for i in inputs for alias in i.aliases}
        self.outputs = {o.name: o for o in outputs}
        self.function, self.explain_template = evaluate, explain
        self.examples, self.headline = tuple(examples), headline
        self.constraints, self.inverses = tuple(constraints), dict(inverses or {})
        self.regimes, self.caveats, self.sources = tuple(regimes), caveats, tuple(sources)
        if headline not in self.outputs:
            raise ValueError(f"wall {slug}: headline {headline!r} is not an output")

    def __repr__(self) -> str:
        label = f"{self.number}" if self.number is not None else "—"
        return f"<Wall {label} {self.slug}: {self.question}>"

    # -- evaluation -----------------------------------------------------------------------

    def __call__(self, invalid: str = "raise", **inputs) -> WallResult:
        """Evaluate the law. Strings with units are parsed; arrays broadcast.

        `invalid="nan"` turns invalid points into NaN outputs with `result.valid` and
        `result.reasons` saying which and why, instead of raising.
        """
        problems = Problems(invalid)
        values, categorical = self._prepare(inputs, problems)
        if not problems.masks:
            return WallResult(self, values, self._evaluate(values, categorical))
        return self._evaluate_masked(values, problems)

    def prepare(self, inputs: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
        """Parse and validate `inputs` against the declaration (defaults filled in)."""
        return self._prepare(inputs, problems)[0]

    def _prepare(self, inputs: Mapping[str, Any], problems: Problems) -> tuple[dict[str, Any], list[str]]:
        """`prepare`, and the names of the inputs that are arrays of specs or choices."""
        inputs = self.canonical(inputs)
        for name in inputs:
            if name not in self.inputs:
                raise UnknownNameError(f"input of wall '{self.slug}'", name, self.inputs, parameter=name)
        values = {name: parse_input(spec, inputs[name], self.slug, problems) if name in inputs
                  else self._default(spec, problems) for name, spec in self.inputs.items()}
        categorical = self._categorical_arrays(values)
        for constraint in self.constraints:
            ok = (self._grouped(values, categorical, lambda **v: {"ok": constraint.holds(v)})["ok"]
                  if categorical else constraint.holds(values))
            if bool(ok) if isinstance(ok, (bool, np.bool_)) else np.all(ok):  # scalars skip np.all's overhead
                continue
            bad = ~np.asarray(ok, dtype=bool)
            if callable(constraint.message):
                message = constraint.message(values, bad)
            else:
                message = constraint.message.format(**render_values(self, values, bad))
            problems.report(bad if bad.ndim else True, message, constraint.error, constraint.parameter)
        return values, categorical

    def _default(self, spec: Input, problems: Problems):
        """The parsed default of an input left out. Defaults are constants, so each is parsed once;
        registry names are looked up every time, since a spec can be replaced (`Registry.add`)."""
        parsed = self._defaults.get(spec.name, _UNPARSED)
        if parsed is _UNPARSED:
            parsed = parse_input(spec, spec.default, self.slug, problems)
            if spec.dimension not in SPEC_KINDS and not isinstance(parsed, np.ndarray):
                self._defaults[spec.name] = parsed
        return parsed

    def _categorical_arrays(self, values: Mapping[str, Any]) -> list[str]:
        inputs = self.inputs  # inlined checks: this runs on every call of every wall
        return [n for n, v in values.items()
                if isinstance(v, np.ndarray) and v.ndim > 0 and not inputs[n].numeric]

    def _evaluate(self, values: Mapping[str, Any], categorical: list[str] | None = None) -> dict[str, Any]:
        if categorical is None:
            categorical = self._categorical_arrays(values)
        outputs = self._grouped(values, categorical, self.function) if categorical else self.function(**values)
        if not outputs.keys() >= self.outputs.keys():
            missing = [name for name in self.outputs if name not in outputs]
            raise RuntimeError(f"wall {self.slug} did not compute {missing}")
        for name, value in outputs.items():
            if type(value) is np.ndarray and value.ndim == 0:
                outputs[name] = value.item()  # 0-d arrays from np.vectorize read as plain scalars
        return outputs

    @staticmethod
    def _grouped(values: Mapping[str, Any], categorical: list[str], function) -> dict[str, Any]:
        """Evaluate once per distinct combination of spec/choice values, numeric arrays sliced.

        Wall functions may then treat hardware, models and choices as scalars, while sweeps
        over them still work; the numeric axes inside each group stay vectorized.
        """
        arrays = {n: np.asarray(v) for n, v in values.items() if _is_array(v)}
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
        flat = {n: np.broadcast_to(a, shape).ravel() for n, a in arrays.items()}
        keys = np.array([hash(tuple(_spec_key(flat[n][i]) for n in categorical)) for i in range(flat[categorical[0]].size)])
        outputs: dict[str, Any] = {}
        for key in np.unique(keys):
            index = np.nonzero(keys == key)[0]
            group = dict(values)
            for name, column in flat.items():
                group[name] = column[index[0]] if name in categorical else column[index]
            part = function(**group)
            for name, value in part.items():
                if value is None:
                    outputs.setdefault(name, None)
                    continue
                value = np.broadcast_to(np.asarray(value), index.shape)
                if name not in outputs or outputs[name] is None:
                    outputs[name] = np.empty(keys.size, dtype=value.dtype if value.dtype != object
                                             and value.dtype.kind not in "US" else object)
                outputs[name][index] = value
        return {n: (v.reshape(shape) if isinstance(v, np.ndarray) else v) for n, v in outputs.items()}

    def _evaluate_masked(self, values: dict[str, Any], problems: Problems) -> WallResult:
        arrays = [np.asarray(v) for v in values.values() if _is_array(v)]
        shape = np.broadcast_shapes(*(a.shape for a in arrays), *(np.shape(m) for m, _ in problems.masks))
        bad = np.zeros(shape, dtype=bool)
        reasons = np.full(shape, "", dtype=object)
        for mask, message in problems.masks:
            fresh = np.broadcast_to(mask, shape) & (reasons == "")
            reasons[fresh] = message
            bad |= np.broadcast_to(mask, shape)
        if bad.all():
            outputs = {name: np.full(shape, np.nan) for name in self.outputs}
            return WallResult(self, values, outputs, valid=~bad, reasons=reasons)
        first_good = np.unravel_index(np.argmin(bad), shape)
        patched = {}
        for name, value in values.items():
            if _is_array(value):  # scalars are valid everywhere, or every point is masked
                full = np.array(np.broadcast_to(value, shape), dtype=value.dtype)
                full[bad] = full[first_good]
                patched[name] = full
            else:
                patched[name] = value
        outputs = self._evaluate(patched)
        for name, out in outputs.items():
            if out is not None and name in self.outputs and self.outputs[name].dimension not in NON_NUMERIC_OUTPUTS:
                out = np.array(np.broadcast_to(out, shape), dtype=float)
                out[bad] = np.nan
                outputs[name] = out
        return WallResult(self, values, outputs, valid=~bad, reasons=reasons)

    # -- generic tools ----------------------------------------------------------------------

    def freeze(self, **fixed) -> FrozenWall:
        """A wall with some inputs fixed (parsed and checked now, once)."""
        return FrozenWall(self, fixed)

    def example(self, index: int = 0) -> WallResult:
        """Evaluate a worked example live."""
        return self(**self.examples[index].inputs)

    def sweep(self, invalid: str = "raise", **inputs):
        """Evaluate over the Cartesian grid of every list-valued input, in one broadcast call."""
        from mlsysim.analysis.sweep import sweep

        return sweep(self, invalid=invalid, **inputs)

    def sensitivity(self, output: str | None = None, params: Sequence[str] | None = None, *,
                    at: Mapping[str, Any] | None = None, **inputs):
        """Elasticities ∂ln(output)/∂ln(param) of `output` to every numeric input, ranked.

        Give the point as keywords, or as `at={...}` if an input is named like an argument here.
        """
        from mlsysim.analysis.sensitivity import sensitivity

        return sensitivity(self, output=output, params=params, at=at, **inputs)

    def solve(self, output: str, target, vary: str, **inputs):
        """The value of input `vary` at which `output` equals `target` (closed form if declared)."""
        from mlsysim.analysis.solve import solve

        return solve(self, output=output, target=target, vary=vary, **inputs)

    def canonical(self, inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        """`inputs` with aliases replaced by the declared names; an input given twice is an error."""
        if not self.aliases or not any(name in self.aliases for name in inputs):
            return inputs
        renamed: dict[str, Any] = {}
        for name, value in inputs.items():
            declared = self.aliases.get(name, name)
            if declared in renamed:
                raise InvalidInputError(f"{name}: the same input as {declared}; give one of them", parameter=name)
            renamed[declared] = value
        return renamed

    def input(self, name: str) -> Input:
        try:
            return self.inputs[self.aliases.get(name, name)]
        except KeyError:
            raise UnknownNameError(f"input of wall '{self.slug}'", name, self.inputs) from None


class FrozenWall:
    """A wall with some inputs fixed; call it with the rest."""

    def __init__(self, wall: Wall, fixed: Mapping[str, Any]):
        self.wall = wall
        self.fixed = {name: parse_input(wall.input(name), value, wall.slug, Problems("raise"))
                      for name, value in wall.canonical(fixed).items()}
        self.inputs, self.outputs = wall.inputs, wall.outputs

    def __call__(self, invalid: str = "raise", **inputs) -> WallResult:
        inputs = self.wall.canonical(inputs)
        overlap = set(inputs) & set(self.fixed)
        if overlap:
            name = sorted(overlap)[0]
            raise InvalidInputError(f"{name}: already fixed by freeze() to {self.fixed[name]!r}",
                                    parameter=name)
        return self.wall(invalid=invalid, **self.fixed, **inputs)

    def __repr__(self) -> str:
        fixed = ", ".join(f"{k}={v!r}" for k, v in self.fixed.items())
        return f"<FrozenWall {self.wall.slug}({fixed})>"


def _spec_key(value):
    return getattr(value, "key", value)


def _is_array(value) -> bool:
    return isinstance(value, np.ndarray) and value.ndim > 0


__all__ = ["Wall", "FrozenWall", "Input", "Output", "Constraint", "Example", "REQUIRED", "InvalidInputError"]
