"""Replicas for an arrival rate and a tail-latency target (Wall 7), and cost/energy/carbon per token.

Each replica serves `batch` requests at once, so a fleet of r replicas is a queue with r × batch
servers, each busy for one request's latency S. Waits follow the M/M/c Erlang C law scaled by the
Allen–Cunneen factor (1 + cv²)/2 for service-time variability (exact for cv = 1; cv = 0 for
requests of fixed lengths), so P99 = S + ln(C / 0.01) × (1 + cv²)/2 / (cμ − λ).
"""

from __future__ import annotations

import numpy as np

from mlsysim.queueing import erlang_c

_SEARCH = 64  # replica counts tried above the stability minimum, in one vectorized pass


def p99_latency(replicas, batch, service, rate, cv):
    servers = replicas * batch
    load = rate * service
    drain = servers / service - rate
    waiting = erlang_c(servers, load)
    factor = (1.0 + cv**2) / 2.0
    with np.errstate(divide="ignore"):
        wait = np.log(np.maximum(waiting, 1e-300) / 0.01) * factor / drain
    return service + np.maximum(wait, 0.0)


def replicas_needed(batch, service, rate, cv, target):
    """(replicas for stability, replicas for the P99 target, the P99 at the latter)."""
    minimum = np.floor(rate * service / batch) + 1
    if target is None:
        return minimum, minimum, p99_latency(minimum, batch, service, rate, cv)
    shape = np.broadcast(minimum, batch, service, rate, target).shape
    base = np.broadcast_to(minimum, shape)[..., None]
    tries = base + np.arange(_SEARCH)
    p99 = p99_latency(tries, np.asarray(batch)[..., None] if np.ndim(batch) else batch,
                      np.asarray(service)[..., None] if np.ndim(service) else service,
                      np.asarray(rate)[..., None] if np.ndim(rate) else rate, cv)
    ok = p99 <= np.asarray(target)[..., None] if np.ndim(target) else p99 <= target
    first = np.argmax(ok, axis=-1)
    found = np.take_along_axis(tries, first[..., None], -1)[..., 0]
    met = np.take_along_axis(p99, first[..., None], -1)[..., 0]
    never = ~ok.any(axis=-1)
    replicas = np.where(never, np.nan, found)
    result = minimum, replicas, np.where(never, np.nan, met)
    return tuple(float(x) if np.ndim(x) == 0 else x for x in result)


def fleet(v, hardware, latency, throughput, batch, step, ttft):
    """Replicas, SLA check, cost, energy and carbon per token."""
    from mlsysim import wall

    devices = v["devices"]
    out = {"replicas": None, "replicas_for_load": None, "utilization": None, "p99_latency": None}
    price = v["price_per_device_hour"]
    if v["rate"] is not None:
        minimum, replicas, p99 = replicas_needed(batch, latency, v["rate"], v["cv"], v["p99"])
        if np.ndim(replicas) == 0 and not np.isfinite(replicas):
            from mlsysim.errors import InfeasibleError
            from mlsysim.units import format_quantity as q

            raise InfeasibleError(f"p99: no number of replicas meets {q(v['p99'], 'time')}: one request alone takes "
                                  f"{q(float(latency), 'time')} before any queueing", parameter="p99")
        out.update(replicas=replicas, replicas_for_load=minimum, p99_latency=p99,
                   utilization=v["rate"] * latency / (replicas * batch))
    tokens_per_s = throughput if v["rate"] is None else v["rate"] * v["output_tokens"]
    paid_devices = devices if v["rate"] is None else devices * out["replicas"]
    out["cost_per_million_tokens"] = None if price is None else price * paid_devices / tokens_per_s * 1e6
    power = v["power"] if v["power"] is not None else hardware.tdp
    energy = None if power is None else power * paid_devices / tokens_per_s
    out["energy_per_token"] = energy
    out["carbon_per_million_tokens"] = None
    if energy is not None:
        region = v["region"] if v["region"] is not None or v["intensity"] is not None else "world"
        pue = v["pue"] if v["pue"] is not None else (None if v["region"] is not None else 1.1)
        known = np.isfinite(energy)  # unmeetable targets in a sweep leave NaN replicas
        carbon = wall("sustainability")(energy=np.where(known, energy, 1.0) * 1e6, region=region,
                                        intensity=v["intensity"], pue=pue).carbon
        out["carbon_per_million_tokens"] = np.where(known, carbon, np.nan) if np.ndim(known) else carbon
    out["meets_sla"] = _meets(v, out, latency, step, ttft)
    return out


def _meets(v, out, latency, step, ttft):
    ok = np.ones(np.shape(latency), dtype=bool)
    if v["ttft_target"] is not None:
        ok = ok & (ttft <= v["ttft_target"])
    if v["itl_target"] is not None:
        ok = ok & (step <= v["itl_target"])
    if v["p99"] is not None:
        p99 = out["p99_latency"] if out["p99_latency"] is not None else latency
        ok = ok & np.isfinite(p99) & (np.nan_to_num(p99, nan=np.inf) <= v["p99"])
    return bool(ok) if ok.ndim == 0 else ok
