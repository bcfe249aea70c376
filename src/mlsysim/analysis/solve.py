"""Inverses (Wall 22's engine): the value of one input at which an output meets a subject.

Where a wall declares a closed-form inverse it is used (and checked by evaluating the wall at
the answer). Otherwise the input's range is scanned in one broadcast call to bracket the
crossing and to check the output is monotone there, then bisection narrows the bracket. The
bisection is ours rather than scipy.optimize.brentq because importing scipy.optimize alone
costs ~0.4 s, the whole start-up budget of the command line, for a 60-step loop.
"""

from __future__ import annotations

import numpy as np

from mlsysim.errors import InfeasibleError, InvalidInputError, UnknownNameError
from mlsysim.units import format_quantity, parse


def solve(subject, output: str, target, vary: str, *, bracket=None, points: int = 257, **inputs):
    """Find `vary` such that `output` == `target`, other inputs fixed."""
    if output not in subject.outputs:
        raise UnknownNameError("output", output, subject.outputs, parameter="output")
    if vary not in subject.inputs or not subject.inputs[vary].is_numeric:
        numeric = [n for n, s in subject.inputs.items() if s.is_numeric]
        raise UnknownNameError("numeric input", vary, numeric, parameter="vary")
    goal = parse(target, subject.outputs[output].dimension, name=output)
    inputs = {k: v for k, v in inputs.items() if k != vary}
    closed = _closed_form(subject, output, goal, vary, inputs)
    if closed is not None:
        return closed
    return _bracketed(subject, output, goal, vary, inputs, bracket, points)


def _closed_form(subject, output, goal, vary, inputs):
    inverse = getattr(subject, "inverses", {}).get((output, vary))
    if inverse is None:
        return None
    from mlsysim.walls.validate import Problems

    spec = subject.inputs[vary]
    probe = spec.typical[0] if spec.typical else (spec.low + 1 if spec.low is not None else 1.0)
    try:
        values = subject.prepare({**inputs, vary: probe}, Problems("raise"))
        value = float(inverse(goal, values))
        achieved = float(subject(**inputs, **{vary: value}).outputs[output])
    except (TypeError, ValueError, ZeroDivisionError, InvalidInputError):
        return None
    if not np.isclose(achieved, goal, rtol=1e-6):
        return None
    return SolveResult(subject, output, goal, vary, value, achieved, "closed form")


def _search_range(spec, bracket):
    if bracket is not None:
        lo, hi = (parse(b, spec.dimension, name=spec.name) for b in bracket)
    else:
        lo, hi = spec.typical if spec.typical else (1e-6, 1e6)
        lo, hi = lo / 1e3, hi * 1e3
        if spec.low is not None:
            lo = max(lo, spec.low * (1 + 1e-9) if spec.low > 0 else spec.low + 1e-12 * hi)
        if spec.high is not None:
            hi = min(hi, spec.high * (1 - 1e-12) if spec.high_open else spec.high)
    if not lo < hi:
        raise InvalidInputError(f"bracket: empty search range [{lo}, {hi}] for {spec.name}", parameter="bracket")
    return lo, hi


def _bracketed(subject, output, goal, vary, inputs, bracket, points):
    spec = subject.inputs[vary]
    lo, hi = _search_range(spec, bracket)
    if spec.integer:
        xs = np.unique(np.round(np.geomspace(max(lo, 1), hi, points) if lo > 0 else np.linspace(lo, hi, points)))
    else:
        xs = np.geomspace(lo, hi, points) if lo > 0 else np.linspace(lo, hi, points)
    ys = np.asarray(subject(invalid="nan", **inputs, **{vary: xs}).outputs[output], dtype=float)
    ys = np.broadcast_to(ys, xs.shape)
    ok = np.isfinite(ys)
    xs_ok, ys_ok = xs[ok], ys[ok]
    unit = subject.outputs[output].dimension
    if xs_ok.size < 2:
        raise InfeasibleError(f"{vary}: {output} is not defined anywhere in the searched range", parameter=vary)
    steps = np.diff(ys_ok)
    scale = np.max(np.abs(ys_ok)) * 1e-12
    if (steps > scale).any() and (steps < -scale).any():
        raise InfeasibleError(f"{vary}: {output} is not monotone in {vary} over "
                              f"[{format_quantity(xs_ok[0], spec.dimension)}, "
                              f"{format_quantity(xs_ok[-1], spec.dimension)}]; give a narrower bracket",
                              parameter=vary)
    sign = np.sign(ys_ok - goal)
    crossing = np.nonzero(sign[:-1] * sign[1:] <= 0)[0]
    if crossing.size == 0:
        raise InfeasibleError(
            f"{vary}: no value in [{format_quantity(xs_ok[0], spec.dimension)}, "
            f"{format_quantity(xs_ok[-1], spec.dimension)}] gives {output} = {format_quantity(goal, unit)}; "
            f"{output} ranges from {format_quantity(ys_ok.min(), unit)} to {format_quantity(ys_ok.max(), unit)}",
            parameter=vary)
    a, b = xs_ok[crossing[0]], xs_ok[crossing[0] + 1]
    value = _bisect(subject, output, goal, vary, inputs, a, b, spec.integer)
    achieved = float(subject(**inputs, **{vary: value}).outputs[output])
    return SolveResult(subject, output, goal, vary, value, achieved, "bracketed bisection")


def _bisect(subject, output, goal, vary, inputs, a, b, integer, iterations=80):
    def f(x):
        return float(subject(**inputs, **{vary: x}).outputs[output]) - goal

    fa = f(a)
    if integer:  # the first whole number on the far side of the crossing
        for x in np.arange(a, b + 1):
            if f(x) == 0 or np.sign(f(x)) != np.sign(fa):
                return float(x)
        return float(b)
    for _ in range(iterations):
        mid = 0.5 * (a + b)
        fm = f(mid)
        if fm == 0 or abs(b - a) <= 1e-12 * abs(mid):
            return mid
        if np.sign(fm) == np.sign(fa):
            a, fa = mid, fm
        else:
            b = mid
    return 0.5 * (a + b)


class SolveResult:
    """The solved input value, what the output is there, and how it was found."""

    def __init__(self, subject, output, goal, vary, value, achieved, method):
        self.subject, self.output, self.goal, self.vary = subject, output, goal, vary
        self.value, self.achieved, self.method = value, achieved, method

    def explain(self) -> str:
        spec, unit = self.subject.inputs[self.vary], self.subject.outputs[self.output].dimension
        return (f"{self.vary} = {format_quantity(self.value, spec.dimension)} gives {self.output} = "
                f"{format_quantity(self.achieved, unit)} (target {format_quantity(self.goal, unit)}; "
                f"{self.method}).")

    def to_dict(self) -> dict:
        return {"vary": self.vary, "value": self.value, "output": self.output, "target": self.goal,
                "achieved": self.achieved, "method": self.method, "explanation": self.explain()}

    def __repr__(self) -> str:
        return f"<SolveResult {self.vary}={self.value:.6g} ({self.method})>"

    def _repr_html_(self) -> str:
        from mlsysim.walls.html import solve_table

        return solve_table(self)
