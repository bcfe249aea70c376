"""Synthesis (Wall 22's engine): from a latency target to the hardware that meets it.

The inverse roofline gives the bandwidth and compute a target needs (bytes / latency, FLOPs /
latency). The hardware search then asks, for every accelerator in the registry, how many
devices in tensor parallelism (1, 2, 4, 8, …) are needed to reach both rates *and* hold the
weights plus the KV cache, and ranks the answers.
"""

from __future__ import annotations

import math

from mlsysim.errors import InfeasibleError

TENSOR_PARALLEL = (1, 2, 4, 8, 16, 32, 64)


def required_rates(weight_bytes: float, target_latency: float, flops: float = 0.0) -> tuple[float, float]:
    """(bandwidth, FLOP/s) a single pass over the weights needs to finish within the target."""
    return weight_bytes / target_latency, flops / target_latency


def hardware_options(weight_bytes: float, target_latency: float, *, flops: float = 0.0, kv_bytes: float = 0.0,
                     precision: str = "bf16", candidates=None, max_devices: int = 64) -> list[dict]:
    """Every accelerator and the fewest devices (tensor parallel) meeting the target, fastest first."""
    from mlsysim.specs import registry

    bandwidth, compute = required_rates(weight_bytes, target_latency, flops)
    options = []
    for hw in candidates if candidates is not None else registry("hardware").all():
        if not hw.memory_bytes or not hw.memory_bandwidth or (compute and not hw.has_precision(precision)):
            continue
        peak = hw.peak_flops(precision) if hw.has_precision(precision) else 0.0
        for count in (c for c in TENSOR_PARALLEL if c <= max_devices):
            fits = count * hw.memory_bytes >= weight_bytes + kv_bytes
            fast = count * hw.memory_bandwidth >= bandwidth and count * peak >= compute
            if fits and fast:
                latency = max(weight_bytes / (count * hw.memory_bandwidth), flops / (count * peak) if peak else 0.0)
                options.append({"hardware": hw.key, "name": hw.name, "devices": count, "latency": latency,
                                "bandwidth": count * hw.memory_bandwidth, "memory": count * hw.memory_bytes,
                                "price": hw.price * count if hw.price else None})
                break
    return sorted(options, key=lambda o: (o["devices"], o["latency"]))


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
