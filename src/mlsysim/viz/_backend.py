"""What every plot shares: a lazily imported matplotlib, saving by file extension, axes in units.

matplotlib is an optional extra and costs ~0.3 s to import, so it is imported here, on the first
plot, never by `import mlsysim`. Figures are built with `matplotlib.figure.Figure` rather than
pyplot: no global state, no GUI backend needed to save, and notebooks still display them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from mlsysim.errors import InvalidInputError
from mlsysim.units import format_quantity, si_unit

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
HIGHLIGHT, MUTED, ACCENT, GOOD = "#c0392b", "#7f8c8d", "#2c6fbb", "#27ae60"


def figure(width: float = 7.5, height: float = 4.8):
    """A new (figure, axes) pair, or a one-line error saying how to install matplotlib."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise InvalidInputError("plots need matplotlib: pip install 'mlsysim[plot]'", parameter="plot") from None
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def check_path(path) -> Path:
    """The output path, if its extension names a format we write (checked before any work)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InvalidInputError(f"plot: cannot tell the image format of {str(path)!r}; end the file name "
                                f"with {', '.join(FORMATS)}", parameter="plot")
    return path


def finish(fig, path=None):
    """Save `fig` to `path` (format from the extension) if given; return the figure."""
    if path is not None:
        path = check_path(path)
        try:
            fig.savefig(path, format=FORMATS[path.suffix.lower()], dpi=150)
        except OSError as error:
            raise InvalidInputError(f"plot: cannot write {str(path)!r}: {error.strerror or error}",
                                    parameter="plot") from None
    return fig


_LEADING_NUMBER = re.compile(r"^(?P<sign>-?)(?P<cur>\$?)(?P<num>[0-9.]+(?:e-?[0-9]+)?)\s*(?P<unit>.*)$")


def scale(dimension: str, reference) -> tuple[float, str]:
    """(divisor, unit) to show values of `dimension` near `reference` readably: (1e12, 'TFLOP/s').

    The prefix is the one `units.format_quantity` would choose for the reference value, so axes
    and printed results agree.
    """
    if dimension in ("text", "") or dimension not in _known():
        return 1.0, ""
    reference = float(abs(reference)) if reference is not None else math.nan
    if not math.isfinite(reference) or reference == 0:
        return 1.0, _si(dimension)
    match = _LEADING_NUMBER.match(format_quantity(reference, dimension))
    if not match or float(match["num"]) == 0:
        return 1.0, _si(dimension)
    unit = match["unit"]
    if match["cur"]:
        unit = "$" + unit
    return reference / float(match["num"]), unit


def _known():
    from mlsysim.units import DIMENSIONS

    return DIMENSIONS


def _si(dimension: str) -> str:
    unit = si_unit(dimension)
    return "" if unit == "1" else unit


def label(name: str, unit: str) -> str:
    """An axis label: the quantity's name in words and its unit in brackets."""
    text = name.replace("_", " ")
    return f"{text} ({unit})" if unit else text


def log_axis(ax, axis: str, minor: bool = False) -> None:
    """A log axis labelled with plain numbers (20, 50, 100) rather than 2×10¹."""
    from matplotlib.ticker import FuncFormatter

    getattr(ax, f"set_{axis}scale")("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    target.set_major_formatter(plain)
    if minor:  # for axes spanning a decade or two: label 2× and 5× too
        target.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if f"{v:.1e}"[0] in "25" else ""))


def finite(values) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    return array[np.isfinite(array)]


def wide_range(values) -> bool:
    """Whether positive values span more than two decades (then a log axis reads better)."""
    positive = finite(values)
    positive = positive[positive > 0]
    return positive.size > 1 and positive.max() / positive.min() > 100


def target_label(target) -> str:
    """'Wall 7 · tail-latency' for a wall; the scenario's name otherwise."""
    number = getattr(target, "number", None)
    slug = getattr(target, "slug", None) or getattr(target, "name", None) or type(target).__name__
    return f"Wall {number} · {slug}" if number is not None else str(slug)


def wall_label(wall) -> str:
    """A term's wall, given as a Wall, a number or a slug, as 'Wall 3 · software'."""
    if wall is None or wall == "":
        return ""
    if hasattr(wall, "slug"):
        return target_label(wall)
    try:
        from mlsysim.walls import get

        return target_label(get(wall))
    except InvalidInputError:
        return str(wall)


def scalar(result, name: str, kind: str) -> float:
    """One value of a result as a float; plots of a single operating point refuse arrays."""
    value = result.outputs.get(name, result.inputs.get(name))
    if value is None:
        raise InvalidInputError(f"{kind}: the result has no value for {name}", parameter="plot")
    if np.size(value) != 1:
        raise InvalidInputError(f"{kind}: plots one operating point; {name} has {np.size(value)} values "
                                f"(use a sweep plot for many)", parameter="plot")
    return float(np.ravel(value)[0])
