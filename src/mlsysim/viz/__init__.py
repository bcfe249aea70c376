"""Plots of walls, sweeps and scenarios (the optional `plot` extra: pip install 'mlsysim[plot]').

    from mlsysim import viz
    viz.roofline(ms.wall("serving")(model="llama-3-8b", hardware="H100"), "roofline.png")
    viz.tornado(ms.wall("memory").sensitivity(weight_bytes="16 GB", bandwidth="3.35 TB/s"), "t.svg")
    viz.queue_curve(ms.wall(7)(arrival_rate="8/s", service_rate="1/s", servers=10), "q.png")
    viz.waterfall([("MFU", 0.45, "software"), ("scaling", 0.9, 14)], ideal=86400, path="w.png")
    viz.pareto(sweep, "tco", "time", "front.png")

Each function returns a matplotlib Figure and saves it when given a path (.png, .svg or .pdf).
matplotlib is imported on the first plot, not here, so `import mlsysim.viz` is cheap.
"""

from __future__ import annotations

from mlsysim.viz.pareto import pareto, pareto_mask, sweep_plot
from mlsysim.viz.queue import queue_curve
from mlsysim.viz.roofline import Roofline, has_roofline, roofline, roofline_data
from mlsysim.viz.tornado import tornado
from mlsysim.viz.waterfall import normalize_terms, waterfall

KINDS = ("roofline", "tornado", "queue", "waterfall", "pareto")


def plot_result(result, path=None):
    """The natural picture of one result: its Iron Law waterfall, roofline or queue curve,
    otherwise the tornado of its headline's sensitivity at the same inputs."""
    wall = getattr(result, "wall", None) or getattr(result, "scenario", None)
    if result.outputs.get("terms") is not None:
        return waterfall(result, path=path)
    if getattr(wall, "slug", None) in ("tail-latency", "multi-tenant"):
        return queue_curve(result, path)
    if has_roofline(result):
        return roofline(result, path)
    if isinstance(result.outputs.get("elasticities"), dict):  # Wall 21: draw what it computed
        return tornado(_inner_sensitivity(result), path)
    return tornado(wall.sensitivity(at=_given(result)), path)


def _inner_sensitivity(result):
    """The SensitivityResult behind a result of the sensitivity wall (its subject named by `target`)."""
    from mlsysim import walls
    from mlsysim.analysis.sensitivity import SensitivityResult
    from mlsysim.errors import UnknownNameError

    try:
        subject = walls.get(result.inputs["target"])
    except UnknownNameError:
        from mlsysim import scenarios

        subject = scenarios.get(result.inputs["target"])
    o = result.outputs
    return SensitivityResult(subject, o["output"], o["value"], {}, o["elasticities"])


def _given(result) -> dict:
    """The inputs of a result, optional ones left out where they were not given."""
    return {k: v for k, v in result.inputs.items() if v is not None}


__all__ = ["KINDS", "Roofline", "pareto", "pareto_mask", "plot_result", "queue_curve", "roofline",
           "roofline_data", "sweep_plot", "tornado", "waterfall", "normalize_terms"]
