"""Synthesis (Wall 22's engine): from a latency target to the hardware that meets it.

The inverse roofline gives the bandwidth and compute a target needs (bytes / latency, FLOPs /
latency). The hardware search then asks, for every accelerator in the registry, how many
devices in tensor parallelism (1, 2, 4, 8, …) are needed to reach both rates *and* hold the
weights plus the KV cache, and ranks the answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlsysim.errors import InfeasibleError

TENSOR_PARALLEL = (1, 2, 4, 8, 16, 32, 64)


def required_rates(weight_bytes: float, target_latency: float, flops: float = 0.0) -> tuple[float, float]:
    """(bandwidth, FLOP/s) a single pass over the weights needs to finish within the target."""
    return weight_bytes / target_latency, flops / target_latency


@dataclass(frozen=True)
class Fleet:
    """The registry's accelerators as arrays, for searching all of them at once: their memory,
    bandwidth and peak at one precision (0 where a chip has no math at that precision)."""

    specs: tuple
    memory: np.ndarray
    bandwidth: np.ndarray
    peak: np.ndarray


_FLEETS: dict = {}


def fleet(precision: str = "bf16", candidates=None) -> Fleet:
    """Accelerators with a memory size and bandwidth (the registry's, cached until it changes)."""
    from mlsysim.precision import canonical
    from mlsysim.specs import registry

    key = None
    if candidates is None:
        hardware = registry("hardware")
        key = (canonical(precision), len(hardware), hardware.version)
        if key in _FLEETS:
            return _FLEETS[key]
        candidates = hardware.all()
    specs = tuple(hw for hw in candidates if hw.memory_bytes and hw.memory_bandwidth)
    table = Fleet(specs, np.array([hw.memory_bytes for hw in specs], dtype=float),
                  np.array([hw.memory_bandwidth for hw in specs], dtype=float),
                  np.array([hw.peak_flops(precision) if hw.has_precision(precision) else 0.0 for hw in specs],
                           dtype=float))
    if key is not None:
        _FLEETS.clear()
        _FLEETS[key] = table
    return table


def hardware_options(weight_bytes: float, target_latency: float, *, flops: float = 0.0, kv_bytes: float = 0.0,
                     precision: str = "bf16", candidates=None, max_devices: int = 64) -> list[dict]:
    """Every accelerator and the fewest devices (tensor parallel) meeting the target, fastest first."""
    bandwidth, compute = required_rates(weight_bytes, target_latency, flops)
    chips = fleet(precision, candidates)
    sizes = np.array([c for c in TENSOR_PARALLEL if c <= max_devices], dtype=float)[None, :]
    memory, stream, peak = chips.memory[:, None], chips.bandwidth[:, None], chips.peak[:, None]
    ok = ((sizes * memory >= weight_bytes + kv_bytes) & (sizes * stream >= bandwidth) & (sizes * peak >= compute)
          & ((peak > 0) | (compute == 0)))  # compute needed: only chips with math at this precision
    found = np.nonzero(ok.any(axis=1))[0]
    if not found.size:  # nothing meets it (or no group size is allowed)
        return []
    devices = sizes[0, ok[found].argmax(axis=1)]  # the first (smallest) group that meets it
    with np.errstate(divide="ignore", invalid="ignore"):
        latency = np.maximum(weight_bytes / (devices * chips.bandwidth[found]),
                             np.where(chips.peak[found] > 0, flops / (devices * chips.peak[found]), 0.0))
    order = np.lexsort((latency, devices))
    options = []
    for chip, count, time in zip(found[order].tolist(), devices[order].tolist(), latency[order].tolist()):
        hw, count = chips.specs[chip], int(count)
        options.append({"hardware": hw.key, "name": hw.name, "devices": count, "latency": time,
                        "bandwidth": count * hw.memory_bandwidth, "memory": count * hw.memory_bytes,
                        "price": hw.price * count if hw.price else None})
    return options


def synthesize(weight_bytes=None, target_latency=None, *, model=None, precision: str = "bf16", flops=0.0,
               kv_bytes=0.0, max_devices: int = 64) -> dict:
    """Required rates and the registry hardware meeting a per-pass latency target (SI or strings)."""
    from mlsysim.precision import bytes_per_element
    from mlsysim.specs import lookup
    from mlsysim.units import parse

    if weight_bytes is None:
        if model is None:
            raise InfeasibleError("synthesize: give weight_bytes or a model", parameter="weight_bytes")
        weight_bytes = lookup("model", model).params * bytes_per_element(precision)
    weight_bytes = parse(weight_bytes, "bytes", name="weight_bytes")
    target_latency = parse(target_latency, "time", name="target_latency")
    flops, kv_bytes = parse(flops, "flops", name="flops"), parse(kv_bytes, "bytes", name="kv_bytes")
    bandwidth, compute = required_rates(weight_bytes, target_latency, flops)
    options = hardware_options(weight_bytes, target_latency, flops=flops, kv_bytes=kv_bytes, precision=precision,
                               max_devices=max_devices)
    return {"required_bandwidth": bandwidth, "required_flops": compute, "options": options,
            "single_device": [o for o in options if o["devices"] == 1],
            "fewest_devices": options[0]["devices"] if options else math.nan}
