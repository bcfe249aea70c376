"""Utilization-vs-wait curves for the queueing walls (7, tail latency; 16, multi-tenant).

Both laws share a hockey stick: waiting grows like 1/(1 − ρ), so the curve is flat for most of
the utilization range and vertical near 100 %. The curve is the wall itself evaluated over a
grid of utilizations in one broadcast call, with everything else held at the result's values;
the result's own point is marked on it.
"""

from __future__ import annotations

import numpy as np

from mlsysim.errors import InvalidInputError
from mlsysim.units import format_quantity
from mlsysim.viz import _backend as b

# Dense near ρ = 1, where the curve turns.
UTILIZATION = 1 - np.geomspace(0.995, 0.002, 400)


def _tail_latency(result):
    wall, s = result.wall, result.inputs
    mu, servers = b.scalar(result, "service_rate", "queue"), b.scalar(result, "servers", "queue")
    curve = wall(arrival_rate=UTILIZATION * servers * mu, service_rate=mu, servers=servers).outputs
    series = [("mean wait", curve["mean_wait"], result.outputs["mean_wait"], "-"),
              ("P99 wait", curve["wait_p99"], result.outputs["wait_p99"], "--")]
    name = f"M/M/{servers:g}, μ = {format_quantity(s['service_rate'], 'rate')} per server"
    return series, b.scalar(result, "utilization", "queue"), name, ((0.7, "busy"), (0.9, "saturating"))


def _multi_tenant(result):
    wall, s = result.wall, result.inputs
    duration, cv, servers = (b.scalar(result, k, "queue") for k in ("job_duration", "cv", "servers"))
    curve = wall(utilization=UTILIZATION, job_duration=duration, cv=cv, servers=servers).outputs
    series = [(f"mean wait ({np.ravel(curve['model'])[0]}, cv = {cv:g})", curve["wait"], result.outputs["wait"], "-")]
    if cv != 1:  # exponential jobs as the textbook reference
        reference = wall(utilization=UTILIZATION, job_duration=duration, cv=1.0, servers=servers).outputs
        series.append((f"{np.ravel(reference['model'])[0]} reference (cv = 1)", reference["wait"], None, ":"))
    name = f"{servers:g} server(s), jobs of {format_quantity(s['job_duration'], 'time')}"
    return series, b.scalar(result, "server_utilization", "queue"), name, ()


CURVES = {"tail-latency": _tail_latency, "multi-tenant": _multi_tenant}


def queue_curve(result, path=None):
    """Wait against utilization for a tail-latency or multi-tenant result, its point marked."""
    slug = getattr(getattr(result, "wall", None), "slug", None)
    if slug not in CURVES:
        raise InvalidInputError(f"queue: plots the queueing walls ({', '.join(CURVES)}), not {slug or 'this'}",
                                parameter="plot")
    series, rho, name, bands = CURVES[slug](result)
    at_point = max(float(np.ravel(v)[0]) for _, _, v, _ in series if v is not None)
    knee = max(float(np.interp(0.9, UTILIZATION, np.asarray(c, dtype=float))) for _, c, _, _ in series)
    top = max(2.0 * at_point, knee)
    divisor, unit = b.scale("time", top)
    fig, ax = b.figure()
    for label, curve, value, style in series:
        ax.plot(UTILIZATION * 100, np.asarray(curve, dtype=float) / divisor, style, color=b.ACCENT, label=label)
        if value is not None:
            ax.plot(rho * 100, float(np.ravel(value)[0]) / divisor, "o", color=b.HIGHLIGHT, ms=8)
            ax.annotate(f"{format_quantity(float(np.ravel(value)[0]), 'time')} at {rho:.0%}",
                        (rho * 100, float(np.ravel(value)[0]) / divisor), xytext=(-10, 10),
                        textcoords="offset points", ha="right", fontsize=8)
    for edge, regime in bands:
        ax.axvline(edge * 100, color=b.MUTED, ls=":", lw=1)
        ax.annotate(regime, (edge * 100, top / divisor * 0.95), xytext=(3, 0), textcoords="offset points",
                    fontsize=8, color=b.MUTED)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, top / divisor * 1.05)
    ax.set_xlabel(b.label("utilization ρ", "%"))
    ax.set_ylabel(b.label("wait before service", unit))
    ax.set_title(f"{b.target_label(result.wall)}: {name}\nbinding: utilization — waits grow like 1/(1 − ρ)",
                 fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(True, alpha=0.3)
    return b.finish(fig, path)
