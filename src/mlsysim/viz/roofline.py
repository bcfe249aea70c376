"""Roofline plot: the chip's compute and memory roofs and where the workload sits under them.

Attainable performance is min(peak, intensity × bandwidth) (Williams, Waterman & Patterson,
"Roofline", CACM 2009). The points come from a wall result: the serving wall gives two, prefill
and decode, and the memory wall one (when it was given FLOPs). Roofs are drawn twice when the
result used achievable efficiencies: the datasheet roof dashed, the achievable roof solid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlsysim.errors import InvalidInputError
from mlsysim.units import format_quantity
from mlsysim.viz import _backend as b

# Which wall binds a point on each side of the ridge.
BINDS = {"memory-bound": "Wall 2 · memory", "compute-bound": "Wall 1 · compute"}


@dataclass
class Point:
    label: str
    intensity: float  # FLOP/B
    performance: float  # FLOP/s per device
    regime: str = ""


@dataclass
class Roofline:
    peak: float  # achievable FLOP/s per device
    bandwidth: float  # achievable B/s per device
    points: list[Point] = field(default_factory=list)
    nominal_peak: float | None = None
    nominal_bandwidth: float | None = None
    title: str = ""


def has_roofline(result) -> str | None:
    """'serving' or 'memory' when the result carries what a roofline needs, else None."""
    o = result.outputs
    if all(o.get(k) is not None for k in ("prefill_flops", "decode_flops", "decode_bytes")):
        return "serving"
    declared = getattr(getattr(result, "wall", None), "outputs", {}).get("intensity")
    arithmetic = declared is not None and declared.dimension == "intensity"  # FLOP/B, not gCO2e/kWh
    if arithmetic and o.get("intensity") is not None and o.get("peak_flops") is not None:
        return "memory"
    return None


def roofline_data(result) -> Roofline:
    """Roofs and operating points from a serving or memory wall result."""
    kind = has_roofline(result)
    if kind is not None:
        return _serving(result) if kind == "serving" else _memory(result)
    raise InvalidInputError("roofline: needs a result with arithmetic intensity: the serving wall, or the "
                            "memory wall given flops (and hardware or peak_flops)", parameter="plot")


def _flat(value) -> np.ndarray:
    return np.ravel(np.asarray(value, dtype=float))


def _name(value) -> str:
    return str(getattr(value, "name", None) or getattr(value, "key", None) or value)


def _serving(result) -> Roofline:
    o, devices = result.outputs, _flat(result.inputs.get("devices") or 1.0)
    # Achievable rates across the devices, as the wall used them (efficiencies included).
    compute_rate = _flat(o["prefill_flops"]) / _flat(o["prefill_compute_time"])
    memory_rate = _flat(o["decode_bytes"]) / _flat(o["decode_memory_time"])
    prefill_bytes = _flat(o["prefill_memory_time"]) * memory_rate
    phases = [("prefill", _flat(o["prefill_flops"]), prefill_bytes, _flat(o["ttft"]), o["prefill_regime"]),
              ("decode", _flat(o["decode_flops"]), _flat(o["decode_bytes"]), _flat(o["itl"]), o["regime"])]
    points = []
    for phase, flops, data, time, regimes in phases:
        regimes = np.ravel(np.asarray(regimes, dtype=object))
        for i in range(flops.size):
            suffix = f" #{i + 1}" if flops.size > 1 else ""
            points.append(Point(phase + suffix, flops[i] / data[i], flops[i] / (time[i] * devices[i % devices.size]),
                                str(regimes[i % regimes.size])))
    model, hardware = result.inputs.get("model"), result.inputs.get("hardware")
    title = f"{_name(model)} on {_name(hardware) if hardware is not None else 'given roofs'}"
    return Roofline(float(compute_rate[0] / devices[0]), float(memory_rate[0] / devices[0]), points,
                    float(_flat(o["peak_flops"])[0]), float(_flat(o["bandwidth"])[0]), title)


def _memory(result) -> Roofline:
    o = result.outputs
    intensity, attainable = _flat(o["intensity"]), _flat(o["attainable_flops"])
    regimes = np.ravel(np.asarray(o["regime"], dtype=object))
    points = [Point("workload" + (f" #{i + 1}" if intensity.size > 1 else ""), intensity[i], attainable[i],
                    str(regimes[i % regimes.size])) for i in range(intensity.size)]
    hardware = result.inputs.get("hardware")
    title = f"{_name(hardware)}" if hardware is not None else "given roofs"
    return Roofline(float(_flat(o["peak_flops"])[0]), float(_flat(o["bandwidth"])[0]), points, title=title)


def roofline(data, path=None):
    """Draw a roofline from a `Roofline` or a wall result; save to `path` (.png/.svg) if given."""
    if not isinstance(data, Roofline):
        data = roofline_data(data)
    fig, ax = b.figure()
    ridge = data.peak / data.bandwidth
    xs = [p.intensity for p in data.points] + [ridge]
    if data.nominal_peak and data.nominal_bandwidth:
        xs.append(data.nominal_peak / data.nominal_bandwidth)
    x = np.geomspace(min(xs) / 10, max(xs) * 10, 400)
    divisor, unit = b.scale("flop_rate", max(data.peak, data.nominal_peak or 0))
    nominal = data.nominal_peak and data.nominal_bandwidth
    if nominal and not np.allclose([data.nominal_peak, data.nominal_bandwidth], [data.peak, data.bandwidth]):
        ax.plot(x, np.minimum(data.nominal_peak, x * data.nominal_bandwidth) / divisor, "--", color=b.MUTED,
                label="datasheet roof")
    ax.plot(x, np.minimum(data.peak, x * data.bandwidth) / divisor, color=b.ACCENT, lw=2,
            label=f"roof: {format_quantity(data.peak, 'flop_rate')}, {format_quantity(data.bandwidth, 'bandwidth')}")
    ax.axvline(ridge, color=b.ACCENT, ls=":", lw=1)
    ax.annotate(f"ridge {format_quantity(ridge, 'intensity')}", (ridge, data.peak / divisor), xytext=(4, -14),
                textcoords="offset points", fontsize=8, color=b.ACCENT)
    for point in data.points:
        colour = b.HIGHLIGHT if point.regime == "memory-bound" else b.GOOD
        ax.plot(point.intensity, point.performance / divisor, "o", color=colour, ms=8)
        ax.annotate(f"{point.label}: {point.regime}\n{BINDS.get(point.regime, '')} binds",
                    (point.intensity, point.performance / divisor), xytext=(8, -4), textcoords="offset points",
                    fontsize=8)
    b.log_axis(ax, "x")
    b.log_axis(ax, "y")
    ax.set_xlabel(b.label("arithmetic intensity", "FLOP/B"))
    ax.set_ylabel(b.label("attainable performance per device", unit))
    ax.set_title(f"Roofline — {data.title}" if data.title else "Roofline")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return b.finish(fig, path)
